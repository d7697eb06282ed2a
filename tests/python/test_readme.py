"""The README's word reference is generated from the interpreter; it must be current."""
import os
import subprocess

from conftest import ROOT


def test_word_reference_is_current():
    proc = subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "scripts", "gen_reference.py"), "--check"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_every_sql_function_is_in_the_readme():
    readme = open(os.path.join(ROOT, "README.md")).read()
    for name in ["joy_eval", "joy_json", "joy_run", "joy_stack", "joy_each", "joy_define", "joy_undefine",
                 "joy_gc", "joy_limits", "joy_config", "joy_version", "joy_list", "joy_dict",
                 "joy_create_function", "joy_create_aggregate", "joy_drop_function"]:
        assert f"`{name}(" in readme, name
    assert "`joy(program" in readme


def test_sql_function_examples_give_what_the_readme_shows():
    """Each row of the SQL function table: its SQL (after the setup the README
    names, in order, on one connection) gives the result shown."""
    import re
    import sqlite3
    from conftest import BUILD
    readme = open(os.path.join(ROOT, "README.md")).read()
    table = readme[readme.index("| function | does | example → result |"):]
    table = table[:table.index("\n\n")]
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.enable_load_extension(True)
    conn.load_extension(os.path.join(BUILD, "joy"))
    setup = re.search(r"after `(SELECT joy_eval\('\[1 2 3\].*?'\))`", readme, re.S).group(1)
    conn.execute(setup.replace("\n", " "))
    checked = 0
    for row in table.splitlines()[2:]:
        example = row.rsplit(" | ", 1)[-1]
        for before in re.findall(r"after `(SELECT [^`]*)`", example):
            conn.execute(before)
        found = re.search(r"`(SELECT [^`]*)` → `([^`]*)`", example.split("after `", 1)[-1]
                          if "after `" in example else example)
        if not found:
            continue
        sql, shown = found.group(1).replace("\\|", "|"), found.group(2).replace("\\|", "|")
        first = conn.execute(sql).fetchone()
        got = "|".join("" if v is None else str(v) for v in first)
        if " and " in example.split("→", 1)[1]:  # joy_run: the first of the lines shown
            got = got.split("\n")[0]
        assert got == shown, (sql, got, shown)
        checked += 1
    assert checked >= 14


def test_cli_transcripts_give_what_the_readme_shows(tmp_path):
    """Every README block `$ build/joy ... <<'EOF'` ... `EOF` followed by its
    output runs in a fresh folder and prints exactly that output."""
    import re
    import shlex
    from conftest import BUILD
    readme = open(os.path.join(ROOT, "README.md")).read()
    blocks = re.findall(r"```sh\n\$ build/joy([^\n]*) <<'EOF'\n(.*?)\nEOF\n(.*?)```", readme, re.S)
    assert blocks
    for k, (options, program, shown) in enumerate(blocks):
        folder = tmp_path / str(k)
        folder.mkdir()
        proc = subprocess.run([os.path.join(BUILD, "joy"), *shlex.split(options)], input=program + "\n",
                              capture_output=True, text=True, cwd=folder, timeout=60)
        assert proc.stdout + proc.stderr == shown, (program, proc.stdout, proc.stderr)
