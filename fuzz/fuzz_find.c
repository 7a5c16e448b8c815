/* fuzz_find.c - libFuzzer harness for scry_find (and its SSE2 filter)
 * against glibc's memmem.
 *
 * Input: byte 0 and 1 give the needle's length (little-endian, modulo the
 * bytes left), then the needle, then the haystack. Both are copied into
 * buffers of exactly their size, so ASan flags any read past either. Every
 * occurrence is looked for as scry_scan_phys does (resuming one byte after
 * each hit, at most 256 hits); any difference from memmem aborts. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/find.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef const void *(*find_fn)(const void *, size_t, const void *, size_t);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const find_fn fns[] = {scry_find, scry_find_sse2};
    if (size < 2)
        return 0;
    size_t left = size - 2, nlen = ((size_t)data[0] | (size_t)data[1] << 8) % (left + 1);
    size_t hlen = left - nlen;
    uint8_t *n = malloc(nlen ? nlen : 1), *h = malloc(hlen ? hlen : 1);
    if (!n || !h)
        abort();
    memcpy(n, data + 2, nlen);
    memcpy(h, data + 2 + nlen, hlen);
    for (size_t f = 0; f < sizeof fns / sizeof fns[0]; f++) {
        const uint8_t *p = h, *end = h + hlen;
        for (int hits = 0; hits < 256; hits++) {
            const uint8_t *want = memmem(p, (size_t)(end - p), n, nlen);
            const uint8_t *got = fns[f](p, (size_t)(end - p), n, nlen);
            if (got != want)
                abort();
            if (!got || got >= end)
                break;
            p = got + 1;
        }
    }
    free(n);
    free(h);
    return 0;
}
