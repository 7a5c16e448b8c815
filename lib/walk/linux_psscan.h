/* linux_psscan.h - task_structs found by scanning physical memory, as
 * Volatility's linux.psscan finds them: every place that holds the address
 * of a scheduling class (a task's sched_class pointer), read as the task
 * around it. */
#ifndef SCRY_WALK_LINUX_PSSCAN_H
#define SCRY_WALK_LINUX_PSSCAN_H

#include <stdint.h>

#include "lib/base/op.h"
#include "lib/os/linux.h"

/* Volatility's exit_state names (DescExitStateEnum): a candidate whose
 * exit_state is none of these is not a task. */
#define SCRY_EXIT_DEAD 0x10
#define SCRY_EXIT_ZOMBIE 0x20

/* One candidate that passed Volatility's checks. */
struct scry_psscan_task {
    uint64_t pa;            /* physical address of the task_struct        */
    int32_t pid, tgid;
    int32_t exit_state;     /* 0, EXIT_DEAD, EXIT_ZOMBIE or both          */
    uint8_t comm[16];       /* raw bytes                                  */
    int parent_ok;          /* parent readable: ppid is its tgid, else 0  */
    int32_t ppid;
};

/* Return non-zero to stop the scan. */
typedef int (*scry_psscan_fn)(void *user, const struct scry_psscan_task *t);

/* Calls fn, in ascending physical order, for every place in physical
 * memory that holds the address of a `*_sched_class` symbol (as 8 bytes,
 * or 4 on 32-bit paging; at any byte alignment) where the task_struct
 * around it (at the hit minus task_struct.sched_class) has an exit_state
 * Volatility names and 0 < pid < 65535. The task's fields are read
 * physically, its parent through the kernel's page tables: a parent
 * pointer whose whole task_struct does not translate gives ppid 0, as
 * Volatility's is_readable test does.
 *
 * Speed: one pass over memory with an SSE2 filter on two bytes every
 * needle shares (bytes 2 and 3 of the addresses, which KASLR makes rare
 * in data), then an exact compare at each candidate. Undecodable pages
 * (kdump) are searched as zeros and counted in one WARNING; a candidate
 * whose fields cannot be read is skipped with an INFO (Volatility would
 * raise). Errors: SCRY_ERR_NOT_FOUND (message names it) when the ISF has
 * no task_struct.sched_class, exit_state or no scheduling class symbol;
 * SCRY_ERR_NOMEM; SCRY_ERR_CANCELLED; what the physical layer reports. */
scry_status scry_linux_psscan(const struct scry_linux *l, struct scry_op *op, scry_psscan_fn fn,
                              void *user);

/* Finds every pa in buf[0, n) where one of the k needles (each nlen bytes,
 * nlen 4 or 8) starts, reading up to nlen - 1 bytes past n (buf holds at
 * least n + ext bytes, ext < nlen; a needle must fit in n + ext). Exposed
 * for the unit test against a plain search. Calls hit(user, offset) in
 * ascending order; stops when it returns non-zero (returns 1 then). */
int scry_psscan_search(const uint8_t *buf, size_t n, size_t ext, const uint8_t (*needles)[8],
                       unsigned k, unsigned nlen, int (*hit)(void *, size_t), void *user);

#endif
