/* isf_flatten.c - turns the builder's pointer tables into the compiled form.
 *
 * One pass over each table of isf_tables.h writes records that refer to
 * each other by index and to names by offset (isf_flat.h). Names are
 * written once each (deduplicated by content), type references once per
 * distinct shape (the builder already hash-consed them, so a pointer map
 * suffices), and every named table gets a hash index (power-of-two slots,
 * load ≤ 1/2, linear probing) so a lookup touches one or two slots and one
 * record. The header, section table and every block checksum are filled in
 * here: the full checksum is computed once, when the table is compiled. */
#include "symbols/isf_flat.h"
#include "symbols/isf_tables.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

const size_t isf_flat_recsize[S_COUNT] = {
    [S_STR] = 1, [S_TREF] = sizeof(struct flat_tref), [S_UTYPE] = sizeof(struct flat_utype),
    [S_FIELD] = sizeof(struct flat_field), [S_BTYPE] = sizeof(struct flat_btype),
    [S_ETYPE] = sizeof(struct flat_etype), [S_ECONST] = sizeof(struct flat_econst),
    [S_SYM] = sizeof(struct flat_sym), [S_CDATA] = sizeof(struct flat_cdata), [S_BYTES] = 1,
    [S_HUTYPE] = 4, [S_HBTYPE] = 4, [S_HETYPE] = 4, [S_HSYM] = 4, [S_HCDATA] = 4,
    [S_BLOCKSUM] = 8,
};

/* A growable byte buffer per section. */
struct buf {
    uint8_t *p;
    size_t n, cap;
};

/* Open-addressing maps used while flattening, keyed by pointer: interned
 * name -> string offset, and tref -> record index. */
struct kv {
    uint64_t *key; /* the pointer; 0 = empty */
    uint32_t *val;
    size_t mask, n;
};

struct flat {
    struct buf sec[S_COUNT];
    struct kv names, trefs;
    int oom, too_big;
};

static void *buf_add(struct flat *f, int s, size_t n)
{
    struct buf *b = &f->sec[s];
    if (f->oom)
        return NULL;
    if (b->n + n > b->cap || !b->p) { /* allocated even for n == 0: never NULL */
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->n + n)
            cap *= 2;
        uint8_t *p = realloc(b->p, cap);
        if (!p) {
            f->oom = 1;
            return NULL;
        }
        b->p = p;
        b->cap = cap;
    }
    void *at = b->p + b->n;
    memset(at, 0, n);
    b->n += n;
    return at;
}

/* A pointer's slot hash (murmur3's finalizer: pointers are 8- or
 * 16-aligned, so their low bits alone would cluster). */
static uint64_t mix(uint64_t k)
{
    k ^= k >> 33;
    k *= UINT64_C(0xff51afd7ed558ccd);
    k ^= k >> 33;
    return k;
}

static int kv_init(struct kv *m, size_t want)
{
    size_t cap = 1024;
    while (cap < want * 2)
        cap *= 2;
    m->key = calloc(cap, sizeof *m->key);
    m->val = malloc(cap * sizeof *m->val);
    m->mask = cap - 1;
    m->n = 0;
    return m->key && m->val ? 0 : -1;
}

static void kv_free(struct kv *m)
{
    free(m->key);
    free(m->val);
}

static int kv_grow(struct kv *m)
{
    struct kv n;
    if (kv_init(&n, (m->mask + 1)))
        return kv_free(&n), -1;
    for (size_t i = 0; i <= m->mask; i++) {
        if (!m->key[i])
            continue;
        size_t j = mix(m->key[i]) & n.mask;
        while (n.key[j])
            j = (j + 1) & n.mask;
        n.key[j] = m->key[i];
        n.val[j] = m->val[i];
    }
    n.n = m->n;
    kv_free(m);
    *m = n;
    return 0;
}

/* The value recorded for key, or -1. */
static int64_t kv_get(const struct kv *m, uint64_t key)
{
    for (size_t i = mix(key) & m->mask; m->key[i]; i = (i + 1) & m->mask)
        if (m->key[i] == key)
            return m->val[i];
    return -1;
}

/* Records key -> val for a key known absent; -1 when out of memory. */
static int kv_put(struct kv *m, uint64_t key, uint32_t val)
{
    size_t i;
    if ((m->n + 1) * 2 > m->mask + 1 && kv_grow(m))
        return -1;
    for (i = mix(key) & m->mask; m->key[i]; i = (i + 1) & m->mask)
        ;
    m->key[i] = key;
    m->val[i] = val;
    m->n++;
    return 0;
}


/* The offset of name in the string section, adding it once. The builder
 * interns every name that recurs (types, fields, enum bases: one pointer
 * per distinct text) and copies the ones that cannot (symbols, constants),
 * so names are deduplicated by pointer, without hashing or comparing text. */
