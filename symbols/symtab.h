/* symtab.h - an ISF symbol table, loaded once into compact immutable tables.
 *
 * The ISF (Volatility's intermediate symbol format, JSON) is read in one
 * streaming pass straight into these tables: unsigned 64-bit numbers kept
 * exact (Linux addresses exceed INT64_MAX), strings interned once. The OS
 * layer asks for offsets by name once, at profile build time; walkers keep
 * plain integers and never look a name up. A loaded table is immutable and
 * may be read from any thread. */
#ifndef SCRY_SYMTAB_H
#define SCRY_SYMTAB_H

#include <stddef.h>
#include <stdint.h>

#include "lib/base/error.h"

enum scry_tkind {
    SCRY_T_BASE = 1,   /* name: a base_types entry ("int", "pointer", ...) */
    SCRY_T_POINTER,    /* sub: the pointee                                  */
    SCRY_T_ARRAY,      /* sub: the element, count: elements                  */
    SCRY_T_STRUCT,     /* name: a user_types entry                           */
    SCRY_T_UNION,      /* name: a user_types entry                           */
    SCRY_T_CLASS,      /* name: a user_types entry                           */
    SCRY_T_ENUM,       /* name: an enums entry                               */
    SCRY_T_BITFIELD,   /* sub: the storage type, bit_position, bit_length    */
    SCRY_T_FUNCTION,   /* no detail                                          */
    SCRY_T_VOID        /* ISF "base" with name "void"                        */
};

/* A type reference as a field or symbol's "type" states it, decoded from
 * the table. `name` points into the table (valid while it is loaded). */
struct scry_typeref {
    enum scry_tkind kind;
    const char *name;       /* NULL when not applicable */
    uint32_t sub;           /* pointer/array/bitfield target: scry_sym_typeref(); SCRY_TREF_NONE */
    uint64_t count;         /* array elements */
    uint32_t bit_position, bit_length;
};
#define SCRY_TREF_NONE UINT32_MAX

struct scry_symtab;

/* Loads path; .json, .json.gz (zlib) and .json.xz (liblzma) are told apart
 * by their first bytes and decompressed as a stream (the whole JSON is never
 * held in memory). Errors: SCRY_ERR_IO, SCRY_ERR_CORRUPT (message says what
 * and where: "line 12: expected ':'", "user type task_struct: field pid has
 * no offset"). */
scry_status scry_isf_load(const char *path, struct scry_symtab **out);
/* Parses an uncompressed ISF held in memory (tests, fuzzing). */
scry_status scry_isf_parse(const void *json, size_t len, struct scry_symtab **out);
/* Builds the table from an ISF's stored bytes, read from path (stored NULL)
 * or held in stored[0..len), and records key/key_size (the cache key,
 * isf_cache.h) in its compiled header. Errors as scry_isf_load. */
scry_status scry_isf_compile(const char *path, const void *stored, size_t len, uint64_t key,
                             uint64_t key_size, struct scry_symtab **out);
/* Loads an ISF whose stored bytes (plain, gzip or xz) are in memory. */
scry_status scry_isf_load_mem(const void *stored, size_t len, struct scry_symtab **out);
void scry_isf_free(struct scry_symtab *st);

/* Lookups. All return SCRY_ERR_NOT_FOUND (with a message naming what is
 * missing) when the name is absent, and SCRY_ERR_CORRUPT when a compiled
 * table mapped from the cache fails a checksum or bounds check on the way
 * (scry_sym_damaged() then tells; the cache entry is never trusted again). */

/* Size of a user type (struct/union/class), base type or enum. */
scry_status scry_sym_type_size(const struct scry_symtab *st, const char *type, uint64_t *size);
/* Offset of field within user type `type`; members of anonymous struct and
 * union members are found as if they were the type's own (offsets added),
 * as in ISF >= 6.2. *ref (may be NULL) receives the field's type. */
scry_status scry_sym_field(const struct scry_symtab *st, const char *type, const char *field,
                           uint64_t *offset, struct scry_typeref *ref);
/* The type reference numbered id (a scry_typeref's sub). Errors:
 * SCRY_ERR_NOT_FOUND for SCRY_TREF_NONE, SCRY_ERR_CORRUPT. */
scry_status scry_sym_typeref(const struct scry_symtab *st, uint32_t id, struct scry_typeref *out);
/* A symbol's type; SCRY_ERR_NOT_FOUND when the symbol or its type is absent. */
scry_status scry_sym_symbol_type(const struct scry_symtab *st, const char *name,
                                 struct scry_typeref *out);
/* A symbol's address as stated in the ISF (no KASLR shift applied). */
scry_status scry_sym_address(const struct scry_symtab *st, const char *name, uint64_t *address);
/* A symbol's constant_data, base64-decoded; *data is owned by the table. */
scry_status scry_sym_constant_data(const struct scry_symtab *st, const char *name,
                                   const uint8_t **data, size_t *len);
/* An enum constant's value. */
scry_status scry_sym_enum_value(const struct scry_symtab *st, const char *enum_name,
                                const char *constant, int64_t *value);
/* Size and signedness of a base type ("pointer", "int", "unsigned long"). */
scry_status scry_sym_base_type(const struct scry_symtab *st, const char *name, uint64_t *size,
                               int *is_signed);

/* Counts, for tests and messages. */
size_t scry_sym_count_user_types(const struct scry_symtab *st);
size_t scry_sym_count_symbols(const struct scry_symtab *st);
/* Nonzero once a lookup found the table's bytes damaged. */
int scry_sym_damaged(const struct scry_symtab *st);
/* Bytes the table occupies (mapped or allocated), for statistics. */
size_t scry_sym_bytes(const struct scry_symtab *st);
/* ISF metadata.format ("6.2.0"), or "" when absent. */
const char *scry_sym_format_version(const struct scry_symtab *st);

#endif
