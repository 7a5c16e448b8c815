/* windows_vadinfo.c - windows.vadinfo.VadInfo: each process's VADs, in
 * the walk order of lib/walk/windows_vad.h. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/plugins/windows_vad_common.h"

enum { OPT_ADDRESS, OPT_PID, OPT_DUMP, OPT_MAXSIZE, NOPTS };

static const struct scry_option options[NOPTS] = {
    [OPT_ADDRESS] = {"address", SCRY_OPT_INT,
                     "Process virtual memory address to include (all other address ranges are"
                     " excluded)."},
    [OPT_PID] = {"pid", SCRY_OPT_INT_LIST, "Filter on specific process IDs"},
    [OPT_DUMP] = {"dump", SCRY_OPT_BOOL, "Extract listed memory ranges"},
    [OPT_MAXSIZE] = {"maxsize", SCRY_OPT_INT,
                     "Maximum size for dumped VAD sections (all the bigger sections will be"
                     " ignored)"},
};

static const struct scry_column columns[] = {
    {"PID", SCRY_COL_INT},        {"Process", SCRY_COL_STR},     {"Offset", SCRY_COL_HEX},
    {"Start VPN", SCRY_COL_HEX128}, {"End VPN", SCRY_COL_HEX128},     {"Tag", SCRY_COL_STR},
    {"Protection", SCRY_COL_STR}, {"CommitCharge", SCRY_COL_INT}, {"PrivateMemory", SCRY_COL_INT},
    {"Parent", SCRY_COL_HEX},     {"File", SCRY_COL_STR},        {"File output", SCRY_COL_STR},
};

struct ctx {
    const struct scry_windows *w;
    struct scry_vspace ks, ps;
    struct scry_plugin_ctx *pc;
    int32_t protect[32];
    uint32_t protect_ok;
    int protect_warned;
    int have_address, dump, have_ps;
    int64_t address, maxsize, pid;
    char name[64];
    long name_len;
    scry_status st;
};

static int on_vad(void *user, const struct scry_win_vad_node *v)
{
    struct ctx *c = user;
    struct scry_cell cells[12];
    char prot[256], fname[160];
    /* --address: start <= address <= end (Python integers). */
    if (c->have_address && !(c->address >= 0 && !v->start_hi && v->start <= (uint64_t)c->address &&
                             (v->end_hi || (uint64_t)c->address <= v->end)))
        return 0;
    const char *out = "Disabled";
    if (c->dump) {
        out = "Error outputting file";
        if (c->have_ps) {
            const char *n;
            scry_status st = scry_win_vad_dump(c->pc, &c->ps, c->pid, v, c->maxsize, fname, &n);
            if (st != SCRY_OK) {
                c->st = st;
                return 1;
            }
            if (n)
                out = n;
        }
    }
    size_t plen = scry_win_vad_protection(c->protect, c->protect_ok, v->protection, prot,
                                          c->pc->op, &c->protect_warned);
    char *file = NULL;
    size_t flen = 0;
    scry_status fst = scry_win_vad_file_name(c->w, &c->ks, v, &file, &flen);
    if (fst == SCRY_ERR_NOMEM) {
        c->st = fst;
        return 1;
    }
    cells[0] = scry_cell_int(c->pid);
    cells[1] = c->name_len >= 0 ? scry_cell_str(c->name, (size_t)c->name_len)
                                : scry_cell_absent(SCRY_CELL_UNREADABLE);
    cells[2] = scry_cell_hex(scry_win_canon(v->va));
    cells[3] = scry_cell_hex128(v->start_hi, v->start);
    cells[4] = scry_cell_hex128(v->end_hi, v->end);
    cells[5] = scry_cell_str(v->tag, 4);
    cells[6] = scry_cell_str(prot, plen);
    cells[7] = scry_cell_int((int64_t)v->commit);
    cells[8] = scry_cell_int((int64_t)v->private_mem);
    cells[9] = scry_cell_hex(v->parent);
    cells[10] = fst == SCRY_OK ? scry_cell_str(file, flen)
                               : scry_cell_absent(SCRY_CELL_NOT_APPLICABLE);
    cells[11] = scry_cell_str(out, strlen(out));
    c->st = scry_result_add(c->pc->out, 0, cells);
    free(file);
    return c->st != SCRY_OK;
}

static int on_proc(void *user, const struct scry_win_proc *p)
{
    struct ctx *c = user;
    if (!scry_win_proc_ok(p, c->w->off.ep_pid, 8)) {
        scry_op_say(c->pc->op, SCRY_DIAG_INFO, SCRY_ERR_NODATA,
                    "process at 0x%" PRIx64 " skipped: its PID cannot be read", p->va);
        return 0;
    }
    c->pid = (int64_t)scry_win_u64(p->b, c->w->off.ep_pid);
    c->name_len = scry_win_proc_name(c->w, p, c->name);
    c->have_ps = c->dump && scry_win_proc_space(c->w, p, &c->ps) == SCRY_OK;
    scry_status st = scry_win_vad_walk(c->w, &c->ks, c->pc->op, p, on_vad, c);
    if (st != SCRY_OK && c->st == SCRY_OK)
        c->st = st;
    return c->st != SCRY_OK;
}

static scry_status run(struct scry_plugin_ctx *pc)
{
    const struct scry_optvals *o = pc->opts;
    struct ctx c = {.w = scry_windows_of(pc->profile), .pc = pc,
                    .dump = o->v[OPT_DUMP].set, .maxsize = SCRY_WIN_VAD_MAXSIZE_DEFAULT};
    if (o->v[OPT_ADDRESS].set && o->v[OPT_ADDRESS].nints) {
        c.have_address = 1;
        c.address = o->v[OPT_ADDRESS].ints[0];
    }
    if (o->v[OPT_MAXSIZE].set && o->v[OPT_MAXSIZE].nints)
        c.maxsize = o->v[OPT_MAXSIZE].ints[0];
    if (!c.w->vad.ok)
        return scry_err(SCRY_ERR_UNSUPPORTED, "windows.vadinfo: %s", c.w->vad.error);
    scry_status st = scry_profile_kernel(pc->profile, &c.ks);
    if (st != SCRY_OK)
        return st;
    if ((st = scry_win_vad_protect_values(c.w, &c.ks, c.protect, &c.protect_ok)) != SCRY_OK)
        return st;
    st = scry_win_list_processes(c.w, &c.ks, pc->op, pc->opts, OPT_PID, on_proc, &c);
    return st != SCRY_OK ? st : c.st;
}

const struct scry_plugin scry_plugin_windows_vadinfo = {
    .name = "windows.vadinfo.VadInfo",
    .alias = "windows.vadinfo",
    .description = "Lists process memory ranges.",
    .options = options,
    .noptions = NOPTS,
    .columns = columns,
    .ncolumns = sizeof columns / sizeof columns[0],
    .os = "windows",
    .run = run,
};
