/* test_hostile_files_mounts.c - lsof, sockstat, mountinfo, pagecache and
 * library_list on real memory made hostile (or made to hold what the
 * corpus guests lack: sockets, shared libraries).
 *
 * dev-small.raw is loaded into memory and one structure of the marker
 * process (pid 147) is patched: its fd table's slot array points at the
 * fdtable itself, or claims 2^32 - 1 slots; its mount namespace's list
 * loops back to a mount; a file becomes a socket whose sock is the socket
 * itself and whose unix peer is itself. Each run must finish with a
 * bounded answer and the WARNING that says why: never hang, never crash,
 * never allocate without bound. And the decoding of each socket family
 * memscry reads, on the same patched memory, against Volatility's cells. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/phys.h"
#include "lib/os/linux.h"
#include "lib/plugins/plugin.h"
#include "lib/rows/rows.h"
#include "lib/session/session.h"
#include "lib/walk/linux_files.h"
#include "lib/walk/linux_mounts.h"
#include "lib/walk/linux_pagecache.h"
#include "lib/walk/linux_sockets.h"
#include "lib/walk/linux_tasks.h"
#include "imagerun.h"
#include "testutil.h"

static uint8_t *image;
static size_t image_len;
static char symdir[4096];
static scry_context *ctx;

#define MARKER_PID "147"

static uint64_t canonical(uint64_t masked) { return masked | 0xffff000000000000ull; }

static scry_status run_plugin(struct ir_run *x, const char *plugin, int argc,
                              const char *const *argv)
{
    ir_open(x, ctx, image, image_len, "dev-small.raw");
    return scry_plugin_run(x->s, plugin, argc, argv, NULL, &x->r);
}

/* Byte-wise through the kernel's page tables: a value may straddle pages. */
struct patch {
    uint64_t pa[8];
    uint8_t old[8];
    size_t n;
};

static void vpoke(struct ir_run *x, uint64_t va, uint64_t v, size_t n, struct patch *p)
{
    p->n = n;
    for (size_t i = 0; i < n; i++) {
        p->pa[i] = ir_pa_of(x, va + i, image_len);
        p->old[i] = image[p->pa[i]];
        image[p->pa[i]] = (uint8_t)(v >> (8 * i));
    }
}

static void unpoke(struct patch *p)
{
    for (size_t i = p->n; i-- > 0;)
        image[p->pa[i]] = p->old[i];
}

static uint64_t vpeek(struct ir_run *x, uint64_t va)
{
    uint64_t v = 0;
    for (size_t i = 0; i < 8; i++)
        v |= (uint64_t)image[ir_pa_of(x, va + i, image_len)] << (8 * i);
    return v;
}

static const char *first_warning(const struct scry_result *r, scry_status *status)
{
    for (size_t k = 0; k < scry_result_diag_count(r); k++) {
        scry_diag_level lv;
        const char *msg;
        ck_assert_int_eq(scry_result_diag(r, k, &lv, status, &msg), SCRY_OK);
        if (lv == SCRY_DIAG_WARNING)
            return msg;
    }
    ck_abort_msg("no warning");
    return NULL;
}

/* The marker task (canonical address) and the offsets. */
struct marker {
    uint64_t task, files, fdt, fd;
    struct scry_linux_offsets off;
    struct scry_linux_files_off fo;
    struct scry_linux_mounts_off mo;
    struct scry_linux_sockets_off so;
};

static void marker(struct marker *m)
{
    static const char *const argv[] = {"--pid", MARKER_PID};
    struct ir_run x;
    uint64_t task;
    ck_assert_int_eq(run_plugin(&x, "linux.pslist", 2, argv), SCRY_OK);
    ck_assert_uint_eq(scry_result_row_count(x.r), 1);
    ck_assert_int_eq(scry_result_cell_uint(x.r, 0, 0, &task), SCRY_OK);
    const struct scry_linux *l = ir_linux(&x);
    m->off = l->off;
    ck_assert_int_eq(scry_linux_files_resolve(l, &m->fo), SCRY_OK);
    ck_assert_int_eq(scry_linux_mounts_resolve(l, &m->mo), SCRY_OK);
    ck_assert_int_eq(scry_linux_sockets_resolve(l, &m->so), SCRY_OK);
    m->task = canonical(task);
    m->files = vpeek(&x, m->task + m->off.task_files);
    m->fdt = vpeek(&x, m->files + m->fo.files_fdt);
    m->fd = vpeek(&x, m->fdt + m->fo.fdt_fd);
    ir_free(&x);
}

