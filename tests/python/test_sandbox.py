"""Safety inside SQL: no files, environment, processes or stdin unless the
connection enables files with direct SQL; pure joy() has no effects at all;
DIRECTONLY functions cannot run from views, triggers or schema."""
import os
import sqlite3

import pytest

from conftest import connect, one


@pytest.mark.parametrize("program", [
    '"/etc/passwd" "r" fopen',
    '"HOME" getenv',
    '"true" system',
    '"x.joy" include',
    "argc",
    '"/tmp/joy_test_removed" fremove',
])
def test_files_and_system_forbidden_by_default(db, program):
    with pytest.raises(sqlite3.OperationalError, match=r"^joy: run time error: .*not allowed"):
        one(db, "SELECT joy_eval(?)", program)


@pytest.mark.parametrize("program", ["1 put", "\"x\" putchars", "time", "clock", "rand", "1 .\n2 ."])
def test_pure_joy_has_no_effects(db, program):
    if program.startswith("1 .\n"):
        assert one(db, "SELECT joy(?)", program) == 2  # `.` does not print in joy()
        return
    with pytest.raises(sqlite3.OperationalError, match=r"^joy: run time error: .*not allowed"):
        one(db, "SELECT joy(?)", program)


def test_eval_may_use_time_and_output(db):
    assert isinstance(one(db, "SELECT joy_eval('time')"), int)
    assert one(db, "SELECT joy_eval('1 put 2')") == 2


def test_enable_files(db, tmp_path):
    path = tmp_path / "hello.txt"
    path.write_text("hello\n")
    program = f'"{path}" "r" fopen fgets swap fclose'
    with pytest.raises(sqlite3.OperationalError, match="not allowed"):
        one(db, "SELECT joy_eval(?)", program)
    assert one(db, "SELECT joy_config('files', 1)") == 1
    assert one(db, "SELECT joy_eval(?)", program) == "hello\n"
    with pytest.raises(sqlite3.OperationalError, match="not allowed"):
        one(db, "SELECT joy(?)", program)  # never in the pure variant
    assert one(db, "SELECT joy_config('files', 0)") == 0
    with pytest.raises(sqlite3.OperationalError, match="not allowed"):
        one(db, "SELECT joy_eval(?)", program)


def test_joy_config_rejects_unknown_settings(db):
    with pytest.raises(sqlite3.OperationalError, match="^joy: "):
        one(db, "SELECT joy_config('network', 1)")


def test_quit_ends_the_program_not_the_host(db):
    with pytest.raises(sqlite3.OperationalError, match="^joy: .*quit"):
        one(db, "SELECT joy_eval('quit')")
    with pytest.raises(sqlite3.OperationalError, match="^joy: .*quit"):
        one(db, "SELECT joy('1 quit')")
    assert one(db, "SELECT joy_eval('1')") == 1


def test_stdin_not_read(db):
    with pytest.raises(sqlite3.OperationalError, match="^joy: "):
        one(db, "SELECT joy_eval('get')")


# ---- where each function may be used ----

def test_pure_joy_in_schema(db):
    db.execute("CREATE TABLE t(x INTEGER CHECK (joy('0 >=', x)),"
               " y AS (joy('dup *', x)), z DEFAULT (joy('6 7 *')))")
    db.execute("CREATE INDEX t_sq ON t(joy('dup *', x))")
    db.execute("CREATE VIEW v AS SELECT x, joy('1 +', x) AS x1 FROM t")
    db.execute("CREATE TABLE log(msg)")
    db.execute("CREATE TRIGGER t_ins AFTER INSERT ON t BEGIN"
               " INSERT INTO log VALUES (joy('\"added \" swap concat', 'row')); END")
    db.execute("INSERT INTO t(x) VALUES (3)")
    assert db.execute("SELECT x, y, z FROM t").fetchall() == [(3, 9, 42)]
    assert db.execute("SELECT x1 FROM v").fetchall() == [(4,)]
    assert one(db, "SELECT msg FROM log") == "added row"
    assert one(db, "SELECT x FROM t WHERE joy('dup *', x) = 9") == 3
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("INSERT INTO t(x) VALUES (-1)")


