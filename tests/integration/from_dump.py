#!/usr/bin/env python3
"""from_dump.py - Linux with no symbol files: the profile from the dump's own
BTF + kallsyms (issue 19).

  from_dump.py golden MEMSCRY SOURCE_DIR DATA_DIR DUMPFILE WORKDIR
      With no -s, no $MEMSCRY_SYMBOLS and an empty cache directory:
      linux.pslist (also --threads), linux.pstree and linux.psaux give the
      bytes of the goldens (the corpus's, else tests/data/vol/<machine>/;
      dev-la57, where Volatility is blind: memscry's output with the DWARF
      ISF, whose tasks truth.py checks, and the pids of truth.json). The
      first run builds the profile - -v names the kallsyms path taken
      (VMCOREINFO for ELF, kdump and vmcore files, the scan for raw and
      LiME) - and leaves exactly one compiled entry in the cache; the other
      runs map that entry and never rewrite it.
  from_dump.py vol MEMSCRY SOURCE_DIR DATA_DIR DUMPFILE WORKDIR
      memscry symbols from-dump writes an ISF that Volatility 3 (
      $MEMSCRY_VOLATILITY, default /work/vol/vol.py; skipped when absent)
      loads from a directory holding only it, and its linux.pslist equals
      the golden made with the DWARF ISF.
  from_dump.py export MEMSCRY SOURCE_DIR DATA_DIR DUMPFILE WORKDIR
      memscry symbols from-dump: usage errors (exit 2); a dump with no
      kernel (exit 1, the reason, no file left behind); the ISF it writes
      for DUMPFILE, used as a store ISF (-s, --no-symbols-from-dump), gives
      the pslist golden.
  from_dump.py refusals MEMSCRY SOURCE_DIR DATA_DIR WORKDIR
      --no-symbols-from-dump keeps the "no symbol table matches" error; an
      ISF whose banner matches but that lacks task_struct.comm is the error,
      named, never a fall-back; hostile BTF planted in every copy of a dump
      (a truncated type section, a type id out of range, a typedef that
      refers to itself, a name offset past the strings) is a one-line error
      naming the fault, in bounded time.

Skips (77) without the corpus or the unpacked dump."""
import lzma
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus  # noqa: E402

PLUGINS = ("linux.pslist.PsList", "linux.pslist.PsList--threads", "linux.pstree.PsTree",
           "linux.psaux.PsAux")
VMCOREINFO_FORMATS = (".elf", ".kdump", ".kdump-flat", ".vmcore")


def env_without_symbols(cache):
    env = dict(os.environ)
    env.pop("MEMSCRY_SYMBOLS", None)
    env["XDG_CACHE_HOME"] = cache
    return env


def run(cmd, env=None, code=0):
    res = subprocess.run(cmd, capture_output=True, env=env)
    if res.returncode != code:
        print(f"FAIL: {' '.join(cmd)} exited {res.returncode} (want {code}): "
              f"{res.stderr.decode(errors='replace')}")
        sys.exit(1)
    return res


def fresh_dir(path):
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path


def entries(cache):
    d = os.path.join(cache, "memscry", "isf-2")
    if not os.path.isdir(d):
        return []
    return sorted(os.path.join(d, f) for f in os.listdir(d) if f.endswith(".isfc"))


def require_dump(source, data, dumpfile):
    root = corpus.require_corpus(source)
    dump = corpus.dump_path(root, data, dumpfile)
    if not os.path.exists(dump):
        print(f"SKIP: {dump} not unpacked")
        sys.exit(corpus.SKIP)
    return root, dump


