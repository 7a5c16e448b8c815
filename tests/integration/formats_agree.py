#!/usr/bin/env python3
"""formats_agree.py MEMSCRY SOURCE_DIR DATA_DIR MACHINE

Every format of one frozen machine holds the same physical memory, so every
Linux plugin must print the same bytes for each of them (for dev-la57, which
has no Volatility golden, this is the cross-format check)."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus  # noqa: E402

memscry, source, data, machine = sys.argv[1:5]
root = corpus.require_corpus(source)
files = [f"{machine}.{ext}" for ext in ("raw", "lime", "elf", "kdump", "kdump-flat")]
files = [f for f in files if os.path.exists(corpus.dump_path(root, data, f))]
if len(files) < 2:
    print(f"SKIP: fewer than two formats of {machine} present")
    sys.exit(corpus.SKIP)
bad = 0
for plugin in (["linux.pslist.PsList", "--threads"], ["linux.pstree.PsTree"], ["linux.psaux.PsAux"]):
    outs = {}
    for f in files:
        cmd = [memscry, "-s", os.path.join(root, "symbols"), "-f", corpus.dump_path(root, data, f),
               "-r", "json", *plugin]
        res = subprocess.run(cmd, capture_output=True)
        if res.returncode != 0:
            print(f"FAIL: {' '.join(cmd)}: {res.stderr.decode(errors='replace')}")
            sys.exit(1)
        outs[f] = res.stdout
    ref = outs[files[0]]
    for f in files[1:]:
        if outs[f] != ref:
            print(f"FAIL: {' '.join(plugin)}: {f} differs from {files[0]}")
            bad = 1
    if not bad and ref.count(b'"PID"') < 2:
        print(f"FAIL: {' '.join(plugin)}: suspiciously few rows")
        bad = 1
if bad:
    sys.exit(1)
print(f"ok: {', '.join(files)} give identical pslist --threads, pstree and psaux output")
