/* yara_layer.c - a YARA scan of a whole virtual layer as Volatility's
 * layer.scan feeds yarascan (interfaces/layers.py _scan_iterator, over
 * Intel.mapping with ignore_errors).
 *
 * What Volatility visits: every page a translation reaches whose physical
 * bytes are wholly in the dump (a page, large pages included, that runs
 * past the end of the physical layer is skipped whole), addresses masked
 * to the paging mode's width, the top byte of the space excluded (the
 * section is [min, max), max being the mask).
 *
 * How it cuts them: mapping() joins pages contiguous both virtually and
 * physically into blocks; _scan_iterator then never puts two blocks into
 * one chunk (a new block ships the chunk in progress), and cuts a block
 * into chunks starting every 16 MiB, each up to 16 MiB + 4 KiB long, so
 * consecutive chunks of one block share 4 KiB. yarascan's scanner keeps
 * every match of a chunk, also those starting in the shared 4 KiB, so a
 * match there is reported twice (once per chunk), and a match across two
 * blocks (e.g. two virtually adjacent pages that are not physically
 * adjacent) is not found at all. This file reproduces both. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "lib/scan/yara_priv.h"

#define CHUNK ((uint64_t)16 << 20)
#define OVERLAP ((uint64_t)4096)

struct layer_scan {
    const struct scry_yara_rules *r;
    struct scry_vspace *vs;
    struct scry_phys *phys;
    struct scry_op *op;
    scry_yara_hit_fn fn;
    void *user;
    struct yara_pair pair; /* chunks scanned two at a time, hits in order */
    /* With a usable prescan: its list answers every chunk (no libyara). */
    struct scry_yara_prescan *pre;
    const uint64_t *hits;
    size_t nhits;
    const char *needle;
    size_t nlen;
    const char *rule, *ns, *string; /* the one rule's identifiers */
    int stopped;
    scry_status st;
};

/* The end of the stretch of adjacent runs holding pa, or 0 when pa is in
 * no run. */