static size_t lsof_rows(void)
{
    static const char *const argv[] = {"--pid", MARKER_PID};
    struct ir_run x;
    ck_assert_int_eq(run_plugin(&x, "linux.lsof", 2, argv), SCRY_OK);
    ck_assert_uint_eq(scry_result_diag_count(x.r), 0);
    size_t n = scry_result_row_count(x.r);
    ir_free(&x);
    return n;
}

/* lsof --pid 147 after one patch: no rows, one WARNING with this text. */
static void lsof_case(struct ir_run *y, uint64_t va, uint64_t v, size_t n, const char *want)
{
    static const char *const argv[] = {"--pid", MARKER_PID};
    struct ir_run x;
    struct patch p;
    scry_status st = SCRY_OK;
    vpoke(y, va, v, n, &p);
    ck_assert_int_eq(run_plugin(&x, "linux.lsof", 2, argv), SCRY_OK);
    tu_show_diags("lsof_case", x.r);
    ck_assert_uint_eq(scry_result_row_count(x.r), 0);
    ck_assert_uint_eq(ir_count_diags(x.r, SCRY_DIAG_WARNING), 1);
    ck_assert_str_eq(first_warning(x.r, &st), want);
    ck_assert_int_eq(st, SCRY_ERR_CORRUPT);
    ck_assert_int_eq(scry_result_partial(x.r), 1);
    ck_assert_uint_lt(scry_result_peak_bytes(x.r), 1u << 20);
    ir_free(&x);
    unpoke(&p);
}

START_TEST(fd_table_hostile)
{
    struct marker m;
    struct ir_run y;
    char want[256];
    if (!image)
        return;
    marker(&m);
    size_t rows = lsof_rows();
    ck_assert_uint_gt(rows, 2);
    ck_assert_int_eq(run_plugin(&y, "linux.lsof", 0, NULL), SCRY_OK);
    /* the slot array is the fdtable itself */
    snprintf(want, sizeof want,
             "pid 147: the fd array 0x%llx lies inside its own fdtable 0x%llx: not listed",
             (unsigned long long)(m.fdt & 0xffffffffffffull),
             (unsigned long long)(m.fdt & 0xffffffffffffull));
    lsof_case(&y, m.fdt + m.fo.fdt_fd, m.fdt, 8, want);
    /* max_fds 2^32 - 1 */
    snprintf(want, sizeof want,
             "pid 147: fd table 0x%llx claims 4294967295 slots (more than 500000): not listed",
             (unsigned long long)(m.fd & 0xffffffffffffull));
    lsof_case(&y, m.fdt + m.fo.fdt_max_fds, 0xffffffffu, 4, want);
    /* max_fds just under Volatility's bound: every slot read, the rows
     * bounded by the open files found (slots past the real array are
     * whatever memory follows; none may crash the walk) */
    struct patch p;
    static const char *const argv[] = {"--pid", MARKER_PID};
    struct ir_run x;
    vpoke(&y, m.fdt + m.fo.fdt_max_fds, 500000, 4, &p);
    ck_assert_int_eq(run_plugin(&x, "linux.lsof", 2, argv), SCRY_OK);
    ck_assert_uint_ge(scry_result_row_count(x.r), rows);
    ck_assert_uint_le(scry_result_row_count(x.r), 500000);
    ck_assert_uint_lt(scry_result_peak_bytes(x.r), 256u << 20);
    ir_free(&x);
    unpoke(&p);
    ir_free(&y);
    ck_assert_uint_eq(lsof_rows(), rows);
}
END_TEST

