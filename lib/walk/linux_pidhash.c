/* linux_pidhash.c - the PID table's tasks (init_pid_ns.idr's xarray). */
#include "lib/walk/linux_pidhash.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "lib/vspace/vspace.h"
#include "lib/walk/linux_xarray.h"
#include "symbols/symtab.h"

struct offs {
    uint64_t init_pid_ns, ns_idr;
    uint64_t pid_tasks, task_links, task_pids, task_size;
    int64_t pidtype_pid;
};

/* A task found and its place in the walk (Python's sort is stable). */
struct item {
    struct scry_linux_task t;
    size_t seq;
};

struct walk {
    const struct scry_linux *l;
    struct scry_op *op;
    struct scry_vspace vs;
    struct offs o;
    struct item *v;
    size_t n, cap;
    scry_status st; /* NOMEM */
};

static scry_status resolve(const struct scry_linux *l, struct offs *o)
{
    struct scry_field_spec f[] = {
        {"pid_namespace", "idr", &o->ns_idr, NULL, 1},
        SCRY_FIELD("pid", "tasks", &o->pid_tasks),
        SCRY_FIELD_OPT("task_struct", "pid_links", &o->task_links),
        SCRY_FIELD_OPT("task_struct", "pids", &o->task_pids),
    };
    struct scry_symbol_spec s[] = {SCRY_SYMBOL("init_pid_ns", &o->init_pid_ns)};
    scry_status st = scry_resolve_fields(l->symtab, f, sizeof f / sizeof f[0]);
    if (st != SCRY_OK)
        return scry_err_ctx(st, "%s", l->isf_path);
    if (o->ns_idr == SCRY_NO_OFFSET) /* the pid_hash of kernels < 4.15 */
        return scry_err(SCRY_ERR_UNSUPPORTED,
                        "%s: no pid_namespace.idr: only a PID table kept in an xarray (kernels "
                        ">= 4.20) is supported",
                        l->isf_path);
    if (o->task_links == SCRY_NO_OFFSET && o->task_pids == SCRY_NO_OFFSET)
        return scry_err(SCRY_ERR_NOT_FOUND, "%s: task_struct has neither pid_links nor pids",
                        l->isf_path);
    if ((st = scry_resolve_symbols(l->symtab, s, 1)) != SCRY_OK)
        return scry_err_ctx(st, "%s", l->isf_path);
    if ((st = scry_sym_enum_value(l->symtab, "pid_type", "PIDTYPE_PID", &o->pidtype_pid)) !=
        SCRY_OK)
        return scry_err_ctx(st, "%s", l->isf_path);
    if (o->pidtype_pid < 0 || o->pidtype_pid > 64)
        return scry_err(SCRY_ERR_CORRUPT, "%s: PIDTYPE_PID is %" PRId64, l->isf_path,
                        o->pidtype_pid);
    return scry_sym_type_size(l->symtab, "task_struct", &o->task_size);
}

static int add_task(void *user, uint64_t pidp)
{
    struct walk *w = user;
    const struct offs *o = &w->o;
    uint64_t first, links = o->task_links != SCRY_NO_OFFSET ? o->task_links : o->task_pids;
    struct scry_linux_task t;
    scry_status st, pst;
    st = scry_vspace_read_u64(&w->vs, pidp + o->pid_tasks + 8 * (uint64_t)o->pidtype_pid, &first);
    if (st != SCRY_OK) {
        scry_op_report(w->op, scry_diag_level_for(st), st,
                       "PID table entry 0x%" PRIx64 " skipped", pidp);
        return 0;
    }
    if (!first || !scry_vspace_readable(&w->vs, first, 16))
        return 0;
    st = scry_linux_task_read(w->l, &w->vs, first - links, &t, &pst);
    if (st != SCRY_OK) {
        scry_op_report(w->op, scry_diag_level_for(st), st,
                       "task 0x%" PRIx64 " of PID table entry 0x%" PRIx64 " skipped",
                       first - links, pidp);
        return 0;
    }
    if (t.pid <= 0 || !t.parent || !scry_vspace_readable(&w->vs, t.parent, o->task_size) || !t.parent_ok)
        return 0;
    if (w->n == w->cap) {
        size_t cap = w->cap ? 2 * w->cap : 256;
        struct item *v = realloc(w->v, cap * sizeof *v);
        if (!v) {
            w->st = scry_err(SCRY_ERR_NOMEM, "out of memory");
            return 1;
        }
        w->v = v;
        w->cap = cap;
    }
    w->v[w->n].t = t;
    w->v[w->n].seq = w->n;
    w->n++;
    return 0;
}

/* One entry of the tree (a leaf slot, or the root when it is no node). */
static int by_ids(const void *a, const void *b)
{
    const struct item *x = a, *y = b;
    if (x->t.tgid != y->t.tgid)
        return x->t.tgid < y->t.tgid ? -1 : 1;
    if (x->t.pid != y->t.pid)
        return x->t.pid < y->t.pid ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

scry_status scry_linux_pidhash_tasks(const struct scry_linux *l, struct scry_op *op,
                                     struct scry_linux_task **out, size_t *n)
{
    struct walk w = {.l = l, .op = op};
    struct scry_linux_xarray x;
    scry_status st;
    *out = NULL;
    *n = 0;
    if ((st = resolve(l, &w.o)) != SCRY_OK || (st = scry_linux_xarray_resolve(l, &x)) != SCRY_OK)
        return st;
    if ((st = scry_profile_kernel(&l->base, &w.vs)) != SCRY_OK)
        return st;
    st = scry_linux_xarray_walk(&x, &w.vs, op, w.o.init_pid_ns + l->virt_shift + w.o.ns_idr,
                                "PID table", op && op->max_entries ? op->max_entries
                                                                   : SCRY_MAX_TASKS,
                                add_task, &w);
    if (st == SCRY_OK)
        st = w.st;
    if (st != SCRY_OK) {
        free(w.v);
        return st;
    }
    if (w.n) /* qsort must not get NULL */
        qsort(w.v, w.n, sizeof *w.v, by_ids);
    /* The tasks alone, in place: each item is larger than its task. */
    struct scry_linux_task *v = (struct scry_linux_task *)(void *)w.v;
    for (size_t i = 0; i < w.n; i++)
        memmove(&v[i], &w.v[i].t, sizeof v[i]);
    *out = v;
    *n = w.n;
    return SCRY_OK;
}
