#!/usr/bin/env python3
"""store1000.py MEMSCRY SOURCE_DIR DATA_DIR WORK_DIR

A symbol store of 1,000 ISFs (900 Windows variants with other GUIDs, 98
Linux variants of the 6.12 ISF with other banners, and the corpus's two
real ISFs; tests/fixtures/make_store.py, built once into WORK_DIR, never
committed): with an empty cache directory, every corpus dump still finds its
own ISF among them and prints Volatility's golden pslist byte for byte; the
first run builds the index, the later ones reuse it. Release builds only
(tests/integration/CMakeLists.txt): the index build parses 1,000 ISFs."""
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus  # noqa: E402

memscry, source, data, work = sys.argv[1:5]
root = corpus.require_corpus(source)
shared = os.path.dirname(root)
win = os.path.join(shared, "isf", "windows", "ntkrnlmp.pdb",
                   "22597D0B40394E23936F6A24C6C52D5B-1.json.xz")
syms = os.path.join(root, "symbols", "linux")
real = sorted(os.path.join(syms, f) for f in os.listdir(syms))
lin = [p for p in real if "6.12" in p][0]
if not os.path.exists(win):
    print(f"SKIP: {win} absent")
    sys.exit(corpus.SKIP)

store = os.path.join(work, "store")
stamp = os.path.join(work, "store.done")
if not os.path.exists(stamp):
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    t = time.monotonic()
    subprocess.run([sys.executable, os.path.join(source, "tests", "fixtures", "make_store.py"),
                    store, win, lin, "900", str(1000 - 900 - len(real))] + real, check=True)
    open(stamp, "w").close()
    print(f"store made in {time.monotonic() - t:.1f} s")
n = sum(len(files) for _, _, files in os.walk(store))
if n != 1000:
    print(f"FAIL: the store holds {n} files, not 1000")
    sys.exit(1)
cache = os.path.join(work, "cache")
shutil.rmtree(cache, ignore_errors=True)

dumps = ["dev-small.raw", "dev-small.lime", "dev-small.elf", "dev-small.kdump",
         "dev-small.kdump-flat", "dev-1k.raw", "dev-1k.lime", "dev-1k.elf", "dev-1k.kdump",
         "dev-vmcore.vmcore", "dev-612.raw", "dev-612.lime", "dev-612.elf"]
failed = 0
for dumpfile in dumps:
    dump = corpus.dump_path(root, data, dumpfile)
    want = corpus.golden_bytes(corpus.golden_dir(root, dumpfile), "linux.pslist.PsList")
    if not os.path.exists(dump) or want is None:
        print(f"skip: {dumpfile} (not unpacked or no golden)")
        continue
    t = time.monotonic()
    res = subprocess.run([memscry, "-q", "-s", store, "--cache-dir", cache, "-f", dump,
                          "-r", "json", "linux.pslist.PsList"], capture_output=True)
    took = time.monotonic() - t
    if res.returncode != 0 or res.stdout != want:
        print(f"FAIL: {dumpfile}: exit {res.returncode}, "
              f"{'same' if res.stdout == want else 'different'} bytes "
              f"({took:.2f} s): {res.stderr.decode(errors='replace')}")
        failed = 1
    else:
        print(f"ok: {dumpfile}: golden pslist among 1,000 ISFs ({took:.2f} s)")
sys.exit(failed)
