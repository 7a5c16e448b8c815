/* scan.c - string scans over physical memory. */
#include "lib/phys/scan.h"

#include "lib/base/find.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { CHUNK = 4 << 20 };

/* Searches buf[0, len) for each needle and reports the hits that start
 * before `limit` (the rest belong to the next slice); returns 1 when fn
 * asked to stop. Several needles go over one SUB-byte piece at a time,
 * which the next needle then finds in the core's cache: a slice read from
 * memory once, not once per needle. */
enum { SUB = 256 << 10 };

static int scan_buf(const uint8_t *buf, size_t len, size_t limit, uint64_t base,
                    const struct scry_needle *needles, size_t nneedles, size_t maxlen,
                    scry_scan_multi_fn fn, void *user)
{
    for (size_t sub = 0; sub < limit; sub += SUB) {
        size_t sublimit = limit - sub < SUB ? limit - sub : SUB;
        size_t sublen = len - sub < sublimit + maxlen - 1 ? len - sub : sublimit + maxlen - 1;
        const uint8_t *piece = buf + sub;
        for (size_t k = 0; k < nneedles; k++) {
            const uint8_t *p = piece, *end = piece + sublen;
            while (p < end) {
                const uint8_t *hit =
                    scry_find(p, (size_t)(end - p), needles[k].bytes, needles[k].len);
                if (!hit || (size_t)(hit - piece) >= sublimit)
                    break;
                if (fn(user, k, base + sub + (uint64_t)(hit - piece)))
                    return 1;
                p = hit + 1;
            }
        }
    }
    return 0;
}

uint64_t scry_scan_searched(const struct scry_phys *p)
{
    return atomic_load((_Atomic uint64_t *)&p->searched);
}

struct scan {
    struct scry_phys *p;
    struct scry_op *op;
    const struct scry_needle *needles;
    size_t nneedles, nlen; /* nlen: the longest needle */
    scry_scan_multi_fn fn;
    void *user;
    uint8_t *chunk;
    uint64_t total, done, skipped;
    char first_skip[512];
    int stop;
    scry_status rc;
};

/* Searches [a, b) of run r (direct: its zero-copy view or NULL); a match
 * starting before b may run on to the run's end. */
static scry_status scan_range(struct scan *s, size_t r, const uint8_t *direct, uint64_t a,
                              uint64_t b)
{
    struct scry_phys *p = s->p;
    uint64_t start = p->runs[r].start, len = p->runs[r].len;
    size_t nlen = s->nlen;
    /* Slices of CHUNK bytes, each searched with nlen - 1 bytes of the next
     * so a straddling match is found once. Offsets are from the run's start. */
    for (uint64_t off = a - start; off < b - start && !s->stop; off += CHUNK) {
        size_t n = b - start - off < CHUNK ? (size_t)(b - start - off) : CHUNK;
        size_t ext = len - off - n < nlen - 1 ? (size_t)(len - off - n) : nlen - 1;
        const uint8_t *buf;
        if (direct) {
            buf = direct + off;
        } else {
            size_t holes;
            scry_status st;
            if (!s->chunk && !(s->chunk = malloc(CHUNK + nlen)))
                return scry_err(SCRY_ERR_NOMEM, "out of memory");
            st = scry_phys_read(p, start + off, s->chunk, n + ext, &holes);
            if (st == SCRY_ERR_CORRUPT) {
                /* A page that cannot be decoded is skipped (read as zeros),
                 * as Volatility's scanners skip unreadable pages: one bad
                 * page must not hide the rest. */
                for (size_t k = 0; k < n + ext; k += SCRY_PAGE_SIZE) {
                    size_t m = n + ext - k < SCRY_PAGE_SIZE ? n + ext - k : SCRY_PAGE_SIZE;
                    if (scry_phys_read(p, start + off + k, s->chunk + k, m, &holes) != SCRY_OK) {
                        if (!s->skipped++)
                            snprintf(s->first_skip, sizeof s->first_skip, "%s",
                                     scry_last_error());
                        memset(s->chunk + k, 0, m);
                    }
                }
                st = SCRY_OK;
            }
            if (st != SCRY_OK)
                return st;
            buf = s->chunk;
        }
        s->stop = scan_buf(buf, n + ext, n, start + off, s->needles, s->nneedles, nlen, s->fn,
                           s->user);
        atomic_fetch_add_explicit(&p->searched, n, memory_order_relaxed);
        /* A long scan must not leave the whole image resident. */
        if (direct)
            scry_file_drop(p->file, buf, n);
        s->done += n;
        if (!s->stop && scry_op_tick(s->op, s->done, s->total)) {
            s->rc = scry_op_cancelled();
            s->stop = 1;
        }
    }
    return SCRY_OK;
}

