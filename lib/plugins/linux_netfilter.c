/* linux_netfilter.c - linux.netfilter.Netfilter: every Netfilter hook of
 * every network namespace, with the owner of its handler.
 *
 * Volatility tries its implementations in class order and runs each whose
 * ISF test passes (so the per-namespace hooks and then the per-device
 * NETDEV hooks on current kernels). memscry reads the nf_hook_entries
 * layouts, 4.14 and later:
 *  - netns_nf.hooks[proto][hook] (4.14-4.15) or hooks_ipv4/_arp/_bridge/
 *    _ipv6/_decnet[hook] (4.16+), for IPV4, ARP, BRIDGE, IPV6 and DECNET
 *    with their hook names, a family the ISF lacks skipped;
 *  - net_device.nf_hooks_ingress / nf_hooks_egress of each device on
 *    net.dev_base_head (NETDEV: INGRESS, EGRESS).
 * An nf_hook_entries holds num_hook_entries entries, and after them as
 * many nf_hook_ops pointers (orig_ops); each ops gives a row: namespace
 * inode, protocol, hook, priority, handler (masked), and Volatility's
 * owner: "[symbol]" for a kernel symbol, else the owner's name
 * ("__kernel__" or a module), else null; "Is Hooked" is "True" when an
 * owner was found (Volatility's own inverted sense, kept).
 *
 * The older list-based layouts (before 4.14) are refused with an error
 * naming the layout. Where Volatility raises memscry says why and goes on:
 * a namespace, device, hook array or ops that cannot be read is skipped
 * with a diagnostic; lists are bounded (lib/walk/linux_list.h). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "lib/plugins/linux_common.h"
#include "lib/walk/linux_ksym.h"
#include "lib/walk/linux_list.h"
#include "symbols/symtab.h"

static const struct scry_column columns[] = {
    {"Net NS", SCRY_COL_INT},  {"Proto", SCRY_COL_STR},   {"Hook", SCRY_COL_STR},
    {"Priority", SCRY_COL_INT}, {"Handler", SCRY_COL_HEX}, {"Module", SCRY_COL_STR},
    {"Is Hooked", SCRY_COL_STR},
};

static const char *const inet_hooks[] = {"PRE_ROUTING", "LOCAL_IN", "FORWARD", "LOCAL_OUT",
                                         "POST_ROUTING"};
static const char *const dec_hooks[] = {"PRE_ROUTING", "LOCAL_IN", "FORWARD", "LOCAL_OUT",
                                        "POST_ROUTING", "HELLO", "ROUTE"};
static const char *const arp_hooks[] = {"IN", "OUT", "FORWARD"};
static const char *const netdev_hooks[] = {"INGRESS", "EGRESS"};

/* Volatility's PROTO_HOOKS that the namespace implementations subscribe
 * to: index (NFPROTO_*), name, hooks, and the 4.16+ member. */
static const struct proto {
    unsigned idx;
    const char *name;
    const char *const *hooks;
    unsigned nhooks;
    const char *member;
} protos[] = {
    {2, "IPV4", inet_hooks, 5, "hooks_ipv4"},
    {3, "ARP", arp_hooks, 3, "hooks_arp"},
    {7, "BRIDGE", inet_hooks, 5, "hooks_bridge"},
    {10, "IPV6", inet_hooks, 5, "hooks_ipv6"},
    {12, "DECNET", dec_hooks, 7, "hooks_decnet"},
};
#define NPROTOS (sizeof protos / sizeof protos[0])

struct nf_off {
    uint64_t ns_list;                   /* symbol net_namespace_list */
    uint64_t net_list, net_inum, net_nf, net_devs;
    uint64_t nf_hooks;                  /* 4.14-4.15: hooks[proto][hook] */
    uint64_t nf_hooks_inner;            /* its inner dimension */
    uint64_t nf_member[NPROTOS], nf_member_size[NPROTOS];
    uint64_t entries_num, entries_hooks, entry_size;
    uint64_t ops_hook, ops_priority;
    uint64_t dev_list, dev_ingress, dev_egress;
    int ns_impl;                        /* bits: 1 hooks[][], 2 hooks_<proto>[] */
    int dev_impl;                       /* 0 none, 1 ingress/egress entries */
};

struct ctx {
    struct scry_plugin_ctx *pc;
    const struct scry_linux *l;
    struct scry_vspace *ks;
    const struct scry_linux_ksym *k;
    struct nf_off o;
    int64_t inum;                       /* the namespace being walked */
    const char *proto, *hook;           /* for the rows of a NETDEV walk */
};

