/* yara_scan.c - libyara over one buffer, and streamed windows over a
 * virtual range or the physical layer.
 *
 * libyara never matches across two blocks, so each window is one
 * contiguous buffer; windows overlap so that a match straddling two
 * windows is whole in one of them, and a match is reported only by the
 * window it starts in (the overlap belongs to the next window), hence
 * exactly once. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "lib/scan/yara_priv.h"

struct buf_scan {
    uint64_t base;
    size_t limit; /* matches starting at or past this offset are not reported */
    scry_yara_hit_fn fn;
    void *user;
    int stopped;     /* fn asked to stop */
    int too_many;    /* a string had more matches than libyara keeps */
};

static int on_scan(YR_SCAN_CONTEXT *ctx, int message, void *data, void *user)
{
    struct buf_scan *b = user;
    if (message == CALLBACK_MSG_TOO_MANY_MATCHES) {
        b->too_many = 1;
        return CALLBACK_CONTINUE;
    }
    if (message != CALLBACK_MSG_RULE_MATCHING)
        return CALLBACK_CONTINUE;
    YR_RULE *rule = data;
    YR_STRING *s;
    yr_rule_strings_foreach(rule, s)
    {
        /* libyara 4.2 keeps its matches in a notebook without aligning
         * them: each is copied out (yr_string_matches_foreach would read
         * its fields in place, undefined behaviour that UBSan reports). */
        const YR_MATCH *p = ctx->matches[s->idx].head;
        while (p) {
            YR_MATCH m;
            memcpy(&m, p, sizeof m);
            p = m.next;
            if (m.is_private)
                continue;
            uint64_t off = (uint64_t)(m.base + m.offset);
            if (off >= b->limit)
                continue;
            struct scry_yara_hit h = {
                .addr = b->base + off,
                .rule = rule->identifier,
                .ns = rule->ns ? rule->ns->name : "default",
                .string = s->identifier,
                .data = m.data,
                .len = m.data_length > 0 ? (size_t)m.data_length : 0,
            };
            if (b->fn(b->user, &h)) {
                b->stopped = 1;
                return CALLBACK_ABORT;
            }
        }
    }
    return CALLBACK_CONTINUE;
}

static scry_status scan_status(int rc, uint64_t base)
{
    switch (rc) {
    case ERROR_SUCCESS:
        return SCRY_OK;
    case ERROR_INSUFFICIENT_MEMORY:
        return scry_err(SCRY_ERR_NOMEM, "out of memory scanning 0x%" PRIx64 " with YARA", base);
    case ERROR_TOO_MANY_MATCHES:
    case ERROR_SCAN_TIMEOUT:
    case ERROR_TOO_MANY_SCAN_THREADS:
        return scry_err(SCRY_ERR_LIMIT, "YARA scan at 0x%" PRIx64 " stopped: libyara error %d",
                        base, rc);
    default:
        return scry_err(SCRY_ERR_CORRUPT, "YARA scan at 0x%" PRIx64 " failed: libyara error %d",
                        base, rc);
    }
}

static scry_status scan_once(const struct scry_yara_rules *r, const uint8_t *buf, size_t len,
                             size_t limit, uint64_t base, scry_yara_hit_fn fn, void *user,
                             int *stopped, int *too_many)
{
    struct buf_scan b = {.base = base, .limit = limit, .fn = fn, .user = user};
    int rc = yr_rules_scan_mem(r->rules, buf, len, 0, on_scan, &b, 0);
    if (stopped)
        *stopped = b.stopped;
    if (too_many)
        *too_many |= b.too_many;
    if (b.stopped && rc == ERROR_CALLBACK_ERROR)
        rc = ERROR_SUCCESS;
    return scan_status(rc, base);
}

