/* linux_vma.h - a process's memory map (mm->VMAs) as Volatility 2.11.0's
 * mm_struct.get_vma_iter() walks it: the maple tree (mm->mm_mt, kernels
 * >= 6.1) or the mmap / vm_next list before it, chosen by the ISF's fields,
 * never by a kernel version. */
#ifndef SCRY_WALK_LINUX_VMA_H
#define SCRY_WALK_LINUX_VMA_H

#include <stddef.h>
#include <stdint.h>

#include "lib/base/op.h"
#include "lib/os/linux.h"
#include "lib/walk/linux_dpath.h"
#include "lib/walk/linux_tasks.h"

/* What the plugins read of one vm_area_struct. */
struct scry_linux_vma {
    uint64_t addr;        /* vm_area_struct virtual address (unmasked) */
    uint64_t start, end;  /* vm_start, vm_end                           */
    uint64_t flags;       /* vm_flags                                   */
    uint64_t pgoff;       /* vm_pgoff (pages)                           */
    uint64_t file;        /* vm_file pointer, 0 when anonymous          */
    uint64_t mm;          /* vm_mm pointer (the [vdso] test reads it)   */
    /* file and mm are masked to the address width, as Volatility holds
     * pointers (they are read through ks either way). */
};

/* What a plugin needs of the ISF. */
enum scry_linux_vma_need {
    SCRY_VMA_NEED_WALK = 1,  /* scry_linux_walk_vmas                    */
    SCRY_VMA_NEED_NAMES = 2, /* scry_linux_vma_name (d_path, [heap]...) */
    SCRY_VMA_NEED_INODE = 4, /* scry_linux_vma_inode (Maps' columns)    */
};

/* SCRY_OK when the ISF has every field `need` (a set of
 * scry_linux_vma_need) reads; else SCRY_ERR_UNSUPPORTED naming the first
 * missing one ("<isf>: the ISF has no vm_area_struct.vm_start"). */
scry_status scry_linux_vma_check(const struct scry_linux *l, unsigned need);

/* Return non-zero to stop the walk. */
typedef int (*scry_linux_vma_fn)(void *user, const struct scry_linux_vma *v);

/* Calls fn for each VMA of the mm at `mm` (a task's mm pointer), read
 * through ks (the kernel space), in get_vma_iter() order: the list from
 * mm->mmap when mm_struct has mmap, else every maple-tree slot whose value
 * is more than type bits, depth-first in array order (pivots unused), as
 * Volatility reads them. Bounded on damaged memory, each time with a
 * WARNING on op: a VMA list that loops ends; a maple node seen before is
 * skipped (Volatility's rule; its siblings are still walked), as is one
 * naming the wrong parent (Volatility asserts) or of an unknown type; a
 * tree deeper than MAPLE_HEIGHT_MAX (31), or more than op->max_entries
 * VMAs (or nodes) ends the walk. An unreadable node or VMA is skipped
 * with an INFO (NODATA) or WARNING. Errors: SCRY_ERR_NOMEM,
 * SCRY_ERR_CANCELLED, SCRY_ERR_UNSUPPORTED (scry_linux_vma_check's message
 * for SCRY_VMA_NEED_WALK). */
scry_status scry_linux_walk_vmas(const struct scry_linux *l, struct scry_vspace *ks,
                                 struct scry_op *op, uint64_t mm, scry_linux_vma_fn fn, void *user);

/* get_protection(): "rwx" with '-' for each of VM_READ/WRITE/EXEC unset. */
void scry_linux_vma_prot(uint64_t flags, char out[4]);

/* vma.get_name() as Volatility prints it (the file's d_path, "[heap]",
 * "[stack]", "[vdso]" or "Anonymous Mapping"); t is the owning task, mm its
 * mm. *out is malloc'd UTF-8. Errors: SCRY_ERR_NOMEM only (an unreadable
 * path gives Volatility's own text). */
scry_status scry_linux_vma_name(const struct scry_linux *l, struct scry_vspace *ks,
                                const struct scry_linux_task *t, const struct scry_linux_vma *v,
                                char **out);

/* scry_linux_vma_name into a caller's buffer (no allocation): out holds
 * cap >= 64 bytes (SCRY_LINUX_PATH_CAP for any path); returns the length.
 * *complete (may be NULL) is 0 when a read on the way failed. */
size_t scry_linux_vma_name_buf(const struct scry_linux *l, struct scry_vspace *ks,
                               const struct scry_linux_task *t, const struct scry_linux_vma *v,
                               char *out, size_t cap, int *complete);

/* Maps' Major, Minor and Inode: vm_file's dentry's inode's i_sb->s_dev
 * split 12:20 and i_ino; all 0 for an anonymous VMA, a NULL dentry or an
 * unreadable chain (then SCRY_ERR_NODATA is returned, the zeros kept). */
scry_status scry_linux_vma_inode(const struct scry_linux *l, struct scry_vspace *ks,
                                 const struct scry_linux_vma *v, uint64_t *major,
                                 uint64_t *minor, uint64_t *inode);

/* get_page_offset(): vm_pgoff << 12 for a file mapping, 0 otherwise. */
static inline uint64_t scry_linux_vma_pgoff_bytes(const struct scry_linux_vma *v)
{
    return v->file ? v->pgoff << 12 : 0;
}

#endif