/* Volatility's get_member_type: the member's type, then each subtype
 * ("array", "pointer" or the struct's name). Returns the chain's length
 * (at most max), 0 when the member is absent. */
static size_t member_chain(const struct scry_symtab *st, const char *type, const char *member,
                           const char **out, uint64_t *counts, size_t max)
{
    struct scry_typeref t;
    uint64_t off;
    size_t n = 0;
    if (scry_sym_field(st, type, member, &off, &t) != SCRY_OK)
        return 0;
    for (;;) {
        if (n == max)
            return n;
        counts[n] = t.count;
        out[n++] = t.kind == SCRY_T_ARRAY ? "array" : t.kind == SCRY_T_POINTER ? "pointer"
                                                                               : t.name ? t.name : "?";
        if ((t.kind != SCRY_T_ARRAY && t.kind != SCRY_T_POINTER) ||
            scry_sym_typeref(st, t.sub, &t) != SCRY_OK)
            return n;
    }
}

static int chain_is(const char *const *got, size_t n, const char *const *want, size_t m)
{
    if (n != m)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (strcmp(got[i], want[i]) != 0)
            return 0;
    return 1;
}

static scry_status resolve(const struct scry_linux *l, struct nf_off *o)
{
    const struct scry_symtab *st = l->symtab;
    const char *chain[8];
    uint64_t counts[8], size;
    size_t n;
    memset(o, 0, sizeof *o);
    if (scry_sym_address(st, "nf_hooks", &size) == SCRY_OK)
        return scry_err(SCRY_ERR_UNSUPPORTED, "%s: Netfilter hooks in nf_hooks lists (before "
                        "4.3): not read by memscry", l->isf_path);
    int have_ns = scry_sym_address(st, "net_namespace_list", &o->ns_list) == SCRY_OK;
    if (have_ns && scry_sym_type_size(st, "netns_nf", &size) == SCRY_OK) {
        static const char *const h4_3[] = {"array", "array", "list_head"};
        static const char *const h4_9[] = {"array", "array", "pointer", "nf_hook_entry"};
        static const char *const h4_14[] = {"array", "array", "pointer", "nf_hook_entries"};
        n = member_chain(st, "netns_nf", "hooks", chain, counts, 8);
        if (chain_is(chain, n, h4_3, 3) || chain_is(chain, n, h4_9, 4))
            return scry_err(SCRY_ERR_UNSUPPORTED, "%s: Netfilter hooks in per-namespace lists "
                            "(4.3 to 4.13): not read by memscry", l->isf_path);
        if (chain_is(chain, n, h4_14, 4))
            o->ns_impl |= 1, o->nf_hooks_inner = counts[1];
        if (scry_sym_field(st, "netns_nf", "hooks_ipv4", &size, NULL) == SCRY_OK)
            o->ns_impl |= 2; /* both tests may pass: both classes run, 4.14's first */
    }
    if (have_ns && scry_sym_type_size(st, "net_device", &size) == SCRY_OK) {
        static const char *const i4_2[] = {"list_head"};
        static const char *const i4_9[] = {"pointer", "nf_hook_entry"};
        static const char *const i4_14[] = {"pointer", "nf_hook_entries"};
        n = member_chain(st, "net_device", "nf_hooks_ingress", chain, counts, 8);
        if (chain_is(chain, n, i4_2, 1) || chain_is(chain, n, i4_9, 2))
            return scry_err(SCRY_ERR_UNSUPPORTED, "%s: Netfilter ingress hooks in lists (4.2 to "
                            "4.13): not read by memscry", l->isf_path);
        if (chain_is(chain, n, i4_14, 2))
            o->dev_impl = 1;
    }
    if (!o->ns_impl && !o->dev_impl)
        return SCRY_OK;
    struct scry_field_spec f[] = {
        SCRY_FIELD("net", "list", &o->net_list),
        SCRY_FIELD("net", "ns.inum", &o->net_inum),
        SCRY_FIELD("net", "nf", &o->net_nf),
        SCRY_FIELD_OPT("net", "dev_base_head", &o->net_devs),
        SCRY_FIELD_OPT("netns_nf", "hooks", &o->nf_hooks),
        SCRY_FIELD("nf_hook_entries", "num_hook_entries", &o->entries_num),
        SCRY_FIELD("nf_hook_entries", "hooks", &o->entries_hooks),
        SCRY_FIELD("nf_hook_ops", "hook", &o->ops_hook),
        SCRY_FIELD("nf_hook_ops", "priority", &o->ops_priority),
        SCRY_FIELD_OPT("net_device", "dev_list", &o->dev_list),
        SCRY_FIELD_OPT("net_device", "nf_hooks_ingress", &o->dev_ingress),
        SCRY_FIELD_OPT("net_device", "nf_hooks_egress", &o->dev_egress),
    };
    scry_status rc = scry_resolve_fields(st, f, sizeof f / sizeof f[0]);
    for (size_t i = 0; i < NPROTOS && rc == SCRY_OK; i++) {
        struct scry_field_spec p = {"netns_nf", protos[i].member, &o->nf_member[i],
                                    &o->nf_member_size[i], 1};
        rc = scry_resolve_fields(st, &p, 1);
    }
    if (rc == SCRY_OK)
        rc = scry_sym_type_size(st, "nf_hook_entry", &o->entry_size);
    if (rc == SCRY_OK && o->dev_impl &&
        (o->net_devs == SCRY_NO_OFFSET || o->dev_list == SCRY_NO_OFFSET))
        rc = scry_err(SCRY_ERR_NOT_FOUND, "net.dev_base_head or net_device.dev_list");
    return rc != SCRY_OK ? scry_err_ctx(rc, "%s", l->isf_path) : SCRY_OK;
}

