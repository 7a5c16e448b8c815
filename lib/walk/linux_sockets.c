/* linux_sockets.c - sockets behind files (Sockstat's SockHandlers). */
#include "lib/walk/linux_sockets.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "lib/base/utf8.h"
#include "symbols/symtab.h"

#define NO SCRY_LINUX_NO_OFFSET

/* constants/linux: SOCK_FAMILY, SOCK_TYPES, SOCKET_STATES, TCP_STATES,
 * IP_PROTOCOLS, IPV6_PROTOCOLS, NETLINK_PROTOCOLS. */
static const char *const families[] = {
    "AF_UNSPEC", "AF_UNIX",      "AF_INET",  "AF_AX25",   "AF_IPX",    "AF_APPLETALK",
    "AF_NETROM", "AF_BRIDGE",    "AF_ATMPVC", "AF_X25",   "AF_INET6",  "AF_ROSE",
    "AF_DECnet", "AF_NETBEUI",   "AF_SECURITY", "AF_KEY", "AF_NETLINK", "AF_PACKET",
    "AF_ASH",    "AF_ECONET",    "AF_ATMSVC", "AF_RDS",   "AF_SNA",    "AF_IRDA",
    "AF_PPPOX",  "AF_WANPIPE",   "AF_LLC",   "AF_IB",     "AF_MPLS",   "AF_CAN",
    "AF_TIPC",   "AF_BLUETOOTH", "AF_IUCV",  "AF_RXRPC",  "AF_ISDN",   "AF_PHONET",
    "AF_IEEE802154", "AF_CAIF",  "AF_ALG",   "AF_NFC",    "AF_VSOCK",  "AF_KCM",
    "AF_QIPCRTR", "AF_SMC",      "AF_XDP",
};
enum { FAM_UNIX = 1, FAM_INET = 2, FAM_INET6 = 10, FAM_NETLINK = 16, FAM_PACKET = 17, FAM_XDP = 44 };
static const struct {
    unsigned v;
    const char *name;
} sock_types[] = {{1, "STREAM"}, {2, "DGRAM"}, {3, "RAW"}, {4, "RDM"},
                  {5, "SEQPACKET"}, {6, "DCCP"}, {10, "PACKET"}};
static const char *const socket_states[] = {"FREE", "UNCONNECTED", "CONNECTING", "CONNECTED",
                                            "DISCONNECTING"};
static const char *const tcp_states[] = {
    "", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT",
    "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING", "TCP_NEW_SYN_RECV"};
static const struct {
    unsigned v;
    const char *name;
} ip_protos[] = {{0, "IP"},      {1, "ICMP"},     {2, "IGMP"},   {4, "IPIP"},   {6, "TCP"},
                 {8, "EGP"},     {12, "PUP"},     {17, "UDP"},   {22, "IDP"},   {29, "TP"},
                 {33, "DCCP"},   {41, "IPV6"},    {46, "RSVP"},  {47, "GRE"},   {50, "ESP"},
                 {51, "AH"},     {92, "MTP"},     {94, "BEETPH"}, {98, "ENCAP"}, {103, "PIM"},
                 {108, "COMP"},  {132, "SCTP"},   {136, "UDPLITE"}, {137, "MPLS"},
                 {143, "ETHERNET"}, {255, "RAW"}, {262, "MPTCP"}},
  ipv6_protos[] = {{0, "HOPBYHOP_OPTS"}, {43, "ROUTING"},  {44, "FRAGMENT"}, {58, "ICMPv6"},
                   {59, "NO_NEXT"},      {60, "DESTINATION_OPTS"}, {135, "MOBILITY"}};
static const char *const netlink_protos[] = {
    "NETLINK_ROUTE",    "NETLINK_UNUSED",   "NETLINK_USERSOCK",   "NETLINK_FIREWALL",
    "NETLINK_SOCK_DIAG", "NETLINK_NFLOG",   "NETLINK_XFRM",       "NETLINK_SELINUX",
    "NETLINK_ISCSI",    "NETLINK_AUDIT",    "NETLINK_FIB_LOOKUP", "NETLINK_CONNECTOR",
    "NETLINK_NETFILTER", "NETLINK_IP6_FW",  "NETLINK_DNRTMSG",    "NETLINK_KOBJECT_UEVENT",
    "NETLINK_GENERIC",  "NETLINK_DM",       "NETLINK_SCSITRANSPORT", "NETLINK_ECRYPTFS",
    "NETLINK_RDMA",     "NETLINK_CRYPTO",   "NETLINK_SMC"};

