/* linux_lsof.c - linux.lsof.Lsof: every open file of every task (threads
 * included), with its inode's device, number, type, mode, times, size. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/plugins/linux_common.h"
#include "lib/walk/linux_dpath.h"
#include "lib/walk/linux_files.h"

enum { OPT_PID, NOPTS };

static const struct scry_option options[NOPTS] = {
    [OPT_PID] = {"pid", SCRY_OPT_INT_LIST, "Filter on specific process IDs"},
};

static const struct scry_column columns[] = {
    {"PID", SCRY_COL_INT},          {"TID", SCRY_COL_INT},
    {"Process", SCRY_COL_STR},      {"FD", SCRY_COL_INT},
    {"Path", SCRY_COL_STR},         {"Device", SCRY_COL_STR},
    {"Inode", SCRY_COL_INT},        {"Type", SCRY_COL_STR},
    {"Mode", SCRY_COL_STR},         {"Changed", SCRY_COL_DATETIME},
    {"Modified", SCRY_COL_DATETIME}, {"Accessed", SCRY_COL_DATETIME},
    {"Size", SCRY_COL_INT},
};

struct ctx {
    const struct scry_linux *l;
    struct scry_linux_files_off fo;
    struct scry_vspace kernel;
    struct scry_plugin_ctx *pc;
    const struct scry_linux_task *t; /* the task whose fds are listed */
    char comm[52];
    size_t comm_len;
    scry_status st;
    char path[SCRY_LINUX_PATH_CAP];
};

static int on_fd(void *user, uint32_t fd, uint64_t filp)
{
    struct ctx *c = user;
    struct scry_cell cells[13];
    struct scry_linux_inode_info in;
    char dev[24], mode[11];
    size_t plen;
    if (!scry_linux_file_path(c->l, &c->kernel, c->t->addr, filp, c->path, sizeof c->path, &plen))
        scry_op_say(c->pc->op, SCRY_DIAG_INFO, SCRY_ERR_NODATA,
                    "pid %d fd %" PRIu32 ": the path of file 0x%" PRIx64
                    " could not be read whole", (int)c->t->pid, fd, filp);
    cells[0] = scry_cell_int(c->t->tgid);
    cells[1] = scry_cell_int(c->t->pid);
    cells[2] = scry_cell_str(c->comm, c->comm_len);
    cells[3] = scry_cell_int(fd);
    cells[4] = scry_cell_str(c->path, plen);
    for (int i = 5; i < 13; i++)
        cells[i] = scry_cell_absent(SCRY_CELL_NOT_AVAILABLE);
    uint64_t inode = scry_linux_file_inode(c->l, &c->fo, &c->kernel, filp);
    if (inode) {
        scry_status st = scry_linux_inode_info(c->l, &c->fo, &c->kernel, inode, &in);
        if (st != SCRY_OK) {
            scry_op_report(c->pc->op, scry_diag_level_for(st), st,
                           "pid %d fd %" PRIu32 ": inode 0x%" PRIx64 " cannot be read",
                           (int)c->t->pid, fd, inode);
        } else {
            const char *type = scry_linux_inode_type(in.mode);
            if (in.dev_ok) {
                int n = snprintf(dev, sizeof dev, "%" PRIu32 ":%" PRIu32, in.major, in.minor);
                cells[5] = scry_cell_str(dev, (size_t)n);
            }
            cells[6] = scry_cell_int((int64_t)in.ino);
            cells[7] = type ? scry_cell_str(type, strlen(type))
                            : scry_cell_absent(SCRY_CELL_UNPARSABLE);
            scry_linux_filemode(in.mode, mode);
            cells[8] = scry_cell_str(mode, 10);
            cells[9] = in.time[SCRY_ITIME_CTIME];
            cells[10] = in.time[SCRY_ITIME_MTIME];
            cells[11] = in.time[SCRY_ITIME_ATIME];
            cells[12] = scry_cell_int(in.size);
        }
    }
    c->st = scry_result_add(c->pc->out, 0, cells);
    return c->st != SCRY_OK;
}

static int list_task(struct ctx *c, const struct scry_linux_task *t)
{
    c->t = t;
    c->comm_len = scry_linux_comm(t->comm, c->comm);
    scry_status st = scry_linux_walk_fds(c->l, &c->fo, &c->kernel, c->pc->op, t->addr, t->pid,
                                         on_fd, c);
    if (c->st == SCRY_OK)
        c->st = st;
    return c->st != SCRY_OK;
}

static int on_thread(void *user, uint64_t addr)
{
    struct ctx *c = user;
    struct scry_linux_task t;
    scry_status st = scry_linux_task_read(c->l, &c->kernel, addr, &t, NULL);
    if (st != SCRY_OK) {
        scry_op_report(c->pc->op, scry_diag_level_for(st), st, "thread 0x%" PRIx64 " skipped",
                       addr);
        return 0;
    }
    return list_task(c, &t);
}

static int on_task(void *user, const struct scry_linux_task *t)
{
    struct ctx *c = user;
    if (!scry_opt_int_filter(c->pc->opts, OPT_PID, t->pid))
        return 0;
    if (list_task(c, t))
        return 1;
    scry_status st = scry_linux_walk_threads(c->l, &c->fo, &c->kernel, c->pc->op, t->addr,
                                             on_thread, c);
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
    st = scry_linux_files_resolve(c->l, &c->fo);
    if (st == SCRY_OK)
        st = scry_profile_kernel(pc->profile, &c->kernel);
    if (st == SCRY_OK)
        st = scry_linux_walk_tasks(c->l, pc->op, 0, on_task, c);
    if (st == SCRY_OK)
        st = c->st;
    free(c);
    return st;
}

const struct scry_plugin scry_plugin_linux_lsof = {
    .name = "linux.lsof.Lsof",
    .alias = "linux.lsof",
    .description = "Lists open files for each processes.",
    .options = options,
    .noptions = NOPTS,
    .columns = columns,
    .ncolumns = sizeof columns / sizeof columns[0],
    .os = "linux",
    .run = run,
};
