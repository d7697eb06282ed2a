#!/usr/bin/python3
"""Crash test of every persistence path: kill -9 a writer at random moments.

Runs alternate between two writers on one database file, so each run also
starts from a database left by a kill (two runs in WAL mode, then two with
a rollback journal, and so on):

  - the CLI (build/joy --db FILE writer.joy), where each iteration is a few
    statements (one transaction each): a DEFINE; one statement that
    persists a root, puts a pdict key, appends to a plist, inserts a log row
    and inserts into (sometimes deletes from) a joy_list virtual table;
    every 5th iteration a definition in another session and a snapshot;
    every 7th a scratch root and `gc`.
  - a Python process with the extension loaded, doing the same through
    joy_eval (the root, pdict, plist and log row in one call), INSERT and
    DELETE on the virtual table, joy_define, sessions and joy_gc, each
    statement in autocommit mode.

Each iteration ends by printing `ok RUN I`, so a printed line means all of
its statements committed. After each kill the database must pass PRAGMA
integrity_check and the heap invariants (no row of joy_nodes or joy_roots
points at a missing node or string; the id counter is above every id; the
virtual table and a recall of its list agree), every write of every
reported iteration must be there, and the first unreported iteration's
atomic group must be all there or not at all.

    scripts/crash/crash_test.py [--runs N] [--seed S] [--keep DIR]

Exit status 0 when every run checks out; problems are printed.
"""
import argparse
import json
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
JOY = os.path.join(BUILD, "joy")
EXTENSION = os.path.join(BUILD, "joy")
ITERATIONS = 20000  # more than a writer reaches before it is killed


def connect(db_path):
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.enable_load_extension(True)
    conn.load_extension(EXTENSION)
    conn.enable_load_extension(False)
    return conn


def group(run, i):
    """The Joy text that writes iteration i's atomic group (both writers)."""
    return (f'[{run} {i} "payload {run} {i}" {{i: {i}, f: {i}.5}}] "root-{run}-{i}" persist '
            f'"kv" pdict-open "k{run}_{i}" {{i: {i}}} dput pop '
            f'"pl" plist-open [{run} {i}] pappend pop '
            f'"INSERT INTO log(run, i) VALUES (?, ?)" [{run} {i}] exec pop')


def cli_writer(run):
    parts = []
    for i in range(ITERATIONS):
        parts.append(f"DEFINE w{run}_{i} == {i} [{run}].\n")
        vlog = f'"INSERT INTO vlog(value) VALUES (?)" ["{run} {i}"] exec pop'
        if i % 10 == 9:
            vlog += f' "DELETE FROM vlog WHERE value = ?" ["{run} {i - 1}"] exec pop'
        parts.append(f"{group(run, i)} {vlog}.\n")
        if i % 5 == 0:
            parts.append(f'"side" session.\nDEFINE s{run}_{i} == {i}.\n"snap{run}_{i}" snapshot "main" session.\n')
        if i % 7 == 3:
            parts.append(f'[{i} "scratch"] "scratch" persist gc.\n')
        parts.append(f'"ok {run} {i}\\n" putchars stdout fflush pop.\n')
    return "".join(parts)


def extension_writer(db_path, run):
    """Runs in a child process until it is killed."""
    conn = connect(db_path)
    for i in range(ITERATIONS):
        conn.execute("SELECT joy_eval(?)", (group(run, i),)).fetchone()
        conn.execute("INSERT INTO vlog(value) VALUES (?)", (f"{run} {i}",))
        if i % 10 == 9:
            conn.execute("DELETE FROM vlog WHERE value = ?", (f"{run} {i - 1}",))
        conn.execute("SELECT joy_define(?, ?)", (f"w{run}_{i}", f"{i} [{run}]")).fetchone()
        if i % 5 == 0:
            conn.execute("SELECT joy_eval(?)", (f'"side" session. DEFINE s{run}_{i} == {i}. '
                                                f'"snap{run}_{i}" snapshot "main" session.',)).fetchone()
        if i % 7 == 3:
            conn.execute("SELECT joy_eval(?)", (f'[{i} "scratch"] "scratch" persist',)).fetchone()
            conn.execute("SELECT joy_gc()").fetchone()
        print(f"ok {run} {i}", flush=True)


