/* windows_pstree.c - windows.pstree.PsTree: the active process list as a
 * tree, with the audit name, command line and image path of each process.
 *
 * Volatility 2.11.0's tree, reproduced exactly and in linear time.
 * Processes are keyed by PID in list order (a repeated PID keeps its
 * first place and takes the later record). Volatility then climbs from
 * every process in that order: from x to its parent while the parent PID
 * is not one already seen on this climb; each step taken adds x to the
 * children set of its parent PID, and the number of steps is x's level.
 * Processes of level 1 are the roots, in key order; below each process
 * its children follow depth-first, each set iterated in CPython's set
 * order (slot order of a table of ints hashed to themselves, which
 * depends on the order they were added), each process printed once,
 * at depth level - 1 (the renderer's tree keeps a row at most one level
 * below the row before it).
 *
 * Without the quadratic climb: f(x) = the process x's parent PID names.
 * Its graph is a forest hanging off roots (parent not listed), processes
 * that are their own parent, and cycles. Then
 *   level: 1 for a root, 0 for its own parent, k - 1 on a cycle of k,
 *          1 + level(f(x)) for the rest;
 *   the climb that first adds x to its parent's set: for x not on a
 *          cycle the first (in key order) process whose chain passes x,
 *          i.e. the minimum key index over x's subtree; for x on a cycle
 *          the first climb that does not enter the cycle at f(x) (a climb
 *          that enters at c goes round and stops before the step from c's
 *          predecessor). One climb adds to one parent's set at most once,
 *          so sorting a set's members by that climb gives their order of
 *          addition, and the set is then built as CPython builds it.
 *   --pid: Volatility marks every process whose step a climb from a
 *          listed PID takes ("ancestors"); a row is printed when it is
 *          marked or lies below a listed process. Marks are set walking up
 *          from each listed process until a marked one (its chain is then
 *          marked already); on a cycle, entered at one point only, all but
 *          that point's predecessor.
 * Parent cycles are thus bounded (each process is climbed over a constant
 * number of times) and printed as Volatility prints them: a cycle of two
 * gives two roots, longer cycles and what hangs below them give nothing;
 * each process on a cycle or below one gets a WARNING once. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "lib/plugins/windows_common.h"
#include "lib/walk/windows_peb.h"

enum { OPT_PHYSICAL, OPT_PID, NOPTS };

static const struct scry_option options[NOPTS] = {
    [OPT_PHYSICAL] = {"physical", SCRY_OPT_BOOL, "Display physical offsets instead of virtual"},
    [OPT_PID] = {"pid", SCRY_OPT_INT_LIST,
                 "Process ID to include (with ancestors and descendants, all other processes "
                 "are excluded)"},
};

#define COLS(off)                                                                                \
    {"PID", SCRY_COL_INT}, {"PPID", SCRY_COL_INT}, {"ImageFileName", SCRY_COL_STR},             \
        {off, SCRY_COL_HEX}, {"Threads", SCRY_COL_INT}, {"Handles", SCRY_COL_INT},              \
        {"SessionId", SCRY_COL_INT}, {"Wow64", SCRY_COL_BOOL},                                  \
        {"CreateTime", SCRY_COL_DATETIME}, {"ExitTime", SCRY_COL_DATETIME},                     \
        {"Audit", SCRY_COL_STR}, {"Cmd", SCRY_COL_STR}, {"Path", SCRY_COL_STR}
static const struct scry_column columns[] = {COLS("Offset(V)")};
static const struct scry_column columns_phys[] = {COLS("Offset(P)")};
#define NCOLS 13

struct node {
    uint64_t va, offset, pid, ppid;
    size_t f;        /* index + 1 of the process the parent PID names; 0: none */
    int64_t level;
    size_t emin;     /* the climb (key index) that adds it to its parent's set */
    size_t acc;      /* min key index over its subtree, then of its cycle entry */
    size_t indeg;
    size_t first_child, nchildren; /* range of kids[] in set order */
    unsigned char self, cycle, done, anc, included, emitted, loops;
};

