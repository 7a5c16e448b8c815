#!/usr/bin/env python3
"""yara_physical.py MEMSCRY SOURCE_DIR DATA_DIR DUMPFILE

`yarascan --physical` (no symbols given: it needs no OS detection) must
report exactly the physical copies of the corpus marker, each once: the
oracle parses the dump file itself (raw: file offset = physical address;
ELF: PT_LOAD segments; LiME: range headers; a kdump: the same machine's
raw file) and searches each stretch of physically adjacent memory, so a
copy across two adjacent runs counts. It must also agree with Volatility's
yarascan golden where there is one: the golden's direct-map hits, less
page_offset_base (1 GiB aligned under KASLR), are physical copies too."""
import json
import mmap
import os
import struct
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus  # noqa: E402

MARKER = b"MEMF_YARA_MARKER_7ae8"
GOLDEN = "yarascan.YaraScan--yara-string=MEMF_YARA_MARKER_7ae8"


def runs_of(path, m):
    """[(physical start, file offset, length)] of the dump's memory."""
    if m[:4] == b"\x7fELF":
        phoff, = struct.unpack_from("<Q", m, 0x20)
        phentsize, phnum = struct.unpack_from("<HH", m, 0x36)
        out = []
        for i in range(phnum):
            p_type, _, off, _, paddr, filesz = struct.unpack_from("<IIQQQQ", m, phoff + i * phentsize)
            if p_type == 1 and filesz:
                out.append((paddr, off, filesz))
        return sorted(out)
    if m[:4] == struct.pack("<I", 0x4C694D45):
        out, pos = [], 0
        while pos + 32 <= len(m) and m[pos:pos + 4] == struct.pack("<I", 0x4C694D45):
            s, e = struct.unpack_from("<QQ", m, pos + 8)
            out.append((s, pos + 32, e - s + 1))
            pos += 32 + e - s + 1
        return out
    return [(0, 0, len(m))]


def oracle(path):
    with open(path, "rb") as f:
        m = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        runs = runs_of(path, m)
        hits, i = [], 0
        while i < len(runs):  # one stretch of physically adjacent runs
            base, parts = runs[i][0], [runs[i]]
            while i + 1 < len(runs) and runs[i + 1][0] == parts[-1][0] + parts[-1][2]:
                i += 1
                parts.append(runs[i])
            i += 1
            data = b"".join(m[o:o + n] for _, o, n in parts)
            k = data.find(MARKER)
            while k >= 0:
                hits.append(base + k)
                k = data.find(MARKER, k + 1)
        # (a vmcore's PT_LOADs may overlap: the kernel image inside RAM)
        return sorted(set(hits))


memscry, source, data, dumpfile = sys.argv[1:5]
root = corpus.require_corpus(source)
dump = corpus.dump_path(root, data, dumpfile)
if not os.path.exists(dump):
    print(f"SKIP: {dump} not unpacked")
    sys.exit(corpus.SKIP)
ref = dump
if ".kdump" in dumpfile:
    ref = os.path.join(data, corpus.machine_of(dumpfile) + ".raw")
want = oracle(ref)
if not want:
    print(f"FAIL: the oracle finds no marker in {ref}")
    sys.exit(1)
cmd = [memscry, "-q", "-f", dump, "-r", "json", "yarascan", "--physical", "--yara-string",
       MARKER.decode()]
res = subprocess.run(cmd, capture_output=True)
if res.returncode != 0:
    print(f"FAIL: {' '.join(cmd)} exited {res.returncode}: {res.stderr.decode(errors='replace')}")
    sys.exit(1)
rows = json.loads(res.stdout)
got = [r["Offset"] for r in rows]
if got != want:
    print(f"FAIL: {dumpfile}: --physical found {[hex(x) for x in got]}, "
          f"the dump holds {[hex(x) for x in want]}")
    sys.exit(1)
for r in rows:
    if (r["Rule"], r["Component"], r["Value"]) != ("r1", "$a", " ".join(f"{b:02x}" for b in MARKER)):
        print(f"FAIL: row {r}")
        sys.exit(1)
gdir = corpus.golden_dir(root, dumpfile)
gold = corpus.golden_bytes(gdir, GOLDEN) if gdir else None
if gold is not None:
    vhits = [r["Offset"] for r in json.loads(gold)]
    # page_offset_base: the 1 GiB-aligned base that puts the most golden
    # hits on physical copies; every golden hit under it must be one.
    best = None
    for v in vhits:
        for p in want:
            pob = v - p
            if pob % (1 << 30) == 0 and pob > 0:
                on = [x for x in vhits if x - pob in want]
                if best is None or len(on) > len(best[1]):
                    best = (pob, on)
    if best is None:
        print(f"FAIL: no golden hit of {dumpfile} is a physical copy through a direct map")
        sys.exit(1)
    pob, on = best
    direct = [x for x in vhits if pob <= x < pob + (1 << 40)]
    if sorted(set(direct)) != sorted(set(on)):
        print(f"FAIL: golden direct-map hits {[hex(x) for x in direct]} not all physical copies "
              f"(page_offset_base {pob:#x})")
        sys.exit(1)
print(f"ok: {dumpfile}: {len(got)} physical copies, as in the dump file")
