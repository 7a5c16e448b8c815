/* scan.c - string scans over physical memory. */
#include "scan.h"

#include <stdlib.h>
#include <string.h>

enum { CHUNK = 4 << 20 };

/* Scans one contiguous buffer at physical address base; returns 1 when fn
 * asked to stop. */
static int scan_buf(const uint8_t *buf, size_t len, uint64_t base, const void *needle,
                    size_t nlen, size_t from, scry_scan_fn fn, void *user)
{
    const uint8_t *p = buf + from, *end = buf + len;
    while (p < end) {
        const uint8_t *hit = memmem(p, (size_t)(end - p), needle, nlen);
        if (!hit)
            break;
        if (fn(user, base + (uint64_t)(hit - buf)))
            return 1;
        p = hit + 1;
    }
    return 0;
}

scry_status scry_scan_phys(struct scry_phys *p, const void *needle, size_t nlen, scry_scan_fn fn,
                           void *user)
{
    uint8_t *chunk = NULL;
    if (!nlen)
        return scry_err(SCRY_ERR_INVALID_ARG, "empty scan pattern");
    for (size_t r = 0; r < p->nruns; r++) {
        uint64_t start = p->runs[r].start, len = p->runs[r].len;
        const uint8_t *direct =
            p->ops->direct && len <= SIZE_MAX ? p->ops->direct(p, start, (size_t)len) : NULL;
        if (direct) {
            if (scan_buf(direct, (size_t)len, start, needle, nlen, 0, fn, user))
                break;
            continue;
        }
        if (!chunk && !(chunk = malloc(CHUNK)))
            return scry_err(SCRY_ERR_NOMEM, "out of memory");
        /* Chunks overlap by nlen - 1 bytes; hits starting in the overlap were
         * reported by the previous chunk, so each chunk searches from its
         * new bytes' start minus (nlen - 1) only once. */
        uint64_t off = 0;
        int stop = 0;
        while (off < len && !stop) {
            uint64_t back = off ? nlen - 1 : 0;
            uint64_t want = len - off + back;
            size_t n = want > CHUNK ? CHUNK : (size_t)want;
            size_t holes;
            scry_status st = scry_phys_read(p, start + off - back, chunk, n, &holes);
            if (st != SCRY_OK) {
                free(chunk);
                return st;
            }
            stop = scan_buf(chunk, n, start + off - back, needle, nlen, 0, fn, user);
            off += n - back;
        }
        if (stop)
            break;
    }
    free(chunk);
    return SCRY_OK;
}
