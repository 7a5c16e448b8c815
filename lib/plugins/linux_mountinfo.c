/* linux_mountinfo.c - linux.mountinfo.MountInfo: the mounts of every
 * process's mount namespace, as /proc/<pid>/mountinfo (or, with
 * --mount-format, /proc/<pid>/mounts) shows them. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/hashset.h"
#include "lib/plugins/linux_common.h"
#include "lib/walk/linux_mounts.h"

enum { OPT_PIDS, OPT_MNTNS, OPT_MOUNT_FORMAT, NOPTS };

static const struct scry_option options[NOPTS] = {
    [OPT_PIDS] = {"pids", SCRY_OPT_INT_LIST, "Filter on specific process IDs."},
    [OPT_MNTNS] = {"mntns", SCRY_OPT_INT_LIST,
                   "Filter results by mount namespace. Otherwise, all of them are shown."},
    [OPT_MOUNT_FORMAT] = {"mount-format", SCRY_OPT_BOOL,
                          "Shows a brief summary of the mount points information with similar "
                          "output format to the older /proc/[pid]/mounts or the user-land "
                          "command 'mount -l'."},
};

/* The four column sets: with or without PID, mountinfo or mount format. */
#define MOUNTINFO_COLS                                                                    \
    {"MOUNT ID", SCRY_COL_INT}, {"PARENT_ID", SCRY_COL_INT}, {"MAJOR:MINOR", SCRY_COL_STR}, \
        {"ROOT", SCRY_COL_STR}, {"MOUNT_POINT", SCRY_COL_STR},                            \
        {"MOUNT_OPTIONS", SCRY_COL_STR}, {"FIELDS", SCRY_COL_STR}, {"FSTYPE", SCRY_COL_STR}, \
        {"MOUNT_SRC", SCRY_COL_STR}, {"SB_OPTIONS", SCRY_COL_STR}
#define MOUNT_COLS                                                                   \
    {"DEVNAME", SCRY_COL_STR}, {"PATH", SCRY_COL_STR}, {"FSTYPE", SCRY_COL_STR},   \
        {"MNT_OPTS", SCRY_COL_STR}
static const struct scry_column columns[] = {{"MNT_NS_ID", SCRY_COL_INT}, MOUNTINFO_COLS};
static const struct scry_column columns_pid[] = {
    {"MNT_NS_ID", SCRY_COL_INT}, {"PID", SCRY_COL_INT}, MOUNTINFO_COLS};
static const struct scry_column columns_fmt[] = {{"MNT_NS_ID", SCRY_COL_INT}, MOUNT_COLS};
static const struct scry_column columns_fmt_pid[] = {
    {"MNT_NS_ID", SCRY_COL_INT}, {"PID", SCRY_COL_INT}, MOUNT_COLS};

struct ctx {
    const struct scry_linux *l;
    struct scry_linux_mounts_off mo;
    struct scry_vspace kernel;
    struct scry_plugin_ctx *pc;
    const struct scry_linux_task *t;
    int by_pid, mount_format, ns_filter, warned_ns;
    struct scry_cell ns_id;
    struct scry_hashset seen_ids; /* mount ids listed (without --pids) */
    scry_status st;
    struct scry_linux_mountinfo mi;
};

static int ns_wanted(const struct ctx *c)
{
    const struct scry_optval *v = &c->pc->opts->v[OPT_MNTNS];
    if (!c->ns_filter || c->ns_id.state != SCRY_CELL_VALUE)
        return 1;
    for (size_t i = 0; i < v->nints; i++)
        if (v->ints[i] == c->ns_id.v.i)
            return 1;
    return 0;
}

