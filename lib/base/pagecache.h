/* pagecache.h - a bounded cache of decoded 4 KiB pages, keyed by PFN.
 *
 * Compressed readers (kdump) decode a page once and serve later reads from
 * here. The cache is split into independent shards, each with its own lock
 * and a clock (second-chance) eviction, so readers on different threads
 * rarely meet on one lock and no operation ever takes a global lock.
 *
 * Memory: a cache may be bound to a struct scry_budget shared with other
 * caches (every dump a library context opens). Each page buffer is reserved
 * from the budget as the cache fills, one page at a time, so caches share a
 * budget by use, not by their nominal size; when the budget refuses, a
 * shard recycles one of its own pages (clock), and a shard that holds none
 * simply does not cache (reads still work, they decode again). The budget
 * counts page buffers (SCRY_PAGECACHE_PAGE bytes each); the per-slot index
 * (about 17 bytes a slot) is the cache's own overhead. Everything taken is
 * given back by _free.
 *
 * Thread-safety: every function except _new and _free may be called from
 * several threads at once on the same cache; caches sharing one budget may
 * be used from any threads (the budget is lock-free). */
#ifndef SCRY_PAGECACHE_H
#define SCRY_PAGECACHE_H

#include <stddef.h>
#include <stdint.h>

#include "lib/base/budget.h"
#include "lib/base/error.h"

#define SCRY_PAGECACHE_PAGE 4096u
/* 16 MiB of decoded pages (kdump, AVML): linux.pslist, psaux, lsmod and
 * proc on dev-1k.kdump (1,100 processes) decode again what 8 MiB evicted,
 * 90 ms against 64 ms with 16 MiB (and 64 ms with 32 MiB); the context's
 * memory budget still bounds all caches together. */
#define SCRY_PAGECACHE_DEFAULT_PAGES 4096u

struct scry_pagecache;

struct scry_pagecache_stats {
    uint64_t hits, misses, inserts, evictions;
    uint64_t refused; /* puts the budget kept from growing the cache  */
    size_t capacity; /* pages, all shards together */
    size_t used;     /* pages currently held       */
};

/* Creates a cache of at most about `pages` pages (0 = the default), rounded
 * up so every shard holds the same number. Page buffers are allocated (and
 * reserved from budget) one by one as pages are inserted, so an idle cache
 * costs almost nothing. budget is borrowed and may be NULL (bounded only by
 * `pages`); it must outlive the cache.
 * Errors: SCRY_ERR_NOMEM, SCRY_ERR_INVALID_ARG (absurdly many pages). */
scry_status scry_pagecache_new(size_t pages, struct scry_budget *budget,
                               struct scry_pagecache **out);
/* Frees the cache; NULL is a no-op. No other call may be running. */
void scry_pagecache_free(struct scry_pagecache *c);

/* Copies bytes [off, off+len) of page `pfn` into out when the page is
 * cached and returns 1; returns 0 on a miss (out untouched). off + len must
 * not exceed SCRY_PAGECACHE_PAGE. */
int scry_pagecache_get(struct scry_pagecache *c, uint64_t pfn, size_t off, size_t len, void *out);
/* Stores a copy of a decoded page (SCRY_PAGECACHE_PAGE bytes), evicting an
 * old one of the same shard when the shard is full or the budget refuses a
 * new page. Best effort: when the shard holds no page it could reuse and
 * cannot get (or allocate) a new one, the page is simply not cached. */
void scry_pagecache_put(struct scry_pagecache *c, uint64_t pfn, const void *page);
/* put without the copy: a buffer of SCRY_PAGECACHE_PAGE bytes for page pfn
 * (contents undefined) that the caller fills, outside the cache's lock,
 * then hands back with exactly one of _commit (it now holds pfn's page) or
 * _cancel (it does not; say a read failed). Until then the buffer is the
 * caller's and no lookup finds it. NULL when pfn is cached already (get it)
 * or the shard can neither grow nor recycle a page (do not cache); *token
 * is set either way. Why: a miss read the page into a buffer of its own,
 * then put copied it into the cache, 4 KiB more of memory traffic per miss
 * (a corpus batch misses about 50,000 times). */
void *scry_pagecache_reserve(struct scry_pagecache *c, uint64_t pfn, int *token);
void scry_pagecache_commit(struct scry_pagecache *c, uint64_t pfn, int token);
void scry_pagecache_cancel(struct scry_pagecache *c, uint64_t pfn, int token);
/* Admission of small reads: a read of at most SCRY_PAGECACHE_SMALL_READ
 * bytes that misses is served without caching its page the first time,
 * since most such pages are read once (a process's page tables, walked for
 * one entry each: formats/phys.c's page_copy, formats/kdump.c's
 * page_read). Returns 1 when page pfn was not met that way lately and is
 * now remembered (serve the read uncached), 0 when it was (cache the page
 * now) or the set cannot be made. The set is lossy (2,048 keys, 16 KiB),
 * made at the first call, so that a cache never read costs nothing
 * (bench_open64: 64 dumps open), and freed with the cache. Thread-safe
 * (relaxed atomics): a race only serves a page once more uncached or
 * caches it once early. */
#define SCRY_PAGECACHE_SMALL_READ 64u
int scry_pagecache_small_first(struct scry_pagecache *c, uint64_t pfn);
/* A consistent-enough snapshot of the counters (shards are read one by
 * one). */
void scry_pagecache_stats(struct scry_pagecache *c, struct scry_pagecache_stats *out);

#endif