/* Blocks of zeros a NUL-free scan leaves out. */
#define ZBLOCK 64
/* The stretch array starts at this many and doubles as needed: a used page
 * is often a few hundred stretches (a 16 MiB window of fragmented memory,
 * tens of thousands), and capping them left most of such a window to
 * libyara whole, zeros and all (callgrind: 92 % of a dev-1k yarascan). */
#define SEGS_FIRST 1024

static int zero_block(const uint8_t *p, size_t n)
{
    if (n == ZBLOCK) { /* the common case, unrolled for the compiler */
        uint64_t w[ZBLOCK / 8], acc = 0;
        memcpy(w, p, ZBLOCK);
        for (int i = 0; i < ZBLOCK / 8; i++)
            acc |= w[i];
        return acc == 0;
    }
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return 0;
    return 1;
}

/* The stretches of one buffer as libyara's memory blocks: each block's
 * base is its offset in the buffer, so match offsets need no mapping. */
struct stretches {
    const uint8_t *buf;
    YR_MEMORY_BLOCK *blocks;
    size_t n, cap, next;
    uint64_t size;
};

static const uint8_t *fetch(YR_MEMORY_BLOCK *b)
{
    const struct stretches *s = b->context;
    return s->buf + b->base;
}

static YR_MEMORY_BLOCK *next_block(YR_MEMORY_BLOCK_ITERATOR *it)
{
    struct stretches *s = it->context;
    it->last_error = ERROR_SUCCESS;
    return s->next < s->n ? &s->blocks[s->next++] : NULL;
}

static YR_MEMORY_BLOCK *first_block(YR_MEMORY_BLOCK_ITERATOR *it)
{
    ((struct stretches *)it->context)->next = 0;
    return next_block(it);
}

static uint64_t stretches_size(YR_MEMORY_BLOCK_ITERATOR *it)
{
    return ((struct stretches *)it->context)->size;
}

/* Out of memory for more stretches: the rest from a, as the last one
 * (always correct, only slower), or as part of it. */
static void push_rest(struct stretches *s, size_t a, size_t len)
{
    if (s->n && s->blocks[s->n - 1].base + s->blocks[s->n - 1].size >= a)
        s->blocks[s->n - 1].size = len - s->blocks[s->n - 1].base;
    else if (s->n < s->cap)
        s->blocks[s->n++] = (YR_MEMORY_BLOCK){.size = len - a, .base = a, .context = s,
                                              .fetch_data = fetch};
    else
        s->blocks[s->n - 1].size = len - s->blocks[s->n - 1].base;
}

/* Appends the stretch [a, b) to s. (Runs are not merged across short
 * gaps: without its try-catch, libyara's cost per block is small, and
 * callgrind counted fewer instructions with no merging at all.) Returns 0
 * when out of memory for more: the caller ends with the rest whole. */
static int push(struct stretches *s, size_t a, size_t b)
{
    if (s->n == s->cap) {
        YR_MEMORY_BLOCK *more = realloc(s->blocks, 2 * s->cap * sizeof *more);
        if (!more)
            return 0;
        s->blocks = more;
        s->cap *= 2;
    }
    s->blocks[s->n++] = (YR_MEMORY_BLOCK){.size = b - a, .base = a, .context = s,
                                          .fetch_data = fetch};
    return 1;
}

/* Cuts buf[0, len) into the stretches between its 64-byte blocks of
 * zeros (only stretches starting before limit: nothing past it is
 * reported). */
static void cut_zero_blocks(struct stretches *s, const uint8_t *buf, size_t len, size_t limit)
{
    size_t i = 0;
    while (i < len && i < limit) {
        size_t k = len - i < ZBLOCK ? len - i : ZBLOCK;
        if (zero_block(buf + i, k)) {
            i += k;
            continue;
        }
        size_t j = i + k;
        while (j < len) {
            size_t m = len - j < ZBLOCK ? len - j : ZBLOCK;
            if (zero_block(buf + j, m))
                break;
            j += m;
        }
        if (!push(s, i, j)) {
            push_rest(s, i, len);
            return;
        }
        i = j;
    }
}

