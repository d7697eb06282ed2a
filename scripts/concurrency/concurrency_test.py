#!/usr/bin/python3
"""Concurrency test: several writers on one database file, nothing lost.

Two processes and two threads (each with its own connection, the extension
loaded, and no busy timeout of its own: the extension's default applies)
write the same database at the same time, through every persistence path:

  - a read-modify-write counter in a pdict (one joy_eval call),
  - an append to a plist, a persisted root, a DEFINE, joy_define,
  - a recall-cons-persist of one shared list (read-modify-write of a root),
  - an INSERT into a joy_list virtual table,
  - an explicit BEGIN IMMEDIATE ... COMMIT holding two calls,
  - and, in the CLI, one statement doing several of these.

Afterwards every write a worker reported must be there, the counter and the
shared list must count every increment, and no worker may have seen an
error -- "database is locked" included. Run in WAL and in rollback-journal
mode.

    scripts/concurrency/concurrency_test.py [--iterations N] [--mode wal|delete|both]

Exit status 0 when both modes check out; problems are printed.
"""
import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, os.environ.get("JOY_BUILD_DIR", "build"))
EXTENSION = os.path.join(BUILD, "joy")
JOY = os.path.join(BUILD, "joy")
WORKERS = ("p0", "p1", "t0", "t1")  # two processes, two threads (and the CLI writer "c0")


def connect(db_path):
    # timeout=0: no busy handler from Python; the extension sets its default
    conn = sqlite3.connect(db_path, timeout=0, isolation_level=None, check_same_thread=False)
    conn.enable_load_extension(True)
    conn.load_extension(EXTENSION)
    conn.enable_load_extension(False)
    return conn


def joy(conn, program, *args):
    """The result of a joy_eval call, or the text of its error."""
    try:
        return conn.execute("SELECT joy_eval(?" + ", ?" * len(args) + ")", (program,) + args).fetchone()[0]
    except sqlite3.Error as e:
        return f"error: {e}"


def call(conn, program):
    conn.execute("SELECT joy_eval(?)", (program,)).fetchone()


def work(db_path, name, iterations):
    """One worker's writes; returns (completed iteration count, errors)."""
    errors = []
    done = 0
    try:
        conn = connect(db_path)
    except sqlite3.Error as e:
        return 0, [f"{name} cannot load the extension: {e}"]
    for i in range(iterations):
        try:
            call(conn, '"counters" pdict-open "hits" over over 0 dgetd 1 + dput pop')
            call(conn, f'"events" plist-open ["{name}" {i}] pappend pop')
            call(conn, f'[{i} "{name}"] "root-{name}-{i}" persist')
            call(conn, f'DEFINE d_{name}_{i} == {i}.')
            conn.execute("SELECT joy_define(?, ?)", (f"s_{name}_{i}", f"{i} [{name}]")).fetchone()
            call(conn, f'"shared" recall ["{name}" {i}] swons "shared" persist')
            conn.execute("INSERT INTO vlog(value) VALUES (?)", (f"{name} {i}",))
            conn.execute("BEGIN IMMEDIATE")
            call(conn, f'"tx" pdict-open "{name}-{i}" {i} dput pop')
            call(conn, '"counters" pdict-open "tx" over over 0 dgetd 1 + dput pop')
            conn.execute("COMMIT")
            done += 1
        except sqlite3.Error as e:
            errors.append(f"{name} iteration {i}: {e}")
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            break
    conn.close()
    return done, errors


def cli_program(iterations):
    lines = []
    for i in range(iterations):
        lines.append(
            f'"counters" pdict-open "hits" over over 0 dgetd 1 + dput pop '
            f'"events" plist-open ["c0" {i}] pappend pop '
            f'[{i} "c0"] "root-c0-{i}" persist '
            f'"shared" recall ["c0" {i}] swons "shared" persist.\n'
            f'DEFINE d_c0_{i} == {i}.\n'
            f'"ok {i}\\n" putchars stdout fflush pop.\n')
    return "".join(lines)