START_TEST(mount_list_loops)
{
    static const char *const argv[] = {"--pids", MARKER_PID};
    struct marker m;
    struct ir_run x, y;
    struct patch p;
    scry_status st = SCRY_OK;
    char want[256];
    if (!image)
        return;
    marker(&m);
    ck_assert_int_eq(run_plugin(&y, "linux.mountinfo", 2, argv), SCRY_OK);
    size_t rows = scry_result_row_count(y.r);
    ck_assert_uint_eq(rows, 6); /* /, /proc, /sys, /dev, /run, /tmp */
    ck_assert_uint_eq(scry_result_diag_count(y.r), 0);
    uint64_t nsproxy = vpeek(&y, m.task + m.mo.task_nsproxy);
    uint64_t ns = vpeek(&y, nsproxy + m.mo.nsproxy_mnt_ns);
    uint64_t head = ns + m.mo.mntns_list;
    uint64_t first = vpeek(&y, head + m.off.list_next);
    uint64_t second = vpeek(&y, first + m.off.list_next);
    /* the second mount links to itself: two mounts, then the WARNING */
    vpoke(&y, second + m.off.list_next, second, 8, &p);
    ck_assert_int_eq(run_plugin(&x, "linux.mountinfo", 2, argv), SCRY_OK);
    tu_show_diags("mount_list_loops", x.r);
    ck_assert_uint_eq(scry_result_row_count(x.r), 2);
    ck_assert_uint_eq(ir_count_diags(x.r, SCRY_DIAG_WARNING), 1);
    snprintf(want, sizeof want,
             "mount list 0x%llx ends early after 2 entries: 0x%llx links to an earlier entry "
             "instead of back to the head",
             (unsigned long long)(head & 0xffffffffffffull),
             (unsigned long long)(second & 0xffffffffffffull));
    ck_assert_str_eq(first_warning(x.r, &st), want);
    ck_assert_int_eq(st, SCRY_ERR_CORRUPT);
    ck_assert_uint_lt(scry_result_peak_bytes(x.r), 1u << 20);
    ir_free(&x);
    /* every task of the namespace meets the loop; each walk is bounded */
    ck_assert_int_eq(run_plugin(&x, "linux.mountinfo", 0, NULL), SCRY_OK);
    ck_assert_uint_le(scry_result_row_count(x.r), 4);
    ck_assert_uint_ge(ir_count_diags(x.r, SCRY_DIAG_WARNING), 1);
    ir_free(&x);
    /* the files walk (pagecache) meets it too */
    ck_assert_int_eq(run_plugin(&x, "linux.pagecache.Files", 0, NULL), SCRY_OK);
    ck_assert_uint_ge(ir_count_diags(x.r, SCRY_DIAG_WARNING), 1);
    ir_free(&x);
    unpoke(&p);
    ir_free(&y);
}
END_TEST

START_TEST(socket_points_at_itself)
{
    static const char *const argv[] = {"--pids", MARKER_PID};
    struct marker m;
    struct ir_run x, y;
    struct patch p[10];
    size_t np = 0;
    if (!image)
        return;
    marker(&m);
    ck_assert_int_eq(run_plugin(&y, "linux.sockstat", 2, argv), SCRY_OK);
    ck_assert_uint_eq(scry_result_row_count(y.r), 0); /* the guest has no sockets */
    uint64_t filp = vpeek(&y, m.fd);                   /* fd 0 */
    uint64_t inode = vpeek(&y, filp + m.fo.file_inode);
    uint64_t ino = vpeek(&y, inode + m.off.inode_ino);
    /* fd 0 becomes a socket whose struct sock is its struct socket, whose
     * sk_socket is itself and whose unix peer is itself */
    uint64_t s = inode - m.so.sa_vfs_inode + m.so.sa_socket;
    vpoke(&y, filp + m.so.file_f_op, canonical(m.so.socket_file_ops), 8, &p[np++]);
    vpoke(&y, s + m.so.socket_sk, s, 8, &p[np++]);
    vpoke(&y, s + m.so.skc_family, 1, 2, &p[np++]);      /* AF_UNIX */
    vpoke(&y, s + m.so.skc_state, 1, 1, &p[np++]);       /* ESTABLISHED */
    vpoke(&y, s + m.so.sk_type, 1, 2, &p[np++]);         /* STREAM */
    vpoke(&y, s + m.so.sk_socket, s, 8, &p[np++]);
    vpoke(&y, s + m.so.unix_addr, 0, 8, &p[np++]);
    vpoke(&y, s + m.so.unix_peer, s, 8, &p[np++]);
    vpoke(&y, s + m.so.sk_filter, 0, 8, &p[np++]);
    vpoke(&y, s + m.so.sk_reuseport_cb, 0, 8, &p[np++]);
    ck_assert_int_eq(run_plugin(&x, "linux.sockstat", 2, argv), SCRY_OK);
    tu_show_diags("socket_points_at_itself", x.r);
    /* fds sharing the patched file (dup'ed console) are sockets too */
    uint32_t max_fds = (uint32_t)vpeek(&y, m.fdt + m.fo.fdt_max_fds);
    size_t same = 0;
    for (uint32_t i = 0; i < max_fds && i < 64; i++)
        same += vpeek(&y, m.fd + 8ull * i) == filp;
    ck_assert_uint_ge(same, 1);
    ck_assert_uint_eq(scry_result_row_count(x.r), same);
    const char *v;
    size_t len;
    char inos[32];
    snprintf(inos, sizeof inos, "%llu", (unsigned long long)ino);
    ck_assert_int_eq(scry_result_cell_str(x.r, 0, 6, &v, &len), SCRY_OK);
    ck_assert_str_eq(v, "AF_UNIX");
    ck_assert_int_eq(scry_result_cell_str(x.r, 0, 7, &v, &len), SCRY_OK);
    ck_assert_str_eq(v, "STREAM");
    ck_assert_int_eq(scry_result_cell_state(x.r, 0, 9), SCRY_CELL_NOT_AVAILABLE);
    ck_assert_int_eq(scry_result_cell_str(x.r, 0, 10, &v, &len), SCRY_OK);
    ck_assert_str_eq(v, inos);
    ck_assert_int_eq(scry_result_cell_str(x.r, 0, 12, &v, &len), SCRY_OK);
    ck_assert_str_eq(v, inos);
    ck_assert_int_eq(scry_result_cell_str(x.r, 0, 13, &v, &len), SCRY_OK);
    ck_assert_str_eq(v, "ESTABLISHED");
    ck_assert_int_eq(scry_result_cell_state(x.r, 0, 14), SCRY_CELL_NOT_AVAILABLE);
    uint64_t off;
    ck_assert_int_eq(scry_result_cell_uint(x.r, 0, 5, &off), SCRY_OK);
    ck_assert_uint_eq(off, s & 0xffffffffffffull);
    ck_assert_uint_lt(scry_result_peak_bytes(x.r), 1u << 20);
    ir_free(&x);
    while (np)
        unpoke(&p[--np]);
    ir_free(&y);
}
END_TEST