@pytest.mark.parametrize("function", ["joy_eval", "joy_json", "joy_run"])
def test_direct_only_functions_refused_in_views_and_triggers(db, function):
    db.execute(f"CREATE VIEW v AS SELECT {function}('1') AS r")
    with pytest.raises(sqlite3.OperationalError, match="unsafe use"):
        db.execute("SELECT * FROM v").fetchall()
    db.execute("CREATE TABLE t(x)")
    db.execute(f"CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT {function}('1'); END")
    with pytest.raises(sqlite3.OperationalError, match="unsafe use"):
        db.execute("INSERT INTO t VALUES (1)")


@pytest.mark.parametrize("schema", [
    "CREATE TABLE t(x, y AS (joy_eval('1')))",
    "CREATE TABLE t(x, y DEFAULT (joy_eval('1')))",
    "CREATE TABLE t(x); CREATE INDEX ti ON t(joy_eval('', x))",
])
def test_direct_only_refused_in_schema(tmp_path, schema):
    # SQLite refuses DIRECTONLY functions in schema it reads from a database
    # (a schema an attacker may have written), so reopen before using it.
    path = str(tmp_path / "s.db")
    conn = connect(path)
    try:
        conn.executescript(schema)
    except sqlite3.OperationalError as e:
        assert "non-deterministic" in str(e) or "unsafe use" in str(e)
        return
    finally:
        conn.close()
    conn = connect(path)
    with pytest.raises(sqlite3.OperationalError, match="unsafe use"):
        conn.execute("INSERT INTO t(x) VALUES (1)")
    conn.close()


def test_settings_refused_in_views(db):
    db.execute("CREATE VIEW v AS SELECT joy_limits(0, 0, 0), joy_config('files', 1)")
    with pytest.raises(sqlite3.OperationalError, match="unsafe use"):
        db.execute("SELECT * FROM v").fetchall()
    assert one(db, "SELECT joy_config('files')") == 0


def test_joy_stack_direct_only_and_joy_each_innocuous(db):
    db.execute("CREATE VIEW vs AS SELECT * FROM joy_stack('1 2')")
    db.execute("CREATE VIEW ve AS SELECT * FROM joy_each('[1 2]')")
    with pytest.raises(sqlite3.OperationalError, match="unsafe use"):
        db.execute("SELECT * FROM vs").fetchall()
    db.execute("PRAGMA trusted_schema = OFF")
    assert db.execute("SELECT value FROM ve").fetchall() == [(1,), (2,)]


def test_pure_joy_allowed_with_untrusted_schema(db):
    db.execute("PRAGMA trusted_schema = OFF")
    db.execute("CREATE VIEW v AS SELECT joy('[1 2] size') AS n")
    assert one(db, "SELECT n FROM v") == 2


def test_no_file_created_by_sql(db, tmp_path):
    target = tmp_path / "out.txt"
    with pytest.raises(sqlite3.OperationalError):
        one(db, "SELECT joy_eval(?)", f'"{target}" "w" fopen')
    assert not os.path.exists(target)


@pytest.mark.parametrize("check", [
    "joy_eval('1', x)",
    "JOY_EVAL /* a comment */ ('1')",
    '"joy_run"(\'1\')',
    "joy_define('pwned', '1')",
    "joy_config('files', 1)",
    "joy_limits(0, 0, 0)",
    "joy_gc()",
    "joy_create_function('f', 1, 'dup')",
])
def test_direct_only_refused_in_a_check_constraint(tmp_path, check):
    # SQLite 3.40 itself lets a CHECK read from a database file call a
    # DIRECTONLY function; the extension refuses instead.
    path = str(tmp_path / "hostile.db")
    conn = connect(path)
    conn.execute(f"CREATE TABLE t(x CHECK ({check} IS NOT NULL))")
    conn.commit()
    conn.close()
    conn = connect(path)
    with pytest.raises(sqlite3.OperationalError, match=r"unsafe use of .*\(\) in the schema of table main\.t"):
        conn.execute("INSERT INTO t(x) VALUES (1)")
    assert one(conn, "SELECT count(*) FROM sqlite_schema WHERE name GLOB 'joy_*'") == 0
    assert one(conn, "SELECT joy_config('files')") == 0
    conn.close()


