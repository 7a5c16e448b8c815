/* linux_ebpf.c - linux.ebpf.EBPF: the loaded eBPF programs, from the IDR
 * prog_idr (an xarray), in index order: address, name (bpf_prog_aux.name),
 * tag (hex) and type (enum bpf_prog_type's name).
 *
 * memscry cannot list an ISF enum's names, so the type is named from the
 * names Linux has given bpf_prog_type (up to 6.12's NETFILTER), each
 * checked against the ISF's value; a value none of them has prints its
 * number with a warning (Volatility raises ValueError there, as it does
 * for a value outside the enum). A NULL or unreadable aux leaves the name
 * absent with a diagnostic (Volatility would raise). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "lib/plugins/plugin.h"
#include "lib/walk/linux_tasks.h"
#include "lib/walk/linux_xarray.h"
#include "symbols/symtab.h"

static const struct scry_column columns[] = {
    {"Address", SCRY_COL_HEX},
    {"Name", SCRY_COL_STR},
    {"Tag", SCRY_COL_STR},
    {"Type", SCRY_COL_STR},
};

static const char *const type_names[] = {
    "BPF_PROG_TYPE_UNSPEC",          "BPF_PROG_TYPE_SOCKET_FILTER",
    "BPF_PROG_TYPE_KPROBE",          "BPF_PROG_TYPE_SCHED_CLS",
    "BPF_PROG_TYPE_SCHED_ACT",       "BPF_PROG_TYPE_TRACEPOINT",
    "BPF_PROG_TYPE_XDP",             "BPF_PROG_TYPE_PERF_EVENT",
    "BPF_PROG_TYPE_CGROUP_SKB",      "BPF_PROG_TYPE_CGROUP_SOCK",
    "BPF_PROG_TYPE_LWT_IN",          "BPF_PROG_TYPE_LWT_OUT",
    "BPF_PROG_TYPE_LWT_XMIT",        "BPF_PROG_TYPE_SOCK_OPS",
    "BPF_PROG_TYPE_SK_SKB",          "BPF_PROG_TYPE_CGROUP_DEVICE",
    "BPF_PROG_TYPE_SK_MSG",          "BPF_PROG_TYPE_RAW_TRACEPOINT",
    "BPF_PROG_TYPE_CGROUP_SOCK_ADDR", "BPF_PROG_TYPE_LWT_SEG6LOCAL",
    "BPF_PROG_TYPE_LIRC_MODE2",      "BPF_PROG_TYPE_SK_REUSEPORT",
    "BPF_PROG_TYPE_FLOW_DISSECTOR",  "BPF_PROG_TYPE_CGROUP_SYSCTL",
    "BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE", "BPF_PROG_TYPE_CGROUP_SOCKOPT",
    "BPF_PROG_TYPE_TRACING",         "BPF_PROG_TYPE_STRUCT_OPS",
    "BPF_PROG_TYPE_EXT",             "BPF_PROG_TYPE_LSM",
    "BPF_PROG_TYPE_SK_LOOKUP",       "BPF_PROG_TYPE_SYSCALL",
    "BPF_PROG_TYPE_NETFILTER",       "__MAX_BPF_PROG_TYPE",
};
enum { NTYPES = sizeof type_names / sizeof type_names[0] };

struct ctx {
    const struct scry_linux *l;
    struct scry_vspace vs;
    struct scry_result *out;
    struct scry_op *op;
    uint64_t type, tag, tag_size, aux, aux_name, aux_name_size;
    int64_t type_value[NTYPES]; /* the ISF's value of each name, or -1 */
    scry_status st;
};