struct tree {
    struct node *v;
    size_t n, cap;
    uint64_t *keys; /* PID -> index + 1, open addressing */
    size_t *vals, mcap;
    const struct scry_windows *w;
    struct scry_vspace *ks;
    struct scry_plugin_ctx *pc;
    int physical;
    scry_status st;
    size_t held;
};

static void hold(struct tree *t, size_t old, size_t new)
{
    scry_result_hold(t->pc->out, new);
    scry_result_release(t->pc->out, old);
}

static size_t slot_of(const struct tree *t, uint64_t pid)
{
    size_t i = (size_t)((pid * 0x9e3779b97f4a7c15ull) >> 20) & (t->mcap - 1);
    while (t->vals[i] && t->keys[i] != pid)
        i = (i + 1) & (t->mcap - 1);
    return i;
}

static size_t map_get(const struct tree *t, uint64_t pid)
{
    return t->mcap ? t->vals[slot_of(t, pid)] : 0;
}

static int grow_map(struct tree *t)
{
    size_t cap = t->mcap ? t->mcap * 2 : 1024, oc = t->mcap;
    uint64_t *k = calloc(cap, sizeof *k), *ok = t->keys;
    size_t *v = calloc(cap, sizeof *v), *ov = t->vals;
    if (!k || !v) {
        free(k);
        free(v);
        return -1;
    }
    hold(t, oc * (sizeof *k + sizeof *v), cap * (sizeof *k + sizeof *v));
    t->keys = k, t->vals = v, t->mcap = cap;
    for (size_t i = 0; i < oc; i++)
        if (ov[i]) {
            size_t s = slot_of(t, ok[i]);
            t->keys[s] = ok[i], t->vals[s] = ov[i];
        }
    free(ok);
    free(ov);
    return 0;
}

static int collect(void *user, const struct scry_win_proc *p)
{
    struct tree *t = user;
    const struct scry_win_off *o = &t->w->off;
    uint64_t offset = p->va, pa;
    if (!scry_win_proc_ok(p, o->ep_pid, 8) || !scry_win_proc_ok(p, o->ep_ppid, 8)) {
        scry_op_say(t->pc->op, SCRY_DIAG_WARNING, SCRY_ERR_NODATA,
                    "process at 0x%" PRIx64 " skipped: its PID or parent PID cannot be read",
                    p->va);
        return 0;
    }
    if (t->physical) {
        if (scry_vspace_translate(t->ks, scry_win_canon(p->va), &pa) != SCRY_OK)
            return 0; /* to_list only yields mapped records: not reached */
        offset = pa;
    }
    uint64_t pid = scry_win_mask(scry_win_u64(p->b, o->ep_pid));
    uint64_t ppid = scry_win_mask(scry_win_u64(p->b, o->ep_ppid));
    if ((t->n + 1) * 2 > t->mcap && grow_map(t) < 0)
        goto nomem;
    size_t s = slot_of(t, pid);
    if (t->vals[s]) { /* a dict keeps the first place, takes the new value */
        struct node *nd = &t->v[t->vals[s] - 1];
        nd->va = p->va, nd->offset = offset, nd->ppid = ppid;
        return 0;
    }
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 256;
        struct node *v = realloc(t->v, cap * sizeof *v);
        if (!v)
            goto nomem;
        hold(t, t->cap * sizeof *v, cap * sizeof *v);
        t->v = v, t->cap = cap;
    }
    memset(&t->v[t->n], 0, sizeof t->v[t->n]);
    t->v[t->n].va = p->va, t->v[t->n].offset = offset;
    t->v[t->n].pid = pid, t->v[t->n].ppid = ppid;
    t->keys[s] = pid;
    t->vals[s] = ++t->n;
    return 0;
nomem:
    t->st = scry_err(SCRY_ERR_NOMEM, "out of memory");
    return 1;
}

/* ---------------------------------------------------- CPython's set of ints */

#define LINEAR_PROBES 9
#define PERTURB_SHIFT 5

/* Slot table of n distinct PIDs added in order: writes them to out in
 * iteration order. tab has room for the largest table (see set_cap). */
