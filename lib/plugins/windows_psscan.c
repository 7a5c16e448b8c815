/* windows_psscan.c - windows.psscan.PsScan: processes found by their pool
 * tags (lib/walk/windows_pool.c), unlinked and exited ones included. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/plugins/windows_common.h"
#include "lib/walk/windows_pe.h"
#include "lib/walk/windows_pool.h"

enum { OPT_PID, OPT_DUMP, OPT_PHYSICAL, NOPTS };

static const struct scry_option options[NOPTS] = {
    [OPT_PID] = {"pid", SCRY_OPT_INT_LIST,
                 "Process ID to include (all other processes are excluded)"},
    [OPT_DUMP] = {"dump", SCRY_OPT_BOOL, "Extract listed processes"},
    [OPT_PHYSICAL] = {"physical", SCRY_OPT_BOOL, "Display physical offset instead of virtual"},
};

struct ctx {
    const struct scry_windows *w;
    struct scry_vspace ks;
    struct scry_plugin_ctx *pc;
    int physical, dump;
    uint8_t *vbuf; /* the virtual EPROCESS of a physical hit (--dump) */
    scry_status st;
};

/* PsScan.virtual_process_from_physical: the kernel-space EPROCESS of a
 * physical hit, through its first thread's owning process. Returns 0 with
 * *vproc filled, else -1 (Volatility's None). */
static int virtual_process(struct ctx *c, const struct scry_win_proc *p, struct scry_win_proc *vp)
{
    const struct scry_windows *w = c->w;
    const struct scry_win_off *o = &w->off;
    const struct scry_win_off_a *a = &w->a;
    if (a->et_list == SCRY_WIN_NO_OFFSET || a->et_process == SCRY_WIN_NO_OFFSET ||
        !scry_win_proc_ok(p, o->ep_thread_head, 8))
        return -1;
    uint64_t offs[2] = {a->et_list, a->et_list + 8};
    int n = 1;
    /* Win7 SP1 x64: a second candidate 8 bytes on (get_osversion ==
     * (6, 1, 7601)). */
    uint32_t major, minor;
    uint8_t b2[2];
    /* get_osversion's reads are unguarded: a fault there is Volatility's
     * PagedInvalidAddressException, caught as "no virtual process". */
    if (w->sym.kd_version_block == SCRY_WIN_NO_OFFSET || a->ku_major == SCRY_WIN_NO_OFFSET ||
        a->ku_minor == SCRY_WIN_NO_OFFSET || a->kv_minor == SCRY_WIN_NO_OFFSET ||
        scry_vspace_read_u32(&c->ks, SCRY_WIN_KUSER_SHARED_DATA + a->ku_major, &major) != SCRY_OK ||
        scry_vspace_read_u32(&c->ks, SCRY_WIN_KUSER_SHARED_DATA + a->ku_minor, &minor) != SCRY_OK ||
        scry_vspace_read(&c->ks, w->kernel_base + w->sym.kd_version_block + a->kv_minor, b2, 2) !=
            SCRY_OK)
        return -1;
    if (major == 6 && minor == 1 && (b2[0] | b2[1] << 8) == 7601)
        n = 2;
    uint64_t flink = scry_win_u64(p->b, o->ep_thread_head + o->list_flink);
    for (int i = 0; i < n; i++) {
        uint64_t owner, pa;
        if (scry_vspace_read_u64(&c->ks, scry_win_canon(flink - offs[i] + a->et_process),
                                 &owner) != SCRY_OK ||
            scry_vspace_translate(&c->ks, scry_win_canon(owner), &pa) != SCRY_OK)
            return -1; /* PagedInvalidAddressException ends the search */
        if (pa == p->va) {
            vp->b = c->vbuf;
            return scry_win_proc_read(w, &c->ks, scry_win_mask(owner), vp) == SCRY_OK ? 0 : -1;
        }
    }
    return -1;
}

static int row(void *user, const struct scry_win_proc *p, int physical_layer)
{
    struct ctx *c = user;
    const struct scry_win_off *o = &c->w->off;
    char *file = NULL;
    uint64_t offset = p->va, pa;
    /* create_pid_filter */
    if (c->pc->opts->v[OPT_PID].set &&
        !scry_opt_int_filter(c->pc->opts, OPT_PID, (int64_t)scry_win_u64(p->b, o->ep_pid)))
        return 0;
    const char *out = "Disabled";
    if (c->dump) {
        struct scry_win_proc vp;
        const struct scry_win_proc *v = p;
        if (physical_layer)
            v = virtual_process(c, p, &vp) == 0 ? &vp : NULL;
        out = "Error outputting file";
        if (v) {
            scry_status st = scry_win_process_dump(c->w, &c->ks, v, c->pc->output_dir, c->pc->op,
                                                   &file);
            if (st == SCRY_ERR_NOMEM || st == SCRY_ERR_CANCELLED) {
                c->st = st;
                return 1;
            }
            if (file)
                out = file;
        }
    }
    if (c->physical) {
        /* memory.mapping(proc.vol.offset) on the kernel layer, whatever
         * layer the process came from. */
        if (scry_vspace_translate(&c->ks, scry_win_canon(p->va), &pa) != SCRY_OK) {
            c->st = scry_err(SCRY_ERR_NODATA, "windows.psscan --physical: 0x%" PRIx64
                             " is not mapped in the kernel layer", p->va);
            free(file);
            return 1;
        }
        offset = pa;
    }
    c->st = scry_win_pslist_add(c->w, &c->ks, c->pc->op, c->pc->out, p, offset, out);
    free(file);
    return c->st != SCRY_OK;
}

static scry_status run(struct scry_plugin_ctx *pc)
{
    struct ctx c = {.w = scry_windows_of(pc->profile), .pc = pc,
                    .physical = pc->opts->v[OPT_PHYSICAL].set, .dump = pc->opts->v[OPT_DUMP].set};
    if (c.physical)
        pc->out->cols = scry_win_pslist_columns_phys;
    if (c.dump && !pc->output_dir)
        return scry_err(SCRY_ERR_INVALID_ARG, "windows.psscan --dump needs an output directory");
    scry_status st = scry_profile_kernel(pc->profile, &c.ks);
    if (st != SCRY_OK)
        return st;
    if (!(c.vbuf = malloc(c.w->off.ep_size)))
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    st = scry_win_pool_scan_procs(c.w, &c.ks, pc->op, scry_win_year_now(), row, &c);
    free(c.vbuf);
    return st != SCRY_OK ? st : c.st;
}

const struct scry_plugin scry_plugin_windows_psscan = {
    .name = "windows.psscan.PsScan",
    .alias = "windows.psscan",
    .description = "Scans for processes present in a particular windows memory image.",
    .options = options,
    .noptions = NOPTS,
    .columns = scry_win_pslist_columns,
    .ncolumns = SCRY_WIN_PSLIST_NCOLS,
    .os = "windows",
    .run = run,
};
