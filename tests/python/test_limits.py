"""Limits: runaway programs stop with an error within a couple of seconds,
never crash the host; joy_limits changes them per connection."""
import json
import sqlite3
import threading
import time

import pytest

from conftest import TIME_SCALE, connect, one


def run_and_time(db, program):
    start = time.perf_counter()
    with pytest.raises(sqlite3.OperationalError) as info:
        one(db, "SELECT joy_eval(?)", program)
    return str(info.value), time.perf_counter() - start


@pytest.mark.parametrize("program, pattern", [
    ("[true] [] while", "step limit"),
    ("0 [true] [1 +] while", "step limit"),
    ("[] 50000000 [[0] cons] times", "memory limit|step limit"),  # cells made count as steps
    ("DEFINE d == [0 =] [] [pred d succ] ifte. 10000000 d", "recursion depth|memory limit"),
    ("DEFINE r == r 1 +. r", "recursion depth|memory limit"),
])
def test_runaway_programs_stop(db, program, pattern):
    message, seconds = run_and_time(db, program)
    assert message.startswith("joy: run time error: ")
    assert any(p in message for p in pattern.split("|")), message
    assert seconds < 5 * TIME_SCALE, f"{program!r} took {seconds:.1f}s"
    assert one(db, "SELECT joy_eval('1 1 +')") == 2


def test_issue_program_with_cons_errors(db):
    message, seconds = run_and_time(db, "[] 50000000 [0 cons] times")
    assert message.startswith("joy: ")
    assert seconds < 5 * TIME_SCALE


def test_default_limits(db):
    limits = json.loads(one(db, "SELECT joy_limits()"))
    assert limits["steps"] > 0 and limits["memory"] > 0 and limits["depth"] > 0


def test_set_limits(db):
    got = json.loads(one(db, "SELECT joy_limits(1000, 1000000, 100)"))
    assert got == {"steps": 1000, "memory": 1000000, "depth": 100}
    with pytest.raises(sqlite3.OperationalError, match="step limit exceeded"):
        one(db, "SELECT joy_eval('0 2000 [1 +] times')")
    assert one(db, "SELECT joy_eval('0 100 [1 +] times')") == 100
    one(db, "SELECT joy_limits(0, NULL, NULL)")  # copying strings charges steps too
    with pytest.raises(sqlite3.OperationalError, match="memory limit exceeded"):
        one(db, "SELECT joy_eval('\"x\" 25 [dup concat] times size')")
    with pytest.raises(sqlite3.OperationalError, match="recursion depth"):
        one(db, "SELECT joy_eval('DEFINE d == [0 =] [] [pred d succ] ifte. 500 d')")


def test_null_keeps_and_zero_removes_a_limit(db):
    one(db, "SELECT joy_limits(1000, NULL, NULL)")
    limits = json.loads(one(db, "SELECT joy_limits(NULL, NULL, NULL)"))
    assert limits["steps"] == 1000 and limits["memory"] > 0
    one(db, "SELECT joy_limits(0, NULL, NULL)")
    assert one(db, "SELECT joy_eval('0 100000 [1 +] times')") == 100000


def test_bad_limits(db):
    for sql in ("SELECT joy_limits(-1, 0, 0)", "SELECT joy_limits('x', 0, 0)", "SELECT joy_limits(1)"):
        with pytest.raises(sqlite3.OperationalError, match="^joy: "):
            one(db, sql)


def test_limits_are_per_connection(db):
    one(db, "SELECT joy_limits(10, NULL, NULL)")
    other = connect()
    assert one(other, "SELECT joy_eval('0 100 [1 +] times')") == 100
    other.close()


def test_limits_apply_to_pure_and_tables(db):
    one(db, "SELECT joy_limits(1000, NULL, NULL)")
    for sql in ("SELECT joy('[true] [] while')", "SELECT * FROM joy_stack('[true] [] while')",
                "SELECT joy_run('[true] [] while')", "SELECT * FROM joy_each('[true] [] while')"):
        with pytest.raises(sqlite3.OperationalError, match="step limit"):
            db.execute(sql).fetchall()