static const struct {
    unsigned v;
    const char *name;
} eth_protos[] = {
    {0x0001, "ETH_P_802_3"}, {0x0002, "ETH_P_AX25"}, {0x0003, "ETH_P_ALL"},
    {0x0004, "ETH_P_802_2"}, {0x0005, "ETH_P_SNAP"}, {0x0006, "ETH_P_DDCMP"},
    {0x0007, "ETH_P_WAN_PPP"}, {0x0008, "ETH_P_PPP_MP"}, {0x0009, "ETH_P_LOCALTALK"},
    {0x000c, "ETH_P_CAN"}, {0x000f, "ETH_P_CANFD"}, {0x0010, "ETH_P_PPPTALK"},
    {0x0011, "ETH_P_TR_802_2"}, {0x0016, "ETH_P_CONTROL"}, {0x0017, "ETH_P_IRDA"},
    {0x0018, "ETH_P_ECONET"}, {0x0019, "ETH_P_HDLC"}, {0x001a, "ETH_P_ARCNET"},
    {0x001b, "ETH_P_DSA"}, {0x001c, "ETH_P_TRAILER"}, {0x0060, "ETH_P_LOOP"},
    {0x00f6, "ETH_P_IEEE802154"}, {0x00f7, "ETH_P_CAIF"}, {0x00f8, "ETH_P_XDSA"},
    {0x00f9, "ETH_P_MAP"}, {0x0800, "ETH_P_IP"}, {0x0805, "ETH_P_X25"},
    {0x0806, "ETH_P_ARP"}, {0x8035, "ETH_P_RARP"}, {0x809b, "ETH_P_ATALK"},
    {0x80f3, "ETH_P_AARP"}, {0x8100, "ETH_P_8021Q"}};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
/* Entries of one namespace or device list read at most (a loop ends it). */
#define NET_LIST_MAX 65536

