"""kill -9 of a writer (the CLI and the extension in turn) at random moments,
52 times: nothing reported committed is lost, no atomic group is half
there, and the database and the persistent heap stay intact
(scripts/crash/crash_test.py)."""
import os
import subprocess
import sys

from conftest import ROOT, TIME_SCALE

SCRIPT = os.path.join(ROOT, "scripts", "crash", "crash_test.py")


def test_kill_minus_nine_loses_nothing_committed():
    proc = subprocess.run([sys.executable, SCRIPT, "--runs", "52"], capture_output=True, text=True,
                          timeout=600 * TIME_SCALE)
    assert proc.returncode == 0, proc.stdout[-5000:] + proc.stderr[-2000:]
    assert "52 kills" in proc.stdout and " 0 problems" in proc.stdout
