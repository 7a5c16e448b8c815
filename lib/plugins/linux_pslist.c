/* linux_pslist.c - linux.pslist.PsList: the task list, flat; with --dump
 * each task's main executable (PsList._get_file_output). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "lib/plugins/linux_common.h"
#include "lib/plugins/linux_elfdump.h"
#include "lib/walk/linux_vma.h"

enum { OPT_PID = SCRY_LINUX_OPT_PID, OPT_THREADS = SCRY_LINUX_OPT_THREADS,
       OPT_DECORATE = SCRY_LINUX_OPT_DECORATE, OPT_DUMP = SCRY_LINUX_NOPTS, NOPTS };

const struct scry_option scry_linux_task_options[SCRY_LINUX_NOPTS] = {
    [OPT_PID] = {"pid", SCRY_OPT_INT_LIST, "Filter on specific process IDs"},
    [OPT_THREADS] = {"threads", SCRY_OPT_BOOL, "Include user threads"},
    [OPT_DECORATE] = {"decorate-comm", SCRY_OPT_BOOL,
                      "Show `user threads` comm in curly brackets, and `kernel threads` comm in "
                      "square brackets"},
};

/* pslist alone has --dump (pstree shares the three above). */
static const struct scry_option options[NOPTS] = {
    [OPT_PID] = {"pid", SCRY_OPT_INT_LIST, "Filter on specific process IDs"},
    [OPT_THREADS] = {"threads", SCRY_OPT_BOOL, "Include user threads"},
    [OPT_DECORATE] = {"decorate-comm", SCRY_OPT_BOOL,
                      "Show `user threads` comm in curly brackets, and `kernel threads` comm in "
                      "square brackets"},
    [OPT_DUMP] = {"dump", SCRY_OPT_BOOL, "Extract listed processes"},
};

static const struct scry_column columns[] = {
    {"OFFSET (V)", SCRY_COL_HEX}, {"PID", SCRY_COL_INT},  {"TID", SCRY_COL_INT},
    {"PPID", SCRY_COL_INT},       {"COMM", SCRY_COL_STR}, {"File output", SCRY_COL_STR},
};

void scry_linux_pslist_cells(const struct scry_linux *l, const struct scry_linux_task *t,
                             int decorate, struct scry_cell *cells, char *comm_buf)
{
    char name[49];
    size_t n = scry_linux_comm(t->comm, name);
    const char *fmt = "%s";
    if (decorate) {
        if (t->flags & SCRY_PF_KTHREAD)
            fmt = "[%s]";
        else if (t->tgid != t->pid)
            fmt = "{%s}";
    }
    n = (size_t)snprintf(comm_buf, 52, fmt, name);
    cells[0] = scry_cell_hex(t->addr & l->va_mask);
    cells[1] = scry_cell_int(t->tgid);
    cells[2] = scry_cell_int(t->pid);
    /* Volatility: task.parent.tgid if task.parent else 0 (an unreadable
     * parent would raise there; we print 0). */
    cells[3] = scry_cell_int(t->parent && t->parent_ok ? t->parent_tgid : 0);
    cells[4] = scry_cell_str(comm_buf, n);
}

struct ctx {
    const struct scry_linux *l;
    const struct scry_optvals *o;
    struct scry_plugin_ctx *pc;
    struct scry_result *out;
    scry_status st;
    int in_filtered; /* the current leader was filtered out */
    /* --dump */
    uint64_t mm_start_code; /* mm_struct.start_code */
    struct scry_vspace kernel, proc;
    uint64_t start_code;
    const struct scry_linux_task *t;
    int found, written;
    char fname[300];
};

/* The VMA that starts at mm->start_code: its ELF dumped, the walk ends. */
static int on_vma(void *user, const struct scry_linux_vma *v)
{
    struct ctx *c = user;
    char name[49];
    if (v->start != c->start_code)
        return 0;
    c->found = 1;
    scry_linux_comm(c->t->comm, name);
    c->st = scry_linux_elf_dump(c->pc->op, &c->proc, c->pc->output_dir, (int)c->t->pid, name,
                                v->start, c->fname, sizeof c->fname, &c->written);
    return 1;
}

