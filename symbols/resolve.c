/* resolve.c - declarative field and symbol resolution (see resolve.h). */
#include "symbols/resolve.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "symbols/symtab.h"

/* Size in bytes of a field's type; 0 when the ISF gives none (functions,
 * void). Nested arrays are bounded: a hostile ISF may nest them deeply. */
static scry_status typeref_size(const struct scry_symtab *st, const struct scry_typeref *t,
                                int depth, uint64_t *size);

/* The size of t's target (array element, bitfield storage). */
static scry_status sub_size(const struct scry_symtab *st, const struct scry_typeref *t, int depth,
                            uint64_t *size)
{
    struct scry_typeref sub;
    scry_status rc = scry_sym_typeref(st, t->sub, &sub);
    if (rc == SCRY_ERR_NOT_FOUND) {
        *size = 0;
        return SCRY_OK;
    }
    return rc ? rc : typeref_size(st, &sub, depth + 1, size);
}

static scry_status typeref_size(const struct scry_symtab *st, const struct scry_typeref *t,
                                int depth, uint64_t *size)
{
    uint64_t sub;
    int sgn;
    scry_status rc;
    if (depth > 8) {
        *size = 0;
        return scry_err(SCRY_ERR_CORRUPT, "type nests too deep");
    }
    switch (t->kind) {
    case SCRY_T_BASE:
        return scry_sym_base_type(st, t->name, size, &sgn);
    case SCRY_T_POINTER:
        return scry_sym_base_type(st, "pointer", size, &sgn);
    case SCRY_T_ARRAY:
        if ((rc = sub_size(st, t, depth, &sub)) != SCRY_OK)
            return rc;
        if (sub && t->count > UINT64_MAX / sub)
            return scry_err(SCRY_ERR_CORRUPT, "array of %" PRIu64 " elements overflows", t->count);
        *size = sub * t->count;
        return SCRY_OK;
    case SCRY_T_STRUCT:
    case SCRY_T_UNION:
    case SCRY_T_CLASS:
    case SCRY_T_ENUM:
        return scry_sym_type_size(st, t->name, size);
    case SCRY_T_BITFIELD:
        return sub_size(st, t, depth, size);
    default:
        *size = 0;
        return SCRY_OK;
    }
}

/* Offset of a dotted member path ("Pcb.DirectoryTableBase") within type:
 * each step but the last must be a struct, union or class member. */
static scry_status field_path(const struct scry_symtab *st, const char *type, const char *path,
                              uint64_t *offset, struct scry_typeref *ref)
{
    char name[128], tname[128];
    uint64_t total = 0, off;
    snprintf(tname, sizeof tname, "%s", type);
    for (const char *p = path;;) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        if (n >= sizeof name)
            return scry_err(SCRY_ERR_NOT_FOUND, "%s.%s: member name too long", type, path);
        memcpy(name, p, n);
        name[n] = '\0';
        scry_status rc = scry_sym_field(st, tname, name, &off, ref);
        if (rc != SCRY_OK)
            return rc;
        if (off > UINT64_MAX - total)
            return scry_err(SCRY_ERR_CORRUPT, "%s.%s: offset overflows", type, path);
        total += off;
        if (!dot)
            break;
        if (ref->kind != SCRY_T_STRUCT && ref->kind != SCRY_T_UNION && ref->kind != SCRY_T_CLASS)
            return scry_err(SCRY_ERR_NOT_FOUND, "%s.%s: %s is not a structure", type, path, name);
        snprintf(tname, sizeof tname, "%s", ref->name);
        p = dot + 1;
    }
    *offset = total;
    return SCRY_OK;
}

scry_status scry_resolve_fields(const struct scry_symtab *st, const struct scry_field_spec *specs,
                                size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct scry_field_spec *s = &specs[i];
        struct scry_typeref ref;
        uint64_t off = 0, fsize = 0, tsize = 0;
        scry_status rc = field_path(st, s->type, s->field, &off, &ref);
        if (rc == SCRY_ERR_NOT_FOUND && s->optional) {
            *s->offset = SCRY_NO_OFFSET;
            if (s->size)
                *s->size = 0;
            continue;
        }
        if (rc != SCRY_OK)
            return rc;
        if ((rc = typeref_size(st, &ref, 0, &fsize)) != SCRY_OK)
            return scry_err_ctx(rc, "%s.%s", s->type, s->field);
        if ((rc = scry_sym_type_size(st, s->type, &tsize)) != SCRY_OK)
            return rc;
        if (off > tsize || fsize > tsize - off)
            return scry_err(SCRY_ERR_CORRUPT,
                            "%s.%s: offset 0x%" PRIx64 " + %" PRIu64
                            " bytes is past the struct's %" PRIu64 " bytes",
                            s->type, s->field, off, fsize, tsize);
        *s->offset = off;
        if (s->size)
            *s->size = fsize;
    }
    return SCRY_OK;
}

scry_status scry_resolve_symbols(const struct scry_symtab *st,
                                 const struct scry_symbol_spec *specs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        scry_status rc = scry_sym_address(st, specs[i].name, specs[i].address);
        if (rc == SCRY_ERR_NOT_FOUND && specs[i].optional) {
            *specs[i].address = SCRY_NO_OFFSET;
            continue;
        }
        if (rc != SCRY_OK)
            return rc;
    }
    return SCRY_OK;
}
