/* elf.c - ELF64 little-endian core files: QEMU dump-guest-memory and Linux
 * /proc/vmcore.
 *
 * PT_LOAD segments map p_filesz file bytes at p_paddr (a p_memsz tail beyond
 * p_filesz is a hole). PT_NOTE segments carry VMCOREINFO, per-CPU QEMU
 * register states and CORE/NT_PRSTATUS notes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/phys.h"

#define ELFCLASS64 2
#define ELFDATA2LSB 1
#define ET_CORE 4
#define EM_X86_64 62
#define PT_LOAD 1
#define PT_NOTE 4
#define PN_XNUM 0xffffu
#define NT_PRSTATUS 1
#define EHDR_SIZE 64u
#define PHDR_SIZE 56u
#define SHDR_SIZE 64u

/* Bounds against hostile headers; real cores stay far below them. */
#define ELF_MAX_PHDRS (1u << 20)
#define ELF_MAX_NOTES 65536u
#define ELF_MAX_VMCOREINFO (1u << 20)
/* PT_LOAD file bytes may describe at most this many times the file; see
 * elf_check_alias. */
#define ELF_MAX_ALIAS 2u

/* QEMUCPUState (QEMU target/i386/arch_dump.c), version 1: u32 version,
 * u32 size, 16 GPRs, rip, rflags, 10 segments of 24 bytes, cr[5],
 * kernel_gs_base. */
#define QEMU_CPUSTATE_VERSION 1u
#define QEMU_CPUSTATE_SIZE 440u
#define QEMU_CR_OFF (8u + 18u * 8u + 10u * 24u)

struct elf_phys {
    struct scry_linear_phys lin;
    char *vmcoreinfo;
};

static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p) { return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32; }

static int elf_probe(const uint8_t *head, size_t len, uint64_t file_size)
{
    (void)file_size;
    return len >= 4 && memcmp(head, "\177ELF", 4) == 0;
}



