"""A host that calls setlocale() with a decimal comma (de_DE) gets the same
numbers as one in the C locale: Joy reads and writes "1.5", never "1,5".

The locale is generated with localedef into a folder of the test's own (the
`locales` package has the sources), and each case runs in a child process so
the locale never leaks into other tests."""
import os
import subprocess
import sys
import textwrap

import pytest

from conftest import EXTENSION


@pytest.fixture(scope="module")
def locpath(tmp_path_factory):
    folder = tmp_path_factory.mktemp("locales")
    made = subprocess.run(["localedef", "-i", "de_DE", "-f", "UTF-8", str(folder / "de_DE.UTF-8")],
                          capture_output=True)
    if not (folder / "de_DE.UTF-8").exists():
        pytest.skip("localedef could not make de_DE.UTF-8 (is the locales package installed?): "
                    + made.stderr.decode(errors="replace"))
    return str(folder)


def run_in_german(locpath, body, db=":memory:"):
    """Runs body with `conn` (Joy loaded) after setlocale(LC_ALL, de_DE); returns stdout."""
    program = textwrap.dedent("""
        import locale, sqlite3
        locale.setlocale(locale.LC_ALL, "de_DE.UTF-8")
        assert locale.localeconv()["decimal_point"] == ","
        conn = sqlite3.connect(%r)
        conn.enable_load_extension(True)
        conn.load_extension(%r)
        def q(sql, *args):
            return conn.execute(sql, args).fetchone()[0]
    """) % (db, EXTENSION) + textwrap.dedent(body)
    env = dict(os.environ, LOCPATH=locpath)
    done = subprocess.run(["/usr/bin/python3", "-c", program], capture_output=True, text=True, env=env,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_arithmetic_and_printing(locpath):
    out = run_in_german(locpath, """
        print(q("SELECT joy_eval('1.5 2.25 +')"))
        print(q("SELECT joy_eval('[3.141592653589793 0.1]')"))
        print(q("SELECT joy_eval(?, ?)", "2 *", 1.25))
        print(q("SELECT joy_eval('1.0e300 10.0 *')"))
    """)
    assert out.split("\n")[:4] == ["3.75", "[3.141592653589793 0.1]", "2.5", "1e+301"]


def test_strtod_format_and_json(locpath):
    out = run_in_german(locpath, """
        print(q("SELECT joy_eval('\\"2.5\\" strtod')"))
        print(q("SELECT joy_eval('2.5 ''f 8 3 formatf')"))
        print(q("SELECT joy_eval('1.5 >json')"))
        print(q("SELECT joy_eval('\\"[1.5, 2e-3]\\" json>')"))
    """)
    assert out.split("\n")[:4] == ["2.5", "   2.500", "1.5", "[1.5 0.002]"]


def test_stored_floats_read_back_the_same_elsewhere(locpath, tmp_path):
    path = str(tmp_path / "g.db")
    run_in_german(locpath, """
        q("SELECT joy_define('half', '0.5 *')")
        q("SELECT joy_eval('[1.5 2.75] \\"xs\\" persist')")
        q("SELECT joy_eval('\\"kv\\" pdict-open \\"pi\\" 3.25 dput pop')")
        conn.commit()
        print(q("SELECT joy_eval('3 half')"))
    """, db=path)
    # A host in the C locale (this process) sees the same numbers.
    from conftest import connect
    conn = connect(path)
    try:
        assert conn.execute("SELECT joy_eval('3 half')").fetchone()[0] == 1.5
        assert conn.execute("SELECT joy_eval('\"xs\" recall')").fetchone()[0] == "[1.5 2.75]"
        assert conn.execute("SELECT joy_eval('\"kv\" pdict-open \"pi\" dget')").fetchone()[0] == 3.25
        assert conn.execute("SELECT joy FROM joy_list('xs') LIMIT 1").fetchone()[0] == "1.5"
    finally:
        conn.close()
