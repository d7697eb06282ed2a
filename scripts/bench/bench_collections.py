#!/usr/bin/python3
"""Benchmarks of persistent collections.

  pdict    100,000 `dput`s, then 100,000 `dget`s of the same keys, each run
           as one CLI statement (one transaction), against raw SQLite on
           the same keys and values: raw_kv.c, one prepared statement bound,
           stepped and reset per row in one transaction (compiled here with
           cc), the same table shape and WAL mode as the CLI's files.
           Times of a run that only builds the keys are subtracted.
  joy_list a full scan of a 1,000,000-element persisted list
           (`SELECT count(*), sum(value) FROM joy_list('big')`) against the
           same scan of a plain 1,000,000-row table; `LIMIT 1` on the big list
"""
import os
import sqlite3
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HERE = os.path.join(ROOT, "scripts", "bench")
JOY = os.path.join(ROOT, "build", "joy")
EXTENSION = os.path.join(ROOT, "build", "joy")
N = 100000
BIG = 1000000
RUNS = 3
KEYS = f"1 {N} vrange [>json] map"  # "1" .. "100000"


def run_joy(db, program):
    start = time.perf_counter()
    proc = subprocess.run([JOY, "--db", db, "-e", program], capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0 or proc.stderr:
        raise SystemExit(f"joy failed: {proc.stderr}")
    return elapsed, proc.stdout.strip()


def best(f, runs=RUNS):
    return min(f() for _ in range(runs))


def fresh(path):
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    return path


def pdict_bench(tmp):
    raw_kv = os.path.join(tmp, "raw_kv")
    subprocess.run(["cc", "-O2", "-o", raw_kv, os.path.join(HERE, "raw_kv.c"), "-lsqlite3"], check=True)
    put = get = raw_put = raw_get = float("inf")
    # Interleaved, best of RUNS: the machine's load changes both sides alike.
    for _ in range(RUNS):
        base, _ = run_joy(fresh(os.path.join(tmp, "base.db")), f'"bench" pdict-open {KEYS} pop pop.')
        db = fresh(os.path.join(tmp, "pdict.db"))
        t, _ = run_joy(db, f'"bench" pdict-open {KEYS} [dup dput] step dsize.')
        put = min(put, t - base)
        t, out = run_joy(db, f'"bench" pdict-open {KEYS} [[dup] dip dget pop] step pop.')
        get = min(get, t - base)
        proc = subprocess.run([raw_kv, fresh(os.path.join(tmp, "raw.db")), str(N)],
                              capture_output=True, text=True, check=True)
        rp, rg = map(float, proc.stdout.split())
        raw_put, raw_get = min(raw_put, rp), min(raw_get, rg)
    for word, ours, raw in (("dput", put, raw_put), ("dget", get, raw_get)):
        print(f"pdict {word} x{N:,}: {ours:.3f} s ({N / ours / 1000:.0f}k/s) vs raw prepared statement "
              f"{raw:.3f} s ({N / raw / 1000:.0f}k/s) -> {raw / ours:.2f} of the raw rate")


def scan_bench(tmp):
    db = os.path.join(tmp, "big.db")
    run_joy(db, f'1 {BIG} vrange "big" persist.')
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE raw(id INTEGER PRIMARY KEY, v INTEGER)")
    with conn:
        conn.executemany("INSERT INTO raw(id, v) VALUES (?, ?)", ((i, i) for i in range(1, BIG + 1)))
    conn.enable_load_extension(True)
    conn.load_extension(EXTENSION)
    want = (BIG, BIG * (BIG + 1) // 2)

    def timed(sql):
        def run():
            start = time.perf_counter()
            got = conn.execute(sql).fetchone()
            elapsed = time.perf_counter() - start
            assert tuple(got) == want, got
            return elapsed
        return best(run)

    scan = timed("SELECT count(*), sum(value) FROM joy_list('big')")
    raw = timed("SELECT count(*), sum(v) FROM raw")
    start = time.perf_counter()
    first = conn.execute("SELECT value FROM joy_list('big') LIMIT 1").fetchone()[0]
    one = time.perf_counter() - start
    conn.close()
    print(f"joy_list scan of {BIG:,} elements: {scan:.3f} s vs plain table scan {raw:.3f} s -> {scan / raw:.1f}x")
    print(f"joy_list('big') LIMIT 1: {one * 1000:.2f} ms -> {first}")


def main():
    with tempfile.TemporaryDirectory() as tmp:
        pdict_bench(tmp)
        scan_bench(tmp)


if __name__ == "__main__":
    main()
