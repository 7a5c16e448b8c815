#!/usr/bin/env python3
"""linux_tasks_truth.py MEMSCRY SOURCE_DIR DATA_DIR DUMPFILE

The task plugins that find tasks other ways than the task list, checked
against the guest's truth.json (every task, threads included):
 - linux.psscan.PsScan: every task of the guest is among the rows (a scan
   also finds freed task_structs, so extra rows are allowed), with its
   tgid, comm and parent's tgid; the zombie's EXIT_STATE is EXIT_ZOMBIE;
 - linux.pidhashtable.PIDHashTable: exactly the guest's tasks, sorted by
   (tgid, tid), each with its tgid, comm and parent;
 - linux.capabilities.Capabilities: one row per process (thread-group
   leader) in task-list order, Tid/Pid/PPid as the guest's;
 - linux.iomem.IOMem: the "System RAM" resources are the guest's
   /proc/iomem System RAM ranges (which are also the LiME ranges).
On dev-la57 (which Volatility cannot read) this is the whole oracle."""
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
by_tid = {t["pid"]: t for t in tasks}
failures = []


def run(*plugin):
    cmd = [memscry, "-q", "-s", os.path.join(root, "symbols"), "-f", dump, "-r", "json", *plugin]
    res = subprocess.run(cmd, capture_output=True)
    if res.returncode != 0:
        print(f"FAIL: {' '.join(cmd)}: {res.stderr.decode(errors='replace')}")
        sys.exit(1)
    return json.loads(res.stdout)


def ppid_tgid(t):
    """The tgid of t's parent (truth's ppid is the parent's tgid already)."""
    return t["ppid"]


def check_psscan():
    rows = run("linux.psscan.PsScan")
    have = {(r["PID"], r["TID"], r["PPID"], r["COMM"]) for r in rows}
    missing = [t["pid"] for t in tasks
               if (t["tgid"], t["pid"], ppid_tgid(t), t["comm_task_struct"]) not in have]
    if missing:
        failures.append(f"psscan: {len(missing)} of {len(tasks)} guest tasks not found, "
                        f"e.g. {missing[:5]}")
    zombies = [t["pid"] for t in tasks if t["state"] == "Z"]
    for z in zombies:
        states = {r["EXIT_STATE"] for r in rows if r["TID"] == z and r["PID"] == by_tid[z]["tgid"]}
        if "EXIT_ZOMBIE" not in states:
            failures.append(f"psscan: zombie {z} has EXIT_STATE {sorted(states)}")
    if dumpfile == "dev-vmcore.vmcore":
        # Volatility scans an ELF core from its first PT_LOAD's address
        # (it takes the unsorted segment list's first entry as the lowest):
        # here the kernel image at 0xda00000, so it misses the 218 MiB
        # below. Its rows must be exactly ours from there on.
        with open(os.path.join(source, "tests", "data", "linux",
                               "dev-vmcore.psscan-volatility.json"), encoding="utf-8") as f:
            vol = json.load(f)
        ours = [r for r in rows if r["OFFSET (P)"] >= 0xda00000]
        if ours != vol:
            failures.append(f"psscan: {len(ours)} rows above 0xda00000, Volatility has {len(vol)}")
    offs = [r["OFFSET (P)"] for r in rows]
    if offs != sorted(offs) or len(set(offs)) != len(offs):
        failures.append("psscan: offsets are not ascending and distinct")
    return len(rows)


def check_pidhashtable():
    rows = run("linux.pidhashtable.PIDHashTable")
    ours = [(r["PID"], r["TID"], r["PPID"], r["COMM"]) for r in rows]
    want = sorted((t["tgid"], t["pid"], ppid_tgid(t), t["comm_task_struct"]) for t in tasks)
    if ours != want:
        failures.append(f"pidhashtable: {len(ours)} rows vs {len(want)} tasks; first "
                        f"difference {next((a, b) for a, b in zip(ours + [None], want + [None]) if a != b)}")
    deco = run("linux.pidhashtable.PIDHashTable", "--decorate-comm")
    for r in deco:
        t = by_tid.get(r["TID"])
        if t is None:
            continue
        name = t["comm_task_struct"]
        want_name = (f"[{name}]" if t["kernel_thread"] else
                     f"{{{name}}}" if t["pid"] != t["tgid"] else name)
        if r["COMM"] != want_name:
            failures.append(f"pidhashtable --decorate-comm: tid {r['TID']} is {r['COMM']!r}, "
                            f"want {want_name!r}")
    return len(rows)


def check_capabilities():
    # Volatility 2.11.0 raises on the 6.1 kernels (their ISF names the
    # two-word set kernel_cap_t, whose class knows only `val`); the guests
    # run everything as root, so every set is root's: no inheritable or
    # ambient capabilities, all of the others.
    rows = run("linux.capabilities.Capabilities")
    ps = run("linux.pslist.PsList")
    ours = [(r["Name"], r["Tid"], r["Pid"], r["PPid"], r["EUID"]) for r in rows]
    want = [(r["COMM"], r["TID"], r["PID"], r["PPID"], by_tid[r["TID"]]["uid"]) for r in ps]
    if ours != want:
        failures.append(f"capabilities: {len(ours)} rows vs {len(want)} processes; first "
                        f"difference {next((a, b) for a, b in zip(ours + [None], want + [None]) if a != b)}")
    sets = {(r["cap_inheritable"], r["cap_permitted"], r["cap_effective"], r["cap_bounding"],
             r["cap_ambient"]) for r in rows}
    if sets != {("", "all", "all", "all", "")}:
        failures.append(f"capabilities: sets {sorted(sets)[:3]}")
    some = run("linux.capabilities.Capabilities", "--pids", "2", "1")
    if [r["Tid"] for r in some] != [1, 2]:
        failures.append(f"capabilities --pids 2 1: {[r['Tid'] for r in some]}")
    return len(rows)


def check_iomem():
    rows = run("linux.iomem.IOMem")
    ram = [{"start": hex(r["Start"]), "end": hex(r["End"])}
           for r, _ in flat(rows) if r["Name"] == "System RAM"]
    if ram != truth["system_ram"]:
        failures.append(f"iomem: System RAM {ram}, truth {truth['system_ram']}")
    return len(list(flat(rows)))


def flat(rows, depth=0):
    for r in rows:
        yield r, depth
        yield from flat(r["__children"], depth + 1)


checks = [check_psscan, check_pidhashtable, check_capabilities, check_iomem]
counts = [f"{c.__name__[6:]} {c()}" for c in checks]
if failures:
    print("FAIL:\n  " + "\n  ".join(failures))
    sys.exit(1)
print(f"ok: {dumpfile}: {', '.join(counts)} rows agree with truth.json ({len(tasks)} tasks)")
