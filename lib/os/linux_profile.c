/* linux_profile.c - the walkers' offsets, resolved once from the ISF. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

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
    /* Kernels >= 6.7 list threads only through signal->thread_head; older
     * ones through task_struct.thread_group (and, since 6.1's backport,
     * both). Only --threads needs them, so their absence is reported there
     * (lib/walk/linux_tasks.c chooses among them). */
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
        SCRY_FIELD_OPT("task_struct", "signal", &o->task_signal),
        SCRY_FIELD_OPT("signal_struct", "thread_head", &o->signal_thread_head),
        SCRY_FIELD_OPT("task_struct", "thread_node", &o->task_thread_node),
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
    /* Modules are optional: lsmod reports a bad layout, nothing else cares. */
    (void)scry_linux_resolve_modules(l->symtab, &o->mod);
    return SCRY_OK;
}

/* ---- Kernel modules ---- */

/* The mod_mem_type constants whose mem[].size Volatility sums (6.4+). */
static const char *const mem_types[] = {
    "MOD_INIT_TEXT", "MOD_INIT_DATA", "MOD_INIT_RODATA", "MOD_TEXT",
    "MOD_DATA",      "MOD_RODATA",    "MOD_RO_AFTER_INIT",
};

/* The older layouts: two size fields of struct module, each a path, and
 * the base pointer beside each. */
static const struct {
    const char *init, *core, *name;
    const char *init_base, *core_base, *init_part, *core_part;
} pair_layouts[] = {
    {"init_layout.size", "core_layout.size", "core_layout", "init_layout.base",
     "core_layout.base", "init_layout", "core_layout"}, /* 4.5 .. 6.3 */
    {"init_size", "core_size", "core_size", "module_init", "module_core", "module_init",
     "module_core"},                                    /* < 4.5      */
};

static scry_status add_size(struct scry_linux_modules *m, uint64_t off, uint64_t len,
                            const char *what, const char *part, uint64_t base_off)
{
    if (len != 1 && len != 2 && len != 4 && len != 8)
        return scry_err(SCRY_ERR_CORRUPT, "module size field %s is %" PRIu64 " bytes wide", what,
                        len);
    m->size_off[m->nsizes] = off;
    m->base_off[m->nsizes] = base_off;
    m->part[m->nsizes] = part;
    m->size_len[m->nsizes++] = (uint8_t)len;
    return SCRY_OK;
}

/* module.mem[] (6.4+): mem[mod_mem_type].size for each of mem_types. */
static scry_status mem_sizes(const struct scry_symtab *st, uint64_t mem_off,
                             struct scry_linux_modules *m)
{
    struct scry_typeref arr, elem;
    uint64_t stride, size_off, size_len, base_off, base_len, off;
    scry_status rc = scry_sym_field(st, "module", "mem", &off, &arr);
    if (rc == SCRY_OK && arr.kind != SCRY_T_ARRAY)
        rc = scry_err(SCRY_ERR_CORRUPT, "module.mem is not an array");
    if (rc == SCRY_OK)
        rc = scry_sym_typeref(st, arr.sub, &elem);
    if (rc == SCRY_OK && elem.kind != SCRY_T_STRUCT)
        rc = scry_err(SCRY_ERR_CORRUPT, "module.mem is not an array of structures");
    if (rc == SCRY_OK)
        rc = scry_sym_type_size(st, elem.name, &stride);
    if (rc != SCRY_OK)
        return rc;
    const struct scry_field_spec f[] = {{elem.name, "size", &size_off, &size_len, 0},
                                        {elem.name, "base", &base_off, &base_len, 1}};
    if ((rc = scry_resolve_fields(st, f, 2)) != SCRY_OK)
        return rc;
    if (base_off != SCRY_NO_OFFSET && base_len != 8)
        base_off = SCRY_NO_OFFSET; /* not a 64-bit pointer: no part to scan */
    for (size_t i = 0; i < sizeof mem_types / sizeof mem_types[0]; i++) {
        int64_t idx;
        rc = scry_sym_enum_value(st, "mod_mem_type", mem_types[i], &idx);
        if (rc == SCRY_ERR_NOT_FOUND) /* Volatility raises AttributeError here */
            return scry_err(SCRY_ERR_UNSUPPORTED,
                            "module.mem[] without the constant mod_mem_type.%s", mem_types[i]);
        if (rc != SCRY_OK)
            return rc;
        if (idx < 0 || (uint64_t)idx >= arr.count)
            return scry_err(SCRY_ERR_CORRUPT,
                            "mod_mem_type.%s = %" PRId64 " is outside module.mem[%" PRIu64 "]",
                            mem_types[i], idx, arr.count);
        uint64_t elem_off = mem_off + (uint64_t)idx * stride;
        if ((rc = add_size(m, elem_off + size_off, size_len, mem_types[i], mem_types[i],
                           base_off == SCRY_NO_OFFSET ? SCRY_NO_OFFSET : elem_off + base_off)) !=
            SCRY_OK)
            return rc;
    }
    m->layout = "mem[]";
    return SCRY_OK;
}

