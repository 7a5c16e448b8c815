/* isf_symlist.c - the table's symbols by index: see symlist.h. */
#include "symbols/isf_flat.h"
#include "symbols/symlist.h"

#include <string.h>

/* The NUL-terminated name at string offset off, or NULL (error set): each
 * block the name spans is verified before its bytes are trusted. */
static const char *name_at(const struct scry_symtab *st, uint32_t off)
{
    const struct isf_flat_section *s = &st->sec[S_STR];
    if (off == ISF_NONE || off >= s->size) {
        scry_err(SCRY_ERR_CORRUPT, "compiled symbol table: a symbol name is out of bounds");
        return NULL;
    }
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
    scry_err(SCRY_ERR_CORRUPT, "compiled symbol table: a symbol name is not terminated");
    return NULL;
}

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
    const char *n = name_at(st, s->name);
    if (!n)
        return SCRY_ERR_CORRUPT;
    *name = n;
    *address = s->address;
    return SCRY_OK;
}
