#!/usr/bin/env python3
"""marker.py - where the YARA marker must be found in the marker process.

Library (for the YARA plugins' tests):
    marker_expectations(truth) -> [(pid, va), ...]

Test (ctest truth.marker.<dump>):
    marker.py MEMSCRY PROCREAD SOURCE_DIR DATA_DIR DUMPFILE

The guest's /bin/marker (corpus build/memf.c, do_marker) puts
MEMF_YARA_MARKER_7ae8 in four places of its own memory and writes their
addresses to truth.json `marker`:
  heap      malloc'd block, after "heap:" (truth gives the marker itself)
  straddle  10 bytes before the end of the first page of a 2-page mmap
            (truth `straddle`; `mmap2` + `straddle_page_offset`)
  rwx       an RWX mapping starting 90 90 c3, marker at mapping + 0x10
            (truth `rwx` = `rwx_mapping` + 0x10)
  env       the value of MEMF_MARKER=MEMF_YARA_MARKER_7ae8_env in the
            process's initial environment: truth `env` is getenv()'s
            pointer, i.e. the value's first byte, 12 bytes (len
            "MEMF_MARKER=") after the start of the string.
The test checks each address against the dump's bytes through the process's
own page tables (procread), checks that the env copy starts the value of a
whole MEMF_MARKER string inside [mm->env_start, mm->env_end), and that
linux.envars.Envars shows the variable; then that linux.lsmod.Lsmod lists
truth.json `modules` (/proc/modules: name, size, in list order). On
dev-la57 (5-level paging) Volatility reads nothing, so this truth is the
whole oracle there."""
import json
import os
import subprocess
import sys

MARKER = b"MEMF_YARA_MARKER_7ae8"
ENV_KEY = "MEMF_MARKER"
ENV_VALUE = "MEMF_YARA_MARKER_7ae8_env"


def marker_copies(truth):
    """{copy name: virtual address} of the marker process's four copies."""
    m = truth["marker"]
    copies = {
        "heap": int(m["heap"], 16),
        "straddle": int(m["straddle"], 16),
        "rwx": int(m["rwx"], 16),
        "env": int(m["env"], 16),
    }
    # The addresses the truth states twice must agree.
    assert copies["straddle"] == int(m["mmap2"], 16) + m["straddle_page_offset"], m
    assert copies["straddle"] % 4096 == 4096 - 10, m
    assert copies["rwx"] == int(m["rwx_mapping"], 16) + 0x10, m
    return copies


def marker_expectations(truth):
    """(pid, virtual address) of every place MEMF_YARA_MARKER_7ae8 must be
    found in the marker process, ascending by address: heap, straddling,
    rwx (mapping + 0x10), environment value."""
    pid = truth["marker"]["marker_pid"]
    return sorted((pid, va) for va in marker_copies(truth).values())


def procread(tool, symdir, dump, pid, reads):
    """Runs procread; returns (env_start, env_end), {va: bytes or None}."""
    cmd = [tool, symdir, dump, str(pid)]
    for va, n in reads:
        cmd += [hex(va), str(n)]
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {res.returncode}: {res.stderr}")
    lines = res.stdout.splitlines()
    env = tuple(int(x, 16) for x in lines[0].split()[1:3])
    got = {}
    for line in lines[1:]:
        va, rest = line.split(" ", 1)
        got[int(va, 16)] = None if rest.startswith("unreadable") else bytes.fromhex(rest)
    return env, got


def module_truth(truth):
    """[(name, size)] of /proc/modules, in its (the module list's) order."""
    return [(line.split()[0], int(line.split()[1])) for line in truth["modules"]]


def main():
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import corpus  # noqa: E402

    memscry, tool, source, data, dumpfile = sys.argv[1:6]
    root = corpus.require_corpus(source)
    dump = corpus.dump_path(root, data, dumpfile)
    if not os.path.exists(dump):
        print(f"SKIP: {dump} not unpacked")
        sys.exit(corpus.SKIP)
    with open(os.path.join(root, corpus.machine_of(dumpfile), "truth.json"),
              encoding="utf-8") as f:
        truth = json.load(f)
    symdir = os.path.join(root, "symbols")
    failures = []

    def run(*plugin):
        cmd = [memscry, "-q", "-s", symdir, "-f", dump, "-r", "json", *plugin]
        res = subprocess.run(cmd, capture_output=True)
        if res.returncode != 0:
            print(f"FAIL: {' '.join(cmd)}: {res.stderr.decode(errors='replace')}")
            sys.exit(1)
        return json.loads(res.stdout)

    # 1. The bytes at every expected address, in the process's own space.
    expect = marker_expectations(truth)
    pid = expect[0][0]
    env_va = marker_copies(truth)["env"]
    entry = (ENV_KEY + "=" + ENV_VALUE).encode() + b"\0"
    entry_va = env_va - len(ENV_KEY) - 1
    reads = [(va, len(MARKER)) for _, va in expect] + [(entry_va - 1, len(entry) + 1)]
    (env_start, env_end), got = procread(tool, symdir, dump, pid, reads)
    for _, va in expect:
        if got.get(va) != MARKER:
            failures.append(f"pid {pid} 0x{va:x}: {got.get(va)!r}, not {MARKER!r}")
    around = got.get(entry_va - 1)
    if not env_start <= entry_va or not entry_va + len(entry) <= env_end:
        failures.append(f"env copy 0x{env_va:x}: its string 0x{entry_va:x}+{len(entry)} is not "
                        f"inside the environment 0x{env_start:x}-0x{env_end:x}")
    elif around is None or around[1:] != entry or (entry_va > env_start and around[0] != 0):
        failures.append(f"env copy 0x{env_va:x}: no whole {entry!r} string at 0x{entry_va:x} "
                        f"(read {around!r})")

    # 2. Envars shows the variable for the marker pid.
    rows = run("linux.envars.Envars", "--pid", str(pid))
    pairs = [(r["KEY"], r["VALUE"]) for r in rows]
    if (ENV_KEY, ENV_VALUE) not in pairs or any(r["PID"] != pid for r in rows):
        failures.append(f"envars --pid {pid}: no {ENV_KEY}={ENV_VALUE} in {pairs}")

    # 3. Lsmod lists /proc/modules, in order, at masked kernel addresses.
    mods = run("linux.lsmod.Lsmod")
    ours = [(r["Name"], r["Size"]) for r in mods]
    if ours != module_truth(truth):
        failures.append(f"lsmod: {ours} != truth {module_truth(truth)}")
    bits = 57 if dumpfile.startswith("dev-la57") else 48
    if any(r["Offset"] >> bits or not r["Offset"] >> (bits - 1) for r in mods):
        failures.append(f"lsmod Offset not masked to {bits} bits: "
                        f"{[hex(r['Offset']) for r in mods]}")

    if failures:
        for f in failures:
            print("FAIL:", f)
        sys.exit(1)
    print(f"ok: {dumpfile}: marker pid {pid} at {[hex(va) for _, va in expect]}, "
          f"{ENV_KEY} in envars, {len(mods)} modules equal the truth")


if __name__ == "__main__":
    main()
