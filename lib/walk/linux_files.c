/* linux_files.c - fd tables, inodes behind files, thread groups. */
#include "lib/walk/linux_files.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "lib/base/hashset.h"
#include "lib/walk/linux_tasks.h"
#include "symbols/symtab.h"

#define NO SCRY_LINUX_NO_OFFSET

/* Slots read at once from an fd array. */
#define FD_CHUNK 512

static const char *const time_names[SCRY_ITIME_COUNT] = {"i_ctime", "i_mtime", "i_atime"};

/* The inode time fields, by the first layout whose fields the ISF has. */
static scry_status resolve_times(const struct scry_symtab *st, struct scry_linux_files_off *fo)
{
    static const char *const fmt[] = {"%s_sec", "__%s.tv_sec", "%s.tv_sec"};
    static const char *const nfmt[] = {"%s_nsec", "__%s.tv_nsec", "%s.tv_nsec"};
    for (int layout = SCRY_ITIMES_SPLIT; layout < SCRY_ITIMES_NONE; layout++) {
        char sec[SCRY_ITIME_COUNT][32], nsec[SCRY_ITIME_COUNT][32];
        struct scry_field_spec spec[2 * SCRY_ITIME_COUNT];
        for (int i = 0; i < SCRY_ITIME_COUNT; i++) {
            snprintf(sec[i], sizeof sec[i], fmt[layout], time_names[i]);
            snprintf(nsec[i], sizeof nsec[i], nfmt[layout], time_names[i]);
            spec[2 * i] = (struct scry_field_spec){"inode", sec[i], &fo->time_sec[i], NULL, 1};
            spec[2 * i + 1] = (struct scry_field_spec){"inode", nsec[i], &fo->time_nsec[i],
                                                       i ? NULL : &fo->time_nsec_size, 1};
        }
        scry_status s = scry_resolve_fields(st, spec, 2 * SCRY_ITIME_COUNT);
        if (s != SCRY_OK)
            return s;
        int all = 1;
        for (int i = 0; i < 2 * SCRY_ITIME_COUNT; i++)
            all &= *spec[i].offset != NO;
        if (all) {
            fo->times = (enum scry_inode_times)layout;
            return SCRY_OK;
        }
    }
    fo->times = SCRY_ITIMES_NONE;
    return SCRY_OK;
}

scry_status scry_linux_files_resolve(const struct scry_linux *l, struct scry_linux_files_off *fo)
{
    const struct scry_symtab *st = l->symtab;
    const struct scry_field_spec f[] = {
        SCRY_FIELD_OPT("files_struct", "fdt", &fo->files_fdt),
        SCRY_FIELD_OPT("fdtable", "fd", &fo->fdt_fd),
        SCRY_FIELD_OPT("fdtable", "max_fds", &fo->fdt_max_fds),
        SCRY_FIELD_OPT("files_struct", "fd", &fo->files_fd),
        SCRY_FIELD_OPT("files_struct", "max_fds", &fo->files_max_fds),
        SCRY_FIELD_OPT("file", "f_inode", &fo->file_inode),
        SCRY_FIELD("inode", "i_mode", &fo->inode_mode),
        SCRY_FIELD("inode", "i_size", &fo->inode_isize),
        SCRY_FIELD_OPT("task_struct", "signal", &fo->task_signal),
        SCRY_FIELD_OPT("signal_struct", "thread_head", &fo->signal_thread_head),
        SCRY_FIELD_OPT("task_struct", "thread_node", &fo->task_thread_node),
    };
    scry_status s = scry_resolve_fields(st, f, sizeof f / sizeof f[0]);
    if (s != SCRY_OK)
        return s;
    if (fo->files_fdt != NO && (fo->fdt_fd == NO || fo->fdt_max_fds == NO))
        return scry_err(SCRY_ERR_NOT_FOUND, "%s: fdtable has no fd or max_fds", l->isf_path);
    if (fo->files_fdt == NO && (fo->files_fd == NO || fo->files_max_fds == NO))
        return scry_err(SCRY_ERR_NOT_FOUND, "%s: files_struct has neither fdt nor fd/max_fds",
                        l->isf_path);
    if ((s = scry_sym_type_size(st, "files_struct", &fo->files_size)) != SCRY_OK ||
        (s = scry_sym_type_size(st, "file", &fo->file_size)) != SCRY_OK ||
        (s = scry_sym_type_size(st, "inode", &fo->inode_size)) != SCRY_OK ||
        (s = scry_sym_type_size(st, "super_block", &fo->sb_size)) != SCRY_OK ||
        (s = scry_sym_type_size(st, "dentry", &fo->dentry_size)) != SCRY_OK)
        return s;
    if (fo->files_fdt != NO && (s = scry_sym_type_size(st, "fdtable", &fo->fdt_size)) != SCRY_OK)
        return s;
    return resolve_times(st, fo);
}

