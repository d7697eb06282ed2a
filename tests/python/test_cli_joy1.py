"""build/joy starts and reads as Joy1's `joy` does (Wodan58/Joy, the
reference): usrlib.joy first, the program's arguments in argv, included
files read after the statement that includes them (the last first), echo
as lines are read, module fields and redefined builtins reported while
reading. Each expected output is the reference's.
"""
import os
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
JOY = os.path.join(ROOT, "build", "joy")


def joy(cwd, *args, stdin=None, home=None):
    env = dict(os.environ, HOME=str(home if home is not None else cwd / "no-home"))
    proc = subprocess.run([JOY, *args], input=stdin, cwd=cwd, capture_output=True, text=True,
                          timeout=60, env=env)
    return proc.stdout, proc.stderr


# ---- usrlib.joy ----

def test_usrlib_from_the_current_folder_is_read_before_the_program(tmp_path):
    (tmp_path / "usrlib.joy").write_text('DEFINE twice == 2 *.\n"lib\\n" putchars.\n')
    (tmp_path / "p.joy").write_text("21 twice .\n")
    assert joy(tmp_path, "p.joy") == ("lib\n42\n", "")


def test_usrlib_from_home_when_the_folder_has_none(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / "usrlib.joy").write_text("DEFINE from-home == 7.\n")
    (tmp_path / "p.joy").write_text("from-home .\n")
    assert joy(tmp_path, "p.joy", home=home) == ("7\n", "")


def test_minus_l_skips_usrlib(tmp_path):
    (tmp_path / "usrlib.joy").write_text('"lib\\n" putchars.\n')
    (tmp_path / "p.joy").write_text("1 .\n")
    assert joy(tmp_path, "-l", "p.joy") == ("1\n", "")


def test_usrlib_is_read_before_standard_input_and_e(tmp_path):
    (tmp_path / "usrlib.joy").write_text("DEFINE lib-word == 5.\n")
    assert joy(tmp_path, stdin="lib-word .\n") == ("5\n", "")
    assert joy(tmp_path, "-e", "lib-word .") == ("5\n", "")


def test_a_library_that_sets_undeferror_keeps_it(tmp_path):
    (tmp_path / "usrlib.joy").write_text("1 setundeferror.\n")
    out, err = joy(tmp_path, stdin="undeferror . nosuchword .\n")
    assert out == "1\n" and "definition needed for nosuchword" in err


def test_undefined_words_are_passed_over_at_first(tmp_path):
    assert joy(tmp_path, stdin="undeferror . 1 nosuchword 2 + .\n") == ("0\n3\n", "")


def test_include_and_usrlib_look_in_the_programs_folder(tmp_path):
    (tmp_path / "plib").mkdir()
    (tmp_path / "plib" / "usrlib.joy").write_text("DEFINE from-usrlib == 1.\n")
    (tmp_path / "plib" / "inc.joy").write_text("DEFINE from-inc == 2.\n")
    (tmp_path / "plib" / "p.joy").write_text('"inc.joy" include.\nfrom-usrlib from-inc + .\n')
    assert joy(tmp_path, "plib/p.joy") == ("3\n", "")


def test_include_refuses_what_is_not_a_regular_file(tmp_path):
    os.mkfifo(tmp_path / "fifo.joy")
    out, err = joy(tmp_path, "-l", stdin='"fifo.joy" include.\n3 .\n')
    assert out == "3\n" and "valid file name needed for include" in err


