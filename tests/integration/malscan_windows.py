#!/usr/bin/env python3
"""malscan_windows.py MEMSCRY SOURCE_DIR DATA_DIR IMAGE

memscry.malscan.MalScan on a shared Windows sample against the generator's
truth: updater.exe's command line (UTF-16 in its process parameters, a
private writable VAD) holds a URL no other process has, so a --wide rule
for it hits in updater.exe only, inside one of the VADs the truth lists for
it, with region bounds equal to that VAD, in quick and full mode; full mode
adds the physical copies, and each process hit's Physical address holds the
UTF-16 bytes in the image file (raw images: byte N is physical N)."""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus  # noqa: E402
from winsamples import sample  # noqa: E402

URL = "203.0.113.7"
memscry, source, data, image = sys.argv[1:5]
root = corpus.require_corpus(source)
isf = os.path.abspath(os.path.join(root, "..", "isf"))
dump = sample(root, data, image)
name = image.rsplit(".", 2)[0] if image.endswith(".dmp") else image.rsplit(".", 1)[0]
with open(os.path.join(root, "windows-samples", name + ".truth.json"), encoding="utf-8") as f:
    truth = json.load(f)
owner = [p for p in truth["processes"] if URL in (p.get("cmdline") or "")]
assert len(owner) == 1, owner
owner = owner[0]
failures = []


def run(*args):
    cmd = [memscry, "-q", "-s", isf, "-f", dump, "-r", "json", "memscry.malscan", *args]
    res = subprocess.run(cmd, capture_output=True)
    if res.returncode != 0:
        print(f"FAIL: {' '.join(cmd)} exited {res.returncode}: "
              f"{res.stderr.decode(errors='replace')}")
        sys.exit(1)
    return json.loads(res.stdout)


wide = URL.encode("utf-16-le")
vads = {(v["start"], v["end"] + 1) for v in owner["vads"]}
for mode in ("quick", "full"):
    rows = run("--mode", mode, "--yara-string", URL, "--wide")
    procs = [r for r in rows if r["Space"] == "process"]
    if not procs:
        failures.append(f"{mode}: no hit for {URL} in {owner['name']}")
    for r in procs:
        where = f"{mode}: hit 0x{r['Offset']:x} (pid {r['PID']})"
        if r["PID"] != owner["pid"] or r["Process"] != owner["name"]:
            failures.append(f"{where}: not in {owner['name']} ({owner['pid']})")
        if (r["Start"], r["End"]) not in vads or not r["Start"] <= r["Offset"] < r["End"]:
            failures.append(f"{where}: region 0x{r['Start']:x}-0x{r['End']:x} is not one of "
                            f"the truth's VADs holding it")
        if bytes.fromhex(r["Value"]) != wide:
            failures.append(f"{where}: value {r['Value']}")
        if image.endswith(".raw"):
            with open(dump, "rb") as f:
                f.seek(r["Physical"])
                n = min(len(wide), 4096 - r["Physical"] % 4096)
                if f.read(n) != wide[:n]:
                    failures.append(f"{where}: physical 0x{r['Physical']:x} does not hold it")
    phys = [r for r in rows if r["Space"] == "physical"]
    if (mode == "full") != bool(phys):
        failures.append(f"{mode}: {len(phys)} physical hits")
    if any(r["Space"] == "kernel module" for r in rows):
        failures.append(f"{mode}: the URL found in a kernel module")

if failures:
    for f in failures:
        print("FAIL:", f)
    sys.exit(1)
print(f"ok: {image}: {URL} found in {owner['name']} only, in its truth VADs")
