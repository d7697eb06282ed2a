"""The extension loads into other SQLite hosts: the sqlite3 shell, Tcl, Perl DBI."""
import os
import shutil
import subprocess

import pytest

from conftest import EXTENSION, ROOT


def run(cmd, **kwargs):
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=60, **kwargs)


@pytest.mark.skipif(not shutil.which("sqlite3"), reason="sqlite3 shell not installed")
def test_sqlite3_shell_issue_examples():
    proc = run(["sqlite3", ":memory:", "-cmd", ".load " + EXTENSION,
                "SELECT joy_eval('[1 2 3] [dup *] map');",
                "SELECT joy_eval('dup *', 7);",
                "SELECT joy_json('{a: [1 2]}') ->> '$.a[1]';",
                "SELECT * FROM joy_stack('1 2 3');"])
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["[1 4 9]", "49", "2", "0|3|integer|3", "1|2|integer|2",
                                        "2|1|integer|1"]


@pytest.mark.skipif(not shutil.which("sqlite3"), reason="sqlite3 shell not installed")
def test_sqlite3_shell_error_and_output():
    proc = run(["sqlite3", ":memory:", "-cmd", ".load " + EXTENSION, "SELECT joy_eval('pop');"])
    assert proc.returncode != 0
    assert "joy: run time error: one parameter needed for pop" in proc.stderr
    proc = run(["sqlite3", ":memory:", "-cmd", ".load " + EXTENSION,
                "SELECT joy_eval('\"leak\" putchars 1');", "SELECT joy_eval('quit');",
                "SELECT 'still here';"])
    assert "leak" not in proc.stdout
    assert "still here" not in proc.stdout  # the shell stops at the error, it does not exit from Joy
    assert "joy:" in proc.stderr


@pytest.mark.skipif(not shutil.which("tclsh"), reason="tclsh not installed")
def test_tcl():
    script = f"""
        package require sqlite3
        sqlite3 db :memory:
        db enable_load_extension 1
        db eval {{SELECT load_extension('{EXTENSION}')}}
        puts [db eval {{SELECT joy_eval('[1 2 3] [dup *] map')}}]
        puts [db eval {{SELECT joy_eval('dup *', 7)}}]
        puts [db onecolumn {{SELECT joy_eval('[1 2 3] [dup *] map')}}]
        if {{[catch {{db eval {{SELECT joy_eval('pop')}}}} msg]}} {{ puts $msg }}
        db close
    """
    proc = run(["tclsh"], input=script)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "{[1 4 9]}"
    assert lines[1] == "49"
    assert lines[2] == "[1 4 9]"  # onecolumn: the value itself, as the README shows
    assert lines[3].startswith("joy: run time error: one parameter needed for pop")


@pytest.mark.skipif(run(["perl", "-MDBD::SQLite", "-e", "1"]).returncode != 0,
                    reason="DBD::SQLite not installed")
def test_perl_dbi():
    script = f"""
        use strict; use DBI;
        my $dbh = DBI->connect("dbi:SQLite:dbname=:memory:", "", "", {{RaiseError => 1, PrintError => 0}});
        $dbh->sqlite_enable_load_extension(1);
        $dbh->sqlite_load_extension('{EXTENSION}.so');
        print $dbh->selectrow_array("SELECT joy_eval('[1 2 3] [dup *] map')"), "\\n";
        print $dbh->selectrow_array("SELECT joy_eval('dup *', 7)"), "\\n";
        eval {{ $dbh->selectrow_array("SELECT joy_eval('pop')") }};
        print $@ =~ /joy: run time error: one parameter needed for pop/ ? "error ok\\n" : "bad: $@\\n";
    """
    proc = run(["perl", "-e", script])
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["[1 4 9]", "49", "error ok"]


@pytest.mark.skipif(not shutil.which("sqlite3"), reason="sqlite3 shell not installed")
@pytest.mark.parametrize("failing", [
    "SELECT joy_create_function('bad', 1, 'sq ]');",                     # a syntax error after reading sq
    "SELECT joy_create_function('sqf', 1, 'sq sq');",                    # refused: an index calls sqf
    "SELECT joy_drop_function('sqf');",
])
def test_the_shell_closes_its_connection_after_a_failed_call(tmp_path, failing):
    # sqlite3_close() (not _v2) refuses while any statement is left prepared
    proc = run(["sqlite3", str(tmp_path / "c.db"), "-cmd", ".load " + EXTENSION,
                "SELECT joy_define('sq', 'dup *');", "CREATE TABLE t(x);",
                "SELECT joy_create_function('sqf', 1, 'sq');", "CREATE INDEX tf ON t(sqf(x));", failing])
    assert "joy:" in proc.stderr
    assert "unable to close" not in proc.stderr
