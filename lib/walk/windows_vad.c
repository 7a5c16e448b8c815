/* windows_vad.c - the VAD tree walker (see windows_vad.h). */
#include "lib/walk/windows_vad.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/hashset.h"
#include "lib/base/utf8.h"

__extension__ typedef unsigned __int128 scry_u128;

struct walk {
    const struct scry_windows *w;
    const struct scry_win_vad *L;
    struct scry_vspace *ks;
    struct scry_op *op;
    int64_t pid;            /* for messages */
    scry_win_vad_fn fn;
    void *user;
    struct scry_hashset seen;
    int seen_zero;          /* the hash set cannot hold address 0 */
    unsigned cycle_said;    /* a cycle was reported for this tree */
    uint64_t n, max;
    int stop;               /* fn asked to stop, or a bound was reached */
    scry_status st;
};

/* A field's value from a record's bytes, as an unsigned Python integer. */
static uint64_t get_bits(const uint8_t *rec, const struct scry_win_bits *b)
{
    uint64_t v = 0;
    memcpy(&v, rec + b->off, b->size); /* little-endian host, as everywhere here */
    v >>= b->pos;
    if (b->len < 64)
        v &= (1ull << b->len) - 1;
    return v;
}

/* Reads the VAD record at va: the whole type when it is mapped, else the
 * members the row needs, one by one (a VAD can end on an unmapped page).
 * Returns 0 when a member Volatility reads directly cannot be read. */
static int read_record(struct walk *c, uint64_t va, const struct scry_win_vad_type *t,
                       uint8_t *rec, int *sub_ok)
{
    *sub_ok = 0;
    if (scry_vspace_read(c->ks, scry_win_canon(va), rec, t->size) == SCRY_OK) {
        *sub_ok = t->subsection != SCRY_WIN_NO_OFFSET;
        return 1;
    }
    const struct scry_win_bits *need[] = {&t->start, &t->end, &t->start_high, &t->end_high,
                                          &t->protection, &t->commit, &t->private_mem,
                                          &t->parent};
    memset(rec, 0, t->size);
    for (size_t i = 0; i < sizeof need / sizeof need[0]; i++) {
        const struct scry_win_bits *b = need[i];
        if (b->off == SCRY_WIN_NO_OFFSET)
            continue;
        if (scry_vspace_read(c->ks, scry_win_canon(va + b->off), rec + b->off, b->size) != SCRY_OK)
            return 0;
    }
    if (t->subsection != SCRY_WIN_NO_OFFSET &&
        scry_vspace_read(c->ks, scry_win_canon(va + t->subsection), rec + t->subsection, 8) ==
            SCRY_OK)
        *sub_ok = 1;
    return 1;
}

/* Reports the VAD at va cast to its type. Returns non-zero to stop. */
static int report(struct walk *c, uint64_t va, int depth, const uint8_t tag[4], int is_long)
{
    const struct scry_win_vad_type *t = is_long ? &c->L->lng : &c->L->shrt;
    uint8_t rec[0x1000];
    struct scry_win_vad_node v = {.va = va, .depth = depth, .is_long = is_long};
    int sub_ok;
    memcpy(v.tag, tag, 4);
    if (!read_record(c, va, t, rec, &sub_ok)) {
        scry_op_say(c->op, SCRY_DIAG_INFO, SCRY_ERR_NODATA,
                    "VAD at 0x%" PRIx64 " of PID %" PRId64 " skipped: its fields cannot be read",
                    scry_win_canon(va), c->pid);
        return 0;
    }
    /* get_start / get_end with Python's unbounded integers. */
    scry_u128 svpn = get_bits(rec, &t->start), evpn = get_bits(rec, &t->end);
    scry_u128 shi = t->start_high.off != SCRY_WIN_NO_OFFSET ? get_bits(rec, &t->start_high) : 0;
    scry_u128 ehi = t->end_high.off != SCRY_WIN_NO_OFFSET ? get_bits(rec, &t->end_high) : 0;
    scry_u128 start = svpn << 12 | shi << 44;
    scry_u128 end = (((evpn + 1) << 12) | ehi << 44) - 1;
    v.start_hi = (uint64_t)(start >> 64);
    v.end_hi = (uint64_t)(end >> 64);
    v.wide = v.start_hi || v.end_hi;
    v.start = (uint64_t)start;
    v.end = (uint64_t)end;
    v.protection = (uint32_t)get_bits(rec, &t->protection);
    v.commit = get_bits(rec, &t->commit);
    v.private_mem = get_bits(rec, &t->private_mem);
    v.parent = get_bits(rec, &t->parent);
    if (t->parent_is_ptr)
        v.parent = scry_win_mask(v.parent);
    v.parent &= ~3ull;
    if (is_long && sub_ok) {
        v.has_subsection = 1;
        v.subsection = scry_win_mask(scry_win_u64(rec, t->subsection));
    }
    return c->fn(c->user, &v);
}

