#!/usr/bin/env python3
"""winsamples.py MEMSCRY SOURCE_DIR DATA_DIR IMAGE PLUGIN|--truth

The shared synthetic Windows samples (corpus/windows-samples): runs
`memscry -r json PLUGIN` the way Volatility made the golden and requires
the same bytes; with --truth, runs all ten plugins and has the shared
checker (tools/winimage/check_truth.py, run, not copied) compare them with
the generator's truth file. The sample is decompressed once into DATA_DIR.
The golden's Symbols URL is written as file://SHARED_ISF/...: that prefix
becomes the URL of the ISF directory this run uses, symlinks resolved."""
import lzma
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus  # noqa: E402

PLUGINS = ["windows.info.Info", "windows.pslist.PsList", "windows.pstree.PsTree",
           "windows.psscan.PsScan", "windows.cmdline.CmdLine", "windows.dlllist.DllList",
           "windows.modules.Modules", "windows.vadinfo.VadInfo", "windows.malfind.Malfind",
           "windows.envars.Envars"]


def sample(root, data, image):
    src = os.path.join(root, "windows-samples", image + ".xz")
    if not os.path.exists(src):
        print(f"SKIP: {src} absent")
        sys.exit(corpus.SKIP)
    out_dir = os.path.join(data, "windows")
    os.makedirs(out_dir, exist_ok=True)
    dst = os.path.join(out_dir, image)
    if not os.path.exists(dst):
        fd, tmp = tempfile.mkstemp(dir=out_dir)
        with os.fdopen(fd, "wb") as out, lzma.open(src) as f:
            shutil.copyfileobj(f, out, 1 << 20)
        os.replace(tmp, dst)
    return dst


def run(memscry, isf, dump, plugin):
    cmd = [memscry, "-q", "-s", isf, "-f", dump, "-r", "json", plugin]
    res = subprocess.run(cmd, capture_output=True)
    if res.returncode != 0:
        print(f"FAIL: {' '.join(cmd)} exited {res.returncode}: "
              f"{res.stderr.decode(errors='replace')}")
        sys.exit(1)
    return res.stdout


def main():
    memscry, source, data, image, what = sys.argv[1:6]
    root = corpus.require_corpus(source)
    isf = os.path.abspath(os.path.join(root, "..", "isf"))
    dump = sample(root, data, image)
    # Volatility finds ISFs below the resolved symbol directory
    # (pathlib's resolve()), so the URL names the real path, symlinks
    # resolved - and so does memscry's.
    url = "file://" + urllib.parse.quote(os.path.realpath(isf)) + "/"
    gdir = os.path.join(root, "windows-samples", "golden", image)
    if what == "--no-isf":
        # The kernel is found, no ISF matches: the error names what is needed.
        with tempfile.TemporaryDirectory() as empty:
            cmd = [memscry, "-q", "--no-cache", "-s", empty, "-f", dump, "windows.pslist"]
            res = subprocess.run(cmd, capture_output=True)
            err = res.stderr.decode(errors="replace").splitlines()
            want = (f"memscry: {dump}: Windows kernel at 0xf8053a000000 needs the symbol table of "
                    "ntkrnlmp.pdb GUID 606FF669409B00F7FC8C61A9C1670129 age 1 "
                    "(windows/ntkrnlmp.pdb/606FF669409B00F7FC8C61A9C1670129-1.json.xz); none of "
                    f"the 0 Windows ISF files in {empty} matches")
            if res.returncode != 1 or err[-1:] != [want] or res.stdout:
                print(f"FAIL: exit {res.returncode}, stderr {err!r}, want {want!r}")
                sys.exit(1)
        print("ok: the missing ISF is named")
        return
    if what == "--truth":
        stem = image.split(".")[0]
        truth = os.path.join(root, "windows-samples", stem + ".truth.json")
        with tempfile.TemporaryDirectory() as d:
            for p in PLUGINS:
                with open(os.path.join(d, p + ".json"), "wb") as f:
                    f.write(run(memscry, isf, dump, p).replace(url.encode(), b"file://SHARED_ISF/"))
            checker = os.path.join(root, "..", "tools", "winimage", "check_truth.py")
            res = subprocess.run([sys.executable, checker, truth, d], capture_output=True)
            sys.stdout.write(res.stdout.decode(errors="replace"))
            if res.returncode != 0:
                print(f"FAIL: check_truth.py exited {res.returncode}: {res.stderr.decode()}")
                sys.exit(1)
        print(f"ok: {image}: all ten plugins agree with {truth}")
        return
    with open(os.path.join(gdir, what + ".json"), "rb") as f:
        want = f.read().replace(b"file://SHARED_ISF/", url.encode())
    got = run(memscry, isf, dump, what)
    if got != want:
        out = os.path.join(os.getcwd(), f"{image}.{what}.json")
        with open(out, "wb") as f:
            f.write(got)
        print(f"FAIL: output differs from {gdir}/{what}.json (ours: {out}; compare with "
              f"{os.path.join(root, '..', 'tools', 'voldiff')})")
        sys.exit(1)
    print(f"ok: {image} {what}: {len(want)} bytes identical")


if __name__ == "__main__":
    main()