def committed(stdout):
    """The iterations a writer reported as committed (complete lines only)."""
    done = []
    for line in stdout.split("\n")[:-1]:
        fields = line.split()
        if len(fields) == 3 and fields[0] == "ok":
            done.append(int(fields[2]))
    return done


def heap_problems(conn):
    """Violations of the persistent heap's invariants."""
    problems = []
    dangling = conn.execute("""
        SELECT count(*) FROM joy_nodes n WHERE
          (n.ref_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM joy_nodes m WHERE m.id = n.ref_id)) OR
          (n.next_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM joy_nodes m WHERE m.id = n.next_id)) OR
          (n.str_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM joy_strings s WHERE s.id = n.str_id)) OR
          (n.key_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM joy_strings s WHERE s.id = n.key_id))""").fetchone()[0]
    if dangling:
        problems.append(f"{dangling} joy_nodes rows point at missing nodes or strings")
    rootless = conn.execute("SELECT group_concat(name) FROM joy_roots r WHERE NOT EXISTS "
                            "(SELECT 1 FROM joy_nodes n WHERE n.id = r.node_id)").fetchone()[0]
    if rootless:
        problems.append(f"roots without their node: {rootless[:200]}")
    next_id, max_id = conn.execute("SELECT (SELECT value FROM joy_meta WHERE key = 'next_node_id'), "
                                   "(SELECT max(id) FROM joy_nodes)").fetchone()
    if max_id is not None and next_id <= max_id:
        problems.append(f"next_node_id {next_id} is not above the largest id {max_id}")
    rows = conn.execute("SELECT count(*) FROM vlog").fetchone()[0]
    walked = conn.execute("""SELECT joy_eval('"vlog" recall size')""").fetchone()[0]
    if rows != walked:
        problems.append(f"vlog has {rows} rows but its recalled list {walked} elements")
    return problems


class Presence:
    """What of iteration i of a run the database holds."""

    def __init__(self, conn, run):
        self.definitions = {(s, n): b for s, n, b in conn.execute(
            "SELECT session, name, body FROM joy_definitions WHERE name GLOB ?", (f"[ws]{run}_*",))}
        self.snapshots = {r[0] for r in conn.execute(
            "SELECT DISTINCT name FROM joy_snapshots WHERE name GLOB ?", (f"snap{run}_*",))}
        self.roots = {r[0] for r in conn.execute("SELECT name FROM joy_roots WHERE name GLOB ?", (f"root-{run}-*",))}
        self.kv = {k: v for k, v in conn.execute("SELECT key, value FROM kv WHERE key GLOB ?", (f"k{run}_*",))}
        self.pl = {json.loads(v)[1] for (v,) in conn.execute(
            "SELECT value FROM pl WHERE format = 'json' AND value->>0 = ?", (run,))}
        self.log = {r[0] for r in conn.execute("SELECT i FROM log WHERE run = ?", (run,))}
        self.vlog = {int(v.split()[1]) for (v,) in conn.execute("SELECT value FROM vlog WHERE value GLOB ?",
                                                                (f"{run} *",))}
        self.run = run

    def group(self, i, with_vlog):
        """Which parts of iteration i's atomic group are present."""
        parts = {
            "root": f"root-{self.run}-{i}" in self.roots,
            "pdict": self.kv.get(f"k{self.run}_{i}") == json.dumps({"i": i}, separators=(",", ":")),
            "plist": i in self.pl,
            "log": i in self.log,
        }
        if with_vlog:
            parts["vlog"] = i in self.vlog
        return parts


