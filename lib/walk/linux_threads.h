/* linux_threads.h - every task, threads included, on kernels of either
 * thread layout: task->thread_group (< 6.7) or signal->thread_head /
 * task->thread_node (>= 6.7), as Volatility's list_tasks(include_threads)
 * walks them.
 *
 * A stop-gap: scry_linux_walk_tasks covers only thread_group today; when
 * it learns thread_head, this becomes a call to it. */
#ifndef SCRY_WALK_LINUX_THREADS_H
#define SCRY_WALK_LINUX_THREADS_H

#include "lib/walk/linux_tasks.h"

/* Bounded list walks in Volatility's order: each process on init_task.tasks,
 * then its other threads in list order (the leader not repeated, each task
 * once). With thread_group, this is scry_linux_walk_tasks(l, op, 1, ...).
 * With thread_head, a thread list that cannot start or ends early (an
 * unreadable or NULL link, a repeat that is not the head, more than
 * op->max_entries entries) is a WARNING; an unreadable thread is skipped
 * (INFO for NODATA, else WARNING). Errors: scry_linux_walk_tasks's, and
 * SCRY_ERR_UNSUPPORTED when the ISF has neither layout. */
scry_status scry_linux_walk_all_tasks(const struct scry_linux *l, struct scry_op *op,
                                      scry_task_fn fn, void *user);

#endif
