/* linux_capabilities.c - linux.capabilities.Capabilities: each process's
 * effective uid and capability sets (task->real_cred), named.
 *
 * Volatility names a set "all" when it equals the kernel's full mask
 * ((1 << (cap_last_cap + 1)) - 1), "" when empty, else the names of its
 * set bits among the 41 it knows, ", "-joined. The set's layout is chosen
 * by the fields the ISF gives its type: `val` (u64, 6.3+), `cap[2]` (two
 * u32, 2.6.25-6.2) or `cap[1]` / a plain u32. Where Volatility raises
 * (6.1's ISF names the cap[2] struct kernel_cap_t, whose class only knows
 * `val`), memscry decodes cap[2] as Volatility's kernel_cap_struct does. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "lib/plugins/linux_common.h"
#include "lib/vspace/vspace.h"
#include "symbols/symtab.h"

enum { OPT_PIDS };

static const struct scry_option options[] = {
    [OPT_PIDS] = {"pids", SCRY_OPT_INT_LIST, "Filter on specific process IDs."},
};

static const struct scry_column columns[] = {
    {"Name", SCRY_COL_STR},           {"Tid", SCRY_COL_INT},
    {"Pid", SCRY_COL_INT},            {"PPid", SCRY_COL_INT},
    {"EUID", SCRY_COL_INT},           {"cap_inheritable", SCRY_COL_STR},
    {"cap_permitted", SCRY_COL_STR},  {"cap_effective", SCRY_COL_STR},
    {"cap_bounding", SCRY_COL_STR},   {"cap_ambient", SCRY_COL_STR},
};

/* Volatility's CAPABILITIES (constants/linux), bit i named names[i]. */
static const char *const cap_names[] = {
    "chown",          "dac_override",     "dac_read_search", "fowner",
    "fsetid",         "kill",             "setgid",          "setuid",
    "setpcap",        "linux_immutable",  "net_bind_service", "net_broadcast",
    "net_admin",      "net_raw",          "ipc_lock",        "ipc_owner",
    "sys_module",     "sys_rawio",        "sys_chroot",      "sys_ptrace",
    "sys_pacct",      "sys_admin",        "sys_boot",        "sys_nice",
    "sys_resource",   "sys_time",         "sys_tty_config",  "mknod",
    "lease",          "audit_write",      "audit_control",   "setfcap",
    "mac_override",   "mac_admin",        "syslog",          "wake_alarm",
    "block_suspend",  "audit_read",       "perfmon",         "bpf",
    "checkpoint_restore",
};
enum { NCAPS = sizeof cap_names / sizeof cap_names[0] };

enum { SET_INH, SET_PERM, SET_EFF, SET_BSET, SET_AMB, NSETS };

struct offs {
    uint64_t task_cred, task_real_cred, cred_euid, euid_size;
    uint64_t set[NSETS];
    uint64_t set_size;  /* bytes read of a set: 4 or 8 */
    int two_words;      /* cap[2]: (cap[1] << 32) | cap[0] */
};

struct ctx {
    const struct scry_linux *l;
    struct scry_vspace kernel;
    const struct scry_optvals *o;
    struct scry_result *out;
    struct scry_op *op;
    struct offs f;
    uint64_t full;      /* the kernel's full mask, up to 64 bits          */
    int full_wider;     /* cap_last_cap >= 64: no 64-bit set equals it   */
    scry_status st;
};

/* The set's layout, from the fields of the type cred.cap_permitted has. */
static scry_status resolve(const struct scry_linux *l, struct offs *f)
{
    struct scry_field_spec spec[] = {
        SCRY_FIELD("task_struct", "cred", &f->task_cred),
        SCRY_FIELD("task_struct", "real_cred", &f->task_real_cred),
        {"cred", "euid", &f->cred_euid, &f->euid_size, 0},
        SCRY_FIELD("cred", "cap_inheritable", &f->set[SET_INH]),
        SCRY_FIELD("cred", "cap_permitted", &f->set[SET_PERM]),
        SCRY_FIELD("cred", "cap_effective", &f->set[SET_EFF]),
        SCRY_FIELD("cred", "cap_bset", &f->set[SET_BSET]),
        SCRY_FIELD_OPT("cred", "cap_ambient", &f->set[SET_AMB]),
    };
    struct scry_typeref ref;
    uint64_t off, size;
    scry_status st = scry_resolve_fields(l->symtab, spec, sizeof spec / sizeof spec[0]);
    if (st != SCRY_OK)
        return scry_err_ctx(st, "%s", l->isf_path);
    if (f->euid_size != 4)
        return scry_err(SCRY_ERR_UNSUPPORTED, "%s: cred.euid is %" PRIu64 " bytes, not 4",
                        l->isf_path, f->euid_size);
    if ((st = scry_sym_field(l->symtab, "cred", "cap_permitted", &off, &ref)) != SCRY_OK)
        return scry_err_ctx(st, "%s", l->isf_path);
    if (ref.kind == SCRY_T_BASE) { /* a plain __u32 (< 2.6.25) */
        f->set_size = 4;
        return SCRY_OK;
    }
    if (ref.kind != SCRY_T_STRUCT || !ref.name)
        return scry_err(SCRY_ERR_UNSUPPORTED, "%s: cred.cap_permitted is not a struct",
                        l->isf_path);
    if (scry_sym_field(l->symtab, ref.name, "val", &off, NULL) == SCRY_OK && off == 0 &&
        scry_sym_type_size(l->symtab, ref.name, &size) == SCRY_OK && size >= 8) {
        f->set_size = 8;
        return SCRY_OK;
    }
    if (scry_sym_field(l->symtab, ref.name, "cap", &off, &ref) == SCRY_OK && off == 0) {
        if (ref.kind == SCRY_T_ARRAY && (ref.count == 1 || ref.count == 2)) {
            f->set_size = 4 * ref.count;
            f->two_words = ref.count == 2;
            return SCRY_OK;
        }
        if (ref.kind == SCRY_T_BASE) {
            f->set_size = 4;
            return SCRY_OK;
        }
    }
    return scry_err(SCRY_ERR_UNSUPPORTED,
                    "%s: the capability set type has neither val nor cap[1|2]: unsupported "
                    "kernel capabilities implementation",
                    l->isf_path);
}

