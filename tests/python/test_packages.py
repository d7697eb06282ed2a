"""The Python package in packaging/python installs from the checkout (with
the system's pip, into a virtual environment; nothing is downloaded) and
loads the extension the checkout built."""
import os
import subprocess
import sys

import pytest

from conftest import BUILD, ROOT

pytestmark = pytest.mark.skipif(os.path.basename(BUILD) != "build",
                                reason="the package carries the plain build (build/joy.so)")


def test_pip_installs_the_python_package(tmp_path):
    venv = tmp_path / "venv"
    # the system's setuptools builds it: --system-site-packages and no build isolation
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True, timeout=120)
    python = str(venv / "bin" / "python")
    proc = subprocess.run([python, "-m", "pip", "install", "--no-index", "--no-build-isolation", "--quiet",
                           os.path.join(ROOT, "packaging", "python")],
                          capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    script = ("import sqlite3, persistent_joy\n"
              "conn = sqlite3.connect(':memory:')\n"
              "persistent_joy.load(conn)\n"
              "print(conn.execute(\"SELECT joy_eval('[1 2 3] [dup *] map')\").fetchone()[0])\n"
              "print(persistent_joy.path().startswith(%r))\n" % str(venv))
    proc = subprocess.run([python, "-c", script], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["[1 4 9]", "True"]  # the installed copy, not the checkout's
