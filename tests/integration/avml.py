#!/usr/bin/env python3
"""avml.py MEMSCRY AVMLWRITE SOURCE_DIR DATA_DIR MACHINE

Writes AVML images of MACHINE.lime with our own writer (avmlwrite, made
from AVML's and snappy's published format descriptions) into the build
tree, then requires memscry to print on each the very bytes it prints for
the LiME file: pslist (with and without threads), pstree, psaux, lsmod,
proc.Maps and banners on the image AVML itself would write (64 KiB chunks,
compressed), pslist and psaux on one of 65000-byte compressed chunks and
on one of 3000-byte stored chunks (pages straddle chunks). (Volatility
2.11.0 reads the 65000-byte one too; on 64 KiB chunks its banner scan
misses a banner that touches a chunk boundary, as on dev-small.)"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus  # noqa: E402

memscry, avmlwrite, source, data, machine = sys.argv[1:6]
root = corpus.require_corpus(source)
lime = corpus.dump_path(root, data, machine + ".lime")
if not os.path.exists(lime):
    print(f"SKIP: {lime} not unpacked")
    sys.exit(corpus.SKIP)
os.makedirs("avml", exist_ok=True)
images = {
    "": os.path.join("avml", machine + ".avml"),
    "c65000": os.path.join("avml", machine + ".c65000.avml"),
    "odd": os.path.join("avml", machine + ".stored3000.avml"),
}
OPTS = {"": [], "c65000": ["--chunk", "65000"], "odd": ["--chunk", "3000", "--stored"]}
for kind, path in images.items():
    args = [avmlwrite, lime, path + ".tmp"] + OPTS[kind]
    subprocess.run(args, check=True)
    os.replace(path + ".tmp", path)

failures = []


def run(dump, *plugin):
    cmd = [memscry, "-q", "-s", os.path.join(root, "symbols"), "-f", dump, "-r", "json", *plugin]
    res = subprocess.run(cmd, capture_output=True)
    if res.returncode != 0:
        failures.append(f"{' '.join(cmd)} exited {res.returncode}: {res.stderr.decode()}")
    return res.stdout


PLUGINS = [["linux.pslist.PsList"], ["linux.pslist.PsList", "--threads"], ["linux.pstree.PsTree"],
           ["linux.psaux.PsAux"], ["linux.lsmod.Lsmod"], ["linux.proc.Maps"], ["banners.Banners"]]
for plugin in PLUGINS:
    want = run(lime, *plugin)
    got = run(images[""], *plugin)
    if got != want or not want:
        failures.append(f"{images['']}: {' '.join(plugin)} differs from the LiME file's")
for kind in ("c65000", "odd"):
    for plugin in (["linux.pslist.PsList"], ["linux.psaux.PsAux"]):
        if run(images[kind], *plugin) != run(lime, *plugin):
            failures.append(f"{images[kind]}: {' '.join(plugin)} differs from the LiME file's")
for f in failures:
    print("FAIL:", f)
if failures:
    sys.exit(1)
print(f"ok: {machine}: AVML images read as the LiME file ({len(PLUGINS)} plugins)")
