/* proctree_check.c - memscry.proctree's rules over the records the
 * collectors gathered: orphans, children older than their parent,
 * duplicate PIDs, processes only the scan finds, and on Windows the
 * single-instance and parent rules of proctree_winrules.c. Each rule is a
 * pass over the records, looking a PID up by binary search among per-PID
 * summaries made once, so the whole check is O(n log n) whatever the dump
 * holds: no tree is walked, and a parent loop costs nothing more than any
 * other parent link. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "lib/base/error.h"
#include "lib/plugins/proctree.h"

scry_status scry_pt_push(struct scry_pt_set *s, const struct scry_pt_proc *p)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 256;
        struct scry_pt_proc *v = realloc(s->v, cap * sizeof *v);
        if (!v)
            return scry_err(SCRY_ERR_NOMEM, "out of memory");
        if (s->out)
            scry_result_hold(s->out, (cap - s->cap) * sizeof *v);
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n++] = *p;
    return SCRY_OK;
}

void scry_pt_free(struct scry_pt_set *s)
{
    if (s->out)
        scry_result_release(s->out, s->cap * sizeof *s->v);
    free(s->v);
    s->v = NULL;
    s->n = s->cap = 0;
}

/* One finding before it becomes a row. */
struct finding {
    const char *rule, *sev;
    const struct scry_pt_proc *p;
    char *text; /* malloc'd */
};

/* The records sharing one PID, summarised once so that every rule costs
 * O(1) or O(log n) per record, however many records share a PID (a
 * hostile dump can give a million the same one). */
struct group {
    int64_t pid;
    size_t first, end;                 /* positions in by_pid              */
    size_t live_listed;                /* listed without ExitTime           */
    int listed;                        /* some record is listed             */
    const struct scry_pt_proc *oldest; /* earliest start among non-threads */
    const struct scry_pt_proc *shown;  /* the one a parent rule names       */
};

/* Live present processes with one single-instance name of the table. */
struct single {
    const struct scry_pt_winrule *rule;
    size_t n;
    char pids[96];
    size_t len;
};

struct check {
    const struct scry_pt_set *s;
    enum scry_pt_os os;
    size_t *by_pid;    /* indices of s->v, sorted by (pid, index)        */
    size_t *group_of;  /* per record: its group                           */
    struct group *g;
    size_t ng;
    uint8_t *hidden;   /* per record: a scan find that is a process the list lacks */
    struct single singles[16];
    size_t nsingles;
    struct finding *f;
    size_t nf, capf;
    scry_status st;
};

static int cmp_index(const void *a, const void *b, void *user)
{
    const struct scry_pt_proc *v = user;
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    if (v[x].pid != v[y].pid)
        return v[x].pid < v[y].pid ? -1 : 1;
    return x < y ? -1 : x > y;
}

/* The group of pid, or NULL. */
static const struct group *group(const struct check *c, int64_t pid)
{
    size_t lo = 0, hi = c->ng;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->g[mid].pid < pid)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < c->ng && c->g[lo].pid == pid ? &c->g[lo] : NULL;
}

/* Present: the processes the rules judge, the listed ones and those only
 * the scan finds. */
static int present(const struct check *c, const struct scry_pt_proc *p)
{
    return p->listed || c->hidden[p - c->s->v];
}

/* Live listed entries: Linux's list holds live tasks (zombies included);
 * Windows keeps exited processes on its list while handles remain. */
static int live_listed(const struct scry_pt_proc *p) { return p->listed && !p->exited; }

/* Which record of a PID a parent rule names: a listed one first, then a
 * live one, then the first found. */
static int better_parent(const struct scry_pt_proc *x, const struct scry_pt_proc *best)
{
    if (!best)
        return 1;
    if (x->listed != best->listed)
        return x->listed;
    return !x->exited && best->exited;
}

