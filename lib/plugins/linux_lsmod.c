/* linux_lsmod.c - linux.lsmod.Lsmod: the loaded kernel modules.
 *
 * Volatility walks the `modules` list_head (module.list) forward from the
 * head and prints each module's address, name and init + core size. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "lib/plugins/linux_common.h"
#include "lib/walk/linux_modules.h"

static const struct scry_column columns[] = {
    {"Offset", SCRY_COL_HEX},
    {"Name", SCRY_COL_STR},
    {"Size", SCRY_COL_INT},
};

struct ctx {
    const struct scry_linux *l;
    struct scry_result *out;
    scry_status st;
};

static int on_module(void *user, const struct scry_linux_module *m)
{
    struct ctx *c = user;
    struct scry_cell cells[3];
    cells[0] = scry_cell_hex(m->addr & c->l->va_mask);
    cells[1] = scry_cell_str(m->name, m->name_len);
    cells[2] = scry_cell_int((int64_t)m->size);
    c->st = scry_result_add(c->out, 0, cells);
    return c->st != SCRY_OK;
}

static scry_status run(struct scry_plugin_ctx *pc)
{
    struct ctx c = {.l = scry_linux_of(pc->profile), .out = pc->out};
    const struct scry_linux_modules *m = &c.l->off.mod;
    struct scry_vspace kernel;
    scry_status st;
    if (m->status == SCRY_ERR_NOT_FOUND) {
        /* Volatility: a SymbolError, the listing is empty. */
        scry_op_say(pc->op, SCRY_DIAG_INFO, SCRY_ERR_NOT_FOUND,
                    "%s has no module list (symbol modules or type module): no modules listed",
                    c.l->isf_path);
        return SCRY_OK;
    }
    if (m->status != SCRY_OK) { /* say why, once more */
        struct scry_linux_modules again;
        st = scry_linux_resolve_modules(c.l->symtab, &again);
        return scry_err_ctx(st != SCRY_OK ? st : m->status, "%s", c.l->isf_path);
    }
    if ((st = scry_profile_kernel(pc->profile, &kernel)) != SCRY_OK)
        return st;
    st = scry_linux_walk_modules(c.l, &kernel, pc->op, on_module, &c);
    return st != SCRY_OK ? st : c.st;
}

const struct scry_plugin scry_plugin_linux_lsmod = {
    .name = "linux.lsmod.Lsmod",
    .alias = "linux.lsmod",
    .description = "Lists loaded kernel modules.",
    .options = NULL,
    .noptions = 0,
    .columns = columns,
    .ncolumns = sizeof columns / sizeof columns[0],
    .os = "linux",
    .run = run,
};
