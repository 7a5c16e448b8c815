/* isf_lookup.c - the scry_sym_* queries over a compiled table (isf_flat.h).
 *
 * Sizes of user, base and enum types, field offsets, symbol addresses,
 * constant_data and enum constants, each found by name through the table's
 * hash indexes. Every record, name and index is reached through
 * isf_flat_get(), which bounds-checks it and verifies its block, so a
 * damaged cache file gives SCRY_ERR_CORRUPT, never a wild read. A field of
 * an anonymous struct or union member is found as if it were the outer
 * type's own, its offset added (as ISF >= 6.2 and Volatility do), with
 * bounds on depth and visits since a hostile ISF can make anonymous members
 * form cycles. A table is never written (but for its verification flags),
 * so these may run from any thread. */
#include "symbols/isf_flat.h"

#include <string.h>
#include <xxhash.h>

#define MAX_ANON_DEPTH 16    /* nested anonymous members */
#define MAX_ANON_VISITS 4096 /* user types visited by one lookup */

const char *isf_flat_name_at(const struct scry_symtab *st, uint32_t off)
{
    const struct isf_flat_section *s = &st->sec[S_STR];
    if (off == ISF_NONE || off >= s->size) {
        scry_err(SCRY_ERR_CORRUPT, "compiled symbol table: a name is out of bounds");
        return NULL;
    }
    /* Verify block by block up to the terminator, never past the section. */
    uint64_t at = s->offset + off, end = s->offset + s->size;
    for (uint64_t p = at; p < end;) {
        uint64_t blk_end = st->body + ((p - st->body) / ISF_FLAT_BLOCK + 1) * ISF_FLAT_BLOCK;
        uint64_t n = (blk_end < end ? blk_end : end) - p;
        const char *c = isf_flat_get(st, p, n);
        if (!c)
            return NULL;
        if (memchr(c, 0, (size_t)n))
            return (const char *)st->base + at;
        p += n;
    }
    scry_err(SCRY_ERR_CORRUPT, "compiled symbol table: a name is not terminated");
    return NULL;
}

/* Record idx of section s, or NULL (error set). */
static const void *rec(const struct scry_symtab *st, int s, uint64_t idx)
{
    uint64_t rs = isf_flat_recsize[s];
    if (idx >= st->sec[s].size / rs) {
        scry_err(SCRY_ERR_CORRUPT, "compiled symbol table: an index is out of bounds");
        return NULL;
    }
    return isf_flat_get(st, st->sec[s].offset + idx * rs, rs);
}

/* Finds name in the hash index hs over records of section s (each begins
 * with its name offset). Returns the record, or NULL with *rc set to
 * SCRY_ERR_NOT_FOUND (no message) or SCRY_ERR_CORRUPT (message set). */
static const void *find(const struct scry_symtab *st, int hs, int s, const char *name,
                        scry_status *rc)
{
    uint64_t nslots = st->sec[hs].size / 4;
    *rc = SCRY_ERR_NOT_FOUND;
    if (!nslots)
        return NULL;
    uint64_t mask = nslots - 1, i = XXH3_64bits(name, strlen(name)) & mask;
    for (uint64_t probes = 0; probes < nslots; probes++, i = (i + 1) & mask) {
        const uint32_t *slot = isf_flat_get(st, st->sec[hs].offset + i * 4, 4);
        if (!slot)
            goto corrupt;
        if (!*slot)
            return NULL;
        const uint32_t *r = rec(st, s, *slot - 1);
        const char *n = r ? isf_flat_name_at(st, *r) : NULL;
        if (!n)
            goto corrupt;
        if (strcmp(n, name) == 0) {
            *rc = SCRY_OK;
            return r;
        }
    }
    return NULL;
corrupt:
    *rc = SCRY_ERR_CORRUPT;
    return NULL;
}

static scry_status null_arg(const char *fn)
{
    return scry_err(SCRY_ERR_INVALID_ARG, "%s: NULL argument", fn);
}

scry_status scry_sym_type_size(const struct scry_symtab *st, const char *type, uint64_t *size)
{
    scry_status rc;
    if (!st || !type || !size)
        return null_arg("scry_sym_type_size");
    const struct flat_utype *u = find(st, S_HUTYPE, S_UTYPE, type, &rc);
    if (u) {
        *size = u->size;
        return SCRY_OK;
    }
    if (rc != SCRY_ERR_NOT_FOUND)
        return rc;
    const struct flat_btype *b = find(st, S_HBTYPE, S_BTYPE, type, &rc);
    if (b) {
        *size = b->size;
        return SCRY_OK;
    }
    if (rc != SCRY_ERR_NOT_FOUND)
        return rc;
    const struct flat_etype *e = find(st, S_HETYPE, S_ETYPE, type, &rc);
    if (e) {
        *size = e->size;
        return SCRY_OK;
    }
    if (rc != SCRY_ERR_NOT_FOUND)
        return rc;
    return scry_err(SCRY_ERR_NOT_FOUND, "no type %s in the symbol table", type);
}

