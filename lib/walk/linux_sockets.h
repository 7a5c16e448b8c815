/* linux_sockets.h - the socket behind an open file, as Volatility 2.11.0's
 * Sockstat.list_sockets and SockHandlers read it: family, type, protocol,
 * addresses, ports, state and socket filter, for AF_UNIX, AF_INET,
 * AF_INET6, AF_NETLINK, AF_PACKET and AF_XDP; other families as the generic sock (no
 * addresses), which is what Volatility shows when the ISF lacks their
 * types (vsock_sock, bt_sock; a WARNING where it has them).
 *
 * Offsets are this walker's own, resolved from the ISF at the start of a
 * run by which fields the ISF has. */
#ifndef SCRY_WALK_LINUX_SOCKETS_H
#define SCRY_WALK_LINUX_SOCKETS_H

#include <stddef.h>
#include <stdint.h>

#include "lib/base/op.h"
#include "lib/os/linux.h"
#include "lib/vspace/vspace.h"

struct scry_linux_sockets_off {
    uint64_t socket_file_ops, sockfs_dentry_ops; /* shifted, masked */
    uint64_t file_f_op;
    uint64_t sa_socket, sa_vfs_inode;          /* socket_alloc */
    uint64_t socket_state, socket_sk;
    uint64_t skc_family, skc_state, skc_rcv_saddr, skc_daddr, skc_portpair, skc_v6_daddr;
    uint64_t sk_type, sk_protocol, sk_socket, sk_filter, sk_reuseport_cb;
    uint64_t unix_addr, unix_peer, unix_address_name, sun_path, sun_path_size;
    uint64_t inet_sport, inet_pinet6, ipv6_saddr;
    uint64_t nl_groups, nl_portid, nl_dst_group, nl_dst_portid, nl_module, module_name;
    uint64_t filter_prog, reuseport_prog, prog_type, prog_aux, aux_id, aux_name,
        aux_name_size;
    uint64_t task_nsproxy, nsproxy_net_ns, net_inum;
    /* AF_PACKET: the device name of packet_sock.ifindex in the task's netns */
    uint64_t pkt_ifindex, pkt_num;
    uint64_t net_namespace_list; /* shifted, or NO_OFFSET */
    uint64_t net_list, net_dev_base_head, netdev_dev_list, netdev_name, netdev_ifindex;
    /* families Volatility decodes and memscry does not, by their types in
     * the ISF (without them Volatility shows the generic sock too) */
    int has_vsock, has_xdp, has_bt;
    /* AF_XDP: xdp_sock.dev, .state (XSK_READY/BOUND/UNBOUND values, -1
     * when absent), net_device.xdp_prog */
    uint64_t xdp_dev, xdp_state, netdev_xdp_prog;
    int64_t xsk_state[3];
};

/* Errors: SCRY_ERR_NOT_FOUND naming a missing symbol or field,
 * SCRY_ERR_CORRUPT for a field outside its struct. */
scry_status scry_linux_sockets_resolve(const struct scry_linux *l,
                                       struct scry_linux_sockets_off *so);

/* One socket's row. Strings are NUL-terminated; a NULL pointer means
 * Volatility's None (printed as NotAvailable). */
struct scry_linux_sockinfo {
    uint64_t sock;                   /* masked address of the struct sock */
    const char *family, *type, *proto, *state;
    const char *src_addr, *src_port, *dst_addr, *dst_port;
    const char *filter;
    char b_src[340], b_sport[24], b_dst[400], b_dport[24], b_filter[160];
    char b_proto[32];
};

/* Reads the socket behind the file at filp, open in the task at `task`
 * (whose network namespace names AF_PACKET devices). Returns 1 with *si filled, 0
 * when the file is not a socket (or has no dentry, inode or sk: no row in
 * Volatility either), -1 when the socket cannot be read (a diagnostic on
 * op). */
int scry_linux_socket_of_file(const struct scry_linux *l, const struct scry_linux_sockets_off *so,
                              struct scry_vspace *ks, struct scry_op *op, uint64_t task,
                              uint64_t filp, struct scry_linux_sockinfo *si);

/* task->nsproxy->net_ns->ns.inum; 0 with *ok 0 when unreadable. */
uint32_t scry_linux_task_netns(const struct scry_linux *l, const struct scry_linux_sockets_off *so,
                               struct scry_vspace *ks, uint64_t task, int *ok);

#endif
