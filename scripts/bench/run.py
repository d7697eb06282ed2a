#!/usr/bin/python3
"""Times the benchmarks: best wall time of 3 runs each, the instructions
one run executes (callgrind, when valgrind is installed) and peak memory.

    make bench                        (our build/joy)
    JOY1=/path/to/joy1 make bench     (also time a reference Joy1 binary)

Every *.joy here runs under build/joy; every other bench_*.py here runs
after and prints its own figures.
"""
import glob
import os
import re
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HERE = os.path.join(ROOT, "scripts", "bench")


def run_once(cmd):
    """Wall time and peak memory (KiB) of one run. posix_spawn (a vfork)
    does not copy this Python's memory into the child, whose peak is then
    its own."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    actions = [(os.POSIX_SPAWN_DUP2, devnull, 1), (os.POSIX_SPAWN_DUP2, devnull, 2)]
    start = time.perf_counter()
    pid = os.posix_spawn(cmd[0], cmd, os.environ, file_actions=actions)
    _, _, usage = os.wait4(pid, 0)
    elapsed = time.perf_counter() - start
    os.close(devnull)
    return elapsed, usage.ru_maxrss


def best_of(cmd, runs=3):
    runs = [run_once(cmd) for _ in range(runs)]
    return min(t for t, _ in runs), max(m for _, m in runs)


def instructions(cmd):
    """Instructions executed (callgrind), which a noisy machine does not
    change; None without valgrind."""
    if not shutil.which("valgrind"):
        return None
    proc = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *cmd],
                          capture_output=True, text=True, cwd=ROOT)
    found = re.search(r"refs:\s+([\d,]+)", proc.stderr)
    return int(found.group(1).replace(",", "")) if found else None


def main():
    ref = os.environ.get("JOY1")
    print(f"{'benchmark':<14} {'joy (s)':>8} {'instructions':>14} {'peak KiB':>9} {'joy1 (s)':>9}")
    for path in sorted(glob.glob(os.path.join(HERE, "*.joy"))):
        cmd = [os.path.join(ROOT, "build", "joy"), path]
        seconds, peak = best_of(cmd)
        count = instructions(cmd)
        count = f"{count:14,}" if count else f"{'-':>14}"
        theirs = f"{best_of([ref, path])[0]:9.3f}" if ref else f"{'-':>9}"
        print(f"{os.path.basename(path)[:-4]:<14} {seconds:8.3f} {count} {peak:9} {theirs}")
        sys.stdout.flush()
    for script in sorted(glob.glob(os.path.join(HERE, "bench_*.py"))):
        subprocess.run(["/usr/bin/python3", script], cwd=ROOT)


if __name__ == "__main__":
    main()
