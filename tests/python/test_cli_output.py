"""What build/joy prints: exact stdout, stderr and exit status of small
programs, for the words and forms the conformance files (tests/joy, one
`true` per line) can't check: printing words, help and the manuals, quit,
abort, echo, autoput, error messages and definition blocks.

Expected texts follow Joy1 (the reference interpreter); the deliberate
differences are errors on stderr, undefined words being errors by default,
and floats printed with a decimal point.
"""
import os
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
JOY = os.path.join(ROOT, "build", "joy")
BUILTINS = os.path.join(os.path.dirname(ROOT), "shared", "joy1-builtins.txt")


def run(program, tmp_path, name="prog.joy", args=()):
    """Run `program` from a file in tmp_path; return (stdout, stderr, status)."""
    path = tmp_path / name
    path.write_text(program)
    proc = subprocess.run([JOY, name, *args], cwd=tmp_path, capture_output=True,
                          text=True, errors="replace", timeout=60)
    return proc.stdout, proc.stderr, proc.returncode


def run_stdin(program, tmp_path):
    proc = subprocess.run([JOY], input=program, cwd=tmp_path, capture_output=True,
                          text=True, errors="replace", timeout=60)
    return proc.stdout, proc.stderr, proc.returncode


def builtin_names():
    if os.path.exists(BUILTINS):
        with open(BUILTINS) as f:
            return [line.split(" : ")[0] for line in f
                    if " : " in line and not line.startswith("#")]
    return ["dup", "map", "ifte", "put", "help", "__dump", "_help"]


# ---- printing words ----

@pytest.mark.parametrize("program, expected", [
    ("1 2 put put .", "21"),
    ('[1 "a" \'c {1 2} true] put .', '[1 "a" \'c {1 2} true]'),
    ('"x" put \'y put .', '"x"\'y'),
    ("['\\\\] .", "['\\\\]\n"),
    ("1.5 put 2.0 put .", "1.52.0"),
    ("stdin put .", "stdin"),
    ("'a putch .", "a"),
    ("65 putch 10 putch .", "A\n"),
    ('"x\\n" putchars .', "x\n"),
    ('"" putchars .', ""),
    ('"a\\"b" putchars .', 'a"b'),
    ('"tr" putchars "ue" putchars .', "true"),
    ("stdout 1 fput 'x fputch \"ab\" fputchars \"cd\" fputstring pop .", "1xabcd"),
    ("stdout [104 105 10] fwrite pop .", "hi\n"),
    ("1 put 2 .", "12\n"),
    ("1 put 2 put.", "12"),
])
def test_output_words(tmp_path, program, expected):
    out, err, status = run(program, tmp_path)
    assert (out, err, status) == (expected, "", 0)


def test_output_to_stderr(tmp_path):
    out, err, status = run('stderr "e\\n" fputchars 1 fput pop .', tmp_path)
    assert (out, err, status) == ("", "e\n1", 0)


def test_put_leaves_rest_of_stack(tmp_path):
    out, err, _ = run("1 2 3 put stack .", tmp_path)
    assert (out, err) == ("3[2 1]\n", "")


# ---- help and the manuals ----

def test_help_lists_every_builtin(tmp_path):
    out, err, status = run("help .", tmp_path)
    hidden, _, _ = run("_help .", tmp_path)
    assert err == "" and status == 0
    shown = set(out.split())
    for name in builtin_names():
        if name.startswith("_"):
            assert name in hidden.split(), name
            assert name not in shown, name
        else:
            assert name in shown, name


def test_help_leaves_stack(tmp_path):
    out, _, _ = run("1 2 help _help stack put .", tmp_path)
    assert out.endswith("[2 1]2\n")


def test_helpdetail(tmp_path):
    out, err, _ = run("[dup map] helpdetail .", tmp_path)
    assert err == ""
    assert "dup" in out and "X -> X X" in out
    assert "map" in out and "A [P] -> B" in out
    out, _, _ = run("[dup] helpdetail stack .", tmp_path)
    assert out.endswith("[]\n")


def test_manual(tmp_path):
    out, err, status = run("manual .", tmp_path)
    assert err == "" and status == 0
    assert len(out) > 1000
    for name in ["dup", "map", "ifte", "treegenrec", "put"]:
        assert name in out
    assert "X -> X X" in out


def test_html_and_latex_manuals(tmp_path):
    html, err, _ = run("__html_manual .", tmp_path)
    assert err == ""
    assert html.startswith("<HTML>") and "</HTML>" in html and "&gt;" in html
    latex, err, _ = run("__latex_manual .", tmp_path)
    assert err == ""
    assert "\\item" in latex and "dupd" in latex