static int rd_ptr(const struct scry_linux *l, struct scry_vspace *ks, uint64_t a, uint64_t *v)
{
    if (scry_vspace_read_u64(ks, a, v) != SCRY_OK)
        return 0;
    *v &= l->va_mask;
    return 1;
}

scry_status scry_linux_walk_threads(const struct scry_linux *l,
                                    const struct scry_linux_files_off *fo,
                                    struct scry_vspace *ks, struct scry_op *op, uint64_t leader,
                                    scry_linux_thread_fn fn, void *user)
{
    uint64_t head, member, link, prev;
    struct scry_hashset seen = {0};
    scry_status st = SCRY_OK;
    uint64_t max = op && op->max_entries ? op->max_entries : SCRY_MAX_TASKS, n = 0;
    leader &= l->va_mask;
    if (fo->task_signal != NO && fo->signal_thread_head != NO && fo->task_thread_node != NO) {
        uint64_t sig;
        if (!rd_ptr(l, ks, leader + fo->task_signal, &sig)) {
            scry_op_report(op, SCRY_DIAG_WARNING, SCRY_ERR_NODATA,
                           "threads of task 0x%" PRIx64 ": its signal pointer cannot be read",
                           leader);
            return SCRY_OK;
        }
        head = sig + fo->signal_thread_head;
        member = fo->task_thread_node;
    } else if (l->off.task_thread_group != NO) {
        head = leader + l->off.task_thread_group;
        member = l->off.task_thread_group;
    } else {
        return scry_err(SCRY_ERR_UNSUPPORTED, "%s: task_struct has neither thread_node nor "
                        "thread_group", l->isf_path);
    }
    /* get_threads' seen set starts with the leader; to_list's with the head */
    if (scry_hs_add(&seen, head) < 0 || scry_hs_add(&seen, leader + member) < 0) {
        st = scry_err(SCRY_ERR_NOMEM, "out of memory");
        goto out;
    }
    if (!rd_ptr(l, ks, head + l->off.list_next, &link)) {
        scry_op_report(op, SCRY_DIAG_WARNING, SCRY_ERR_NODATA,
                       "threads of task 0x%" PRIx64 ": list head 0x%" PRIx64 " cannot be read",
                       leader, head);
        goto out;
    }
    for (prev = head;; prev = link) {
        if (link == head || link == leader + member) {
            /* the leader's own node on signal->thread_head is skipped, not an end */
            if (link == head)
                break;
        } else {
            int added = scry_hs_add(&seen, link);
            if (added < 0) {
                st = scry_err(SCRY_ERR_NOMEM, "out of memory");
                break;
            }
            if (!added || !link) {
                scry_op_say(op, SCRY_DIAG_WARNING, SCRY_ERR_CORRUPT,
                            "threads of task 0x%" PRIx64 " end early: 0x%" PRIx64 " links to %s",
                            leader, prev, link ? "an earlier entry" : "NULL");
                break;
            }
            if (++n > max) {
                scry_op_say(op, SCRY_DIAG_WARNING, SCRY_ERR_LIMIT,
                            "threads of task 0x%" PRIx64 " end early: more than %" PRIu64
                            " entries", leader, max);
                break;
            }
            if (fn(user, link - member))
                break;
        }
        uint64_t next;
        if (!rd_ptr(l, ks, link + l->off.list_next, &next)) {
            scry_op_report(op, SCRY_DIAG_WARNING, SCRY_ERR_NODATA,
                           "threads of task 0x%" PRIx64 " end early: the link at 0x%" PRIx64
                           " cannot be read", leader, link);
            break;
        }
        if (next == link) {
            scry_op_say(op, SCRY_DIAG_WARNING, SCRY_ERR_CORRUPT,
                        "threads of task 0x%" PRIx64 " end early: 0x%" PRIx64 " links to itself",
                        leader, link);
            break;
        }
        link = next;
    }
out:
    scry_hs_free(&seen);
    return st;
}

