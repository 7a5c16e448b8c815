/* enumerate.c - every mapped range of an address space, from the tables
 * alone, driven by a mode's struct scry_paging_layout (paging.h).
 *
 * The tables come from an untrusted dump. The walk goes down exactly as
 * many levels as the mode has, as a translation does, so a table that
 * points at itself or an ancestor is walked again one level lower and never
 * followed forever; what it can still do is multiply the work (a table whose
 * 512 entries all point at itself spans 2^36 entries on 4-level paging), so
 * every entry examined is counted against max_entries. */
#include <inttypes.h>

#include "lib/vspace/paging.h"

#define PTE_PRESENT 0x1u
#define PTE_PS 0x80u

/* Entries read per physical read: one read per chunk rather than per entry,
 * and a small stack buffer at each of the (at most five) levels. */
#define CHUNK 64u

struct walk {
    const struct scry_paging_layout *l;
    struct scry_phys *phys;
    scry_pte_hook hook; /* as set when the enumeration started */
    void *hook_user;
    uint64_t start, end; /* masked, start < end <= 2^va_bits */
    uint64_t max, seen;  /* entry budget and entries examined */
    scry_map_fn fn;
    void *user;
    int stopped;         /* fn asked to stop */
    int have;            /* a pending range is being coalesced */
    uint64_t va, pa, len;
};

/* Hands the pending range to fn. */
static void flush(struct walk *w)
{
    if (w->have && !w->stopped && w->fn(w->user, w->va, w->pa, w->len))
        w->stopped = 1;
    w->have = 0;
}

/* A page [va, va+len) at pa: clipped to [start, end), then merged into the
 * pending range when it continues it both virtually and physically. Pages
 * come in ascending va, so merging never needs to look further back. */
static void emit(struct walk *w, uint64_t va, uint64_t pa, uint64_t len)
{
    uint64_t lo = va < w->start ? w->start : va;
    uint64_t hi = va + len > w->end ? w->end : va + len;

    if (lo >= hi)
        return;
    pa += lo - va;
    if (w->have && w->va + w->len == lo && w->pa + w->len == pa) {
        w->len += hi - lo;
        return;
    }
    flush(w);
    w->have = 1;
    w->va = lo;
    w->pa = pa;
    w->len = hi - lo;
}

/* Reads entries [idx, idx+n) of the table at `table` (level `depth`) into
 * e[], marking in ok[] those that could be read. One read for the chunk
 * when it is whole; a chunk with holes or a failure is read entry by entry,
 * so that each entry fares exactly as a translation reading it alone
 * would: a hole (or a SCRY_ERR_NODATA) is skipped, any other failure (a
 * page that cannot be decoded) ends the enumeration with the walk's
 * message. */
static scry_status read_chunk(struct walk *w, uint64_t table, unsigned depth, uint64_t idx,
                              unsigned n, uint64_t va, unsigned shift, uint64_t *e, uint8_t *ok)
{
    const unsigned es = w->l->entry_size;
    uint8_t b[CHUNK * 8];
    size_t holes = 0;
    scry_status st = scry_phys_read(w->phys, table + idx * es, b, (size_t)n * es, &holes);

    if (st == SCRY_OK && holes == (size_t)n * es) {
        for (unsigned k = 0; k < n; k++)
            ok[k] = 0; /* the whole chunk is a hole: no need to ask each entry */
        return SCRY_OK;
    }
    if (st == SCRY_OK && !holes) {
        for (unsigned k = 0; k < n; k++) {
            uint64_t v = 0;
            for (unsigned i = 0; i < es; i++)
                v |= (uint64_t)b[k * es + i] << (8 * i);
            e[k] = v;
            ok[k] = 1;
        }
        return SCRY_OK;
    }
    for (unsigned k = 0; k < n; k++) {
        uint64_t slot = table + (idx + k) * es, eva = va + ((uint64_t)k << shift);
        st = scry_paging_entry(w->phys, slot, es, eva, w->l->names[depth], &e[k]);
        if (st != SCRY_OK && st != SCRY_ERR_NODATA)
            return st;
        ok[k] = st == SCRY_OK;
    }
    return SCRY_OK;
}