static size_t set_cap(size_t n)
{
    size_t minused = n > 50000 ? n * 2 : n * 4, size = 8;
    while (size <= minused)
        size <<= 1;
    return size < 8 ? 8 : size;
}

static void set_insert_clean(uint64_t *tab, unsigned char *used, size_t mask, uint64_t key)
{
    size_t perturb = (size_t)key, i = (size_t)key & mask;
    for (;;) {
        if (!used[i])
            goto found;
        if (i + LINEAR_PROBES <= mask) {
            for (size_t j = 1; j <= LINEAR_PROBES; j++)
                if (!used[i + j]) {
                    i += j;
                    goto found;
                }
        }
        perturb >>= PERTURB_SHIFT;
        i = (i * 5 + 1 + perturb) & mask;
    }
found:
    tab[i] = key;
    used[i] = 1;
}

/* keys[0..n) distinct, in order of addition; tab/used/tab2/used2 hold
 * set_cap(n) entries each. */
static void set_order(const uint64_t *keys, size_t n, uint64_t *tab, unsigned char *used,
                      uint64_t *tab2, unsigned char *used2, uint64_t *out)
{
    size_t mask = 7, fill = 0;
    memset(used, 0, 8);
    for (size_t k = 0; k < n; k++) {
        uint64_t key = keys[k];
        size_t perturb = (size_t)key, i = (size_t)key & mask, j;
        for (;;) {
            size_t probes = i + LINEAR_PROBES <= mask ? LINEAR_PROBES : 0;
            j = i;
            int stop = 0;
            for (size_t q = 0; q <= probes; q++, j++)
                if (!used[j]) {
                    stop = 1;
                    break;
                }
            if (stop)
                break;
            perturb >>= PERTURB_SHIFT;
            i = (i * 5 + 1 + perturb) & mask;
        }
        tab[j] = key;
        used[j] = 1;
        fill++;
        if (fill * 5 < mask * 3)
            continue;
        size_t size = set_cap(fill);
        memset(used2, 0, size);
        for (size_t s = 0; s <= mask; s++)
            if (used[s])
                set_insert_clean(tab2, used2, size - 1, tab[s]);
        memcpy(tab, tab2, size * sizeof *tab);
        memcpy(used, used2, size);
        mask = size - 1;
    }
    size_t w = 0;
    for (size_t s = 0; s <= mask; s++)
        if (used[s])
            out[w++] = tab[s];
}

/* ------------------------------------------------------------ the tree */

struct kid {
    size_t parent, child; /* node indices */
    size_t emin;
};

static int cmp_kid(const void *a, const void *b)
{
    const struct kid *x = a, *y = b;
    if (x->parent != y->parent)
        return x->parent < y->parent ? -1 : 1;
    return (x->emin > y->emin) - (x->emin < y->emin);
}

/* Levels, first climbs and cycles; order, cyc hold n entries. */
static void shape(struct tree *t, size_t *order, size_t *cyc)
{
    size_t n = t->n, head = 0, tail = 0;
    for (size_t i = 0; i < n; i++) {
        struct node *x = &t->v[i];
        size_t up = map_get(t, x->ppid);
        x->self = up == i + 1;
        x->f = x->self ? 0 : up;
        x->acc = i;
    }
    for (size_t i = 0; i < n; i++)
        if (t->v[i].f)
            t->v[t->v[i].f - 1].indeg++;
    for (size_t i = 0; i < n; i++)
        if (!t->v[i].indeg)
            order[tail++] = i;
    while (head < tail) { /* leaves first */
        struct node *x = &t->v[order[head++]];
        x->done = 1;
        x->emin = x->acc;
        if (x->f) {
            struct node *up = &t->v[x->f - 1];
            if (x->acc < up->acc)
                up->acc = x->acc;
            if (!--up->indeg)
                order[tail++] = x->f - 1;
        }
    }
    /* What is left lies on cycles of two or more. */
    for (size_t i = 0; i < n; i++) {
        if (t->v[i].done)
            continue;
        size_t k = 0, c = i;
        do {
            cyc[k++] = c;
            t->v[c].done = 1;
            t->v[c].cycle = 1;
            c = t->v[c].f - 1;
        } while (c != i);
        size_t m1 = SIZE_MAX, m1at = 0, m2 = SIZE_MAX;
        for (size_t j = 0; j < k; j++) {
            size_t a = t->v[cyc[j]].acc;
            if (a < m1)
                m2 = m1, m1 = a, m1at = j;
            else if (a < m2)
                m2 = a;
        }
        for (size_t j = 0; j < k; j++) {
            struct node *x = &t->v[cyc[j]];
            x->emin = m1at == (j + 1) % k ? m2 : m1;
            x->level = (int64_t)k - 1;
            x->loops = 1;
        }
    }
    /* The forest's levels, parents first. */
    for (size_t q = tail; q-- > 0;) {
        struct node *x = &t->v[order[q]];
        if (x->self) {
            x->level = 0, x->loops = 1;
        } else if (!x->f) {
            x->level = 1;
        } else {
            x->level = t->v[x->f - 1].level + 1;
            x->loops = t->v[x->f - 1].loops;
        }
    }
}

