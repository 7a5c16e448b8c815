/* pagecache.c - sharded, bounded cache of decoded pages (see pagecache.h).
 *
 * Each shard is a fixed array of slots with a small chained hash over them;
 * slot i's page buffer is allocated when the shard first grows to i + 1
 * pages, after reserving it from the budget, so a cache costs what it holds
 * rather than what it could hold. Slots [0, used) are always filled: a shard
 * that cannot grow recycles one of them (clock), never a hole. Hits copy out
 * under the shard lock (lib/base/spinlock.h): a 4 KiB memcpy is far shorter than any
 * decompression, and copying means no reference counts and no page can be
 * evicted while a reader still looks at it. */
#include "lib/base/pagecache.h"

#include "lib/base/pagepool.h"
#include "lib/base/spinlock.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* SMALL_SEEN: the keys scry_pagecache_small_first remembers. */
enum { NSHARDS = 16, NONE = -1, SMALL_SEEN_BITS = 11, SMALL_SEEN = 1 << SMALL_SEEN_BITS };

_Static_assert(SCRY_PAGECACHE_PAGE == SCRY_PAGEPOOL_PAGE, "pooled buffers are cache pages");

struct shard {
    /* One cache line per shard start, so two threads working on different
     * shards never bounce the same line. */
    _Alignas(64) scry_spin lock;
    uint64_t *key;   /* per slot */
    int32_t *next;   /* per slot: hash chain */
    uint8_t *ref;    /* per slot: clock "recently used" bit */
    int32_t *bucket; /* per bucket: first slot or NONE */
    void **page;     /* per slot: its buffer, for slots [0, used) */
    uint32_t used;   /* slots holding a page (and a budget share)  */
    uint32_t hand;   /* clock hand, < used once used > 0           */
    uint64_t hits, misses, inserts, evictions, refused;
};

struct scry_pagecache {
    uint32_t slots;    /* per shard */
    uint32_t nbuckets; /* per shard, a power of two */
    struct scry_budget *budget; /* borrowed, may be NULL */
    /* Keys lately met by an uncached small read (key + 1, 0 empty; a
     * lossy direct-mapped set), made at the first such read; owned. */
    _Atomic uint64_t *_Atomic small_seen;
    struct shard shard[NSHARDS];
};

/* Page buffers come from the budget's pool, so that a dump opened after
 * another one closed reuses its buffers instead of faulting in new ones. */
static struct scry_pagepool *pool_of(const struct scry_pagecache *c)
{
    return c->budget ? c->budget->pool : NULL;
}

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

scry_status scry_pagecache_new(size_t pages, struct scry_budget *budget,
                               struct scry_pagecache **out)
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
    c->budget = budget;
    for (int i = 0; i < NSHARDS; i++)
        scry_spin_init(&c->shard[i].lock);
    *out = c;
    return SCRY_OK;
}

/* Frees a shard's pages and index and gives its pages back to the budget. */
static void shard_release(const struct scry_pagecache *c, struct shard *s)
{
    if (s->used)
        scry_pagepool_put_many(pool_of(c), s->page, s->used);
    scry_budget_give(c->budget, (uint64_t)s->used * SCRY_PAGECACHE_PAGE);
    s->used = 0;
    s->hand = 0;
    free(s->key);
    free(s->next);
    free(s->ref);
    free(s->bucket);
    free(s->page);
    s->key = NULL, s->next = NULL, s->ref = NULL, s->bucket = NULL, s->page = NULL;
}

void scry_pagecache_free(struct scry_pagecache *c)
{
    if (!c)
        return;
    for (int i = 0; i < NSHARDS; i++) {
        shard_release(c, &c->shard[i]);
    }
    free((void *)atomic_load(&c->small_seen));
    free(c);
}

/* Called with the lock held. */
static int32_t shard_find(const struct scry_pagecache *c, const struct shard *s, uint64_t h,
                          uint64_t pfn)
{
    if (!s->used)
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
    scry_spin_lock(&s->lock);
    i = shard_find(c, s, h, pfn);
    if (i == NONE) {
        s->misses++;
        scry_spin_unlock(&s->lock);
        return 0;
    }
    memcpy(out, (const uint8_t *)s->page[i] + off, len);
    s->ref[i] = 1;
    s->hits++;
    scry_spin_unlock(&s->lock);
    return 1;
}

/* Called with the lock held, while the shard holds no page; allocates its
 * index on first use. */
