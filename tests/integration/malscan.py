#!/usr/bin/env python3
"""malscan.py MEMSCRY SOURCE_DIR DATA_DIR DUMPFILE

memscry.malscan.MalScan against the guest's ground truth (truth.json
`marker`, see marker.py):
  quick  the marker process's hits are exactly marker_expectations() (heap,
         the copy straddling two physically non-adjacent pages, the RWX
         mapping, the environment), each hit's Physical address holds the
         marker's bytes (up to the page end for the straddling copy), each
         hit lies inside its region and no other process or module hits;
         the loaded modules were scanned (a rule on a module name finds it);
  full   the same process hits, and the physical hits are exactly those of
         yarascan --physical;
  none   a rule that cannot match finds nothing, in either mode.
Physical addresses are checked against the machine's .raw file (byte N is
physical address N) where the corpus has one."""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus  # noqa: E402
from marker import MARKER, marker_expectations  # noqa: E402

memscry, source, data, dumpfile = sys.argv[1:5]
root = corpus.require_corpus(source)
dump = corpus.dump_path(root, data, dumpfile)
if not os.path.exists(dump):
    print(f"SKIP: {dump} not unpacked")
    sys.exit(corpus.SKIP)
machine = corpus.machine_of(dumpfile)
with open(os.path.join(root, machine, "truth.json"), encoding="utf-8") as f:
    truth = json.load(f)
symdir = os.path.join(root, "symbols")
raw = os.path.join(data, machine + ".raw")
rawf = open(raw, "rb") if os.path.exists(raw) else None
failures = []


def run(*plugin):
    cmd = [memscry, "-q", "-s", symdir, "-f", dump, "-r", "json", *plugin]
    res = subprocess.run(cmd, capture_output=True)
    if res.returncode != 0:
        print(f"FAIL: {' '.join(cmd)} exited {res.returncode}: "
              f"{res.stderr.decode(errors='replace')}")
        sys.exit(1)
    return json.loads(res.stdout)


def phys_bytes(pa, n):
    rawf.seek(pa)
    return rawf.read(n)


def check_process_hits(mode, rows):
    expect = marker_expectations(truth)
    procs = [r for r in rows if r["Space"] == "process"]
    got = sorted((r["PID"], r["Offset"]) for r in procs)
    if got != expect:
        failures.append(f"{mode}: process hits {[(p, hex(v)) for p, v in got]} != truth "
                        f"{[(p, hex(v)) for p, v in expect]}")
    for r in procs:
        if not r["Start"] <= r["Offset"] < r["End"]:
            failures.append(f"{mode}: hit 0x{r['Offset']:x} outside its region "
                            f"0x{r['Start']:x}-0x{r['End']:x}")
        if r["Rule"] != "r1" or r["Component"] != "$a" or \
                bytes.fromhex(r["Value"]) != MARKER:
            failures.append(f"{mode}: hit 0x{r['Offset']:x}: {r['Rule']} {r['Component']} "
                            f"{r['Value']}")
        if r["Physical"] is None:
            failures.append(f"{mode}: hit 0x{r['Offset']:x} has no physical address")
        elif rawf:
            n = min(len(MARKER), 4096 - r["Physical"] % 4096)
            if phys_bytes(r["Physical"], n) != MARKER[:n]:
                failures.append(f"{mode}: hit 0x{r['Offset']:x}: physical 0x{r['Physical']:x} "
                                f"does not hold the marker")
    return procs


# quick: the marker process, nothing else
quick = run("memscry.malscan", "--yara-string", MARKER.decode())
check_process_hits("quick", quick)
others = [r for r in quick if r["Space"] != "process"]
if others:
    failures.append(f"quick: hits outside processes: {others}")

# quick scans the loaded modules: each module's name is in its own memory
mods = [line.split()[0] for line in truth["modules"]]
modhits = run("memscry.malscan", "--yara-string", mods[-1])
spaces = {(r["Space"], r["Process"]) for r in modhits if r["Space"] == "kernel module"}
if ("kernel module", mods[-1]) not in spaces:
    failures.append(f"quick: no hit for '{mods[-1]}' in its own module memory: {spaces}")

# full: the same process hits; physical hits equal yarascan --physical
full = run("memscry.malscan", "--mode", "full", "--yara-string", MARKER.decode())
check_process_hits("full", full)
phys = sorted(r["Offset"] for r in full if r["Space"] == "physical")
want = sorted(r["Offset"] for r in run("yarascan.YaraScan", "--physical", "--yara-string",
                                       MARKER.decode()))
if phys != want or not phys:
    failures.append(f"full: physical hits {[hex(v) for v in phys]} != yarascan --physical "
                    f"{[hex(v) for v in want]}")

# a rule that cannot match
for mode in ("quick", "full"):
    none = run("memscry.malscan", "--mode", mode, "--yara-string", "MEMF_NOT_THERE_0d1f")
    if none:
        failures.append(f"{mode}: an impossible rule found {len(none)} hits")

if failures:
    for f in failures:
        print("FAIL:", f)
    sys.exit(1)
print(f"ok: {dumpfile}: quick {len(quick)} hits, full {len(full)} hits "
      f"({len(phys)} physical), as the truth says")
