#!/usr/bin/env python3
"""result_cache.py MEMSCRY SOURCE_DIR DATA_DIR WORK_DIR

memscry --result-cache seen from the CLI. For several plugins and dumps
(Linux and Windows) and every renderer, the run that fills the cache and
the run answered by it print the same bytes on stdout and stderr and exit
the same as a run without the cache; the hit leaves the entry file as it
was. A partial result (dev-small.kdump with one page's compressed data
overwritten, as partial.py does) is cached with its warnings and exit 3.
Runs with --dump write no entry; without --result-cache nothing is
written; a copy of a dump that is touched misses (the entry is rewritten)."""
import glob
import os
import shutil
import struct
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus  # noqa: E402

memscry, source, data, work = sys.argv[1:5]
root = corpus.require_corpus(source)
symbols = os.path.join(root, "symbols")
isf = os.path.join(root, "..", "isf")
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
cache = os.path.join(work, "results")
failures = []

cases = [
    ("dev-small.raw", symbols, ["linux.pslist.PsList"]),
    ("dev-small.raw", symbols, ["linux.psaux.PsAux"]),
    ("dev-1k.lime", symbols, ["linux.pstree.PsTree"]),
    ("dev-612.elf", symbols, ["linux.lsmod.Lsmod"]),
    ("dev-vmcore.vmcore", symbols, ["linux.pslist.PsList", "--threads"]),
    ("windows/win11-21h2-22000.bitmap.dmp", isf, ["windows.pslist.PsList"]),
    ("windows/win10-22h2-19045.raw", isf, ["windows.pstree.PsTree"]),
]


def run(dump, syms, args, extra=(), cwd=None):
    cmd = [memscry, "-q", "-s", syms, *extra, "-f", dump, *args]
    res = subprocess.run(cmd, capture_output=True, timeout=300, cwd=cwd)
    return res.returncode, res.stdout, res.stderr


def entries():
    return sorted(glob.glob(os.path.join(cache, "*.msr")))


def snapshot():
    return {p: open(p, "rb").read() for p in entries()}


def same_three(label, dump, syms, args, new=1):
    want = run(dump, syms, args)
    if want[0] not in (0, 3):
        failures.append(f"{label}: fresh run failed: {want}")
        return
    before = len(entries())
    fill = run(dump, syms, args, ["--result-cache=" + cache])
    if len(entries()) != before + new:
        failures.append(f"{label}: the filling run wrote {len(entries()) - before} entries, "
                        f"want {new}")
    snap = snapshot()
    hit = run(dump, syms, args, ["--result-cache=" + cache])
    if snapshot() != snap:
        failures.append(f"{label}: a hit changed the cache files")
    for what, got in (("filling", fill), ("cached", hit)):
        if got != want:
            failures.append(f"{label}: {what} run differs from the fresh one: exit "
                            f"{got[0]} vs {want[0]}, stdout "
                            f"{'same' if got[1] == want[1] else 'different'}, stderr "
                            f"{got[2][-300:]!r} vs {want[2][-300:]!r}")
    print(f"ok: {label}" if not any(f.startswith(label + ":") for f in failures) else f"FAIL: {label}")


present = 0
for name, syms, args in cases:
    dump = corpus.dump_path(root, data, name)
    if not os.path.exists(dump):
        print(f"skip: {dump} not unpacked")
        continue
    present += 1
    # The renderer is not part of the key: the first run fills the entry
    # every other renderer is answered from.
    for i, renderer in enumerate(("quick", "pretty", "json", "jsonl", "csv")):
        same_three(f"{name} {' '.join(args)} -r {renderer}", dump, syms, ["-r", renderer, *args],
                   new=int(i == 0))
if not present:
    print("SKIP: no dump unpacked")
    sys.exit(corpus.SKIP)

