#!/usr/bin/python3
"""Cost per row of SQL functions written in Joy (joy_create_function).

Times, over a table of 1,000,000 integers (best of 3 runs each),
    SELECT sum(sq(x)) FROM t        sq made by joy_create_function('sq', 1, 'dup *')
    SELECT sum(py_sq(x)) FROM t     a Python sqlite3 UDF (lambda x: x * x)
    SELECT sum(x*x) FROM t          native SQL
and, for comparison, the same square through joy('dup *', x) and
joy_eval('dup *', x), and an aggregate: jsum made by
joy_create_aggregate('jsum', 1, '0', '+', '', '-') against a Python
aggregate class and sum(x).
Runs on a database in memory and on one in a file (where each call also
checks whether another connection changed the definitions). Prints
seconds and nanoseconds per row; exits 1 if the results differ.

    /usr/bin/python3 scripts/bench/bench_user_functions.py [rows]
"""
import os
import sqlite3
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, os.environ.get("JOY_BUILD_DIR", "build"))


def best_of(conn, sql, runs=3):
    best = None
    result = None
    for _ in range(runs):
        start = time.perf_counter()
        result = conn.execute(sql).fetchone()[0]
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    return best, result


class PySum:
    def __init__(self):
        self.total = 0

    def step(self, x):
        self.total += x

    def finalize(self):
        return self.total


def prepare(path, rows):
    conn = sqlite3.connect(path)
    conn.enable_load_extension(True)
    conn.load_extension(os.path.join(BUILD, "joy"))
    conn.create_function("py_sq", 1, lambda x: x * x, deterministic=True)
    conn.create_aggregate("py_sum", 1, PySum)
    conn.execute("SELECT joy_create_function('sq', 1, 'dup *')")
    conn.execute("SELECT joy_create_aggregate('jsum', 1, '0', '+', '', '-')")
    conn.execute("CREATE TABLE t(x INTEGER)")
    conn.execute("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ?) "
                 "INSERT INTO t SELECT x FROM c", (rows,))
    conn.commit()
    return conn


CASES = [
    [
        ("sq(x)  (joy_create_function)", "SELECT sum(sq(x)) FROM t"),
        ("python UDF", "SELECT sum(py_sq(x)) FROM t"),
        ("native x*x", "SELECT sum(x*x) FROM t"),
        ("joy('dup *', x)", "SELECT sum(joy('dup *', x)) FROM t"),
        ("joy_eval('dup *', x)", "SELECT sum(joy_eval('dup *', x)) FROM t"),
    ],
    [
        ("jsum(x)  (joy_create_aggregate)", "SELECT jsum(x) FROM t"),
        ("python aggregate class", "SELECT py_sum(x) FROM t"),
        ("native sum(x)", "SELECT sum(x) FROM t"),
    ],
]


def run_cases(conn, title, rows):
    print(f"{title + ' (' + format(rows, ',') + ' rows)':<42} {'seconds':>9} {'ns/row':>9}")
    ok = True
    for cases in CASES:
        results = set()
        for name, sql in cases:
            seconds, total = best_of(conn, sql)
            results.add(total)
            print(f"{name:<42} {seconds:9.3f} {seconds / rows * 1e9:9.1f}")
        if len(results) != 1:
            print(f"results differ: {sorted(results)}")
            ok = False
    return ok


def main():
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    ok = run_cases(prepare(":memory:", rows), "user functions, memory", rows)
    with tempfile.TemporaryDirectory() as tmp:
        conn = prepare(os.path.join(tmp, "bench.db"), rows)
        ok = run_cases(conn, "user functions, file", rows) and ok
        conn.close()
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