/* Volatility's _decode_cap into buf (cap 1024). */
static size_t decode(const struct ctx *c, uint64_t v, char *buf)
{
    size_t n = 0;
    v &= c->full;
    if (!v)
        return 0;
    if (v == c->full && !c->full_wider)
        return (size_t)snprintf(buf, 1024, "all");
    for (unsigned b = 0; b < NCAPS; b++)
        if (v >> b & 1)
            n += (size_t)snprintf(buf + n, 1024 - n, "%s%s", n ? ", " : "", cap_names[b]);
    return n;
}

static uint64_t le(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static int row(void *user, const struct scry_linux_task *t)
{
    struct ctx *c = user;
    struct scry_cell cells[10];
    char comm[49], text[NSETS][1024];
    uint64_t cred, real;
    uint32_t euid;
    scry_status st;
    if (!scry_opt_int_filter(c->o, OPT_PIDS, t->pid))
        return 0;
    st = scry_vspace_read_u64(&c->kernel, t->addr + c->f.task_cred, &cred);
    if (st == SCRY_OK)
        st = scry_vspace_read_u32(&c->kernel, cred + c->f.cred_euid, &euid);
    if (st == SCRY_OK)
        st = scry_vspace_read_u64(&c->kernel, t->addr + c->f.task_real_cred, &real);
    for (int s = 0; s < NSETS && st == SCRY_OK; s++) {
        uint8_t raw[8];
        if (c->f.set[s] == SCRY_NO_OFFSET) {
            cells[5 + s] = scry_cell_absent(SCRY_CELL_NOT_AVAILABLE);
            continue;
        }
        st = scry_vspace_read(&c->kernel, real + c->f.set[s], raw, (size_t)c->f.set_size);
        if (st == SCRY_OK) {
            uint64_t v = c->f.two_words ? le(raw + 4, 4) << 32 | le(raw, 4)
                                        : le(raw, (unsigned)c->f.set_size);
            cells[5 + s] = scry_cell_str(text[s], decode(c, v, text[s]));
        }
    }
    if (st != SCRY_OK) { /* Volatility would raise: the task is skipped */
        scry_op_report(c->op, scry_diag_level_for(st), st,
                       "pid %d: credentials cannot be read; skipped", (int)t->pid);
        return 0;
    }
    cells[0] = scry_cell_str(comm, scry_linux_comm(t->comm, comm));
    cells[1] = scry_cell_int(t->pid);
    cells[2] = scry_cell_int(t->tgid);
    /* Volatility prints the parent's pid (not its tgid); an unreadable
     * parent, where it would raise, prints 0. */
    cells[3] = scry_cell_int(t->parent && t->parent_ok ? t->parent_pid : 0);
    cells[4] = scry_cell_int(euid);
    c->st = scry_result_add(c->out, 0, cells);
    return c->st != SCRY_OK;
}

/* The full mask from the kernel's cap_last_cap (Volatility's list's last
 * bit when the ISF has no such symbol, kernels < 3.2). */
static void full_mask(struct ctx *c)
{
    uint64_t addr;
    uint32_t last = NCAPS - 1;
    if (scry_sym_address(c->l->symtab, "cap_last_cap", &addr) == SCRY_OK) {
        scry_status st = scry_vspace_read_u32(&c->kernel, addr + c->l->virt_shift, &last);
        if (st != SCRY_OK) {
            scry_op_report(c->op, SCRY_DIAG_WARNING, st,
                           "cap_last_cap cannot be read; %d assumed", NCAPS - 1);
            last = NCAPS - 1;
        }
    }
    if ((int32_t)last < -1) { /* Volatility: a negative shift count */
        scry_op_say(c->op, SCRY_DIAG_WARNING, SCRY_ERR_CORRUPT,
                    "cap_last_cap is %d; %d assumed", (int)(int32_t)last, NCAPS - 1);
        last = NCAPS - 1;
    }
    int64_t bits = (int64_t)(int32_t)last + 1;
    c->full = bits >= 64 ? UINT64_MAX : ((uint64_t)1 << bits) - 1;
    c->full_wider = bits > 64;
}

static scry_status run(struct scry_plugin_ctx *pc)
{
    struct ctx c = {.l = scry_linux_of(pc->profile), .o = pc->opts, .out = pc->out, .op = pc->op};
    scry_status st;
    if ((st = resolve(c.l, &c.f)) != SCRY_OK)
        return st;
    if ((st = scry_profile_kernel(pc->profile, &c.kernel)) != SCRY_OK)
        return st;
    full_mask(&c);
    st = scry_linux_walk_tasks(c.l, pc->op, 0, row, &c);
    return st != SCRY_OK ? st : c.st;
}

const struct scry_plugin scry_plugin_linux_capabilities = {
    .name = "linux.capabilities.Capabilities",
    .alias = "linux.capabilities",
    .description = "Lists process capabilities",
    .options = options,
    .noptions = sizeof options / sizeof options[0],
    .columns = columns,
    .ncolumns = sizeof columns / sizeof columns[0],
    .os = "linux",
    .run = run,
};
