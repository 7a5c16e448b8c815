/* isf_lookup.c - the scry_sym_* queries over a loaded ISF table.
 *
 * Sizes of user, base and enum types, field offsets, symbol addresses,
 * constant_data and enum constants, each found by name in the hash tables
 * of isf_tables.h. A field of an anonymous struct or union member is found
 * as if it were the outer type's own, its offset added (as ISF >= 6.2 and
 * Volatility do), with bounds on depth and visits since a hostile ISF can
 * make anonymous members form cycles. A loaded table is never written, so
 * these may run from any thread. */
#include "symbols/isf_tables.h"

#include <string.h>

#define MAX_ANON_DEPTH 16    /* nested anonymous members */
#define MAX_ANON_VISITS 4096 /* user types visited by one lookup */

static void *lookup(const struct htab *h, const char *name)
{
    size_t n = strlen(name);
    return isf_ht_find(h, name, n, isf_hash_str(name, n));
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
