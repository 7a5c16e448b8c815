#!/usr/bin/env python3
"""proctree.py MEMSCRY SOURCE_DIR DATA_DIR DUMP

memscry.proctree.ProcTreeCheck on a corpus dump, its findings exact.

Linux (DUMP a corpus dump file, any format): the findings are computed
independently and must equal the plugin's (Rule, PID) pairs, and EXPECTED
states them by hand. The independent oracle: truth.json (taken inside the
guest: each task's ppid and start time in clock ticks) for orphans
(a ppid that no task has) and child-before-parent (a child's start tick
below its parent's); memscry's own linux.pslist and linux.psscan for
duplicate PIDs and for hidden processes (a live psscan find, PID == TID,
whose PID pslist lacks). No corpus machine has any: every parent is
alive, every child started after its parent, the scans only find listed
tasks, their threads, exited tasks (dev-vmcore's EXIT_DEAD sleep 190) and
non-task garbage (PID 0 or negative), so the plugin must print `[]`. That
empty answer came from the real walk: the unit suite test_proctree patches
dev-small.raw so that each rule fires, on the same code path.

Windows (DUMP a shared sample under windows-samples): the bytes of
tests/data/proctree/<image>.json, whose one finding is checked here
against the generator's truth: hidden_rk.exe (PID 6240) is unlinked from
ActiveProcessLinks but still in pool, with no ExitTime, so it is "hidden"
(High) at the offset psscan prints (the EPROCESS's virtual address on
Windows 10/11, whose pool scan reads the kernel's virtual space; its
physical address on 7 and 8.1). setup_old.exe (2916) is unlinked too but
has an ExitTime: not hidden. csrss/wininit (PPID 428) and csrss/winlogon
(PPID 504) lack their parents because the session smss.exe instances exit
(not orphans); explorer.exe's parent 3528 (userinit.exe) exits too;
Registry (88) predates its parent System (4), whose CreateTime Windows
writes late in boot (not flagged); every other parent rule holds."""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus  # noqa: E402

memscry, source, data, dump = sys.argv[1:5]
root = corpus.require_corpus(source)
failures = []

# The findings each machine has, by hand (see the docstring).
EXPECTED = {
    "dev-small": [], "dev-1k": [], "dev-612": [], "dev-vmcore": [], "dev-la57": [],
    "win10-22h2-19045": [("hidden", 6240)], "win11-21h2-22000": [("hidden", 6240)],
    "win7sp1-7601": [("hidden", 6240)], "win81-9600": [("hidden", 6240)],
}


def run(path, syms, plugin):
    cmd = [memscry, "-q", "-s", syms, "-f", path, "-r", "json", plugin]
    res = subprocess.run(cmd, capture_output=True)
    if res.returncode != 0:
        print(f"FAIL: {' '.join(cmd)} exited {res.returncode}: "
              f"{res.stderr.decode(errors='replace')}")
        sys.exit(1)
    return res.stdout


def linux():
    machine = corpus.machine_of(dump)
    path = corpus.dump_path(root, data, dump)
    if not os.path.exists(path):
        print(f"SKIP: {path} absent")
        sys.exit(corpus.SKIP)
    syms = os.path.join(root, "symbols")
    with open(os.path.join(root, machine, "truth.json"), encoding="utf-8") as f:
        truth = json.load(f)
    leaders = {t["pid"]: t for t in truth["tasks"] if t["is_thread_group_leader"]}
    oracle = set()
    for t in leaders.values():
        if t["ppid"] and t["ppid"] not in leaders:
            oracle.add(("orphan", t["pid"]))
        parent = leaders.get(t["ppid"])
        if parent and t["start_time_ticks"] < parent["start_time_ticks"]:
            oracle.add(("child-before-parent", t["pid"]))
    pslist = json.loads(run(path, syms, "linux.pslist"))
    psscan = json.loads(run(path, syms, "linux.psscan"))
    listed = [r["PID"] for r in pslist]
    # pslist lists the truth program, which truth.json leaves out.
    if not set(leaders) <= set(listed) or len(set(listed) - set(leaders)) > 1:
        failures.append(f"pslist's PIDs are not truth's: {sorted(set(listed) ^ set(leaders))}")
    for p in set(listed):
        if listed.count(p) > 1:
            oracle.add(("duplicate-pid", p))
    for r in psscan:
        if (r["EXIT_STATE"] == "TASK_RUNNING" and r["PID"] == r["TID"] and r["PID"] > 0
                and r["PID"] not in listed):
            oracle.add(("hidden", r["PID"]))
    raw = run(path, syms, "memscry.proctree")
    rows = json.loads(raw)
    got = sorted((r["Rule"], r["PID"]) for r in rows)
    if got != sorted(oracle):
        failures.append(f"findings {got}, the oracle says {sorted(oracle)}")
    if got != sorted(EXPECTED[machine]):
        failures.append(f"findings {got}, expected {EXPECTED[machine]}")
    if raw.strip() != b"[]":
        failures.append(f"output {raw[:200]!r} is not []")
    return f"{len(rows)} findings over {len(leaders)} processes"


def windows():
    image = os.path.basename(dump)
    from winsamples import sample
    path = sample(root, data, image)
    name = image.rsplit(".", 2)[0] if image.endswith(".dmp") else image.rsplit(".", 1)[0]
    with open(os.path.join(root, "windows-samples", name + ".truth.json"),
              encoding="utf-8") as f:
        truth = json.load(f)
    isf = os.path.abspath(os.path.join(root, "..", "isf"))
    raw = run(path, isf, "memscry.proctree")
    with open(os.path.join(source, "tests", "data", "proctree", image + ".json"), "rb") as f:
        want = f.read()
    if raw != want:
        failures.append(f"output differs from tests/data/proctree/{image}.json:\n"
                        f"{raw.decode(errors='replace')}")
    rows = json.loads(raw)
    got = [(r["Rule"], r["PID"]) for r in rows]
    if got != EXPECTED[name]:
        failures.append(f"findings {got}, expected {EXPECTED[name]}")
    virtual = "win10" in name or "win11" in name
    hidden = [p for p in truth["processes"]
              if not p["in_pslist"] and p["in_psscan"] and p["exit_time"] is None]
    want_rows = [{"Rule": "hidden", "Severity": "High", "PID": p["pid"], "PPID": p["ppid"],
                  "Process": p["name"],
                  "Offset(V)": p["eprocess_va"] & (2**48 - 1) if virtual else p["eprocess_pa"]}
                 for p in hidden]
    if [{k: r[k] for k in want_rows[0]} for r in rows] != want_rows:
        failures.append(f"rows {rows} are not the truth's hidden processes {want_rows}")
    where = (f"0x{want_rows[0]['Offset(V)']:x}" if virtual
             else f"physical 0x{want_rows[0]['Offset(V)']:x}")
    text = (f"EPROCESS at {where} has no ExitTime and was found by pool scanning, but PID "
            f"6240 is not in the active process list")
    if rows[0]["Explanation"] != text:
        failures.append(f"explanation {rows[0]['Explanation']!r}, expected {text!r}")
    return f"{len(rows)} finding (hidden_rk.exe)"


summary = windows() if dump.startswith("win") else linux()
if failures:
    for f in failures:
        print("FAIL:", f)
    sys.exit(1)
print(f"ok: {dump}: {summary}")
