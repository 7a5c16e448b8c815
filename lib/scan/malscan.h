/* malscan.h - memscry's malware scan: YARA rules over the regions where
 * code hides (quick) or over everything (full).
 *
 * Two steps, so that progress has a total before the first byte is read:
 *   1. the OS's region collector (lib/plugins/malscan_<os>.c: it walks
 *      that OS's processes, so it lives above the walkers, and the plugin
 *      keeps the table of them) lists the regions of the chosen mode with
 *      the space each is read through;
 *   2. the driver scans each region as one stream of bytes (lib/scan/yara.h:
 *      overlapping windows, so a match straddling two physically
 *      non-adjacent pages is found) and, in full mode, the physical layer.
 *
 * Modes (documented for users in the plugin's help and docs/DESIGN.md):
 *   quick - of every user process: executable regions, and anonymous
 *           (private) writable ones (heap, stack, anonymous mmap, injected
 *           buffers); plus every loaded kernel module's memory;
 *   full  - every region of every process, plus all of physical memory. */
#ifndef SCRY_SCAN_MALSCAN_H
#define SCRY_SCAN_MALSCAN_H

#include <stddef.h>
#include <stdint.h>

#include "lib/base/op.h"
#include "lib/os/os.h"
#include "lib/scan/yara.h"

/* The modes: scry_scan_mode (memscry.h), SCRY_SCAN_QUICK and SCRY_SCAN_FULL. */

enum scry_region_kind {
    SCRY_REGION_PROCESS = 0, /* a VMA / VAD of a process */
    SCRY_REGION_MODULE,      /* a loaded kernel module's memory */
    SCRY_REGION_PHYSICAL     /* physical memory (full mode) */
};

/* One region to scan. Strings are owned by the region list. */
struct scry_scan_region {
    enum scry_region_kind kind;
    int64_t pid;          /* process regions; -1 otherwise */
    const char *owner;    /* process name, module name, or "" */
    const char *name;     /* VMA name / VAD file / module path, or "" */
    char prot[8];         /* "rwx"-style, "" when not known */
    uint64_t start, end;  /* [start, end) in the space below */
    enum scry_paging mode;/* the space to read through: mode + dtb */
    uint64_t dtb;
};

struct scry_region_list {
    struct scry_scan_region *v;
    size_t n, cap;
};

/* Appends a copy of r (owner and name duplicated; NULL reads as ""). */
scry_status scry_region_add(struct scry_region_list *l, const struct scry_scan_region *r);
void scry_region_list_free(struct scry_region_list *l);

/* A pid filter: NULL = every process. */
struct scry_pid_filter {
    const int64_t *pids;
    size_t n;
};

/* One OS's collector: appends the regions of `mode` to out. Unreadable
 * processes or regions are diagnosed on op and skipped (a bounded, honest
 * answer), never silently. */
struct scry_malscan_os {
    const char *os; /* scry_os name */
    scry_status (*collect)(const struct scry_profile *p, struct scry_op *op,
                           scry_scan_mode mode, const struct scry_pid_filter *pids,
                           struct scry_region_list *out);
};

/* One hit: where (region, address, physical address when the address
 * translates) and what (rule, string, bytes). Valid during the call. */
struct scry_malscan_hit {
    const struct scry_scan_region *region;
    uint64_t addr;      /* in the region's space (physical for PHYSICAL) */
    int has_phys;
    uint64_t phys;
    const struct scry_yara_hit *yara;
};
typedef int (*scry_malscan_fn)(void *user, const struct scry_malscan_hit *h);

/* Runs the scan of `mode` over profile p's dump with collector c (p's OS).
 * Progress on op in bytes (done / total of every region's size); a cancel
 * ends it with SCRY_ERR_CANCELLED. Errors: the collector's and the scan's. */
scry_status scry_malscan_run(const struct scry_profile *p, const struct scry_malscan_os *c,
                             const struct scry_yara_rules *rules, scry_scan_mode mode,
                             const struct scry_pid_filter *pids, struct scry_op *op,
                             scry_malscan_fn fn, void *user);

#endif
