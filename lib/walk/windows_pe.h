/* windows_pe.h - PE images in memory written out as files, as
 * Volatility's pe extension (IMAGE_DOS_HEADER.reconstruct) writes them for
 * pslist/dlllist/modules --dump. */
#ifndef SCRY_WALK_WINDOWS_PE_H
#define SCRY_WALK_WINDOWS_PE_H

#include <stdint.h>

#include "lib/base/op.h"
#include "lib/vspace/vspace.h"

/* Writes the PE image whose DOS header is at base (a masked address, read
 * through vs) to a new file called name inside dir, rebuilt as
 * Volatility's reconstruct() does. name is the file name Volatility would
 * give (e.g. "pid.4312.0x7ff6a1b20000.dmp"); it is made safe (no '/',
 * no "..", no control bytes) the way every --dump file name is, and the
 * name actually written is returned in *written (malloc'd; NULL on
 * failure). An existing file is never replaced: "a.dmp" becomes "a-1.dmp"
 * as Volatility's file handler does. Like Volatility, the file is created
 * before the headers are read, so a failed dump leaves it on disk with
 * whatever was written until the failure (possibly nothing). Errors: SCRY_ERR_NODATA / SCRY_ERR_CORRUPT when the headers
 * cannot be read or are not a PE (Volatility's "Error outputting file"
 * case), SCRY_ERR_IO, SCRY_ERR_NOMEM. Bounded: a header claiming more than
 * SCRY_WIN_PE_MAX bytes is refused. Thread-safe for distinct vs. */
#define SCRY_WIN_PE_MAX (512ull << 20)
scry_status scry_win_pe_dump(struct scry_vspace *vs, uint64_t base, const char *dir,
                             const char *name, struct scry_op *op, char **written);

struct scry_windows;
struct scry_win_proc;

/* PsList.process_dump: the process's image (PEB.ImageBaseAddress in its own
 * space) dumped as "<pid>.<name>.<base>.dmp" passed through Volatility's
 * sanitize_filename (characters outside its whitelist become '?'). *file
 * receives that name (malloc'd) once the file was created - even when the
 * image could not be rebuilt, as in Volatility, where the File output
 * column still names it - and NULL when the process, its PEB or the
 * image base could not be read ("Error outputting file"). Failures to
 * dump are INFO diagnostics on op; only SCRY_ERR_NOMEM,
 * SCRY_ERR_CANCELLED and SCRY_ERR_INVALID_ARG (no dir) are returned. */
scry_status scry_win_process_dump(const struct scry_windows *w, struct scry_vspace *ks,
                                  const struct scry_win_proc *p, const char *dir,
                                  struct scry_op *op, char **file);

#endif
