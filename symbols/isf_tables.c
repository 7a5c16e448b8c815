/* isf_tables.c - the arena and hash tables behind a loaded ISF table.
 *
 * Every string and record of a table lives in one arena of 256 KiB chunks,
 * freed at once by isf_tables_free(). Lookups go through open-addressing hash
 * tables keyed by name (XXH3, upper hash bits kept beside each slot). While
 * a table is built, recurring names are interned and type references are
 * hash-consed here, so equal names and shapes share one copy. Nothing in
 * this file knows JSON or ISF keys; the shapes are in isf_tables.h. */
#include "symbols/isf_tables.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

/* ------------------------------------------------------------------ arena */

enum { ARENA_CHUNK = 256u << 10 };

/* align is 1 (strings: 149k symbol names would waste ~0.6 MB on padding)
 * or 8 (records). */
static void *arena_alloc_aligned(struct arena *a, size_t n, size_t align)
{
    struct chunk *c = a->head;
    if (c) {
        size_t at = (c->used + align - 1) & ~(align - 1);
        if (at <= c->cap && c->cap - at >= n) {
            c->used = at + n;
            a->bytes += n;
            return c->data + at;
        }
    }
    if (n > ARENA_CHUNK / 4) {
        /* A big block gets its own chunk behind the head, so the head's
         * free space keeps serving small requests. */
        struct chunk *b = malloc(sizeof *b + n);
        if (!b)
            return NULL;
        b->cap = b->used = n;
        if (c) {
            b->next = c->next;
            c->next = b;
        } else {
            b->next = NULL;
            a->head = b;
        }
        a->bytes += n;
        return b->data;
    }
    c = malloc(sizeof *c + ARENA_CHUNK);
    if (!c)
        return NULL;
    c->cap = ARENA_CHUNK;
    c->used = n;
    c->next = a->head;
    a->head = c;
    a->bytes += n;
    return c->data;
}

void *isf_arena_alloc(struct arena *a, size_t n) { return arena_alloc_aligned(a, n, 8); }

