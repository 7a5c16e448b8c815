/* linux_ptrace.c - linux.ptrace.Ptrace: tasks (threads included) that are
 * traced or trace others, with their tracer, tracees and ptrace flags.
 *
 * Volatility's rules: a task is listed when task->ptrace is non-zero or
 * task->ptraced.next is readable and not the list's own head. Tracer TID
 * is the parent's pid (absent when 0 or not traced); one row per tracee
 * (task->ptraced walked by ptrace_entry), the n-th at tree level n, or one
 * row with the tracee absent; Flags names ptrace's bits as Python's Flag
 * does (definition order, "|"-joined). Where Volatility raises (bits it has
 * no name for), memscry prints the named bits and the rest in hex, with a
 * warning. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "lib/base/hashset.h"
#include "lib/plugins/linux_common.h"
#include "lib/vspace/vspace.h"
#include "lib/walk/linux_tasks.h"

static const struct scry_column columns[] = {
    {"Process", SCRY_COL_STR},   {"PID", SCRY_COL_INT},        {"TID", SCRY_COL_INT},
    {"Tracer TID", SCRY_COL_INT}, {"Tracee TID", SCRY_COL_INT}, {"Flags", SCRY_COL_STR},
};

/* Volatility's PT_FLAGS, in definition order (PT_OPT_FLAG_SHIFT 3). */
static const struct {
    uint32_t bit;
    const char *name;
} pt_flags[] = {
    {0x1, "PT_PTRACED"},         {0x10000, "PT_SEIZED"},      {0x8, "PT_TRACESYSGOOD"},
    {0x10, "PT_TRACE_FORK"},     {0x20, "PT_TRACE_VFORK"},    {0x40, "PT_TRACE_CLONE"},
    {0x80, "PT_TRACE_EXEC"},     {0x100, "PT_TRACE_VFORK_DONE"}, {0x200, "PT_TRACE_EXIT"},
    {0x400, "PT_TRACE_SECCOMP"}, {0x800000, "PT_EXITKILL"},   {0x1000000, "PT_SUSPEND_SECCOMP"},
};

struct ctx {
    const struct scry_linux *l;
    struct scry_vspace kernel;
    struct scry_result *out;
    struct scry_op *op;
    uint64_t ptrace, ptraced, ptrace_entry, max;
    scry_status st;
};

static size_t flag_text(struct ctx *c, const struct scry_linux_task *t, uint32_t v, char *buf,
                        size_t cap)
{
    size_t n = 0;
    uint32_t rest = v;
    for (size_t i = 0; i < sizeof pt_flags / sizeof pt_flags[0]; i++)
        if (v & pt_flags[i].bit) {
            n += (size_t)snprintf(buf + n, cap - n, "%s%s", n ? "|" : "", pt_flags[i].name);
            rest &= ~pt_flags[i].bit;
        }
    if (rest) {
        n += (size_t)snprintf(buf + n, cap - n, "%s0x%" PRIx32, n ? "|" : "", rest);
        scry_op_say(c->op, SCRY_DIAG_WARNING, SCRY_ERR_CORRUPT,
                    "tid %d: ptrace 0x%" PRIx32 " has bits no flag names (0x%" PRIx32 ")",
                    (int)t->pid, v, rest);
    }
    return n;
}