/* MMVAD_SHORT.get_tag(): 4 bytes at va - 12, strictly UTF-8. */
static int read_tag(struct walk *c, uint64_t va, uint8_t tag[4])
{
    if (va < 12)
        return 0; /* a negative offset: no such address */
    if (scry_vspace_read(c->ks, scry_win_canon(va - 12), tag, 4) != SCRY_OK)
        return 0;
    return scry_utf8_valid(tag, 4);
}

static void visit(struct walk *c, uint64_t va, int depth)
{
    if (c->stop)
        return;
    if (depth > SCRY_WIN_VAD_MAX_DEPTH) {
        scry_op_say(c->op, SCRY_DIAG_WARNING, SCRY_ERR_LIMIT,
                    "the VAD tree of PID %" PRId64 " is deeper than %d levels: its walk stops"
                    " here (Volatility stops with \"Vad tree is too deep\")",
                    c->pid, SCRY_WIN_VAD_MAX_DEPTH);
        c->stop = 1;
        return;
    }
    if (va == 0) {
        if (c->seen_zero)
            return;
        c->seen_zero = 1;
    } else {
        int added = scry_hs_add(&c->seen, va);
        if (added < 0) {
            c->st = scry_err(SCRY_ERR_NOMEM, "out of memory");
            c->stop = 1;
            return;
        }
        if (!added) {
            /* Volatility's visited set skips it silently; but a tree that
             * leads back to a node holds a damaged link, and whatever that
             * link replaced is lost: the listing is incomplete. */
            if (!c->cycle_said++)
                scry_op_say(c->op, SCRY_DIAG_WARNING, SCRY_ERR_CORRUPT,
                            "the VAD tree of PID %" PRId64 " links back to node 0x%" PRIx64
                            " (a cycle): what that link replaced is not listed",
                            c->pid, scry_win_mask(va));
            return;
        }
    }
    if (++c->n > c->max) {
        scry_op_say(c->op, SCRY_DIAG_WARNING, SCRY_ERR_LIMIT,
                    "the VAD tree of PID %" PRId64 " has more than %" PRIu64
                    " nodes: its walk stops here", c->pid, c->max);
        c->stop = 1;
        return;
    }
    if (scry_op_tick(c->op, c->n, 0)) {
        c->st = scry_op_cancelled();
        c->stop = 1;
        return;
    }
    uint8_t tag[4];
    int have = read_tag(c, va, tag);
    int vad = have && tag[0] == 'V' && tag[1] == 'a' && tag[2] == 'd';
    if (vad) {
        int is_long = !(tag[3] == 'S' || tag[3] == 'F');
        if (report(c, va, depth, tag, is_long)) {
            c->stop = 1;
            return;
        }
    } else if (depth != 0) {
        return; /* garbage: skipped with its subtree */
    }
    uint64_t child;
    if (scry_vspace_read_u64(c->ks, scry_win_canon(va + c->L->left), &child) == SCRY_OK)
        visit(c, scry_win_mask(child), depth + 1);
    if (c->stop)
        return;
    if (scry_vspace_read_u64(c->ks, scry_win_canon(va + c->L->right), &child) == SCRY_OK)
        visit(c, scry_win_mask(child), depth + 1);
}

scry_status scry_win_vad_walk(const struct scry_windows *w, struct scry_vspace *ks,
                              struct scry_op *op, const struct scry_win_proc *p,
                              scry_win_vad_fn fn, void *user)
{
    if (!w->vad.ok)
        return scry_err(SCRY_ERR_UNSUPPORTED, "%s", w->vad.error ? w->vad.error : "no VAD layout");
    struct walk c = {.w = w, .L = &w->vad, .ks = ks, .op = op, .pid = -1, .fn = fn, .user = user,
                     .max = op && op->max_entries ? op->max_entries : SCRY_WIN_MAX_ENTRIES};
    uint64_t root;
    if (scry_win_proc_ok(p, w->off.ep_pid, 8))
        c.pid = (int64_t)scry_win_u64(p->b, w->off.ep_pid);
    if (w->vad.avl_table) {
        root = scry_win_mask(p->va + w->vad.root); /* BalancedRoot, the sentinel */
    } else {
        if (!scry_win_proc_ok(p, w->vad.root, 8)) {
            scry_op_say(op, SCRY_DIAG_INFO, SCRY_ERR_NODATA,
                        "the VAD root of PID %" PRId64 " cannot be read", c.pid);
            return SCRY_OK;
        }
        root = scry_win_mask(scry_win_u64(p->b, w->vad.root));
    }
    visit(&c, root, 0);
    free(c.seen.slot);
    return c.st;
}

