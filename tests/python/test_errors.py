"""Every error class becomes an SQL error starting with `joy:`; the
connection and its transaction stay usable afterwards."""
import sqlite3

import pytest

from conftest import connect, one


@pytest.mark.parametrize("program, pattern", [
    ("pop", r"^joy: run time error: one parameter needed for pop$"),
    ("1 +", r"^joy: run time error: two parameters needed for \+$"),
    ("\"a\" 1 +", r"^joy: run time error: .* needed for \+$"),
    ("no_such_word", r"^joy: run time error: definition needed for no_such_word$"),
    ("[1 2", r"^joy: syntax error: .*\(line 1, column \d+\)$"),
    ("1\n2\n]", r"^joy: syntax error: .*\(line 3, column 1\)$"),
    ("1 0 /", r"^joy: run time error: .*/"),
    ("quit", r"^joy: .*quit"),
    ("abort", r"^joy: .*abort"),
    ("{1 2} >json", r"^joy: run time error: "),
])
def test_error_messages(db, program, pattern):
    with pytest.raises(sqlite3.OperationalError, match=pattern):
        one(db, "SELECT joy_eval(?)", program)


def test_every_function_reports_errors(db):
    for sql in ("SELECT joy_eval('pop')", "SELECT joy_json('pop')", "SELECT joy('pop')",
                "SELECT joy_run('pop')", "SELECT * FROM joy_stack('pop')", "SELECT * FROM joy_each('pop')"):
        with pytest.raises(sqlite3.OperationalError, match=r"^joy: run time error: one parameter needed for pop"):
            db.execute(sql).fetchall()


def test_missing_program(db):
    with pytest.raises(sqlite3.OperationalError, match=r"^joy: "):
        one(db, "SELECT joy_eval()")


def test_invalid_json_text_is_not_parsed_without_subtype(db):
    assert one(db, "SELECT joy_eval('size', '{bad json')") == 9


def test_connection_usable_after_errors(db):
    for program in ("pop", "[", "quit", "no_such_word"):
        with pytest.raises(sqlite3.OperationalError):
            one(db, "SELECT joy_eval(?)", program)
        assert one(db, "SELECT joy_eval('1 2 +')") == 3
    # the stack is empty after an error: nothing left over from the failed call
    assert one(db, "SELECT joy_eval('stack')") == "[]"


def test_stack_cleared_between_calls(db):
    one(db, "SELECT joy_eval('1 2 3')")
    assert one(db, "SELECT joy_eval('stack')") == "[]"
    with pytest.raises(sqlite3.OperationalError):
        one(db, "SELECT joy_eval('1 2 3 pop pop pop pop')")
    assert one(db, "SELECT joy_eval('stack')") == "[]"


def test_failing_call_in_transaction_leaves_it_usable(tmp_path):
    conn = connect(str(tmp_path / "t.db"), isolation_level=None)
    conn.execute("CREATE TABLE t(x)")
    conn.execute("BEGIN")
    conn.execute("INSERT INTO t VALUES (1)")
    with pytest.raises(sqlite3.OperationalError, match="^joy:"):
        conn.execute("INSERT INTO t VALUES (joy_eval('pop'))")
    assert conn.in_transaction
    conn.execute("INSERT INTO t VALUES (joy_eval('dup *', 3))")
    conn.execute("COMMIT")
    assert conn.execute("SELECT x FROM t ORDER BY x").fetchall() == [(1,), (9,)]
    conn.close()


def test_failing_row_aborts_only_its_statement(db):
    db.execute("CREATE TABLE t(x)")
    db.executemany("INSERT INTO t VALUES (?)", [(1,), (0,), (2,)])
    with pytest.raises(sqlite3.OperationalError, match="^joy:"):
        db.execute("UPDATE t SET x = joy_eval('10 swap /', x)")
    assert db.execute("SELECT x FROM t ORDER BY rowid").fetchall() == [(1,), (0,), (2,)]
    assert one(db, "SELECT sum(joy_eval('1 +', x)) FROM t") == 6
