/* windows_malfind.c - windows.malfind.Malfind: VADs that may hold injected
 * code (Malfind.list_injections), with their first 64 bytes as a hexdump
 * and as capstone 4 disassembles them (the Disasm column holds
 * display_disassembly's text). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/plugins/disasm.h"
#include "lib/plugins/windows_vad_common.h"

enum { OPT_PID, OPT_DUMP, NOPTS };

static const struct scry_option options[NOPTS] = {
    [OPT_PID] = {"pid", SCRY_OPT_INT_LIST,
                 "Process IDs to include (all other processes are excluded)"},
    [OPT_DUMP] = {"dump", SCRY_OPT_BOOL, "Extract injected VADs"},
};

static const struct scry_column columns[] = {
    {"PID", SCRY_COL_INT},          {"Process", SCRY_COL_STR},
    {"Start VPN", SCRY_COL_HEX128}, {"End VPN", SCRY_COL_HEX128},
    {"Tag", SCRY_COL_STR},          {"Protection", SCRY_COL_STR},
    {"CommitCharge", SCRY_COL_INT}, {"PrivateMemory", SCRY_COL_INT},
    {"File output", SCRY_COL_STR},  {"Notes", SCRY_COL_STR},
    {"Hexdump", SCRY_COL_HEXBYTES}, {"Disasm", SCRY_COL_DISASM},
};

struct ctx {
    const struct scry_windows *w;
    struct scry_vspace ks, ps;
    struct scry_plugin_ctx *pc;
    int32_t protect[32];
    uint32_t protect_ok;
    int protect_warned, dump, wow64;
    struct scry_disasm dis;
    int64_t pid;
    char name[64];
    long name_len;
    uint8_t *page;
    scry_status st;
};

/* Malfind.is_vad_empty: no page of [start, start + size) is both valid and
 * non-zero. Only mapped pages are looked at (the rest cannot be valid), so
 * a huge sparse VAD costs its mapped pages, not its size. */
struct empty_ctx {
    struct ctx *c;
    uint64_t start;
    int found;
    scry_status st;
};

static int empty_range(void *user, uint64_t va, uint64_t pa, uint64_t len)
{
    struct empty_ctx *e = user;
    (void)pa;
    /* The pages is_vad_empty tests are start + k * 0x1000; VADs start on a
     * page, so each lies in one mapped range or not at all. */
    uint64_t first = va + ((e->start - va) & 0xfff);
    for (uint64_t a = first; a < va + len && va + len - a >= 0x1000; a += 0x1000) {
        scry_status st = scry_vspace_read(&e->c->ps, scry_win_canon(a), e->c->page, 0x1000);
        if (st == SCRY_ERR_NODATA)
            continue; /* a physical hole: not valid */
        if (st != SCRY_OK) {
            e->st = st;
            return 1;
        }
        for (size_t i = 0; i < 0x1000; i += 8) {
            uint64_t q;
            memcpy(&q, e->c->page + i, 8);
            if (q) {
                e->found = 1;
                return 1;
            }
        }
        if (scry_op_tick(e->c->pc->op, 0, 0)) {
            e->st = scry_op_cancelled();
            return 1;
        }
    }
    return 0;
}

static scry_status vad_empty(struct ctx *c, const struct scry_win_vad_node *v, int *empty)
{
    scry_win_i128 size = scry_win_vad_size(v);
    struct empty_ctx e = {.c = c, .start = v->start};
    *empty = 1;
    /* Nothing at or above 2^64 (nor above the address mask) is valid. */
    if (size <= 0 || v->start_hi || v->start > scry_vspace_mask(&c->ps))
        return SCRY_OK;
    uint64_t end = size > UINT64_MAX - v->start ? UINT64_MAX : v->start + (uint64_t)size;
    scry_status st = scry_vspace_enumerate(&c->ps, v->start, end, 0, empty_range, &e);
    if (st == SCRY_ERR_LIMIT || st == SCRY_ERR_CORRUPT) {
        scry_op_report(c->pc->op, SCRY_DIAG_WARNING, st,
                       "VAD 0x%" PRIx64 "-0x%" PRIx64 " of PID %" PRId64
                       ": its pages could not all be checked", v->start, v->end, c->pid);
        st = SCRY_OK;
    }
    if (st == SCRY_OK)
        st = e.st;
    *empty = !e.found;
    return st;
}