/* The console file of pid 147 made a socket of each decoded family (the
 * sock overlapping its struct socket, a scratch area past it): the cells
 * are those Volatility 3 2.11.0 printed for the same patched image
 * (written out and run through vol.py linux.sockstat.Sockstat). */
struct sock_case {
    const char *variant;
    const char *cells[9]; /* Family .. State, NULL: NotAvailable */
    const char *filter;   /* NULL: NotAvailable */
};

static const struct sock_case sock_cases[] = {
    {"inet", {"AF_INET", "STREAM", "TCP", "127.0.0.1", "8080", "10.0.0.2", "443", "LISTEN"}, NULL},
    {"inet6", {"AF_INET6", "STREAM", "TCP", "::1", "8080", "2db9::5", "80", "ESTABLISHED"}, NULL},
    {"netlink", {"AF_NETLINK", "RAW", "NETLINK_KOBJECT_UEVENT", "groups:0x00000011", "4242",
                 "group:0x00000001", "0", "UNCONNECTED"}, NULL},
    {"unix", {"AF_UNIX", "DGRAM", NULL, "/run/test.sock", "4", NULL, NULL, "CONNECTED"}, NULL},
    /* the device names come from the task's network namespace */
    {"packet", {"AF_PACKET", "RAW", "ETH_P_ALL", "lo", NULL, NULL, NULL, "UNCONNECTED"}, NULL},
    {"packet2", {"AF_PACKET", "RAW", "0xabcd", "ifb0", NULL, NULL, NULL, "UNCONNECTED"}, NULL},
    /* a device, XDP program and aux made in scratch memory */
    {"xdp", {"AF_XDP", "RAW", NULL, "xdp0", NULL, "ebpf_prog_name:xdp_prog", "ebpf_prog_id:7",
             "BOUND"}, NULL},
    /* an eBPF socket filter, then a reuseport group with a classic one: the
     * keys keep their first place, the values are the last written
     * (Volatility's dict); daddr overlaps the socket's state (1) */
    {"filter", {"AF_INET", "DGRAM", "UDP", "0.0.0.0", "0", "1.0.0.0", "0", "UNCONNECTED"},
     "filter_type=reuseport_filter,bpf_filter_type=cBPF,bpf_filter_id=9,bpf_filter_name=sockfilt"},
};

