#!/usr/bin/env python3
"""lsof_truth.py MEMSCRY SOURCE_DIR DATA_DIR DUMPFILE

linux.lsof.Lsof against the guest's own /proc (truth.json): the tasks with
open files are exactly the user tasks that are not zombies (each process's
threads included), with their tgid, tid and comm. On dev-la57, which
Volatility cannot read, lsof, mountinfo and pagecache.Files must also give
the same bytes on every format of the machine (compared with the .raw)."""
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


def run(path, *args):
    cmd = [memscry, "-q", "-s", os.path.join(root, "symbols"), "-f", path, "-r", "json", *args]
    res = subprocess.run(cmd, capture_output=True)
    if res.returncode != 0:
        print(f"FAIL: {' '.join(cmd)} exited {res.returncode}: "
              f"{res.stderr.decode(errors='replace')}")
        sys.exit(1)
    return res.stdout


failures = []
with open(os.path.join(root, machine, "truth.json")) as f:
    truth = json.load(f)
out = run(dump, "linux.lsof.Lsof")
rows = json.loads(out)
got = {(r["PID"], r["TID"], r["Process"]) for r in rows}
want = {(t["tgid"], t["pid"], t["comm_task_struct"]) for t in truth["tasks"]
        if not t["kernel_thread"] and t["state"] != "Z"}
if got != want:
    failures.append(f"tasks with files: extra {sorted(got - want)[:10]}, "
                    f"missing {sorted(want - got)[:10]}")
# every listed task has its console on fds 0-2 (the workload never closes them)
for pid, tid, _ in want:
    fds = {r["FD"] for r in rows if r["PID"] == pid and r["TID"] == tid}
    if not {0, 1, 2} <= fds:
        failures.append(f"pid {pid} tid {tid}: fds {sorted(fds)}")
        break

if machine == "dev-la57" and not dumpfile.endswith(".raw"):
    ref = corpus.dump_path(root, data, "dev-la57.raw")
    if os.path.exists(ref):
        for args in (["linux.lsof.Lsof"], ["linux.mountinfo.MountInfo"],
                     ["linux.pagecache.Files"]):
            if run(dump, *args) != run(ref, *args):
                failures.append(f"{' '.join(args)}: {dumpfile} differs from dev-la57.raw")

if failures:
    print("FAIL: " + "\n".join(failures))
    sys.exit(1)
print(f"ok: {dumpfile}: {len(rows)} open files of {len(want)} tasks")