def golden(memscry, source, data, dumpfile, work):
    root, dump = require_dump(source, data, dumpfile)
    cache = fresh_dir(os.path.join(work, "cache-" + dumpfile))
    env = env_without_symbols(cache)
    base = [memscry, "-q", "-f", dump, "-r", "json"]
    # The first run builds the profile and says how.
    first = run([memscry, "-v", "-f", dump, "-r", "json"] + corpus.plugin_args(PLUGINS[0]), env)
    err = first.stderr.decode(errors="replace")
    want_path = "from VMCOREINFO" if dumpfile.endswith(VMCOREINFO_FORMATS) else "found by a scan"
    m = re.search(r"info: no ISF matches: profile from the dump's own BTF \((\d+) bytes at "
                  r"physical 0x[0-9a-f]+, at __start_BTF\) and kallsyms \((\d+) symbols, "
                  r"([a-zA-Z ]+); KASLR shift 0x[0-9a-f]+\)", err)
    if not m or m.group(3) != want_path:
        print(f"FAIL: {dumpfile}: -v does not say the profile came from the dump's BTF at "
              f"__start_BTF and kallsyms {want_path}: {err!r}")
        sys.exit(1)
    print(f"ok: {dumpfile}: built from {m.group(1)} bytes of BTF and {m.group(2)} kallsyms "
          f"symbols ({m.group(3)})")
    made = entries(cache)
    if len(made) != 1:
        print(f"FAIL: {dumpfile}: {len(made)} compiled entries in {cache} after the first run "
              f"(want 1: the dump's profile)")
        sys.exit(1)
    stamp = os.stat(made[0])
    outputs = {PLUGINS[0]: first.stdout}
    for plugin in PLUGINS[1:]:
        outputs[plugin] = run(base + corpus.plugin_args(plugin), env).stdout
    after = os.stat(made[0])
    if entries(cache) != made or (after.st_ino, after.st_mtime_ns) != (stamp.st_ino,
                                                                      stamp.st_mtime_ns):
        print(f"FAIL: {dumpfile}: later runs rewrote the cache ({entries(cache)})")
        sys.exit(1)
    gdir = corpus.golden_dir(root, dumpfile)
    for plugin in PLUGINS:
        got = outputs[plugin]
        if dumpfile.startswith("dev-la57"):
            want = run([memscry, "-q", "-s", os.path.join(root, "symbols"), "-f", dump, "-r",
                        "json"] + corpus.plugin_args(plugin)).stdout
            oracle = "memscry with the DWARF ISF"
        else:
            want = corpus.golden_bytes(gdir, plugin) if gdir else None
            oracle = f"{gdir}/{plugin}.json"
            if want is None:
                pdir = corpus.project_golden_dir(source, dumpfile)
                want = corpus.golden_bytes(pdir, plugin) if pdir else None
                oracle = f"{pdir}/{plugin}.json"
        if want is None:
            print(f"FAIL: no golden {plugin} for {dumpfile}")
            sys.exit(1)
        if got != want:
            out = os.path.join(os.getcwd(), f"from-dump.{dumpfile}.{plugin}.json")
            with open(out, "wb") as f:
                f.write(got)
            print(f"FAIL: {dumpfile} {plugin}: with no symbol files ({out}) differs from {oracle}")
            sys.exit(1)
        print(f"ok: {dumpfile} {plugin}: {len(got)} bytes identical to {oracle}")
    if dumpfile.startswith("dev-la57"):
        with open(os.path.join(root, "dev-la57", "truth.json")) as f:
            truth = json.load(f)
        want_pids = sorted(t["pid"] for t in truth["tasks"] if t["is_thread_group_leader"])
        got_pids = sorted(r["PID"] for r in json.loads(outputs[PLUGINS[0]]))
        if got_pids != want_pids:
            print(f"FAIL: {dumpfile}: pslist pids differ from truth.json")
            sys.exit(1)
        print(f"ok: {dumpfile}: {len(got_pids)} pids as truth.json lists them")


def vol(memscry, source, data, dumpfile, work):
    root, dump = require_dump(source, data, dumpfile)
    volpy = os.environ.get("MEMSCRY_VOLATILITY", "/work/vol/vol.py")
    if not os.path.exists(volpy):
        print(f"SKIP: no Volatility 3 at {volpy} ($MEMSCRY_VOLATILITY)")
        sys.exit(corpus.SKIP)
    store = fresh_dir(os.path.join(work, "vol-store-" + dumpfile))
    os.makedirs(os.path.join(store, "linux"))
    isf = os.path.join(store, "linux", "from-dump.json.xz")
    run([memscry, "symbols", "from-dump", "-f", dump, "-o", isf])
    vcache = fresh_dir(os.path.join(work, "vol-cache-" + dumpfile))
    got = run(["/usr/bin/python3", volpy, "-q", "--offline", "--cache-path", vcache, "-s", store,
               "-r", "json", "-f", dump, "linux.pslist"]).stdout
    want = corpus.golden_bytes(corpus.golden_dir(root, dumpfile), "linux.pslist.PsList")
    if got != want:
        out = os.path.join(os.getcwd(), f"vol-from-dump.{dumpfile}.json")
        with open(out, "wb") as f:
            f.write(got)
        print(f"FAIL: Volatility with the ISF from the dump ({out}) differs from the golden")
        sys.exit(1)
    print(f"ok: Volatility 3 with {isf} ({os.path.getsize(isf)} bytes): linux.pslist "
          f"identical to the DWARF ISF's golden")


