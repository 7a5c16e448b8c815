/* isf.c - loads an ISF (Volatility's JSON symbol table) into compact tables.
 *
 * One streaming pass: bytes are decompressed in chunks (xz, gzip or plain,
 * told apart by magic), tokenized by json_stream.c and fed to a small state
 * machine that writes straight into arena-backed hash tables. No JSON tree
 * ever exists, so the 35 MB Linux ISF costs only what its tables need.
 * (YAJL drove the same state machine 1.7x slower in instructions, so the
 * tokenizer is our own.)
 *
 * Memory shape: every string and record lives in one arena freed at once;
 * names that recur (type and field names) are interned, symbol names (all
 * unique) are merely copied; type references are hash-consed, since the same
 * few thousand shapes ("pointer to struct list_head") repeat everywhere. */
#include "symtab.h"

#include <errno.h>
#include <fcntl.h>
#include <lzma.h>
#include <pthread.h>
#include <signal.h>
#include <stdalign.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xxhash.h>
#include <zlib.h>

#include "json_stream.h"

/* Safety bounds. Real ISFs: ~150k symbols, ~10k user types, 244 fields at
 * most in one type. The bounds only stop hostile input from growing tables
 * (and the time to build them) without end. */
#define ISF_MAX_TEXT ((uint64_t)1 << 30) /* decompressed bytes */
#define MAX_ENTRIES ((size_t)1 << 24) /* per table            */
#define MAX_FIELDS ((size_t)1 << 20)  /* per user type or enum */
#define MAX_ANON_DEPTH 16             /* nested anonymous members */
#define MAX_ANON_VISITS 4096          /* user types visited by one lookup */
#define XZ_MEMLIMIT ((uint64_t)96 << 20)
#define IN_CHUNK (64u << 10)
#define OUT_CHUNK (128u << 10)

/* ------------------------------------------------------------------ arena */

struct chunk {
    struct chunk *next;
    size_t used, cap;
    alignas(max_align_t) unsigned char data[];
};

struct arena {
    struct chunk *head;
    size_t bytes; /* handed out, for statistics */
};

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

static void *arena_alloc(struct arena *a, size_t n) { return arena_alloc_aligned(a, n, 8); }

static char *arena_strdup(struct arena *a, const void *s, size_t n)
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

/* Open addressing over pointers to records whose first member is the name
 * (or, when direct, over the interned strings themselves). The upper hash
 * bits are kept beside each slot so most probes never touch the record. */
struct htab {
    void **slot;
    uint32_t *tag;
    size_t mask, n;
    int direct;
};

static uint64_t hash_str(const void *s, size_t n) { return XXH3_64bits(s, n); }

static const char *ht_key(const struct htab *h, const void *item)
{
    return h->direct ? (const char *)item : *(const char *const *)item;
}

/* Names never hold a NUL (the builder rejects them), so strncmp over n bytes
 * plus the terminator check is an exact comparison. */
static void *ht_find(const struct htab *h, const char *s, size_t n, uint64_t hv)
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
            uint64_t hv = hash_str(k, strlen(k));
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
static int ht_insert(struct htab *h, void *item, uint64_t hv)
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

static void ht_free(struct htab *h)
{
    free(h->slot);
    free(h->tag);
    h->slot = NULL;
    h->tag = NULL;
    h->n = h->mask = 0;
}

/* Hash-consing of type references: structurally equal references share one
 * record, so the table costs one record per distinct shape. */
struct trtab {
    const struct scry_typeref **slot;
    size_t mask, n;
};

static uint64_t hash_tref(const struct scry_typeref *t)
{
    struct {
        uint64_t kind;
        const void *name, *sub;
        uint64_t count, bits;
    } k = {(uint64_t)t->kind, t->name, t->sub, t->count,
           (uint64_t)t->bit_position << 32 | t->bit_length};
    return XXH3_64bits(&k, sizeof k);
}

static int tref_eq(const struct scry_typeref *a, const struct scry_typeref *b)
{
    return a->kind == b->kind && a->name == b->name && a->sub == b->sub && a->count == b->count &&
           a->bit_position == b->bit_position && a->bit_length == b->bit_length;
}

/* ------------------------------------------------------------- the table */

struct field {
    const char *name; /* interned */
    const struct scry_typeref *type;
    uint64_t offset;
    int anonymous;
};

struct utype {
    const char *name;
    uint64_t size;
    struct field *fields;
    uint32_t nfields;
    int kind; /* SCRY_T_STRUCT, _UNION or _CLASS */
};

struct btype {
    const char *name;
    uint64_t size;
    int is_signed;
};

struct econst {
    const char *name;
    int64_t value;
};

struct etype {
    const char *name;
    const char *base;
    uint64_t size;
    struct econst *consts;
    uint32_t nconsts;
};

struct sym {
    const char *name;
    const struct scry_typeref *type; /* NULL when the ISF gives none */
    uint64_t address;
};

struct cdata {
    const char *name;
    const uint8_t *data;
    size_t len;
};

struct scry_symtab {
    struct arena arena;
    struct htab utypes, btypes, enums, syms, cdata;
    struct htab strs;   /* interning; dropped once loaded */
    struct trtab trefs; /* hash-consing; dropped once loaded */
    const char *format;
};

static const char *intern(struct scry_symtab *st, const void *s, size_t n)
{
    uint64_t hv = hash_str(s, n);
    char *p = ht_find(&st->strs, s, n, hv);
    if (p)
        return p;
    p = arena_strdup(&st->arena, s, n);
    if (!p || ht_insert(&st->strs, p, hv))
        return NULL;
    return p;
}

static const struct scry_typeref *tref_cons(struct scry_symtab *st, const struct scry_typeref *t)
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
        const struct scry_typeref **ns = calloc(ncap, sizeof *ns);
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
    struct scry_typeref *r = arena_alloc(&st->arena, sizeof *r);
    if (!r)
        return NULL;
    *r = *t;
    for (i = hv & h->mask; h->slot[i]; i = (i + 1) & h->mask)
        ;
    h->slot[i] = r;
    h->n++;
    return r;
}

void scry_isf_free(struct scry_symtab *st)
{
    if (!st)
        return;
    ht_free(&st->utypes);
    ht_free(&st->btypes);
    ht_free(&st->enums);
    ht_free(&st->syms);
    ht_free(&st->cdata);
    ht_free(&st->strs);
    free(st->trefs.slot);
    arena_free(&st->arena);
    free(st);
}

/* ---------------------------------------------------------------- builder */

enum ctx {
    C_ROOT, C_TOP, C_META, C_BASES, C_BASE, C_UTYPES, C_UTYPE, C_FIELDS, C_FIELD,
    C_TREF, C_ENUMS, C_ENUM, C_CONSTS, C_SYMS, C_SYM, C_END
};

enum key {
    K_NONE, K_IGNORE, K_ENTRY, K_METADATA, K_BASE_TYPES, K_USER_TYPES, K_ENUMS, K_SYMBOLS,
    K_FORMAT, K_SIZE, K_SIGNED, K_KIND, K_FIELDS, K_OFFSET, K_ANONYMOUS, K_TYPE, K_SUBTYPE,
    K_NAME, K_COUNT, K_BIT_POSITION, K_BIT_LENGTH, K_BASE, K_CONSTANTS, K_ADDRESS,
    K_CONSTANT_DATA
};

static const char *const key_names[] = {
    [K_METADATA] = "metadata", [K_BASE_TYPES] = "base_types", [K_USER_TYPES] = "user_types",
    [K_ENUMS] = "enums", [K_SYMBOLS] = "symbols", [K_FORMAT] = "format", [K_SIZE] = "size",
    [K_SIGNED] = "signed", [K_KIND] = "kind", [K_FIELDS] = "fields", [K_OFFSET] = "offset",
    [K_ANONYMOUS] = "anonymous", [K_TYPE] = "type", [K_SUBTYPE] = "subtype", [K_NAME] = "name",
    [K_COUNT] = "count", [K_BIT_POSITION] = "bit_position", [K_BIT_LENGTH] = "bit_length",
    [K_BASE] = "base", [K_CONSTANTS] = "constants", [K_ADDRESS] = "address",
    [K_CONSTANT_DATA] = "constant_data",
};