/* Bit k set when p[k] is zero, for the 64 bytes at p. */
static uint64_t zero_mask64(const uint8_t *p)
{
#ifdef __SSE2__
    const __m128i zero = _mm_setzero_si128();
    uint64_t m = 0;
    for (int k = 0; k < 4; k++) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * k));
        m |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, zero)) << (16 * k);
    }
    return m;
#else
    uint64_t m = 0;
    for (int k = 0; k < 64; k++)
        m |= (uint64_t)(p[k] == 0) << k;
    return m;
#endif
}

/* 1 when the 256 bytes at p are zeros. */
static int zero_256(const uint8_t *p)
{
#ifdef __SSE2__
    __m128i acc = _mm_setzero_si128();
    for (int k = 0; k < 16; k++)
        acc = _mm_or_si128(acc, _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * k)));
    return _mm_movemask_epi8(_mm_cmpeq_epi8(acc, _mm_setzero_si128())) == 0xffff;
#else
    return zero_block(p, ZBLOCK) && zero_block(p + 64, ZBLOCK) && zero_block(p + 128, ZBLOCK) &&
           zero_block(p + 192, ZBLOCK);
#endif
}

/* Cuts buf[0, len) into its NUL-free runs at least min bytes long: every
 * match of a rule whose matches hold no NUL and are at least min bytes
 * lies inside one of them. 64 bytes at a time through a mask of their zero
 * bytes, one step per run of zeros (none for a block without zeros); after
 * a block of zeros, 256 bytes of zeros at a time (free pages). */
static void cut_runs(struct stretches *s, const uint8_t *buf, size_t len, size_t limit, size_t min)
{
    size_t start = 0, i = 0;
    for (; i + 64 <= len && start < limit; i += 64) {
        if (start == i && i % 256 == 0) { /* in zeros: skip them fast */
            while (i + 256 <= len && zero_256(buf + i))
                i += 256;
            start = i;
            if (i + 64 > len || start >= limit)
                break;
        }
        uint64_t m = zero_mask64(buf + i);
        if (m && m != ~0ull) {
            /* The usual block of pointers and small numbers: a run into it
             * (ending at its first zero), one out of it (from after its
             * last), and between them no eight non-zero bytes in a row -
             * so no run of min. The rest takes the loop below. */
            unsigned first = (unsigned)__builtin_ctzll(m), last = 63 - (unsigned)__builtin_clzll(m);
            uint64_t w = ~m; /* bit k: bytes k .. k + 7 all non-zero */
            w &= w >> 1;
            w &= w >> 2;
            w &= w >> 4;
            if (first == last || !((w >> (first + 1)) & ((1ull << (last - first - 1)) - 1))) {
                if (i + first - start >= min && !push(s, start, i + first))
                    goto rest;
                start = i + last + 1;
                continue;
            }
        }
        while (m) {
            unsigned f = (unsigned)__builtin_ctzll(m); /* the next zero, at i + f */
            if (i + f - start >= min && !push(s, start, i + f))
                goto rest;
            uint64_t more = ~(m >> f); /* its run of zeros ends at its first bit */
            unsigned nz = more ? (unsigned)__builtin_ctzll(more) : 64 - f;
            unsigned at = f + nz; /* the next non-zero byte, or 64 */
            start = i + at;
            if (at >= 64)
                break;
            m &= ~0ull << at;
        }
    }
    for (; i < len && start < limit; i++) { /* the tail, byte by byte */
        if (!buf[i]) {
            if (i - start >= min && !push(s, start, i))
                goto rest;
            start = i + 1;
        }
    }
    if (start < limit && len - start >= min && !push(s, start, len))
        goto rest;
    return;
rest:
    push_rest(s, start, len);
}

