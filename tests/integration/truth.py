#!/usr/bin/env python3
"""truth.py MEMSCRY SOURCE_DIR DATA_DIR DUMPFILE

Checks memscry against the guest's own ground truth (truth.json), with the
corpus README's rules: processes are thread-group leaders, names compare
with comm_task_struct, psaux prints [comm] for a task without a memory map
(kernel threads and the zombie) and null for a command line over 4096
bytes. This is the whole oracle for dev-la57, which Volatility cannot read;
there OFFSET (V) must be masked to 57 bits, not 48."""
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
with open(os.path.join(root, corpus.machine_of(dumpfile), "truth.json"), encoding="utf-8") as f:
    truth = json.load(f)
tasks = truth["tasks"]
failures = []


def run(*plugin):
    cmd = [memscry, "-q", "-s", os.path.join(root, "symbols"), "-f", dump, "-r", "json", *plugin]
    res = subprocess.run(cmd, capture_output=True)
    if res.returncode != 0:
        print(f"FAIL: {' '.join(cmd)}: {res.stderr.decode(errors='replace')}")
        sys.exit(1)
    return json.loads(res.stdout)


def flat(rows, depth=0, parent=None):
    for r in rows:
        yield r, depth, parent
        yield from flat(r.get("__children", []), depth + 1, r)


def same(what, ours, want):
    if ours != want:
        extra = sorted(set(ours) - set(want))[:5]
        missing = sorted(set(want) - set(ours))[:5]
        diff = [(k, ours[k], want[k]) for k in sorted(set(ours) & set(want)) if ours[k] != want[k]][:5]
        failures.append(f"{what}: {len(ours)} rows vs {len(want)} in truth; extra {extra}, "
                        f"missing {missing}, different {diff}")


leaders = [t for t in tasks if t["is_thread_group_leader"]]
ps = [r for r, _, _ in flat(run("linux.pslist.PsList"))]
same("pslist (pid: ppid, comm)", {r["PID"]: [r["PPID"], r["COMM"]] for r in ps},
     {t["pid"]: [t["ppid"], t["comm_task_struct"]] for t in leaders})
if len(ps) != truth["counts"]["processes"]:
    failures.append(f"pslist: {len(ps)} processes, truth counts {truth['counts']['processes']}")

th = [r for r, _, _ in flat(run("linux.pslist.PsList", "--threads"))]
same("pslist --threads (tid: tgid, ppid, comm)", {r["TID"]: [r["PID"], r["PPID"], r["COMM"]] for r in th},
     {t["pid"]: [t["tgid"], t["ppid"], t["comm_task_struct"]] for t in tasks})
if len(th) != truth["counts"]["tasks_incl_threads"]:
    failures.append(f"--threads: {len(th)} tasks, truth counts {truth['counts']['tasks_incl_threads']}")

tree = list(flat(run("linux.pstree.PsTree")))
same("pstree (pid: ppid)", {r["PID"]: r["PPID"] for r, _, _ in tree}, {t["pid"]: t["ppid"] for t in leaders})
for r, depth, parent in tree:
    if parent is not None and r["PPID"] != parent["PID"]:
        failures.append(f"pstree: pid {r['PID']} (ppid {r['PPID']}) nested under pid {parent['PID']}")

aux = {r["PID"]: r for r, _, _ in flat(run("linux.psaux.PsAux"))}
want_args = {}
for t in leaders:
    if t["kernel_thread"]:
        want_args[t["pid"]] = "[" + t["comm_task_struct"] + "]"
    elif t["state"].startswith("Z"):
        want_args[t["pid"]] = "[" + t["comm_task_struct"] + "]"  # no mm once exited
    elif t["cmdline_len"] > 4096:
        want_args[t["pid"]] = None
    else:
        want_args[t["pid"]] = t["cmdline"]
same("psaux (pid: args)", {p: r["ARGS"] for p, r in aux.items()}, want_args)
same("psaux (pid: ppid, comm)", {p: [r["PPID"], r["COMM"]] for p, r in aux.items()},
     {t["pid"]: [t["ppid"], t["comm_task_struct"]] for t in leaders})

# Kernel addresses are masked to the layer's width: 57 bits on 5-level.
bits = 57 if dumpfile.startswith("dev-la57") else 48
offs = [r["OFFSET (V)"] for r in ps]
if any(o >> bits for o in offs) or not any(o >> (bits - 1) for o in offs):
    failures.append(f"OFFSET (V) not masked to {bits} bits: {[hex(o) for o in offs[:3]]}")

if failures:
    for f in failures:
        print("FAIL:", f)
    sys.exit(1)
print(f"ok: {dumpfile}: {len(ps)} processes, {len(th)} tasks, tree and command lines equal the truth")