def test_check_constraint_in_an_attached_database_refused(tmp_path, db):
    hostile = str(tmp_path / "hostile.db")
    conn = connect(hostile)
    conn.execute("CREATE TABLE t(x CHECK (joy_eval('1', x)))")
    conn.close()
    db.execute("ATTACH ? AS other", (hostile,))
    with pytest.raises(sqlite3.OperationalError, match=r"schema of table other\.t"):
        db.execute("INSERT INTO other.t VALUES (1)")


def test_joy_functions_still_write_beside_harmless_schemas(db):
    # a table, a column and a CHECK that only mention a function's name
    db.execute("CREATE TABLE joy_eval(joy_run TEXT, y CHECK (joy('1') = 1), z DEFAULT 'joy_eval(', "
               "w REFERENCES joy_run(x))")
    db.execute("CREATE TABLE IF NOT EXISTS main.joy_json(x)")
    db.execute("INSERT INTO joy_eval(joy_run, y) VALUES ('a', 1)")
    db.execute("UPDATE joy_eval SET joy_run = joy_eval('\"b\"')")
    assert one(db, "SELECT joy_run FROM joy_eval") == "b"


def test_a_check_added_later_is_refused_in_a_statement_run_before(tmp_path):
    # The schema is read once for a statement run many times, and again
    # when another connection changes it under that statement.
    path = str(tmp_path / "changing.db")
    conn = connect(path, isolation_level=None)
    conn.execute("CREATE TABLE t(x)")
    insert = "INSERT INTO t VALUES (joy_eval('dup *', ?))"
    conn.executemany(insert, [(k,) for k in range(100)])
    other = connect(path, isolation_level=None)
    other.executescript("DROP TABLE t; CREATE TABLE t(x CHECK (joy_eval('1', x)))")
    other.close()
    with pytest.raises(sqlite3.OperationalError, match=r"schema of table main\.t"):
        conn.execute(insert, (3,))
    assert one(conn, "SELECT count(*) FROM t") == 0


def make_effects_square(conn):
    conn.execute("SELECT joy_create_function('sqe', 1, 'dup *', 'effects')")


def test_an_effects_function_keeps_working_beside_a_harmless_schema(tmp_path):
    # Once no table names it, the function skips the schema check on later
    # rows; writing statements prepared meanwhile make it look again.
    conn = connect(str(tmp_path / "fine.db"), isolation_level=None)
    make_effects_square(conn)
    conn.execute("CREATE TABLE t(x)")
    conn.executemany("INSERT INTO t VALUES (sqe(?))", [(k,) for k in range(50)])
    assert one(conn, "SELECT sum(sqe(x)) FROM t") == sum((k * k) ** 2 for k in range(50))
    conn.execute("CREATE TABLE u(y CHECK (y >= 0))")
    conn.execute("INSERT INTO u SELECT sqe(x) FROM t")
    assert one(conn, "SELECT count(*) FROM u") == 50


def test_a_check_naming_an_effects_function_added_after_it_ran_is_refused(tmp_path):
    path = str(tmp_path / "changing.db")
    conn = connect(path, isolation_level=None)
    make_effects_square(conn)
    conn.execute("CREATE TABLE t(x)")
    insert = "INSERT INTO t VALUES (?)"
    conn.executemany(insert, [(k,) for k in range(10)])
    assert one(conn, "SELECT sum(sqe(x)) FROM t") == sum(k * k for k in range(10))  # no table names it
    other = connect(path, isolation_level=None)
    other.executescript("DROP TABLE t; CREATE TABLE t(x CHECK (sqe(x) IS NOT NULL));"
                        "CREATE TABLE h(x CHECK (sqe(x) IS NOT NULL))")
    other.close()
    for statement in (insert, "INSERT INTO h VALUES (?)"):  # the statement prepared before, and a new one
        with pytest.raises(sqlite3.OperationalError, match=r"unsafe use of sqe\(\) in the schema of table main\."):
            conn.execute(statement, (3,))
    assert one(conn, "SELECT count(*) FROM t") + one(conn, "SELECT count(*) FROM h") == 0