def check(db_path, run, writer, done):
    """Problems found in the database after run `run` reported `done`."""
    problems = []
    conn = sqlite3.connect(db_path)
    integrity = conn.execute("PRAGMA integrity_check").fetchall()
    conn.close()
    if integrity != [("ok",)]:
        return [f"run {run}: integrity_check: {integrity}"]
    conn = connect(db_path)
    problems += [f"run {run}: {p}" for p in heap_problems(conn)]
    have = Presence(conn, run)
    # the first unreported iteration: its group committed whole or not at all
    parts = have.group(len(done), writer == "cli")
    if len(set(parts.values())) > 1:
        problems.append(f"run {run}: iteration {len(done)} is half there: {parts}")
    # Iteration i + 1 deletes the vlog row of an iteration i ending in 8:
    # known when i + 1 was reported, or (in the CLI, where the delete is
    # part of the group) from its group; else it may or may not have run.
    reported = set(done)
    unreported = len(done)
    for i in done:
        missing = [part for part, present in have.group(i, True).items() if not present]
        if i % 10 == 8:
            if i + 1 in reported or (i + 1 == unreported and writer == "cli"):
                deleted = i + 1 in reported or all(parts.values())
                if deleted and i in have.vlog:
                    problems.append(f"run {run}: vlog row {i} not deleted")
                if deleted and "vlog" in missing:
                    missing.remove("vlog")
            elif "vlog" in missing:
                missing.remove("vlog")
        if have.definitions.get(("main", f"w{run}_{i}")) != f"{i} [{run}]":
            missing.append("definition")
        if i % 5 == 0:
            if have.definitions.get(("side", f"s{run}_{i}")) != str(i):
                missing.append("session definition")
            if f"snap{run}_{i}" not in have.snapshots:
                missing.append("snapshot")
        if missing:
            problems.append(f"run {run}: iteration {i} reported but missing {', '.join(missing)}")
    # the values themselves, for the last reported iteration and a sample
    for i in sorted(set(done[-1:] + random.sample(done, min(5, len(done))))):
        got = conn.execute("SELECT joy_eval(?)", (f'"root-{run}-{i}" recall',)).fetchone()[0]
        want = f'[{run} {i} "payload {run} {i}" {{i: {i}, f: {i}.5}}]'
        if got != want:
            problems.append(f"run {run}: root-{run}-{i} recalls as {got}, not {want}")
    conn.close()
    return problems


def setup(db_path):
    conn = connect(db_path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE log(run, i, UNIQUE(run, i))")
    conn.execute("CREATE VIRTUAL TABLE vlog USING joy_list(vlog)")
    conn.execute("""SELECT joy_eval('"kv" pdict-open pop "pl" plist-open pop')""").fetchone()
    conn.close()


def crash_runs(runs, seed, db_path, log=print):
    rng = random.Random(seed)
    random.seed(seed)
    problems = []
    reported = 0
    workdir = os.path.dirname(db_path)
    setup(db_path)
    for run in range(runs):
        writer = "cli" if run % 2 == 0 else "extension"
        # two runs (one of each writer) in WAL mode, then two with a rollback journal
        journal = "wal" if run % 4 < 2 else "delete"
        conn = sqlite3.connect(db_path)
        mode = conn.execute(f"PRAGMA journal_mode={journal}").fetchone()[0]
        conn.close()
        if mode != journal:
            problems.append(f"run {run}: cannot switch to journal mode {journal}")
        if writer == "cli":
            program = os.path.join(workdir, f"writer{run}.joy")
            with open(program, "w") as f:
                f.write(cli_writer(run))
            command = [JOY, "--db", db_path, program]
        else:
            command = [sys.executable, os.path.abspath(__file__), "--writer", str(run), "--db", db_path]
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(rng.uniform(0.05, 0.5))
        proc.send_signal(signal.SIGKILL)
        out, err = proc.communicate(timeout=60)
        if writer == "cli":
            os.remove(program)
        if err:
            problems.append(f"run {run}: writer stderr: {err.decode(errors='replace')[-500:]}")
        done = committed(out.decode(errors="replace"))
        if done != list(range(len(done))):
            problems.append(f"run {run}: unexpected report order {done[:10]}...")
        reported += len(done)
        problems += check(db_path, run, writer, done)
        log(f"run {run} ({writer}, {journal}): killed after {len(done)} committed iterations")
    return reported, problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--seed", type=int, default=int(time.time()))
    ap.add_argument("--keep", help="directory for the database (kept afterwards)")
    ap.add_argument("--writer", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--db", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.writer is not None:
        extension_writer(args.db, args.writer)
        return 0
    print(f"seed {args.seed}")
    with tempfile.TemporaryDirectory() as tmp:
        workdir = args.keep or tmp
        os.makedirs(workdir, exist_ok=True)
        db_path = os.path.join(workdir, "crash.db")
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(db_path + suffix):
                os.remove(db_path + suffix)
        reported, problems = crash_runs(args.runs, args.seed, db_path)
    for p in problems[:50]:
        print("PROBLEM:", p)
    print(f"{args.runs} kills, {reported} committed iterations checked, {len(problems)} problems")
    if reported == 0:
        print("PROBLEM: no writer reported a committed iteration")
        return 1
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
