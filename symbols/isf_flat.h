/* isf_flat.h - the compiled form of an ISF table, private to symbols/.
 *
 * Every loaded symbol table is this one flat, position-independent block of
 * bytes: freshly built from JSON (malloc'd) or mapped read-only from the
 * compiled cache (isf_cache.c). Records refer to each other by index and to
 * names by offset into one string section, so the block works wherever it
 * is mapped and no record is ever allocated or fixed up on load.
 *
 *   header | section table | sections (8-aligned) ... | block checksums
 *
 * A mapped file is untrusted input (another process, a full disk or an
 * attacker may have written it). Opening checks the header, the section
 * table and the block-checksum section (all covered by header_hash); the
 * body is checked lazily, one ISF_FLAT_BLOCK at a time, the first time a
 * lookup reads from it (XXH3-64 per block), so a warm run touches only the
 * pages it reads yet never acts on a byte that fails its checksum. Every
 * index and offset read from the body is also bounds-checked on use, so
 * even a block whose checksum was forged cannot make a lookup read outside
 * the block of bytes. Integers are host order; the header's endian mark
 * makes a foreign file a mismatch (rebuilt), never a misread. */
#ifndef SCRY_ISF_FLAT_H
#define SCRY_ISF_FLAT_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "symbols/symtab.h"

#define ISF_FLAT_MAGIC "SCRYISF"     /* 8 bytes with its NUL */
#define ISF_FLAT_VERSION 2u
#define ISF_FLAT_ENDIAN 0x01020304u
#define ISF_FLAT_BLOCK 16384u         /* bytes per lazily verified block */
#define ISF_NONE UINT32_MAX           /* no name / no type reference */

enum isf_sect {
    S_STR,    /* NUL-terminated names                                  */
    S_TREF,   /* struct flat_tref                                      */
    S_UTYPE,  /* struct flat_utype                                     */
    S_FIELD,  /* struct flat_field, each type's fields contiguous      */
    S_BTYPE,  /* struct flat_btype                                     */
    S_ETYPE,  /* struct flat_etype                                     */
    S_ECONST, /* struct flat_econst, each enum's constants contiguous  */
    S_SYM,    /* struct flat_sym                                       */
    S_CDATA,  /* struct flat_cdata                                     */
    S_BYTES,  /* constant_data bytes                                   */
    S_HUTYPE, /* uint32 hash slots: record index + 1, 0 empty          */
    S_HBTYPE,
    S_HETYPE,
    S_HSYM,
    S_HCDATA,
    S_BLOCKSUM, /* uint64 XXH3 per block of [body, blocksum); always last */
    S_COUNT
};

struct isf_flat_header {
    char magic[8];
    uint32_t version, endian;
    uint64_t file_size;
    uint64_t source_hash;  /* XXH3-64 of the ISF's stored bytes: the cache key */
    uint64_t source_size;
    uint64_t header_hash;  /* XXH3-64 of header (this field 0) + section table + blocksums */
    uint32_t nsections, block_size;
    char format[24];       /* metadata.format, NUL-terminated ("" when absent) */
};

struct isf_flat_section {
    uint64_t offset, size;
};

struct flat_tref {
    uint32_t kind, name, sub, bit_position, bit_length, pad;
    uint64_t count;
};
struct flat_utype {
    uint32_t name, kind, first_field, nfields;
    uint64_t size;
};
/* hash: the low 32 bits of XXH3-64 of the name, so a lookup scanning a
 * type's fields (or an enum's constants) compares names only on a hash
 * match and does not touch the pages of 250 names to find one. */
struct flat_field {
    uint32_t name, type, anonymous, hash;
    uint64_t offset;
};
struct flat_btype {
    uint32_t name, is_signed;
    uint64_t size;
};
struct flat_etype {
    uint32_t name, base, first_const, nconsts;
    uint64_t size;
};
struct flat_econst {
    uint32_t name, hash;
    int64_t value;
};
struct flat_sym {
    uint32_t name, type;
    uint64_t address;
};
struct flat_cdata {
    uint32_t name, pad;
    uint64_t offset, len;
};

/* The 32-bit name hash of flat_field and flat_econst. */
uint32_t isf_flat_name_hash(const char *name);

/* The size of one record of each section (1 for bytes, 4 for hash slots). */
extern const size_t isf_flat_recsize[S_COUNT];

/* The loaded table: a view over the block of bytes. */
struct scry_symtab {
    const uint8_t *base;
    size_t size;
    void *map;        /* munmap(map, size) on free, or NULL */
    uint8_t *owned;   /* free(owned) on free, or NULL */
    struct isf_flat_section sec[S_COUNT];
    const uint64_t *blocksum;
    size_t body, nblocks;       /* blocks cover [body, body + nblocks * BLOCK) ∩ [.., blocksum) */
    atomic_uchar *verified;     /* per block: 1 once its checksum matched */
    atomic_int damaged;         /* a block failed its checksum */
    char *origin;               /* the compiled file, for messages; NULL when built */
    char format[24];
};

/* isf_flatten.c: the compiled bytes of a built table (malloc'd; header,
 * section table and every block checksum filled in). source_hash/size are
 * recorded for the cache. Errors: SCRY_ERR_NOMEM, SCRY_ERR_LIMIT (a table
 * too big for 32-bit indexes). */
struct isf_tables;
scry_status isf_flatten(const struct isf_tables *t, uint64_t source_hash, uint64_t source_size,
                        uint8_t **out, size_t *len);

/* isf_flat.c: a table over flat[0..len). Checks the header, section table
 * and block checksums (not the body, which lookups verify as they read it
 * unless trusted, for bytes this process just built). Takes ownership of
 * the bytes only on success: `owned` to free(), or `map` to munmap().
 * Errors: SCRY_ERR_CORRUPT naming what is wrong. */
scry_status isf_flat_open(const uint8_t *flat, size_t len, int trusted, uint8_t *owned, void *map,
                          struct scry_symtab **out);
/* The header of flat[0..len) when its fixed fields are sane, else NULL. */
const struct isf_flat_header *isf_flat_header(const uint8_t *flat, size_t len);

/* Bytes [off, off + len) of the table once bounds and checksums pass, else
 * NULL with the error set (SCRY_ERR_CORRUPT). */
const void *isf_flat_get(const struct scry_symtab *st, uint64_t off, uint64_t len);

/* The NUL-terminated name at string offset off of the string section, or
 * NULL (SCRY_ERR_CORRUPT set: out of bounds, not terminated): each block
 * the name spans is verified before its bytes are trusted. */
const char *isf_flat_name_at(const struct scry_symtab *st, uint32_t off);

#endif
