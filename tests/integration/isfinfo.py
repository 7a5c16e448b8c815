#!/usr/bin/env python3
"""isfinfo.IsfInfo against Volatility's own output (tests/data/isfinfo).

usage: isfinfo.py MEMSCRY SOURCE_DIR WORKDIR

Builds the store Volatility was run on (two corpus Linux ISFs, three
JPCERT Windows ISFs, one of each inside a .zip pack, an ISF without an
identifier and one that is not JSON), runs memscry isfinfo with each
option set, and checks: the same rows as Volatility's (its paths rewritten
from @STORE@), and memscry's stdout byte for byte equal to Volatility's
JSON rendering of those rows in memscry's order. Exit 77 (skip) without
the corpus."""
import json
import os
import shutil
import subprocess
import sys
import zipfile

memscry, src, work = sys.argv[1:4]
shared = os.environ.get("MEMSCRY_SHARED", os.path.join(src, "..", "shared"))
corpus = os.environ.get("MEMSCRY_CORPUS", os.path.join(shared, "corpus"))
lin = os.path.join(corpus, "symbols", "linux")
win = os.path.join(shared, "isf", "windows", "ntkrnlmp.pdb")
L61 = "debian-6.1.0-57-cloud-amd64.json.xz"
L612 = "debian-6.12.107-cloud-amd64.json.xz"
W = ["22597D0B40394E23936F6A24C6C52D5B-1.json.xz", "339E74133576439CBCDF7E0229DA3773-1.json.xz"]
WZ = "8B11040A5928757B11390AC78F6B6925-1.json.xz"
need = [os.path.join(lin, L61), os.path.join(lin, L612)] + [os.path.join(win, w) for w in W + [WZ]]
if not all(os.path.exists(p) for p in need):
    print("isfinfo: corpus or shared/isf absent, skipped")
    sys.exit(77)


def make_store(store):
    shutil.rmtree(store, ignore_errors=True)
    os.makedirs(os.path.join(store, "linux"))
    os.makedirs(os.path.join(store, "windows", "ntkrnlmp.pdb"))
    shutil.copy(os.path.join(lin, L61), os.path.join(store, "linux"))
    for w in W:
        shutil.copy(os.path.join(win, w), os.path.join(store, "windows", "ntkrnlmp.pdb"))
    with zipfile.ZipFile(os.path.join(store, "pack.zip"), "w", zipfile.ZIP_STORED) as z:
        z.write(os.path.join(lin, L612), "linux/" + L612)
        z.write(os.path.join(win, WZ), "windows/ntkrnlmp.pdb/" + WZ)
    with open(os.path.join(store, "linux", "noid.json"), "w") as f:
        f.write('{"metadata": {"format": "6.2.0"}, "base_types": {}, "user_types": {}, '
                '"enums": {}, "symbols": {}}\n')
    with open(os.path.join(store, "linux", "broken.json"), "w") as f:
        f.write("{broken\n")


def render(rows):
    """Volatility's JSON renderer."""
    return "\n" + json.dumps(rows, indent=2, sort_keys=True) + "\n"


def check(name, store, args, expected_file, keep):
    with open(os.path.join(src, "tests", "data", "isfinfo", expected_file)) as f:
        vol = json.loads(f.read().replace("@STORE@", store))
    vol = [r for r in vol if keep(r)]
    r = subprocess.run([memscry, "-s", store, "-r", "json", "isfinfo.IsfInfo"] + args,
                       capture_output=True)
    if r.returncode not in (0, 3):
        print(f"{name}: exit {r.returncode}: {r.stderr.decode(errors='replace')}")
        return False
    out = r.stdout.decode()
    ours = json.loads(out)
    # Our bytes are Volatility's JSON rendering of our rows...
    if out != render(ours):
        print(f"{name}: not rendered as Volatility renders JSON")
        return False
    # ...and our rows are Volatility's (those both list the same way).
    key = lambda row: (row["URI"], json.dumps(row, sort_keys=True))
    kept = [row for row in ours if keep(row)]
    if sorted(kept, key=key) != sorted(vol, key=key):
        print(f"{name}: rows differ\n ours: {json.dumps(kept, indent=1)}\n vol: {json.dumps(vol, indent=1)}")
        return False
    for row in ours:
        if row["URI"].endswith("/broken.json") and (
                row["Identifying information"] is not None or row["Number of symbols"] != 0):
            print(f"{name}: broken.json: {row}")
            return False
    print(f"{name}: {len(ours)} rows identical")
    return True


