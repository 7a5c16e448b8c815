/* linux_pagecache.c - linux.pagecache.Files: the files whose dentries and
 * inodes the kernel caches, with their page counts and times; and
 * linux.pagecache.InodePages: one inode's cached pages, --dump its bytes. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/plugins/dumpfile.h"
#include "lib/plugins/linux_common.h"
#include "lib/walk/linux_pagecache.h"
#include "symbols/symtab.h"

enum { OPT_TYPE, OPT_FIND, NOPTS };

static const struct scry_option options[NOPTS] = {
    [OPT_TYPE] = {"type", SCRY_OPT_STR_LIST,
                  "List of space-separated file type filters i.e. --type REG DIR"},
    [OPT_FIND] = {"find", SCRY_OPT_STR, "Filename (full path) to find"},
};

static const struct scry_column columns[] = {
    {"SuperblockAddr", SCRY_COL_HEX},  {"MountPoint", SCRY_COL_STR},
    {"Device", SCRY_COL_STR},          {"InodeNum", SCRY_COL_INT},
    {"InodeAddr", SCRY_COL_HEX},       {"FileType", SCRY_COL_STR},
    {"InodePages", SCRY_COL_INT},      {"CachedPages", SCRY_COL_INT},
    {"FileMode", SCRY_COL_STR},        {"AccessTime", SCRY_COL_DATETIME},
    {"ModificationTime", SCRY_COL_DATETIME}, {"ChangeTime", SCRY_COL_DATETIME},
    {"FilePath", SCRY_COL_STR},
};

struct ctx {
    const struct scry_linux *l;
    struct scry_linux_pagecache_off po;
    struct scry_vspace kernel;
    struct scry_plugin_ctx *pc;
    scry_status st;
};

/* int(math.ceil(i_size / 4096.0)), the float division included. */
static int64_t pages_of(int64_t size)
{
    double q = (double)size / 4096.0;
    int64_t t = (int64_t)q;
    return (double)t < q ? t + 1 : t;
}

static int type_wanted(const struct ctx *c, const char *type)
{
    const struct scry_optval *v = &c->pc->opts->v[OPT_TYPE];
    if (!v->set || !v->nstrs)
        return 1;
    for (size_t i = 0; type && i < v->nstrs; i++)
        if (!strcmp(v->strs[i], type))
            return 1;
    return 0;
}

static int on_file(void *user, const struct scry_linux_cached_file *f)
{
    struct ctx *c = user;
    struct scry_linux_inode_info in;
    struct scry_cell cells[13];
    char dev[24], mode[11];
    const char *find = c->pc->opts->v[OPT_FIND].set ? c->pc->opts->v[OPT_FIND].str : NULL;
    scry_status st = scry_linux_inode_info(c->l, &c->po.fo, &c->kernel, f->inode, &in);
    if (st != SCRY_OK) {
        scry_op_report(c->pc->op, scry_diag_level_for(st), st,
                       "inode 0x%" PRIx64 " cannot be read: left out", f->inode);
        return 0;
    }
    const char *type = scry_linux_inode_type(in.mode);
    if (!type_wanted(c, type))
        return 0;
    if (find && (strlen(find) != f->path_len || memcmp(find, f->path, f->path_len)))
        return 0;
    uint32_t sdev;
    int ok;
    if (scry_vspace_read_u32(&c->kernel, f->sb + c->l->off.sb_dev, &sdev) != SCRY_OK) {
        scry_op_say(c->pc->op, SCRY_DIAG_WARNING, SCRY_ERR_NODATA,
                    "superblock 0x%" PRIx64 " cannot be read: inode 0x%" PRIx64 " left out",
                    f->sb, f->inode);
        return 0;
    }
    uint64_t nrpages = scry_linux_inode_nrpages(&c->po, c->l, &c->kernel, f->inode, &ok);
    int n = snprintf(dev, sizeof dev, "%" PRIu32 ":%" PRIu32, sdev >> 20, sdev & 0xfffff);
    scry_linux_filemode(in.mode, mode);
    cells[0] = scry_cell_hex(f->sb);
    cells[1] = scry_cell_str(f->mountpoint, strlen(f->mountpoint));
    cells[2] = scry_cell_str(dev, (size_t)n);
    cells[3] = scry_cell_int((int64_t)in.ino);
    cells[4] = scry_cell_hex(f->inode);
    cells[5] = type ? scry_cell_str(type, strlen(type)) : scry_cell_absent(SCRY_CELL_UNPARSABLE);
    cells[6] = scry_cell_int(pages_of(in.size));
    cells[7] = ok ? scry_cell_int((int64_t)nrpages) : scry_cell_absent(SCRY_CELL_UNREADABLE);
    cells[8] = scry_cell_str(mode, 10);
    cells[9] = in.time[SCRY_ITIME_ATIME];
    cells[10] = in.time[SCRY_ITIME_MTIME];
    cells[11] = in.time[SCRY_ITIME_CTIME];
    cells[12] = scry_cell_str(f->path, f->path_len);
    if (!ok)
        scry_op_say(c->pc->op, SCRY_DIAG_WARNING, SCRY_ERR_NODATA,
                    "inode 0x%" PRIx64 ": its page cache cannot be read (Volatility would stop "
                    "here)", f->inode);
    c->st = scry_result_add(c->pc->out, 0, cells);
    /* --find: only the first match */
    return c->st != SCRY_OK || find;
}

