/* pagecache.c - sharded, bounded cache of decoded pages (see pagecache.h).
 *
 * Each shard is a fixed array of page slots with a small chained hash over
 * them. Hits copy out under the shard mutex: a 4 KiB memcpy is far shorter
 * than any decompression, and copying means no reference counts and no page
 * can be evicted while a reader still looks at it. */
#include "lib/base/pagecache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

enum { NSHARDS = 16, NONE = -1 };

struct shard {
    /* One cache line per shard start, so two threads working on different
     * shards never bounce the same line. */
    _Alignas(64) pthread_mutex_t lock;
    uint64_t *key;   /* per slot */
    int32_t *next;   /* per slot: hash chain */
    uint8_t *ref;    /* per slot: clock "recently used" bit */
    int32_t *bucket; /* per bucket: first slot or NONE */
    uint8_t *data;   /* slots * page size; NULL until the first insert */
    uint32_t used, hand;
    uint64_t hits, misses, inserts, evictions;
};

struct scry_pagecache {
    uint32_t slots;    /* per shard */
    uint32_t nbuckets; /* per shard, a power of two */
    struct shard shard[NSHARDS];
};

/* Fibonacci hashing: consecutive PFNs (the common access pattern) spread
 * over all shards; the top bits pick the shard, lower ones the bucket. */
static inline uint64_t mix(uint64_t pfn) { return pfn * 0x9E3779B97F4A7C15ull; }
static inline struct shard *shard_of(struct scry_pagecache *c, uint64_t h)
{
    return &c->shard[h >> 60];
}
static inline uint32_t bucket_of(const struct scry_pagecache *c, uint64_t h)
{
    return (uint32_t)(h >> 28) & (c->nbuckets - 1);
}

scry_status scry_pagecache_new(size_t pages, struct scry_pagecache **out)
{
    struct scry_pagecache *c;
    size_t per, nb = 1, bytes = (sizeof *c + 63) & ~(size_t)63;
    if (!pages)
        pages = SCRY_PAGECACHE_DEFAULT_PAGES;
    per = pages / NSHARDS + (pages % NSHARDS != 0);
    /* Bound the request: 1 Mi pages per shard (64 GiB in all) is more than
     * any caller means, and keeps the int32 slot indexes valid. */
    if (per > (1u << 20))
        return scry_err(SCRY_ERR_INVALID_ARG, "page cache of %zu pages is too large", pages);
    while (nb < 2 * per)
        nb <<= 1;
    c = aligned_alloc(64, bytes);
    if (!c)
        return scry_err(SCRY_ERR_NOMEM, "out of memory creating the page cache");
    memset(c, 0, bytes);
    c->slots = (uint32_t)per;
    c->nbuckets = (uint32_t)nb;
    for (int i = 0; i < NSHARDS; i++) {
        if (pthread_mutex_init(&c->shard[i].lock, NULL) != 0) {
            while (i--)
                pthread_mutex_destroy(&c->shard[i].lock);
            free(c);
            return scry_err(SCRY_ERR_NOMEM, "cannot create the page cache locks");
        }
    }
    *out = c;
    return SCRY_OK;
}

static void shard_release(struct shard *s)
{
    free(s->key);
    free(s->next);
    free(s->ref);
    free(s->bucket);
    free(s->data);
    s->key = NULL, s->next = NULL, s->ref = NULL, s->bucket = NULL, s->data = NULL;
}

void scry_pagecache_free(struct scry_pagecache *c)
{
    if (!c)
        return;
    for (int i = 0; i < NSHARDS; i++) {
        shard_release(&c->shard[i]);
        pthread_mutex_destroy(&c->shard[i].lock);
    }
    free(c);
}

/* Called with the lock held. */
static int32_t shard_find(const struct scry_pagecache *c, const struct shard *s, uint64_t h,
                          uint64_t pfn)
{
    if (!s->data)
        return NONE;
    for (int32_t i = s->bucket[bucket_of(c, h)]; i != NONE; i = s->next[i])
        if (s->key[i] == pfn)
            return i;
    return NONE;
}