scry_status scry_linux_walk_fds(const struct scry_linux *l, const struct scry_linux_files_off *fo,
                                struct scry_vspace *ks, struct scry_op *op, uint64_t task,
                                int32_t pid, scry_linux_fd_fn fn, void *user)
{
    uint64_t files, fdt = 0, fd, first, slots[FD_CHUNK];
    uint32_t max_fds;
    size_t bad = 0;
    if (!rd_ptr(l, ks, task + l->off.task_files, &files) || !files ||
        !scry_vspace_readable(ks, files, fo->files_size))
        return SCRY_OK; /* task.files can be NULL: an exiting task, a kernel thread */
    if (fo->files_fdt != NO) {
        if (!rd_ptr(l, ks, files + fo->files_fdt, &fdt) || !rd_ptr(l, ks, fdt + fo->fdt_fd, &fd) ||
            scry_vspace_read_u32(ks, fdt + fo->fdt_max_fds, &max_fds) != SCRY_OK) {
            scry_op_report(op, SCRY_DIAG_WARNING, SCRY_ERR_NODATA,
                           "pid %d: the fd table of files 0x%" PRIx64 " cannot be read", (int)pid,
                           files);
            return SCRY_OK;
        }
    } else if (!rd_ptr(l, ks, files + fo->files_fd, &fd) ||
               scry_vspace_read_u32(ks, files + fo->files_max_fds, &max_fds) != SCRY_OK) {
        scry_op_report(op, SCRY_DIAG_WARNING, SCRY_ERR_NODATA,
                       "pid %d: the fd table of files 0x%" PRIx64 " cannot be read", (int)pid,
                       files);
        return SCRY_OK;
    }
    if (fo->files_fdt != NO && fd >= fdt && fd - fdt < fo->fdt_size) {
        scry_op_say(op, SCRY_DIAG_WARNING, SCRY_ERR_CORRUPT,
                    "pid %d: the fd array 0x%" PRIx64 " lies inside its own fdtable 0x%" PRIx64
                    ": not listed", (int)pid, fd, fdt);
        return SCRY_OK;
    }
    if (!rd_ptr(l, ks, fd, &first)) {
        scry_op_report(op, SCRY_DIAG_WARNING, SCRY_ERR_NODATA,
                       "pid %d: the fd array 0x%" PRIx64 " cannot be read", (int)pid, fd);
        return SCRY_OK;
    }
    if (!first)
        return SCRY_OK; /* Volatility's `fd_table == 0` tests slot 0 */
    if (max_fds > SCRY_LINUX_MAX_FDS) {
        scry_op_say(op, SCRY_DIAG_WARNING, SCRY_ERR_CORRUPT,
                    "pid %d: fd table 0x%" PRIx64 " claims %" PRIu32 " slots (more than %u): "
                    "not listed", (int)pid, fd, max_fds, SCRY_LINUX_MAX_FDS);
        return SCRY_OK;
    }
    for (uint32_t base = 0; base < max_fds; base += FD_CHUNK) {
        uint32_t n = max_fds - base < FD_CHUNK ? max_fds - base : FD_CHUNK;
        if (scry_vspace_read(ks, fd + 8ull * base, slots, 8ull * n) != SCRY_OK) {
            for (uint32_t i = 0; i < n; i++)
                if (scry_vspace_read_u64(ks, fd + 8ull * (base + i), &slots[i]) != SCRY_OK) {
                    slots[i] = 0;
                    bad++;
                }
        }
        for (uint32_t i = 0; i < n; i++) {
            uint64_t filp = slots[i] & l->va_mask;
            if (filp && scry_vspace_readable(ks, filp, fo->file_size) && fn(user, base + i, filp))
                return SCRY_OK;
        }
        if (scry_op_tick(op, 0, 0))
            return scry_op_cancelled();
    }
    if (bad)
        scry_op_say(op, SCRY_DIAG_WARNING, SCRY_ERR_NODATA,
                    "pid %d: %zu of the %" PRIu32 " slots of fd array 0x%" PRIx64
                    " cannot be read (left out)", (int)pid, bad, max_fds, fd);
    return SCRY_OK;
}

