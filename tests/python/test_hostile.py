"""A database file written by someone else: corrupted joy_nodes rows give Joy
errors -- through recall, printing, the joy_list table, re-persisting and
gc -- never a crash or an endless loop."""
import sqlite3

import pytest

from conftest import connect, one

# The value persisted as "x": [1 "s" [2 3] {a: 1}]. Its rows: 1 root ->
# cell 2 (1) -> cell 3 ("s") -> cell 4 ([2 3]: ref 6 -> 7) -> cell 5 (dict: ref 8).
CORRUPTIONS = {
    "a wrong type": "UPDATE joy_nodes SET type = 99 WHERE id = 3",
    "a text where an integer belongs": "UPDATE joy_nodes SET ival = 'one' WHERE id = 2",
    "a dangling next id": "UPDATE joy_nodes SET next_id = 999 WHERE id = 3",
    "a dangling ref id": "UPDATE joy_nodes SET ref_id = 999 WHERE id = 4",
    "a missing string": "DELETE FROM joy_strings",
    "a cycle of cells": "UPDATE joy_nodes SET next_id = 2 WHERE id = 5",
    "a cell that is its own next": "UPDATE joy_nodes SET next_id = 3 WHERE id = 3",
    "a list inside itself": "UPDATE joy_nodes SET ref_id = 2 WHERE id = 4",
    "a root pointing at a cell": "UPDATE joy_roots SET node_id = 3",
    "a dict entry cycle": "UPDATE joy_nodes SET next_id = 8 WHERE id = 8",
    "a wrong kind": "UPDATE joy_nodes SET kind = 7 WHERE id = 6",
}


@pytest.fixture
def corrupted(tmp_path, request):
    path = str(tmp_path / "hostile.db")
    conn = connect(path)
    conn.execute("""SELECT joy_eval('[1 "s" [2 3] {a: 1}] "x" persist')""")
    assert conn.execute("SELECT id, next_id, ref_id FROM joy_nodes ORDER BY id").fetchall() == [
        (1, None, 2), (2, 3, None), (3, 4, None), (4, 5, 6), (5, None, 8), (6, 7, None), (7, None, None),
        (8, None, None)]
    conn.execute(CORRUPTIONS[request.param])
    conn.commit()
    conn.close()
    conn = connect(path)
    conn.execute("SELECT joy_limits(1000000, 64000000, 10000)")
    yield conn
    conn.close()


def outcome(conn, sql):
    """The result of sql, or the text of its error (which must be Joy's)."""
    try:
        return conn.execute(sql).fetchall()
    except sqlite3.Error as e:
        assert str(e).startswith("joy:") or "malformed" not in str(e), e
        return f"error: {e}"


@pytest.mark.parametrize("corrupted", sorted(CORRUPTIONS), indirect=True)
def test_a_corrupted_value_gives_errors_not_crashes(corrupted):
    results = [outcome(corrupted, sql) for sql in (
        """SELECT joy_eval('"x" recall')""",
        """SELECT joy_eval('"x" recall size')""",
        """SELECT joy_eval('"x" recall 0 [pop 1 +] fold')""",
        """SELECT joy_eval('"x" recall "y" persist "y" recall')""",
        "SELECT idx, joy FROM joy_list('x')",
        """SELECT value, json FROM joy_stack('"x" recall')""",
        "SELECT joy_gc()",
        """SELECT joy_eval('"x" recall')""",
    )]
    assert any(isinstance(r, str) and r.startswith("error: joy:") for r in results), results
    # the connection is still usable
    assert one(corrupted, "SELECT joy_eval('[1 2 3] [dup *] map')") == "[1 4 9]"
    assert outcome(corrupted, "PRAGMA integrity_check") == [("ok",)]
