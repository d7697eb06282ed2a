"""SQL functions written in Joy: joy_create_function, joy_create_aggregate,
joy_drop_function, and their registration again from joy_functions."""
import os
import sqlite3
import subprocess
import sys

import pytest

from conftest import ROOT, connect, one


@pytest.fixture
def path(tmp_path):
    return str(tmp_path / "functions.db")


@pytest.fixture
def numbers(db):
    db.execute("CREATE TABLE t(x INTEGER)")
    db.executemany("INSERT INTO t VALUES (?)", [(3,), (1,), (5,), (2,), (4,)])
    db.commit()
    return db


def raises(conn, sql, pattern, *params):
    with pytest.raises(sqlite3.OperationalError, match=pattern):
        conn.execute(sql, params).fetchall()


# ---- scalar functions ----

def test_scalar_function(db):
    assert one(db, "SELECT joy_create_function('sq', 1, 'dup *')") == "sq"
    assert one(db, "SELECT sq(7)") == 49
    assert one(db, "SELECT sq(1.5)") == 2.25
    assert one(db, "SELECT SQ(-3)") == 9  # SQL names ignore case


def test_results_convert_as_joy_eval(db):
    db.execute("SELECT joy_create_function('twice', 1, 'dup [] cons cons')")
    assert one(db, "SELECT twice(1)") == "[1 1]"
    assert one(db, "SELECT twice('a')") == '["a" "a"]'
    db.execute("SELECT joy_create_function('discard', 1, 'pop')")
    assert one(db, "SELECT discard(1)") is None
    db.execute("SELECT joy_create_function('is_nil', 1, 'null')")
    assert one(db, "SELECT is_nil(NULL)") == 1


def test_arguments_are_pushed_first_deepest(db):
    db.execute("SELECT joy_create_function('minus', 2, '-')")
    assert one(db, "SELECT minus(10, 3)") == 7
    db.execute("SELECT joy_create_function('hyp', 2, 'dup * swap dup * + sqrt')")
    assert one(db, "SELECT hyp(3, 4)") == 5.0
    db.execute("SELECT joy_create_function('third', 3, 'pop pop')")
    assert one(db, "SELECT third('a', 'b', 'c')") == "a"


def test_any_number_of_arguments(db):
    db.execute("SELECT joy_create_function('nargs', -1, 'stack size')")
    assert one(db, "SELECT nargs()") == 0
    assert one(db, "SELECT nargs(1, 2, 3)") == 3


def test_wrong_number_of_arguments_is_a_sql_error(db):
    db.execute("SELECT joy_create_function('sq', 1, 'dup *')")
    raises(db, "SELECT sq(1, 2)", "wrong number of arguments")


def test_pure_function_captures_the_definitions_it_uses(db):
    db.execute("SELECT joy_define('cube', 'dup dup * *')")
    db.execute("SELECT joy_create_function('cubed', 1, 'cube')")
    assert one(db, "SELECT cubed(3)") == 27
    db.execute("SELECT joy_define('cube', 'dup dup dup * * *')")  # captured at creation
    assert one(db, "SELECT cubed(2)") == 8
    db.execute("SELECT joy_create_function('cubed', 1, 'cube')")  # created again: captured again
    assert one(db, "SELECT cubed(2)") == 16


def test_effects_function_uses_definitions_as_they_are(db):
    db.execute("SELECT joy_define('cube', 'dup dup * *')")
    db.execute("SELECT joy_create_function('cubed', 1, 'cube', 'effects')")
    assert one(db, "SELECT cubed(3)") == 27
    db.execute("SELECT joy_define('cube', 'dup dup dup * * *')")  # looked up when it runs
    assert one(db, "SELECT cubed(2)") == 16


def test_definitions_in_the_program_are_undone(db):
    db.execute("SELECT joy_create_function('local', 1, 'DEFINE helper == 10 +. helper')")
    assert one(db, "SELECT local(1)") == 11
    raises(db, "SELECT joy_eval('1 helper')", "helper")


