/* linux.h - the Linux OS profile: a detected kernel and its offsets.
 *
 * Detection (linux_detect.c) finds the banner, the matching ISF, the KASLR
 * shifts, the DTB and the paging mode. Offsets are resolved from the ISF once
 * (linux_profile.c); the walkers (lib/walk/) only use the plain integers. */
#ifndef SCRY_OS_LINUX_H
#define SCRY_OS_LINUX_H

#include <stdint.h>

#include "formats/phys.h"
#include "lib/vspace/vspace.h"

struct scry_symtab;

/* An offset the ISF does not have (optional fields only). */
#define SCRY_LINUX_NO_OFFSET UINT64_MAX

/* Field offsets the walkers need, resolved once from the ISF. */
struct scry_linux_offsets {
    uint64_t list_next;
    uint64_t task_tasks, task_pid, task_tgid, task_comm, task_parent, task_flags, task_mm;
    uint64_t task_thread_group; /* list_head of the thread group, or NO_OFFSET */
    uint64_t task_files;
    uint64_t mm_pgd, mm_arg_start, mm_arg_end, mm_env_start, mm_env_end;
};

struct scry_linux {
    struct scry_symtab *symtab; /* owned */
    char *isf_path;
    char *banner;               /* as found in memory, without "\n\0"     */
    uint64_t virt_shift;        /* added to ISF addresses (KASLR)         */
    uint64_t phys_shift;        /* Volatility's physical kaslr_shift      */
    uint64_t dtb;
    struct scry_vspace kernel;  /* the kernel address space               */
    struct scry_linux_offsets off;
    uint64_t init_task;         /* virtual address, shifted               */
};

/* The physical address Linux's kernel-image mapping gives an ISF address
 * (Volatility's virtual_to_physical_address) plus the physical shift. */
#define SCRY_LINUX_START_KERNEL_MAP 0xffffffff80000000ull

struct scry_session;

/* Finds a Linux kernel in s->dump using s->symdirs; on success s->lnx is
 * set. Errors: SCRY_ERR_NOT_FOUND (no Linux banner in memory),
 * SCRY_ERR_NO_SYMBOLS (banner found, no ISF matches: the message names the
 * banner and the directories searched), SCRY_ERR_CORRUPT. */
scry_status scry_linux_detect(struct scry_session *s);
void scry_linux_free(struct scry_linux *l);

/* Resolves l->off from l->symtab. Errors: SCRY_ERR_NOT_FOUND naming the
 * missing type or field. */
scry_status scry_linux_resolve_offsets(struct scry_linux *l);

#endif
