/* isf_symlist.c - the table's symbols by index: see symlist.h. */
#include "symbols/isf_flat.h"
#include "symbols/symlist.h"

#include <string.h>

scry_status scry_sym_symbol_at(const struct scry_symtab *st, size_t i, const char **name,
                               uint64_t *address)
{
    if (!st || !name || !address)
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_sym_symbol_at: NULL argument");
    if (i >= st->sec[S_SYM].size / sizeof(struct flat_sym))
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_sym_symbol_at: symbol %zu of %zu", i,
                        (size_t)(st->sec[S_SYM].size / sizeof(struct flat_sym)));
    const struct flat_sym *s =
        isf_flat_get(st, st->sec[S_SYM].offset + i * sizeof *s, sizeof *s);
    if (!s)
        return SCRY_ERR_CORRUPT;
    const char *n = isf_flat_name_at(st, s->name);
    if (!n)
        return SCRY_ERR_CORRUPT;
    *name = n;
    *address = s->address;
    return SCRY_OK;
}

scry_status scry_sym_field_at(const struct scry_symtab *st, const char *type, size_t i,
                              const char **name, uint64_t *offset, struct scry_typeref *ref)
{
    if (!st || !type || !name || !offset || !ref)
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_sym_field_at: NULL argument");
    size_t n = st->sec[S_UTYPE].size / sizeof(struct flat_utype);
    for (size_t u = 0; u < n; u++) {
        const struct flat_utype *t =
            isf_flat_get(st, st->sec[S_UTYPE].offset + u * sizeof *t, sizeof *t);
        const char *tn = t ? isf_flat_name_at(st, t->name) : NULL;
        if (!tn)
            return SCRY_ERR_CORRUPT;
        if (strcmp(tn, type) != 0)
            continue;
        if (i >= t->nfields)
            return scry_err(SCRY_ERR_NOT_FOUND, "%s has %u fields, not %zu", type, t->nfields,
                            i + 1);
        uint64_t k = (uint64_t)t->first_field + i;
        if (k >= st->sec[S_FIELD].size / sizeof(struct flat_field))
            return scry_err(SCRY_ERR_CORRUPT, "compiled symbol table: %s's fields are out of "
                            "bounds", type);
        const struct flat_field *f =
            isf_flat_get(st, st->sec[S_FIELD].offset + k * sizeof *f, sizeof *f);
        const char *fn = f ? isf_flat_name_at(st, f->name) : NULL;
        if (!fn)
            return SCRY_ERR_CORRUPT;
        scry_status rc = scry_sym_typeref(st, f->type, ref);
        if (rc != SCRY_OK)
            return rc;
        *name = fn;
        *offset = f->offset;
        return SCRY_OK;
    }
    return scry_err(SCRY_ERR_NOT_FOUND, "no type %s in the symbol table", type);
}
