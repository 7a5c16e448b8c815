/* zwrite.h - an output file written through xz, gzip or nothing, as its
 * name ends (.xz: liblzma preset 6; .gz: zlib level 6; else plain).
 *
 * The bytes go to a temporary file next to the target (PATH.tmp-XXXXXX),
 * renamed over PATH only when everything was written, so a failed or
 * interrupted run never leaves a truncated ISF where a store would find
 * it. */
#ifndef SCRY_ZWRITE_H
#define SCRY_ZWRITE_H

#include <stddef.h>

#include "lib/base/error.h"

struct scry_zwrite;

/* Errors: SCRY_ERR_IO naming the path, SCRY_ERR_NOMEM. */
scry_status scry_zwrite_open(const char *path, struct scry_zwrite **out);
/* A sink for scry_btf_isf_write: 0 on success, else non-zero with the
 * message set (SCRY_ERR_IO naming the path). */
int scry_zwrite_write(void *zw, const void *data, size_t len);
/* commit: finish the stream and rename into place; else remove the
 * temporary file. Frees zw either way. Errors: SCRY_ERR_IO. */
scry_status scry_zwrite_close(struct scry_zwrite *zw, int commit);

#endif
