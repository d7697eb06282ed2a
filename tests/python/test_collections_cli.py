"""Persistent collections in the CLI: the design's examples (Level 2 across a
restart, the event log, Query Integration) and the words' behaviour, run by
build/joy on database files."""
import os
import sqlite3
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
JOY = os.path.join(ROOT, os.environ.get("JOY_BUILD_DIR", "build"), "joy")


def run(tmp_path, program, db=None):
    """Run `program` (standard input) in tmp_path; return (stdout, stderr).
    The exit status is 1 exactly when a statement failed (said on stderr)."""
    args = [JOY] + (["--db", db] if db else [])
    proc = subprocess.run(args, input=program, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert proc.returncode == (1 if proc.stderr else 0), proc.stderr
    return proc.stdout, proc.stderr


def test_level2_example_survives_a_restart(tmp_path):
    out, err = run(tmp_path, '"mydata.db" persist-open.\n'
                             'DEFINE users == "users" pdict-open.\n'
                             'users "alice" {age: 30} dput.\n'
                             'persist-close.\n')
    assert err == ""
    assert out == "pdict\n"  # dput leaves the handle, and `.` prints it
    out, err = run(tmp_path, '"mydata.db" persist-open.\nusers "alice" dget .\n')
    assert (out, err) == ("{age: 30}\n", "")
    db = sqlite3.connect(str(tmp_path / "mydata.db"))
    assert db.execute("SELECT value->>'age' FROM users WHERE key = 'alice'").fetchone() == (30,)
    db.execute("""INSERT INTO users VALUES ('carol', json('{"age": 35}'))""")
    db.commit()
    db.close()
    out, err = run(tmp_path, '"mydata.db" persist-open.\nusers "carol" dget .\nusers dkeys .\n')
    assert (out, err) == ('{age: 35}\n["alice" "carol"]\n', "")


def test_event_log_example(tmp_path):
    out, err = run(tmp_path, 'DEFINE events == "events" plist-open.\n'
                             'events {type: "login", user: "alice", time: 1234567890} pappend.\n'
                             'events {type: "click", user: "alice", page: "/home"} pappend.\n'
                             'events 10 ptake.\n'
                             'events ["type" dget "login" =] pfilter size.\n'
                             'events 1 pnth "page" dget.\n'
                             'events size.\n', db="events.db")
    assert err == ""
    assert out.splitlines() == [
        "plist", "plist",
        '[{type: "login", user: "alice", time: 1234567890} {type: "click", user: "alice", page: "/home"}]',
        "1", '"/home"', "2"]
    out, err = run(tmp_path, 'events 1 ptake.\n', db="events.db")
    assert (out, err) == ('[{type: "click", user: "alice", page: "/home"}]\n', "")


def test_query_integration_example(tmp_path):
    out, err = run(tmp_path,
                   '[{name: "Alice", age: 30, dept: "Engineering"} {name: "Bob", age: 25, dept: "Sales"} '
                   '{name: "Carol", age: 35, dept: "Engineering"}] "employees" persist.\n'
                   '"employees" recall ["dept" dget "Engineering" =] filter ["age" dget] map vsum .\n'
                   '''"SELECT AVG(value->>'age') AS avg FROM joy_list('employees') '''
                   '''WHERE value->>'dept' = 'Engineering'" [] query .\n''', db="q.db")
    assert err == ""
    assert out.splitlines() == ["65", "[{avg: 32.5}]"]


def test_joy_list_view_from_the_cli(tmp_path):
    out, err = run(tmp_path, '"CREATE VIRTUAL TABLE log USING joy_list(log)" [] exec pop.\n'
                             '''"INSERT INTO log(value) VALUES (json('{\\"level\\":\\"warn\\"}'))" [] exec pop.\n'''
                             '"INSERT INTO log(joy) VALUES (?)" ["[1 \'a]"] exec pop.\n'
                             '"log" recall .\n'
                             '"DELETE FROM log WHERE idx = 0" [] exec pop.\n'
                             '"log" recall .\n'
                             '"SELECT idx, joy, type FROM log" [] query .\n', db="log.db")
    assert err == ""
    assert out.splitlines() == ["[{level: \"warn\"} [1 'a]]", "[[1 'a]]",
                                '[{idx: 0, joy: "[1 \'a]", type: "list"}]']


WORDS = r'''
DEFINE d == "d" pdict-open.
DEFINE l == "l" plist-open.
d "a" 1 dput "b" 2.0 dput "c" 'c dput dsize 3 = .
d "b" dget 2.0 = .
d "b" dget float .
d "c" dget 'c = .
d "z" 0 dgetd 0 = .
d "a" dhas .
d "z" dhas not .
d dkeys ["a" "b" "c"] equal .
d size 3 = .
d "a" ddel dkeys ["b" "c"] equal .
d dict> [["b" 2.0] ["c" 'c]] equal .
l [1 2 3] pappend {} pappend dempty pappend size 3 = .
l 0 pnth [1 2 3] equal .
l 1 pnth set .
l 2 pnth dict .
l 2 ptake size 2 = .
l [list] pfilter [[1 2 3]] equal .
l 0 ptake [] equal .
'''


def test_words_in_a_file(tmp_path):
    (tmp_path / "words.joy").write_text(WORDS)
    proc = subprocess.run([JOY, "--db", "w.db", "words.joy"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=60)
    assert proc.stderr == ""
    lines = proc.stdout.splitlines()
    assert lines and all(line == "true" for line in lines), proc.stdout


def test_a_handle_of_a_closed_world(tmp_path):
    out, err = run(tmp_path, '"a.db" persist-open.\n"u" pdict-open "k" 1 dput persist-close "k" dget.\n'
                             '[] unstack "b" pdict-open "k" 2 dput "k" dget.\n')
    assert out == "2\n"
    assert err == "run time error: the database of the pdict u is closed\n"


def test_failed_statement_writes_nothing(tmp_path):
    out, err = run(tmp_path, '"u" pdict-open "k" 1 dput "j" 2 dput pop 1 0 /.\n"u" pdict-open dsize.\n', db="f.db")
    assert out == "0\n"
    assert "divisor" in err
