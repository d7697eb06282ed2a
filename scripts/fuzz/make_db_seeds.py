#!/usr/bin/python3
"""Write the seed database files of the dbfile fuzz target.

  scripts/fuzz/make_db_seeds.py [BUILD_DIR]

Makes small database files (512-byte pages, vacuumed) in
tests/fuzz/corpus/dbfile/ with build/joy (or BUILD_DIR/joy) loaded:
definitions, a persisted list and dict, a pdict, SQL functions written in
Joy, views that call them, and hostile ones. Run after `make`; the files
are committed, so this is needed only to change them.
"""
import os
import sqlite3
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "fuzz", "corpus", "dbfile")
EXTENSION = os.path.join(ROOT, sys.argv[1] if len(sys.argv) > 1 else "build", "joy")

# A literal nested N deep: the reader and printer on a small stack.
def nested(n):
    return f"replace(hex(zeroblob({n})),'00','[')||'1'||replace(hex(zeroblob({n})),'00',']')"


NESTED = nested(3000)

SEEDS = {
    # What a Joy user's database holds, and views a reader would open.
    "basic.db": [
        "SELECT joy_define('sq', 'dup *')",
        "SELECT joy_define('cube', 'dup sq *')",
        "SELECT joy_define('xs-sum', '\"xs\" recall 0 [+] fold')",
        """SELECT joy_eval('[1 2 3 "four" [5 6] {a: 7}] "xs" persist')""",
        """SELECT joy_eval('{name: "ann", tags: [1 2]} "d" persist')""",
        """SELECT joy_eval('"users" pdict-open "alice" {age: 30} dput "bob" [1 2.5] dput pop')""",
        """SELECT joy_eval('"events" plist-open 1 pappend "two" pappend pop')""",
        "SELECT joy_create_function('cubed', 1, 'dup dup * *')",
        "SELECT joy_create_function('hyp', 2, 'dup * swap dup * + sqrt')",
        "SELECT joy_create_aggregate('jsum', 1, '0', '+', '')",
        "SELECT joy_create_aggregate('jcount', 1, '0', 'pop 1 +', '', '-1 +')",
        "CREATE VIEW v_pure AS SELECT joy('[1 2 3] [dup *] map') AS r",
        "CREATE VIEW v_each AS SELECT * FROM joy_each('[1 \"two\" 3.0 {k: [4]}]')",
        "CREATE VIEW v_fn AS SELECT cubed(3) AS a, hyp(3, 4) AS b",
        "CREATE VIEW v_agg AS SELECT jsum(value) AS s FROM json_each('[1,2,3]')",
        "CREATE VIEW v_list AS SELECT * FROM joy_list('xs')",
        "CREATE VIEW v_dict AS SELECT * FROM joy_dict('users')",
        # DIRECTONLY: refused in a view.
        "CREATE VIEW v_eval AS SELECT joy_eval('1 2 +') AS r",
    ],
    # A function with effects, and views that try to reach it.
    "effects.db": [
        "SELECT joy_define('tick', '1 \"n\" persist')",
        "SELECT joy_create_function('bump', 1, '\"n\" persist 0', 'effects')",
        "SELECT joy_create_function('rec', 1, 'dup 0 > [1 - rec] [] branch')",
        "CREATE TABLE t(x)",
        "INSERT INTO t VALUES (1), ('[1 2'), (x'00ff'), (2.5), (NULL)",
        "CREATE VIEW v_bump AS SELECT bump(x) FROM t",
        "CREATE VIEW v_rec AS SELECT rec(5)",
        "CREATE VIEW v_run AS SELECT joy_run('1 .')",
        "CREATE VIEW v_stack AS SELECT * FROM joy_stack('1 2 3')",
        "CREATE VIEW v_pure_t AS SELECT joy('dup [] cons', x) FROM t",
    ],
    # Deep nesting, in a view and in a stored definition and value.
    "nested.db": [
        f"CREATE VIEW v_deep AS SELECT joy({NESTED}) AS r",
        f"CREATE VIEW v_deep_each AS SELECT * FROM joy_each({NESTED})",
        f"SELECT joy_define('deep', {NESTED})",
        # (a row per level: fewer levels, so that the file stays under max_len)
        f"SELECT joy_eval({nested(1500)} || ' \"deep\" persist')",
    ],
    # Triggers that fire when the extension writes its own tables (a
    # function with effects persisting, joy_gc deleting): they take strings
    # and nodes away under it, or add rows it did not write.
    "triggers.db": [
        """SELECT joy_eval('[1 "s" [2 "t"] {a: "u"}] "x" persist')""",
        "SELECT joy_define('w', '\"x\" recall')",
        "SELECT joy_create_function('keep', 1, '[] cons \"k\" persist \"k\" recall', 'effects')",
        "SELECT joy_create_function('sz', 1, 'size')",
        "CREATE TRIGGER t_nodes AFTER INSERT ON joy_nodes BEGIN DELETE FROM joy_strings WHERE id % 2 = 0; END",
        "CREATE TRIGGER t_roots AFTER UPDATE ON joy_roots BEGIN SELECT sz('[1 2 3]'), joy('[1] first'); END",
        "CREATE TRIGGER t_gc AFTER DELETE ON joy_nodes BEGIN "
        "INSERT OR IGNORE INTO joy_nodes(id, kind, type, ref_id) VALUES (old.id + 1000, 1, 9, old.id); END",
        "CREATE TRIGGER t_strings BEFORE INSERT ON joy_strings BEGIN "
        "UPDATE joy_nodes SET next_id = new.id WHERE kind = 1; END",
        "CREATE VIEW v_w AS SELECT sz(joy('[1 2]'))",
    ],
    # A persisted value whose rows loop: a cell that is its own next.
    "cycle.db": [
        """SELECT joy_eval('[1 "s" [2 3] {a: 1}] "x" persist')""",
        "UPDATE joy_nodes SET next_id = 3 WHERE id = 3",
        "UPDATE joy_nodes SET ref_id = 2 WHERE id = 4",
        "CREATE VIEW v_x AS SELECT * FROM joy_list('x')",
    ],
}


def make(name, statements):
    path = os.path.join(OUT, name)
    with tempfile.TemporaryDirectory() as tmp:
        work = os.path.join(tmp, name)
        conn = sqlite3.connect(work, isolation_level=None)
        conn.execute("PRAGMA page_size=512")
        conn.execute("PRAGMA journal_mode=DELETE")
        conn.enable_load_extension(True)
        conn.load_extension(EXTENSION)
        conn.enable_load_extension(False)
        for sql in statements:
            conn.execute(sql).fetchall()
        conn.execute("VACUUM")
        conn.close()
        with open(work, "rb") as f:
            data = f.read()
    with open(path, "wb") as f:
        f.write(data)
    print(f"{os.path.relpath(path, ROOT)}: {len(data)} bytes")


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, statements in SEEDS.items():
        make(name, statements)


if __name__ == "__main__":
    main()