/* Which keys each context reads; anything else is skipped, so producers may
 * add keys (endian, linkage_name, producer...) freely. */
static const uint32_t ctx_keys[] = {
    [C_TOP] = 1u << K_METADATA | 1u << K_BASE_TYPES | 1u << K_USER_TYPES | 1u << K_ENUMS |
              1u << K_SYMBOLS,
    [C_META] = 1u << K_FORMAT,
    [C_BASE] = 1u << K_SIZE | 1u << K_SIGNED,
    [C_UTYPE] = 1u << K_SIZE | 1u << K_KIND | 1u << K_FIELDS,
    [C_FIELD] = 1u << K_OFFSET | 1u << K_ANONYMOUS | 1u << K_TYPE,
    [C_TREF] = 1u << K_KIND | 1u << K_NAME | 1u << K_COUNT | 1u << K_BIT_POSITION |
               1u << K_BIT_LENGTH | 1u << K_TYPE | 1u << K_SUBTYPE,
    [C_ENUM] = 1u << K_SIZE | 1u << K_BASE | 1u << K_CONSTANTS,
    [C_SYM] = 1u << K_ADDRESS | 1u << K_TYPE | 1u << K_CONSTANT_DATA,
};

/* Which contexts are maps of named entries, and what each entry is. */
static const uint8_t entry_ctx[] = {
    [C_BASES] = C_BASE, [C_UTYPES] = C_UTYPE, [C_FIELDS] = C_FIELD,
    [C_ENUMS] = C_ENUM, [C_SYMS] = C_SYM,     [C_CONSTS] = C_END, /* a number */
};

/* Called for every key of the 35 MB text: a length switch keeps it to one
 * memcmp. */
static enum key key_lookup(const unsigned char *s, size_t n)
{
#define IS(k) (memcmp(s, key_names[k], n) == 0 ? (k) : K_IGNORE)
    switch (n) {
    case 4:
        switch (s[0]) {
        case 's': return IS(K_SIZE);
        case 'k': return IS(K_KIND);
        case 't': return IS(K_TYPE);
        case 'n': return IS(K_NAME);
        case 'b': return IS(K_BASE);
        default: return K_IGNORE;
        }
    case 5: return s[0] == 'e' ? IS(K_ENUMS) : IS(K_COUNT);
    case 6:
        switch (s[0]) {
        case 'f': return s[1] == 'o' ? IS(K_FORMAT) : IS(K_FIELDS);
        case 's': return IS(K_SIGNED);
        case 'o': return IS(K_OFFSET);
        default: return K_IGNORE;
        }
    case 7:
        switch (s[0]) {
        case 's': return s[1] == 'y' ? IS(K_SYMBOLS) : IS(K_SUBTYPE);
        case 'a': return IS(K_ADDRESS);
        default: return K_IGNORE;
        }
    case 8: return IS(K_METADATA);
    case 9: return s[0] == 'a' ? IS(K_ANONYMOUS) : IS(K_CONSTANTS);
    case 10:
        switch (s[0]) {
        case 'b': return s[1] == 'a' ? IS(K_BASE_TYPES) : IS(K_BIT_LENGTH);
        case 'u': return IS(K_USER_TYPES);
        default: return K_IGNORE;
        }
    case 12: return IS(K_BIT_POSITION);
    case 13: return IS(K_CONSTANT_DATA);
    default: return K_IGNORE;
    }
#undef IS
}

/* What one type reference object has said so far. */
struct tpart {
    struct scry_typeref t;
    unsigned have; /* 1 << K_xxx */
};

struct frame {
    uint8_t ctx, key;
};

struct builder {
    struct scry_symtab *st;
    const unsigned long *line;
    struct frame fr[SCRY_JSON_MAX_DEPTH + 2];
    int depth;
    unsigned skip; /* depth inside a skipped value */
    unsigned seen; /* top-level sections, 1 << K_xxx */
    scry_status status;

    const char *entry;   /* the current base/user type, enum or symbol */
    const char *member;  /* the current field or enum constant */
    unsigned have;       /* the current entry's keys, 1 << K_xxx */
    unsigned fhave;      /* the current field's keys */
    uint64_t size;       /* base type, user type, enum */
    int is_signed;       /* base type */
    int ukind;           /* user type */
    const char *ebase;   /* enum */
    uint64_t address;    /* symbol */
    const struct scry_typeref *stype;
    const uint8_t *cd;
    size_t cdlen;

    struct field fld; /* the current field */
    struct field *fields;
    size_t nfields, fcap;
    struct econst *consts;
    size_t nconsts, ccap;

    struct tpart tp[SCRY_JSON_MAX_DEPTH];
    int ntp;
};

/* Writes a name into a message: clipped, non-printables as '?', so the
 * message stays one short line whatever the input holds. */
