/* linux_psscan.c - linux.psscan.PsScan: task_structs found by scanning
 * physical memory for the addresses of the scheduling classes (freed and
 * exited tasks included), in physical order. */
#include <string.h>

#include "lib/plugins/plugin.h"
#include "lib/walk/linux_psscan.h"
#include "lib/walk/linux_tasks.h"

static const struct scry_column columns[] = {
    {"OFFSET (P)", SCRY_COL_HEX}, {"PID", SCRY_COL_INT},  {"TID", SCRY_COL_INT},
    {"PPID", SCRY_COL_INT},       {"COMM", SCRY_COL_STR}, {"EXIT_STATE", SCRY_COL_STR},
};

/* Volatility's DescExitStateEnum names, indexed by exit_state >> 4. */
static const char *const exit_names[4] = {"TASK_RUNNING", "EXIT_DEAD", "EXIT_ZOMBIE",
                                          "EXIT_TRACE"};

struct ctx {
    struct scry_result *out;
    scry_status st;
};

static int row(void *user, const struct scry_psscan_task *t)
{
    struct ctx *c = user;
    struct scry_cell cells[6];
    char comm[49];
    const char *ex = exit_names[(t->exit_state >> 4) & 3];
    size_t n = scry_linux_comm(t->comm, comm);
    cells[0] = scry_cell_hex(t->pa);
    cells[1] = scry_cell_int(t->tgid);
    cells[2] = scry_cell_int(t->pid);
    cells[3] = scry_cell_int(t->ppid);
    cells[4] = scry_cell_str(comm, n);
    cells[5] = scry_cell_str(ex, strlen(ex));
    c->st = scry_result_add(c->out, 0, cells);
    return c->st != SCRY_OK;
}

static scry_status run(struct scry_plugin_ctx *pc)
{
    struct ctx c = {.out = pc->out};
    scry_status st = scry_linux_psscan(scry_linux_of(pc->profile), pc->op, row, &c);
    return st != SCRY_OK ? st : c.st;
}

const struct scry_plugin scry_plugin_linux_psscan = {
    .name = "linux.psscan.PsScan",
    .alias = "linux.psscan",
    .description = "Scans for processes present in a particular linux image.",
    .options = NULL,
    .noptions = 0,
    .columns = columns,
    .ncolumns = sizeof columns / sizeof columns[0],
    .os = "linux",
    .run = run,
};
