"""kill -9 of a CLI writer at random moments loses nothing it reported
committed and leaves an intact database (scripts/crash/crash_test.py)."""
import os
import subprocess
import sys

from conftest import ROOT

SCRIPT = os.path.join(ROOT, "scripts", "crash", "crash_test.py")


def test_kill_minus_nine_loses_nothing_committed():
    proc = subprocess.run([sys.executable, SCRIPT, "--runs", "22"], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stdout[-5000:] + proc.stderr[-2000:]
    assert "0 problems" in proc.stdout
