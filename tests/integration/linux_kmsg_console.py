#!/usr/bin/env python3
"""linux_kmsg_console.py MEMSCRY SOURCE_DIR DATA_DIR DUMPFILE

linux.kmsg.Kmsg against the guest's own dmesg: every "RC-DMESG: [ts] text"
line of the machine's console-excerpt.log (busybox dmesg, run by the
guest's rc before the dump) must be a row (timestamp, line) of ours, in
the same order. The whole oracle on dev-la57, which Volatility cannot
read; elsewhere the goldens also hold."""
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus  # noqa: E402

memscry, source, data, dumpfile = sys.argv[1:5]
root = corpus.require_corpus(source)
dump = corpus.dump_path(root, data, dumpfile)
if not os.path.exists(dump):
    print(f"SKIP: {dump} not unpacked")
    sys.exit(corpus.SKIP)
want = []
with open(os.path.join(root, corpus.machine_of(dumpfile), "console-excerpt.log"),
          encoding="utf-8", errors="replace") as f:
    for text in f:
        m = re.match(r"^RC-DMESG: \[\s*(\d+\.\d{6})\] (.*)$", text.rstrip("\n"))
        if m:
            want.append((m.group(1), m.group(2)))
if not want:
    print("FAIL: no RC-DMESG lines in console-excerpt.log")
    sys.exit(1)
cmd = [memscry, "-q", "-s", os.path.join(root, "symbols"), "-f", dump, "-r", "json",
       "linux.kmsg.Kmsg"]
res = subprocess.run(cmd, capture_output=True)
if res.returncode != 0:
    print(f"FAIL: {' '.join(cmd)}: {res.stderr.decode(errors='replace')}")
    sys.exit(1)
rows = [(r["timestamp"], r["line"]) for r in json.loads(res.stdout)]
# In order: each console line found after the previous one.
at = 0
for w in want:
    try:
        at = rows.index(w, at) + 1
    except ValueError:
        print(f"FAIL: console line {w} is not among {len(rows)} kmsg rows (after row {at})")
        sys.exit(1)
print(f"ok: {dumpfile}: the console's {len(want)} dmesg lines are kmsg rows, in order "
      f"({len(rows)} rows)")
