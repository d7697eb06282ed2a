"""Node.js as a host: the `sqlite3` package (node-sqlite3) loads build/joy.so.

The package is installed once from the npm registry into build/node_host
(about a minute: it builds its own SQLite); the test is skipped, saying
why, where node or npm is missing or the registry cannot be reached.
better-sqlite3 is built without SQLite's progress handler: loading the
extension there fails with a clear error (test_better_sqlite3_is_refused_clearly).
"""
import os
import shutil
import subprocess

import pytest

from conftest import BUILD, ROOT

HOST = os.path.join(ROOT, "build", "node_host")
PACKAGES = {"sqlite3": "5.1.7", "better-sqlite3": "11.10.0"}

pytestmark = [
    pytest.mark.skipif(not (shutil.which("node") and shutil.which("npm")), reason="node and npm are not installed"),
    # a sanitizer build's joy.so needs its runtime preloaded, which node is not
    pytest.mark.skipif(os.path.basename(BUILD) != "build", reason="Node.js runs the plain build only"),
]


def installed(package):
    return os.path.isdir(os.path.join(HOST, "node_modules", package, "build", "Release"))


@pytest.fixture(scope="module")
def node_modules():
    missing = [f"{name}@{version}" for name, version in PACKAGES.items() if not installed(name)]
    if missing:
        try:
            subprocess.run(["npm", "view", "sqlite3", "version"], capture_output=True, timeout=30, check=True)
        except (subprocess.SubprocessError, OSError):
            pytest.skip("the npm registry cannot be reached: the Node.js host is not tested")
        os.makedirs(HOST, exist_ok=True)
        proc = subprocess.run(["npm", "install", "--prefix", HOST, "--no-audit", "--no-fund", *missing],
                              capture_output=True, text=True, timeout=900)
        output = proc.stdout + proc.stderr
        if proc.returncode != 0 and any(e in output for e in ("ENOTFOUND", "ETIMEDOUT", "ECONNREFUSED", "EAI_AGAIN")):
            pytest.skip("a download the packages need failed (network): the Node.js host is not tested")
        assert proc.returncode == 0, output
    return os.path.join(HOST, "node_modules")


def node(node_modules, *args):
    env = dict(os.environ, NODE_PATH=node_modules)
    env.pop("LD_PRELOAD", None)
    return subprocess.run(["node", *args], capture_output=True, text=True, timeout=120, cwd=ROOT, env=env)


def test_node_sqlite3_runs_joy(node_modules, tmp_path):
    proc = node(node_modules, os.path.join(ROOT, "tests", "node", "host.js"), os.path.join(BUILD, "joy.so"),
                str(tmp_path))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.splitlines() == ["ok README example", "ok error", "ok step limit", "ok user function",
                                        "ok persisted definition"]


def test_better_sqlite3_is_refused_clearly(node_modules):
    script = ("const Database = require('better-sqlite3'); const db = new Database(':memory:');"
              f"try {{ db.loadExtension({os.path.join(BUILD, 'joy.so')!r}); console.log('loaded'); }}"
              "catch (e) { console.log(e.message); }"
              "console.log(db.prepare('SELECT 1 AS one').get().one);")
    proc = node(node_modules, "-e", script)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        "error during initialization: joy: this SQLite library lacks the progress handler (it was built with "
        "SQLITE_OMIT_PROGRESS_CALLBACK), which the extension needs", "1"]


def test_npm_installs_the_package_from_the_checkout(node_modules, tmp_path):
    app = tmp_path / "app"
    app.mkdir()
    proc = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--offline",
                           os.path.join(ROOT, "packaging", "npm")],
                          capture_output=True, text=True, timeout=300, cwd=app)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    script = ("const sqlite3 = require('sqlite3'); const joy = require('persistent-joy');"
              "const db = new sqlite3.Database(':memory:');"
              "joy.load(db, (err) => { if (err) throw err;"
              "  db.get(\"SELECT joy_eval('[1 2 3] [dup *] map') AS r\", (e, row) => console.log(row.r)); });")
    env = dict(os.environ, NODE_PATH=node_modules)
    env.pop("LD_PRELOAD", None)
    proc = subprocess.run(["node", "-e", script], capture_output=True, text=True, timeout=60, cwd=app, env=env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["[1 4 9]"]
