#!/usr/bin/env python3
"""pagecache_check.py MEMSCRY SOURCE_DIR DATA_DIR DUMPFILE

linux.pagecache.InodePages --find ... --dump, and linux.pagecache.Files on
dev-612, against what is known:

* /etc/tree.sh is the guest workload's script: --dump writes exactly the
  corpus's build/tree.sh, one page, DumpSafe; on the machines built from
  build/rc as it is (all but dev-vmcore, whose guest runs crash.sh at the
  end), /etc/rc equals build/rc too.
* /bin/busybox (484 pages): the rows and the dumped file's sha256 equal
  what Volatility 3 2.11.0 printed and wrote (--find /bin/busybox --dump),
  kept in tests/data/vol-find/<machine>/ where it was run.
* Files --find <path>: the first row of Volatility's Files golden with
  that path, alone.
* dev-612: Volatility lists no mounts on 6.8+ kernels (see
  mountinfo_check.py), so its Files is empty; ours must list the same
  initramfs files as dev-1k's golden under /, /run and /tmp, and all of
  dev-1k's device nodes under /dev."""
import hashlib
import json
import lzma
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
failures = []


def run(outdir, *args):
    cmd = [memscry, "-q", "-s", os.path.join(root, "symbols"), "-f", dump, "-r", "json",
           "-o", outdir, *args]
    res = subprocess.run(cmd, capture_output=True)
    if res.returncode != 0:
        print(f"FAIL: {' '.join(cmd)} exited {res.returncode}: "
              f"{res.stderr.decode(errors='replace')}")
        sys.exit(1)
    return res.stdout


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


with tempfile.TemporaryDirectory() as out:
    scripts = [("/etc/tree.sh", "tree.sh")]
    if machine != "dev-vmcore":
        scripts.append(("/etc/rc", "rc"))
    for path, name in scripts:
        rows = json.loads(run(out, "linux.pagecache.InodePages", "--find", path, "--dump", name))
        with open(os.path.join(root, "build", name), "rb") as f:
            want = f.read()
        with open(os.path.join(out, name), "rb") as f:
            got = f.read()
        if got != want:
            failures.append(f"{path}: dumped {len(got)} bytes, not build/{name} ({len(want)})")
        pages = (len(want) + 4095) // 4096
        if [(r["Index"], r["DumpSafe"]) for r in rows] != [(i, True) for i in range(pages)]:
            failures.append(f"{path}: rows {rows}")
    vf = os.path.join(source, "tests", "data", "vol-find", machine)
    vrows = os.path.join(vf, "linux.pagecache.InodePages--find=_bin_busybox.json")
    if os.path.exists(vrows):
        got = run(out, "linux.pagecache.InodePages", "--find", "/bin/busybox", "--dump",
                  "busybox.dump")
        with open(vrows, "rb") as f:
            if got != f.read():
                failures.append("/bin/busybox: rows differ from Volatility's")
        with open(os.path.join(vf, "busybox.dump.sha256")) as f:
            want = f.read().split()[0]
        if sha(os.path.join(out, "busybox.dump")) != want:
            failures.append("/bin/busybox: the dump's sha256 is not Volatility's")

# Files --find: the first row of Volatility's Files with that path, alone
gold = os.path.join(source, "tests", "data", "vol", machine, "linux.pagecache.Files.json")
for g in (gold, gold + ".xz"):
    if os.path.exists(g):
        with (lzma.open(g) if g.endswith(".xz") else open(g, "rb")) as f:
            allrows = json.load(f)
        with tempfile.TemporaryDirectory() as out:
            for path in ("/etc/rc", "/bin/sh -> busybox", "/dev/console"):
                got = json.loads(run(out, "linux.pagecache.Files", "--find", path))
                want = [r for r in allrows if r["FilePath"] == path][:1]
                if not want or got != want:
                    failures.append(f"Files --find {path}: {got}, want {want}")

if machine == "dev-612":
    with tempfile.TemporaryDirectory() as out:
        ours = json.loads(run(out, "linux.pagecache.Files"))
    with lzma.open(os.path.join(source, "tests", "data", "vol", "dev-1k",
                                "linux.pagecache.Files.json.xz")) as f:
        ref = json.load(f)

    def paths(rows, mp):
        return {r["FilePath"] for r in rows if r["MountPoint"] == mp}

    for mp in ("/", "/run", "/tmp"):
        if paths(ours, mp) != paths(ref, mp):
            failures.append(f"{mp}: {sorted(paths(ours, mp) ^ paths(ref, mp))}")
    if not paths(ref, "/dev") <= paths(ours, "/dev"):
        failures.append(f"/dev lacks {sorted(paths(ref, '/dev') - paths(ours, '/dev'))}")
    if {r["MountPoint"] for r in ours} != {"/", "/run", "/dev", "/proc", "/sys", "/tmp"}:
        failures.append(f"mount points {sorted({r['MountPoint'] for r in ours})}")

if failures:
    print("FAIL: " + "\n".join(failures))
    sys.exit(1)
print(f"ok: {dumpfile}")
