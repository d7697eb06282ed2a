"""Worlds in the CLI: the design's persistence examples as separate processes
on a database file, and a transaction per top-level statement."""
import os
import sqlite3
import subprocess

import pytest

from conftest import BUILD

JOY = os.path.join(BUILD, "joy")


def joy(cwd, program, *options):
    """Runs the CLI in `cwd` on `program` (standard input): (stdout, stderr)."""
    proc = subprocess.run([JOY, *options], input=program, cwd=cwd, capture_output=True, text=True,
                          timeout=60)
    return proc.stdout, proc.stderr


def lines(cwd, program, *options):
    out, err = joy(cwd, program, *options)
    assert err == ""
    return out.splitlines()


def test_level3_session_example(tmp_path):
    program = ('"session.db" session-open.\n'
               "DEFINE mydata == [1 2 3 4 5].\n"
               "DEFINE myfunc == [dup *].\n"
               "session-save.\n")
    assert joy(tmp_path, program) == ("", "")
    assert lines(tmp_path, '"session.db" session-open.\nmydata myfunc map .\n') == ["[1 4 9 16 25]"]


def test_world_example(tmp_path):
    assert joy(tmp_path, '"project.world" world-open. DEFINE results == 42. world-save.\n') == ("", "")
    assert lines(tmp_path, '"project.world" world-open. results .\n') == ["42"]


def test_level4_heap_example(tmp_path):
    assert joy(tmp_path, '"world.db" world-open. [1 2 3] "mylist" persist. world-checkpoint.\n') == ("", "")
    assert lines(tmp_path, '"world.db" world-open. "mylist" recall .\n') == ["[1 2 3]"]


def test_persist_definition_survives_restart(tmp_path):
    assert joy(tmp_path, '"w.db" world-open. PERSIST myfunc == [dup *]. PERSIST pi == 3.141592653589793.\n') \
        == ("", "")
    assert lines(tmp_path, '"w.db" world-open. [1 2 3] myfunc map . pi 3.141592653589793 = .\n') \
        == ["[1 4 9]", "true"]


def test_synonyms_and_world_path(tmp_path):
    out = lines(tmp_path, '"a.db" persist-open. world-path . [1] "x" persist.\n'
                          'persist-close. world-path . roots .\n'
                          '"a.db" session-open. roots . session-close. world-path .\n'
                          '"a.db" world-open. roots . world-close. roots .\n')
    assert out == [f'"{tmp_path}/a.db"', '""', "[]", '["x"]', '""', '["x"]', "[]"]


def test_world_save_stores_the_stack(tmp_path):
    assert joy(tmp_path, '"s.world" world-open. 1 "two" [3] world-save [] unstack.\n') == ("", "")
    # opening the world brings the stack back: the `.` after world-open prints its top
    assert lines(tmp_path, '"s.world" world-open. "world-stack" recall .\n') == ["[3]", '[[3] "two" 1]']


def test_db_option_opens_a_file(tmp_path):
    assert joy(tmp_path, 'DEFINE sq == dup *. [7] "seven" persist.\n', "--db", "opt.db") == ("", "")
    assert lines(tmp_path, '5 sq . "seven" recall .\n', "--db", "opt.db") == ["25", "[7]"]
    assert lines(tmp_path, '"opt.db" world-open. 6 sq .\n') == ["36"]


def test_files_written_are_plain_sqlite(tmp_path):
    joy(tmp_path, '"p.db" world-open. DEFINE sq == dup *. ["a" 1] "r" persist.\n')
    conn = sqlite3.connect(tmp_path / "p.db")
    assert conn.execute("SELECT name, body FROM joy_definitions").fetchall() == [("sq", "dup *")]
    assert conn.execute("SELECT name FROM joy_roots").fetchall() == [("r",)]
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_failed_statement_rolls_back_only_itself(tmp_path):
    out, err = joy(tmp_path, '"t.db" world-open.\n'
                             '[1] "kept" persist.\n'
                             '[2] "lost" persist "CREATE TABLE lost(a)" [] exec pop 1 0 / .\n'
                             'roots .\n')
    assert out == '["kept"]\n'
    assert "divisor" in err
    assert lines(tmp_path, '"t.db" world-open. roots . "SELECT count(*) AS n FROM sqlite_schema '
                           'WHERE name = \'lost\'" [] query .\n') == ['["kept"]', "[{n: 0}]"]


def test_failed_statement_after_schema_creation(tmp_path):
    # the first statement to use the tables fails: they are rolled back, then made again
    out, err = joy(tmp_path, '["abc"] "x" persist 1 0 / .\n[] unstack.\n["abc"] "y" persist.\n"y" recall .\nroots .\n',
                   "--db", "f.db")
    assert out == '["abc"]\n["y"]\n'
    assert err.count("run time error") == 1


