"""Programs whose output Joy programmers know from Joy1 (Wodan58/Joy, the
reference): build/joy prints exactly what the reference prints for each.
The conformance file tests/joy/joy1.joy states the rules behind them.
"""
import os
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
JOY = os.path.join(ROOT, "build", "joy")


def run(program, cwd):
    proc = subprocess.run([JOY], input=program, cwd=cwd, capture_output=True, text=True, timeout=60)
    return proc.stdout, proc.stderr


@pytest.mark.parametrize("program, printed", [
    # comparison: empty values are equal, lists never are, mixtures are unequal
    ("[] [] = .", "true\n"),
    ('"" 0 = .', "true\n"),
    ("[1 2 3] dup = .", "false\n"),
    ("[1] [2] > .", "true\n"),
    ('"false" false compare .', "1\n"),
    ("{0 1} 3 = .", "true\n"),
    ('"+" [+] first = .', "false\n"),
    ('"plus" [+] first = .', "true\n"),
    ("stdin stderr < stderr stdout < and .", "true\n"),
    # files
    ('"nofile" "r" fopen null .', "true\n"),
    ('"nofile" "r" fopen .', "NULL\n"),
    ("stdin . stdout . stderr .", "stdin\nstdout\nstderr\n"),
    ("[stdin] .", "[stdin]\n"),
    # numbers, chars, stack
    ("0 not .", "true\n"),
    ("[dup] first null .", "false\n"),
    ("1 2 3 10 pick .", "1\n"),
    ("1 [[]] cond .", "1\n"),
    ("0 9 casting .", "[]\n"),
    ("1 put 2 put.", "12"),
    ("'s 217 + ord .", "332\n"),
    # reading
    ("(* a (* b *) 1 .", "1\n"),
])
def test_prints_what_joy1_prints(tmp_path, program, printed):
    assert run(program, tmp_path) == (printed, "")