static size_t make_socket(struct ir_run *y, const struct marker *m, const char *v,
                          struct patch *p, uint64_t *sock)
{
    const struct scry_linux_sockets_off *so = &m->so;
    size_t np = 0;
    uint64_t filp = vpeek(y, m->fd), inode = vpeek(y, filp + m->fo.file_inode);
    uint64_t s = inode - so->sa_vfs_inode + so->sa_socket, scratch = s + 920;
    *sock = s;
#define P(va, val, n) vpoke(y, (va), (val), (n), &p[np++])
    P(filp + so->file_f_op, canonical(so->socket_file_ops), 8);
    P(s + so->socket_sk, s, 8);
    P(s + so->sk_socket, s, 8);
    int filt = !strcmp(v, "filter");
    P(s + so->sk_filter, filt ? s + 0x2000 : 0, 8);
    P(s + so->sk_reuseport_cb, filt ? s + 0x2800 : 0, 8);
    if (filt) {
        uint64_t f = s + 0x2000, pr = s + 0x2100, a = s + 0x2200, rp = s + 0x2800;
        P(s + so->skc_family, 2, 2);
        P(s + so->skc_state, 7, 1);
        P(s + so->sk_type, 2, 2);
        P(s + so->sk_protocol, 17, 2);
        P(s + so->socket_state, 1, 4);
        P(f + so->filter_prog, pr, 8);
        P(pr + so->prog_type, 1, 4);                         /* BPF_PROG_TYPE_SOCKET_FILTER */
        P(pr + so->prog_aux, a, 8);
        P(a + so->aux_id, 9, 4);
        P(a + so->aux_name, 0x746c69666b636f73ull, 8);       /* "sockfilt" */
        P(a + so->aux_name + 8, 0, 8);
        P(rp + so->reuseport_prog, 0, 8);
    } else if (!strcmp(v, "inet6")) {
        P(s + so->skc_family, 10, 2);
        P(s + so->skc_state, 1, 1);
        P(s + so->sk_type, 1, 2);
        P(s + so->sk_protocol, 6, 2);
        P(s + so->inet_pinet6, scratch, 8);
        P(scratch + so->ipv6_saddr, 0, 8);
        P(scratch + so->ipv6_saddr + 8, 0x0100000000000000ull, 8);
        P(s + so->skc_v6_daddr, 0xb92dull, 8);
        P(s + so->skc_v6_daddr + 8, 0x0500000000000000ull, 8);
        P(s + so->skc_portpair, 0x1f905000, 4);
        P(s + so->inet_sport, 0x901f, 2);
    } else if (!strcmp(v, "packet") || !strcmp(v, "packet2")) {
        int two = !strcmp(v, "packet2");
        P(s + so->skc_family, 17, 2);
        P(s + so->sk_type, 3, 2);
        P(s + so->pkt_num, two ? 0xcdab : 0x0300, 2); /* big-endian 0xabcd / ETH_P_ALL */
        P(s + so->pkt_ifindex, two ? 3 : 1, 4);
        P(s + so->socket_state, 1, 4);
    } else if (!strcmp(v, "xdp")) {
        uint64_t d = s + 0x2000, pr = s + 0x2400, a = s + 0x2500;
        P(s + so->skc_family, 44, 2);
        P(s + so->sk_type, 3, 2);
        P(s + so->xdp_dev, d, 8);
        P(s + so->xdp_state, 1, 4);                          /* XSK_BOUND */
        P(d + so->netdev_name, 0x30706478ull, 8);            /* "xdp0" */
        P(d + so->netdev_name + 8, 0, 8);
        P(d + so->netdev_xdp_prog, pr, 8);
        P(pr + so->prog_aux, a, 8);
        P(a + so->aux_id, 7, 4);
        P(a + so->aux_name, 0x676f72705f706478ull, 8);       /* "xdp_prog" */
        P(a + so->aux_name + 8, 0, 8);
    } else if (!strcmp(v, "netlink")) {
        P(s + so->skc_family, 16, 2);
        P(s + so->sk_type, 3, 2);
        P(s + so->sk_protocol, 15, 2);
        P(s + so->nl_groups, scratch, 8);
        P(scratch, 0x11, 8);
        P(s + so->nl_portid, 4242, 4);
        P(s + so->nl_dst_group, 1, 4);
        P(s + so->nl_dst_portid, 0, 4);
        P(s + so->nl_module, 0, 8);
        P(s + so->socket_state, 1, 4);
    } else if (!strcmp(v, "unix")) {
        P(s + so->skc_family, 1, 2);
        P(s + so->sk_type, 2, 2);
        P(s + so->unix_addr, scratch, 8);
        /* "/run/test.sock" */
        P(scratch + so->unix_address_name + so->sun_path, 0x7365742f6e75722full, 8);
        P(scratch + so->unix_address_name + so->sun_path + 8, 0x6b636f732e74ull, 8);
        P(s + so->unix_peer, 0, 8);
        P(s + so->socket_state, 3, 4);
    } else {
        P(s + so->skc_family, 2, 2);
        P(s + so->skc_state, 10, 1);
        P(s + so->sk_type, 1, 2);
        P(s + so->sk_protocol, 6, 2);
        P(s + so->skc_daddr, 0x0200000a, 4);
        P(s + so->skc_rcv_saddr, 0x0100007f, 4);
        P(s + so->skc_portpair, 0x1f90bb01, 4);
        P(s + so->inet_sport, 0x901f, 2);
    }
#undef P
    return np;
}

