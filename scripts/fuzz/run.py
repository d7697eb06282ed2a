#!/usr/bin/python3
"""Run libFuzzer targets built by `make fuzz` for a bounded time each.

  scripts/fuzz/run.py [--seconds N] TARGET...

Each build-fuzz/fuzz_TARGET starts from the seed corpus tests/fuzz/corpus/
TARGET and grows its own in build-fuzz/corpus/TARGET; a crashing, leaking
or hanging input is saved under build-fuzz/crashes/TARGET/. Prints one line
per target (executions, crash or not) and a total; exits 1 if any target
found a problem. To replay an input: build-fuzz/fuzz_TARGET FILE.
"""
import argparse
import glob
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, "build-fuzz")


# Inputs long enough to nest far past what a small stack could recurse
# (the reader and evaluator targets run on a 256 KB stack); a database file
# of up to 128 pages of 512 bytes.
MAX_LEN = {"reader": 65536, "eval": 32768, "json": 65536, "dbfile": 65536}
# Seconds one input may run before it counts as a hang. A database file runs
# dozens of statements, each under the step limit it sets, and its own
# watchdog interrupts SQL after 3 s (fuzz_dbfile.cpp).
TIMEOUT = {"dbfile": 25}


def run(target, seconds):
    exe = os.path.join(BUILD, "fuzz_" + target)
    corpus = os.path.join(BUILD, "corpus", target)
    crashes = os.path.join(BUILD, "crashes", target)
    seeds = os.path.join(ROOT, "tests", "fuzz", "corpus", target)
    os.makedirs(corpus, exist_ok=True)
    os.makedirs(crashes, exist_ok=True)
    before = set(os.listdir(crashes))
    cmd = [exe, f"-max_total_time={seconds}", f"-timeout={TIMEOUT.get(target, 10)}", "-rss_limit_mb=2048",
           f"-max_len={MAX_LEN.get(target, 4096)}", "-print_final_stats=1", f"-artifact_prefix={crashes}/", corpus]
    if os.path.isdir(seeds):
        cmd.append(seeds)
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, errors="replace",
                          env=dict(os.environ, UBSAN_OPTIONS="print_stacktrace=1"))
    log = proc.stderr
    with open(os.path.join(BUILD, f"fuzz_{target}.log"), "w") as f:
        f.write(log)
    m = re.search(r"stat::number_of_executed_units:\s*(\d+)", log)
    if not m:
        m = re.search(r"Done (\d+) runs", log) or re.search(r"#(\d+)\s", log)
    execs = int(m.group(1)) if m else 0
    found = sorted(set(os.listdir(crashes)) - before)
    ok = proc.returncode == 0 and not found
    status = "ok" if ok else "PROBLEM: " + ", ".join(os.path.join("build-fuzz", "crashes", target, f)
                                                      for f in found) or f"exit {proc.returncode}"
    print(f"fuzz_{target}: {execs} executions in {seconds} s, {status}")
    if not ok:
        summary = [line for line in log.splitlines() if "ERROR" in line or "runtime error" in line
                   or "SUMMARY" in line or line.startswith("    #")]
        print("\n".join("  " + line for line in summary[:30]))
    return execs, ok


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=int(os.environ.get("FUZZ_SECONDS", 30)))
    ap.add_argument("targets", nargs="+")
    args = ap.parse_args()
    total, bad = 0, 0
    for t in args.targets:
        execs, ok = run(t, args.seconds)
        total += execs
        bad += not ok
    print(f"fuzz: {total} executions, {bad} target(s) with problems")
    print(f"{len(args.targets) - bad} passed, {bad} failed")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
