"""Persistent collections through SQL: pdict and plist handles in joy_eval,
their tables read and written by SQL, joy_list / joy_dict, and the
updatable joy_list view."""
import os
import sqlite3
import subprocess

import pytest

from conftest import EXTENSION, connect, one


def joy(db, program, *args):
    marks = "".join(", ?" for _ in args)
    return one(db, f"SELECT joy_eval(?{marks})", program, *args)


# ---- pdict ----

def test_pdict_writes_through_to_a_table(db):
    assert joy(db, '"users" pdict-open "alice" {age: 30} dput "bob" {age: 25} dput dsize') == 2
    assert db.execute("SELECT key, value, format FROM users ORDER BY key").fetchall() == [
        ("alice", '{"age":30}', "json"), ("bob", '{"age":25}', "json")]
    assert one(db, "SELECT value->>'age' FROM users WHERE key = 'alice'") == 30
    assert joy(db, '"users" pdict-open "alice" dget') == "{age: 30}"


def test_dput_leaves_the_handle(db):
    assert joy(db, '"users" pdict-open "a" 1 dput') == "pdict"
    assert joy(db, '"users" pdict-open "a" 1 dput "b" 2 dput dkeys') == '["a" "b"]'


def test_sql_writes_are_read_by_joy(db):
    joy(db, '"users" pdict-open pdict-close')
    db.execute("""INSERT INTO users VALUES ('carol', json('{"age": 35}'))""")
    db.execute("INSERT INTO users VALUES ('dave', 'plain text')")
    db.execute("INSERT INTO users VALUES ('erin', 4.5)")
    assert joy(db, '"users" pdict-open "carol" dget') == "{age: 35}"
    assert joy(db, '"users" pdict-open "carol" dget "age" dget') == 35
    assert joy(db, '"users" pdict-open "dave" dget') == "plain text"
    assert joy(db, '"users" pdict-open "erin" dget') == 4.5
    assert db.execute("SELECT key, format FROM users ORDER BY key").fetchall() == [
        ("carol", "json"), ("dave", "text"), ("erin", "json")]


def test_dict_words_on_a_pdict(db):
    joy(db, 'DEFINE u == "u" pdict-open.')
    joy(db, 'u "x" 1 dput "y" [2 3] dput "z" "s" dput pop')
    assert joy(db, 'u "x" dhas') == 1
    assert joy(db, 'u "w" dhas') == 0
    assert joy(db, 'u "w" 7 dgetd') == 7
    assert joy(db, 'u "y" 7 dgetd') == "[2 3]"
    assert joy(db, 'u dkeys') == '["x" "y" "z"]'
    assert joy(db, 'u dvals') == '[1 [2 3] "s"]'
    assert joy(db, 'u dict>') == '[["x" 1] ["y" [2 3]] ["z" "s"]]'
    assert joy(db, 'u size') == 3
    assert joy(db, 'u "y" ddel dsize') == 2
    assert joy(db, 'u "nothing" ddel dsize') == 2
    assert joy(db, 'u {y: 9, q: 1} dmerge dkeys') == '["x" "z" "y" "q"]'
    assert joy(db, 'u "x" 5 dput "x" dget') == 5  # an update keeps the key's place
    assert joy(db, 'u dkeys') == '["x" "z" "y" "q"]'
    assert joy(db, '[age] first u swap 30 dput "age" dget') == 30  # a symbol key stands for its name
    with pytest.raises(sqlite3.OperationalError, match='key "nope" not found for dget'):
        joy(db, 'u "nope" dget')


EXACT = [
    "1", "-9223372036854775807 1 -", "1.0", "0.1", "1.0e300", "-0.0", "1.0e999", "1.0e999 neg",
    "'a", "'\\n", "' ", "true", "false", "nil", '"text"', '"quote \\" and \\\\ \\n \\001 \\255 é"',
    "{}", "{1 3 63}", "dempty", "[]", "[1 2.0 'c \"s\" {1 3} nil true]", "[dup *]", "[map + foo pdict-open]",
    "{a: 1, \"b c\": [2.5], d: {e: nil}}", "[1 dempty 'b]", "{a: dempty}",
    "dempty [] cons 'x swons", "[[[[[]]]]]", "[1.0e999]", "1.0e999 1.0e999 -", "[1.0e999 1.0e999 -]",
]


