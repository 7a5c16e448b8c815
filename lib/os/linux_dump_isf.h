/* linux_dump_isf.h - an ISF for the kernel in a dump, from what the dump
 * itself holds: the types of its BTF (linux_btf.h) and the addresses of
 * its kallsyms (symbols/kallsyms.h), for a dump with no symbol file.
 *
 * kallsyms gives runtime (KASLR-shifted) addresses; they are moved back to
 * link time (scry_sysmap_unshift) against the link-time _text: runtime
 * _text minus VMCOREINFO's KERNELOFFSET when the dump states it, else
 * x86-64's 0xffffffff81000000. The BTF is read where the kernel's mapping
 * puts __start_BTF (kallsyms' address through phys_base), else found by a
 * scan of physical memory. linux_banner's bytes are read from memory and
 * written as the ISF's constant_data, so detection recognises the kernel
 * as it recognises any ISF's. The JSON goes through symbols/btf_isf.c's
 * writer (scry_btf_isf_write): the same ISF `memscry symbols from-btf`
 * makes from a kernel image and its System.map.
 *
 * Thread-safety: touches only its arguments. */
#ifndef SCRY_OS_LINUX_DUMP_ISF_H
#define SCRY_OS_LINUX_DUMP_ISF_H

#include <stddef.h>
#include <stdint.h>

#include "formats/phys.h"
#include "lib/base/kv.h"
#include "lib/base/op.h"

/* What the build found, for messages and tests. */
struct scry_linux_dump_facts {
    int kallsyms_from_vmcoreinfo; /* else found by the structural scan */
    size_t nsyms;                 /* kallsyms entries */
    uint64_t kaslr_shift;         /* runtime _text - link-time _text */
    uint64_t btf_pa;              /* where the BTF was read */
    size_t btf_len;
    int btf_mapped;               /* at __start_BTF through the kernel's mapping */
    char banner[512];             /* linux_banner, without its newline */
};

/* Writes the ISF of the kernel in p (meta: the dump's key/values, for
 * VMCOREINFO) through write(user, data, len). facts may be NULL. Errors
 * (one line, prefixed "from the dump's BTF + kallsyms: "): what
 * scry_kallsyms_read, scry_linux_btf_find and scry_btf_isf_write report;
 * SCRY_ERR_NOT_FOUND when kallsyms lacks _text or linux_banner or the
 * banner does not read "Linux version "; the sink's error. */
scry_status scry_linux_dump_isf(struct scry_phys *p, struct scry_op *op, const struct scry_kv *meta,
                                int (*write)(void *user, const void *data, size_t len), void *user,
                                struct scry_linux_dump_facts *facts);

#endif
