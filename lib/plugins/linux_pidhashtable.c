/* linux_pidhashtable.c - linux.pidhashtable.PIDHashTable: the tasks of the
 * PID table (every thread has its own struct pid), sorted by (PID, TID),
 * with pslist's columns. */
#include <stdlib.h>

#include "lib/plugins/linux_common.h"
#include "lib/walk/linux_pidhash.h"

enum { OPT_DECORATE };

static const struct scry_option options[] = {
    [OPT_DECORATE] = {"decorate-comm", SCRY_OPT_BOOL,
                      "Show `user threads` comm in curly brackets, and `kernel threads` comm in "
                      "square brackets"},
};

static const struct scry_column columns[] = {
    {"OFFSET", SCRY_COL_HEX}, {"PID", SCRY_COL_INT},  {"TID", SCRY_COL_INT},
    {"PPID", SCRY_COL_INT},   {"COMM", SCRY_COL_STR},
};

static scry_status run(struct scry_plugin_ctx *pc)
{
    const struct scry_linux *l = scry_linux_of(pc->profile);
    struct scry_linux_task *t;
    size_t n;
    scry_status st = scry_linux_pidhash_tasks(l, pc->op, &t, &n);
    for (size_t i = 0; i < n && st == SCRY_OK; i++) {
        struct scry_cell cells[5];
        char comm[52];
        scry_linux_pslist_cells(l, &t[i], pc->opts->v[OPT_DECORATE].set, cells, comm);
        st = scry_result_add(pc->out, 0, cells);
    }
    free(t);
    return st;
}

const struct scry_plugin scry_plugin_linux_pidhashtable = {
    .name = "linux.pidhashtable.PIDHashTable",
    .alias = "linux.pidhashtable",
    .description = "Enumerates processes through the PID hash table",
    .options = options,
    .noptions = sizeof options / sizeof options[0],
    .columns = columns,
    .ncolumns = sizeof columns / sizeof columns[0],
    .os = "linux",
    .run = run,
};
