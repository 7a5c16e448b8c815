#!/usr/bin/env python3
"""renderers.py MEMSCRY SOURCE_DIR DATA_DIR

The CLI end to end with every text renderer against Volatility's goldens
(golden/dev-small.raw/<plugin>.<renderer>.txt): for quick and pretty the
first stdout line is the banner, which says "memscry <version>" instead of
"Volatility 3 Framework 2.11.0"; every byte after it must be identical.
For csv and jsonl the banner goes to stderr and stdout must be identical."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus  # noqa: E402

memscry, source, data = sys.argv[1:4]
root = corpus.require_corpus(source)
dump = os.path.join(data, "dev-small.raw")
if not os.path.exists(dump):
    print(f"SKIP: {dump} not unpacked")
    sys.exit(corpus.SKIP)
version = subprocess.run([memscry, "--version"], capture_output=True, text=True).stdout.strip()
failures = 0
for plugin in ("linux.pslist.PsList", "linux.pstree.PsTree"):
    for renderer in ("quick", "pretty", "csv", "jsonl"):
        golden = os.path.join(root, "golden", "dev-small.raw", f"{plugin}.{renderer}.txt")
        with open(golden, "rb") as f:
            want = f.read()
        res = subprocess.run([memscry, "-q", "-s", os.path.join(root, "symbols"), "-f", dump,
                              "-r", renderer, plugin], capture_output=True)
        out, err = res.stdout, res.stderr.decode()
        banner = (version + "\n").encode()
        if renderer in ("quick", "pretty"):
            want = banner + want.split(b"\n", 1)[1]
            want_err = "Formatting...\n" if renderer == "pretty" else ""
        else:
            want_err = version + "\n"
        if res.returncode != 0 or out != want or err != want_err:
            print(f"FAIL: {plugin} -r {renderer}: exit {res.returncode}, stdout "
                  f"{'equal' if out == want else 'differs'}, stderr {err!r} (want {want_err!r})")
            failures += 1
if failures:
    sys.exit(1)
print("ok: quick, pretty, csv and jsonl equal Volatility's bytes for pslist and pstree")
