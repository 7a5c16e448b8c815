/* linux_tty_check.c - linux.tty_check.tty_check: who owns each open tty's
 * line discipline receive_buf handler.
 *
 * Volatility walks tty_drivers (tty_driver.tty_drivers), reads each
 * driver's ttys array (num pointers; a driver whose first slot cannot be
 * read is skipped, as Volatility catches that), and for each non-NULL
 * tty_struct prints its name, ldisc->ops->receive_buf (masked) and its
 * owner by lookup_module_address (lib/walk/linux_ksym.h).
 *
 * Where Volatility raises, memscry says why and goes on: a tty whose name,
 * ldisc or ops cannot be read is skipped (INFO when not in the dump, else
 * a WARNING), as is the rest of a ttys array past an unreadable slot; num
 * is bounded by the list bound (a WARNING beyond it). */
#include <inttypes.h>
#include <string.h>

#include "lib/base/utf8.h"
#include "lib/plugins/linux_common.h"
#include "lib/walk/linux_ksym.h"
#include "lib/walk/linux_list.h"

static const struct scry_column columns[] = {
    {"Name", SCRY_COL_STR},
    {"Address", SCRY_COL_HEX},
    {"Module", SCRY_COL_STR},
    {"Symbol", SCRY_COL_STR},
};

#define TTY_NAME_READ 256 /* tty_struct.name is 64 bytes; a hostile ISF may say more */

static const char drivers_missing[] =
    "This plugin requires the tty_drivers structure.This structure is not present in the "
    "supplied symbol table.This means you are either analyzing an unsupported kernel version "
    "or that your symbol table is corrupt.";

struct tty_off {
    uint64_t tty_drivers, drv_list, drv_ttys, drv_num, num_size;
    uint64_t tty_name, name_size, tty_ldisc, ldisc_ops, ops_receive_buf;
};

struct ctx {
    struct scry_plugin_ctx *pc;
    const struct scry_linux *l;
    struct scry_vspace *ks;
    const struct scry_linux_ksym *k;
    struct tty_off o;
};

static scry_status resolve(const struct scry_linux *l, struct tty_off *o)
{
    struct scry_symbol_spec s[] = {SCRY_SYMBOL_OPT("tty_drivers", &o->tty_drivers)};
    struct scry_field_spec f[] = {
        SCRY_FIELD("tty_driver", "tty_drivers", &o->drv_list),
        SCRY_FIELD("tty_driver", "ttys", &o->drv_ttys),
        {"tty_driver", "num", &o->drv_num, &o->num_size, 0},
        {"tty_struct", "name", &o->tty_name, &o->name_size, 0},
        SCRY_FIELD("tty_struct", "ldisc", &o->tty_ldisc),
        SCRY_FIELD("tty_ldisc", "ops", &o->ldisc_ops),
        SCRY_FIELD("tty_ldisc_ops", "receive_buf", &o->ops_receive_buf),
    };
    scry_status rc = scry_resolve_symbols(l->symtab, s, 1);
    if (rc == SCRY_OK && o->tty_drivers == SCRY_NO_OFFSET)
        return scry_err(SCRY_ERR_UNSUPPORTED, "%s", drivers_missing);
    if (rc == SCRY_OK)
        rc = scry_resolve_fields(l->symtab, f, sizeof f / sizeof f[0]);
    if (rc != SCRY_OK)
        return scry_err_ctx(rc, "%s", l->isf_path);
    if (o->num_size != 4 && o->num_size != 8)
        return scry_err(SCRY_ERR_CORRUPT, "%s: tty_driver.num is %" PRIu64 " bytes",
                        l->isf_path, o->num_size);
    if (o->name_size > TTY_NAME_READ)
        o->name_size = TTY_NAME_READ;
    return SCRY_OK;
}