scry_status scry_linux_sockets_resolve(const struct scry_linux *l,
                                       struct scry_linux_sockets_off *so)
{
    const struct scry_symtab *st = l->symtab;
    uint64_t fops, dops;
    const struct scry_symbol_spec syms[] = {
        SCRY_SYMBOL("socket_file_ops", &fops),
        SCRY_SYMBOL("sockfs_dentry_operations", &dops),
    };
    const struct scry_field_spec f[] = {
        SCRY_FIELD("file", "f_op", &so->file_f_op),
        SCRY_FIELD("socket_alloc", "socket", &so->sa_socket),
        SCRY_FIELD("socket_alloc", "vfs_inode", &so->sa_vfs_inode),
        SCRY_FIELD("socket", "state", &so->socket_state),
        SCRY_FIELD("socket", "sk", &so->socket_sk),
        SCRY_FIELD("sock", "__sk_common.skc_family", &so->skc_family),
        SCRY_FIELD("sock", "__sk_common.skc_state", &so->skc_state),
        SCRY_FIELD_OPT("sock", "__sk_common.skc_rcv_saddr", &so->skc_rcv_saddr),
        SCRY_FIELD_OPT("sock", "__sk_common.skc_daddr", &so->skc_daddr),
        SCRY_FIELD_OPT("sock", "__sk_common.skc_portpair", &so->skc_portpair),
        SCRY_FIELD_OPT("sock", "__sk_common.skc_v6_daddr", &so->skc_v6_daddr),
        SCRY_FIELD("sock", "sk_type", &so->sk_type),
        SCRY_FIELD("sock", "sk_protocol", &so->sk_protocol),
        SCRY_FIELD("sock", "sk_socket", &so->sk_socket),
        SCRY_FIELD_OPT("sock", "sk_filter", &so->sk_filter),
        SCRY_FIELD_OPT("sock", "sk_reuseport_cb", &so->sk_reuseport_cb),
        SCRY_FIELD_OPT("unix_sock", "addr", &so->unix_addr),
        SCRY_FIELD_OPT("unix_sock", "peer", &so->unix_peer),
        SCRY_FIELD_OPT("unix_address", "name", &so->unix_address_name),
        {"sockaddr_un", "sun_path", &so->sun_path, &so->sun_path_size, 1},
        SCRY_FIELD_OPT("inet_sock", "inet_sport", &so->inet_sport),
        SCRY_FIELD_OPT("inet_sock", "pinet6", &so->inet_pinet6),
        SCRY_FIELD_OPT("ipv6_pinfo", "saddr", &so->ipv6_saddr),
        SCRY_FIELD_OPT("netlink_sock", "groups", &so->nl_groups),
        SCRY_FIELD_OPT("netlink_sock", "portid", &so->nl_portid),
        SCRY_FIELD_OPT("netlink_sock", "dst_group", &so->nl_dst_group),
        SCRY_FIELD_OPT("netlink_sock", "dst_portid", &so->nl_dst_portid),
        SCRY_FIELD_OPT("netlink_sock", "module", &so->nl_module),
        SCRY_FIELD_OPT("module", "name", &so->module_name),
        SCRY_FIELD_OPT("sk_filter", "prog", &so->filter_prog),
        SCRY_FIELD_OPT("sock_reuseport", "prog", &so->reuseport_prog),
        SCRY_FIELD_OPT("bpf_prog", "type", &so->prog_type),
        SCRY_FIELD_OPT("bpf_prog", "aux", &so->prog_aux),
        SCRY_FIELD_OPT("bpf_prog_aux", "id", &so->aux_id),
        {"bpf_prog_aux", "name", &so->aux_name, &so->aux_name_size, 1},
        SCRY_FIELD("task_struct", "nsproxy", &so->task_nsproxy),
        SCRY_FIELD("nsproxy", "net_ns", &so->nsproxy_net_ns),
        SCRY_FIELD_OPT("net", "ns.inum", &so->net_inum),
        SCRY_FIELD_OPT("packet_sock", "ifindex", &so->pkt_ifindex),
        SCRY_FIELD_OPT("packet_sock", "num", &so->pkt_num),
        SCRY_FIELD_OPT("net", "list", &so->net_list),
        SCRY_FIELD_OPT("net", "dev_base_head", &so->net_dev_base_head),
        SCRY_FIELD_OPT("net_device", "dev_list", &so->netdev_dev_list),
        SCRY_FIELD_OPT("net_device", "name", &so->netdev_name),
        SCRY_FIELD_OPT("net_device", "ifindex", &so->netdev_ifindex),
        SCRY_FIELD_OPT("net_device", "xdp_prog", &so->netdev_xdp_prog),
        SCRY_FIELD_OPT("xdp_sock", "dev", &so->xdp_dev),
    };
    uint64_t nsl;
    const struct scry_symbol_spec nsyms[] = {SCRY_SYMBOL_OPT("net_namespace_list", &nsl)};
    scry_status s = scry_resolve_symbols(st, syms, COUNT(syms));
    if (s == SCRY_OK)
        s = scry_resolve_fields(st, f, COUNT(f));
    if (s != SCRY_OK)
        return s;
    if ((s = scry_resolve_symbols(st, nsyms, 1)) != SCRY_OK)
        return s;
    so->net_namespace_list = nsl == NO ? NO : (nsl + l->virt_shift) & l->va_mask;
    uint64_t size;
    so->has_vsock = scry_sym_type_size(st, "vsock_sock", &size) == SCRY_OK;
    so->has_xdp = scry_sym_type_size(st, "xdp_sock", &size) == SCRY_OK;
    so->has_bt = scry_sym_type_size(st, "bt_sock", &size) == SCRY_OK;
    /* xdp_sock.state's enum is unnamed in the ISF: found through the field */
    struct scry_typeref ref;
    static const char *const xsk[3] = {"XSK_READY", "XSK_BOUND", "XSK_UNBOUND"};
    so->xdp_state = NO;
    for (int i = 0; i < 3; i++)
        so->xsk_state[i] = -1;
    if (so->has_xdp && scry_sym_field(st, "xdp_sock", "state", &so->xdp_state, &ref) == SCRY_OK &&
        ref.kind == SCRY_T_ENUM && ref.name)
        for (int i = 0; i < 3; i++)
            if (scry_sym_enum_value(st, ref.name, xsk[i], &so->xsk_state[i]) != SCRY_OK)
                so->xsk_state[i] = -1;
    so->socket_file_ops = (fops + l->virt_shift) & l->va_mask;
    so->sockfs_dentry_ops = (dops + l->virt_shift) & l->va_mask;
    return SCRY_OK;
}