char *isf_arena_strdup(struct arena *a, const void *s, size_t n)
{
    char *p = arena_alloc_aligned(a, n + 1, 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

static void arena_free(struct arena *a)
{
    struct chunk *c = a->head;
    while (c) {
        struct chunk *n = c->next;
        free(c);
        c = n;
    }
    a->head = NULL;
}

/* ------------------------------------------------------------ hash tables */

uint64_t isf_hash_str(const void *s, size_t n) { return XXH3_64bits(s, n); }

static const char *ht_key(const struct htab *h, const void *item)
{
    return h->direct ? (const char *)item : *(const char *const *)item;
}

/* Names never hold a NUL (the builder rejects them), so strncmp over n bytes
 * plus the terminator check is an exact comparison. */
void *isf_ht_find(const struct htab *h, const char *s, size_t n, uint64_t hv)
{
    if (!h->n)
        return NULL;
    uint32_t tag = (uint32_t)(hv >> 32);
    for (size_t i = hv & h->mask;; i = (i + 1) & h->mask) {
        void *it = h->slot[i];
        if (!it)
            return NULL;
        if (h->tag[i] == tag) {
            const char *k = ht_key(h, it);
            if (strncmp(k, s, n) == 0 && k[n] == '\0')
                return it;
        }
    }
}

static int ht_grow(struct htab *h)
{
    size_t ncap = h->slot ? (h->mask + 1) * 2 : 64;
    void **ns = calloc(ncap, sizeof *ns);
    uint32_t *nt = malloc(ncap * sizeof *nt);
    if (!ns || !nt) {
        free(ns);
        free(nt);
        return -1;
    }
    if (h->slot) {
        for (size_t i = 0; i <= h->mask; i++) {
            if (!h->slot[i])
                continue;
            const char *k = ht_key(h, h->slot[i]);
            uint64_t hv = isf_hash_str(k, strlen(k));
            size_t j = hv & (ncap - 1);
            while (ns[j])
                j = (j + 1) & (ncap - 1);
            ns[j] = h->slot[i];
            nt[j] = h->tag[i];
        }
    }
    free(h->slot);
    free(h->tag);
    h->slot = ns;
    h->tag = nt;
    h->mask = ncap - 1;
    return 0;
}

/* Inserts an item known to be absent. */
int isf_ht_insert(struct htab *h, void *item, uint64_t hv)
{
    if (!h->slot || (h->n + 1) * 4 > (h->mask + 1) * 3) {
        if (ht_grow(h))
            return -1;
    }
    size_t i = hv & h->mask;
    while (h->slot[i])
        i = (i + 1) & h->mask;
    h->slot[i] = item;
    h->tag[i] = (uint32_t)(hv >> 32);
    h->n++;
    return 0;
}

/* The slot holding the item named s[0..n), or -1. */
static long ht_slot(const struct htab *h, const char *s, size_t n, uint64_t hv)
{
    if (!h->n)
        return -1;
    uint32_t tag = (uint32_t)(hv >> 32);
    for (size_t i = hv & h->mask;; i = (i + 1) & h->mask) {
        void *it = h->slot[i];
        if (!it)
            return -1;
        if (h->tag[i] == tag) {
            const char *k = ht_key(h, it);
            if (strncmp(k, s, n) == 0 && k[n] == '\0')
                return (long)i;
        }
    }
}

/* Inserts item, or replaces the item of the same name: the last definition
 * wins, as with Python's json module. */
int isf_ht_put(struct htab *h, void *item, uint64_t hv)
{
    const char *k = ht_key(h, item);
    long i = ht_slot(h, k, strlen(k), hv);
    if (i >= 0) {
        h->slot[i] = item;
        return 0;
    }
    return isf_ht_insert(h, item, hv);
}

/* Removes the item named s[0..n) if present (backward-shift deletion, so
 * linear probing needs no tombstones). */
void isf_ht_remove(struct htab *h, const char *s, size_t n, uint64_t hv)
{
    long found = ht_slot(h, s, n, hv);
    if (found < 0)
        return;
    size_t i = (size_t)found, j = i;
    for (;;) {
        h->slot[i] = NULL;
        for (;;) {
            j = (j + 1) & h->mask;
            if (!h->slot[j]) {
                h->n--;
                return;
            }
            const char *k = ht_key(h, h->slot[j]);
            size_t home = isf_hash_str(k, strlen(k)) & h->mask;
            /* j's item may move to i when its home is not in (i, j]. */
            if (i <= j ? (home <= i || home > j) : (home <= i && home > j))
                break;
        }
        h->slot[i] = h->slot[j];
        h->tag[i] = h->tag[j];
        i = j;
    }
}

void isf_ht_free(struct htab *h)
{
    free(h->slot);
    free(h->tag);
    h->slot = NULL;
    h->tag = NULL;
    h->n = h->mask = 0;
}

static uint64_t hash_tref(const struct isf_tref *t)
{
    struct {
        uint64_t kind;
        const void *name, *sub;
        uint64_t count, bits;
    } k = {(uint64_t)t->kind, t->name, t->sub, t->count,
           (uint64_t)t->bit_position << 32 | t->bit_length};
    return XXH3_64bits(&k, sizeof k);
}

static int tref_eq(const struct isf_tref *a, const struct isf_tref *b)
{
    return a->kind == b->kind && a->name == b->name && a->sub == b->sub && a->count == b->count &&
           a->bit_position == b->bit_position && a->bit_length == b->bit_length;
}

/* -------------------------------------------------- interning and consing */

const char *isf_intern(struct isf_tables *st, const void *s, size_t n)
{
    uint64_t hv = isf_hash_str(s, n);
    char *p = isf_ht_find(&st->strs, s, n, hv);
    if (p)
        return p;
    p = isf_arena_strdup(&st->arena, s, n);
    if (!p || isf_ht_insert(&st->strs, p, hv))
        return NULL;
    return p;
}

const struct isf_tref *isf_tref_cons(struct isf_tables *st, const struct isf_tref *t)
{
    struct trtab *h = &st->trefs;
    uint64_t hv = hash_tref(t);
    size_t i;
    if (h->slot) {
        for (i = hv & h->mask; h->slot[i]; i = (i + 1) & h->mask)
            if (tref_eq(h->slot[i], t))
                return h->slot[i];
    }
    if (!h->slot || (h->n + 1) * 4 > (h->mask + 1) * 3) {
        size_t ncap = h->slot ? (h->mask + 1) * 2 : 256;
        const struct isf_tref **ns = calloc(ncap, sizeof *ns);
        if (!ns)
            return NULL;
        for (size_t j = 0; h->slot && j <= h->mask; j++) {
            if (!h->slot[j])
                continue;
            size_t k = hash_tref(h->slot[j]) & (ncap - 1);
            while (ns[k])
                k = (k + 1) & (ncap - 1);
            ns[k] = h->slot[j];
        }
        free(h->slot);
        h->slot = ns;
        h->mask = ncap - 1;
    }
    struct isf_tref *r = isf_arena_alloc(&st->arena, sizeof *r);
    if (!r)
        return NULL;
    *r = *t;
    for (i = hv & h->mask; h->slot[i]; i = (i + 1) & h->mask)
        ;
    h->slot[i] = r;
    h->n++;
    return r;
}

/* ------------------------------------------------------------------ free */

void isf_tables_free(struct isf_tables *st)
{
    if (!st)
        return;
    isf_ht_free(&st->utypes);
    isf_ht_free(&st->btypes);
    isf_ht_free(&st->enums);
    isf_ht_free(&st->syms);
    isf_ht_free(&st->cdata);
    isf_ht_free(&st->strs);
    free(st->trefs.slot);
    arena_free(&st->arena);
    free(st);
}
