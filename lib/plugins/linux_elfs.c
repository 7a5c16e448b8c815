/* linux_elfs.c - linux.elfs.Elfs: VMAs that start with an ELF header, and
 * with --dump the ELF rebuilt from its PT_LOAD segments (Elfs.elf_dump). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/plugins/dumpfile.h"
#include "lib/plugins/linux_pm.h"
#include "lib/plugins/linux_common.h"
#include "lib/walk/linux_dpath.h"
#include "lib/walk/linux_vma.h"

/* include/memscry/memscry.h's, declared here to keep the public header out
 * of the library's own code. */
scry_status scry_safe_file_name(const char *name, char *out, size_t cap);

enum { OPT_PID, OPT_DUMP, NOPTS };

/* constants.linux.ELF_MAX_EXTRACTION_SIZE: one segment's bound. */
#define ELF_MAX_EXTRACTION_SIZE (1024ull * 1024 * 1024 * 4 - 1)
#define PT_LOAD 1

static const struct scry_option options[NOPTS] = {
    [OPT_PID] = {"pid", SCRY_OPT_INT_LIST, "Filter on specific process IDs"},
    [OPT_DUMP] = {"dump", SCRY_OPT_BOOL, "Extract listed processes"},
};

static const struct scry_column columns[] = {
    {"PID", SCRY_COL_INT}, {"Process", SCRY_COL_STR},   {"Start", SCRY_COL_HEX},
    {"End", SCRY_COL_HEX}, {"File Path", SCRY_COL_STR}, {"File Output", SCRY_COL_STR},
};

struct ctx {
    struct scry_linux_pm pm; /* first: the VMA walk's state */
    char fname[300];
    char path[SCRY_LINUX_PATH_CAP];
};

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

/* The PT_LOAD segments as Elfs.elf_dump keys them: page-rounded start ->
 * size, a later header replacing an earlier one with the same start,
 * sorted by start. Returns the count, or -1 with a warning said. */
