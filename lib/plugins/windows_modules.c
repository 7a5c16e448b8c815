/* windows_modules.c - windows.modules.Modules: the kernel's loaded-module
 * list (PsLoadedModuleList through _KLDR_DATA_TABLE_ENTRY on Win10+, else
 * _LDR_DATA_TABLE_ENTRY, as off.kle_* states), with --dump through the
 * PE dumper in the first session's space that maps the module. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/plugins/windows_common.h"
#include "lib/walk/windows_pe.h"

enum { OPT_DUMP, OPT_BASE, OPT_NAME, NOPTS };

static const struct scry_option options[NOPTS] = {
    [OPT_DUMP] = {"dump", SCRY_OPT_BOOL, "Extract listed modules"},
    [OPT_BASE] = {"base", SCRY_OPT_INT, "Extract a single module with BASE address"},
    [OPT_NAME] = {"name", SCRY_OPT_STR, "module name/sub string"},
};

static const struct scry_column columns[] = {
    {"Offset", SCRY_COL_HEX}, {"Base", SCRY_COL_HEX}, {"Size", SCRY_COL_HEX},
    {"Name", SCRY_COL_STR},   {"Path", SCRY_COL_STR}, {"File output", SCRY_COL_STR},
};

/* One session's address space (Modules.get_session_layers): the first
 * process of each SessionId, in process-list order. */
struct session {
    uint32_t id;
    uint64_t dtb;
};

struct ctx {
    struct scry_plugin_ctx *pc;
    const struct scry_windows *w;
    struct scry_vspace ks;
    struct session *s;
    size_t ns, cap;
    scry_status st;
};

static int on_proc(void *user, const struct scry_win_proc *p)
{
    struct ctx *c = user;
    const struct scry_win_off *o = &c->w->off;
    uint32_t id;
    if (!scry_win_proc_ok(p, o->ep_dtb, 8) || !scry_win_proc_ok(p, o->ep_session, 8) ||
        o->session_id == SCRY_WIN_NO_OFFSET)
        return 0;
    uint64_t session = scry_win_u64(p->b, o->ep_session);
    if (scry_vspace_read_u32(&c->ks, scry_win_canon(session + o->session_id), &id) != SCRY_OK)
        return 0;
    for (size_t i = 0; i < c->ns; i++)
        if (c->s[i].id == id)
            return 0;
    if (c->ns == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 8;
        struct session *n = realloc(c->s, cap * sizeof *n);
        if (!n) {
            c->st = scry_err(SCRY_ERR_NOMEM, "out of memory");
            return 1;
        }
        c->s = n;
        c->cap = cap;
    }
    c->s[c->ns++] = (struct session){id, scry_win_u64(p->b, o->ep_dtb)};
    return 0;
}

struct walk {
    struct ctx *c;
    scry_status st;
};

static scry_status dump(struct ctx *c, uint64_t entry, uint64_t dll_base, const char *full,
                        char **out)
{
    /* find_session_layer: the first session space where the base is
     * mapped. */
    struct scry_vspace vs;
    uint64_t pa;
    size_t i;
    char buf[160];
    *out = NULL;
    for (i = 0; i < c->ns; i++) {
        if (scry_win_process_space(c->w, c->s[i].dtb, &vs) != SCRY_OK)
            continue;
        if (scry_vspace_translate(&vs, scry_win_canon(dll_base), &pa) == SCRY_OK)
            break;
    }
    if (i == c->ns) {
        snprintf(buf, sizeof buf, "Cannot find a viable session layer for 0x%" PRIx64, dll_base);
        return (*out = strdup(buf)) ? SCRY_OK : scry_err(SCRY_ERR_NOMEM, "out of memory");
    }
    /* dump_ldr_entry: ntpath.basename(FullDllName) (or
     * "UnreadableDLLName") + ".<entry>.<base>.dmp" */
    const char *b = full ? full : "UnreadableDLLName";
    for (const char *p = b; *p; p++)
        if (*p == '\\' || *p == '/')
            b = p + 1;
    size_t n = strlen(b) + 64;
    char *name = malloc(n);
    if (!name)
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    snprintf(name, n, "%s.0x%" PRIx64 ".0x%" PRIx64 ".dmp", b, entry, dll_base);
    char *written = NULL;
    scry_status st = scry_win_pe_dump(&vs, dll_base, c->pc->output_dir, name, c->pc->op, &written);
    if (st == SCRY_ERR_NOMEM || st == SCRY_ERR_CANCELLED) {
        free(name);
        return st;
    }
    if (st != SCRY_OK) {
        scry_op_report(c->pc->op, SCRY_DIAG_INFO, st, "Unable to dump PE file at offset %" PRIu64,
                       dll_base);
        free(name);
        return (*out = strdup("Error outputting file")) ? SCRY_OK
                                                        : scry_err(SCRY_ERR_NOMEM, "out of memory");
    }
    free(written);
    *out = name; /* the column shows the name asked for, as Volatility's does */
    return SCRY_OK;
}

