/* linux_task_fds.c - the task, thread and file walk lsof and sockstat share
 * (see linux_task_fds.h). */
#include "lib/plugins/linux_task_fds.h"

#include <inttypes.h>

static int list_task(struct scry_task_fds *w, const struct scry_linux_task *t)
{
    w->t = t;
    w->comm_len = scry_linux_comm(t->comm, w->comm);
    scry_status st = scry_linux_walk_fds(w->l, &w->fo, &w->kernel, w->pc->op, t->addr, t->pid,
                                         w->on_fd, w);
    if (w->st == SCRY_OK)
        w->st = st;
    return w->st != SCRY_OK;
}

static int on_thread(void *user, uint64_t addr)
{
    struct scry_task_fds *w = user;
    struct scry_linux_task t;
    scry_status st = scry_linux_task_read(w->l, &w->kernel, addr, &t, NULL);
    if (st != SCRY_OK) {
        scry_op_report(w->pc->op, scry_diag_level_for(st), st, "thread 0x%" PRIx64 " skipped",
                       addr);
        return 0;
    }
    return list_task(w, &t);
}

static int on_task(void *user, const struct scry_linux_task *t)
{
    struct scry_task_fds *w = user;
    if (!scry_opt_int_filter(w->pc->opts, w->pid_opt, t->pid))
        return 0;
    if (list_task(w, t))
        return 1;
    scry_status st = scry_linux_walk_threads(w->l, &w->fo, &w->kernel, w->pc->op, t->addr,
                                             on_thread, w);
    if (w->st == SCRY_OK)
        w->st = st;
    return w->st != SCRY_OK;
}

scry_status scry_task_fds_prepare(struct scry_task_fds *w, struct scry_plugin_ctx *pc, int pid_opt,
                                  scry_linux_fd_fn on_fd)
{
    w->l = scry_linux_of(pc->profile);
    w->pc = pc;
    w->pid_opt = pid_opt;
    w->on_fd = on_fd;
    w->st = SCRY_OK;
    return scry_linux_files_resolve(w->l, &w->fo);
}

scry_status scry_task_fds_walk(struct scry_task_fds *w)
{
    scry_status st = scry_profile_kernel(w->pc->profile, &w->kernel);
    if (st == SCRY_OK)
        st = scry_linux_walk_tasks(w->l, w->pc->op, 0, on_task, w);
    return st == SCRY_OK ? w->st : st;
}