static void clip_name(char *out, size_t cap, const char *s)
{
    size_t i = 0;
    for (; s[i] && i + 4 < cap && i < 80; i++)
        out[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
    if (s[i] && i + 4 <= cap) {
        memcpy(out + i, "...", 3);
        i += 3;
    }
    out[i] = '\0';
}

/* Stops the parse: "line N: user type X: field Y: <what>". */
static int fail(struct builder *b, scry_status st, const char *fmt, ...) SCRY_PRINTF(3, 4);
static int fail(struct builder *b, scry_status st, const char *fmt, ...)
{
    char where[320] = "", nm[96], msg[256];
    size_t w = 0;
    va_list ap;
    for (int i = 0; i < b->depth; i++) {
        const char *label = NULL, *name = NULL;
        switch (b->fr[i].ctx) {
        case C_BASE: label = "base type", name = b->entry; break;
        case C_UTYPE: label = "user type", name = b->entry; break;
        case C_ENUM: label = "enum", name = b->entry; break;
        case C_SYM: label = "symbol", name = b->entry; break;
        case C_FIELD: label = "field", name = b->member; break;
        default: break;
        }
        if (b->fr[i].ctx == C_CONSTS && b->fr[i].key == K_ENTRY)
            label = "constant", name = b->member;
        if (label && name && w < sizeof where) {
            clip_name(nm, sizeof nm, name);
            w += (size_t)snprintf(where + w, sizeof where - w, "%s %s: ", label, nm);
        }
    }
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    b->status = scry_err(st, "line %lu: %s%s", *b->line, where, msg);
    return 0;
}

static int nomem(struct builder *b) { return fail(b, SCRY_ERR_NOMEM, "out of memory"); }

static int push(struct builder *b, enum ctx c)
{
    if (b->depth + 1 >= (int)(sizeof b->fr / sizeof *b->fr))
        return fail(b, SCRY_ERR_CORRUPT, "nesting deeper than %d levels", SCRY_JSON_MAX_DEPTH);
    b->fr[b->depth].ctx = (uint8_t)c;
    b->fr[b->depth].key = K_NONE;
    b->depth++;
    return 1;
}

static const char *what_key(const struct frame *f)
{
    return f->key < sizeof key_names / sizeof *key_names && key_names[f->key]
               ? key_names[f->key]
               : "value";
}

static int type_error(struct builder *b, const char *want)
{
    const struct frame *f = &b->fr[b->depth - 1];
    if (f->ctx == C_ROOT)
        return fail(b, SCRY_ERR_CORRUPT, "the ISF must be a JSON object");
    if (f->ctx == C_CONSTS)
        return fail(b, SCRY_ERR_CORRUPT, "%s", "value must be an integer");
    if (f->key == K_ENTRY) {
        char nm[96];
        const char *label = f->ctx == C_BASES    ? "base type"
                            : f->ctx == C_UTYPES ? "user type"
                            : f->ctx == C_FIELDS ? "field"
                            : f->ctx == C_ENUMS  ? "enum"
                                                 : "symbol";
        clip_name(nm, sizeof nm,
                  f->ctx == C_FIELDS ? (b->member ? b->member : "") : (b->entry ? b->entry : ""));
        return fail(b, SCRY_ERR_CORRUPT, "%s %s must be an object", label, nm);
    }
    return fail(b, SCRY_ERR_CORRUPT, "\"%s\" must be %s", what_key(f), want);
}

/* Unsigned decimal integer; 0 on success, else the reason. */
static const char *parse_u64(const char *s, size_t n, uint64_t *out)
{
    uint64_t v = 0;
    if (n && s[0] == '-')
        return "must not be negative";
    if (n == 0)
        return "must be an integer";
    for (size_t i = 0; i < n; i++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (d > 9)
            return "must be an integer";
        if (v > (UINT64_MAX - d) / 10)
            return "does not fit in 64 bits";
        v = v * 10 + d;
    }
    *out = v;
    return NULL;
}

/* Enum constants: signed, or unsigned up to 2^64-1 (DWARF gives unsigned
 * enumerators such as ~0UL); the latter keep their bits in the int64. */
static const char *parse_i64(const char *s, size_t n, int64_t *out)
{
    uint64_t v;
    const char *why;
    if (n && s[0] == '-') {
        why = parse_u64(s + 1, n - 1, &v);
        if (why)
            return why;
        if (v > (uint64_t)INT64_MAX + 1)
            return "does not fit in 64 bits";
        *out = (int64_t)(0 - v);
        return NULL;
    }
    why = parse_u64(s, n, &v);
    if (!why)
        *out = (int64_t)v;
    return why;
}

static int has_nul(const unsigned char *s, size_t n) { return memchr(s, 0, n) != NULL; }

static int b_map_key(void *ctx, const unsigned char *s, size_t n)
{
    struct builder *b = ctx;
    struct frame *f;
    if (b->skip)
        return 1;
    f = &b->fr[b->depth - 1];
    if (f->ctx < sizeof entry_ctx && entry_ctx[f->ctx]) {
        const char *name;
        if (has_nul(s, n))
            return fail(b, SCRY_ERR_CORRUPT, "a name holds a NUL character");
        /* Symbol and constant names are unique: copy them. Type and field
         * names recur in references: intern them. */
        if (f->ctx == C_SYMS || f->ctx == C_CONSTS)
            name = arena_strdup(&b->st->arena, s, n);
        else
            name = intern(b->st, s, n);
        if (!name)
            return nomem(b);
        if (f->ctx == C_FIELDS || f->ctx == C_CONSTS)
            b->member = name;
        else
            b->entry = name;
        f->key = K_ENTRY;
        return 1;
    }
    enum key k = key_lookup(s, n);
    if (k != K_IGNORE && !(f->ctx < sizeof ctx_keys / sizeof *ctx_keys &&
                           (ctx_keys[f->ctx] >> k & 1)))
        k = K_IGNORE;
    f->key = (uint8_t)k;
    return 1;
}

static int b_map_start(void *ctx)
{
    struct builder *b = ctx;
    struct frame *f;
    if (b->skip) {
        if (b->depth + (int)++b->skip > SCRY_JSON_MAX_DEPTH)
            return fail(b, SCRY_ERR_CORRUPT, "nesting deeper than %d levels",
                        SCRY_JSON_MAX_DEPTH);
        return 1;
    }
    f = &b->fr[b->depth - 1];
    if (f->key == K_IGNORE) {
        b->skip = 1;
        return 1;
    }
    switch (f->ctx) {
    case C_ROOT:
        return push(b, C_TOP);
    case C_TOP:
        if (b->seen >> f->key & 1)
            return fail(b, SCRY_ERR_CORRUPT, "\"%s\" appears twice", what_key(f));
        b->seen |= 1u << f->key;
        switch (f->key) {
        case K_METADATA: return push(b, C_META);
        case K_BASE_TYPES: return push(b, C_BASES);
        case K_USER_TYPES: return push(b, C_UTYPES);
        case K_ENUMS: return push(b, C_ENUMS);
        case K_SYMBOLS: return push(b, C_SYMS);
        default: break;
        }
        break;
    case C_BASES:
    case C_UTYPES:
    case C_ENUMS:
    case C_SYMS:
        b->have = 0;
        b->stype = NULL;
        b->cd = NULL;
        b->cdlen = 0;
        b->nfields = b->nconsts = 0;
        return push(b, (enum ctx)entry_ctx[f->ctx]);
    case C_FIELDS:
        memset(&b->fld, 0, sizeof b->fld);
        b->fld.name = b->member;
        b->fhave = 0;
        return push(b, C_FIELD);
    case C_UTYPE:
        if (f->key == K_FIELDS) {
            b->have |= 1u << K_FIELDS;
            b->nfields = 0;
            return push(b, C_FIELDS);
        }
        break;
    case C_ENUM:
        if (f->key == K_CONSTANTS) {
            b->have |= 1u << K_CONSTANTS;
            b->nconsts = 0;
            return push(b, C_CONSTS);
        }
        break;
    case C_FIELD:
    case C_SYM:
    case C_TREF:
        if (f->key == K_TYPE || f->key == K_SUBTYPE) {
            if (b->ntp == SCRY_JSON_MAX_DEPTH)
                return fail(b, SCRY_ERR_CORRUPT, "nesting deeper than %d levels",
                            SCRY_JSON_MAX_DEPTH);
            memset(&b->tp[b->ntp], 0, sizeof b->tp[b->ntp]);
            b->ntp++;
            return push(b, C_TREF);
        }
        break;
    default:
        break;
    }
    return type_error(b, "a value other than an object");
}

static int b_array_start(void *ctx)
{
    struct builder *b = ctx;
    if (b->skip) {
        if (b->depth + (int)++b->skip > SCRY_JSON_MAX_DEPTH)
            return fail(b, SCRY_ERR_CORRUPT, "nesting deeper than %d levels",
                        SCRY_JSON_MAX_DEPTH);
        return 1;
    }
    if (b->fr[b->depth - 1].key == K_IGNORE) {
        b->skip = 1;
        return 1;
    }
    return type_error(b, "an object or a scalar, not an array");
}

static int skip_end(struct builder *b)
{
    b->skip--;
    return 1;
}

static int b_array_end(void *ctx)
{
    struct builder *b = ctx;
    if (b->skip)
        return skip_end(b);
    return fail(b, SCRY_ERR_CORRUPT, "unbalanced ']'"); /* a tokenizer bug */
}

static const struct {
    const char *name;
    enum scry_tkind kind;
} tkinds[] = {
    {"base", SCRY_T_BASE},   {"pointer", SCRY_T_POINTER},   {"array", SCRY_T_ARRAY},
    {"struct", SCRY_T_STRUCT}, {"union", SCRY_T_UNION},     {"class", SCRY_T_CLASS},
    {"enum", SCRY_T_ENUM},   {"bitfield", SCRY_T_BITFIELD}, {"function", SCRY_T_FUNCTION},
};

static int tkind_of(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < sizeof tkinds / sizeof *tkinds; i++)
        if (strlen(tkinds[i].name) == n && memcmp(tkinds[i].name, s, n) == 0)
            return tkinds[i].kind;
    return 0;
}