scry_status scry_yara_scan_limited(const struct scry_yara_rules *r, const uint8_t *buf, size_t len,
                                size_t limit, uint64_t base, scry_yara_hit_fn fn, void *user,
                                int *stopped, int *too_many)
{
    if (!r->nul_free || len < 4 * ZBLOCK)
        return scan_once(r, buf, len, limit, base, fn, user, stopped, too_many);
    /* No match can hold a NUL and the rule needs nothing but a match: the
     * NUL-free runs long enough to hold a match (or, for a string shorter
     * than a word, the stretches between blocks of zeros) go to libyara as
     * the blocks of one scan. It never matches across blocks, and no match
     * could cross a NUL, so the hits are the same at the same offsets,
     * without libyara's pass over the rest: zeros (most of a machine's
     * free memory) and the short runs between them that pointers and
     * small integers make of most used memory (dev-1k: 101 MiB of
     * non-zero 64-byte blocks, 27 MiB in NUL-free runs of 21 bytes or
     * more). */
    struct stretches *s = malloc(sizeof *s);
    if (s && !(s->blocks = malloc(SEGS_FIRST * sizeof *s->blocks))) {
        free(s);
        s = NULL;
    }
    if (!s)
        return scan_once(r, buf, len, limit, base, fn, user, stopped, too_many);
    s->cap = SEGS_FIRST;
    s->buf = buf;
    s->n = 0;
    s->size = len;
    if (r->min_len >= 8)
        cut_runs(s, buf, len, limit, r->min_len);
    else
        cut_zero_blocks(s, buf, len, limit);
    YR_MEMORY_BLOCK_ITERATOR it = {.context = s, .first = first_block, .next = next_block,
                                   .file_size = stretches_size};
    struct buf_scan b = {.base = base, .limit = limit, .fn = fn, .user = user};
    /* No try-catch: libyara would swap the SIGSEGV and SIGBUS handlers
     * (four system calls) around every block, to survive a mapped file cut
     * short under it; the cut above has read every byte it hands over. */
    int rc = s->n ? yr_rules_scan_mem_blocks(r->rules, &it, SCAN_FLAGS_NO_TRYCATCH, on_scan, &b, 0)
                  : ERROR_SUCCESS;
    free(s->blocks);
    free(s);
    if (stopped)
        *stopped = b.stopped;
    if (too_many)
        *too_many |= b.too_many;
    if (b.stopped && rc == ERROR_CALLBACK_ERROR)
        rc = ERROR_SUCCESS;
    return scan_status(rc, base);
}

scry_status scry_yara_scan_buffer(const struct scry_yara_rules *r, const uint8_t *buf, size_t len,
                                  uint64_t base, scry_yara_hit_fn fn, void *user)
{
    if (!r || !r->rules || !fn || (!buf && len))
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_yara_scan_buffer: bad argument");
    return scry_yara_scan_limited(r, buf, len, SIZE_MAX, base, fn, user, NULL, NULL);
}

/* ---- the memo: results of windows already scanned, by content.
 *
 * A scan's result is a function of the bytes scanned (and of the limit),
 * so a window whose bytes equal one scanned before needs no libyara pass:
 * its hits are replayed at the new base. The processes of a system share
 * most of their bytes (one program's text in every process, untouched
 * reservations that read as zeros), so a scan over every VMA repeats most
 * windows. Keys are XXH3-128 of the bytes plus length and limit (a window
 * with no mapped page is known to be zeros without hashing). Only windows
 * with few, short hits are kept, so the memo stays small. */
#define MEMO_SLOTS 512
#define MEMO_HITS 8
#define MEMO_DATA 128

struct memo_hit {
    size_t off;
    const char *rule, *ns, *string;
    uint8_t data[MEMO_DATA];
    size_t len;
};

struct memo_entry {
    int used, zero;
    XXH128_hash_t h;
    size_t n, limit, nhits;
    struct memo_hit hits[MEMO_HITS];
};

struct scry_yara_memo {
    struct memo_entry slot[MEMO_SLOTS];
    uint64_t lookups, found;
};

