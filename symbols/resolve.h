/* resolve.h - resolve a profile's symbols and fields once, from a table.
 *
 * An OS profile declares what it needs - these fields of these types, these
 * symbols - as an array, each required or optional, and resolves it in one
 * call when the profile is built; walkers then use plain integers. Ten
 * Windows plugins over five kernel layouts stay tables, not code.
 *
 * Every resolved field is checked against its type: offset + size within
 * the struct's size (an ISF is attacker-controlled; a wrapped or outlying
 * offset would make walkers read past their buffers). */
#ifndef SCRY_SYMBOLS_RESOLVE_H
#define SCRY_SYMBOLS_RESOLVE_H

#include <stddef.h>
#include <stdint.h>

#include "lib/base/error.h"

struct scry_symtab;

/* An offset or address the ISF does not have (optional entries only). */
#define SCRY_NO_OFFSET UINT64_MAX

struct scry_field_spec {
    const char *type;
    const char *field; /* a member, or a dotted path through members ("Pcb.DirectoryTableBase") */
    uint64_t *offset; /* receives the offset, or SCRY_NO_OFFSET          */
    uint64_t *size;   /* may be NULL: receives the field's size in bytes */
    int optional;
};

struct scry_symbol_spec {
    const char *name;
    uint64_t *address; /* as the ISF states it (no KASLR shift), or SCRY_NO_OFFSET */
    int optional;
};

#define SCRY_FIELD(t, f, dst) {(t), (f), (dst), NULL, 0}
#define SCRY_FIELD_OPT(t, f, dst) {(t), (f), (dst), NULL, 1}
#define SCRY_SYMBOL(n, dst) {(n), (dst), 0}
#define SCRY_SYMBOL_OPT(n, dst) {(n), (dst), 1}

/* Resolves every spec. A required entry that is missing is
 * SCRY_ERR_NOT_FOUND, a field that does not fit its struct (offset + size
 * past the struct's size, or wrapping) SCRY_ERR_CORRUPT; either message
 * names the type and field ("task_struct.parent: offset 0xffff...fff8 + 8
 * bytes is past the struct's 9792 bytes"). */
scry_status scry_resolve_fields(const struct scry_symtab *st, const struct scry_field_spec *specs,
                                size_t n);
scry_status scry_resolve_symbols(const struct scry_symtab *st,
                                 const struct scry_symbol_spec *specs, size_t n);

#endif
