#!/usr/bin/env python3
"""linux_formats_la57.py MEMSCRY SOURCE_DIR DATA_DIR

dev-la57 (5-level paging) is unreadable to Volatility, so it has no
goldens: each of these plugins must print the same bytes on its raw, LiME
and ELF files (the truth.json checks are in linux_tasks_truth.py and
linux_kmsg_console.py)."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus  # noqa: E402

PLUGINS = [["linux.psscan.PsScan"], ["linux.pidhashtable.PIDHashTable"],
           ["linux.pidhashtable.PIDHashTable", "--decorate-comm"],
           ["linux.capabilities.Capabilities"], ["linux.ptrace.Ptrace"], ["linux.bash.Bash"],
           ["linux.kmsg.Kmsg"], ["linux.iomem.IOMem"], ["linux.ebpf.EBPF"]]

memscry, source, data = sys.argv[1:4]
root = corpus.require_corpus(source)
dumps = [corpus.dump_path(root, data, f"dev-la57.{ext}") for ext in ("raw", "lime", "elf")]
if not all(os.path.exists(d) for d in dumps):
    print("SKIP: dev-la57 not unpacked")
    sys.exit(corpus.SKIP)
for plugin in PLUGINS:
    outs = []
    for d in dumps:
        cmd = [memscry, "-q", "-s", os.path.join(root, "symbols"), "-f", d, "-r", "json", *plugin]
        res = subprocess.run(cmd, capture_output=True)
        if res.returncode != 0:
            print(f"FAIL: {' '.join(cmd)} exited {res.returncode}: {res.stderr.decode()}")
            sys.exit(1)
        outs.append(res.stdout)
    if outs[0] != outs[1] or outs[0] != outs[2]:
        print(f"FAIL: {' '.join(plugin)} differs between dev-la57's raw, lime and elf")
        sys.exit(1)
    if len(outs[0]) < 5 and plugin[0] not in ("linux.ptrace.Ptrace", "linux.bash.Bash",
                                              "linux.ebpf.EBPF"):
        print(f"FAIL: {' '.join(plugin)} printed nothing on dev-la57")
        sys.exit(1)
print(f"ok: {len(PLUGINS)} runs agree on dev-la57's raw, lime and elf")
