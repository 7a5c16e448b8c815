/* memscry_proctree.c - memscry.proctree.ProcTreeCheck: the process tree's
 * anomalies, one row per finding (rule, severity, the process, one
 * sentence of facts). Each OS's collector (proctree_<os>.c) gathers its
 * process list and its scan; proctree_check.c applies the rules. */
#include <string.h>

#include "lib/base/error.h"
#include "lib/plugins/proctree.h"

static const struct scry_column columns[] = {
    {"Rule", SCRY_COL_STR},    {"Severity", SCRY_COL_STR},  {"PID", SCRY_COL_INT},
    {"PPID", SCRY_COL_INT},    {"Process", SCRY_COL_STR},   {"Offset(V)", SCRY_COL_HEX},
    {"Explanation", SCRY_COL_STR},
};

static const struct {
    const char *os;
    enum scry_pt_os kind;
    scry_status (*collect)(struct scry_plugin_ctx *pc, struct scry_pt_set *s);
} collectors[] = {
    {"linux", SCRY_PT_LINUX, scry_pt_collect_linux},
    {"windows", SCRY_PT_WINDOWS, scry_pt_collect_windows},
};

static scry_status run(struct scry_plugin_ctx *pc)
{
    for (size_t i = 0; i < sizeof collectors / sizeof collectors[0]; i++) {
        if (strcmp(collectors[i].os, pc->profile->os->name) != 0)
            continue;
        struct scry_pt_set s = {.out = pc->out};
        scry_status st = collectors[i].collect(pc, &s);
        if (st == SCRY_OK)
            st = scry_pt_check(&s, collectors[i].kind, pc->out);
        scry_pt_free(&s);
        return st;
    }
    return scry_err(SCRY_ERR_UNSUPPORTED, "memscry.proctree does not support %s dumps yet",
                    pc->profile->os->title);
}

const struct scry_plugin scry_plugin_memscry_proctree = {
    .name = "memscry.proctree.ProcTreeCheck",
    .alias = "memscry.proctree",
    .description = "Checks the process tree for anomalies: orphans, children older than their "
                   "parent, duplicate PIDs, processes only a scan finds, and on Windows the "
                   "known parent and single-instance rules; one row per finding.",
    .options = NULL,
    .noptions = 0,
    .columns = columns,
    .ncolumns = sizeof columns / sizeof columns[0],
    .os = "*",
    .run = run,
};