static const int8_t b64val[256] = {
    ['A'] = 1,  ['B'] = 2,  ['C'] = 3,  ['D'] = 4,  ['E'] = 5,  ['F'] = 6,  ['G'] = 7,
    ['H'] = 8,  ['I'] = 9,  ['J'] = 10, ['K'] = 11, ['L'] = 12, ['M'] = 13, ['N'] = 14,
    ['O'] = 15, ['P'] = 16, ['Q'] = 17, ['R'] = 18, ['S'] = 19, ['T'] = 20, ['U'] = 21,
    ['V'] = 22, ['W'] = 23, ['X'] = 24, ['Y'] = 25, ['Z'] = 26, ['a'] = 27, ['b'] = 28,
    ['c'] = 29, ['d'] = 30, ['e'] = 31, ['f'] = 32, ['g'] = 33, ['h'] = 34, ['i'] = 35,
    ['j'] = 36, ['k'] = 37, ['l'] = 38, ['m'] = 39, ['n'] = 40, ['o'] = 41, ['p'] = 42,
    ['q'] = 43, ['r'] = 44, ['s'] = 45, ['t'] = 46, ['u'] = 47, ['v'] = 48, ['w'] = 49,
    ['x'] = 50, ['y'] = 51, ['z'] = 52, ['0'] = 53, ['1'] = 54, ['2'] = 55, ['3'] = 56,
    ['4'] = 57, ['5'] = 58, ['6'] = 59, ['7'] = 60, ['8'] = 61, ['9'] = 62, ['+'] = 63,
    ['/'] = 64, /* value + 1, so 0 marks a byte outside the alphabet */
};

/* Standard base64 with '=' padding, as Volatility writes it. Returns the
 * decoded length, or (size_t)-1 when the text is not base64. */
static size_t b64_decode(const unsigned char *s, size_t n, uint8_t *out)
{
    size_t o = 0, pad = 0;
    if (n % 4)
        return (size_t)-1;
    if (n && s[n - 1] == '=')
        pad++;
    if (n > 1 && s[n - 2] == '=')
        pad++;
    for (size_t i = 0; i < n; i += 4) {
        uint32_t v = 0;
        int last = i + 4 == n;
        for (int j = 0; j < 4; j++) {
            int d;
            if (last && j >= 4 - (int)pad)
                d = 0;
            else if ((d = b64val[s[i + j]]) == 0)
                return (size_t)-1;
            else
                d--;
            v = v << 6 | (uint32_t)d;
        }
        out[o++] = (uint8_t)(v >> 16);
        if (!last || pad < 2)
            out[o++] = (uint8_t)(v >> 8);
        if (!last || pad < 1)
            out[o++] = (uint8_t)v;
    }
    return o;
}

static int b_string(void *ctx, const unsigned char *s, size_t n)
{
    struct builder *b = ctx;
    struct frame *f;
    if (b->skip)
        return 1;
    f = &b->fr[b->depth - 1];
    if (f->key == K_IGNORE)
        return 1;
    switch (f->ctx) {
    case C_META:
        if (n > 64 || has_nul(s, n))
            return fail(b, SCRY_ERR_CORRUPT, "metadata.format is not a version");
        if (!(b->st->format = arena_strdup(&b->st->arena, s, n)))
            return nomem(b);
        return 1;
    case C_UTYPE:
        if (f->key != K_KIND)
            break;
        b->ukind = tkind_of(s, n);
        if (b->ukind != SCRY_T_STRUCT && b->ukind != SCRY_T_UNION && b->ukind != SCRY_T_CLASS)
            return fail(b, SCRY_ERR_CORRUPT, "kind must be struct, union or class");
        b->have |= 1u << K_KIND;
        return 1;
    case C_ENUM:
        if (f->key != K_BASE)
            break;
        if (has_nul(s, n))
            return fail(b, SCRY_ERR_CORRUPT, "a name holds a NUL character");
        if (!(b->ebase = intern(b->st, s, n)))
            return nomem(b);
        b->have |= 1u << K_BASE;
        return 1;
    case C_SYM: {
        if (f->key != K_CONSTANT_DATA)
            break;
        uint8_t *out = arena_alloc(&b->st->arena, n / 4 * 3 + 1);
        if (!out)
            return nomem(b);
        size_t len = b64_decode(s, n, out);
        if (len == (size_t)-1)
            return fail(b, SCRY_ERR_CORRUPT, "constant_data is not valid base64");
        b->cd = out;
        b->cdlen = len;
        b->have |= 1u << K_CONSTANT_DATA;
        return 1;
    }
    case C_TREF: {
        struct tpart *t = &b->tp[b->ntp - 1];
        if (f->key == K_KIND) {
            if (!(t->t.kind = (enum scry_tkind)tkind_of(s, n)))
                return fail(b, SCRY_ERR_CORRUPT, "unknown type kind \"%.*s\"",
                            (int)(n > 20 ? 20 : n), (const char *)s);
            t->have |= 1u << K_KIND;
            return 1;
        }
        if (f->key == K_NAME) {
            if (has_nul(s, n))
                return fail(b, SCRY_ERR_CORRUPT, "a name holds a NUL character");
            if (!(t->t.name = intern(b->st, s, n)))
                return nomem(b);
            t->have |= 1u << K_NAME;
            return 1;
        }
        break;
    }
    default:
        break;
    }
    return type_error(b, f->key == K_ENTRY ? "an object" : "not a string");
}

static int b_number(void *ctx, const char *s, size_t n)
{
    struct builder *b = ctx;
    struct frame *f;
    uint64_t v = 0;
    const char *why;
    if (b->skip)
        return 1;
    f = &b->fr[b->depth - 1];
    if (f->key == K_IGNORE)
        return 1;
    if (f->ctx == C_CONSTS) {
        int64_t sv;
        if ((why = parse_i64(s, n, &sv)))
            return fail(b, SCRY_ERR_CORRUPT, "%s", why);
        if (b->nconsts == b->ccap) {
            if (b->ccap >= MAX_FIELDS)
                return fail(b, SCRY_ERR_CORRUPT, "more than %zu constants", MAX_FIELDS);
            size_t nc = b->ccap ? b->ccap * 2 : 64;
            struct econst *p = realloc(b->consts, nc * sizeof *p);
            if (!p)
                return nomem(b);
            b->consts = p;
            b->ccap = nc;
        }
        b->consts[b->nconsts].name = b->member;
        b->consts[b->nconsts++].value = sv;
        return 1;
    }
    if (f->key == K_ENTRY || f->ctx == C_ROOT)
        return type_error(b, "an object");
    if ((why = parse_u64(s, n, &v)))
        return fail(b, SCRY_ERR_CORRUPT, "\"%s\" %s", what_key(f), why);
    switch (f->ctx) {
    case C_BASE:
    case C_UTYPE:
    case C_ENUM:
        if (f->key != K_SIZE)
            break;
        b->size = v;
        b->have |= 1u << K_SIZE;
        return 1;
    case C_FIELD:
        if (f->key != K_OFFSET)
            break;
        b->fld.offset = v;
        b->fhave |= 1u << K_OFFSET;
        return 1;
    case C_SYM:
        if (f->key != K_ADDRESS)
            break;
        b->address = v;
        b->have |= 1u << K_ADDRESS;
        return 1;
    case C_TREF: {
        struct tpart *t = &b->tp[b->ntp - 1];
        if (f->key == K_COUNT)
            t->t.count = v;
        else if (f->key == K_BIT_POSITION || f->key == K_BIT_LENGTH) {
            if (v > 128)
                return fail(b, SCRY_ERR_CORRUPT, "\"%s\" is over 128", what_key(f));
            if (f->key == K_BIT_POSITION)
                t->t.bit_position = (uint32_t)v;
            else
                t->t.bit_length = (uint32_t)v;
        } else
            break;
        t->have |= 1u << f->key;
        return 1;
    }
    default:
        break;
    }
    return type_error(b, "not a number");
}

static int b_boolean(void *ctx, int value)
{
    struct builder *b = ctx;
    struct frame *f;
    if (b->skip)
        return 1;
    f = &b->fr[b->depth - 1];
    if (f->key == K_IGNORE)
        return 1;
    if (f->ctx == C_BASE && f->key == K_SIGNED) {
        b->is_signed = value;
        b->have |= 1u << K_SIGNED;
        return 1;
    }
    if (f->ctx == C_FIELD && f->key == K_ANONYMOUS) {
        b->fld.anonymous = value;
        return 1;
    }
    return type_error(b, f->key == K_ENTRY ? "an object" : "not a boolean");
}