static uint32_t name_off(struct flat *f, const char *name)
{
    if (!name)
        return ISF_NONE;
    int64_t known = kv_get(&f->names, (uint64_t)(uintptr_t)name);
    if (known >= 0)
        return (uint32_t)known;
    size_t n = strlen(name), at = f->sec[S_STR].n;
    if (at + n + 1 >= ISF_NONE) {
        f->too_big = 1;
        return ISF_NONE;
    }
    char *p = buf_add(f, S_STR, n + 1);
    if (!p)
        return ISF_NONE;
    memcpy(p, name, n + 1);
    if (kv_put(&f->names, (uint64_t)(uintptr_t)name, (uint32_t)at)) {
        f->oom = 1;
        return ISF_NONE;
    }
    return (uint32_t)at;
}

/* The record index of a (hash-consed) type reference, adding it and its
 * targets once. The builder bounds nesting by the JSON depth. */
static uint32_t tref_index(struct flat *f, const struct isf_tref *t)
{
    if (!t || f->oom)
        return ISF_NONE;
    int64_t known = kv_get(&f->trefs, (uint64_t)(uintptr_t)t);
    if (known >= 0)
        return (uint32_t)known;
    uint32_t sub = tref_index(f, t->sub);
    uint32_t name = name_off(f, t->name);
    size_t idx = f->sec[S_TREF].n / sizeof(struct flat_tref);
    struct flat_tref *r = buf_add(f, S_TREF, sizeof *r);
    if (!r)
        return ISF_NONE;
    *r = (struct flat_tref){(uint32_t)t->kind, name, sub, t->bit_position, t->bit_length, 0,
                            t->count};
    if (kv_put(&f->trefs, (uint64_t)(uintptr_t)t, (uint32_t)idx)) {
        f->oom = 1;
        return ISF_NONE;
    }
    return (uint32_t)idx;
}

/* A hash index over n records of section s whose first member is a name
 * offset. */
static void add_index(struct flat *f, int hs, int s)
{
    size_t rs = isf_flat_recsize[s], n = f->sec[s].n / rs, cap = 1;
    if (!n)
        return;
    while (cap < n * 2)
        cap *= 2;
    uint32_t *slot = buf_add(f, hs, cap * 4);
    if (!slot)
        return;
    for (size_t i = 0; i < n; i++) {
        uint32_t off;
        memcpy(&off, f->sec[s].p + i * rs, 4);
        const char *name = (const char *)f->sec[S_STR].p + off;
        size_t j = XXH3_64bits(name, strlen(name)) & (cap - 1);
        while (slot[j])
            j = (j + 1) & (cap - 1);
        slot[j] = (uint32_t)i + 1;
    }
}

static void add_utype(struct flat *f, const struct utype *u)
{
    size_t first = f->sec[S_FIELD].n / sizeof(struct flat_field);
    for (uint32_t i = 0; i < u->nfields; i++) {
        uint32_t name = name_off(f, u->fields[i].name);
        uint32_t type = tref_index(f, u->fields[i].type);
        struct flat_field *r = buf_add(f, S_FIELD, sizeof *r);
        if (!r)
            return;
        *r = (struct flat_field){name, type, (uint32_t)(u->fields[i].anonymous != 0),
                                 isf_flat_name_hash(u->fields[i].name), u->fields[i].offset};
    }
    uint32_t name = name_off(f, u->name);
    struct flat_utype *r = buf_add(f, S_UTYPE, sizeof *r);
    if (r)
        *r = (struct flat_utype){name, (uint32_t)u->kind, (uint32_t)first, u->nfields, u->size};
}

static void add_etype(struct flat *f, const struct etype *e)
{
    size_t first = f->sec[S_ECONST].n / sizeof(struct flat_econst);
    for (uint32_t i = 0; i < e->nconsts; i++) {
        uint32_t name = name_off(f, e->consts[i].name);
        struct flat_econst *r = buf_add(f, S_ECONST, sizeof *r);
        if (!r)
            return;
        *r = (struct flat_econst){name, isf_flat_name_hash(e->consts[i].name), e->consts[i].value};
    }
    uint32_t name = name_off(f, e->name), base = name_off(f, e->base);
    struct flat_etype *r = buf_add(f, S_ETYPE, sizeof *r);
    if (r)
        *r = (struct flat_etype){name, base, (uint32_t)first, e->nconsts, e->size};
}

static void add_btype(struct flat *f, const struct btype *b)
{
    uint32_t name = name_off(f, b->name);
    struct flat_btype *r = buf_add(f, S_BTYPE, sizeof *r);
    if (r)
        *r = (struct flat_btype){name, (uint32_t)(b->is_signed != 0), b->size};
}

static void add_sym(struct flat *f, const struct sym *s)
{
    uint32_t name = name_off(f, s->name), type = tref_index(f, s->type);
    struct flat_sym *r = buf_add(f, S_SYM, sizeof *r);
    if (r)
        *r = (struct flat_sym){name, type, s->address};
}

