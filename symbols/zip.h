/* zip.h - symbol packs: ISF members of .zip files (libzip).
 *
 * Volatility takes every *.zip under a symbol directory and every member
 * whose name ends in an ISF extension ("linux/debian-6.1.json.xz" inside
 * linux.zip). Every field of a zip is attacker-controlled: member counts
 * and sizes are bounded, and a member's bytes are read with a hard cap,
 * whatever its header claims; libzip checks each member's CRC.
 *
 * Thread-safety: no shared state; each call opens the zip on its own. */
#ifndef SCRY_SYMBOLS_ZIP_H
#define SCRY_SYMBOLS_ZIP_H

#include <stddef.h>
#include <stdint.h>

#include "lib/base/error.h"

/* Members listed from one zip at most (the rest is an error). */
#define SCRY_ZIP_MAX_MEMBERS 100000u

struct scry_zip_member {
    char *name;    /* as stored ("linux/x.json.xz"), NUL-terminated */
    uint64_t size; /* uncompressed size the central directory states */
};

/* The members of zip whose names end in .json, .json.gz or .json.xz,
 * sorted bytewise by name (duplicates kept once). *out is malloc'd: free
 * with scry_zip_members_free. Errors: SCRY_ERR_IO (cannot open),
 * SCRY_ERR_CORRUPT (not a zip, damaged directory), SCRY_ERR_LIMIT (more
 * than SCRY_ZIP_MAX_MEMBERS entries), SCRY_ERR_NOMEM; messages name zip. */
scry_status scry_zip_list(const char *zip, struct scry_zip_member **out, size_t *n);
void scry_zip_members_free(struct scry_zip_member *m, size_t n);

/* Reads member's bytes (as stored inside the zip, e.g. still xz) into a
 * malloc'd *buf of *len bytes; at most max_bytes are accepted. Errors:
 * SCRY_ERR_IO, SCRY_ERR_NOT_FOUND (no such member), SCRY_ERR_CORRUPT
 * (damaged data, CRC mismatch), SCRY_ERR_LIMIT (larger than max_bytes),
 * SCRY_ERR_NOMEM; messages name zip and member. */
scry_status scry_zip_read(const char *zip, const char *member, size_t max_bytes, uint8_t **buf,
                          size_t *len);

#endif