def test_syntax_error_is_rejected_at_creation_with_position(db):
    raises(db, "SELECT joy_create_function('bad', 1, 'dup ]')",
           r"^joy: bad: syntax error: .*\(line 1, column 5\)")
    raises(db, "SELECT bad(1)", "no such function")
    assert one(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'joy_functions'") == 0


def test_errors_name_the_function(db):
    db.execute("SELECT joy_create_function('halve', 1, '2 /')")
    raises(db, "SELECT halve('x')", r"^joy: halve: run time error: ")
    db.execute("SELECT joy_create_function('inverse', 1, '1 swap /')")
    raises(db, "SELECT inverse(0)", r"^joy: inverse: run time error: non-zero divisor needed for /")
    assert one(db, "SELECT inverse(2)") == 0  # the connection goes on


def test_limits_apply_per_call(db):
    db.execute("SELECT joy_create_function('forever', 0, '[true] [] while')")
    db.execute("SELECT joy_limits(100000, NULL, NULL)")
    raises(db, "SELECT forever()", r"^joy: forever: run time error: step limit exceeded")


def test_pure_by_default(db):
    db.execute("SELECT joy_create_function('now', 0, 'time')")
    raises(db, "SELECT now()", r"^joy: now: run time error: .*not allowed")
    db.execute("SELECT joy_create_function('say', 1, 'put 1')")
    raises(db, "SELECT say(1)", "not allowed")
    db.execute("SELECT joy_create_function('save', 1, '\"r\" persist 1')")
    raises(db, "SELECT save(1)", "not allowed")


def test_effects_allow_store_and_time(db):
    db.execute("SELECT joy_create_function('now', 0, 'time', 'effects')")
    assert one(db, "SELECT now()") > 0
    db.execute("SELECT joy_create_function('keep', 1, 'dup \"kept\" persist', 'effects')")
    assert one(db, "SELECT keep(42)") == 42
    assert one(db, "SELECT joy_eval('\"kept\" recall')") == 42
    db.execute("SELECT joy_create_function('peek', 0, "
               "'\"SELECT count(*) AS n FROM joy_functions\" [] query first \"n\" dget', 'effects')")
    assert one(db, "SELECT peek()") == 3


def test_effects_function_cannot_read_files_unless_enabled(db, tmp_path):
    target = tmp_path / "f.txt"
    target.write_text("x")
    db.execute("SELECT joy_create_function('opens', 1, '\"r\" fopen', 'effects')")
    raises(db, "SELECT opens(?)", "not allowed", str(target))


def test_management_arguments_are_checked(db):
    raises(db, "SELECT joy_create_function('sq', 1)", "takes")
    raises(db, "SELECT joy_create_function('s q', 1, 'dup *')", "a name")
    raises(db, "SELECT joy_create_function(1, 1, 'dup *')", "a name")
    raises(db, "SELECT joy_create_function('sq', 'one', 'dup *')", "number of arguments")
    raises(db, "SELECT joy_create_function('sq', 1000, 'dup *')", "number of arguments")
    raises(db, "SELECT joy_create_function('sq', 1, NULL)", "a program")
    raises(db, "SELECT joy_create_function('sq', 1, 'dup *', 'loud')", "'effects' or 'pure'")
    raises(db, "SELECT joy_create_aggregate('s', 1, '0', '+')", "takes")
    raises(db, "SELECT joy_create_aggregate('s', 1, '0', 2, '')", "the step program")


def test_sql_and_extension_names_are_refused(db):
    raises(db, "SELECT joy_create_function('abs', 1, 'dup')", "abs is a built-in SQL function")
    raises(db, "SELECT joy_create_function('JOY_EVAL', 1, 'dup')", "name of the Joy extension")
    raises(db, "SELECT joy_create_function('joy', 1, 'dup')", "name of the Joy extension")
    assert one(db, "SELECT abs(-2)") == 2


def test_created_again_replaces_in_place(db):
    db.execute("SELECT joy_create_function('f', 1, 'dup *')")
    assert one(db, "SELECT f(3)") == 9
    db.execute("SELECT joy_create_function('f', 1, 'dup +')")
    assert one(db, "SELECT f(3)") == 6
    assert one(db, "SELECT count(*) FROM joy_functions") == 1


def test_created_again_with_other_arguments(db):
    db.execute("SELECT joy_create_function('f', 1, 'dup *')")
    db.execute("SELECT joy_create_function('f', 2, '*')")
    assert one(db, "SELECT f(3, 4)") == 12
    raises(db, "SELECT f(3)", r"^joy: f: the function now takes 2 argument")


def test_another_kind_under_a_registered_name_needs_a_new_connection(db):
    db.execute("SELECT joy_create_function('f', 1, 'dup *')")
    raises(db, "SELECT joy_create_aggregate('f', 1, '0', '+', '')", "cannot register f")
    assert one(db, "SELECT f(3)") == 9  # unchanged, and so is the table
    assert one(db, "SELECT kind FROM joy_functions WHERE name = 'f'") == "scalar"


def test_joy_functions_table(db):
    db.execute("SELECT joy_create_function('sq', 1, 'dup *')")
    db.execute("SELECT joy_create_function('now', 0, 'time', 'effects')")
    db.execute("SELECT joy_create_aggregate('jsum', 1, '0', '+', '', '-')")
    rows = db.execute("SELECT name, kind, n_args, programs, flags FROM joy_functions ORDER BY name").fetchall()
    assert rows == [
        ("jsum", "window", 1, '{"init":"0","step":"+","final":"","inverse":"-","words":{}}', "pure"),
        ("now", "scalar", 0, '{"program":"time"}', "effects"),
        ("sq", "scalar", 1, '{"program":"dup *","words":{}}', "pure"),
    ]
    assert one(db, "SELECT typeof(created_at) FROM joy_functions LIMIT 1") == "integer"


def test_failed_creation_writes_nothing(db):
    db.execute("SELECT joy_create_function('sq', 1, 'dup *')")
    raises(db, "SELECT joy_create_function('sq', 1, '[')", "syntax error")
    assert one(db, "SELECT programs FROM joy_functions") == '{"program":"dup *","words":{}}'
    assert one(db, "SELECT sq(4)") == 16


# ---- aggregates and windows ----

JLIST = "SELECT joy_create_aggregate('jlist', 1, '[]', 'swap cons', '[] swap [swap cons] step')"


def test_aggregate_issue_example(numbers):
    assert one(numbers, JLIST) == "jlist"
    assert one(numbers, "SELECT jlist(x) FROM (SELECT x FROM t ORDER BY x LIMIT 3)") == "[1 2 3]"
    assert one(numbers, "SELECT jlist(x) FROM (SELECT x FROM t ORDER BY x)") == "[1 2 3 4 5]"


def test_aggregate_over_no_rows_runs_init_and_final(numbers):
    numbers.execute(JLIST)
    assert one(numbers, "SELECT jlist(x) FROM t WHERE x > 100") == "[]"


def test_aggregate_final_empty_keeps_the_accumulator(numbers):
    numbers.execute("SELECT joy_create_aggregate('jsum', 1, '0', '+', '')")
    assert one(numbers, "SELECT jsum(x) FROM t") == 15
    numbers.execute("SELECT joy_create_aggregate('jmax', 1, '0', 'max', '')")
    assert one(numbers, "SELECT jmax(x) FROM t") == 5


def test_aggregate_group_by(numbers):
    numbers.execute(JLIST)
    rows = numbers.execute("SELECT x % 2, jlist(x) FROM (SELECT x FROM t ORDER BY x) GROUP BY x % 2 "
                           "ORDER BY 1").fetchall()
    assert rows == [(0, "[2 4]"), (1, "[1 3 5]")]


def test_aggregate_with_several_arguments(numbers):
    numbers.execute("SELECT joy_create_aggregate('dot', 2, '0', '* +', '')")
    assert one(numbers, "SELECT dot(x, x + 1) FROM t") == sum(x * (x + 1) for x in range(1, 6))


def test_aggregate_mean(numbers):
    numbers.execute("SELECT joy_create_aggregate('mean', 1, '[0 0]', "
                    "'swap uncons first [+] dip 1 + [] cons cons', 'uncons first /')")
    assert one(numbers, "SELECT mean(x * 1.0) FROM t") == 3.0


def test_aggregate_in_place_dict_accumulator(db):
    db.execute("CREATE TABLE w(word TEXT)")
    db.executemany("INSERT INTO w VALUES (?)", [("a",), ("b",), ("a",), ("c",), ("a",)])
    db.execute("SELECT joy_create_aggregate('tally', 1, 'dempty', 'over over 0 dgetd 1 + dput', '>json')")
    assert one(db, "SELECT tally(word) FROM w") == '{"a":3,"b":1,"c":1}'


def test_aggregate_errors_name_the_function(numbers):
    numbers.execute("SELECT joy_create_aggregate('jsum', 1, '0', '+', '')")
    numbers.execute("INSERT INTO t VALUES ('text')")
    raises(numbers, "SELECT jsum(x) FROM t", r"^joy: jsum: run time error: ")
    numbers.execute("SELECT joy_create_aggregate('empty', 1, '', '+', '')")
    raises(numbers, "SELECT empty(x) FROM t", r"^joy: empty: run time error: the init program left")
    numbers.execute("SELECT joy_create_aggregate('lost', 1, '0', 'pop pop', '')")
    raises(numbers, "SELECT lost(x) FROM t", r"^joy: lost: run time error: the step program left no")


def test_aggregate_syntax_error_names_the_program(db):
    raises(db, "SELECT joy_create_aggregate('a', 1, '0', '+ ]', '')",
           r"^joy: a: step program: syntax error: .*\(line 1, column 3\)")


def test_aggregate_is_pure(numbers):
    numbers.execute("SELECT joy_create_aggregate('stamp', 1, 'time', '+', '')")
    raises(numbers, "SELECT stamp(x) FROM t", "not allowed")


def test_window_function_frames(numbers):
    numbers.execute("SELECT joy_create_aggregate('jsum', 1, '0', '+', '', '-')")
    for frame in ["ROWS BETWEEN 1 PRECEDING AND CURRENT ROW",
                  "ROWS BETWEEN 2 PRECEDING AND 1 FOLLOWING",
                  "ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW",
                  "ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING",
                  "RANGE BETWEEN 1 PRECEDING AND 1 FOLLOWING"]:
        ours = numbers.execute(f"SELECT x, jsum(x) OVER (ORDER BY x {frame}) FROM t ORDER BY x").fetchall()
        native = numbers.execute(f"SELECT x, sum(x) OVER (ORDER BY x {frame}) FROM t ORDER BY x").fetchall()
        assert ours == native, frame


def test_window_sliding_list(numbers):
    numbers.execute("SELECT joy_create_aggregate('jwin', 1, '[]', '[] cons concat', '', 'pop rest')")
    rows = numbers.execute("SELECT x, jwin(x) OVER (ORDER BY x ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) "
                           "FROM t ORDER BY x").fetchall()
    assert rows == [(1, "[1]"), (2, "[1 2]"), (3, "[2 3]"), (4, "[3 4]"), (5, "[4 5]")]


def test_window_with_partitions(numbers):
    numbers.execute("SELECT joy_create_aggregate('jsum', 1, '0', '+', '', '-')")
    rows = numbers.execute("SELECT x, jsum(x) OVER (PARTITION BY x % 2 ORDER BY x) FROM t ORDER BY x").fetchall()
    assert rows == [(1, 1), (2, 2), (3, 4), (4, 6), (5, 9)]


def test_window_value_does_not_consume_the_accumulator(numbers):
    # final mutates what it gets; the running accumulator must not change
    numbers.execute("SELECT joy_create_aggregate('jl', 1, '[]', 'swap cons', '[] swap [swons] step', "
                    "'pop rest')")
    rows = numbers.execute("SELECT x, jl(x) OVER (ORDER BY x ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) "
                           "FROM t ORDER BY x").fetchall()
    assert rows[-1] == (5, "[1 2 3 4 5]")


def test_aggregate_without_inverse_is_not_a_window_function(numbers):
    numbers.execute(JLIST)
    raises(numbers, "SELECT jlist(x) OVER (ORDER BY x) FROM t", "may not be used as a window function")


# ---- dropping ----

def test_drop_function(path):
    conn = connect(path)
    conn.execute("SELECT joy_create_function('sq', 1, 'dup *')")
    assert one(conn, "SELECT joy_drop_function('sq')") == "sq"
    assert one(conn, "SELECT count(*) FROM joy_functions") == 0
    raises(conn, "SELECT sq(2)", r"^joy: sq: the function was dropped")
    raises(conn, "SELECT joy_drop_function('sq')", "no function sq")
    conn.commit()
    conn.close()
    conn = connect(path)
    raises(conn, "SELECT sq(2)", "no such function: sq")
    conn.close()


def test_drop_then_create_again(db):
    db.execute("SELECT joy_create_function('sq', 1, 'dup *')")
    db.execute("SELECT joy_drop_function('sq')")
    db.execute("SELECT joy_create_function('sq', 1, 'dup +')")
    assert one(db, "SELECT sq(5)") == 10


def test_drop_unknown(db):
    raises(db, "SELECT joy_drop_function('nope')", "no function nope was made with joy_create_function")


# ---- registration again ----

def make_saved_functions(path):
    conn = connect(path)
    conn.execute("SELECT joy_define('cube', 'dup dup * *')")
    conn.execute("SELECT joy_create_function('cubed', 1, 'cube')")
    conn.execute(JLIST)
    conn.execute("SELECT joy_create_aggregate('jsum', 1, '0', '+', '', '-')")
    conn.execute("CREATE TABLE t(x INTEGER)")
    conn.executemany("INSERT INTO t VALUES (?)", [(1,), (2,), (3,)])
    conn.commit()
    conn.close()


def test_registered_again_in_a_new_connection(path):
    make_saved_functions(path)
    conn = connect(path)
    assert one(conn, "SELECT cubed(3)") == 27
    assert one(conn, "SELECT jlist(x) FROM (SELECT x FROM t ORDER BY x)") == "[1 2 3]"
    assert conn.execute("SELECT jsum(x) OVER (ORDER BY x ROWS 1 PRECEDING) FROM t").fetchall() == [(1,), (3,), (5,)]
    conn.close()


def test_registered_again_in_a_new_process(path):
    make_saved_functions(path)
    script = ("import sys; sys.path.insert(0, sys.argv[1]); from conftest import connect; "
              "c = connect(sys.argv[2]); "
              "print(c.execute('SELECT cubed(4), jlist(x) FROM (SELECT x FROM t ORDER BY x)').fetchone())")
    proc = subprocess.run([sys.executable, "-c", script, os.path.join(ROOT, "tests", "python"), path],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "(64, '[1 2 3]')"


def test_registered_again_read_only(path):
    make_saved_functions(path)
    conn = connect(f"file:{path}?mode=ro", uri=True)
    assert one(conn, "SELECT cubed(2)") == 8
    raises(conn, "SELECT joy_create_function('sq', 1, 'dup *')", "readonly")
    conn.close()


def test_loading_without_the_table(path):
    conn = connect(path)
    assert one(conn, "SELECT joy_eval('1 2 +')") == 3
    assert one(conn, "SELECT count(*) FROM sqlite_schema") == 0  # loading created nothing
    conn.close()
    open(path, "wb").close()
    conn = connect(f"file:{path}?mode=ro", uri=True)
    assert one(conn, "SELECT joy('1 2 +')") == 3
    conn.close()


def test_host_functions_are_not_replaced_by_the_database(path):
    make_saved_functions(path)
    conn = sqlite3.connect(path)
    conn.create_function("cubed", 1, lambda x: -1)
    conn.enable_load_extension(True)
    conn.load_extension(os.path.join(os.path.dirname(__import__("conftest").EXTENSION), "joy"))
    assert one(conn, "SELECT cubed(3)") == -1
    assert one(conn, "SELECT jlist(x) FROM t") is not None  # the others are registered
    conn.close()


def test_unusable_rows_are_left_out(path):
    make_saved_functions(path)
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO joy_functions VALUES ('odd', 'sorcery', 1, '{}', 'pure', 0)")
    conn.execute("INSERT INTO joy_functions VALUES ('lower', 'scalar', 1, '{\"program\":\"dup\"}', 'pure', 0)")
    conn.execute("INSERT INTO joy_functions VALUES ('worse', 'scalar', 1, 'not json', 'pure', 0)")
    conn.commit()
    conn.close()
    conn = connect(path)
    assert one(conn, "SELECT cubed(2)") == 8
    assert one(conn, "SELECT lower('ABC')") == "abc"  # SQLite's own
    raises(conn, "SELECT odd(1)", "no such function")
    raises(conn, "SELECT worse(1)", "no such function")
    conn.close()


def test_saved_syntax_error_reported_when_called(path):
    make_saved_functions(path)
    conn = sqlite3.connect(path)
    conn.execute("UPDATE joy_functions SET programs = '{\"program\":\"dup ]\"}' WHERE name = 'cubed'")
    conn.commit()
    conn.close()
    conn = connect(path)
    raises(conn, "SELECT cubed(1)", r"^joy: cubed: syntax error: .*\(line 1, column 5\)")
    conn.close()


def test_definition_changed_by_another_connection(path):
    make_saved_functions(path)
    a = connect(path)
    b = connect(path)
    assert one(a, "SELECT cubed(2)") == 8
    assert a.execute("SELECT cubed(x) FROM t").fetchall() == [(1,), (8,), (27,)]
    a.execute("SELECT joy_create_function('cubed_now', 1, 'cube', 'effects')")
    b.execute("SELECT joy_define('cube', 'dup *')")
    b.commit()
    assert one(a, "SELECT cubed(2)") == 8  # pure: the definition captured at creation
    assert one(a, "SELECT cubed_now(2)") == 4
    assert a.execute("SELECT cubed_now(x) FROM t").fetchall() == [(1,), (4,), (9,)]
    b.execute("SELECT joy_define('cube', 'dup dup + +')")
    b.commit()
    assert a.execute("SELECT cubed_now(x) FROM t").fetchall() == [(3,), (6,), (9,)]
    assert a.execute("SELECT cubed(x) FROM t").fetchall() == [(1,), (8,), (27,)]
    a.close()
    b.close()


# ---- views, indexes, generated columns, trusted_schema ----

def test_view_over_pure_function_with_trusted_schema_off(path):
    make_saved_functions(path)
    conn = connect(path)
    conn.execute("CREATE VIEW cubes AS SELECT x, cubed(x) AS c FROM t")
    conn.execute("CREATE VIEW sums AS SELECT jlist(x) AS l FROM (SELECT x FROM t ORDER BY x)")
    conn.execute("CREATE VIEW evals AS SELECT joy_eval('dup *', x) AS e FROM t")
    conn.execute("SELECT joy_create_function('noisy', 1, 'time', 'effects')")
    conn.execute("CREATE VIEW noisy_view AS SELECT noisy(x) FROM t")
    conn.commit()
    conn.close()
    conn = connect(path)
    conn.execute("PRAGMA trusted_schema=OFF")
    assert conn.execute("SELECT c FROM cubes ORDER BY x").fetchall() == [(1,), (8,), (27,)]
    assert one(conn, "SELECT l FROM sums") == "[1 2 3]"
    raises(conn, "SELECT * FROM evals", "unsafe use of joy_eval")
    raises(conn, "SELECT * FROM noisy_view", "unsafe use of noisy")
    conn.close()


def test_index_and_generated_column(numbers):
    numbers.execute("SELECT joy_create_function('sq', 1, 'dup *')")
    numbers.execute("CREATE INDEX t_sq ON t(sq(x))")
    plan = " ".join(r[3] for r in numbers.execute("EXPLAIN QUERY PLAN SELECT x FROM t WHERE sq(x) = 16"))
    assert "t_sq" in plan
    assert one(numbers, "SELECT x FROM t WHERE sq(x) = 16") == 4
    numbers.execute("CREATE TABLE g(x INTEGER, y AS (sq(x)))")
    numbers.execute("INSERT INTO g(x) VALUES (6)")
    assert one(numbers, "SELECT y FROM g") == 36


def test_effects_function_is_direct_only(numbers):
    numbers.execute("SELECT joy_create_function('now', 0, 'time', 'effects')")
    raises(numbers, "CREATE INDEX bad ON t(now())", "non-deterministic|unsafe")
    numbers.execute("CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT now(); END")
    raises(numbers, "INSERT INTO t VALUES (9)", "unsafe use of now")


def test_management_functions_are_direct_only(numbers):
    numbers.execute("CREATE VIEW maker AS SELECT joy_create_function('sq', 1, 'dup *')")
    raises(numbers, "SELECT * FROM maker", "unsafe use of joy_create_function")


def test_nested_call_is_refused(db):
    db.execute("SELECT joy_create_function('sq', 1, 'dup *')")
    db.execute("SELECT joy_create_function('wrapper', 1, "
               "'\"SELECT sq(3) AS v\" [] query first \"v\" dget', 'effects')")
    raises(db, "SELECT wrapper(1)", r"^joy: wrapper: run time error: .*while Joy is running")
    assert one(db, "SELECT sq(3)") == 9


def test_a_database_registers_at_most_ten_thousand_functions(tmp_path):
    """SQLite's function lookup slows with each function registered: a
    file of 300,000 saved functions took minutes to load. One registers at
    most 10,000 (the first by name), and no more can be created."""
    path = str(tmp_path / "many.db")
    maker = connect(path)
    maker.execute("SELECT joy_create_function('f0', 1, 'dup *')")
    maker.execute("INSERT INTO joy_functions SELECT 'f' || n, kind, n_args, programs, flags, created_at "
                  "FROM joy_functions, (WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c "
                  "WHERE n < 30000) SELECT n AS n FROM c)")
    maker.commit()
    maker.close()
    victim = connect(path)
    assert victim.execute("SELECT f0(7), f10(3)").fetchone() == (49, 9)
    with pytest.raises(sqlite3.OperationalError, match="no such function"):
        victim.execute("SELECT f9999(2)").fetchone()  # past the first 10,000 by name
    with pytest.raises(sqlite3.OperationalError, match="at most 10000 Joy functions"):
        victim.execute("SELECT joy_create_function('another', 1, 'dup')").fetchone()
    victim.close()


def test_a_function_an_index_uses_is_not_changed_or_dropped(numbers):
    numbers.execute("SELECT joy_create_function('sqf', 1, 'dup *')")
    numbers.execute("CREATE INDEX tf ON t(sqf(x))")
    # the same function again changes nothing, and is allowed
    assert one(numbers, "SELECT joy_create_function('sqf', 1, 'dup *')") == "sqf"
    raises(numbers, "SELECT joy_create_function('sqf', 1, 'dup dup * *')",
           r"sqf cannot be made again with another program while index main\.tf calls it")
    raises(numbers, "SELECT joy_drop_function('sqf')", r"sqf cannot be dropped while index main\.tf calls it")
    numbers.execute("BEGIN")
    raises(numbers, "SELECT joy_create_function('sqf', 1, 'pop 0')", "cannot be made again")
    numbers.execute("ROLLBACK")
    numbers.execute("INSERT INTO t VALUES (1000)")
    assert one(numbers, "PRAGMA integrity_check") == "ok"
    assert one(numbers, "SELECT count(*) FROM t WHERE sqf(x) = sqf(1000)") == 1
    numbers.execute("DROP INDEX tf")
    assert one(numbers, "SELECT joy_create_function('sqf', 1, 'dup dup * *')") == "sqf"
    assert one(numbers, "SELECT sqf(2)") == 8


def test_a_function_a_generated_column_uses_is_not_changed(numbers):
    numbers.execute("SELECT joy_create_function('sq', 1, 'dup *')")
    numbers.execute("CREATE TABLE g(x INTEGER, y AS (sq(x)) STORED)")
    raises(numbers, "SELECT joy_create_function('sq', 1, '1 +')", r"while table main\.g calls it")


def test_a_saved_pure_function_without_words_sees_no_stored_word(path):
    conn = connect(path)
    conn.execute("SELECT joy_define('sq', 'dup *')")
    conn.execute("SELECT joy_create_function('sqf', 1, 'sq')")
    conn.execute("""UPDATE joy_functions SET programs = '{"program":"sq"}' WHERE name = 'sqf'""")  # an old row
    conn.commit()
    conn.close()
    conn = connect(path)
    raises(conn, "SELECT sqf(3)", "definition needed for sq")
    assert one(conn, "SELECT joy_create_function('sqg', 1, 'sq')") == "sqg"  # a new one captures sq
    assert one(conn, "SELECT sqg(3)") == 9


def test_a_rolled_back_transaction_takes_its_function_changes_back(path):
    conn = connect(path, isolation_level=None)
    conn.execute("BEGIN")
    conn.execute("SELECT joy_create_function('f1', 1, 'dup *')")
    assert one(conn, "SELECT f1(3)") == 9
    conn.execute("ROLLBACK")
    raises(conn, "SELECT f1(3)", "the transaction that made the function was rolled back")
    conn.execute("SELECT joy_create_function('f2', 1, 'dup *')")  # committed on its own
    conn.execute("BEGIN")
    conn.execute("SELECT joy_create_function('f2', 1, 'dup dup * *')")
    assert one(conn, "SELECT f2(2)") == 8
    conn.execute("ROLLBACK")
    assert one(conn, "SELECT f2(2)") == 4
    conn.execute("BEGIN")
    conn.execute("SELECT joy_drop_function('f2')")
    raises(conn, "SELECT f2(2)", "dropped")
    conn.execute("ROLLBACK")
    assert one(conn, "SELECT f2(2)") == 4
    assert one(conn, "SELECT count(*) FROM joy_functions") == 1
    conn.execute("BEGIN")
    conn.execute("SELECT joy_create_function('f3', 1, '1 +')")
    conn.execute("COMMIT")
    assert one(conn, "SELECT f3(1)") == 2


def test_a_function_an_index_uses_is_not_made_again_under_another_arity(numbers):
    numbers.execute("SELECT joy_create_function('sqf', 1, 'dup *')")
    numbers.execute("CREATE INDEX tf ON t(sqf(x))")
    for arity in (2, -1):
        raises(numbers, f"SELECT joy_create_function('sqf', {arity}, 'pop')", "while index main.tf calls it")
    assert one(numbers, "PRAGMA integrity_check") == "ok"
