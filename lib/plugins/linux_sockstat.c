/* linux_sockstat.c - linux.sockstat.Sockstat: every socket open in a task
 * (threads included), with its namespace, family, addresses and state. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "lib/plugins/linux_common.h"
#include "lib/plugins/linux_task_fds.h"
#include "lib/walk/linux_sockets.h"

enum { OPT_UNIX, OPT_PIDS, OPT_NETNS, NOPTS };

static const struct scry_option options[NOPTS] = {
    /* Volatility 2.11.0 declares --unix and never reads it: it filters
     * nothing there, nor here. */
    [OPT_UNIX] = {"unix", SCRY_OPT_BOOL, "Show UNIX domain Sockets only"},
    [OPT_PIDS] = {"pids", SCRY_OPT_INT_LIST,
                  "Filter results by process IDs. It takes the root PID namespace identifiers."},
    [OPT_NETNS] = {"netns", SCRY_OPT_INT,
                   "Filter results by network namespace. Otherwise, all of them are shown."},
};

static const struct scry_column columns[] = {
    {"NetNS", SCRY_COL_INT},          {"Process Name", SCRY_COL_STR},
    {"PID", SCRY_COL_INT},            {"TID", SCRY_COL_INT},
    {"FD", SCRY_COL_INT},             {"Sock Offset", SCRY_COL_HEX},
    {"Family", SCRY_COL_STR},         {"Type", SCRY_COL_STR},
    {"Proto", SCRY_COL_STR},          {"Source Addr", SCRY_COL_STR},
    {"Source Port", SCRY_COL_STR},    {"Destination Addr", SCRY_COL_STR},
    {"Destination Port", SCRY_COL_STR}, {"State", SCRY_COL_STR},
    {"Filter", SCRY_COL_STR},
};

struct ctx {
    struct scry_task_fds w; /* first: the walk's callbacks get this ctx */
    struct scry_linux_sockets_off so;
    int64_t netns; /* 0: every namespace (Volatility tests its truth) */
    struct scry_linux_sockinfo si;
};

static struct scry_cell str_or_na(const char *s)
{
    return s ? scry_cell_str(s, strlen(s)) : scry_cell_absent(SCRY_CELL_NOT_AVAILABLE);
}

static int on_fd(void *user, uint32_t fd, uint64_t filp)
{
    struct ctx *c = user;
    struct scry_linux_sockinfo *si = &c->si;
    struct scry_cell cells[15];
    int ok;
    if (scry_linux_socket_of_file(c->w.l, &c->so, &c->w.kernel, c->w.pc->op, c->w.t->addr, filp, si) != 1)
        return 0;
    uint32_t ns = scry_linux_task_netns(c->w.l, &c->so, &c->w.kernel, c->w.t->addr, &ok);
    if (c->netns && (!ok || c->netns != (int64_t)ns))
        return 0;
    if (!si->family) {
        /* Volatility's TreeGrid refuses a None in a str column and stops */
        scry_op_say(c->w.pc->op, SCRY_DIAG_WARNING, SCRY_ERR_CORRUPT,
                    "sock 0x%" PRIx64 ": family out of range (shown as -)", si->sock);
    }
    cells[0] = ok ? scry_cell_int(ns) : scry_cell_absent(SCRY_CELL_NOT_AVAILABLE);
    cells[1] = scry_cell_str(c->w.comm, c->w.comm_len);
    cells[2] = scry_cell_int(c->w.t->tgid);
    cells[3] = scry_cell_int(c->w.t->pid);
    cells[4] = scry_cell_int(fd);
    cells[5] = scry_cell_hex(si->sock);
    cells[6] = str_or_na(si->family);
    cells[7] = str_or_na(si->type);
    cells[8] = str_or_na(si->proto);
    cells[9] = str_or_na(si->src_addr);
    cells[10] = str_or_na(si->src_port);
    cells[11] = str_or_na(si->dst_addr);
    cells[12] = str_or_na(si->dst_port);
    cells[13] = str_or_na(si->state);
    cells[14] = str_or_na(si->filter);
    c->w.st = scry_result_add(c->w.pc->out, 0, cells);
    return c->w.st != SCRY_OK;
}

static scry_status run(struct scry_plugin_ctx *pc)
{
    struct ctx *c = calloc(1, sizeof *c);
    scry_status st;
    if (!c)
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    c->netns = pc->opts->v[OPT_NETNS].set ? pc->opts->v[OPT_NETNS].ints[0] : 0;
    st = scry_task_fds_prepare(&c->w, pc, OPT_PIDS, on_fd);
    if (st == SCRY_OK)
        st = scry_linux_sockets_resolve(c->w.l, &c->so);
    if (st == SCRY_OK)
        st = scry_task_fds_walk(&c->w);
    free(c);
    return st;
}

const struct scry_plugin scry_plugin_linux_sockstat = {
    .name = "linux.sockstat.Sockstat",
    .alias = "linux.sockstat",
    .description = "Lists all network connections for all processes.",
    .options = options,
    .noptions = NOPTS,
    .columns = columns,
    .ncolumns = sizeof columns / sizeof columns[0],
    .os = "linux",
    .run = run,
};