# ---- quit and abort ----

def test_quit_stops_with_status_0(tmp_path):
    assert run("1 . quit 2 .", tmp_path) == ("1\n", "", 0)
    assert run("1 put quit 2 put .", tmp_path) == ("1", "", 0)
    assert run("[quit] i 3 .", tmp_path) == ("", "", 0)


def test_quit_from_stdin(tmp_path):
    assert run_stdin("5 .\nquit\n6 .\n", tmp_path) == ("5\n", "", 0)


def test_abort_ends_the_statement_only(tmp_path):
    assert run("1 2 abort 3 . stack .", tmp_path) == ("[2 1]\n", "", 0)
    assert run("[10 abort 20] i . 30 .", tmp_path) == ("30\n", "", 0)


# ---- errors ----

def test_error_goes_to_stderr_and_next_statement_runs(tmp_path):
    out, err, status = run('10 "a" + . stack . 7 .', tmp_path)
    assert out == '["a" 10]\n7\n'
    assert err == "run time error: integer needed for +\n"
    assert status == 1  # a run with a failed statement says so


def test_error_inside_statement_keeps_the_stack(tmp_path):
    out, err, _ = run("1 2 [pop pop pop] i 3 . stack .", tmp_path)
    assert out == "[]\n"
    assert err == "run time error: one parameter needed for pop\n"


def test_undefined_word_is_an_error_once_undeferror_is_set(tmp_path):
    out, err, status = run("1 setundeferror undeferror . foo_undefined . 5 .", tmp_path)
    assert out == "1\n5\n"
    assert err.startswith("run time error: ") and "foo_undefined" in err
    assert status == 1


def test_undefined_word_is_passed_over_at_first_as_in_joy1(tmp_path):
    assert run("undeferror . foo_undefined 5 .", tmp_path) == ("0\n5\n", "", 0)


def test_syntax_error_then_reading_goes_on(tmp_path):
    out, err, status = run("[1 2 .\n3 .\n", tmp_path)
    assert err != "" and status == 1
    assert out.endswith("3\n")