intact = corpus.dump_path(root, data, "dev-small.kdump")
if os.path.exists(intact):
    # A partial result: cached with its warnings (exit 3 both times).
    k = bytearray(open(intact, "rb").read())
    bs, sub, bb = struct.unpack_from("<IiI", k, 428)
    bitmap = bs * (1 + sub)
    dumped, pd = bitmap + bb * bs // 2, bitmap + bb * bs
    pfn = 0x121D
    rank = sum(bin(b).count("1") for b in k[dumped:dumped + pfn // 8])
    rank += bin(k[dumped + pfn // 8] & ((1 << (pfn % 8)) - 1)).count("1")
    off, size, _ = struct.unpack_from("<QII", k, pd + rank * 24)
    k[off:off + size] = b"\xff" * size
    bad = os.path.join(work, "pfn-121d.kdump")
    with open(bad, "wb") as f:
        f.write(k)
    for plugin in ("linux.pslist.PsList", "linux.psaux.PsAux"):
        code = run(bad, symbols, ["-r", "json", plugin])[0]
        if code != 3:
            failures.append(f"partial {plugin}: fresh exit {code}, want 3")
        same_three(f"partial {plugin}", bad, symbols, ["-r", "json", plugin])
    # A touched copy misses: the entry is rewritten, the output the same.
    os.utime(bad, (1_000_000_000, 1_000_000_000))
    snap = snapshot()
    res = run(bad, symbols, ["-r", "json", "linux.pslist.PsList"], ["--result-cache=" + cache])
    changed = [p for p, b in snapshot().items() if snap.get(p) != b]
    if res[0] != 3 or len(changed) != 1:
        failures.append(f"touched dump: exit {res[0]}, {len(changed)} entries rewritten (want 1)")
    else:
        print("ok: a touched dump misses and its entry is rewritten")

# A symbol table added beside the one a result was made with misses (the
# store might now choose the new one): the entry is rewritten.
small = corpus.dump_path(root, data, "dev-small.raw")
if os.path.exists(small):
    store = os.path.join(work, "store")
    os.makedirs(os.path.join(store, "linux"))
    for f in glob.glob(os.path.join(symbols, "linux", "*.json.xz")):
        shutil.copy(f, os.path.join(store, "linux"))
    args = ["-r", "json", "linux.pslist.PsList"]
    first = run(small, store, args, ["--result-cache=" + cache])
    snap = snapshot()
    again = run(small, store, args, ["--result-cache=" + cache])
    if snapshot() != snap or again != first:
        failures.append("store copy: a second run did not hit")
    with open(os.path.join(store, "linux", "zz-other.json.xz"), "wb") as f:
        f.write(b"not a symbol table")
    res = run(small, store, args, ["--result-cache=" + cache])
    changed = [p for p, b in snapshot().items() if snap.get(p) != b]
    if res[:2] != first[:2] or len(changed) != 1:
        failures.append(f"ISF added beside: exit {res[0]}, {len(changed)} entries rewritten "
                        f"(want 1, same output)")
    else:
        print("ok: a symbol table added beside the used one misses")

# --dump is never cached; without --result-cache nothing is written.
small = corpus.dump_path(root, data, "dev-small.raw")
if os.path.exists(small):
    n = len(entries())
    out = os.path.join(work, "out")
    os.makedirs(out)
    for _ in range(2):
        code, stdout, _ = run(small, symbols, ["-r", "json", "linux.pslist.PsList", "--pid", "1",
                                               "--dump"], ["--result-cache=" + cache, "-o", out])
        if code != 0 or len(entries()) != n or b'"File output"' not in stdout:
            failures.append(f"--dump: exit {code}, {len(entries()) - n} entries written")
    env_cache = os.path.join(work, "xdg")
    env = dict(os.environ, XDG_CACHE_HOME=env_cache)
    subprocess.run([memscry, "-q", "-s", symbols, "-f", small, "-r", "json", "linux.lsmod.Lsmod"],
                   capture_output=True, env=env, check=True)
    if os.path.exists(os.path.join(env_cache, "memscry", "results")):
        failures.append("a run without --result-cache wrote results")
    subprocess.run([memscry, "-q", "--result-cache", "-s", symbols, "-f", small, "-r", "json",
                    "linux.lsmod.Lsmod"], capture_output=True, env=env, check=True)
    if len(glob.glob(os.path.join(env_cache, "memscry", "results", "*.msr"))) != 1:
        failures.append("--result-cache did not write to $XDG_CACHE_HOME/memscry/results")
    else:
        print("ok: --dump uncached; default directory under the cache directory")

# A DIR that is a file is an error naming the option; an empty one a usage error.
if os.path.exists(small):
    notdir = os.path.join(work, "file")
    open(notdir, "w").close()
    code, _, err = run(small, symbols, ["-r", "none", "linux.lsmod.Lsmod"],
                       ["--result-cache=" + notdir])
    if code != 1 or err != f"memscry: --result-cache: {notdir}: not a directory\n".encode():
        failures.append(f"--result-cache=FILE: exit {code}, stderr {err!r}")
    code, _, err = run(small, symbols, ["linux.lsmod.Lsmod"], ["--result-cache="])
    if code != 2 or err != b"memscry: --result-cache= needs a directory\n":
        failures.append(f"--result-cache=: exit {code}, stderr {err!r}")

for f in failures:
    print("FAIL:", f)
sys.exit(1 if failures else 0)
