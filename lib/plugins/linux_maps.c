/* linux_maps.c - linux.proc.Maps: every VMA of every process, with its
 * file, and with --dump each VMA's bytes in pid.<pid>.vma.<s>-<e>.dmp. */
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

enum { OPT_PID, OPT_DUMP, OPT_ADDRESS, OPT_MAXSIZE, NOPTS };

/* Maps.MAXSIZE_DEFAULT: 1 GiB. */
#define MAXSIZE_DEFAULT (1024ll * 1024 * 1024)

static const struct scry_option options[NOPTS] = {
    [OPT_PID] = {"pid", SCRY_OPT_INT_LIST, "Filter on specific process IDs"},
    [OPT_DUMP] = {"dump", SCRY_OPT_BOOL, "Extract listed memory segments"},
    [OPT_ADDRESS] = {"address", SCRY_OPT_INT_LIST,
                     "Process virtual memory addresses to include (all other VMA sections are "
                     "excluded). This can be any virtual address within the VMA section."},
    [OPT_MAXSIZE] = {"maxsize", SCRY_OPT_INT,
                     "Maximum size for dumped VMA sections (all the bigger sections will be "
                     "ignored)"},
};

static const struct scry_column columns[] = {
    {"PID", SCRY_COL_INT},   {"Process", SCRY_COL_STR},   {"Start", SCRY_COL_HEX},
    {"End", SCRY_COL_HEX},   {"Flags", SCRY_COL_STR},     {"PgOff", SCRY_COL_HEX},
    {"Major", SCRY_COL_INT}, {"Minor", SCRY_COL_INT},     {"Inode", SCRY_COL_INT},
    {"File Path", SCRY_COL_STR}, {"File output", SCRY_COL_STR},
};

struct ctx {
    struct scry_linux_pm pm; /* first: the VMA walk's state */
    int dump;
    int64_t maxsize;
    char fname[300];
    char path[SCRY_LINUX_PATH_CAP];
};

/* vma_filter_function: some --address within [vm_start, vm_end]. */
static int address_wanted(const struct ctx *c, const struct scry_linux_vma *v)
{
    const struct scry_optval *a = &c->pm.pc->opts->v[OPT_ADDRESS];
    if (!a->set || !a->nints)
        return 1;
    for (size_t i = 0; i < a->nints; i++) {
        uint64_t x = (uint64_t)a->ints[i];
        if (a->ints[i] >= 0 && v->start <= x && x <= v->end)
            return 1;
    }
    return 0;
}

/* Maps.vma_dump: NULL (Volatility's None) when the VMA is not written. */
static const char *vma_dump(struct ctx *c, const struct scry_linux_vma *v)
{
    struct scry_op *op = c->pm.pc->op;
    if (c->pm.proc_ok < 0)
        c->pm.proc_ok = scry_linux_process_vspace(c->pm.l, &c->pm.kernel, c->pm.t->mm, &c->pm.proc) == SCRY_OK;
    if (!c->pm.proc_ok)
        return NULL;
    if (v->end < v->start) {
        scry_op_say(op, SCRY_DIAG_WARNING, SCRY_ERR_CORRUPT,
                    "Skip virtual memory dump for pid %d between 0x%" PRIx64 "-0x%" PRIx64
                    " as -%" PRIu64 " is negative.", (int)c->pm.t->pid, v->start, v->end,
                    v->start - v->end);
        return NULL;
    }
    uint64_t size = v->end - v->start;
    if (c->maxsize <= 0 || (uint64_t)c->maxsize <= size) {
        /* The user's own limit, not damage: the result stays complete. */
        scry_op_say(op, SCRY_DIAG_INFO, SCRY_ERR_LIMIT,
                    "Skip virtual memory dump for pid %d between 0x%" PRIx64 "-0x%" PRIx64
                    " as %" PRIu64 " is larger than maxsize limit of %" PRId64,
                    (int)c->pm.t->pid, v->start, v->end, size, c->maxsize);
        return NULL;
    }
    if (!c->pm.pc->output_dir) {
        scry_op_say(op, SCRY_DIAG_WARNING, SCRY_ERR_UNSUPPORTED,
                    "VMA 0x%" PRIx64 "-0x%" PRIx64 " of pid %d not dumped: this run has no "
                    "output directory", v->start, v->end, (int)c->pm.t->pid);
        return NULL;
    }
    char want[128];
    snprintf(want, sizeof want, "pid.%d.vma.0x%" PRIx64 "-0x%" PRIx64 ".dmp", (int)c->pm.t->pid,
             v->start, v->end);
    int fd = scry_dump_create_or_warn(op, c->pm.pc->output_dir, want, c->fname, sizeof c->fname);
    if (fd < 0)
        return NULL;
    int failed = ftruncate(fd, (off_t)size) != 0, written;
    scry_status st = failed ? SCRY_OK
                            : scry_dump_vrange(&c->pm.proc, op, fd, 0, v->start, size, &failed);
    if ((c->pm.st = scry_dump_finish(op, fd, c->pm.pc->output_dir, c->fname, st, failed,
                                     &written)) != SCRY_OK || !written)
        return NULL;
    return c->fname;
}

