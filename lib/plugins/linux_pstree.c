/* linux_pstree.c - linux.pstree.PsTree: the task list as a tree.
 *
 * Same tree as Volatility 2.11.0's pstree: tasks keyed by TID in list order
 * (a repeated TID keeps its first place, the later task wins); each task's
 * parent key is parent->pid for a thread-group leader and tgid for a thread;
 * roots are tasks whose parent is not listed, emitted in list order; children
 * follow depth-first, sorted by TID.
 *
 * Linear in the number of tasks n, in time, memory and output. Each task
 * takes one step up (to its parent key's task); the steps form a graph in
 * which every task has at most one successor, so a task's level is one more
 * than its successor's, computed once per task (memoised) by following the
 * steps until a task already known: each task is climbed from exactly once.
 * A task's children are the tasks whose own first step leads to it: the
 * edges of Volatility's longer climbs are each the first step of some task
 * (or a task to itself, which adds no child), so one edge per task gives the
 * same tree. Each task is emitted once.
 *
 * Parent cycles (cycles of the steps), where Volatility's climb stops only
 * when it comes back to the task it started from and otherwise never ends:
 * - a task that is its own parent: level 0, as Volatility (no row of its
 *   own; it has no tree to be in);
 * - a task on a cycle of two or more tasks: level 1, a root (for two, the
 *   level Volatility and the quadratic climb before gave; for more, the
 *   climb before gave k - 1 and dropped the whole cycle from the tree);
 * - a task whose chain leads into a cycle (Volatility loops forever; the
 *   quadratic climb gave n + 1, which the result's depth clamping turned
 *   into one level deeper per row): one more than the task its parent key
 *   names, so it sits below the cycle at its distance from it (below a
 *   task that is its own parent: level 1, a root).
 * Only where parent pointers loop can this differ from the climb before
 * otherwise: a thread whose parent's pid is the climbing task's own no
 * longer ends that task's climb (threads step to their tgid, not their
 * parent, so that is no cycle of the steps).
 * Every task whose chain loops (on a cycle or leading into one) gets the
 * WARNING "pid N: its parent chain loops (a parent cycle); its place in the
 * tree is a guess", once, in list order (diagnostics are capped per result).
 * Levels stay <= n and the tree's depth with them. */
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
    unsigned char state; /* level: 0 not yet, 1 on the climb, 2 known */
    unsigned char loops; /* its parent chain loops                    */
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
    struct scry_result *acct; /* allocation accounting */
};

/* Accounting of a table that went from old to new bytes. */
static void account(struct tree *tr, size_t old, size_t new)
{
    scry_result_hold(tr->acct, new);
    scry_result_release(tr->acct, old);
}

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
    account(tr, oldcap * (sizeof *k + sizeof *v), cap * (sizeof *k + sizeof *v));
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
        account(tr, tr->cap * sizeof *v, cap * sizeof *v);
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

/* A task whose parent is itself (by pid): Volatility stops at once. */
static int self_parented(const struct scry_linux_task *t)
{
    return t->parent && t->parent_ok && t->parent_pid == t->pid;
}

/* Task i's own first step up: 0 where there is none (no readable parent,
 * or the parent is the task itself), else 1 with *to the index + 1 of the
 * task its parent key names (0: not listed), the parent's pid for a leader
 * and the tgid for a thread. */
static int first_step(struct tree *tr, size_t i, size_t *to)
{
    const struct scry_linux_task *t = &tr->v[i].t;
    if (!t->parent || !t->parent_ok || t->parent_pid == t->pid)
        return 0;
    *to = map_get(tr, t->pid == t->tgid ? t->parent_pid : t->tgid);
    return 1;
}

/* Levels of every task, each climbed from once (see the header comment);
 * path holds n entries. Returns the climb steps taken. */