START_TEST(sockets_as_volatility)
{
    static const char *const argv[] = {"--pids", MARKER_PID};
    struct marker m;
    if (!image)
        return;
    marker(&m);
    for (size_t k = 0; k < sizeof sock_cases / sizeof sock_cases[0]; k++) {
        const struct sock_case *sc = &sock_cases[k];
        struct ir_run x, y;
        struct patch p[32];
        uint64_t s, off;
        ck_assert_int_eq(run_plugin(&y, "linux.pslist", 0, NULL), SCRY_OK);
        size_t np = make_socket(&y, &m, sc->variant, p, &s);
        ck_assert_int_eq(run_plugin(&x, "linux.sockstat", 2, argv), SCRY_OK);
        tu_show_diags(sc->variant, x.r);
        ck_assert_uint_eq(scry_result_row_count(x.r), 1);
        ck_assert_uint_eq(scry_result_diag_count(x.r), 0);
        ck_assert_int_eq(scry_result_cell_uint(x.r, 0, 5, &off), SCRY_OK);
        ck_assert_uint_eq(off, s & 0xffffffffffffull);
        for (size_t c = 0; c < 8; c++) {
            const char *v;
            size_t len;
            if (!sc->cells[c]) {
                ck_assert_int_eq(scry_result_cell_state(x.r, 0, 6 + c), SCRY_CELL_NOT_AVAILABLE);
                continue;
            }
            ck_assert_int_eq(scry_result_cell_str(x.r, 0, 6 + c, &v, &len), SCRY_OK);
            ck_assert_msg(!strcmp(v, sc->cells[c]), "%s: column %zu is %s, want %s",
                          sc->variant, 6 + c, v, sc->cells[c]);
        }
        if (sc->filter) {
            const char *v;
            size_t len;
            ck_assert_int_eq(scry_result_cell_str(x.r, 0, 14, &v, &len), SCRY_OK);
            ck_assert_str_eq(v, sc->filter);
        } else {
            ck_assert_int_eq(scry_result_cell_state(x.r, 0, 14), SCRY_CELL_NOT_AVAILABLE);
        }
        ir_free(&x);
        while (np)
            unpoke(&p[--np]);
        ir_free(&y);
    }
}
END_TEST

/* The row of Files --find path (its SuperblockAddr and InodeAddr). */
static void find_file(struct ir_run *x, const char *path, uint64_t *sb, uint64_t *inode)
{
    const char *argv[] = {"--find", path};
    ck_assert_int_eq(scry_plugin_run(x->s, "linux.pagecache.Files", 2, argv, NULL, &x->r),
                     SCRY_OK);
    ck_assert_uint_eq(scry_result_row_count(x->r), 1);
    ck_assert_int_eq(scry_result_cell_uint(x->r, 0, 0, sb), SCRY_OK);
    ck_assert_int_eq(scry_result_cell_uint(x->r, 0, 4, inode), SCRY_OK);
    *sb = canonical(*sb);
    *inode = canonical(*inode);
    scry_result_free(x->r);
    x->r = NULL;
}

/* A dentry's child list that links to itself, and a page-cache node whose
 * slot points back at the node: Files and InodePages finish, bounded, with
 * the WARNING that says what was cut. */
