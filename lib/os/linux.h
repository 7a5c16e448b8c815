/* linux.h - the Linux OS profile: a detected kernel and its offsets.
 *
 * Detection (linux_detect.c) finds the banner, the matching ISF, the KASLR
 * shifts, the DTB and the paging mode. Offsets are resolved from the ISF once
 * (linux_profile.c, a table for the field resolver); the walkers (lib/walk/)
 * only use the plain integers. */
#ifndef SCRY_OS_LINUX_H
#define SCRY_OS_LINUX_H

#include <stdint.h>

#include "lib/os/os.h"
#include "symbols/resolve.h"

struct scry_symtab;

/* An offset the ISF does not have (optional fields only). */
#define SCRY_LINUX_NO_OFFSET SCRY_NO_OFFSET

/* ---- Kernel modules (lsmod) ----
 * Everything here is optional: an ISF without module support (or with a
 * module layout we do not know) still gives a profile, and pslist works. */

/* Most size fields a module's Size is the sum of: MOD_INIT_TEXT/DATA/RODATA
 * plus MOD_TEXT/DATA/RODATA/RO_AFTER_INIT on kernels with module.mem[]. */
#define SCRY_LINUX_MOD_SIZES 7

struct scry_linux_modules {
    /* SCRY_OK: every field below is set. SCRY_ERR_NOT_FOUND: the ISF has
     * no symbol "modules" or no type "module" (a kernel without module
     * support: the list is empty, as Volatility's SymbolError makes it).
     * Anything else: the ISF has the list but not a usable module layout;
     * scry_linux_resolve_modules says why. */
    scry_status status;
    uint64_t modules;   /* symbol "modules" (list_head), ISF address, unshifted */
    uint64_t list;      /* module.list                              */
    uint64_t name;      /* module.name (char array)                 */
    uint64_t name_size; /* its size in bytes                        */
    /* Size = the sum of these unsigned fields of struct module, chosen by
     * the fields the ISF has (never by version): mem[i].size (6.4+),
     * init_layout.size + core_layout.size (4.5+), init_size + core_size. */
    uint64_t size_off[SCRY_LINUX_MOD_SIZES];
    uint8_t size_len[SCRY_LINUX_MOD_SIZES]; /* 1, 2, 4 or 8 bytes */
    /* Where each of those memory parts starts: the pointer beside each size
     * (mem[i].base, init_layout.base / core_layout.base, module_init /
     * module_core), or SCRY_NO_OFFSET when the ISF lacks it; and the part's
     * name ("MOD_TEXT", "init_layout", ...). The malware scan reads the
     * parts; lsmod only sums the sizes. */
    uint64_t base_off[SCRY_LINUX_MOD_SIZES];
    const char *part[SCRY_LINUX_MOD_SIZES];
    unsigned nsizes;
    const char *layout; /* "mem[]", "core_layout" or "core_size": for messages */
};

/* Fills m from symtab. Errors (also left in m->status): SCRY_ERR_NOT_FOUND
 * when module support is absent (see status above); SCRY_ERR_UNSUPPORTED
 * naming what is missing when struct module has none of the three size
 * layouts, or mem[] without the mod_mem_type constant it needs;
 * SCRY_ERR_CORRUPT for a field outside its struct, a mod_mem_type index
 * outside mem[] or a size field of an odd width. */
scry_status scry_linux_resolve_modules(const struct scry_symtab *symtab,
                                       struct scry_linux_modules *m);

/* The d_dname functions whose names path_for_file prints a prefix for. */
enum {
    SCRY_DNAME_SOCKFS,
    SCRY_DNAME_ANON_INODEFS,
    SCRY_DNAME_PIPEFS,
    SCRY_DNAME_SIMPLE,
    SCRY_DNAME_NS,
    SCRY_DNAME_DMABUFFS,
    SCRY_DNAME_PIDFS,
    SCRY_DNAME_COUNT
};
extern const char *const scry_linux_dname_names[SCRY_DNAME_COUNT];

