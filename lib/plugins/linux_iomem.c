/* linux_iomem.c - linux.iomem.IOMem: the physical address map the kernel
 * keeps (iomem_resource's tree, /proc/iomem), depth-first: each resource,
 * then its children one level deeper, then its siblings.
 *
 * Volatility's rules: a name is 128 bytes read at resource.name, cut at
 * NUL (unreadable: null); a resource seen before ends that branch (its
 * children and later siblings are not listed). Where Volatility recurses
 * once per sibling and child (a RecursionError past ~1000) or raises (a
 * resource that cannot be read), memscry walks with its own stack, bounded
 * by op->max_entries resources, and skips what it cannot read, each time
 * with a WARNING. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/hashset.h"
#include "lib/plugins/plugin.h"
#include "lib/vspace/vspace.h"
#include "lib/walk/linux_tasks.h"
#include "symbols/symtab.h"

#define NAME_MAX_READ 128

static const struct scry_column columns[] = {
    {"Name", SCRY_COL_STR},
    {"Start", SCRY_COL_HEX},
    {"End", SCRY_COL_HEX},
};

struct offs {
    uint64_t root, start, end, name, sibling, child, size;
};

struct item {
    uint64_t addr;
    int depth;
};

static uint64_t le(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static scry_status resolve(const struct scry_linux *l, struct offs *o)
{
    struct scry_field_spec f[] = {
        SCRY_FIELD("resource", "start", &o->start),     SCRY_FIELD("resource", "end", &o->end),
        SCRY_FIELD("resource", "name", &o->name),       SCRY_FIELD("resource", "sibling", &o->sibling),
        SCRY_FIELD("resource", "child", &o->child),
    };
    struct scry_symbol_spec s[] = {SCRY_SYMBOL("iomem_resource", &o->root)};
    scry_status st = scry_resolve_symbols(l->symtab, s, 1);
    if (st != SCRY_OK)
        return scry_err(SCRY_ERR_NOT_FOUND,
                        "%s: this plugin requires the iomem_resource symbol", l->isf_path);
    if ((st = scry_resolve_fields(l->symtab, f, sizeof f / sizeof f[0])) != SCRY_OK)
        return scry_err_ctx(st, "%s", l->isf_path);
    if ((st = scry_sym_type_size(l->symtab, "resource", &o->size)) != SCRY_OK)
        return scry_err_ctx(st, "%s", l->isf_path);
    if (o->size > 4096)
        return scry_err(SCRY_ERR_CORRUPT, "%s: struct resource is %" PRIu64 " bytes",
                        l->isf_path, o->size);
    return SCRY_OK;
}

static scry_status run(struct scry_plugin_ctx *pc)
{
    const struct scry_linux *l = scry_linux_of(pc->profile);
    struct scry_vspace vs;
    struct scry_hashset seen = {0};
    struct offs o;
    struct item *stack = NULL;
    size_t n = 0, cap = 0, visited = 0;
    uint64_t max = pc->op && pc->op->max_entries ? pc->op->max_entries : SCRY_MAX_TASKS;
    scry_status st;
    if ((st = resolve(l, &o)) != SCRY_OK)
        return st;
    if ((st = scry_profile_kernel(pc->profile, &vs)) != SCRY_OK)
        return st;
    if (!(stack = malloc(16 * sizeof *stack)))
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    cap = 16;
    stack[n++] = (struct item){o.root + l->virt_shift, 0};
    while (n && st == SCRY_OK) {
        struct item it = stack[--n];
        uint8_t r[4096], raw[NAME_MAX_READ];
        char name[3 * NAME_MAX_READ + 1];
        struct scry_cell cells[3];
        uint64_t nameptr;
        scry_status rst = scry_vspace_read(&vs, it.addr, r, (size_t)o.size);
        if (rst != SCRY_OK) {
            scry_op_report(pc->op, SCRY_DIAG_WARNING, rst,
                           "resource 0x%" PRIx64 " cannot be read; it, its children and its "
                           "later siblings are missing",
                           it.addr);
            continue;
        }
        nameptr = le(r + o.name, 8);
        rst = scry_vspace_read(&vs, nameptr & scry_vspace_mask(&vs), raw, NAME_MAX_READ);
        if (rst != SCRY_OK) {
            scry_op_report(pc->op, scry_diag_level_for(rst), rst,
                           "resource 0x%" PRIx64 ": its name cannot be read", it.addr);
            cells[0] = scry_cell_absent(SCRY_CELL_UNREADABLE);
        } else {
            cells[0] = scry_cell_str(name, scry_utf8_replace(raw, strnlen((const char *)raw,
                                                                          NAME_MAX_READ),
                                                             name));
        }
        int added = scry_hs_add(&seen, it.addr);
        if (added < 0) {
            st = scry_err(SCRY_ERR_NOMEM, "out of memory");
            break;
        }
        if (!added) {
            scry_op_say(pc->op, SCRY_DIAG_WARNING, SCRY_ERR_CORRUPT,
                        "resource 0x%" PRIx64 " is reached twice (a loop); its children and "
                        "later siblings are not listed again",
                        it.addr);
            continue;
        }
        if (++visited > max) {
            scry_op_say(pc->op, SCRY_DIAG_WARNING, SCRY_ERR_LIMIT,
                        "the resource tree ends early: more than %" PRIu64 " resources", max);
            break;
        }
        cells[1] = scry_cell_hex(le(r + o.start, 8));
        cells[2] = scry_cell_hex(le(r + o.end, 8));
        if ((st = scry_result_add(pc->out, it.depth, cells)) != SCRY_OK)
            break;
        uint64_t child = le(r + o.child, 8), sibling = le(r + o.sibling, 8);
        if (n + 2 > cap) {
            struct item *v = realloc(stack, 2 * cap * sizeof *v);
            if (!v) {
                st = scry_err(SCRY_ERR_NOMEM, "out of memory");
                break;
            }
            stack = v;
            cap *= 2;
        }
        /* The sibling after the child's whole subtree: pushed first. */
        if (sibling)
            stack[n++] = (struct item){sibling, it.depth};
        if (child)
            stack[n++] = (struct item){child, it.depth + 1};
    }
    free(stack);
    scry_hs_free(&seen);
    return st;
}

const struct scry_plugin scry_plugin_linux_iomem = {
    .name = "linux.iomem.IOMem",
    .alias = "linux.iomem",
    .description = "Generates an output similar to /proc/iomem on a running system.",
    .options = NULL,
    .noptions = 0,
    .columns = columns,
    .ncolumns = sizeof columns / sizeof columns[0],
    .os = "linux",
    .run = run,
};