def test_an_attached_check_naming_an_effects_function_is_refused_after_it_ran(tmp_path):
    hostile = str(tmp_path / "hostile.db")
    conn = connect(hostile)
    make_effects_square(conn)
    conn.execute("CREATE TABLE t(x CHECK (sqe(x) IS NOT NULL))")
    conn.commit()
    conn.close()
    victim = connect(str(tmp_path / "victim.db"), isolation_level=None)
    make_effects_square(victim)
    assert one(victim, "SELECT sqe(7)") == 49
    victim.execute("ATTACH ? AS other", (hostile,))
    with pytest.raises(sqlite3.OperationalError, match=r"unsafe use of sqe\(\) in the schema of table other\.t"):
        victim.execute("INSERT INTO other.t VALUES (1)")
    assert one(victim, "SELECT count(*) FROM other.t") == 0


def test_a_check_in_a_table_row_typed_in_capitals_is_refused(tmp_path):
    # SQLite loads a table from a sqlite_schema row of type 'Table' as well.
    path = str(tmp_path / "crafted.db")
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t(x)")
    conn.execute("PRAGMA writable_schema=ON")
    conn.execute("UPDATE sqlite_schema SET type='Table', "
                 "sql='CREATE TABLE t(x CHECK (joy_config(''files'', 1)))' WHERE name='t'")
    conn.commit()
    conn.close()
    victim = connect(path)
    with pytest.raises(sqlite3.OperationalError, match=r"unsafe use of joy_config\(\) in the schema of table main\.t"):
        victim.execute("INSERT INTO t VALUES (1)")
    assert one(victim, "SELECT joy_config('files')") == 0


def test_a_failing_pure_call_leaves_the_session_of_an_earlier_call(db):
    db.execute("""SELECT joy_eval('"draft" session')""")
    with pytest.raises(sqlite3.OperationalError, match="divisor"):
        one(db, "SELECT joy('1 0 /')")
    assert one(db, "SELECT joy_eval('current-session')") == "draft"


def test_an_integrity_check_after_a_clean_verdict_is_guarded(tmp_path):
    path = str(tmp_path / "check.db")
    conn = connect(path, isolation_level=None)
    make_effects_square(conn)
    assert one(conn, "SELECT sqe(3)") == 9  # no table names sqe: the verdict is clean
    other = sqlite3.connect(path, isolation_level=None)  # no extension: a crafted writer
    other.execute("CREATE TABLE u(x)")
    other.execute("INSERT INTO u VALUES (2)")
    other.execute("PRAGMA writable_schema=ON")
    other.execute("UPDATE sqlite_schema SET sql='CREATE TABLE u(x CHECK (sqe(x) IS NOT NULL))' WHERE name='u'")
    other.close()
    with pytest.raises(sqlite3.OperationalError, match=r"unsafe use of sqe\(\)"):
        conn.execute("PRAGMA integrity_check").fetchall()


def test_an_integrity_check_is_guarded_under_the_hosts_own_authorizer(tmp_path):
    path = str(tmp_path / "crafted.db")
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t(x)")
    conn.execute("INSERT INTO t VALUES (1)")
    conn.execute("PRAGMA writable_schema=ON")
    conn.execute("""UPDATE sqlite_schema SET sql='CREATE TABLE t(x CHECK (joy_eval(''[1] "pwned" persist 1'')))'
                    WHERE name='t'""")
    conn.commit()
    conn.close()
    victim = connect(path)
    victim.set_authorizer(lambda *args: sqlite3.SQLITE_OK)  # the host's own
    with pytest.raises(sqlite3.OperationalError, match=r"unsafe use of joy_eval\(\)"):
        victim.execute("PRAGMA integrity_check").fetchall()
    assert one(victim, "SELECT count(*) FROM sqlite_schema WHERE name = 'joy_roots'") == 0
