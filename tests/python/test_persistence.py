"""Persistence through the extension: SQL from Joy, definitions and sessions,
the persistent heap, transactions, across connections and processes."""
import os
import sqlite3
import subprocess
import sys

import pytest

from conftest import BUILD, EXTENSION, connect, one

JOY_TABLES = {"joy_meta", "joy_definitions", "joy_roots", "joy_nodes", "joy_strings", "joy_sessions",
              "joy_snapshots"}


def ev(conn, program, *args):
    """joy_eval(program, args...)."""
    marks = "".join(", ?" for _ in args)
    return one(conn, f"SELECT joy_eval(?{marks})", program, *args)


def error_of(conn, program):
    with pytest.raises(sqlite3.OperationalError) as err:
        ev(conn, program)
    return str(err.value)


def tables(conn):
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")}


@pytest.fixture
def path(tmp_path):
    return str(tmp_path / "joy.db")


@pytest.fixture
def conn(path):
    c = connect(path, isolation_level=None)
    yield c
    c.close()


def python_process(path, program):
    """Runs `program` with joy_eval in a new Python process on `path`; its printed result."""
    script = (
        "import sqlite3, sys\n"
        "c = sqlite3.connect(sys.argv[1])\n"
        "c.enable_load_extension(True)\n"
        "c.load_extension(sys.argv[2])\n"
        "print(c.execute('SELECT joy_eval(?)', (sys.argv[3],)).fetchone()[0])\n")
    proc = subprocess.run([sys.executable, "-c", script, path, EXTENSION, program],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def cli(path, program):
    proc = subprocess.run([os.path.join(BUILD, "joy"), "--db", path], input=program,
                          capture_output=True, text=True, timeout=60)
    return proc.stdout, proc.stderr


# ---- schema ----

def test_schema_created_on_first_use_only(conn):
    assert ev(conn, "1 2 +") == 3
    assert ev(conn, "[1 2 3] [dup *] map roots") == "[]"
    assert ev(conn, "sessions") == '["main"]'
    assert ev(conn, "snapshots") == "[]"
    assert "no persisted value" in error_of(conn, '"x" recall')
    assert not tables(conn) & JOY_TABLES
    assert ev(conn, "DEFINE sq == dup *. 4 sq") == 16
    assert JOY_TABLES <= tables(conn)
    assert one(conn, "SELECT value FROM joy_meta WHERE key = 'schema_version'") == 1


def test_schema_created_inside_the_callers_transaction(conn):
    conn.execute("BEGIN")
    ev(conn, '["s"] "x" persist')
    assert JOY_TABLES <= tables(conn)
    conn.execute("ROLLBACK")
    assert not tables(conn) & JOY_TABLES
    # the store notices that the tables and strings it created are gone
    assert ev(conn, '["s"] "y" persist "y" recall') == '["s"]'
    assert ev(conn, "roots") == '["y"]'


def test_read_only_database_runs_pure_joy(path):
    with connect(path) as w:
        w.execute("CREATE TABLE t(a)")
        ev(w, "DEFINE stored == 40 2 +.")
    w.close()
    ro = connect(f"file:{path}?mode=ro", uri=True)
    assert ev(ro, "[1 2 3] [dup *] map") == "[1 4 9]"
    # a definition that cannot be stored is an error, not kept in memory only
    assert "read-only: the definition of sq cannot be stored" in error_of(ro, "DEFINE sq == dup *. 5 sq")
    assert "definition needed for sq" in error_of(ro, "6 sq")
    assert one(ro, "SELECT joy('DEFINE sq == dup *. 5 sq')") == 25  # a pure call's own definitions
    assert ev(ro, "stored") == 42  # read from the database
    assert ev(ro, "roots") == "[]"
    assert ev(ro, '"SELECT count(*) AS n FROM t" [] query') == "[{n: 0}]"
    assert "readonly" in error_of(ro, '[1] "x" persist')
    assert 'no persisted value named "x"' in error_of(ro, '"x" recall')
    assert ev(ro, "1 2 +") == 3
    ro.close()


def test_read_only_database_without_tables(path):
    sqlite3.connect(path).execute("CREATE TABLE t(a)").connection.close()
    ro = connect(f"file:{path}?mode=ro", uri=True)
    assert "read-only" in error_of(ro, "DEFINE sq == dup *. 7 sq")
    assert one(ro, "SELECT joy('DEFINE sq == dup *. 7 sq')") == 49
    assert ev(ro, "roots") == "[]"
    assert ev(ro, "sessions") == '["main"]'
    assert "definition needed for nosuch" in error_of(ro, "nosuch")
    ro.close()
    assert not tables(sqlite3.connect(path)) & JOY_TABLES


# ---- Level 1: SQL from Joy ----

def test_query_and_exec(conn):
    assert ev(conn, '"CREATE TABLE t(a, b)" [] exec') == 0
    assert ev(conn, '"INSERT INTO t VALUES (?, ?), (?, ?)" [1 "x" 2 "y"] exec') == 2
    assert ev(conn, '"SELECT a, b FROM t ORDER BY a" [] query') == '[{a: 1, b: "x"} {a: 2, b: "y"}]'
    assert ev(conn, '"SELECT b FROM t WHERE a = ?" [2] query first "b" dget') == "y"
    assert ev(conn, '"SELECT * FROM t WHERE a > 5" [] query') == "[]"
    assert ev(conn, '"UPDATE t SET b = ?" ["z"] exec') == 2
    assert ev(conn, '"DELETE FROM t WHERE a = 1" [] exec') == 1
    assert ev(conn, '"INSERT INTO t VALUES (7, 8) RETURNING a + b AS s" [] query') == "[{s: 15}]"
    assert one(conn, "SELECT count(*) FROM t") == 2


def test_parameters_bind_every_value_kind(conn):
    conn.execute("CREATE TABLE v(x)")
    program = ('[1 -2 2.5 "str" \'c true false nil {1 3} [1 [2 "a"]] {k: [1 2]} dup word] '
               '[["INSERT INTO v VALUES (?)"] dip [] cons exec pop] step')
    ev(conn, program)
    rows = conn.execute("SELECT x, typeof(x) FROM v ORDER BY rowid").fetchall()
    assert rows == [(1, "integer"), (-2, "integer"), (2.5, "real"), ("str", "text"), ("c", "text"),
                    (1, "integer"), (0, "integer"), (None, "null"), ("{1 3}", "text"),
                    ('[1,[2,"a"]]', "text"), ('{"k":[1,2]}', "text"), ("dup", "text"), ("word", "text")]
    # lists and dicts arrive as JSON, usable by SQLite's JSON functions
    assert ev(conn, '"SELECT json_extract(?, \'$.k[1]\') AS v" [{k: [1 2]}] query first "v" dget') == 2
    assert ev(conn, '"SELECT ? AS a, ? AS b" [nil 1.0] query') == "[{a: nil, b: 1.0}]"


def test_columns_come_back_as_joy_values(conn):
    row = ev(conn, "\"SELECT 1 AS i, 2.5 AS f, 't' AS s, NULL AS n, x'4142' AS b\" [] query first")
    assert row == '{i: 1, f: 2.5, s: "t", n: nil, b: "AB"}'


def test_handle_forms(conn):
    ev(conn, 'db "CREATE TABLE t(id INTEGER PRIMARY KEY, v)" [] db-exec')
    assert ev(conn, 'db "INSERT INTO t(v) VALUES (?)" ["a"] db-exec') == 1
    assert ev(conn, 'db "INSERT INTO t(v) VALUES (?)" ["b"] db-exec pop db db-last-id') == 2
    assert ev(conn, 'db "UPDATE t SET v = ?" ["c"] db-exec pop db db-changes') == 2
    assert ev(conn, 'db "SELECT v FROM t WHERE id = ?" [2] db-query') == '[{v: "c"}]'
    assert ev(conn, "db") == "db"
    assert "db handle" in error_of(conn, '1 "SELECT 1" [] db-query')
    assert "db handle" in error_of(conn, "1 db-begin")


def test_savepoints_nest(conn):
    ev(conn, '"CREATE TABLE t(a)" [] exec')
    program = ('db db-begin "INSERT INTO t VALUES (1)" [] exec pop '
               'db db-begin "INSERT INTO t VALUES (2)" [] exec pop db db-rollback '
               'db db-begin "INSERT INTO t VALUES (3)" [] exec pop db db-commit '
               'db db-commit "SELECT a FROM t ORDER BY a" [] query')
    assert ev(conn, program) == "[{a: 1} {a: 3}]"
    assert [r[0] for r in conn.execute("SELECT a FROM t ORDER BY a")] == [1, 3]


def test_savepoint_rollback_undoes_definitions_and_heap(conn):
    ev(conn, "DEFINE keep == 1.")
    program = 'db db-begin. DEFINE gone == 2. ["s"] "r" persist db db-rollback. [gone] first'
    assert ev(conn, program) == "gone"
    assert "definition needed for gone" in error_of(conn, "gone")
    assert conn.execute("SELECT name FROM joy_definitions").fetchall() == [("keep",)]
    # the interned string of the rolled-back persist is not reused
    assert ev(conn, '["s"] "k" persist "k" recall') == '["s"]'
    assert ev(conn, "roots") == '["k"]'


def test_savepoint_errors(conn):
    assert "db-begin needed before db-commit" in error_of(conn, "db db-commit")
    assert "db-begin needed before db-rollback" in error_of(conn, "db db-rollback")
    # a savepoint does not outlive its call
    ev(conn, "db db-begin")
    assert "db-begin needed before db-commit" in error_of(conn, "db db-commit")


def test_sql_errors_are_joy_errors(conn):
    assert "SQL error" in error_of(conn, '"SELEC 1" [] query')
    assert "no such table" in error_of(conn, '"SELECT * FROM nowhere" [] query')
    assert "too many parameters" in error_of(conn, '"SELECT ?" [1 2] query')
    assert "single SQL statement needed for exec" in error_of(conn, '"SELECT 1; SELECT 2" [] exec')
    assert "list of parameters" in error_of(conn, '"SELECT 1" 1 query')
    assert ev(conn, '"SELECT 1 AS one; -- comment" [] query') == "[{one: 1}]"
    assert error_of(conn, '"SELECT 1" [] query pop pop').startswith("joy: run time error")


def test_many_distinct_statements_in_one_call(conn):
    # the statement caches must never finalize a statement still in use
    for n in range(236, 264):
        program = (f'"SELECT 1" {n} [" " concat dup [] query pop] times pop '
                   f'["a" "b" {{k: "v"}}] "k{n}" persist "k{n}" recall')
        assert ev(conn, program) == '["a" "b" {k: "v"}]'


# ---- transactions ----

def test_error_rolls_back_the_whole_call(conn):
    conn.execute("CREATE TABLE t(a)")
    ev(conn, "DEFINE old == 1.")
    with pytest.raises(sqlite3.OperationalError):
        ev(conn, 'DEFINE new == 2; old == 3. "INSERT INTO t VALUES (1)" [] exec pop '
                 '["x"] "r" persist "draft" session 1 0 /')
    assert one(conn, "SELECT count(*) FROM t") == 0
    assert conn.execute("SELECT name, body FROM joy_definitions").fetchall() == [("old", "1")]
    assert ev(conn, "roots") == "[]"
    assert ev(conn, "old") == 1
    assert "definition needed for new" in error_of(conn, "new")
    assert ev(conn, "current-session") == "main"


def test_call_inside_user_transaction_rolled_back(conn):
    conn.execute("CREATE TABLE t(a)")
    conn.execute("BEGIN")
    assert ev(conn, 'DEFINE sq == dup *. "INSERT INTO t VALUES (1)" [] exec pop ["abc"] "r" persist 3 sq') == 9
    assert conn.in_transaction
    conn.execute("ROLLBACK")
    assert one(conn, "SELECT count(*) FROM t") == 0
    assert not tables(conn) & JOY_TABLES  # created by the call, gone with it
    assert "definition needed for sq" in error_of(conn, "3 sq")
    assert ev(conn, "roots") == "[]"
    # interned strings of the rolled-back call are not reused
    assert ev(conn, '["abc"] "r2" persist "r2" recall') == '["abc"]'


def test_call_inside_user_transaction_committed(conn, path):
    conn.execute("BEGIN")
    ev(conn, 'DEFINE sq == dup *. [1 2] "r" persist')
    other = connect(path)
    assert "definition needed" in error_of(other, "3 sq")  # not committed yet
    conn.execute("COMMIT")
    assert ev(other, "3 sq") == 9
    assert ev(other, '"r" recall') == "[1 2]"
    other.close()


def test_each_call_is_atomic_in_autocommit_mode(conn):
    ev(conn, '[1] "a" persist')
    with pytest.raises(sqlite3.OperationalError):
        ev(conn, '"a" forget [2] "b" persist pop')
    assert ev(conn, "roots") == '["a"]'
    assert not conn.in_transaction


def test_calls_inside_the_callers_update(conn, path):
    conn.execute("CREATE TABLE t(v)")
    conn.execute("CREATE TABLE log(v)")
    conn.executemany("INSERT INTO t VALUES (?)", [(i,) for i in range(5)])
    ev(conn, "DEFINE sq == dup *.")
    fresh = connect(path, isolation_level=None)  # definitions not loaded yet: read inside the UPDATE
    fresh.execute("UPDATE t SET v = joy_eval('sq', v)")
    assert [r[0] for r in fresh.execute("SELECT v FROM t")] == [0, 1, 4, 9, 16]
    # writes inside the caller's UPDATE belong to it
    fresh.execute("UPDATE t SET v = joy_eval('dup [] cons \"INSERT INTO log VALUES (?)\" swap exec pop "
                  "dup \"last\" persist 1 +', v)")
    assert one(fresh, "SELECT count(*) FROM log") == 5
    assert ev(fresh, '"last" recall') == 16
    # an error in one row fails the statement: nothing any row wrote is left
    with pytest.raises(sqlite3.OperationalError):
        fresh.execute("UPDATE t SET v = joy_eval('dup \"gone\" persist DEFINE gone == 1. "
                      "dup 10 = [\"boom\" 1 +] [] branch 1 +', v)")
    assert [r[0] for r in fresh.execute("SELECT v FROM t")] == [1, 2, 5, 10, 17]
    assert ev(fresh, "roots") == '["last"]'
    assert "definition needed for gone" in error_of(fresh, "gone")
    fresh.close()


def test_joy_define_inside_failing_transaction(conn):
    conn.execute("BEGIN")
    assert one(conn, "SELECT joy_define('cube', 'dup dup * *')") == "cube"
    assert ev(conn, "2 cube") == 8
    conn.execute("ROLLBACK")
    assert "definition needed for cube" in error_of(conn, "2 cube")


# ---- Level 3: definitions ----

def test_define_writes_through(conn):
    ev(conn, 'DEFINE sq == dup *; greet == "hi \\"you\\"" \'c {1 2} [a [b]].')
    rows = conn.execute("SELECT session, name, body FROM joy_definitions ORDER BY name").fetchall()
    assert rows == [("main", "greet", '"hi \\"you\\"" \'c {1 2} [a [b]]'), ("main", "sq", "dup *")]
    created, modified = conn.execute(
        "SELECT created_at, modified_at FROM joy_definitions WHERE name = 'sq'").fetchone()
    assert created > 1600000000 and modified >= created


def test_joy_define_and_undefine(conn, path):
    assert one(conn, "SELECT joy_define('cube', 'dup dup * *')") == "cube"
    assert ev(conn, "3 cube") == 27
    assert one(conn, "SELECT body FROM joy_definitions WHERE name = 'cube'") == "dup dup * *"
    other = connect(path)
    assert ev(other, "2 cube") == 8
    assert one(conn, "SELECT joy_undefine('cube')") == "cube"
    assert "definition needed for cube" in error_of(conn, "3 cube")
    assert "definition needed for cube" in error_of(other, "3 cube")
    with pytest.raises(sqlite3.OperationalError, match="word name"):
        one(conn, "SELECT joy_define('1 2', 'dup')")
    other.close()


def test_floats_in_definitions_are_exact(conn, path):
    ev(conn, "DEFINE pi == 3.141592653589793; tenth == 0.1; big == 1.0e300; one == 1.0; inf == 1.0e999.")
    other = connect(path)
    assert ev(other, "pi 3.141592653589793 =") == 1
    assert ev(other, "tenth 0.1 =") == 1
    assert ev(other, "big 1.0e300 =") == 1
    assert ev(other, "one float") == 1
    assert ev(other, "inf 1.0e999 =") == 1
    other.close()


def test_another_connection_sees_definitions_and_changes(conn, path):
    other = connect(path, isolation_level=None)
    ev(conn, "DEFINE v == 1.")
    assert ev(other, "v") == 1
    ev(conn, "DEFINE v == 2.")
    assert ev(other, "v") == 2  # PRAGMA data_version: the cache notices
    ev(other, "DEFINE v == 3.")
    assert ev(conn, "v") == 3
    ev(other, "DEFINE w == v 10 *.")
    assert ev(conn, "w") == 30
    one(other, "SELECT joy_undefine('v')")
    assert "definition needed for v" in error_of(conn, "v")
    other.close()


def test_plain_sql_changes_to_definitions_are_seen(conn):
    ev(conn, "DEFINE v == 1.")
    assert ev(conn, "v") == 1
    conn.execute("UPDATE joy_definitions SET body = '5' WHERE name = 'v'")
    assert ev(conn, "v") == 5
    conn.execute("DELETE FROM joy_definitions")
    assert "definition needed for v" in error_of(conn, "v")
    # and from Joy's own exec
    ev(conn, "DEFINE v == 1.")
    assert ev(conn, '"UPDATE joy_definitions SET body = \'6\' WHERE name = \'v\'" [] exec') == 1
    assert ev(conn, "v") == 6


def test_pure_call_leaves_definitions_tied_to_the_store(conn, path):
    ev(conn, "DEFINE t == 1.")
    assert one(conn, "SELECT joy('DEFINE t == 99. t')") == 99
    assert ev(conn, "t") == 1
    other = connect(path)
    ev(other, "DEFINE t == 4.")
    assert ev(conn, "t") == 4
    other.close()


def test_definitions_load_lazily(conn):
    ev(conn, "DEFINE good == 1.")
    # a broken body is only read when its word is used
    conn.execute("INSERT INTO joy_definitions(session, name, body, created_at, modified_at) "
                 "VALUES ('main', 'broken', '[1 2', 0, 0)")
    assert ev(conn, "good 1 +") == 2
    with pytest.raises(sqlite3.OperationalError):
        ev(conn, "broken")


def test_restarted_process_sees_definitions_and_roots(conn, path):
    ev(conn, 'DEFINE cube == dup dup * *. [1 [2] "three"] "r" persist')
    assert python_process(path, '3 cube "r" recall cons') == '[27 1 [2] "three"]'
    out, err = cli(path, '2 cube . "r" recall .\n')
    assert (out, err) == ('8\n[1 [2] "three"]\n', "")
    cli(path, "DEFINE from-cli == 41 1 +. [9] \"c\" persist.\n")
    assert ev(conn, 'from-cli "c" recall first +') == 51


def test_recursive_and_mutual_definitions_reload(conn, path):
    ev(conn, "DEFINE even == [0 =] [pop true] [pred odd] ifte; odd == [0 =] [pop false] [pred even] ifte.")
    assert python_process(path, "10 even 7 odd and") == "1"


# ---- sessions ----

def test_sessions(conn):
    ev(conn, "DEFINE sq == dup *; keep == 1.")
    assert ev(conn, "current-session") == "main"
    ev(conn, '"draft" session')
    assert ev(conn, "current-session") == "draft"
    assert "definition needed for sq" in error_of(conn, "3 sq")  # a namespace of its own
    ev(conn, "DEFINE sq == dup dup * *; new == 0.")
    assert ev(conn, "2 sq") == 8
    assert ev(conn, "sessions") == '["draft" "main"]'
    assert conn.execute("SELECT session, name FROM joy_definitions ORDER BY 1, 2").fetchall() == [
        ("draft", "new"), ("draft", "sq"), ("main", "keep"), ("main", "sq")]
    # seen from draft: main has keep (added), a different sq (modified), no new (removed)
    assert ev(conn, '"main" session-diff') == '{added: ["keep"], modified: ["sq"], removed: ["new"]}'
    ev(conn, '"main" session')
    assert ev(conn, "2 sq") == 4
    assert ev(conn, '"draft" session-diff') == '{added: ["new"], modified: ["sq"], removed: ["keep"]}'


def test_session_is_per_connection(conn, path):
    ev(conn, '"draft" session DEFINE only-draft == 1.')
    other = connect(path)
    assert ev(other, "current-session") == "main"
    assert "definition needed" in error_of(other, "only-draft")
    assert ev(other, '"draft" session only-draft') == 1
    other.close()


def test_snapshot_and_restore(conn):
    ev(conn, "DEFINE a == 1; b == 2.")
    ev(conn, '"v1" snapshot')
    ev(conn, "DEFINE a == 10; c == 3.")
    ev(conn, 'DEFINE b == 20.')
    assert ev(conn, "a b +") == 30
    ev(conn, '"v2" snapshot')
    assert ev(conn, "snapshots") == '["v1" "v2"]'
    ev(conn, '"v1" restore')
    assert ev(conn, "a b +") == 3
    assert "definition needed for c" in error_of(conn, "c")
    ev(conn, '"v2" restore')
    assert ev(conn, "a b + c +") == 33
    assert 'no snapshot named "v9"' in error_of(conn, '"v9" restore')
    # snapshots belong to their session; an empty session's snapshot restores to nothing
    ev(conn, '"other" session "empty" snapshot DEFINE z == 1.')
    assert ev(conn, "snapshots") == '["empty"]'
    ev(conn, '"empty" restore')
    assert "definition needed for z" in error_of(conn, "z")


def test_session_merge(conn):
    ev(conn, '"feature" session DEFINE f1 == 1; f2 == 2; shared == 0.')
    ev(conn, '"main" session DEFINE shared == 0; m == 5.')
    ev(conn, '"feature" session-merge')
    assert ev(conn, "f1 f2 + m +") == 8
    assert ev(conn, '"feature" session-diff') == '{added: [], modified: [], removed: ["m"]}'


def test_session_merge_conflict_copies_nothing(conn):
    ev(conn, '"feature" session DEFINE a == 1; b == 2; c == 3; new == 4.')
    ev(conn, '"main" session DEFINE a == 10; b == 2; c == 30.')
    message = error_of(conn, '"feature" session-merge')
    assert "a" in message.split("conflicts on:")[1].split()
    assert "c" in message.split("conflicts on:")[1].split()
    assert "b" not in message.split("conflicts on:")[1].split()
    assert "definition needed for new" in error_of(conn, "new")
    assert ev(conn, "a") == 10
    assert one(conn, "SELECT count(*) FROM joy_definitions WHERE session = 'main'") == 3


def test_session_take_and_keep(conn):
    ev(conn, '"feature" session DEFINE a == 1; b == 2.')
    ev(conn, '"main" session DEFINE a == 10; xx == 7; y == 8.')
    ev(conn, '"feature" "a" session-take')
    assert ev(conn, "a") == 1
    assert "session feature has no definition of nosuch" in error_of(conn, '"feature" "nosuch" session-take')
    assert "definition needed for b" in error_of(conn, "b")
    ev(conn, '["a" y] session-keep')
    assert [r[0] for r in conn.execute(
        "SELECT name FROM joy_definitions WHERE session = 'main' ORDER BY 1")] == ["a", "y"]
    assert "definition needed for xx" in error_of(conn, "xx")
    ev(conn, '["odd \\001 name"] session-keep')
    assert one(conn, "SELECT count(*) FROM joy_definitions WHERE session = 'main'") == 0
    assert "list of words" in error_of(conn, "[1] session-keep")


def test_session_close_and_delete(conn):
    ev(conn, '"scratch" session DEFINE tmp == 1.')
    ev(conn, "session-close")
    assert ev(conn, "current-session") == "main"
    ev(conn, "world-close")
    assert ev(conn, "current-session") == "main"
    assert ev(conn, "sessions") == '["main" "scratch"]'
    ev(conn, '"scratch" session-delete')
    assert ev(conn, "sessions") == '["main"]'
    assert one(conn, "SELECT count(*) FROM joy_definitions") == 0


# ---- Level 4: the heap ----

VALUES = ['1', '-7', '3.141592653589793', '1.0', "'a", '"str \\"q\\""', 'true', 'false', '{1 5 63}', '[]',
          '{}', 'nil', '[1 [2 [3]] "x" 4.5 {a: [1 2] b: {c: "d"}} dup +]', '{"k y": [{}]}', '[[] [[]]]',
          '[dup swap] first', '[undefined-word] first', '"" ', "[\"\" '\\000]"]


@pytest.mark.parametrize("value", VALUES)
def test_persist_and_recall_round_trip(conn, value):
    assert ev(conn, f'{value} "r" persist "r" recall {value} equal') == 1
    assert ev(conn, f'"r" recall {value} equal') == 1


def test_recall_in_another_connection_and_process(conn, path):
    ev(conn, '{name: "joy", tags: ["a" "b"], n: 1.5} "cfg" persist')
    other = connect(path)
    assert ev(other, '"cfg" recall "tags" dget') == '["a" "b"]'
    assert python_process(path, '"cfg" recall "n" dget') == "1.5"
    other.close()


def test_roots_forget_and_overwrite(conn):
    ev(conn, '1 "b" persist 2 "a" persist 3 "c" persist')
    assert ev(conn, "roots") == '["a" "b" "c"]'
    ev(conn, '"b" forget "nosuch" forget')
    assert ev(conn, "roots") == '["a" "c"]'
    ev(conn, '[9] "a" persist')
    assert ev(conn, '"a" recall') == "[9]"
    assert conn.execute("SELECT name FROM joy_roots ORDER BY 1").fetchall() == [("a",), ("c",)]
    assert 'no persisted value named "b"' in error_of(conn, '"b" recall')
    assert "cannot be persisted" in error_of(conn, 'stdin "f" persist')


def test_gc_frees_unreachable_rows(conn):
    ev(conn, '[1 2 3] "a" persist ["x" "y"] "b" persist')
    assert one(conn, "SELECT joy_gc()") == 0
    before = one(conn, "SELECT count(*) FROM joy_nodes")
    ev(conn, '"a" forget')
    assert one(conn, "SELECT joy_gc()") == 4  # the root row and three cells
    assert one(conn, "SELECT count(*) FROM joy_nodes") == before - 4
    assert ev(conn, '"b" recall') == '["x" "y"]'
    ev(conn, '[5 6] "b" persist')  # overwriting leaves the old rows unreachable
    ev(conn, "gc")
    assert one(conn, "SELECT count(*) FROM joy_nodes") == 3
    assert one(conn, "SELECT count(*) FROM joy_strings") == 0
    assert ev(conn, '"b" recall') == "[5 6]"


def test_recall_is_lazy(conn):
    ev(conn, '1 100000 vrange "big" persist')
    assert one(conn, "SELECT count(*) FROM joy_nodes") == 100001
    # keep only the root and the first five cells: a lazy recall never reads the rest
    first = one(conn, "SELECT min(id) FROM joy_nodes WHERE kind = 1")
    conn.execute("DELETE FROM joy_nodes WHERE kind = 1 AND id >= ?", (first + 5,))
    assert ev(conn, '"big" recall first') == 1
    assert ev(conn, '"big" recall 5 take') == "[1 2 3 4 5]"
    assert "persisted node" in error_of(conn, '"big" recall size')


def test_gc_keeps_what_the_program_still_holds(conn):
    ev(conn, '1 1000 vrange "big" persist [7 8] "small" persist')
    assert ev(conn, '"big" recall rest "big" forget gc "small" forget gc 0 [+] fold') == sum(range(2, 1001))
    assert one(conn, "SELECT joy_gc()") == 999  # once the call has ended, nothing holds them
    assert one(conn, "SELECT count(*) FROM joy_nodes") == 0


def test_recalled_list_shares_rows_when_persisted_again(conn):
    ev(conn, '1 1000 vrange "big" persist')
    nodes = one(conn, "SELECT count(*) FROM joy_nodes")
    ev(conn, '"big" recall rest rest "tail" persist')
    assert one(conn, "SELECT count(*) FROM joy_nodes") <= nodes + 3
    ev(conn, '"big" forget')
    assert one(conn, "SELECT joy_gc()") >= 3
    assert ev(conn, '"tail" recall dup first swap size') == 998
    assert ev(conn, '"tail" recall 0 [+] fold') == sum(range(3, 1001))


def test_shared_structure_round_trips(conn):
    program = ('[2 3] dup 1 swons swap 0 swons [] cons cons dup "s" persist "s" recall equal')
    assert ev(conn, program) == 1
    assert ev(conn, '[1 2] dup {z: 0} "a" rolldown dput "b" rolldown dput dup "d" persist "d" recall equal') == 1


def test_persist_definition_syntax(conn, path):
    ev(conn, "PERSIST myfunc == [dup *]; twice == dup +.")
    assert conn.execute("SELECT name, body FROM joy_definitions ORDER BY 1").fetchall() == [
        ("myfunc", "[dup *]"), ("twice", "dup +")]
    assert python_process(path, "[1 2 3] myfunc map 5 twice swons") == "[10 1 4 9]"


# ---- worlds in the extension ----

def test_world_words_in_the_extension(conn):
    assert "not possible here" in error_of(conn, '"other.db" world-open')
    assert "not possible here" in error_of(conn, '"other.db" persist-open')
    assert "not possible here" in error_of(conn, '"other.db" session-open')
    assert "file name" in error_of(conn, "42 world-open")
    assert ev(conn, '1 [2] "three" world-save "world-stack" recall') == '["three" [2] 1]'
    assert ev(conn, "world-checkpoint session-save 7") == 7
    assert ev(conn, "world-path").endswith("joy.db")


def test_persistence_words_need_the_store_capability(db):
    with pytest.raises(sqlite3.OperationalError, match="joy:"):
        one(db, "SELECT joy('[1] \"x\" persist')")
    with pytest.raises(sqlite3.OperationalError, match="joy:"):
        one(db, "SELECT joy('\"SELECT 1\" [] query')")


def test_two_processes_write_one_file(conn, path):
    ev(conn, '"CREATE TABLE t(a)" [] exec')
    procs = [subprocess.Popen([sys.executable, "-c", (
        "import sqlite3, sys\n"
        "c = sqlite3.connect(sys.argv[1], timeout=30, isolation_level=None)\n"
        "c.enable_load_extension(True)\n"
        "c.load_extension(sys.argv[2])\n"
        "for i in range(50):\n"
        "    c.execute('SELECT joy_eval(?)', ('\"INSERT INTO t VALUES (?)\" [%d] exec pop [%d] \"r%s%d\" persist'"
        " % (i, i, sys.argv[3], i),))\n"), path, EXTENSION, tag]) for tag in "ab"]
    for p in procs:
        assert p.wait(timeout=60) == 0
    assert one(conn, "SELECT count(*) FROM t") == 100
    assert ev(conn, "roots size") == 100
    assert ev(conn, '"rb49" recall') == "[49]"
    assert one(conn, "PRAGMA integrity_check") == "ok"


# ---- private words of HIDE and MODULE blocks ----

def test_public_words_of_a_block_work_after_a_restart(path):
    out, err = cli(path, "HIDE helper == 1 IN pub == helper 2 + END.\n"
                         "MODULE m PRIVATE p == 10; PUBLIC q == p 1 + END.\n"
                         "pub . m.q .\n")
    assert (out, err) == ("3\n11\n", "")
    out, err = cli(path, "pub . m.q .\n")
    assert (out, err) == ("3\n11\n", "")
    assert python_process(path, "pub m.q +") == "14"


def test_private_words_are_stored_under_their_block(path):
    c = connect(path)
    ev(c, "HIDE helper == 1 IN pub == helper 2 + ; pub2 == helper END.")
    c.commit()
    rows = dict(c.execute("SELECT name, body FROM joy_definitions"))
    assert rows == {"pub~helper": "1", "pub": "pub~helper 2 +", "pub2": "pub~helper"}
    # the private name itself stays private
    assert "definition needed for helper" in error_of(c, "helper")
    c.close()


def test_nested_blocks_and_recursive_private_words_survive_a_restart(path):
    program = ("HIDE\n  count == [null] [pop 0] [rest count 1 +] ifte\n"
               "IN\n  MODULE stats PRIVATE twice == 2 *; PUBLIC size2 == count twice END\nEND.\n"
               "[1 2 3] stats.size2 .\n")
    assert cli(path, program) == ("6\n", "")
    assert cli(path, "[1 2 3 4] stats.size2 .\n") == ("8\n", "")


def test_a_persisted_quotation_keeps_its_private_words(path):
    assert cli(path, 'HIDE h == 41 IN pub == [h 1 +] END. pub "q" persist. "q" recall i .\n') == ("42\n", "")
    assert cli(path, '"q" recall i .\n') == ("42\n", "")


def test_redefining_a_block_replaces_its_private_words(path):
    cli(path, "HIDE helper == 1 IN pub == helper END.\n")
    cli(path, "HIDE helper == 5 IN pub == helper END.\n")
    assert cli(path, "pub .\n") == ("5\n", "")


def test_private_words_survive_a_failed_statement(path):
    """After a failed statement the CLI reads its public definitions back
    from the store: their private words come back with them."""
    program = "HIDE h == 10 + IN g == h END.  5 g .  [] first.  5 g .\n"
    out, err = cli(path, program)
    assert out == "15\n15\n"
    assert "non-empty list needed for first" in err and "definition needed" not in err


def test_a_definition_the_store_refuses_is_not_made(path):
    c = connect(path)
    c.execute("SELECT joy_define('seed', '1')")
    c.execute("CREATE TRIGGER refuse BEFORE INSERT ON joy_definitions BEGIN SELECT RAISE(ABORT, 'refused'); END")
    c.commit()
    c.close()
    out, err = cli(path, "1 setundeferror DEFINE d == 4.\nd .\n")
    assert out == ""
    assert "refused" in err and "definition needed for d" in err


def test_a_node_id_counter_behind_the_nodes_is_caught_up(path):
    conn = connect(path)
    ev(conn, '[1 2 3] "a" persist')
    conn.commit()
    conn.execute("UPDATE joy_meta SET value = 1 WHERE key = 'next_node_id'")  # as a crafted file may
    conn.commit()
    ev(conn, '[4 5] "b" persist')
    assert ev(conn, '"a" recall "b" recall concat') == "[1 2 3 4 5]"
    conn.close()


def test_a_list_stored_inside_itself_is_caught_at_once_in_a_big_file(path):
    conn = connect(path)
    ev(conn, '1 "seed" persist')
    conn.commit()
    # 100,000 rows, so "deeper than there are rows" would take long
    conn.executemany("INSERT INTO joy_nodes(id, kind, type, ival) VALUES (?, 1, 6, 1)",
                     [(1000 + k,) for k in range(100_000)])
    conn.execute("INSERT INTO joy_nodes(id, kind, type, ref_id) VALUES (900000, 0, 9, 900001)")
    conn.execute("INSERT INTO joy_nodes(id, kind, type, ref_id) VALUES (900001, 1, 9, 900002)")
    conn.execute("INSERT INTO joy_nodes(id, kind, type, ref_id) VALUES (900002, 1, 9, 900001)")  # [[[...]]] by two
    conn.execute("INSERT INTO joy_roots VALUES ('loop', 900000, 0, 0)")
    conn.commit()
    for sql in ["SELECT joy_eval('\"loop\" recall')", "SELECT joy FROM joy_list('loop')"]:
        with pytest.raises(sqlite3.OperationalError, match="is nested in itself"):
            conn.execute(sql).fetchall()
    conn.close()


def test_node_ids_used_up_is_an_error(path):
    conn = connect(path)
    ev(conn, '1 "seed" persist')
    conn.commit()
    conn.execute("INSERT INTO joy_nodes(id, kind, type, ival) VALUES (9223372036854775807, 0, 6, 1)")
    conn.commit()
    with pytest.raises(sqlite3.OperationalError, match="node ids of this database are used up"):
        ev(conn, '[1 2] "more" persist')
    assert ev(conn, '"seed" recall') == 1
    conn.close()
