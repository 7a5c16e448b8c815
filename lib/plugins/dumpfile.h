/* dumpfile.h - files a plugin writes into the run's output directory
 * (--dump), named and de-duplicated as Volatility's CLI file handler does. */
#ifndef SCRY_PLUGINS_DUMPFILE_H
#define SCRY_PLUGINS_DUMPFILE_H

#include <stddef.h>
#include <stdint.h>

#include "lib/base/op.h"
#include "lib/vspace/vspace.h"

/* Creates dir/name (dir and its parents made when missing; never following a symlink,
 * never replacing a file): on a clash "stem-1.ext", "stem-2.ext", ... as
 * Volatility's CLI names them. name must be a plain file name (no '/').
 * final (cap >= 256 bytes) receives the name used. Returns the descriptor,
 * or -1 with errno set. */
int scry_dump_create(const char *dir, const char *name, char *final, size_t cap);

/* scry_dump_create with its failure reported: a WARNING on op naming
 * dir/name and why. Returns the descriptor or -1. */
int scry_dump_create_or_warn(struct scry_op *op, const char *dir, const char *name, char *final,
                             size_t cap);

/* Closes a dump's fd and judges what was written to dir/name: st
 * SCRY_ERR_LIMIT or SCRY_ERR_CORRUPT (from scry_dump_vrange) is a WARNING
 * that the dump may be incomplete, and SCRY_OK; a failed write or close
 * (io_failed, or close's own failure) is a WARNING naming the file and
 * errno, with *written 0. Any other st is returned as it is (the caller's
 * error). */
scry_status scry_dump_finish(struct scry_op *op, int fd, const char *dir, const char *name,
                             scry_status st, int io_failed, int *written);

/* Writes [va, va + len) of vs at offset `at` of fd, unmapped bytes as
 * zeros (read(pad=True)). Only mapped pages are read: the caller sizes the
 * file first (ftruncate) so holes stay sparse. *io_failed is set when a
 * write fails (errno then says why). Errors: SCRY_ERR_NOMEM,
 * SCRY_ERR_CANCELLED, SCRY_ERR_CORRUPT (a page that cannot be decoded),
 * SCRY_ERR_LIMIT (too many page-table entries to enumerate): after the last
 * two the file is complete in size but may lack data. */
scry_status scry_dump_vrange(struct scry_vspace *vs, struct scry_op *op, int fd, uint64_t at,
                             uint64_t va, uint64_t len, int *io_failed);

#endif
