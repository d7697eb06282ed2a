"""The CLI's REPL on a terminal: statements over several lines, errors, history."""
import os
import pty
import select
import termios
import time

from conftest import ROOT

JOY = os.path.join(ROOT, "build", "joy")


def run_repl(lines, home):
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["HOME"] = home
        os.execv(JOY, [JOY])
    out = b""
    seen = 0  # prompts seen so far

    def read_until_prompt():
        # Typing before the REPL has put the terminal in raw mode could
        # lose input: wait for each prompt first. (libedit may follow a
        # prompt with terminal control sequences.)
        nonlocal out, seen
        deadline = time.time() + 10
        while time.time() < deadline and out.count(b"joy> ") + out.count(b"...> ") <= seen:
            ready, _, _ = select.select([fd], [], [], 0.5)
            if ready:
                try:
                    out += os.read(fd, 4096)
                except OSError:
                    return
        seen = out.count(b"joy> ") + out.count(b"...> ")
        # The line editor prints its prompt, then puts the terminal in raw
        # mode: input sent in between is read the cooked way (a ^D then is
        # lost). Wait for raw mode, briefly (without a capable TERM there is none).
        deadline = time.time() + 1
        while time.time() < deadline and termios.tcgetattr(fd)[3] & termios.ICANON:
            time.sleep(0.01)

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


def test_ctrl_c_stops_the_statement_and_keeps_the_session(tmp_path):
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["HOME"] = str(tmp_path)
        os.execv(JOY, [JOY])
    out = b""

    def read_until(done, seconds=10):
        nonlocal out
        deadline = time.time() + seconds
        while time.time() < deadline and not done():
            ready, _, _ = select.select([fd], [], [], 0.1)
            if ready:
                try:
                    out += os.read(fd, 4096)
                except OSError:
                    return

    def prompts(n):
        read_until(lambda: out.count(b"joy> ") >= n)
        time.sleep(0.1)  # the line editor switches to raw mode after its prompt

    prompts(1)
    os.write(fd, b"DEFINE kept == 42.\r")
    prompts(2)
    os.write(fd, b"0 [true] [1 +] while .\r")
    time.sleep(0.5)
    os.write(fd, b"\x03")
    read_until(lambda: b"interrupted" in out)
    assert b"interrupted" in out
    prompts(3)
    os.write(fd, b"kept 1 + .\r")
    read_until(lambda: b"43" in out)
    assert b"43" in out
    os.kill(pid, 9)
    os.waitpid(pid, 0)


def test_repl_positions_count_from_the_entry_being_read(tmp_path):
    out = run_repl(["1 2 + .", "3 4 + .", "[1", "2 ] ) ."], str(tmp_path))
    assert "unexpected ')' (line 2, column 5)" in out, out
    out = run_repl(["1 .", "2 .", "3 .", "4 ) ."], str(tmp_path))
    assert "unexpected ')' (line 1, column 3)" in out, out


def test_ctrl_c_at_the_prompt_drops_the_line_and_keeps_the_session(tmp_path):
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["HOME"] = str(tmp_path)
        os.execv(JOY, [JOY, "-l"])
    out = b""

    def read_until(done, seconds=10):
        nonlocal out
        deadline = time.time() + seconds
        while time.time() < deadline and not done():
            ready, _, _ = select.select([fd], [], [], 0.1)
            if ready:
                try:
                    out += os.read(fd, 4096)
                except OSError:
                    return

    def prompts(n):
        read_until(lambda: out.count(b"joy> ") >= n)
        time.sleep(0.1)  # the line editor switches to raw mode after its prompt

    prompts(1)
    os.write(fd, b"DEFINE kept == 42.\r")
    prompts(2)
    os.write(fd, b"\x03")  # at an empty prompt
    prompts(3)
    os.write(fd, b"1000 2000\r")  # half a statement, then Ctrl-C drops it
    read_until(lambda: b"...> " in out)
    time.sleep(0.1)
    os.write(fd, b"\x03")
    prompts(4)
    os.write(fd, b"kept stack .\r")
    read_until(lambda: b"[42]" in out or b"2000]" in out)
    assert b"[42]\r\n" in out  # the dropped 1000 2000 are not on the stack
    assert os.waitpid(pid, os.WNOHANG) == (0, 0)  # still running
    os.kill(pid, 9)
    os.waitpid(pid, 0)
