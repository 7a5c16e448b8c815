/* linux_check_afinfo.c - linux.check_afinfo.Check_afinfo: the network
 * protocols' /proc seq handlers that no kernel symbol starts at.
 *
 * Volatility checks tcp6/tcp4 (tcp_seq_afinfo) and udplite6/udp6/
 * udplite4/udp4 (udp_seq_afinfo), those the ISF has: every member of the
 * file_operations seq_fops points at, then every member of seq_ops, or
 * seq_show when there is no seq_ops; a non-zero value that is not the
 * address of an ISF symbol prints. The address is compared with the ISF's
 * addresses as they are, without the KASLR shift (Volatility asks the
 * symbol space directly): on a KASLR kernel with those members every
 * handler would print; memscry does the same. A struct with none of the
 * three members is not checked; when no struct could be checked,
 * Volatility's warning is an INFO here (the run itself is complete, and
 * on 4.18+ kernels, whose afinfo is only a family, it is the normal
 * answer).
 *
 * Where Volatility raises, memscry says why and goes on: a variable or
 * its operations that cannot be read are skipped with a diagnostic; a
 * member that is not a number or a pointer (Volatility would fail
 * comparing a struct) is not checked. */
#include <inttypes.h>
#include <string.h>

#include "lib/plugins/linux_common.h"
#include "lib/walk/linux_ksym.h"
#include "symbols/symlist.h"
#include "symbols/symtab.h"

static const struct scry_column columns[] = {
    {"Symbol Name", SCRY_COL_STR},
    {"Member", SCRY_COL_STR},
    {"Handler Address", SCRY_COL_HEX},
};

static const struct {
    const char *type, *vars[4];
} protocols[] = {
    {"tcp_seq_afinfo", {"tcp6_seq_afinfo", "tcp4_seq_afinfo"}},
    {"udp_seq_afinfo",
     {"udplite6_seq_afinfo", "udp6_seq_afinfo", "udplite4_seq_afinfo", "udp4_seq_afinfo"}},
};

#define RH_KABI "__UNIQUE_ID_rh_kabi_hide"
#define MAX_MEMBERS 4096 /* a struct's fields, bounded for a hostile ISF */

static const char not_checked[] =
    "This plugin was not able to check for hooks. This means you are either analyzing an "
    "unsupported kernel version or that your symbol table is corrupt.";

struct run {
    struct scry_plugin_ctx *pc;
    const struct scry_linux *l;
    struct scry_vspace *ks;
    const struct scry_linux_ksym *k;
};

/* A member's value as Volatility compares it: a pointer masked, a number
 * as read. 0 when the member is no scalar (not checked). */
static scry_status member_value(const struct run *r, const struct scry_typeref *t, uint64_t at,
                                uint64_t *v)
{
    uint64_t size = 0;
    uint8_t raw[8] = {0};
    int is_signed;
    *v = 0;
    if (t->kind == SCRY_T_POINTER)
        size = 8;
    else if ((t->kind == SCRY_T_BASE &&
              scry_sym_base_type(r->l->symtab, t->name, &size, &is_signed) == SCRY_OK) ||
             (t->kind == SCRY_T_ENUM && scry_sym_type_size(r->l->symtab, t->name, &size) == SCRY_OK))
        ;
    else
        return SCRY_OK;
    if (size == 0 || size > 8)
        return SCRY_OK;
    scry_status st = scry_vspace_read(r->ks, at, raw, (size_t)size);
    if (st != SCRY_OK)
        return st;
    for (uint64_t b = 0; b < size; b++)
        *v |= (uint64_t)raw[b] << (8 * b);
    if (t->kind == SCRY_T_POINTER)
        *v &= r->l->va_mask;
    return SCRY_OK;
}

static scry_status report(const struct run *r, const char *var, const char *member,
                          uint64_t addr)
{
    struct scry_cell cells[3] = {
        scry_cell_str(var, strlen(var)),
        scry_cell_str(member, strlen(member)),
        scry_cell_hex(addr),
    };
    return scry_result_add(r->pc->out, 0, cells);
}

/* Checks every member of the `type` struct at ops (Volatility's
 * _check_members). */
static scry_status check_members(const struct run *r, const char *var, const char *type,
                                 uint64_t ops)
{
    for (size_t i = 0; i < MAX_MEMBERS; i++) {
        const char *name;
        uint64_t off, v;
        struct scry_typeref t;
        scry_status st = scry_sym_field_at(r->l->symtab, type, i, &name, &off, &t);
        if (st == SCRY_ERR_NOT_FOUND)
            return SCRY_OK;
        if (st != SCRY_OK)
            return st;
        if (strncmp(name, RH_KABI, sizeof RH_KABI - 1) == 0)
            continue;
        if ((st = member_value(r, &t, ops + off, &v)) != SCRY_OK) {
            scry_op_report(r->pc->op, SCRY_DIAG_WARNING, st, "%s: %s.%s skipped", var, type,
                           name);
            continue;
        }
        if (v && !scry_linux_ksym_symbol_isf(r->k, v) && (st = report(r, var, name, v)) != SCRY_OK)
            return st;
    }
    return SCRY_OK;
}

/* Where the operations struct of member `field` of the afinfo at addr is:
 * in place, or through its pointer. *type receives its struct's name. */
