/* linux_dpath.h - a struct file's path as Volatility 2.11.0's
 * LinuxUtilities.path_for_file prints it: d_path relative to the task's
 * root (prepend_path over dentries and mounts), or "<prefix>:[inode]" for
 * the pseudo files whose dentry has a d_dname (sockets, pipes, anonymous
 * inodes; "/name (deleted)" for simple_dname: shared anonymous memory,
 * memfd). */
#ifndef SCRY_WALK_LINUX_DPATH_H
#define SCRY_WALK_LINUX_DPATH_H

#include <stddef.h>
#include <stdint.h>

#include "lib/os/linux.h"
#include "lib/vspace/vspace.h"

/* Longest path written (Volatility has no bound; a real one is far below
 * PATH_MAX * 3 bytes of UTF-8). A longer one is cut at a component. */
#define SCRY_LINUX_PATH_CAP 16384

/* Writes the path of the struct file at filp, as the task at `task` sees
 * it, into out (cap >= 64 bytes, NUL-terminated; *len its length). Reads
 * through ks. Never fails: where Volatility gives "" for an unreadable file
 * or dentry, so do we; where it would stop on an exception (an unreadable
 * dentry on the way to the root) the path read so far is kept; a dentry
 * chain that loops or is longer than 4096 components ends the walk. The
 * return value is 1 when the path is complete, 0 when a read failed or the
 * walk was cut (the caller may say so). */
int scry_linux_file_path(const struct scry_linux *l, struct scry_vspace *ks, uint64_t task,
                         uint64_t filp, char *out, size_t cap, size_t *len);

/* LinuxUtilities.get_path_mnt: the path of the mount whose vfsmount is at
 * vfsmnt (its mnt_root up through the mount tree), relative to the task's
 * root; same buffer rules, bounds and return value as
 * scry_linux_file_path. */
int scry_linux_mount_path(const struct scry_linux *l, struct scry_vspace *ks, uint64_t task,
                          uint64_t vfsmnt, char *out, size_t cap, size_t *len);

/* dentry.path() (the kernel's __dentry_path): "/" + the names up to the
 * dentry that is its own parent, joined by "/" (names not stripped, an
 * unreadable one ""). A d_parent that cannot be read ends the path there
 * (Volatility would raise), a chain past 4096 components is cut; both
 * return 0, else 1. Same buffer rules as scry_linux_file_path. */
int scry_linux_dentry_path(const struct scry_linux *l, struct scry_vspace *ks, uint64_t dentry,
                           char *out, size_t cap, size_t *len);

#endif
