/* linux_bash.c - linux.bash.Bash: bash history entries recovered from the
 * heap of each process named bash, sh or dash (Volatility's test: the comm,
 * so busybox's sh is searched too), sorted by their timestamps. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "lib/plugins/linux_common.h"
#include "lib/vspace/vspace.h"
#include "lib/walk/linux_bash.h"
#include "lib/walk/linux_vma.h"

enum { OPT_PID };

/* A heap over this many bytes of mapped pages is searched up to it, with a
 * warning (a bound on memory; a real shell's heap is far smaller). */
#define HEAP_MAX (256u << 20)
/* Entries kept per process (a bound on output; bash keeps 500 by default). */
#define ENTRIES_MAX 1000000u

static const struct scry_option options[] = {
    [OPT_PID] = {"pid", SCRY_OPT_INT_LIST,
                 "Process IDs to include (all other processes are excluded)"},
};

static const struct scry_column columns[] = {
    {"PID", SCRY_COL_INT},
    {"Process", SCRY_COL_STR},
    {"CommandTime", SCRY_COL_DATETIME},
    {"Command", SCRY_COL_STR},
};

struct ctx {
    const struct scry_linux *l;
    struct scry_vspace kernel, proc;
    const struct scry_optvals *o;
    struct scry_result *out;
    struct scry_op *op;
    const struct scry_linux_task *t;
    uint64_t brk, start_brk;
    struct scry_bash_run *runs;
    size_t nruns, cap, bytes;
    int over;
    scry_status st;
};

static int proc_read(void *user, uint64_t va, void *buf, size_t len)
{
    struct ctx *c = user;
    return scry_vspace_read(&c->proc, va & scry_vspace_mask(&c->proc), buf, len) != SCRY_OK;
}

/* One mapped range of a heap VMA: read it, joined to the previous run when
 * virtually contiguous (Volatility's scan chunks follow virtual order). */
static int on_range(void *user, uint64_t va, uint64_t pa, uint64_t len)
{
    struct ctx *c = user;
    struct scry_bash_run *r = c->nruns ? &c->runs[c->nruns - 1] : NULL;
    (void)pa;
    if (c->bytes + len > HEAP_MAX || len > HEAP_MAX) {
        c->over = 1;
        return 1;
    }
    uint8_t *buf = malloc(len);
    if (!buf) {
        c->st = scry_err(SCRY_ERR_NOMEM, "out of memory");
        return 1;
    }
    if (scry_vspace_read(&c->proc, va, buf, (size_t)len) != SCRY_OK) {
        free(buf); /* a physical hole: not scanned, as Volatility skips it */
        return 0;
    }
    if (r && r->va + r->len == va) {
        uint8_t *j = realloc((void *)r->data, r->len + len);
        if (!j) {
            free(buf);
            c->st = scry_err(SCRY_ERR_NOMEM, "out of memory");
            return 1;
        }
        memcpy(j + r->len, buf, (size_t)len);
        free(buf);
        r->data = j;
        r->len += (size_t)len;
    } else {
        if (c->nruns == c->cap) {
            size_t cap = c->cap ? 2 * c->cap : 8;
            struct scry_bash_run *v = realloc(c->runs, cap * sizeof *v);
            if (!v) {
                free(buf);
                c->st = scry_err(SCRY_ERR_NOMEM, "out of memory");
                return 1;
            }
            c->runs = v;
            c->cap = cap;
        }
        c->runs[c->nruns++] = (struct scry_bash_run){va, buf, (size_t)len};
    }
    c->bytes += (size_t)len;
    return 0;
}

/* get_process_memory_sections(heap_only=True): VMAs with start <= brk and
 * end >= start_brk. */
static int on_vma(void *user, const struct scry_linux_vma *v)
{
    struct ctx *c = user;
    if (!(v->start <= c->brk && v->end >= c->start_brk) || c->over)
        return c->st != SCRY_OK;
    scry_status st = scry_vspace_enumerate(&c->proc, v->start & scry_vspace_mask(&c->proc),
                                           v->end & scry_vspace_mask(&c->proc), 0, on_range, c);
    if (st != SCRY_OK)
        scry_op_report(c->op, SCRY_DIAG_WARNING, st,
                       "pid %d: heap 0x%" PRIx64 "-0x%" PRIx64 " cannot be enumerated",
                       (int)c->t->pid, v->start, v->end);
    return c->st != SCRY_OK;
}

