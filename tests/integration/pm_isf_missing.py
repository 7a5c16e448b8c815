#!/usr/bin/env python3
"""pm_isf_missing.py MEMSCRY SOURCE_DIR DATA_DIR WORK_DIR

The process-memory fields are optional in the Linux profile: an ISF without
vm_area_struct (a table made for the task list only) still runs pslist,
byte-identical to the golden, while linux.proc.Maps, linux.elfs.Elfs and
linux.malfind.Malfind fail with one clear error naming the missing field.
The same with mm_struct lacking both mm_mt and mmap."""
import json
import lzma
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus  # noqa: E402

memscry, source, data, work = sys.argv[1:5]
root = corpus.require_corpus(source)
dump = os.path.join(data, "dev-small.raw")
if not os.path.exists(dump):
    print(f"SKIP: {dump} not unpacked")
    sys.exit(corpus.SKIP)
with lzma.open(os.path.join(root, "symbols", "linux", "debian-6.1.0-57-cloud-amd64.json.xz")) as f:
    isf = json.load(f)
failures = []


def cut(name, edit):
    d = os.path.join(work, "pm_isf_missing", name, "linux")
    os.makedirs(d, exist_ok=True)
    t = isf
    saved = edit(t)
    path = os.path.join(d, "debian-6.1.0-57-cloud-amd64.json")
    with open(path, "w") as f:
        json.dump(t, f)
    saved()  # put the table back for the next case
    return os.path.dirname(d)


def run(symdir, plugin):
    cmd = [memscry, "-q", "-s", symdir, "-f", dump, "-r", "json", plugin]
    return subprocess.run(cmd, capture_output=True)


def drop_type(t):
    vma = t["user_types"].pop("vm_area_struct")
    return lambda: t["user_types"].__setitem__("vm_area_struct", vma)


def drop_mm_mt(t):
    mm = t["user_types"]["mm_struct"]
    saved = json.dumps(mm)
    # mm_mt lies in mm_struct's anonymous struct: rename it wherever it is.
    stack = [mm]
    while stack:
        s = stack.pop()
        if "mm_mt" in s["fields"]:
            s["fields"]["mm_mt_renamed"] = s["fields"].pop("mm_mt")
        for fld in s["fields"].values():
            tn = fld["type"].get("name")
            if fld.get("anonymous") and tn in t["user_types"]:
                stack.append(t["user_types"][tn])
    return lambda: t["user_types"].__setitem__("mm_struct", json.loads(saved))


golden = corpus.golden_bytes(corpus.golden_dir(root, "dev-small.raw"), "linux.pslist.PsList")
for case, edit, field in (("no-vma", drop_type, "vm_area_struct.vm_start"),
                          ("no-mm-mt", drop_mm_mt, "mm_struct.mmap or mm_struct.mm_mt")):
    symdir = cut(case, edit)
    res = run(symdir, "linux.pslist.PsList")
    if res.returncode != 0 or res.stdout != golden:
        failures.append(f"{case}: pslist exit {res.returncode}, golden equal {res.stdout == golden}")
    for plugin in ("linux.proc.Maps", "linux.elfs.Elfs", "linux.malfind.Malfind"):
        res = run(symdir, plugin)
        err = res.stderr.decode(errors="replace")
        want = f"the ISF has no {field} (needed to read process memory maps)"
        if res.returncode != 1 or want not in err or res.stdout.strip() not in (b"", b"[]"):
            failures.append(f"{case}: {plugin}: exit {res.returncode}, stderr {err!r}")
for f in failures:
    print("FAIL:", f)
if failures:
    sys.exit(1)
print("ok: VMA fields optional; Maps, Elfs, Malfind name what is missing")