static scry_status run(struct scry_plugin_ctx *pc)
{
    struct ctx *c = calloc(1, sizeof *c);
    scry_status st;
    if (!c)
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    c->l = scry_linux_of(pc->profile);
    c->pc = pc;
    st = scry_linux_pagecache_resolve(c->l, &c->po);
    if (st == SCRY_OK)
        st = scry_profile_kernel(pc->profile, &c->kernel);
    if (st == SCRY_OK)
        st = scry_linux_walk_cached_files(c->l, &c->po, &c->kernel, pc->op, on_file, c);
    if (st == SCRY_OK)
        st = c->st;
    free(c);
    return st;
}

const struct scry_plugin scry_plugin_linux_pagecache_files = {
    .name = "linux.pagecache.Files",
    .alias = "linux.pagecache.Files", /* the module has two plugins */
    .description = "Lists files from memory",
    .options = options,
    .noptions = NOPTS,
    .columns = columns,
    .ncolumns = sizeof columns / sizeof columns[0],
    .os = "linux",
    .run = run,
};

/* ---- linux.pagecache.InodePages ---- */

enum { IP_FIND, IP_INODE, IP_DUMP, IP_NOPTS };

static const struct scry_option ip_options[IP_NOPTS] = {
    [IP_FIND] = {"find", SCRY_OPT_STR, "Filename (full path) to find "},
    [IP_INODE] = {"inode", SCRY_OPT_INT, "Inode address"},
    [IP_DUMP] = {"dump", SCRY_OPT_STR, "Output file path"},
};

static const struct scry_column ip_columns[] = {
    {"PageVAddr", SCRY_COL_HEX}, {"PagePAddr", SCRY_COL_HEX}, {"MappingAddr", SCRY_COL_HEX},
    {"Index", SCRY_COL_INT},     {"DumpSafe", SCRY_COL_BOOL}, {"Flags", SCRY_COL_STR},
};

/* The pageflags constants any kernel has had. Volatility lists the ISF's
 * enum in its stored order, which dwarf2json sorts by name: this table is
 * sorted the same way (strcmp) and each name is looked up in the ISF, so
 * the names a kernel lacks drop out. A constant not named here is not
 * shown (the memscry symbol table gives constants by name only). */
static const char *const pageflag_names[] = {
    "PG_active", "PG_anon_exclusive", "PG_arch_1", "PG_arch_2", "PG_arch_3", "PG_buddy",
    "PG_checked", "PG_compound", "PG_compound_lock", "PG_dirty", "PG_double_map",
    "PG_dropbehind", "PG_error", "PG_foreign", "PG_fscache", "PG_has_hwpoisoned", "PG_head",
    "PG_head_mask", "PG_highmem", "PG_hwpoison", "PG_idle", "PG_isolated",
    "PG_large_rmappable", "PG_locked", "PG_lru", "PG_mappedtodisk", "PG_mlocked",
    "PG_nosave", "PG_nosave_free", "PG_owner_2", "PG_owner_priv_1", "PG_partially_mapped",
    "PG_pinned", "PG_private", "PG_private_2", "PG_readahead", "PG_reclaim", "PG_referenced",
    "PG_reported", "PG_reserved", "PG_savepinned", "PG_slab", "PG_slob_free", "PG_swapbacked",
    "PG_swapcache", "PG_tail", "PG_uncached", "PG_unevictable", "PG_uptodate",
    "PG_vmemmap_self_hosted", "PG_waiters", "PG_workingset", "PG_writeback",
    "PG_xen_remapped", "PG_young", "__NR_PAGEFLAGS",
};
#define NFLAGS (sizeof pageflag_names / sizeof pageflag_names[0])

