/* linux_modules.c - the `modules` list: see linux_modules.h. */
#include <inttypes.h>
#include <string.h>

#include "lib/base/hashset.h"
#include "lib/base/utf8.h"
#include "lib/walk/linux_modules.h"
#include "lib/walk/linux_tasks.h"

static uint64_t le(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/* Reads the module at addr into *mod. Errors: the read's. */
static scry_status module_read(const struct scry_linux_modules *m, struct scry_vspace *ks,
                               uint64_t addr, struct scry_linux_module *mod)
{
    uint8_t raw[SCRY_LINUX_MODULE_NAME_READ], val[8];
    size_t nlen = m->name_size < sizeof raw ? (size_t)m->name_size : sizeof raw;
    scry_status st = scry_vspace_read(ks, addr + m->name, raw, nlen);
    mod->addr = addr;
    mod->size = 0;
    mod->nparts = 0;
    for (unsigned i = 0; i < m->nsizes && st == SCRY_OK; i++) {
        uint64_t size, base = 0;
        st = scry_vspace_read(ks, addr + m->size_off[i], val, m->size_len[i]);
        size = le(val, m->size_len[i]);
        mod->size += size; /* at most 7 x 2^64: never reached by real fields */
        if (st == SCRY_OK && m->base_off[i] != SCRY_NO_OFFSET &&
            scry_vspace_read_u64(ks, addr + m->base_off[i], &base) != SCRY_OK)
            base = 0; /* the part is not scanned; lsmod does not need it */
        mod->parts[mod->nparts].what = m->part[i];
        mod->parts[mod->nparts].base = base;
        mod->parts[mod->nparts++].size = size;
    }
    if (st != SCRY_OK)
        return st;
    /* array_to_string: all bytes decoded with replacement, cut at the first
     * NUL; a NUL is never inside a UTF-8 sequence, so cutting first is the
     * same. */
    mod->name_len = scry_utf8_replace(raw, strnlen((const char *)raw, nlen), mod->name);
    return SCRY_OK;
}

scry_status scry_linux_walk_modules(const struct scry_linux *l, struct scry_vspace *ks,
                                    struct scry_op *op, scry_linux_module_fn fn, void *user)
{
    const struct scry_linux_modules *m = &l->off.mod;
    if (m->status != SCRY_OK)
        return m->status;
    const uint64_t head = m->modules + l->virt_shift;
    const uint64_t next = l->off.list_next, member = m->list;
    const uint64_t max = op && op->max_entries ? op->max_entries : SCRY_MAX_TASKS;
    struct scry_linux_module mod;
    struct scry_hashset seen = {0};
    uint64_t link, prev = head;
    size_t n = 0;
    scry_status st = scry_vspace_read_u64(ks, head + next, &link);
    if (st != SCRY_OK) {
        scry_op_report(op, SCRY_DIAG_WARNING, st,
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
            scry_op_say(op, SCRY_DIAG_WARNING, SCRY_ERR_CORRUPT,
                        "module list ends early after %zu entr%s: 0x%" PRIx64
                        " links to %s instead of back to the head",
                        n, n == 1 ? "y" : "ies", prev, link ? "an earlier entry" : "NULL");
            break;
        }
        if (n >= max) {
            scry_op_say(op, SCRY_DIAG_WARNING, SCRY_ERR_LIMIT,
                        "module list ends early: more than %" PRIu64 " entries", max);
            break;
        }
        if (scry_op_tick(op, ++n, 0)) {
            st = scry_op_cancelled();
            break;
        }
        scry_status rs = module_read(m, ks, link - member, &mod);
        if (rs != SCRY_OK)
            scry_op_report(op, scry_diag_level_for(rs), rs, "module 0x%" PRIx64 " skipped",
                           link - member);
        else if (fn(user, &mod))
            break;
        prev = link;
        st = scry_vspace_read_u64(ks, link + next, &link);
        if (st != SCRY_OK) {
            scry_op_report(op, SCRY_DIAG_WARNING, st,
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
