/* linux_elfdump.c - Elfs.elf_dump, shared by linux.elfs and linux.pslist. */
#include "lib/plugins/linux_elfdump.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/plugins/dumpfile.h"

/* include/memscry/memscry.h's, declared here to keep the public header out
 * of the library's own code. */
scry_status scry_safe_file_name(const char *name, char *out, size_t cap);

/* constants.linux.ELF_MAX_EXTRACTION_SIZE: one segment's bound. */
#define ELF_MAX_EXTRACTION_SIZE (1024ull * 1024 * 1024 * 4 - 1)
#define PT_LOAD 1

struct seg {
    uint64_t start, size;
};

static int seg_cmp(const void *a, const void *b)
{
    uint64_t x = ((const struct seg *)a)->start, y = ((const struct seg *)b)->start;
    return x < y ? -1 : x > y;
}

static uint64_t le(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/* The PT_LOAD segments as Elfs.elf_dump keys them (see the header).
 * Returns the count (*out malloc'd), -1 after a warning, -2 out of
 * memory. */
static long load_segments(struct scry_op *op, struct scry_vspace *proc, int pid, uint64_t base,
                          const uint8_t ehdr[64], struct seg **out)
{
    uint8_t ph[56];
    int is64 = ehdr[4] == 2;
    if (ehdr[4] != 1 && !is64) {
        scry_op_say(op, SCRY_DIAG_WARNING, SCRY_ERR_CORRUPT,
                    "pid %d: Unsupported ei_class value %u at 0x%" PRIx64, pid, ehdr[4], base);
        return -1;
    }
    uint64_t phoff = is64 ? le(ehdr + 0x20, 8) : le(ehdr + 0x1c, 4);
    unsigned phnum = (unsigned)(is64 ? le(ehdr + 0x38, 2) : le(ehdr + 0x2c, 2));
    unsigned phsize = is64 ? 56 : 32;
    struct seg *s = calloc(phnum ? phnum : 1, sizeof *s); /* phnum < 65536 */
    long n = 0;
    if (!s)
        return -2;
    for (unsigned i = 0; i < phnum; i++) {
        if (scry_vspace_read(proc, base + phoff + (uint64_t)i * phsize, ph, phsize) != SCRY_OK) {
            scry_op_say(op, SCRY_DIAG_WARNING, SCRY_ERR_NODATA,
                        "pid %d: program header %u of the ELF at 0x%" PRIx64 " cannot be read",
                        pid, i, base);
            free(s);
            return -1;
        }
        if (le(ph, 4) != PT_LOAD)
            continue;
        uint64_t start = is64 ? le(ph + 0x10, 8) : le(ph + 8, 4);
        uint64_t memsz = is64 ? le(ph + 0x28, 8) : le(ph + 20, 4);
        unsigned __int128 end = (unsigned __int128)start + memsz;
        start &= ~0xfffull;
        if (end & 0xfff)
            end = (end & ~(unsigned __int128)0xfff) + 0x1000;
        if (end - start > ELF_MAX_EXTRACTION_SIZE) {
            scry_op_say(op, SCRY_DIAG_WARNING, SCRY_ERR_CORRUPT,
                        "pid %d: The claimed size of the ELF at 0x%" PRIx64 " is invalid", pid,
                        base);
            free(s);
            return -1;
        }
        long k = 0;
        while (k < n && s[k].start != start)
            k++;
        s[k].start = start;
        s[k].size = (uint64_t)(end - start);
        if (k == n)
            n++;
    }
    qsort(s, (size_t)n, sizeof *s, seg_cmp);
    *out = s;
    return n;
}

scry_status scry_linux_elf_dump(struct scry_op *op, struct scry_vspace *proc, const char *dir,
                                int pid, const char *comm, uint64_t base, char *final,
                                size_t cap, int *written)
{
    uint8_t ehdr[64];
    struct seg *s = NULL;
    long n;
    *written = 0;
    /* Volatility's Elf object: no magic (or none readable), no ELF. */
    if (scry_vspace_read(proc, base, ehdr, 4) != SCRY_OK || memcmp(ehdr, "\x7f" "ELF", 4) != 0)
        return SCRY_OK;
    if (scry_vspace_read(proc, base, ehdr, sizeof ehdr) != SCRY_OK) {
        scry_op_say(op, SCRY_DIAG_WARNING, SCRY_ERR_NODATA,
                    "pid %d: the ELF header at 0x%" PRIx64 " cannot be read", pid, base);
        return SCRY_OK;
    }
    n = load_segments(op, proc, pid, base, ehdr, &s);
    if (n == -2)
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    if (n < 0)
        return SCRY_OK;
    if (!dir) {
        scry_op_say(op, SCRY_DIAG_WARNING, SCRY_ERR_UNSUPPORTED,
                    "ELF at 0x%" PRIx64 " of pid %d not dumped: this run has no output "
                    "directory", base, pid);
        free(s);
        return SCRY_OK;
    }
    /* f"pid.{pid}.{comm}.{vm_start:#x}.dmp"; Volatility refuses a comm
     * holding '/', we write it with '_' there. */
    char safe[256], want[300];
    scry_safe_file_name(comm, safe, sizeof safe);
    snprintf(want, sizeof want, "pid.%d.%s.0x%" PRIx64 ".dmp", pid, safe, base);
    int fd = scry_dump_create_or_warn(op, dir, want, final, cap);
    if (fd < 0) {
        free(s);
        return SCRY_OK;
    }
    uint64_t total = 0;
    for (long i = 0; i < n; i++)
        total += s[i].size;
    int failed = ftruncate(fd, (off_t)total) != 0;
    scry_status st = SCRY_OK;
    uint64_t at = 0;
    for (long i = 0; i < n && !failed && st == SCRY_OK; i++) {
        uint64_t va = base + s[i].start;
        if (va >= base) /* past 2^64: zeros, as an invalid address pads */
            st = scry_dump_vrange(proc, op, fd, at, va, s[i].size, &failed);
        if (st == SCRY_ERR_LIMIT || st == SCRY_ERR_CORRUPT) {
            scry_op_report(op, SCRY_DIAG_WARNING, st, "%s: the dump may be incomplete", final);
            st = SCRY_OK;
        }
        at += s[i].size;
    }
    free(s);
    return scry_dump_finish(op, fd, dir, final, st, failed, written);
}