START_TEST(dentry_and_xarray_loops)
{
    struct ir_run x, y;
    struct patch p;
    struct scry_linux_pagecache_off po;
    uint64_t sb, inode;
    scry_status st = SCRY_OK;
    if (!image)
        return;
    ir_open(&y, ctx, image, image_len, "dev-small.raw");
    const struct scry_linux *l = ir_linux(&y);
    ck_assert_int_eq(scry_linux_pagecache_resolve(l, &po), SCRY_OK);
    ck_assert_uint_ne(po.d_subdirs, SCRY_LINUX_NO_OFFSET); /* the 6.1 ISF: a list_head */
    ck_assert_int_eq(scry_plugin_run(y.s, "linux.pagecache.Files", 0, NULL, NULL, &y.r), SCRY_OK);
    size_t all = scry_result_row_count(y.r);
    ck_assert_uint_eq(scry_result_diag_count(y.r), 0);
    scry_result_free(y.r);
    y.r = NULL;
    /* the root's first child links to itself */
    find_file(&y, "/", &sb, &inode);
    uint64_t root = vpeek(&y, sb + po.mo.sb_root);
    uint64_t child = vpeek(&y, root + po.d_subdirs + l->off.list_next);
    vpoke(&y, child + l->off.list_next, child, 8, &p);
    ck_assert_int_eq(run_plugin(&x, "linux.pagecache.Files", 0, NULL), SCRY_OK);
    tu_show_diags("dentry loop", x.r);
    ck_assert_uint_lt(scry_result_row_count(x.r), all);
    ck_assert_uint_gt(scry_result_row_count(x.r), 1);
    ck_assert_uint_ge(ir_count_diags(x.r, SCRY_DIAG_WARNING), 1);
    ck_assert_ptr_nonnull(strstr(first_warning(x.r, &st), "is linked twice"));
    ck_assert_int_eq(st, SCRY_ERR_CORRUPT);
    ck_assert_uint_lt(scry_result_peak_bytes(x.r), 64u << 20);
    ir_free(&x);
    unpoke(&p);
    /* busybox's page cache: a two-level xarray; slot 1 of the top node
     * becomes the node itself */
    find_file(&y, "/bin/busybox", &sb, &inode);
    uint64_t mapping = vpeek(&y, inode + po.inode_mapping);
    uint64_t head = vpeek(&y, mapping + po.as_i_pages + po.xa_head);
    ck_assert_uint_eq(head & 3, 2); /* an internal node */
    uint64_t node = head & ~3ull;
    vpoke(&y, node + po.xa_node_slots + 8, head, 8, &p);
    char addr[32];
    snprintf(addr, sizeof addr, "%llu", (unsigned long long)(inode & 0xffffffffffffull));
    const char *argv[] = {"--inode", addr};
    ck_assert_int_eq(run_plugin(&x, "linux.pagecache.InodePages", 2, argv), SCRY_OK);
    tu_show_diags("xarray loop", x.r);
    ck_assert_uint_eq(scry_result_row_count(x.r), 484 - 64); /* slot 1's 64 pages lost */
    ck_assert_uint_eq(ir_count_diags(x.r, SCRY_DIAG_WARNING), 1);
    ck_assert_ptr_nonnull(strstr(first_warning(x.r, &st), "a node seen twice"));
    ir_free(&x);
    unpoke(&p);
    ck_assert_int_eq(run_plugin(&x, "linux.pagecache.InodePages", 2, argv), SCRY_OK);
    ck_assert_uint_eq(scry_result_row_count(x.r), 484);
    ck_assert_uint_eq(scry_result_diag_count(x.r), 0);
    ir_free(&x);
    ir_free(&y);
}
END_TEST

/* ---- library_list ----
 * The marker's static memf has no PT_DYNAMIC: its PT_NOTE header becomes
 * one whose DT_PLTGOT leads, through GOT[1], to a link_map chain written in
 * the marker's RWX page: libc, ld.so, then an entry with l_addr 0 (not
 * listed) that links back to the first (a loop: the chain ends there).
 * Volatility 3 2.11.0 on the same patched image lists exactly the two rows
 * checked here. Patches go through the process's own page tables. */
struct upatch {
    uint64_t pa;
    uint8_t old;
};

static size_t upoke(struct scry_vspace *proc, uint64_t va, uint64_t v, size_t n,
                    struct upatch *p)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t pa;
        ck_assert_int_eq(scry_vspace_translate(proc, va + i, &pa), SCRY_OK);
        ck_assert_uint_lt(pa, image_len);
        p[i].pa = pa;
        p[i].old = image[pa];
        image[pa] = (uint8_t)(v >> (8 * i));
    }
    return n;
}

