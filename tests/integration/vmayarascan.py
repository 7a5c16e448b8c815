#!/usr/bin/env python3
"""vmayarascan.py MEMSCRY SOURCE_DIR DATA_DIR DUMPFILE

linux.vmayarascan (Volatility 2.11.0's finds nothing; memscry does what it
intends) must report exactly the marker copies of the marker process, in
VMA order: heap, RWX mapping + 0x10, the copy straddling two pages of a
2-page mapping (physically non-adjacent on some machines) and the
environment value - the addresses truth.json `marker` gives - with PID =
the marker pid, and nothing in any other process. With --pid of another
process there are no rows."""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus  # noqa: E402

MARKER = "MEMF_YARA_MARKER_7ae8"

memscry, source, data, dumpfile = sys.argv[1:5]
root = corpus.require_corpus(source)
dump = corpus.dump_path(root, data, dumpfile)
if not os.path.exists(dump):
    print(f"SKIP: {dump} not unpacked")
    sys.exit(corpus.SKIP)
with open(os.path.join(root, corpus.machine_of(dumpfile), "truth.json")) as f:
    m = json.load(f)["marker"]
pid = m["marker_pid"]
want = sorted(int(m[k], 16) for k in ("heap", "rwx", "straddle", "env"))
value = " ".join(f"{b:02x}" for b in MARKER.encode())


def run(*extra):
    cmd = [memscry, "-q", "-s", os.path.join(root, "symbols"), "-f", dump, "-r", "json",
           "linux.vmayarascan", "--yara-string", MARKER, *extra]
    res = subprocess.run(cmd, capture_output=True)
    if res.returncode != 0:
        print(f"FAIL: {' '.join(cmd)} exited {res.returncode}: "
              f"{res.stderr.decode(errors='replace')}")
        sys.exit(1)
    return json.loads(res.stdout)


rows = run()
got = [(r["Offset"], r["PID"], r["Rule"], r["Component"], r["Value"]) for r in rows]
expect = [(a, pid, "r1", "$a", value) for a in want]
if got != expect:
    print(f"FAIL: {dumpfile}: rows {[(hex(g[0]), g[1]) for g in got]}, "
          f"want {[(hex(e[0]), e[1]) for e in expect]}")
    sys.exit(1)
if run("--pid", str(pid)) != rows:
    print(f"FAIL: {dumpfile}: --pid {pid} changes the rows")
    sys.exit(1)
if run("--pid", "1"):
    print(f"FAIL: {dumpfile}: --pid 1 finds the marker")
    sys.exit(1)
# The bound: VMAs over --max-size are skipped (the marker's RWX page and
# its 2-page mapping stay), each with an INFO.
small = run("--pid", str(pid), "--max-size", "8192")
if [r["Offset"] for r in small] != sorted([int(m["rwx"], 16), int(m["straddle"], 16)]):
    print(f"FAIL: {dumpfile}: --max-size 8192 gives {[hex(r['Offset']) for r in small]}")
    sys.exit(1)
print(f"ok: {dumpfile}: the {len(want)} marker copies of pid {pid}")
