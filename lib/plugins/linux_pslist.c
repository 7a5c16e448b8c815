/* linux_pslist.c - linux.pslist.PsList: the task list, flat. */
#include <stdio.h>
#include <string.h>

#include "lib/plugins/linux_common.h"

enum { OPT_PID = SCRY_LINUX_OPT_PID, OPT_THREADS = SCRY_LINUX_OPT_THREADS,
       OPT_DECORATE = SCRY_LINUX_OPT_DECORATE };

const struct scry_option scry_linux_task_options[SCRY_LINUX_NOPTS] = {
    [OPT_PID] = {"pid", SCRY_OPT_INT_LIST, "Filter on specific process IDs"},
    [OPT_THREADS] = {"threads", SCRY_OPT_BOOL, "Include user threads"},
    [OPT_DECORATE] = {"decorate-comm", SCRY_OPT_BOOL,
                      "Show `user threads` comm in curly brackets, and `kernel threads` comm in "
                      "square brackets"},
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
    struct scry_result *out;
    scry_status st;
    int in_filtered; /* the current leader was filtered out */
};

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
    c->st = scry_result_add(c->out, 0, cells);
    return c->st != SCRY_OK;
}

static scry_status run(struct scry_plugin_ctx *pc)
{
    const struct scry_linux *l = scry_linux_of(pc->profile);
    struct ctx c = {.l = l, .o = pc->opts, .out = pc->out};
    scry_status st = scry_linux_walk_tasks(l, pc->op, pc->opts->v[OPT_THREADS].set, row, &c);
    return st != SCRY_OK ? st : c.st;
}

const struct scry_plugin scry_plugin_linux_pslist = {
    .name = "linux.pslist.PsList",
    .alias = "linux.pslist",
    .description = "Lists the processes present in a particular linux memory image.",
    .options = scry_linux_task_options,
    .noptions = SCRY_LINUX_NOPTS,
    .columns = columns,
    .ncolumns = sizeof columns / sizeof columns[0],
    .os = "linux",
    .run = run,
};
