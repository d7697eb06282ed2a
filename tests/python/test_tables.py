"""joy_stack and joy_each, the table-valued functions."""
import sqlite3

import pytest

from conftest import connect, one


def test_stack_rows_top_first(db):
    rows = db.execute("SELECT depth, value, type, json FROM joy_stack('1 2 3')").fetchall()
    assert rows == [(0, 3, "integer", "3"), (1, 2, "integer", "2"), (2, 1, "integer", "1")]


def test_stack_with_arguments(db):
    assert db.execute("SELECT value FROM joy_stack('dup *', 7)").fetchall() == [(49,)]
    assert db.execute("SELECT value FROM joy_stack('', 1, 'a', NULL)").fetchall() == [(None,), ("a",), (1,)]
    assert db.execute("SELECT value FROM joy_stack('', 1, 2, 3, 4, 5, 6, 7, 8)").fetchall() == \
        [(i,) for i in range(8, 0, -1)]


def test_stack_value_kinds(db):
    rows = db.execute("SELECT value, type, json FROM joy_stack("
                      "'[1 2] {1 2} {a: 1} \"s\" ''c 1.5 true nil [dup]')").fetchall()
    assert rows == [
        ("[dup]", "list", None),  # a quotation of code has no JSON form
        (None, "nil", "null"),
        (1, "boolean", "true"),
        (1.5, "float", "1.5"),
        ("c", "char", '"c"'),
        ("s", "string", '"s"'),
        ("{a: 1}", "dict", '{"a":1}'),
        ("{1 2}", "set", None),
        ("[1 2]", "list", "[1,2]"),
    ]


def test_stack_empty_and_null(db):
    assert db.execute("SELECT * FROM joy_stack('')").fetchall() == []
    assert db.execute("SELECT * FROM joy_stack(NULL)").fetchall() == []


def test_stack_json_column_has_json_subtype(db):
    assert one(db, "SELECT json_array(json) FROM joy_stack('[1 2]')") == "[[1,2]]"


def test_stack_error(db):
    with pytest.raises(sqlite3.OperationalError, match=r"^joy: run time error: .*pop"):
        db.execute("SELECT * FROM joy_stack('pop')").fetchall()


def test_stack_needs_program(db):
    with pytest.raises(sqlite3.OperationalError, match="joy"):
        db.execute("SELECT * FROM joy_stack").fetchall()


def test_stack_joined_per_row(db):
    db.execute("CREATE TABLE p(prog)")
    db.executemany("INSERT INTO p VALUES (?)", [("1 2",), ("3",)])
    rows = db.execute("SELECT p.prog, s.value FROM p, joy_stack(p.prog) s ORDER BY p.rowid, s.depth").fetchall()
    assert rows == [("1 2", 2), ("1 2", 1), ("3", 3)]


def test_each_list(db):
    rows = db.execute("SELECT idx, key, value, type FROM joy_each('[1 \"two\" 3.0 [4]]')").fetchall()
    assert rows == [(0, None, 1, "integer"), (1, None, "two", "string"), (2, None, 3.0, "float"),
                    (3, None, "[4]", "list")]


def test_each_dict_keeps_order(db):
    rows = db.execute("SELECT idx, key, value FROM joy_each('{b: 1, a: [2], c: nil}')").fetchall()
    assert rows == [(0, "b", 1), (1, "a", "[2]"), (2, "c", None)]


def test_each_set_and_string(db):
    assert db.execute("SELECT value FROM joy_each('{3 1 2}')").fetchall() == [(1,), (2,), (3,)]
    assert db.execute("SELECT value, type FROM joy_each('\"ab\"')").fetchall() == [("a", "char"), ("b", "char")]


def test_each_evaluates_joy_text(db):
    assert db.execute("SELECT value FROM joy_each('[1 2 3] [dup *] map')").fetchall() == [(1,), (4,), (9,)]
    assert db.execute("SELECT value FROM joy_each(joy_eval('[1 2] [10 *] map'))").fetchall() == [(10,), (20,)]


def test_each_json(db):
    assert db.execute("SELECT key, value FROM joy_each(json_object('x', 1, 'y', 2))").fetchall() == \
        [("x", 1), ("y", 2)]
    assert db.execute("SELECT value FROM joy_each(json_array(1, 'a'))").fetchall() == [(1,), ("a",)]


def test_each_empty_and_null(db):
    assert db.execute("SELECT * FROM joy_each('[]')").fetchall() == []
    assert db.execute("SELECT * FROM joy_each(NULL)").fetchall() == []


def test_each_errors(db):
    with pytest.raises(sqlite3.OperationalError, match=r"^joy: .*joy_each"):
        db.execute("SELECT * FROM joy_each('42')").fetchall()
    with pytest.raises(sqlite3.OperationalError, match=r"^joy: .*joy_each"):
        db.execute("SELECT * FROM joy_each(42)").fetchall()
    with pytest.raises(sqlite3.OperationalError, match=r"^joy: .*output"):
        db.execute("SELECT * FROM joy_each('1 put [1]')").fetchall()


def test_each_aggregates(db):
    assert one(db, "SELECT sum(value) FROM joy_each('[1 2 3 4]')") == 10
    assert one(db, "SELECT count(*) FROM joy_each(joy_eval('[] 1000 [0 swap cons] times'))") == 1000


def test_joy_stack_keeps_nothing_when_a_rows_text_is_too_long(tmp_path):
    path = str(tmp_path / "s.db")
    conn = connect(path, isolation_level=None)
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, 1000)
    conn.execute("CREATE TABLE t(x)")
    program = '"INSERT INTO t VALUES (1)" [] exec pop DEFINE zz == 1. 1 setecho 2000 vzeros'
    with pytest.raises(sqlite3.OperationalError, match="longer than SQLite's length limit"):
        conn.execute("SELECT * FROM joy_stack(?)", (program,)).fetchall()
    assert conn.execute("SELECT count(*) FROM t").fetchone()[0] == 0
    assert conn.execute("SELECT joy_eval('echo')").fetchone()[0] == 0
    # a string is measured as its bytes, which the column gives
    assert conn.execute("SELECT value FROM joy_stack(?)", ("\"\" 1000 ['x swap cons] times",)).fetchone()[0] == "x" * 1000
