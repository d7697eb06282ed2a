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