static int shard_alloc(const struct scry_pagecache *c, struct shard *s)
{
    size_t n = c->slots;
    s->key = malloc(n * sizeof *s->key);
    s->next = malloc(n * sizeof *s->next);
    s->ref = calloc(n, 1);
    s->bucket = malloc((size_t)c->nbuckets * sizeof *s->bucket);
    s->page = malloc(n * sizeof *s->page);
    if (!s->key || !s->next || !s->ref || !s->bucket || !s->page) {
        shard_release(c, s);
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

/* ref value of a reserved slot: being filled outside the lock, in no hash
 * chain, skipped by the clock until committed or cancelled. */
enum { BUSY = 2 };
/* key of a slot in no hash chain (reserved, cancelled, or a duplicate that
 * lost): no PFN is this large. */
#define UNLINKED UINT64_MAX

/* Called with the lock held: a slot for a new page, not in any hash chain
 * (a new buffer when the shard may grow, else the clock's victim), or NONE
 * when the shard can neither grow nor recycle. */
static int32_t claim(const struct scry_pagecache *c, struct shard *s)
{
    void *fresh = NULL;
    /* Grow by one page when the shard has room and the budget agrees. */
    if (s->used < c->slots) {
        if (!scry_budget_take(c->budget, SCRY_PAGECACHE_PAGE)) {
            s->refused++;
        } else if (!(fresh = scry_pagepool_get(pool_of(c)))) {
            scry_budget_give(c->budget, SCRY_PAGECACHE_PAGE);
        }
    }
    /* Nothing new and nothing of our own to recycle: do not cache. */
    if (!fresh && !s->used)
        return NONE;
    /* No index yet means no page yet, so fresh is set here. */
    if (!s->key && !shard_alloc(c, s)) {
        scry_pagepool_put(pool_of(c), fresh);
        scry_budget_give(c->budget, SCRY_PAGECACHE_PAGE);
        return NONE;
    }
    if (fresh) {
        s->page[s->used] = fresh;
        s->key[s->used] = UNLINKED;
        return (int32_t)s->used++;
    }
    /* Clock over the pages this shard holds: skip (and age) recently used
     * slots, skip reserved ones; within two turns every slot not reserved
     * had its bit cleared. */
    for (uint32_t n = 0; n <= 2 * s->used; n++) {
        uint32_t i = s->hand;
        s->hand = (s->hand + 1) % s->used;
        if (s->ref[i] == BUSY)
            continue;
        if (s->ref[i]) {
            s->ref[i] = 0;
            continue;
        }
        if (s->key[i] != UNLINKED) {
            shard_unlink(c, s, (int32_t)i);
            s->key[i] = UNLINKED;
            s->evictions++;
        }
        return (int32_t)i;
    }
    return NONE; /* every slot is being filled by another thread */
}

/* Called with the lock held: slot now holds pfn's page. */
static void link_slot(const struct scry_pagecache *c, struct shard *s, int32_t slot, uint64_t h,
                      uint64_t pfn)
{
    uint32_t b = bucket_of(c, h);
    s->key[slot] = pfn;
    /* A new page starts unreferenced: a one-off sequential scan then
     * recycles its own slots instead of flushing the hot set. */
    s->ref[slot] = 0;
    s->next[slot] = s->bucket[b];
    s->bucket[b] = slot;
    s->inserts++;
}

void scry_pagecache_put(struct scry_pagecache *c, uint64_t pfn, const void *page)
{
    uint64_t h = mix(pfn);
    struct shard *s = shard_of(c, h);
    int32_t slot;
    scry_spin_lock(&s->lock);
    /* Two readers that missed on the same page at once both decode it; the
     * second insert finds the first and keeps it. */
    slot = shard_find(c, s, h, pfn);
    if (slot != NONE) {
        s->ref[slot] = 1;
    } else if ((slot = claim(c, s)) != NONE) {
        memcpy(s->page[slot], page, SCRY_PAGECACHE_PAGE);
        link_slot(c, s, slot, h, pfn);
    }
    scry_spin_unlock(&s->lock);
}

void *scry_pagecache_reserve(struct scry_pagecache *c, uint64_t pfn, int *token)
{
    uint64_t h = mix(pfn);
    struct shard *s = shard_of(c, h);
    int32_t slot = NONE;
    void *buf = NULL;
    scry_spin_lock(&s->lock);
    if (shard_find(c, s, h, pfn) == NONE && (slot = claim(c, s)) != NONE) {
        s->ref[slot] = BUSY;
        buf = s->page[slot];
    }
    scry_spin_unlock(&s->lock);
    *token = slot;
    return buf;
}

void scry_pagecache_commit(struct scry_pagecache *c, uint64_t pfn, int token)
{
    uint64_t h = mix(pfn);
    struct shard *s = shard_of(c, h);
    scry_spin_lock(&s->lock);
    /* Another reader that missed on the same page committed it first: this
     * slot stays out of the chains, unreferenced, the clock's next victim. */
    if (shard_find(c, s, h, pfn) == NONE)
        link_slot(c, s, token, h, pfn);
    else
        s->ref[token] = 0;
    scry_spin_unlock(&s->lock);
}

void scry_pagecache_cancel(struct scry_pagecache *c, uint64_t pfn, int token)
{
    struct shard *s = shard_of(c, mix(pfn));
    scry_spin_lock(&s->lock);
    s->ref[token] = 0; /* out of the chains: the clock's next victim */
    scry_spin_unlock(&s->lock);
}

void scry_pagecache_stats(struct scry_pagecache *c, struct scry_pagecache_stats *out)
{
    memset(out, 0, sizeof *out);
    out->capacity = (size_t)c->slots * NSHARDS;
    for (int i = 0; i < NSHARDS; i++) {
        struct shard *s = &c->shard[i];
        scry_spin_lock(&s->lock);
        out->hits += s->hits;
        out->misses += s->misses;
        out->inserts += s->inserts;
        out->evictions += s->evictions;
        out->refused += s->refused;
        out->used += s->used;
        scry_spin_unlock(&s->lock);
    }
}

int scry_pagecache_small_first(struct scry_pagecache *c, uint64_t pfn)
{
    _Atomic uint64_t *seen = atomic_load_explicit(&c->small_seen, memory_order_acquire), *slot;
    if (!seen) {
        _Atomic uint64_t *mine = calloc(SMALL_SEEN, sizeof *mine);
        if (!mine)
            return 0;
        if (atomic_compare_exchange_strong_explicit(&c->small_seen, &seen, mine,
                                                    memory_order_acq_rel, memory_order_acquire))
            seen = mine;
        else
            free((void *)mine); /* another thread's came first: seen holds it */
    }
    slot = &seen[(pfn * 0x9E3779B97F4A7C15ull) >> (64 - SMALL_SEEN_BITS)];
    if (atomic_load_explicit(slot, memory_order_relaxed) == pfn + 1)
        return 0;
    atomic_store_explicit(slot, pfn + 1, memory_order_relaxed);
    return 1;
}