def check(db_path, mode, counts, cli_done, stopped):
    problems = []
    conn = connect(db_path)
    journal = conn.execute("PRAGMA journal_mode").fetchone()[0]
    if journal != mode:
        problems.append(f"the journal mode changed from {mode} to {journal}")
    integrity = conn.execute("PRAGMA integrity_check").fetchall()
    if integrity != [("ok",)]:
        problems.append(f"integrity_check: {integrity}")
    everyone = dict(counts, c0=cli_done)
    hits = joy(conn, '"counters" pdict-open "hits" 0 dgetd')
    if hits != sum(everyone.values()) and not stopped:  # a stopped writer's last increment may count
        problems.append(f"counter is {hits}, not {sum(everyone.values())}: increments lost")
    tx = joy(conn, '"counters" pdict-open "tx" 0 dgetd')
    if tx != sum(counts.values()) and not stopped:
        problems.append(f"transaction counter is {tx}, not {sum(counts.values())}")
    events = {tuple(e) for e in conn.execute(
        "SELECT value->>0, value->>1 FROM joy_list('events')")}
    for name, n in everyone.items():
        for i in range(n):
            if (name, i) not in events:
                problems.append(f"event {name} {i} missing")
            if joy(conn, f'"root-{name}-{i}" recall') != f'[{i} "{name}"]':
                problems.append(f"root-{name}-{i} missing or wrong")
            if joy(conn, f'[d_{name}_{i}] first body') != f"[{i}]":
                problems.append(f"definition d_{name}_{i} missing")
    for name, n in counts.items():
        for i in range(n):
            if conn.execute("SELECT 1 FROM joy_definitions WHERE name = ?", (f"s_{name}_{i}",)).fetchone() is None:
                problems.append(f"joy_define s_{name}_{i} missing")
            if conn.execute("SELECT 1 FROM vlog WHERE value = ?", (f"{name} {i}",)).fetchone() is None:
                problems.append(f"virtual table row {name} {i} missing")
            if joy(conn, f'"tx" pdict-open "{name}-{i}" dget') != i:
                problems.append(f"transaction write {name}-{i} missing")
    size = joy(conn, '"shared" recall size')
    if size != sum(everyone.values()) and not stopped:
        problems.append(f"shared list has {size} elements, not {sum(everyone.values())}: updates lost")
    conn.close()
    return problems


def run_mode(mode, iterations, workdir):
    db_path = os.path.join(workdir, f"concurrent-{mode}.db")
    for suffix in ("", "-wal", "-shm", "-journal"):
        if os.path.exists(db_path + suffix):
            os.remove(db_path + suffix)
    setup = connect(db_path)
    setup.execute(f"PRAGMA journal_mode={mode}")
    setup.execute("SELECT joy_eval('[] \"shared\" persist')")
    setup.execute("CREATE VIRTUAL TABLE vlog USING joy_list(vlog)")
    setup.close()

    with open(os.path.join(workdir, "cli.joy"), "w") as f:
        f.write(cli_program(iterations))
    procs = {name: subprocess.Popen([sys.executable, __file__, "--worker", name, "--db", db_path,
                                     "--iterations", str(iterations)],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for name in ("p0", "p1")}
    cli = subprocess.Popen([JOY, "--db", db_path, os.path.join(workdir, "cli.joy")],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    results = {}

    def thread_worker(name):
        results[name] = work(db_path, name, iterations)

    threads = [threading.Thread(target=thread_worker, args=(n,)) for n in ("t0", "t1")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    problems = []
    for name, proc in procs.items():
        out, err = proc.communicate(timeout=600)
        if proc.returncode != 0:
            problems.append(f"{name} exited with {proc.returncode}: {err[-1000:]}")
            results[name] = (0, [])
            continue
        done, *errors = out.strip().split("\n")
        results[name] = (int(done), errors)
    out, err = cli.communicate(timeout=600)
    cli_done = sum(1 for line in out.split("\n") if line.startswith("ok "))
    if err or cli_done != iterations:
        problems.append(f"CLI writer did {cli_done} of {iterations}: {err[-1000:]}")

    for name, (done, errors) in results.items():
        problems += errors
        if done != iterations and not errors:
            problems.append(f"{name} did {done} of {iterations}")
    counts = {name: done for name, (done, _) in results.items()}
    stopped = bool(problems) or cli_done != iterations  # some writer stopped part-way
    problems += check(db_path, mode, counts, cli_done, stopped)
    writes = 9 * sum(counts.values()) + 5 * cli_done
    return writes, problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--iterations", type=int, default=100)
    ap.add_argument("--mode", choices=("wal", "delete", "both"), default="both")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--db", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:  # a child process: report the count, then one line per error
        done, errors = work(args.db, args.worker, args.iterations)
        print("\n".join([str(done)] + errors))
        return 0
    status = 0
    with tempfile.TemporaryDirectory() as workdir:
        for mode in (("wal", "delete") if args.mode == "both" else (args.mode,)):
            start = time.time()
            writes, problems = run_mode(mode, args.iterations, workdir)
            for p in problems[:30]:
                print("PROBLEM:", p)
            print(f"{mode}: 5 writers, {writes} writes verified, {len(problems)} problems, "
                  f"{time.time() - start:.1f} s")
            status |= bool(problems)
    return status


if __name__ == "__main__":
    sys.exit(main())
