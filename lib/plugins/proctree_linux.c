/* proctree_linux.c - memscry.proctree's records of a Linux dump: the task
 * list's leaders (as linux.pslist lists them, with task_struct.start_time)
 * and every task linux.psscan finds. */
#include <inttypes.h>
#include <string.h>

#include "lib/plugins/proctree.h"
#include "lib/walk/linux_psscan.h"
#include "lib/walk/linux_tasks.h"
#include "symbols/resolve.h"

struct ctx {
    const struct scry_linux *l;
    struct scry_vspace ks;
    uint64_t off_start; /* task_struct.start_time, SCRY_NO_OFFSET when absent */
    uint64_t off_real_parent; /* task_struct.real_parent, likewise        */
    struct scry_op *op;
    struct scry_pt_set *s;
    scry_status st;
};

static int on_task(void *user, const struct scry_linux_task *t)
{
    struct ctx *c = user;
    struct scry_pt_proc p = {.pid = t->tgid, .listed = 1};
    /* PPID as pslist prints it: the parent's tgid, 0 when unreadable. */
    p.ppid = t->parent && t->parent_ok ? t->parent_tgid : 0;
    p.offset = t->addr & c->l->va_mask;
    scry_linux_comm(t->comm, p.name);
    if (c->off_start != SCRY_NO_OFFSET) {
        scry_status st = scry_vspace_read_u64(&c->ks, t->addr + c->off_start, &p.start);
        if (st == SCRY_OK)
            p.has_start = 1;
        else
            scry_op_say(c->op, scry_diag_level_for(st), st,
                        "pid %" PRId64 ": start_time at 0x%" PRIx64 " cannot be read", p.pid,
                        t->addr + c->off_start);
    }
    /* A ptraced task's parent is its tracer, which may be younger than
     * it: such a task is not judged by its start time. */
    uint64_t real;
    if (c->off_real_parent != SCRY_NO_OFFSET &&
        scry_vspace_read_u64(&c->ks, t->addr + c->off_real_parent, &real) == SCRY_OK &&
        real != t->parent)
        p.traced = 1;
    c->st = scry_pt_push(c->s, &p);
    return c->st != SCRY_OK;
}

static int on_scan(void *user, const struct scry_psscan_task *t)
{
    struct ctx *c = user;
    struct scry_pt_proc p = {.pid = t->tgid, .ppid = t->ppid, .offset = t->pa,
                          .physical = 1};
    p.exited = t->exit_state != 0;
    p.thread = t->pid != t->tgid;
    scry_linux_comm(t->comm, p.name);
    c->st = scry_pt_push(c->s, &p);
    return c->st != SCRY_OK;
}

scry_status scry_pt_collect_linux(struct scry_plugin_ctx *pc, struct scry_pt_set *s)
{
    struct ctx c = {.l = scry_linux_of(pc->profile), .op = pc->op, .s = s,
                    .off_start = SCRY_NO_OFFSET, .off_real_parent = SCRY_NO_OFFSET};
    const struct scry_field_spec f[] = {
        SCRY_FIELD_OPT("task_struct", "start_time", &c.off_start),
        SCRY_FIELD_OPT("task_struct", "real_parent", &c.off_real_parent),
    };
    scry_status st = scry_resolve_fields(c.l->symtab, f, 2);
    if (st == SCRY_OK && c.off_start == SCRY_NO_OFFSET)
        scry_op_say(pc->op, SCRY_DIAG_WARNING, SCRY_ERR_NOT_FOUND,
                    "%s: no task_struct.start_time: child-before-parent is not checked",
                    c.l->isf_path);
    if (st == SCRY_OK)
        st = scry_profile_kernel(&c.l->base, &c.ks);
    if (st == SCRY_OK)
        st = scry_linux_walk_tasks(c.l, pc->op, 0, on_task, &c);
    if (st == SCRY_OK)
        st = c.st;
    if (st == SCRY_OK)
        st = scry_linux_psscan(c.l, pc->op, on_scan, &c);
    return st != SCRY_OK ? st : c.st;
}
