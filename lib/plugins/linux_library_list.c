/* linux_library_list.c - linux.library_list.LibraryList: the libraries
 * the dynamic loader mapped into each process, from the link_map list that
 * GOT[1] of each ELF image's PT_DYNAMIC / DT_PLTGOT points to. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/hashset.h"
#include "lib/base/utf8.h"
#include "lib/plugins/linux_pm.h"

enum { OPT_PIDS, NOPTS };

#define PT_DYNAMIC 2
#define DT_NULL 0
#define DT_PLTGOT 3
#define ET_DYN 3
/* Volatility's bounds: 256 dynamic entries per segment, 256 name bytes. */
#define DYN_MAX 256
#define NAME_MAX_READ 256
/* A link_map chain longer than this is a loop the seen set missed. */
#define LINKMAP_MAX 65536

static const struct scry_option options[NOPTS] = {
    [OPT_PIDS] = {"pids", SCRY_OPT_INT_LIST, "Filter on specific process IDs"},
};

static const struct scry_column columns[] = {
    {"Name", SCRY_COL_STR},
    {"Pid", SCRY_COL_INT},
    {"LoadAddress", SCRY_COL_HEX},
    {"Path", SCRY_COL_STR},
};

struct ctx {
    struct scry_linux_pm pm; /* first: the VMA walk's state */
    uint64_t task;           /* whose libraries `seen` holds */
    struct scry_hashset seen; /* l_addr listed for this task (+1: 0 never is) */
    char name[3 * NAME_MAX_READ + 1];
};

static int rd(struct ctx *c, uint64_t va, void *buf, size_t n)
{
    return scry_vspace_read(&c->pm.proc, va, buf, n) == SCRY_OK;
}

