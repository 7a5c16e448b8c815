#!/usr/bin/env python3
"""golden.py MEMSCRY SOURCE_DIR DATA_DIR DUMPFILE GOLDEN_NAME

Runs `memscry -r json` the way Volatility made the golden and requires the
same bytes on stdout. Volatility cannot read kdump: for .kdump and
.kdump-flat the same machine's golden applies (corpus README). A golden the
corpus does not have is looked for in the project's own Volatility outputs
(tests/data/vol/<machine>/)."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus  # noqa: E402

memscry, source, data, dumpfile, name = sys.argv[1:6]
root = corpus.require_corpus(source)
dump = corpus.dump_path(root, data, dumpfile)
if not os.path.exists(dump):
    print(f"SKIP: {dump} not unpacked")
    sys.exit(corpus.SKIP)
gdir = corpus.golden_dir(root, dumpfile)
want = corpus.golden_bytes(gdir, name) if gdir else None
if want is None:
    gdir = corpus.project_golden_dir(source, dumpfile)
    want = corpus.golden_bytes(gdir, name) if gdir else None
if want is None:
    print(f"SKIP: no golden {name} for {dumpfile}")
    sys.exit(corpus.SKIP)
cmd = [memscry, "-q", "-s", os.path.join(root, "symbols"), "-f", dump, "-r", "json"]
cmd += corpus.plugin_args(name)
res = subprocess.run(cmd, capture_output=True)
if res.returncode != 0:
    print(f"FAIL: {' '.join(cmd)} exited {res.returncode}: {res.stderr.decode(errors='replace')}")
    sys.exit(1)
if res.stdout != want:
    out = os.path.join(os.getcwd(), f"{dumpfile}.{name}.json")
    with open(out, "wb") as f:
        f.write(res.stdout)
    voldiff = os.path.join(root, "..", "tools", "voldiff")
    print(f"FAIL: output differs from {gdir}/{name}.json (ours: {out}; "
          f"compare with {voldiff})")
    sys.exit(1)
print(f"ok: {dumpfile} {name}: {len(want)} bytes identical")