static scry_status ops_of(const struct run *r, const char *afinfo, uint64_t addr,
                          uint64_t off, const struct scry_typeref *t, const char **type,
                          uint64_t *ops)
{
    struct scry_typeref sub;
    *type = NULL;
    if (t->kind == SCRY_T_STRUCT) {
        *type = t->name, *ops = addr + off;
        return SCRY_OK;
    }
    if (t->kind != SCRY_T_POINTER || scry_sym_typeref(r->l->symtab, t->sub, &sub) != SCRY_OK ||
        sub.kind != SCRY_T_STRUCT)
        return scry_err(SCRY_ERR_UNSUPPORTED, "%s: a member is neither a struct nor a pointer "
                        "to one", afinfo);
    *type = sub.name;
    return scry_vspace_read_u64(r->ks, addr + off, ops);
}

/* One afinfo variable. Returns SCRY_ERR_NOT_FOUND when it has none of the
 * members checked (Volatility's PluginRequirementException). */
static scry_status check_var(const struct run *r, const char *afinfo, const char *var,
                             uint64_t addr)
{
    uint64_t fops, sops, show;
    struct scry_typeref tf, ts, tshow;
    const char *type;
    uint64_t ops, v;
    scry_status st;
    int has_fops = scry_sym_field(r->l->symtab, afinfo, "seq_fops", &fops, &tf) == SCRY_OK;
    int has_ops = scry_sym_field(r->l->symtab, afinfo, "seq_ops", &sops, &ts) == SCRY_OK;
    int has_show = scry_sym_field(r->l->symtab, afinfo, "seq_show", &show, &tshow) == SCRY_OK;
    if (!has_fops && !has_ops && !has_show)
        return SCRY_ERR_NOT_FOUND;
    if (has_fops) {
        if ((st = ops_of(r, var, addr, fops, &tf, &type, &ops)) != SCRY_OK) {
            scry_op_report(r->pc->op, SCRY_DIAG_WARNING, st, "%s.seq_fops skipped", var);
        } else if ((st = check_members(r, var, type, ops)) != SCRY_OK) {
            return st;
        }
    }
    if (has_ops) {
        if ((st = ops_of(r, var, addr, sops, &ts, &type, &ops)) != SCRY_OK)
            scry_op_report(r->pc->op, SCRY_DIAG_WARNING, st, "%s.seq_ops skipped", var);
        else if ((st = check_members(r, var, type, ops)) != SCRY_OK)
            return st;
    } else if (has_show) {
        if ((st = member_value(r, &tshow, addr + show, &v)) != SCRY_OK)
            scry_op_report(r->pc->op, SCRY_DIAG_WARNING, st, "%s.seq_show skipped", var);
        else if (v && !scry_linux_ksym_symbol_isf(r->k, v) &&
                 (st = report(r, var, "show", v)) != SCRY_OK)
            return st;
    }
    return SCRY_OK;
}

static scry_status run(struct scry_plugin_ctx *pc)
{
    const struct scry_linux *l = scry_linux_of(pc->profile);
    struct scry_linux_ksym *k = NULL;
    struct scry_vspace kernel;
    uint64_t size;
    size_t checked = 0, errors = 0;
    scry_status st;
    /* Volatility asks for both types first (a SymbolError without them). */
    if ((st = scry_sym_type_size(l->symtab, "file_operations", &size)) != SCRY_OK ||
        (st = scry_sym_type_size(l->symtab, "seq_operations", &size)) != SCRY_OK)
        return scry_err_ctx(st, "%s", l->isf_path);
    if ((st = scry_profile_kernel(pc->profile, &kernel)) != SCRY_OK)
        return st;
    if ((st = scry_linux_ksym_open(l, &kernel, pc->op, 0, &k)) != SCRY_OK)
        return st;
    struct run r = {pc, l, &kernel, k};
    for (size_t p = 0; p < sizeof protocols / sizeof protocols[0] && st == SCRY_OK; p++) {
        for (size_t v = 0; v < 4 && protocols[p].vars[v] && st == SCRY_OK; v++) {
            uint64_t addr;
            if (scry_sym_address(l->symtab, protocols[p].vars[v], &addr) != SCRY_OK)
                continue; /* no IPv6 (or UDP-Lite) in this kernel */
            if (scry_sym_type_size(l->symtab, protocols[p].type, &size) != SCRY_OK) {
                st = scry_err_ctx(SCRY_ERR_NOT_FOUND, "%s: no type %s", l->isf_path,
                                  protocols[p].type);
                break;
            }
            checked++;
            st = check_var(&r, protocols[p].type, protocols[p].vars[v], addr + l->virt_shift);
            if (st == SCRY_ERR_NOT_FOUND)
                errors++, st = SCRY_OK;
        }
    }
    if (st == SCRY_OK && checked == errors)
        scry_op_say(pc->op, SCRY_DIAG_INFO, SCRY_ERR_UNSUPPORTED, "%s", not_checked);
    scry_linux_ksym_close(k);
    return st;
}

const struct scry_plugin scry_plugin_linux_check_afinfo = {
    .name = "linux.check_afinfo.Check_afinfo",
    .alias = "linux.check_afinfo",
    .description = "Verifies the operation function pointers of network protocols.",
    .options = NULL,
    .noptions = 0,
    .columns = columns,
    .ncolumns = sizeof columns / sizeof columns[0],
    .os = "linux",
    .run = run,
};