static int on_prog(void *user, uint64_t prog)
{
    struct ctx *c = user;
    struct scry_cell cells[4];
    uint8_t tag[64], name[64];
    char tagtext[129], nametext[3 * 64 + 1], num[16];
    uint32_t type;
    uint64_t aux;
    scry_status st = scry_vspace_read_u32(&c->vs, prog + c->type, &type);
    if (st == SCRY_OK)
        st = scry_vspace_read(&c->vs, prog + c->tag, tag, (size_t)c->tag_size);
    if (st == SCRY_OK)
        st = scry_vspace_read_u64(&c->vs, prog + c->aux, &aux);
    if (st != SCRY_OK) {
        scry_op_report(c->op, scry_diag_level_for(st), st,
                       "eBPF program 0x%" PRIx64 " cannot be read; skipped", prog);
        return 0;
    }
    cells[0] = scry_cell_hex(prog & c->l->va_mask);
    st = aux ? scry_vspace_read(&c->vs, aux + c->aux_name, name, (size_t)c->aux_name_size)
             : scry_err(SCRY_ERR_NODATA, "aux is NULL");
    if (st != SCRY_OK) {
        scry_op_report(c->op, scry_diag_level_for(st), st,
                       "eBPF program 0x%" PRIx64 ": its name cannot be read", prog);
        cells[1] = scry_cell_absent(SCRY_CELL_UNREADABLE);
    } else {
        size_t n = strnlen((const char *)name, (size_t)c->aux_name_size);
        cells[1] = n ? scry_cell_str(nametext, scry_utf8_replace(name, n, nametext))
                     : scry_cell_absent(SCRY_CELL_NOT_AVAILABLE);
    }
    for (uint64_t i = 0; i < c->tag_size; i++)
        snprintf(tagtext + 2 * i, 3, "%02x", tag[i]);
    cells[2] = c->tag_size ? scry_cell_str(tagtext, 2 * (size_t)c->tag_size)
                           : scry_cell_absent(SCRY_CELL_NOT_AVAILABLE);
    unsigned k = 0;
    while (k < NTYPES && c->type_value[k] != (int64_t)type)
        k++;
    if (k < NTYPES) {
        cells[3] = scry_cell_str(type_names[k], strlen(type_names[k]));
    } else {
        scry_op_say(c->op, SCRY_DIAG_WARNING, SCRY_ERR_CORRUPT,
                    "eBPF program 0x%" PRIx64 ": type %" PRIu32 " has no name", prog, type);
        cells[3] = scry_cell_str(num, (size_t)snprintf(num, sizeof num, "%" PRIu32, type));
    }
    c->st = scry_result_add(c->out, 0, cells);
    return c->st != SCRY_OK;
}

static scry_status run(struct scry_plugin_ctx *pc)
{
    struct ctx c = {.l = scry_linux_of(pc->profile), .out = pc->out, .op = pc->op};
    struct scry_linux_xarray x;
    uint64_t idr;
    struct scry_field_spec f[] = {
        SCRY_FIELD("bpf_prog", "type", &c.type),
        {"bpf_prog", "tag", &c.tag, &c.tag_size, 0},
        SCRY_FIELD("bpf_prog", "aux", &c.aux),
        {"bpf_prog_aux", "name", &c.aux_name, &c.aux_name_size, 0},
    };
    struct scry_symbol_spec s[] = {SCRY_SYMBOL_OPT("prog_idr", &idr)};
    scry_status st = scry_resolve_symbols(c.l->symtab, s, 1);
    if (st == SCRY_OK && idr == SCRY_NO_OFFSET)
        return scry_err(SCRY_ERR_UNSUPPORTED, "Cannot find the eBPF prog idr. Unsupported kernel");
    if (st == SCRY_OK)
        st = scry_resolve_fields(c.l->symtab, f, sizeof f / sizeof f[0]);
    if (st != SCRY_OK)
        return scry_err_ctx(st, "%s", c.l->isf_path);
    if (c.tag_size > 64 || c.aux_name_size > 64)
        return scry_err(SCRY_ERR_CORRUPT, "%s: bpf_prog.tag or bpf_prog_aux.name is too large",
                        c.l->isf_path);
    for (unsigned k = 0; k < NTYPES; k++)
        if (scry_sym_enum_value(c.l->symtab, "bpf_prog_type", type_names[k], &c.type_value[k]) !=
            SCRY_OK)
            c.type_value[k] = -1;
    if ((st = scry_linux_xarray_resolve(c.l, &x)) != SCRY_OK)
        return st;
    if ((st = scry_profile_kernel(pc->profile, &c.vs)) != SCRY_OK)
        return st;
    st = scry_linux_xarray_walk(&x, &c.vs, pc->op, idr + c.l->virt_shift, "eBPF program table",
                                pc->op && pc->op->max_entries ? pc->op->max_entries
                                                              : SCRY_MAX_TASKS,
                                on_prog, &c);
    return st != SCRY_OK ? st : c.st;
}

const struct scry_plugin scry_plugin_linux_ebpf = {
    .name = "linux.ebpf.EBPF",
    .alias = "linux.ebpf",
    .description = "Enumerate eBPF programs",
    .options = NULL,
    .noptions = 0,
    .columns = columns,
    .ncolumns = sizeof columns / sizeof columns[0],
    .os = "linux",
    .run = run,
};
