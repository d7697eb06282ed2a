"""Several connections writing one database: busy handling, atomic calls,
and the concurrency driver (scripts/concurrency/concurrency_test.py)."""
import os
import sqlite3
import subprocess
import sys
import threading
import time

from conftest import ROOT, TIME_SCALE, connect, one

SCRIPT = os.path.join(ROOT, "scripts", "concurrency", "concurrency_test.py")
INCREMENT = '"kv" pdict-open "n" over over 0 dgetd 1 + dput "n" dget'


def hold_the_write_lock(path, seconds):
    """Another connection that holds the write lock for `seconds`."""
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    threading.Timer(seconds, lambda: (holder.execute("COMMIT"), holder.close())).start()


def test_loading_makes_a_connection_without_a_busy_timeout_wait(tmp_path):
    path = str(tmp_path / "wait.db")
    conn = connect(path, timeout=0, isolation_level=None)
    one(conn, f"SELECT joy_eval('{INCREMENT}')")
    hold_the_write_lock(path, 0.3)
    start = time.time()
    assert one(conn, f"SELECT joy_eval('{INCREMENT}')") == 2
    assert 0.2 < time.time() - start < 5
    # PRAGMA busy_timeout reads 0 under a handler of the extension's own;
    # setting it replaces that handler
    conn.execute("PRAGMA busy_timeout = 50")
    hold_the_write_lock(path, 1.0)
    time.sleep(0.1)
    try:
        one(conn, f"SELECT joy_eval('{INCREMENT}')")
        raise AssertionError("waited past the connection's own timeout")
    except sqlite3.OperationalError as e:
        assert "database is locked" in str(e)


def test_loading_keeps_the_connections_own_busy_timeout():
    assert one(connect(timeout=2), "PRAGMA busy_timeout") == 2000


def wal_pair(tmp_path):
    path = str(tmp_path / "pair.db")
    a = connect(path, isolation_level=None)
    a.execute("PRAGMA journal_mode=WAL")
    b = connect(path, isolation_level=None, check_same_thread=False)
    one(a, f"SELECT joy_eval('{INCREMENT}')")
    return a, b


def test_a_call_that_read_then_meets_a_writer_waits_and_runs_again(tmp_path):
    a, b = wal_pair(tmp_path)
    b.execute("BEGIN IMMEDIATE")
    one(b, f"SELECT joy_eval('{INCREMENT}')")  # 2, not committed yet

    def commit_soon():
        time.sleep(0.3)
        b.execute("COMMIT")

    t = threading.Thread(target=commit_soon)
    t.start()
    # a reads n = 1, cannot become the writer while b holds the lock, and
    # runs again once b commits: its increment counts b's.
    assert one(a, f"SELECT joy_eval('{INCREMENT}')") == 3
    t.join()
    assert one(b, """SELECT joy_eval('"kv" pdict-open "n" dget')""") == 3


def test_a_run_again_call_returns_only_its_second_output(tmp_path):
    a, b = wal_pair(tmp_path)
    b.execute("BEGIN IMMEDIATE")
    one(b, f"SELECT joy_eval('{INCREMENT}')")
    threading.Timer(0.2, lambda: b.execute("COMMIT")).start()
    assert one(a, f"""SELECT joy_run('{INCREMENT} . "done" putchars')""") == "3\ndone"


def test_inside_the_callers_deferred_transaction_the_error_says_what_to_do(tmp_path):
    a, b = wal_pair(tmp_path)
    a.execute("BEGIN")
    one(a, """SELECT joy_eval('"kv" pdict-open "n" dget')""")
    one(b, f"SELECT joy_eval('{INCREMENT}')")  # commits while a's snapshot is older
    try:
        one(a, f"SELECT joy_eval('{INCREMENT}')")
        raise AssertionError("the write of a stale transaction succeeded")
    except sqlite3.OperationalError as e:
        assert "database is locked" in str(e) and "BEGIN IMMEDIATE" in str(e)
    a.execute("ROLLBACK")
    a.execute("BEGIN IMMEDIATE")
    assert one(a, f"SELECT joy_eval('{INCREMENT}')") == 3
    a.execute("COMMIT")


def test_a_cli_statement_waits_for_another_writer(tmp_path):
    path = str(tmp_path / "cli.db")
    holder = connect(path, isolation_level=None)
    holder.execute("PRAGMA journal_mode=WAL")
    one(holder, f"SELECT joy_eval('{INCREMENT}')")
    holder.execute("BEGIN IMMEDIATE")
    one(holder, f"SELECT joy_eval('{INCREMENT}')")
    cli = subprocess.Popen([os.path.join(ROOT, os.environ.get("JOY_BUILD_DIR", "build"), "joy"), "--db", path,
                            "-e", INCREMENT + " ."], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(0.3)
    holder.execute("COMMIT")
    out, err = cli.communicate(timeout=30)
    assert (out, err) == ("3\n", "")


def test_five_writers_lose_nothing_in_wal_and_rollback_journal_modes():
    proc = subprocess.run([sys.executable, SCRIPT, "--iterations", "150"], capture_output=True, text=True,
                          timeout=300 * TIME_SCALE)
    assert proc.returncode == 0, proc.stdout[-5000:] + proc.stderr[-2000:]
    assert "wal: 5 writers" in proc.stdout and "delete: 5 writers" in proc.stdout
    assert "PROBLEM" not in proc.stdout
