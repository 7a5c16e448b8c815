#!/usr/bin/env python3
"""symcache.py MEMSCRY SOURCE_DIR DATA_DIR WORK_DIR

The compiled symbol cache seen from the CLI: for dev-1k.lime's pslist and
pstree, a cold run (--no-cache), the run that builds the entry and the warm
run that maps it all print Volatility's golden bytes; an entry whose header
or whose whole body was overwritten is rebuilt (same bytes, exit 0) and
replaced by a good one."""
import glob
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus  # noqa: E402

memscry, source, data, work = sys.argv[1:5]
root = corpus.require_corpus(source)
dump = corpus.dump_path(root, data, "dev-1k.lime")
if not os.path.exists(dump):
    print(f"SKIP: {dump} not unpacked")
    sys.exit(corpus.SKIP)
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
cache = os.path.join(work, "cache")
failed = 0


def run(extra, name):
    cmd = [memscry, "-q", "-s", os.path.join(root, "symbols"), "-f", dump, "-r", "json"]
    cmd += extra + corpus.plugin_args(name)
    return subprocess.run(cmd, capture_output=True)


def check(label, extra, name):
    global failed
    want = corpus.golden_bytes(corpus.golden_dir(root, "dev-1k.lime"), name)
    res = run(extra, name)
    if res.returncode != 0 or res.stdout != want:
        print(f"FAIL: {label} {name}: exit {res.returncode}, "
              f"{'same' if res.stdout == want else 'different'} bytes: "
              f"{res.stderr.decode(errors='replace')}")
        failed = 1
    else:
        print(f"ok: {label} {name}")


def entries():
    return sorted(glob.glob(os.path.join(cache, "isf-*", "*")))


for name in ("linux.pslist.PsList", "linux.pstree.PsTree"):
    check("cold (--no-cache)", ["--no-cache"], name)
if os.path.exists(cache):
    print("FAIL: --no-cache wrote a cache")
    failed = 1
for label in ("build", "warm"):
    for name in ("linux.pslist.PsList", "linux.pstree.PsTree"):
        check(label, ["--cache-dir", cache], name)
ents = entries()
if len(ents) != 1 or not ents[0].endswith(".isfc"):
    print(f"FAIL: expected one entry, found {ents}")
    sys.exit(1)
entry = ents[0]
good = open(entry, "rb").read()

# Damage: the header (its checksum fails at open), then the whole body (every
# block fails its checksum when read): both are rebuilt by the same run.
for label, damaged in (("damaged header", b"\0" * 64 + good[64:]),
                       ("damaged body", good[:4096] + b"\x5a" * (len(good) - 8192) + good[-4096:])):
    with open(entry, "wb") as f:
        f.write(damaged)
    check(label, ["--cache-dir", cache], "linux.pslist.PsList")
    now = entries()
    if now != [entry] or open(entry, "rb").read() != good:
        print(f"FAIL: {label}: the entry was not rebuilt whole ({now})")
        failed = 1
    else:
        print(f"ok: {label}: entry rebuilt")

# A store with a symlink loop: the branch is skipped, the search goes on.
# With a match the skip is informational (-v, exit 0, golden bytes); with no
# match it is part of the error.
for label, cache_args in (("indexed", ["--cache-dir", os.path.join(work, "cache-loop")]),
                          ("no cache", ["--no-cache"])):
    loopstore = os.path.join(work, "loopstore-" + label.replace(" ", "-"))
    os.makedirs(os.path.join(loopstore, "linux"))
    os.symlink("..", os.path.join(loopstore, "linux", "loop"))
    for f in os.listdir(os.path.join(root, "symbols", "linux")):
        os.symlink(os.path.join(root, "symbols", "linux", f), os.path.join(loopstore, "linux", f))
    want = corpus.golden_bytes(corpus.golden_dir(root, "dev-1k.lime"), "linux.pslist.PsList")
    cmd = [memscry, "-v", "-s", loopstore, "-f", dump, "-r", "json"] + cache_args
    res = subprocess.run(cmd + ["linux.pslist.PsList"], capture_output=True)
    err = res.stderr.decode(errors="replace")
    if res.returncode != 0 or res.stdout != want or "symlink loop" not in err:
        print(f"FAIL: {label}: loop in the store: exit {res.returncode}: {err}")
        failed = 1
    else:
        print(f"ok: {label}: a symlink loop in the store is skipped ({err.strip().splitlines()[-1]})")
    empty = os.path.join(work, "emptyloop-" + label.replace(" ", "-"))
    os.makedirs(os.path.join(empty, "linux"))
    os.symlink("..", os.path.join(empty, "linux", "loop"))
    # --no-symbols-from-dump: else the dump's own BTF + kallsyms would serve.
    cmd = [memscry, "--no-symbols-from-dump", "-s", empty, "-f", dump, "-r", "json"] + cache_args
    res = subprocess.run(cmd + ["linux.pslist.PsList"], capture_output=True)
    err = res.stderr.decode(errors="replace")
    if res.returncode != 1 or "no symbol table matches" not in err or "skipped: " not in err:
        print(f"FAIL: {label}: loop and no match: exit {res.returncode}: {err}")
        failed = 1
    else:
        print(f"ok: {label}: no match names the skipped branch")

# A broken duplicate (the same banner, task_struct.comm removed) ahead of the
# good ISF in store order: it is refused and the search goes on to the good
# one, with the index and without.
import gzip  # noqa: E402
import json  # noqa: E402
import lzma  # noqa: E402
dupstore = os.path.join(work, "dupstore", "linux")
os.makedirs(dupstore)
good = os.path.join(root, "symbols", "linux", "debian-6.1.0-57-cloud-amd64.json.xz")
with lzma.open(good) as f:
    doc = json.load(f)
del doc["user_types"]["task_struct"]["fields"]["comm"]
with gzip.open(os.path.join(dupstore, "a-broken-duplicate.json.gz"), "wt", compresslevel=1) as f:
    json.dump(doc, f)
os.symlink(good, os.path.join(dupstore, os.path.basename(good)))
want = corpus.golden_bytes(corpus.golden_dir(root, "dev-1k.lime"), "linux.pslist.PsList")
for label, cache_args in (("indexed", ["--cache-dir", os.path.join(work, "cache-dup")]),
                          ("no cache", ["--no-cache"])):
    cmd = [memscry, "-s", os.path.dirname(dupstore), "-f", dump, "-r", "json"] + cache_args
    res = subprocess.run(cmd + ["linux.pslist.PsList"], capture_output=True)
    if res.returncode != 0 or res.stdout != want:
        print(f"FAIL: {label}: a broken duplicate first: exit {res.returncode}: "
              f"{res.stderr.decode(errors='replace')}")
        failed = 1
    else:
        print(f"ok: {label}: a broken duplicate ahead of the good ISF is passed over")
sys.exit(failed)