/* --pid: the "ancestors" marks (see the header). */
static void mark_ancestors(struct tree *t, size_t *entry_of)
{
    /* entry_of[i]: for a cycle node, the first entry point + 1 registered on
     * its cycle is kept at the entry node itself (SIZE_MAX: several). */
    size_t n = t->n;
    for (size_t i = 0; i < n; i++)
        entry_of[i] = 0;
    for (size_t s = 0; s < n; s++) {
        if (!t->v[s].included)
            continue;
        size_t x = s;
        for (;;) {
            struct node *nd = &t->v[x];
            if (nd->cycle) {
                entry_of[x] = 1; /* this point is an entry */
                break;
            }
            if (nd->self || nd->anc)
                break;
            nd->anc = 1;
            if (!nd->f)
                break;
            x = nd->f - 1;
        }
    }
    /* Per cycle: entries counted; one entry spares its predecessor. */
    for (size_t i = 0; i < n; i++) {
        struct node *c0 = &t->v[i];
        if (!c0->cycle || c0->emitted) /* emitted: "cycle seen" scratch */
            continue;
        size_t entries = 0, entry = 0, c = i;
        do {
            t->v[c].emitted = 1;
            if (entry_of[c])
                entries++, entry = c;
            c = t->v[c].f - 1;
        } while (c != i);
        if (!entries)
            continue;
        c = i;
        do {
            if (entries > 1 || t->v[c].f - 1 != entry)
                t->v[c].anc = 1;
            c = t->v[c].f - 1;
        } while (c != i);
    }
    for (size_t i = 0; i < n; i++)
        t->v[i].emitted = 0;
}

