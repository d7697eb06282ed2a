"""The sealed call: SQL run by Joy cannot escape its call, pure means pure.

Hostile cases are database files an attacker builds (with the extension, as
anyone can) and a victim then opens and uses as the README says.
"""
import os
import shutil
import sqlite3
import subprocess
import time

import pytest

from conftest import BUILD, EXTENSION, connect, one

SQLITE3 = "/usr/bin/sqlite3"


def error_of(conn, sql, *params):
    with pytest.raises(sqlite3.OperationalError) as e:
        conn.execute(sql, params).fetchall()
    return str(e.value)


def ev(conn, program, *args):
    marks = ", ".join("?" for _ in args)
    return one(conn, f"SELECT joy_eval(?{', ' if args else ''}{marks})", program, *args)


# ---- SQL from Joy cannot change the sandbox or the limits ----

def test_joy_config_refused_inside_joy(db):
    msg = error_of(db, "SELECT joy_eval(?)", '''"SELECT joy_config('files', 1)" [] query''')
    assert "joy_config() is not allowed in SQL run by Joy" in msg
    assert one(db, "SELECT joy_config('files')") == 0
    assert "not allowed here" in error_of(db, "SELECT joy_eval('\"id\" system')")


def test_joy_config_refused_inside_joy_even_with_files_enabled(db):
    db.execute("SELECT joy_config('files', 1)")
    msg = error_of(db, "SELECT joy_eval(?)", '''"SELECT joy_config('files', 0)" [] query''')
    assert "joy_config() cannot be called from SQL that a Joy program runs" in msg
    msg = error_of(db, "SELECT joy_eval(?)", '''"SELECT joy_limits(0, 0, 0)" [] query''')
    assert "joy_limits() cannot be called from SQL that a Joy program runs" in msg


def test_joy_limits_refused_inside_joy(db):
    before = one(db, "SELECT joy_limits()")
    assert "joy_limits() is not allowed" in error_of(db, "SELECT joy_eval(?)", '"SELECT joy_limits(0, 0, 0)" [] query')
    assert one(db, "SELECT joy_limits()") == before


def test_direct_only_functions_refused(db):
    db.enable_load_extension(True)
    msg = error_of(db, "SELECT joy_eval(?)", '''"SELECT load_extension('/nonexistent')" [] query''')
    assert "load_extension() is not allowed in SQL run by Joy" in msg


def test_ordinary_functions_and_reading_pragmas_allowed(db):
    got = ev(db, '"SELECT abs(-2) AS a, json_array(1) AS j, count(*) AS c, '
                 'row_number() OVER () AS r" [] query')
    assert got == '[{a: 2, j: "[1]", c: 1, r: 1}]'
    assert ev(db, '"PRAGMA user_version" [] query') == "[{user_version: 0}]"
    assert ev(db, '''"SELECT name FROM pragma_table_info('joy_meta')" [] query size''') == 0


def test_host_udfs_without_flags_still_callable(db):
    db.create_function("double_it", 1, lambda x: 2 * x)
    assert ev(db, '"SELECT double_it(21) AS d" [] query') == "[{d: 42}]"


@pytest.mark.parametrize("sql", [
    "PRAGMA journal_mode = WAL",
    "PRAGMA user_version = 7",
    "PRAGMA foreign_keys = OFF",
    "PRAGMA writable_schema = 1",
])
def test_writing_pragmas_refused(db, sql):
    msg = error_of(db, "SELECT joy_eval(?)", f'"{sql}" [] exec')
    assert "is not allowed in SQL run by Joy" in msg
    assert one(db, "PRAGMA user_version") == 0


def test_attach_and_vacuum_into_create_no_file(db, tmp_path):
    target = tmp_path / "elsewhere.db"
    msg = error_of(db, "SELECT joy_eval(?)", f'''"ATTACH '{target}' AS p" [] exec''')
    assert "ATTACH, DETACH and VACUUM are not allowed" in msg
    error_of(db, "SELECT joy_eval(?)", f'''"VACUUM INTO '{target}'" [] exec''')
    assert not target.exists()


