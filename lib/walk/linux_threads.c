/* linux_threads.c - tasks and threads over either thread layout. */
#include "lib/walk/linux_threads.h"

#include <inttypes.h>

#include "lib/base/hashset.h"
#include "lib/vspace/vspace.h"

struct walk {
    const struct scry_linux *l;
    struct scry_op *op;
    struct scry_vspace vs;
    uint64_t signal, thread_head, thread_node, max;
    scry_task_fn fn;
    void *user;
    int stop;
    scry_status st;
};

/* One process's other threads on signal->thread_head (the leader is on it
 * too, and skipped). Returns non-zero to stop everything. */
static int threads(struct walk *w, const struct scry_linux_task *leader)
{
    struct scry_hashset seen = {0};
    uint64_t sig, head, link, prev;
    size_t n = 0;
    scry_status st = scry_vspace_read_u64(&w->vs, leader->addr + w->signal, &sig);
    if (st != SCRY_OK || !sig) {
        if (st == SCRY_OK)
            return 0; /* no signal_struct (a task being torn down): no threads */
        scry_op_report(w->op, SCRY_DIAG_WARNING, st,
                       "thread list of pid %d cannot start: task->signal unreadable",
                       (int)leader->pid);
        return 0;
    }
    head = sig + w->thread_head;
    if (scry_hs_add(&seen, head) < 0)
        goto nomem;
    prev = head;
    st = scry_vspace_read_u64(&w->vs, head + w->l->off.list_next, &link);
    while (st == SCRY_OK && link != head && !w->stop) {
        int added = scry_hs_add(&seen, link);
        if (added < 0)
            goto nomem;
        if (!link || !added) {
            scry_op_say(w->op, SCRY_DIAG_WARNING, SCRY_ERR_CORRUPT,
                        "thread list of pid %d ends early after %zu entr%s: 0x%" PRIx64
                        " links to %s instead of back to the head",
                        (int)leader->pid, n, n == 1 ? "y" : "ies", prev,
                        link ? "an earlier entry" : "NULL");
            break;
        }
        if (++n > w->max) {
            scry_op_say(w->op, SCRY_DIAG_WARNING, SCRY_ERR_LIMIT,
                        "thread list of pid %d ends early: more than %" PRIu64 " entries",
                        (int)leader->pid, w->max);
            break;
        }
        if (link != leader->addr + w->thread_node) { /* the leader was listed already */
            struct scry_linux_task t;
            scry_status pst, rst = scry_linux_task_read(w->l, &w->vs, link - w->thread_node, &t,
                                                       &pst);
            if (rst != SCRY_OK) {
                scry_op_report(w->op, scry_diag_level_for(rst), rst,
                               "task 0x%" PRIx64 " skipped", link - w->thread_node);
            } else {
                if (pst != SCRY_OK)
                    scry_op_report(w->op, scry_diag_level_for(pst), pst,
                                   "pid %d: parent 0x%" PRIx64 " cannot be read (PPID 0)",
                                   (int)t.pid, t.parent);
                t.listed_as_thread = 1;
                if (w->fn(w->user, &t))
                    w->stop = 1;
            }
        }
        prev = link;
        st = scry_vspace_read_u64(&w->vs, link + w->l->off.list_next, &link);
    }
    if (st != SCRY_OK)
        scry_op_report(w->op, SCRY_DIAG_WARNING, st,
                       "thread list of pid %d ends early after %zu entr%s: the link at 0x%" PRIx64
                       " cannot be read",
                       (int)leader->pid, n, n == 1 ? "y" : "ies", prev);
    scry_hs_free(&seen);
    return w->stop;
nomem:
    scry_hs_free(&seen);
    w->st = scry_err(SCRY_ERR_NOMEM, "out of memory");
    return w->stop = 1;
}

static int on_leader(void *user, const struct scry_linux_task *t)
{
    struct walk *w = user;
    if (w->fn(w->user, t))
        return w->stop = 1;
    return threads(w, t);
}

scry_status scry_linux_walk_all_tasks(const struct scry_linux *l, struct scry_op *op,
                                      scry_task_fn fn, void *user)
{
    struct walk w = {.l = l, .op = op, .fn = fn, .user = user};
    struct scry_field_spec f[] = {
        SCRY_FIELD_OPT("task_struct", "signal", &w.signal),
        SCRY_FIELD_OPT("signal_struct", "thread_head", &w.thread_head),
        SCRY_FIELD_OPT("task_struct", "thread_node", &w.thread_node),
    };
    scry_status st;
    if (l->off.task_thread_group != SCRY_LINUX_NO_OFFSET)
        return scry_linux_walk_tasks(l, op, 1, fn, user);
    if ((st = scry_resolve_fields(l->symtab, f, sizeof f / sizeof f[0])) != SCRY_OK)
        return scry_err_ctx(st, "%s", l->isf_path);
    if (w.signal == SCRY_NO_OFFSET || w.thread_head == SCRY_NO_OFFSET ||
        w.thread_node == SCRY_NO_OFFSET)
        return scry_err(SCRY_ERR_UNSUPPORTED,
                        "%s: task_struct has neither thread_group nor signal->thread_head: "
                        "threads cannot be listed",
                        l->isf_path);
    w.max = op && op->max_entries ? op->max_entries : SCRY_MAX_TASKS;
    if ((st = scry_profile_kernel(&l->base, &w.vs)) != SCRY_OK)
        return st;
    st = scry_linux_walk_tasks(l, op, 0, on_leader, &w);
    return st != SCRY_OK ? st : w.st;
}