def test_joy_run_output_is_bounded(db):
    db.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, 10000) if hasattr(db, "setlimit") else None
    if not hasattr(db, "setlimit"):
        pytest.skip("Connection.setlimit needs Python 3.11")
    with pytest.raises(sqlite3.OperationalError, match="^joy: .*output"):
        one(db, "SELECT joy_run('100000 [\"xxxxxxxxxx\" putchars] times')")


@pytest.mark.parametrize("body", ["dup size pop", "dup 500 take pop", "dup 999 at pop", "dup 999 has pop",
                                  "dup 999 swap in pop", "dup 500 drop pop", "dup vsum pop", "dup vmax pop",
                                  "dup dup v+ pop", "dup >json pop", "dup [1 +] map pop"])
def test_words_that_walk_a_list_pay_for_it(db, body):
    """Each pass walks a 1000-element list: the default step limit stops
    the loop within about a second, as it does a loop of single steps."""
    message, seconds = run_and_time(db, f"1 1000 vrange [true] [{body}] while")
    assert "step limit exceeded" in message
    assert seconds < 3 * TIME_SCALE, f"{body!r} took {seconds:.1f}s"


@pytest.mark.parametrize("body", ["dup size pop", "dup 299999 take pop", "dup >json pop"])
def test_a_few_heavy_words_meet_the_step_limit(db, body):
    """100 passes of one word over 300,000 cells are 30 million steps of
    work though only a few hundred terms run: the limit of 1 million stops them."""
    one(db, "SELECT joy_limits(1000000, NULL, NULL)")
    with pytest.raises(sqlite3.OperationalError, match="step limit exceeded"):
        one(db, f"SELECT joy_eval('1 300000 vrange 100 [{body}] times')")


def test_a_few_heavy_words_notice_an_interrupt(db):
    one(db, "SELECT joy_limits(0, NULL, NULL)")
    timer = threading.Timer(0.2, db.interrupt)
    timer.start()
    try:
        with pytest.raises(sqlite3.OperationalError, match="interrupt"):
            one(db, "SELECT joy_eval('1 300000 vrange 100000000 [dup size pop] times')")
    finally:
        timer.cancel()


def test_joy_run_output_counts_against_the_memory_limit(db):
    one(db, "SELECT joy_limits(0, 10000000, NULL)")
    line = "x" * 100
    assert len(one(db, f"SELECT joy_run('50000 [\"{line}\" putchars] times')")) == 5000000
    with pytest.raises(sqlite3.OperationalError, match="memory limit exceeded"):
        one(db, f"SELECT joy_run('200000 [\"{line}\" putchars] times')")


@pytest.mark.parametrize("program", [
    "{z: 0} 1 20000 vrange ['d 1 0 format 1 dput] step [true] [dup \"zz\" 1 dput pop] while",
    "{z: 0} 1 20000 vrange ['d 1 0 format 1 dput] step [true] [dup \"z\" ddel pop] while",
    "\"a\" 12 [dup concat] times [true] [dup intern pop] while",
    "\"a\" 12 [dup concat] times [true] [dup >json pop] while",
    "\"a\" 12 [dup concat] times >json [true] [dup json> pop] while"])
def test_words_that_copy_dicts_and_strings_pay_for_it(db, program):
    """Copying a shared dict, hashing a long name, writing or reading long
    JSON text: each costs steps in proportion, so a loop of them meets the
    step limit (these ran for minutes at the default limit)."""
    one(db, "SELECT joy_limits(2000000, NULL, NULL)")
    with pytest.raises(sqlite3.OperationalError, match="step limit exceeded"):
        one(db, "SELECT joy(?)", program)


def test_intern_refuses_a_name_that_is_not_utf8(db):
    with pytest.raises(sqlite3.OperationalError, match="valid name needed for intern"):
        one(db, "SELECT joy_eval('intern', x'ff')")
    with pytest.raises(sqlite3.OperationalError, match="valid name needed for intern"):
        one(db, "SELECT joy_eval('intern', x'61ff')")


