#!/usr/bin/env python3
"""winyara.py MEMSCRY SOURCE_DIR DATA_DIR IMAGE

YARA plugins on the shared synthetic Windows samples: windows.vadyarascan
and yarascan.YaraScan (the kernel space of a Windows dump) must give, byte
for byte, what Volatility 3 2.11.0 gave (run locally with python3-yara
4.2.0; kept in tests/data/windows/yara/<image>.<plugin>--<options>.json).
The rules hit what the samples' truth places in memory: csrss's command
line (SharedSection=1024, wide) in two processes, the environment user
name (UTF-16 hex string) and a project variable in every process with an
environment, and the rootkit driver's path in the kernel's module list;
two_rules.yar has two rules (their order within a scan as libyara's)."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus  # noqa: E402
from winsamples import sample  # noqa: E402

CASES = [
    ("windows.vadyarascan.VadYaraScan", ["--yara-string", "SharedSection=1024", "--wide"],
     "--yara-string=SharedSection=1024--wide"),
    ("windows.vadyarascan.VadYaraScan", ["--yara-string", "rootkit_drv", "--wide"],
     "--yara-string=rootkit_drv--wide"),
    ("yarascan.YaraScan", ["--yara-string", "rootkit_drv", "--wide"],
     "--yara-string=rootkit_drv--wide"),
    ("windows.vadyarascan.VadYaraScan", ["--yara-file", "@two_rules.yar"],
     "--yara-file=two_rules.yar"),
    ("yarascan.YaraScan", ["--yara-file", "@two_rules.yar"], "--yara-file=two_rules.yar"),
]

memscry, source, data, image = sys.argv[1:5]
root = corpus.require_corpus(source)
dump = sample(root, data, image)
isf = os.path.abspath(os.path.join(root, "..", "isf"))
tdir = os.path.join(source, "tests", "data", "windows", "yara")
failed = 0
for plugin, args, tag in CASES:
    args = [os.path.join(tdir, a[1:]) if a.startswith("@") else a for a in args]
    cmd = [memscry, "-q", "-s", isf, "-f", dump, "-r", "json", plugin, *args]
    res = subprocess.run(cmd, capture_output=True)
    want_path = os.path.join(tdir, f"{image}.{plugin}{tag}.json")
    with open(want_path, "rb") as f:
        want = f.read()
    if res.returncode != 0:
        print(f"FAIL: {' '.join(cmd)} exited {res.returncode}: "
              f"{res.stderr.decode(errors='replace')}")
        failed = 1
    elif res.stdout != want:
        print(f"FAIL: {' '.join(cmd)} differs from {want_path}")
        failed = 1
    else:
        print(f"ok: {image} {plugin} {tag}: {len(want)} bytes identical")
sys.exit(failed)