def test_vacuum_into_refused_on_a_file(tmp_path):
    conn = connect(str(tmp_path / "main.db"), isolation_level=None)
    target = tmp_path / "copy.db"
    msg = error_of(conn, "SELECT joy_eval(?)", f'''"VACUUM INTO '{target}'" [] exec''')
    assert "VACUUM" in msg
    assert not target.exists()
    conn.close()


# ---- transaction control beyond the call ----

@pytest.mark.parametrize("escape", ["COMMIT", "END", "RELEASE joy_call", "ROLLBACK",
                                    "SAVEPOINT mine", "BEGIN"])
def test_failing_call_keeps_no_write(tmp_path, escape):
    conn = connect(str(tmp_path / "t.db"), isolation_level=None)
    conn.execute("CREATE TABLE t(x)")
    msg = error_of(conn, "SELECT joy_eval(?)", f'"INSERT INTO t VALUES (1)" [] exec "{escape}" [] exec 1 0 /')
    assert "is not allowed in SQL run by Joy" in msg
    assert one(conn, "SELECT count(*) FROM t") == 0
    assert conn.in_transaction is False
    conn.close()


def test_db_begin_commit_still_nest(db):
    db.execute("CREATE TABLE t(x)")
    ev(db, 'db db-begin "INSERT INTO t VALUES (1)" [] exec pop db db-commit')
    assert one(db, "SELECT count(*) FROM t") == 1


def test_replaced_authorizer_refuses_sql_from_joy(db):
    db.set_authorizer(lambda *args: sqlite3.SQLITE_OK)
    assert "replaced the extension's authorizer" in error_of(db, "SELECT joy_eval(?)", '"SELECT 1" [] query')
    db.set_authorizer(None)
    assert "replaced the extension's authorizer" in error_of(db, "SELECT joy_eval(?)", '"SELECT 1" [] query')
    assert ev(db, "1 2 +") == 3  # Joy without SQL runs on


# ---- a hostile database file ----

def build_hostile(path):
    """An attacker's file: an effects function and a stored word that try to
    switch files on, run a command and commit behind the caller's back."""
    conn = connect(path)
    conn.execute("CREATE TABLE log(x)")
    pwned = os.path.join(os.path.dirname(path), "pwned")
    conn.execute("SELECT joy_create_function('report', 1, ?, 'effects')",
                 ('''"SELECT joy_config('files', 1)" [] query pop '''
                  f'''"touch {pwned}" system''',))
    conn.execute("SELECT joy_define('helper', ?)",
                 ('''"INSERT INTO log VALUES ('kept')" [] exec pop "COMMIT" [] exec pop''',))
    conn.commit()
    conn.close()


def test_hostile_function_cannot_enable_files(tmp_path):
    path = str(tmp_path / "hostile.db")
    build_hostile(path)
    victim = connect(path)
    for _ in range(2):  # "row 1 enables, row 2 runs the command"
        assert "not allowed in SQL run by Joy" in error_of(victim, "SELECT report(1)")
    assert one(victim, "SELECT joy_config('files')") == 0
    assert "not allowed here" in error_of(victim, "SELECT joy_eval('\"true\" system')")
    victim.close()
    assert not (tmp_path / "pwned").exists()


def test_hostile_word_cannot_commit(tmp_path):
    path = str(tmp_path / "hostile.db")
    build_hostile(path)
    victim = connect(path, isolation_level=None)
    assert "COMMIT is not allowed" in error_of(victim, "SELECT joy_eval('helper')")
    assert one(victim, "SELECT count(*) FROM log") == 0
    victim.close()


