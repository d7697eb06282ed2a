"""Nothing a program or a database file carries crashes the host.

Each hostile case is a database file built here and then opened as a
victim would: the sqlite3 shell with trusted_schema=OFF, or Python, in a
thread with a small stack.
"""
import os
import sqlite3
import subprocess
import threading

import pytest

from conftest import EXTENSION, connect

SQLITE3 = "/usr/bin/sqlite3"
NESTED_DICTS = ("replace(hex(zeroblob(30000)),'00','{a: ')||'1'||"
                "replace(hex(zeroblob(30000)),'00','}')")


def on_small_stack(work, size=256 * 1024):
    """Runs work() in a thread with a `size`-byte stack; its result or exception."""
    outcome = {}

    def run():
        try:
            outcome["value"] = work()
        except Exception as e:  # an SQL error is an answer; a crash ends the process
            outcome["error"] = e

    old = threading.stack_size(size)
    try:
        t = threading.Thread(target=run)
        t.start()
        t.join(120)
    finally:
        threading.stack_size(old)
    assert not t.is_alive()
    return outcome


def test_view_of_nested_dicts_in_the_shell(tmp_path):
    path = str(tmp_path / "c.db")
    subprocess.run([SQLITE3, path, f"CREATE VIEW report AS SELECT joy({NESTED_DICTS}) AS r"], check=True)
    proc = subprocess.run([SQLITE3, path, "-cmd", f".load {EXTENSION}",
                           "PRAGMA trusted_schema=OFF; SELECT length(r) FROM report;"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "150001"


def test_nested_text_in_every_stored_place_on_a_small_stack(tmp_path):
    path = str(tmp_path / "hostile.db")
    conn = connect(path)
    conn.execute("SELECT joy_define('seed', '1')")
    conn.execute("SELECT joy_create_function('deep', 0, '1', 'effects')")
    conn.commit()
    nested = conn.execute(f"SELECT {NESTED_DICTS}").fetchone()[0]
    mixed = "[{a: " * 15000 + "1" + "}]" * 15000
    conn.execute("UPDATE joy_definitions SET body = ? WHERE name = 'seed'", (nested,))
    conn.execute("UPDATE joy_functions SET programs = json_object('program', ?) WHERE name = 'deep'", (mixed,))
    conn.execute(f"CREATE VIEW report AS SELECT joy({NESTED_DICTS}) AS r")
    conn.commit()
    conn.close()

    def victim():
        v = connect(path)
        v.execute("PRAGMA trusted_schema = OFF")
        got = [len(v.execute("SELECT r FROM report").fetchone()[0]),
               len(v.execute("SELECT joy_eval('seed')").fetchone()[0]),
               len(v.execute("SELECT deep()").fetchone()[0])]
        v.close()
        return got

    outcome = on_small_stack(victim)
    assert outcome.get("value") == [150001, 150001, 105001], outcome


def test_nested_program_arguments_on_a_small_stack():
    text = "[" * 100000 + "]" * 100000 + " pop " + "[{k: " * 20000 + "1" + "}]" * 20000

    def work():
        conn = connect()
        got = conn.execute("SELECT length(joy_eval(?)), length(joy(?))", (text, text)).fetchone()
        conn.close()
        return got

    assert on_small_stack(work) == {"value": (140001, 140001)}


def test_interrupt_stops_a_running_program():
    import sqlite3
    import time
    conn = sqlite3.connect(":memory:", check_same_thread=False)
    conn.enable_load_extension(True)
    conn.load_extension(EXTENSION)
    conn.execute("SELECT joy_limits(0, NULL, NULL)")  # no step limit: only the interrupt stops it
    for call in ["joy_eval", "joy", "joy_run"]:
        stopped_at = []

        def interrupt():
            time.sleep(0.3)
            stopped_at.append(time.perf_counter())
            conn.interrupt()

        t = threading.Thread(target=interrupt)
        t.start()
        try:
            conn.execute(f"SELECT {call}('0 [true] [1 +] while')").fetchall()
            raised = ""
        except sqlite3.OperationalError as e:
            raised = str(e)
        t.join()
        assert "interrupted" in raised
        assert time.perf_counter() - stopped_at[0] < 0.1
    assert conn.execute("SELECT joy_eval('1 2 +')").fetchone() == (3,)
    conn.close()


def test_interrupt_stops_a_single_word_building_a_huge_list():
    import time
    conn = sqlite3.connect(":memory:", check_same_thread=False)
    conn.enable_load_extension(True)
    conn.load_extension(EXTENSION)
    conn.execute("SELECT joy_limits(0, 0, NULL)")
    t = threading.Timer(0.1, conn.interrupt)
    t.start()
    with pytest.raises(sqlite3.OperationalError, match="^joy: run time error: interrupted"):
        conn.execute("SELECT joy_eval('1 30000000 vrange size')").fetchall()
    t.join()
    conn.close()


@pytest.mark.parametrize("word", [
    "dup 10 strtol pop", "dup strtod pop", "dup json> pop", "dup dup = pop", "dup dup compare pop",
    "dup dup equal pop", "'x over in pop", "dup 'x has pop",
])
def test_words_over_long_strings_are_charged_for_their_length(word):
    # ten of them over a 64 KB string: about 40,000 steps, not 40
    conn = connect(":memory:")
    conn.execute("SELECT joy_limits(10000, NULL, NULL)")
    with pytest.raises(sqlite3.OperationalError, match="step limit exceeded"):
        conn.execute("SELECT joy_eval(?)", (f'"1" 16 [dup concat] times 10 [{word}] times',)).fetchall()
    conn.close()


def test_text_with_many_escapes_is_measured_before_it_is_printed():
    conn = connect(":memory:")
    conn.execute("SELECT joy_limits(NULL, 16777216, NULL)")
    # 64 references to one 1 MB string of backslashes: printed, 128 MB
    with pytest.raises(sqlite3.OperationalError, match="memory limit exceeded"):
        conn.execute("SELECT joy_eval(?)", ('"\\\\" 20 [dup concat] times [] cons 6 [dup concat] times',)).fetchall()
    conn.close()


def test_reading_a_file_meets_the_memory_limit(tmp_path):
    big = tmp_path / "big.joy"
    big.write_bytes(b"1 " * 5_000_000)
    for program in ['"/dev/zero" "r" fopen fgets size .', f'"{big}" include 1 .']:
        proc = subprocess.run([os.path.join(os.path.dirname(EXTENSION), "joy"), "-l", "--memory", "4M", "-e", program],
                              capture_output=True, text=True, timeout=60)
        assert "memory limit exceeded" in proc.stderr, program


# ---- every TEXT result is valid UTF-8 ----

def test_bytes_that_are_not_utf8_come_back_as_a_blob(db):
    cases = [
        ("SELECT joy_eval('\"x\" concat', x'00ff')", b"\x00\xffx"),
        ("SELECT joy_eval('-1 chr')", b"\xff"),
        ("SELECT joy_eval('200 chr')", b"\xc8"),
        ("SELECT joy_eval('first', 'é')", b"\xc3"),
        ("SELECT joy_run('\"\\255\" putchars')", b"\xff"),
    ]
    for sql, expected in cases:
        assert db.execute(sql).fetchone()[0] == expected, sql
    assert db.execute("SELECT joy_eval('\"é\"'), joy_eval('\"é\" size')").fetchone() == ("é", 2)


def test_joy_text_escapes_bytes_that_are_not_utf8(db):
    assert db.execute("SELECT joy_eval('[\"a\\255\" \"é\"] 200 chr swons')").fetchone()[0] == '[\'\\200 \"a\\255\" \"é\"]'
    assert db.execute("SELECT joy_eval('[\"a\\255\"] first size')").fetchone()[0] == 2
    db.execute("SELECT joy_eval('200 chr [] cons \"a\\255\" swons \"xs\" persist')")
    assert db.execute("SELECT joy FROM joy_list('xs') ORDER BY idx").fetchall() == [('"a\\255"',), ("'\\200",)]


def test_error_messages_are_utf8(db):
    import sqlite3
    try:
        db.execute("SELECT joy_eval(cast(? AS TEXT))", (b"foo\xff",)).fetchall()
    except sqlite3.OperationalError as e:
        assert str(e) == "joy: run time error: definition needed for foo\\255"
    else:
        raise AssertionError("no error")


# ---- SQL from Joy loses nothing ----

def test_query_keeps_repeated_column_names(db):
    assert db.execute("SELECT joy_eval('\"SELECT 1 AS a, 2 AS a, 3 AS b\" [] query')").fetchone()[0] == \
        '[{a: 1, "a:2": 2, b: 3}]'


def test_missing_parameters_are_an_error(db):
    import sqlite3
    try:
        db.execute("SELECT joy_eval('\"SELECT ?1 + ?2\" [1] query')").fetchall()
    except sqlite3.OperationalError as e:
        assert "the SQL statement has 2 parameters, 1 given" in str(e)
    else:
        raise AssertionError("no error")


ENDLESS = "SELECT count(*) FROM (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x FROM c)"


def test_a_trigger_on_the_joy_tables_meets_the_step_limit(tmp_path):
    """A file whose Joy tables carry endless triggers: the victim's
    DEFINE, persist and pdict writes stop at the step limit."""
    path = str(tmp_path / "trap.db")
    maker = connect(path)
    maker.execute("SELECT joy_eval('[1] \"seed\" persist \"kv\" pdict-open \"a\" 1 dput pop')")
    maker.execute("SELECT joy_define('seed', '1')")
    for table in ("joy_definitions", "joy_roots", "kv"):
        for event in ("INSERT", "UPDATE"):
            maker.execute(f"CREATE TRIGGER trap_{table}_{event} AFTER {event} ON {table} BEGIN {ENDLESS}; END")
    maker.commit()
    maker.close()

    victim = connect(path, isolation_level=None)
    victim.execute("SELECT joy_limits(2000000, NULL, NULL)")
    for program in ("DEFINE sq == dup *.", "[1 2] \"xs\" persist", "\"kv\" pdict-open \"b\" 2 dput"):
        try:
            victim.execute("SELECT joy_eval(?)", (program,)).fetchone()
            raise AssertionError(f"{program} finished")
        except sqlite3.OperationalError as e:
            assert "step limit exceeded" in str(e), (program, str(e))
    # nothing of the failed calls stays, and the connection still works
    assert victim.execute("SELECT count(*) FROM joy_definitions WHERE name = 'sq'").fetchone()[0] == 0
    assert victim.execute("SELECT joy_eval('1 2 +')").fetchone()[0] == 3
    victim.close()


def test_names_interned_by_pure_calls_are_forgotten():
    """joy() and pure functions fed ever new names (`intern`) over 1.2
    million rows keep the process's memory flat (it grew 174 MB before)."""
    if "LD_PRELOAD" in os.environ and "asan" in os.environ["LD_PRELOAD"]:
        pytest.skip("AddressSanitizer keeps freed memory in quarantine: the process's size says nothing here")
    script = r'''
import sqlite3, sys
c = sqlite3.connect(":memory:")
c.enable_load_extension(True)
c.load_extension(sys.argv[1])
c.execute("SELECT joy_create_function('mk', 1, '\"w\" swap ''d 1 0 format concat intern')")
def rss():
    return int(open("/proc/self/statm").read().split()[1]) * 4096
q = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000) SELECT count({}) FROM n"
c.execute(q.format("joy('\"w\" swap ''d 1 0 format concat intern', i)")).fetchone()
before = rss()
for k in range(3):
    c.execute(q.format("joy('\"w%dx\" swap ''d 1 0 format concat intern', i)" % k)).fetchone()
    c.execute(q.format("mk(i + %d)" % ((k + 1) * 1000000))).fetchone()
print((rss() - before) // 1000000)
'''
    done = subprocess.run(["/usr/bin/python3", "-c", script, EXTENSION], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) < 40, f"grew {done.stdout.strip()} MB"


def test_a_persisted_value_of_shared_parts_fails_at_once(tmp_path):
    """[1] 60 [dup [] cons cons] times is 241 rows whose text would be
    2^60 elements long: every way of reading it measures the stored rows,
    shared parts once, and fails with the memory limit before making the
    cells (a step limit of 1M would stop it first if it made them)."""
    path = str(tmp_path / "dag.db")
    maker = connect(path)
    maker.execute("""SELECT joy_eval('[1] 60 [dup [] cons cons] times "dag" persist')""")
    maker.commit()
    maker.close()
    victim = connect(path)
    victim.execute("SELECT joy_limits(1000000, NULL, NULL)")
    for sql in ("""SELECT joy_eval('"dag" recall')""", """SELECT joy_json('"dag" recall')""",
                """SELECT joy_run('"dag" recall .')""", """SELECT joy_eval('"dag" recall >json')""",
                "SELECT length(joy) FROM joy_list('dag')", "SELECT length(value) FROM joy_list('dag')"):
        try:
            victim.execute(sql).fetchall()
            raise AssertionError(f"{sql} gave a result")
        except sqlite3.OperationalError as e:
            assert "memory limit exceeded" in str(e), (sql, str(e))
    assert victim.execute("""SELECT joy_eval('"dag" recall first first first first size')""").fetchone()[0] == 2
    victim.close()


def test_the_step_limit_met_while_reading_stored_rows_says_so(tmp_path):
    """Reading a stored list or definition that meets the step limit (or
    an interrupt) reports that, never a missing row or an undefined word."""
    path = str(tmp_path / "long.db")
    maker = connect(path)
    maker.execute("""SELECT joy_eval('1 200000 vrange "xs" persist')""")
    maker.execute("SELECT joy_define('w', '1')")
    maker.commit()
    maker.close()
    victim = connect(path)
    victim.execute("SELECT joy_limits(300000, NULL, NULL)")
    try:
        victim.execute("""SELECT joy_eval('"xs" recall 0 [+] fold')""").fetchone()
        raise AssertionError("the fold finished")
    except sqlite3.OperationalError as e:
        assert "step limit exceeded" in str(e), str(e)
    victim.execute("SELECT joy_limits(0, NULL, NULL)")
    assert victim.execute("""SELECT joy_eval('"xs" recall 0 [+] fold')""").fetchone()[0] == 200000 * 200001 // 2
    victim.close()


def test_joy_define_meets_the_step_limit_of_a_trap(tmp_path):
    path = str(tmp_path / "trap.db")
    maker = connect(path)
    maker.execute("SELECT joy_define('seed', '1')")
    maker.execute(f"CREATE TRIGGER trap AFTER INSERT ON joy_definitions BEGIN {ENDLESS}; END")
    maker.commit()
    maker.close()
    victim = connect(path, isolation_level=None)  # a fresh connection: no run has set its counters
    victim.execute("SELECT joy_limits(2000000, NULL, NULL)")
    try:
        victim.execute("SELECT joy_define('c', '3')").fetchone()
        raise AssertionError("joy_define finished")
    except sqlite3.OperationalError as e:
        assert "step limit exceeded" in str(e), str(e)
    victim.close()


def test_a_failed_run_leaves_no_steps_behind():
    """Steps count per call: after a run stopped at the step limit, calls
    that run SQL without a run (joy_gc, joy_define) start from zero."""
    conn = connect(isolation_level=None)
    conn.execute("SELECT joy_eval('1 100 vrange \"xs\" persist')")
    conn.execute("SELECT joy_limits(100000, NULL, NULL)")
    try:
        conn.execute("SELECT joy_eval('[true] [] while')").fetchone()
        raise AssertionError("the loop finished")
    except sqlite3.OperationalError as e:
        assert "step limit exceeded" in str(e)
    assert conn.execute("SELECT joy_gc()").fetchone()[0] == 0
    assert conn.execute("SELECT joy_define('d', '4')").fetchone()[0] is not None
    conn.close()


def test_bytes_that_are_not_utf8_never_become_stored_text(tmp_path):
    conn = connect(str(tmp_path / "bytes.db"), isolation_level=None)
    with pytest.raises(sqlite3.OperationalError, match="pdict key must be UTF-8"):
        conn.execute("""SELECT joy_eval('"pd" pdict-open swap 1 dput', x'ff')""").fetchone()
    with pytest.raises(sqlite3.OperationalError, match="its name is not UTF-8"):
        conn.execute("SELECT joy_eval(CAST(x'444546494e452061ff203d3d20312e' AS TEXT))").fetchone()
    conn.execute("""SELECT joy_eval('[] cons "xs" persist', x'61ff')""")
    assert conn.execute("SELECT count(*) FROM joy_strings WHERE typeof(value) = 'text' "
                        "AND CAST(value AS BLOB) = x'61ff'").fetchone()[0] == 0
    assert conn.execute("""SELECT joy_eval('"xs" recall first')""").fetchone()[0] == b"a\xff"
    conn.close()