scry_status scry_yara_memo_new(struct scry_yara_memo **out)
{
    if (!(*out = calloc(1, sizeof **out)))
        return scry_err(SCRY_ERR_NOMEM, "out of memory for a YARA memo");
    return SCRY_OK;
}

void scry_yara_memo_free(struct scry_yara_memo *m) { free(m); }

uint64_t scry_yara_memo_hits(const struct scry_yara_memo *m) { return m ? m->found : 0; }

/* Records what a scan reports (and passes it on) for the memo. */
struct recorder {
    scry_yara_hit_fn fn;
    void *user;
    uint64_t base;
    struct memo_entry *e; /* NULL once the window has too many hits */
};

static int record(void *user, const struct scry_yara_hit *h)
{
    struct recorder *r = user;
    struct memo_entry *e = r->e;
    if (e) {
        if (e->nhits == MEMO_HITS || h->len > MEMO_DATA) {
            r->e = NULL;
        } else {
            struct memo_hit *m = &e->hits[e->nhits++];
            m->off = (size_t)(h->addr - r->base);
            m->rule = h->rule, m->ns = h->ns, m->string = h->string;
            memcpy(m->data, h->data, h->len);
            m->len = h->len;
        }
    }
    return r->fn(r->user, h);
}

/* One streamed scan: windows of `window` bytes stepping by window -
 * overlap. fill() puts [a, a+n) into the window buffer (or returns a view
 * of it in *view). */
struct stream {
    const struct scry_yara_rules *r;
    struct scry_op *op;
    scry_yara_hit_fn fn;
    void *user;
    size_t window, overlap;
    struct scry_yara_memo *memo; /* NULL: none */
    uint8_t *buf; /* window bytes, allocated on first use */
    int too_many;
    uint64_t done, total; /* progress, in bytes */
};

/* *zero (may be left alone): set when the window is known to be zeros. */
typedef scry_status (*fill_fn)(void *src, uint64_t a, size_t n, uint8_t *buf,
                               const uint8_t **view, int *zero);

/* Scans one window through the memo when there is one. */
static scry_status scan_window(struct stream *s, const uint8_t *buf, size_t n, size_t limit,
                               uint64_t base, int zero, int *stopped)
{
    if (!s->memo)
        return scry_yara_scan_limited(s->r, buf, n, limit, base, s->fn, s->user, stopped,
                                      &s->too_many);
    XXH128_hash_t h = {0, 0};
    if (!zero)
        h = XXH3_128bits(buf, n);
    struct memo_entry *e = &s->memo->slot[(h.low64 ^ n ^ (uint64_t)limit * 31) % MEMO_SLOTS];
    s->memo->lookups++;
    if (e->used && e->zero == zero && e->n == n && e->limit == limit &&
        XXH128_isEqual(e->h, h)) {
        s->memo->found++;
        for (size_t i = 0; i < e->nhits; i++) {
            const struct memo_hit *m = &e->hits[i];
            struct scry_yara_hit hit = {.addr = base + m->off, .rule = m->rule, .ns = m->ns,
                                        .string = m->string, .data = m->data, .len = m->len};
            if (s->fn(s->user, &hit)) {
                *stopped = 1;
                break;
            }
        }
        return SCRY_OK;
    }
    e->used = 0;
    e->nhits = 0;
    struct recorder r = {.fn = s->fn, .user = s->user, .base = base, .e = e};
    int too_many = 0;
    scry_status st = scry_yara_scan_limited(s->r, buf, n, limit, base, record, &r, stopped,
                                            &too_many);
    s->too_many |= too_many;
    if (st == SCRY_OK && !*stopped && !too_many && r.e) {
        e->used = 1, e->zero = zero, e->h = h, e->n = n, e->limit = limit;
    }
    return st;
}

