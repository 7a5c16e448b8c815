/* linux_envars.c - linux.envars.Envars: each process's environment. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "lib/plugins/linux_common.h"

enum { OPT_PID };

/* Volatility's sanity check: an environment over this size is not read. */
#define ENV_MAX 8192

static const struct scry_option options[] = {
    [OPT_PID] = {"pid", SCRY_OPT_INT_LIST, "Filter on specific process IDs"},
};

static const struct scry_column columns[] = {
    {"PID", SCRY_COL_INT}, {"PPID", SCRY_COL_INT}, {"COMM", SCRY_COL_STR},
    {"KEY", SCRY_COL_STR}, {"VALUE", SCRY_COL_STR},
};

struct ctx {
    const struct scry_linux *l;
    struct scry_vspace kernel;
    const struct scry_optvals *o;
    struct scry_result *out;
    struct scry_op *op;
    scry_status st;
    uint8_t env[ENV_MAX];
};

/* Reads the task's environment block [env_start, env_end) into c->env
 * through the task's own address space. Returns its length, 0 when there
 * is nothing to list: Volatility skips a task whose block fails its size
 * check (silently: a normal state, e.g. an exiting task) and one that
 * cannot be built or read (a diagnostic here, INFO for a page not in the
 * dump). */
static size_t env_block(struct ctx *c, const struct scry_linux_task *t)
{
    const struct scry_linux_offsets *o = &c->l->off;
    struct scry_vspace proc;
    uint64_t start, end;
    scry_status st = scry_vspace_read_u64(&c->kernel, t->mm + o->mm_env_start, &start);
    if (st == SCRY_OK)
        st = scry_vspace_read_u64(&c->kernel, t->mm + o->mm_env_end, &end);
    if (st != SCRY_OK) {
        scry_op_report(c->op, scry_diag_level_for(st), st,
                       "pid %d: mm 0x%" PRIx64 " cannot be read", (int)t->pid, t->mm);
        return 0;
    }
    st = scry_linux_process_vspace(c->l, &c->kernel, t->mm, &proc);
    if (st != SCRY_OK) {
        scry_op_report(c->op, scry_diag_level_for(st), st,
                       "pid %d: no address space (mm 0x%" PRIx64 ")", (int)t->pid, t->mm);
        return 0;
    }
    if (!(end > start && end - start <= ENV_MAX))
        return 0;
    st = scry_vspace_read(&proc, start, c->env, (size_t)(end - start));
    if (st != SCRY_OK) {
        scry_op_report(c->op, scry_diag_level_for(st), st,
                       "pid %d: environment 0x%" PRIx64 "-0x%" PRIx64 " cannot be read",
                       (int)t->pid, start, end);
        return 0;
    }
    return (size_t)(end - start);
}

/* One row per KEY=VALUE string, as Volatility splits the block: trailing
 * NULs dropped, split at every NUL, each string decoded strictly (invalid
 * UTF-8 is skipped, as is a string without '='), split at the first '='. */
static scry_status env_rows(struct ctx *c, const struct scry_linux_task *t, size_t n)
{
    struct scry_cell cells[5];
    char name[49];
    size_t nlen = scry_linux_comm(t->comm, name);
    const uint8_t *p = c->env, *end;
    while (n && !c->env[n - 1])
        n--;
    end = c->env + n;
    cells[0] = scry_cell_int(t->pid);
    cells[1] = scry_cell_int(t->parent && t->parent_ok ? t->parent_pid : 0);
    cells[2] = scry_cell_str(name, nlen);
    while (n && p <= end) {
        const uint8_t *nul = memchr(p, 0, (size_t)(end - p));
        const uint8_t *stop = nul ? nul : end;
        const uint8_t *eq = memchr(p, '=', (size_t)(stop - p));
        if (eq && scry_utf8_valid(p, (size_t)(stop - p))) {
            cells[3] = scry_cell_str((const char *)p, (size_t)(eq - p));
            cells[4] = scry_cell_str((const char *)eq + 1, (size_t)(stop - eq - 1));
            scry_status st = scry_result_add(c->out, 0, cells);
            if (st != SCRY_OK)
                return st;
        }
        p = stop + 1;
    }
    return SCRY_OK;
}

static int task(void *user, const struct scry_linux_task *t)
{
    struct ctx *c = user;
    size_t n;
    if (!scry_opt_int_filter(c->o, OPT_PID, t->pid) || !t->mm)
        return 0; /* no mm: a kernel thread (or an exited task), no environment */
    n = env_block(c, t);
    c->st = n ? env_rows(c, t, n) : SCRY_OK;
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
        st = scry_linux_walk_tasks(c->l, pc->op, 0, task, c);
    if (st == SCRY_OK)
        st = c->st;
    free(c);
    return st;
}

const struct scry_plugin scry_plugin_linux_envars = {
    .name = "linux.envars.Envars",
    .alias = "linux.envars",
    .description = "Lists processes with their environment variables",
    .options = options,
    .noptions = sizeof options / sizeof options[0],
    .columns = columns,
    .ncolumns = sizeof columns / sizeof columns[0],
    .os = "linux",
    .run = run,
};
