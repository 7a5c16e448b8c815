/* linux.check_idt.Check_idt - who owns the handlers of the first 20 IDT
 * vectors and of vector 0x80.
 *
 * Volatility reads idt_table as 256 gate descriptors of the first type the
 * ISF has (64-bit kernels: gate_struct64, gate_struct, idt_desc; 32-bit:
 * gate_struct, desc_struct), takes the handler from an Address member or
 * from offset_low | offset_middle << 16 | offset_high << 32 (masked), and
 * names its owner with lookup_module_address (lib/walk/linux_ksym.h). Every
 * entry prints, empty or not (a struct object is always true in Python).
 * Where Volatility raises, memscry says why: an entry that cannot be read
 * is skipped with a diagnostic; a descriptor type without the handler's
 * fields is an error naming it. */
#include <inttypes.h>
#include <string.h>

#include "lib/plugins/linux_common.h"
#include "lib/walk/linux_ksym.h"
#include "symbols/symtab.h"

static const struct scry_column columns[] = {
    {"Index", SCRY_COL_HEX},
    {"Address", SCRY_COL_HEX},
    {"Module", SCRY_COL_STR},
    {"Symbol", SCRY_COL_STR},
};

/* The descriptor types Volatility tries, in its order. */
static const char *const types64[] = {"gate_struct64", "gate_struct", "idt_desc"};
static const char *const types32[] = {"gate_struct", "desc_struct"};

/* Where a descriptor's handler is: Address, else the three offset parts. */
struct gate {
    const char *type;
    uint64_t size;
    uint64_t addr_off, addr_len;
    uint64_t low, low_len, mid, mid_len, high, high_len;
};

static scry_status gate_layout(const struct scry_linux *l, uint64_t ptr_sz, struct gate *g)
{
    const char *const *t = ptr_sz == 4 ? types32 : types64;
    size_t n = ptr_sz == 4 ? 2 : 3;
    g->type = NULL;
    for (size_t i = 0; i < n && !g->type; i++)
        if (scry_sym_type_size(l->symtab, t[i], &g->size) == SCRY_OK)
            g->type = t[i];
    if (!g->type)
        g->type = t[n - 1]; /* Volatility's last choice; missing: its SymbolError */
    struct scry_field_spec f[] = {
        {g->type, "Address", &g->addr_off, &g->addr_len, 1},
        {g->type, "offset_low", &g->low, &g->low_len, 1},
        {g->type, "offset_middle", &g->mid, &g->mid_len, 1},
        {g->type, "offset_high", &g->high, &g->high_len, 1},
    };
    scry_status rc = scry_sym_type_size(l->symtab, g->type, &g->size);
    if (rc == SCRY_OK)
        rc = scry_resolve_fields(l->symtab, f, sizeof f / sizeof f[0]);
    if (rc != SCRY_OK)
        return scry_err_ctx(rc, "%s: the IDT's descriptors", l->isf_path);
    if (g->addr_off == SCRY_NO_OFFSET &&
        (g->low == SCRY_NO_OFFSET || g->mid == SCRY_NO_OFFSET))
        return scry_err(SCRY_ERR_UNSUPPORTED,
                        "%s: %s has neither Address nor offset_low and offset_middle",
                        l->isf_path, g->type);
    if ((g->addr_off != SCRY_NO_OFFSET && g->addr_len > 8) || g->low_len > 8 ||
        g->mid_len > 8 || (g->high != SCRY_NO_OFFSET && g->high_len > 8) || g->size > 64)
        return scry_err(SCRY_ERR_CORRUPT, "%s: %s's fields are wider than 8 bytes",
                        l->isf_path, g->type);
    return SCRY_OK;
}

static uint64_t le(const uint8_t *p, uint64_t n)
{
    uint64_t v = 0;
    for (uint64_t i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static scry_status run(struct scry_plugin_ctx *pc)
{
    const struct scry_linux *l = scry_linux_of(pc->profile);
    struct scry_linux_ksym *k = NULL;
    struct scry_vspace kernel;
    struct gate g;
    uint64_t ptr_sz = 8, table;
    int is_signed;
    scry_status st;
    if (scry_sym_base_type(l->symtab, "pointer", &ptr_sz, &is_signed) != SCRY_OK)
        ptr_sz = 8;
    if ((st = gate_layout(l, ptr_sz, &g)) != SCRY_OK)
        return st;
    if ((st = scry_sym_address(l->symtab, "idt_table", &table)) != SCRY_OK)
        return scry_err_ctx(st, "%s", l->isf_path);
    if ((st = scry_profile_kernel(pc->profile, &kernel)) != SCRY_OK)
        return st;
    if ((st = scry_linux_ksym_open(l, &kernel, pc->op, SCRY_KSYM_OWNERS, &k)) != SCRY_OK)
        return st;
    table += l->virt_shift;
    /* The hardware vectors and the system call gate. */
    for (unsigned v = 0; v <= 20 && st == SCRY_OK; v++) {
        unsigned i = v < 20 ? v : 0x80;
        uint8_t raw[64];
        uint64_t addr;
        const char *mod, *sym;
        scry_status rs = scry_vspace_read(&kernel, table + i * g.size, raw, (size_t)g.size);
        if (rs != SCRY_OK) {
            scry_op_report(pc->op, SCRY_DIAG_WARNING, rs, "idt_table[%u] skipped", i);
            continue;
        }
        if (g.addr_off != SCRY_NO_OFFSET) {
            addr = le(raw + g.addr_off, g.addr_len);
        } else {
            addr = le(raw + g.low, g.low_len) | le(raw + g.mid, g.mid_len) << 16;
            if (g.high != SCRY_NO_OFFSET)
                addr |= le(raw + g.high, g.high_len) << 32;
        }
        addr &= scry_linux_ksym_mask(k);
        scry_linux_ksym_lookup(k, addr, &mod, &sym);
        struct scry_cell cells[4] = {
            scry_cell_hex(i),
            scry_cell_hex(addr),
            scry_cell_str(mod, strlen(mod)),
            scry_cell_str(sym, strlen(sym)),
        };
        st = scry_result_add(pc->out, 0, cells);
    }
    scry_linux_ksym_close(k);
    return st;
}

const struct scry_plugin scry_plugin_linux_check_idt = {
    .name = "linux.check_idt.Check_idt",
    .alias = "linux.check_idt",
    .description = "Checks if the IDT has been altered",
    .options = NULL,
    .noptions = 0,
    .columns = columns,
    .ncolumns = sizeof columns / sizeof columns[0],
    .os = "linux",
    .run = run,
};
