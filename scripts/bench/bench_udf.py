#!/usr/bin/python3
"""Cost of a Joy call per row in SQL.

Times, over a table of 1,000,000 integers,
    SELECT sum(joy_eval('dup *', x)) FROM t     (the Joy extension)
    SELECT sum(py_square(x)) FROM t              (a Python sqlite3 UDF)
    SELECT sum(x*x) FROM t                       (native SQL)
and prints seconds and nanoseconds per row, best of 3 runs each.

    /usr/bin/python3 scripts/bench/bench_udf.py [rows]
"""
import os
import sqlite3
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def best_of(conn, sql, runs=3):
    best = None
    result = None
    for _ in range(runs):
        start = time.perf_counter()
        result = conn.execute(sql).fetchone()[0]
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    return best, result


def main():
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    conn = sqlite3.connect(":memory:")
    conn.enable_load_extension(True)
    conn.load_extension(os.path.join(ROOT, "build", "joy"))
    conn.create_function("py_square", 1, lambda x: x * x, deterministic=True)
    conn.execute("CREATE TABLE t(x INTEGER)")
    conn.execute("INSERT INTO t SELECT value FROM generate_series(1, ?)" if has_series(conn)
                 else "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < ?) "
                      "INSERT INTO t SELECT x FROM c", (rows,))
    conn.commit()
    cases = [
        ("joy_eval('dup *', x)", "SELECT sum(joy_eval('dup *', x)) FROM t"),
        ("python UDF", "SELECT sum(py_square(x)) FROM t"),
        ("native x*x", "SELECT sum(x*x) FROM t"),
    ]
    results = set()
    print(f"{'udf benchmark (' + format(rows, ',') + ' rows)':<34} {'seconds':>9} {'ns/row':>9}")
    for name, sql in cases:
        seconds, total = best_of(conn, sql)
        results.add(total)
        print(f"{name:<34} {seconds:9.3f} {seconds / rows * 1e9:9.1f}")
    if len(results) != 1:
        print(f"results differ: {sorted(results)}")
        sys.exit(1)


def has_series(conn):
    try:
        conn.execute("SELECT * FROM generate_series(1, 1)").fetchall()
        return True
    except sqlite3.OperationalError:
        return False


if __name__ == "__main__":
    main()