/* inode.is_valid() after pointer.is_readable(). */
static int inode_ok(const struct scry_linux *l, const struct scry_linux_files_off *fo,
                    struct scry_vspace *ks, uint64_t inode)
{
    uint64_t ino;
    uint32_t count;
    return inode && scry_vspace_readable(ks, inode, fo->inode_size) &&
           scry_vspace_read_u64(ks, inode + l->off.inode_ino, &ino) == SCRY_OK && ino > 0 &&
           scry_vspace_read_u32(ks, inode + l->off.inode_count, &count) == SCRY_OK &&
           (int32_t)count >= 0;
}

uint64_t scry_linux_file_inode(const struct scry_linux *l, const struct scry_linux_files_off *fo,
                               struct scry_vspace *ks, uint64_t filp)
{
    uint64_t inode = 0, dentry;
    if (fo->file_inode != NO && rd_ptr(l, ks, filp + fo->file_inode, &inode) &&
        inode_ok(l, fo, ks, inode))
        return inode;
    if (!rd_ptr(l, ks, filp + l->off.file_dentry, &dentry) || !dentry ||
        !scry_vspace_readable(ks, dentry, fo->dentry_size) ||
        !rd_ptr(l, ks, dentry + l->off.dentry_inode, &inode))
        return 0;
    return inode_ok(l, fo, ks, inode) ? inode : 0;
}

struct scry_cell scry_linux_float_time(double x)
{
    /* CPython's _PyTime_DoubleToDenominator with ROUND_HALF_EVEN, without
     * libm: for 0 < x < 2^38 the integer part converts exactly and x - ip
     * (modf's fraction) is exact. */
    if (!(x > 0) || x >= 253402300800.0)
        return scry_cell_absent(SCRY_CELL_UNPARSABLE);
    int64_t ip = (int64_t)x;
    double fp = (x - (double)ip) * 1e6;
    int64_t r = (int64_t)fp;
    double rest = fp - (double)r;
    if (rest > 0.5 || (rest == 0.5 && (r & 1)))
        r++;
    if (r >= 1000000) {
        r -= 1000000;
        ip++;
    }
    struct scry_cell c = {.state = SCRY_CELL_VALUE};
    c.v.t.sec = ip;
    c.v.t.usec = (uint32_t)r;
    return c;
}