static int on_mount(void *user, uint64_t mount)
{
    struct ctx *c = user;
    struct scry_linux_mountinfo *mi = &c->mi;
    struct scry_cell cells[12];
    char dev[24], opts[160];
    size_t k = 0;
    if (!c->by_pid) {
        int32_t id;
        if (scry_vspace_read(&c->kernel, mount + c->mo.mnt_id, &id, 4) != SCRY_OK) {
            scry_op_say(c->pc->op, SCRY_DIAG_WARNING, SCRY_ERR_NODATA,
                        "mount 0x%" PRIx64 ": its id cannot be read: left out", mount);
            return 0;
        }
        int added = scry_hs_add(&c->seen_ids, (uint64_t)(uint32_t)id | 1ull << 32);
        if (added < 0) {
            c->st = scry_err(SCRY_ERR_NOMEM, "out of memory");
            return 1;
        }
        if (!added)
            return 0;
    }
    if (!ns_wanted(c))
        return 0;
    if (scry_linux_mountinfo(c->l, &c->mo, &c->kernel, c->pc->op, c->t->addr, mount, mi) != 1)
        return 0;
    cells[k++] = c->ns_id;
    if (c->by_pid)
        cells[k++] = scry_cell_int(c->t->pid);
    struct scry_cell fstype = mi->has_type ? scry_cell_str(mi->fstype, strlen(mi->fstype))
                                           : scry_cell_absent(SCRY_CELL_NOT_AVAILABLE);
    if (!mi->has_type)
        scry_op_say(c->pc->op, SCRY_DIAG_WARNING, SCRY_ERR_NODATA,
                    "mount 0x%" PRIx64 ": the file system type cannot be read (Volatility "
                    "would stop here)", mount);
    if (c->mount_format) {
        /* Volatility joins a Python set here, whose order changes from run
         * to run; we keep the mount options' order, then the superblock's. */
        size_t n = 0;
        opts[0] = '\0';
        for (size_t i = 0; i < mi->nopt; i++)
            n += (size_t)snprintf(opts + n, sizeof opts - n, "%s%s", i ? "," : "", mi->opt[i]);
        cells[k++] = scry_cell_str(mi->devname, strlen(mi->devname));
        cells[k++] = scry_cell_str(mi->point, strlen(mi->point));
        cells[k++] = fstype;
        cells[k++] = scry_cell_str(opts, strlen(opts));
    } else {
        int n = snprintf(dev, sizeof dev, "%" PRIu32 ":%" PRIu32, mi->major, mi->minor);
        cells[k++] = scry_cell_int(mi->mnt_id);
        cells[k++] = scry_cell_int(mi->parent_id);
        cells[k++] = scry_cell_str(dev, (size_t)n);
        cells[k++] = scry_cell_str(mi->root, strlen(mi->root));
        cells[k++] = scry_cell_str(mi->point, strlen(mi->point));
        cells[k++] = scry_cell_str(mi->mnt_opts, strlen(mi->mnt_opts));
        cells[k++] = scry_cell_str(mi->fields, strlen(mi->fields));
        cells[k++] = fstype;
        cells[k++] = scry_cell_str(mi->devname, strlen(mi->devname));
        cells[k++] = scry_cell_str(mi->sb_opts, strlen(mi->sb_opts));
    }
    c->st = scry_result_add(c->pc->out, 0, cells);
    return c->st != SCRY_OK;
}

static int on_task(void *user, const struct scry_linux_task *t)
{
    struct ctx *c = user;
    uint32_t inum;
    if (c->by_pid && !scry_opt_int_filter(c->pc->opts, OPT_PIDS, t->pid))
        return 0;
    uint64_t ns = scry_linux_task_mnt_ns(c->l, &c->mo, &c->kernel, t->addr);
    if (!ns)
        return 0; /* no fs, nsproxy or mnt_ns: an exiting task */
    c->t = t;
    if (c->mo.mntns_inum != SCRY_LINUX_NO_OFFSET &&
        scry_vspace_read_u32(&c->kernel, ns + c->mo.mntns_inum, &inum) == SCRY_OK) {
        c->ns_id = scry_cell_int(inum);
    } else {
        c->ns_id = scry_cell_absent(SCRY_CELL_NOT_AVAILABLE);
        if (c->ns_filter && !c->warned_ns) {
            c->warned_ns = 1;
            scry_op_say(c->pc->op, SCRY_DIAG_WARNING, SCRY_ERR_UNSUPPORTED,
                        "Could not filter by mount namespace id. This field is not available "
                        "in this kernel.");
        }
    }
    scry_status st = scry_linux_walk_mounts(c->l, &c->mo, &c->kernel, c->pc->op, ns, on_mount, c);
    if (c->st == SCRY_OK)
        c->st = st;
    return c->st != SCRY_OK;
}

static scry_status run(struct scry_plugin_ctx *pc)
{
    struct ctx *c = calloc(1, sizeof *c);
    scry_status st;
    if (!c)
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    c->l = scry_linux_of(pc->profile);
    c->pc = pc;
    /* Volatility tests the lists' truth: an empty --pids filters nothing */
    c->by_pid = pc->opts->v[OPT_PIDS].set && pc->opts->v[OPT_PIDS].nints;
    c->ns_filter = pc->opts->v[OPT_MNTNS].set && pc->opts->v[OPT_MNTNS].nints;
    c->mount_format = pc->opts->v[OPT_MOUNT_FORMAT].set;
    if (c->mount_format) {
        pc->out->cols = c->by_pid ? columns_fmt_pid : columns_fmt;
        pc->out->ncols = c->by_pid ? sizeof columns_fmt_pid / sizeof columns_fmt_pid[0]
                                   : sizeof columns_fmt / sizeof columns_fmt[0];
    } else if (c->by_pid) {
        pc->out->cols = columns_pid;
        pc->out->ncols = sizeof columns_pid / sizeof columns_pid[0];
    }
    st = scry_linux_mounts_resolve(c->l, &c->mo);
    if (st == SCRY_OK)
        st = scry_profile_kernel(pc->profile, &c->kernel);
    if (st == SCRY_OK)
        st = scry_linux_walk_tasks(c->l, pc->op, 0, on_task, c);
    if (st == SCRY_OK)
        st = c->st;
    scry_hs_free(&c->seen_ids);
    free(c);
    return st;
}

const struct scry_plugin scry_plugin_linux_mountinfo = {
    .name = "linux.mountinfo.MountInfo",
    .alias = "linux.mountinfo",
    .description = "Lists mount points on processes mount namespaces",
    .options = options,
    .noptions = NOPTS,
    .columns = columns,
    .ncolumns = sizeof columns / sizeof columns[0],
    .os = "linux",
    .run = run,
};
