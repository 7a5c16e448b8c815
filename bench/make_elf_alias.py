#!/usr/bin/env python3
"""make_elf_alias.py - writes a hostile ELF core whose PT_LOADs alias one file.

Every PT_LOAD maps the whole file (offset 0, p_filesz = file size) at its own
physical address, so a file of a few MiB describes hundreds of GiB. Used for
the "Hostile inputs - ELF aliasing" figures in bench/README.md; the output
goes to a fresh temporary directory (or --out-dir) and is never committed.

  bench/make_elf_alias.py [-n 65534] [--xnum] [--data-bytes N] [--source dev-small.elf]
                          [--out-dir DIR] [-o NAME]

-n         PT_LOAD count (default 65534, the most e_phnum holds; more needs
           --xnum, which stores the count in section header 0 as PN_XNUM says).
--data-bytes  append N bytes of real memory from --source's first PT_LOAD
           (default 0: the file is the headers alone, 3.5 MiB for 65534).
Prints the path written and the bytes described.
"""
import argparse
import os
import struct
import sys
import tempfile


def first_load(path):
    with open(path, "rb") as f:
        h = f.read(64)
        phoff, = struct.unpack_from("<Q", h, 32)
        phnum, = struct.unpack_from("<H", h, 56)
        f.seek(phoff)
        d = f.read(56 * phnum)
    for i in range(phnum):
        t, _fl, off, _va, _pa, fs, _ms, _al = struct.unpack_from("<IIQQQQQQ", d, 56 * i)
        if t == 1 and fs:
            return off, fs
    sys.exit(f"{path}: no PT_LOAD with file bytes")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=65534)
    ap.add_argument("--xnum", action="store_true")
    ap.add_argument("--data-bytes", type=int, default=0)
    ap.add_argument("--source", default=os.path.join(
        os.environ.get("MEMSCRY_CORPUS_DATA", "/work/corpus-data"), "dev-small.elf"))
    ap.add_argument("--out-dir", default=None, help="default: a new temporary directory")
    ap.add_argument("-o", "--name", default="alias.elf", help="file name in that directory")
    a = ap.parse_args()
    if a.n > 65534 and not a.xnum:
        sys.exit("more than 65534 program headers needs --xnum")

    data = b""
    if a.data_bytes:
        off, fs = first_load(a.source)
        with open(a.source, "rb") as f:
            f.seek(off)
            data = f.read(min(a.data_bytes, fs))

    shoff = 64 if a.xnum else 0
    phoff = 64 + (64 if a.xnum else 0)
    size = phoff + 56 * a.n + len(data)
    stride = (size + 0xFFF) & ~0xFFF
    ehdr = b"\x7fELF" + bytes([2, 1, 1]) + bytes(9)
    ehdr += struct.pack("<HHIQQQIHHHHHH", 4, 62, 1, 0, phoff, shoff, 0, 64, 56,
                        0xFFFF if a.xnum else a.n, 64, 1 if a.xnum else 0, 0)
    out = bytearray(ehdr)
    if a.xnum:
        # Section header 0: sh_info (offset 44) holds the real e_phnum.
        sh = bytearray(64)
        struct.pack_into("<I", sh, 44, a.n)
        out += sh
    for i in range(a.n):
        pa = i * stride
        out += struct.pack("<IIQQQQQQ", 1, 7, 0, 0xFFFF800000000000 + pa, pa, size, size, 0x1000)
    out += data
    assert len(out) == size

    d = a.out_dir or tempfile.mkdtemp(prefix="elf-alias-")
    path = os.path.join(d, a.name)
    with open(path, "wb") as f:
        f.write(out)
    print(path)
    print(f"{a.n} PT_LOADs x {size} bytes = {a.n * size} bytes described "
          f"({a.n * size / 2**30:.1f} GiB from {size / 2**20:.2f} MiB)", file=sys.stderr)


if __name__ == "__main__":
    main()