/* "3.5 MiB", "224 GiB": binary units, one decimal below 10. */
static void human_size(uint64_t n, char out[32])
{
    static const char *const unit[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    double v = (double)n;
    unsigned u = 0;
    while (v >= 1024.0 && u + 1 < sizeof unit / sizeof unit[0]) {
        v /= 1024.0;
        u++;
    }
    if (u == 0)
        snprintf(out, 32, "%llu bytes", (unsigned long long)n);
    else
        snprintf(out, 32, v < 10.0 ? "%.1f %s" : "%.0f %s", v, unit[u]);
}

/* Why the bound: every scan (banners, kernel detection) walks the runs, so its
 * work is proportional to the bytes the PT_LOADs describe, not to the file.
 * Nothing else stops PT_LOADs from mapping the same file bytes again and again
 * at different physical addresses: 65,534 headers over a 3.5 MiB file describe
 * 224 GiB (45 s of banners), and with PN_XNUM a 56 MiB file 56 TiB. Real cores
 * describe each file byte once (QEMU, /proc/vmcore copies the kernel image
 * into its own bytes); a writer that aliased the kernel image onto the RAM it
 * lies in would still stay under 2x, the image being part of that RAM. So the
 * sum of p_filesz may not exceed ELF_MAX_ALIAS times the file, which keeps any
 * scan within a small multiple of reading the file once.
 *
 * The p_memsz - p_filesz tails are not counted: they become no run (reads of
 * them are holes and no scan visits them), so they cost nothing however large,
 * and a filtered dump (makedumpfile -E) legitimately states far more of them
 * than it holds. Their only bound is the address space (the wrap check). */
static scry_status elf_check_alias(const struct scry_file *f, uint64_t described)
{
    char d[32], s[32];
    if (f->size > UINT64_MAX / ELF_MAX_ALIAS || described <= (uint64_t)ELF_MAX_ALIAS * f->size)
        return SCRY_OK;
    human_size(described, d);
    human_size(f->size, s);
    return scry_err(SCRY_ERR_LIMIT,
                    "%s: ELF PT_LOADs describe %s from a %s file (p_filesz sum %llu, file %llu "
                    "bytes: more than %ux the file): refusing aliased segments",
                    f->path, d, s, (unsigned long long)described, (unsigned long long)f->size,
                    ELF_MAX_ALIAS);
}

static void elf_free(struct elf_phys *e)
{
    free(e->lin.file_off);
    free(e->lin.base.runs);
    free(e->vmcoreinfo);
    free(e);
}

static void elf_close(struct scry_phys *p)
{
    scry_file_close(p->file);
    elf_free((struct elf_phys *)p);
}

static const struct scry_phys_ops elf_ops = {scry_linear_read, scry_linear_direct, elf_close};

/* namesz counts the terminating NUL in every writer we know; accept a
 * missing one as well. */
static int note_name_is(const uint8_t *name, uint32_t namesz, const char *want)
{
    size_t wl = strlen(want);
    if (namesz == wl + 1)
        return memcmp(name, want, wl) == 0 && name[wl] == 0;
    return namesz == wl && memcmp(name, want, wl) == 0;
}

struct note_state {
    unsigned notes;    /* seen so far, against ELF_MAX_NOTES */
    unsigned nqemu;    /* QEMU CPU states stored in info.cpu */
    unsigned nprstatus;
};

static scry_status parse_notes(struct elf_phys *e, unsigned machine, uint64_t off, uint64_t size,
                               unsigned phidx, struct note_state *ns)
{
    const struct scry_file *f = e->lin.base.file;
    const uint8_t *p = f->map + off;
    uint64_t pos = 0;

    while (size - pos >= 12) {
        uint32_t namesz = le32(p + pos), descsz = le32(p + pos + 4), type = le32(p + pos + 8);
        /* 64-bit sums of 32-bit values cannot wrap. */
        uint64_t name_off = pos + 12, name_al = ((uint64_t)namesz + 3) & ~(uint64_t)3;
        uint64_t desc_off = name_off + name_al, desc_al = ((uint64_t)descsz + 3) & ~(uint64_t)3;
        const uint8_t *name = p + name_off, *desc;
        /* Zero-filled space after the last note (older kernels' elfcorehdr
         * reserved whole pages for notes) is padding, not empty notes. */
        if (namesz == 0 && descsz == 0 && type == 0)
            break;
        if (++ns->notes > ELF_MAX_NOTES)
            return scry_err(SCRY_ERR_LIMIT, "%s: more than %u ELF notes", f->path, ELF_MAX_NOTES);
        if (name_al > size - name_off || descsz > size - desc_off)
            return scry_err(SCRY_ERR_CORRUPT,
                            "%s: note at offset %llu (PT_NOTE %u) with name size %u and "
                            "descriptor size %u does not fit its segment (%llu bytes)",
                            f->path, (unsigned long long)(off + pos), phidx, namesz, descsz,
                            (unsigned long long)size);
        desc = p + desc_off;

        if (type == 0 && note_name_is(name, namesz, "VMCOREINFO")) {
            if (!e->vmcoreinfo) {
                size_t len;
                if (descsz > ELF_MAX_VMCOREINFO)
                    return scry_err(SCRY_ERR_LIMIT,
                                    "%s: VMCOREINFO note of %u bytes exceeds the %u-byte bound",
                                    f->path, descsz, ELF_MAX_VMCOREINFO);
                /* The text is what precedes any NUL padding. */
                len = strnlen((const char *)desc, descsz);
                e->vmcoreinfo = malloc(len + 1);
                if (!e->vmcoreinfo)
                    return scry_err(SCRY_ERR_NOMEM, "%s: out of memory", f->path);
                memcpy(e->vmcoreinfo, desc, len);
                e->vmcoreinfo[len] = 0;
                e->lin.base.info.vmcoreinfo = e->vmcoreinfo;
                e->lin.base.info.vmcoreinfo_len = len;
            }
        } else if (type == 0 && machine == EM_X86_64 && note_name_is(name, namesz, "QEMU")) {
            /* Another version or a short state is not ours to decode; the
             * dump stays usable without registers. */
            if (descsz >= QEMU_CPUSTATE_SIZE && le32(desc) == QEMU_CPUSTATE_VERSION &&
                le32(desc + 4) >= QEMU_CPUSTATE_SIZE && ns->nqemu < SCRY_MAX_CPUS) {
                struct scry_cpu_regs *c = &e->lin.base.info.cpu[ns->nqemu++];
                c->cr0 = le64(desc + QEMU_CR_OFF);
                c->cr2 = le64(desc + QEMU_CR_OFF + 16);
                c->cr3 = le64(desc + QEMU_CR_OFF + 24);
                c->cr4 = le64(desc + QEMU_CR_OFF + 32);
                c->valid = 1;
            }
        } else if (type == NT_PRSTATUS && note_name_is(name, namesz, "CORE")) {
            ns->nprstatus++;
        }
        if (desc_al > size - desc_off)
            break; /* the last note may omit its padding */
        pos = desc_off + desc_al;
    }
    return SCRY_OK;
}

static scry_status elf_parse(struct elf_phys *e)
{
    const struct scry_file *f = e->lin.base.file;
    const uint8_t *h = f->map;
    uint64_t phoff, shoff;
    uint32_t phnum;
    unsigned phentsize, machine;
    size_t nload = 0;
    uint64_t described = 0; /* sum of PT_LOAD p_filesz, saturating */
    struct note_state ns = {0, 0, 0};
    scry_status st;

    if (!scry_file_has(f, 0, EHDR_SIZE))
        return scry_err(SCRY_ERR_CORRUPT, "%s: ELF header truncated (%llu bytes, need %u)",
                        f->path, (unsigned long long)f->size, EHDR_SIZE);
    if (h[4] != ELFCLASS64)
        return scry_err(SCRY_ERR_UNSUPPORTED, "%s: ELF class %u is not supported (only ELF64)",
                        f->path, h[4]);
    if (h[5] != ELFDATA2LSB)
        return scry_err(SCRY_ERR_UNSUPPORTED,
                        "%s: ELF data encoding %u is not supported (only little endian)", f->path,
                        h[5]);
    if (le16(h + 16) != ET_CORE)
        return scry_err(SCRY_ERR_FORMAT, "%s: ELF file of type %u is not a core dump (ET_CORE)",
                        f->path, le16(h + 16));
    machine = le16(h + 18);
    phoff = le64(h + 32);
    shoff = le64(h + 40);
    phentsize = le16(h + 54);
    phnum = le16(h + 56);
    if (phnum == PN_XNUM) {
        /* More than 65534 headers: the real count is section header 0's
         * sh_info. */
        if (!scry_file_has(f, shoff, SHDR_SIZE))
            return scry_err(SCRY_ERR_CORRUPT,
                            "%s: e_phnum is PN_XNUM but section header 0 at offset %llu is past "
                            "the end of the file",
                            f->path, (unsigned long long)shoff);
        phnum = le32(f->map + shoff + 44);
    }
    if (phnum == 0)
        return scry_err(SCRY_ERR_CORRUPT, "%s: ELF core has no program headers", f->path);
    if (phentsize != PHDR_SIZE)
        return scry_err(SCRY_ERR_CORRUPT, "%s: program header size %u, expected %u", f->path,
                        phentsize, PHDR_SIZE);
    if (phnum > ELF_MAX_PHDRS)
        return scry_err(SCRY_ERR_LIMIT, "%s: %u program headers exceed the bound of %u", f->path,
                        phnum, ELF_MAX_PHDRS);
    if (!scry_file_has(f, phoff, (uint64_t)phnum * PHDR_SIZE))
        return scry_err(SCRY_ERR_CORRUPT,
                        "%s: %u program headers at offset %llu run past the end of the file "
                        "(%llu bytes)",
                        f->path, phnum, (unsigned long long)phoff, (unsigned long long)f->size);
    /* At most one run per header; phnum is bounded above and by the file. */
    e->lin.base.runs = malloc(phnum * sizeof *e->lin.base.runs);
    e->lin.file_off = malloc(phnum * sizeof *e->lin.file_off);
    if (!e->lin.base.runs || !e->lin.file_off)
        return scry_err(SCRY_ERR_NOMEM, "%s: out of memory", f->path);

    for (uint32_t i = 0; i < phnum; i++) {
        const uint8_t *ph = f->map + phoff + (uint64_t)i * PHDR_SIZE;
        uint32_t type = le32(ph);
        uint64_t off = le64(ph + 8), paddr = le64(ph + 24), filesz = le64(ph + 32),
                 memsz = le64(ph + 40);
        if (type != PT_LOAD && type != PT_NOTE)
            continue;
        if (!scry_file_has(f, off, filesz))
            return scry_err(SCRY_ERR_CORRUPT,
                            "%s: program header %u: file bytes [0x%llx, +0x%llx) run past the end "
                            "of the file (%llu bytes)",
                            f->path, i, (unsigned long long)off, (unsigned long long)filesz,
                            (unsigned long long)f->size);
        if (type == PT_NOTE) {
            st = parse_notes(e, machine, off, filesz, i, &ns);
            if (st != SCRY_OK)
                return st;
            continue;
        }
        if (filesz > memsz)
            return scry_err(SCRY_ERR_CORRUPT,
                            "%s: PT_LOAD %u: p_filesz 0x%llx is larger than p_memsz 0x%llx",
                            f->path, i, (unsigned long long)filesz, (unsigned long long)memsz);
        if (memsz > UINT64_MAX - paddr)
            return scry_err(SCRY_ERR_CORRUPT,
                            "%s: PT_LOAD %u: p_paddr 0x%llx + p_memsz 0x%llx wraps around",
                            f->path, i, (unsigned long long)paddr, (unsigned long long)memsz);
        if (!filesz)
            continue;
        described = filesz > UINT64_MAX - described ? UINT64_MAX : described + filesz;
        e->lin.base.runs[nload].start = paddr;
        e->lin.base.runs[nload].len = filesz;
        e->lin.file_off[nload] = off;
        nload++;
    }
    e->lin.base.nruns = nload;
    st = elf_check_alias(f, described);
    if (st != SCRY_OK)
        return st;
    st = scry_phys_sort_runs(&e->lin.base.runs, &e->lin.file_off, &e->lin.base.nruns);
    if (st != SCRY_OK)
        return scry_err_ctx(st, "%s", f->path);

    {
        /* Register notes: QEMU's carry control registers; a vmcore's only
         * NT_PRSTATUS. Either counts the CPU. */
        unsigned n = ns.nqemu > ns.nprstatus ? ns.nqemu : ns.nprstatus;
        e->lin.base.info.ncpus = n > SCRY_MAX_CPUS ? SCRY_MAX_CPUS : n;
    }
    return SCRY_OK;
}

static scry_status elf_open(struct scry_file *f, struct scry_phys **out)
{
    struct elf_phys *e = calloc(1, sizeof *e);
    scry_status st;
    if (!e)
        return scry_err(SCRY_ERR_NOMEM, "%s: out of memory", f->path);
    e->lin.base.ops = &elf_ops;
    e->lin.base.next_data = scry_linear_next_data;
    e->lin.base.file = f;
    st = elf_parse(e);
    if (st != SCRY_OK) {
        elf_free(e);
        return st;
    }
    e->lin.base.info.format = "elf";
    e->lin.base.info.file_size = f->size;
    if (e->lin.base.nruns) {
        const struct scry_run *last = &e->lin.base.runs[e->lin.base.nruns - 1];
        e->lin.base.info.phys_end = last->start + last->len;
    }
    *out = &e->lin.base;
    return SCRY_OK;
}

const struct scry_format scry_format_elf = {"elf", elf_probe, elf_open, 1};