/* Adds the task's rows: one per tracee, walked on task->ptraced. */
static int rows(struct ctx *c, const struct scry_linux_task *t, uint32_t ptrace, uint64_t head,
                uint64_t first)
{
    struct scry_cell cells[6];
    char comm[49], flags[512];
    struct scry_hashset seen = {0};
    uint64_t link = first, prev = head;
    size_t n = 0;
    cells[0] = scry_cell_str(comm, scry_linux_comm(t->comm, comm));
    cells[1] = scry_cell_int(t->tgid);
    cells[2] = scry_cell_int(t->pid);
    cells[3] = ptrace && t->parent_ok && t->parent_pid ? scry_cell_int(t->parent_pid)
                                                       : scry_cell_absent(SCRY_CELL_NOT_AVAILABLE);
    cells[5] = ptrace ? scry_cell_str(flags, flag_text(c, t, ptrace, flags, sizeof flags))
                      : scry_cell_absent(SCRY_CELL_NOT_AVAILABLE);
    if (scry_hs_add(&seen, head) < 0)
        goto nomem;
    while (link != head) {
        int32_t tid;
        uint32_t v;
        scry_status st;
        int added = scry_hs_add(&seen, link);
        if (added < 0)
            goto nomem;
        if (!added || !link) {
            scry_op_say(c->op, SCRY_DIAG_WARNING, SCRY_ERR_CORRUPT,
                        "tracee list of tid %d ends early after %zu entr%s: 0x%" PRIx64
                        " links to %s instead of back to the head",
                        (int)t->pid, n, n == 1 ? "y" : "ies", prev,
                        link ? "an earlier entry" : "NULL");
            break;
        }
        if (n >= c->max) {
            scry_op_say(c->op, SCRY_DIAG_WARNING, SCRY_ERR_LIMIT,
                        "tracee list of tid %d ends early: more than %" PRIu64 " entries",
                        (int)t->pid, c->max);
            break;
        }
        st = scry_vspace_read_u32(&c->kernel, link - c->ptrace_entry + c->l->off.task_pid, &v);
        if (st != SCRY_OK) {
            scry_op_report(c->op, SCRY_DIAG_WARNING, st,
                           "tracee list of tid %d ends early after %zu entr%s: tracee 0x%" PRIx64
                           " cannot be read",
                           (int)t->pid, n, n == 1 ? "y" : "ies", link - c->ptrace_entry);
            break;
        }
        tid = (int32_t)v;
        cells[4] = scry_cell_int(tid);
        if ((c->st = scry_result_add(c->out, (int)(n < 1000000 ? n : 1000000), cells)) != SCRY_OK)
            break;
        n++;
        prev = link;
        if ((st = scry_vspace_read_u64(&c->kernel, link + c->l->off.list_next, &link)) != SCRY_OK) {
            scry_op_report(c->op, SCRY_DIAG_WARNING, st,
                           "tracee list of tid %d ends early after %zu entr%s: the link at 0x%" PRIx64
                           " cannot be read",
                           (int)t->pid, n, n == 1 ? "y" : "ies", prev);
            break;
        }
    }
    if (!n && c->st == SCRY_OK) {
        cells[4] = scry_cell_absent(SCRY_CELL_NOT_AVAILABLE);
        c->st = scry_result_add(c->out, 0, cells);
    }
    scry_hs_free(&seen);
    return c->st != SCRY_OK;
nomem:
    scry_hs_free(&seen);
    c->st = scry_err(SCRY_ERR_NOMEM, "out of memory");
    return 1;
}

/* Volatility's Pointer.is_readable for a list_head: both its pages map. */
static int readable(struct ctx *c, uint64_t va, uint64_t len)
{
    uint64_t pa, end = va + len;
    if (end < va)
        return 0;
    for (uint64_t pg = va & ~(uint64_t)(SCRY_PAGE_SIZE - 1); pg < end; pg += SCRY_PAGE_SIZE)
        if (scry_vspace_translate(&c->kernel, pg, &pa) != SCRY_OK ||
            scry_phys_find_run(c->kernel.phys, pa) == (size_t)-1)
            return 0;
    return 1;
}

static int on_task(void *user, const struct scry_linux_task *t)
{
    struct ctx *c = user;
    uint32_t ptrace;
    uint64_t head = t->addr + c->ptraced, next;
    scry_status st = scry_vspace_read_u32(&c->kernel, t->addr + c->ptrace, &ptrace);
    if (st == SCRY_OK)
        st = scry_vspace_read_u64(&c->kernel, head + c->l->off.list_next, &next);
    if (st != SCRY_OK) {
        scry_op_report(c->op, scry_diag_level_for(st), st,
                       "tid %d: ptrace fields cannot be read; skipped", (int)t->pid);
        return 0;
    }
    int tracing = next && readable(c, next, 16) && next != head;
    if (!ptrace && !tracing)
        return 0;
    return rows(c, t, ptrace, head, tracing ? next : head);
}

static scry_status run(struct scry_plugin_ctx *pc)
{
    struct ctx c = {.l = scry_linux_of(pc->profile), .out = pc->out, .op = pc->op};
    struct scry_field_spec f[] = {
        SCRY_FIELD("task_struct", "ptrace", &c.ptrace),
        SCRY_FIELD("task_struct", "ptraced", &c.ptraced),
        SCRY_FIELD("task_struct", "ptrace_entry", &c.ptrace_entry),
    };
    scry_status st = scry_resolve_fields(c.l->symtab, f, sizeof f / sizeof f[0]);
    if (st != SCRY_OK)
        return scry_err_ctx(st, "%s", c.l->isf_path);
    if ((st = scry_profile_kernel(pc->profile, &c.kernel)) != SCRY_OK)
        return st;
    c.max = pc->op && pc->op->max_entries ? pc->op->max_entries : SCRY_MAX_TASKS;
    st = scry_linux_walk_tasks(c.l, pc->op, 1, on_task, &c);
    return st != SCRY_OK ? st : c.st;
}

const struct scry_plugin scry_plugin_linux_ptrace = {
    .name = "linux.ptrace.Ptrace",
    .alias = "linux.ptrace",
    .description = "Enumerates ptrace's tracer and tracee tasks",
    .options = NULL,
    .noptions = 0,
    .columns = columns,
    .ncolumns = sizeof columns / sizeof columns[0],
    .os = "linux",
    .run = run,
};