static int on_module(void *user, uint64_t entry)
{
    struct walk *wk = user;
    struct ctx *c = wk->c;
    const struct scry_win_off *o = &c->w->off;
    const struct scry_optvals *opts = c->pc->opts;
    uint8_t e[0x200];
    uint64_t need = 0;
    uint64_t fields[4] = {o->kle_dll_base + 8, o->kle_image_size + 4, o->kle_full_name + 16,
                          o->kle_base_name + 16};
    for (int i = 0; i < 4; i++)
        if (fields[i] > need)
            need = fields[i];
    if (need > sizeof e) {
        wk->st = scry_err(SCRY_ERR_CORRUPT, "_KLDR_DATA_TABLE_ENTRY: implausible layout");
        return 1;
    }
    /* Volatility reads DllBase, SizeOfImage and the two strings' headers
     * unguarded: an entry without them ends its plugin; here it is skipped
     * with a warning. */
    scry_status st = scry_vspace_read(&c->ks, scry_win_canon(entry), e, need);
    if (st != SCRY_OK) {
        scry_op_report(c->pc->op, SCRY_DIAG_WARNING, st, "module entry 0x%" PRIx64 " skipped",
                       entry);
        return 0;
    }
    uint64_t base = scry_win_mask(scry_win_u64(e, o->kle_dll_base));
    uint32_t size = scry_win_u32(e, o->kle_image_size);
    if (opts->v[OPT_BASE].set && opts->v[OPT_BASE].nints && opts->v[OPT_BASE].ints[0] &&
        (uint64_t)opts->v[OPT_BASE].ints[0] != base)
        return 0;
    char *bname = NULL, *fname = NULL, *out = NULL;
    size_t blen = 0, flen = 0;
    if (scry_win_ustr(c->w, &c->ks, e + o->kle_base_name, &bname, &blen) != SCRY_OK)
        bname = NULL;
    if (wk->st == SCRY_OK && opts->v[OPT_NAME].set && opts->v[OPT_NAME].str &&
        *opts->v[OPT_NAME].str && (!bname || !strstr(bname, opts->v[OPT_NAME].str))) {
        free(bname);
        return 0;
    }
    if (scry_win_ustr(c->w, &c->ks, e + o->kle_full_name, &fname, &flen) != SCRY_OK)
        fname = NULL;
    struct scry_cell cells[6] = {
        scry_cell_hex(entry),
        scry_cell_hex(base),
        scry_cell_hex(size),
        bname ? scry_cell_str(bname, blen) : scry_cell_absent(SCRY_CELL_UNREADABLE),
        fname ? scry_cell_str(fname, flen) : scry_cell_absent(SCRY_CELL_UNREADABLE),
        scry_cell_str("Disabled", 8),
    };
    if (opts->v[OPT_DUMP].set) {
        if ((wk->st = dump(c, entry, base, fname, &out)) == SCRY_OK)
            cells[5] = scry_cell_str(out, strlen(out));
    }
    if (wk->st == SCRY_OK)
        wk->st = scry_result_add(c->pc->out, 0, cells);
    free(bname);
    free(fname);
    free(out);
    return wk->st != SCRY_OK;
}

static scry_status run(struct scry_plugin_ctx *pc)
{
    struct ctx c = {.pc = pc, .w = scry_windows_of(pc->profile)};
    scry_status st = scry_profile_kernel(pc->profile, &c.ks);
    if (st != SCRY_OK)
        return st;
    if (pc->opts->v[OPT_DUMP].set) {
        if (!pc->output_dir)
            return scry_err(SCRY_ERR_INVALID_ARG, "windows.modules --dump needs an output directory");
        st = scry_win_list_processes(c.w, &c.ks, pc->op, pc->opts, -1, on_proc, &c);
        if (st == SCRY_OK)
            st = c.st;
        if (st != SCRY_OK) {
            free(c.s);
            return st;
        }
    }
    struct walk wk = {.c = &c};
    uint64_t head = scry_win_sym_va(c.w, c.w->sym.ps_loaded_module_list);
    st = scry_win_walk_list(&c.ks, pc->op, head, c.w->off.kle_links, "the loaded module list",
                            on_module, &wk);
    free(c.s);
    return st != SCRY_OK ? st : wk.st;
}

const struct scry_plugin scry_plugin_windows_modules = {
    .name = "windows.modules.Modules",
    .alias = "windows.modules",
    .description = "Lists the loaded kernel modules.",
    .options = options,
    .noptions = NOPTS,
    .columns = columns,
    .ncolumns = sizeof columns / sizeof columns[0],
    .os = "windows",
    .run = run,
};