static int on_vad(void *user, const struct scry_win_vad_node *v)
{
    struct ctx *c = user;
    char prot[256], fname[160];
    size_t plen = scry_win_vad_protection(c->protect, c->protect_ok, v->protection, prot,
                                          c->pc->op, &c->protect_warned);
    if (!strstr(prot, "EXECUTE") || !strstr(prot, "WRITE"))
        return 0;
    int vads = !memcmp(v->tag, "VadS", 4);
    if (!((v->private_mem == 1 && vads) ||
          (v->private_mem == 0 && strcmp(prot, "PAGE_EXECUTE_WRITECOPY") != 0)))
        return 0;
    int empty;
    if ((c->st = vad_empty(c, v, &empty)) != SCRY_OK)
        return 1;
    if (empty)
        return 0;
    /* proc_layer.read(start, 64, pad=True) */
    uint8_t data[64];
    if ((c->st = scry_vspace_read_pad(&c->ps, scry_win_canon(v->start), data, sizeof data,
                                      NULL)) != SCRY_OK)
        return 1;
    const char *notes = NULL;
    if (data[0] == 'M' && data[1] == 'Z')
        notes = "MZ header";
    else if (data[0] == 0x55 && data[1] == 0x8b)
        notes = "PE header";
    else if (data[0] == 0x55 && (data[1] == 0x48 || data[1] == 0x89))
        notes = "Function prologue";
    if ((c->st = scry_disasm_x86(&c->dis, c->wow64, data, sizeof data, v->start)) != SCRY_OK)
        return 1;
    const char *out = "Disabled";
    if (c->dump) {
        const char *n = NULL;
        out = "Error outputting to file";
        /* vad_dump with its default maxsize; Volatility then calls close()
         * on None and dies when it returns nothing. */
        if ((c->st = scry_win_vad_dump(c->pc, &c->ps, c->pid, v, SCRY_WIN_VAD_MAXSIZE_DEFAULT,
                                       fname, &n)) != SCRY_OK)
            return 1;
        if (n)
            out = n;
    }
    struct scry_cell cells[12];
    cells[0] = scry_cell_int(c->pid);
    cells[1] = c->name_len >= 0 ? scry_cell_str(c->name, (size_t)c->name_len)
                                : scry_cell_absent(SCRY_CELL_UNREADABLE);
    cells[2] = scry_cell_hex128(v->start_hi, v->start);
    cells[3] = scry_cell_hex128(v->end_hi, v->end);
    cells[4] = scry_cell_str(v->tag, 4);
    cells[5] = scry_cell_str(prot, plen);
    cells[6] = scry_cell_int((int64_t)v->commit);
    cells[7] = scry_cell_int((int64_t)v->private_mem);
    cells[8] = scry_cell_str(out, strlen(out));
    cells[9] = notes ? scry_cell_str(notes, strlen(notes))
                     : scry_cell_absent(SCRY_CELL_NOT_APPLICABLE);
    cells[10] = scry_cell_str((const char *)data, sizeof data);
    cells[11] = scry_cell_str(c->dis.text.p, c->dis.text.len);
    c->st = scry_result_add(c->pc->out, 0, cells);
    return c->st != SCRY_OK;
}

static int on_proc(void *user, const struct scry_win_proc *p)
{
    struct ctx *c = user;
    const struct scry_win_off *o = &c->w->off;
    /* list_injections: a process whose layer cannot be built yields
     * nothing. */
    if (!scry_win_proc_ok(p, o->ep_pid, 8) || scry_win_proc_space(c->w, p, &c->ps) != SCRY_OK) {
        scry_op_say(c->pc->op, SCRY_DIAG_INFO, SCRY_ERR_NODATA,
                    "process at 0x%" PRIx64 " skipped: its PID or page tables cannot be read",
                    p->va);
        return 0;
    }
    c->pid = (int64_t)scry_win_u64(p->b, o->ep_pid);
    c->name_len = scry_win_proc_name(c->w, p, c->name);
    /* get_is_wow64: a non-NULL Wow64Process (masked, as pointers are). */
    c->wow64 = o->ep_wow64 != SCRY_WIN_NO_OFFSET && scry_win_proc_ok(p, o->ep_wow64, 8) &&
               scry_win_mask(scry_win_u64(p->b, o->ep_wow64)) != 0;
    scry_status st = scry_win_vad_walk(c->w, &c->ks, c->pc->op, p, on_vad, c);
    if (st != SCRY_OK && c->st == SCRY_OK)
        c->st = st;
    return c->st != SCRY_OK;
}

static scry_status run(struct scry_plugin_ctx *pc)
{
    struct ctx c = {.w = scry_windows_of(pc->profile), .pc = pc,
                    .dump = pc->opts->v[OPT_DUMP].set};
    if (!c.w->vad.ok)
        return scry_err(SCRY_ERR_UNSUPPORTED, "windows.malfind: %s", c.w->vad.error);
    scry_status st = scry_profile_kernel(pc->profile, &c.ks);
    if (st != SCRY_OK)
        return st;
    if ((st = scry_win_vad_protect_values(c.w, &c.ks, c.protect, &c.protect_ok)) != SCRY_OK)
        return st;
    if ((st = scry_disasm_open(&c.dis)) != SCRY_OK) {
        scry_disasm_close(&c.dis);
        return st;
    }
    if (!(c.page = malloc(0x1000))) {
        st = scry_err(SCRY_ERR_NOMEM, "out of memory");
    } else {
        st = scry_win_list_processes(c.w, &c.ks, pc->op, pc->opts, OPT_PID, on_proc, &c);
        if (st == SCRY_OK)
            st = c.st;
    }
    free(c.page);
    scry_disasm_close(&c.dis);
    return st;
}

const struct scry_plugin scry_plugin_windows_malfind = {
    .name = "windows.malfind.Malfind",
    .alias = "windows.malfind",
    .description = "Lists process memory ranges that potentially contain injected code.",
    .options = options,
    .noptions = NOPTS,
    .columns = columns,
    .ncolumns = sizeof columns / sizeof columns[0],
    .os = "windows",
    .run = run,
};