def export(memscry, source, data, dumpfile, work):
    root, dump = require_dump(source, data, dumpfile)
    work = fresh_dir(os.path.join(work, "export-" + dumpfile))
    zero = os.path.join(work, "zero.raw")
    with open(zero, "wb") as f:
        f.write(bytes(1 << 20))
    out = os.path.join(work, "zero.json.xz")
    cases = [
        (["from-dump", "-o", out], 2, "memscry: -f is required\n"),
        (["from-dump", "-f", dump], 2, "memscry: -o is required\n"),
        (["from-dump", "-f", dump, "--bogus"], 2, "memscry: unknown option: --bogus\n"),
        (["from-dump", "-f", zero, "-o", out], 1,
         f"memscry: {zero}: from the dump's BTF + kallsyms: kallsyms: no token table found in "
         f"physical memory\n"),
    ]
    for args, code, text in cases:
        res = run([memscry, "symbols"] + args, code=code)
        err = res.stderr.decode(errors="replace")
        if not err.startswith(text):
            print(f"FAIL: memscry symbols {' '.join(args)}: stderr {err!r}, want {text!r}")
            sys.exit(1)
        print(f"ok: exit {code}: {text.strip()}")
    if os.listdir(work) != ["zero.raw"]:
        print(f"FAIL: a failed run left {os.listdir(work)} in {work}")
        sys.exit(1)
    store = os.path.join(work, "store")
    os.makedirs(os.path.join(store, "linux"))
    isf = os.path.join(store, "linux", "from-dump.json.xz")
    run([memscry, "symbols", "from-dump", "-f", dump, "-o", isf])
    env = env_without_symbols(fresh_dir(os.path.join(work, "cache")))
    got = run([memscry, "-q", "--no-symbols-from-dump", "-s", store, "-f", dump, "-r", "json",
               "linux.pslist.PsList"], env).stdout
    want = corpus.golden_bytes(corpus.golden_dir(root, dumpfile), "linux.pslist.PsList")
    if got != want:
        print(f"FAIL: {dumpfile}: pslist with the exported ISF as a store ISF differs from the "
              f"golden")
        sys.exit(1)
    print(f"ok: {isf} ({os.path.getsize(isf)} bytes) as a store ISF: pslist identical to the "
          f"golden")
    # --result-cache: a run on the dump's own profile is kept and answered
    # (the second run builds nothing: no new compiled entry, same bytes);
    # --no-symbols-from-dump is part of the key, so it is not answered.
    rcache = fresh_dir(os.path.join(work, "rcache"))
    renv = env_without_symbols(rcache)
    rc_cmd = [memscry, "-q", "--result-cache", "-f", dump, "-r", "json", "linux.pslist.PsList"]
    first = run(rc_cmd, renv).stdout
    made = entries(rcache)
    results = os.listdir(os.path.join(rcache, "memscry", "results"))
    second = run(rc_cmd, renv).stdout
    if first != want or second != want or len(results) != 1 or entries(rcache) != made:
        print(f"FAIL: --result-cache with the dump's own profile: {results}")
        sys.exit(1)
    run([memscry, "-q", "--result-cache", "--no-symbols-from-dump", "-f", dump, "-r", "json",
         "linux.pslist.PsList"], renv, 1)
    print("ok: --result-cache keeps and answers runs on the dump's own profile; "
          "--no-symbols-from-dump is not answered from it")
    # memscry batch takes --no-symbols-from-dump too.
    for flag, want_first in ((["--no-symbols-from-dump"], "message"), ([], "row")):
        res = run([memscry, "batch", "-q", "-r", "jsonl"] + flag + ["linux.pslist", "--", dump],
                  env, 3 if flag else 0)
        first = json.loads(res.stdout.decode().splitlines()[0])
        ok = (first["message"].startswith("no symbol table matches the kernel banner")
              if flag else first["row"]["PID"] == 1)
        if want_first not in first or not ok:
            print(f"FAIL: memscry batch {flag}: first record {first}")
            sys.exit(1)
        print(f"ok: memscry batch {' '.join(flag) or '(default)'}: first record has {want_first}")


