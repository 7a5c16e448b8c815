#!/usr/bin/env python3
"""cli_errors.py MEMSCRY SOURCE_DIR DATA_DIR WORK_DIR

Bad input gets one clear line on stderr ("memscry: <file>: <what>") and a
non-zero exit: 1 for a bad dump or a failed analysis, 2 for a usage error.
Exact messages are asserted."""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus  # noqa: E402

memscry, source, data, work = sys.argv[1:5]
os.makedirs(work, exist_ok=True)
failures = []


def check(args, code, pattern, what):
    res = subprocess.run([memscry, *args], capture_output=True, timeout=120)
    err = res.stderr.decode(errors="replace")
    lines = err.splitlines()
    if res.returncode != code or len(lines) != 1 or not re.fullmatch(pattern, lines[0]):
        failures.append(f"{what}: exit {res.returncode} (want {code}), stderr {err!r}, want /{pattern}/")
    elif res.stdout:
        failures.append(f"{what}: wrote to stdout: {res.stdout[:80]!r}")


def write(name, data_bytes):
    p = os.path.join(work, name)
    with open(p, "wb") as f:
        f.write(data_bytes)
    return p


esc = re.escape
missing = os.path.join(work, "no-such-dump")
check(["-f", missing, "banners"], 1, f"memscry: {esc(missing)}: No such file or directory", "missing file")
junk = write("junk.bin", b"not a memory dump\n" * 7)
check(["-f", junk, "banners"], 1,
      f"memscry: {esc(junk)}: unknown dump format .*", "unknown format")
packed = write("dump.raw.xz", b"\xfd7zXZ\x00" + bytes(64))
check(["-f", packed, "banners"], 1,
      f"memscry: {esc(packed)}: unknown dump format: the file is xz-compressed \\(decompress it first: xz -dk\\)",
      "xz-compressed dump")
empty = write("empty.bin", b"")
check(["-f", empty, "banners"], 1, f"memscry: {esc(empty)}: unknown dump format .*", "empty file")
# LiME header promising 1 MiB with 16 bytes behind it.
lime = write("short.lime", bytes.fromhex("454d694c01000000") + (0).to_bytes(8, "little")
             + (0xfffff).to_bytes(8, "little") + bytes(8) + b"x" * 16)
check(["-f", lime, "banners"], 1, f"memscry: {esc(lime)}: .*(past|beyond|truncated).*", "LiME range past EOF")
# ELF core whose program headers lie past the end of the file.
elf = bytearray(64)
elf[0:4] = b"\x7fELF"
elf[4], elf[5], elf[6] = 2, 1, 1
elf[16:18] = (4).to_bytes(2, "little")        # ET_CORE
elf[18:20] = (62).to_bytes(2, "little")       # EM_X86_64
elf[20:24] = (1).to_bytes(4, "little")
elf[32:40] = (0x10000).to_bytes(8, "little")  # e_phoff far past EOF
elf[52:54] = (64).to_bytes(2, "little")
elf[54:56] = (56).to_bytes(2, "little")
elf[56:58] = (3).to_bytes(2, "little")
elfp = write("badphdr.elf", bytes(elf))
check(["-f", elfp, "banners"], 1, f"memscry: {esc(elfp)}: .*", "ELF program headers past EOF")
kd = write("short.kdump", b"KDUMP   " + bytes(40))
check(["-f", kd, "banners"], 1, f"memscry: {esc(kd)}: .*", "truncated kdump header")

raw = write("zeros.raw", bytes(8192))
check(["-f", raw, "linux.pslist"], 1,
      f"memscry: {esc(raw)}: no operating system found: no Linux kernel banner found in physical memory"
      r"; no Windows x64 page table \(a PML4 that maps itself\) found",
      "no kernel in a raw image")
check(["-f", raw, "no.such.Plugin"], 2, "memscry: unknown plugin 'no.such.Plugin' .*", "unknown plugin")
check(["-f", raw, "linux.pslist", "--pid", "abc"], 2,
      esc("memscry: linux.pslist.PsList: --pid: invalid int value: 'abc'"), "bad int option")
check(["-f", raw, "linux.pslist", "--bogus"], 2,
      esc("memscry: linux.pslist.PsList: unknown option '--bogus'"), "unknown plugin option")
check(["-f", raw, "-r", "xml", "banners"], 2, "memscry: unknown renderer 'xml' .*", "unknown renderer")
check(["--frobnicate"], 2, "memscry: unknown option '--frobnicate' .*", "unknown global option")

root = corpus.corpus_dir(source)
small = os.path.join(data, "dev-small.raw")
if os.path.isdir(root) and os.path.exists(small):
    emptydir = os.path.join(work, "empty-symbols")
    os.makedirs(emptydir, exist_ok=True)
    # --no-symbols-from-dump: else the dump's own BTF + kallsyms would serve.
    check(["--no-symbols-from-dump", "-s", emptydir, "-f", small, "linux.pslist"], 1,
          f"memscry: {esc(small)}: no symbol table matches the kernel banner "
          f"\"Linux version 6\\.1\\.0-57-cloud-amd64 .*\" \\(searched {esc(emptydir)}: 0 ISF files\\)",
          "no matching ISF")
    # A 4 MiB cut of the raw image: the banner may be gone, memscry must say so.
    with open(small, "rb") as f:
        head = f.read(4 << 20)
    cut = write("cut.raw", head)
    check(["-s", os.path.join(root, "symbols"), "-f", cut, "linux.pslist"], 1,
          f"memscry: {esc(cut)}: .*", "truncated raw image")
else:
    print("SKIP (part): corpus or dev-small.raw absent; the ISF-mismatch checks did not run")

# A scan over a dump with undecodable pages skips them: a table, and the
# pages it could not decode as a warning: a partial result, exit 3.
peer = os.path.join(root, "kdump-peer", "bad-pd.kdump")
if os.path.exists(peer):
    res = subprocess.run([memscry, "-f", peer, "-r", "csv", "banners"], capture_output=True, timeout=60)
    warning = (f"memscry: {peer}: warning: 3 pages that cannot be decoded were searched as zeros; "
               f"the first: ").encode()
    if (res.returncode != 3 or res.stdout != b"TreeDepth,Offset,Banner\n\n"
            or warning not in res.stderr):
        failures.append(f"banners over bad-pd.kdump: exit {res.returncode}, stdout {res.stdout!r}, "
                        f"stderr {res.stderr!r}")

if failures:
    for f in failures:
        print("FAIL:", f)
    sys.exit(1)
print("ok: every bad input gave its one-line error and exit status")
