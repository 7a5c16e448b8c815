/* linux_mounts.h - mount namespaces and their mounts as Volatility 2.11.0
 * reads them (mnt_namespace.get_mount_points, MountInfo.get_mountinfo):
 * the namespace's list (kernels < 6.8) or red-black tree (6.8+), and what
 * /proc/<pid>/mountinfo shows of each mount.
 *
 * Offsets are this walker's own, resolved from the ISF at the start of a
 * run by which fields the ISF has. */
#ifndef SCRY_WALK_LINUX_MOUNTS_H
#define SCRY_WALK_LINUX_MOUNTS_H

#include <stddef.h>
#include <stdint.h>

#include "lib/base/op.h"
#include "lib/os/linux.h"
#include "lib/vspace/vspace.h"

struct scry_linux_mounts_off {
    uint64_t task_nsproxy, nsproxy_mnt_ns;
    uint64_t mntns_inum;             /* ns.inum or proc_inum; NO_OFFSET: none */
    uint64_t mntns_list;             /* list_head (< 6.8) or NO_OFFSET        */
    uint64_t mntns_mounts;           /* rb_root (6.8+) or NO_OFFSET           */
    uint64_t rb_node, rb_left, rb_right;
    uint64_t mnt_list;               /* mount.mnt_list                        */
    uint64_t tree_node;              /* mount.mnt_node (6.8+ tree), else mnt_list */
    uint64_t mnt_id, mnt_group_id, mnt_master, mnt_devname, mnt_share, mnt_ns;
    uint64_t vfsmnt_sb, vfsmnt_flags;
    uint64_t sb_flags, sb_type, sb_subtype, sb_root, fstype_name;
    uint64_t sb_size, fstype_size;
};

/* Resolves mo. Errors: SCRY_ERR_NOT_FOUND naming a missing field (the
 * namespace's mounts in neither layout: "Unsupported kernel mount
 * namespace implementation"), SCRY_ERR_CORRUPT for one outside its struct. */
scry_status scry_linux_mounts_resolve(const struct scry_linux *l,
                                      struct scry_linux_mounts_off *mo);

/* A task's mount namespace (task->nsproxy->mnt_ns), 0 when the task has
 * no fs, fs->root, nsproxy or mnt_ns (MountInfo skips such a task) or
 * they cannot be read. */
uint64_t scry_linux_task_mnt_ns(const struct scry_linux *l, const struct scry_linux_mounts_off *mo,
                                struct scry_vspace *ks, uint64_t task);

/* Calls fn with each struct mount of the namespace at mnt_ns, in
 * Volatility's order: the list from ns->list, or a pre-order walk (node,
 * left, right) of the ns->mounts tree. Bounded: a seen set and at most
 * op->max_entries (default SCRY_MAX_TASKS) mounts; a loop, an unreadable
 * link or the bound ends the walk (a tree: that branch) with a WARNING on
 * op. fn returns non-zero to stop. Errors: SCRY_ERR_NOMEM. */
typedef int (*scry_linux_mount_fn)(void *user, uint64_t mount);
scry_status scry_linux_walk_mounts(const struct scry_linux *l,
                                   const struct scry_linux_mounts_off *mo, struct scry_vspace *ks,
                                   struct scry_op *op, uint64_t mnt_ns, scry_linux_mount_fn fn,
                                   void *user);

/* One mount as show_mountinfo prints it. Strings are NUL-terminated. */
struct scry_linux_mountinfo {
    uint64_t sb;               /* mnt.mnt_sb (masked)                       */
    int32_t mnt_id, parent_id;
    uint32_t major, minor;
    char root[4096];           /* mnt_root.path()                           */
    char point[4096];          /* get_path_mnt: relative to the task's root */
    char mnt_opts[96];         /* "rw,nosuid,..."                           */
    char fields[96];           /* "shared:1 master:2 ..."                   */
    int has_type;              /* 0: no readable s_type (Volatility None)   */
    char fstype[520];
    char devname[768];         /* "none" when empty                         */
    char sb_opts[48];
    /* the options one by one, for --mount-format's set */
    const char *opt[12];
    size_t nopt;
};

/* MountInfo.get_mountinfo for the mount at `mount` seen by the task at
 * `task`. Returns 1 with *mi filled, 0 when Volatility gives no row (a
 * NULL mnt_root), -1 when the mount cannot be read (a diagnostic on op). */
int scry_linux_mountinfo(const struct scry_linux *l, const struct scry_linux_mounts_off *mo,
                         struct scry_vspace *ks, struct scry_op *op, uint64_t task,
                         uint64_t mount, struct scry_linux_mountinfo *mi);

#endif