def test_get_at_the_end_of_input_ends_the_program(tmp_path):
    proc = subprocess.run([JOY, "-l"], input="1 . get .", cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert (proc.stdout, proc.stderr, proc.returncode) == ("1\n", "", 0)


def test_a_line_starting_with_a_dollar_is_a_shell_command(tmp_path):
    assert joy(tmp_path, "-l", stdin="1 .\n$echo from-the-shell\n2 .\n") == ("1\nfrom-the-shell\n2\n", "")


# ---- arguments ----

def test_the_first_file_is_the_program_and_the_rest_its_arguments(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "p.joy").write_text("argc . argv .\n")
    (tmp_path / "other.joy").write_text('"not run\\n" putchars.\n')
    assert joy(tmp_path, "sub/p.joy", "other.joy", "42") == ('3\n["p.joy" "other.joy" "42"]\n', "")


def test_argv_without_a_program(tmp_path):
    assert joy(tmp_path, stdin="argv .\n") == ('["joy"]\n', "")


# ---- include ----

def test_included_files_are_read_after_the_statement_the_last_first(tmp_path):
    (tmp_path / "a.joy").write_text('"a\\n" putchars.\n')
    (tmp_path / "b.joy").write_text('"b\\n" putchars.\n')
    program = '"a.joy" include "b.joy" include "after\\n" putchars.\n"end\\n" putchars.\n'
    assert joy(tmp_path, stdin=program) == ("after\nb\na\nend\n", "")


def test_get_reads_from_the_file_being_included(tmp_path):
    (tmp_path / "data.joy").write_text("get 1 + . 41\n")
    assert joy(tmp_path, stdin='"data.joy" include.\nget . "from stdin"\n') == ('42\n"from stdin"\n', "")


def test_get_reads_from_a_file_the_running_statement_included(tmp_path):
    # Joy1's scanner switches to the file at once: a reader loop written in
    # Joy (lsplib.joy's Lisp) goes on reading from the included file
    (tmp_path / "one.joy").write_text("40\n")
    assert joy(tmp_path, stdin='"one.joy" include get 2 + .\n') == ("42\n", "")
    assert joy(tmp_path, stdin='"one.joy" include get get + . 2\n') == ("42\n", "")


def test_an_error_in_an_included_file_goes_on_there(tmp_path):
    (tmp_path / "bad.joy").write_text("[] first .\n2 .\n")
    out, err = joy(tmp_path, stdin='"bad.joy" include.\n3 .\n')
    assert out == "2\n3\n" and "non-empty list needed for first" in err


# ---- setecho ----

@pytest.mark.parametrize("program, printed", [
    # a line ending in " ." is echoed when its newline is read: before the output
    ("1 setecho .\n1 2 + .\n", "1 2 + .\n3\n"),
    # output of a statement ending earlier on the line comes first
    ("1 setecho .\n1 . 2 .\n", "1\n1 . 2 .\n2\n"),
    # Joy1 reads the newline after "word." twice: an extra empty line
    ("1 setecho .\n2 3 +.\n4 .\n", "2 3 +.\n\n5\n4 .\n4\n"),
    ("3 setecho .\n2 3 +.\n", "   2\t2 3 +.\n   2\t\n5\n"),
    # a space after the period: the line waits for the next statement
    ("1 setecho .\n7 . \n8 .\n", "7\n7 . \n8 .\n8\n"),
])
def test_setecho_echoes_a_line_when_its_newline_is_read(tmp_path, program, printed):
    assert joy(tmp_path, "-l", stdin=program) == (printed, "")


# ---- messages while reading ----

def test_a_module_field_that_does_not_exist_is_reported_where_it_is_read(tmp_path):
    (tmp_path / "m.joy").write_text("MODULE m PUBLIC a == 1; END\nm.a .\nm.b 5 .\n3 .\n")
    out, err = joy(tmp_path, "m.joy")
    assert out == "1\n5\n3\n"
    assert err == ("m.joy:3:m.b \n"
                   "           ^\n"
                   "           no such field in module\n")


def test_module_fields_stay_known_after_a_failed_statement(tmp_path):
    program = "MODULE m PUBLIC a == 1; _b == 2; END.\n1 setundeferror nosuch.\nm.a m._b + .\n"
    out, err = joy(tmp_path, stdin=program)
    assert out == "3\n" and "definition needed for nosuch" in err


def test_reports_name_the_file_without_its_folder_and_keep_255_characters(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "m.joy").write_text("MODULE m PUBLIC a == 1; END\n" + "m.nope " * 1000 + "\n")
    out, err = joy(tmp_path, "sub/m.joy")
    lines = err.splitlines()
    assert len(lines) == 3000 and lines[0].startswith("m.joy:2:m.nope ")
    assert max(len(line) for line in lines) <= len("m.joy:2:") + 255 + len("no such field in module")


def test_redefining_a_builtin_warns(tmp_path):
    assert joy(tmp_path, stdin="DEFINE dup == 1.\ndup .\n") == ("1\n", "warning: overwriting inbuilt 'dup'\n")
    assert joy(tmp_path, "-w", stdin="DEFINE dup == 1.\ndup .\n") == ("1\n", "")


def test_private_words_survive_a_failed_statement(tmp_path):
    program = "HIDE h == 10 + IN g == h END.  5 g .  [] first.  5 g .\n"
    out, err = joy(tmp_path, stdin=program)
    assert out == "15\n15\n" and "non-empty list needed for first" in err