ERRORS = [
    ("+", "two parameters needed for +"),
    ('10 "a" +', "integer needed for +"),
    ('"a" 10 +', "numeric second parameter needed for +"),
    ("1.5 true -", "integer needed for -"),
    ("'A 2 *", "two integers needed for *"),
    ("1 0 /", "non-zero divisor needed for /"),
    ("1.0 0.0 /", "non-zero divisor needed for /"),
    ('1 "a" /', "two integers needed for /"),
    ("1 0 rem", "non-zero operand needed for rem"),
    ("1 0 div", "non-zero operand needed for div"),
    ("'a 2 div", "two integers needed for div"),
    ('"a" neg', "float or integer needed for neg"),
    ("'a abs", "float or integer needed for abs"),
    ("[] sign", "float or integer needed for sign"),
    ("[] succ", "numeric needed for succ"),
    ("pred", "one parameter needed for pred"),
    ('"a" 1 max', "two parameters of the same type needed for max"),
    ("'a 1 min", "two parameters of the same type needed for min"),
    ('"a" "b" max', "numeric needed for max"),
    ('"a" sin', "float or integer needed for sin"),
    ("cos", "one parameter needed for cos"),
    ('1 "a" atan2', "two floats or integers needed for atan2"),
    ('"a" 1 pow', "two floats or integers needed for pow"),
    ("1.5 1.5 ldexp", "integer needed for ldexp"),
    ('"a" 1 ldexp', "float or integer needed for ldexp"),
    ('"a" frexp', "float or integer needed for frexp"),
    ('"a" modf', "float or integer needed for modf"),
    ('"a" trunc', "float or integer needed for trunc"),
    ('"x" sqrt', "float or integer needed for sqrt"),
    ('"x" round', "float or integer needed for round"),
    ("1 dupd", "two parameters needed for dupd"),
    ("1 2 swapd", "three parameters needed for swapd"),
    ("1 over", "two parameters needed for over"),
    ('1 2 3 "a" pick', "integer needed for pick"),
    ("5 pick", "two parameters needed for pick"),
    ("1 2 rollup", "three parameters needed for rollup"),
    ("1 2 rolldown", "three parameters needed for rolldown"),
    ("1 2 rotate", "three parameters needed for rotate"),
    ("1 2 3 rollupd", "four parameters needed for rollupd"),
    ("1 2 3 rolldownd", "four parameters needed for rolldownd"),
    ("1 2 3 rotated", "four parameters needed for rotated"),
    ("1 app1", "two parameters needed for app1"),
    ("1 2 app1", "quotation as top parameter needed for app1"),
    ("1 [pop] nullary", "value to push needed for nullary"),
    ("1 [pop] unary", "value to push needed for unary"),
    ("1 2 [pop pop] binary", "value to push needed for binary"),
    ("1 2 3 [pop pop pop] ternary", "value to push needed for ternary"),
    ("1 2 [pop] unary2", "value to push needed for unary2"),
    ("1 2 3 4 [pop] app4", "value to push needed for app4"),
    ("3 [pop] [pop] cleave", "value to push needed for cleave"),
    ("1 [pop] [1] [2] ifte", "value to push needed for ifte"),
    ("[1 2] [pop] map", "non-empty stack needed for map"),
    ("[1 2] [pop] filter", "value to push needed for filter"),
    ("1 [] unary2", "three parameters needed for unary2"),
    ("1 2 [] unary3", "four parameters needed for unary3"),
    ("1 2 3 [] unary4", "five parameters needed for unary4"),
    ("2 x", "quotation as top parameter needed for x"),
    ("x", "one parameter needed for x"),
    ("1 dip", "two parameters needed for dip"),
    ("true 1 [2] branch", "quotation as second parameter needed for branch"),
    ("3 [] case", "non-empty list needed for case"),
    ("3 5 case", "list needed for case"),
    ("3 [] cond", "non-empty list needed for cond"),
    ("3 5 cond", "list needed for cond"),
    ("5 [] condlinrec", "non-empty list needed for condlinrec"),
    ("5 3 condnestrec", "list needed for condnestrec"),
    ("[1 2 3] 0 fold", "three parameters needed for fold"),
    ("5 [1 <=] [pop 1] genrec", "four parameters needed for genrec"),
    ("1 [1] 2 ifchar", "quotation as top parameter needed for ifchar"),
    ("5 [null] [succ] [dup pred] linrec", "quotation as fourth parameter needed for linrec"),
    ("10 [0 =] [] tailrec", "quotation as third parameter needed for tailrec"),
    ("[1 2 3] some", "two parameters needed for some"),
    ("[1 2 3] step", "two parameters needed for step"),
    ("0 'a [1 +] times", "integer as second parameter needed for times"),
    ("1 [10 <] 2 while", "quotation as top parameter needed for while"),
    ("1 2 [dup] 3 construct", "quotation as top parameter needed for construct"),
    ("put", "one parameter needed for put"),
    ("include", "one parameter needed for include"),
    ("1 include", "string needed for include"),
    ('"a" putch', "numeric needed for putch"),
    ("1 putchars", "string needed for putchars"),
    ("1 2 fput", "file needed for fput"),
    ('stdout "a" fputch', "integer needed for fputch"),
    ("stdout 1 fwrite", "list needed for fwrite"),
    ("1 feof", "file needed for feof"),
    ("ferror", "one parameter needed for ferror"),
    ("char", "one parameter needed for char"),
    ('"a" setautoput', "numeric needed for setautoput"),
    ('"a" setundeferror', "numeric needed for setundeferror"),
    ('"a" setecho', "numeric needed for setecho"),
    ('"a" srand', "integer needed for srand"),
]


@pytest.mark.parametrize("program, message", ERRORS)
def test_error_message(tmp_path, program, message):
    out, err, status = run(program + " . 42 .", tmp_path)
    assert err == "run time error: " + message + "\n"
    assert out.endswith("42\n")
    assert status == 1


# ---- autoput and echo ----

def test_autoput(tmp_path):
    assert run("2 setautoput 1 2 3 . 4 .", tmp_path) == ("3 2 1\n4 3 2 1\n", "", 0)
    assert run("0 setautoput 1 2 . 1 setautoput . .", tmp_path) == ("2\n1\n", "", 0)
    assert run("autoput . 5 setautoput 1 . 1 setautoput stack .", tmp_path) == ("1\n[1]\n", "", 0)


@pytest.mark.parametrize("mode, expected", [
    (0, "3\n4\n"),
    (1, "1 2 + .\n3\n(* c *) 4 .\n4\n"),
    (2, "\t1 2 + .\n3\n\t(* c *) 4 .\n4\n"),
    (3, "   2\t1 2 + .\n3\n   3\t(* c *) 4 .\n4\n"),
])
def test_setecho(tmp_path, mode, expected):
    out, err, _ = run(f"{mode} setecho .\n1 2 + .\n(* c *) 4 .\n", tmp_path)
    assert (out, err) == (expected, "")


