/* linux_tasks.h - the Linux task list, as Volatility's list_tasks walks it. */
#ifndef SCRY_WALK_LINUX_TASKS_H
#define SCRY_WALK_LINUX_TASKS_H

#include <stdint.h>

#include "lib/os/linux.h"

/* Upper bound on tasks one walk yields: far above any real system
 * (PID_MAX_LIMIT is 4M), low enough to bound a crafted list. */
#define SCRY_MAX_TASKS (1u << 22)

#define SCRY_PF_KTHREAD 0x00200000u

/* What the task plugins read of one task_struct. */
struct scry_linux_task {
    uint64_t addr; /* task_struct virtual address (unmasked) */
    int32_t pid, tgid;
    uint32_t flags;
    uint64_t mm;
    uint64_t parent;               /* task_struct.parent pointer          */
    int parent_ok;                 /* parent's pid and tgid were readable */
    int32_t parent_pid, parent_tgid;
    uint8_t comm[16];              /* raw bytes                           */
    int listed_as_thread;          /* came from a thread_group walk       */
};

/* Reads the task at addr through vs. Errors: SCRY_ERR_NODATA. */
scry_status scry_linux_task_read(const struct scry_linux *l, struct scry_vspace *vs, uint64_t addr,
                                 struct scry_linux_task *t);

/* Return non-zero to stop the walk. */
typedef int (*scry_task_fn)(void *user, const struct scry_linux_task *t);

/* Calls fn for each task on init_task.tasks (init_task itself excluded), in
 * list order; with threads, each task's other threads follow it in
 * thread_group order. The walk stops at a link seen before, an unreadable
 * link, or SCRY_MAX_TASKS; a task whose fields cannot be read is skipped.
 * Errors: SCRY_ERR_NOMEM, SCRY_ERR_CORRUPT (a page that cannot be decoded). */
scry_status scry_linux_walk_tasks(const struct scry_linux *l, int threads, scry_task_fn fn,
                                  void *user);

/* The address space of a task's mm (Volatility's add_process_layer): the
 * kernel's paging mode with mm->pgd translated to physical as the DTB.
 * Errors: SCRY_ERR_NODATA when mm->pgd cannot be read or translated. */
scry_status scry_linux_process_vspace(const struct scry_linux *l, struct scry_vspace *kernel,
                                      uint64_t mm, struct scry_vspace *out);

/* comm as Volatility prints it: UTF-8 with replacement, cut at the first
 * NUL. out holds at least 49 bytes; returns the length. */
size_t scry_linux_comm(const uint8_t comm[16], char *out);

#endif