static long load_segments(struct ctx *c, uint64_t base, struct seg **out)
{
    struct scry_op *op = c->pm.pc->op;
    uint8_t ehdr[64], ph[56];
    if (scry_vspace_read(&c->pm.proc, base, ehdr, sizeof ehdr) != SCRY_OK) {
        scry_op_say(op, SCRY_DIAG_WARNING, SCRY_ERR_NODATA,
                    "pid %d: the ELF header at 0x%" PRIx64 " cannot be read", (int)c->pm.t->pid,
                    base);
        return -1;
    }
    int is64 = ehdr[4] == 2;
    if (ehdr[4] != 1 && !is64) {
        scry_op_say(op, SCRY_DIAG_WARNING, SCRY_ERR_CORRUPT,
                    "pid %d: Unsupported ei_class value %u at 0x%" PRIx64, (int)c->pm.t->pid,
                    ehdr[4], base);
        return -1;
    }
    uint64_t phoff = is64 ? le(ehdr + 0x20, 8) : le(ehdr + 0x1c, 4);
    unsigned phnum = (unsigned)(is64 ? le(ehdr + 0x38, 2) : le(ehdr + 0x2c, 2));
    unsigned phsize = is64 ? 56 : 32;
    struct seg *s = calloc(phnum ? phnum : 1, sizeof *s);
    long n = 0;
    if (!s) {
        c->pm.st = scry_err(SCRY_ERR_NOMEM, "out of memory");
        return -1;
    }
    for (unsigned i = 0; i < phnum; i++) {
        if (scry_vspace_read(&c->pm.proc, base + phoff + (uint64_t)i * phsize, ph, phsize) !=
            SCRY_OK) {
            scry_op_say(op, SCRY_DIAG_WARNING, SCRY_ERR_NODATA,
                        "pid %d: program header %u of the ELF at 0x%" PRIx64 " cannot be read",
                        (int)c->pm.t->pid, i, base);
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
                        "pid %d: The claimed size of the ELF at 0x%" PRIx64 " is invalid",
                        (int)c->pm.t->pid, base);
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

/* Elfs.elf_dump: NULL when nothing is written. */
static const char *elf_dump(struct ctx *c, const struct scry_linux_vma *v)
{
    struct scry_op *op = c->pm.pc->op;
    struct seg *s = NULL;
    long n = load_segments(c, v->start, &s);
    if (n < 0)
        return NULL;
    if (!c->pm.pc->output_dir) {
        scry_op_say(op, SCRY_DIAG_WARNING, SCRY_ERR_UNSUPPORTED,
                    "ELF at 0x%" PRIx64 " of pid %d not dumped: this run has no output "
                    "directory", v->start, (int)c->pm.t->pid);
        free(s);
        return NULL;
    }
    /* f"pid.{pid}.{comm}.{vm_start:#x}.dmp"; Volatility refuses a comm
     * holding '/', we write it with '_' there. */
    char safe[256], want[300];
    scry_safe_file_name(c->pm.name, safe, sizeof safe);
    snprintf(want, sizeof want, "pid.%d.%s.0x%" PRIx64 ".dmp", (int)c->pm.t->pid, safe, v->start);
    int fd = scry_dump_create_or_warn(op, c->pm.pc->output_dir, want, c->fname, sizeof c->fname);
    if (fd < 0) {
        free(s);
        return NULL;
    }
    uint64_t total = 0;
    for (long i = 0; i < n; i++)
        total += s[i].size;
    int failed = ftruncate(fd, (off_t)total) != 0, written;
    scry_status st = SCRY_OK;
    uint64_t at = 0;
    for (long i = 0; i < n && !failed && st == SCRY_OK; i++) {
        uint64_t va = v->start + s[i].start;
        if (va >= v->start) /* past 2^64: zeros, as an invalid address pads */
            st = scry_dump_vrange(&c->pm.proc, op, fd, at, va, s[i].size, &failed);
        if (st == SCRY_ERR_LIMIT || st == SCRY_ERR_CORRUPT) {
            scry_op_report(op, SCRY_DIAG_WARNING, st, "%s: the dump may be incomplete",
                           c->fname);
            st = SCRY_OK;
        }
        at += s[i].size;
    }
    free(s);
    if ((c->pm.st = scry_dump_finish(op, fd, c->pm.pc->output_dir, c->fname, st, failed,
                                     &written)) != SCRY_OK || !written)
        return NULL;
    return c->fname;
}

static int on_vma(void *user, const struct scry_linux_vma *v)
{
    struct ctx *c = user;
    uint8_t hdr[4];
    if (scry_vspace_read_pad(&c->pm.proc, v->start, hdr, 4, NULL) != SCRY_OK ||
        memcmp(hdr, "\x7f" "ELF", 4) != 0)
        return 0;
    size_t plen = scry_linux_vma_name_buf(c->pm.l, &c->pm.kernel, c->pm.t, v, c->path, sizeof c->path,
                                          NULL);
    const char *out = "Disabled";
    if (c->pm.pc->opts->v[OPT_DUMP].set) {
        const char *f = elf_dump(c, v);
        if (c->pm.st != SCRY_OK)
            return 1;
        out = f ? f : "Error outputting file";
    }
    struct scry_cell cells[6] = {
        scry_cell_int(c->pm.t->pid),
        scry_cell_str(c->pm.name, c->pm.name_len),
        scry_cell_hex(v->start),
        scry_cell_hex(v->end),
        scry_cell_str(c->path, plen),
        scry_cell_str(out, strlen(out)),
    };
    c->pm.st = scry_result_add(c->pm.pc->out, 0, cells);
    return c->pm.st != SCRY_OK;
}

static scry_status run(struct scry_plugin_ctx *pc)
{
    struct ctx *c = calloc(1, sizeof *c);
    scry_status st;
    if (!c)
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    st = scry_linux_pm_run(&c->pm, pc, OPT_PID, SCRY_VMA_NEED_WALK | SCRY_VMA_NEED_NAMES,
                           SCRY_PM_NEED_SPACE, on_vma, c);
    free(c);
    return st;
}

const struct scry_plugin scry_plugin_linux_elfs = {
    .name = "linux.elfs.Elfs",
    .alias = "linux.elfs",
    .description = "Lists all memory mapped ELF files for all processes.",
    .options = options,
    .noptions = NOPTS,
    .columns = columns,
    .ncolumns = sizeof columns / sizeof columns[0],
    .os = "linux",
    .run = run,
};
