/* linux_malfind.c - linux.malfind.Malfind: VMAs that may hold injected code
 * (vm_area_struct.is_suspicious: rwx, anonymous r-x, or an executable VMA
 * with a dirty page), with their first 64 bytes as a hexdump and as
 * capstone disassembles them. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "lib/plugins/disasm.h"
#include "lib/plugins/linux_pm.h"
#include "lib/plugins/linux_common.h"
#include "lib/walk/linux_dpath.h"
#include "lib/walk/linux_vma.h"
#include "symbols/symtab.h"

enum { OPT_PID, NOPTS };

static const struct scry_option options[NOPTS] = {
    [OPT_PID] = {"pid", SCRY_OPT_INT_LIST, "Filter on specific process IDs"},
};

static const struct scry_column columns[] = {
    {"PID", SCRY_COL_INT},         {"Process", SCRY_COL_STR},
    {"Start", SCRY_COL_HEX},       {"End", SCRY_COL_HEX},
    {"Protection", SCRY_COL_STR},  {"Hexdump", SCRY_COL_HEXBYTES},
    {"Disasm", SCRY_COL_DISASM},
};

struct ctx {
    struct scry_linux_pm pm; /* first: the VMA walk's state */
    struct scry_disasm dis;
    int bits32;
    char path[SCRY_LINUX_PATH_CAP];
};

/* is_suspicious(proclayer). */
static int suspicious(struct ctx *c, const struct scry_linux_vma *v, const char *prot)
{
    if (!strcmp(prot, "rwx"))
        return 1;
    if (!strcmp(prot, "r-x") && !v->file)
        return 1;
    if (!strchr(prot, 'x'))
        return 0;
    for (uint64_t a = v->start; a < v->end; a += 0x1000) {
        uint64_t e;
        if (scry_vspace_leaf_entry(&c->pm.proc, a, &e) != SCRY_OK)
            return 0; /* the rest likely fails too: Volatility stops */
        if (e & 0x40) {
            /* Volatility's vollog.warning; a finding, not damage, so INFO:
             * the result is complete. */
            scry_op_say(c->pm.pc->op, SCRY_DIAG_INFO, SCRY_OK,
                        "Found malicious (dirty+exec) page at 0x%" PRIx64 " !", a);
            return 1;
        }
        if (a + 0x1000 < a)
            break;
    }
    return 0;
}

static int on_vma(void *user, const struct scry_linux_vma *v)
{
    struct ctx *c = user;
    char prot[4];
    scry_linux_vma_prot(v->flags, prot);
    if (!suspicious(c, v, prot))
        return 0;
    size_t plen = scry_linux_vma_name_buf(c->pm.l, &c->pm.kernel, c->pm.t, v, c->path, sizeof c->path,
                                          NULL);
    if (plen == 6 && !memcmp(c->path, "[vdso]", 6))
        return 0;
    uint8_t data[64];
    if ((c->pm.st = scry_vspace_read_pad(&c->pm.proc, v->start, data, sizeof data, NULL)) != SCRY_OK)
        return 1;
    if ((c->pm.st = scry_disasm_x86(&c->dis, c->bits32, data, sizeof data, v->start)) != SCRY_OK)
        return 1;
    struct scry_cell cells[7] = {
        scry_cell_int(c->pm.t->pid),
        scry_cell_str(c->pm.name, c->pm.name_len),
        scry_cell_hex(v->start),
        scry_cell_hex(v->end),
        scry_cell_str(prot, 3),
        scry_cell_str((const char *)data, sizeof data),
        scry_cell_str(c->dis.text.p, c->dis.text.len),
    };
    c->pm.st = scry_result_add(c->pm.pc->out, 0, cells);
    return c->pm.st != SCRY_OK;
}

static scry_status run(struct scry_plugin_ctx *pc)
{
    struct ctx *c = calloc(1, sizeof *c);
    uint64_t psize = 8;
    int sgn;
    scry_status st;
    if (!c)
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    /* "intel" for a 32-bit kernel's symbols, "intel64" otherwise. */
    if (scry_sym_base_type(scry_linux_of(pc->profile)->symtab, "pointer", &psize, &sgn) != SCRY_OK)
        psize = 8;
    c->bits32 = psize == 4;
    st = scry_disasm_open(&c->dis);
    if (st == SCRY_OK)
        st = scry_linux_pm_run(&c->pm, pc, OPT_PID, SCRY_VMA_NEED_WALK | SCRY_VMA_NEED_NAMES,
                               SCRY_PM_NEED_SPACE, on_vma, c);
    scry_disasm_close(&c->dis);
    free(c);
    return st;
}

const struct scry_plugin scry_plugin_linux_malfind = {
    .name = "linux.malfind.Malfind",
    .alias = "linux.malfind",
    .description = "Lists process memory ranges that potentially contain injected code.",
    .options = options,
    .noptions = NOPTS,
    .columns = columns,
    .ncolumns = sizeof columns / sizeof columns[0],
    .os = "linux",
    .run = run,
};
