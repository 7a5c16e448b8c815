/* windows_cmdline.c - windows.cmdline.CmdLine: each process's command line
 * (Peb->ProcessParameters->CommandLine), or the text Volatility prints for
 * the exception that stopped it (lib/walk/windows_peb.h). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "lib/plugins/windows_common.h"
#include "lib/walk/windows_peb.h"

enum { OPT_PID, NOPTS };

static const struct scry_option options[NOPTS] = {
    [OPT_PID] = {"pid", SCRY_OPT_INT_LIST,
                 "Process IDs to include (all other processes are excluded)"},
};

static const struct scry_column columns[] = {
    {"PID", SCRY_COL_INT}, {"Process", SCRY_COL_STR}, {"Args", SCRY_COL_STR}};

struct ctx {
    const struct scry_windows *w;
    struct scry_plugin_ctx *pc;
    scry_status st;
};

static int row(void *user, const struct scry_win_proc *p)
{
    struct ctx *c = user;
    const struct scry_win_off *o = &c->w->off;
    struct scry_win_pspace ps;
    struct scry_cell cells[3];
    char name[64], msg[160];
    char *text = NULL;
    size_t len = 0;
    uint64_t params;
    int nlen = (int)scry_win_proc_name(c->w, p, name);
    scry_status st = scry_win_pspace_open(c->w, p, &ps);
    if (nlen < 0 || !scry_win_proc_ok(p, o->ep_pid, 8)) {
        scry_op_say(c->pc->op, SCRY_DIAG_WARNING, SCRY_ERR_NODATA,
                    "process at 0x%" PRIx64 " skipped: its PID or name cannot be read", p->va);
        return 0;
    }
    if (st == SCRY_OK && (st = scry_win_peb_params(&ps, &params)) == SCRY_OK)
        st = scry_win_pustr(&ps, params + o->pp_cmdline, &text, &len);
    if (st == SCRY_ERR_NODATA) {
        scry_win_fault_text(&ps, msg, sizeof msg);
        text = NULL;
        cells[2] = scry_cell_str(msg, strlen(msg));
    } else if (st != SCRY_OK) {
        c->st = st;
        return 1;
    } else {
        cells[2] = scry_cell_str(text, len);
    }
    cells[0] = scry_cell_int((int64_t)scry_win_mask(scry_win_u64(p->b, o->ep_pid)));
    cells[1] = scry_cell_str(name, (size_t)nlen);
    c->st = scry_result_add(c->pc->out, 0, cells);
    free(text);
    return c->st != SCRY_OK;
}

static scry_status run(struct scry_plugin_ctx *pc)
{
    struct ctx c = {.w = scry_windows_of(pc->profile), .pc = pc};
    struct scry_vspace ks;
    scry_status st = scry_win_each_process(pc, &ks, OPT_PID, row, &c);
    return st != SCRY_OK ? st : c.st;
}

const struct scry_plugin scry_plugin_windows_cmdline = {
    .name = "windows.cmdline.CmdLine",
    .alias = "windows.cmdline",
    .description = "Lists process command line arguments.",
    .options = options,
    .noptions = NOPTS,
    .columns = columns,
    .ncolumns = sizeof columns / sizeof columns[0],
    .os = "windows",
    .run = run,
};
