/* scan.c - string scans over physical memory. */
#include "lib/phys/scan.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { CHUNK = 4 << 20 };

/* Searches buf[0, len) and reports hits that start before `limit` (the rest
 * belong to the next slice); returns 1 when fn asked to stop. */
static int scan_buf(const uint8_t *buf, size_t len, size_t limit, uint64_t base, const void *needle,
                    size_t nlen, scry_scan_fn fn, void *user)
{
    const uint8_t *p = buf, *end = buf + len;
    while (p < end) {
        const uint8_t *hit = memmem(p, (size_t)(end - p), needle, nlen);
        if (!hit || (size_t)(hit - buf) >= limit)
            break;
        if (fn(user, base + (uint64_t)(hit - buf)))
            return 1;
        p = hit + 1;
    }
    return 0;
}

scry_status scry_scan_phys(struct scry_phys *p, struct scry_op *op, const void *needle, size_t nlen,
                           scry_scan_fn fn, void *user)
{
    uint8_t *chunk = NULL;
    int stop = 0;
    uint64_t total = 0, done = 0, skipped = 0;
    char first_skip[512] = "";
    scry_status rc = SCRY_OK;
    if (!nlen || nlen > CHUNK / 2)
        return scry_err(SCRY_ERR_INVALID_ARG, "bad scan pattern length %zu", nlen);
    for (size_t r = 0; r < p->nruns; r++)
        total += p->runs[r].len;
    for (size_t r = 0; r < p->nruns && !stop; r++) {
        uint64_t start = p->runs[r].start, len = p->runs[r].len;
        const uint8_t *direct =
            p->ops->direct && len <= SIZE_MAX ? p->ops->direct(p, start, (size_t)len) : NULL;
        /* Slices of CHUNK bytes, each searched with nlen - 1 bytes of the
         * next so a straddling match is found once. */
        for (uint64_t off = 0; off < len && !stop; off += CHUNK) {
            size_t n = len - off < CHUNK ? (size_t)(len - off) : CHUNK;
            size_t ext = len - off - n < nlen - 1 ? (size_t)(len - off - n) : nlen - 1;
            const uint8_t *buf;
            if (direct) {
                buf = direct + off;
            } else {
                size_t holes;
                scry_status st;
                if (!chunk && !(chunk = malloc(CHUNK + nlen)))
                    return scry_err(SCRY_ERR_NOMEM, "out of memory");
                st = scry_phys_read(p, start + off, chunk, n + ext, &holes);
                if (st == SCRY_ERR_CORRUPT) {
                    /* A page that cannot be decoded is skipped (read as
                     * zeros), as Volatility's scanners skip unreadable
                     * pages: one bad page must not hide the rest. */
                    for (size_t k = 0; k < n + ext; k += SCRY_PAGE_SIZE) {
                        size_t m = n + ext - k < SCRY_PAGE_SIZE ? n + ext - k : SCRY_PAGE_SIZE;
                        if (scry_phys_read(p, start + off + k, chunk + k, m, &holes) != SCRY_OK) {
                            if (!skipped++)
                                snprintf(first_skip, sizeof first_skip, "%s", scry_last_error());
                            memset(chunk + k, 0, m);
                        }
                    }
                    st = SCRY_OK;
                }
                if (st != SCRY_OK) {
                    free(chunk);
                    return st;
                }
                buf = chunk;
            }
            stop = scan_buf(buf, n + ext, n, start + off, needle, nlen, fn, user);
            /* A long scan must not leave the whole image resident. */
            if (direct)
                scry_file_drop(p->file, buf, n);
            done += n;
            if (!stop && scry_op_tick(op, done, total)) {
                rc = scry_op_cancelled();
                stop = 1;
            }
        }
    }
    free(chunk);
    if (skipped) {
        scry_err(SCRY_ERR_CORRUPT, "%s", first_skip);
        scry_op_report(op, SCRY_DIAG_WARNING, SCRY_ERR_CORRUPT,
                       "%" PRIu64 " page%s that cannot be decoded %s searched as zeros; the first",
                       skipped, skipped == 1 ? "" : "s", skipped == 1 ? "was" : "were");
    }
    return rc;
}
