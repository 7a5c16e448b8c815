#!/usr/bin/env python3
"""partial.py MEMSCRY SOURCE_DIR DATA_DIR WORK_DIR

A partial result is never silent. dev-small.kdump with the compressed data
of PFN 0x121d (a page under the task list) overwritten by 0xff bytes: every
plugin still prints what it can read, says what it could not on stderr
("memscry: <file>: warning: ...", naming the PFN and the zlib error) and
exits 3. The intact dump gives no warning and exit 0, and -v shows
informational diagnostics without changing the exit status."""
import os
import re
import struct
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus  # noqa: E402

memscry, source, data, work = sys.argv[1:5]
os.makedirs(work, exist_ok=True)
symbols = os.path.join(corpus.require_corpus(source), "symbols")
intact = os.path.join(data, "dev-small.kdump")
if not os.path.exists(intact):
    print(f"SKIP: {intact} not unpacked")
    sys.exit(77)


def damage(src, dst, pfn):
    """Overwrites the stored data of pfn (64-bit little-endian kdump)."""
    k = bytearray(open(src, "rb").read())
    bs, sub, bb = struct.unpack_from("<IiI", k, 428)
    bitmap = bs * (1 + sub)
    dumped, pd = bitmap + bb * bs // 2, bitmap + bb * bs
    assert k[dumped + pfn // 8] >> (pfn % 8) & 1, "PFN not dumped"
    rank = sum(bin(b).count("1") for b in k[dumped:dumped + pfn // 8])
    rank += bin(k[dumped + pfn // 8] & ((1 << (pfn % 8)) - 1)).count("1")
    off, size, flags = struct.unpack_from("<QII", k, pd + rank * 24)
    assert flags & 1, "PFN not zlib-compressed"
    k[off:off + size] = b"\xff" * size
    with open(dst, "wb") as f:
        f.write(k)


bad = os.path.join(work, "pfn-121d.kdump")
damage(intact, bad, 0x121D)
failures = []
cause = r"PFN 0x121d: zlib decompression failed: incorrect header check"


def run(args):
    res = subprocess.run([memscry, "-s", symbols, *args], capture_output=True, timeout=300)
    return res.returncode, res.stdout.decode(), res.stderr.decode().splitlines()


for plugin in ["linux.pslist", "linux.pstree", "linux.psaux", "banners"]:
    code, out, err = run(["-f", bad, "-r", "json", plugin])
    warnings = [l for l in err if l.startswith(f"memscry: {bad}: warning: ")]
    if code != 3:
        failures.append(f"{plugin}: exit {code}, want 3; stderr {err}")
    if not warnings or not all(re.search(cause, w) for w in warnings):
        failures.append(f"{plugin}: warnings {warnings} do not all name /{cause}/")
    if len(warnings) + 1 != len(err):  # the banner line goes to stderr with -r json
        failures.append(f"{plugin}: unexpected stderr lines {err}")
    if not out.lstrip().startswith("[{") and not out.lstrip().startswith("[\n  {"):
        failures.append(f"{plugin}: no rows printed: {out[:80]!r}")

# pslist: the task list ends early at the damaged page, and says so.
code, out, err = run(["-f", bad, "-r", "json", "linux.pslist"])
want = re.compile(rf"memscry: {re.escape(bad)}: warning: task list ends early after 8 entries: "
                  rf"the link at 0x[0-9a-f]+ cannot be read: .*{cause}")
if not any(want.fullmatch(l) for l in err):
    failures.append(f"pslist: no 'task list ends early' warning in {err}")

for plugin in ["linux.pslist", "linux.psaux", "banners"]:
    code, out, err = run(["-f", intact, "-r", "json", plugin])
    if code != 0 or err != ["memscry 0.1.0"]:
        failures.append(f"intact {plugin}: exit {code}, stderr {err}")
    code, out2, err = run(["-v", "-f", intact, "-r", "json", plugin])
    if code != 0 or out2 != out or any(": warning: " in l for l in err):
        failures.append(f"intact -v {plugin}: exit {code}, stderr {err[:3]}")

for f in failures:
    print("FAIL", f)
print(f"partial: {len(failures)} failures")
sys.exit(1 if failures else 0)
