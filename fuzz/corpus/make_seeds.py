#!/usr/bin/env python3
"""make_seeds.py - (re)generates the synthetic seed files of fuzz/corpus/.

Each fuzz/corpus/fuzz_<name>/ folder is the seed corpus of fuzz/fuzz_<name>.c
and the input set of the ctest test fuzz.replay.fuzz_<name>. This script
writes the synthetic seeds (deterministic bytes, so rerunning it changes
nothing) and copies the kdump seeds from ../shared/corpus/kdump-peer when that
folder is there. Files named crash-*.bin are regression inputs of fixed bugs:
it never touches them. Run: python3 fuzz/corpus/make_seeds.py
"""
import gzip
import hashlib
import json
import lzma
import os
import shutil
import struct
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PEER = os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared", "corpus", "kdump-peer"))
PAGE = 4096


def out(harness, name, data):
    d = os.path.join(HERE, harness)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def prng(seed, n):
    """Deterministic pseudo-random bytes."""
    b = bytearray()
    i = 0
    while len(b) < n:
        b += hashlib.sha256(b"%s-%d" % (seed.encode(), i)).digest()
        i += 1
    return bytes(b[:n])


def text_page(tag):
    line = ("memscry fuzz seed %s: the quick brown fox jumps over the lazy dog\n" % tag).encode()
    return (line * (PAGE // len(line) + 1))[:PAGE]


# ---------------------------------------------------------------- AVML images

def crc32c(data):
    c = 0xFFFFFFFF
    for b in data:
        c ^= b
        for _ in range(8):
            c = (c >> 1) ^ (0x82F63B78 if c & 1 else 0)
    c ^= 0xFFFFFFFF
    return (((c >> 15) | (c << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def snappy_block(data):
    """A raw snappy block: a literal of the first 64 bytes, then copies of
    64 bytes at offset 64 while the data repeats, literals elsewhere."""
    n, v = len(data), bytearray()
    while True:  # varint of the uncompressed length
        v.append((n & 0x7F) | (0x80 if n > 0x7F else 0))
        n >>= 7
        if not n:
            break
    i = 0
    while i < len(data):
        if i >= 64 and i + 64 <= len(data) and data[i:i + 64] == data[i - 64:i]:
            v += bytes([(63 << 2) | 2]) + struct.pack("<H", 64)
            i += 64
            continue
        lit = data[i:i + 60]
        v += bytes([(len(lit) - 1) << 2]) + lit
        i += len(lit)
    return bytes(v)


def avml_range(start, data, per, stored_every=0):
    body = bytearray(b"\xff\x06\x00\x00sNaPpY")
    for k, at in enumerate(range(0, len(data), per)):
        piece = data[at:at + per]
        crc = struct.pack("<I", crc32c(piece))
        if stored_every and k % stored_every == stored_every - 1:
            body += struct.pack("<I", (len(piece) + 4) << 8 | 0x01) + crc + piece
        else:
            blk = snappy_block(piece)
            body += struct.pack("<I", (len(blk) + 4) << 8 | 0x00) + crc + blk
    hdr = struct.pack("<IIQQQ", 0x4C4D5641, 2, start, start + len(data) - 1, 0)
    return hdr + bytes(body) + struct.pack("<Q", len(body))


def avml_seeds():
    h = "fuzz_avml"
    out(h, "one-range.avml", avml_range(0x1000, text_page("avml0") * 2, 4096, 2))
    out(h, "two-ranges.avml", avml_range(0, text_page("a"), 4096) +
        avml_range(0x100000, text_page("b") + prng("a1", PAGE), 4096, 2))
    out(h, "odd-chunks.avml", avml_range(0x3000, prng("a2", 5000) + text_page("c"), 3000, 3))
    out(h, "copies.avml", avml_range(0, b"0123456789abcdef" * 4 * 128 + text_page("e"), 4096))
    bad = bytearray(avml_range(0, text_page("d"), 4096))
    bad[32 + 10 + 4] ^= 1  # the CRC of the first chunk
    out(h, "bad-crc.avml", bytes(bad))


# ---------------------------------------------------------------- raw images

def raw_seeds():
    h = "fuzz_raw"
    # The first 16 bytes pick the harness's extra read: pa (odd: inside the
    # image), len.
    out(h, "one-page.bin", struct.pack("<QQ", 0x101, 0x2345) + text_page("raw")[16:])
    out(h, "short-odd.bin", struct.pack("<QQ", 0xfff0, 0x30) + b"not a page multiple" * 3)
    out(h, "tiny.bin", b"\x00")
    img = bytearray()
    for i in range(17):  # 68 KiB: reads long enough for direct()
        img += text_page("p%d" % i) if i % 3 else prng("raw%d" % i, PAGE)
    img[0:16] = struct.pack("<QQ", 0xfffffffffffff001, 0x11000)
    out(h, "pages-17.bin", bytes(img))


# ---------------------------------------------------------------- Windows crash dumps

def windump_header(dump_type, runs=()):
    """A _DUMP_HEADER64 pre-filled with "PAGE" like a real one."""
    h = bytearray(b"PAGE" * (0x2000 // 4))
    h[4:8] = b"DU64"
    struct.pack_into("<QQQQIII", h, 0x10, 0x1ab000, 0xfffffa8000000000, 0xfffff80002a4f890,
                     0xfffff80002a2d940, 0x8664, 2, 0xe2)
    struct.pack_into("<Q", h, 0x80, 0xfffff800029ed0f0)
    struct.pack_into("<II", h, 0x88, len(runs), sum(c for _, c in runs))
    for i, (base, count) in enumerate(runs):
        struct.pack_into("<QQ", h, 0x98 + 16 * i, base, count)
    struct.pack_into("<IIQQ", h, 0xF98, dump_type, 0, 0, 0x01da75fa3d1c4b80)
    return h


def windump_bitmap(pfns, bits, dump_type=5):
    words = bytearray((bits + 31) // 32 * 4)
    for pfn in pfns:
        words[pfn // 8] |= 1 << (pfn % 8)
    summary = bytearray((b"FDMP" if dump_type == 5 else b"SDMP") + b"DUMP" + bytes(0x30))
    hdr_size = (0x2000 + 0x38 + len(words) + PAGE - 1) // PAGE * PAGE
    struct.pack_into("<QQQ", summary, 0x20, hdr_size, len(pfns), bits)
    head = bytes(windump_header(dump_type)) + summary + words
    head += bytes(hdr_size - len(head))
    return head + b"".join(text_page("w%d" % p)[:PAGE] for p in sorted(pfns))


def windump_rdmp(dump_type, ranges, first=0x3000, total=None, npages=None):
    """DumpType 8-10: RDMP header at 0x2000, ranges from 0x2030, data at first."""
    r = bytearray(first - 0x2000)
    struct.pack_into("<I4s4sIQQ", r, 0, 0x40, b"RDMP", b"DUMP", 0, first - 0x2020, first)
    if dump_type == 10:
        struct.pack_into("<IHHQ", r, 0x20, len(ranges), 0, 0,
                         sum(c for _, c in ranges) if total is None else total)
    for i, (pfn, count) in enumerate(ranges):
        struct.pack_into("<QQ", r, 0x30 + 16 * i, pfn, count)
    n = sum(c for _, c in ranges) if npages is None else npages
    return bytes(windump_header(dump_type)) + r + b"".join(
        text_page("r%d.%d" % (dump_type, i)) for i in range(n))


def windump_seeds():
    h = "fuzz_windump"
    out(h, "full-two-runs.dmp", bytes(windump_header(1, [(1, 2), (0x10, 1)])) +
        text_page("f1") + prng("f2", PAGE) + text_page("f10"))
    out(h, "full-overlap.dmp", bytes(windump_header(1, [(0, 2), (1, 2)])) +
        b"".join(text_page("o%d" % i) for i in range(4)))
    out(h, "full-cut.dmp", bytes(windump_header(1, [(4, 0x100)])) + text_page("c4") + b"x" * 100)
    out(h, "bitmap-gaps.dmp", windump_bitmap([0, 1, 2, 5, 31, 32, 33] + list(range(64, 70)) + [99], 100))
    out(h, "bitmap-17.dmp", windump_bitmap(list(range(3, 20)), 64))
    out(h, "kernel-type2.dmp", bytes(windump_header(2)))
    out(h, "summary-type2.dmp", windump_bitmap([1, 2, 31, 32, 68, 69], 70, 2))
    out(h, "live-type6.dmp", windump_bitmap(list(range(4, 8)) + [40], 48, 6))
    out(h, "rdmp-type8.dmp", windump_rdmp(8, [(1, 2), (0x20, 3), (0, 0), (0x50, 1)], npages=5))
    out(h, "rdmp-type9.dmp", windump_rdmp(9, [(0x10, 2), (4, 1), (0x11, 2)], first=0x2060))
    out(h, "rdmp-type10.dmp", windump_rdmp(10, [(1, 2), (0x100, 3), (0x999, 7)], total=5, npages=5))
    out(h, "rdmp-cut.dmp", windump_rdmp(8, [(7, 0x1000), (0x3000, 4)], first=0x2050, npages=2))
    x86 = bytearray(b"PAGE" * 1024)
    x86[4:8] = b"DUMP"
    out(h, "x86.dmp", bytes(x86))


# ---------------------------------------------------------------- LiME

def lime(ranges):
    b = b""
    for start, data in ranges:
        b += struct.pack("<IIQQQ", 0x4C694D45, 1, start, start + len(data) - 1, 0) + data
    return b


def lime_seeds():
    h = "fuzz_lime"
    out(h, "one-range.lime", lime([(0, text_page("lime0"))]))
    # Like derive.py's: two System RAM ranges with a gap, written in order.
    out(h, "two-ranges.lime", lime([(0x1000, text_page("a") + prng("l1", PAGE)),
                                    (0x9fc00 - 0x9f000 + 0x4000, text_page("b")[:0xc00])]))
    # Out of order, odd sizes, one byte, near the top of the address space.
    out(h, "unordered.lime", lime([(0x10000, prng("l2", 300)), (0x20, b"x"),
                                   (0x5000, text_page("c")[:1000]),
                                   (0xfffffffffffff000, prng("l3", 0xfff))]))
    out(h, "header-only.lime", lime([]) + struct.pack("<IIQQQ", 0x4C694D45, 1, 0, 0, 0) + b"z")


# ---------------------------------------------------------------- ELF cores

def note(name, ntype, desc):
    n = name.encode() + b"\0"
    pad = lambda b: b + b"\0" * (-len(b) % 4)
    return struct.pack("<III", len(n), len(desc), ntype) + pad(n) + pad(desc)


def qemu_cpustate(cr3):
    # version, size, 16 GPRs, rip, rflags, 10 segments x 24, cr[5], kgsbase
    regs = struct.pack("<II", 1, 440) + b"\0" * (18 * 8 + 10 * 24)
    return regs + struct.pack("<QQQQQQ", 0x80050033, 0, 0, cr3, 0x3606f0, 0)


def elf_core(loads, notes, machine=62):
    """loads: [(paddr, data, extra_memsz)]; notes: bytes of one PT_NOTE."""
    phnum = len(loads) + (1 if notes else 0)
    off = 64 + 56 * phnum
    phdrs, body = b"", b""
    if notes:
        phdrs += struct.pack("<IIQQQQQQ", 4, 0, off, 0, 0, len(notes), 0, 0)
        body += notes
        off += len(notes)
    for paddr, data, extra in loads:
        phdrs += struct.pack("<IIQQQQQQ", 1, 7, off, paddr | 0xffff880000000000, paddr,
                             len(data), len(data) + extra, PAGE)
        body += data
        off += len(data)
    ehdr = b"\x7fELF" + bytes([2, 1, 1, 0]) + b"\0" * 8
    ehdr += struct.pack("<HHIQQQIHHHHHH", 4, machine, 1, 0, 64, 0, 0, 64, 56, phnum, 64, 0, 0)
    return ehdr + phdrs + body


def elf_seeds():
    h = "fuzz_elf"
    vmci = b"OSRELEASE=6.1.0-fuzz\nPAGESIZE=4096\nSYMBOL(init_top_pgt)=ffffffff82a0a000\n" \
           b"NUMBER(phys_base)=0\nKERNELOFFSET=0\n"
    notes = note("CORE", 1, b"\0" * 336) + note("QEMU", 0, qemu_cpustate(0x1000)) + \
        note("CORE", 1, b"\0" * 336) + note("QEMU", 0, qemu_cpustate(0x2000)) + \
        note("VMCOREINFO", 0, vmci)
    out(h, "qemu.elf", elf_core([(0, text_page("e0") + prng("e1", PAGE), 0),
                                 (0x100000, text_page("e2"), PAGE)], notes))
    # /proc/vmcore-like: the kernel image mapped twice (overlapping loads),
    # zero padding after the last note, a load beyond 4 GiB.
    notes2 = note("CORE", 1, b"\0" * 336) + note("VMCOREINFO", 0, vmci + b"\0\0\0") + b"\0" * 64
    out(h, "vmcore.elf", elf_core([(0x2000, text_page("k") * 2, 0), (0x3000, text_page("k2"), 0),
                                   (0x100000000, prng("e3", 3000), 0x1000)], notes2))
    out(h, "no-notes.elf", elf_core([(0x5000, prng("e4", 100), 0)], b""))
    # An ELF class and machine the reader declines: the error path.
    out(h, "not-x86.elf", elf_core([(0, b"abc", 0)], note("QEMU", 0, b"\1\0\0\0"), machine=183))


# ---------------------------------------------------------------- kdump

def kdump_seeds():
    if not os.path.isdir(PEER):
        print("make_seeds: %s is absent; kdump seeds not refreshed" % PEER, file=sys.stderr)
        return
    for name in sorted(os.listdir(PEER)):
        src = os.path.join(PEER, name)
        if name.endswith(".expect.json") or name == "README.md":
            continue
        if name.startswith("split.kdump.") and not name.endswith(".1"):
            continue  # one part of the split set is enough
        if name.startswith("flat-"):
            shutil.copyfile(src, os.path.join(HERE, "fuzz_kdump_flat", name))
        else:
            shutil.copyfile(src, os.path.join(HERE, "fuzz_kdump", name))


def flatten(img, chunk, order=None, rewrite=None):
    """makedumpfile -F: a 4096-byte header, (be64 offset, be64 size, data)
    records, then the -1/-1 end marker. order permutes the records;
    rewrite = (offset, bytes) appends a later record that overwrites."""
    hdr = b"makedumpfile".ljust(16, b"\0") + struct.pack(">QQ", 1, 1)
    hdr = hdr.ljust(PAGE, b"\0")
    recs = [(o, img[o:o + chunk]) for o in range(0, len(img), chunk)]
    if order == "reverse":
        recs.reverse()
    if rewrite:
        recs.append(rewrite)
    b = hdr
    for o, d in recs:
        b += struct.pack(">qq", o, len(d)) + d
    return b + struct.pack(">qq", -1, -1)


def kdump_flat_seeds():
    h = "fuzz_kdump_flat"
    os.makedirs(os.path.join(HERE, h), exist_ok=True)
    os.makedirs(os.path.join(HERE, "fuzz_kdump"), exist_ok=True)
    kdump_seeds()
    if not os.path.isdir(PEER):
        return
    with open(os.path.join(PEER, "zlib.kdump"), "rb") as f:
        z = f.read()
    with open(os.path.join(PEER, "ia32-lzo.kdump"), "rb") as f:
        ia32 = f.read()
    out(h, "zlib-4k-records.kdump", flatten(z, PAGE))
    out(h, "ia32-lzo-reversed.kdump", flatten(ia32, 3000, order="reverse"))
    # A later record rewrites part of the first page of data.
    out(h, "zlib-rewritten.kdump", flatten(z, 8192, rewrite=(len(z) - 512, b"\xee" * 512)))
    # Cut in the middle of a record, without the end marker.
    out(h, "zlib-cut.kdump", flatten(z, 5000)[:PAGE + 20000])


# ---------------------------------------------------------------- paging
#
# fuzz_paging input: 48-byte header (mode, flags, corrupt page and count,
# read length, dtb, four virtual addresses), then the physical image.

def paging_seed(mode, dtb, vas, image, flags=0, bad=(0, 0), rlen=0x1800):
    hdr = struct.pack("<BBBBIQ", mode, flags, bad[0], bad[1], rlen, dtb)
    hdr += struct.pack("<4Q", *vas)
    assert len(hdr) == 48
    return hdr + bytes(image)


def put(img, pa, fmt, v):
    struct.pack_into(fmt, img, pa, v)


def paging_seeds():
    h = "fuzz_paging"
    P, RW, PS = 1, 2, 0x80
    # x86_64: PML4 0x1000, PDPT 0x2000, PD 0x3000, PT 0x4000, data 0x5000;
    # also a 2 MiB and a 1 GiB mapping (targets partly beyond the image).
    img = bytearray(6 * PAGE)
    img[0x5000:0x6000] = text_page("x86_64")
    put(img, 0x1000 + 8 * 0x1ff, "<Q", 0x2000 | P | RW)      # PML4[511]
    put(img, 0x1000 + 8 * 0x100, "<Q", 0x2000 | P | RW)      # PML4[256]
    put(img, 0x2000 + 8 * 0x1fe, "<Q", 0x3000 | P | RW)      # PDPT[510]
    put(img, 0x2000 + 8 * 1, "<Q", 0x40000000 | P | RW | PS)  # PDPT[1]: 1 GiB
    put(img, 0x3000 + 8 * 0, "<Q", 0x4000 | P | RW)          # PD[0]
    put(img, 0x3000 + 8 * 1, "<Q", 0x200000 | P | PS)        # PD[1]: 2 MiB
    put(img, 0x4000 + 8 * 5, "<Q", 0x5000 | P | RW | (1 << 63))  # PT[5], NX
    put(img, 0x4000 + 8 * 6, "<Q", 0x5000 | P)
    va = 0xffffffff80000000 + 5 * PAGE + 0x10
    out(h, "x86_64.bin", paging_seed(2, 0x1000, [va, 0xffffffff80200123,
                                                 0xffff800040001000, 0xffffffff80007000], img))
    out(h, "x86_64-nodirect-corrupt.bin",
        paging_seed(2, 0x1000 | 0x800000000000018, [va, va + PAGE - 8, 0x7fff00000000, 0],
                    img, flags=3, bad=(4, 0)))

    # LA57: PML5 0x1000 -> PML4 0x2000 -> PDPT 0x3000 -> PD 0x4000 -> PT 0x5000 -> 0x6000
    img = bytearray(7 * PAGE)
    img[0x6000:0x7000] = text_page("la57")
    put(img, 0x1000 + 8 * 0x1ff, "<Q", 0x2000 | P | RW)
    put(img, 0x1000 + 8 * 0x0, "<Q", 0x2000 | P | RW)
    put(img, 0x2000 + 8 * 0x1ff, "<Q", 0x3000 | P | RW)
    put(img, 0x3000 + 8 * 0x1fe, "<Q", 0x4000 | P | RW)
    put(img, 0x3000 + 8 * 0x1ff, "<Q", 0xc0000000 | P | PS)
    put(img, 0x4000 + 8 * 0, "<Q", 0x5000 | P | RW)
    put(img, 0x4000 + 8 * 2, "<Q", 0x400000 | P | PS)
    put(img, 0x5000 + 8 * 3, "<Q", 0x6000 | P | RW)
    out(h, "la57.bin", paging_seed(3, 0x1000, [0xffffffff80003abc, 0xffffffff80400fff,
                                               0xffffffffc0000000, 0x00ff_ffff_8000_3000], img))

    # PAE: 32-byte PDPT at 0x1020 -> PD 0x2000 -> PT 0x3000 -> 0x4000;
    # PDPT[3] -> PD 0x2000 too, with a 2 MiB page.
    img = bytearray(5 * PAGE)
    img[0x4000:0x5000] = text_page("pae")
    put(img, 0x1020 + 8 * 0, "<Q", 0x2000 | P)
    put(img, 0x1020 + 8 * 3, "<Q", 0x2000 | P)
    put(img, 0x2000 + 8 * 0, "<Q", 0x3000 | P | RW)
    put(img, 0x2000 + 8 * 1, "<Q", 0x400000 | P | PS)
    put(img, 0x3000 + 8 * 7, "<Q", 0x4000 | P | RW)
    out(h, "pae.bin", paging_seed(1, 0x1020, [0x7010, 0xc0207000, 0x00200010, 0xc0007ff8], img))

    # x86: PD 0x1000 -> PT 0x2000 -> 0x3000; PDE[0x300] a 4 MiB page.
    img = bytearray(4 * PAGE)
    img[0x3000:0x4000] = text_page("x86")
    put(img, 0x1000 + 4 * 0, "<I", 0x2000 | P | RW)
    put(img, 0x1000 + 4 * 0x300, "<I", 0x00400000 | P | PS)
    put(img, 0x1000 + 4 * 0x301, "<I", 0x2000 | P)
    put(img, 0x2000 + 4 * 9, "<I", 0x3000 | P | RW)
    out(h, "x86.bin", paging_seed(0, 0x1000, [0x9abc, 0xc0012345, 0xc0409000, 0xfffff000], img,
                                  rlen=0x2001))


# ---------------------------------------------------------------- ISF

def isf_seeds():
    h = "fuzz_isf"
    base = {
        "int": {"size": 4, "signed": True, "kind": "int", "endian": "little"},
        "char": {"size": 1, "signed": True, "kind": "char", "endian": "little"},
        "pointer": {"size": 8, "signed": False, "kind": "int", "endian": "little"},
        "void": {"size": 0, "signed": False, "kind": "void", "endian": "little"},
    }
    ptr = lambda sub: {"kind": "pointer", "subtype": sub}
    users = {
        "task": {"size": 40, "kind": "struct", "fields": {
            "pid": {"type": {"kind": "base", "name": "int"}, "offset": 0},
            "comm": {"type": {"kind": "array", "count": 16,
                              "subtype": {"kind": "base", "name": "char"}}, "offset": 4},
            "s": {"type": {"kind": "enum", "name": "e"}, "offset": 20},
            "t": {"type": ptr({"kind": "struct", "name": "task"}), "offset": 24},
            "x": {"type": {"kind": "bitfield", "bit_position": 1, "bit_length": 3,
                           "type": {"kind": "base", "name": "int"}}, "offset": 32},
            "a": {"type": ptr(ptr(ptr({"kind": "function"}))), "offset": 36},
            "unnamed_field_0": {"anonymous": True, "offset": 0,
                                "type": {"kind": "union", "name": "u"}},
        }},
        "u": {"size": 8, "kind": "union", "fields": {
            "e": {"type": {"kind": "base", "name": "int"}, "offset": 0},
            "pointer": {"type": ptr({"kind": "base", "name": "void"}), "offset": 0}}},
        "t": {"size": 0, "kind": "class", "fields": {}},
    }
    enums = {"e": {"size": 4, "base": "int",
                   "constants": {"a": 0, "x": -9223372036854775808, "t": 18446744073709551615}}}
    syms = {
        "a": {"address": 18446744071606217280, "type": {"kind": "struct", "name": "task"}},
        "s": {"address": 4096, "constant_data": "TGludXggdmVyc2lvbiA2LjEK"},
        "x": {"address": 18446744073709551615, "constant_data": ""},
    }
    meta = {"producer": {"name": "dwarf2json", "version": "0.9.0"}, "format": "6.2.0",
            "linux": {"symbols": [{"kind": "dwarf", "name": "vmlinux"}]}}
    doc = {"metadata": meta, "base_types": base, "user_types": users, "enums": enums,
           "symbols": syms}
    full = json.dumps(doc, indent=1).encode()
    out(h, "full.json", full)
    out(h, "full.json.gz", gzip.compress(full, mtime=0))
    out(h, "full.json.xz", lzma.compress(full, preset=6))
    out(h, "minimal.json", b'{"base_types": {}, "user_types": {}, "enums": {}, "symbols": {}}')
    # Escapes, numbers and skipped values the tokenizer must handle.
    out(h, "escapes.json",
        b'{"metadata": {"x": [1, -2.5e-3, true, false, null, {"y": []}]}, "base_types": {},\n'
        b' "enums": {}, "user_types": {"\\u00e9t\\u00e9\\n": {"size": 1, "kind": "struct",\n'
        b' "fields": {"\\ud83d\\ude00": {"offset": 0, "type": {"kind": "base", "name": "c"}}}}},\n'
        b' "symbols": {"s\\t\\"q\\"": {"address": 0}}}\n')
    # Duplicate keys at every level (the last wins) and a 100-digit number
    # under a key nobody reads.
    out(h, "duplicates.json",
        b'{"metadata": {"format": "1"}, "metadata": {"format": "6.2.0", "x": -' + b"7" * 100 +
        b'e5},\n "base_types": {"int": {"size": 4, "signed": true}, "int": {"size": 8, '
        b'"signed": false}},\n "enums": {}, "enums": {"e": {"size": 4, "base": "int", '
        b'"constants": {"A": 1, "A": 2}}},\n "user_types": {"t": {"size": 8, "kind": "struct", '
        b'"fields": {"f": {"offset": 0, "type": {"kind": "base", "name": "int"}, "offset": 4}, '
        b'"f": {"offset": 2, "type": {"kind": "base", "name": "int"}}}}},\n "symbols": {"s": '
        b'{"address": 1, "constant_data": "YQ=="}, "s": {"address": 2}}}\n')


def isf_struct_seeds():
    """Choice bytes for fuzz_isf_struct.c: no input (every choice 0), a few
    hand-picked shapes and deterministic noise."""
    h = "fuzz_isf_struct"
    out(h, "empty.bin", b"")
    # All sections once, a type with fields, symbols with types.
    out(h, "sections.bin", bytes([0x01, 0, 1, 2, 3, 0, 5, 3, 3, 1, 9, 2, 4, 0, 0, 7, 3, 10, 1,
                                  3, 8, 3, 2, 0, 3, 16, 0, 0, 0, 0, 5, 1, 2, 0x10, 9, 3]))
    # Sections twice, hostile values near 2^64.
    out(h, "twice.bin", bytes([0xe3, 2, 1, 0, 4, 4, 4, 0xd2, 0xd1, 2, 0xfd, 0xfe, 0xff,
                               0xf9] + [0xff] * 8 + [2, 3, 0xcf, 0xce, 7, 5]))
    for i in range(4):
        out(h, "noise-%d.bin" % i, prng("isf-struct-%d" % i, 256 << i))


# ---------------------------------------------------------------- BTF (fuzz_btf)

def btf_blob(types, strs):
    """types: list of 32-bit words; strs: the string section (starts with NUL)."""
    tb = struct.pack("<%dI" % len(types), *types)
    hdr = struct.pack("<HBBIIIII", 0xEB9F, 1, 0, 24, 0, len(tb), len(tb), len(strs))
    return hdr + tb + strs


def tiny_btf():
    """Every BTF kind once: the shapes the ISF writer turns into JSON."""
    strs = bytearray(b"\0")

    def s(name):
        off = len(strs)
        strs.extend(name.encode() + b"\0")
        return off

    def info(kind, kflag, vlen):
        return kind << 24 | kflag << 31 | vlen

    t = []
    t += [s("int"), info(1, 0, 0), 4, 1 << 24 | 32]                      # 1
    t += [s("unsigned int"), info(1, 0, 0), 4, 32]                       # 2
    t += [s("char"), info(1, 0, 0), 1, 8]                                # 3
    t += [0, info(3, 0, 0), 0, 3, 1, 16]                                 # 4 char[16]
    t += [0, info(2, 0, 0), 6]                                           # 5 task_struct *
    t += [s("task_struct"), info(4, 1, 6), 64,                           # 6
          s("pid"), 1, 0, s("comm"), 4, 32, s("flags"), 2, 3 << 24 | 161,
          s("parent"), 5, 192, 0, 7, 256, s("fn"), 17, 384]
    t += [0, info(5, 0, 2), 8, s("a"), 1, 0, s("b"), 2, 0]               # 7 anonymous union
    t += [s("pgd_t"), info(8, 0, 0), 9]                                  # 8
    t += [0, info(4, 0, 1), 8, s("pgd"), 2, 0]                           # 9
    t += [s("state"), info(6, 1, 2), 4, s("RUNNING"), 0, s("DEAD"), 0xFFFFFFFF]  # 10
    t += [s("current_task"), info(14, 0, 0), 5, 1]                       # 11
    t += [s(".data..percpu"), info(15, 0, 1), 8, 11, 0, 8]               # 12
    t += [s("big"), info(19, 0, 1), 8, s("TOP"), 0, 0x80000000]          # 13 enum64
    t += [s("double"), info(16, 0, 0), 8]                                # 14 float
    t += [0, info(10, 0, 0), 16]                                         # 15 const
    t += [0, info(9, 0, 0), 1]                                           # 16 volatile int
    t += [0, info(2, 0, 0), 18]                                          # 17 pointer to proto
    t += [0, info(13, 0, 2), 1, s("x"), 15, 0, 0]                        # 18 proto (..., ...)
    t += [s("do_it"), info(12, 0, 1), 18]                                # 19 func
    t += [s("opaque"), info(7, 1, 0), 0]                                 # 20 fwd union
    t += [s("tag"), info(17, 0, 0), 6, 0xFFFFFFFF]                       # 21 decl tag
    t += [s("user"), info(18, 0, 0), 5]                                  # 22 type tag
    return btf_blob(t, bytes(strs))


def btf_find_seeds():
    """fuzz_btf_find: a 9-byte header (flags, expected place, its length),
    then a physical image holding the tiny BTF where the kernel mapping
    says, elsewhere, after a bare header copy, truncated, or damaged."""
    h = "fuzz_btf_find"
    blob = tiny_btf()

    def img(parts, size=0x3000):
        m = bytearray(size)
        for at, b in parts:
            m[at:at + len(b)] = b
        return bytes(m)

    def hdr(flags, pa=0, ln=0):
        return struct.pack("<BII", flags, pa, ln)

    bare = blob[:24] + bytes(64)  # the header alone, as the kernel's struct btf keeps it
    bad_ref = bytearray(blob)
    struct.pack_into("<I", bad_ref, 24 + 72 + 8, 0x7FFFFF)  # type 5 (a pointer): its pointee
    out(h, "mapped.bin", hdr(1, 0x1000, len(blob)) + img([(0x1000, blob)]))
    out(h, "mapped-plain.bin", hdr(3, 0x1000, len(blob)) + img([(0x1000, blob)]))
    out(h, "mapped-wrong-len.bin", hdr(1, 0x1000, len(blob) + 4) + img([(0x1000, blob)]))
    out(h, "scan.bin", hdr(0) + img([(0x800, bare), (0x1804, blob)]))
    out(h, "scan-plain.bin", hdr(2) + img([(0x800, bare), (0x1804, blob)]))
    out(h, "truncated.bin", hdr(0) + img([(0x2f00, blob)])[:0x2f00 + len(blob) // 2])
    out(h, "bad-ref.bin", hdr(1, 0x400, len(blob)) + img([(0x400, bytes(bad_ref)),
                                                          (0x2000, bytes(bad_ref))]))


def vmlinux_elf(btf, banner):
    """.text, .rodata (the banner) and .BTF, as a bzImage's vmlinux has them."""
    shstr = b"\0.text\0.rodata\0.BTF\0.shstrtab\0"
    text = 64
    rodata = text + 16
    btfo = rodata + len(banner)
    shs = btfo + len(btf)
    sh = (shs + len(shstr) + 7) & ~7
    img = bytearray(sh + 5 * 64)
    img[0:7] = b"\x7fELF\x02\x01\x01"
    img[0x12] = 62
    img[rodata:rodata + len(banner)] = banner
    img[btfo:btfo + len(btf)] = btf
    img[shs:shs + len(shstr)] = shstr
    struct.pack_into("<Q", img, 0x28, sh)
    struct.pack_into("<HHH", img, 0x3A, 64, 5, 4)
    secs = [(0, 0, 0, 0, 0, 0), (1, 1, 6, 0xFFFFFFFF81000000, text, 16),
            (7, 1, 2, 0xFFFFFFFF81200000, rodata, len(banner)),
            (15, 1, 2, 0xFFFFFFFF81300000, btfo, len(btf)), (20, 3, 0, 0, shs, len(shstr))]
    for i, (name, typ, flags, addr, off, size) in enumerate(secs):
        struct.pack_into("<IIQQQQ", img, sh + 64 * i, name, typ, flags, addr, off, size)
    return bytes(img)


def bzimage(payload):
    base, poff = 5 * 512, 0x100
    img = bytearray(base + poff + len(payload))
    img[0x1F1] = 4
    img[0x202:0x206] = b"HdrS"
    struct.pack_into("<HII", img, 0x206, 0x020F, 0, 0)
    struct.pack_into("<II", img, 0x248, poff, len(payload))
    img[base + poff:] = payload
    return bytes(img)


def btf_seeds():
    h = "fuzz_btf"
    btf = tiny_btf()
    out(h, "tiny.btf", b"\0" + btf)
    elf = vmlinux_elf(btf, b"Linux version 6.1.0-tiny (seed) #1\n\0")
    out(h, "vmlinux.elf", b"\1" + elf)
    size = struct.pack("<I", len(elf))
    out(h, "bzimage-gzip.bin", b"\1" + bzimage(gzip.compress(elf, mtime=0)))
    out(h, "bzimage-xz.bin", b"\1" + bzimage(lzma.compress(elf, check=lzma.CHECK_CRC32) + size))
    out(h, "bzimage-lzma.bin", b"\1" + bzimage(lzma.compress(elf, format=lzma.FORMAT_ALONE) + size))
    # zstd and lz4 (legacy -l framing, as the kernel build) when their tools are installed.
    for name, cmd in (("zstd", ["zstd", "-19", "-q", "-c"]), ("lz4", ["lz4", "-l", "-9", "-q", "-c"])):
        if shutil.which(cmd[0]):
            comp = subprocess.run(cmd, input=elf, stdout=subprocess.PIPE, check=True).stdout
            out(h, "bzimage-%s.bin" % name, b"\1" + bzimage(comp + size))
    out(h, "system.map", b"\2" + b"ffffffffb3800000 T _text\nffffffffb3a00000 D linux_banner\n"
        b"0000000000001000 D current_task\nffffffffc0001000 t mod_fn\t[dummy]\n")
    out(h, "kallsyms.xz", b"\2" + lzma.compress(b"ffffffff81000000 T _text\n"))


# ------------------------------------------------- Windows detection

WINSAMPLES = os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared", "corpus",
                                           "windows-samples"))


def windetect_record(pn, page):
    return struct.pack("<H", pn) + page


def windetect_seeds():
    """fuzz_windetect: a header (ISF index in the sorted ntkrnlmp.pdb folder,
    flags, fallback kernel base) and page records. The two raw samples' non-zero
    pages when the shared corpus is there; small hand-made tables always."""
    h = "fuzz_windetect"
    # A lone self-referencing PML4 at 0x1AD000 (index 0x1ED), nothing mapped.
    pml4 = bytearray(PAGE)
    struct.pack_into("<Q", pml4, 0x1ED * 8, 0x1AD000 | 0x63)
    hdr = bytes([3, 1]) + bytes(6) + struct.pack("<Q", 0xFFFFF8053A000000)
    out(h, "selfref-only.bin", hdr + windetect_record(0x1AD, bytes(pml4)))
    # The PML4 maps itself as every level: a loop of tables, plus a PS bit
    # two levels down and a kernel page full of pool tags and RSDS records.
    loop = bytearray(pml4)
    for i in (0x1F0, 0x1F1, 0x100):
        struct.pack_into("<Q", loop, i * 8, 0x1AD000 | 0x63)
    struct.pack_into("<Q", loop, 0x1F2 * 8, 0x300000 | 0xE3)
    tags = bytearray(PAGE)
    for off in range(0, PAGE, 16):
        struct.pack_into("<I4s", tags, off, 0x00FF0000 if off % 32 else 0x00260000, b"Proc")
    rsds = bytearray(PAGE)
    rsds[0:2] = b"MZ"
    struct.pack_into("<I", rsds, 0x3C, PAGE - 8)
    rsds[0x700:0x704] = b"RSDS"
    rsds[0x71C:0x72A] = b"ntkrnlmp.pdb\0"
    rsds[0x800:0x804] = b"KDBG"
    out(h, "selfref-loop.bin", bytes([0, 1]) + bytes(6) + struct.pack("<Q", 0xFFFFF80000300000) +
        windetect_record(0x1AD, bytes(loop)) + windetect_record(0x300, bytes(tags)) +
        windetect_record(0x301, bytes(rsds)))
    for name, idx in (("win10-22h2-19045.raw", 3), ("win81-9600.raw", 0)):
        path = os.path.join(WINSAMPLES, name + ".xz")
        if not os.path.exists(path):
            continue
        img = lzma.open(path).read()
        zero = bytes(PAGE)
        recs = b"".join(windetect_record(pn, img[pn * PAGE:(pn + 1) * PAGE])
                        for pn in range(min(len(img) // PAGE, 16384))
                        if img[pn * PAGE:(pn + 1) * PAGE] != zero)
        out(h, name + ".bin", bytes([idx, 0]) + bytes(14) + recs)


# fuzz_linux_vma input: 16-byte header (layout flags, max_entries, mm and
# task offsets), then kernel memory mapped at 0xffff888000000000.

def vma_seeds():
    h = "fuzz_linux_vma"
    K = 0xffff888000000000
    M = 0x0000ffffffffffff

    def hdr(flags, mm, task, max_entries=64):
        return struct.pack("<B3xIII", flags, max_entries, mm, task)

    def vma(img, at, start, nxt, file=0, mm=0x1000, flags=7):
        struct.pack_into("<7Q", img, at, start, start + PAGE, nxt, K + mm, flags, 0, file)

    def path_objects(img):
        # task 0x8000 -> fs 0x8100 (root mnt 0x8200, dentry 0x8300);
        # file 0x8400: mnt 0x8500 (mount at 0x84e0), dentry 0x8600 -> parent
        # 0x8700 -> the root 0x8300; names "memf" and "bin".
        struct.pack_into("<Q", img, 0x8000, K + 0x8100)
        struct.pack_into("<QQ", img, 0x8100, K + 0x8200, K + 0x8300)
        struct.pack_into("<Q", img, 0x8300 + 0x18, K + 0x8300)
        struct.pack_into("<QQ", img, 0x8400, K + 0x8200, K + 0x8600)
        struct.pack_into("<Q", img, 0x8600 + 0x18, K + 0x8700)
        struct.pack_into("<IIQ", img, 0x8600 + 0x20, 0, 4, K + 0x8800)
        struct.pack_into("<Q", img, 0x8700 + 0x18, K + 0x8300)
        struct.pack_into("<IIQ", img, 0x8700 + 0x20, 0, 3, K + 0x8810)
        img[0x8800:0x8805] = b"memf\0"
        img[0x8810:0x8814] = b"bin\0"
        struct.pack_into("<Q", img, 0x8600 + 0x38, K + 0x8900)  # inode
        struct.pack_into("<Q", img, 0x8900 + 0x28, K + 0x8a00)  # i_sb
        struct.pack_into("<QI", img, 0x8900 + 0x40, 15, 1)      # i_ino, i_count
        struct.pack_into("<I", img, 0x8a00 + 0x10, 2)           # s_dev

    # The list: mm 0x1000 -> 0x2000 -> 0x2100 -> 0x2200 (file-backed).
    img = bytearray(0x9000)
    struct.pack_into("<Q", img, 0x1000, K + 0x2000)
    struct.pack_into("<QQQQ", img, 0x1020, 0x600000, 0x601000, 0x7ffd0000, 0)
    vma(img, 0x2000, 0x400000, K + 0x2100, file=K + 0x8400)
    vma(img, 0x2100, 0x600000, K + 0x2200)
    vma(img, 0x2200, 0x7ffd0000, 0)
    path_objects(img)
    out(h, "list-names.bin", hdr(2, 0x1000, 0x8000) + bytes(img))
    loop = bytearray(img)
    struct.pack_into("<Q", loop, 0x2200 + 16, K + 0x2000)
    out(h, "list-loop.bin", hdr(0, 0x1000, 0x8000) + bytes(loop))

    # The tree: mm_mt at 0x1040; arange root 0x3000 over leaves 0x3100, 0x3200.
    img = bytearray(0x9000)
    enc = lambda node, t: (K + node) | (t << 3) | 4
    struct.pack_into("<QQ", img, 0x1048, enc(0x3000, 3), 2 << 2)
    struct.pack_into("<Q", img, 0x3000, (K + 0x1040) & M & ~0xff)
    struct.pack_into("<QQ", img, 0x3050, enc(0x3100, 1), enc(0x3200, 1))
    for leaf in (0x3100, 0x3200):
        struct.pack_into("<Q", img, leaf, (K + 0x3000) & M)
    struct.pack_into("<QQ", img, 0x3180, K + 0x2000, K + 0x2100)
    struct.pack_into("<Q", img, 0x3280, K + 0x2200)
    vma(img, 0x2000, 0x400000, 0, file=K + 0x8400)
    vma(img, 0x2100, 0x600000, 0)
    vma(img, 0x2200, 0x7ffd0000, 0)
    path_objects(img)
    out(h, "tree-names.bin", hdr(3, 0x1000, 0x8000) + bytes(img))


def find_seeds():
    h = "fuzz_find"

    def seed(name, needle, hay):
        out(h, name, struct.pack("<H", len(needle)) + needle + hay)

    seed("kdbg-at-end.bin", b"KDBG", bytes(4093) + b"KDBG")
    seed("zeros-needle.bin", bytes(9), b"\x00\x01" * 100 + bytes(9) + b"\x01")
    seed("aaab.bin", b"aaab", b"aaa" * 40 + b"aaab")
    seed("systemroot.bin", b"\\SystemRoot\\system32\\nt",
         prng("find", 3000) + b"\\SystemRoot\\system32\\ntoskrnl.exe")
    seed("failing-filter.bin", b"a" * 150 + b"b" + b"a" * 149, b"a" * 20000)


def main():
    find_seeds()
    vma_seeds()
    windetect_seeds()
    raw_seeds()
    lime_seeds()
    avml_seeds()
    windump_seeds()
    elf_seeds()
    kdump_flat_seeds()
    paging_seeds()
    if os.path.exists(os.path.join(HERE, "..", "fuzz_isf.c")):
        isf_seeds()
    if os.path.exists(os.path.join(HERE, "..", "fuzz_isf_struct.c")):
        isf_struct_seeds()
    if os.path.exists(os.path.join(HERE, "..", "fuzz_btf.c")):
        btf_seeds()
    if os.path.exists(os.path.join(HERE, "..", "fuzz_btf_find.c")):
        btf_find_seeds()


if __name__ == "__main__":
    main()
