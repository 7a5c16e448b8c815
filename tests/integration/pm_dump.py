#!/usr/bin/env python3
"""pm_dump.py MEMSCRY SOURCE_DIR DATA_DIR DUMPFILE

--dump of linux.proc.Maps and linux.elfs.Elfs for the marker process
(truth.json `marker`): the files get Volatility 3 2.11.0's names, the rows
name them, and their bytes are right:
  - Maps --address <rwx> dumps the marker's RWX VMA (one row): it starts
    with 90 90 c3 and holds MEMF_YARA_MARKER_7ae8 at +0x10;
  - dumping again into the same directory gives "<name>-1.dmp", as
    Volatility's CLI file handler does;
  - --maxsize at or below the VMA's size writes nothing: "Error outputting
    file";
  - Elfs --dump writes pid.<pid>.marker.<start>.dmp per ELF VMA; on
    dev-small their sha256 are those of the files Volatility wrote."""
import hashlib
import json
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
with open(os.path.join(root, machine, "truth.json")) as f:
    marker = json.load(f)["marker"]
pid = marker["marker_pid"]
rwx = int(marker["rwx_mapping"], 16)

# What Volatility 2.11.0 wrote for dev-small (vol.py ... --pid 147 --dump).
VOL_SHA256 = {
    "dev-small": {
        "pid.147.vma.0x7fdcc1eb4000-0x7fdcc1eb5000.dmp":
            "c77bebc9cca9332559a393ecdd0162f424bcc1cf6c3a189590d575b97e8523ad",
        "pid.147.marker.0x400000.dmp":
            "6f641a98890ddb5e3ce99b2464a61ac03d028cc83d2fba80429dc2075f098325",
        "pid.147.marker.0x7ffc121aa000.dmp":
            "29d95253cd469c50abcd626f8c79cf47d123cb8cc27b738be05a0db826eacde2",
    },
}
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print(f"FAIL: {what}")


def run(outdir, *args):
    cmd = [memscry, "-q", "-s", os.path.join(root, "symbols"), "-f", dump, "-r", "json",
           "-o", outdir] + list(args)
    res = subprocess.run(cmd, capture_output=True)
    if res.returncode != 0:
        print(f"FAIL: {' '.join(cmd)} exited {res.returncode}: {res.stderr.decode()}")
        sys.exit(1)
    return json.loads(res.stdout)


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


with tempfile.TemporaryDirectory() as tmp:
    out = os.path.join(tmp, "out", "maps")  # parents made as os.makedirs does
    maps = ["linux.proc.Maps", "--pid", str(pid), "--dump", "--address", hex(rwx + 0x10)]
    rows = run(out, *maps)
    check(len(rows) == 1, f"Maps --address: {len(rows)} rows, want 1")
    row = rows[0]
    name = f"pid.{pid}.vma.{row['Start']:#x}-{row['End']:#x}.dmp"
    check(row["Start"] == rwx and row["Flags"] == "rwx", f"Maps row {row}")
    check(row["File output"] == name, f"File output {row['File output']!r}, want {name!r}")
    path = os.path.join(out, name)
    with open(path, "rb") as f:
        body = f.read()
    check(len(body) == row["End"] - row["Start"], f"{name}: {len(body)} bytes")
    check(body[:3] == b"\x90\x90\xc3", f"{name}: starts {body[:3].hex()}")
    check(body[0x10:0x10 + 21] == b"MEMF_YARA_MARKER_7ae8", f"{name}: no marker at +0x10")
    want = VOL_SHA256.get(machine, {}).get(name)
    if want:
        check(sha(path) == want, f"{name}: sha256 differs from Volatility's file")
    again = run(out, *maps)[0]["File output"]
    check(again == name[:-4] + "-1.dmp", f"second dump named {again!r}")
    check(sha(os.path.join(out, again)) == sha(path), "second dump differs")
    size = row["End"] - row["Start"]
    small = run(out, *maps, "--maxsize", str(size))[0]["File output"]
    check(small == "Error outputting file", f"--maxsize {size}: {small!r}")
    check(len(os.listdir(out)) == 2, f"files after --maxsize: {sorted(os.listdir(out))}")

    out = os.path.join(tmp, "elfs")
    rows = run(out, "linux.elfs.Elfs", "--pid", str(pid), "--dump")
    check(len(rows) >= 2, f"Elfs: {len(rows)} rows")
    for r in rows:
        name = f"pid.{pid}.marker.{r['Start']:#x}.dmp"
        check(r["File Output"] == name, f"Elfs File Output {r['File Output']!r}")
        p = os.path.join(out, name)
        check(os.path.exists(p), f"{name} not written")
        want = VOL_SHA256.get(machine, {}).get(name)
        if want and os.path.exists(p):
            check(sha(p) == want, f"{name}: sha256 differs from Volatility's file")
    check(len(os.listdir(out)) == len(rows), f"Elfs wrote {sorted(os.listdir(out))}")

if failures:
    sys.exit(1)
print(f"ok: {dumpfile}: Maps and Elfs --dump of pid {pid}")
