/* windows_pslist.c - windows.pslist.PsList: the active process list. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/plugins/windows_common.h"
#include "lib/walk/windows_pe.h"

enum { OPT_PHYSICAL, OPT_PID, OPT_DUMP, NOPTS };

static const struct scry_option options[NOPTS] = {
    [OPT_PHYSICAL] = {"physical", SCRY_OPT_BOOL, "Display physical offsets instead of virtual"},
    [OPT_PID] = {"pid", SCRY_OPT_INT_LIST,
                 "Process ID to include (all other processes are excluded)"},
    [OPT_DUMP] = {"dump", SCRY_OPT_BOOL, "Extract listed processes"},
};

const struct scry_column scry_win_pslist_columns[SCRY_WIN_PSLIST_NCOLS] = {
    {"PID", SCRY_COL_INT},         {"PPID", SCRY_COL_INT},       {"ImageFileName", SCRY_COL_STR},
    {"Offset(V)", SCRY_COL_HEX},   {"Threads", SCRY_COL_INT},    {"Handles", SCRY_COL_INT},
    {"SessionId", SCRY_COL_INT},   {"Wow64", SCRY_COL_BOOL},     {"CreateTime", SCRY_COL_DATETIME},
    {"ExitTime", SCRY_COL_DATETIME}, {"File output", SCRY_COL_STR},
};
const struct scry_column scry_win_pslist_columns_phys[SCRY_WIN_PSLIST_NCOLS] = {
    {"PID", SCRY_COL_INT},         {"PPID", SCRY_COL_INT},       {"ImageFileName", SCRY_COL_STR},
    {"Offset(P)", SCRY_COL_HEX},   {"Threads", SCRY_COL_INT},    {"Handles", SCRY_COL_INT},
    {"SessionId", SCRY_COL_INT},   {"Wow64", SCRY_COL_BOOL},     {"CreateTime", SCRY_COL_DATETIME},
    {"ExitTime", SCRY_COL_DATETIME}, {"File output", SCRY_COL_STR},
};

/* -------------------------------------------------- shared with pstree */

struct list_ctx {
    const struct scry_windows *w;
    struct scry_vspace *ks;
    struct scry_op *op;
    const struct scry_optvals *o;
    int opt_pid;
    scry_win_proc_fn fn;
    void *user;
    struct scry_win_proc p;
    scry_status st;
};

static int on_entry(void *user, uint64_t va)
{
    struct list_ctx *c = user;
    scry_status st = scry_win_proc_read(c->w, c->ks, va, &c->p);
    if (st != SCRY_OK) {
        scry_op_report(c->op, scry_diag_level_for(st), st, "process at 0x%" PRIx64 " skipped", va);
        return 0;
    }
    if (c->opt_pid >= 0) {
        /* create_pid_filter: a process whose PID cannot be read is kept
         * out of a filtered listing. */
        if (!scry_win_proc_ok(&c->p, c->w->off.ep_pid, 8) ||
            !scry_opt_int_filter(c->o, c->opt_pid, (int64_t)scry_win_u64(c->p.b, c->w->off.ep_pid)))
            return 0;
    }
    return c->fn(c->user, &c->p);
}

scry_status scry_win_list_processes(const struct scry_windows *w, struct scry_vspace *ks,
                                    struct scry_op *op, const struct scry_optvals *o,
                                    int opt_pid, scry_win_proc_fn fn, void *user)
{
    struct list_ctx c = {.w = w, .ks = ks, .op = op, .o = o, .opt_pid = opt_pid, .fn = fn,
                         .user = user};
    if (!(c.p.b = malloc(w->off.ep_size)))
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    uint64_t head = scry_win_sym_va(w, w->sym.ps_active_process_head);
    scry_status st = scry_win_walk_list(ks, op, head, w->off.ep_links, "the active process list",
                                        on_entry, &c);
    free(c.p.b);
    return st;
}

scry_status scry_win_each_process(struct scry_plugin_ctx *pc, struct scry_vspace *ks, int opt_pid,
                                  scry_win_proc_fn fn, void *user)
{
    scry_status st = scry_profile_kernel(pc->profile, ks);
    if (st == SCRY_OK)
        st = scry_win_list_processes(scry_windows_of(pc->profile), ks, pc->op, pc->opts, opt_pid,
                                     fn, user);
    return st;
}

