"""joy_eval, joy_json, joy, joy_run, joy_version: results, arguments, state."""
import json
import sqlite3

import pytest

from conftest import one


def test_issue_examples(db):
    assert one(db, "SELECT joy_eval('[1 2 3] [dup *] map')") == "[1 4 9]"
    assert one(db, "SELECT joy_eval('dup *', 7)") == 49
    assert one(db, "SELECT joy_json('{a: [1 2]}') ->> '$.a[1]'") == 2
    assert len(db.execute("SELECT * FROM joy_stack('1 2 3')").fetchall()) == 3


def test_eval_returns_top_of_stack(db):
    assert one(db, "SELECT joy_eval('1 2 3')") == 3
    assert one(db, "SELECT joy_eval('1 2 +')") == 3
    assert one(db, "SELECT joy_eval('')") is None
    assert one(db, "SELECT joy_eval('1 pop')") is None


def test_args_pushed_first_argument_deepest(db):
    assert one(db, "SELECT joy_eval('-', 10, 3)") == 7
    assert one(db, "SELECT joy_eval('stack', 1, 2, 3)") == "[3 2 1]"
    assert one(db, "SELECT joy_eval('swap -', 10, 3)") == -7


def test_period_ends_statements_without_printing(db):
    assert one(db, "SELECT joy_eval('1 2 + .')") == 3
    assert one(db, "SELECT joy_eval('1 . 2 .')") == 2


def test_null_program_gives_null(db):
    assert one(db, "SELECT joy_eval(NULL)") is None
    assert one(db, "SELECT joy_json(NULL, 1)") is None
    assert one(db, "SELECT joy(NULL)") is None


def test_json_results_carry_the_json_subtype(db):
    assert one(db, "SELECT json_extract(joy_json('{a: 1, b: [true nil 2.5]}'), '$.b')") == "[true,null,2.5]"
    assert one(db, "SELECT json_array(joy_json('[1 2]'))") == "[[1,2]]"
    assert one(db, "SELECT json_array(joy_eval('[1 2]'))") == '["[1 2]"]'
    assert json.loads(one(db, "SELECT joy_json('[1 \"a\" 2.5 true]')")) == [1, "a", 2.5, True]
    assert one(db, "SELECT joy_json('\"x\"')") == '"x"'
    assert one(db, "SELECT joy_json('')") is None


def test_json_of_a_set_is_an_error(db):
    import sqlite3
    try:
        one(db, "SELECT joy_json('{1 2}')")
    except sqlite3.OperationalError as e:
        assert str(e).startswith("joy:")
    else:
        raise AssertionError("a set has no JSON form")


def test_definitions_persist_on_the_connection(db):
    assert one(db, "SELECT joy_eval('DEFINE sq == dup *.')") is None
    assert one(db, "SELECT joy_eval('sq', 9)") == 81
    assert one(db, "SELECT joy_eval('DEFINE cube == dup sq *. 3 cube')") == 27
    assert one(db, "SELECT joy_eval('cube', 2)") == 8


def test_definitions_are_per_connection(db):
    from conftest import connect
    other = connect()
    one(db, "SELECT joy_eval('DEFINE sq == dup *.')")
    try:
        other.execute("SELECT joy_eval('sq', 2)").fetchone()
    except Exception as e:
        assert "sq" in str(e)
    else:
        raise AssertionError("definition leaked to another connection")
    finally:
        other.close()


def test_cached_program_reapplies_its_definitions(db):
    sql = "SELECT joy_eval('DEFINE f == 1 +. f', ?)"
    assert one(db, sql, 1) == 2
    one(db, "SELECT joy_eval('DEFINE f == 100 +.')")
    assert one(db, sql, 1) == 2  # the cached program defines f again
    assert one(db, "SELECT joy_eval('f', 1)") == 2


def test_per_row_evaluation(db):
    db.execute("CREATE TABLE t(x)")
    db.executemany("INSERT INTO t VALUES (?)", [(i,) for i in range(100)])
    assert one(db, "SELECT sum(joy_eval('dup *', x)) FROM t") == sum(i * i for i in range(100))
    assert one(db, "SELECT count(*) FROM t WHERE joy('2 rem 0 =', x)") == 50


def test_joy_run_returns_output(db):
    assert one(db, "SELECT joy_run('1 2 + .')") == "3\n"
    assert one(db, "SELECT joy_run('\"hi\" putchars 1 put')") == "hi1"  # as Joy1's put: no space after the value
    assert one(db, "SELECT joy_run('[1 2] . ''a . \"s\" .')") == "[1 2]\n'a\n\"s\"\n"
    assert one(db, "SELECT joy_run('1 2 +')") == ""
    assert one(db, "SELECT joy_run('.', 42)") == "42\n"


def test_joy_run_output_not_on_host_stdout(db, capfd):
    one(db, "SELECT joy_run('\"secret\" putchars')")
    one(db, "SELECT joy_eval('\"secret\" putchars 1')")
    out, err = capfd.readouterr()
    assert "secret" not in out and "secret" not in err


def test_eval_discards_output(db):
    assert one(db, "SELECT joy_eval('\"x\" putchars 5')") == 5


def test_pure_joy(db):
    assert one(db, "SELECT joy('[1 2 3] [dup *] map')") == "[1 4 9]"
    assert one(db, "SELECT joy('+', 1, 2)") == 3


def test_pure_joy_definitions_do_not_leak(db):
    assert one(db, "SELECT joy('DEFINE tmp == 7. tmp')") == 7
    import sqlite3
    try:
        one(db, "SELECT joy_eval('tmp')")
    except sqlite3.OperationalError as e:
        assert "tmp" in str(e)
    else:
        raise AssertionError("pure call left a definition behind")


def test_pure_joy_redefinition_is_undone(db):
    one(db, "SELECT joy_eval('DEFINE w == 1.')")
    assert one(db, "SELECT joy('DEFINE w == 2. w')") == 2
    assert one(db, "SELECT joy_eval('w')") == 1


def test_pure_joy_sees_only_builtins_and_its_own_definitions(db):
    one(db, "SELECT joy_eval('DEFINE w == 1.')")
    with pytest.raises(sqlite3.OperationalError, match="definition needed for w"):
        one(db, "SELECT joy('w')")
    assert one(db, "SELECT joy('DEFINE w == 2. w')") == 2
    with pytest.raises(sqlite3.OperationalError, match="definition needed for w"):
        one(db, "SELECT joy('w')")


def test_version(db):
    v = one(db, "SELECT joy_version()")
    assert isinstance(v, str) and v[0].isdigit()


def test_a_run_time_error_names_its_statement_when_there_are_several(db):
    with pytest.raises(sqlite3.OperationalError) as e:
        one(db, "SELECT joy_eval(?)", "DEFINE f == [] first.\n1 2 + pop.\n  f")
    assert str(e.value) == ("joy: run time error: non-empty list needed for first "
                            "(in the statement at line 3, column 3)")
    with pytest.raises(sqlite3.OperationalError) as e:  # one statement: the message alone, as Joy1's
        one(db, "SELECT joy_eval('[] first')")
    assert str(e.value) == "joy: run time error: non-empty list needed for first"
    with pytest.raises(sqlite3.OperationalError) as e:
        one(db, "SELECT joy('1 . 2 0 /')")
    assert str(e.value).endswith("divisor needed for / (in the statement at line 1, column 5)")