struct rd {
    const struct scry_linux *l;
    struct scry_vspace *ks;
    int ok;
};

static uint64_t p64(struct rd *r, uint64_t a)
{
    uint64_t v = 0;
    if (scry_vspace_read_u64(r->ks, a, &v) != SCRY_OK)
        r->ok = 0;
    return v & r->l->va_mask;
}

static uint64_t un(struct rd *r, uint64_t a, size_t n)
{
    uint8_t b[8] = {0};
    uint64_t v = 0;
    if (scry_vspace_read(r->ks, a, b, n) != SCRY_OK)
        r->ok = 0;
    for (size_t i = n; i-- > 0;)
        v = v << 8 | b[i];
    return v;
}

/* utility.array_to_string: n bytes, cut at the first NUL, UTF-8 with
 * replacement. out holds 3 * n + 1. */
static void array_str(struct rd *r, uint64_t a, size_t n, char *out)
{
    uint8_t raw[128];
    if (n > sizeof raw)
        n = sizeof raw;
    if (scry_vspace_read(r->ks, a, raw, n) != SCRY_OK) {
        r->ok = 0;
        out[0] = '\0';
        return;
    }
    out[scry_utf8_replace(raw, strnlen((const char *)raw, n), out)] = '\0';
}

/* socket.get_state() of the sock's sk_socket; NULL (None) out of range. */
static const char *socket_state(struct rd *r, const struct scry_linux_sockets_off *so,
                                uint64_t sk)
{
    uint64_t sock = p64(r, sk + so->sk_socket);
    if (!sock)
        return NULL;
    uint32_t st = (uint32_t)un(r, sock + so->socket_state, 4);
    return (int32_t)st >= 0 && st < COUNT(socket_states) ? socket_states[st] : NULL;
}

/* unix_sock.get_state / inet_sock.get_state */
static const char *stream_state(struct rd *r, const struct scry_linux_sockets_off *so,
                                uint64_t sk, int stream)
{
    if (!stream)
        return socket_state(r, so, sk);
    unsigned s = (unsigned)un(r, sk + so->skc_state, 1);
    return s < COUNT(tcp_states) ? tcp_states[s] : NULL;
}

/* sock.get_inode(): the socket_alloc's vfs_inode.i_ino, 0 without sk_socket */
static uint64_t sock_ino(struct rd *r, const struct scry_linux_sockets_off *so, uint64_t sk)
{
    uint64_t sock = p64(r, sk + so->sk_socket);
    if (!sock)
        return 0;
    return un(r, sock - so->sa_socket + so->sa_vfs_inode + r->l->off.inode_ino, 8);
}

/* unix_sock.get_name(): sun_path, or None without addr */
static const char *unix_name(struct rd *r, const struct scry_linux_sockets_off *so, uint64_t sk,
                             char *out)
{
    uint64_t addr = p64(r, sk + so->unix_addr);
    if (!addr)
        return NULL;
    array_str(r, addr + so->unix_address_name + so->sun_path, (size_t)so->sun_path_size, out);
    return out;
}

static const char *lookup(const void *table, size_t n, unsigned v)
{
    const struct {
        unsigned v;
        const char *name;
    } *t = table;
    for (size_t i = 0; i < n; i++)
        if (t[i].v == v)
            return t[i].name;
    return NULL;
}

static void do_unix(struct rd *r, const struct scry_linux_sockets_off *so, uint64_t sk,
                    int stream, struct scry_linux_sockinfo *si)
{
    si->state = stream_state(r, so, sk, stream);
    si->src_addr = unix_name(r, so, sk, si->b_src);
    snprintf(si->b_sport, sizeof si->b_sport, "%" PRIu64, sock_ino(r, so, sk));
    si->src_port = si->b_sport;
    uint64_t peer = p64(r, sk + so->unix_peer);
    if (peer) {
        si->dst_addr = unix_name(r, so, peer, si->b_dst);
        snprintf(si->b_dport, sizeof si->b_dport, "%" PRIu64, sock_ino(r, so, peer));
        si->dst_port = si->b_dport;
    }
}

