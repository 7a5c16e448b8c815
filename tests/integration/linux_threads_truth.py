#!/usr/bin/env python3
"""linux_threads_truth.py THREADWALK SOURCE_DIR DATA_DIR DUMPFILE

scry_linux_walk_tasks with threads (ptrace's task walk) against truth.json: every
task, threads included, once; each process before its threads; on 6.12
(signal->thread_head) as on 6.1 (thread_group)."""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus  # noqa: E402

walker, source, data, dumpfile = sys.argv[1:5]
root = corpus.require_corpus(source)
dump = corpus.dump_path(root, data, dumpfile)
if not os.path.exists(dump):
    print(f"SKIP: {dump} not unpacked")
    sys.exit(corpus.SKIP)
with open(os.path.join(root, corpus.machine_of(dumpfile), "truth.json"), encoding="utf-8") as f:
    tasks = json.load(f)["tasks"]
res = subprocess.run([walker, os.path.join(root, "symbols"), dump], capture_output=True, text=True)
if res.returncode != 0:
    print(f"FAIL: threadwalk exited {res.returncode}: {res.stderr}")
    sys.exit(1)
got = [tuple(int(v) for v in line.split()) for line in res.stdout.splitlines()]
want = sorted((t["tgid"], t["pid"]) for t in tasks)
if sorted((g[0], g[1]) for g in got) != want:
    print(f"FAIL: {len(got)} tasks walked, truth has {len(want)}")
    sys.exit(1)
leader_seen = set()
for tgid, pid, thread in got:
    if thread != (tgid != pid):
        print(f"FAIL: task {pid} of {tgid} listed with thread={thread}")
        sys.exit(1)
    if thread and tgid not in leader_seen:
        print(f"FAIL: thread {pid} before its leader {tgid}")
        sys.exit(1)
    leader_seen.add(pid)
print(f"ok: {dumpfile}: {len(got)} tasks, threads after their leaders, as truth.json has them")
