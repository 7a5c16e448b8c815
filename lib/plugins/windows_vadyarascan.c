/* windows_vadyarascan.c - windows.vadyarascan.VadYaraScan: YARA rules over
 * every VAD of every process, as Volatility 2.11.0's (_version 1.1.1):
 * list_processes order (--pid filters), each VAD in traverse() order, a
 * VAD of more than 1 GiB (its hard-coded sanity check; --max-size is not
 * read, as in Volatility) skipped, the VAD's bytes [start, start + size)
 * read through the process's space with unmapped pages as zeros. Rows:
 * Offset = start + match offset, PID = UniqueProcessId, Rule, Component,
 * Value.
 *
 * One difference in means, not in result: Volatility hands libyara the
 * whole VAD at once; here it goes in 16 MiB windows overlapping by 4 KiB
 * (memory stays bounded), so the rows are the same unless a match longer
 * than 4 KiB crosses a window boundary, or several rules match one VAD
 * over 16 MiB (rows then come per window, each in libyara's order). */
#include <inttypes.h>

#include "lib/plugins/windows_vad_common.h"
#include "lib/plugins/yara_common.h"

enum { OPT_PID = SCRY_YARA_NOPTS, NOPTS };

/* Volatility's sanity_check. */
#define VAD_SCAN_MAX ((uint64_t)1 << 30)

static const struct scry_option options[NOPTS] = {
    SCRY_YARA_OPTION_ENTRIES,
    [OPT_PID] = SCRY_YARA_PID_OPTION,
};

struct ctx {
    const struct scry_windows *w;
    struct scry_plugin_ctx *pc;
    const struct scry_yara_rules *rules;
    struct scry_yara_memo *memo; /* windows met before (shared libraries, zeros) */
    struct scry_vspace ks, ps;
    int64_t pid;
    scry_status st;
};

static int on_hit(void *user, const struct scry_yara_hit *h)
{
    struct ctx *c = user;
    c->st = scry_yara_add_row(c->pc->out, h->addr, c->pid, h);
    return c->st != SCRY_OK;
}

static int on_vad(void *user, const struct scry_win_vad_node *v)
{
    struct ctx *c = user;
    scry_win_i128 size = scry_win_vad_size(v);
    /* A VAD wider than 64 bits or not positive reads nothing (Volatility's
     * read of a negative length is empty); one over the bound is skipped. */
    if (v->wide || size <= 0)
        return 0;
    if ((uint64_t)size > VAD_SCAN_MAX) {
        scry_op_say(c->pc->op, SCRY_DIAG_INFO, SCRY_ERR_LIMIT,
                    "VAD at 0x%" PRIx64 " over sanity-check size, not scanning", v->start);
        return 0;
    }
    uint64_t end = v->start + (uint64_t)size;
    if (end < v->start || v->start > scry_vspace_mask(&c->ps))
        return 0; /* beyond the space: nothing maps there, no bytes to match */
    scry_status st = scry_yara_scan_vrange(c->rules, &c->ps, v->start, end, SCRY_YARA_WINDOW,
                                           SCRY_YARA_OVERLAP, c->memo, c->pc->op, on_hit, c);
    if (st == SCRY_OK)
        return c->st != SCRY_OK;
    if (st == SCRY_ERR_NOMEM || st == SCRY_ERR_CANCELLED) {
        c->st = st;
        return 1;
    }
    scry_op_report(c->pc->op, scry_diag_level_for(st), st,
                   "vadyarascan: pid %" PRId64 ": VAD 0x%" PRIx64 " not scanned", c->pid,
                   v->start);
    return 0;
}

static int on_proc(void *user, const struct scry_win_proc *p)
{
    struct ctx *c = user;
    const struct scry_win_off *o = &c->w->off;
    if (!scry_win_proc_ok(p, o->ep_pid, 8) || scry_win_proc_space(c->w, p, &c->ps) != SCRY_OK) {
        scry_op_say(c->pc->op, SCRY_DIAG_INFO, SCRY_ERR_NODATA,
                    "process at 0x%" PRIx64 " skipped: its PID or page tables cannot be read",
                    p->va);
        return 0;
    }
    c->pid = (int64_t)scry_win_u64(p->b, o->ep_pid);
    scry_status st = scry_win_vad_walk(c->w, &c->ks, c->pc->op, p, on_vad, c);
    if (st != SCRY_OK && c->st == SCRY_OK)
        c->st = st;
    return c->st != SCRY_OK;
}

static scry_status run(struct scry_plugin_ctx *pc)
{
    struct scry_yara_rules *owned;
    struct ctx c = {.w = scry_windows_of(pc->profile), .pc = pc};
    if (!c.w->vad.ok)
        return scry_err(SCRY_ERR_UNSUPPORTED, "windows.vadyarascan: %s", c.w->vad.error);
    scry_status st = scry_yara_plugin_rules(pc, &c.rules, &owned);
    if (st == SCRY_OK)
        st = scry_yara_memo_new(&c.memo);
    if (st == SCRY_OK)
        st = scry_profile_kernel(pc->profile, &c.ks);
    if (st == SCRY_OK)
        st = scry_win_list_processes(c.w, &c.ks, pc->op, pc->opts, OPT_PID, on_proc, &c);
    if (st == SCRY_OK)
        st = c.st;
    scry_yara_memo_free(c.memo);
    scry_yara_rules_free(owned);
    return st;
}

const struct scry_plugin scry_plugin_windows_vadyarascan = {
    .name = "windows.vadyarascan.VadYaraScan",
    .alias = "windows.vadyarascan",
    .description = "Scans all the Virtual Address Descriptor memory maps using yara.",
    .options = options,
    .noptions = NOPTS,
    .columns = scry_yara_pid_columns,
    .ncolumns = SCRY_YARA_PID_NCOLS,
    .os = "windows",
    .run = run,
};
