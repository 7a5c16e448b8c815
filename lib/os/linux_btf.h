/* linux_btf.h - the kernel's own BTF (.BTF, between __start_BTF and
 * __stop_BTF), found in physical memory.
 *
 * A kernel built with CONFIG_DEBUG_INFO_BTF keeps its type information in
 * its image, which x86-64 loads physically contiguous. When kallsyms gives
 * __start_BTF and __stop_BTF the blob is read where the kernel's mapping
 * puts it (expect below); otherwise, or when nothing valid is there,
 * physical memory is scanned for a BTF header: magic 0xeb9f (little
 * endian), version 1, flags 0, a header of 24..256 bytes, sections inside
 * SCRY_LINUX_BTF_MAX bytes. Each candidate is read whole (holes refuse it),
 * validated by scry_btf_check (bounds, type ids, name offsets) and must
 * define struct task_struct: module BTF (split, its ids above the base's)
 * and stray headers fail one of those. The first that passes, in address
 * order, is the answer. At most SCRY_LINUX_BTF_TRIES candidates, and
 * SCRY_LINUX_BTF_READ_MAX bytes in all, are read whole by the scan, so a
 * dump sown with fake headers costs bounded work.
 *
 * Thread-safety: touches only its arguments (the physical layer's reads
 * are thread-safe). */
#ifndef SCRY_OS_LINUX_BTF_H
#define SCRY_OS_LINUX_BTF_H

#include <stddef.h>
#include <stdint.h>

#include "formats/phys.h"
#include "lib/base/op.h"

#define SCRY_LINUX_BTF_MAX ((size_t)64 << 20) /* vmlinux: 2.4-6 MiB */
#define SCRY_LINUX_BTF_TRIES 32u
#define SCRY_LINUX_BTF_READ_MAX ((uint64_t)256 << 20)

struct scry_linux_btf {
    uint8_t *blob; /* owned (free) */
    size_t len;    /* header + sections, as the header states */
    uint64_t pa;   /* where it starts */
    int mapped;    /* found where the kernel's mapping (expect) puts it */
};

/* Where the kernel's mapping puts __start_BTF: its physical address and
 * __stop_BTF - __start_BTF. */
struct scry_linux_btf_where {
    uint64_t pa, len;
};

/* Finds the BTF: at each of the nexpect places first (the blob there must
 * be exactly that long), then by the scan. Errors: SCRY_ERR_NOT_FOUND
 * ("no kernel BTF in physical memory", with the first candidate's refusal
 * when there was one), SCRY_ERR_NOMEM, SCRY_ERR_CANCELLED, or the physical
 * layer's error. */
scry_status scry_linux_btf_find(struct scry_phys *p, struct scry_op *op,
                                const struct scry_linux_btf_where *expect, size_t nexpect,
                                struct scry_linux_btf *out);
void scry_linux_btf_free(struct scry_linux_btf *b);

/* Checks blob[0, len) (scry_btf_check) and that it defines a struct named
 * name with members. Errors: what scry_btf_check reports, SCRY_ERR_NOT_FOUND
 * ("BTF: no struct task_struct"). */
scry_status scry_linux_btf_validate(const uint8_t *blob, size_t len, const char *name);

#endif