# ------------------------------------------------------------- refusals

def btf_copies(path):
    """File offsets of every vmlinux BTF in the file: a vmlinux-sized header
    followed by its types (the kernel also keeps bare copies of the header)."""
    found = []
    with open(path, "rb") as f:
        data = f.read()
    at = data.find(b"\x9f\xeb\x01\x00")
    while at >= 0:
        hdr_len, toff, tlen, soff, slen = struct.unpack_from("<5I", data, at + 4)
        if hdr_len == 24 and tlen > (1 << 20) and soff == toff + tlen and \
                at + hdr_len + soff + slen <= len(data):
            kinds = [r[2] for _, r in zip(range(1000), records(data, at, hdr_len, toff, tlen))]
            if all(1 <= k <= 19 for k in kinds):
                found.append((at, hdr_len, toff, tlen, soff, slen))
        at = data.find(b"\x9f\xeb\x01\x00", at + 1)
    return data, found


EXTRA = {1: 4, 3: 12, 4: -12, 5: -12, 6: -8, 13: -8, 14: 4, 15: -12, 17: 4, 19: -12}


def records(data, at, hdr_len, toff, tlen):
    """(id, offset in the file, kind, vlen, name_off, type) of every type."""
    base = at + hdr_len + toff
    off, tid = 0, 1
    while off < tlen:
        name, info, st = struct.unpack_from("<3I", data, base + off)
        kind, vlen = (info >> 24) & 0x1f, info & 0xffff
        yield tid, base + off, kind, vlen, name, st
        e = EXTRA.get(kind, 0)
        off += 12 + (e if e >= 0 else -e * vlen)
        tid += 1