scry_status scry_scan_phys_multi(struct scry_phys *p, struct scry_op *op,
                                 const struct scry_needle *needles, size_t nneedles,
                                 scry_scan_multi_fn fn, void *user)
{
    struct scan s = {.p = p, .op = op, .needles = needles, .nneedles = nneedles, .fn = fn,
                     .user = user};
    scry_status st = SCRY_OK;
    int sparse = p->next_data != NULL;
    if (!nneedles)
        return scry_err(SCRY_ERR_INVALID_ARG, "no scan pattern");
    for (size_t k = 0; k < nneedles; k++) {
        if (!needles[k].len || needles[k].len > CHUNK / 2)
            return scry_err(SCRY_ERR_INVALID_ARG, "bad scan pattern length %zu", needles[k].len);
        if (needles[k].len > s.nlen)
            s.nlen = needles[k].len;
        /* Holes read as zeros, so a match - which starts with a non-zero
         * byte - can only start in data: the scan skips what the reader
         * reports as holes (a sparse image's unallocated stretches). */
        if (((const uint8_t *)needles[k].bytes)[0] == 0)
            sparse = 0;
    }
    for (size_t r = 0; r < p->nruns; r++)
        s.total += p->runs[r].len;
    for (size_t r = 0; r < p->nruns && !s.stop && st == SCRY_OK; r++) {
        uint64_t start = p->runs[r].start, len = p->runs[r].len, end = start + len;
        const uint8_t *direct =
            p->ops->direct && len <= SIZE_MAX ? p->ops->direct(p, start, (size_t)len) : NULL;
        if (!sparse) {
            st = scan_range(&s, r, direct, start, end);
            continue;
        }
        for (uint64_t pos = start, ds, de; pos < end && !s.stop && st == SCRY_OK; pos = de) {
            if (!p->next_data(p, pos, &ds, &de) || ds >= end)
                ds = de = end;
            if (de > end)
                de = end;
            if (ds < pos)
                ds = pos;
            s.done += ds - pos; /* the hole, for progress */
            if (ds < de)
                st = scan_range(&s, r, direct, ds, de);
            else if (de <= pos)
                break;
        }
    }
    free(s.chunk);
    if (st != SCRY_OK)
        return st;
    if (s.skipped) {
        scry_err(SCRY_ERR_CORRUPT, "%s", s.first_skip);
        scry_op_report(op, SCRY_DIAG_WARNING, SCRY_ERR_CORRUPT,
                       "%" PRIu64 " page%s that cannot be decoded %s searched as zeros; the first",
                       s.skipped, s.skipped == 1 ? "" : "s", s.skipped == 1 ? "was" : "were");
    }
    return s.rc;
}

/* One needle: the multi-needle scan with an adapter for the callback. */
struct one {
    scry_scan_fn fn;
    void *user;
};

static int one_hit(void *user, size_t which, uint64_t pa)
{
    const struct one *o = user;
    (void)which;
    return o->fn(o->user, pa);
}

scry_status scry_scan_phys(struct scry_phys *p, struct scry_op *op, const void *needle, size_t nlen,
                           scry_scan_fn fn, void *user)
{
    struct scry_needle n = {needle, nlen};
    struct one o = {fn, user};
    return scry_scan_phys_multi(p, op, &n, 1, one_hit, &o);
}