/* Field offsets the walkers need, resolved once from the ISF. */
struct scry_linux_offsets {
    uint64_t list_next;
    uint64_t task_tasks, task_pid, task_tgid, task_comm, task_parent, task_flags, task_mm;
    uint64_t task_thread_group; /* list_head of the thread group, or NO_OFFSET */
    /* Threads through the signal struct (the only way on kernels >= 6.7;
     * also present, and preferred by Volatility, since 3.x): the list head
     * signal_struct.thread_head, linked through task_struct.thread_node.
     * Each NO_OFFSET when absent. */
    uint64_t task_signal, signal_thread_head, task_thread_node;
    uint64_t task_files;
    uint64_t mm_pgd, mm_arg_start, mm_arg_end, mm_env_start, mm_env_end;

    /* ---- Kernel modules (lsmod): see struct scry_linux_modules ---- */
    struct scry_linux_modules mod;

    /* ---- Process memory (linux.proc.Maps, linux.elfs, linux.malfind) ----
     * Every one optional, since the layout depends on the kernel (mm->mmap
     * list before 6.1, mm->mm_mt maple tree since); scry_linux_vma_check
     * (in lib/walk/linux_vma.h) names what a plugin lacks. */
    uint64_t task_fs, fs_root_dentry, fs_root_mnt;
    uint64_t mm_mmap, mm_mt, mm_start_brk, mm_brk, mm_start_stack, mm_vdso;
    uint64_t mt_flags, mt_root;
    /* maple_node's slot arrays (offset, and size in bytes) by node type. */
    uint64_t mn_dense_slot, mn_dense_size, mn_range_slot, mn_range_size;
    uint64_t mn_arange_slot, mn_arange_size;
    uint64_t vma_start, vma_end, vma_flags, vma_pgoff, vma_file, vma_next, vma_mm;
    uint64_t file_dentry, file_mnt;
    uint64_t dentry_parent, dentry_name, dentry_op, dentry_inode;
    uint64_t qstr_name, qstr_len, dop_dname;
    uint64_t inode_sb, inode_ino, inode_count, sb_dev;
    uint64_t vfsmnt_root, mount_mnt, mount_parent, mount_mountpoint;
    /* scry_linux_dname_names' ISF addresses (unshifted), SCRY_NO_OFFSET
     * when absent. */
    uint64_t dname_fn[SCRY_DNAME_COUNT];
};

struct scry_linux {
    struct scry_profile base;         /* first: every layer reads this part */
    struct scry_symcache *symbols;    /* where symtab came from             */
    const struct scry_symtab *symtab; /* a shared reference, released at free */
    char *isf_path;
    int from_dump;                    /* the table is the dump's own BTF + kallsyms */
    char *banner;                     /* as found in memory, without "\n\0" */
    uint64_t virt_shift;              /* added to ISF addresses (KASLR)     */
    uint64_t phys_shift;              /* Volatility's physical kaslr_shift  */
    uint64_t va_mask;                 /* Volatility's printed-address mask  */
    struct scry_linux_offsets off;
    uint64_t init_task;               /* virtual address, shifted           */
};

extern const struct scry_os scry_os_linux;

/* The Linux part of a profile, or NULL when the profile is another OS's. */
static inline const struct scry_linux *scry_linux_of(const struct scry_profile *p)
{
    return p && p->os == &scry_os_linux ? (const struct scry_linux *)p : NULL;
}

/* The physical address Linux's kernel-image mapping gives an ISF address
 * (Volatility's virtual_to_physical_address) plus the physical shift. */
#define SCRY_LINUX_START_KERNEL_MAP 0xffffffff80000000ull

/* Resolves l->off from l->symtab. Errors: SCRY_ERR_NOT_FOUND naming the
 * missing type or field, SCRY_ERR_CORRUPT for a field outside its struct. */
scry_status scry_linux_resolve_offsets(struct scry_linux *l);

#endif