/* Streams [start, end). Returns SCRY_OK with *stopped when fn asked to stop. */
static scry_status stream_range(struct stream *s, uint64_t start, uint64_t end, fill_fn fill,
                                void *src, int *stopped)
{
    size_t step = s->window - s->overlap;
    for (uint64_t a = start; a < end; a += step) {
        size_t n = end - a < s->window ? (size_t)(end - a) : s->window;
        int last = a + n >= end;
        const uint8_t *view = NULL;
        int zero = 0;
        if (!s->buf && !(s->buf = malloc(s->window)))
            return scry_err(SCRY_ERR_NOMEM, "out of memory for a %zu-byte scan window", s->window);
        scry_status st = fill(src, a, n, s->buf, &view, &zero);
        if (st != SCRY_OK)
            return st;
        st = scan_window(s, view ? view : s->buf, n, last ? n : step, a, zero, stopped);
        if (st != SCRY_OK || *stopped)
            return st;
        s->done += last ? n : step;
        if (scry_op_tick(s->op, s->done, s->total))
            return scry_op_cancelled();
        if (last)
            break;
    }
    return SCRY_OK;
}

static scry_status stream_init(struct stream *s, const struct scry_yara_rules *r, size_t window,
                               size_t overlap, struct scry_op *op, scry_yara_hit_fn fn, void *user)
{
    memset(s, 0, sizeof *s);
    if (!r || !r->rules || !fn)
        return scry_err(SCRY_ERR_INVALID_ARG, "YARA scan: no rules or no callback");
    s->r = r, s->op = op, s->fn = fn, s->user = user;
    s->window = window ? window : SCRY_YARA_WINDOW;
    s->overlap = overlap;
    if (s->overlap >= s->window)
        return scry_err(SCRY_ERR_INVALID_ARG, "YARA scan: overlap %zu not below window %zu",
                        s->overlap, s->window);
    return SCRY_OK;
}

static void stream_end(struct stream *s, const char *what)
{
    if (s->too_many)
        scry_op_say(s->op, SCRY_DIAG_WARNING, SCRY_ERR_LIMIT,
                    "%s: a YARA string matched more often than libyara keeps; some of its "
                    "matches are missing",
                    what);
    free(s->buf);
}

/* ---- virtual ranges: unmapped bytes read as zeros */

struct vfill {
    struct scry_vspace *vs;
    uint8_t *buf;
    uint64_t a;
    int mapped; /* some page of the window is mapped */
    uint64_t *bad; /* ranges that could not be decoded (read as zeros) */
    scry_status st;
};

static int vfill_range(void *user, uint64_t va, uint64_t pa, uint64_t len)
{
    struct vfill *f = user;
    f->mapped = 1;
    size_t holes = 0;
    f->st = scry_phys_read(f->vs->phys, pa, f->buf + (va - f->a), (size_t)len, &holes);
    if (f->st == SCRY_ERR_CORRUPT) {
        /* An undecodable page reads as zeros, as an unmapped one would;
         * counted for the caller's WARNING. */
        memset(f->buf + (va - f->a), 0, (size_t)len);
        (*f->bad)++;
        f->st = SCRY_OK;
    }
    return f->st != SCRY_OK;
}

struct vrange_src {
    struct scry_vspace *vs;
    uint64_t bad; /* ranges read as zeros because they could not be decoded */
};

/* Fills the window from the mapped ranges only: a sparse range costs its
 * page-table walk, not a failed translation per page. */
static scry_status vfill(void *src, uint64_t a, size_t n, uint8_t *buf, const uint8_t **view,
                         int *zero)
{
    struct vrange_src *v = src;
    struct vfill f = {.vs = v->vs, .buf = buf, .a = a, .bad = &v->bad};
    (void)view;
    memset(buf, 0, n);
    scry_status st = scry_vspace_enumerate(f.vs, a, a + n, 0, vfill_range, &f);
    if (st == SCRY_OK && f.st == SCRY_OK && !f.mapped)
        *zero = 1;
    return st != SCRY_OK ? st : f.st;
}