scry_status scry_sym_typeref(const struct scry_symtab *st, uint32_t id, struct scry_typeref *out)
{
    if (!st || !out)
        return null_arg("scry_sym_typeref");
    if (id == SCRY_TREF_NONE)
        return scry_err(SCRY_ERR_NOT_FOUND, "no type reference");
    const struct flat_tref *t = rec(st, S_TREF, id);
    if (!t)
        return SCRY_ERR_CORRUPT;
    if (t->kind < SCRY_T_BASE || t->kind > SCRY_T_VOID)
        return scry_err(SCRY_ERR_CORRUPT, "compiled symbol table: a type kind is out of range");
    out->kind = (enum scry_tkind)t->kind;
    out->name = NULL;
    if (t->name != ISF_NONE && !(out->name = isf_flat_name_at(st, t->name)))
        return SCRY_ERR_CORRUPT;
    out->sub = t->sub;
    out->count = t->count;
    out->bit_position = t->bit_position;
    out->bit_length = t->bit_length;
    return SCRY_OK;
}

/* Depth-first: the type's own fields first, then inside its anonymous
 * struct/union members. 1 found, 0 not, -1 a bound was hit (message set),
 * -2 the table is damaged (message set). */
static int find_field(const struct scry_symtab *st, const struct flat_utype *u, const char *field,
                      uint32_t hash, uint64_t base, int depth, unsigned *visits, uint64_t *off,
                      uint32_t *type)
{
    if (depth > MAX_ANON_DEPTH || ++*visits > MAX_ANON_VISITS)
        return -1;
    uint64_t first = u->first_field, n = u->nfields;
    for (uint64_t i = 0; i < n; i++) {
        const struct flat_field *f = rec(st, S_FIELD, first + i);
        if (!f)
            return -2;
        if (f->hash != hash)
            continue;
        const char *fn = isf_flat_name_at(st, f->name);
        if (!fn)
            return -2;
        if (strcmp(fn, field) == 0) {
            *off = base + f->offset;
            *type = f->type;
            return 1;
        }
    }
    for (uint64_t i = 0; i < n; i++) {
        const struct flat_field *f = rec(st, S_FIELD, first + i);
        struct scry_typeref t;
        scry_status rc;
        if (!f)
            return -2;
        if (!f->anonymous)
            continue;
        if (scry_sym_typeref(st, f->type, &t) != SCRY_OK)
            return -2;
        if ((t.kind != SCRY_T_STRUCT && t.kind != SCRY_T_UNION && t.kind != SCRY_T_CLASS) ||
            !t.name)
            continue;
        const struct flat_utype *inner = find(st, S_HUTYPE, S_UTYPE, t.name, &rc);
        if (!inner) {
            if (rc != SCRY_ERR_NOT_FOUND)
                return -2;
            continue;
        }
        int r = find_field(st, inner, field, hash, base + f->offset, depth + 1, visits, off,
                           type);
        if (r)
            return r;
    }
    return 0;
}

scry_status scry_sym_field(const struct scry_symtab *st, const char *type, const char *field,
                           uint64_t *offset, struct scry_typeref *ref)
{
    uint64_t off = 0;
    uint32_t tid = ISF_NONE;
    unsigned visits = 0;
    scry_status rc;
    if (!st || !type || !field || !offset)
        return null_arg("scry_sym_field");
    const struct flat_utype *u = find(st, S_HUTYPE, S_UTYPE, type, &rc);
    if (!u)
        return rc == SCRY_ERR_NOT_FOUND
                   ? scry_err(SCRY_ERR_NOT_FOUND, "no user type %s in the symbol table", type)
                   : rc;
    switch (find_field(st, u, field, isf_flat_name_hash(field), 0, 0, &visits, &off, &tid)) {
    case 1:
        if (ref && (rc = scry_sym_typeref(st, tid, ref)) != SCRY_OK)
            return rc == SCRY_ERR_NOT_FOUND
                       ? scry_err(SCRY_ERR_CORRUPT, "user type %s: field %s has no type", type,
                                  field)
                       : rc;
        *offset = off;
        return SCRY_OK;
    case 0:
        return scry_err(SCRY_ERR_NOT_FOUND, "user type %s has no field %s", type, field);
    case -1:
        return scry_err(SCRY_ERR_LIMIT, "user type %s: anonymous members nest too deep", type);
    default:
        return SCRY_ERR_CORRUPT;
    }
}

