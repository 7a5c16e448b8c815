/* hashset.h - a set of 64-bit addresses for cycle checks in list walks.
 * Open addressing, grows by doubling; the zero address is never stored
 * (callers never need it: a NULL link ends a walk anyway). */
#ifndef SCRY_HASHSET_H
#define SCRY_HASHSET_H

#include <stdint.h>
#include <stdlib.h>

struct scry_hashset {
    uint64_t *slot;
    size_t cap, n; /* cap is a power of two */
};

static inline uint64_t scry_hs_mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    return x;
}

/* Adds v; returns 1 if added, 0 if already present, -1 on out of memory. */
static inline int scry_hs_add(struct scry_hashset *h, uint64_t v)
{
    if (h->n * 2 >= h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 1024;
        uint64_t *s = calloc(cap, sizeof *s);
        if (!s)
            return -1;
        for (size_t i = 0; i < h->cap; i++) {
            if (!h->slot[i])
                continue;
            size_t j = scry_hs_mix(h->slot[i]) & (cap - 1);
            while (s[j])
                j = (j + 1) & (cap - 1);
            s[j] = h->slot[i];
        }
        free(h->slot);
        h->slot = s;
        h->cap = cap;
    }
    size_t i = scry_hs_mix(v) & (h->cap - 1);
    while (h->slot[i]) {
        if (h->slot[i] == v)
            return 0;
        i = (i + 1) & (h->cap - 1);
    }
    h->slot[i] = v;
    h->n++;
    return 1;
}

static inline int scry_hs_has(const struct scry_hashset *h, uint64_t v)
{
    if (!h->cap)
        return 0;
    for (size_t i = scry_hs_mix(v) & (h->cap - 1); h->slot[i]; i = (i + 1) & (h->cap - 1))
        if (h->slot[i] == v)
            return 1;
    return 0;
}

static inline void scry_hs_free(struct scry_hashset *h)
{
    free(h->slot);
    h->slot = NULL;
    h->cap = h->n = 0;
}

#endif