static uint64_t levels(struct tree *tr, size_t *path)
{
    uint64_t steps = 0;
    for (size_t s = 0; s < tr->n; s++) {
        size_t k = 0, x = s, to = 0;
        if (tr->v[s].state == 2)
            continue;
        /* Climb until a task whose level is known, a task already on this
         * climb (a cycle), or the end of the chain. */
        for (;;) {
            struct node *nd = &tr->v[x];
            if (nd->state)
                break;
            nd->state = 1;
            path[k++] = x;
            steps++;
            if (self_parented(&nd->t)) { /* a cycle of one */
                nd->level = 0, nd->loops = 1, nd->state = 2;
                k--;
                break;
            }
            if (!first_step(tr, x, &to)) { /* no parent: no level */
                nd->level = 0, nd->state = 2;
                k--;
                break;
            }
            if (!to) { /* a parent that is not listed: a root */
                nd->level = 1, nd->state = 2;
                k--;
                break;
            }
            x = to - 1;
        }
        if (k && tr->v[x].state == 1) { /* x is on this climb: a cycle */
            size_t j = k;
            while (j && path[j - 1] != x)
                j--;
            for (size_t m = j ? j - 1 : 0; m < k; m++) {
                struct node *nd = &tr->v[path[m]];
                nd->level = 1, nd->loops = 1, nd->state = 2;
            }
            k = j ? j - 1 : 0;
        }
        /* The rest of the climb, downwards: one below its successor. */
        while (k) {
            struct node *nd = &tr->v[path[--k]];
            const struct node *up;
            first_step(tr, path[k], &to);
            up = &tr->v[to - 1];
            nd->level = up->level + 1, nd->loops = up->loops, nd->state = 2;
        }
    }
    return steps;
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
    scry_result_hold(out, (tr->n + 1) * sizeof *stack);
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
    scry_result_release(out, (tr->n + 1) * sizeof *stack);
    return st;
}

static scry_status run(struct scry_plugin_ctx *pc)
{
    const struct scry_linux *l = scry_linux_of(pc->profile);
    const struct scry_optvals *o = pc->opts;
    struct tree tr = {.o = o, .acct = pc->out};
    struct edge *edges = NULL;
    size_t *path = NULL, nedges = 0;
    scry_status st = scry_linux_walk_tasks(l, pc->op, o->v[OPT_THREADS].set, collect, &tr);
    if (st == SCRY_OK)
        st = tr.st;
    if (st == SCRY_OK && tr.n) {
        path = malloc(tr.n * sizeof *path);
        edges = malloc(tr.n * sizeof *edges);
        if (!path || !edges)
            st = scry_err(SCRY_ERR_NOMEM, "out of memory");
        else
            scry_result_hold(pc->out, tr.n * (sizeof *path + sizeof *edges));
    }
    if (st == SCRY_OK && tr.n) {
        scry_result_work(pc->out, levels(&tr, path));
        for (size_t i = 0; i < tr.n; i++) {
            size_t to;
            /* Real parent chains end at a task whose parent is not listed;
             * one that comes back, or leads into a loop, is damage. */
            if (tr.v[i].loops) {
                scry_op_say(pc->op, SCRY_DIAG_WARNING, SCRY_ERR_CORRUPT,
                            "pid %d: its parent chain loops (a parent cycle); its place in "
                            "the tree is a guess",
                            (int)tr.v[i].t.pid);
            }
            if (first_step(&tr, i, &to) && to)
                edges[nedges++] = (struct edge){to - 1, tr.v[i].t.pid};
        }
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
        free(path); /* emit_tree's stack takes its place */
        path = NULL;
        scry_result_release(pc->out, tr.n * sizeof *path);
        st = emit_tree(&tr, l, edges, pc->out);
    }
    if (path)
        scry_result_release(pc->out, tr.n * sizeof *path);
    if (edges)
        scry_result_release(pc->out, tr.n * sizeof *edges);
    scry_result_release(pc->out,
                        tr.cap * sizeof *tr.v + tr.mcap * (sizeof *tr.keys + sizeof *tr.vals));
    free(path);
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
