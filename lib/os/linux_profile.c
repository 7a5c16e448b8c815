/* linux_profile.c - the walkers' offsets, resolved once from the ISF. */
#include <stdlib.h>

#include "lib/os/linux.h"
#include "symbols/symtab.h"

const char *const scry_linux_dname_names[SCRY_DNAME_COUNT] = {
    [SCRY_DNAME_SOCKFS] = "sockfs_dname", [SCRY_DNAME_ANON_INODEFS] = "anon_inodefs_dname",
    [SCRY_DNAME_PIPEFS] = "pipefs_dname", [SCRY_DNAME_SIMPLE] = "simple_dname",
    [SCRY_DNAME_NS] = "ns_dname",         [SCRY_DNAME_DMABUFFS] = "dmabuffs_dname",
    [SCRY_DNAME_PIDFS] = "pidfs_dname",
};

scry_status scry_linux_resolve_offsets(struct scry_linux *l)
{
    struct scry_linux_offsets *o = &l->off;
    /* Kernels >= 6.7 list threads through signal->thread_head; older ones
     * (the corpus's 6.1) through task_struct.thread_group. Only --threads
     * needs it, so its absence is reported there. */
    const struct scry_field_spec fields[] = {
        SCRY_FIELD("list_head", "next", &o->list_next),
        SCRY_FIELD("task_struct", "tasks", &o->task_tasks),
        SCRY_FIELD("task_struct", "pid", &o->task_pid),
        SCRY_FIELD("task_struct", "tgid", &o->task_tgid),
        SCRY_FIELD("task_struct", "comm", &o->task_comm),
        SCRY_FIELD("task_struct", "parent", &o->task_parent),
        SCRY_FIELD("task_struct", "flags", &o->task_flags),
        SCRY_FIELD("task_struct", "mm", &o->task_mm),
        SCRY_FIELD("task_struct", "files", &o->task_files),
        SCRY_FIELD_OPT("task_struct", "thread_group", &o->task_thread_group),
        SCRY_FIELD("mm_struct", "pgd", &o->mm_pgd),
        SCRY_FIELD("mm_struct", "arg_start", &o->mm_arg_start),
        SCRY_FIELD("mm_struct", "arg_end", &o->mm_arg_end),
        SCRY_FIELD("mm_struct", "env_start", &o->mm_env_start),
        SCRY_FIELD("mm_struct", "env_end", &o->mm_env_end),
        /* Process memory: optional, checked by the plugins that read it. */
        SCRY_FIELD_OPT("task_struct", "fs", &o->task_fs),
        SCRY_FIELD_OPT("fs_struct", "root.dentry", &o->fs_root_dentry),
        SCRY_FIELD_OPT("fs_struct", "root.mnt", &o->fs_root_mnt),
        SCRY_FIELD_OPT("mm_struct", "mmap", &o->mm_mmap),
        SCRY_FIELD_OPT("mm_struct", "mm_mt", &o->mm_mt),
        SCRY_FIELD_OPT("mm_struct", "start_brk", &o->mm_start_brk),
        SCRY_FIELD_OPT("mm_struct", "brk", &o->mm_brk),
        SCRY_FIELD_OPT("mm_struct", "start_stack", &o->mm_start_stack),
        SCRY_FIELD_OPT("mm_struct", "context.vdso", &o->mm_vdso),
        SCRY_FIELD_OPT("maple_tree", "ma_flags", &o->mt_flags),
        SCRY_FIELD_OPT("maple_tree", "ma_root", &o->mt_root),
        {"maple_node", "alloc.slot", &o->mn_dense_slot, &o->mn_dense_size, 1},
        {"maple_node", "mr64.slot", &o->mn_range_slot, &o->mn_range_size, 1},
        {"maple_node", "ma64.slot", &o->mn_arange_slot, &o->mn_arange_size, 1},
        SCRY_FIELD_OPT("vm_area_struct", "vm_start", &o->vma_start),
        SCRY_FIELD_OPT("vm_area_struct", "vm_end", &o->vma_end),
        SCRY_FIELD_OPT("vm_area_struct", "vm_flags", &o->vma_flags),
        SCRY_FIELD_OPT("vm_area_struct", "vm_pgoff", &o->vma_pgoff),
        SCRY_FIELD_OPT("vm_area_struct", "vm_file", &o->vma_file),
        SCRY_FIELD_OPT("vm_area_struct", "vm_next", &o->vma_next),
        SCRY_FIELD_OPT("vm_area_struct", "vm_mm", &o->vma_mm),
        SCRY_FIELD_OPT("file", "f_path.dentry", &o->file_dentry),
        SCRY_FIELD_OPT("file", "f_path.mnt", &o->file_mnt),
        SCRY_FIELD_OPT("dentry", "d_parent", &o->dentry_parent),
        SCRY_FIELD_OPT("dentry", "d_name", &o->dentry_name),
        SCRY_FIELD_OPT("dentry", "d_op", &o->dentry_op),
        SCRY_FIELD_OPT("dentry", "d_inode", &o->dentry_inode),
        SCRY_FIELD_OPT("qstr", "name", &o->qstr_name),
        SCRY_FIELD_OPT("qstr", "len", &o->qstr_len),
        SCRY_FIELD_OPT("dentry_operations", "d_dname", &o->dop_dname),
        SCRY_FIELD_OPT("inode", "i_sb", &o->inode_sb),
        SCRY_FIELD_OPT("inode", "i_ino", &o->inode_ino),
        SCRY_FIELD_OPT("inode", "i_count", &o->inode_count),
        SCRY_FIELD_OPT("super_block", "s_dev", &o->sb_dev),
        SCRY_FIELD_OPT("vfsmount", "mnt_root", &o->vfsmnt_root),
        SCRY_FIELD_OPT("mount", "mnt", &o->mount_mnt),
        SCRY_FIELD_OPT("mount", "mnt_parent", &o->mount_parent),
        SCRY_FIELD_OPT("mount", "mnt_mountpoint", &o->mount_mountpoint),
    };
    struct scry_symbol_spec syms[SCRY_DNAME_COUNT];
    for (int i = 0; i < SCRY_DNAME_COUNT; i++)
        syms[i] = (struct scry_symbol_spec)SCRY_SYMBOL_OPT(scry_linux_dname_names[i],
                                                           &o->dname_fn[i]);
    scry_status st = scry_resolve_fields(l->symtab, fields, sizeof fields / sizeof fields[0]);
    if (st == SCRY_OK)
        st = scry_resolve_symbols(l->symtab, syms, SCRY_DNAME_COUNT);
    if (st != SCRY_OK)
        return scry_err_ctx(st, "%s: Linux profile", l->isf_path);
    return SCRY_OK;
}
