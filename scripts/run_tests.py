#!/usr/bin/python3
"""Run every test suite of Persistent Joy and print one summary line.

Suites:
  unit         build/unit_tests (Catch2), one count per test case
  conformance  tests/joy/*.joy run by build/joy, each in a fresh temporary
               folder; every line a statement prints must be `true`; a line
               that is not (an error message too) is a failure named by the
               file and line of the statement; one count per line
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
import tempfile

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


DEFINING_WORDS = ("DEFINE", "LIBRA", "MODULE", "HIDE", "CONST", "INLINE", "PUBLIC", "PRIVATE")
MARK = "@@check"


def split_statements(text):
    """The statements of Joy text as (line of their first term, line of
    their end, text): each ends after a `.` followed by white space, outside
    strings, character literals and comments (which, as in Joy1, do not
    nest)."""
    statements, start, k, n = [], 0, 0, len(text)
    first_line = None
    line = 1
    while k < n:
        c = text[k]
        if c == "\n":
            line += 1
        elif c == "(" and text.startswith("(*", k):
            end = text.find("*)", k + 2)
            end = n if end < 0 else end + 2
            line += text.count("\n", k, end)
            k = end
            continue
        elif c == "#" and (k == 0 or text[k - 1].isspace()):
            end = text.find("\n", k)
            k = n if end < 0 else end
            continue
        elif not c.isspace():
            if first_line is None:
                first_line = line
            if c == '"':
                k += 1
                while k < n and text[k] != '"':
                    line += text[k] == "\n"
                    k += 2 if text[k] == "\\" else 1
            elif c == "'":
                k += 2 if k + 1 < n and text[k + 1] == "\\" else 1
            elif c == "." and (k + 1 == n or text[k + 1].isspace()):
                statements.append((first_line, line, text[start:k + 1]))
                start, first_line = k + 1, None
        k += 1
    statements.append((first_line or line, line, text[start:]))
    return statements


def marked_program(text):
    """The program with a marker printed before each line's statements, so
    that each line of output can be traced to where it was printed. A
    statement that begins on the line where the one before it ended (the
    text `get` reads, or a second check on the line) shares its marker.
    Definitions get none, as a statement of their own would print what was
    left on the stack: their messages are traced to the statement before."""
    out, last_end = [], 0
    for first, end, statement in split_statements(text):
        code = re.sub(r"\(\*.*?\*\)|(^|\s)#[^\n]*", " ", statement, flags=re.S).split(None, 1)
        if first != last_end and code and code[0].rstrip(".") not in DEFINING_WORDS:
            out.append(f'"{MARK} {first}\\n" putchars ')
        out.append(statement + " ")
        last_end = end
    return "".join(out) + "\n"


def run_conformance():
    """Each file runs in a fresh temporary folder (its files are made
    there), marked as above; every line a statement prints must be `true`,
    and anything else (an error message too) is one failure, named by the
    file and line of the statement."""
    passed = failed = 0
    env = dict(os.environ, JOY=JOY, JOY_TESTS=os.path.join(ROOT, "tests", "joy"))
    for path in sorted(glob.glob(os.path.join(ROOT, "tests", "joy", "*.joy"))):
        name = os.path.relpath(path, ROOT)
        with open(path, encoding="utf-8") as f:
            program = marked_program(f.read())
        problems = []
        good = bad = 0
        with tempfile.TemporaryDirectory(prefix="joy-conformance-") as tmp:
            marked = os.path.join(tmp, os.path.basename(path))
            with open(marked, "w", encoding="utf-8") as f:
                f.write(program)
            try:
                proc = subprocess.run([JOY, marked], cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                      text=True, errors="replace", timeout=300, env=env)
                lines, status = proc.stdout.splitlines(), proc.returncode
            except subprocess.TimeoutExpired:
                lines, status = [], "timed out"
        where = "before the first statement"
        for text in lines:
            if text.startswith(MARK + " "):
                where = f"{name}:{text.split()[1]}"
            elif text == "true":
                good += 1
            else:
                bad += 1
                problems.append(f"  {where}: {text}")
        if status != 0:
            bad += 1
            problems.append(f"  {name}: exit status {status}")
        if not good and not bad:
            bad += 1
            problems.append(f"  {name}: no output")
        passed += good
        failed += bad
        print(f"{name}: {good} passed, {bad} failed {'ok' if not bad else 'FAILED'}")
        for p in problems[:30]:
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
