/* linux_keyboard_notifiers.c - linux.keyboard_notifiers.Keyboard_notifiers:
 * who owns each callback on keyboard_notifier_list (a keylogger registers
 * one).
 *
 * The chain is atomic_notifier_head.head, then notifier_block.next until
 * NULL; each block prints its notifier_call (masked) and its owner by
 * lookup_module_address (lib/walk/linux_ksym.h).
 *
 * Divergence: Volatility's walk_internal_list reads the first block at the
 * address of the head pointer itself (list_start.vol.offset), and as a
 * module-relative offset (the KASLR shift added a second time), then each
 * next block likewise; so on any non-empty chain it prints whatever lies
 * there, or raises. memscry follows the pointers, as the kernel does; on an
 * empty chain (every corpus guest) both print nothing. The chain is
 * bounded: a block seen before ends it (a WARNING), as do an unreadable
 * block and more blocks than the list bound. */
#include <inttypes.h>
#include <string.h>

#include "lib/base/hashset.h"
#include "lib/plugins/linux_common.h"
#include "lib/walk/linux_ksym.h"

static const struct scry_column columns[] = {
    {"Address", SCRY_COL_HEX},
    {"Module", SCRY_COL_STR},
    {"Symbol", SCRY_COL_STR},
};

static const char knl_missing[] =
    "This plugin requires the keyboard_notifier_list structure. This structure is not present "
    "in the supplied symbol table. This means you are either analyzing an unsupported kernel "
    "version or that your symbol table is corrupt.";

struct nb_off {
    uint64_t knl, head, next, call;
};

static scry_status resolve(const struct scry_linux *l, struct nb_off *o)
{
    struct scry_symbol_spec s[] = {SCRY_SYMBOL_OPT("keyboard_notifier_list", &o->knl)};
    struct scry_field_spec f[] = {
        SCRY_FIELD("atomic_notifier_head", "head", &o->head),
        SCRY_FIELD("notifier_block", "next", &o->next),
        SCRY_FIELD("notifier_block", "notifier_call", &o->call),
    };
    scry_status rc = scry_resolve_symbols(l->symtab, s, 1);
    if (rc == SCRY_OK && o->knl == SCRY_NO_OFFSET)
        return scry_err(SCRY_ERR_UNSUPPORTED, "%s", knl_missing);
    if (rc == SCRY_OK)
        rc = scry_resolve_fields(l->symtab, f, sizeof f / sizeof f[0]);
    return rc != SCRY_OK ? scry_err_ctx(rc, "%s", l->isf_path) : SCRY_OK;
}

static scry_status walk(struct scry_plugin_ctx *pc, const struct scry_linux *l,
                        struct scry_vspace *ks, const struct scry_linux_ksym *k,
                        const struct nb_off *o)
{
    const uint64_t max = pc->op->max_entries ? pc->op->max_entries : SCRY_MAX_TASKS;
    const uint64_t head = o->knl + l->virt_shift + o->head;
    struct scry_hashset seen = {0};
    uint64_t nb, prev = head, call;
    size_t n = 0;
    scry_status st = scry_vspace_read_u64(ks, head, &nb);
    if (st != SCRY_OK) {
        scry_op_report(pc->op, SCRY_DIAG_WARNING, st,
                       "keyboard notifier chain cannot start: its head 0x%" PRIx64
                       " cannot be read",
                       head);
        return SCRY_OK;
    }
    st = SCRY_OK;
    while (nb & l->va_mask) {
        int added = scry_hs_add(&seen, nb);
        if (added < 0) {
            st = scry_err(SCRY_ERR_NOMEM, "out of memory");
            break;
        }
        if (!added) {
            scry_op_say(pc->op, SCRY_DIAG_WARNING, SCRY_ERR_CORRUPT,
                        "keyboard notifier chain ends early after %zu entr%s: 0x%" PRIx64
                        " links to an earlier entry",
                        n, n == 1 ? "y" : "ies", prev);
            break;
        }
        if (n >= max) {
            scry_op_say(pc->op, SCRY_DIAG_WARNING, SCRY_ERR_LIMIT,
                        "keyboard notifier chain ends early: more than %" PRIu64 " entries",
                        max);
            break;
        }
        if (scry_op_tick(pc->op, ++n, 0)) {
            st = scry_op_cancelled();
            break;
        }
        scry_status rs = scry_vspace_read_u64(ks, nb + o->call, &call);
        if (rs != SCRY_OK) {
            scry_op_report(pc->op, SCRY_DIAG_WARNING, rs,
                           "keyboard notifier chain ends early after %zu entr%s: the block at "
                           "0x%" PRIx64 " cannot be read",
                           n - 1, n == 2 ? "y" : "ies", nb);
            break;
        }
        const char *mod, *sym;
        call &= l->va_mask;
        scry_linux_ksym_lookup(k, call, &mod, &sym);
        struct scry_cell cells[3] = {
            scry_cell_hex(call),
            scry_cell_str(mod, strlen(mod)),
            scry_cell_str(sym, strlen(sym)),
        };
        if ((st = scry_result_add(pc->out, 0, cells)) != SCRY_OK)
            break;
        prev = nb;
        if ((rs = scry_vspace_read_u64(ks, nb + o->next, &nb)) != SCRY_OK) {
            scry_op_report(pc->op, SCRY_DIAG_WARNING, rs,
                           "keyboard notifier chain ends early after %zu entr%s: the link at "
                           "0x%" PRIx64 " cannot be read",
                           n, n == 1 ? "y" : "ies", prev);
            break;
        }
    }
    scry_hs_free(&seen);
    return st;
}

static scry_status run(struct scry_plugin_ctx *pc)
{
    const struct scry_linux *l = scry_linux_of(pc->profile);
    struct scry_linux_ksym *k = NULL;
    struct scry_vspace kernel;
    struct nb_off o;
    scry_status st;
    if ((st = resolve(l, &o)) != SCRY_OK)
        return st;
    if ((st = scry_profile_kernel(pc->profile, &kernel)) != SCRY_OK)
        return st;
    if ((st = scry_linux_ksym_open(l, &kernel, pc->op, SCRY_KSYM_OWNERS, &k)) != SCRY_OK)
        return st;
    st = walk(pc, l, &kernel, k, &o);
    scry_linux_ksym_close(k);
    return st;
}

const struct scry_plugin scry_plugin_linux_keyboard_notifiers = {
    .name = "linux.keyboard_notifiers.Keyboard_notifiers",
    .alias = "linux.keyboard_notifiers",
    .description = "Parses the keyboard notifier call chain",
    .options = NULL,
    .noptions = 0,
    .columns = columns,
    .ncolumns = sizeof columns / sizeof columns[0],
    .os = "linux",
    .run = run,
};
