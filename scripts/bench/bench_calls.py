#!/usr/bin/python3
"""Cost of one free-standing Joy call on a database file, and of writers
sharing the file.

A free-standing call (`SELECT joy_eval(...)` outside any transaction) is a
transaction of its own: its first statement opens a savepoint and the call
commits when it ends. Times, in microseconds per call (best of 3 runs of
N calls, WAL mode):

    1 2 +                                no statement at all
    "kv" pdict-open "a" dget             a read
    "kv" pdict-open "a" 2 dput pop       a read and a write (a commit)
    the same, as 100 calls in one BEGIN IMMEDIATE transaction

then four threads, each with its own connection, incrementing one pdict
counter (read-modify-write) N times: calls per second in all, and whether
the counter counted every increment; and last, 20 N rows inserted with
executemany through `INSERT INTO t VALUES (joy_eval('dup *', ?))` against
a plain `INSERT INTO t VALUES (?)` (each run of a writing statement checks
that no CHECK constraint calls joy_eval: the schema is read once).

    /usr/bin/python3 scripts/bench/bench_calls.py [N]
"""
import os
import sqlite3
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXTENSION = os.path.join(ROOT, os.environ.get("JOY_BUILD_DIR", "build"), "joy")
INCREMENT = '"kv" pdict-open "n" over over 0 dgetd 1 + dput pop'


def connect(path):
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.enable_load_extension(True)
    conn.load_extension(EXTENSION)
    return conn


def per_call(conn, program, n, batch=None):
    best = None
    for _ in range(3):
        start = time.perf_counter()
        for i in range(n):
            if batch and i % batch == 0:
                conn.execute("BEGIN IMMEDIATE")
            conn.execute("SELECT joy_eval(?)", (program,)).fetchone()
            if batch and i % batch == batch - 1:
                conn.execute("COMMIT")
        if conn.in_transaction:
            conn.execute("COMMIT")
        elapsed = (time.perf_counter() - start) / n * 1e6
        best = elapsed if best is None else min(best, elapsed)
    return best


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "calls.db")
        conn = connect(path)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("""SELECT joy_eval('"kv" pdict-open "a" 1 dput pop')""")
        print(f"free-standing calls on a file ({n} calls)      us/call")
        for label, program, batch in (("1 2 +", "1 2 +", None),
                                      ("pdict dget", '"kv" pdict-open "a" dget', None),
                                      ("pdict dput", '"kv" pdict-open "a" 2 dput pop', None),
                                      ("pdict dput, 100 per transaction", '"kv" pdict-open "a" 2 dput pop', 100)):
            print(f"{label:45s} {per_call(conn, program, n, batch):8.1f}")
        conn.close()

        threads, errors = [], []

        def worker():
            c = connect(path)
            try:
                for _ in range(n // 4):
                    c.execute("SELECT joy_eval(?)", (INCREMENT,)).fetchone()
            except sqlite3.Error as e:
                errors.append(e)
            c.close()

        start = time.perf_counter()
        for _ in range(4):
            threads.append(threading.Thread(target=worker))
            threads[-1].start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - start
        conn = connect(path)
        counted = conn.execute("""SELECT joy_eval('"kv" pdict-open "n" dget')""").fetchone()[0]
        print(f"4 threads incrementing one counter: {4 * (n // 4) / elapsed:.0f} calls/s, "
              f"counter {counted} of {4 * (n // 4)}, {len(errors)} errors")
        conn.execute("CREATE TABLE t(x)")
        rows = 20 * n
        for sql in ("INSERT INTO t VALUES (joy_eval('dup *', ?))", "INSERT INTO t VALUES (?)"):
            conn.execute("BEGIN")
            start = time.perf_counter()
            conn.executemany(sql, ((k,) for k in range(rows)))
            elapsed = time.perf_counter() - start
            conn.execute("COMMIT")
            print(f"executemany {sql:45s} {elapsed / rows * 1e6:6.2f} us/row")


if __name__ == "__main__":
    main()