static void free_runs(struct ctx *c)
{
    for (size_t i = 0; i < c->nruns; i++)
        free((void *)c->runs[i].data);
    c->nruns = 0;
    c->bytes = 0;
}

static scry_status emit(struct ctx *c, const char *comm, size_t clen)
{
    struct scry_bash_entry *e;
    size_t n, dropped;
    unsigned ps = c->proc.va_bits <= 32 ? 4 : 8;
    scry_status st = scry_bash_scan(c->runs, c->nruns, ps, proc_read, c, ENTRIES_MAX, &e, &n,
                                    &dropped);
    if (st != SCRY_OK)
        return st;
    if (dropped)
        scry_op_say(c->op, SCRY_DIAG_WARNING, SCRY_ERR_LIMIT,
                    "pid %d: %zu more history entries than %u not listed", (int)c->t->pid,
                    dropped, ENTRIES_MAX);
    for (size_t i = 0; i < n && st == SCRY_OK; i++) {
        struct scry_cell cells[4];
        cells[0] = scry_cell_int(c->t->pid);
        cells[1] = scry_cell_str(comm, clen);
        if (e[i].time_ok) {
            cells[2].state = SCRY_CELL_VALUE;
            cells[2].v.t.sec = e[i].time;
            cells[2].v.t.usec = 0;
        } else {
            cells[2] = scry_cell_absent(SCRY_CELL_UNPARSABLE);
        }
        cells[3] = scry_cell_str(e[i].cmd, e[i].cmd_len);
        st = scry_result_add(c->out, 0, cells);
    }
    scry_bash_free(e, n);
    return st;
}

static int on_task(void *user, const struct scry_linux_task *t)
{
    struct ctx *c = user;
    const struct scry_linux_offsets *o = &c->l->off;
    char comm[49];
    size_t n;
    scry_status st;
    if (!scry_opt_int_filter(c->o, OPT_PID, t->pid))
        return 0;
    n = scry_linux_comm(t->comm, comm);
    if (strcmp(comm, "bash") && strcmp(comm, "sh") && strcmp(comm, "dash"))
        return 0;
    if (!t->mm)
        return 0;
    if ((st = scry_linux_process_vspace(c->l, &c->kernel, t->mm, &c->proc)) != SCRY_OK ||
        (st = scry_vspace_read_u64(&c->kernel, t->mm + o->mm_brk, &c->brk)) != SCRY_OK ||
        (st = scry_vspace_read_u64(&c->kernel, t->mm + o->mm_start_brk, &c->start_brk)) !=
            SCRY_OK) {
        scry_op_report(c->op, scry_diag_level_for(st), st,
                       "pid %d: its address space cannot be read; skipped", (int)t->pid);
        return 0;
    }
    c->t = t;
    c->over = 0;
    st = scry_linux_walk_vmas(c->l, &c->kernel, c->op, t->mm, on_vma, c);
    if (st == SCRY_OK && c->st != SCRY_OK)
        st = c->st;
    if (st == SCRY_OK && c->over)
        scry_op_say(c->op, SCRY_DIAG_WARNING, SCRY_ERR_LIMIT,
                    "pid %d: heap searched up to its first %u MiB", (int)t->pid, HEAP_MAX >> 20);
    if (st == SCRY_OK)
        st = emit(c, comm, n);
    free_runs(c);
    c->st = st;
    return st != SCRY_OK;
}

static scry_status run(struct scry_plugin_ctx *pc)
{
    struct ctx c = {.l = scry_linux_of(pc->profile), .o = pc->opts, .out = pc->out, .op = pc->op};
    scry_status st = scry_linux_vma_check(c.l, SCRY_VMA_NEED_WALK | SCRY_VMA_NEED_NAMES);
    if (st != SCRY_OK)
        return st;
    if ((st = scry_profile_kernel(pc->profile, &c.kernel)) != SCRY_OK)
        return st;
    st = scry_linux_walk_tasks(c.l, pc->op, 0, on_task, &c);
    free(c.runs);
    return st != SCRY_OK ? st : c.st;
}

const struct scry_plugin scry_plugin_linux_bash = {
    .name = "linux.bash.Bash",
    .alias = "linux.bash",
    .description = "Recovers bash command history from memory.",
    .options = options,
    .noptions = sizeof options / sizeof options[0],
    .columns = columns,
    .ncolumns = sizeof columns / sizeof columns[0],
    .os = "linux",
    .run = run,
};