static uint64_t present_end(const struct scry_phys *p, uint64_t pa)
{
    size_t lo = 0, hi = p->nruns;
    while (lo < hi) { /* first run starting after pa */
        size_t mid = lo + (hi - lo) / 2;
        if (p->runs[mid].start <= pa)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return 0;
    size_t i = lo - 1;
    uint64_t end = p->runs[i].start + p->runs[i].len;
    if (pa >= end)
        return 0;
    for (i++; i < p->nruns && p->runs[i].start == end; i++)
        end += p->runs[i].len;
    return end;
}

static int valid(const struct scry_phys *p, uint64_t pa, uint64_t len)
{
    uint64_t e = present_end(p, pa);
    return e && pa + len <= e;
}

/* Queues one chunk [va, va+n) whose bytes are [pa, pa+n): every match in
 * it is kept (limit n), as Volatility's YaraScanner keeps them. */
static void scan_chunk(struct layer_scan *s, uint64_t va, uint64_t pa, size_t n)
{
    if (s->pre) {
        /* The matches wholly inside the chunk, in address order: what
         * libyara reports for the plain string's rule. */
        scry_yara_prescan_answered_one(s->pre);
        for (size_t i = scry_yara_prescan_first(s->pre, pa);
             i < s->nhits && s->hits[i] + s->nlen <= pa + n; i++) {
            struct scry_yara_hit h = {.addr = va + (s->hits[i] - pa), .rule = s->rule,
                                      .ns = s->ns, .string = s->string,
                                      .data = (const uint8_t *)s->needle, .len = s->nlen};
            if (s->fn(s->user, &h)) {
                s->stopped = 1;
                return;
            }
        }
        return;
    }
    struct yara_win w = {.pa = pa, .n = n, .limit = n, .base = va};
    s->st = yara_pair_add(&s->pair, &w);
    s->stopped = s->pair.stopped;
}

/* One block: pages contiguous virtually and physically, all present. */
static void scan_block(struct layer_scan *s, uint64_t va, uint64_t pa, uint64_t len)
{
    for (uint64_t off = 0; off < len && s->st == SCRY_OK && !s->stopped; off += CHUNK) {
        uint64_t n = len - off < CHUNK + OVERLAP ? len - off : CHUNK + OVERLAP;
        scan_chunk(s, va + off, pa + off, (size_t)n);
        if (scry_op_tick(s->op, va + off, scry_vspace_mask(s->vs))) {
            s->st = scry_op_cancelled();
            return;
        }
    }
}

/* A range the enumeration reports, cut where its pages leave the dump:
 * the common case (all present) is one block; otherwise each page is
 * judged whole, as Volatility's is_valid(page) does. */
static int on_range(void *user, uint64_t va, uint64_t pa, uint64_t len)
{
    struct layer_scan *s = user;
    if (valid(s->phys, pa, len)) {
        scan_block(s, va, pa, len);
        return s->st != SCRY_OK || s->stopped;
    }
    uint64_t bva = 0, bpa = 0, blen = 0;
    for (uint64_t off = 0; off < len && s->st == SCRY_OK;) {
        uint64_t x = va + off, tpa, psize;
        struct scry_vfault f;
        if (scry_vspace_translate_ex(s->vs, x, &tpa, &psize, &f) != SCRY_OK)
            psize = 4096; /* cannot happen for an enumerated page; move on */
        uint64_t in = x & (psize - 1); /* offset of x in its page */
        uint64_t plen = psize - in;
        if (plen > len - off)
            plen = len - off;
        int ok = valid(s->phys, pa + off - in, psize);
        if (ok && blen && bva + blen == x) {
            blen += plen;
        } else {
            if (blen)
                scan_block(s, bva, bpa, blen);
            blen = 0;
            if (ok)
                bva = x, bpa = pa + off, blen = plen;
        }
        off += plen;
    }
    if (blen && s->st == SCRY_OK && !s->stopped)
        scan_block(s, bva, bpa, blen);
    return s->st != SCRY_OK || s->stopped;
}

/* Uses pre's list when it searched for exactly r's plain string, in the
 * same physical layer, and r is one rule with one string. */
static void use_prescan(struct layer_scan *s, struct scry_yara_prescan *pre)
{
    const YR_RULE *rule, *one = NULL;
    const YR_STRING *str, *only = NULL;
    size_t nrules = 0, nstrings = 0;
    if (!pre || !s->r->plain || !scry_yara_prescan_wait(pre))
        return;
    const struct scry_phys *of;
    s->needle = scry_yara_prescan_needle(pre, &of, &s->nlen);
    if (of != s->phys || strcmp(s->needle, s->r->plain) != 0)
        return;
    yr_rules_foreach(s->r->rules, rule)
    {
        nrules++;
        one = rule;
    }
    if (nrules != 1)
        return;
    yr_rule_strings_foreach(one, str)
    {
        nstrings++;
        only = str;
    }
    if (nstrings != 1)
        return;
    s->rule = one->identifier;
    s->ns = one->ns ? one->ns->name : "default";
    s->string = only->identifier;
    s->hits = scry_yara_prescan_hits(pre, &s->nhits);
    s->pre = pre;
}

scry_status scry_yara_scan_layer(const struct scry_yara_rules *r, struct scry_vspace *vs,
                                 struct scry_op *op, scry_yara_hit_fn fn, void *user)
{
    return scry_yara_scan_layer_pre(r, NULL, vs, op, fn, user);
}

scry_status scry_yara_scan_layer_pre(const struct scry_yara_rules *r,
                                     struct scry_yara_prescan *pre, struct scry_vspace *vs,
                                     struct scry_op *op, scry_yara_hit_fn fn, void *user)
{
    if (!r || !r->rules || !vs || !fn)
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_yara_scan_layer: bad argument");
    struct layer_scan s = {
        .r = r, .vs = vs, .phys = vs->phys, .op = op, .fn = fn, .user = user, .st = SCRY_OK};
    use_prescan(&s, pre);
    /* Volatility drops a chunk it cannot read and goes on. */
    yara_pair_init(&s.pair, r, vs->phys, 0, fn, user);
    scry_status st = scry_vspace_enumerate(vs, 0, scry_vspace_mask(vs), 0, on_range, &s);
    if (st == SCRY_OK)
        st = s.st;
    if (st == SCRY_OK && !s.stopped)
        st = yara_pair_flush(&s.pair);
    if (s.pair.skipped)
        scry_op_say(op, SCRY_DIAG_WARNING, SCRY_ERR_CORRUPT,
                    "YARA scan: %" PRIu64 " chunk(s) could not be read and were not searched "
                    "(the first at %s)",
                    s.pair.skipped, s.pair.first_skip);
    if (s.pair.too_many)
        scry_op_say(op, SCRY_DIAG_WARNING, SCRY_ERR_LIMIT,
                    "YARA scan: a string matched more often than libyara keeps; some of its "
                    "matches are missing");
    yara_pair_free(&s.pair);
    return st;
}