scry_status scry_sym_address(const struct scry_symtab *st, const char *name, uint64_t *address)
{
    scry_status rc;
    if (!st || !name || !address)
        return null_arg("scry_sym_address");
    const struct flat_sym *s = find(st, S_HSYM, S_SYM, name, &rc);
    if (!s)
        return rc == SCRY_ERR_NOT_FOUND
                   ? scry_err(SCRY_ERR_NOT_FOUND, "no symbol %s in the symbol table", name)
                   : rc;
    *address = s->address;
    return SCRY_OK;
}

scry_status scry_sym_symbol_type(const struct scry_symtab *st, const char *name,
                                 struct scry_typeref *out)
{
    scry_status rc;
    if (!st || !name || !out)
        return null_arg("scry_sym_symbol_type");
    const struct flat_sym *s = find(st, S_HSYM, S_SYM, name, &rc);
    if (!s)
        return rc == SCRY_ERR_NOT_FOUND
                   ? scry_err(SCRY_ERR_NOT_FOUND, "no symbol %s in the symbol table", name)
                   : rc;
    if (s->type == ISF_NONE)
        return scry_err(SCRY_ERR_NOT_FOUND, "symbol %s has no type", name);
    return scry_sym_typeref(st, s->type, out);
}

scry_status scry_sym_constant_data(const struct scry_symtab *st, const char *name,
                                   const uint8_t **data, size_t *len)
{
    scry_status rc;
    if (!st || !name || !data || !len)
        return null_arg("scry_sym_constant_data");
    const struct flat_cdata *d = find(st, S_HCDATA, S_CDATA, name, &rc);
    if (!d)
        return rc == SCRY_ERR_NOT_FOUND
                   ? scry_err(SCRY_ERR_NOT_FOUND, "symbol %s has no constant_data", name)
                   : rc;
    const struct isf_flat_section *b = &st->sec[S_BYTES];
    if (d->offset > b->size || d->len > b->size - d->offset)
        return scry_err(SCRY_ERR_CORRUPT, "compiled symbol table: constant_data out of bounds");
    const uint8_t *p = isf_flat_get(st, b->offset + d->offset, d->len);
    if (!p)
        return SCRY_ERR_CORRUPT;
    *data = p;
    *len = (size_t)d->len;
    return SCRY_OK;
}

scry_status scry_sym_enum_value(const struct scry_symtab *st, const char *enum_name,
                                const char *constant, int64_t *value)
{
    scry_status rc;
    if (!st || !enum_name || !constant || !value)
        return null_arg("scry_sym_enum_value");
    const struct flat_etype *e = find(st, S_HETYPE, S_ETYPE, enum_name, &rc);
    if (!e)
        return rc == SCRY_ERR_NOT_FOUND
                   ? scry_err(SCRY_ERR_NOT_FOUND, "no enum %s in the symbol table", enum_name)
                   : rc;
    uint32_t hash = isf_flat_name_hash(constant);
    for (uint64_t i = 0; i < e->nconsts; i++) {
        const struct flat_econst *c = rec(st, S_ECONST, (uint64_t)e->first_const + i);
        if (!c)
            return SCRY_ERR_CORRUPT;
        if (c->hash != hash)
            continue;
        const char *n = isf_flat_name_at(st, c->name);
        if (!n)
            return SCRY_ERR_CORRUPT;
        if (strcmp(n, constant) == 0) {
            *value = c->value;
            return SCRY_OK;
        }
    }
    return scry_err(SCRY_ERR_NOT_FOUND, "enum %s has no constant %s", enum_name, constant);
}

scry_status scry_sym_base_type(const struct scry_symtab *st, const char *name, uint64_t *size,
                               int *is_signed)
{
    scry_status rc;
    if (!st || !name || !size || !is_signed)
        return null_arg("scry_sym_base_type");
    const struct flat_btype *b = find(st, S_HBTYPE, S_BTYPE, name, &rc);
    if (!b)
        return rc == SCRY_ERR_NOT_FOUND
                   ? scry_err(SCRY_ERR_NOT_FOUND, "no base type %s in the symbol table", name)
                   : rc;
    *size = b->size;
    *is_signed = (int)b->is_signed;
    return SCRY_OK;
}

size_t scry_sym_count_user_types(const struct scry_symtab *st)
{
    return st ? (size_t)(st->sec[S_UTYPE].size / sizeof(struct flat_utype)) : 0;
}

size_t scry_sym_count_symbols(const struct scry_symtab *st)
{
    return st ? (size_t)(st->sec[S_SYM].size / sizeof(struct flat_sym)) : 0;
}