scry_status scry_win_vad_file_name(const struct scry_windows *w, struct scry_vspace *ks,
                                   const struct scry_win_vad_node *v, char **out, size_t *len)
{
    const struct scry_win_vad *L = &w->vad;
    uint64_t ca, fo;
    uint8_t ustr[16];
    if (!v->is_long || !v->has_subsection || L->sub_control_area == SCRY_WIN_NO_OFFSET ||
        L->ca_file_pointer == SCRY_WIN_NO_OFFSET || L->fo_file_name == SCRY_WIN_NO_OFFSET)
        return SCRY_ERR_NODATA;
    if (scry_vspace_read_u64(ks, scry_win_canon(v->subsection + L->sub_control_area), &ca) ||
        scry_vspace_read_u64(ks, scry_win_canon(scry_win_mask(ca) + L->ca_file_pointer), &fo))
        return SCRY_ERR_NODATA;
    fo = scry_win_mask(fo);
    if (L->file_fast_ref)
        fo &= ~15ull;
    if (scry_vspace_read(ks, scry_win_canon(fo + L->fo_file_name), ustr, sizeof ustr) != SCRY_OK)
        return SCRY_ERR_NODATA;
    if (scry_win_u16(ustr, w->off.ustr_len) == 0)
        return SCRY_ERR_NODATA;
    scry_status st = scry_win_ustr(w, ks, ustr, out, len);
    return st == SCRY_ERR_NOMEM ? st : st != SCRY_OK ? SCRY_ERR_NODATA : SCRY_OK;
}

scry_status scry_win_vad_protect_values(const struct scry_windows *w, struct scry_vspace *ks,
                                        int32_t values[32], uint32_t *ok)
{
    *ok = 0;
    memset(values, 0, 32 * sizeof values[0]);
    if (w->sym.mm_protect_to_value == SCRY_WIN_NO_OFFSET)
        return scry_err(SCRY_ERR_NOT_FOUND, "the kernel's ISF has no symbol MmProtectToValue");
    uint64_t va = scry_win_sym_va(w, w->sym.mm_protect_to_value);
    uint8_t b[128];
    if (scry_vspace_read(ks, va, b, sizeof b) == SCRY_OK) {
        for (int i = 0; i < 32; i++)
            memcpy(&values[i], b + 4 * i, 4);
        *ok = UINT32_MAX;
        return SCRY_OK;
    }
    for (int i = 0; i < 32; i++) {
        uint32_t u;
        if (scry_vspace_read_u32(ks, va + 4 * (uint64_t)i, &u) == SCRY_OK) {
            values[i] = (int32_t)u;
            *ok |= 1u << i;
        }
    }
    return SCRY_OK;
}

size_t scry_win_vad_protection_str(int32_t value, char *buf)
{
    static const struct {
        const char *name;
        uint32_t mask;
    } names[] = {
        {"PAGE_NOACCESS", 0x01},          {"PAGE_READONLY", 0x02},
        {"PAGE_READWRITE", 0x04},         {"PAGE_WRITECOPY", 0x08},
        {"PAGE_EXECUTE", 0x10},           {"PAGE_EXECUTE_READ", 0x20},
        {"PAGE_EXECUTE_READWRITE", 0x40}, {"PAGE_EXECUTE_WRITECOPY", 0x80},
        {"PAGE_GUARD", 0x100},            {"PAGE_NOCACHE", 0x200},
        {"PAGE_WRITECOMBINE", 0x400},     {"PAGE_TARGETS_INVALID", 0x40000000},
    };
    size_t n = 0;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (!((uint32_t)value & names[i].mask))
            continue;
        if (n)
            buf[n++] = '|';
        size_t k = strlen(names[i].name);
        memcpy(buf + n, names[i].name, k);
        n += k;
    }
    buf[n] = '\0';
    return n;
}
