#!/usr/bin/env python3
"""winhostile.py MEMSCRY GENERATED_DIR ISF_FILE NAME KIND

Bad input from the generator's --hostile kinds (an EPROCESS list that loops
or runs into unmapped memory, a PEB pointer to nowhere, a UNICODE_STRING
longer than its buffer, a VAD tree with a cycle): every Windows plugin must
end within its time bound with exit 0 (nothing lost) or 3 (rows with
warnings), never crash or hang, and the damage must show where it is:
  loop, unmapped  pslist ends early with a WARNING naming the active
                  process list, exit 3, and psscan still lists every
                  process the truth file has;
  peb-nowhere     cmdline prints Volatility's "Required memory at ..." text
                  for that process;
  vad-cycle       vadinfo ends that process's walk with a WARNING, exit 3.
Rows are also compared with Volatility's where a golden exists (not here:
the generic checks are what the issue asks of bad input)."""
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, HERE)
import corpus  # noqa: E402
import winfixtures  # noqa: E402

PLUGINS = ["windows.info.Info", "windows.pslist.PsList", "windows.pstree.PsTree",
           "windows.psscan.PsScan", "windows.cmdline.CmdLine", "windows.dlllist.DllList",
           "windows.modules.Modules", "windows.vadinfo.VadInfo", "windows.malfind.Malfind",
           "windows.envars.Envars"]


def main():
    memscry, gen_root, isf_file, name, kind = sys.argv[1:6]
    isf_dir = os.path.join(winfixtures.shared_dir(), "isf")
    if not os.path.isdir(os.path.join(isf_dir, "windows")):
        print(f"SKIP: no Windows ISFs at {isf_dir}")
        return corpus.SKIP
    os.makedirs(gen_root, exist_ok=True)
    entry = {"isf": isf_file, "name": f"{name}-{kind}", "format": "raw",
             "file": f"{name}-{kind}.raw",
             "options": {"mem_mb": 64, "seed": 1, "hostile": kind}}
    image = winfixtures.ensure_image(os.path.abspath(gen_root), isf_dir, entry)
    with open(os.path.join(os.path.dirname(image), f"{name}-{kind}.truth.json"), "rb") as f:
        truth = json.load(f)
    failures, results = [], {}
    for plugin in PLUGINS:
        cmd = [memscry, "-q", "-s", isf_dir, "-f", image, "-r", "json", plugin]
        t0 = time.monotonic()
        try:
            res = subprocess.run(cmd, capture_output=True, timeout=120)
        except subprocess.TimeoutExpired:
            failures.append(f"{plugin}: no answer within 120 s")
            continue
        took = time.monotonic() - t0
        err = res.stderr.decode(errors="replace")
        if res.returncode not in (0, 3) or took > 30:
            failures.append(f"{plugin}: exit {res.returncode} after {took:.1f} s: {err[-400:]}")
            continue
        try:
            rows = json.loads(res.stdout)
        except ValueError as e:
            failures.append(f"{plugin}: output is not JSON: {e}")
            continue
        results[plugin] = (res.returncode, err, rows)

    def need(cond, msg):
        if not cond:
            failures.append(msg)

    if kind in ("loop", "unmapped") and "windows.pslist.PsList" in results:
        rc, err, rows = results["windows.pslist.PsList"]
        need(rc == 3 and "the active process list ends early" in err,
             f"pslist: want exit 3 and a warning that the active process list ends early, "
             f"got exit {rc}: {err!r}")
        if "windows.psscan.PsScan" in results:
            scanned = {r["PID"] for r in results["windows.psscan.PsScan"][2]}
            want = {p["pid"] for p in truth["processes"] if p.get("in_psscan", True)}
            need(want <= scanned, f"psscan misses PIDs {sorted(want - scanned)}")
    if kind == "peb-nowhere" and "windows.cmdline.CmdLine" in results:
        rows = results["windows.cmdline.CmdLine"][2]
        need(any(str(r.get("Args", "")).startswith("Required memory at ") and r["PID"] not in (4, 88)
                 for r in rows), "cmdline: no 'Required memory at' row for the PEB to nowhere")
    if kind == "vad-cycle" and "windows.vadinfo.VadInfo" in results:
        rc, err, rows = results["windows.vadinfo.VadInfo"]
        need(rc == 3 and "warning" in err, f"vadinfo: want exit 3 with a warning, got {rc}: {err!r}")
    if failures:
        print("FAIL:\n  " + "\n  ".join(failures))
        return 1
    print(f"ok: {name} --hostile {kind}: {len(results)} plugins bounded; damage reported")
    return 0


if __name__ == "__main__":
    sys.exit(main())
