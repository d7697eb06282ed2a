#!/usr/bin/python3
"""What one call of Joy costs per row of SQL, against a Python UDF.

Per-row overhead of a function f = (time of SELECT sum(f(x)) FROM t minus
time of SELECT sum(x) FROM t) / rows, best of 5, in one process
(/usr/bin/python3), for
    joy_eval('dup *', x)     joy('dup *', x)
    joy_eval('square', x)    a stored word (joy_define('square', 'dup *'))
    sq(x)    pure:    joy_create_function('sq', 1, 'dup *')
    sqe(x)   effects: joy_create_function('sqe', 1, 'dup *', 'effects')
    jsum(x)  aggregate: joy_create_aggregate('jsum', 1, '0', '+', '')
against py(x) = lambda x: x * x and a Python aggregate class, on a database
in memory and on one in a file; then the same square through a recursive
CTE on the file (a statement that holds no read transaction of main).
The last column is each cost over the Python UDF's (the aggregate's over
the Python aggregate's).

    /usr/bin/python3 scripts/bench/bench_per_row.py [rows]
"""
import os
import sqlite3
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, os.environ.get("JOY_BUILD_DIR", "build"))


class PySum:
    def __init__(self):
        self.total = 0

    def step(self, x):
        self.total += x

    def finalize(self):
        return self.total


def best_of(conn, sql, runs=5):
    best = None
    for _ in range(runs):
        start = time.perf_counter()
        conn.execute(sql).fetchall()
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    return best


def connect(path, rows):
    conn = sqlite3.connect(path, isolation_level=None)
    conn.enable_load_extension(True)
    conn.load_extension(os.path.join(BUILD, "joy"))
    conn.create_function("py", 1, lambda x: x * x, deterministic=True)
    conn.create_aggregate("pysum", 1, PySum)
    conn.execute("SELECT joy_create_function('sq', 1, 'dup *')")
    conn.execute("SELECT joy_define('square', 'dup *')")
    conn.execute("SELECT joy_create_function('sqe', 1, 'dup *', 'effects')")
    conn.execute("SELECT joy_create_aggregate('jsum', 1, '0', '+', '')")
    conn.execute("CREATE TABLE t(x INTEGER)")
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO t VALUES (?)", ((i,) for i in range(rows)))
    conn.execute("COMMIT")
    return conn


SCALARS = [("joy_eval", "joy_eval('dup *', x)"), ("joy_eval, stored", "joy_eval('square', x)"),
           ("joy", "joy('dup *', x)"),
           ("pure function", "sq(x)"), ("effects function", "sqe(x)")]


def main():
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 300000
    tmp = tempfile.mkdtemp()
    results = {}
    for place, path in (("memory", ":memory:"), ("file", os.path.join(tmp, "bench.db"))):
        conn = connect(path, rows)
        base = best_of(conn, "SELECT sum(x) FROM t")
        per_row = lambda expr: (best_of(conn, f"SELECT sum({expr}) FROM t") - base) / rows * 1e9
        results[("python UDF", place)] = per_row("py(x)")
        for name, expr in SCALARS:
            results[(name, place)] = per_row(expr)
        results[("python aggregate", place)] = (best_of(conn, "SELECT pysum(x) FROM t") - base) / rows * 1e9
        results[("Joy aggregate", place)] = (best_of(conn, "SELECT jsum(x) FROM t") - base) / rows * 1e9
        if place == "file":
            cte = f"WITH RECURSIVE c(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM c LIMIT {rows}) SELECT sum(%s) FROM c"
            cte_base = best_of(conn, cte % "x")
            results[("python UDF", "CTE")] = (best_of(conn, cte % "py(x)") - cte_base) / rows * 1e9
            results[("pure function", "CTE")] = (best_of(conn, cte % "sq(x)") - cte_base) / rows * 1e9
            results[("joy", "CTE")] = (best_of(conn, cte % "joy('dup *', x)") - cte_base) / rows * 1e9
            results[("joy_eval, stored", "CTE")] = (best_of(conn, cte % "joy_eval('square', x)") - cte_base) / rows * 1e9
        conn.close()
    print(f"per-row overhead, ns ({rows} rows, best of 5); ratio to the Python UDF (aggregate)")
    print(f"{'path':<18} {'memory':>8} {'ratio':>6} {'file':>8} {'ratio':>6} {'CTE':>8} {'ratio':>6}")
    for name in ["python UDF", "joy_eval", "joy_eval, stored", "joy", "pure function", "effects function",
                 "python aggregate", "Joy aggregate"]:
        ref = "python aggregate" if "aggregate" in name else "python UDF"
        cells = []
        for place in ("memory", "file", "CTE"):
            v = results.get((name, place))
            if v is None:
                cells.append(f"{'':>8} {'':>6}")
            else:
                cells.append(f"{v:8.1f} {v / results[(ref, place)]:6.2f}")
        print(f"{name:<18} " + " ".join(cells))


if __name__ == "__main__":
    main()