def test_failed_definition_statement_is_forgotten(tmp_path):
    out, err = joy(tmp_path, 'DEFINE sq == dup *.\n3 sq .\n"draft" session [1] "r" persist 1 0 / .\n'
                             'current-session .\nroots .\n', "--db", "g.db")
    assert out == '9\n"main"\n[]\n'


def test_db_begin_spans_statements(tmp_path):
    out, err = joy(tmp_path, '"b.db" world-open.\n'
                             'db db-begin.\n'
                             '[1] "a" persist.\n'
                             'DEFINE gone == 1.\n'
                             'db db-rollback.\n'
                             'roots . [gone] first .\n'
                             'db db-begin.\n'
                             '[2] "b" persist.\n'
                             '1 0 / .\n'
                             '[] unstack db db-commit.\n')
    assert out == '[]\ngone\n'
    assert "divisor" in err  # inside db-begin an error does not roll back
    out, err = joy(tmp_path, '1 setundeferror "b.db" world-open. roots . gone .\n')
    assert out == '["b"]\n'
    assert "gone" in err


def test_world_switch_keeps_scratch_definitions_only(tmp_path):
    out, err = joy(tmp_path, '1 setundeferror DEFINE helper == 5.\n'
                             '"a.db" world-open. DEFINE only-a == 1.\n'
                             '"b.db" world-open. helper . [only-a] first .\n'
                             '1 0 / .\n'
                             '[] unstack helper . only-a .\n'
                             '"a.db" world-open. only-a .\n')
    assert out == "5\nonly-a\n5\n1\n"
    assert "definition needed for only-a" in err


def test_world_open_errors_keep_the_current_world(tmp_path):
    out, err = joy(tmp_path, '"w.db" world-open. [1] "r" persist.\n'
                             '"no/such/dir/x.db" world-open.\n'
                             '42 world-open.\n'
                             '"r" recall .\n')
    assert out == "[1]\n"
    assert "cannot open database" in err
    assert "file name" in err


def test_many_statements_share_the_statement_cache(tmp_path):
    # however full the cache of statements, persist's own are never finalized under it
    for n in range(236, 264):
        queries = " ".join(f'"SELECT {i}" [] query pop' for i in range(n))
        out, err = joy(tmp_path, f'[0] "z" persist. {queries} ["s1" "s2"] "k" persist "k" recall .\n',
                       "--db", f"c{n}.db")
        assert (out, err) == ('["s1" "s2"]\n', "")


@pytest.mark.parametrize("word", ["session-open", "persist-open"])
def test_level3_example_with_synonyms(tmp_path, word):
    assert joy(tmp_path, f'"s.db" {word}. DEFINE sq == dup *. session-save.\n') == ("", "")
    assert lines(tmp_path, f'"s.db" {word}. 9 sq .\n') == ["81"]


def test_two_writers_on_one_world(tmp_path):
    # statements that read before they write, in two processes at once
    assert joy(tmp_path, '[0] "init" persist.\n', "--db", "two.db") == ("", "")
    writers = []
    for tag in "ab":
        program = "".join(f'"init" recall {i} swons "{tag}{i}" persist. DEFINE {tag}w{i} == {i}.\n'
                          for i in range(150))
        (tmp_path / f"{tag}.joy").write_text(program)
        writers.append(subprocess.Popen([JOY, "--db", "two.db", f"{tag}.joy"], cwd=tmp_path,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    for w in writers:
        out, err = w.communicate(timeout=60)
        assert (out, err, w.returncode) == ("", "", 0)
    conn = sqlite3.connect(tmp_path / "two.db")
    assert conn.execute("SELECT count(*) FROM joy_roots").fetchone()[0] == 301
    assert conn.execute("SELECT count(*) FROM joy_definitions").fetchone()[0] == 300
    assert lines(tmp_path, '"b149" recall . bw149 .\n', "--db", "two.db") == ["[149 0]", "149"]


def test_world_open_brings_back_the_stack_world_save_kept(tmp_path):
    assert joy(tmp_path, '0 setautoput "w.db" world-open 1 "two" [3] world-save.\n') == ("", "")
    # the saved stack replaces the stack of the world left
    assert lines(tmp_path, '0 setautoput 99 "w.db" world-open stack put.\n') == ['[[3] "two" 1]']
    # a world never saved with world-save, or whose stack root was forgotten, keeps the stack
    assert lines(tmp_path, '0 setautoput 5 "fresh.db" world-open stack put.\n') == ["[5]"]
    assert joy(tmp_path, '0 setautoput "w.db" world-open "world-stack" forget.\n') == ("", "")
    assert lines(tmp_path, '0 setautoput 7 "w.db" world-open stack put.\n') == ["[7]"]