scry_status scry_yara_scan_vrange(const struct scry_yara_rules *r, struct scry_vspace *vs,
                                  uint64_t start, uint64_t end, size_t window, size_t overlap,
                                  struct scry_yara_memo *memo, struct scry_op *op,
                                  scry_yara_hit_fn fn, void *user)
{
    struct stream s;
    int stopped = 0;
    scry_status st = stream_init(&s, r, window, overlap, op, fn, user);
    if (st != SCRY_OK)
        return st;
    s.memo = memo;
    if (!vs)
        return scry_err(SCRY_ERR_INVALID_ARG, "YARA scan: no address space");
    uint64_t mask = scry_vspace_mask(vs);
    if (end > mask + 1 && mask != UINT64_MAX)
        end = mask + 1;
    s.total = end > start ? end - start : 0;
    struct vrange_src src = {.vs = vs};
    if (start < end)
        st = stream_range(&s, start, end, vfill, &src, &stopped);
    if (src.bad)
        scry_op_say(op, SCRY_DIAG_WARNING, SCRY_ERR_CORRUPT,
                    "YARA scan of 0x%" PRIx64 "-0x%" PRIx64 ": %" PRIu64 " range(s) could not "
                    "be decoded and were searched as zeros",
                    start, end, src.bad);
    stream_end(&s, "YARA scan");
    return st;
}

/* ---- the physical layer: runs merged where physically adjacent, windows
 * scanned two at a time (yara_pair.c) */

scry_status scry_yara_scan_phys(const struct scry_yara_rules *r, struct scry_phys *phys,
                                struct scry_op *op, scry_yara_hit_fn fn, void *user)
{
    const size_t window = SCRY_YARA_WINDOW, step = SCRY_YARA_WINDOW - SCRY_YARA_OVERLAP;
    struct yara_pair x;
    uint64_t total = 0, done = 0;
    scry_status st = SCRY_OK;
    if (!r || !r->rules || !fn || !phys)
        return scry_err(SCRY_ERR_INVALID_ARG, "YARA scan of physical memory: bad argument");
    for (size_t i = 0; i < phys->nruns; i++)
        total += phys->runs[i].len;
    yara_pair_init(&x, r, phys, 1, fn, user);
    for (size_t i = 0; i < phys->nruns && st == SCRY_OK && !x.stopped;) {
        /* Adjacent runs are one stream: a match may cross from one to the
         * next. */
        uint64_t a = phys->runs[i].start, b = a + phys->runs[i].len;
        for (i++; i < phys->nruns && phys->runs[i].start == b; i++)
            b += phys->runs[i].len;
        for (uint64_t w = a; w < b && st == SCRY_OK && !x.stopped; w += step) {
            size_t n = b - w < window ? (size_t)(b - w) : window;
            int last = w + n >= b;
            struct yara_win win = {.pa = w, .n = n, .limit = last ? n : step, .base = w};
            st = yara_pair_add(&x, &win);
            done += last ? n : step;
            if (st == SCRY_OK && scry_op_tick(op, done, total))
                st = scry_op_cancelled();
            if (last)
                break;
        }
    }
    if (st == SCRY_OK)
        st = yara_pair_flush(&x);
    if (x.too_many)
        scry_op_say(op, SCRY_DIAG_WARNING, SCRY_ERR_LIMIT,
                    "YARA scan of physical memory: a string matched more often than libyara "
                    "keeps; some of its matches are missing");
    if (x.bad_pages)
        scry_op_say(op, SCRY_DIAG_WARNING, SCRY_ERR_CORRUPT,
                    "YARA scan of physical memory: %" PRIu64 " page(s) could not be decoded and "
                    "were searched as zeros (the first at %s)",
                    x.bad_pages, x.first_skip);
    yara_pair_free(&x);
    return st;
}