static scry_status emit_row(struct tree *t, struct node *nd, struct scry_win_proc *p)
{
    const struct scry_win_off *o = &t->w->off;
    struct scry_cell cells[NCOLS];
    char name[64], *audit = NULL, *cmd = NULL, *path = NULL;
    size_t alen = 0, clen = 0, plen = 0;
    scry_status st = scry_win_proc_read(t->w, t->ks, nd->va, p);
    if (st == SCRY_OK)
        st = scry_win_pslist_cells(t->w, t->ks, p, nd->offset, cells, name);
    if (st != SCRY_OK) {
        scry_op_report(t->pc->op, SCRY_DIAG_WARNING, st,
                       "pid %" PRIu64 ": process at 0x%" PRIx64 " cannot be read; no row",
                       nd->pid, nd->va);
        return st == SCRY_ERR_NOMEM ? st : SCRY_OK;
    }
    cells[0] = scry_cell_int((int64_t)nd->pid);
    cells[1] = scry_cell_int((int64_t)nd->ppid);
    /* SeAuditProcessCreationInfo.ImageFileName->Name, kernel space. */
    cells[10] = scry_cell_absent(SCRY_CELL_NOT_AVAILABLE);
    if (scry_win_proc_ok(p, o->ep_audit, 8)) {
        uint64_t info = scry_win_mask(scry_win_u64(p->b, o->ep_audit));
        st = scry_win_ustr_at(t->w, t->ks, info + o->audit_name, &audit, &alen);
        if (st == SCRY_ERR_NOMEM)
            return st;
        if (st == SCRY_OK && alen)
            cells[10] = scry_cell_str(audit, alen);
    }
    /* get_peb().ProcessParameters: CommandLine, ImagePathName. */
    cells[11] = cells[12] = scry_cell_absent(SCRY_CELL_NOT_AVAILABLE);
    struct scry_win_pspace ps;
    uint64_t params;
    if (scry_win_pspace_open(t->w, p, &ps) == SCRY_OK && scry_win_peb_valid(&ps) &&
        scry_win_peb_params(&ps, &params) == SCRY_OK) {
        st = scry_win_pustr(&ps, params + o->pp_cmdline, &cmd, &clen);
        if (st == SCRY_OK)
            st = scry_win_pustr(&ps, params + o->pp_image_path, &path, &plen);
        if (st == SCRY_ERR_NOMEM) {
            free(audit);
            free(cmd);
            return st;
        }
        if (st == SCRY_OK) {
            cells[11] = scry_cell_str(cmd, clen);
            cells[12] = scry_cell_str(path, plen);
        }
    }
    st = scry_result_add(t->pc->out, (int)(nd->level - 1), cells);
    free(audit);
    free(cmd);
    free(path);
    return st;
}

static scry_status emit(struct tree *t, const size_t *kids)
{
    struct frame {
        size_t node, next;
        unsigned char desc;
    } *stack = malloc((t->n + 1) * sizeof *stack);
    struct scry_win_proc p = {0};
    scry_status st = SCRY_OK;
    if (!stack || !(p.b = malloc(t->w->off.ep_size))) {
        free(stack);
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    }
    hold(t, 0, (t->n + 1) * sizeof *stack);
    for (size_t r = 0; r < t->n && st == SCRY_OK; r++) {
        if (t->v[r].level != 1)
            continue;
        size_t sp = 0;
        int desc = 0;
        size_t x = r;
        for (;;) {
            /* yield_processes(x, desc) */
            struct node *nd = &t->v[x];
            if (!nd->emitted) {
                nd->emitted = 1;
                if (nd->anc || desc) {
                    if ((st = emit_row(t, nd, &p)) != SCRY_OK)
                        break;
                    if (scry_op_tick(t->pc->op, 0, 0)) {
                        st = scry_op_cancelled();
                        break;
                    }
                    stack[sp++] = (struct frame){x, 0, (unsigned char)(desc || nd->included)};
                }
            }
            /* next child of the top frame */
            int found = 0;
            while (sp) {
                struct frame *fr = &stack[sp - 1];
                struct node *top = &t->v[fr->node];
                if (fr->next < top->nchildren) {
                    x = kids[top->first_child + fr->next++];
                    desc = fr->desc;
                    found = 1;
                    break;
                }
                sp--;
            }
            if (!found)
                break;
        }
    }
    free(p.b);
    free(stack);
    hold(t, (t->n + 1) * sizeof *stack, 0);
    return st;
}