/* Walks the entries of the table at `table`, level `depth`, whose first
 * entry maps va `base`, that overlap [start, end). */
static scry_status walk_table(struct walk *w, unsigned depth, uint64_t table, uint64_t base)
{
    const struct scry_paging_layout *l = w->l;
    const unsigned bits = depth ? l->bits : l->top_bits;
    const unsigned shift = 12 + l->bits * (l->levels - 1 - depth);
    const uint64_t span = (uint64_t)1 << shift;
    const int leaf = depth + 1 == l->levels;
    /* The caller only descends into entries that overlap [start, end), so
     * end - 1 >= base and start < base + the table's span. */
    uint64_t first = w->start > base ? (w->start - base) >> shift : 0;
    uint64_t last = (w->end - 1 - base) >> shift;
    uint64_t e[CHUNK];
    uint8_t ok[CHUNK];

    if (last >= ((uint64_t)1 << bits))
        last = ((uint64_t)1 << bits) - 1;
    if (l->windows) {
        /* A table that is not wholly in the dump, or is one entry repeated,
         * maps nothing: every translation through it fails. */
        unsigned verdict = 0;
        scry_status st = scry_paging_win_table_check(w->phys, table, &verdict);
        if (st != SCRY_OK)
            return st;
        if (verdict != 0)
            return SCRY_OK;
    }
    for (uint64_t idx = first; idx <= last; idx += CHUNK) {
        unsigned n = last - idx + 1 < CHUNK ? (unsigned)(last - idx + 1) : CHUNK;
        scry_status st = read_chunk(w, table, depth, idx, n, base + idx * span, shift, e, ok);
        if (st != SCRY_OK)
            return st;
        for (unsigned k = 0; k < n; k++) {
            uint64_t va = base + (idx + k) * span, pa = 0, size = 0;
            if (++w->seen > w->max)
                return scry_err(SCRY_ERR_LIMIT,
                                "enumerating 0x%" PRIx64 "-0x%" PRIx64
                                ": more than %" PRIu64 " page-table entries examined",
                                w->start, w->end, w->max);
            if (!ok[k])
                continue; /* a hole in the dump: unmapped as far as we know */
            if (l->windows ? !scry_win_entry_valid(e[k]) : !(e[k] & PTE_PRESENT)) {
                if (!leaf || !w->hook)
                    continue;
                st = scry_paging_hook_call(w->hook, w->hook_user, w->phys, va, e[k], &pa, &size);
                if (st == SCRY_ERR_NODATA)
                    continue;
                if (st != SCRY_OK)
                    return st;
                /* The PTE covers 4 KiB whatever page the hook puts it in. */
                emit(w, va, pa, span);
            } else if (leaf) {
                emit(w, va, e[k] & l->table_mask, span);
            } else if ((e[k] & PTE_PS) && (l->large_sizes & span)) {
                emit(w, va, l->large_frame(e[k], span), span);
            } else {
                st = walk_table(w, depth + 1, e[k] & l->table_mask, va);
                if (st != SCRY_OK)
                    return st;
            }
            if (w->stopped)
                return SCRY_OK;
        }
    }
    return SCRY_OK;
}

scry_status scry_paging_enumerate(const struct scry_paging_layout *layout, struct scry_vspace *vs,
                                  uint64_t start, uint64_t end, uint64_t max_entries,
                                  scry_map_fn fn, void *user)
{
    struct walk w = {
        .l = layout, .phys = vs->phys, .hook = vs->hook, .hook_user = vs->hook_user,
        .start = start, .end = end, .max = max_entries, .fn = fn, .user = user,
    };
    scry_status st = walk_table(&w, 0, vs->dtb & layout->root_mask, 0);

    if (st != SCRY_OK)
        return st;
    flush(&w);
    return SCRY_OK;
}