static int b_null(void *ctx)
{
    struct builder *b = ctx;
    if (b->skip || b->fr[b->depth - 1].key == K_IGNORE)
        return 1;
    return type_error(b, "not null");
}

/* Ends a type reference object: checks it says what its kind needs and
 * hands the shared record to whoever holds it. */
static int end_tref(struct builder *b)
{
    struct tpart *t = &b->tp[b->ntp - 1];
    unsigned need = 0;
    if (!(t->have >> K_KIND & 1))
        return fail(b, SCRY_ERR_CORRUPT, "a type has no kind");
    switch (t->t.kind) {
    case SCRY_T_BASE:
    case SCRY_T_STRUCT:
    case SCRY_T_UNION:
    case SCRY_T_CLASS:
    case SCRY_T_ENUM: need = 1u << K_NAME; break;
    case SCRY_T_POINTER: need = 1u << K_SUBTYPE; break;
    case SCRY_T_ARRAY: need = 1u << K_SUBTYPE | 1u << K_COUNT; break;
    case SCRY_T_BITFIELD:
        need = 1u << K_SUBTYPE | 1u << K_BIT_POSITION | 1u << K_BIT_LENGTH;
        break;
    default: break;
    }
    if ((t->have & need) != need) {
        const char *miss = !(t->have >> K_NAME & 1) && (need >> K_NAME & 1) ? "name"
                           : !(t->have >> K_SUBTYPE & 1) && (need >> K_SUBTYPE & 1)
                               ? "subtype"
                           : !(t->have >> K_COUNT & 1) && (need >> K_COUNT & 1) ? "count"
                                                                                   : "bit range";
        const char *kn = tkinds[t->t.kind - 1].name;
        return fail(b, SCRY_ERR_CORRUPT, "%s %s type has no %s",
                    kn[0] == 'a' || kn[0] == 'e' ? "an" : "a", kn, miss);
    }
    if (t->t.kind == SCRY_T_BITFIELD &&
        (uint64_t)t->t.bit_position + t->t.bit_length > 128)
        return fail(b, SCRY_ERR_CORRUPT, "bitfield bits lie beyond 128");
    /* Keep only what the kind uses, so equal shapes cons to one record. */
    if (!(need >> K_NAME & 1))
        t->t.name = NULL;
    if (!(need >> K_SUBTYPE & 1))
        t->t.sub = NULL;
    if (t->t.kind != SCRY_T_ARRAY)
        t->t.count = 0;
    if (t->t.kind != SCRY_T_BITFIELD)
        t->t.bit_position = t->t.bit_length = 0;
    if (t->t.kind == SCRY_T_BASE && strcmp(t->t.name, "void") == 0)
        t->t.kind = SCRY_T_VOID;
    const struct scry_typeref *r = tref_cons(b->st, &t->t);
    if (!r)
        return nomem(b);
    b->ntp--;
    switch (b->fr[b->depth - 2].ctx) {
    case C_FIELD:
        b->fld.type = r;
        b->fhave |= 1u << K_TYPE;
        break;
    case C_SYM:
        b->stype = r;
        break;
    default: /* C_TREF */
        b->tp[b->ntp - 1].t.sub = r;
        b->tp[b->ntp - 1].have |= 1u << K_SUBTYPE;
        break;
    }
    return 1;
}

static int insert_entry(struct builder *b, struct htab *h, void *rec, const char *what)
{
    const char *name = *(const char **)rec;
    size_t n = strlen(name);
    uint64_t hv = hash_str(name, n);
    if (ht_find(h, name, n, hv))
        return fail(b, SCRY_ERR_CORRUPT, "defined twice");
    if (h->n >= MAX_ENTRIES)
        return fail(b, SCRY_ERR_CORRUPT, "more than %zu %s", MAX_ENTRIES, what);
    if (ht_insert(h, rec, hv))
        return nomem(b);
    return 1;
}

static int end_entry(struct builder *b, enum ctx c)
{
    struct scry_symtab *st = b->st;
    switch (c) {
    case C_BASE: {
        if (!(b->have >> K_SIZE & 1))
            return fail(b, SCRY_ERR_CORRUPT, "no size");
        if (!(b->have >> K_SIGNED & 1))
            return fail(b, SCRY_ERR_CORRUPT, "no \"signed\"");
        struct btype *r = arena_alloc(&st->arena, sizeof *r);
        if (!r)
            return nomem(b);
        *r = (struct btype){b->entry, b->size, b->is_signed};
        return insert_entry(b, &st->btypes, r, "base types");
    }
    case C_UTYPE: {
        if (!(b->have >> K_SIZE & 1))
            return fail(b, SCRY_ERR_CORRUPT, "no size");
        if (!(b->have >> K_KIND & 1))
            return fail(b, SCRY_ERR_CORRUPT, "no kind");
        if (!(b->have >> K_FIELDS & 1))
            return fail(b, SCRY_ERR_CORRUPT, "no fields");
        struct utype *r = arena_alloc(&st->arena, sizeof *r);
        struct field *fl = b->nfields ? arena_alloc(&st->arena, b->nfields * sizeof *fl) : NULL;
        if (!r || (b->nfields && !fl))
            return nomem(b);
        if (b->nfields)
            memcpy(fl, b->fields, b->nfields * sizeof *fl);
        *r = (struct utype){b->entry, b->size, fl, (uint32_t)b->nfields, b->ukind};
        return insert_entry(b, &st->utypes, r, "user types");
    }
    case C_FIELD:
        if (!(b->fhave >> K_OFFSET & 1))
            return fail(b, SCRY_ERR_CORRUPT, "no offset");
        if (!(b->fhave >> K_TYPE & 1))
            return fail(b, SCRY_ERR_CORRUPT, "no type");
        if (b->nfields == b->fcap) {
            if (b->fcap >= MAX_FIELDS)
                return fail(b, SCRY_ERR_CORRUPT, "more than %zu fields", MAX_FIELDS);
            size_t nc = b->fcap ? b->fcap * 2 : 64;
            struct field *p = realloc(b->fields, nc * sizeof *p);
            if (!p)
                return nomem(b);
            b->fields = p;
            b->fcap = nc;
        }
        b->fields[b->nfields++] = b->fld;
        return 1;
    case C_ENUM: {
        if (!(b->have >> K_SIZE & 1))
            return fail(b, SCRY_ERR_CORRUPT, "no size");
        if (!(b->have >> K_BASE & 1))
            return fail(b, SCRY_ERR_CORRUPT, "no base");
        if (!(b->have >> K_CONSTANTS & 1))
            return fail(b, SCRY_ERR_CORRUPT, "no constants");
        struct etype *r = arena_alloc(&st->arena, sizeof *r);
        struct econst *cs = b->nconsts ? arena_alloc(&st->arena, b->nconsts * sizeof *cs) : NULL;
        if (!r || (b->nconsts && !cs))
            return nomem(b);
        if (b->nconsts)
            memcpy(cs, b->consts, b->nconsts * sizeof *cs);
        *r = (struct etype){b->entry, b->ebase, b->size, cs, (uint32_t)b->nconsts};
        return insert_entry(b, &st->enums, r, "enums");
    }
    case C_SYM: {
        if (!(b->have >> K_ADDRESS & 1))
            return fail(b, SCRY_ERR_CORRUPT, "no address");
        struct sym *r = arena_alloc(&st->arena, sizeof *r);
        if (!r)
            return nomem(b);
        *r = (struct sym){b->entry, b->stype, b->address};
        if (!insert_entry(b, &st->syms, r, "symbols"))
            return 0;
        if (b->have >> K_CONSTANT_DATA & 1) {
            struct cdata *d = arena_alloc(&st->arena, sizeof *d);
            if (!d)
                return nomem(b);
            *d = (struct cdata){b->entry, b->cd, b->cdlen};
            return insert_entry(b, &st->cdata, d, "constants");
        }
        return 1;
    }
    case C_TOP: {
        static const enum key need[] = {K_BASE_TYPES, K_USER_TYPES, K_ENUMS, K_SYMBOLS};
        for (size_t i = 0; i < sizeof need / sizeof *need; i++)
            if (!(b->seen >> need[i] & 1))
                return fail(b, SCRY_ERR_CORRUPT, "no \"%s\" section", key_names[need[i]]);
        return 1;
    }
    default:
        return 1;
    }
}

