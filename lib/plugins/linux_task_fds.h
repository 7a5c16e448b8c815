/* linux_task_fds.h - every open file of every task, thread group leaders
 * first and then each of their threads, in the order Volatility's lsof and
 * sockstat visit them; the plugins only turn a file into a row.
 *
 * A plugin embeds struct scry_task_fds as the first member of its context
 * and passes that context as the callback's user pointer; during a call,
 * `t`, `comm` and `comm_len` describe the task whose file it is. The
 * callback stops the walk by setting `st` (and returning non-zero). A
 * thread that cannot be read is skipped with a diagnostic. */
#ifndef SCRY_PLUGINS_LINUX_TASK_FDS_H
#define SCRY_PLUGINS_LINUX_TASK_FDS_H

#include "lib/plugins/linux_common.h"
#include "lib/walk/linux_files.h"

struct scry_task_fds {
    const struct scry_linux *l;
    struct scry_linux_files_off fo;
    struct scry_vspace kernel;
    struct scry_plugin_ctx *pc;
    int pid_opt;              /* index of the plugin's pid filter option */
    scry_linux_fd_fn on_fd;   /* called with the embedding context        */
    const struct scry_linux_task *t; /* the task whose files are visited */
    char comm[52];
    size_t comm_len;
    scry_status st; /* the first error of the callback or a walk */
};

/* Sets up w for pc (pid_opt and on_fd are the plugin's) and resolves the
 * file offsets. Errors: what scry_linux_files_resolve reports. */
scry_status scry_task_fds_prepare(struct scry_task_fds *w, struct scry_plugin_ctx *pc, int pid_opt,
                                  scry_linux_fd_fn on_fd);
/* Walks every task's files; returns the first error (a walk's or w->st). */
scry_status scry_task_fds_walk(struct scry_task_fds *w);

#endif
