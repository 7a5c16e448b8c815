/* linux_tasks.c - walk init_task.tasks and thread groups. */
#include "lib/walk/linux_tasks.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "lib/base/hashset.h"
#include "lib/base/utf8.h"

static uint64_t le(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/* The fields read of every task. They are read as one span when they lie
 * within a page of each other (they do in every kernel seen: 2.9 KiB in
 * 6.1), else one by one. */
enum { F_PID, F_TGID, F_COMM, F_FLAGS, F_MM, F_PARENT, F_COUNT };
static const unsigned field_size[F_COUNT] = {4, 4, 16, 4, 8, 8};

scry_status scry_linux_task_read(const struct scry_linux *l, struct scry_vspace *vs, uint64_t addr,
                                 struct scry_linux_task *t, scry_status *parent_st)
{
    const struct scry_linux_offsets *o = &l->off;
    const uint64_t off[F_COUNT] = {o->task_pid,   o->task_tgid, o->task_comm,
                                   o->task_flags, o->task_mm,   o->task_parent};
    uint8_t span[SCRY_PAGE_SIZE], val[F_COUNT][16];
    uint64_t lo = UINT64_MAX, hi = 0;
    scry_status st = SCRY_OK;
    memset(t, 0, sizeof *t);
    t->addr = addr;
    for (int i = 0; i < F_COUNT; i++) {
        lo = off[i] < lo ? off[i] : lo;
        hi = off[i] + field_size[i] > hi ? off[i] + field_size[i] : hi;
    }
    if (hi - lo <= sizeof span) {
        st = scry_vspace_read(vs, addr + lo, span, (size_t)(hi - lo));
        for (int i = 0; i < F_COUNT && st == SCRY_OK; i++)
            memcpy(val[i], span + (off[i] - lo), field_size[i]);
    } else {
        for (int i = 0; i < F_COUNT && st == SCRY_OK; i++)
            st = scry_vspace_read(vs, addr + off[i], val[i], field_size[i]);
    }
    if (st != SCRY_OK)
        return st;
    t->pid = (int32_t)le(val[F_PID], 4);
    t->tgid = (int32_t)le(val[F_TGID], 4);
    memcpy(t->comm, val[F_COMM], sizeof t->comm);
    t->flags = (uint32_t)le(val[F_FLAGS], 4);
    t->mm = le(val[F_MM], 8);
    t->parent = le(val[F_PARENT], 8);
    if (parent_st)
        *parent_st = SCRY_OK;
    if (t->parent) {
        uint8_t ids[8];
        if (o->task_tgid == o->task_pid + 4) { /* adjacent since 2.6: one read */
            st = scry_vspace_read(vs, t->parent + o->task_pid, ids, 8);
        } else {
            st = scry_vspace_read(vs, t->parent + o->task_pid, ids, 4);
            if (st == SCRY_OK)
                st = scry_vspace_read(vs, t->parent + o->task_tgid, ids + 4, 4);
        }
        t->parent_ok = st == SCRY_OK;
        if (parent_st)
            *parent_st = st;
        if (t->parent_ok) {
            t->parent_pid = (int32_t)le(ids, 4);
            t->parent_tgid = (int32_t)le(ids + 4, 4);
        }
    }
    return SCRY_OK;
}

struct walk {
    const struct scry_linux *l;
    struct scry_op *op;
    struct scry_vspace vs;
    scry_task_fn fn;
    void *user;
    uint64_t max;
    size_t count;
    int stop;
    scry_status st; /* NOMEM or CANCELLED: ends everything */
};

/* Volatility's list_head.to_list: entries after head, in order. Where
 * Volatility stops silently (a repeated or unreadable link) we stop too,
 * but say so: what is `what` ("task list", "thread group of pid 42"). */
static inline __attribute__((always_inline)) void
walk_list(struct walk *w, uint64_t head, uint64_t member_off, const char *what,
                      int (*visit)(struct walk *, uint64_t entry, void *), void *ctx)
{
    struct scry_hashset seen = {0};
    uint64_t link, prev = head;
    size_t n = 0;
    scry_status st;
    if (scry_hs_add(&seen, head) < 0) {
        w->st = scry_err(SCRY_ERR_NOMEM, "out of memory");
        return;
    }
    st = scry_vspace_read_u64(&w->vs, head + w->l->off.list_next, &link);
    if (st != SCRY_OK) {
        scry_op_report(w->op, SCRY_DIAG_WARNING, st,
                       "%s cannot start: its head 0x%" PRIx64 " cannot be read", what, head);
        goto out;
    }
    while (!w->stop) {
        if (link == head)
            break; /* back at the head: the whole list was read */
        int added = scry_hs_add(&seen, link);
        if (added < 0) {
            w->st = scry_err(SCRY_ERR_NOMEM, "out of memory");
            break;
        }
        if (!link || !added) {
            scry_op_say(w->op, SCRY_DIAG_WARNING, SCRY_ERR_CORRUPT,
                        "%s ends early after %zu entr%s: 0x%" PRIx64
                        " links to %s instead of back to the head",
                        what, n, n == 1 ? "y" : "ies", prev, link ? "an earlier entry" : "NULL");
            break;
        }
        if (++w->count > w->max) {
            scry_op_say(w->op, SCRY_DIAG_WARNING, SCRY_ERR_LIMIT,
                        "%s ends early: more than %" PRIu64 " entries", what, w->max);
            w->stop = 1;
            break;
        }
        if (scry_op_tick(w->op, w->count, 0)) {
            w->st = scry_op_cancelled();
            w->stop = 1;
            break;
        }
        n++;
        if (visit(w, link - member_off, ctx))
            break;
        prev = link;
        st = scry_vspace_read_u64(&w->vs, link + w->l->off.list_next, &link);
        if (st != SCRY_OK) {
            scry_op_report(w->op, SCRY_DIAG_WARNING, st,
                           "%s ends early after %zu entr%s: the link at 0x%" PRIx64
                           " cannot be read",
                           what, n, n == 1 ? "y" : "ies", prev);
            break;
        }
    }
out:
    scry_hs_free(&seen);
}

static inline __attribute__((always_inline)) int emit(struct walk *w, uint64_t addr, int thread)
{
    struct scry_linux_task t;
    scry_status pst;
    scry_status st = scry_linux_task_read(w->l, &w->vs, addr, &t, &pst);
    if (st != SCRY_OK) { /* unreadable task: skipped, the walk goes on */
        scry_op_report(w->op, scry_diag_level_for(st), st, "task 0x%" PRIx64 " skipped", addr);
        return 0;
    }
    if (pst != SCRY_OK)
        scry_op_report(w->op, scry_diag_level_for(pst), pst,
                       "pid %d: parent 0x%" PRIx64 " cannot be read (PPID 0)", (int)t.pid,
                       t.parent);
    t.listed_as_thread = thread;
    if (w->fn(w->user, &t))
        w->stop = 1;
    return w->stop;
}

static int visit_thread(struct walk *w, uint64_t addr, void *leader)
{
    if (addr == *(uint64_t *)leader)
        return 0;
    return emit(w, addr, 1);
}

/* The thread list of a task, chosen by the ISF's fields in Volatility's
 * order: signal->thread_head through task_struct.thread_node (kernels
 * >= 6.7 have only this; 6.1 has both and Volatility takes this one), else
 * task_struct.thread_group. With thread_head the leader is itself on the
 * list (visit_thread skips it); with thread_group the leader's own link is
 * the head. */
static int has_thread_head(const struct scry_linux_offsets *o)
{
    return o->task_signal != SCRY_LINUX_NO_OFFSET && o->signal_thread_head != SCRY_LINUX_NO_OFFSET &&
           o->task_thread_node != SCRY_LINUX_NO_OFFSET;
}

static __attribute__((noinline)) void walk_threads(struct walk *w, uint64_t addr)
{
    const struct scry_linux_offsets *o = &w->l->off;
    uint64_t leader = addr, head = addr + o->task_thread_group, member = o->task_thread_group;
    char what[64];
    snprintf(what, sizeof what, "thread group of task 0x%" PRIx64, addr);
    if (has_thread_head(o)) {
        uint64_t signal;
        scry_status st = scry_vspace_read_u64(&w->vs, addr + o->task_signal, &signal);
        if (st != SCRY_OK || !signal) {
            /* Volatility raises here and ends the plugin; the task's
             * threads are lost, the walk goes on. */
            scry_op_report(w->op, SCRY_DIAG_WARNING, st != SCRY_OK ? st : SCRY_ERR_CORRUPT,
                           "%s: threads skipped: %s", what,
                           st != SCRY_OK ? "its signal pointer cannot be read"
                                         : "its signal pointer is NULL");
            return;
        }
        head = signal + o->signal_thread_head;
        member = o->task_thread_node;
    }
    walk_list(w, head, member, what, visit_thread, &leader);
    if (w->st != SCRY_OK)
        w->stop = 1;
}

static int visit_task(struct walk *w, uint64_t addr, void *threads)
{
    if (emit(w, addr, 0))
        return 1;
    if (*(int *)threads)
        walk_threads(w, addr);
    return w->stop;
}

scry_status scry_linux_walk_tasks(const struct scry_linux *l, struct scry_op *op, int threads,
                                  scry_task_fn fn, void *user)
{
    struct walk w = {.l = l, .op = op, .fn = fn, .user = user};
    scry_status st;
    if (threads && !has_thread_head(&l->off) && l->off.task_thread_group == SCRY_LINUX_NO_OFFSET)
        return scry_err(SCRY_ERR_UNSUPPORTED,
                        "%s: no thread list: the ISF has neither signal_struct.thread_head "
                        "with task_struct.signal and thread_node, nor task_struct.thread_group",
                        l->isf_path);
    w.max = op && op->max_entries ? op->max_entries : SCRY_MAX_TASKS;
    st = scry_profile_kernel(&l->base, &w.vs);
    if (st != SCRY_OK)
        return st;
    walk_list(&w, l->init_task + l->off.task_tasks, l->off.task_tasks, "task list", visit_task,
              &threads);
    return w.st;
}

size_t scry_linux_comm(const uint8_t comm[16], char *out)
{
    size_t n = strnlen((const char *)comm, 16);
    return scry_utf8_replace(comm, n, out);
}

scry_status scry_linux_process_vspace(const struct scry_linux *l, struct scry_vspace *kernel,
                                      uint64_t mm, struct scry_vspace *out)
{
    uint64_t pgd, dtb;
    scry_status st = scry_vspace_read_u64(kernel, mm + l->off.mm_pgd, &pgd);
    if (st == SCRY_OK)
        st = scry_vspace_translate(kernel, pgd, &dtb);
    if (st == SCRY_OK)
        st = scry_vspace_init(out, kernel->phys, kernel->mode, dtb);
    return st;
}
