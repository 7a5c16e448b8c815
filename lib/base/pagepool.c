/* pagepool.c - page buffers kept for reuse (see pagepool.h).
 *
 * Buffers are carved from 2 MiB anonymous mappings (huge pages where the
 * kernel gives them, see map_slab), not malloc'd one by one: a batch
 * thread's caches grew its malloc arena a page at a time, one mprotect
 * call per page (4,192 of a corpus batch's 5,545 system calls of that
 * kind), each of which takes the process's mmap lock against the other
 * threads' page faults. Freed buffers wait on a warm list (resident, up to
 * the bound) or, past the bound, on a cold one after MADV_DONTNEED gave
 * their memory back; the mappings stay until the pool is destroyed, and
 * never exceed the most buffers out at once (the caches' budget). A
 * mapping is made resident when it is made: one call instead of a page
 * fault per page, which with two threads also contend for the page table
 * lock (a corpus batch at -j 2: 16,700 faults instead of 24,800, and 3-15%
 * less CPU with 1 MiB of small pages; docs/DESIGN.md).
 *
 * A new mapping is made and populated outside the pool's lock (0.5 ms a
 * MiB of small pages on the project's VM): when that was done under the
 * lock, a second batch thread whose cache grew meanwhile slept on it with
 * its CPU idle (4-5 ms of a corpus batch at -j 2). Two threads that both
 * find the pool empty map one each, and a mapping is carved while another
 * is. A closing cache gives its buffers back in one call
 * (scry_pagepool_put_many), one lock instead of one per page.
 *
 * Under AddressSanitizer each buffer is malloc'd, so that a read or write
 * past a page is still caught. One lock, taken when a cache grows or is
 * freed, for a few list operations: a spin lock (lib/base/spinlock.h), as
 * a mutex put a batch thread that found it held to sleep, its CPU idle,
 * about three times a corpus batch at -j 2. */
#include "lib/base/pagepool.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#define SLAB_BYTES ((size_t)SCRY_PAGEPOOL_SLAB)
enum { SLAB_PAGES = SCRY_PAGEPOOL_SLAB / SCRY_PAGEPOOL_PAGE };

struct scry_pagepool_slab {
    struct scry_pagepool_slab *next;
    unsigned char *base;
    size_t left; /* buffers not yet carved, from the end */
};

void scry_pagepool_init(struct scry_pagepool *p, size_t cap_pages)
{
    *p = (struct scry_pagepool){.cap = cap_pages, .max = cap_pages};
    scry_spin_init(&p->lock);
}

static void unmap_slabs(struct scry_pagepool_slab *s)
{
    while (s) {
        struct scry_pagepool_slab *next = s->next;
        munmap(s->base, SLAB_BYTES);
        free(s);
        s = next;
    }
}

void scry_pagepool_destroy(struct scry_pagepool *p)
{
#ifdef SCRY_PAGEPOOL_MALLOC
    for (size_t i = 0; i < p->nwarm; i++)
        free(p->warm[i]);
    for (size_t i = 0; i < p->ncold; i++)
        free(p->cold[i]);
#endif
    unmap_slabs(p->slabs);
    unmap_slabs(p->fresh);
    p->slabs = p->fresh = NULL;
    free(p->warm);
    free(p->cold);
    p->warm = p->cold = NULL;
    p->nwarm = p->ncold = p->slots = p->cap = p->max = 0;
}

/* Called with the lock held: room in both lists for every buffer made so
 * far plus `more`. */
static int make_room(struct scry_pagepool *p, size_t more)
{
    size_t want = p->slots + more;
    void **w, **c;
    if (want <= p->room)
        return 1;
    if (!(w = realloc(p->warm, want * sizeof *w)))
        return 0;
    p->warm = w;
    if (!(c = realloc(p->cold, want * sizeof *c)))
        return 0;
    p->cold = c;
    p->room = want;
    return 1;
}

/* Called with the lock held: a kept buffer, else one not yet carved from
 * a mapping, else NULL. */
static void *take(struct scry_pagepool *p)
{
    struct scry_pagepool_slab *s = p->fresh;
    if (p->nwarm)
        return p->warm[--p->nwarm];
    if (p->ncold)
        return p->cold[--p->ncold];
    if (!s)
        return NULL;
    if (!--s->left) { /* carved out: it moves to the full list */
        p->fresh = s->next;
        s->next = p->slabs;
        p->slabs = s;
    }
    return s->base + s->left * SCRY_PAGEPOOL_PAGE;
}

#ifndef SCRY_PAGEPOOL_MALLOC
/* A new mapping of SLAB_BYTES, aligned to SLAB_BYTES and resident, or NULL.
 * Aligned and advised, the kernel backs it with one transparent huge page
 * where it can (THP "always" or "madvise"; this project's VM runs
 * "madvise"): made resident in 0.08 ms a MiB instead of 0.33
 * (32 MiB, on the project's VM), unmapped in 0.003 instead of 0.07, and a
 * cache's buffers take 1 TLB entry per 2 MiB instead of 512. Where THP is
 * off it is 512 small pages, as before. */