static void do_inet(struct rd *r, const struct scry_linux_sockets_off *so, uint64_t sk,
                    unsigned family, int stream, struct scry_linux_sockinfo *si)
{
    uint8_t a[16];
    unsigned proto = (unsigned)un(r, sk + so->sk_protocol, 2);
    const char *p = lookup(ip_protos, COUNT(ip_protos), proto);
    if (family == FAM_INET6) {
        const char *p6 = lookup(ipv6_protos, COUNT(ipv6_protos), proto);
        p = p6 ? p6 : p;
    }
    si->proto = p;
    if (so->inet_sport != NO) {
        snprintf(si->b_sport, sizeof si->b_sport, "%u",
                 (unsigned)ntohs((uint16_t)un(r, sk + so->inet_sport, 2)));
        si->src_port = si->b_sport;
    }
    if (so->skc_portpair != NO) {
        snprintf(si->b_dport, sizeof si->b_dport, "%u",
                 (unsigned)ntohs((uint16_t)(un(r, sk + so->skc_portpair, 4) & 0xffff)));
        si->dst_port = si->b_dport;
    }
    uint64_t src = NO, dst = NO;
    size_t n = family == FAM_INET ? 4 : 16;
    if (family == FAM_INET) {
        src = so->skc_rcv_saddr == NO ? NO : sk + so->skc_rcv_saddr;
        dst = so->skc_daddr == NO ? NO : sk + so->skc_daddr;
    } else {
        uint64_t pinet6 = so->inet_pinet6 == NO ? 0 : p64(r, sk + so->inet_pinet6);
        if (pinet6 && so->ipv6_saddr != NO)
            src = pinet6 + so->ipv6_saddr;
        dst = so->skc_v6_daddr == NO ? NO : sk + so->skc_v6_daddr;
    }
    /* an unreadable address is None (Volatility logs it at debug level) */
    if (src != NO && scry_vspace_read(r->ks, src, a, n) == SCRY_OK &&
        inet_ntop(family == FAM_INET ? AF_INET : AF_INET6, a, si->b_src, sizeof si->b_src))
        si->src_addr = si->b_src;
    if (dst != NO && scry_vspace_read(r->ks, dst, a, n) == SCRY_OK &&
        inet_ntop(family == FAM_INET ? AF_INET : AF_INET6, a, si->b_dst, sizeof si->b_dst))
        si->dst_addr = si->b_dst;
    si->state = stream_state(r, so, sk, stream);
}

static void do_netlink(struct rd *r, const struct scry_linux_sockets_off *so, uint64_t sk,
                       struct scry_linux_sockinfo *si)
{
    unsigned proto = (unsigned)un(r, sk + so->sk_protocol, 2);
    si->proto = proto < COUNT(netlink_protos) ? netlink_protos[proto] : NULL;
    uint64_t groups = p64(r, sk + so->nl_groups);
    if (groups) {
        snprintf(si->b_src, sizeof si->b_src, "groups:0x%08" PRIx64, un(r, groups, 8));
        si->src_addr = si->b_src;
    }
    snprintf(si->b_sport, sizeof si->b_sport, "%" PRIu64, un(r, sk + so->nl_portid, 4));
    si->src_port = si->b_sport;
    int n = snprintf(si->b_dst, sizeof si->b_dst, "group:0x%08" PRIx64,
                     un(r, sk + so->nl_dst_group, 4));
    uint64_t module = so->nl_module == NO ? 0 : p64(r, sk + so->nl_module);
    if (module && so->module_name != NO) {
        char name[3 * 56 + 1];
        array_str(r, module + so->module_name, 56, name);
        if (name[0])
            snprintf(si->b_dst + n, sizeof si->b_dst - (size_t)n, ",lkm:%s", name);
    }
    si->dst_addr = si->b_dst;
    snprintf(si->b_dport, sizeof si->b_dport, "%" PRIu64, un(r, sk + so->nl_dst_portid, 4));
    si->dst_port = si->b_dport;
    si->state = socket_state(r, so, sk);
}

/* SockHandlers._build_network_devices_map(netns).get(ifindex): the name of
 * the last device with that ifindex on a namespace of that inode number;
 * 0 when none. out holds 3 * 16 + 1 bytes. */
