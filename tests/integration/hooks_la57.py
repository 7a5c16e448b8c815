#!/usr/bin/env python3
"""hooks_la57.py MEMSCRY SOURCE_DIR DATA_DIR

The hook checks (check_syscall, check_idt, check_modules, check_afinfo,
tty_check, keyboard_notifiers, check_creds, netfilter) on dev-la57, which
Volatility cannot read: every format must print the same bytes, and the
rows must be dev-small's golden rows (the same 6.1 kernel build) once the
addresses, which KASLR and the 57-bit mask change, are left out; every
address printed must be masked to 57 bits with the kernel's top bits set."""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus  # noqa: E402

memscry, source, data = sys.argv[1:4]
root = corpus.require_corpus(source)
files = [f"dev-la57.{ext}" for ext in ("raw", "lime", "elf")]
files = [f for f in files if os.path.exists(corpus.dump_path(root, data, f))]
if len(files) < 2:
    print("SKIP: fewer than two formats of dev-la57 present")
    sys.exit(corpus.SKIP)

# plugin -> its address columns (left out of the comparison with dev-small)
PLUGINS = {
    "linux.check_syscall.Check_syscall": ["Table Address", "Handler Address"],
    "linux.check_idt.Check_idt": ["Address"],
    "linux.check_modules.Check_modules": ["Module Address"],
    "linux.check_afinfo.Check_afinfo": ["Handler Address"],
    "linux.tty_check.tty_check": ["Address"],
    "linux.keyboard_notifiers.Keyboard_notifiers": ["Address"],
    "linux.check_creds.Check_creds": ["CredVAddr"],
    "linux.netfilter.Netfilter": ["Handler"],
}
MASK57 = (1 << 57) - 1
bad = 0
for plugin, addr_cols in PLUGINS.items():
    outs = {}
    for f in files:
        cmd = [memscry, "-q", "-s", os.path.join(root, "symbols"), "-f",
               corpus.dump_path(root, data, f), "-r", "json", plugin]
        res = subprocess.run(cmd, capture_output=True)
        if res.returncode != 0:
            print(f"FAIL: {' '.join(cmd)} exited {res.returncode}: "
                  f"{res.stderr.decode(errors='replace')}")
            sys.exit(1)
        outs[f] = res.stdout
    ref = outs[files[0]]
    for f in files[1:]:
        if outs[f] != ref:
            print(f"FAIL: {plugin}: {f} differs from {files[0]}")
            bad = 1
    rows = json.loads(ref)
    with open(os.path.join(source, "tests", "data", "vol", "dev-small", plugin + ".json")) as g:
        want = json.load(g)
    for r in rows:
        for c in addr_cols:
            v = r[c]
            if not (0 < v <= MASK57 and v >> 47 == (MASK57 >> 47)):
                print(f"FAIL: {plugin}: {c} {v:#x} is not a 57-bit kernel address")
                bad = 1
    strip = lambda rs: [{k: v for k, v in r.items() if k not in addr_cols} for r in rs]  # noqa: E731
    if strip(rows) != strip(want):
        print(f"FAIL: {plugin}: rows differ from dev-small's golden beyond addresses")
        bad = 1
    print(f"{plugin}: {len(rows)} rows, formats agree")
if bad:
    sys.exit(1)
print("PASS")
