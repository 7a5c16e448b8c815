/* isf_tables.h - the private shape of a loaded ISF table, shared by the
 * isf_*.c files of symbols/ and by nothing else.
 *
 * A table is a set of open-addressing hash tables over records that all
 * live in one arena, freed at once: user types with their fields, base
 * types, enums with their constants, symbols and their constant_data. While
 * the table is built (isf_build.c), names that recur (type and field names)
 * are interned in `strs`, symbol names (all unique) are merely copied, and
 * type references are hash-consed in `trefs`, since the same few thousand
 * shapes ("pointer to struct list_head") repeat everywhere; both helpers are
 * dropped once the table is loaded, after which it is immutable and read by
 * isf_lookup.c from any thread. isf_tables.c holds the arena and hash-table
 * code. */
#ifndef SCRY_ISF_TABLES_H
#define SCRY_ISF_TABLES_H

#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>

#include "symbols/json_stream.h"
#include "symbols/symtab.h"

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

/* Hash-consing of type references: structurally equal references share one
 * record, so the table costs one record per distinct shape. */
struct trtab {
    const struct isf_tref **slot;
    size_t mask, n;
};

/* ------------------------------------------------------------- the table */

/* A type reference while the table is built: hash-consed, so equal shapes
 * share one record and `name`/`sub` compare by pointer. */
struct isf_tref {
    enum scry_tkind kind;
    const char *name;          /* interned; NULL when not applicable */
    const struct isf_tref *sub; /* pointer/array/bitfield target      */
    uint64_t count;
    uint32_t bit_position, bit_length;
};

struct field {
    const char *name; /* interned */
    const struct isf_tref *type;
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
    const struct isf_tref *type; /* NULL when the ISF gives none */
    uint64_t address;
};

struct cdata {
    const char *name;
    const uint8_t *data;
    size_t len;
};

/* What the builder makes; isf_flatten() turns it into the compiled form
 * (isf_flat.h) that every lookup reads, and it is then freed. */
struct isf_tables {
    struct arena arena;
    struct htab utypes, btypes, enums, syms, cdata;
    struct htab strs;   /* interning; dropped once loaded */
    struct trtab trefs; /* hash-consing; dropped once loaded */
    const char *format;
};

/* ------------------------------------------------- isf_tables.c: helpers */

/* 8-aligned, for records; NULL when out of memory. */
void *isf_arena_alloc(struct arena *a, size_t n);
/* A NUL-terminated copy of n bytes, unaligned. */
char *isf_arena_strdup(struct arena *a, const void *s, size_t n);

uint64_t isf_hash_str(const void *s, size_t n);
/* The item named s[0..n) (hv its isf_hash_str), or NULL. */
void *isf_ht_find(const struct htab *h, const char *s, size_t n, uint64_t hv);
/* Inserts an item known to be absent; -1 when out of memory. */
int isf_ht_insert(struct htab *h, void *item, uint64_t hv);
/* Inserts item or replaces the one of the same name; -1 when out of memory. */
int isf_ht_put(struct htab *h, void *item, uint64_t hv);
/* Removes the item named s[0..n) when present. */
void isf_ht_remove(struct htab *h, const char *s, size_t n, uint64_t hv);
/* Frees the slots; the table is then empty and usable again. */
void isf_ht_free(struct htab *h);

/* The interned copy of s[0..n) (st->strs); NULL when out of memory. */
const char *isf_intern(struct isf_tables *st, const void *s, size_t n);
/* The shared record equal to *t (st->trefs); NULL when out of memory. */
const struct isf_tref *isf_tref_cons(struct isf_tables *st, const struct isf_tref *t);

void isf_tables_free(struct isf_tables *t);

/* Visits the items of a builder hash table (struct htab *h) in slot order:
 * ISF_EACH(&t->utypes, struct utype, u) { ... u ... } */
#define ISF_EACH(h, T, it)                                                                    \
    for (size_t i_##it = 0; (h)->slot && i_##it <= (h)->mask; i_##it++)                      \
        for (const T *it = (h)->slot[i_##it]; it; it = NULL)
/* isf_load.c: the builder's tables of the ISF at path, not compiled (the
 * round-trip tests compare them with the compiled form). */
scry_status isf_load_tables(const char *path, struct isf_tables **out);

/* ------------------------------------------------- isf_build.c: builder */

/* Builds a table from one JSON document: open_src(src) first (its failure is
 * returned as is), then the text pulled from next(src). On failure nothing
 * is left allocated and the message says what and where ("line 12: ..."). */
scry_status isf_build(scry_status (*open_src)(void *src), scry_json_next_fn next, void *src,
                      struct isf_tables **out);

#endif
