#!/usr/bin/env python3
"""cli_progress.py MEMSCRY SOURCE_DIR DATA_DIR

The CLI's progress line (stderr) under a pseudo-terminal (util-linux
`script`): none with -q, none when json goes to the same terminal, none
when stderr is not a terminal; with stderr a terminal and the rows going to
a file, a run longer than the first half second shows "Progress:" lines
and clears the last one ("\\r\\033[K") before anything else is written, and the rows are
unchanged (equal to a run with no terminal at all)."""
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus  # noqa: E402

memscry, source, data = sys.argv[1:4]
root = corpus.require_corpus(source)
dump = os.path.join(data, "dev-1k.lime")
if not os.path.exists(dump) or not shutil.which("script"):
    print("SKIP: needs dev-1k.lime and util-linux script")
    sys.exit(corpus.SKIP)
sym = os.path.join(root, "symbols")
scan = [memscry, "-s", sym, "-f", dump, "memscry.malscan", "--mode", "full",
        "--yara-string", "MEMF_YARA_MARKER_7ae8"]
failures = []
tmp = tempfile.mkdtemp()


def tty(cmd, out_file=None):
    """Runs cmd with stdin/stdout/stderr on a pseudo-terminal (stdout to
    out_file when given); returns the terminal's bytes and the wall time."""
    shell = " ".join(f"'{a}'" for a in cmd) + (f" > '{out_file}'" if out_file else "")
    t0 = time.monotonic()
    res = subprocess.run(["script", "-qfec", shell, "/dev/null"], capture_output=True)
    if res.returncode != 0:
        print(f"FAIL: {shell}: exit {res.returncode}: {res.stdout[-500:]!r}")
        sys.exit(1)
    return res.stdout, time.monotonic() - t0


plain = subprocess.run(scan[:1] + ["-r", "json"] + scan[1:], capture_output=True)
assert plain.returncode == 0, plain.stderr
if b"Progress" in plain.stderr:
    failures.append("progress on a stderr that is not a terminal")
term, _ = tty(scan[:1] + ["-q", "-r", "json"] + scan[1:], os.path.join(tmp, "q.json"))
if b"Progress" in term:
    failures.append("progress with -q")
term, _ = tty(scan[:1] + ["-r", "json"] + scan[1:])
if b"Progress" in term:
    failures.append("progress beside json on the same terminal")
out = os.path.join(tmp, "rows.json")
term, wall = tty(scan[:1] + ["-r", "json"] + scan[1:], out)
with open(out, "rb") as f:
    if f.read() != plain.stdout:
        failures.append("rows differ when stderr is a terminal")
shown = b"\rProgress:" in term
if shown and b"\r\x1b[K" not in term[term.rindex(b"\rProgress:"):]:
    failures.append(f"the progress line was not cleared: {term[-200:]!r}")
if wall > 1.0 and not shown:
    failures.append(f"a {wall:.1f} s run on a terminal showed no progress line: {term[-200:]!r}")
if not shown:
    print(f"note: the scan took {wall:.2f} s, too short for a progress line (shown after 0.5 s)")
shutil.rmtree(tmp)
if failures:
    for f in failures:
        print("FAIL:", f)
    sys.exit(1)
print("ok: progress only on a terminal, never with -q or beside structured output")