static int device_name(struct rd *r, const struct scry_linux_sockets_off *so, uint32_t netns,
                       int32_t ifindex, char *out)
{
    int found = 0;
    uint64_t head = so->net_namespace_list, nl, n = 0;
    if (head == NO || so->net_list == NO || so->net_dev_base_head == NO ||
        so->netdev_dev_list == NO || so->netdev_name == NO || so->netdev_ifindex == NO ||
        so->net_inum == NO)
        return 0;
    for (nl = p64(r, head + r->l->off.list_next); r->ok && nl != head && nl && n < NET_LIST_MAX;
         nl = p64(r, nl + r->l->off.list_next), n++) {
        uint64_t net = nl - so->net_list;
        if ((uint32_t)un(r, net + so->net_inum, 4) != netns)
            continue;
        uint64_t dh = net + so->net_dev_base_head, dl;
        uint64_t k = 0;
        for (dl = p64(r, dh + r->l->off.list_next); r->ok && dl != dh && dl && k < NET_LIST_MAX;
             dl = p64(r, dl + r->l->off.list_next), k++) {
            uint64_t dev = dl - so->netdev_dev_list;
            if ((int32_t)un(r, dev + so->netdev_ifindex, 4) == ifindex) {
                array_str(r, dev + so->netdev_name, 16, out);
                found = 1;
            }
        }
    }
    return found;
}

static void do_packet(struct rd *r, const struct scry_linux_sockets_off *so, uint64_t sk,
                      uint64_t task, struct scry_linux_sockinfo *si)
{
    int32_t ifindex = (int32_t)un(r, sk + so->pkt_ifindex, 4);
    unsigned proto = ntohs((uint16_t)un(r, sk + so->pkt_num, 2));
    if (proto) {
        si->proto = lookup(eth_protos, COUNT(eth_protos), proto);
        if (!si->proto) {
            snprintf(si->b_proto, sizeof si->b_proto, "0x%x", proto);
            si->proto = si->b_proto;
        }
    }
    if (ifindex <= 0) {
        si->src_addr = "ANY";
    } else {
        int ok;
        uint32_t netns = scry_linux_task_netns(r->l, so, r->ks, task, &ok);
        if (ok && device_name(r, so, netns, ifindex, si->b_src))
            si->src_addr = si->b_src;
    }
    si->state = socket_state(r, so, sk);
}

/* SockHandlers._xdp_sock. Volatility stops (a TypeError) on a socket
 * without a device or without an XDP program: those are the generic sock
 * here, with a WARNING. Returns 0 then. */
static int do_xdp(struct rd *r, const struct scry_linux_sockets_off *so, struct scry_op *op,
                  uint64_t sk, struct scry_linux_sockinfo *si)
{
    static const char *const names[3] = {"READY", "BOUND", "UNBOUND"};
    uint64_t dev = p64(r, sk + so->xdp_dev);
    uint64_t prog = dev ? p64(r, dev + so->netdev_xdp_prog) : 0;
    uint64_t aux = prog && so->prog_aux != NO ? p64(r, prog + so->prog_aux) : 0;
    if (!aux) {
        scry_op_say(op, SCRY_DIAG_WARNING, SCRY_ERR_CORRUPT,
                    "xdp sock 0x%" PRIx64 ": no %s (Volatility stops here): shown as a generic "
                    "sock", sk, !dev ? "device" : !prog ? "XDP program" : "program aux");
        return 0;
    }
    array_str(r, dev + so->netdev_name, 16, si->b_src);
    si->src_addr = si->b_src;
    if (so->aux_id != NO) {
        snprintf(si->b_dport, sizeof si->b_dport, "ebpf_prog_id:%" PRIu64,
                 un(r, aux + so->aux_id, 4));
        si->dst_port = si->b_dport;
    }
    if (so->aux_name != NO) {
        char name[3 * 16 + 1];
        array_str(r, aux + so->aux_name, (size_t)(so->aux_name_size < 16 ? so->aux_name_size : 16),
                  name);
        if (name[0]) {
            snprintf(si->b_dst, sizeof si->b_dst, "ebpf_prog_name:%s", name);
            si->dst_addr = si->b_dst;
        }
    }
    int64_t st = (int64_t)un(r, sk + so->xdp_state, 4);
    for (int i = 0; i < 3; i++)
        if (so->xsk_state[i] >= 0 && so->xsk_state[i] == st)
            si->state = names[i];
    if (!si->state)
        scry_op_say(op, SCRY_DIAG_WARNING, SCRY_ERR_CORRUPT,
                    "xdp sock 0x%" PRIx64 ": state %" PRId64 " is no XSK_ constant (Volatility "
                    "stops here)", sk, st);
    return 1;
}

