"""Shared fixtures: a connection of /usr/bin/python3's sqlite3 with build/joy loaded."""
import os
import sqlite3

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# JOY_BUILD_DIR chooses another build (scripts/run_tests.py sets it; `make asan`).
BUILD = os.path.join(ROOT, os.environ.get("JOY_BUILD_DIR", "build"))
EXTENSION = os.path.join(BUILD, "joy")
# Time bounds in tests are multiplied by this: a sanitizer build (`make asan`)
# runs several times slower.
TIME_SCALE = float(os.environ.get("JOY_TIME_SCALE", "1"))


def connect(path=":memory:", **kwargs):
    conn = sqlite3.connect(path, **kwargs)
    conn.enable_load_extension(True)
    conn.load_extension(EXTENSION)
    conn.enable_load_extension(False)
    return conn


@pytest.fixture
def db():
    conn = connect()
    yield conn
    conn.close()


def one(conn, sql, *params):
    """The single value of a one-row, one-column query."""
    return conn.execute(sql, params).fetchone()[0]
