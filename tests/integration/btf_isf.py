#!/usr/bin/env python3
"""btf_isf.py - ISFs built from BTF give the same plugin output as DWARF's.

  btf_isf.py build MEMSCRY SOURCE_DIR KERNEL OUTDIR
      memscry symbols from-btf for a corpus kernel ("6.1" or "6.12": its
      vmlinuz and kallsyms/System.map from symbols-src/) into
      OUTDIR/linux/btf-KERNEL.json.xz (a store holding only that ISF).
  btf_isf.py compare MEMSCRY SOURCE_DIR DATA_DIR DUMPFILE STORE
      linux.pslist.PsList, linux.pstree.PsTree and linux.psaux.PsAux with
      -s STORE must give the bytes of Volatility's golden, or, where
      Volatility is blind (dev-la57: 5-level paging), of memscry with the
      corpus's DWARF ISF.
  btf_isf.py cli MEMSCRY SOURCE_DIR WORKDIR
      the command's refusals: usage errors (exit 2), a missing file, and
      the 6.12 System.map given with the 6.1 kernel (exit 1, "not this
      kernel's", no output file left behind).

Skips (77) without the corpus or the unpacked dump."""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus  # noqa: E402

KERNELS = {
    "6.1": ("vmlinuz-6.1.0-57-cloud-amd64", "6.1.0-57-cloud-amd64.kallsyms.xz"),
    "6.12": ("vmlinuz-6.12.107+deb12-cloud-amd64", "System.map-6.12.107+deb12-cloud-amd64.xz"),
}
PLUGINS = ("linux.pslist.PsList", "linux.pstree.PsTree", "linux.psaux.PsAux")


def build(memscry, source, kernel, outdir):
    root = corpus.require_corpus(source)
    vmlinuz, syms = (os.path.join(root, "symbols-src", f) for f in KERNELS[kernel])
    if not os.path.exists(vmlinuz) or not os.path.exists(syms):
        print(f"SKIP: {vmlinuz} or {syms} not in the corpus")
        sys.exit(corpus.SKIP)
    os.makedirs(os.path.join(outdir, "linux"), exist_ok=True)
    out = os.path.join(outdir, "linux", f"btf-{kernel}.json.xz")
    t = time.monotonic()
    res = subprocess.run([memscry, "symbols", "from-btf", "--kernel", vmlinuz, "--symbols", syms,
                          "-o", out], capture_output=True)
    took = time.monotonic() - t
    if res.returncode != 0:
        print(f"FAIL: from-btf exited {res.returncode}: {res.stderr.decode(errors='replace')}")
        sys.exit(1)
    print(f"ok: {out}: {os.path.getsize(out)} bytes in {took:.1f} s")


def run(cmd):
    res = subprocess.run(cmd, capture_output=True)
    if res.returncode != 0:
        print(f"FAIL: {' '.join(cmd)} exited {res.returncode}: "
              f"{res.stderr.decode(errors='replace')}")
        sys.exit(1)
    return res.stdout


def compare(memscry, source, data, dumpfile, store):
    root = corpus.require_corpus(source)
    dump = corpus.dump_path(root, data, dumpfile)
    if not os.path.exists(dump):
        print(f"SKIP: {dump} not unpacked")
        sys.exit(corpus.SKIP)
    if not os.path.isdir(os.path.join(store, "linux")):
        print(f"FAIL: no BTF ISF store at {store} (the btf.isf test makes it)")
        sys.exit(1)
    gdir = corpus.golden_dir(root, dumpfile)
    for plugin in PLUGINS:
        got = run([memscry, "-q", "-s", store, "-f", dump, "-r", "json", plugin])
        want = corpus.golden_bytes(gdir, plugin) if gdir else None
        oracle = "Volatility's golden"
        if want is None or dumpfile.startswith("dev-la57"):
            want = run([memscry, "-q", "-s", os.path.join(root, "symbols"), "-f", dump, "-r",
                        "json", plugin])
            oracle = "memscry with the DWARF ISF"
        if got != want:
            out = os.path.join(os.getcwd(), f"btf.{dumpfile}.{plugin}.json")
            with open(out, "wb") as f:
                f.write(got)
            print(f"FAIL: {dumpfile} {plugin}: output with the BTF ISF ({out}) differs from "
                  f"{oracle}")
            sys.exit(1)
        print(f"ok: {dumpfile} {plugin}: {len(got)} bytes identical to {oracle}")


def cli(memscry, source, work):
    root = corpus.require_corpus(source)
    os.makedirs(work, exist_ok=True)
    out = os.path.join(work, "x.json.xz")
    k61 = os.path.join(root, "symbols-src", KERNELS["6.1"][0])
    map612 = os.path.join(root, "symbols-src", KERNELS["6.12"][1])
    cases = [
        ([], 2, "usage: memscry symbols from-btf"),
        (["from-btf", "--kernel", k61], 2, "memscry: --symbols is required"),
        (["from-btf", "--bogus"], 2, "memscry: unknown option: --bogus"),
        (["from-btf", "--kernel", os.path.join(work, "nope"), "--symbols", map612, "-o", out], 1,
         "memscry: " + os.path.join(work, "nope") + ": No such file or directory"),
        (["from-btf", "--kernel", k61, "--symbols", map612, "-o", out], 1,
         "the symbol file is not this kernel's"),
    ]
    for args, code, text in cases:
        res = subprocess.run([memscry, "symbols"] + args, capture_output=True)
        err = res.stderr.decode(errors="replace")
        if res.returncode != code or text not in err:
            print(f"FAIL: memscry symbols {' '.join(args)}: exit {res.returncode}, stderr {err!r}; "
                  f"want exit {code} and {text!r}")
            sys.exit(1)
        print(f"ok: exit {code}: {err.strip().splitlines()[0]}")
    left = [f for f in os.listdir(work) if f.startswith("x.json.xz")]
    if left:
        print(f"FAIL: a failed run left {left} in {work}")
        sys.exit(1)


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "build":
        build(*sys.argv[2:6])
    elif len(sys.argv) == 7 and sys.argv[1] == "compare":
        compare(*sys.argv[2:7])
    elif len(sys.argv) == 5 and sys.argv[1] == "cli":
        cli(*sys.argv[2:5])
    else:
        print(__doc__)
        sys.exit(2)