static scry_status module_fields(const struct scry_symtab *st, struct scry_linux_modules *m)
{
    uint64_t mem_off;
    const struct scry_field_spec base[] = {
        {"module", "list", &m->list, NULL, 0},
        {"module", "name", &m->name, &m->name_size, 0},
        {"module", "mem", &mem_off, NULL, 1},
    };
    scry_status rc = scry_resolve_fields(st, base, sizeof base / sizeof base[0]);
    if (rc != SCRY_OK)
        return rc == SCRY_ERR_NOT_FOUND ? scry_err_ctx(SCRY_ERR_UNSUPPORTED, "kernel modules") : rc;
    if (mem_off != SCRY_NO_OFFSET) { /* a part missing is a layout we cannot use */
        rc = mem_sizes(st, mem_off, m);
        return rc == SCRY_ERR_NOT_FOUND ? scry_err_ctx(SCRY_ERR_UNSUPPORTED, "module.mem[]") : rc;
    }
    for (size_t i = 0; i < sizeof pair_layouts / sizeof pair_layouts[0]; i++) {
        uint64_t off[4], len[4];
        const struct scry_field_spec f[] = {
            {"module", pair_layouts[i].init, &off[0], &len[0], 1},
            {"module", pair_layouts[i].core, &off[1], &len[1], 1},
            {"module", pair_layouts[i].init_base, &off[2], &len[2], 1},
            {"module", pair_layouts[i].core_base, &off[3], &len[3], 1},
        };
        if ((rc = scry_resolve_fields(st, f, 4)) != SCRY_OK)
            return rc;
        if (off[0] == SCRY_NO_OFFSET || off[1] == SCRY_NO_OFFSET)
            continue;
        for (int k = 2; k < 4; k++)
            if (len[k] != 8)
                off[k] = SCRY_NO_OFFSET; /* not a 64-bit pointer: no part to scan */
        if ((rc = add_size(m, off[0], len[0], pair_layouts[i].init, pair_layouts[i].init_part,
                           off[2])) != SCRY_OK ||
            (rc = add_size(m, off[1], len[1], pair_layouts[i].core, pair_layouts[i].core_part,
                           off[3])) != SCRY_OK)
            return rc;
        m->layout = pair_layouts[i].name;
        return SCRY_OK;
    }
    return scry_err(SCRY_ERR_UNSUPPORTED,
                    "struct module has none of mem[], init_layout/core_layout, "
                    "init_size/core_size: module sizes are unknown");
}

scry_status scry_linux_resolve_modules(const struct scry_symtab *symtab,
                                       struct scry_linux_modules *m)
{
    uint64_t size;
    scry_status rc;
    memset(m, 0, sizeof *m);
    m->modules = m->list = m->name = SCRY_NO_OFFSET;
    rc = scry_sym_address(symtab, "modules", &m->modules);
    if (rc == SCRY_OK)
        rc = scry_sym_type_size(symtab, "module", &size);
    if (rc == SCRY_OK)
        rc = module_fields(symtab, m);
    if (rc != SCRY_OK) {
        m->nsizes = 0;
        m->modules = rc == SCRY_ERR_NOT_FOUND ? SCRY_NO_OFFSET : m->modules;
    }
    m->status = rc;
    return rc;
}
