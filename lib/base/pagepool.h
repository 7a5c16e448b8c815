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
 * until put back.
 *
 * Thread-safety: get, put, held and set_cap take the pool's mutex and may
 * be called from any thread; init and destroy may not run concurrently
 * with anything else. */
#ifndef SCRY_PAGEPOOL_H
#define SCRY_PAGEPOOL_H

#include <pthread.h>
#include <stddef.h>

#define SCRY_PAGEPOOL_PAGE 4096u

struct scry_pagepool {
    pthread_mutex_t lock;
    void **pages;  /* the buffers kept, [0, n) */
    size_t n;
    size_t cap;    /* most kept at once; 0 keeps none */
    size_t max;    /* pages' capacity, the highest cap ever set */
};

/* An empty pool that keeps at most cap_pages buffers. Errors: 0 when out of
 * memory (the pool then keeps none but get and put still work). */
int scry_pagepool_init(struct scry_pagepool *p, size_t cap_pages);
/* Frees every buffer kept. */
void scry_pagepool_destroy(struct scry_pagepool *p);
/* A buffer of SCRY_PAGEPOOL_PAGE bytes (contents undefined): a kept one,
 * else a new one; NULL when out of memory. A NULL pool mallocs. */
void *scry_pagepool_get(struct scry_pagepool *p);
/* Gives a buffer from get back: kept while fewer than cap are, else freed.
 * A NULL pool frees; a NULL page is ignored. */
void scry_pagepool_put(struct scry_pagepool *p, void *page);
/* Lowers or raises the bound (up to the capacity given at init); buffers
 * above a lowered bound are freed. */
void scry_pagepool_set_cap(struct scry_pagepool *p, size_t cap_pages);
/* Buffers kept now (a snapshot). */
size_t scry_pagepool_held(struct scry_pagepool *p);

#endif