scry_status scry_win_pslist_cells(const struct scry_windows *w, struct scry_vspace *ks,
                                  const struct scry_win_proc *p, uint64_t offset,
                                  struct scry_cell *cells, char *name_buf)
{
    const struct scry_win_off *o = &w->off;
    const uint8_t *b = p->b;
    uint64_t nlen = o->ep_name_size < 15 ? o->ep_name_size : 15;
    if (!scry_win_proc_ok(p, o->ep_pid, 8) || !scry_win_proc_ok(p, o->ep_ppid, 8) ||
        !scry_win_proc_ok(p, o->ep_name, nlen) || !scry_win_proc_ok(p, o->ep_active_threads, 4) ||
        !scry_win_proc_ok(p, o->ep_create, 8) || !scry_win_proc_ok(p, o->ep_exit, 8) ||
        (o->ep_wow64 != SCRY_WIN_NO_OFFSET && !scry_win_proc_ok(p, o->ep_wow64, 8)))
        return SCRY_ERR_NODATA;
    size_t len = (size_t)scry_win_proc_name(w, p, name_buf);
    cells[0] = scry_cell_int((int64_t)scry_win_u64(b, o->ep_pid));
    cells[1] = scry_cell_int((int64_t)scry_win_u64(b, o->ep_ppid));
    cells[2] = scry_cell_str(name_buf, len);
    cells[3] = scry_cell_hex(offset);
    cells[4] = scry_cell_int(scry_win_u32(b, o->ep_active_threads));
    /* get_handle_count: ObjectTable.HandleCount where the ISF has it and it
     * can be read; else unreadable. */
    cells[5] = scry_cell_absent(SCRY_CELL_UNREADABLE);
    if (o->handle_count != SCRY_WIN_NO_OFFSET && scry_win_proc_ok(p, o->ep_object_table, 8)) {
        uint32_t hc;
        uint64_t table = scry_win_u64(b, o->ep_object_table);
        if (scry_vspace_read_u32(ks, scry_win_canon(table + o->handle_count), &hc) == SCRY_OK)
            cells[5] = scry_cell_int((int32_t)hc);
    }
    /* get_session_id: N/A without a session, unreadable when it cannot be
     * read. */
    cells[6] = scry_cell_absent(SCRY_CELL_UNREADABLE);
    if (scry_win_proc_ok(p, o->ep_session, 8)) {
        uint64_t session = scry_win_u64(b, o->ep_session);
        uint32_t id;
        if (!session)
            cells[6] = scry_cell_absent(SCRY_CELL_NOT_APPLICABLE);
        else if (o->session_id != SCRY_WIN_NO_OFFSET &&
                 scry_vspace_read_u32(ks, scry_win_canon(session + o->session_id), &id) == SCRY_OK)
            cells[6] = scry_cell_int(id);
    }
    cells[7] = scry_cell_bool(o->ep_wow64 != SCRY_WIN_NO_OFFSET && scry_win_u64(b, o->ep_wow64));
    cells[8] = scry_win_time_cell(scry_win_u64(b, o->ep_create));
    cells[9] = scry_win_time_cell(scry_win_u64(b, o->ep_exit));
    return SCRY_OK;
}

scry_status scry_win_pslist_add(const struct scry_windows *w, struct scry_vspace *ks,
                                struct scry_op *op, struct scry_result *out,
                                const struct scry_win_proc *p, uint64_t offset,
                                const char *file_output)
{
    struct scry_cell cells[SCRY_WIN_PSLIST_NCOLS];
    char name[64];
    scry_status st = scry_win_pslist_cells(w, ks, p, offset, cells, name);
    if (st != SCRY_OK) {
        scry_op_say(op, SCRY_DIAG_INFO, st, "Invalid process found at address: %" PRIx64
                    ". Skipping", p->va);
        return SCRY_OK;
    }
    cells[10] = scry_cell_str(file_output, strlen(file_output));
    return scry_result_add(out, 0, cells);
}

/* ------------------------------------------------------------ the plugin */

struct ctx {
    const struct scry_windows *w;
    struct scry_vspace ks;
    struct scry_plugin_ctx *pc;
    int physical;
    scry_status st;
};

static int row(void *user, const struct scry_win_proc *p)
{
    struct ctx *c = user;
    uint64_t offset = p->va, pa;
    if (c->physical) {
        if (scry_vspace_translate(&c->ks, scry_win_canon(p->va), &pa) != SCRY_OK)
            return 0;
        offset = pa;
    }
    /* --dump: PsList.process_dump before the row (the file stays even when
     * the row's fields then fail). */
    char *file = NULL;
    const char *out = "Disabled";
    if (c->pc->opts->v[OPT_DUMP].set) {
        scry_status ds = scry_win_process_dump(c->w, &c->ks, p, c->pc->output_dir, c->pc->op,
                                               &file);
        if (ds != SCRY_OK) {
            c->st = ds;
            return 1;
        }
        out = file ? file : "Error outputting file";
    }
    c->st = scry_win_pslist_add(c->w, &c->ks, c->pc->op, c->pc->out, p, offset, out);
    free(file);
    return c->st != SCRY_OK;
}

static scry_status run(struct scry_plugin_ctx *pc)
{
    struct ctx c = {.w = scry_windows_of(pc->profile), .pc = pc,
                    .physical = pc->opts->v[OPT_PHYSICAL].set};
    if (pc->opts->v[OPT_DUMP].set && !pc->output_dir)
        return scry_err(SCRY_ERR_INVALID_ARG, "windows.pslist --dump needs an output directory");
    if (c.physical)
        pc->out->cols = scry_win_pslist_columns_phys;
    scry_status st = scry_win_each_process(pc, &c.ks, OPT_PID, row, &c);
    return st != SCRY_OK ? st : c.st;
}

const struct scry_plugin scry_plugin_windows_pslist = {
    .name = "windows.pslist.PsList",
    .alias = "windows.pslist",
    .description = "Lists the processes present in a particular windows memory image.",
    .options = options,
    .noptions = NOPTS,
    .columns = scry_win_pslist_columns,
    .ncolumns = SCRY_WIN_PSLIST_NCOLS,
    .os = "windows",
    .run = run,
};