static int b_map_end(void *ctx)
{
    struct builder *b = ctx;
    if (b->skip)
        return skip_end(b);
    enum ctx c = (enum ctx)b->fr[b->depth - 1].ctx;
    if (c == C_TREF) {
        if (!end_tref(b))
            return 0;
    } else if (!end_entry(b, c))
        return 0;
    b->depth--;
    if (c == C_TOP)
        b->fr[0].ctx = C_END;
    return 1;
}

static const struct scry_json_sink builder_sink = {
    .null = b_null,
    .boolean = b_boolean,
    .number = b_number,
    .string = b_string,
    .map_start = b_map_start,
    .map_key = b_map_key,
    .map_end = b_map_end,
    .array_start = b_array_start,
    .array_end = b_array_end,
};

/* ---------------------------------------------------------------- sources */

enum codec { RAW, GZIP, XZ };

/* Compressed input is decoded in a second thread into a small ring of
 * chunk buffers while the calling thread parses, so decoding (about half of
 * the load) overlaps parsing. The ring bounds the memory (RING_SLOTS x
 * RING_CHUNK) and the decoder's lead. Each slot holds the output of whole
 * decoder steps of OUT_CHUNK, the very steps the serial path would take, so
 * the parser sees the same bytes, and an error at the same point, either
 * way. */
enum { RING_SLOTS = 4, RING_CHUNK = 2 * OUT_CHUNK, PIPE_MSG = 512 };

struct pipe {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t filled; /* the parser waits: a slot filled, or the decoder ended */
    pthread_cond_t freed;  /* the decoder waits: a slot freed, or stop */
    uint8_t *buf[RING_SLOTS];
    size_t len[RING_SLOTS];
    unsigned head;  /* the parser's next (or held) slot */
    unsigned count; /* filled slots, the held one included */
    int held;       /* the parser holds slot head until its next call */
    int done;       /* the decoder ended with dstatus (and msg) */
    int stop;       /* the parser asks the decoder to end */
    scry_status dstatus;
    char msg[PIPE_MSG]; /* the decoder thread's error message */
};

struct source {
    /* the stored bytes: a file descriptor or a memory block */
    int fd;
    const uint8_t *mem;
    size_t mem_len, mem_pos;
    uint8_t *inbuf;
    const uint8_t *in;
    size_t in_len; /* stored bytes fetched, not yet decoded */
    int in_eof;
    /* decoding */
    enum codec codec;
    z_stream z;
    int z_live;
    lzma_stream x;
    int x_live;
    uint8_t *outbuf; /* the serial path's output */
    uint64_t total;
    struct pipe *pipe; /* NULL: decoded in the calling thread */
};

/* Fetches more stored bytes into s->in/in_len (only when both are used). */
static scry_status fetch_stored(struct source *s)
{
    if (s->in_eof)
        return SCRY_OK;
    if (s->mem) {
        /* Decoders take input in bounded slices; a plain memory source is
         * handed over whole, which is zero-copy. */
        size_t n = s->mem_len - s->mem_pos;
        if (s->codec != RAW && n > IN_CHUNK)
            n = IN_CHUNK;
        s->in = s->mem + s->mem_pos;
        s->in_len = n;
        s->mem_pos += n;
        if (s->mem_pos == s->mem_len)
            s->in_eof = 1;
        return SCRY_OK;
    }
    if (s->fd < 0) {
        s->in_eof = 1;
        return SCRY_OK;
    }
    for (;;) {
        ssize_t r = read(s->fd, s->inbuf, IN_CHUNK);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return scry_err(SCRY_ERR_IO, "read: %s", strerror(errno));
        s->in = s->inbuf;
        s->in_len = (size_t)r;
        if (r == 0)
            s->in_eof = 1;
        return SCRY_OK;
    }
}

static scry_status count_out(struct source *s, size_t n)
{
    s->total += n;
    if (s->total > ISF_MAX_TEXT)
        return scry_err(SCRY_ERR_LIMIT, "JSON text larger than 1 GiB");
    return SCRY_OK;
}

static scry_status next_raw(struct source *s, const uint8_t **data, size_t *len)
{
    for (;;) {
        if (s->in_len) {
            *data = s->in;
            *len = s->in_len;
            s->in_len = 0;
            return count_out(s, *len);
        }
        if (s->in_eof) {
            *len = 0;
            return SCRY_OK;
        }
        scry_status st = fetch_stored(s);
        if (st)
            return st;
    }
}

/* One decoder step: up to OUT_CHUNK bytes into out; *len 0 at the end. */
static scry_status step_gzip(struct source *s, uint8_t *out, size_t *len)
{
    for (;;) {
        if (!s->in_len && !s->in_eof) {
            scry_status st = fetch_stored(s);
            if (st)
                return st;
        }
        if (!s->z_live) {
            *len = 0;
            return SCRY_OK;
        }
        s->z.next_in = (Bytef *)s->in;
        s->z.avail_in = (uInt)s->in_len;
        s->z.next_out = out;
        s->z.avail_out = OUT_CHUNK;
        int r = inflate(&s->z, Z_NO_FLUSH);
        size_t used = s->in_len - s->z.avail_in, made = OUT_CHUNK - s->z.avail_out;
        s->in += used;
        s->in_len -= used;
        if (r == Z_STREAM_END) {
            /* Concatenated members are one stream (as gzip -d treats them);
             * anything else after a member is an error from the next one. */
            if (!s->in_len && !s->in_eof) {
                scry_status st = fetch_stored(s);
                if (st)
                    return st;
            }
            if (s->in_len)
                inflateReset(&s->z);
            else
                s->z_live = 0;
        } else if (r == Z_BUF_ERROR && s->in_eof && !s->in_len && !made) {
            return scry_err(SCRY_ERR_CORRUPT, "gzip stream is truncated");
        } else if (r != Z_OK && r != Z_BUF_ERROR) {
            return scry_err(r == Z_MEM_ERROR ? SCRY_ERR_NOMEM : SCRY_ERR_CORRUPT, "gzip: %s",
                            s->z.msg ? s->z.msg : "corrupt data");
        }
        if (made) {
            *len = made;
            return count_out(s, made);
        }
    }
}

static scry_status step_xz(struct source *s, uint8_t *out, size_t *len)
{
    for (;;) {
        if (!s->in_len && !s->in_eof) {
            scry_status st = fetch_stored(s);
            if (st)
                return st;
        }
        if (!s->x_live) {
            *len = 0;
            return SCRY_OK;
        }
        s->x.next_in = s->in;
        s->x.avail_in = s->in_len;
        s->x.next_out = out;
        s->x.avail_out = OUT_CHUNK;
        lzma_ret r = lzma_code(&s->x, s->in_eof && !s->in_len ? LZMA_FINISH : LZMA_RUN);
        size_t used = s->in_len - s->x.avail_in, made = OUT_CHUNK - s->x.avail_out;
        s->in += used;
        s->in_len -= used;
        if (r == LZMA_STREAM_END)
            s->x_live = 0;
        else if (r == LZMA_MEMLIMIT_ERROR)
            return scry_err(SCRY_ERR_LIMIT, "xz: needs more than %llu MiB to decode",
                            (unsigned long long)(XZ_MEMLIMIT >> 20));
        else if (r == LZMA_MEM_ERROR)
            return scry_err(SCRY_ERR_NOMEM, "xz: out of memory");
        else if (r == LZMA_BUF_ERROR)
            return scry_err(SCRY_ERR_CORRUPT, "xz stream is truncated");
        else if (r != LZMA_OK)
            return scry_err(SCRY_ERR_CORRUPT, "xz: %s",
                            r == LZMA_FORMAT_ERROR ? "not an xz stream" : "corrupt data");
        if (made) {
            *len = made;
            return count_out(s, made);
        }
    }
}

