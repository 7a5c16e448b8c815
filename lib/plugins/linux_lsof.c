/* linux_lsof.c - linux.lsof.Lsof: every open file of every task (threads
 * included), with its inode's device, number, type, mode, times, size. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/plugins/linux_common.h"
#include "lib/walk/linux_dpath.h"
#include "lib/plugins/linux_task_fds.h"

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
    struct scry_task_fds w; /* first: the walk's callbacks get this ctx */
    char path[SCRY_LINUX_PATH_CAP];
};

static int on_fd(void *user, uint32_t fd, uint64_t filp)
{
    struct ctx *c = user;
    struct scry_cell cells[13];
    struct scry_linux_inode_info in;
    char dev[24], mode[11];
    size_t plen;
    if (!scry_linux_file_path(c->w.l, &c->w.kernel, c->w.t->addr, filp, c->path, sizeof c->path, &plen))
        scry_op_say(c->w.pc->op, SCRY_DIAG_INFO, SCRY_ERR_NODATA,
                    "pid %d fd %" PRIu32 ": the path of file 0x%" PRIx64
                    " could not be read whole", (int)c->w.t->pid, fd, filp);
    cells[0] = scry_cell_int(c->w.t->tgid);
    cells[1] = scry_cell_int(c->w.t->pid);
    cells[2] = scry_cell_str(c->w.comm, c->w.comm_len);
    cells[3] = scry_cell_int(fd);
    cells[4] = scry_cell_str(c->path, plen);
    for (int i = 5; i < 13; i++)
        cells[i] = scry_cell_absent(SCRY_CELL_NOT_AVAILABLE);
    uint64_t inode = scry_linux_file_inode(c->w.l, &c->w.fo, &c->w.kernel, filp);
    if (inode) {
        scry_status st = scry_linux_inode_info(c->w.l, &c->w.fo, &c->w.kernel, inode, &in);
        if (st != SCRY_OK) {
            scry_op_report(c->w.pc->op, scry_diag_level_for(st), st,
                           "pid %d fd %" PRIu32 ": inode 0x%" PRIx64 " cannot be read",
                           (int)c->w.t->pid, fd, inode);
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
    c->w.st = scry_result_add(c->w.pc->out, 0, cells);
    return c->w.st != SCRY_OK;
}

static scry_status run(struct scry_plugin_ctx *pc)
{
    struct ctx *c = calloc(1, sizeof *c);
    scry_status st;
    if (!c)
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    st = scry_task_fds_prepare(&c->w, pc, OPT_PID, on_fd);
    if (st == SCRY_OK)
        st = scry_task_fds_walk(&c->w);
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