def test_hostile_function_in_the_sqlite3_shell_cannot_write_files(tmp_path):
    path = str(tmp_path / "hostile.db")
    target = tmp_path / "written.txt"
    conn = connect(path)
    conn.execute("SELECT joy_create_function('report', 0, ?, 'effects')",
                 (f'''"SELECT writefile('{target}', 'owned')" [] query''',))
    conn.commit()
    conn.close()
    proc = subprocess.run([SQLITE3, path, "-cmd", f".load {EXTENSION}", "SELECT report();"],
                          capture_output=True, text=True, timeout=30)
    assert "writefile() is not allowed in SQL run by Joy" in proc.stderr
    assert not target.exists()


# ---- pure means pure ----

@pytest.mark.parametrize("program,probe,expected", [
    ("1 setecho", "echo", 0),
    ("0 setautoput", "autoput", 1),
    ("0 setundeferror", "undeferror", 1),
    ("1000 [sq] assign", "3 sq", 9),
    ("42 srand", "rand rand =", False),
])
def test_pure_call_from_a_view_changes_nothing(tmp_path, program, probe, expected):
    path = str(tmp_path / "view.db")
    conn = connect(path)
    conn.execute("SELECT joy_define('sq', 'dup *')")
    conn.execute(f"CREATE VIEW v AS SELECT joy('{program}') AS r")
    conn.commit()
    conn.close()
    victim = connect(path)
    victim.execute("PRAGMA trusted_schema = OFF")
    before = ev(victim, "rand")
    victim.execute("SELECT * FROM v").fetchall()
    assert ev(victim, probe) == expected
    if program.endswith("srand"):
        victim.execute("SELECT * FROM v").fetchall()
        assert ev(victim, "rand") != before
    victim.close()


def test_pure_call_cannot_read_stored_definitions(db):
    db.execute("SELECT joy_define('sq', 'dup *')")
    assert "definition needed for sq" in error_of(db, "SELECT joy('sq', 3)")
    assert one(db, "SELECT joy('DEFINE sq == dup dup * *. sq', 3)") == 27
    assert ev(db, "3 sq") == 9


def test_failed_call_undoes_its_settings_and_assignments(db):
    db.execute("SELECT joy_define('sq', 'dup *')")
    error_of(db, "SELECT joy_eval('0 setautoput 1 setecho 1000 [sq] assign 1 0 /')")
    assert ev(db, "autoput") == 1
    assert ev(db, "echo") == 0
    assert ev(db, "3 sq") == 9
    ev(db, "0 setautoput")  # a call that succeeds keeps them
    assert ev(db, "autoput") == 0


# ---- indexes stay valid ----

def test_index_on_pure_function_survives_redefinition(tmp_path):
    path = str(tmp_path / "idx.db")
    conn = connect(path)
    conn.execute("SELECT joy_define('sq', 'dup *')")
    conn.execute("SELECT joy_create_function('sqf', 1, 'sq')")
    conn.execute("CREATE TABLE t(x INTEGER)")
    conn.executemany("INSERT INTO t VALUES (?)", [(i,) for i in range(1, 101)])
    conn.execute("CREATE INDEX tf ON t(sqf(x))")
    conn.execute("SELECT joy_define('sq', 'dup dup * *')")
    conn.execute("INSERT INTO t VALUES (1000)")
    conn.commit()
    assert one(conn, "PRAGMA integrity_check") == "ok"
    assert one(conn, "SELECT count(*) FROM t WHERE sqf(x) = sqf(7)") == 1
    assert one(conn, "SELECT sqf(1000)") == 1000000
    conn.close()
    again = connect(path)  # a new process registers it with the words it captured
    again.execute("SELECT joy_define('sq', 'pop 0')")
    again.execute("INSERT INTO t VALUES (2000)")
    again.commit()
    assert one(again, "PRAGMA integrity_check") == "ok"
    assert one(again, "SELECT count(*) FROM t INDEXED BY tf WHERE sqf(x) = 4000000") == 1
    again.close()


