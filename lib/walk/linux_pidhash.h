/* linux_pidhash.h - the tasks of the PID table, as Volatility's
 * linux.pidhashtable finds them: every struct pid in init_pid_ns.idr (an
 * xarray on kernels >= 4.20) and the task its PIDTYPE_PID list starts
 * with. */
#ifndef SCRY_WALK_LINUX_PIDHASH_H
#define SCRY_WALK_LINUX_PIDHASH_H

#include <stddef.h>
#include <stdint.h>

#include "lib/base/op.h"
#include "lib/os/linux.h"
#include "lib/walk/linux_tasks.h"

/* The tasks, sorted by (tgid, pid) as Volatility sorts them (stable: equal
 * keys keep the tree's order). *out is malloc'd (free it), *n its count.
 *
 * Volatility's rules: entries are the tree's non-zero leaf slots whose two
 * low bits are clear (the root itself when it is not a node); an entry's
 * pid.tasks[PIDTYPE_PID].first must be non-NULL and point to readable
 * memory; the task (first - task_struct.pid_links) must have pid > 0 and a
 * parent whose whole task_struct is readable. A task whose fields cannot be
 * read is skipped (INFO for NODATA, else WARNING; Volatility would raise).
 *
 * The tree is walked by scry_linux_xarray_walk ("PID table"), with its
 * bounds and warnings; at most op->max_entries entries (SCRY_MAX_TASKS by
 * default).
 * Errors: SCRY_ERR_UNSUPPORTED naming what is missing when the ISF has no
 * pid_namespace.idr kept in an xarray (the radix tree of 4.15-4.19 and the
 * pid_hash of older kernels are not supported); SCRY_ERR_NOT_FOUND for
 * another missing field or init_pid_ns; SCRY_ERR_NOMEM; SCRY_ERR_CANCELLED.
 * op may be NULL. */
scry_status scry_linux_pidhash_tasks(const struct scry_linux *l, struct scry_op *op,
                                     struct scry_linux_task **out, size_t *n);

#endif
