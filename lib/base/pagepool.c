/* pagepool.c - page buffers kept for reuse (see pagepool.h).
 *
 * Buffers are carved from 1 MiB anonymous mappings, not malloc'd one by
 * one: a batch thread's caches grew its malloc arena a page at a time, one
 * mprotect call per page (4,192 of a corpus batch's 5,545 system calls of
 * that kind), each of which takes the process's mmap lock against the other
 * threads' page faults. Freed buffers wait on a warm list (resident, up to
 * the bound) or, past the bound, on a cold one after MADV_DONTNEED gave
 * their memory back; the mappings stay until the pool is destroyed, and
 * never exceed the most buffers out at once (the caches' budget). A
 * mapping is made resident when it is made (MAP_POPULATE): one call instead
 * of 256 page faults, which with two threads also contend for the page
 * table lock (a corpus batch at -j 2: 16,700 faults instead of 24,800, and
 * 3-15% less CPU; docs/DESIGN.md).
 *
 * Under AddressSanitizer each buffer is malloc'd, so that a read or write
 * past a page is still caught. One mutex: taken only when a cache grows or
 * is freed, next to a pread or a page decompression. */
#include "lib/base/pagepool.h"

#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#if defined(__SANITIZE_ADDRESS__)
#define POOL_MALLOC 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define POOL_MALLOC 1
#endif
#endif

enum { SLAB_PAGES = 256 }; /* 1 MiB */

struct scry_pagepool_slab {
    struct scry_pagepool_slab *next;
    void *base;
};

int scry_pagepool_init(struct scry_pagepool *p, size_t cap_pages)
{
    *p = (struct scry_pagepool){.cap = cap_pages, .max = cap_pages};
    return pthread_mutex_init(&p->lock, NULL) == 0;
}

void scry_pagepool_destroy(struct scry_pagepool *p)
{
#ifdef POOL_MALLOC
    for (size_t i = 0; i < p->nwarm; i++)
        free(p->warm[i]);
    for (size_t i = 0; i < p->ncold; i++)
        free(p->cold[i]);
#endif
    while (p->slabs) {
        struct scry_pagepool_slab *s = p->slabs;
        p->slabs = s->next;
        munmap(s->base, (size_t)SLAB_PAGES * SCRY_PAGEPOOL_PAGE);
        free(s);
    }
    free(p->warm);
    free(p->cold);
    p->warm = p->cold = NULL;
    p->nwarm = p->ncold = p->slots = p->cap = p->max = 0;
    pthread_mutex_destroy(&p->lock);
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

/* Called with the lock held: a buffer never handed out, or NULL. */
static void *make_page(struct scry_pagepool *p)
{
#ifdef POOL_MALLOC
    void *page;
    if (!make_room(p, 1) || !(page = malloc(SCRY_PAGEPOOL_PAGE)))
        return NULL;
    p->slots++;
    return page;
#else
    if (!p->carve_left) {
        struct scry_pagepool_slab *s = malloc(sizeof *s);
        void *base;
        if (!s || !make_room(p, SLAB_PAGES)) {
            free(s);
            return NULL;
        }
        base = mmap(NULL, (size_t)SLAB_PAGES * SCRY_PAGEPOOL_PAGE, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
        if (base == MAP_FAILED) {
            free(s);
            return NULL;
        }
        s->base = base;
        s->next = p->slabs;
        p->slabs = s;
        p->carve = base;
        p->carve_left = SLAB_PAGES;
        p->slots += SLAB_PAGES;
    }
    p->carve_left--;
    p->carve += SCRY_PAGEPOOL_PAGE;
    return p->carve - SCRY_PAGEPOOL_PAGE;
#endif
}

void *scry_pagepool_get(struct scry_pagepool *p)
{
    void *page;
    if (!p)
        return malloc(SCRY_PAGEPOOL_PAGE);
    pthread_mutex_lock(&p->lock);
    if (p->nwarm)
        page = p->warm[--p->nwarm];
    else if (p->ncold)
        page = p->cold[--p->ncold];
    else
        page = make_page(p);
    pthread_mutex_unlock(&p->lock);
    return page;
}

/* Gives a buffer's memory back to the system; its address stays ours. */
static void release(void *page)
{
#ifdef POOL_MALLOC
    (void)page;
#else
    madvise(page, SCRY_PAGEPOOL_PAGE, MADV_DONTNEED);
#endif
}

void scry_pagepool_put(struct scry_pagepool *p, void *page)
{
    if (!page)
        return;
    if (!p) {
        free(page);
        return;
    }
    pthread_mutex_lock(&p->lock);
    if (p->nwarm < p->cap) {
        p->warm[p->nwarm++] = page;
        page = NULL;
    }
    pthread_mutex_unlock(&p->lock);
    if (!page)
        return;
    release(page); /* outside the lock: no one else holds this buffer */
    pthread_mutex_lock(&p->lock);
    p->cold[p->ncold++] = page;
    pthread_mutex_unlock(&p->lock);
}

void scry_pagepool_set_cap(struct scry_pagepool *p, size_t cap_pages)
{
    pthread_mutex_lock(&p->lock);
    p->cap = cap_pages < p->max ? cap_pages : p->max;
    while (p->nwarm > p->cap) {
        void *page = p->warm[--p->nwarm];
        release(page);
        p->cold[p->ncold++] = page;
    }
    pthread_mutex_unlock(&p->lock);
}

size_t scry_pagepool_held(struct scry_pagepool *p)
{
    size_t n;
    pthread_mutex_lock(&p->lock);
    n = p->nwarm;
    pthread_mutex_unlock(&p->lock);
    return n;
}