START_TEST(library_list_as_volatility)
{
    static const char *const argv[] = {"--pids", MARKER_PID};
    struct marker m;
    struct ir_run x, y;
    struct scry_vspace kernel, proc;
    static struct upatch p[1024];
    size_t np = 0;
    uint64_t mm, base = 0x400000, scratch = 0x7fdcc1eb4000ull + 0x100; /* truth.json: rwx */
    if (!image)
        return;
    marker(&m);
    ck_assert_int_eq(run_plugin(&y, "linux.library_list", 2, argv), SCRY_OK);
    ck_assert_uint_eq(scry_result_row_count(y.r), 0); /* static binaries only */
    const struct scry_linux *l = ir_linux(&y);
    ck_assert_int_eq(scry_profile_kernel(&l->base, &kernel), SCRY_OK);
    ck_assert_int_eq(scry_vspace_read_u64(&kernel, m.task + l->off.task_mm, &mm), SCRY_OK);
    ck_assert_int_eq(scry_linux_process_vspace(l, &kernel, mm, &proc), SCRY_OK);
    uint8_t eh[64], ph[56];
    ck_assert_int_eq(scry_vspace_read(&proc, base, eh, sizeof eh), SCRY_OK);
    ck_assert_int_eq(memcmp(eh, "\x7f" "ELF", 4), 0);
    uint64_t phoff;
    uint16_t phnum;
    memcpy(&phoff, eh + 0x20, 8);
    memcpy(&phnum, eh + 0x38, 2);
    int done = 0;
    for (unsigned i = 0; i < phnum && !done; i++) {
        uint64_t at = base + phoff + 56ull * i;
        ck_assert_int_eq(scry_vspace_read(&proc, at, ph, sizeof ph), SCRY_OK);
        if (ph[0] == 4 && !ph[1] && !ph[2] && !ph[3]) { /* PT_NOTE -> PT_DYNAMIC at scratch */
            np += upoke(&proc, at, 2, 4, p + np);
            np += upoke(&proc, at + 0x10, scratch, 8, p + np); /* ET_EXEC: absolute */
            done = 1;
        }
    }
    ck_assert(done);
    uint64_t got = scratch + 0x100, lm1 = scratch + 0x200, lm2 = scratch + 0x240,
             lm3 = scratch + 0x280;
    const uint64_t words[][2] = {
        {scratch, 5}, {scratch + 8, 0x1234},      /* DT_STRTAB: not looked at */
        {scratch + 16, 3}, {scratch + 24, got},   /* DT_PLTGOT */
        {scratch + 32, 0}, {scratch + 40, 0},     /* DT_NULL */
        {got + 8, lm1},
        {lm1, 0x7f0000001000ull}, {lm1 + 8, scratch + 0x300}, {lm1 + 16, 0}, {lm1 + 24, lm2},
        {lm1 + 32, 0},
        {lm2, 0x7f0000002000ull}, {lm2 + 8, scratch + 0x340}, {lm2 + 16, 0}, {lm2 + 24, lm3},
        {lm2 + 32, lm1},
        {lm3, 0}, {lm3 + 8, scratch + 0x380}, {lm3 + 16, 0}, {lm3 + 24, lm1}, {lm3 + 32, lm2},
    };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        np += upoke(&proc, words[i][0], words[i][1], 8, p + np);
    static const char *const names[] = {"/lib/x86_64-linux-gnu/libc.so.6",
                                        "/lib64/ld-linux-x86-64.so.2", "linux-vdso.so.1"};
    for (size_t k = 0; k < 3; k++)
        for (size_t i = 0; i <= strlen(names[k]); i++)
            np += upoke(&proc, scratch + 0x300 + 0x40 * k + i, (uint8_t)names[k][i], 1, p + np);
    ck_assert_int_eq(run_plugin(&x, "linux.library_list", 0, NULL), SCRY_OK);
    tu_show_diags("library_list", x.r);
    ck_assert_uint_eq(scry_result_row_count(x.r), 2);
    ck_assert_uint_eq(scry_result_diag_count(x.r), 0);
    for (size_t r = 0; r < 2; r++) {
        const char *v;
        size_t len;
        int64_t pid;
        uint64_t addr;
        ck_assert_int_eq(scry_result_cell_str(x.r, r, 0, &v, &len), SCRY_OK);
        ck_assert_str_eq(v, "marker");
        ck_assert_int_eq(scry_result_cell_int(x.r, r, 1, &pid), SCRY_OK);
        ck_assert_int_eq(pid, 147);
        ck_assert_int_eq(scry_result_cell_uint(x.r, r, 2, &addr), SCRY_OK);
        ck_assert_uint_eq(addr, r ? 0x7f0000002000ull : 0x7f0000001000ull);
        ck_assert_int_eq(scry_result_cell_str(x.r, r, 3, &v, &len), SCRY_OK);
        ck_assert_str_eq(v, names[r]);
    }
    ir_free(&x);
    while (np) {
        np--;
        image[p[np].pa] = p[np].old;
    }
    ir_free(&y);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("hostile_files_mounts");
    TCase *tc = tcase_create("hostile");
    int rc;
    ir_load_small("test_hostile_files_mounts", &image, &image_len, symdir, sizeof symdir, &ctx);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, fd_table_hostile);
    tcase_add_test(tc, mount_list_loops);
    tcase_add_test(tc, socket_points_at_itself);
    tcase_add_test(tc, sockets_as_volatility);
    tcase_add_test(tc, dentry_and_xarray_loops);
    tcase_add_test(tc, library_list_as_volatility);
    suite_add_tcase(s, tc);
    rc = tu_run_suite(s);
    scry_context_free(ctx);
    free(image);
    return rc;
}
