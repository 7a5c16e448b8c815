/* linux_files.h - a task's open files as Volatility 2.11.0 lists them
 * (LinuxUtilities.files_descriptors_for_process), the inode behind a
 * struct file (struct_file.get_inode) and what lsof prints of it, and the
 * threads of a thread group on either list layout (task.get_threads).
 *
 * The offsets here are this walker's own, resolved from the ISF at the
 * start of a run (scry_linux_files_resolve), by which fields the ISF has. */
#ifndef SCRY_WALK_LINUX_FILES_H
#define SCRY_WALK_LINUX_FILES_H

#include <stddef.h>
#include <stdint.h>

#include "lib/base/op.h"
#include "lib/os/linux.h"
#include "lib/rows/rows.h"
#include "lib/vspace/vspace.h"

/* Volatility's corruption check: a table with more slots is not listed. */
#define SCRY_LINUX_MAX_FDS 500000u

/* How an inode keeps its times (chosen by the fields the ISF has, in
 * Volatility's order). */
enum scry_inode_times {
    SCRY_ITIMES_SPLIT,   /* i_atime_sec + i_atime_nsec (6.11+)            */
    SCRY_ITIMES_UNDER,   /* __i_atime timespec64 (6.6 - 6.10)             */
    SCRY_ITIMES_PLAIN,   /* i_atime timespec64 / timespec (older)         */
    SCRY_ITIMES_NONE     /* none of these: Volatility raises; we say "-"   */
};

enum { SCRY_ITIME_CTIME, SCRY_ITIME_MTIME, SCRY_ITIME_ATIME, SCRY_ITIME_COUNT };

struct scry_linux_files_off {
    /* files_struct -> fdtable (fdt) or the table in files_struct itself */
    uint64_t files_fdt, fdt_fd, fdt_max_fds, files_fd, files_max_fds;
    uint64_t file_inode;                /* f_inode, or NO_OFFSET (< 3.9) */
    uint64_t inode_mode, inode_isize;
    enum scry_inode_times times;
    uint64_t time_sec[SCRY_ITIME_COUNT], time_nsec[SCRY_ITIME_COUNT];
    uint64_t time_nsec_size;            /* 4 or 8 bytes                   */
    /* struct sizes: Volatility's is_readable() tests the whole struct */
    uint64_t files_size, file_size, inode_size, sb_size, dentry_size, fdt_size;
    /* threads: signal->thread_head / thread_node (6.7+) or thread_group */
    uint64_t task_signal, signal_thread_head, task_thread_node;
};

/* Resolves fo from l's ISF. Errors: SCRY_ERR_NOT_FOUND naming what is
 * missing (files_struct without fdt or fd, a type without its size),
 * SCRY_ERR_CORRUPT for a field outside its struct. */
scry_status scry_linux_files_resolve(const struct scry_linux *l, struct scry_linux_files_off *fo);


/* Calls fn with each thread of the group whose leader is at `leader`
 * (the leader excluded), in Volatility's get_threads order: thread_node
 * on signal->thread_head where the ISF has it, else thread_group. The
 * walk is bounded (a seen set and op->max_entries or SCRY_MAX_TASKS):
 * a loop or an unreadable link ends it with a WARNING on op. fn returns
 * non-zero to stop. Errors: SCRY_ERR_NOMEM; SCRY_ERR_UNSUPPORTED when
 * the ISF has neither layout. */
typedef int (*scry_linux_thread_fn)(void *user, uint64_t task);
scry_status scry_linux_walk_threads(const struct scry_linux *l,
                                    const struct scry_linux_files_off *fo,
                                    struct scry_vspace *ks, struct scry_op *op, uint64_t leader,
                                    scry_linux_thread_fn fn, void *user);

/* Calls fn with (fd number, struct file address) for each open slot of the
 * task's table, as files_descriptors_for_process yields them: nothing when
 * task->files is NULL or unreadable, when the table's first slot is NULL
 * (Volatility's test `fd_table == 0` reads fd[0]), or when max_fds is over
 * SCRY_LINUX_MAX_FDS (a WARNING here: a damaged table); a slot whose file
 * is NULL or unreadable is left out. Volatility dies on an unreadable slot
 * array; we skip the unreadable slots with a WARNING, and list nothing,
 * with a WARNING, when the slot array lies inside its own fdtable (a
 * table pointing at itself). `pid` is for
 * messages. fn returns non-zero to stop. Errors: SCRY_ERR_NOMEM. */
typedef int (*scry_linux_fd_fn)(void *user, uint32_t fd, uint64_t filp);
scry_status scry_linux_walk_fds(const struct scry_linux *l, const struct scry_linux_files_off *fo,
                                struct scry_vspace *ks, struct scry_op *op, uint64_t task,
                                int32_t pid, scry_linux_fd_fn fn, void *user);

/* struct_file.get_inode: f_inode when readable and valid (i_ino > 0,
 * i_count >= 0), else the dentry's d_inode under the same test; 0 when
 * neither. */
uint64_t scry_linux_file_inode(const struct scry_linux *l, const struct scry_linux_files_off *fo,
                               struct scry_vspace *ks, uint64_t filp);

/* What lsof and pagecache print of an inode. */
struct scry_linux_inode_info {
    uint64_t ino;
    uint64_t sb;       /* i_sb (masked)                                  */
    int dev_ok;        /* sb non-NULL and readable: major/minor are set  */
    uint32_t major, minor;
    uint16_t mode;
    int64_t size;
    struct scry_cell time[SCRY_ITIME_COUNT]; /* datetime or UNPARSABLE */
};

/* Reads the inode at `inode`. Errors: SCRY_ERR_NODATA / CORRUPT when its
 * fields cannot be read. */
scry_status scry_linux_inode_info(const struct scry_linux *l, const struct scry_linux_files_off *fo,
                                  struct scry_vspace *ks, uint64_t inode,
                                  struct scry_linux_inode_info *out);

/* inode.get_inode_type(): "DIR", "REG", ... or NULL for another mode. */
const char *scry_linux_inode_type(uint16_t mode);

/* Python's stat.filemode (the C _stat version): "-rw-r--r--", '?' for an
 * unknown type. out holds 11 bytes. */
void scry_linux_filemode(uint16_t mode, char out[11]);

/* conversion.unixtime_to_datetime(x) for the float x Volatility computes:
 * datetime.fromtimestamp's half-even rounding to microseconds; UNPARSABLE
 * for x <= 0 or past year 9999. */
struct scry_cell scry_linux_float_time(double x);

#endif