@pytest.mark.parametrize("expr", EXACT)
def test_every_value_round_trips_exactly(db, expr):
    """Written, read back, written again: the stored forms are identical
    (they tell 1 from 1.0, a char from a string, {} from an empty dict)."""
    joy(db, f'"vals" pdict-open "a" {expr} dput "b" over "a" dget dput pop')
    a, b = db.execute("SELECT value, typeof(value) FROM vals ORDER BY key").fetchall()
    assert a == b
    assert joy(db, f'"vals" pdict-open "a" dget {expr} equal') == 1 or "1.0e999 1.0e999 -" in expr  # nan != nan
    kind = joy(db, f'"vals" pdict-open "a" dget typeof')
    assert kind == joy(db, f"{expr} typeof")


def test_json_where_json_says_it(db):
    joy(db, '"v" pdict-open "n" 1 dput "f" 1.0 dput "s" "x" dput "l" [1 "a" [true nil]] dput '
            '"d" {a: 1} "a" dempty dput dput "c" \'c dput "set" {1} dput "e" dempty dput pop')
    rows = dict(db.execute("SELECT key, typeof(value) || ' ' || format FROM v").fetchall())
    assert rows == {"n": "integer json", "f": "real json", "s": "text json", "l": "text json",
                    "d": "text json", "c": "blob joy", "set": "blob joy", "e": "text json"}
    assert one(db, "SELECT value FROM v WHERE key = 'e'") == "{}"
    assert joy(db, '"v" pdict-open "e" dget dict') == 1
    assert one(db, "SELECT value FROM v WHERE key = 'd'") == '{"a":{}}'
    assert joy(db, '"v" pdict-open "d" dget "a" dget dict') == 1


def test_pdict_survives_calls_and_connections(tmp_path):
    path = str(tmp_path / "w.db")
    db = connect(path)
    joy(db, 'DEFINE users == "users" pdict-open.')
    joy(db, 'users "alice" {age: 30} dput pop')
    db.commit()
    db.close()
    db = connect(path)
    assert joy(db, 'users "alice" dget') == "{age: 30}"
    db.close()


def test_failed_call_writes_nothing(db):
    joy(db, '"u" pdict-open "a" 1 dput pop')
    with pytest.raises(sqlite3.OperationalError, match="divisor"):
        joy(db, '"u" pdict-open "a" 2 dput "b" 3 dput 1 0 /')
    assert db.execute("SELECT key, value FROM u").fetchall() == [("a", 1)]


def test_handle_errors(db):
    with pytest.raises(sqlite3.OperationalError, match="the pdict u is closed"):
        joy(db, '"u" pdict-open dup pdict-close "a" dget')
    db.execute("CREATE TABLE other(a, b)")
    with pytest.raises(sqlite3.OperationalError, match="other is not a table with columns key and value"):
        joy(db, '"other" pdict-open')
    with pytest.raises(sqlite3.OperationalError, match="dictionary as third parameter needed for dput"):
        joy(db, '"l" plist-open "a" 1 dput')
    with pytest.raises(sqlite3.OperationalError, match="plist as second parameter needed for pappend"):
        joy(db, '"u" pdict-open 1 pappend')
    with pytest.raises(sqlite3.OperationalError, match="file cannot be stored"):
        joy(db, '"u" pdict-open "a" stdin dput')
    with pytest.raises(sqlite3.OperationalError, match="not allowed here"):
        one(db, """SELECT joy('"u" pdict-open')""")
    assert joy(db, '"u" pdict-open "a" dhas') == 0  # nothing half-done


def test_an_existing_table_is_used_as_it_is(db):
    db.execute("CREATE TABLE kv(key TEXT PRIMARY KEY, value, extra DEFAULT 7)")
    db.execute("INSERT INTO kv(key, value) VALUES ('a', 1)")
    assert joy(db, '"kv" pdict-open "b" 2 dput dkeys') == '["a" "b"]'
    assert db.execute("SELECT extra FROM kv").fetchall() == [(7,), (7,)]
    db.execute('CREATE TABLE "odd ""name"""(key TEXT PRIMARY KEY, value) WITHOUT ROWID')
    assert joy(db, '"odd \\"name\\"" pdict-open "k" 1 dput "k" dget') == 1


# ---- plist ----

