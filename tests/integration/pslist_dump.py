#!/usr/bin/env python3
"""pslist_dump.py MEMSCRY SOURCE_DIR DATA_DIR DUMPFILE

linux.pslist.PsList --dump into a fresh output directory: the rows are
Volatility 3 2.11.0's (tests/data/vol/<machine>/linux.pslist.PsList--dump.json)
and the files written are exactly those Volatility wrote, by name and
sha256. On the corpus machines Volatility writes none: it dumps the VMA that
starts at mm->start_code, which on these kernels is the start of the text
segment, not the ELF header, so every user process says "Error outputting
file" and kernel threads (no mm) null. The write path itself is checked on
a patched image by tests/unit/test_pslist_dump.c."""
import hashlib
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus  # noqa: E402

memscry, source, data, dumpfile = sys.argv[1:5]
root = corpus.require_corpus(source)
dump = corpus.dump_path(root, data, dumpfile)
if not os.path.exists(dump):
    print(f"SKIP: {dump} not unpacked")
    sys.exit(corpus.SKIP)
machine = corpus.machine_of(dumpfile)

# What Volatility 2.11.0 wrote (vol.py -f <machine>.lime linux.pslist.PsList
# --dump, in an empty directory): file name -> sha256.
VOL_FILES = {"dev-small": {}, "dev-612": {}, "dev-1k": {}, "dev-vmcore": {}}

gdir = corpus.project_golden_dir(source, dumpfile)
want = corpus.golden_bytes(gdir, "linux.pslist.PsList--dump") if gdir else None
if want is None or machine not in VOL_FILES:
    print(f"SKIP: no pslist --dump golden for {machine}")
    sys.exit(corpus.SKIP)

with tempfile.TemporaryDirectory() as tmp:
    out = os.path.join(tmp, "out")
    cmd = [memscry, "-q", "-s", os.path.join(root, "symbols"), "-f", dump, "-r", "json",
           "-o", out, "linux.pslist.PsList", "--dump"]
    res = subprocess.run(cmd, capture_output=True)
    if res.returncode != 0:
        print(f"FAIL: {' '.join(cmd)} exited {res.returncode}: {res.stderr.decode()}")
        sys.exit(1)
    failures = []
    if res.stdout != want:
        failures.append("rows differ from Volatility's")
    files = sorted(os.listdir(out)) if os.path.isdir(out) else []
    if files != sorted(VOL_FILES[machine]):
        failures.append(f"files {files}, Volatility wrote {sorted(VOL_FILES[machine])}")
    for name, digest in VOL_FILES[machine].items():
        p = os.path.join(out, name)
        if os.path.exists(p):
            with open(p, "rb") as f:
                if hashlib.sha256(f.read()).hexdigest() != digest:
                    failures.append(f"{name}: sha256 differs from Volatility's file")
for f in failures:
    print("FAIL:", f)
if failures:
    sys.exit(1)
print(f"ok: {dumpfile}: pslist --dump rows and files ({len(VOL_FILES[machine])}) are Volatility's")