static int on_vma(void *user, const struct scry_linux_vma *v)
{
    struct ctx *c = user;
    struct scry_cell cells[11];
    uint64_t major, minor, inode;
    char prot[4];
    int complete;
    if (!address_wanted(c, v))
        return 0;
    scry_linux_vma_prot(v->flags, prot);
    scry_status st = scry_linux_vma_inode(c->pm.l, &c->pm.kernel, v, &major, &minor, &inode);
    if (st != SCRY_OK)
        scry_op_report(c->pm.pc->op, scry_diag_level_for(st), st,
                       "pid %d: the inode of VMA 0x%" PRIx64 " cannot be read (0 shown)",
                       (int)c->pm.t->pid, v->start);
    size_t plen = scry_linux_vma_name_buf(c->pm.l, &c->pm.kernel, c->pm.t, v, c->path, sizeof c->path,
                                          &complete);
    if (!complete)
        scry_op_say(c->pm.pc->op, SCRY_DIAG_INFO, SCRY_ERR_NODATA,
                    "pid %d: the path of VMA 0x%" PRIx64 " could not be read whole",
                    (int)c->pm.t->pid, v->start);
    const char *out = "Disabled";
    if (c->dump) {
        const char *n = v->start && v->end ? vma_dump(c, v) : NULL;
        if (c->pm.st != SCRY_OK)
            return 1;
        out = n ? n : "Error outputting file";
    }
    cells[0] = scry_cell_int(c->pm.t->pid);
    cells[1] = scry_cell_str(c->pm.name, c->pm.name_len);
    cells[2] = scry_cell_hex(v->start);
    cells[3] = scry_cell_hex(v->end);
    cells[4] = scry_cell_str(prot, 3);
    cells[5] = scry_cell_hex(scry_linux_vma_pgoff_bytes(v));
    cells[6] = scry_cell_int((int64_t)major);
    cells[7] = scry_cell_int((int64_t)minor);
    cells[8] = scry_cell_int((int64_t)inode);
    cells[9] = scry_cell_str(c->path, plen);
    cells[10] = scry_cell_str(out, strlen(out));
    c->pm.st = scry_result_add(c->pm.pc->out, 0, cells);
    return c->pm.st != SCRY_OK;
}

static scry_status run(struct scry_plugin_ctx *pc)
{
    struct ctx *c = calloc(1, sizeof *c);
    scry_status st;
    if (!c)
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    c->dump = pc->opts->v[OPT_DUMP].set;
    c->maxsize = pc->opts->v[OPT_MAXSIZE].set ? pc->opts->v[OPT_MAXSIZE].ints[0] : MAXSIZE_DEFAULT;
    /* the space is built only for --dump (proc_ok -1 until then) */
    st = scry_linux_pm_run(&c->pm, pc, OPT_PID,
                           SCRY_VMA_NEED_WALK | SCRY_VMA_NEED_NAMES | SCRY_VMA_NEED_INODE, 0,
                           on_vma, c);
    free(c);
    return st;
}

const struct scry_plugin scry_plugin_linux_maps = {
    .name = "linux.proc.Maps",
    .alias = "linux.proc",
    .description = "Lists all memory maps for all processes.",
    .options = options,
    .noptions = NOPTS,
    .columns = columns,
    .ncolumns = sizeof columns / sizeof columns[0],
    .os = "linux",
    .run = run,
};