static scry_status build(struct tree *t)
{
    size_t n = t->n, nk = 0;
    size_t *order = malloc(n * sizeof *order), *cyc = malloc(n * sizeof *cyc);
    struct kid *k = malloc(n * sizeof *k);
    size_t *kids = malloc(n * sizeof *kids);
    uint64_t *tab = NULL, *tab2 = NULL, *keys = NULL, *out = NULL;
    unsigned char *used = NULL, *used2 = NULL;
    size_t scratch = 4 * n * sizeof(size_t) + n * sizeof(struct kid);
    scry_status st = SCRY_OK;
    if (!order || !cyc || !k || !kids)
        goto nomem;
    hold(t, 0, scratch);
    shape(t, order, cyc);
    const struct scry_optval *pid = &t->pc->opts->v[OPT_PID];
    for (size_t i = 0; i < n; i++) {
        struct node *x = &t->v[i];
        x->included = !pid->set || !pid->nints || scry_opt_int_filter(t->pc->opts, OPT_PID,
                                                                       (int64_t)x->pid);
        if (x->loops)
            scry_op_say(t->pc->op, SCRY_DIAG_WARNING, SCRY_ERR_CORRUPT,
                        "pid %" PRIu64 ": its parent chain loops (a parent cycle); it is placed "
                        "as Volatility places it",
                        x->pid);
        if (x->f)
            k[nk++] = (struct kid){x->f - 1, i, x->emin};
    }
    if (pid->set && pid->nints)
        mark_ancestors(t, order); /* order is free again */
    else
        for (size_t i = 0; i < n; i++)
            t->v[i].anc = 1;
    if (nk)
        qsort(k, nk, sizeof *k, cmp_kid);
    /* Each parent's set, built in order of addition. */
    size_t maxk = 0;
    for (size_t i = 0, j; i < nk; i = j) {
        for (j = i; j < nk && k[j].parent == k[i].parent; j++)
            ;
        if (j - i > maxk)
            maxk = j - i;
    }
    size_t cap = set_cap(maxk ? maxk : 1);
    tab = malloc(cap * sizeof *tab), tab2 = malloc(cap * sizeof *tab2);
    used = malloc(cap), used2 = malloc(cap);
    keys = malloc((maxk + 1) * sizeof *keys), out = malloc((maxk + 1) * sizeof *out);
    if (!tab || !tab2 || !used || !used2 || !keys || !out)
        goto nomem;
    hold(t, 0, cap * (2 * sizeof *tab + 2) + 2 * (maxk + 1) * sizeof *keys);
    for (size_t i = 0, j; i < nk; i = j) {
        for (j = i; j < nk && k[j].parent == k[i].parent; j++)
            keys[j - i] = t->v[k[j].child].pid;
        set_order(keys, j - i, tab, used, tab2, used2, out);
        struct node *p = &t->v[k[i].parent];
        p->first_child = i, p->nchildren = j - i;
        for (size_t q = 0; q < j - i; q++)
            kids[i + q] = map_get(t, out[q]) - 1;
    }
    scry_result_work(t->pc->out, n + nk);
    hold(t, cap * (2 * sizeof *tab + 2) + 2 * (maxk + 1) * sizeof *keys, 0);
    free(tab), free(tab2), free(used), free(used2), free(keys), free(out);
    tab = tab2 = keys = out = NULL, used = used2 = NULL;
    st = emit(t, kids);
    goto end;
nomem:
    st = scry_err(SCRY_ERR_NOMEM, "out of memory");
end:
    free(tab), free(tab2), free(used), free(used2), free(keys), free(out);
    free(order), free(cyc), free(k), free(kids);
    hold(t, scratch, 0);
    return st;
}

static scry_status run(struct scry_plugin_ctx *pc)
{
    struct scry_vspace ks;
    struct tree t = {.w = scry_windows_of(pc->profile), .ks = &ks, .pc = pc,
                     .physical = pc->opts->v[OPT_PHYSICAL].set};
    if (t.physical)
        pc->out->cols = columns_phys;
    scry_status st = scry_profile_kernel(pc->profile, &ks);
    /* list_processes without a filter: --pid filters the tree. */
    if (st == SCRY_OK)
        st = scry_win_list_processes(t.w, &ks, pc->op, pc->opts, -1, collect, &t);
    if (st == SCRY_OK)
        st = t.st;
    if (st == SCRY_OK && t.n)
        st = build(&t);
    hold(&t, t.cap * sizeof *t.v + t.mcap * (sizeof *t.keys + sizeof *t.vals), 0);
    free(t.v);
    free(t.keys);
    free(t.vals);
    return st;
}

const struct scry_plugin scry_plugin_windows_pstree = {
    .name = "windows.pstree.PsTree",
    .alias = "windows.pstree",
    .description = "Plugin for listing processes in a tree based on their parent process ID.",
    .options = options,
    .noptions = NOPTS,
    .columns = columns,
    .ncolumns = sizeof columns / sizeof columns[0],
    .os = "windows",
    .run = run,
};
