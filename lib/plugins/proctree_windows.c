/* proctree_windows.c - memscry.proctree's records of a Windows dump: the
 * active process list (as windows.pslist walks it) and every process the
 * pool scan finds (as windows.psscan), with CreateTime and ExitTime. */
#include <inttypes.h>
#include <string.h>

#include "lib/plugins/proctree.h"
#include "lib/plugins/windows_common.h"
#include "lib/walk/windows_pool.h"

struct ctx {
    const struct scry_windows *w;
    struct scry_vspace ks;
    struct scry_op *op;
    struct scry_pt_set *s;
    scry_status st;
};

/* A record of p, or 0 when a field the rules need cannot be read (the
 * process is then skipped with pslist's INFO). */
static int record(struct ctx *c, const struct scry_win_proc *p, int listed, int physical)
{
    const struct scry_win_off *o = &c->w->off;
    struct scry_pt_proc r = {.offset = p->va, .listed = (uint8_t)listed,
                            .physical = (uint8_t)physical};
    if (!scry_win_proc_ok(p, o->ep_pid, 8) || !scry_win_proc_ok(p, o->ep_ppid, 8) ||
        !scry_win_proc_ok(p, o->ep_create, 8) || !scry_win_proc_ok(p, o->ep_exit, 8) ||
        scry_win_proc_name(c->w, p, r.name) < 0) {
        scry_op_say(c->op, SCRY_DIAG_INFO, SCRY_ERR_NODATA,
                    "Invalid process found at address: %" PRIx64 ". Skipping", p->va);
        return 0;
    }
    r.pid = (int64_t)scry_win_u64(p->b, o->ep_pid);
    r.ppid = (int64_t)scry_win_u64(p->b, o->ep_ppid);
    r.start = scry_win_u64(p->b, o->ep_create);
    r.has_start = r.start != 0;
    r.exited = scry_win_u64(p->b, o->ep_exit) != 0;
    c->st = scry_pt_push(c->s, &r);
    return c->st != SCRY_OK;
}

static int on_listed(void *user, const struct scry_win_proc *p) { return record(user, p, 1, 0); }

static int on_scanned(void *user, const struct scry_win_proc *p, int physical)
{
    return record(user, p, 0, physical);
}

scry_status scry_pt_collect_windows(struct scry_plugin_ctx *pc, struct scry_pt_set *s)
{
    struct ctx c = {.w = scry_windows_of(pc->profile), .op = pc->op, .s = s};
    scry_status st = scry_win_each_process(pc, &c.ks, -1, on_listed, &c);
    if (st == SCRY_OK)
        st = c.st;
    if (st == SCRY_OK)
        st = scry_win_pool_scan_procs(c.w, &c.ks, pc->op, scry_win_year_now(), on_scanned, &c);
    return st != SCRY_OK ? st : c.st;
}
