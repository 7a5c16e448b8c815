/* memscry_malscan.c - memscry.malscan.MalScan: YARA rules over the memory
 * where malware lives (quick) or over all of it (full), one row per hit
 * saying where (process, region, virtual and physical address) and what
 * (rule, string, bytes). lib/scan/malscan.h has the modes and the driver;
 * malscan_<os>.c the regions of each OS. */
#include <stdlib.h>
#include <string.h>

#include "lib/base/error.h"
#include "lib/plugins/malscan_os.h"
#include "lib/plugins/yara_common.h"

enum { OPT_MODE = SCRY_YARA_NOPTS, OPT_PID, NOPTS };

static const struct scry_option options[NOPTS] = {
    SCRY_YARA_OPTION_ENTRIES,
    [OPT_MODE] = {"mode", SCRY_OPT_STR,
                  "quick (default): executable and anonymous writable regions of user "
                  "processes, plus loaded kernel modules; full: every mapped page of every "
                  "process, plus all of physical memory"},
    [OPT_PID] = {"pid", SCRY_OPT_INT_LIST,
                 "Process IDs to include (kernel modules and physical memory are then not "
                 "scanned)"},
};

static const struct scry_column columns[] = {
    {"Space", SCRY_COL_STR},      {"PID", SCRY_COL_INT},          {"Process", SCRY_COL_STR},
    {"Region", SCRY_COL_STR},     {"Start", SCRY_COL_HEX},        {"End", SCRY_COL_HEX},
    {"Protection", SCRY_COL_STR}, {"Offset", SCRY_COL_HEX},       {"Physical", SCRY_COL_HEX},
    {"Rule", SCRY_COL_STR},       {"Component", SCRY_COL_STR},    {"Value", SCRY_COL_BYTES},
};
#define NCOLS (sizeof columns / sizeof columns[0])

static const struct scry_malscan_os *const collectors[] = {
    &scry_malscan_linux,
    &scry_malscan_windows,
    NULL,
};

static const char *const space_names[] = {
    [SCRY_REGION_PROCESS] = "process",
    [SCRY_REGION_MODULE] = "kernel module",
    [SCRY_REGION_PHYSICAL] = "physical",
};

struct ctx {
    struct scry_result *out;
    scry_status st;
};

static struct scry_cell str_cell(const char *s)
{
    return scry_cell_str(s, strlen(s));
}

static int on_hit(void *user, const struct scry_malscan_hit *h)
{
    struct ctx *c = user;
    const struct scry_scan_region *r = h->region;
    struct scry_cell cells[NCOLS];
    cells[0] = str_cell(space_names[r->kind]);
    cells[1] = r->pid >= 0 ? scry_cell_int(r->pid) : scry_cell_absent(SCRY_CELL_NOT_APPLICABLE);
    cells[2] = str_cell(r->owner);
    cells[3] = str_cell(r->name);
    cells[4] = scry_cell_hex(r->start);
    cells[5] = scry_cell_hex(r->end);
    cells[6] = r->prot[0] ? str_cell(r->prot) : scry_cell_absent(SCRY_CELL_NOT_APPLICABLE);
    cells[7] = scry_cell_hex(h->addr);
    cells[8] = h->has_phys ? scry_cell_hex(h->phys) : scry_cell_absent(SCRY_CELL_NOT_APPLICABLE);
    cells[9] = str_cell(h->yara->rule);
    cells[10] = str_cell(h->yara->string);
    cells[11] = scry_cell_str((const char *)h->yara->data, h->yara->len);
    c->st = scry_result_add(c->out, 0, cells);
    return c->st != SCRY_OK;
}

static scry_status run(struct scry_plugin_ctx *pc)
{
    const struct scry_optval *mode_opt = &pc->opts->v[OPT_MODE];
    scry_scan_mode mode = SCRY_SCAN_QUICK;
    const struct scry_malscan_os *os = NULL;
    if (mode_opt->set) {
        if (!strcmp(mode_opt->str, "full"))
            mode = SCRY_SCAN_FULL;
        else if (strcmp(mode_opt->str, "quick") != 0)
            return scry_err(SCRY_ERR_BAD_OPTION, "--mode: '%s' is not quick or full",
                            mode_opt->str);
    }
    for (size_t i = 0; collectors[i]; i++)
        if (!strcmp(collectors[i]->os, pc->profile->os->name))
            os = collectors[i];
    if (!os)
        return scry_err(SCRY_ERR_UNSUPPORTED, "memscry.malscan does not support %s dumps yet",
                        pc->profile->os->title);
    struct scry_yara_rules *owned = NULL;
    const struct scry_yara_rules *rules;
    scry_status st = scry_yara_plugin_rules(pc, &rules, &owned);
    if (st != SCRY_OK)
        return st;
    const struct scry_optval *pid = &pc->opts->v[OPT_PID];
    struct scry_pid_filter f = {.pids = pid->ints, .n = pid->nints};
    struct ctx c = {.out = pc->out};
    st = scry_malscan_run(pc->profile, os, rules, mode, pid->set ? &f : NULL, pc->op, on_hit, &c);
    scry_yara_rules_free(owned);
    return st != SCRY_OK ? st : c.st;
}

const struct scry_plugin scry_plugin_memscry_malscan = {
    .name = "memscry.malscan.MalScan",
    .alias = "memscry.malscan",
    .description = "Scans process memory, kernel modules (quick) and all of physical memory "
                   "(full) with YARA rules; one row per hit.",
    .options = options,
    .noptions = NOPTS,
    .columns = columns,
    .ncolumns = NCOLS,
    .os = "*",
    .run = run,
};