/* PsList._get_file_output's cell for t. Errors: NOMEM, CANCELLED and the
 * VMA walk's own (c->st after the walk). */
static scry_status file_output(struct ctx *c, const struct scry_linux_task *t,
                               struct scry_cell *cell)
{
    static const char err[] = "Error outputting file",
                      none[] = "VMA start matching task start_code not found";
    scry_status st;
    /* add_process_layer gives nothing: no mm, or its pgd unreadable. */
    if (!t->mm || scry_linux_process_vspace(c->l, &c->kernel, t->mm, &c->proc) != SCRY_OK) {
        *cell = scry_cell_absent(SCRY_CELL_NOT_APPLICABLE);
        return SCRY_OK;
    }
    st = scry_vspace_read_u64(&c->kernel, t->mm + c->mm_start_code, &c->start_code);
    if (st != SCRY_OK) { /* Volatility raises; we name the task and go on */
        scry_op_report(c->pc->op, SCRY_DIAG_WARNING, st,
                       "pid %d: mm->start_code at 0x%" PRIx64 " cannot be read", (int)t->pid,
                       t->mm + c->mm_start_code);
        *cell = scry_cell_str(err, sizeof err - 1);
        return SCRY_OK;
    }
    c->t = t;
    c->found = c->written = 0;
    st = scry_linux_walk_vmas(c->l, &c->kernel, c->pc->op, t->mm, on_vma, c);
    if (st == SCRY_OK)
        st = c->st;
    if (st != SCRY_OK)
        return st;
    if (!c->found)
        *cell = scry_cell_str(none, sizeof none - 1);
    else if (c->written)
        *cell = scry_cell_str(c->fname, strlen(c->fname));
    else
        *cell = scry_cell_str(err, sizeof err - 1);
    return SCRY_OK;
}

static int row(void *user, const struct scry_linux_task *t)
{
    struct ctx *c = user;
    struct scry_cell cells[6];
    char comm[52];
    /* --pid filters leaders; their threads follow them (Volatility's
     * list_tasks filters before get_threads). */
    if (!t->listed_as_thread)
        c->in_filtered = !scry_opt_int_filter(c->o, OPT_PID, t->pid);
    if (c->in_filtered)
        return 0;
    scry_linux_pslist_cells(c->l, t, c->o->v[OPT_DECORATE].set, cells, comm);
    cells[5] = scry_cell_str("Disabled", 8);
    if (c->o->v[OPT_DUMP].set && (c->st = file_output(c, t, &cells[5])) != SCRY_OK)
        return 1;
    c->st = scry_result_add(c->out, 0, cells);
    return c->st != SCRY_OK;
}

static scry_status run(struct scry_plugin_ctx *pc)
{
    const struct scry_linux *l = scry_linux_of(pc->profile);
    struct ctx c = {.l = l, .o = pc->opts, .pc = pc, .out = pc->out};
    scry_status st;
    if (pc->opts->v[OPT_DUMP].set) {
        const struct scry_field_spec f[] = {
            SCRY_FIELD("mm_struct", "start_code", &c.mm_start_code),
        };
        st = scry_resolve_fields(l->symtab, f, 1);
        if (st != SCRY_OK)
            return scry_err_ctx(st, "%s: linux.pslist --dump", l->isf_path);
        if ((st = scry_linux_vma_check(l, SCRY_VMA_NEED_WALK)) != SCRY_OK ||
            (st = scry_profile_kernel(&l->base, &c.kernel)) != SCRY_OK)
            return st;
    }
    st = scry_linux_walk_tasks(l, pc->op, pc->opts->v[OPT_THREADS].set, row, &c);
    return st != SCRY_OK ? st : c.st;
}

const struct scry_plugin scry_plugin_linux_pslist = {
    .name = "linux.pslist.PsList",
    .alias = "linux.pslist",
    .description = "Lists the processes present in a particular linux memory image.",
    .options = options,
    .noptions = NOPTS,
    .columns = columns,
    .ncolumns = sizeof columns / sizeof columns[0],
    .os = "linux",
    .run = run,
};