static scry_status row(struct ctx *c, const char *proto, const char *hook, int32_t prio,
                       uint64_t handler)
{
    const char *mod, *sym;
    char buf[1024];
    struct scry_cell module;
    scry_linux_ksym_lookup(c->k, handler, &mod, &sym);
    int found = strcmp(mod, SCRY_KSYM_UNKNOWN) != 0;
    if (strcmp(sym, SCRY_KSYM_NA) != 0) {
        int n = snprintf(buf, sizeof buf, "[%s]", sym);
        module = scry_cell_str(buf, n < 0 ? 0 : (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
    } else if (found) {
        module = scry_cell_str(mod, strlen(mod));
    } else {
        module = scry_cell_absent(SCRY_CELL_NOT_AVAILABLE);
    }
    const char *hooked = found ? "True" : "False";
    struct scry_cell cells[7] = {
        scry_cell_int(c->inum),
        scry_cell_str(proto, strlen(proto)),
        scry_cell_str(hook, strlen(hook)),
        scry_cell_int(prio),
        scry_cell_hex(handler),
        module,
        scry_cell_str(hooked, strlen(hooked)),
    };
    return scry_result_add(c->pc->out, 0, cells);
}

/* The hooks of one nf_hook_entries (its pointer read at `at`). */
static scry_status entries(struct ctx *c, uint64_t at, const char *proto, const char *hook)
{
    uint64_t e, ops, handler;
    uint16_t num;
    uint32_t prio;
    scry_status st = scry_vspace_read_u64(c->ks, at, &e);
    if (st != SCRY_OK) {
        scry_op_report(c->pc->op, scry_diag_level_for(st), st,
                       "%s %s hooks at 0x%" PRIx64 " skipped", proto, hook, at);
        return SCRY_OK;
    }
    e &= c->l->va_mask;
    if (!e)
        return SCRY_OK;
    e |= ~c->l->va_mask; /* the kernel's canonical form, for reading */
    if ((st = scry_vspace_read(c->ks, e + c->o.entries_num, &num, 2)) != SCRY_OK) {
        scry_op_report(c->pc->op, scry_diag_level_for(st), st,
                       "%s %s: nf_hook_entries 0x%" PRIx64 " skipped", proto, hook, e);
        return SCRY_OK;
    }
    uint64_t orig = e + c->o.entries_hooks + c->o.entry_size * num;
    for (uint64_t i = 0; i < num; i++) {
        if ((st = scry_vspace_read_u64(c->ks, orig + 8 * i, &ops)) != SCRY_OK ||
            (st = scry_vspace_read_u32(c->ks, ops + c->o.ops_priority, &prio)) != SCRY_OK ||
            (st = scry_vspace_read_u64(c->ks, ops + c->o.ops_hook, &handler)) != SCRY_OK) {
            scry_op_report(c->pc->op, scry_diag_level_for(st), st,
                           "%s %s: hook %" PRIu64 " of nf_hook_entries 0x%" PRIx64 " skipped",
                           proto, hook, i, e);
            continue;
        }
        if ((st = row(c, proto, hook, (int32_t)prio, handler & c->l->va_mask)) != SCRY_OK)
            return st;
    }
    return SCRY_OK;
}

/* One namespace's per-protocol hooks (impl 1: hooks[proto][hook], 2:
 * hooks_<proto>[hook]). */
static scry_status ns_hooks(struct ctx *c, uint64_t net, int impl)
{
    uint64_t nf = net + c->o.net_nf;
    for (size_t p = 0; p < NPROTOS; p++) {
        for (unsigned h = 0; h < protos[p].nhooks; h++) {
            uint64_t at;
            if (impl == 1) {
                if (h >= c->o.nf_hooks_inner)
                    continue; /* past the array: Volatility would raise */
                at = nf + c->o.nf_hooks + 8 * (protos[p].idx * c->o.nf_hooks_inner + h);
            } else {
                if (c->o.nf_member[p] == SCRY_NO_OFFSET)
                    break; /* the family is not in this kernel */
                if (8 * (uint64_t)h >= c->o.nf_member_size[p])
                    continue;
                at = nf + c->o.nf_member[p] + 8 * (uint64_t)h;
            }
            scry_status st = entries(c, at, protos[p].name, protos[p].hooks[h]);
            if (st != SCRY_OK)
                return st;
        }
    }
    return SCRY_OK;
}

static scry_status on_device(void *user, uint64_t link)
{
    struct ctx *c = user;
    uint64_t dev = link - c->o.dev_list;
    uint64_t off = strcmp(c->hook, "INGRESS") == 0 ? c->o.dev_ingress : c->o.dev_egress;
    if (off == SCRY_NO_OFFSET)
        return SCRY_OK;
    return entries(c, dev + off, c->proto, c->hook);
}

struct pass {
    struct ctx *c;
    int impl; /* 1, 2: namespace hooks; 3: NETDEV */
};

static scry_status on_net(void *user, uint64_t link)
{
    struct pass *p = user;
    struct ctx *c = p->c;
    uint64_t net = link - c->o.net_list;
    uint32_t inum;
    scry_status st = scry_vspace_read_u32(c->ks, net + c->o.net_inum, &inum);
    if (st != SCRY_OK) {
        scry_op_report(c->pc->op, scry_diag_level_for(st), st,
                       "network namespace 0x%" PRIx64 " skipped", net);
        return SCRY_OK;
    }
    c->inum = inum;
    if (p->impl != 3)
        return ns_hooks(c, net, p->impl);
    c->proto = "NETDEV";
    for (size_t h = 0; h < 2; h++) {
        c->hook = netdev_hooks[h];
        st = scry_linux_list_walk(c->l, c->ks, c->pc->op, "network device list",
                                  net + c->o.net_devs, on_device, c);
        if (st != SCRY_OK)
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
    if (!c.o.ns_impl && !c.o.dev_impl) {
        scry_op_say(pc->op, SCRY_DIAG_WARNING, SCRY_ERR_UNSUPPORTED,
                    "Unsupported Netfilter kernel implementation");
        return SCRY_OK;
    }
    if ((st = scry_profile_kernel(pc->profile, &kernel)) != SCRY_OK)
        return st;
    if ((st = scry_linux_ksym_open(c.l, &kernel, pc->op, SCRY_KSYM_OWNERS, &k)) != SCRY_OK)
        return st;
    c.ks = &kernel, c.k = k;
    /* Volatility's class order: 4.14's hooks[][], 4.16's hooks_<proto>[],
     * then the NETDEV hooks; each over every namespace. */
    int impls[3], n = 0;
    if (c.o.ns_impl & 1)
        impls[n++] = 1;
    if (c.o.ns_impl & 2)
        impls[n++] = 2;
    if (c.o.dev_impl)
        impls[n++] = 3;
    for (int i = 0; i < n && st == SCRY_OK; i++) {
        struct pass p = {&c, impls[i]};
        st = scry_linux_list_walk(c.l, &kernel, pc->op, "network namespace list",
                                  c.o.ns_list + c.l->virt_shift, on_net, &p);
    }
    scry_linux_ksym_close(k);
    return st;
}

const struct scry_plugin scry_plugin_linux_netfilter = {
    .name = "linux.netfilter.Netfilter",
    .alias = "linux.netfilter",
    .description = "Lists Netfilter hooks.",
    .options = NULL,
    .noptions = 0,
    .columns = columns,
    .ncolumns = sizeof columns / sizeof columns[0],
    .os = "linux",
    .run = run,
};