def test_plist_words(db):
    joy(db, 'DEFINE events == "events" plist-open.')
    joy(db, 'events {type: "login", user: "alice"} pappend {type: "click", user: "alice"} pappend '
            '{type: "login", user: "bob"} pappend pop')
    assert db.execute("SELECT idx, value->>'user' FROM events").fetchall() == [(0, "alice"), (1, "alice"), (2, "bob")]
    assert joy(db, 'events 2 ptake') == '[{type: "click", user: "alice"} {type: "login", user: "bob"}]'
    assert joy(db, 'events 10 ptake size') == 3
    assert joy(db, 'events 0 ptake') == "[]"
    assert joy(db, 'events ["type" dget "login" =] pfilter size') == 2
    assert joy(db, 'events 1 pnth "type" dget') == "click"
    assert joy(db, 'events size') == 3
    with pytest.raises(sqlite3.OperationalError, match="smaller index needed for pnth"):
        joy(db, 'events 3 pnth')
    with pytest.raises(sqlite3.OperationalError, match="non-negative integer needed for ptake"):
        joy(db, 'events -1 ptake')
    with pytest.raises(sqlite3.OperationalError, match="the plist events is closed"):
        joy(db, 'events dup plist-close size')


def test_pfilter_reads_in_batches_and_sees_the_stack(db):
    joy(db, '"nums" plist-open 0 1000 [dup [pappend] dip succ] times pop pop')
    assert one(db, "SELECT count(*) FROM nums") == 1000
    assert joy(db, '"nums" plist-open [3 rem 0 =] pfilter size') == 334
    assert joy(db, '500 "nums" plist-open [over >] pfilter size swap pop') == 499
    assert joy(db, '"nums" plist-open [pop false] pfilter') == "[]"
    with pytest.raises(sqlite3.OperationalError, match="quotation as top parameter needed for pfilter"):
        joy(db, '"nums" plist-open 1 pfilter')
    assert joy(db, '[1 2 3 4] [2 >] pfilter') == "[3 4]"  # lists as before


def test_pnth_with_gaps_counts_rows(db):
    joy(db, '"g" plist-open 10 pappend 11 pappend 12 pappend 13 pappend pop')
    db.execute("DELETE FROM g WHERE idx = 1")
    assert joy(db, '"g" plist-open 1 pnth') == 12
    assert joy(db, '"g" plist-open 2 pnth') == 13
    db.execute("INSERT INTO g(value) VALUES (14)")  # SQL appends after the last idx
    assert joy(db, '"g" plist-open 1 ptake') == "[14]"


# ---- joy_list / joy_dict ----

EMPLOYEES = ('[{name: "Alice", age: 30, dept: "Engineering"} {name: "Bob", age: 25, dept: "Sales"} '
             '{name: "Carol", age: 35, dept: "Engineering"}] "employees" persist')


def test_query_integration(db):
    joy(db, EMPLOYEES)
    assert joy(db, '"employees" recall ["dept" dget "Engineering" =] filter ["age" dget] map vsum') == 65
    assert one(db, "SELECT AVG(value->>'age') FROM joy_list('employees') "
                   "WHERE value->>'dept' = 'Engineering'") == 32.5
    assert joy(db, """"SELECT AVG(value->>'age') AS a FROM joy_list('employees') WHERE value->>'dept' = 'Engineering'" """
                   """[] query first "a" dget""") == 32.5


def test_joy_list_columns(db):
    joy(db, "[1 2.5 \"s\" 'c {1 2} [1 [2]] {a: 1} [dup] nil true] \"xs\" persist")
    rows = db.execute("SELECT idx, value, joy, type FROM joy_list('xs')").fetchall()
    assert rows == [
        (0, 1, "1", "integer"), (1, 2.5, "2.5", "float"), (2, "s", '"s"', "string"), (3, "c", "'c", "char"),
        (4, "{1 2}", "{1 2}", "set"), (5, "[1,[2]]", "[1 [2]]", "list"), (6, '{"a":1}', "{a: 1}", "dict"),
        (7, "[dup]", "[dup]", "list"), (8, None, "nil", "nil"), (9, 1, "true", "boolean")]
    assert one(db, "SELECT value->>'$[1][0]' FROM joy_list('xs') WHERE idx = 5") == 2  # JSON subtype
    assert one(db, "SELECT value->>'a' FROM joy_list('xs') WHERE idx = 6") == 1


def test_joy_list_is_lazy(db):
    joy(db, '1 1000 vrange "big" persist')
    # Break the list after its first cell: LIMIT 1 never reads that far.
    first = one(db, "SELECT n.ref_id FROM joy_roots r JOIN joy_nodes n ON n.id = r.node_id WHERE r.name = 'big'")
    db.execute("DELETE FROM joy_nodes WHERE id = ?", (first + 1,))
    assert db.execute("SELECT value FROM joy_list('big') LIMIT 1").fetchall() == [(1,)]
    with pytest.raises(sqlite3.OperationalError, match="is missing"):
        db.execute("SELECT count(*) FROM joy_list('big')").fetchall()