int scry_pagecache_get(struct scry_pagecache *c, uint64_t pfn, size_t off, size_t len, void *out)
{
    uint64_t h = mix(pfn);
    struct shard *s = shard_of(c, h);
    int32_t i;
    if (off > SCRY_PAGECACHE_PAGE || len > SCRY_PAGECACHE_PAGE - off)
        return 0;
    pthread_mutex_lock(&s->lock);
    i = shard_find(c, s, h, pfn);
    if (i == NONE) {
        s->misses++;
        pthread_mutex_unlock(&s->lock);
        return 0;
    }
    memcpy(out, s->data + (size_t)i * SCRY_PAGECACHE_PAGE + off, len);
    s->ref[i] = 1;
    s->hits++;
    pthread_mutex_unlock(&s->lock);
    return 1;
}

/* Called with the lock held; allocates a shard's arrays on first use. */
static int shard_alloc(const struct scry_pagecache *c, struct shard *s)
{
    size_t n = c->slots;
    s->key = malloc(n * sizeof *s->key);
    s->next = malloc(n * sizeof *s->next);
    s->ref = calloc(n, 1);
    s->bucket = malloc((size_t)c->nbuckets * sizeof *s->bucket);
    s->data = malloc(n * SCRY_PAGECACHE_PAGE);
    if (!s->key || !s->next || !s->ref || !s->bucket || !s->data) {
        shard_release(s);
        return 0;
    }
    for (uint32_t b = 0; b < c->nbuckets; b++)
        s->bucket[b] = NONE;
    return 1;
}

static void shard_unlink(const struct scry_pagecache *c, struct shard *s, int32_t slot)
{
    int32_t *pp = &s->bucket[bucket_of(c, mix(s->key[slot]))];
    while (*pp != NONE && *pp != slot)
        pp = &s->next[*pp];
    if (*pp == slot)
        *pp = s->next[slot];
}

void scry_pagecache_put(struct scry_pagecache *c, uint64_t pfn, const void *page)
{
    uint64_t h = mix(pfn);
    struct shard *s = shard_of(c, h);
    int32_t slot;
    uint32_t b;
    pthread_mutex_lock(&s->lock);
    if (!s->data && !shard_alloc(c, s)) {
        pthread_mutex_unlock(&s->lock);
        return;
    }
    /* Two readers that missed on the same page at once both decode it; the
     * second insert finds the first and keeps it. */
    slot = shard_find(c, s, h, pfn);
    if (slot != NONE) {
        s->ref[slot] = 1;
        pthread_mutex_unlock(&s->lock);
        return;
    }
    if (s->used < c->slots) {
        slot = (int32_t)s->used++;
    } else {
        /* Clock: skip (and age) recently used slots; ends within two turns
         * because every skip clears a bit. */
        while (s->ref[s->hand]) {
            s->ref[s->hand] = 0;
            s->hand = (s->hand + 1) % c->slots;
        }
        slot = (int32_t)s->hand;
        s->hand = (s->hand + 1) % c->slots;
        shard_unlink(c, s, slot);
        s->evictions++;
    }
    memcpy(s->data + (size_t)slot * SCRY_PAGECACHE_PAGE, page, SCRY_PAGECACHE_PAGE);
    s->key[slot] = pfn;
    /* A new page starts unreferenced: a one-off sequential scan then
     * recycles its own slots instead of flushing the hot set. */
    s->ref[slot] = 0;
    b = bucket_of(c, h);
    s->next[slot] = s->bucket[b];
    s->bucket[b] = slot;
    s->inserts++;
    pthread_mutex_unlock(&s->lock);
}

void scry_pagecache_stats(struct scry_pagecache *c, struct scry_pagecache_stats *out)
{
    memset(out, 0, sizeof *out);
    out->capacity = (size_t)c->slots * NSHARDS;
    for (int i = 0; i < NSHARDS; i++) {
        struct shard *s = &c->shard[i];
        pthread_mutex_lock(&s->lock);
        out->hits += s->hits;
        out->misses += s->misses;
        out->inserts += s->inserts;
        out->evictions += s->evictions;
        out->used += s->used;
        pthread_mutex_unlock(&s->lock);
    }
}
