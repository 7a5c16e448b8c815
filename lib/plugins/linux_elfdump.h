/* linux_elfdump.h - Volatility's Elfs.elf_dump: the ELF that starts at a
 * VMA, rebuilt from its PT_LOAD segments into a file of the output
 * directory. linux.elfs --dump and linux.pslist --dump share it. */
#ifndef SCRY_PLUGINS_LINUX_ELFDUMP_H
#define SCRY_PLUGINS_LINUX_ELFDUMP_H

#include <stddef.h>
#include <stdint.h>

#include "lib/base/op.h"
#include "lib/vspace/vspace.h"

/* Writes the ELF at base of proc as dir/"pid.<pid>.<comm>.<base:#x>.dmp"
 * (comm made a safe file name; a clash numbered by scry_dump_create):
 * the PT_LOAD segments, each page-rounded, keyed by start (a later header
 * replacing an earlier one with the same start), in start order, each
 * read at base + start with unmapped pages as zeros. On SCRY_OK, *written
 * is 1 with the file's name in final (cap >= 256 bytes), or 0 when nothing
 * was written (Volatility's None): base does not start with an ELF magic
 * or its magic cannot be read (silently: most VMAs are no ELF), or - each
 * a WARNING on op - an unknown ei_class, an unreadable header, a segment
 * over 4 GiB, no output directory (dir NULL), a file that cannot be
 * created or written. Errors: SCRY_ERR_NOMEM, SCRY_ERR_CANCELLED. */
scry_status scry_linux_elf_dump(struct scry_op *op, struct scry_vspace *proc, const char *dir,
                                int pid, const char *comm, uint64_t base, char *final,
                                size_t cap, int *written);

#endif