/* _update_socket_filters_info: an ordered dict of up to four keys. */
struct kv {
    const char *key[4];
    char val[4][72];
    int n;
};

static void kv_set(struct kv *d, const char *k, const char *v)
{
    int i = 0;
    while (i < d->n && strcmp(d->key[i], k))
        i++;
    if (i == d->n) {
        if (d->n == 4)
            return;
        d->key[d->n++] = k;
    }
    snprintf(d->val[i], sizeof d->val[i], "%s", v);
}

static void filter_info(struct rd *r, const struct scry_linux_sockets_off *so, struct scry_op *op,
                        uint64_t filt, uint64_t prog_off, struct kv *d)
{
    const struct scry_symtab *st = r->l->symtab;
    int64_t unspec = -1, sockf = -1;
    char buf[3 * 16 + 1];
    kv_set(d, "bpf_filter_type", "cBPF");
    uint64_t prog = prog_off == NO ? 0 : p64(r, filt + prog_off);
    if (!prog || so->prog_type == NO)
        return;
    uint64_t type = un(r, prog + so->prog_type, 4);
    scry_sym_enum_value(st, "bpf_prog_type", "BPF_PROG_TYPE_UNSPEC", &unspec);
    scry_sym_enum_value(st, "bpf_prog_type", "BPF_PROG_TYPE_SOCKET_FILTER", &sockf);
    if ((int64_t)type == unspec)
        return;
    if ((int64_t)type != sockf) {
        snprintf(buf, sizeof buf, "UNK(%" PRIu64 ")", type);
        kv_set(d, "bpf_filter_type", buf);
        scry_op_say(op, SCRY_DIAG_WARNING, SCRY_ERR_UNSUPPORTED,
                    "Unexpected BPF type %" PRIu64 " for a socket (Volatility names the "
                    "enum constant)", type);
        return;
    }
    kv_set(d, "bpf_filter_type", "eBPF");
    uint64_t aux = so->prog_aux == NO ? 0 : p64(r, prog + so->prog_aux);
    if (!aux)
        return;
    if (so->aux_id != NO) {
        snprintf(buf, sizeof buf, "%" PRIu64, un(r, aux + so->aux_id, 4));
        kv_set(d, "bpf_filter_id", buf);
    }
    if (so->aux_name != NO) {
        array_str(r, aux + so->aux_name, (size_t)(so->aux_name_size < 16 ? so->aux_name_size : 16),
                  buf);
        if (buf[0])
            kv_set(d, "bpf_filter_name", buf);
    }
}

static void filters(struct rd *r, const struct scry_linux_sockets_off *so, struct scry_op *op,
                    uint64_t sk, struct scry_linux_sockinfo *si)
{
    struct kv d = {.n = 0};
    uint64_t f;
    if (so->sk_filter != NO && (f = p64(r, sk + so->sk_filter))) {
        kv_set(&d, "filter_type", "socket_filter");
        filter_info(r, so, op, f, so->filter_prog, &d);
    }
    if (so->sk_reuseport_cb != NO && (f = p64(r, sk + so->sk_reuseport_cb))) {
        kv_set(&d, "filter_type", "reuseport_filter");
        filter_info(r, so, op, f, so->reuseport_prog, &d);
    }
    if (!d.n)
        return;
    size_t n = 0;
    for (int i = 0; i < d.n && n < sizeof si->b_filter; i++)
        n += (size_t)snprintf(si->b_filter + n, sizeof si->b_filter - n, "%s%s=%s",
                              i ? "," : "", d.key[i], d.val[i]);
    si->filter = si->b_filter;
}

