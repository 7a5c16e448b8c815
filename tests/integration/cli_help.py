#!/usr/bin/env python3
"""cli_help.py MEMSCRY LIBMEMSCRY

`memscry --help` lists every plugin of the library (scry_plugin_count/
name/description, read through ctypes from LIBMEMSCRY) with its description,
laid out as Volatility 3's argparse help: name at column 4, the text at
column 24 (beside the name when it fits, else under it), wrapped at 78.
`memscry PLUGIN --help` (by name and alias) gives a usage line naming every
option, the description and an "options:" block with each option's help;
linux.pslist.PsList's is compared in full with Volatility 2.11.0's layout
(`vol.py linux.pslist.PsList -h`: the same options, metavars and wrapping)."""
import ctypes
import re
import subprocess
import sys

memscry, lib = sys.argv[1:3]
so = ctypes.CDLL(lib)
so.scry_plugin_count.restype = ctypes.c_size_t
for fn in ("scry_plugin_name", "scry_plugin_alias", "scry_plugin_description"):
    getattr(so, fn).restype = ctypes.c_char_p
    getattr(so, fn).argtypes = [ctypes.c_size_t]
so.scry_plugin_option_count.restype = ctypes.c_size_t
so.scry_plugin_option_count.argtypes = [ctypes.c_size_t]
so.scry_plugin_option.argtypes = [ctypes.c_size_t, ctypes.c_size_t, ctypes.POINTER(ctypes.c_char_p),
                                  ctypes.POINTER(ctypes.c_char_p), ctypes.POINTER(ctypes.c_int)]
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


def words(s):
    return " ".join(s.split())


def run(*args):
    r = subprocess.run([memscry, *args], capture_output=True)
    check(r.returncode == 0, f"memscry {' '.join(args)}: exit {r.returncode}")
    check(r.stderr == b"", f"memscry {' '.join(args)}: stderr {r.stderr!r}")
    return r.stdout.decode()


top = run("--help")
check(top.count("\nPlugins:\n") == 1, "--help has no Plugins: section")
section = top.split("\nPlugins:\n", 1)[-1]
lines = section.splitlines()
check(all(len(line) <= 78 for line in lines), "a line of the plugin list is over 78 columns")
entries = {}
name = None
for line in lines[2:]:
    m = re.match(r"^    (\S+)(?:  +(\S.*))?$", line)
    if m:
        name = m.group(1)
        entries[name] = m.group(2) or ""
    elif name and line.startswith(" " * 24):
        entries[name] += " " + line.strip()
    elif line.strip():
        failures.append(f"unexpected line in the plugin list: {line!r}")
n = so.scry_plugin_count()
want = {}
for i in range(n):
    want[so.scry_plugin_name(i).decode()] = (so.scry_plugin_alias(i).decode(),
                                             so.scry_plugin_description(i).decode())
check(list(entries) == list(want), f"--help lists {list(entries)}, the library {list(want)}")
for name, (alias, desc) in want.items():
    got = entries.get(name, "")
    check(words(got) == words(f"{desc} (alias {alias})"), f"{name}: listed as {got!r}")
    # Beside the name when the name leaves two spaces before column 24.
    beside = re.search(r"^    " + re.escape(name) + r"  +\S", section, re.M) is not None
    check(beside == (4 + len(name) + 2 <= 24), f"{name}: description placement")

KINDS = {0: "", 1: " [{m} ...]", 2: " {m}", 3: " {m}", 4: " [{m} ...]"}
for i in range(n):
    name = so.scry_plugin_name(i).decode()
    alias = so.scry_plugin_alias(i).decode()
    text = run(name, "--help")
    check(run(alias, "--help") == text, f"{alias} --help differs from {name} --help")
    check(text.startswith("usage: memscry "), f"{name} --help: {text[:40]!r}")
    usage = words(text.split("\n\n", 1)[0])
    check(words(so.scry_plugin_description(i).decode()) in words(text), f"{name}: no description")
    check("\noptions:\n  -h, --help " in text, f"{name}: no options block")
    for j in range(so.scry_plugin_option_count(i)):
        oname, ohelp, kind = ctypes.c_char_p(), ctypes.c_char_p(), ctypes.c_int()
        so.scry_plugin_option(i, j, ctypes.byref(oname), ctypes.byref(ohelp), ctypes.byref(kind))
        o = oname.value.decode()
        inv = "--" + o + KINDS[kind.value].format(m=o.upper().replace("-", "_"))
        check(f"[{inv}]" in usage, f"{name}: usage lacks [{inv}]")
        m = re.search(r"^  " + re.escape(inv) + r"(.*(?:\n {5,}\S.*)*)", text, re.M)
        check(m is not None and words(m.group(1)) == words(ohelp.value.decode()),
              f"{name}: help of {inv}")
    check(all(len(line) <= 78 or line.lstrip().startswith("[") for line in text.splitlines()),
          f"{name} --help: a line over 78 columns")

PSLIST = """usage: memscry [-f DUMP] linux.pslist.PsList [-h] [--pid [PID ...]]
                                             [--threads] [--decorate-comm]
                                             [--dump]

Lists the processes present in a particular linux memory image.

options:
  -h, --help       show this help message and exit
  --pid [PID ...]  Filter on specific process IDs
  --threads        Include user threads
  --decorate-comm  Show `user threads` comm in curly brackets, and `kernel
                   threads` comm in square brackets
  --dump           Extract listed processes

alias: linux.pslist
"""
got = run("linux.pslist.PsList", "--help")
check(got == PSLIST, f"linux.pslist.PsList --help:\n{got}")
check(run("linux.pslist", "-h") == PSLIST, "linux.pslist -h differs")
for f in failures:
    print("FAIL:", f)
if failures:
    sys.exit(1)
print(f"ok: --help lists {n} plugins; each PLUGIN --help names its options")
