/* symlist.h - every symbol of a table, by index: what a reverse lookup
 * (address to name) is built from. The hash index finds a symbol by name;
 * this walks them all (in the table's own order, which is not sorted). */
#ifndef SCRY_SYMBOLS_SYMLIST_H
#define SCRY_SYMBOLS_SYMLIST_H

#include <stddef.h>
#include <stdint.h>

#include "symbols/symtab.h"

/* Symbol i (0 <= i < scry_sym_count_symbols(st)): its name (owned by the
 * table, valid while it is loaded) and its address as the ISF states it.
 * Errors: SCRY_ERR_INVALID_ARG for a NULL argument or i out of range;
 * SCRY_ERR_CORRUPT when the compiled table's bytes fail their bounds or
 * checksum (the table is then marked damaged). Safe from any thread. */
scry_status scry_sym_symbol_at(const struct scry_symtab *st, size_t i, const char **name,
                               uint64_t *address);

/* Field i of user type `type` in the ISF's own order (Volatility's
 * `.members` order): its name (owned by the table), offset and type
 * reference. Errors: SCRY_ERR_NOT_FOUND when the type is absent or i is
 * past its last field; SCRY_ERR_INVALID_ARG for a NULL argument;
 * SCRY_ERR_CORRUPT as above. The type is found by a linear search (for a
 * few calls per run, not per object). */
scry_status scry_sym_field_at(const struct scry_symtab *st, const char *type, size_t i,
                              const char **name, uint64_t *offset, struct scry_typeref *ref);

#endif
