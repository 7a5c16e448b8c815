/* pagepool.h - page buffers kept for reuse by the caches of one context.
 *
 * Every dump's caches (file pages, decoded kdump and AVML pages) allocate
 * 4 KiB buffers as they fill and free them when the dump is closed. Freed
 * to malloc, they go back to the thread's arena, which trims them; the
 * next dump, above all one run on a fresh thread (PowerShell's -Parallel
 * starts its workers per invocation), faults every page in again: eight
 * corpus dumps took 20% longer on a new thread than on one that had run
 * them before, the difference all system time. A context keeps up to a
 * bound of freed buffers here instead, and its caches take them first.
 *
 * Ownership: the pool belongs to its context; caches borrow it through the
 * budget they charge (struct scry_budget.pool), so it outlives them. The
 * buffers it holds are its own; one it hands out belongs to the caller
 * until put back, and to a pool-less caller (NULL pool) for good: malloc'd,
 * freed by put.
 *
 * Thread-safety: get, put, put_many, held and set_cap take the pool's lock
 * and may be called from any thread; init and destroy may not run
 * concurrently with anything else. */
#ifndef SCRY_PAGEPOOL_H
#define SCRY_PAGEPOOL_H

#include <stddef.h>

#include "lib/base/spinlock.h"

#define SCRY_PAGEPOOL_PAGE 4096u
/* Under AddressSanitizer each buffer is malloc'd, so that a read or write
 * past a page is still caught (tests check mappings only without it). */
#if defined(__SANITIZE_ADDRESS__)
#define SCRY_PAGEPOOL_MALLOC 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SCRY_PAGEPOOL_MALLOC 1
#endif
#endif
/* Buffers are carved from mappings of this size, aligned to it (one
 * transparent huge page where the kernel gives one; pagepool.c). */
#define SCRY_PAGEPOOL_SLAB (2u << 20)

struct scry_pagepool_slab;

struct scry_pagepool {
    scry_spin lock;
    void **warm;   /* freed buffers kept resident, [0, nwarm) */
    void **cold;   /* freed buffers whose memory went back, [0, ncold) */
    size_t nwarm, ncold;
    size_t slots;  /* buffers made so far (handed out or on a list) */
    size_t room;   /* capacity of warm and cold, at least slots */
    size_t cap;    /* most warm at once; 0 keeps none resident */
    size_t max;    /* the bound given at init, which set_cap cannot pass */
    struct scry_pagepool_slab *slabs; /* mappings carved out */
    struct scry_pagepool_slab *fresh; /* mappings buffers are still carved from */
};

/* An empty pool that keeps at most cap_pages freed buffers resident. */
void scry_pagepool_init(struct scry_pagepool *p, size_t cap_pages);
/* Frees every buffer; those handed out must not be used afterwards. */
void scry_pagepool_destroy(struct scry_pagepool *p);
/* A buffer of SCRY_PAGEPOOL_PAGE bytes (contents undefined): a kept one,
 * else a new one; NULL when out of memory. A NULL pool mallocs. */
void *scry_pagepool_get(struct scry_pagepool *p);
/* Gives a buffer from get back: kept resident while fewer than cap are,
 * else its memory is given back to the system (the buffer stays the pool's,
 * for a later get). A NULL pool frees; a NULL page is ignored. */
void scry_pagepool_put(struct scry_pagepool *p, void *page);
/* put for each of pages[0, n) (NULL entries are skipped): the lock is taken
 * once for those kept, once more when some have their memory given back. */
void scry_pagepool_put_many(struct scry_pagepool *p, void *const *pages, size_t n);
/* Lowers or raises the bound (never past init's); the memory of resident
 * buffers above a lowered bound is given back. */
void scry_pagepool_set_cap(struct scry_pagepool *p, size_t cap_pages);
/* Freed buffers kept resident now (a snapshot). */
size_t scry_pagepool_held(struct scry_pagepool *p);

#endif