int scry_linux_socket_of_file(const struct scry_linux *l, const struct scry_linux_sockets_off *so,
                              struct scry_vspace *ks, struct scry_op *op, uint64_t task,
                              uint64_t filp, struct scry_linux_sockinfo *si)
{
    struct rd r = {.l = l, .ks = ks, .ok = 1};
    memset(si, 0, offsetof(struct scry_linux_sockinfo, b_src));
    uint64_t fop = p64(&r, filp + so->file_f_op);
    if (!r.ok || (fop != so->socket_file_ops && fop != so->sockfs_dentry_ops))
        return 0;
    uint64_t dentry = p64(&r, filp + l->off.file_dentry);
    uint64_t inode = dentry ? p64(&r, dentry + l->off.dentry_inode) : 0;
    uint64_t sk = inode ? p64(&r, inode - so->sa_vfs_inode + so->sa_socket + so->socket_sk) : 0;
    if (!r.ok) {
        scry_op_say(op, SCRY_DIAG_WARNING, SCRY_ERR_NODATA,
                    "socket file 0x%" PRIx64 ": its socket cannot be read: left out", filp);
        return -1;
    }
    if (!sk)
        return 0;
    si->sock = sk;
    unsigned family = (unsigned)un(&r, sk + so->skc_family, 2);
    unsigned type = (unsigned)un(&r, sk + so->sk_type, 2);
    if (!r.ok) {
        scry_op_say(op, SCRY_DIAG_WARNING, SCRY_ERR_NODATA,
                    "sock 0x%" PRIx64 " cannot be read: left out", sk);
        return -1;
    }
    si->family = family < COUNT(families) ? families[family] : NULL;
    si->type = lookup(sock_types, COUNT(sock_types), type);
    if (!si->type)
        si->type = "";
    int stream = type == 1;
    int known = 1;
    switch (family) {
    case FAM_UNIX:
        known = so->unix_addr != NO && so->unix_peer != NO && so->sun_path != NO &&
                so->unix_address_name != NO;
        if (known)
            do_unix(&r, so, sk, stream, si);
        break;
    case FAM_INET:
    case FAM_INET6:
        do_inet(&r, so, sk, family, stream, si);
        break;
    case FAM_NETLINK:
        known = so->nl_groups != NO && so->nl_portid != NO && so->nl_dst_group != NO &&
                so->nl_dst_portid != NO;
        if (known)
            do_netlink(&r, so, sk, si);
        break;
    case FAM_PACKET:
        known = so->pkt_ifindex != NO && so->pkt_num != NO;
        if (known)
            do_packet(&r, so, sk, task, si);
        break;
    case FAM_XDP:
        known = so->has_xdp && so->xdp_dev != NO && so->xdp_state != NO &&
                so->netdev_xdp_prog != NO && so->netdev_name != NO &&
                do_xdp(&r, so, op, sk, si);
        break;
    default:
        known = 0;
        if ((family == 40 && so->has_vsock) || (family == 31 && so->has_bt))
            scry_op_say(op, SCRY_DIAG_WARNING, SCRY_ERR_UNSUPPORTED,
                        "sock 0x%" PRIx64 ": %s sockets are shown without their addresses "
                        "(Volatility decodes them)", sk, si->family);
    }
    if (known) {
        filters(&r, so, op, sk, si);
    } else {
        si->src_addr = si->src_port = si->dst_addr = si->dst_port = NULL;
        si->proto = NULL;
        si->state = socket_state(&r, so, sk);
    }
    if (!r.ok)
        scry_op_say(op, SCRY_DIAG_INFO, SCRY_ERR_NODATA,
                    "sock 0x%" PRIx64 ": some fields cannot be read (shown as 0 or -)", sk);
    return 1;
}

uint32_t scry_linux_task_netns(const struct scry_linux *l, const struct scry_linux_sockets_off *so,
                               struct scry_vspace *ks, uint64_t task, int *ok)
{
    struct rd r = {.l = l, .ks = ks, .ok = 1};
    uint64_t nsproxy = p64(&r, task + so->task_nsproxy);
    uint64_t net = nsproxy ? p64(&r, nsproxy + so->nsproxy_net_ns) : 0;
    uint32_t inum = net && so->net_inum != NO ? (uint32_t)un(&r, net + so->net_inum, 4) : 0;
    *ok = r.ok && net && so->net_inum != NO;
    return inum;
}
