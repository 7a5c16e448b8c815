#!/usr/bin/env python3
"""winformats.py MEMSCRY GENERATED_DIR ISF_FILE NAME

The crash-dump types Volatility rejects (2 kernel, 6 live kernel, RDMP 8, 9
and 10) have no Volatility oracle: the issue's oracle is memscry's own
output on the same memory written as a raw image. The generator writes one
memory image in every format; every plugin but windows.info (whose layer
rows name the container) must print the same bytes on each as on the raw
image, and the raw image's own output is checked against Volatility's
golden by winfixtures.py."""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, HERE)
import corpus  # noqa: E402
import winfixtures  # noqa: E402

PLUGINS = ["windows.pslist.PsList", "windows.pstree.PsTree", "windows.psscan.PsScan",
           "windows.cmdline.CmdLine", "windows.dlllist.DllList", "windows.modules.Modules",
           "windows.vadinfo.VadInfo", "windows.malfind.Malfind", "windows.envars.Envars"]
FORMATS = {"raw": "raw", "kernel": "kernel.dmp", "live": "live.dmp", "rdmp8": "rdmp8.dmp",
           "rdmp9": "rdmp9.dmp", "rdmp10": "rdmp10.dmp"}


def main():
    memscry, gen_root, isf_file, name = sys.argv[1:5]
    isf_dir = os.path.join(winfixtures.shared_dir(), "isf")
    if not os.path.isdir(os.path.join(isf_dir, "windows")):
        print(f"SKIP: no Windows ISFs at {isf_dir}")
        return corpus.SKIP
    os.makedirs(gen_root, exist_ok=True)
    images = {}
    for fmt, suffix in FORMATS.items():
        entry = {"isf": isf_file, "name": name, "format": fmt, "file": f"{name}.{suffix}",
                 "options": {"mem_mb": 64, "seed": 1}}
        images[fmt] = winfixtures.ensure_image(os.path.abspath(gen_root), isf_dir, entry)
    failures = []
    for plugin in PLUGINS:
        outs = {}
        for fmt, image in images.items():
            cmd = [memscry, "-q", "-s", isf_dir, "-f", image, "-r", "json", plugin]
            res = subprocess.run(cmd, capture_output=True, timeout=300)
            if res.returncode != 0:
                failures.append(f"{' '.join(cmd)}: exit {res.returncode}: "
                                f"{res.stderr.decode(errors='replace')[-500:]}")
                continue
            outs[fmt] = res.stdout
        for fmt, out in outs.items():
            if "raw" in outs and out != outs["raw"]:
                failures.append(f"{plugin}: {fmt} output differs from the raw image's")
        if "raw" in outs and len(outs["raw"]) < 10:
            failures.append(f"{plugin}: the raw image gives no rows")
    if failures:
        print("FAIL:\n  " + "\n  ".join(failures))
        return 1
    print(f"ok: {name}: {len(PLUGINS)} plugins identical over {', '.join(FORMATS)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
