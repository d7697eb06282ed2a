"""Two connections on two threads run Joy at the same time, each with its
own definitions; closing connections frees their interpreters."""
import sqlite3
import threading

from conftest import connect, one


def worker(n, results, errors):
    try:
        conn = connect()
        one(conn, f"SELECT joy_eval('DEFINE k == {n}.')")
        total = 0
        for i in range(2000):
            total += one(conn, "SELECT joy_eval('[k +] map 0 [+] fold', json_array(?, ?, ?))", i, i, i)
        # a longer run each, so both threads are inside Joy together
        big = one(conn, "SELECT joy_eval('[] 200000 [k swap cons] times 0 [+] fold')")
        results[n] = (total, big)
        conn.close()
    except Exception as e:  # reported by the main thread
        errors.append(e)


def test_two_threads_two_connections():
    results, errors = {}, []
    threads = [threading.Thread(target=worker, args=(n, results, errors)) for n in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    for n in (1, 2):
        assert results[n] == (sum(3 * i + 3 * n for i in range(2000)), 200000 * n)


def test_many_connections_opened_and_closed():
    for _ in range(200):
        conn = connect()
        assert one(conn, "SELECT joy_eval('DEFINE sq == dup *. 3 sq')") == 9
        conn.close()


def test_connection_closed_with_open_table_cursor():
    conn = connect()
    cur = conn.execute("SELECT value FROM joy_stack('[1 2 3] 4 5')")
    assert cur.fetchone() == (5,)
    conn.close()  # Python finalizes the statement first; nothing must crash


def test_printing_a_recalled_list_leaves_nothing_open(tmp_path):
    # Results are printed after the call ends, reading the list in; the
    # statements that takes must not keep the closed connection alive
    # (sqlite3_close_v2 would leave it open, holding the file).
    path = str(tmp_path / "w.db")
    conn = connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("""SELECT joy_eval('[1 [2 3] "four"] "x" persist')""")
    conn.close()
    for sql in ("""SELECT joy_eval('"x" recall')""", """SELECT joy_json('"x" recall')""",
                """SELECT value FROM joy_stack('"x" recall')""", "SELECT joy FROM joy_list('x')"):
        conn = connect(path)
        assert conn.execute(sql).fetchall()
        conn.close()
        # leaving WAL mode needs every other connection to the file closed
        other = sqlite3.connect(path, timeout=0.2)
        assert other.execute("PRAGMA journal_mode=DELETE").fetchone() == ("delete",), sql
        other.execute("PRAGMA journal_mode=WAL")
        other.close()
