/* kallsyms.h - the kernel's own symbol table, decoded out of a dump's
 * physical memory (the compressed kallsyms tables every kernel built with
 * CONFIG_KALLSYMS carries in its .rodata).
 *
 * Two ways to find the tables:
 *  - VMCOREINFO (QEMU ELF and kdump files, /proc/vmcore of kernels >= 6.0)
 *    names their runtime virtual addresses (SYMBOL(kallsyms_names)=...) and
 *    states NUMBER(phys_base), which turns a kernel-image virtual address
 *    into a physical one (pa = va - 0xffffffff80000000 + phys_base);
 *  - otherwise (raw and LiME files, older kernels) they are found by their
 *    structure: the token table, its index, the markers, the names, the
 *    offsets (docs/DESIGN.md, "kallsyms out of the dump").
 * Either way the result is checked: linux_banner must read "Linux version "
 * and init_task must hold the idle task's name ("swapper") where the
 * kernel-image mapping puts them, else the read fails.
 *
 * Supported table layouts: Linux 6.1 (offsets, relative_base, num_syms,
 * names, markers, token_table, token_index) and Linux >= 6.4 up to 6.14
 * (num_syms, names, markers, token_table, token_index, offsets,
 * relative_base, seqs_of_names), 64-bit little-endian (x86_64), with
 * KALLSYMS_BASE_RELATIVE offsets, with or without KALLSYMS_ABSOLUTE_PERCPU.
 * Through VMCOREINFO any layout decodes; the structural scan knows those two.
 *
 * Thread-safety: scry_kallsyms_read only reads p (whose read op is
 * thread-safe) and writes *out, *info and op; calls on different outputs
 * may run at once. */
#ifndef SCRY_KALLSYMS_H
#define SCRY_KALLSYMS_H

#include <stddef.h>
#include <stdint.h>

#include "formats/phys.h"
#include "lib/base/error.h"
#include "lib/base/op.h"
#include "symbols/sysmap.h"

/* Bounds on what a dump may make us decode. */
#define SCRY_KALLSYMS_MAX_SYMS (1u << 22)          /* a kernel has ~100-200 k */
#define SCRY_KALLSYMS_MAX_NAMES ((size_t)64 << 20) /* compressed names table  */
#define SCRY_KALLSYMS_MAX_TEXT ((size_t)256 << 20) /* decoded names in total  */

struct scry_kallsyms_info {
    int from_vmcoreinfo;    /* 1: tables named by VMCOREINFO, 0: found by scanning */
    uint64_t kernel_offset; /* VMCOREINFO KERNELOFFSET when stated, else 0 */
    int has_kernel_offset;
    uint64_t names_pa, token_table_pa, token_index_pa, offsets_pa; /* where they were found */
    uint64_t relative_base; /* runtime (KASLR-shifted) */
    size_t num_syms;
    /* Added beyond the struct: the kernel-image mapping used to
     * check linux_banner and init_task (VMCOREINFO's NUMBER(phys_base), or
     * derived from where the tables were found) and linux_banner's
     * physical address. */
    uint64_t phys_base;
    uint64_t banner_pa;
};

/* Decodes kallsyms from physical memory p. vmcoreinfo (NULL/0 when the
 * dump has none; need not be NUL-terminated) names the tables' runtime
 * virtual addresses and NUMBER(phys_base)/KERNELOFFSET; when it names no
 * kallsyms tables (kernels before 6.0) the tables are found by their
 * structure. *out (zeroed first) gets the symbols in table order (by
 * address) with RUNTIME addresses, as /proc/kallsyms shows them, and their
 * type letters; _text included, so scry_sysmap_unshift works; free it with
 * scry_sysmap_free. info may be NULL. Progress ticks and cancellation go
 * through op (may be NULL) during the scan. On failure *out is empty
 * (scry_sysmap_free is harmless, not needed) and *info unspecified.
 *
 * Errors (one line, naming what is wrong):
 *  SCRY_ERR_NODATA   no kallsyms tables found ("kallsyms: no token table
 *                    found in physical memory"), or a table lies in a
 *                    hole of the dump;
 *  SCRY_ERR_CORRUPT  a table does not decode (an index past its table, a
 *                    name running past the names table, num_syms over
 *                    SCRY_KALLSYMS_MAX_SYMS, markers that disagree with
 *                    the names) or the check of linux_banner/init_task
 *                    fails;
 *  SCRY_ERR_LIMIT    the decoded names exceed SCRY_KALLSYMS_MAX_TEXT;
 *  SCRY_ERR_NOMEM, SCRY_ERR_CANCELLED, or what a physical read reports. */
scry_status scry_kallsyms_read(struct scry_phys *p, struct scry_op *op, const char *vmcoreinfo,
                               size_t vmcoreinfo_len, struct scry_sysmap *out,
                               struct scry_kallsyms_info *info);

#endif
