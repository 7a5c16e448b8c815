#!/usr/bin/env python3
"""mountinfo_check.py MEMSCRY SOURCE_DIR DATA_DIR DUMPFILE

linux.mountinfo.MountInfo where Volatility 2.11.0's output cannot be a
byte-for-byte golden:

* --mount-format: Volatility joins MNT_OPTS from a Python set, whose order
  changes from run to run (string hashing is randomized). Its output kept in
  tests/data/vol-sets/<machine>/ must equal ours with MNT_OPTS compared as
  sets; ours lists the mount's options, then the superblock's new ones.
* dev-612 (kernel 6.12, mounts in a red-black tree): Volatility takes the
  tree's nodes as mount.mnt_list, not mount.mnt_node, and lists nothing. The
  guest's mounts are known from its workload (build/rc): init's namespace
  has rootfs on /, proc, sysfs, devtmpfs on /dev, tmpfs on /run and /tmp;
  kdevtmpfs's has rootfs and devtmpfs, both on /. Each mount's parent is a
  mount of the same namespace."""
import json
import os
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
machine = corpus.machine_of(dumpfile)


def run(*extra):
    cmd = [memscry, "-q", "-s", os.path.join(root, "symbols"), "-f", dump, "-r", "json",
           "linux.mountinfo.MountInfo", *extra]
    res = subprocess.run(cmd, capture_output=True)
    if res.returncode != 0:
        print(f"FAIL: {' '.join(cmd)} exited {res.returncode}: "
              f"{res.stderr.decode(errors='replace')}")
        sys.exit(1)
    return json.loads(res.stdout)


failures = []
gold = os.path.join(source, "tests", "data", "vol-sets", machine,
                    "linux.mountinfo.MountInfo--mount-format.json")
checked = 0
if os.path.exists(gold):
    with open(gold) as f:
        want = json.load(f)
    got = run("--mount-format")
    def norm(r):
        return {**r, "MNT_OPTS": sorted(r["MNT_OPTS"].split(","))}
    if [norm(r) for r in got] != [norm(r) for r in want]:
        failures.append(f"--mount-format: rows differ from Volatility's beyond MNT_OPTS order:"
                        f"\n got {got}\n want {want}")
    # our order: the mount's options first, as in MOUNT_OPTIONS
    full = run()
    for g, r in zip(got, full):
        mnt = r["MOUNT_OPTIONS"].split(",")
        if g["MNT_OPTS"].split(",")[:len(mnt)] != mnt:
            failures.append(f"--mount-format: MNT_OPTS {g['MNT_OPTS']} does not start with "
                            f"{r['MOUNT_OPTIONS']}")
    checked += 1

if machine == "dev-612":
    rows = run()
    init_ns = {("/", "rootfs", "rootfs"), ("/proc", "proc", "proc"), ("/sys", "sysfs", "sysfs"),
               ("/dev", "devtmpfs", "devtmpfs"), ("/run", "tmpfs", "tmpfs"),
               ("/tmp", "tmpfs", "tmpfs")}
    kdev_ns = {("/", "rootfs", "rootfs"), ("/", "devtmpfs", "devtmpfs")}
    by_ns = {}
    for r in rows:
        by_ns.setdefault(r["MNT_NS_ID"], []).append(r)
        if r["ROOT"] != "/" or r["FIELDS"] != "" or r["SB_OPTIONS"] != "rw":
            failures.append(f"unexpected row {r}")
        opts = "rw" if r["FSTYPE"] == "rootfs" else "rw,relatime"
        if r["MOUNT_OPTIONS"] != opts:
            failures.append(f"MOUNT_OPTIONS {r['MOUNT_OPTIONS']} for {r}, want {opts}")
    got_sets = sorted(sorted((r["MOUNT_POINT"], r["FSTYPE"], r["MOUNT_SRC"]) for r in v)
                      for v in by_ns.values())
    want_sets = sorted([sorted(init_ns), sorted(kdev_ns)])
    if got_sets != want_sets:
        failures.append(f"mounts {got_sets}, want {want_sets}")
    for k, v in by_ns.items():
        ids = {r["MOUNT ID"] for r in v}
        if len(ids) != len(v) or any(r["PARENT_ID"] not in ids for r in v):
            failures.append(f"namespace {k}: ids {sorted(ids)} / parents "
                            f"{[r['PARENT_ID'] for r in v]} inconsistent")
    # --pids: the marker's namespace is init's, one row per mount
    pid = json.load(open(os.path.join(root, machine, "truth.json")))["marker"]["marker_pid"]
    prow = run("--pids", str(pid))
    if sorted((r["MOUNT_POINT"], r["FSTYPE"]) for r in prow) != \
            sorted((p, t) for p, t, _ in init_ns) or any(r["PID"] != pid for r in prow):
        failures.append(f"--pids {pid}: {prow}")
    checked += 1

if not checked:
    print(f"SKIP: nothing to check on {dumpfile}")
    sys.exit(corpus.SKIP)
if failures:
    print("FAIL: " + "\n".join(failures))
    sys.exit(1)
print(f"ok: {dumpfile}")