static scry_status step_decode(struct source *s, uint8_t *out, size_t *len)
{
    return s->codec == GZIP ? step_gzip(s, out, len) : step_xz(s, out, len);
}

/* The decoder thread: fills free slots in order until the stream ends, an
 * error occurs (kept, message included, for the parser to meet in order) or
 * the parser asks it to stop. Only this thread touches the decoder state
 * until it is joined. */
static void *pipe_main(void *arg)
{
    struct source *s = arg;
    struct pipe *p = s->pipe;
    unsigned tail = 0;
    for (;;) {
        pthread_mutex_lock(&p->mu);
        while (p->count == RING_SLOTS && !p->stop)
            pthread_cond_wait(&p->freed, &p->mu);
        int stop = p->stop;
        pthread_mutex_unlock(&p->mu);
        if (stop)
            return NULL;
        /* The slot is free: the parser reads it only once it is counted. */
        uint8_t *out = p->buf[tail];
        size_t fill = 0, made = 0;
        scry_status st = SCRY_OK;
        while (RING_CHUNK - fill >= OUT_CHUNK) {
            st = step_decode(s, out + fill, &made);
            if (st || !made)
                break;
            fill += made;
        }
        int end = st != SCRY_OK || !made;
        if (st) {
            /* The message is per thread: carry it over. */
            snprintf(p->msg, sizeof p->msg, "%s", scry_last_error());
        }
        pthread_mutex_lock(&p->mu);
        if (fill) {
            p->len[tail] = fill;
            p->count++;
            tail = (tail + 1) % RING_SLOTS;
        }
        if (end) {
            p->dstatus = st;
            p->done = 1;
        }
        pthread_cond_signal(&p->filled);
        pthread_mutex_unlock(&p->mu);
        if (end)
            return NULL;
    }
}

static scry_status next_pipe(struct source *s, const uint8_t **data, size_t *len)
{
    struct pipe *p = s->pipe;
    scry_status st;
    pthread_mutex_lock(&p->mu);
    if (p->held) {
        /* The previous chunk is no longer needed: hand its slot back. */
        p->held = 0;
        p->head = (p->head + 1) % RING_SLOTS;
        p->count--;
        pthread_cond_signal(&p->freed);
    }
    while (!p->count && !p->done)
        pthread_cond_wait(&p->filled, &p->mu);
    if (p->count) {
        *data = p->buf[p->head];
        *len = p->len[p->head];
        p->held = 1;
        pthread_mutex_unlock(&p->mu);
        return SCRY_OK;
    }
    st = p->dstatus;
    pthread_mutex_unlock(&p->mu);
    if (st)
        return scry_err(st, "%s", p->msg); /* written before done was set */
    *len = 0;
    return SCRY_OK;
}

/* Stops the decoder thread wherever it is (a step takes at most OUT_CHUNK
 * of output), joins it and frees the ring. */
static void pipe_close(struct source *s)
{
    struct pipe *p = s->pipe;
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->stop = 1;
    pthread_cond_signal(&p->freed);
    pthread_mutex_unlock(&p->mu);
    pthread_join(p->thread, NULL);
    pthread_cond_destroy(&p->freed);
    pthread_cond_destroy(&p->filled);
    pthread_mutex_destroy(&p->mu);
    free(p->buf[0]);
    free(p);
    s->pipe = NULL;
}

/* Starts the decoder thread; 0 on success. On failure nothing is left
 * behind and the caller decodes serially. */
static int pipe_open(struct source *s)
{
    struct pipe *p = calloc(1, sizeof *p);
    uint8_t *ring = malloc((size_t)RING_SLOTS * RING_CHUNK);
    sigset_t all, old;
    int rc;
    if (!p || !ring)
        goto fail;
    for (unsigned i = 0; i < RING_SLOTS; i++)
        p->buf[i] = ring + (size_t)i * RING_CHUNK;
    if (pthread_mutex_init(&p->mu, NULL))
        goto fail;
    if (pthread_cond_init(&p->filled, NULL)) {
        pthread_mutex_destroy(&p->mu);
        goto fail;
    }
    if (pthread_cond_init(&p->freed, NULL)) {
        pthread_cond_destroy(&p->filled);
        pthread_mutex_destroy(&p->mu);
        goto fail;
    }
    s->pipe = p;
    /* The decoder takes no signals: they stay with the caller's threads. */
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    rc = pthread_create(&p->thread, NULL, pipe_main, s);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc == 0)
        return 0;
    s->pipe = NULL;
    pthread_cond_destroy(&p->freed);
    pthread_cond_destroy(&p->filled);
    pthread_mutex_destroy(&p->mu);
fail:
    free(ring);
    free(p);
    return -1;
}

static scry_status source_next(void *src, const uint8_t **data, size_t *len)
{
    struct source *s = src;
    scry_status st;
    if (s->pipe)
        return next_pipe(s, data, len);
    if (s->codec == RAW)
        return next_raw(s, data, len);
    if ((st = step_decode(s, s->outbuf, len)) == SCRY_OK && *len)
        *data = s->outbuf;
    return st;
}

static void source_close(struct source *s)
{
    pipe_close(s); /* first: the thread may be using the decoder */
    if (s->z_live || s->codec == GZIP)
        inflateEnd(&s->z);
    if (s->codec == XZ)
        lzma_end(&s->x);
    free(s->inbuf);
    free(s->outbuf);
}

/* Reads the first stored bytes and sets up the decoder their magic names. */
static scry_status source_open(struct source *s)
{
    static const uint8_t xz_magic[6] = {0xfd, '7', 'z', 'X', 'Z', 0x00};
    scry_status st;
    if (!s->mem && !(s->inbuf = malloc(IN_CHUNK)))
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    s->codec = RAW;
    /* A first slice from memory must see the magic; from a file it is the
     * first read, which a regular file fills. */
    if ((st = fetch_stored(s)))
        return st;
    if (s->mem) {
        /* Undo the slicing decision made for RAW: decoders re-slice. */
        size_t n = s->mem_len;
        if (n >= 2 && ((s->mem[0] == 0x1f && s->mem[1] == 0x8b) ||
                       (n >= 6 && memcmp(s->mem, xz_magic, 6) == 0))) {
            s->mem_pos = 0;
            s->in_eof = 0;
            s->codec = s->mem[0] == 0x1f ? GZIP : XZ;
            if ((st = fetch_stored(s)))
                return st;
        }
    } else if (s->in_len >= 2 && s->in[0] == 0x1f && s->in[1] == 0x8b)
        s->codec = GZIP;
    else if (s->in_len >= 6 && memcmp(s->in, xz_magic, 6) == 0)
        s->codec = XZ;
    if (s->codec == RAW)
        return SCRY_OK;
    if (s->codec == GZIP) {
        /* 15 + 32: a 32 KiB window, gzip or zlib header detected. */
        if (inflateInit2(&s->z, 15 + 32) != Z_OK)
            return scry_err(SCRY_ERR_NOMEM, "gzip: cannot initialise");
        s->z_live = 1;
    } else {
        lzma_stream init = LZMA_STREAM_INIT;
        s->x = init;
        if (lzma_stream_decoder(&s->x, XZ_MEMLIMIT, LZMA_CONCATENATED) != LZMA_OK)
            return scry_err(SCRY_ERR_NOMEM, "xz: cannot initialise");
        s->x_live = 1;
    }
    /* Without a thread (none to be had), decode in this one. */
    if (pipe_open(s) != 0 && !(s->outbuf = malloc(OUT_CHUNK)))
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    return SCRY_OK;
}

