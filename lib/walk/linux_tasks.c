/* linux_tasks.c - walk init_task.tasks and thread groups. */
#include "linux_tasks.h"

#include <string.h>

#include "../hashset.h"
#include "../rows.h"

scry_status scry_linux_task_read(const struct scry_linux *l, struct scry_vspace *vs, uint64_t addr,
                                 struct scry_linux_task *t)
{
    const struct scry_linux_offsets *o = &l->off;
    uint32_t ids[2];
    scry_status st;
    memset(t, 0, sizeof *t);
    t->addr = addr;
    /* pid and tgid are adjacent in every kernel since 2.6: one read. */
    if (o->task_tgid == o->task_pid + 4) {
        st = scry_vspace_read(vs, addr + o->task_pid, ids, sizeof ids);
    } else {
        st = scry_vspace_read_u32(vs, addr + o->task_pid, &ids[0]);
        if (st == SCRY_OK)
            st = scry_vspace_read_u32(vs, addr + o->task_tgid, &ids[1]);
    }
    if (st == SCRY_OK)
        st = scry_vspace_read(vs, addr + o->task_comm, t->comm, sizeof t->comm);
    if (st == SCRY_OK)
        st = scry_vspace_read_u32(vs, addr + o->task_flags, &t->flags);
    if (st == SCRY_OK)
        st = scry_vspace_read_u64(vs, addr + o->task_mm, &t->mm);
    if (st == SCRY_OK)
        st = scry_vspace_read_u64(vs, addr + o->task_parent, &t->parent);
    if (st != SCRY_OK)
        return st;
    t->pid = (int32_t)ids[0];
    t->tgid = (int32_t)ids[1];
    if (t->parent) {
        uint32_t pids[2] = {0, 0};
        if (o->task_tgid == o->task_pid + 4) {
            t->parent_ok = scry_vspace_read(vs, t->parent + o->task_pid, pids, sizeof pids) == SCRY_OK;
        } else {
            t->parent_ok = scry_vspace_read_u32(vs, t->parent + o->task_pid, &pids[0]) == SCRY_OK &&
                           scry_vspace_read_u32(vs, t->parent + o->task_tgid, &pids[1]) == SCRY_OK;
        }
        t->parent_pid = (int32_t)pids[0];
        t->parent_tgid = (int32_t)pids[1];
    }
    return SCRY_OK;
}

struct walk {
    const struct scry_linux *l;
    struct scry_vspace vs;
    scry_task_fn fn;
    void *user;
    size_t count;
    int stop;
};

/* Volatility's list_head.to_list: entries after head, stop at a repeated or
 * unreadable link. visit returns non-zero to stop. */
static scry_status walk_list(struct walk *w, uint64_t head, uint64_t member_off,
                             int (*visit)(struct walk *, uint64_t entry, void *), void *ctx)
{
    struct scry_hashset seen = {0};
    uint64_t link;
    scry_status st = SCRY_OK;
    if (scry_hs_add(&seen, head) < 0)
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    if (scry_vspace_read_u64(&w->vs, head + w->l->off.list_next, &link) != SCRY_OK)
        goto out;
    while (!w->stop) {
        int added = scry_hs_add(&seen, link);
        if (added < 0) {
            st = scry_err(SCRY_ERR_NOMEM, "out of memory");
            break;
        }
        if (!added || !link)
            break;
        if (++w->count > SCRY_MAX_TASKS) {
            w->stop = 1;
            break;
        }
        if (visit(w, link - member_off, ctx))
            break;
        if (scry_vspace_read_u64(&w->vs, link + w->l->off.list_next, &link) != SCRY_OK)
            break;
    }
out:
    scry_hs_free(&seen);
    return st;
}

static int emit(struct walk *w, uint64_t addr, int thread)
{
    struct scry_linux_task t;
    if (scry_linux_task_read(w->l, &w->vs, addr, &t) != SCRY_OK)
        return 0; /* unreadable task: skipped, the walk goes on */
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

static int visit_task(struct walk *w, uint64_t addr, void *threads)
{
    if (emit(w, addr, 0))
        return 1;
    if (*(int *)threads) {
        uint64_t leader = addr;
        if (walk_list(w, addr + w->l->off.task_thread_group, w->l->off.task_thread_group,
                      visit_thread, &leader) != SCRY_OK)
            w->stop = 1;
    }
    return w->stop;
}

scry_status scry_linux_walk_tasks(const struct scry_linux *l, int threads, scry_task_fn fn,
                                  void *user)
{
    struct walk w = {.l = l, .fn = fn, .user = user};
    scry_status st;
    if (threads && l->off.task_thread_group == SCRY_LINUX_NO_OFFSET)
        return scry_err(SCRY_ERR_UNSUPPORTED,
                        "%s: task_struct has no thread_group: threads of kernels >= 6.7 "
                        "(signal->thread_head) are not supported yet",
                        l->isf_path);
    st = scry_vspace_init(&w.vs, l->kernel.phys, l->kernel.mode, l->kernel.dtb);
    if (st != SCRY_OK)
        return st;
    return walk_list(&w, l->init_task + l->off.task_tasks, l->off.task_tasks, visit_task, &threads);
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
