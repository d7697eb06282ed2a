"""Persistent Joy for Python's sqlite3: the Joy programming language inside SQLite.

    import sqlite3, persistent_joy
    conn = sqlite3.connect("app.db")
    persistent_joy.load(conn)
    conn.execute("SELECT joy_eval('[1 2 3] [dup *] map')").fetchone()   # ('[1 4 9]',)

The connection's Python must allow loading extensions (Debian's
/usr/bin/python3 does).
"""
import os

__all__ = ["load", "path"]


def path():
    """The loadable file of the extension (what conn.load_extension takes)."""
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "joy.so")


def load(conn):
    """Loads the extension into `conn`; extension loading is left off after."""
    conn.enable_load_extension(True)
    try:
        conn.load_extension(path())
    finally:
        conn.enable_load_extension(False)
