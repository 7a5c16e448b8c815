/* pagepool.c - page buffers kept for reuse (see pagepool.h). A stack under
 * one mutex: taken only when a cache grows or is freed, next to a pread or
 * a page decompression, so the lock is never the hot path. */
#include "lib/base/pagepool.h"

#include <stdlib.h>

int scry_pagepool_init(struct scry_pagepool *p, size_t cap_pages)
{
    p->n = 0;
    p->cap = 0;
    p->max = 0;
    p->pages = NULL;
    if (pthread_mutex_init(&p->lock, NULL) != 0)
        return 0;
    if (cap_pages && !(p->pages = malloc(cap_pages * sizeof *p->pages)))
        return 0;
    p->cap = p->max = cap_pages;
    return 1;
}

void scry_pagepool_destroy(struct scry_pagepool *p)
{
    for (size_t i = 0; i < p->n; i++)
        free(p->pages[i]);
    free(p->pages);
    p->pages = NULL;
    p->n = p->cap = p->max = 0;
    pthread_mutex_destroy(&p->lock);
}

void *scry_pagepool_get(struct scry_pagepool *p)
{
    void *page = NULL;
    if (p) {
        pthread_mutex_lock(&p->lock);
        if (p->n)
            page = p->pages[--p->n];
        pthread_mutex_unlock(&p->lock);
    }
    return page ? page : malloc(SCRY_PAGEPOOL_PAGE);
}

void scry_pagepool_put(struct scry_pagepool *p, void *page)
{
    if (p && page) {
        pthread_mutex_lock(&p->lock);
        if (p->n < p->cap) {
            p->pages[p->n++] = page;
            page = NULL;
        }
        pthread_mutex_unlock(&p->lock);
    }
    free(page);
}

void scry_pagepool_set_cap(struct scry_pagepool *p, size_t cap_pages)
{
    pthread_mutex_lock(&p->lock);
    p->cap = cap_pages < p->max ? cap_pages : p->max;
    while (p->n > p->cap)
        free(p->pages[--p->n]);
    pthread_mutex_unlock(&p->lock);
}

size_t scry_pagepool_held(struct scry_pagepool *p)
{
    size_t n;
    pthread_mutex_lock(&p->lock);
    n = p->n;
    pthread_mutex_unlock(&p->lock);
    return n;
}
