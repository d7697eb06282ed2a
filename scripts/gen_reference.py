#!/usr/bin/python3
"""Regenerates the word reference of README.md from the interpreter itself.

Every builtin (name and stack effect, from `__manual_list`) gets a row with
an example: the first line of tests/joy/*.joy that uses it (each such line
prints `true`, so the examples are run by `make test`). The rows replace
whatever stands between the markers

    <!-- words:begin -->  ...  <!-- words:end -->

    /usr/bin/python3 scripts/gen_reference.py          rewrite README.md
    /usr/bin/python3 scripts/gen_reference.py --check  exit 1 if it is stale
"""
import glob
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
README = os.path.join(ROOT, "README.md")
BEGIN, END = "<!-- words:begin -->", "<!-- words:end -->"

FAMILIES = [
    ("stack", "Stack"), ("arith", "Numbers"), ("logic", "Logic, comparison and types"),
    ("list", "Aggregates: lists, strings, sets"), ("combinators", "Combinators"),
    ("string", "Strings and symbols"), ("io", "Input, output and files"),
    ("system", "System, settings and the interpreter"), ("dict", "Dictionaries, nil, JSON, let"),
    ("numeric", "List numerics and parallel combinators"), ("persist", "Persistence"),
]


def words():
    prog = '__manual_list [dup first putchars "\\t" putchars 1 at putchars "\\n" putchars] step.'
    out = subprocess.run([os.path.join(ROOT, "build", "joy"), "-e", prog], capture_output=True,
                         text=True, check=True).stdout
    return [tuple(line.split("\t", 1)) for line in out.splitlines() if "\t" in line]


def family_of():
    owner = {}
    for path in glob.glob(os.path.join(ROOT, "joycore", "*.cpp")):
        base = os.path.basename(path)
        fam = base[len("builtins_"):-4] if base.startswith("builtins_") else base[:-4]
        for m in re.finditer(r'\{"((?:[^"\\]|\\.)+)",\s*do_', open(path).read()):
            owner.setdefault(m.group(1).replace('\\"', '"'), fam)
    return owner


def examples():
    """Lines of the conformance files that check something on their own:
    outside comments (which end at the first *), as in Joy1), printing with
    `.`, and using none of a file's helper words (s2-...)."""
    lines = []
    for path in sorted(glob.glob(os.path.join(ROOT, "tests", "joy", "*.joy"))):
        text = re.sub(r"\(\*.*?\*\)", lambda m: "\n" * m.group(0).count("\n"), open(path).read(), flags=re.S)
        for line in text.splitlines():
            line = line.strip()
            if (line.endswith(".") or " . " in line) and not line.startswith("#") and "s2-" not in line:
                lines.append(line)
    return lines


def find_example(word, lines):
    pat = re.compile(r"(^|[\s\[\]{}])" + re.escape(word) + r"($|[\s\[\]{}.])")
    best = None
    for line in lines:
        if pat.search(line) and (best is None or len(line) < len(best)):
            best = line
            if len(line) < 60:
                break
    return best


def cell(text):
    return text.replace("|", "\\|")


def render():
    owner = family_of()
    lines = examples()
    groups = {}
    for name, effect in words():
        groups.setdefault(owner.get(name, "system"), []).append((name, effect))
    out = [BEGIN, ""]
    for fam, title in FAMILIES:
        if fam not in groups:
            continue
        out += [f"#### {title}", "", "| word | stack effect | example (prints `true`) |", "|---|---|---|"]
        for name, effect in groups[fam]:
            ex = find_example(name, lines)
            out.append(f"| `{cell(name)}` | `{cell(effect)}` | {'`' + cell(ex) + '`' if ex else 'see the sections above'} |")
        out.append("")
    out.append(END)
    return "\n".join(out)


def main():
    text = open(README).read()
    start, stop = text.index(BEGIN), text.index(END) + len(END)
    new = text[:start] + render() + text[stop:]
    if "--check" in sys.argv:
        if new != text:
            print("README.md word reference is stale: run scripts/gen_reference.py")
            sys.exit(1)
        return
    open(README, "w").write(new)


if __name__ == "__main__":
    main()
