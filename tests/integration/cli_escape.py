#!/usr/bin/env python3
"""cli_escape.py MEMSCRY WORK_DIR

File names and arguments echoed on stderr are escaped: a dump path holding
an ANSI colour sequence ("\\x1b[31m"), a newline and a backslash comes out
as \\x1b[31m, \\x0a and \\\\, so no control byte reaches the terminal and
every message stays one line. Exact lines are asserted; needs no corpus."""
import os
import shutil
import subprocess
import sys

memscry, work = sys.argv[1:3]
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
failures = []


def escaped(text):
    """The CLI's rule: bytes < 0x20 and 0x7f as \\xNN, a backslash doubled."""
    out = []
    for b in text.encode():
        if b < 0x20 or b == 0x7f:
            out.append(f"\\x{b:02x}")
        elif b == 0x5c:
            out.append("\\\\")
        else:
            out.append(chr(b))
    return "".join(out)


def check(args, code, want, what):
    res = subprocess.run([memscry, *args], capture_output=True, timeout=120)
    err = res.stderr
    raw = [b for b in err[:-1] if b < 0x20 or b == 0x7f]
    if res.returncode != code or err != want.encode() + b"\n" or raw:
        failures.append(f"{what}: exit {res.returncode} (want {code}), stderr {err!r}, want {want!r}")


hostile = os.path.join(work, "dump\x1b[31mred\nsecond line\\x.raw")
check(["-f", hostile, "banners"], 1,
      f"memscry: {escaped(hostile)}: No such file or directory", "missing dump, hostile name")
# Exactly the line the issue asks for, spelled out.
if not escaped(hostile).endswith("dump\\x1b[31mred\\x0asecond line\\\\x.raw"):
    failures.append(f"escaping rule: {escaped(hostile)!r}")

with open(hostile, "wb") as f:
    f.write(bytes(8192))
check(["-f", hostile, "linux.pslist"], 1,
      f"memscry: {escaped(hostile)}: no operating system found: "
      "no Linux kernel banner found in physical memory; no Windows x64 page table (a PML4 that maps itself) found", "no kernel, hostile name")
check(["-f", hostile, "no.such\x1b[2J\x7fPlugin"], 2,
      "memscry: unknown plugin 'no.such\\x1b[2J\\x7fPlugin' (memscry --help lists them)",
      "unknown plugin with control bytes")
check(["-f", hostile, "-r", "x\ty", "banners"], 2,
      "memscry: unknown renderer 'x\\x09y' (quick, pretty, json, jsonl, csv, none)",
      "unknown renderer with a tab")
check(["--\x1b]0;title\x07"], 2,
      "memscry: unknown option '--\\x1b]0;title\\x07' (memscry --help)", "unknown option")

if failures:
    print("\n".join(failures))
    sys.exit(1)
print("ok: 5 escaped messages")
