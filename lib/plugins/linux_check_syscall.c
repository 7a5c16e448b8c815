/* linux_check_syscall.c - linux.check_syscall.Check_syscall: each entry of
 * the system call tables and the kernel symbol it points at.
 *
 * Volatility's rules, as it runs them:
 *  - Tables: sys_call_table ("64bit", or "32bit" with 4-byte pointers),
 *    then ia32_sys_call_table ("32bit") when the ISF has it.
 *  - Size: its disassembly path never answers (it needs
 *    system_call_fastpath, absent since 3.x, and compares capstone's
 *    lower-case mnemonic with "CMP"), so the size is the smaller positive
 *    of: the number of ISF symbols named __syscall_meta__*, and the
 *    distance to the next symbol above the table in pointers.
 *  - Each non-NULL entry prints the table's ISF address (unshifted,
 *    masked), the table's name, the index, the handler (masked) and the
 *    kernel symbol starting exactly there, else "UNKNOWN".
 * Where Volatility crashes memscry says why and goes on: both sizes zero
 * (min() of nothing) gives no rows for that table and a WARNING; an entry
 * that cannot be read is skipped with a diagnostic; a size above the walk
 * bound (a hostile ISF) is cut there with a WARNING. */
#include <inttypes.h>
#include <string.h>

#include "lib/plugins/linux_common.h"
#include "lib/walk/linux_ksym.h"
#include "symbols/symtab.h"

static const struct scry_column columns[] = {
    {"Table Address", SCRY_COL_HEX},
    {"Table Name", SCRY_COL_STR},
    {"Index", SCRY_COL_INT},
    {"Handler Address", SCRY_COL_HEX},
    {"Handler Symbol", SCRY_COL_STR},
};

#define META_PREFIX "__syscall_meta__"

/* Volatility's _get_table_info_other: 0 when neither count is positive. */
static uint64_t table_size(const struct scry_linux_ksym *k, uint64_t table, uint64_t ptr_sz)
{
    size_t n = scry_linux_ksym_count(k), next = scry_linux_ksym_after(k, table);
    uint64_t meta = 0, syms = 0, addr;
    const char *name;
    for (size_t i = 0; i < n; i++) {
        scry_linux_ksym_get(k, i, &name, &addr);
        meta += strncmp(name, META_PREFIX, sizeof META_PREFIX - 1) == 0;
    }
    if (next < n) {
        scry_linux_ksym_get(k, next, &name, &addr);
        syms = (addr - table) / ptr_sz;
    }
    if (meta && syms)
        return meta < syms ? meta : syms;
    return meta ? meta : syms;
}

static scry_status one_table(struct scry_plugin_ctx *pc, const struct scry_linux *l,
                             struct scry_vspace *ks, const struct scry_linux_ksym *k,
                             const char *sym, const char *label, uint64_t ptr_sz)
{
    uint64_t isf, mask = scry_linux_ksym_mask(k);
    uint64_t max = pc->op->max_entries ? pc->op->max_entries : SCRY_MAX_TASKS;
    if (scry_sym_address(l->symtab, sym, &isf) != SCRY_OK)
        return SCRY_ERR_NOT_FOUND;
    uint64_t table = isf & mask, n = table_size(k, table, ptr_sz);
    if (!n) {
        scry_op_say(pc->op, SCRY_DIAG_WARNING, SCRY_ERR_NOT_FOUND,
                    "Unable to get system call table size (%s)", sym);
        return SCRY_OK;
    }
    if (n > max) {
        scry_op_say(pc->op, SCRY_DIAG_WARNING, SCRY_ERR_LIMIT,
                    "%s: %" PRIu64 " entries by its symbols, only the first %" PRIu64
                    " are read",
                    sym, n, max);
        n = max;
    }
    for (uint64_t i = 0; i < n; i++) {
        uint8_t raw[8] = {0};
        uint64_t at = isf + l->virt_shift + i * ptr_sz, call = 0;
        if (scry_op_tick(pc->op, i, n))
            return scry_op_cancelled();
        scry_status rs = scry_vspace_read(ks, at, raw, (size_t)ptr_sz);
        if (rs != SCRY_OK) {
            scry_op_report(pc->op, SCRY_DIAG_WARNING, rs, "%s[%" PRIu64 "] skipped", sym, i);
            continue;
        }
        for (unsigned b = 0; b < ptr_sz; b++)
            call |= (uint64_t)raw[b] << (8 * b);
        call &= mask;
        if (!call)
            continue;
        const char *name = scry_linux_ksym_symbol(k, call);
        if (!name)
            name = SCRY_KSYM_UNKNOWN;
        struct scry_cell cells[5] = {
            scry_cell_hex(table),
            scry_cell_str(label, strlen(label)),
            scry_cell_int((int64_t)i),
            scry_cell_hex(call),
            scry_cell_str(name, strlen(name)),
        };
        scry_status st = scry_result_add(pc->out, 0, cells);
        if (st != SCRY_OK)
            return st;
    }
    return SCRY_OK;
}

static scry_status run(struct scry_plugin_ctx *pc)
{
    const struct scry_linux *l = scry_linux_of(pc->profile);
    struct scry_linux_ksym *k = NULL;
    struct scry_vspace kernel;
    uint64_t ptr_sz = 8;
    int is_signed;
    scry_status st;
    if (scry_sym_base_type(l->symtab, "pointer", &ptr_sz, &is_signed) != SCRY_OK ||
        (ptr_sz != 4 && ptr_sz != 8))
        return scry_err(SCRY_ERR_UNSUPPORTED, "%s: no usable base type pointer", l->isf_path);
    if ((st = scry_profile_kernel(pc->profile, &kernel)) != SCRY_OK)
        return st;
    if ((st = scry_linux_ksym_open(l, &kernel, pc->op, 0, &k)) != SCRY_OK)
        return st;
    st = one_table(pc, l, &kernel, k, "sys_call_table", ptr_sz == 4 ? "32bit" : "64bit", ptr_sz);
    if (st == SCRY_ERR_NOT_FOUND) {
        /* Volatility logs an error and lists nothing. */
        scry_op_say(pc->op, SCRY_DIAG_WARNING, SCRY_ERR_NOT_FOUND,
                    "Unable to find the system call table. Exiting.");
        st = SCRY_OK;
    } else if (st == SCRY_OK) {
        st = one_table(pc, l, &kernel, k, "ia32_sys_call_table", "32bit", ptr_sz);
        if (st == SCRY_ERR_NOT_FOUND) /* no 32-bit emulation: no second table */
            st = SCRY_OK;
    }
    scry_linux_ksym_close(k);
    return st;
}

const struct scry_plugin scry_plugin_linux_check_syscall = {
    .name = "linux.check_syscall.Check_syscall",
    .alias = "linux.check_syscall",
    .description = "Check system call table for hooks.",
    .options = NULL,
    .noptions = 0,
    .columns = columns,
    .ncolumns = sizeof columns / sizeof columns[0],
    .os = "linux",
    .run = run,
};