static struct scry_cell inode_time(const struct scry_linux_files_off *fo, struct scry_vspace *ks,
                                   uint64_t inode, int which)
{
    int64_t sec;
    uint64_t nsec = 0;
    if (fo->times == SCRY_ITIMES_NONE ||
        scry_vspace_read_u64(ks, inode + fo->time_sec[which], (uint64_t *)&sec) != SCRY_OK)
        return scry_cell_absent(SCRY_CELL_UNPARSABLE);
    if (fo->times == SCRY_ITIMES_SPLIT) {
        /* Volatility 2.11.0 adds has_member("i_*_nsec") / 1e9 - True, so
         * one nanosecond - in place of the field's value. */
        return scry_linux_float_time((double)sec + 1 / 1e9);
    }
    if (fo->time_nsec_size == 4) {
        uint32_t v;
        if (scry_vspace_read_u32(ks, inode + fo->time_nsec[which], &v) != SCRY_OK)
            return scry_cell_absent(SCRY_CELL_UNPARSABLE);
        nsec = v;
    } else if (scry_vspace_read_u64(ks, inode + fo->time_nsec[which], &nsec) != SCRY_OK) {
        return scry_cell_absent(SCRY_CELL_UNPARSABLE);
    }
    return scry_linux_float_time((double)sec + (double)(int64_t)nsec / 1e9);
}

scry_status scry_linux_inode_info(const struct scry_linux *l, const struct scry_linux_files_off *fo,
                                  struct scry_vspace *ks, uint64_t inode,
                                  struct scry_linux_inode_info *out)
{
    uint32_t dev;
    scry_status st;
    memset(out, 0, sizeof *out);
    if ((st = scry_vspace_read_u64(ks, inode + l->off.inode_ino, &out->ino)) != SCRY_OK ||
        (st = scry_vspace_read(ks, inode + fo->inode_mode, &out->mode, 2)) != SCRY_OK ||
        (st = scry_vspace_read_u64(ks, inode + fo->inode_isize, (uint64_t *)&out->size)) != SCRY_OK)
        return st;
    if (rd_ptr(l, ks, inode + l->off.inode_sb, &out->sb) && out->sb &&
        scry_vspace_readable(ks, out->sb, fo->sb_size) &&
        scry_vspace_read_u32(ks, out->sb + l->off.sb_dev, &dev) == SCRY_OK) {
        out->dev_ok = 1;
        out->major = dev >> 20; /* MINORBITS */
        out->minor = dev & ((1u << 20) - 1);
    }
    for (int i = 0; i < SCRY_ITIME_COUNT; i++)
        out->time[i] = inode_time(fo, ks, inode, i);
    return SCRY_OK;
}

const char *scry_linux_inode_type(uint16_t mode)
{
    static const struct {
        uint16_t fmt;
        const char *name;
    } types[] = {{0040000, "DIR"}, {0100000, "REG"}, {0120000, "LNK"}, {0010000, "FIFO"},
                 {0140000, "SOCK"}, {0020000, "CHR"}, {0060000, "BLK"}};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if ((mode & 0170000) == types[i].fmt)
            return types[i].name;
    return NULL;
}

void scry_linux_filemode(uint16_t mode, char out[11])
{
    static const struct {
        uint16_t fmt;
        char c;
    } types[] = {{0100000, '-'}, {0040000, 'd'}, {0020000, 'c'}, {0060000, 'b'},
                 {0010000, 'p'}, {0120000, 'l'}, {0140000, 's'}};
    out[0] = '?';
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if ((mode & 0170000) == types[i].fmt)
            out[0] = types[i].c;
    /* r, w, then x with the set-id / sticky bit of each class */
    static const uint16_t special[3] = {04000, 02000, 01000};
    static const char set_x[3] = {'s', 's', 't'}, set_nox[3] = {'S', 'S', 'T'};
    for (int k = 0; k < 3; k++) {
        unsigned sh = 6 - 3 * (unsigned)k;
        out[1 + 3 * k] = mode & (4u << sh) ? 'r' : '-';
        out[2 + 3 * k] = mode & (2u << sh) ? 'w' : '-';
        int x = (mode >> sh) & 1;
        out[3 + 3 * k] = mode & special[k] ? (x ? set_x[k] : set_nox[k]) : (x ? 'x' : '-');
    }
    out[10] = '\0';
}