def test_joy_list_where_idx(db):
    joy(db, '1 100 vrange "r" persist "p" plist-open 10 pappend 20 pappend 30 pappend pop')
    assert db.execute("SELECT value FROM joy_list('r') WHERE idx = 41").fetchall() == [(42,)]
    assert db.execute("SELECT value FROM joy_list('r') WHERE idx = 400").fetchall() == []
    assert db.execute("SELECT value FROM joy_list('p') WHERE idx = 1").fetchall() == [(20,)]
    assert db.execute("SELECT idx, value FROM joy_list('p')").fetchall() == [(0, 10), (1, 20), (2, 30)]
    assert one(db, "SELECT sum(value) FROM joy_list('r')") == 5050


def test_joy_list_and_joy_dict_errors(db):
    joy(db, '{a: 1} "d" persist [1] "l" persist')
    with pytest.raises(sqlite3.OperationalError, match="no persisted list or plist named nope"):
        db.execute("SELECT * FROM joy_list('nope')").fetchall()
    with pytest.raises(sqlite3.OperationalError, match="d is not a list"):
        db.execute("SELECT * FROM joy_list('d')").fetchall()
    with pytest.raises(sqlite3.OperationalError, match="l is not a dict"):
        db.execute("SELECT * FROM joy_dict('l')").fetchall()
    with pytest.raises(sqlite3.OperationalError, match="read-only"):
        db.execute("INSERT INTO joy_list(name, value) VALUES ('l', 1)")
    assert db.execute("SELECT * FROM joy_list(NULL)").fetchall() == []


def test_joy_dict(db):
    joy(db, '"users" pdict-open "alice" {age: 30} dput "bob" \'x dput pop {a: 1, b: [2 3], c: {1 2}} "cfg" persist')
    assert db.execute("SELECT key, value, joy, type FROM joy_dict('users')").fetchall() == [
        ("alice", '{"age":30}', "{age: 30}", "dict"), ("bob", "x", "'x", "char")]
    assert db.execute("SELECT joy FROM joy_dict('users') WHERE key = 'bob'").fetchall() == [("'x",)]
    plan = " ".join(r[-1] for r in db.execute("EXPLAIN QUERY PLAN SELECT * FROM joy_dict('users') WHERE key = 'bob'"))
    assert "INDEX 3" in plan  # name and key both go to the table's index
    assert db.execute("SELECT key, joy FROM joy_dict('cfg')").fetchall() == [("a", "1"), ("b", "[2 3]"), ("c", "{1 2}")]
    assert db.execute("SELECT value FROM joy_dict('cfg') WHERE key = 'b'").fetchall() == [("[2,3]",)]
    assert db.execute("SELECT value FROM joy_dict('cfg') WHERE key = 'zz'").fetchall() == []
    assert one(db, "SELECT sum(value->>'age') FROM joy_dict('users') WHERE type = 'dict'") == 30


# ---- the joy_list view ----

def test_view_insert_select_delete(db):
    db.execute("CREATE VIRTUAL TABLE log USING joy_list(log)")
    assert db.execute("SELECT * FROM log").fetchall() == []
    db.execute("""INSERT INTO log(value) VALUES (json('{"level":"warn"}'))""")
    db.execute("INSERT INTO log(value) VALUES (42)")
    db.execute("INSERT INTO log(joy) VALUES ('[1 ''a {}]')")
    db.execute("INSERT INTO log(value) VALUES ('text')")
    assert joy(db, '"log" recall') == '[{level: "warn"} 42 [1 \'a {}] "text"]'
    assert db.execute("SELECT idx, joy FROM log").fetchall() == [
        (0, '{level: "warn"}'), (1, "42"), (2, "[1 'a {}]"), (3, '"text"')]
    db.execute("DELETE FROM log WHERE idx = 1")
    assert joy(db, '"log" recall') == '[{level: "warn"} [1 \'a {}] "text"]'
    db.execute("DELETE FROM log WHERE idx = 2")  # the last one
    db.execute("INSERT INTO log(value) VALUES (7)")
    db.execute("DELETE FROM log WHERE idx = 0")  # the first one
    assert joy(db, '"log" recall') == "[[1 'a {}] 7]"
    db.execute("DELETE FROM log")
    assert joy(db, '"log" recall') == "[]"
    db.execute("INSERT INTO log(value) VALUES (1)")
    assert joy(db, '"log" recall') == "[1]"
    with pytest.raises(sqlite3.OperationalError, match="not UPDATE"):
        db.execute("UPDATE log SET value = 2")
    with pytest.raises(sqlite3.OperationalError, match="idx cannot be given"):
        db.execute("INSERT INTO log(idx, value) VALUES (5, 1)")