def test_echo_flag(tmp_path):
    assert run("echo . 2 setecho echo . 0 setecho", tmp_path)[0] == "0\n2\n"


# ---- argv argc ----

def test_argv_argc_with_a_file(tmp_path):
    assert run("argc . argv .", tmp_path, name="p.joy") == ('1\n["p.joy"]\n', "", 0)


def test_argv_argc_from_stdin(tmp_path):
    out, err, _ = run_stdin("argc . argv .", tmp_path)
    assert out == '1\n["joy"]\n' and err == ""


# ---- definitions ----

def test_define_and_libra(tmp_path):
    program = ("DEFINE a == 1; b == 2 DEFINE c == 3. c . a b + .\n"
               "LIBRA sq == dup *; cube == dup sq *. 3 cube .\n"
               "DEFINE f == 10 END 5 f + .\n"
               "[sq] first body . [sq] first name .\n")
    assert run(program, tmp_path) == ('3\n3\n27\n15\n[dup *]\n"sq"\n', "", 0)


def test_hide(tmp_path):
    program = "HIDE\n x == 5\nIN\n y == x 1 +;\n z == y y *\nEND.\ny . z . [z y x] .\n"
    assert run(program, tmp_path) == ("6\n36\n[z y x]\n", "", 0)


def test_hidden_name_is_not_reachable(tmp_path):
    out, err, _ = run("HIDE h == 5 IN y == h 1 + END. y . 0 setundeferror h stack .", tmp_path)
    assert (out, err) == ("6\n[]\n", "")


def test_module(tmp_path):
    program = ("MODULE m\nPRIVATE\n p == 2\nPUBLIC\n q == p 3 *;\n r == q 1 +\nEND.\n"
               "m.q . m.r .\n")
    assert run(program, tmp_path) == ("6\n7\n", "", 0)


def test_definition_replaces_a_builtin(tmp_path):
    out, _, status = run("DEFINE pop == 42. 1 pop . stack .", tmp_path)
    assert out == "42\n[1]\n" and status == 0


# ---- reading: get, include, the stack between statements ----

def test_get_reads_after_the_statement(tmp_path):
    assert run("get 1 + . 41\n[2 3] get concat . [4]", tmp_path) == ("42\n[2 3 4]\n", "", 0)


def test_include_is_read_after_the_statement(tmp_path):
    (tmp_path / "lib.joy").write_text("DEFINE twice == 2 *.\n5 .\n")
    assert run('"lib.joy" include 4 .\n21 twice .', tmp_path) == ("4\n5\n42\n", "", 0)


def test_stack_persists_between_statements(tmp_path):
    assert run("1 2 3 . stack . . .", tmp_path) == ("3\n[2 1]\n2\n1\n", "", 0)


# ---- flags ----

@pytest.mark.parametrize("flags, message", [
    (["--memory", "-5"], "--memory needs a whole number of bytes"),
    (["--memory", "1x"], "--memory needs a whole number of bytes"),
    (["--steps", "abc"], "--steps needs a whole number"),
    (["--steps", "-1"], "--steps needs a whole number"),
    (["--steps", "--db", "x.db"], "--steps needs a value"),
    (["--depth", "99999999999999999999"], "--depth needs a whole number"),
    (["--depth"], "--depth needs a value"),
])
def test_bad_limit_flags_are_refused(tmp_path, flags, message):
    proc = subprocess.run([JOY] + flags, input="1 2 + .", capture_output=True, text=True, cwd=tmp_path, timeout=30)
    assert proc.returncode == 2
    assert message in proc.stderr
    assert proc.stdout == ""


@pytest.mark.parametrize("flags", [["--memory", "64K"], ["--memory", "1m"], ["--memory", "0"], ["--steps", "100"],
                                   ["--depth", "0"]])
def test_limit_flags_are_accepted(tmp_path, flags):
    proc = subprocess.run([JOY] + flags, input="1 2 + .", capture_output=True, text=True, cwd=tmp_path, timeout=30)
    assert (proc.stdout, proc.stderr, proc.returncode) == ("3\n", "", 0)


def test_steps_flag_is_a_limit(tmp_path):
    proc = subprocess.run([JOY, "--steps", "1000"], input="0 [true] [1 +] while .", capture_output=True, text=True,
                          cwd=tmp_path, timeout=30)
    assert "step limit exceeded" in proc.stderr and proc.returncode == 1