static unsigned char *map_slab(void)
{
    unsigned char *m = mmap(NULL, 2 * SLAB_BYTES, PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    unsigned char *base;
    size_t lead;
    if (m == MAP_FAILED)
        return NULL;
    lead = (SLAB_BYTES - (uintptr_t)m % SLAB_BYTES) % SLAB_BYTES;
    base = m + lead;
    if (lead)
        munmap(m, lead);
    munmap(base + SLAB_BYTES, SLAB_BYTES - lead);
#ifdef MADV_HUGEPAGE
    madvise(base, SLAB_BYTES, MADV_HUGEPAGE);
#endif
    /* Resident now rather than at first use: one call instead of a fault
     * per page (MAP_POPULATE would populate before the advice). A kernel
     * before 5.14 does not know the advice (EINVAL): the pages are touched
     * instead. Any other failure (no memory) leaves them to fault in use.
     *
     * The first byte is written before: where the kernel gives a huge
     * page, that one fault makes the whole mapping resident under the
     * mapping's own lock, and the populate call finds nothing left to do.
     * The call alone made the pages (and zeroed 2 MiB) holding the
     * process's mmap lock, and at -j 2 the other batch thread's mmap,
     * munmap and madvise calls slept behind it, their CPU idle: 1.8 ms of
     * a corpus batch before, 0.1 and 1.4 ms in two series after
     * (bench/batch.sh's list, perf sched, 6 runs each). */
    base[0] = 0;
#ifdef MADV_POPULATE_WRITE
    if (madvise(base, SLAB_BYTES, MADV_POPULATE_WRITE) == 0 || errno != EINVAL)
        return base;
#endif
    for (size_t i = 0; i < SLAB_BYTES; i += SCRY_PAGEPOOL_PAGE)
        base[i] = 0;
    return base;
}
#endif

/* Called without the lock: a buffer never handed out, or NULL. */
static void *make_page(struct scry_pagepool *p)
{
    void *page = NULL;
#ifdef SCRY_PAGEPOOL_MALLOC
    scry_spin_lock(&p->lock);
    if (make_room(p, 1) && (page = malloc(SCRY_PAGEPOOL_PAGE)))
        p->slots++;
    scry_spin_unlock(&p->lock);
#else
    struct scry_pagepool_slab *s = malloc(sizeof *s);
    void *base;
    if (!s)
        return NULL;
    base = map_slab();
    if (!base) {
        free(s);
        return NULL;
    }
    scry_spin_lock(&p->lock);
    if (make_room(p, SLAB_PAGES)) {
        *s = (struct scry_pagepool_slab){.next = p->fresh, .base = base, .left = SLAB_PAGES};
        p->fresh = s;
        p->slots += SLAB_PAGES;
        page = take(p);
    }
    scry_spin_unlock(&p->lock);
    if (!page) {
        munmap(base, SLAB_BYTES);
        free(s);
    }
#endif
    return page;
}

void *scry_pagepool_get(struct scry_pagepool *p)
{
    void *page;
    if (!p)
        return malloc(SCRY_PAGEPOOL_PAGE);
    scry_spin_lock(&p->lock);
    page = take(p);
    scry_spin_unlock(&p->lock);
    return page ? page : make_page(p);
}

/* Gives a buffer's memory back to the system; its address stays ours. */
static void release(void *page)
{
#ifdef SCRY_PAGEPOOL_MALLOC
    (void)page;
#else
    madvise(page, SCRY_PAGEPOOL_PAGE, MADV_DONTNEED);
#endif
}

void scry_pagepool_put(struct scry_pagepool *p, void *page)
{
    if (page)
        scry_pagepool_put_many(p, &page, 1);
}

void scry_pagepool_put_many(struct scry_pagepool *p, void *const *pages, size_t n)
{
    size_t kept = 0;
    if (!p) {
        for (size_t i = 0; i < n; i++)
            free(pages[i]);
        return;
    }
    scry_spin_lock(&p->lock);
    for (; kept < n && p->nwarm < p->cap; kept++)
        if (pages[kept])
            p->warm[p->nwarm++] = pages[kept];
    scry_spin_unlock(&p->lock);
    if (kept == n)
        return;
    for (size_t i = kept; i < n; i++) /* outside the lock: no one else holds these */
        if (pages[i])
            release(pages[i]);
    scry_spin_lock(&p->lock);
    for (size_t i = kept; i < n; i++)
        if (pages[i])
            p->cold[p->ncold++] = pages[i];
    scry_spin_unlock(&p->lock);
}

void scry_pagepool_set_cap(struct scry_pagepool *p, size_t cap_pages)
{
    /* One buffer at a time, each released outside the lock, as in put: a
     * lowered bound may release thousands. */
    for (;;) {
        void *page = NULL;
        scry_spin_lock(&p->lock);
        p->cap = cap_pages < p->max ? cap_pages : p->max;
        if (p->nwarm > p->cap)
            page = p->warm[--p->nwarm];
        scry_spin_unlock(&p->lock);
        if (!page)
            return;
        release(page);
        scry_spin_lock(&p->lock);
        p->cold[p->ncold++] = page;
        scry_spin_unlock(&p->lock);
    }
}

size_t scry_pagepool_held(struct scry_pagepool *p)
{
    size_t n;
    scry_spin_lock(&p->lock);
    n = p->nwarm;
    scry_spin_unlock(&p->lock);
    return n;
}
