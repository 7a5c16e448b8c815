/* linux_elfs.c - linux.elfs.Elfs: VMAs that start with an ELF header, and
 * with --dump the ELF rebuilt from its PT_LOAD segments (Elfs.elf_dump). */
#include <stdlib.h>
#include <string.h>

#include "lib/plugins/linux_elfdump.h"
#include "lib/plugins/linux_pm.h"
#include "lib/plugins/linux_common.h"
#include "lib/walk/linux_dpath.h"
#include "lib/walk/linux_vma.h"

enum { OPT_PID, OPT_DUMP, NOPTS };

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
        int written;
        c->pm.st = scry_linux_elf_dump(c->pm.pc->op, &c->pm.proc, c->pm.pc->output_dir,
                                       (int)c->pm.t->pid, c->pm.name, v->start, c->fname,
                                       sizeof c->fname, &written);
        if (c->pm.st != SCRY_OK)
            return 1;
        out = written ? c->fname : "Error outputting file";
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
