/* kallsyms_decode.h - the kallsyms tables, once read into memory, decoded
 * into a scry_sysmap. No I/O: kallsyms.c and kallsyms_scan.c find and read
 * the tables; the unit tests and the fuzz harness feed this directly.
 *
 * Formats (kernel scripts/kallsyms.c, kernel/kallsyms.c):
 *  names        num_syms entries: a length (ULEB128, one byte, or two when
 *               the first has bit 7 set: 6.1+), then that many token codes;
 *               the first decoded character is the type letter;
 *  markers      u32 every 256 entries: the byte offset of entry 256*k;
 *  token_table  256 NUL-terminated strings, one per byte code;
 *  token_index  u16[256]: where each code's string starts in token_table;
 *  offsets      s32[num_syms]: with KALLSYMS_ABSOLUTE_PERCPU, a value >= 0
 *               is the address itself and a negative one is
 *               relative_base - 1 - value; without it, relative_base +
 *               (u32)value. The mode is told by the values (a kernel built
 *               with absolute per-CPU symbols stores every other symbol as a
 *               negative value); the addresses must not decrease (the kernel
 *               sorts them: its address lookup is a binary search). */
#ifndef SCRY_KALLSYMS_DECODE_H
#define SCRY_KALLSYMS_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "lib/base/error.h"
#include "symbols/sysmap.h"

struct scry_ksym_tables {
    const uint8_t *names;
    size_t names_len;       /* bytes available from names (may run past the table) */
    const uint8_t *markers; /* NULL: not checked */
    size_t markers_len;     /* bytes */
    const uint8_t *token_table;
    size_t token_table_len; /* bytes available */
    const uint8_t *token_index; /* 512 bytes */
    const uint8_t *offsets;     /* 4 * num_syms bytes */
    uint32_t num_syms;
    uint64_t relative_base;
};

/* Decodes t into *out (zeroed first; free with scry_sysmap_free).
 * *names_end (may be NULL) gets the byte offset just past the last entry.
 * Errors: SCRY_ERR_CORRUPT with a one-line "kallsyms: ..." message naming
 * the table and the entry at fault, SCRY_ERR_LIMIT, SCRY_ERR_NOMEM. */
scry_status scry_ksym_decode(const struct scry_ksym_tables *t, struct scry_sysmap *out,
                             size_t *names_end);

/* Checks the token table and index alone (each index inside the table, each
 * token NUL-terminated inside it). Same errors. */
scry_status scry_ksym_check_tokens(const uint8_t *table, size_t table_len,
                                   const uint8_t *index);

static inline uint32_t scry_ksym_u32(const uint8_t *b)
{
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static inline uint64_t scry_ksym_u64(const uint8_t *b)
{
    return (uint64_t)scry_ksym_u32(b) | (uint64_t)scry_ksym_u32(b + 4) << 32;
}

static inline uint16_t scry_ksym_u16(const uint8_t *b)
{
    return (uint16_t)(b[0] | b[1] << 8);
}

#endif
