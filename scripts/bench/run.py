#!/usr/bin/python3
"""Times the benchmarks: best wall time of 3 runs each.

    make bench                        (our build/joy)
    JOY1=/path/to/joy1 make bench     (also time a reference Joy1 binary)

Every *.joy here runs under build/joy; every other bench_*.py here runs
after and prints its own figures.
"""
import glob
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HERE = os.path.join(ROOT, "scripts", "bench")


def best_of(cmd, runs=3):
    best = None
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    return best


def main():
    ref = os.environ.get("JOY1")
    print(f"{'benchmark':<22} {'joy (s)':>10} {'joy1 (s)':>10}")
    for path in sorted(glob.glob(os.path.join(HERE, "*.joy"))):
        ours = best_of([os.path.join(ROOT, "build", "joy"), path])
        theirs = f"{best_of([ref, path]):10.3f}" if ref else f"{'-':>10}"
        print(f"{os.path.basename(path)[:-4]:<22} {ours:10.3f} {theirs}")
    sys.stdout.flush()
    for script in sorted(glob.glob(os.path.join(HERE, "bench_*.py"))):
        subprocess.run(["/usr/bin/python3", script], cwd=ROOT)


if __name__ == "__main__":
    main()
