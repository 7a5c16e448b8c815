/* identify.h - what Volatility's identifier cache records of one ISF,
 * read in one streaming pass (nothing of the ISF is kept).
 *
 * Volatility's SqliteCache.update loads the whole JSON, counts its four
 * sections with len() and asks its identifier extractors in turn, Windows
 * first, then Mac, then Linux:
 *   windows: metadata.windows.pdb {database, GUID, age}, all truthy, as the
 *            bytes "database|GUID upper-cased|age" (latin-1);
 *   mac:     symbols.version.constant_data, base64-decoded;
 *   linux:   symbols.linux_banner.constant_data, base64-decoded (the banner
 *            as the kernel holds it, "...\n\0" included).
 * An ISF whose JSON is malformed, or on which those expressions would raise
 * in Python (a section that is not an object, a GUID that is not a string,
 * constant_data that is not valid base64, ...), is not cached by
 * Volatility: here it is an error whose message says which. JSON's
 * last-wins rule for repeated keys is followed (a repeated section replaces
 * the earlier one), and the counts are of distinct keys, as len() of a
 * Python dict counts them.
 *
 * Bounds: the tokenizer's (nesting, string length), the decoder's (1 GiB of
 * text), at most SCRY_IDENT_MAX_KEYS keys per section.
 * Thread-safety: no shared state; any number of calls at once. */
#ifndef SCRY_SYMBOLS_IDENTIFY_H
#define SCRY_SYMBOLS_IDENTIFY_H

#include <stddef.h>
#include <stdint.h>

#include "lib/base/error.h"

#define SCRY_IDENT_MAX_KEYS (4u << 20) /* 64 MiB of hashes at most; a real ISF has < 300,000 */

struct scry_isf_ident {
    const char *os;       /* "windows", "mac", "linux" (constants); NULL: no identifier */
    uint8_t *id;          /* the identifier's bytes (malloc'd); NULL when os is NULL */
    size_t id_len;
    uint64_t banner_address; /* symbols.linux_banner.address as stated; 0 when absent */
    int has_banner_address;
    int64_t nbase, ntypes, nsymbols, nenums; /* len() of base_types, user_types, symbols, enums */
    char format[32];      /* metadata.format when a short string, else "" */
    /* scry_isf_validate only (0 otherwise): 1 valid against Volatility's
     * schema, 0 invalid, -1 not known; why: the first error with its JSON
     * path ("user_types.task_struct.fields.pid: missing offset"), malloc'd,
     * NULL when valid. */
    int valid;
    char *why;
};

/* Identifies the ISF stored at path (member NULL) or as member of the zip
 * at path (read whole, at most max_member bytes). On failure *out is
 * zeroed. Errors: SCRY_ERR_IO, SCRY_ERR_CORRUPT (malformed JSON or one
 * Volatility would not cache: the message says what and where),
 * SCRY_ERR_LIMIT, SCRY_ERR_NOMEM, and what scry_zip_read reports. */
scry_status scry_isf_identify(const char *path, const char *member, size_t max_member,
                              struct scry_isf_ident *out);
/* The same over stored bytes in memory (xz, gzip or plain JSON): the fuzz
 * target. */
scry_status scry_isf_identify_mem(const void *buf, size_t len, struct scry_isf_ident *out);
/* Identification and, in the same pass, the checks of Volatility's JSON
 * schema for the file's metadata.format (symbols/isf_validate.h): the
 * result in out->valid and out->why. */
scry_status scry_isf_validate(const char *path, const char *member, size_t max_member,
                              struct scry_isf_ident *out);
scry_status scry_isf_validate_mem(const void *buf, size_t len, struct scry_isf_ident *out);
/* Frees out->id and out->why and zeroes *out; NULL is a no-op. */
void scry_isf_ident_free(struct scry_isf_ident *out);

#endif