@pytest.mark.parametrize("path", [":memory:", "file"])
def test_an_interrupted_call_keeps_none_of_its_writes(tmp_path, path):
    # SQLite interrupts every statement until the caller's ends, so the
    # call's savepoint is rolled back at the next call; no commit keeps it.
    path = str(tmp_path / "i.db") if path == "file" else path
    conn = connect(path, check_same_thread=False)
    conn.execute("CREATE TABLE t(x)")
    conn.commit()
    conn.execute("SELECT joy_limits(0, NULL, NULL)")
    program = '"INSERT INTO t VALUES (1)" [] exec pop DEFINE zz == 1. [true] [] while'
    timer = threading.Timer(0.3, conn.interrupt)
    timer.start()
    try:
        with pytest.raises(sqlite3.OperationalError, match="interrupted"):
            conn.execute("SELECT joy_eval(?)", (program,)).fetchall()
    finally:
        timer.cancel()
    with pytest.raises(sqlite3.IntegrityError, match="constraint failed"):
        conn.commit()  # refused by the commit hook: the transaction rolls back
    assert not conn.in_transaction
    assert one(conn, "SELECT count(*) FROM t") == 0
    with pytest.raises(sqlite3.OperationalError, match="definition needed for zz"):
        one(conn, "SELECT joy_eval('zz')")
    assert one(conn, "SELECT joy_eval('2 3 +')") == 5
    conn.close()


def test_an_interrupted_call_is_rolled_back_by_the_next_call(tmp_path):
    conn = connect(str(tmp_path / "n.db"), check_same_thread=False, isolation_level=None)
    conn.execute("CREATE TABLE t(x)")
    conn.execute("SELECT joy_limits(0, NULL, NULL)")
    timer = threading.Timer(0.3, conn.interrupt)
    timer.start()
    try:
        with pytest.raises(sqlite3.OperationalError, match="interrupted"):
            conn.execute("""SELECT joy_eval('"INSERT INTO t VALUES (1)" [] exec pop [true] [] while')""").fetchall()
    finally:
        timer.cancel()
    assert one(conn, "SELECT joy_eval('\"INSERT INTO t VALUES (2)\" [] exec')") == 1
    assert not conn.in_transaction
    other = sqlite3.connect(str(tmp_path / "n.db"))
    assert other.execute("SELECT x FROM t").fetchall() == [(2,)]


@pytest.mark.parametrize("sql", ["SELECT f(1)", "SELECT fe(1)", "SELECT a(x) FROM (SELECT 1 AS x)"])
def test_a_user_functions_result_text_meets_the_memory_limit(db, sql):
    # 2^22 shared cells: small in memory, 25 MB as text
    body = "[1] 22 [dup [] cons cons] times"
    db.execute("SELECT joy_limits(NULL, 10000000, NULL)")
    db.execute(f"SELECT joy_create_function('f', 1, 'pop {body}')")
    db.execute(f"SELECT joy_create_function('fe', 1, 'pop {body}', 'effects')")
    db.execute(f"SELECT joy_create_aggregate('a', 1, '[]', 'swap cons', '{body}')")
    with pytest.raises(sqlite3.OperationalError, match="memory limit exceeded"):
        one(db, sql)


def test_a_json_argument_meets_the_memory_limit(db):
    one(db, "SELECT joy_limits(NULL, 1000000, NULL)")
    big = "[" + ",".join(["1"] * 2000000) + "]"
    with pytest.raises(sqlite3.OperationalError, match="memory limit exceeded"):
        one(db, "SELECT joy('size', json(?))", big)
    assert one(db, "SELECT joy('size', json('[1,2,3]'))") == 3


def test_sql_written_after_an_interrupted_call_is_not_lost_silently(tmp_path):
    conn = connect(str(tmp_path / "w.db"), check_same_thread=False, isolation_level=None)
    conn.execute("CREATE TABLE t(x)")
    conn.execute("SELECT joy_limits(0, NULL, NULL)")
    timer = threading.Timer(0.3, conn.interrupt)
    timer.start()
    try:
        with pytest.raises(sqlite3.OperationalError, match="interrupted"):
            conn.execute("""SELECT joy_eval('"INSERT INTO t VALUES (1)" [] exec pop [true] [] while')""").fetchall()
    finally:
        timer.cancel()
    conn.execute("INSERT INTO t VALUES (2)")  # the host's own, inside the failed call's savepoint
    with pytest.raises(sqlite3.OperationalError, match="ROLLBACK that transaction"):
        one(conn, "SELECT joy_eval('1 2 +')")
    conn.execute("ROLLBACK")
    assert one(conn, "SELECT joy_eval('1 2 +')") == 3
    assert one(conn, "SELECT count(*) FROM t") == 0
