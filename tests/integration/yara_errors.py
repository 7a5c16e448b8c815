#!/usr/bin/env python3
"""yara_errors.py MEMSCRY SOURCE_DIR DATA_DIR WORK_DIR

Hostile rule inputs through the CLI (yarascan --physical on dev-small.raw,
no symbols): a rule file that does not compile names the file and the line
and exits 2 (usage); an empty rule file is a valid empty scan; a garbage
compiled file, a missing file and no rules at all are usage errors with
one clear line; --insensitive finds the marker in another case (it does
nothing in Volatility 2.11.0)."""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus  # noqa: E402

memscry, source, data, work = sys.argv[1:5]
corpus.require_corpus(source)
dump = os.path.join(data, "dev-small.raw")
if not os.path.exists(dump):
    print(f"SKIP: {dump} not unpacked")
    sys.exit(corpus.SKIP)
os.makedirs(work, exist_ok=True)


def put(name, data):
    path = os.path.join(work, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


bad = put("bad.yar", b'rule a {\n  strings: $x = "abc"\n  condition: $x or or $x\n}\n')
empty = put("empty.yar", b"")
junk = put("junk.yarc", bytes(range(256)) * 4)
other = put("other.yarc", b"YARA" + bytes(range(256)) * 4)
failed = 0


def check(args, code, out=None, err=None):
    global failed
    cmd = [memscry, "-q", "-f", dump, "-r", "json", "yarascan", "--physical", *args]
    res = subprocess.run(cmd, capture_output=True)
    lines = [ln for ln in res.stderr.decode().splitlines() if not ln.startswith("memscry 0.")]
    problems = []
    if res.returncode != code:
        problems.append(f"exit {res.returncode}, want {code}")
    if err is not None and lines != [err]:
        problems.append(f"stderr {lines}, want [{err!r}]")
    if out is not None and res.stdout != out:
        problems.append(f"stdout {res.stdout[:200]!r}, want {out!r}")
    if problems:
        print(f"FAIL: {' '.join(cmd)}: {'; '.join(problems)}")
        failed = 1
    else:
        print(f"ok: {' '.join(args) or '(no rules)'}")
    return res


check(["--yara-file", bad], 2, b"", f"memscry: {bad} line 3: syntax error")
check(["--yara-file", "file://" + bad], 2, b"", f"memscry: {bad} line 3: syntax error")
check(["--yara-file", empty], 0, b"\n[]\n")
check(["--yara-compiled-file", junk], 2, b"",
      f"memscry: --yara-compiled-file: {junk}: not a compiled YARA rule file")
check(["--yara-compiled-file", other], 2, b"",
      f"memscry: --yara-compiled-file: {other}: compiled YARA rules of another libyara version")
missing = os.path.join(work, "missing.yar")
check(["--yara-file", missing], 2, b"",
      f"memscry: --yara-file: cannot open YARA rules {missing}: No such file or directory")
check([], 2, b"", "memscry: no YARA rules: give --yara-string, --yara-file or --yara-compiled-file")
check(["--yara-string", ""], 2, b"", "memscry: --yara-string is empty")
check(["--yara-string", '"'], 2, b"", None)
res = check(["--yara-string", "memf_yara_marker_7AE8", "--insensitive"], 0)
if res.returncode == 0:
    rows = json.loads(res.stdout)
    if [r["Offset"] for r in rows] != [0x5463715, 0x5465fd2, 0x5476010]:
        print(f"FAIL: --insensitive found {[hex(r['Offset']) for r in rows]}")
        failed = 1
res = check(["--yara-string", "memf_yara_marker_7AE8"], 0, b"\n[]\n")
sys.exit(failed)
