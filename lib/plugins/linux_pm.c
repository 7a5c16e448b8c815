/* linux_pm.c - each task's VMAs for the process-memory plugins. */
#include <string.h>

#include "lib/plugins/linux_pm.h"

static int on_task(void *user, const struct scry_linux_task *t)
{
    struct scry_linux_pm *pm = user;
    if (!scry_opt_int_filter(pm->pc->opts, pm->opt_pid, t->pid) || !t->mm)
        return 0; /* no mm: a kernel thread (or an exited task), no VMAs */
    pm->proc_ok = -1;
    if (pm->flags & SCRY_PM_NEED_SPACE) {
        if (scry_linux_process_vspace(pm->l, &pm->kernel, t->mm, &pm->proc) != SCRY_OK)
            return 0;
        pm->proc_ok = 1;
    }
    pm->t = t;
    pm->name_len = scry_linux_comm(t->comm, pm->name);
    scry_status st = scry_linux_walk_vmas(pm->l, &pm->kernel, pm->pc->op, t->mm, pm->fn, pm->user);
    if (st != SCRY_OK && pm->st == SCRY_OK)
        pm->st = st;
    return pm->st != SCRY_OK;
}

scry_status scry_linux_pm_run(struct scry_linux_pm *pm, struct scry_plugin_ctx *pc, int opt_pid,
                              unsigned need, unsigned flags, scry_linux_vma_fn fn, void *user)
{
    memset(pm, 0, sizeof *pm);
    pm->pc = pc;
    pm->l = scry_linux_of(pc->profile);
    pm->opt_pid = opt_pid;
    pm->flags = flags;
    pm->fn = fn;
    pm->user = user;
    scry_status st = scry_linux_vma_check(pm->l, need);
    if (st == SCRY_OK)
        st = scry_profile_kernel(pc->profile, &pm->kernel);
    if (st == SCRY_OK)
        st = scry_linux_walk_tasks(pm->l, pc->op, 0, on_task, pm);
    return st != SCRY_OK ? st : pm->st;
}
