/* linux_pm.h - what the Linux process-memory plugins share (linux.proc,
 * linux.elfs, linux.malfind, linux.vmayarascan): each task of the task
 * list that passes --pid and has a memory map, then each of its VMAs in
 * get_vma_iter() order. */
#ifndef SCRY_PLUGINS_LINUX_PM_H
#define SCRY_PLUGINS_LINUX_PM_H

#include "lib/plugins/linux_common.h"
#include "lib/walk/linux_vma.h"

/* Skip tasks whose own address space cannot be built (Volatility's
 * add_process_layer giving nothing); without it, a task only needs an mm
 * and the plugin builds the space when it needs one (proc_ok -1). */
#define SCRY_PM_NEED_SPACE 1u

/* The walk's state, first in a plugin's own context: the VMA callback
 * receives that context and reads the current task from here. */
struct scry_linux_pm {
    struct scry_plugin_ctx *pc;
    const struct scry_linux *l;
    struct scry_vspace kernel;        /* the kernel space                    */
    struct scry_vspace proc;          /* the current task's space            */
    int proc_ok;                      /* 1 built, -1 not yet (no NEED_SPACE) */
    const struct scry_linux_task *t;  /* the current task                    */
    char name[49];                    /* its comm, as Volatility prints it   */
    size_t name_len;
    scry_status st; /* the first error: the callback sets it and returns 1 */
    /* private */
    int opt_pid;
    unsigned flags;
    scry_linux_vma_fn fn;
    void *user;
};

/* Checks the ISF has what `need` (scry_linux_vma_check's bits) names,
 * makes the kernel space, then calls fn(user, vma) for each VMA of each
 * task that passes the int-list option at opt_pid. pm is zeroed first (set
 * the plugin's own fields after). Errors: the check's, the walks', or the
 * first pm->st. */
scry_status scry_linux_pm_run(struct scry_linux_pm *pm, struct scry_plugin_ctx *pc, int opt_pid,
                              unsigned need, unsigned flags, scry_linux_vma_fn fn, void *user);

#endif
