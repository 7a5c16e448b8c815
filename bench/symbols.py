#!/usr/bin/env python3
"""symbols.py [-n N] [--skip-vol] - symbol tables at scale, end to end.

Figures for bench/README.md ("Symbol tables"), memscry and Volatility 3 side
by side in one run, every memscry output compared with the golden:

1. `memscry -r json linux.pslist.PsList` on dev-1k.lime with -s the corpus
   symbols: cold without a cache (--no-cache), the run that fills an empty
   cache directory, and warm (N runs): wall median/min and peak RSS.
   Volatility with its caches warm, same command (N runs, or 1 with -n 1).
2. The same with -s a 50-ISF store (the two corpus ISFs and 48 variants of
   the 6.12 one with other banners, .json.gz) and a 1,000-ISF store (900
   Windows GUID variants, 98 Linux variants, the two corpus ISFs), both made
   by tests/fixtures/make_store.py in a temp dir: cold (empty cache: index
   built, one ISF compiled) and warm.
3. ISF load alone (bench_isf): the corpus Linux ISFs and the largest
   Windows ISF, cold (parse + compile) and warm (hash + map + lookups), and
   Volatility's own load of each (bench/isf_load_vol.py).

Environment: MEMSCRY_CORPUS (default ../shared/corpus), MEMSCRY_CORPUS_DATA
(default build/corpus-data), MEMSCRY_BIN (default build-bench/bin/memscry,
else build/bin/memscry), MEMSCRY_VOLATILITY (vol.py; unset: memscry only),
MEMSCRY_PYTHON (default /usr/bin/python3)."""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

here = os.path.dirname(os.path.abspath(__file__))
repo = os.path.dirname(here)
runs = 7
skip_vol = "--skip-vol" in sys.argv
if "-n" in sys.argv:
    runs = int(sys.argv[sys.argv.index("-n") + 1])
corpus = os.path.abspath(os.environ.get("MEMSCRY_CORPUS", os.path.join(repo, "..", "shared", "corpus")))
data = os.environ.get("MEMSCRY_CORPUS_DATA", os.path.join(repo, "build", "corpus-data"))
memscry = os.environ.get("MEMSCRY_BIN") or next(
    p for p in (os.path.join(repo, "build-bench", "bin", "memscry"),
                os.path.join(repo, "build", "bin", "memscry")) if os.path.exists(p))
bindir = os.path.dirname(memscry)
vol = None if skip_vol else os.environ.get("MEMSCRY_VOLATILITY")
python = os.environ.get("MEMSCRY_PYTHON", "/usr/bin/python3")
dump = os.path.join(data, "dev-1k.lime")
golden = open(os.path.join(corpus, "golden", "dev-1k.lime", "linux.pslist.PsList.json"), "rb").read()
symdir = os.path.join(corpus, "symbols")
shared = os.path.dirname(corpus)
win_isfs = sorted(os.path.join(shared, "isf", "windows", "ntkrnlmp.pdb", f)
                  for f in os.listdir(os.path.join(shared, "isf", "windows", "ntkrnlmp.pdb")))
largest_win = max(win_isfs, key=os.path.getsize)
linux_isfs = sorted(os.path.join(symdir, "linux", f) for f in os.listdir(os.path.join(symdir, "linux")))


def timed(cmd, check=True):
    """(wall s, peak RSS KiB, stdout) of one run under /usr/bin/time."""
    t = time.perf_counter()
    res = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, capture_output=True)
    wall = time.perf_counter() - t
    rss = int(res.stderr.decode().strip().splitlines()[-1])
    if check and res.stdout != golden:
        sys.exit(f"output differs from the golden: {' '.join(cmd)}\n{res.stderr.decode()}")
    return wall, rss, res.stdout


def row(label, samples):
    walls = [s[0] for s in samples]
    rss = max(s[1] for s in samples)
    med = statistics.median(walls)
    print(f"| {label} | {med * 1000:.1f} ms | {min(walls) * 1000:.1f} ms | {rss / 1024:.1f} MiB | {len(samples)} |")
    return med


def memscry_cmd(store, cache):
    c = [memscry, "-q", "-s", store, "-f", dump, "-r", "json"]
    c += ["--no-cache"] if cache is None else ["--cache-dir", cache]
    return c + ["linux.pslist.PsList"]


def store_rows(name, store, tmp):
    cache = os.path.join(tmp, f"cache-{name}")
    cold = [timed(memscry_cmd(store, cache))]
    row(f"memscry, {name}, cold (empty cache: index built, ISF compiled)", cold)
    warm = [timed(memscry_cmd(store, cache)) for _ in range(runs)]
    return row(f"memscry, {name}, warm", warm)


def main():
    print(f"memscry: {memscry}; machine: {os.cpu_count()} cores; load {os.getloadavg()[0]:.2f}")
    for f in [dump] + linux_isfs + win_isfs:  # the OS file cache warm for both tools
        with open(f, "rb") as fh:
            while fh.read(1 << 20):
                pass
    tmp = tempfile.mkdtemp(prefix="bench-symbols-")
    try:
        print("\n| run | wall median | wall min | peak RSS (max) | runs |\n|---|---|---|---|---|")
        row("memscry, corpus symbols, --no-cache", [timed(memscry_cmd(symdir, None)) for _ in range(3)])
        warm = store_rows("corpus symbols (2 ISFs)", symdir, tmp)
        vol_warm = None
        if vol:
            volcache = os.path.join(tmp, "volcache")
            os.makedirs(volcache)  # Volatility fails on a --cache-path that does not exist
            cmd = [python, vol, "-q", "--cache-path", volcache, "-s", symdir, "-f", dump, "-r", "json",
                   "linux.pslist.PsList"]
            row("Volatility 2.11.0, corpus symbols, fresh cache", [timed(cmd)])  # fills its cache
            vol_warm = row("Volatility 2.11.0, corpus symbols, its cache warm",
                           [timed(cmd) for _ in range(max(1, min(runs, 3)))])
            print(f"\nVolatility warm / memscry warm, median wall: {vol_warm / warm:.0f}x")
        make = os.path.join(repo, "tests", "fixtures", "make_store.py")
        s50 = os.path.join(tmp, "store50")
        subprocess.run([sys.executable, make, s50, largest_win, linux_isfs[-1], "0", "48"] + linux_isfs,
                       check=True)
        s1000 = os.path.join(tmp, "store1000")
        subprocess.run([sys.executable, make, s1000, win_isfs[1], linux_isfs[-1], "900",
                        str(98)] + linux_isfs, check=True)
        print("\n| run | wall median | wall min | peak RSS (max) | runs |\n|---|---|---|---|---|")
        store_rows("50-ISF store", s50, tmp)
        store_rows("1,000-ISF store", s1000, tmp)
        print("\nISF load alone (bench_isf):")
        subprocess.run([os.path.join(bindir, "bench_isf"), "-n", str(runs)] + linux_isfs + [largest_win],
                       check=True)
        if vol:
            subprocess.run([python, os.path.join(here, "isf_load_vol.py"), vol, str(max(1, min(runs, 3)))]
                           + linux_isfs + [largest_win], check=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


main()