/* One tty_struct: its row, or a diagnostic when it cannot be read. */
static scry_status one_tty(struct ctx *c, uint64_t tty)
{
    uint8_t raw[TTY_NAME_READ];
    char name[TTY_NAME_READ * 3 + 1];
    uint64_t ldisc, ops, recv;
    const char *mod, *sym;
    scry_status st;
    if ((st = scry_vspace_read(c->ks, tty + c->o.tty_name, raw, (size_t)c->o.name_size)) !=
            SCRY_OK ||
        (st = scry_vspace_read_u64(c->ks, tty + c->o.tty_ldisc, &ldisc)) != SCRY_OK ||
        (st = scry_vspace_read_u64(c->ks, ldisc + c->o.ldisc_ops, &ops)) != SCRY_OK ||
        (st = scry_vspace_read_u64(c->ks, ops + c->o.ops_receive_buf, &recv)) != SCRY_OK) {
        scry_op_report(c->pc->op, scry_diag_level_for(st), st, "tty 0x%" PRIx64 " skipped", tty);
        return SCRY_OK;
    }
    size_t len = scry_utf8_replace(raw, strnlen((const char *)raw, (size_t)c->o.name_size), name);
    recv &= c->l->va_mask;
    scry_linux_ksym_lookup(c->k, recv, &mod, &sym);
    struct scry_cell cells[4] = {
        scry_cell_str(name, len),
        scry_cell_hex(recv),
        scry_cell_str(mod, strlen(mod)),
        scry_cell_str(sym, strlen(sym)),
    };
    return scry_result_add(c->pc->out, 0, cells);
}

static scry_status on_driver(void *user, uint64_t link)
{
    struct ctx *c = user;
    uint64_t drv = link - c->o.drv_list, ttys, num = 0, first, tty;
    uint64_t max = c->pc->op->max_entries ? c->pc->op->max_entries : SCRY_MAX_TASKS;
    scry_status st;
    if ((st = scry_vspace_read_u64(c->ks, drv + c->o.drv_ttys, &ttys)) != SCRY_OK ||
        (st = scry_vspace_read(c->ks, drv + c->o.drv_num, &num, (size_t)c->o.num_size)) !=
            SCRY_OK) {
        scry_op_report(c->pc->op, scry_diag_level_for(st), st,
                       "tty driver 0x%" PRIx64 " skipped", drv);
        return SCRY_OK;
    }
    /* Volatility dereferences ttys first and skips the driver when that
     * slot cannot be read (a NULL ttys: a driver with no ttys). */
    if (scry_vspace_read_u64(c->ks, ttys, &first) != SCRY_OK)
        return SCRY_OK;
    if (num > max) {
        scry_op_say(c->pc->op, SCRY_DIAG_WARNING, SCRY_ERR_LIMIT,
                    "tty driver 0x%" PRIx64 ": %" PRIu64 " ttys, only the first %" PRIu64
                    " are read",
                    drv, num, max);
        num = max;
    }
    for (uint64_t i = 0; i < num; i++) {
        if (scry_op_tick(c->pc->op, i, 0))
            return scry_op_cancelled();
        if ((st = scry_vspace_read_u64(c->ks, ttys + 8 * i, &tty)) != SCRY_OK) {
            scry_op_report(c->pc->op, SCRY_DIAG_WARNING, st,
                           "tty driver 0x%" PRIx64 ": ttys[%" PRIu64 "..] cannot be read", drv,
                           i);
            return SCRY_OK;
        }
        if (tty && (st = one_tty(c, tty)) != SCRY_OK)
            return st;
    }
    return SCRY_OK;
}

static scry_status run(struct scry_plugin_ctx *pc)
{
    struct ctx c = {.pc = pc, .l = scry_linux_of(pc->profile)};
    struct scry_linux_ksym *k = NULL;
    struct scry_vspace kernel;
    scry_status st;
    if ((st = resolve(c.l, &c.o)) != SCRY_OK)
        return st;
    if ((st = scry_profile_kernel(pc->profile, &kernel)) != SCRY_OK)
        return st;
    if ((st = scry_linux_ksym_open(c.l, &kernel, pc->op, SCRY_KSYM_OWNERS, &k)) != SCRY_OK)
        return st;
    c.ks = &kernel, c.k = k;
    st = scry_linux_list_walk(c.l, &kernel, pc->op, "tty driver list",
                              c.o.tty_drivers + c.l->virt_shift, on_driver, &c);
    scry_linux_ksym_close(k);
    return st;
}

const struct scry_plugin scry_plugin_linux_tty_check = {
    .name = "linux.tty_check.tty_check",
    .alias = "linux.tty_check",
    .description = "Checks tty devices for hooks",
    .options = NULL,
    .noptions = 0,
    .columns = columns,
    .ncolumns = sizeof columns / sizeof columns[0],
    .os = "linux",
    .run = run,
};
