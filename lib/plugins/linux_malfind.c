/* linux_malfind.c - linux.malfind.Malfind: VMAs that may hold injected code
 * (vm_area_struct.is_suspicious: rwx, anonymous r-x, or an executable VMA
 * with a dirty page), with their first 64 bytes as a hexdump and as
 * capstone disassembles them. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "lib/plugins/disasm.h"
#include "lib/plugins/linux_common.h"
#include "lib/walk/linux_dpath.h"
#include "lib/walk/linux_vma.h"
#include "symbols/symtab.h"

enum { OPT_PID, NOPTS };

static const struct scry_option options[NOPTS] = {
    [OPT_PID] = {"pid", SCRY_OPT_INT_LIST, "Filter on specific process IDs"},
};

static const struct scry_column columns[] = {
    {"PID", SCRY_COL_INT},         {"Process", SCRY_COL_STR},
    {"Start", SCRY_COL_HEX},       {"End", SCRY_COL_HEX},
    {"Protection", SCRY_COL_STR},  {"Hexdump", SCRY_COL_HEXBYTES},
    {"Disasm", SCRY_COL_DISASM},
};

struct ctx {
    const struct scry_linux *l;
    struct scry_plugin_ctx *pc;
    struct scry_vspace kernel, proc;
    const struct scry_linux_task *t;
    struct scry_disasm dis;
    int bits32;
    char name[49];
    size_t name_len;
    scry_status st;
    char path[SCRY_LINUX_PATH_CAP];
};

/* is_suspicious(proclayer). */
static int suspicious(struct ctx *c, const struct scry_linux_vma *v, const char *prot)
{
    if (!strcmp(prot, "rwx"))
        return 1;
    if (!strcmp(prot, "r-x") && !v->file)
        return 1;
    if (!strchr(prot, 'x'))
        return 0;
    for (uint64_t a = v->start; a < v->end; a += 0x1000) {
        uint64_t e;
        if (scry_vspace_leaf_entry(&c->proc, a, &e) != SCRY_OK)
            return 0; /* the rest likely fails too: Volatility stops */
        if (e & 0x40) {
            /* Volatility's vollog.warning; a finding, not damage, so INFO:
             * the result is complete. */
            scry_op_say(c->pc->op, SCRY_DIAG_INFO, SCRY_OK,
                        "Found malicious (dirty+exec) page at 0x%" PRIx64 " !", a);
            return 1;
        }
        if (a + 0x1000 < a)
            break;
    }
    return 0;
}

static int on_vma(void *user, const struct scry_linux_vma *v)
{
    struct ctx *c = user;
    char prot[4];
    scry_linux_vma_prot(v->flags, prot);
    if (!suspicious(c, v, prot))
        return 0;
    size_t plen = scry_linux_vma_name_buf(c->l, &c->kernel, c->t, v, c->path, sizeof c->path,
                                          NULL);
    if (plen == 6 && !memcmp(c->path, "[vdso]", 6))
        return 0;
    uint8_t data[64];
    if ((c->st = scry_vspace_read_pad(&c->proc, v->start, data, sizeof data, NULL)) != SCRY_OK)
        return 1;
    if ((c->st = scry_disasm_x86(&c->dis, c->bits32, data, sizeof data, v->start)) != SCRY_OK)
        return 1;
    struct scry_cell cells[7] = {
        scry_cell_int(c->t->pid),
        scry_cell_str(c->name, c->name_len),
        scry_cell_hex(v->start),
        scry_cell_hex(v->end),
        scry_cell_str(prot, 3),
        scry_cell_str((const char *)data, sizeof data),
        scry_cell_str(c->dis.text.p, c->dis.text.len),
    };
    c->st = scry_result_add(c->pc->out, 0, cells);
    return c->st != SCRY_OK;
}

static int on_task(void *user, const struct scry_linux_task *t)
{
    struct ctx *c = user;
    if (!scry_opt_int_filter(c->pc->opts, OPT_PID, t->pid))
        return 0;
    /* _list_injections: no process layer (a kernel thread), no VMAs. */
    if (scry_linux_process_vspace(c->l, &c->kernel, t->mm, &c->proc) != SCRY_OK)
        return 0;
    c->t = t;
    c->name_len = scry_linux_comm(t->comm, c->name);
    scry_status st = scry_linux_walk_vmas(c->l, &c->kernel, c->pc->op, t->mm, on_vma, c);
    if (st != SCRY_OK && c->st == SCRY_OK)
        c->st = st;
    return c->st != SCRY_OK;
}

static scry_status run(struct scry_plugin_ctx *pc)
{
    struct ctx *c = calloc(1, sizeof *c);
    uint64_t psize = 8;
    int sgn;
    scry_status st;
    if (!c)
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    c->l = scry_linux_of(pc->profile);
    c->pc = pc;
    /* "intel" for a 32-bit kernel's symbols, "intel64" otherwise. */
    if (scry_sym_base_type(c->l->symtab, "pointer", &psize, &sgn) != SCRY_OK)
        psize = 8;
    c->bits32 = psize == 4;
    st = scry_linux_vma_check(c->l, SCRY_VMA_NEED_WALK | SCRY_VMA_NEED_NAMES);
    if (st == SCRY_OK)
        st = scry_disasm_open(&c->dis);
    if (st == SCRY_OK)
        st = scry_profile_kernel(pc->profile, &c->kernel);
    if (st == SCRY_OK)
        st = scry_linux_walk_tasks(c->l, pc->op, 0, on_task, c);
    if (st == SCRY_OK)
        st = c->st;
    scry_disasm_close(&c->dis);
    free(c);
    return st;
}

const struct scry_plugin scry_plugin_linux_malfind = {
    .name = "linux.malfind.Malfind",
    .alias = "linux.malfind",
    .description = "Lists process memory ranges that potentially contain injected code.",
    .options = options,
    .noptions = NOPTS,
    .columns = columns,
    .ncolumns = sizeof columns / sizeof columns[0],
    .os = "linux",
    .run = run,
};