/* ------------------------------------------------------------------ load */


static scry_status isf_build(struct source *src, struct scry_symtab **out)
{
    struct scry_symtab *st = calloc(1, sizeof *st);
    struct builder b = {0};
    unsigned long line = 0;
    scry_status rc;
    if (!st)
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    st->strs.direct = 1;
    b.st = st;
    b.line = &line;
    b.depth = 1;
    b.fr[0].ctx = C_ROOT;
    rc = source_open(src);
    if (rc == SCRY_OK)
        rc = scry_json_parse_stream(source_next, src, &builder_sink, &b, &line);
    if (rc == SCRY_ERR_CANCELLED)
        rc = b.status;
    if (rc == SCRY_OK && b.fr[0].ctx != C_END)
        rc = scry_err(SCRY_ERR_CORRUPT, "line %lu: the ISF must be a JSON object", line);
    free(b.fields);
    free(b.consts);
    if (rc != SCRY_OK) {
        scry_isf_free(st);
        return rc;
    }
    /* Only the build needs these; the loaded table is read-only. */
    ht_free(&st->strs);
    free(st->trefs.slot);
    st->trefs.slot = NULL;
    if (!st->format)
        st->format = "";
    *out = st;
    return SCRY_OK;
}

scry_status scry_isf_parse(const void *json, size_t len, struct scry_symtab **out)
{
    struct source src = {.fd = -1, .mem = json, .mem_len = len};
    scry_status rc;
    if (!out || (!json && len))
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_isf_parse: NULL argument");
    if (!json)
        src.mem = (const uint8_t *)""; /* non-NULL marks a memory source */
    rc = isf_build(&src, out);
    source_close(&src);
    if (rc != SCRY_OK)
        return scry_err_ctx(rc, "ISF");
    return SCRY_OK;
}

scry_status scry_isf_load(const char *path, struct scry_symtab **out)
{
    struct source src = {.fd = -1};
    scry_status rc;
    if (!path || !out)
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_isf_load: NULL argument");
    src.fd = open(path, O_RDONLY | O_CLOEXEC);
    if (src.fd < 0)
        return scry_err(SCRY_ERR_IO, "cannot open ISF %s: %s", path, strerror(errno));
    rc = isf_build(&src, out);
    source_close(&src);
    close(src.fd);
    if (rc != SCRY_OK)
        return scry_err_ctx(rc, "ISF %s", path);
    return SCRY_OK;
}

/* --------------------------------------------------------------- lookups */

static void *lookup(const struct htab *h, const char *name)
{
    size_t n = strlen(name);
    return ht_find(h, name, n, hash_str(name, n));
}

scry_status scry_sym_type_size(const struct scry_symtab *st, const char *type, uint64_t *size)
{
    const struct utype *u;
    const struct btype *bt;
    const struct etype *e;
    if (!st || !type || !size)
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_sym_type_size: NULL argument");
    if ((u = lookup(&st->utypes, type)))
        *size = u->size;
    else if ((bt = lookup(&st->btypes, type)))
        *size = bt->size;
    else if ((e = lookup(&st->enums, type)))
        *size = e->size;
    else
        return scry_err(SCRY_ERR_NOT_FOUND, "no type %s in the symbol table", type);
    return SCRY_OK;
}

/* Depth-first: the type's own fields first, then inside its anonymous
 * struct/union members. 1 found, 0 not, -1 a bound was hit (a hostile ISF
 * can make anonymous members form cycles or a wide DAG). */
static int find_field(const struct scry_symtab *st, const struct utype *u, const char *field,
                      uint64_t base, int depth, unsigned *visits, uint64_t *off,
                      const struct scry_typeref **ref)
{
    if (depth > MAX_ANON_DEPTH || ++*visits > MAX_ANON_VISITS)
        return -1;
    for (uint32_t i = 0; i < u->nfields; i++) {
        if (strcmp(u->fields[i].name, field) == 0) {
            *off = base + u->fields[i].offset;
            *ref = u->fields[i].type;
            return 1;
        }
    }
    for (uint32_t i = 0; i < u->nfields; i++) {
        const struct field *f = &u->fields[i];
        const struct utype *inner;
        if (!f->anonymous || (f->type->kind != SCRY_T_STRUCT && f->type->kind != SCRY_T_UNION &&
                              f->type->kind != SCRY_T_CLASS))
            continue;
        if (!(inner = lookup(&st->utypes, f->type->name)))
            continue;
        int r = find_field(st, inner, field, base + f->offset, depth + 1, visits, off, ref);
        if (r)
            return r;
    }
    return 0;
}

scry_status scry_sym_field(const struct scry_symtab *st, const char *type, const char *field,
                           uint64_t *offset, const struct scry_typeref **ref)
{
    const struct utype *u;
    const struct scry_typeref *r = NULL;
    uint64_t off = 0;
    unsigned visits = 0;
    if (!st || !type || !field || !offset)
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_sym_field: NULL argument");
    if (!(u = lookup(&st->utypes, type)))
        return scry_err(SCRY_ERR_NOT_FOUND, "no user type %s in the symbol table", type);
    switch (find_field(st, u, field, 0, 0, &visits, &off, &r)) {
    case 1:
        *offset = off;
        if (ref)
            *ref = r;
        return SCRY_OK;
    case 0:
        return scry_err(SCRY_ERR_NOT_FOUND, "user type %s has no field %s", type, field);
    default:
        return scry_err(SCRY_ERR_LIMIT, "user type %s: anonymous members nest too deep", type);
    }
}

scry_status scry_sym_address(const struct scry_symtab *st, const char *name, uint64_t *address)
{
    const struct sym *s;
    if (!st || !name || !address)
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_sym_address: NULL argument");
    if (!(s = lookup(&st->syms, name)))
        return scry_err(SCRY_ERR_NOT_FOUND, "no symbol %s in the symbol table", name);
    *address = s->address;
    return SCRY_OK;
}

scry_status scry_sym_constant_data(const struct scry_symtab *st, const char *name,
                                   const uint8_t **data, size_t *len)
{
    const struct cdata *d;
    if (!st || !name || !data || !len)
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_sym_constant_data: NULL argument");
    if (!(d = lookup(&st->cdata, name)))
        return scry_err(SCRY_ERR_NOT_FOUND, "symbol %s has no constant_data", name);
    *data = d->data;
    *len = d->len;
    return SCRY_OK;
}

scry_status scry_sym_enum_value(const struct scry_symtab *st, const char *enum_name,
                                const char *constant, int64_t *value)
{
    const struct etype *e;
    if (!st || !enum_name || !constant || !value)
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_sym_enum_value: NULL argument");
    if (!(e = lookup(&st->enums, enum_name)))
        return scry_err(SCRY_ERR_NOT_FOUND, "no enum %s in the symbol table", enum_name);
    for (uint32_t i = 0; i < e->nconsts; i++) {
        if (strcmp(e->consts[i].name, constant) == 0) {
            *value = e->consts[i].value;
            return SCRY_OK;
        }
    }
    return scry_err(SCRY_ERR_NOT_FOUND, "enum %s has no constant %s", enum_name, constant);
}

scry_status scry_sym_base_type(const struct scry_symtab *st, const char *name, uint64_t *size,
                               int *is_signed)
{
    const struct btype *bt;
    if (!st || !name || !size || !is_signed)
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_sym_base_type: NULL argument");
    if (!(bt = lookup(&st->btypes, name)))
        return scry_err(SCRY_ERR_NOT_FOUND, "no base type %s in the symbol table", name);
    *size = bt->size;
    *is_signed = bt->is_signed;
    return SCRY_OK;
}

size_t scry_sym_count_user_types(const struct scry_symtab *st) { return st ? st->utypes.n : 0; }

size_t scry_sym_count_symbols(const struct scry_symtab *st) { return st ? st->syms.n : 0; }

const char *scry_sym_format_version(const struct scry_symtab *st)
{
    return st && st->format ? st->format : "";
}
