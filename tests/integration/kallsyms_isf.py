"""kallsyms_isf.py BINARY SOURCE_DIR DATA_DIR MACHINE - kallsyms decoded out
of every format of one corpus machine (kallsyms_read: through VMCOREINFO
where the file has it, and by the structural scan on raw, LiME, ELF and
vmcore files) against the machine's ISF.

Every run must print the same symbols; every ISF symbol kallsyms also has
(by name; for a repeated name the last, as lookups find it) must sit at the
ISF address moved by one KASLR shift (the kernel image's symbols) or at the
ISF address itself (per-CPU and absolute ones, below the kernel map); the
shift is _text's and equals VMCOREINFO's KERNELOFFSET; the scan's phys_base
equals VMCOREINFO's; the count of symbols and of matches are exact."""
import json
import lzma
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus  # noqa: E402

KERNEL_MAP = 0xFFFFFFFF80000000
ISF = {
    "dev-612": "debian-6.12.107-cloud-amd64.json.xz",
}
ISF_DEFAULT = "debian-6.1.0-57-cloud-amd64.json.xz"
# (file, how): "vmci" = as the file is, "scan" = --scan
RUNS = {
    "dev-small": [("dev-small.raw", "scan"), ("dev-small.lime", "scan"), ("dev-small.elf", "vmci"),
                  ("dev-small.elf", "scan"), ("dev-small.kdump", "vmci"),
                  ("dev-small.kdump-flat", "vmci")],
    "dev-1k": [("dev-1k.raw", "scan"), ("dev-1k.lime", "scan"), ("dev-1k.elf", "vmci"),
               ("dev-1k.elf", "scan"), ("dev-1k.kdump", "vmci"), ("dev-1k.kdump-flat", "vmci")],
    "dev-la57": [("dev-la57.raw", "scan"), ("dev-la57.lime", "scan"), ("dev-la57.elf", "vmci"),
                 ("dev-la57.elf", "scan")],
    "dev-vmcore": [("dev-vmcore.vmcore", "vmci"), ("dev-vmcore.vmcore", "scan")],
    "dev-612": [("dev-612.raw", "scan"), ("dev-612.lime", "scan"), ("dev-612.elf", "vmci"),
                ("dev-612.elf", "scan")],
}
# machine: (symbols decoded, ISF symbols matched, of which below the kernel map).
# The four 6.1 machines run one kernel: one answer.
EXPECTED = {
    "dev-small": (87347, 82125, 358),
    "dev-1k": (87347, 82125, 358),
    "dev-la57": (87347, 82125, 358),
    "dev-vmcore": (87347, 82125, 358),
    "dev-612": (154444, 147832, 388),
}


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def run(binary, path, how):
    cmd = [binary] + (["--scan"] if how == "scan" else []) + [path]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        fail(f"{' '.join(cmd)}: exit {p.returncode}: {p.stderr.strip()}")
    lines = p.stdout.splitlines()
    if not lines or not lines[0].startswith("info "):
        fail(f"{' '.join(cmd)}: no info line")
    info = dict(kv.split("=", 1) for kv in lines[0].split()[1:])
    return info, "\n".join(lines[1:]) + "\n"


def main():
    binary, source_dir, data_dir, machine = sys.argv[1:5]
    corp = corpus.require_corpus(source_dir)
    isf_path = os.path.join(corp, "symbols", "linux", ISF.get(machine, ISF_DEFAULT))
    with lzma.open(isf_path) as f:
        isf = json.load(f)["symbols"]
    first_text = None
    vmci_phys_base = None
    results = []
    for dumpfile, how in RUNS[machine]:
        path = corpus.dump_path(corp, data_dir, dumpfile)
        if not os.path.exists(path):
            print(f"SKIP: {path} not found (run corpus.unpack)")
            sys.exit(corpus.SKIP)
        info, text = run(binary, path, how)
        want_vmci = "1" if how == "vmci" else "0"
        if info["from_vmcoreinfo"] != want_vmci:
            fail(f"{dumpfile} ({how}): from_vmcoreinfo={info['from_vmcoreinfo']}")
        if first_text is None:
            first_text = text
        elif text != first_text:
            fail(f"{dumpfile} ({how}): symbols differ from {RUNS[machine][0]}")
        if how == "vmci":
            vmci_phys_base = info["phys_base"]
        results.append((dumpfile, how, info))
    for dumpfile, how, info in results:
        if vmci_phys_base is not None and info["phys_base"] != vmci_phys_base:
            fail(f"{dumpfile} ({how}): phys_base {info['phys_base']}, VMCOREINFO says "
                 f"{vmci_phys_base}")

    ks = {}
    count = 0
    for line in first_text.splitlines():
        addr, _type, name = line.split(" ", 2)
        ks[name] = int(addr, 16)
        count += 1
    shift = (ks["_text"] - isf["_text"]["address"]) % (1 << 64)
    for dumpfile, how, info in results:
        if int(info["num_syms"]) != count:
            fail(f"{dumpfile} ({how}): num_syms {info['num_syms']}, {count} symbols printed")
        if info["has_kernel_offset"] == "1" and int(info["kernel_offset"], 16) != shift:
            fail(f"{dumpfile} ({how}): KERNELOFFSET {info['kernel_offset']}, _text's shift "
                 f"{shift:#x}")
    matched = low = 0
    bad = []
    for name, sym in isf.items():
        a = sym.get("address")
        if a is None or name not in ks:
            continue
        want = (a + shift) % (1 << 64) if a >= KERNEL_MAP else a
        if ks[name] != want:
            bad.append(f"{name}: kallsyms {ks[name]:#x}, ISF {a:#x} (+{shift:#x})")
        matched += 1
        low += a < KERNEL_MAP
    if bad:
        fail(f"{machine}: {len(bad)} of {matched} symbols disagree with the ISF, first: "
             + "; ".join(bad[:5]))
    got = (count, matched, low)
    print(f"{machine}: {len(results)} runs agree; {count} symbols, {matched} in the ISF "
          f"({low} below the kernel map), KASLR shift {shift:#x}")
    if got != EXPECTED[machine]:
        fail(f"{machine}: (decoded, matched, below the map) = {got}, expected "
             f"{EXPECTED[machine]}")


if __name__ == "__main__":
    main()
