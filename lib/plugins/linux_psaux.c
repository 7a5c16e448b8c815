/* linux_psaux.c - linux.psaux.PsAux: processes with their command lines. */
#include <stdlib.h>
#include <string.h>

#include "lib/plugins/linux_common.h"

enum { OPT_PID };

/* Volatility reads at most this much of argv (psaux's sanity check). */
#define ARGS_MAX 4096

static const struct scry_option options[] = {
    [OPT_PID] = {"pid", SCRY_OPT_INT_LIST, "Filter on specific process IDs"},
};

static const struct scry_column columns[] = {
    {"PID", SCRY_COL_INT},
    {"PPID", SCRY_COL_INT},
    {"COMM", SCRY_COL_STR},
    {"ARGS", SCRY_COL_STR},
};

struct ctx {
    const struct scry_linux *l;
    struct scry_vspace kernel;
    const struct scry_optvals *o;
    struct scry_result *out;
    struct scry_op *op;
    scry_status st;
    char args[ARGS_MAX * 3 + 1];
};

/* ARGS as Volatility builds it: argv's NULs become spaces and one trailing
 * space goes. Volatility decodes strictly and dies on invalid UTF-8; we decode
 * with replacement characters instead so one odd process cannot end the
 * listing. Returns 0 for an unreadable value. */
static int command_line(struct ctx *c, const struct scry_linux_task *t, size_t *len)
{
    const struct scry_linux_offsets *o = &c->l->off;
    struct scry_vspace proc;
    uint64_t start, end;
    uint8_t raw[ARGS_MAX];
    scry_status st = scry_vspace_read_u64(&c->kernel, t->mm + o->mm_arg_start, &start);
    if (st == SCRY_OK)
        st = scry_vspace_read_u64(&c->kernel, t->mm + o->mm_arg_end, &end);
    if (st == SCRY_OK)
        st = scry_linux_process_vspace(c->l, &c->kernel, t->mm, &proc);
    if (st == SCRY_OK && !(end > start && end - start <= ARGS_MAX))
        return 0; /* Volatility's sanity check: not an error, just no value */
    if (st == SCRY_OK)
        st = scry_vspace_read(&proc, start, raw, (size_t)(end - start));
    if (st != SCRY_OK) {
        /* A swapped-out argv page is normal (INFO); a damaged one is not. */
        scry_op_report(c->op, scry_diag_level_for(st), st, "pid %d: arguments cannot be read",
                       (int)t->pid);
        return 0;
    }
    size_t n = (size_t)(end - start);
    for (size_t i = 0; i < n; i++)
        if (!raw[i])
            raw[i] = ' ';
    *len = scry_utf8_replace(raw, n, c->args);
    return 1;
}

static int row(void *user, const struct scry_linux_task *t)
{
    struct ctx *c = user;
    struct scry_cell cells[4];
    char name[49];
    size_t nlen = scry_linux_comm(t->comm, name), alen = 0;
    if (!scry_opt_int_filter(c->o, OPT_PID, t->pid))
        return 0;
    cells[0] = scry_cell_int(t->pid);
    cells[1] = scry_cell_int(t->parent && t->parent_ok ? t->parent_pid : 0);
    cells[2] = scry_cell_str(name, nlen);
    if (t->mm) {
        if (!command_line(c, t, &alen)) {
            cells[3] = scry_cell_absent(SCRY_CELL_UNREADABLE);
            goto add;
        }
    } else { /* a kernel thread (or an exited task): "[comm]" like ps */
        c->args[0] = '[';
        memcpy(c->args + 1, name, nlen);
        c->args[nlen + 1] = ']';
        alen = nlen + 2;
    }
    /* len(args) > 1 counts characters; a trailing space is one byte. */
    if (alen > 1 && c->args[alen - 1] == ' ' && scry_utf8_count(c->args, alen) > 1)
        alen--;
    cells[3] = scry_cell_str(c->args, alen);
add:
    c->st = scry_result_add(c->out, 0, cells);
    return c->st != SCRY_OK;
}

static scry_status run(struct scry_plugin_ctx *pc)
{
    struct ctx *c = calloc(1, sizeof *c);
    scry_status st;
    if (!c)
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    c->l = scry_linux_of(pc->profile);
    c->o = pc->opts;
    c->out = pc->out;
    c->op = pc->op;
    st = scry_profile_kernel(pc->profile, &c->kernel);
    if (st == SCRY_OK)
        st = scry_linux_walk_tasks(c->l, pc->op, 0, row, c);
    if (st == SCRY_OK)
        st = c->st;
    free(c);
    return st;
}

const struct scry_plugin scry_plugin_linux_psaux = {
    .name = "linux.psaux.PsAux",
    .alias = "linux.psaux",
    .description = "Lists processes with their command line arguments",
    .options = options,
    .noptions = sizeof options / sizeof options[0],
    .columns = columns,
    .ncolumns = sizeof columns / sizeof columns[0],
    .os = "linux",
    .run = run,
};