def test_index_on_joy_cannot_use_a_stored_word(tmp_path):
    conn = connect(str(tmp_path / "idx.db"))
    conn.execute("SELECT joy_define('sq', 'dup *')")
    conn.execute("CREATE TABLE t(x INTEGER)")
    conn.executemany("INSERT INTO t VALUES (?)", [(i,) for i in range(1, 11)])
    assert "definition needed for sq" in error_of(conn, "CREATE INDEX ti ON t(joy('sq', x))")
    conn.execute("CREATE INDEX ti ON t(joy('DEFINE sq == dup *. sq', x))")
    conn.execute("SELECT joy_define('sq', 'dup dup * *')")
    conn.execute("INSERT INTO t VALUES (1000)")
    assert one(conn, "PRAGMA integrity_check") == "ok"
    conn.close()


# ---- statements are never left running ----

def test_query_past_the_memory_limit_leaves_no_statement_running(tmp_path):
    path = str(tmp_path / "w.db")
    program = ('"CREATE TABLE t(x)" [] exec.\n'
               '"WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 200000) '
               'SELECT x, x AS y, x AS z FROM c" [] query size.\n'
               '"DROP TABLE t" [] exec.\n')
    proc = subprocess.run([os.path.join(BUILD, "joy"), "--db", path, "--memory", "4000000"],
                          input=program, capture_output=True, text=True, timeout=60)
    assert "memory" in proc.stderr
    assert "locked" not in proc.stderr
    conn = sqlite3.connect(path)
    assert one(conn, "SELECT count(*) FROM sqlite_schema WHERE name = 't'") == 0
    conn.close()


