#!/usr/bin/python3
"""Run every test suite of Persistent Joy and print one summary line.

Suites:
  unit         build/unit_tests (Catch2), one count per test case
  conformance  tests/joy/*.joy run by build/joy; every output line must be
               `true` and nothing may go to stderr; one count per line
  python       tests/python with pytest (stdlib sqlite3 of /usr/bin/python3)

The last line is `N passed, N failed`; the exit status is 1 if anything
failed.

Environment:
  JOY_BUILD_DIR       directory of joy, joy.so and unit_tests (default build;
                      `make asan` uses build-asan)
  JOY_TIME_SCALE      factor for the time bounds of tests (passed on to the
                      python suite; `make asan` sets 4)
  JOY_PYTHON_PRELOAD  libraries to LD_PRELOAD into the python suite only: the
                      ASan runtime and libstdc++, so /usr/bin/python3 can load
                      an ASan joy.so (leak checking is off there: Python
                      itself does not free everything at exit; pytest then
                      leaves file descriptor 2 alone, so a sanitizer report
                      that ends the process is seen)
A sanitizer report in any output counts as a failure.
"""
import glob
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, os.environ.get("JOY_BUILD_DIR", "build"))
JOY = os.path.join(BUILD, "joy")
SANITIZER_REPORT = re.compile(r"ERROR: (Address|Leak|UndefinedBehavior)Sanitizer|: runtime error: ")


def sanitizer_report(text):
    return bool(SANITIZER_REPORT.search(text))


def run_unit():
    exe = os.path.join(BUILD, "unit_tests")
    proc = subprocess.run([exe], cwd=ROOT, capture_output=True, text=True, errors="replace")
    out = proc.stdout + proc.stderr
    m = re.search(r"All tests passed \(\d+ assertions? in (\d+) test cases?\)", out)
    if m:
        passed, failed = int(m.group(1)), 0
    else:
        m = re.search(r"test cases:\s+(\d+)\s+\|\s+(\d+) passed\s+\|\s+(\d+) failed", out)
        if m:
            passed, failed = int(m.group(2)), int(m.group(3))
        else:
            passed, failed = 0, 1
    if proc.returncode != 0 or sanitizer_report(out):
        failed = max(failed, 1)
    if failed:
        sys.stdout.write(out)
    print(f"unit: {passed} passed, {failed} failed")
    return passed, failed


def run_conformance():
    passed = failed = 0
    for path in sorted(glob.glob(os.path.join(ROOT, "tests", "joy", "*.joy"))):
        name = os.path.relpath(path, ROOT)
        try:
            proc = subprocess.run([JOY, path], cwd=os.path.dirname(path), capture_output=True,
                                  text=True, errors="replace", timeout=300)
            lines = proc.stdout.splitlines()
            err = proc.stderr.strip()
        except subprocess.TimeoutExpired:
            lines, err = [], "timed out"
        good = sum(1 for line in lines if line == "true")
        bad = len(lines) - good
        problems = [f"  line {i + 1} of output: {line}" for i, line in enumerate(lines) if line != "true"]
        if err or proc.returncode != 0:
            bad += 1
            problems.append(f"  stderr/exit {proc.returncode}: {err[:2000]}")
        if not lines and not err:
            bad += 1
            problems.append("  no output")
        passed += good
        failed += bad
        status = "ok" if not bad else "FAILED"
        print(f"{name}: {good} passed, {bad} failed {status}")
        for p in problems[:20]:
            print(p)
    print(f"conformance: {passed} passed, {failed} failed")
    return passed, failed


def run_python():
    tests = glob.glob(os.path.join(ROOT, "tests", "python", "test_*.py"))
    if not tests:
        return 0, 0
    env = dict(os.environ, JOY_BUILD_DIR=BUILD)
    preload = os.environ.get("JOY_PYTHON_PRELOAD")
    capture = []
    if preload:
        env["LD_PRELOAD"] = preload
        env["ASAN_OPTIONS"] = "detect_leaks=0"
        capture = ["--capture=sys"]
    proc = subprocess.run(["/usr/bin/python3", "-m", "pytest", "-q", "-p", "no:cacheprovider", *capture,
                           os.path.join(ROOT, "tests", "python")],
                          cwd=ROOT, capture_output=True, text=True, errors="replace", env=env)
    out = proc.stdout + proc.stderr
    passed = sum(int(n) for n in re.findall(r"(\d+) passed", out.splitlines()[-1] if out else ""))
    failed = sum(int(n) for n in re.findall(r"(\d+) (?:failed|errors?)", out.splitlines()[-1] if out else ""))
    if (proc.returncode not in (0, 5) or sanitizer_report(out)) and failed == 0:
        failed = 1
    if failed:
        sys.stdout.write(out[-20000:])
    print(f"python: {passed} passed, {failed} failed")
    return passed, failed


def main():
    total_p = total_f = 0
    for suite in (run_unit, run_conformance, run_python):
        p, f = suite()
        total_p += p
        total_f += f
    print(f"{total_p} passed, {total_f} failed")
    sys.exit(1 if total_f else 0)


if __name__ == "__main__":
    main()