/* Builds the index, the groups and the hidden flags. Errors: NOMEM. */
static scry_status summarise(struct check *c)
{
    const struct scry_pt_set *s = c->s;
    size_t n = s->n;
    if (!n)
        return SCRY_OK;
    if (!(c->by_pid = malloc(n * sizeof *c->by_pid)) ||
        !(c->group_of = malloc(n * sizeof *c->group_of)) || !(c->g = malloc(n * sizeof *c->g)) ||
        !(c->hidden = malloc(n)))
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        c->by_pid[i] = i;
    qsort_r(c->by_pid, n, sizeof *c->by_pid, cmp_index, s->v);
    for (size_t k = 0; k < n; k++) {
        const struct scry_pt_proc *x = &s->v[c->by_pid[k]];
        struct group *g = &c->g[c->ng ? c->ng - 1 : 0];
        if (!c->ng || g->pid != x->pid) {
            g = &c->g[c->ng++];
            *g = (struct group){.pid = x->pid, .first = k};
        }
        g->end = k + 1;
        c->group_of[c->by_pid[k]] = (size_t)(g - c->g);
        g->live_listed += live_listed(x);
        g->listed |= x->listed;
        if (!x->thread && x->has_start && (!g->oldest || x->start < g->oldest->start))
            g->oldest = x;
        if (better_parent(x, g->shown))
            g->shown = x;
    }
    /* A scan find that is a process of its own: live, a leader (Linux), a
     * real PID, and no listed process has its PID (scan finds of listed
     * processes are the same processes seen again). */
    for (size_t i = 0; i < n; i++) {
        const struct scry_pt_proc *x = &s->v[i];
        c->hidden[i] = !x->listed && !x->exited && !x->thread && x->pid > 0 &&
                       !c->g[c->group_of[i]].listed;
    }
    return SCRY_OK;
}

/* Windows: count the live present holders of each single-instance name. */
static void count_singles(struct check *c)
{
    for (size_t i = 0; i < c->s->n; i++) {
        const struct scry_pt_proc *x = &c->s->v[i];
        const struct scry_pt_winrule *r;
        size_t k;
        if (x->exited || !present(c, x) || !(r = scry_pt_winrule_find(x->name)) || !r->single)
            continue;
        for (k = 0; k < c->nsingles && c->singles[k].rule != r; k++)
            ;
        if (k == c->nsingles) {
            if (k == sizeof c->singles / sizeof c->singles[0])
                continue; /* more single rules than slots: cannot happen with the table */
            c->singles[c->nsingles++] = (struct single){.rule = r};
        }
        struct single *sg = &c->singles[k];
        sg->n++;
        if (sg->len < 64)
            sg->len += (size_t)snprintf(sg->pids + sg->len, sizeof sg->pids - sg->len,
                                        "%s%" PRId64, sg->len ? ", " : "", x->pid);
    }
}

