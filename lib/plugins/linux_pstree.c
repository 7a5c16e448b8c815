/* linux_pstree.c - linux.pstree.PsTree: the task list as a tree.
 *
 * Same tree as Volatility 2.11.0's pstree: tasks keyed by TID in list order
 * (a repeated TID keeps its first place, the later task wins); each task's
 * parent key is parent->pid for a thread-group leader and tgid for a thread;
 * roots are tasks whose parent is not listed, emitted in list order; children
 * follow depth-first, sorted by TID. Unlike Volatility, a parent cycle cannot
 * loop: level counting is bounded by the number of tasks, and each task is
 * emitted once. */
#include <stdlib.h>
#include <string.h>

#include "lib/plugins/linux_common.h"

enum { OPT_PID = SCRY_LINUX_OPT_PID, OPT_THREADS = SCRY_LINUX_OPT_THREADS,
       OPT_DECORATE = SCRY_LINUX_OPT_DECORATE };

static const struct scry_column columns[] = {
    {"OFFSET (V)", SCRY_COL_HEX}, {"PID", SCRY_COL_INT},  {"TID", SCRY_COL_INT},
    {"PPID", SCRY_COL_INT},       {"COMM", SCRY_COL_STR},
};

struct node {
    struct scry_linux_task t;
    int64_t level;
    size_t first_child, nchildren; /* range in edges[] */
    int emitted;
};

struct edge {
    size_t parent; /* node index */
    int32_t child; /* TID */
};

struct tree {
    struct node *v;
    size_t n, cap;
    /* TID -> node index + 1 (0 = empty slot), open addressing */
    int32_t *keys;
    size_t *vals, mcap;
    const struct scry_optvals *o;
    int in_filtered;
    scry_status st;
};

static size_t *map_slot(struct tree *tr, int32_t pid)
{
    size_t i = ((uint32_t)pid * 2654435761u) & (tr->mcap - 1);
    while (tr->vals[i] && tr->keys[i] != pid)
        i = (i + 1) & (tr->mcap - 1);
    tr->keys[i] = pid;
    return &tr->vals[i];
}

static size_t map_get(struct tree *tr, int32_t pid) /* index + 1, or 0 */
{
    size_t i = ((uint32_t)pid * 2654435761u) & (tr->mcap - 1);
    while (tr->vals[i]) {
        if (tr->keys[i] == pid)
            return tr->vals[i];
        i = (i + 1) & (tr->mcap - 1);
    }
    return 0;
}

static int grow_map(struct tree *tr)
{
    size_t cap = tr->mcap ? tr->mcap * 2 : 1024;
    int32_t *k = calloc(cap, sizeof *k);
    size_t *v = calloc(cap, sizeof *v), oldcap = tr->mcap;
    int32_t *ok = tr->keys;
    size_t *ov = tr->vals;
    if (!k || !v) {
        free(k);
        free(v);
        return -1;
    }
    tr->keys = k, tr->vals = v, tr->mcap = cap;
    for (size_t i = 0; i < oldcap; i++)
        if (ov[i])
            *map_slot(tr, ok[i]) = ov[i];
    free(ok);
    free(ov);
    return 0;
}

static int collect(void *user, const struct scry_linux_task *t)
{
    struct tree *tr = user;
    size_t *slot;
    if (!t->listed_as_thread)
        tr->in_filtered = !scry_opt_int_filter(tr->o, OPT_PID, t->pid);
    if (tr->in_filtered)
        return 0;
    if ((tr->n + 1) * 2 > tr->mcap && grow_map(tr) < 0)
        goto nomem;
    slot = map_slot(tr, t->pid);
    if (*slot) { /* a repeated TID: Python's dict keeps the place */
        tr->v[*slot - 1].t = *t;
        return 0;
    }
    if (tr->n == tr->cap) {
        size_t cap = tr->cap ? tr->cap * 2 : 256;
        struct node *v = realloc(tr->v, cap * sizeof *v);
        if (!v)
            goto nomem;
        tr->v = v, tr->cap = cap;
    }
    memset(&tr->v[tr->n], 0, sizeof tr->v[tr->n]);
    tr->v[tr->n].t = *t;
    *slot = ++tr->n;
    return 0;
nomem:
    tr->st = scry_err(SCRY_ERR_NOMEM, "out of memory");
    return 1;
}

static int cmp_edge(const void *a, const void *b)
{
    const struct edge *x = a, *y = b;
    if (x->parent != y->parent)
        return x->parent < y->parent ? -1 : 1;
    return (x->child > y->child) - (x->child < y->child);
}

/* One step of Volatility's find_level from t (started at TID self): it
 * goes on while t has a parent whose pid is not self, to the parent's pid for
 * a leader and to the tgid for a thread. Returns 0 where it stops. */
