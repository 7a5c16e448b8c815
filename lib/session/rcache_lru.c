/* rcache_lru.c - the in-memory result cache: blobs by key, least recently
 * used first out, under one byte bound.
 *
 * Entries hang in a hash table (chained, doubling) and on one LRU list.
 * A hit copies the blob out under the lock, so decoding - the costly part
 * - runs outside it and an entry evicted meanwhile cannot be freed under
 * a reader. Blobs are at most as large as the bound, so a copy is too. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "lib/session/rcache.h"

struct entry {
    struct entry *chain;        /* next in the bucket */
    struct entry *prev, *next;  /* LRU list, most recent at head */
    uint64_t hash;
    size_t keylen, len;
    uint8_t *blob;              /* the whole blob; the key is at SCRY_RCACHE_HEADER */
};

struct scry_rcache {
    pthread_mutex_t lock;
    uint64_t max_bytes, bytes;
    struct entry **buckets;
    size_t nbuckets, n;
    struct entry *head, *tail;
    uint64_t hits, misses;
};

/* What an entry costs against the bound: its blob and its bookkeeping. */
static uint64_t cost(const struct entry *e) { return e->len + sizeof *e + sizeof(void *); }

scry_status scry_rcache_new(uint64_t max_bytes, struct scry_rcache **out)
{
    struct scry_rcache *c = calloc(1, sizeof *c);
    if (!c)
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    c->nbuckets = 64;
    if (!(c->buckets = calloc(c->nbuckets, sizeof *c->buckets)) ||
        pthread_mutex_init(&c->lock, NULL) != 0) {
        free(c->buckets);
        free(c);
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    }
    c->max_bytes = max_bytes;
    *out = c;
    return SCRY_OK;
}

void scry_rcache_free(struct scry_rcache *c)
{
    if (!c)
        return;
    for (struct entry *e = c->head, *next; e; e = next) {
        next = e->next;
        free(e->blob);
        free(e);
    }
    free(c->buckets);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

static struct entry **slot(struct scry_rcache *c, uint64_t hash, const uint8_t *key, size_t keylen)
{
    struct entry **pp = &c->buckets[hash & (c->nbuckets - 1)];
    for (; *pp; pp = &(*pp)->chain) {
        struct entry *e = *pp;
        if (e->hash == hash && e->keylen == keylen &&
            memcmp(e->blob + SCRY_RCACHE_HEADER, key, keylen) == 0)
            break;
    }
    return pp;
}

static void unlist(struct scry_rcache *c, struct entry *e)
{
    if (e->prev)
        e->prev->next = e->next;
    else
        c->head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        c->tail = e->prev;
    e->prev = e->next = NULL;
}

static void push_front(struct scry_rcache *c, struct entry *e)
{
    e->prev = NULL;
    e->next = c->head;
    if (c->head)
        c->head->prev = e;
    c->head = e;
    if (!c->tail)
        c->tail = e;
}

/* Unlinks *pp from its bucket and the list and frees it. */
static void remove_at(struct scry_rcache *c, struct entry **pp)
{
    struct entry *e = *pp;
    *pp = e->chain;
    unlist(c, e);
    c->bytes -= cost(e);
    c->n--;
    free(e->blob);
    free(e);
}

static void evict_one(struct scry_rcache *c)
{
    struct entry *e = c->tail;
    remove_at(c, slot(c, e->hash, e->blob + SCRY_RCACHE_HEADER, e->keylen));
}

/* Doubles the table when it holds more entries than buckets; a failed
 * allocation only leaves chains longer. */
static void grow(struct scry_rcache *c)
{
    size_t n = c->nbuckets * 2;
    struct entry **b;
    if (c->n <= c->nbuckets || !(b = calloc(n, sizeof *b)))
        return;
    for (struct entry *e = c->head; e; e = e->next) {
        e->chain = b[e->hash & (n - 1)];
        b[e->hash & (n - 1)] = e;
    }
    free(c->buckets);
    c->buckets = b;
    c->nbuckets = n;
}

uint8_t *scry_rcache_get(struct scry_rcache *c, uint64_t hash, const uint8_t *key, size_t keylen,
                         size_t *len)
{
    uint8_t *copy = NULL;
    struct entry *e;
    pthread_mutex_lock(&c->lock);
    e = *slot(c, hash, key, keylen);
    if (e && (copy = malloc(e->len))) {
        memcpy(copy, e->blob, e->len);
        *len = e->len;
        unlist(c, e);
        push_front(c, e);
    }
    if (copy)
        c->hits++;
    else
        c->misses++;
    pthread_mutex_unlock(&c->lock);
    return copy;
}

void scry_rcache_put(struct scry_rcache *c, uint64_t hash, const uint8_t *key, size_t keylen,
                     uint8_t *blob, size_t len)
{
    struct entry *e = calloc(1, sizeof *e), **pp;
    if (!e) {
        free(blob);
        return;
    }
    e->hash = hash;
    e->keylen = keylen;
    e->blob = blob;
    e->len = len;
    pthread_mutex_lock(&c->lock);
    if (cost(e) > c->max_bytes) {
        pthread_mutex_unlock(&c->lock);
        free(blob);
        free(e);
        return;
    }
    if (*(pp = slot(c, hash, key, keylen)))
        remove_at(c, pp); /* two runs of one key at once: the later wins */
    while (c->bytes + cost(e) > c->max_bytes && c->tail)
        evict_one(c);
    pp = &c->buckets[hash & (c->nbuckets - 1)];
    e->chain = *pp;
    *pp = e;
    push_front(c, e);
    c->bytes += cost(e);
    c->n++;
    grow(c);
    pthread_mutex_unlock(&c->lock);
}

void scry_rcache_drop(struct scry_rcache *c, uint64_t hash, const uint8_t *key, size_t keylen)
{
    struct entry **pp;
    pthread_mutex_lock(&c->lock);
    if (*(pp = slot(c, hash, key, keylen)))
        remove_at(c, pp);
    pthread_mutex_unlock(&c->lock);
}

void scry_rcache_stats(struct scry_rcache *c, uint64_t *hits, uint64_t *misses, uint64_t *bytes,
                       uint64_t *entries)
{
    pthread_mutex_lock(&c->lock);
    *hits = c->hits;
    *misses = c->misses;
    *bytes = c->bytes;
    *entries = c->n;
    pthread_mutex_unlock(&c->lock);
}