struct ip_ctx {
    const struct scry_linux *l;
    struct scry_linux_pagecache_off po;
    struct scry_vspace kernel;
    struct scry_plugin_ctx *pc;
    int64_t flag_value[NFLAGS]; /* -1: not in the ISF */
    uint64_t inode;             /* found by --find (0: none yet) */
    int64_t isize;
    scry_status st;
    int fd, io_failed;
    char fname[300];
    char flags[1024];
};

static int ip_found(void *user, const struct scry_linux_cached_file *f)
{
    struct ip_ctx *c = user;
    const char *find = c->pc->opts->v[IP_FIND].str;
    if (strlen(find) != f->path_len || memcmp(find, f->path, f->path_len))
        return 0;
    c->inode = f->inode;
    return 1;
}

static int ip_page(void *user, uint64_t page)
{
    struct ip_ctx *c = user;
    uint64_t flags, mapping, index, paddr;
    struct scry_vspace *ks = &c->kernel;
    if (scry_vspace_read_u64(ks, page + c->po.page_flags, &flags) != SCRY_OK ||
        scry_vspace_read_u64(ks, page + c->po.page_mapping, &mapping) != SCRY_OK ||
        scry_vspace_read_u64(ks, page + c->po.page_index, &index) != SCRY_OK) {
        scry_op_say(c->pc->op, SCRY_DIAG_WARNING, SCRY_ERR_NODATA,
                    "page 0x%" PRIx64 " cannot be read (Volatility would stop here)", page);
        return 0;
    }
    scry_status st = scry_linux_page_paddr(c->l, &c->po, ks, page, &paddr);
    if (st != SCRY_OK) {
        c->st = st;
        return 1;
    }
    size_t n = 0;
    c->flags[0] = '\0';
    for (size_t i = 0; i < NFLAGS; i++) {
        int64_t v = c->flag_value[i];
        if (v < 0 || v > 63 || !(flags & (1ull << v)))
            continue;
        const char *name = pageflag_names[i];
        if (!strncmp(name, "PG_", 3))
            name += 3;
        n += (size_t)snprintf(c->flags + n, sizeof c->flags - n, "%s%s", n ? "," : "", name);
        if (n >= sizeof c->flags)
            n = sizeof c->flags - 1;
    }
    struct scry_cell cells[6] = {
        scry_cell_hex(page), scry_cell_hex(paddr), scry_cell_hex(mapping & c->l->va_mask),
        scry_cell_int((int64_t)index), scry_cell_bool((int64_t)(index * 4096) < c->isize),
        scry_cell_str(c->flags, n)};
    c->st = scry_result_add(c->pc->out, 0, cells);
    return c->st != SCRY_OK;
}

/* write_inode_content_to_file: the page at index i at i * 4096, cut at
 * i_size, the file sized to i_size first (sparse). */
static int ip_dump_page(void *user, uint64_t page)
{
    struct ip_ctx *c = user;
    uint64_t index, paddr;
    uint8_t buf[4096];
    size_t holes = 0;
    if (scry_vspace_read_u64(&c->kernel, page + c->po.page_index, &index) != SCRY_OK ||
        scry_linux_page_paddr(c->l, &c->po, &c->kernel, page, &paddr) != SCRY_OK || !paddr)
        return 0;
    if (index > (uint64_t)INT64_MAX / 4096 || (int64_t)(index * 4096) >= c->isize)
        return 0;
    uint64_t at = index * 4096, len = (uint64_t)c->isize - at < 4096 ? (uint64_t)c->isize - at
                                                                    : 4096;
    if (c->pc->phys->ops->read(c->pc->phys, paddr, buf, 4096, &holes) != SCRY_OK || holes)
        scry_op_say(c->pc->op, SCRY_DIAG_WARNING, SCRY_ERR_NODATA,
                    "page 0x%" PRIx64 " (physical 0x%" PRIx64 ") is not in the dump: its bytes "
                    "are zeros in %s (Volatility would stop here)", page, paddr, c->fname);
    if (pwrite(c->fd, buf, (size_t)len, (off_t)at) != (ssize_t)len)
        c->io_failed = 1;
    return c->io_failed;
}

