#!/usr/bin/python3
"""Crash test of the CLI's persistence: kill -9 a writer at random moments.

A writer (build/joy --db FILE writer.joy) loops: define a word, persist a
root and insert a row (one statement), then, in the next statement, print
`ok RUN I` -- so a printed line means both earlier statements committed.
Every so often it also overwrites a scratch root and collects garbage.
After each kill the database must pass PRAGMA integrity_check and hold
every definition, root and row the writer reported. The same file is used
by every run, so each run also starts from a database left by a kill.

    scripts/crash/crash_test.py [--runs N] [--seed S] [--joy PATH] [--keep DIR]

Exit status 0 when every run checks out; problems are printed.
"""
import argparse
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, os.environ.get("JOY_BUILD_DIR", "build"))
ITERATIONS = 20000  # more than a writer reaches before it is killed


def writer_program(run):
    """The Joy text of writer number `run`."""
    parts = ['"CREATE TABLE IF NOT EXISTS log(run, i, UNIQUE(run, i))" [] exec pop.\n']
    for i in range(ITERATIONS):
        parts.append(
            f"DEFINE w{run}_{i} == {i} [{run}].\n"
            f'[{run} {i} "payload {run} {i}" {{i: {i}, f: {i}.5}}] "root-{run}-{i}" persist '
            f'"INSERT INTO log(run, i) VALUES (?, ?)" [{run} {i}] exec pop.\n')
        if i % 7 == 3:
            parts.append(f'[{i} "scratch"] "scratch" persist gc.\n')
        parts.append(f'"ok {run} {i}\\n" putchars stdout fflush pop.\n')
    return "".join(parts)


def committed(stdout):
    """The iterations a writer reported as committed (complete lines only)."""
    done = []
    for line in stdout.split("\n")[:-1]:
        fields = line.split()
        if len(fields) == 3 and fields[0] == "ok":
            done.append(int(fields[2]))
    return done


def check(db_path, run, done, extension):
    """Problems found in the database after run `run` reported `done`."""
    problems = []
    conn = sqlite3.connect(db_path)
    integrity = conn.execute("PRAGMA integrity_check").fetchall()
    if integrity != [("ok",)]:
        problems.append(f"run {run}: integrity_check: {integrity}")
    if not done:  # killed before its first commit: there may be no tables yet
        conn.close()
        return problems
    definitions = dict(conn.execute("SELECT name, body FROM joy_definitions WHERE session = 'main'"))
    roots = {r[0] for r in conn.execute("SELECT name FROM joy_roots")}
    logged = {r[0] for r in conn.execute("SELECT i FROM log WHERE run = ?", (run,))}
    for i in done:
        if definitions.get(f"w{run}_{i}") != f"{i} [{run}]":
            problems.append(f"run {run}: definition w{run}_{i} missing or wrong")
        if f"root-{run}-{i}" not in roots:
            problems.append(f"run {run}: root root-{run}-{i} missing")
        if i not in logged:
            problems.append(f"run {run}: log row {i} missing")
    # the values themselves, for the last reported iteration and a sample
    sample = sorted(set(done[-1:] + random.sample(done, min(5, len(done)))))
    if sample and extension:
        conn.enable_load_extension(True)
        conn.load_extension(extension)
        for i in sample:
            got = conn.execute("SELECT joy_eval(?)", (f'"root-{run}-{i}" recall',)).fetchone()[0]
            want = f'[{run} {i} "payload {run} {i}" {{i: {i}, f: {i}.5}}]'
            if got != want:
                problems.append(f"run {run}: root-{run}-{i} recalls as {got}, not {want}")
    conn.close()
    return problems


def crash_runs(runs, seed, joy, db_path, extension, log=print):
    rng = random.Random(seed)
    random.seed(seed)
    problems = []
    reported = 0
    workdir = os.path.dirname(db_path)
    for run in range(runs):
        program = os.path.join(workdir, f"writer{run}.joy")
        with open(program, "w") as f:
            f.write(writer_program(run))
        proc = subprocess.Popen([joy, "--db", db_path, program], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        time.sleep(rng.uniform(0.02, 0.4))
        proc.send_signal(signal.SIGKILL)
        out, err = proc.communicate(timeout=60)
        os.remove(program)
        if err:
            problems.append(f"run {run}: writer stderr: {err.decode(errors='replace')[:500]}")
        done = committed(out.decode(errors="replace"))
        if done != list(range(len(done))):
            problems.append(f"run {run}: unexpected report order {done[:10]}...")
        reported += len(done)
        problems += check(db_path, run, done, extension)
        log(f"run {run}: killed after {len(done)} committed iterations")
    return reported, problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--seed", type=int, default=int(time.time()))
    ap.add_argument("--joy", default=os.path.join(BUILD, "joy"))
    ap.add_argument("--extension", default=os.path.join(BUILD, "joy"),
                    help="the SQLite extension used to recall values (empty: skip)")
    ap.add_argument("--keep", help="directory for the database (kept afterwards)")
    args = ap.parse_args()
    print(f"seed {args.seed}")
    with tempfile.TemporaryDirectory() as tmp:
        workdir = args.keep or tmp
        os.makedirs(workdir, exist_ok=True)
        db_path = os.path.join(workdir, "crash.db")
        reported, problems = crash_runs(args.runs, args.seed, args.joy, db_path, args.extension)
    for p in problems[:50]:
        print("PROBLEM:", p)
    print(f"{args.runs} kills, {reported} committed iterations checked, {len(problems)} problems")
    if reported == 0:
        print("PROBLEM: no writer reported a committed iteration")
        return 1
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
