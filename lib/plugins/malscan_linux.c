/* malscan_linux.c - the malware scan's regions on Linux: each user
 * process's VMAs (through its own page tables, mm->pgd) and the loaded
 * kernel modules' memory (the kernel space). */
#include <stdlib.h>
#include <string.h>

#include "lib/base/error.h"
#include "lib/os/linux.h"
#include "lib/plugins/malscan_os.h"
#include "lib/walk/linux_modules.h"
#include "lib/walk/linux_tasks.h"
#include "lib/walk/linux_vma.h"

#define VM_WRITE 0x2u
#define VM_EXEC 0x4u

struct ctx {
    const struct scry_linux *l;
    struct scry_vspace ks;
    struct scry_op *op;
    scry_scan_mode mode;
    const struct scry_pid_filter *pids;
    struct scry_region_list *out;
    const struct scry_linux_task *task;
    char comm[64];
    struct scry_vspace ps;
    scry_status st;
};

static int on_vma(void *user, const struct scry_linux_vma *v)
{
    struct ctx *c = user;
    /* quick: code, and memory a process can write that no file backs
     * (heap, stack, anonymous maps: where injected code and unpacked
     * payloads live) */
    if (c->mode == SCRY_SCAN_QUICK && !(v->flags & VM_EXEC) &&
        !(v->file == 0 && (v->flags & VM_WRITE)))
        return 0;
    if (v->end <= v->start)
        return 0;
    char *name = NULL;
    if ((c->st = scry_linux_vma_name(c->l, &c->ks, c->task, v, &name)) != SCRY_OK)
        return 1;
    struct scry_scan_region r = {.kind = SCRY_REGION_PROCESS, .pid = c->task->tgid,
                                 .owner = c->comm, .name = name, .start = v->start,
                                 .end = v->end, .mode = c->ps.mode, .dtb = c->ps.dtb};
    scry_linux_vma_prot(v->flags, r.prot);
    c->st = scry_region_add(c->out, &r);
    free(name);
    return c->st != SCRY_OK;
}

static int on_task(void *user, const struct scry_linux_task *t)
{
    struct ctx *c = user;
    if (!t->mm || !scry_pid_wanted(c->pids, t->tgid))
        return 0;
    scry_status st = scry_linux_process_vspace(c->l, &c->ks, t->mm, &c->ps);
    if (st != SCRY_OK) {
        scry_op_report(c->op, scry_diag_level_for(st), st, "process %d skipped", (int)t->tgid);
        return 0;
    }
    c->task = t;
    scry_linux_comm(t->comm, c->comm);
    st = scry_linux_walk_vmas(c->l, &c->ks, c->op, t->mm, on_vma, c);
    if (c->st == SCRY_OK && st != SCRY_OK)
        c->st = st;
    return c->st != SCRY_OK;
}

static int on_module(void *user, const struct scry_linux_module *m)
{
    struct ctx *c = user;
    for (size_t i = 0; i < m->nparts; i++) {
        /* an init part is freed (base NULL) once the module has loaded */
        if (!m->parts[i].base || !m->parts[i].size ||
            (m->parts[i].base & c->l->va_mask) + m->parts[i].size > c->l->va_mask + 1)
            continue;
        /* kernel addresses masked to the layer's width, as Volatility
         * prints them (and as the space enumerates them) */
        uint64_t start = m->parts[i].base & c->l->va_mask;
        struct scry_scan_region r = {.kind = SCRY_REGION_MODULE, .pid = -1, .owner = m->name,
                                     .name = m->parts[i].what, .start = start,
                                     .end = start + m->parts[i].size,
                                     .mode = c->ks.mode, .dtb = c->ks.dtb};
        if ((c->st = scry_region_add(c->out, &r)) != SCRY_OK)
            return 1;
    }
    return 0;
}

static scry_status collect(const struct scry_profile *p, struct scry_op *op,
                           scry_scan_mode mode, const struct scry_pid_filter *pids,
                           struct scry_region_list *out)
{
    struct ctx c = {.l = scry_linux_of(p), .op = op, .mode = mode, .pids = pids, .out = out};
    scry_status st;
    if (!c.l)
        return scry_err(SCRY_ERR_INVALID_ARG, "not a Linux profile");
    if ((st = scry_profile_kernel(p, &c.ks)) != SCRY_OK)
        return st;
    st = scry_linux_walk_tasks(c.l, op, 0, on_task, &c);
    if (st == SCRY_OK)
        st = c.st;
    if (st != SCRY_OK || pids)
        return st; /* a pid filter asks for those processes only */
    st = scry_linux_walk_modules(c.l, &c.ks, op, on_module, &c);
    return st != SCRY_OK ? st : c.st;
}

const struct scry_malscan_os scry_malscan_linux = {.os = "linux", .collect = collect};
