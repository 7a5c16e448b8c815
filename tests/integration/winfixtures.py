#!/usr/bin/env python3
"""winfixtures.py MEMSCRY GENERATED_DIR IMAGE_KEY PLUGIN

Windows fixture test: generates the image IMAGE_KEY described in
tests/data/windows/manifest.json with our generator
(tests/fixtures/winimg/winimg.py; once, cached in GENERATED_DIR under a key
made of the ISF, the generator options and the generator's source), runs
`MEMSCRY -q -s SHARED/isf -f IMAGE -r json PLUGIN`, replaces the Symbols
URL prefix of the ISF directory by file://SHARED_ISF/ and requires the
bytes of the golden the manifest names (Volatility 3 2.11.0's output).

SHARED is ../shared next to the source tree, or $MEMSCRY_CORPUS's parent;
without SHARED/isf the test is skipped (exit 77)."""
import hashlib
import json
import lzma
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.dont_write_bytecode = True   # keep __pycache__ out of the source tree
sys.path.insert(0, HERE)
import corpus  # noqa: E402

DATA = os.path.join(SOURCE, "tests", "data", "windows")
GEN_DIR = os.path.join(SOURCE, "tests", "fixtures", "winimg")
PLACEHOLDER = b"file://SHARED_ISF/"


def shared_dir():
    return os.path.dirname(corpus.corpus_dir(SOURCE))


def generator_digest():
    h = hashlib.sha256()
    for fn in sorted(os.listdir(GEN_DIR)):
        if fn.endswith(".py"):
            with open(os.path.join(GEN_DIR, fn), "rb") as f:
                h.update(fn.encode() + b"\0" + f.read())
    return h.hexdigest()


def ensure_image(gen_root, isf_dir, entry):
    """Path of the generated image file; generates it if missing.  Several
    tests may race: each generates in a private temp dir and renames."""
    opts = entry["options"]
    key = json.dumps({"isf": entry["isf"], "name": entry["name"], "options": opts,
                      "generator": generator_digest()}, sort_keys=True)
    tag = hashlib.sha256(key.encode()).hexdigest()[:16]
    final_dir = os.path.join(gen_root, f"{entry['name']}-{tag}")
    image = os.path.join(final_dir, entry["file"])
    if os.path.exists(image):
        return image
    os.makedirs(final_dir, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".gen-", dir=gen_root)
    try:
        cmd = [sys.executable, os.path.join(GEN_DIR, "winimg.py"), "-q",
               "--isf", os.path.join(isf_dir, entry["isf"]), "--out", tmp, "--name", entry["name"],
               "--formats", entry["format"]]
        for k in ("mem_mb", "seed", "kdbg", "procs", "hostile"):
            v = opts.get(k)
            if v is not None:
                cmd += ["--" + k.replace("_", "-"), str(v)]
        res = subprocess.run(cmd, capture_output=True)
        if res.returncode != 0:
            print(f"FAIL: generator exited {res.returncode}: {' '.join(cmd)}\n"
                  f"{res.stderr.decode(errors='replace')}")
            sys.exit(1)
        os.replace(os.path.join(tmp, entry["name"] + ".truth.json"),
                   os.path.join(final_dir, entry["name"] + ".truth.json"))
        os.replace(os.path.join(tmp, entry["file"]), image)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return image


def golden(path):
    opener = lzma.open if path.endswith(".xz") else open
    with opener(path, "rb") as f:
        return f.read()


def main():
    if len(sys.argv) != 5:
        print(__doc__)
        return 2
    memscry, gen_root, key, plugin = sys.argv[1:5]
    isf_dir = os.path.join(shared_dir(), "isf")
    if not os.path.isdir(os.path.join(isf_dir, "windows")):
        print(f"SKIP: no Windows ISFs at {isf_dir} (set MEMSCRY_CORPUS)")
        return corpus.SKIP
    with open(os.path.join(DATA, "manifest.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    entry = manifest["images"].get(key)
    if entry is None:
        print(f"FAIL: image {key!r} is not in {DATA}/manifest.json")
        return 1
    gname = entry["goldens"].get(plugin)
    if gname is None:
        print(f"SKIP: no golden for {plugin} on {key}")
        return corpus.SKIP
    gpath = os.path.join(DATA, gname)
    want = golden(gpath)
    os.makedirs(gen_root, exist_ok=True)
    image = ensure_image(os.path.abspath(gen_root), isf_dir, entry)
    cmd = [memscry, "-q", "-s", isf_dir, "-f", image, "-r", "json"] + corpus.plugin_args(plugin)
    res = subprocess.run(cmd, capture_output=True)
    if res.returncode != 0:
        print(f"FAIL: {' '.join(cmd)} exited {res.returncode}: {res.stderr.decode(errors='replace')[-2000:]}")
        return 1
    got = res.stdout
    for d in {isf_dir, os.path.abspath(isf_dir), os.path.realpath(isf_dir)}:
        got = got.replace(b"file://" + d.rstrip("/").encode() + b"/", PLACEHOLDER)
    if got != want:
        out = os.path.join(os.getcwd(), f"{key}.{plugin}.json")
        with open(out, "wb") as f:
            f.write(got)
        print(f"FAIL: output differs from {gpath} (ours: {out}; image: {image})")
        return 1
    print(f"ok: {key} {plugin}: {len(want)} bytes identical")
    return 0


if __name__ == "__main__":
    sys.exit(main())
