/* linux_tasks.h - the Linux task list, as Volatility's list_tasks walks it. */
#ifndef SCRY_WALK_LINUX_TASKS_H
#define SCRY_WALK_LINUX_TASKS_H

#include <stdint.h>

#include "lib/base/op.h"
#include "lib/os/linux.h"

/* Default bound on the entries of one list walk (op->max_entries
 * overrides it): far above any real system (PID_MAX_LIMIT is 4M), low
 * enough to bound a crafted list. */
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
    int listed_as_thread;          /* came from a thread-list walk        */
};

/* Reads the task at addr through vs. Errors: SCRY_ERR_NODATA (a page not in
 * the dump), SCRY_ERR_CORRUPT (a page that cannot be decoded). A parent
 * that cannot be read is not an error: parent_ok stays 0 and *parent_st
 * (may be NULL) says why. */
scry_status scry_linux_task_read(const struct scry_linux *l, struct scry_vspace *vs, uint64_t addr,
                                 struct scry_linux_task *t, scry_status *parent_st);

/* Return non-zero to stop the walk. */
typedef int (*scry_task_fn)(void *user, const struct scry_linux_task *t);

/* Calls fn for each task on init_task.tasks (init_task itself excluded), in
 * list order; with threads, each task's other threads follow it in
 * thread-list order (signal->thread_head when the ISF has it, else
 * thread_group, as Volatility chooses). A bounded, diagnosed answer on damaged memory:
 *  - the walk ends at the head (normal), or early - an unreadable link, a
 *    NULL link, a link seen before that is not the head, or more than
 *    op->max_entries entries - each early end a WARNING on op (the list is
 *    certainly incomplete), the innermost cause included;
 *  - a task whose fields cannot be read is skipped: INFO when its page is
 *    not in the dump (NODATA), a WARNING when damaged (CORRUPT);
 *  - a parent that cannot be read leaves parent_ok 0 (PPID 0), with an
 *    INFO (NODATA) or WARNING diagnostic.
 * Progress ticks once per entry; a cancel from the callback ends the walk
 * with SCRY_ERR_CANCELLED. Errors: SCRY_ERR_NOMEM, SCRY_ERR_CANCELLED,
 * SCRY_ERR_UNSUPPORTED (threads asked for and the ISF has no thread list:
 * neither signal_struct.thread_head nor task_struct.thread_group). A task
 * whose signal pointer cannot be read or is NULL loses its threads, with a
 * WARNING. op may be NULL. */
scry_status scry_linux_walk_tasks(const struct scry_linux *l, struct scry_op *op, int threads,
                                  scry_task_fn fn, void *user);

/* The address space of a task's mm (Volatility's add_process_layer): the
 * kernel's paging mode with mm->pgd translated to physical as the DTB.
 * Errors: SCRY_ERR_NODATA when mm->pgd cannot be read or translated. */
scry_status scry_linux_process_vspace(const struct scry_linux *l, struct scry_vspace *kernel,
                                      uint64_t mm, struct scry_vspace *out);

/* comm as Volatility prints it: UTF-8 with replacement, cut at the first
 * NUL. out holds at least 49 bytes; returns the length. */
size_t scry_linux_comm(const uint8_t comm[16], char *out);

#endif