def refusals(memscry, source, data, work):
    root, small = require_dump(source, data, "dev-small.elf")
    cache = fresh_dir(os.path.join(work, "refusal-cache"))
    env = env_without_symbols(cache)
    empty = fresh_dir(os.path.join(work, "refusal-empty"))
    res = run([memscry, "-q", "--no-symbols-from-dump", "-s", empty, "-f", small, "-r", "json",
               "linux.pslist"], env, 1)
    err = res.stderr.decode(errors="replace").strip()
    want = (f"memscry: {small}: no symbol table matches the kernel banner \"Linux version "
            f"6.1.0-57-cloud-amd64 ")
    if not err.startswith(want) or not err.endswith(f"(searched {empty}: 0 ISF files)"):
        print(f"FAIL: --no-symbols-from-dump: {err!r}")
        sys.exit(1)
    print("ok: --no-symbols-from-dump: " + err[:100] + "...")

    # A matching ISF that cannot be used is the answer, by name.
    broken = fresh_dir(os.path.join(work, "refusal-broken"))
    os.makedirs(os.path.join(broken, "linux"))
    src = os.path.join(root, "symbols", "linux", "debian-6.1.0-57-cloud-amd64.json.xz")
    with lzma.open(src) as f:
        isf = json.load(f)
    del isf["user_types"]["task_struct"]["fields"]["comm"]
    bad = os.path.join(broken, "linux", "broken.json.xz")
    with lzma.open(bad, "wt") as f:
        json.dump(isf, f)
    res = run([memscry, "-q", "-s", broken, "-f", small, "-r", "json", "linux.pslist"], env, 1)
    err = res.stderr.decode(errors="replace").strip()
    if err != f"memscry: {small}: {bad} matches the kernel banner, but its symbol table has no " \
              f"field task_struct.comm":
        print(f"FAIL: a matching but broken ISF: {err!r}")
        sys.exit(1)
    print("ok: " + err)

    # Hostile BTF in every copy of a dump.
    data, copies = btf_copies(small)
    if not copies:
        print(f"FAIL: no BTF header in {small}")
        sys.exit(1)
    hostile = os.path.join(work, "hostile.elf")

    def first(pred):
        at, hdr_len, toff, tlen, soff, slen = copies[0]
        for r in records(data, at, hdr_len, toff, tlen):
            if pred(r):
                return r[0], r[1] - (at + hdr_len + toff)
        raise SystemExit("FAIL: no such BTF record")

    at0, h0, t0, tl0, s0, sl0 = copies[0]
    ptr_id, ptr_off = first(lambda r: r[2] == 2)
    td_id, td_off = first(lambda r: r[2] == 8 and r[5] > 0)
    st_id, st_off = first(lambda r: r[2] == 4 and r[4] > 0)
    cases = [
        ("a truncated type section", lambda b, c: struct.pack_into("<I", b, c[0] + 12, c[3] - 6),
         r"no kernel BTF in physical memory \(\d+ candidate headers refused; the first: BTF at "
         r"physical 0x[0-9a-f]+: BTF: type \d+ \(type section offset \d+\): kind \d+ with vlen "
         r"\d+ needs \d+ bytes, past the end of the type section\)"),
        ("a type id out of range", lambda b, c: struct.pack_into(
            "<I", b, c[0] + c[1] + c[2] + ptr_off + 8, 0x7fffff),
         rf"BTF: type {ptr_id} \(type section offset {ptr_off}\): the record refers to type "
         rf"8388607, but there are only \d+ types"),
        ("a typedef that refers to itself", lambda b, c: struct.pack_into(
            "<I", b, c[0] + c[1] + c[2] + td_off + 8, td_id),
         r"(loop|longer than 64)"),
        ("a name offset past the strings", lambda b, c: struct.pack_into(
            "<I", b, c[0] + c[1] + c[2] + st_off, c[5] + 100),
         rf"BTF: type {st_id} \(type section offset {st_off}\): name offset {sl0 + 100} is past "
         rf"the string section \({sl0} bytes\)"),
    ]
    with open(hostile, "wb") as f:
        f.write(data)
    for what, patch, pattern in cases:
        # Each case patches a few bytes of every copy in place, then puts
        # them back: one copy of the dump serves every case.
        buf = bytearray(data[copies[0][0]:copies[-1][0] + 64 + max(c[4] + c[5] for c in copies)])
        base = copies[0][0]
        for c in copies:
            patch(buf, (c[0] - base,) + c[1:])
        with open(hostile, "r+b") as f:
            f.seek(base)
            f.write(buf)
        fresh_dir(cache)
        t = time.monotonic()
        res = run([memscry, "-q", "-f", hostile, "-r", "json", "linux.pslist"], env, 1)
        took = time.monotonic() - t
        err = res.stderr.decode(errors="replace").strip()
        lead = (f"memscry: {hostile}: no symbol table matches the kernel banner \"Linux version "
                f"6.1.0-57-cloud-amd64 ")
        if (not err.startswith(lead) or "\n" in err or
                "and the dump's own cannot be used: from the dump's BTF + kallsyms: " not in err
                or not re.search(pattern, err) or took > 60):
            print(f"FAIL: {what}: exit 1 in {took:.1f} s but {err!r} (want /{pattern}/)")
            sys.exit(1)
        print(f"ok: {what} ({len(copies)} copies), {took:.1f} s: ..." +
              err[err.index("cannot be used:"):][:220])
        with open(hostile, "r+b") as f:
            f.seek(base)
            f.write(data[base:base + len(buf)])
    os.unlink(hostile)


if __name__ == "__main__":
    if len(sys.argv) == 7 and sys.argv[1] in ("golden", "vol", "export"):
        {"golden": golden, "vol": vol, "export": export}[sys.argv[1]](*sys.argv[2:7])
    elif len(sys.argv) == 6 and sys.argv[1] == "refusals":
        refusals(*sys.argv[2:6])
    else:
        print(__doc__)
        sys.exit(2)
