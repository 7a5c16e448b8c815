/* linux_lsmod.c - linux.lsmod.Lsmod: the loaded kernel modules.
 *
 * Volatility walks the `modules` list_head (module.list) forward from the
 * head and prints each module's address, name and init + core size. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/hashset.h"
#include "lib/plugins/linux_common.h"

/* module.name is 56 bytes (MODULE_NAME_LEN - 8) in every kernel; a hostile
 * ISF may state more, and only this much is read. */
#define NAME_MAX_READ 256

static const struct scry_column columns[] = {
    {"Offset", SCRY_COL_HEX},
    {"Name", SCRY_COL_STR},
    {"Size", SCRY_COL_INT},
};

struct ctx {
    const struct scry_linux *l;
    const struct scry_linux_modules *m;
    struct scry_vspace kernel;
    struct scry_result *out;
    struct scry_op *op;
};

static uint64_t le(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/* One row for the module at addr. A module that cannot be read is skipped
 * with a diagnostic (Volatility would stop with a traceback). Errors: what
 * scry_result_add returns. */
static scry_status module_row(struct ctx *c, uint64_t addr)
{
    const struct scry_linux_modules *m = c->m;
    uint8_t raw[NAME_MAX_READ], val[8];
    char name[NAME_MAX_READ * 3 + 1];
    size_t nlen = m->name_size < sizeof raw ? (size_t)m->name_size : sizeof raw;
    uint64_t size = 0;
    struct scry_cell cells[3];
    scry_status st = scry_vspace_read(&c->kernel, addr + m->name, raw, nlen);
    for (unsigned i = 0; i < m->nsizes && st == SCRY_OK; i++) {
        st = scry_vspace_read(&c->kernel, addr + m->size_off[i], val, m->size_len[i]);
        size += le(val, m->size_len[i]); /* at most 7 x 2^64: never reached by real fields */
    }
    if (st != SCRY_OK) {
        scry_op_report(c->op, scry_diag_level_for(st), st, "module 0x%" PRIx64 " skipped", addr);
        return SCRY_OK;
    }
    /* array_to_string: all bytes decoded with replacement, cut at the first
     * NUL; a NUL is never inside a UTF-8 sequence, so cutting first is the
     * same. */
    nlen = scry_utf8_replace(raw, strnlen((const char *)raw, nlen), name);
    cells[0] = scry_cell_hex(addr & c->l->va_mask);
    cells[1] = scry_cell_str(name, nlen);
    cells[2] = scry_cell_int((int64_t)size);
    return scry_result_add(c->out, 0, cells);
}

/* Volatility's list_head.to_list over `modules`: each entry after the
 * head, in order, until the head comes back. Where Volatility stops
 * silently (a repeated or unreadable link) we stop too and say so; a NULL
 * link or more than op->max_entries entries also ends the walk (a
 * WARNING). Errors: SCRY_ERR_NOMEM, SCRY_ERR_CANCELLED, what
 * scry_result_add returns. */
static scry_status walk_modules(struct ctx *c, uint64_t head)
{
    const uint64_t next = c->l->off.list_next, member = c->m->list;
    const uint64_t max = c->op && c->op->max_entries ? c->op->max_entries : SCRY_MAX_TASKS;
    struct scry_hashset seen = {0};
    uint64_t link, prev = head;
    size_t n = 0;
    scry_status st = scry_vspace_read_u64(&c->kernel, head + next, &link);
    if (st != SCRY_OK) {
        scry_op_report(c->op, SCRY_DIAG_WARNING, st,
                       "module list cannot start: its head 0x%" PRIx64 " cannot be read", head);
        return SCRY_OK;
    }
    if (scry_hs_add(&seen, head) < 0)
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    st = SCRY_OK;
    while (link != head) {
        int added = scry_hs_add(&seen, link);
        if (added < 0) {
            st = scry_err(SCRY_ERR_NOMEM, "out of memory");
            break;
        }
        if (!link || !added) {
            scry_op_say(c->op, SCRY_DIAG_WARNING, SCRY_ERR_CORRUPT,
                        "module list ends early after %zu entr%s: 0x%" PRIx64
                        " links to %s instead of back to the head",
                        n, n == 1 ? "y" : "ies", prev, link ? "an earlier entry" : "NULL");
            break;
        }
        if (n >= max) {
            scry_op_say(c->op, SCRY_DIAG_WARNING, SCRY_ERR_LIMIT,
                        "module list ends early: more than %" PRIu64 " entries", max);
            break;
        }
        if (scry_op_tick(c->op, ++n, 0)) {
            st = scry_op_cancelled();
            break;
        }
        if ((st = module_row(c, link - member)) != SCRY_OK)
            break;
        prev = link;
        st = scry_vspace_read_u64(&c->kernel, link + next, &link);
        if (st != SCRY_OK) {
            scry_op_report(c->op, SCRY_DIAG_WARNING, st,
                           "module list ends early after %zu entr%s: the link at 0x%" PRIx64
                           " cannot be read",
                           n, n == 1 ? "y" : "ies", prev);
            st = SCRY_OK;
            break;
        }
    }
    scry_hs_free(&seen);
    return st;
}

static scry_status run(struct scry_plugin_ctx *pc)
{
    struct ctx c = {.l = scry_linux_of(pc->profile), .out = pc->out, .op = pc->op};
    scry_status st;
    c.m = &c.l->off.mod;
    if (c.m->status == SCRY_ERR_NOT_FOUND) {
        /* Volatility: a SymbolError, the listing is empty. */
        scry_op_say(pc->op, SCRY_DIAG_INFO, SCRY_ERR_NOT_FOUND,
                    "%s has no module list (symbol modules or type module): no modules listed",
                    c.l->isf_path);
        return SCRY_OK;
    }
    if (c.m->status != SCRY_OK) { /* say why, once more */
        struct scry_linux_modules again;
        st = scry_linux_resolve_modules(c.l->symtab, &again);
        return scry_err_ctx(st != SCRY_OK ? st : c.m->status, "%s", c.l->isf_path);
    }
    st = scry_profile_kernel(pc->profile, &c.kernel);
    if (st != SCRY_OK)
        return st;
    return walk_modules(&c, c.m->modules + c.l->virt_shift);
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
