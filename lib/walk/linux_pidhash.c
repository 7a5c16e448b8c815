/* linux_pidhash.c - the PID table's tasks (init_pid_ns.idr's xarray). */
#include "lib/walk/linux_pidhash.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/hashset.h"
#include "lib/vspace/vspace.h"
#include "symbols/symtab.h"

/* XArray entry tags: the two low bits; 2 marks an internal entry (a node). */
#define XA_TAG_MASK 3u
#define XA_TAG_INTERNAL 2u
#define XA_SLOTS_MAX 256u

struct offs {
    uint64_t init_pid_ns, ns_idr, idr_rt, xa_head, node_shift, node_slots, slots_size;
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
    unsigned nslots, chunk_shift;
    struct scry_hashset seen;
    struct item *v;
    size_t n, cap;
    uint64_t entries, max;
    int stop;
    scry_status st; /* NOMEM or CANCELLED */
};

static scry_status resolve(const struct scry_linux *l, struct offs *o)
{
    struct scry_field_spec f[] = {
        {"pid_namespace", "idr", &o->ns_idr, NULL, 1},
        {"idr", "idr_rt", &o->idr_rt, NULL, 1},
        {"xarray", "xa_head", &o->xa_head, NULL, 1},
        {"xa_node", "shift", &o->node_shift, NULL, 1},
        {"xa_node", "slots", &o->node_slots, &o->slots_size, 1},
        SCRY_FIELD("pid", "tasks", &o->pid_tasks),
        SCRY_FIELD_OPT("task_struct", "pid_links", &o->task_links),
        SCRY_FIELD_OPT("task_struct", "pids", &o->task_pids),
    };
    struct scry_symbol_spec s[] = {SCRY_SYMBOL("init_pid_ns", &o->init_pid_ns)};
    scry_status st = scry_resolve_fields(l->symtab, f, sizeof f / sizeof f[0]);
    if (st != SCRY_OK)
        return scry_err_ctx(st, "%s", l->isf_path);
    for (size_t i = 0; i < 5; i++)
        if (*f[i].offset == SCRY_NO_OFFSET)
            return scry_err(SCRY_ERR_UNSUPPORTED,
                            "%s: no %s.%s: only a PID table kept in an xarray (kernels >= 4.20) "
                            "is supported",
                            l->isf_path, f[i].type, f[i].field);
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

/* Volatility's is_valid over [va, va+len): every page translates to
 * memory the dump has. */
static int readable(struct walk *w, uint64_t va, uint64_t len)
{
    uint64_t end = va + len, pa;
    if (end < va)
        return 0;
    for (uint64_t pg = va & ~(uint64_t)(SCRY_PAGE_SIZE - 1); pg < end; pg += SCRY_PAGE_SIZE)
        if (scry_vspace_translate(&w->vs, pg, &pa) != SCRY_OK ||
            scry_phys_find_run(w->vs.phys, pa) == (size_t)-1)
            return 0;
    return 1;
}

static void add_task(struct walk *w, uint64_t pidp)
{
    const struct offs *o = &w->o;
    uint64_t first, links = o->task_links != SCRY_NO_OFFSET ? o->task_links : o->task_pids;
    struct scry_linux_task t;
    scry_status st, pst;
    st = scry_vspace_read_u64(&w->vs, pidp + o->pid_tasks + 8 * (uint64_t)o->pidtype_pid, &first);
    if (st != SCRY_OK) {
        scry_op_report(w->op, scry_diag_level_for(st), st,
                       "PID table entry 0x%" PRIx64 " skipped", pidp);
        return;
    }
    if (!first || !readable(w, first, 16))
        return;
    st = scry_linux_task_read(w->l, &w->vs, first - links, &t, &pst);
    if (st != SCRY_OK) {
        scry_op_report(w->op, scry_diag_level_for(st), st,
                       "task 0x%" PRIx64 " of PID table entry 0x%" PRIx64 " skipped",
                       first - links, pidp);
        return;
    }
    if (t.pid <= 0 || !t.parent || !readable(w, t.parent, o->task_size) || !t.parent_ok)
        return;
    if (w->n == w->cap) {
        size_t cap = w->cap ? 2 * w->cap : 256;
        struct item *v = realloc(w->v, cap * sizeof *v);
        if (!v) {
            w->st = scry_err(SCRY_ERR_NOMEM, "out of memory");
            w->stop = 1;
            return;
        }
        w->v = v;
        w->cap = cap;
    }
    w->v[w->n].t = t;
    w->v[w->n].seq = w->n;
    w->n++;
}

/* One entry of the tree (a leaf slot, or the root when it is no node). */
static void entry(struct walk *w, uint64_t p)
{
    if (++w->entries > w->max) {
        scry_op_say(w->op, SCRY_DIAG_WARNING, SCRY_ERR_LIMIT,
                    "PID table ends early: more than %" PRIu64 " entries", w->max);
        w->stop = 1;
        return;
    }
    if (scry_op_tick(w->op, w->entries, 0)) {
        w->st = scry_op_cancelled();
        w->stop = 1;
        return;
    }
    add_task(w, p);
}

/* Volatility's _iter_node: the node's non-zero slots in order, internal
 * entries untagged; at height 1 the entries, above it the children (whose
 * height is the parent's minus one, whatever their shift says). */
static void iter_node(struct walk *w, uint64_t node, unsigned height)
{
    uint8_t slots[XA_SLOTS_MAX * 8];
    int added = scry_hs_add(&w->seen, node);
    scry_status st;
    if (added < 0) {
        w->st = scry_err(SCRY_ERR_NOMEM, "out of memory");
        w->stop = 1;
        return;
    }
    if (!added) {
        scry_op_say(w->op, SCRY_DIAG_WARNING, SCRY_ERR_CORRUPT,
                    "PID table: node 0x%" PRIx64 " is reached twice (a loop); skipped", node);
        return;
    }
    st = scry_vspace_read(&w->vs, node + w->o.node_slots, slots, 8 * (size_t)w->nslots);
    if (st != SCRY_OK) {
        scry_op_report(w->op, SCRY_DIAG_WARNING, st,
                       "PID table: node 0x%" PRIx64 " cannot be read; its entries are missing",
                       node);
        return;
    }
    for (unsigned i = 0; i < w->nslots && !w->stop; i++) {
        uint64_t slot, p;
        memcpy(&slot, slots + 8 * i, 8);
        if (!slot)
            continue;
        p = (slot & XA_TAG_MASK) == XA_TAG_INTERNAL ? slot & ~(uint64_t)XA_TAG_INTERNAL : slot;
        if (height == 1) {
            if (!(p & XA_TAG_MASK))
                entry(w, p);
        } else {
            iter_node(w, p, height - 1);
        }
    }
}

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
    uint64_t head;
    scry_status st;
    *out = NULL;
    *n = 0;
    if ((st = resolve(l, &w.o)) != SCRY_OK)
        return st;
    w.nslots = (unsigned)(w.o.slots_size / 8);
    if (w.nslots < 2 || w.nslots > XA_SLOTS_MAX || (w.nslots & (w.nslots - 1)))
        return scry_err(SCRY_ERR_CORRUPT, "%s: xa_node.slots has %u entries", l->isf_path,
                        w.nslots);
    while ((1u << w.chunk_shift) < w.nslots)
        w.chunk_shift++;
    w.max = op && op->max_entries ? op->max_entries : SCRY_MAX_TASKS;
    if ((st = scry_profile_kernel(&l->base, &w.vs)) != SCRY_OK)
        return st;
    uint64_t root = w.o.init_pid_ns + l->virt_shift + w.o.ns_idr + w.o.idr_rt + w.o.xa_head;
    if ((st = scry_vspace_read_u64(&w.vs, root, &head)) != SCRY_OK) {
        scry_op_report(op, SCRY_DIAG_WARNING, st,
                       "PID table cannot start: init_pid_ns.idr at 0x%" PRIx64
                       " cannot be read",
                       root);
        return SCRY_OK;
    }
    if (head) {
        int internal = (head & XA_TAG_MASK) == XA_TAG_INTERNAL;
        head &= ~(uint64_t)XA_TAG_MASK;
        if (!internal) {
            entry(&w, head);
        } else {
            uint8_t shift;
            st = scry_vspace_read(&w.vs, head + w.o.node_shift, &shift, 1);
            if (st != SCRY_OK)
                scry_op_report(op, SCRY_DIAG_WARNING, st,
                               "PID table: its root node 0x%" PRIx64 " cannot be read", head);
            else if (shift % w.chunk_shift || shift / w.chunk_shift + 1 > SCRY_PIDHASH_MAX_HEIGHT)
                scry_op_say(op, SCRY_DIAG_WARNING, SCRY_ERR_CORRUPT,
                            "PID table: root node 0x%" PRIx64 " has shift %u (not a tree of at "
                            "most %u levels of %u bits); not walked",
                            head, shift, SCRY_PIDHASH_MAX_HEIGHT, w.chunk_shift);
            else
                iter_node(&w, head, shift / w.chunk_shift + 1u);
        }
    }
    scry_hs_free(&w.seen);
    if (w.st != SCRY_OK) {
        free(w.v);
        return w.st;
    }
    qsort(w.v, w.n, sizeof *w.v, by_ids);
    /* The tasks alone, in place: each item is larger than its task. */
    struct scry_linux_task *v = (struct scry_linux_task *)(void *)w.v;
    for (size_t i = 0; i < w.n; i++)
        memmove(&v[i], &w.v[i].t, sizeof v[i]);
    *out = v;
    *n = w.n;
    return SCRY_OK;
}
