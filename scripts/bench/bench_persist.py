#!/usr/bin/python3
"""Benchmarks of the persistent heap and definitions (through the CLI).

  persist    `1 1000000 vrange "big" persist` vs a raw prepared-statement
             bulk insert of 1,000,000 rows (executemany, one transaction)
  recall     `"big" recall first` in a fresh process: time and peak memory,
             for a 1,000,000-element and a 3-element list
  walk       `"big" recall 0 [+] fold` (every row, constant memory)
  gc         collecting 1,000,000 dead nodes
  defs       first call in a fresh process on a database of 10,000 definitions
"""
import os
import sqlite3
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
JOY = os.path.join(ROOT, "build", "joy")


def run_joy(db, program):
    """Wall time and peak RSS (KiB) of one CLI run."""
    start = time.perf_counter()
    proc = subprocess.Popen([JOY, "--db", db, "-e", program], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out = proc.stdout.read()
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0 or err:
        raise SystemExit(f"joy failed: {err.decode()}")
    return elapsed, usage.ru_maxrss, out.decode().strip()


def raw_insert(db, n):
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE raw(id INTEGER PRIMARY KEY, v INTEGER)")
    start = time.perf_counter()
    with conn:
        conn.executemany("INSERT INTO raw(id, v) VALUES (?, ?)", ((i, i) for i in range(1, n + 1)))
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


def main():
    with tempfile.TemporaryDirectory() as tmp:
        big = os.path.join(tmp, "big.db")
        small = os.path.join(tmp, "small.db")
        empty = os.path.join(tmp, "empty.db")
        base, _, _ = run_joy(empty, "1 1000000 vrange pop.")
        t_persist, _, _ = run_joy(big, '1 1000000 vrange "big" persist.')
        t_raw = raw_insert(os.path.join(tmp, "raw.db"), 1000000)
        print(f"persist 1M integers: {t_persist - base:.3f} s (joy, minus building the list)"
              f" vs raw bulk insert {t_raw:.3f} s -> {(t_persist - base) / t_raw:.2f}x")
        run_joy(small, '[1 2 3] "big" persist.')
        for name, db in (("1M", big), ("3", small)):
            t, rss, out = run_joy(db, '"big" recall first .')
            print(f"recall first ({name} elements, fresh process): {t * 1000:.1f} ms, peak {rss} KiB -> {out}")
        t, rss, out = run_joy(big, '"big" recall 0 [+] fold .')
        print(f"walk 1M recalled elements (fold): {t:.3f} s, peak {rss} KiB -> {out}")
        run_joy(big, '"big" forget.')
        t, _, _ = run_joy(big, "gc.")
        print(f"gc of 1M dead nodes: {t:.3f} s")
        defs = os.path.join(tmp, "defs.db")
        run_joy(defs, "DEFINE seed == 0.")
        conn = sqlite3.connect(defs)
        with conn:
            conn.executemany(
                "INSERT INTO joy_definitions(session, name, body, created_at, modified_at) VALUES ('main', ?, ?, 0, 0)",
                ((f"w{i}", f"{i} +") for i in range(10000)))
        conn.close()
        t, _, out = run_joy(defs, "1 w9999 .")
        t0, _, _ = run_joy(empty, "1 .")
        print(f"first call with 10,000 definitions: {t * 1000:.1f} ms (empty database: {t0 * 1000:.1f} ms) -> {out}")


if __name__ == "__main__":
    main()