static int parent_key(const struct scry_linux_task *t, int32_t self, int32_t *key)
{
    if (!t->parent || !t->parent_ok || t->parent_pid == self)
        return 0;
    *key = t->pid == t->tgid ? t->parent_pid : t->tgid;
    return 1;
}

static scry_status emit_tree(struct tree *tr, const struct scry_linux *l, struct edge *edges,
                             struct scry_result *out)
{
    /* An explicit stack of (node, next child) keeps depth off the C stack. */
    struct frame {
        size_t node, next;
    } *stack = malloc((tr->n + 1) * sizeof *stack);
    scry_status st = SCRY_OK;
    int decorate = tr->o->v[OPT_DECORATE].set;
    if (!stack)
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    for (size_t r = 0; r < tr->n && st == SCRY_OK; r++) {
        size_t sp = 0;
        if (tr->v[r].level != 1 || tr->v[r].emitted)
            continue;
        stack[sp++] = (struct frame){r, 0};
        tr->v[r].emitted = 1;
        while (sp && st == SCRY_OK) {
            struct frame *f = &stack[sp - 1];
            struct node *nd = &tr->v[f->node];
            if (f->next == 0) {
                struct scry_cell cells[5];
                char comm[52];
                scry_linux_pslist_cells(l, &nd->t, decorate, cells, comm);
                st = scry_result_add(out, (int)(nd->level - 1), cells);
            }
            if (f->next >= nd->nchildren) {
                sp--;
                continue;
            }
            size_t child = map_get(tr, edges[nd->first_child + f->next++].child);
            if (child && !tr->v[child - 1].emitted && sp <= tr->n) {
                tr->v[child - 1].emitted = 1;
                stack[sp++] = (struct frame){child - 1, 0};
            }
        }
    }
    free(stack);
    return st;
}

static scry_status run(struct scry_plugin_ctx *pc)
{
    const struct scry_linux *l = scry_linux_of(pc->profile);
    const struct scry_optvals *o = pc->opts;
    struct tree tr = {.o = o};
    struct edge *edges = NULL;
    size_t nedges = 0, cap = 0;
    scry_status st = scry_linux_walk_tasks(l, pc->op, o->v[OPT_THREADS].set, collect, &tr);
    if (st == SCRY_OK)
        st = tr.st;
    /* Levels: steps up the parent keys until a key that is not listed. */
    for (size_t i = 0; i < tr.n && st == SCRY_OK; i++) {
        int32_t self = tr.v[i].t.pid, key;
        size_t cur = i + 1, steps = 0;
        while (cur && steps <= tr.n && parent_key(&tr.v[cur - 1].t, self, &key)) {
            size_t p = map_get(&tr, key);
            if (p) {
                if (nedges == cap) {
                    size_t nc = cap ? cap * 2 : 256;
                    struct edge *e = realloc(edges, nc * sizeof *e);
                    if (!e) {
                        st = scry_err(SCRY_ERR_NOMEM, "out of memory");
                        break;
                    }
                    edges = e, cap = nc;
                }
                edges[nedges++] = (struct edge){p - 1, tr.v[cur - 1].t.pid};
            }
            cur = p;
            steps++;
        }
        tr.v[i].level = (int64_t)steps;
        /* Real parent chains end at a task whose parent is not listed; one
         * that comes back to its start, or never ends, is damage. */
        if (st == SCRY_OK && cur && (steps > tr.n || tr.v[cur - 1].t.parent_pid == self) &&
            tr.v[cur - 1].t.parent && tr.v[cur - 1].t.parent_ok) {
            scry_err_clear();
            scry_op_report(pc->op, SCRY_DIAG_WARNING, SCRY_ERR_CORRUPT,
                           "pid %d: its parent chain loops (a parent cycle); its place in the "
                           "tree is a guess",
                           (int)self);
        }
    }
    if (st == SCRY_OK) {
        size_t w = 0;
        if (nedges)
            qsort(edges, nedges, sizeof *edges, cmp_edge);
        for (size_t i = 0; i < nedges; i++) /* children are a set: dedupe */
            if (!w || cmp_edge(&edges[w - 1], &edges[i]) != 0)
                edges[w++] = edges[i];
        nedges = w;
        for (size_t i = 0; i < nedges; i++) {
            struct node *p = &tr.v[edges[i].parent];
            if (!p->nchildren++)
                p->first_child = i;
        }
        st = emit_tree(&tr, l, edges, pc->out);
    }
    free(edges);
    free(tr.v);
    free(tr.keys);
    free(tr.vals);
    return st;
}

const struct scry_plugin scry_plugin_linux_pstree = {
    .name = "linux.pstree.PsTree",
    .alias = "linux.pstree",
    .description = "Plugin for listing processes in a tree based on their parent process ID.",
    .options = scry_linux_task_options,
    .noptions = SCRY_LINUX_NOPTS,
    .columns = columns,
    .ncolumns = sizeof columns / sizeof columns[0],
    .os = "linux",
    .run = run,
};