store = os.path.realpath(os.path.join(work, "isfinfo-store"))
os.makedirs(work, exist_ok=True)
make_store(store)
# A cache directory of this run's own: --validate remembers each file's hash
# as validated there, and a rerun in the same build tree then listed the
# copies as "True (cached)" where Volatility's first run says "Unknown".
xdg = os.path.realpath(os.path.join(work, "xdg-cache"))
shutil.rmtree(xdg, ignore_errors=True)
os.makedirs(xdg)
os.environ["XDG_CACHE_HOME"] = xdg
in_store = lambda r: r["URI"].startswith(("file://" + store + "/", "jar:file:" + store + "/"))
# Volatility's --live row for a file that is not JSON repeats the previous
# row's identifier (a stale variable): memscry prints N/A there (DESIGN.md).
live_keep = lambda r: in_store(r) and not r["URI"].endswith("/broken.json")
ok = True
ok &= check("cached", store, [], "vol-cached.json", in_store)
ok &= check("live", store, ["--live"], "vol-live.json", live_keep)
for extra, f, keep in (([], "vol-validate.json", in_store),
                       (["--live"], "vol-live-validate.json", live_keep)):
    if os.path.exists(os.path.join(src, "tests", "data", "isfinfo", f)):
        ok &= check(" ".join(["validate"] + extra), store, ["--validate"] + extra, f, keep)


def invalid_file_reported(work):
    """Volatility dies with a traceback on an invalid ISF under --validate;
    memscry says False and prints the first error with its JSON path."""
    bad = os.path.join(os.path.realpath(work), "isfinfo-invalid")
    shutil.rmtree(bad, ignore_errors=True)
    os.makedirs(os.path.join(bad, "linux"))
    with open(os.path.join(bad, "linux", "bad.json"), "w") as f:
        f.write('{"metadata": {"format": "6.2.0"}, "base_types": {}, "enums": {}, '
                '"user_types": {"t": {"kind": "struct", "size": 4, "fields": {"pid": '
                '{"type": {"kind": "base", "name": "int"}}}}}, '
                '"symbols": {"linux_banner": {"address": 1, "constant_data": "QQ=="}}}')
    r = subprocess.run([memscry, "-s", bad, "-r", "json", "isfinfo.IsfInfo", "--validate"],
                       capture_output=True)
    rows = json.loads(r.stdout.decode())
    err = r.stderr.decode()
    want = os.path.join(bad, "linux", "bad.json") + ": user_types.t.fields.pid: missing offset"
    if r.returncode != 3 or len(rows) != 1 or rows[0]["Valid"] != "False" or want not in err:
        print(f"invalid: exit {r.returncode}, rows {rows}, stderr {err!r}")
        return False
    print("invalid: False, reported on stderr")
    return True


ok &= invalid_file_reported(work)

# "True (cached)": a --validate run remembered in the cache directory's
# index, as Volatility remembers validated hashes. Needs the CLI's
# --cache-dir (skipped without it).
help_text = subprocess.run([memscry, "--help"], capture_output=True).stdout.decode()
if "--cache-dir" in help_text:
    cache = os.path.join(os.path.realpath(work), "isfinfo-cache")
    shutil.rmtree(cache, ignore_errors=True)
    os.makedirs(cache)
    base = [memscry, "--cache-dir", cache, "-s", store, "-r", "json", "isfinfo.IsfInfo"]
    subprocess.run(base + ["--validate"], capture_output=True)
    with open(os.path.join(src, "tests", "data", "isfinfo", "vol-cached-after-validate.json")) as f:
        vol = json.loads(f.read().replace("@STORE@", store))
    ours = json.loads(subprocess.run(base, capture_output=True).stdout.decode())
    key = lambda row: row["URI"]
    if sorted(ours, key=key) != sorted(vol, key=key):
        print(f"cached after validate: rows differ: {ours}")
        ok = False
    else:
        print(f"cached after validate: {len(ours)} rows identical")
else:
    print("cached after validate: the CLI has no --cache-dir yet, skipped")
sys.exit(0 if ok else 1)