static scry_status ip_dump(struct ip_ctx *c, uint64_t inode)
{
    struct scry_op *op = c->pc->op;
    const char *name = c->pc->opts->v[IP_DUMP].str;
    int written;
    if (!c->pc->output_dir) {
        scry_op_say(op, SCRY_DIAG_WARNING, SCRY_ERR_UNSUPPORTED,
                    "inode 0x%" PRIx64 " not dumped: this run has no output directory", inode);
        return SCRY_OK;
    }
    c->fd = scry_dump_create_or_warn(op, c->pc->output_dir, name, c->fname, sizeof c->fname);
    if (c->fd < 0)
        return SCRY_OK;
    c->io_failed = ftruncate(c->fd, (off_t)c->isize) != 0;
    scry_status st = c->io_failed ? SCRY_OK
                                  : scry_linux_walk_inode_pages(c->l, &c->po, &c->kernel, op,
                                                                inode, ip_dump_page, c);
    return scry_dump_finish(op, c->fd, c->pc->output_dir, c->fname, st, c->io_failed, &written);
}

static scry_status ip_run(struct scry_plugin_ctx *pc)
{
    struct ip_ctx *c = calloc(1, sizeof *c);
    scry_status st;
    uint64_t inode = 0;
    if (!c)
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    c->l = scry_linux_of(pc->profile);
    c->pc = pc;
    st = scry_linux_pagecache_resolve(c->l, &c->po);
    if (st == SCRY_OK)
        st = scry_profile_kernel(pc->profile, &c->kernel);
    for (size_t i = 0; st == SCRY_OK && i < NFLAGS; i++)
        if (scry_sym_enum_value(c->l->symtab, "pageflags", pageflag_names[i], &c->flag_value[i]) !=
            SCRY_OK)
            c->flag_value[i] = -1;
    const struct scry_optval *find = &pc->opts->v[IP_FIND], *ino = &pc->opts->v[IP_INODE];
    if (st != SCRY_OK)
        goto out;
    /* Volatility's errors here end the run with no rows, only a log line */
    if (find->set && ino->set && ino->ints[0]) {
        scry_op_say(pc->op, SCRY_DIAG_WARNING, SCRY_ERR_BAD_OPTION,
                    "Cannot use --inode and --find simultaneously");
        goto out;
    }
    if (find->set && find->str[0]) {
        st = scry_linux_walk_cached_files(c->l, &c->po, &c->kernel, pc->op, ip_found, c);
        if (st != SCRY_OK)
            goto out;
        if (!c->inode) {
            /* Volatility dies here (UnboundLocalError) */
            scry_op_say(pc->op, SCRY_DIAG_WARNING, SCRY_ERR_NOT_FOUND, "No file %s found",
                        find->str);
            goto out;
        }
        inode = c->inode;
    } else if (ino->set && ino->ints[0]) {
        inode = (uint64_t)ino->ints[0] & c->l->va_mask;
    } else {
        scry_op_say(pc->op, SCRY_DIAG_WARNING, SCRY_ERR_BAD_OPTION,
                    "You must use either --inode or --find");
        goto out;
    }
    uint64_t i_ino;
    uint32_t count;
    uint16_t mode = 0;
    if (scry_vspace_read_u64(&c->kernel, inode + c->l->off.inode_ino, &i_ino) != SCRY_OK ||
        scry_vspace_read_u32(&c->kernel, inode + c->l->off.inode_count, &count) != SCRY_OK ||
        !i_ino || (int32_t)count < 0) {
        scry_op_say(pc->op, SCRY_DIAG_WARNING, SCRY_ERR_CORRUPT, "Invalid inode at 0x%" PRIx64,
                    inode);
        goto out;
    }
    if (scry_vspace_read(&c->kernel, inode + c->po.fo.inode_mode, &mode, 2) != SCRY_OK ||
        (mode & 0170000) != 0100000 ||
        scry_vspace_read_u64(&c->kernel, inode + c->po.fo.inode_isize, (uint64_t *)&c->isize) !=
            SCRY_OK) {
        scry_op_say(pc->op, SCRY_DIAG_WARNING, SCRY_ERR_UNSUPPORTED,
                    "The inode is not a regular file");
        goto out;
    }
    st = scry_linux_walk_inode_pages(c->l, &c->po, &c->kernel, pc->op, inode, ip_page, c);
    if (st == SCRY_OK)
        st = c->st;
    if (st == SCRY_OK && pc->opts->v[IP_DUMP].set)
        st = ip_dump(c, inode);
out:
    free(c);
    return st;
}

const struct scry_plugin scry_plugin_linux_pagecache_inodepages = {
    .name = "linux.pagecache.InodePages",
    .alias = "linux.pagecache.InodePages", /* the module has two plugins */
    .description = "Lists and recovers cached inode pages",
    .options = ip_options,
    .noptions = IP_NOPTS,
    .columns = ip_columns,
    .ncolumns = sizeof ip_columns / sizeof ip_columns[0],
    .os = "linux",
    .run = ip_run,
};