@pytest.fixture(scope="module")
def big_values(tmp_path_factory):
    """A world file with 3 MB of text in each of a pdict, a plist, a
    persisted list and a persisted dict."""
    path = str(tmp_path_factory.mktemp("big") / "w.db")
    text = '"' + "x" * 3000 + '"'
    lines = ['DEFINE kv == "kv" pdict-open.', 'DEFINE events == "events" plist-open.']
    lines += [f'kv "k{i}" {text} dput events {text} pappend pop pop.' for i in range(1000)]
    lines.append("[" + " ".join([text] * 1000) + '] "big" persist.')
    lines.append("{" + ", ".join(f"k{i}: {text}" for i in range(1000)) + '} "bigd" persist.')
    proc = subprocess.run([os.path.join(BUILD, "joy"), "--db", path], input="\n".join(lines) + "\n",
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert not os.path.exists(path + "-wal")  # the file alone is the world
    return path


# Each kind of statement that reads stored values back (a collection's,
# the heap's, a joy_list or joy_dict cursor's under a query), stopped by
# the memory limit part-way: none is left running, so DROP TABLE works.
@pytest.mark.parametrize("program", [
    "kv dvals size.",
    "events 1000 ptake size.",
    "events [pop true] pfilter size.",
    '"big" recall size.',
    '"bigd" recall size.',
    "\"SELECT joy FROM joy_list('events')\" [] query size.",
    "\"SELECT joy FROM joy_list('big')\" [] query size.",
    "\"SELECT value FROM joy_dict('kv')\" [] query size.",
    "\"SELECT value FROM joy_dict('bigd')\" [] query size.",
])
def test_reading_past_the_memory_limit_leaves_no_statement_running(tmp_path, big_values, program):
    path = str(tmp_path / "w.db")
    shutil.copy(big_values, path)
    program = '"CREATE TABLE t(x)" [] exec.\n' + program + '\n"DROP TABLE t" [] exec.\n'
    proc = subprocess.run([os.path.join(BUILD, "joy"), "--db", path, "--memory", "2000000"],
                          input=program, capture_output=True, text=True, timeout=60)
    assert "memory limit exceeded" in proc.stderr
    assert "locked" not in proc.stderr
    assert proc.returncode == 1  # the read failed; nothing crashed
    conn = sqlite3.connect(path)
    assert one(conn, "SELECT count(*) FROM sqlite_schema WHERE name = 't'") == 0
    conn.close()


# ---- the joy column of a joy_list table goes back exactly ----

def test_joy_column_round_trips_every_value(db):
    program = ("[{} {a: {}} [] {} 1 1.0 0.1 -0.0 'a \"s\\n\" true false nil foo [+ 1] "
               "{x: [1 {}]} 9223372036854775807 1.0e300] dempty swons \"src\" persist")
    ev(db, program)
    db.execute("SELECT joy_eval('[] \"dst\" persist')")
    db.execute("CREATE VIRTUAL TABLE src USING joy_list(src)")
    db.execute("CREATE VIRTUAL TABLE dst USING joy_list(dst)")
    db.execute("INSERT INTO dst(joy) SELECT joy FROM src ORDER BY idx")
    assert db.execute("SELECT joy, type FROM dst ORDER BY idx").fetchall() == \
        db.execute("SELECT joy, type FROM src ORDER BY idx").fetchall()
    assert one(db, "SELECT type FROM dst WHERE joy = '{:}'") == "dict"
    assert one(db, "SELECT count(*) FROM dst") == 19


# ---- a cycle in stored cells is found at once by every walker ----

def test_two_cell_cycle_fails_fast_everywhere(tmp_path):
    path = str(tmp_path / "cycle.db")
    conn = connect(path)
    ev(conn, '[1 2 3 4] "xs" persist')
    cells = [r[0] for r in conn.execute("SELECT id FROM joy_nodes WHERE kind = 1 ORDER BY id")]
    conn.execute("UPDATE joy_nodes SET next_id = ? WHERE id = ?", (cells[-2], cells[-1]))
    conn.commit()
    conn.close()
    victim = connect(path)
    victim.execute("CREATE VIRTUAL TABLE xs USING joy_list(xs)")
    start = time.perf_counter()
    assert "cyclic" in error_of(victim, "INSERT INTO xs(value) VALUES (5)")
    assert "cyclic" in error_of(victim, "DELETE FROM xs WHERE value = 99")
    assert "cyclic" in error_of(victim, "SELECT count(*) FROM xs")
    assert "cyclic" in error_of(victim, "SELECT joy_eval('\"xs\" recall size')")
    assert time.perf_counter() - start < 5
    victim.close()


# ---- text of shared structure meets the memory limit at once ----

def test_text_of_a_dag_fails_fast(db):
    db.execute("SELECT joy_limits(NULL, 64000000, NULL)")
    start = time.perf_counter()
    assert "memory limit exceeded" in error_of(db, "SELECT joy_eval('[1] 60 [dup [] cons cons] times')")
    assert "memory limit exceeded" in error_of(db, "SELECT joy_run('[1] 40 [dup [] cons cons] times .')")
    assert time.perf_counter() - start < 2


# ---- TEMP objects, virtual tables and impostor tables ----

def test_temp_trigger_from_joy_is_refused(db):
    db.execute("CREATE TABLE t(x)")
    program = '''"CREATE TEMP TRIGGER tt AFTER INSERT ON t BEGIN SELECT joy_config('files', 1); END" [] exec'''
    assert "TEMP triggers and views are not allowed" in error_of(db, "SELECT joy_eval(?)", program)
    db.execute("INSERT INTO t VALUES (1)")
    assert one(db, "SELECT joy_config('files')") == 0


def test_temp_view_cannot_stand_in_for_a_joy_table(db):
    ev(db, '[1 2 3] "xs" persist')
    program = '''"CREATE TEMP VIEW joy_nodes AS SELECT joy_config('files', 1) AS id" [] exec'''
    assert "TEMP triggers and views are not allowed" in error_of(db, "SELECT joy_eval(?)", program)
    db.execute("CREATE TEMP TABLE joy_roots(name, node_id, created_at, modified_at)")  # the host's own
    assert ev(db, '"xs" recall') == "[1 2 3]"
    assert [r[0] for r in db.execute("SELECT value FROM joy_list('xs')")] == [1, 2, 3]


def test_a_view_in_place_of_a_joy_table_is_refused_not_run(tmp_path):
    path = str(tmp_path / "crafted.db")
    conn = connect(path)
    ev(conn, '[1 2 3] "xs" persist')
    conn.execute("DROP TABLE joy_roots")
    conn.execute("CREATE VIEW joy_roots(name, node_id, created_at, modified_at) AS "
                 "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT 'xs', x, 0, 0 FROM c")
    conn.commit()
    conn.close()
    victim = connect(path)
    start = time.perf_counter()
    assert "joy_roots is a view, not a table" in error_of(victim, "SELECT joy_eval('\"xs\" recall')")
    assert time.perf_counter() - start < 5
    victim.close()


def test_a_failure_while_making_the_result_keeps_nothing(db):
    db.execute("CREATE TABLE t(x)")
    msg = error_of(db, "SELECT joy_json(?)", 'DEFINE k1 == 1. 3 setecho "INSERT INTO t VALUES (1)" [] exec pop {1 2}')
    assert "no JSON form" in msg
    assert one(db, "SELECT count(*) FROM t") == 0
    assert ev(db, "echo") == 0
    assert "definition needed for k1" in error_of(db, "SELECT joy_eval('k1')")


@pytest.mark.parametrize("sql, message", [
    ("SELECT joy_eval('\"SELECT name FROM fsdir(''/etc/hostname'')\" [] query');", "virtual table fsdir"),
    ("SELECT joy_eval('\"CREATE VIRTUAL TABLE temp.z USING zipfile(''{dir}/z.zip'')\" [] exec');", "module zipfile"),
    ("CREATE VIRTUAL TABLE z USING zipfile('{dir}/y.zip'); "
     "SELECT joy_eval('\"INSERT INTO z(name, mode, mtime, data) VALUES (''a'', 420, 0, ''hi'')\" [] exec');",
     "module zipfile"),
    ("CREATE TABLE kv(key TEXT PRIMARY KEY, value); SELECT joy_eval('\"CREATE TEMP TRIGGER w AFTER INSERT ON kv "
     "BEGIN SELECT writefile(''{dir}/pwned.txt'', NEW.value); END\" [] exec');", "TEMP triggers"),
])
def test_shell_file_modules_are_sealed_off(tmp_path, sql, message):
    proc = subprocess.run([SQLITE3, ":memory:", "-cmd", f".load {EXTENSION}", sql.format(dir=tmp_path)],
                          capture_output=True, text=True, timeout=30)
    assert message in proc.stderr
    assert not (tmp_path / "z.zip").exists() and not (tmp_path / "pwned.txt").exists()


# ---- pure calls read no state that earlier calls change ----

@pytest.mark.parametrize("word", ["undefs", "__symtabindex", "__memoryindex", "__memorymax"])
def test_pure_calls_cannot_read_the_interpreters_state(db, word):
    assert "not allowed here" in error_of(db, f"SELECT joy('{word}')")
    ev(db, word)  # joy_eval may


def test_pure_calls_cannot_format_local_time(db):
    assert "not allowed here" in error_of(db, "SELECT joy('0 gmtime \"%Z\" strftime')")
    assert ev(db, '0 gmtime "%Y" strftime') == "1970"


def test_index_over_interpreter_state_cannot_be_built(db):
    db.execute("CREATE TABLE t(x)")
    db.execute("INSERT INTO t VALUES (1), (2)")
    assert "not allowed here" in error_of(db, "CREATE INDEX ti ON t(joy('undefs size +', x))")


def test_private_words_are_captured_apart_from_stored_ones(db):
    db.execute("SELECT joy_define('h', '100')")
    ev(db, "HIDE h == 1 IN pub == h 2 + END.")
    db.execute("SELECT joy_create_function('f', 0, 'pub h +')")
    db.execute("SELECT joy_create_function('g', 0, 'h pub +')")
    assert db.execute("SELECT joy_eval('pub h +'), f(), g()").fetchone() == (103, 103, 103)
    ev(db, "MODULE m PRIVATE h == 1; PUBLIC q == h 1 + END.")
    db.execute("SELECT joy_create_function('mq', 0, 'm.q h +')")
    assert db.execute("SELECT mq(), joy_eval('m.q h +')").fetchone() == (102, 102)


# ---- SQL from Joy meets the step limit ----

def test_endless_query_from_joy_meets_the_step_limit(db):
    db.execute("SELECT joy_limits(1000000, NULL, NULL)")
    start = time.perf_counter()
    msg = error_of(db, "SELECT joy_eval(?)",
                   '"WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c" [] query')
    assert "step limit exceeded" in msg
    assert time.perf_counter() - start < 5
    assert ev(db, '"SELECT 2 AS n" [] query') == "[{n: 2}]"


# ---- loading twice changes nothing ----

def test_loading_twice_keeps_the_first_load_working(db):
    ev(db, '[1 2] "log" persist')
    db.execute("CREATE VIRTUAL TABLE log USING joy_list(log)")
    db.enable_load_extension(True)
    db.load_extension(EXTENSION)
    assert ev(db, '"SELECT 1 AS a" [] query') == "[{a: 1}]"
    assert [r[0] for r in db.execute("SELECT value FROM log")] == [1, 2]


# ---- a file cannot answer the host's operators ----

def test_operator_functions_cannot_be_made_or_loaded(tmp_path):
    path = str(tmp_path / "regexp.db")
    conn = connect(path)
    assert "called by an SQL operator" in error_of(conn, "SELECT joy_create_function('regexp', 2, 'pop pop 1', 'effects')")
    conn.execute("SELECT joy_create_function('other', 2, 'pop pop 1', 'effects')")
    conn.execute("UPDATE joy_functions SET name = 'regexp' WHERE name = 'other'")  # as a crafted file would
    conn.execute("CREATE TABLE users(name, password)")
    conn.execute("INSERT INTO users VALUES ('h', 'hunter2')")
    conn.commit()
    conn.close()
    victim = connect(path)
    assert "no such function: REGEXP" in error_of(victim, "SELECT name FROM users WHERE password REGEXP '^h'")
    victim.close()


def test_nan_and_negative_zero_survive_storage(db):
    ev(db, '-1.0 sqrt -0.0 1.5 [] cons cons cons "n" persist')
    assert db.execute("SELECT joy, type FROM joy_list('n')").fetchall() == \
        [("{:nan}", "float"), ("-0.0", "float"), ("1.5", "float")]
    assert ev(db, '"n" recall [0.0 <] filter size') == 0
    assert ev(db, '"n" recall first dup =') == 1  # Joy1's Compare finds a NaN neither < nor >
    db.execute("SELECT joy_eval('[] \"copy\" persist')")
    db.execute("CREATE VIRTUAL TABLE copy USING joy_list(copy)")
    db.execute("INSERT INTO copy(joy) SELECT joy FROM joy_list('n')")
    assert db.execute("SELECT joy FROM copy").fetchall() == [("{:nan}",), ("-0.0",), ("1.5",)]


@pytest.mark.parametrize("sql, message", [
    ("SELECT joy_eval('\"SELECT edit(''x'', ''touch {dir}/pwned; true'') AS r\" [] query');", "edit() is not allowed"),
    ("SELECT joy_eval('\"CREATE TABLE fsdir(name, data, path)\" [] exec pop \"SELECT name FROM fsdir\" [] query pop "
     "\"DROP TABLE fsdir\" [] exec pop \"SELECT name, data FROM fsdir WHERE path = ''/etc/hostname''\" [] query');",
     "virtual table fsdir is not allowed"),
    ("CREATE VIRTUAL TABLE z /* using json_each */ USING zipfile('{dir}/z.zip'); SELECT joy_eval('\"INSERT INTO "
     "z(name, mode, data) VALUES (''pwn.txt'', 33188, ''hello'')\" [] exec');", "module zipfile"),
])
def test_second_review_escapes_are_sealed(tmp_path, sql, message):
    proc = subprocess.run([SQLITE3, str(tmp_path / "c.db"), "-cmd", f".load {EXTENSION}", sql.format(dir=tmp_path)],
                          capture_output=True, text=True, timeout=30)
    assert message in proc.stderr
    assert not (tmp_path / "pwned").exists() and not (tmp_path / "z.zip").exists()


def test_pdict_put_of_shared_structure_fails_fast(db):
    start = time.perf_counter()
    msg = error_of(db, "SELECT joy_eval(?)", '[1] 60 [dup [] cons cons] times "p" pdict-open swap "k" swap dput')
    assert "memory limit exceeded" in msg
    assert time.perf_counter() - start < 5


def test_capturing_a_word_of_shared_structure_counts_its_text(db):
    """A body whose lists share structure has text exponentially longer
    than its cells: capturing it for a pure function meets the memory
    limit at once instead of writing and reading back all of it."""
    ev(db, "[1] 22 [dup [] cons cons] times [w] assign")
    db.execute("SELECT joy_limits(NULL, 10000000, NULL)")
    assert "memory limit exceeded" in error_of(db, "SELECT joy_create_function('f', 0, 'w size')")
    ev(db, "[1] 8 [dup [] cons cons] times [v] assign")
    db.execute("SELECT joy_create_function('g', 0, 'v size')")
    assert one(db, "SELECT g()") == 2


def test_an_integrity_check_does_not_run_a_files_check_constraint(tmp_path):
    """PRAGMA integrity_check and quick_check evaluate every CHECK of the
    file without writing: a CHECK calling joy_eval must not run there
    either, even when the victim has enabled files."""
    path = str(tmp_path / "check.db")
    marker = tmp_path / "PWNED.txt"
    maker = sqlite3.connect(path, isolation_level=None)
    maker.execute("CREATE TABLE ck(a CHECK (abs(1)))")
    maker.execute("INSERT INTO ck VALUES (1)")
    maker.execute("PRAGMA writable_schema=ON")
    program = f'"CREATE TABLE IF NOT EXISTS pwned(x)" [] exec pop "id > {marker}" system true'
    maker.execute("UPDATE sqlite_master SET sql = ? WHERE name = 'ck'",
                  (f"CREATE TABLE ck(a CHECK (joy_eval('{program}')))",))
    maker.execute("PRAGMA writable_schema=OFF")
    maker.close()
    victim = connect(path, isolation_level=None)
    victim.execute("SELECT joy_config('files', 1)")
    for pragma in ("PRAGMA integrity_check", "PRAGMA quick_check", "SELECT * FROM pragma_quick_check"):
        try:  # the refusal stops the check (SQLite reports it as a logic error)
            victim.execute(pragma).fetchall()
        except sqlite3.OperationalError:
            pass
        assert victim.execute("SELECT count(*) FROM sqlite_master WHERE name = 'pwned'").fetchone()[0] == 0
    assert not marker.exists()
    assert victim.execute("SELECT count(*) FROM sqlite_master WHERE name = 'pwned'").fetchone()[0] == 0
    victim.close()


def test_a_result_that_cannot_be_made_keeps_no_write(db):
    """A call commits after its result is made: a result past SQLite's
    length limit, or a joy_stack row whose text cannot fit the memory
    limit, fails the call and its writes go."""
    db.execute("CREATE TABLE t(x)")
    db.commit()
    if hasattr(db, "setlimit"):
        db.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, 100000)
        with pytest.raises(sqlite3.OperationalError, match="longer than SQLite's length limit"):
            one(db, """SELECT joy_eval('"INSERT INTO t VALUES (1)" [] exec pop "a" 20 [dup concat] times')""")
        with pytest.raises(sqlite3.OperationalError, match="longer than SQLite's length limit"):
            one(db, """SELECT joy_json('"INSERT INTO t VALUES (1)" [] exec pop "a" 20 [dup concat] times')""")
        db.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, 1000000000)
    with pytest.raises(sqlite3.OperationalError, match="memory limit exceeded"):
        db.execute("""SELECT * FROM joy_stack('"INSERT INTO t VALUES (1)" [] exec pop [1] 60 [dup [] cons cons] times')""").fetchall()
    assert one(db, "SELECT count(*) FROM t") == 0
