/* linux_pagecache.c - linux.pagecache.Files: the files whose dentries and
 * inodes the kernel caches, with their page counts and times. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/plugins/linux_common.h"
#include "lib/walk/linux_pagecache.h"

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