static void add(struct check *c, const char *rule, const char *sev, const struct scry_pt_proc *p,
                const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void add(struct check *c, const char *rule, const char *sev, const struct scry_pt_proc *p,
                const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    if (c->st != SCRY_OK)
        return;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (c->nf == c->capf) {
        size_t cap = c->capf ? c->capf * 2 : 16;
        struct finding *f = realloc(c->f, cap * sizeof *f);
        if (!f) {
            c->st = scry_err(SCRY_ERR_NOMEM, "out of memory");
            return;
        }
        c->f = f;
        c->capf = cap;
    }
    char *t = strdup(buf);
    if (!t) {
        c->st = scry_err(SCRY_ERR_NOMEM, "out of memory");
        return;
    }
    c->f[c->nf++] = (struct finding){rule, sev, p, t};
}

/* A start time as the explanation names it. */
static void when(enum scry_pt_os os, uint64_t start, char *buf, size_t cap)
{
    if (os == SCRY_PT_LINUX) {
        snprintf(buf, cap, "%" PRIu64 ".%09" PRIu64 " s after boot", start / 1000000000u,
                 start % 1000000000u);
        return;
    }
    /* FILETIME: 100 ns ticks since 1601-01-01. */
    uint64_t secs = start / 10000000u;
    struct tm tm;
    time_t t = (time_t)(secs - 11644473600ull);
    if (secs < 11644473600ull || !gmtime_r(&t, &tm)) {
        snprintf(buf, cap, "FILETIME 0x%" PRIx64, start);
        return;
    }
    snprintf(buf, cap, "%04d-%02d-%02d %02d:%02d:%02d.%06u UTC", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (unsigned)(start % 10000000u / 10u));
}

/* ---------------------------------------------------------------- rules */

static void rule_hidden(struct check *c, const struct scry_pt_proc *p)
{
    if (!c->hidden[p - c->s->v])
        return;
    if (c->os == SCRY_PT_LINUX)
        add(c, "hidden", SCRY_PT_HIGH, p,
            "task_struct at physical 0x%" PRIx64 " is a live process (exit_state 0, PID equal "
            "to TID) found by scanning memory, but PID %" PRId64 " is not in the task list",
            p->offset, p->pid);
    else
        add(c, "hidden", SCRY_PT_HIGH, p,
            "EPROCESS at %s0x%" PRIx64 " has no ExitTime and was found by pool scanning, but "
            "PID %" PRId64 " is not in the active process list",
            p->physical ? "physical " : "", p->offset, p->pid);
}

static void rule_orphan(struct check *c, const struct scry_pt_proc *p)
{
    const struct scry_pt_winrule *r;
    if (!present(c, p) || p->pid == 0 || p->ppid == 0)
        return;
    if (group(c, p->ppid))
        return; /* listed or found by the scan, even exited or as a thread */
    if (c->os == SCRY_PT_LINUX) {
        add(c, "orphan", SCRY_PT_HIGH, p,
            "parent PID %" PRId64 " is neither in the process list nor found by scanning, yet "
            "Linux reparents a task whose parent exits",
            p->ppid);
        return;
    }
    if ((r = scry_pt_winrule_find(p->name)) && r->parent_exits)
        return;
    add(c, "orphan", SCRY_PT_MEDIUM, p,
        "parent PID %" PRId64 " is neither in the process list nor found by scanning",
        p->ppid);
}

static void rule_child_before_parent(struct check *c, const struct scry_pt_proc *p)
{
    const struct group *g;
    char a[64], b[64];
    if (!present(c, p) || !p->has_start || p->traced || p->ppid == 0 || p->pid == 0)
        return;
    /* System's CreateTime is written late in boot, after the kernel has
     * started Registry and MemCompression. */
    if (c->os == SCRY_PT_WINDOWS && p->ppid == 4)
        return;
    /* Flagged when every process with the parent PID started later: if
     * one is older, it can be the parent. */
    if (!(g = group(c, p->ppid)) || !g->oldest || g->oldest->start <= p->start)
        return;
    const struct scry_pt_proc *parent = g->oldest;
    when(c->os, p->start, a, sizeof a);
    when(c->os, parent->start, b, sizeof b);
    if (c->os == SCRY_PT_LINUX)
        add(c, "child-before-parent", SCRY_PT_HIGH, p,
            "started %s, before its parent PID %" PRId64 " (%s, started %s)", a, p->ppid,
            parent->name, b);
    else
        add(c, "child-before-parent", SCRY_PT_LOW, p,
            "created %s, before its parent PID %" PRId64 " (%s, created %s), so PID %" PRId64
            " was reused by a later process after the real parent exited (or the parent PID "
            "is forged)",
            a, p->ppid, parent->name, b, p->ppid);
}

static void rule_duplicate(struct check *c, const struct scry_pt_proc *p)
{
    char others[128] = "";
    size_t len = 0, shown = 0;
    if (!live_listed(p))
        return;
    const struct group *g = &c->g[c->group_of[p - c->s->v]];
    if (g->live_listed < 2)
        return;
    /* Up to three of the others, each loop step O(1) past them. */
    for (size_t k = g->first; k < g->end && shown < 3; k++) {
        const struct scry_pt_proc *x = &c->s->v[c->by_pid[k]];
        if (x == p || !live_listed(x))
            continue;
        len += (size_t)snprintf(others + len, sizeof others - len, "%s0x%" PRIx64,
                                len ? ", " : "", x->offset);
        shown++;
    }
    add(c, "duplicate-pid", SCRY_PT_HIGH, p,
        "PID %" PRId64 " is held by %zu live entries of the process list (the others at %s%s)",
        p->pid, g->live_listed, others, g->live_listed - 1 > shown ? ", ..." : "");
}

/* Windows: the rules of the table. */
static void rule_single(struct check *c, const struct scry_pt_proc *p)
{
    const struct scry_pt_winrule *r = scry_pt_winrule_find(p->name);
    if (!r || !r->single || p->exited || !present(c, p))
        return;
    for (size_t k = 0; k < c->nsingles; k++) {
        const struct single *sg = &c->singles[k];
        if (sg->rule != r || sg->n < 2)
            continue;
        add(c, "single-instance", SCRY_PT_HIGH, p,
            "%s runs once on Windows, but %zu live processes have this name (PIDs %s%s)",
            r->name, sg->n, sg->pids, sg->len >= 64 ? ", ..." : "");
    }
}

static void rule_parent(struct check *c, const struct scry_pt_proc *p)
{
    const struct scry_pt_winrule *r = scry_pt_winrule_find(p->name);
    const struct group *g;
    if (!r || !r->parent || !present(c, p) || !(g = group(c, p->ppid)))
        return;
    /* The parent that is there: a listed process first, a live scan find
     * next (an exited one started this process, if any did, and its name
     * is then checked too). */
    if (!strcasecmp(g->shown->name, r->parent))
        return;
    add(c, "unexpected-parent", SCRY_PT_HIGH, p,
        "parent PID %" PRId64 " is %s, but %s is started by %s", p->ppid, g->shown->name,
        r->name, r->parent);
}

typedef void (*rule_fn)(struct check *c, const struct scry_pt_proc *p);

static const struct {
    rule_fn fn;
    int windows_only;
} rules[] = {
    {rule_hidden, 0},  {rule_orphan, 0}, {rule_child_before_parent, 0}, {rule_duplicate, 0},
    {rule_single, 1},  {rule_parent, 1},
};

static int cmp_finding(const void *a, const void *b)
{
    const struct finding *x = a, *y = b;
    int k;
    if (x->p->pid != y->p->pid)
        return x->p->pid < y->p->pid ? -1 : 1;
    if ((k = strcmp(x->rule, y->rule)))
        return k;
    if (x->p->offset != y->p->offset)
        return x->p->offset < y->p->offset ? -1 : 1;
    return x->p < y->p ? -1 : x->p > y->p;
}

static struct scry_cell str_cell(const char *s) { return scry_cell_str(s, strlen(s)); }

scry_status scry_pt_check(const struct scry_pt_set *s, enum scry_pt_os os, struct scry_result *out)
{
    struct check c = {.s = s, .os = os};
    size_t held = s->n * (2 * sizeof(size_t) + sizeof(struct group) + 1);
    scry_result_hold(out, held);
    scry_status st = summarise(&c);
    if (st == SCRY_OK && os == SCRY_PT_WINDOWS)
        count_singles(&c);
    for (size_t r = 0; st == SCRY_OK && r < sizeof rules / sizeof rules[0]; r++) {
        if (rules[r].windows_only && os != SCRY_PT_WINDOWS)
            continue;
        for (size_t i = 0; i < s->n && c.st == SCRY_OK; i++)
            rules[r].fn(&c, &s->v[i]);
    }
    if (st == SCRY_OK && c.nf)
        qsort(c.f, c.nf, sizeof *c.f, cmp_finding);
    for (size_t i = 0; st == SCRY_OK && i < c.nf && c.st == SCRY_OK; i++) {
        const struct finding *f = &c.f[i];
        struct scry_cell cells[7];
        cells[0] = str_cell(f->rule);
        cells[1] = str_cell(f->sev);
        cells[2] = scry_cell_int(f->p->pid);
        cells[3] = scry_cell_int(f->p->ppid);
        cells[4] = str_cell(f->p->name);
        cells[5] = scry_cell_hex(f->p->offset);
        cells[6] = str_cell(f->text);
        c.st = scry_result_add(out, 0, cells);
    }
    for (size_t i = 0; i < c.nf; i++)
        free(c.f[i].text);
    free(c.f);
    free(c.by_pid);
    free(c.group_of);
    free(c.g);
    free(c.hidden);
    scry_result_release(out, held);
    return st != SCRY_OK ? st : c.st;
}