def test_view_over_a_list_joy_persisted(db):
    joy(db, '[1 2 3] "xs" persist')
    db.execute("CREATE VIRTUAL TABLE xs_view USING joy_list('xs')")
    db.executemany("INSERT INTO xs_view(value) VALUES (?)", [(i,) for i in range(4, 1001)])
    assert joy(db, '"xs" recall size') == 1000
    assert joy(db, '"xs" recall 0 [+] fold') == 500500
    assert one(db, "SELECT count(*) FROM xs_view") == 1000
    joy(db, '"INSERT INTO xs_view(value) VALUES (?)" [1001] exec pop')  # from Joy, inside a call
    assert joy(db, '"xs" recall 1000 at') == 1001
    joy(db, '[9] "xs" persist')  # persisting again starts a new list
    db.execute("INSERT INTO xs_view(value) VALUES (10)")
    assert joy(db, '"xs" recall') == "[9 10]"
    joy(db, '"xs" forget gc')
    assert one(db, "SELECT count(*) FROM xs_view") == 0


def test_view_survives_reopening(tmp_path):
    path = str(tmp_path / "v.db")
    db = connect(path)
    db.execute("CREATE VIRTUAL TABLE log USING joy_list(log)")
    db.execute("INSERT INTO log(value) VALUES ('a')")
    db.commit()
    db.close()
    db = connect(path)
    db.execute("INSERT INTO log(value) VALUES ('b')")
    assert db.execute("SELECT value FROM log").fetchall() == [("a",), ("b",)]
    db.commit()
    db.close()
    plain = sqlite3.connect(path)  # without the extension the view can't be read
    with pytest.raises(sqlite3.OperationalError, match="no such module"):
        plain.execute("SELECT * FROM log").fetchall()
    plain.close()


def test_connection_closes_cleanly(tmp_path):
    """The sqlite3 shell closes with sqlite3_close(), which fails while any
    statement is left prepared."""
    path = str(tmp_path / "c.db")
    db = connect(path)
    joy(db, '[1 [2] "x"] "xs" persist "u" pdict-open "k" 1 dput pop')
    db.execute("CREATE VIRTUAL TABLE log USING joy_list(xs)")
    db.commit()
    db.close()
    sql = ("SELECT * FROM joy_list('xs'); SELECT * FROM joy_dict('u'); SELECT * FROM log; "
           "INSERT INTO log(value) VALUES (1); DELETE FROM log WHERE idx = 0; SELECT count(*) FROM log;")
    proc = subprocess.run(["sqlite3", path, f".load {EXTENSION}", sql], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert proc.stdout.splitlines()[-1] == "3"


@pytest.mark.parametrize("name", ["joy_nodes", "JOY_Definitions", "joy_mine", "sqlite_master", "sqlite_stat1"])
def test_the_extensions_and_sqlites_own_tables_are_not_collections(db, name):
    for word in ("pdict-open", "plist-open"):
        with pytest.raises(sqlite3.OperationalError, match=f"{name} is a name kept for .*{word} needs a table"):
            joy(db, f'"{name}" {word}')
    joy(db, '[1 2] "xs" persist')
    assert joy(db, '"xs" recall') == "[1 2]"


@pytest.mark.parametrize("text, message", [
    ("", "the joy column is empty"), ("   ", "the joy column is empty"), ("(* note *)", "the joy column is empty"),
    ("1.5e", "one value needed in the joy column, not several: 1.5e"),
    ("1 2", "one value needed in the joy column, not several: 1 2"),
    ("[1", "']' expected")])
def test_the_joy_column_says_what_is_wrong(db, text, message):
    db.execute("CREATE VIRTUAL TABLE log USING joy_list(log)")
    with pytest.raises(sqlite3.OperationalError, match=message.replace("[", r"\[").replace("(", r"\(")):
        db.execute("INSERT INTO log(joy) VALUES (?)", (text,))
    assert db.execute("SELECT count(*) FROM log").fetchone()[0] == 0