static uint64_t le(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/* One link_map: a row when l_addr and l_name are set, l_addr is new for
 * the task and the name reads whole. Returns 0 to go on, 1 when the map
 * cannot be read (Volatility's InvalidAddressException ends the VMA), -1
 * on a fatal error (c->pm.st set). */
static int link_map_row(struct ctx *c, uint64_t lm, int is64, uint64_t *next)
{
    uint8_t m[40], raw[NAME_MAX_READ];
    unsigned w = is64 ? 8 : 4;
    if (!rd(c, lm, m, 5 * w))
        return 1;
    uint64_t addr = le(m, w), name = le(m + w, w);
    *next = le(m + 3 * w, w);
    if (!addr || !name)
        return 0;
    int added = scry_hs_add(&c->seen, addr + 1);
    if (added < 0) {
        c->pm.st = scry_err(SCRY_ERR_NOMEM, "out of memory");
        return -1;
    }
    if (!added)
        return 0;
    if (!rd(c, name, raw, sizeof raw)) /* get_name: None, no row */
        return 0;
    size_t n = strnlen((const char *)raw, sizeof raw);
    if (!n)
        return 0;
    if (!scry_utf8_valid(raw, n))
        scry_op_say(c->pm.pc->op, SCRY_DIAG_WARNING, SCRY_ERR_CORRUPT,
                    "pid %d: library name at 0x%" PRIx64 " is not UTF-8 (Volatility stops "
                    "here; shown with replacement characters)", (int)c->pm.t->pid, name);
    size_t len = scry_utf8_replace(raw, n, c->name);
    struct scry_cell cells[4] = {
        scry_cell_str(c->pm.name, c->pm.name_len), scry_cell_int(c->pm.t->tgid),
        scry_cell_hex(addr), scry_cell_str(c->name, len)};
    c->pm.st = scry_result_add(c->pm.pc->out, 0, cells);
    return c->pm.st != SCRY_OK ? -1 : 0;
}

/* elf.get_link_maps for the ELF image at base. Returns 1 on a fatal error. */
static int vma_libraries(struct ctx *c, uint64_t base)
{
    uint8_t eh[64], ph[56], dyn[16], got[8];
    if (!rd(c, base, eh, 4) || le(eh, 4) != 0x464c457f)
        return 0;
    if (!rd(c, base + 4, eh + 4, 1))
        return 0;
    if (eh[4] != 1 && eh[4] != 2) {
        scry_op_say(c->pm.pc->op, SCRY_DIAG_WARNING, SCRY_ERR_CORRUPT,
                    "pid %d: Unsupported ei_class value %u at 0x%" PRIx64 " (Volatility stops "
                    "here)", (int)c->pm.t->pid, eh[4], base);
        return 0;
    }
    int is64 = eh[4] == 2;
    unsigned w = is64 ? 8 : 4, phsize = is64 ? 56 : 32, dsize = is64 ? 16 : 8;
    if (!rd(c, base, eh, is64 ? 64 : 52))
        return 0;
    uint64_t phoff = is64 ? le(eh + 0x20, 8) : le(eh + 0x1c, 4);
    unsigned phnum = (unsigned)(is64 ? le(eh + 0x38, 2) : le(eh + 0x2c, 2));
    unsigned etype = (unsigned)le(eh + 16, 2);
    struct scry_hashset maps = {0}; /* link_maps_seen of this ELF */
    int fatal = 0, stop = 0;
    for (unsigned i = 0; i < phnum && !stop; i++) {
        if (!rd(c, base + phoff + (uint64_t)i * phsize, ph, phsize))
            break; /* an unreadable header ends the VMA */
        if (le(ph, 4) != PT_DYNAMIC)
            continue;
        uint64_t vaddr = is64 ? le(ph + 0x10, 8) : le(ph + 8, 4);
        if (etype == ET_DYN)
            vaddr += base;
        for (unsigned k = 0; k < DYN_MAX && !stop; k++) {
            if (!rd(c, vaddr + (uint64_t)k * dsize, dyn, dsize)) {
                stop = 1;
                break;
            }
            uint64_t tag = le(dyn, w), ptr = le(dyn + w, w);
            if (tag == DT_PLTGOT) {
                /* GOT[1], read as a kernel pointer (8 bytes) on either class */
                if (!rd(c, ptr + w, got, 8)) {
                    stop = 1;
                    break;
                }
                uint64_t lm = le(got, 8) & c->pm.l->va_mask, next;
                for (unsigned n = 0; lm && n < LINKMAP_MAX; n++) {
                    int added = scry_hs_add(&maps, lm);
                    if (added < 0) {
                        c->pm.st = scry_err(SCRY_ERR_NOMEM, "out of memory");
                        fatal = stop = 1;
                        break;
                    }
                    if (!added)
                        break;
                    int r = link_map_row(c, lm, is64, &next);
                    if (r) {
                        fatal = r < 0;
                        stop = 1;
                        break;
                    }
                    lm = next;
                }
            }
            if (tag == DT_NULL)
                break;
        }
    }
    scry_hs_free(&maps);
    return fatal;
}

static int on_vma(void *user, const struct scry_linux_vma *v)
{
    struct ctx *c = user;
    if (c->task != c->pm.t->addr) {
        scry_hs_free(&c->seen);
        c->task = c->pm.t->addr;
    }
    return vma_libraries(c, v->start);
}

static scry_status run(struct scry_plugin_ctx *pc)
{
    struct ctx *c = calloc(1, sizeof *c);
    scry_status st;
    if (!c)
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    st = scry_linux_pm_run(&c->pm, pc, OPT_PIDS, SCRY_VMA_NEED_WALK, SCRY_PM_NEED_SPACE, on_vma,
                           c);
    scry_hs_free(&c->seen);
    free(c);
    return st;
}

const struct scry_plugin scry_plugin_linux_library_list = {
    .name = "linux.library_list.LibraryList",
    .alias = "linux.library_list",
    .description = "Enumerate libraries loaded into processes",
    .options = options,
    .noptions = NOPTS,
    .columns = columns,
    .ncolumns = sizeof columns / sizeof columns[0],
    .os = "linux",
    .run = run,
};