static void add_cdata(struct flat *f, const struct cdata *d)
{
    uint32_t name = name_off(f, d->name);
    uint64_t at = f->sec[S_BYTES].n;
    uint8_t *p = buf_add(f, S_BYTES, d->len);
    if (!p)
        return;
    if (d->len)
        memcpy(p, d->data, d->len);
    struct flat_cdata *r = buf_add(f, S_CDATA, sizeof *r);
    if (r)
        *r = (struct flat_cdata){name, 0, at, d->len};
}

static void flat_free(struct flat *f)
{
    for (int s = 0; s < S_COUNT; s++)
        free(f->sec[s].p);
    kv_free(&f->names);
    kv_free(&f->trefs);
}

scry_status isf_flatten(const struct isf_tables *t, uint64_t source_hash, uint64_t source_size,
                        uint8_t **out, size_t *len)
{
    struct flat f = {0};
    if (kv_init(&f.names, t->utypes.n * 4 + t->syms.n + 1024) ||
        kv_init(&f.trefs, t->utypes.n * 4 + 1024)) {
        flat_free(&f);
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    }
    ISF_EACH(&t->btypes, struct btype, b)
    add_btype(&f, b);
    ISF_EACH(&t->utypes, struct utype, u)
    add_utype(&f, u);
    ISF_EACH(&t->enums, struct etype, e)
    add_etype(&f, e);
    ISF_EACH(&t->syms, struct sym, s)
    add_sym(&f, s);
    ISF_EACH(&t->cdata, struct cdata, d)
    add_cdata(&f, d);
    if (f.oom || f.too_big) /* a failed name would index past the strings */
        goto fail;
    add_index(&f, S_HUTYPE, S_UTYPE);
    add_index(&f, S_HBTYPE, S_BTYPE);
    add_index(&f, S_HETYPE, S_ETYPE);
    add_index(&f, S_HSYM, S_SYM);
    add_index(&f, S_HCDATA, S_CDATA);
    for (int s = 0; s < S_COUNT; s++)
        if (f.sec[s].n / isf_flat_recsize[s] >= ISF_NONE)
            f.too_big = 1;
fail:
    if (f.oom || f.too_big) {
        int oom = f.oom;
        flat_free(&f);
        return oom ? scry_err(SCRY_ERR_NOMEM, "out of memory")
                   : scry_err(SCRY_ERR_LIMIT, "symbol table too large to compile");
    }

    /* Lay the sections out, 8-aligned, the block checksums last. */
    struct isf_flat_section sec[S_COUNT];
    size_t at = sizeof(struct isf_flat_header) + sizeof sec, body = at;
    for (int s = 0; s < S_BLOCKSUM; s++) {
        sec[s].offset = at;
        sec[s].size = f.sec[s].n;
        at = (at + f.sec[s].n + 7) & ~(size_t)7;
    }
    size_t nblocks = (at - body + ISF_FLAT_BLOCK - 1) / ISF_FLAT_BLOCK;
    sec[S_BLOCKSUM].offset = at;
    sec[S_BLOCKSUM].size = nblocks * 8;
    size_t total = at + nblocks * 8;
    uint8_t *p = calloc(1, total);
    if (!p) {
        flat_free(&f);
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    }
    for (int s = 0; s < S_BLOCKSUM; s++)
        if (f.sec[s].n)
            memcpy(p + sec[s].offset, f.sec[s].p, f.sec[s].n);
    flat_free(&f);
    for (size_t b = 0; b < nblocks; b++) {
        size_t from = body + b * ISF_FLAT_BLOCK, n = at - from;
        uint64_t h = XXH3_64bits(p + from, n < ISF_FLAT_BLOCK ? n : ISF_FLAT_BLOCK);
        memcpy(p + sec[S_BLOCKSUM].offset + b * 8, &h, 8);
    }
    struct isf_flat_header hd = {.version = ISF_FLAT_VERSION,
                                 .endian = ISF_FLAT_ENDIAN,
                                 .file_size = total,
                                 .source_hash = source_hash,
                                 .source_size = source_size,
                                 .nsections = S_COUNT,
                                 .block_size = ISF_FLAT_BLOCK};
    memcpy(hd.magic, ISF_FLAT_MAGIC, sizeof hd.magic);
    if (t->format)
        strncpy(hd.format, t->format, sizeof hd.format - 1);
    memcpy(p, &hd, sizeof hd);
    memcpy(p + sizeof hd, sec, sizeof sec);
    XXH3_state_t *x = XXH3_createState();
    if (!x) {
        free(p);
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    }
    XXH3_64bits_reset(x);
    XXH3_64bits_update(x, p, sizeof hd + sizeof sec);
    XXH3_64bits_update(x, p + sec[S_BLOCKSUM].offset, sec[S_BLOCKSUM].size);
    hd.header_hash = XXH3_64bits_digest(x);
    XXH3_freeState(x);
    memcpy(p, &hd, sizeof hd);
    *out = p;
    *len = total;
    return SCRY_OK;
}
