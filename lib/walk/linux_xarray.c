/* linux_xarray.c - an IDR's xarray, walked as Volatility walks it. */
#include "lib/walk/linux_xarray.h"

#include <inttypes.h>
#include <string.h>

#include "lib/base/hashset.h"

/* XArray entry tags: the two low bits; 2 marks an internal entry (a node). */
#define XA_TAG_MASK 3u
#define XA_TAG_INTERNAL 2u
#define XA_SLOTS_MAX 256u

scry_status scry_linux_xarray_resolve(const struct scry_linux *l, struct scry_linux_xarray *x)
{
    uint64_t slots_size;
    struct scry_field_spec f[] = {
        {"idr", "idr_rt", &x->idr_rt, NULL, 1},
        {"xarray", "xa_head", &x->xa_head, NULL, 1},
        {"xa_node", "shift", &x->node_shift, NULL, 1},
        {"xa_node", "slots", &x->node_slots, &slots_size, 1},
    };
    scry_status st = scry_resolve_fields(l->symtab, f, sizeof f / sizeof f[0]);
    if (st != SCRY_OK)
        return scry_err_ctx(st, "%s", l->isf_path);
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
        if (*f[i].offset == SCRY_NO_OFFSET)
            return scry_err(SCRY_ERR_UNSUPPORTED,
                            "%s: no %s.%s: only an IDR kept in an xarray (kernels >= 4.20) is "
                            "supported",
                            l->isf_path, f[i].type, f[i].field);
    x->nslots = (unsigned)(slots_size / 8);
    if (x->nslots < 2 || x->nslots > XA_SLOTS_MAX || (x->nslots & (x->nslots - 1)))
        return scry_err(SCRY_ERR_CORRUPT, "%s: xa_node.slots has %u entries", l->isf_path,
                        x->nslots);
    for (x->chunk_shift = 0; (1u << x->chunk_shift) < x->nslots; x->chunk_shift++)
        ;
    return SCRY_OK;
}

struct walk {
    const struct scry_linux_xarray *x;
    struct scry_vspace *vs;
    struct scry_op *op;
    const char *what;
    struct scry_hashset seen;
    uint64_t entries, max;
    scry_xarray_fn fn;
    void *user;
    int stop;
    scry_status st;
};

static void entry(struct walk *w, uint64_t p)
{
    if (++w->entries > w->max) {
        scry_op_say(w->op, SCRY_DIAG_WARNING, SCRY_ERR_LIMIT,
                    "%s ends early: more than %" PRIu64 " entries", w->what, w->max);
        w->stop = 1;
        return;
    }
    if (scry_op_tick(w->op, w->entries, 0)) {
        w->st = scry_op_cancelled();
        w->stop = 1;
        return;
    }
    if (w->fn(w->user, p))
        w->stop = 1;
}

static void iter_node(struct walk *w, uint64_t node, unsigned height)
{
    uint8_t slots[XA_SLOTS_MAX * 8];
    int added = scry_hs_add(&w->seen, node);
    scry_status st;
    if (added < 0) {
        w->st = scry_err(SCRY_ERR_NOMEM, "out of memory");
        w->stop = 1;
        return;
    }
    if (!added) {
        scry_op_say(w->op, SCRY_DIAG_WARNING, SCRY_ERR_CORRUPT,
                    "%s: node 0x%" PRIx64 " is reached twice (a loop); skipped", w->what, node);
        return;
    }
    st = scry_vspace_read(w->vs, node + w->x->node_slots, slots, 8 * (size_t)w->x->nslots);
    if (st != SCRY_OK) {
        scry_op_report(w->op, SCRY_DIAG_WARNING, st,
                       "%s: node 0x%" PRIx64 " cannot be read; its entries are missing",
                       w->what, node);
        return;
    }
    for (unsigned i = 0; i < w->x->nslots && !w->stop; i++) {
        uint64_t slot, p;
        memcpy(&slot, slots + 8 * i, 8);
        if (!slot)
            continue;
        p = (slot & XA_TAG_MASK) == XA_TAG_INTERNAL ? slot & ~(uint64_t)XA_TAG_INTERNAL : slot;
        if (height == 1) {
            if (!(p & XA_TAG_MASK))
                entry(w, p);
        } else {
            iter_node(w, p, height - 1);
        }
    }
}

scry_status scry_linux_xarray_walk(const struct scry_linux_xarray *x, struct scry_vspace *vs,
                                   struct scry_op *op, uint64_t idr_va, const char *what,
                                   uint64_t max, scry_xarray_fn fn, void *user)
{
    struct walk w = {.x = x, .vs = vs, .op = op, .what = what, .max = max, .fn = fn, .user = user};
    uint64_t head, root = idr_va + x->idr_rt + x->xa_head;
    scry_status st = scry_vspace_read_u64(vs, root, &head);
    if (st != SCRY_OK) {
        scry_op_report(op, SCRY_DIAG_WARNING, st, "%s cannot start: its root at 0x%" PRIx64
                       " cannot be read", what, root);
        return SCRY_OK;
    }
    if (!head)
        return SCRY_OK;
    int internal = (head & XA_TAG_MASK) == XA_TAG_INTERNAL;
    head &= ~(uint64_t)XA_TAG_MASK;
    if (!internal) {
        entry(&w, head);
        return w.st;
    }
    uint8_t shift;
    st = scry_vspace_read(vs, head + x->node_shift, &shift, 1);
    if (st != SCRY_OK)
        scry_op_report(op, SCRY_DIAG_WARNING, st, "%s: its root node 0x%" PRIx64 " cannot be read",
                       what, head);
    else if (shift % x->chunk_shift || shift / x->chunk_shift + 1 > SCRY_XARRAY_MAX_HEIGHT)
        scry_op_say(op, SCRY_DIAG_WARNING, SCRY_ERR_CORRUPT,
                    "%s: root node 0x%" PRIx64 " has shift %u (not a tree of at most %u levels "
                    "of %u bits); not walked",
                    what, head, shift, SCRY_XARRAY_MAX_HEIGHT, x->chunk_shift);
    else
        iter_node(&w, head, shift / x->chunk_shift + 1u);
    scry_hs_free(&w.seen);
    return w.st;
}
