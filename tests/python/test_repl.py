"""The CLI's REPL on a terminal: statements over several lines, errors, history."""
import os
import pty
import select
import time

from conftest import ROOT

JOY = os.path.join(ROOT, "build", "joy")


def run_repl(lines, home):
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["HOME"] = home
        os.execv(JOY, [JOY])
    out = b""

    def read_until_prompt():
        # Typing before the REPL has put the terminal in raw mode could
        # lose input: wait for each prompt first.
        nonlocal out
        deadline = time.time() + 10
        while time.time() < deadline and not (out.endswith(b"joy> ") or out.endswith(b"...> ")):
            ready, _, _ = select.select([fd], [], [], 0.5)
            if ready:
                try:
                    out += os.read(fd, 4096)
                except OSError:
                    return

    for line in lines:
        read_until_prompt()
        os.write(fd, line.encode() + b"\r")
    read_until_prompt()
    os.write(fd, b"\x04")  # end of input
    deadline = time.time() + 10
    while time.time() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    deadline = time.time() + 5
    while os.waitpid(pid, os.WNOHANG) == (0, 0):
        if time.time() > deadline:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            break
        time.sleep(0.05)
    os.close(fd)
    return out.decode(errors="replace")


def test_repl_runs_statements_across_lines(tmp_path):
    out = run_repl(["DEFINE sq == dup *.", "[1 2", "3] [sq] map .", "pop.", "7 sq ."], str(tmp_path))
    assert "...> " in out
    assert "[1 4 9]" in out
    assert "one parameter needed for pop" in out
    assert "49" in out


def test_repl_keeps_history(tmp_path):
    run_repl(["1 2 + ."], str(tmp_path))
    # libedit encodes spaces as \040
    assert r"1\0402\040+\040." in (tmp_path / ".joy_history").read_text()
