/* op.h - what one running operation (a plugin run, a detection) carries
 * through every layer below it: a diagnostics list, a progress callback
 * and cancellation.
 *
 * Why in base: walkers and detection must tell "not there" (an unmapped or
 * filtered page) from "damaged" (a page that cannot be decoded) and say so,
 * and a long walk must stop when the caller asks; both are needed below the
 * plugin layer, so the carrier lives where every layer may include it.
 *
 * Thread-safety: an op belongs to one run on one thread. */
#ifndef SCRY_BASE_OP_H
#define SCRY_BASE_OP_H

#include <stddef.h>
#include <stdint.h>

#include "lib/base/error.h"

/* One diagnostic: an early stop or a skipped entry, with its reason. The
 * message ends with the innermost cause ("...: PFN 0x121d: zlib
 * decompression failed: incorrect header check"). */
struct scry_diag {
    scry_diag_level level;
    scry_status status;
    char *message; /* owned */
};

/* Diagnostics kept are bounded (a hostile dump can make every entry fail);
 * past the bound they are counted, and `partial` still records a warning. */
struct scry_diags {
    struct scry_diag *v;
    size_t n, cap;
    size_t max;        /* entries kept; 0 = SCRY_DIAGS_DEFAULT_MAX */
    size_t dropped;    /* diagnostics counted but not kept        */
    int partial;       /* at least one warning was reported       */
};

#define SCRY_DIAGS_DEFAULT_MAX 1000

/* Adds a diagnostic (printf format). Out of memory, the diagnostic is
 * counted as dropped; `partial` is set for warnings either way. */
void scry_diags_add(struct scry_diags *d, scry_diag_level level, scry_status st, const char *fmt,
                    ...) SCRY_PRINTF(4, 5);
/* Appends "N more diagnostics were not kept" when any were dropped; call
 * once when the run is over. */
void scry_diags_finish(struct scry_diags *d);
void scry_diags_free(struct scry_diags *d);

/* Progress: units done of total (0 = total unknown). Return non-zero to
 * cancel the run. */
typedef int (*scry_op_progress_fn)(void *user, uint64_t done, uint64_t total);

struct scry_op {
    struct scry_diags *diags;   /* may be NULL: diagnostics are dropped */
    scry_op_progress_fn progress; /* may be NULL */
    void *progress_user;
    uint64_t interval_ns;       /* least time between two progress calls */
    uint64_t last_ns;           /* when progress was last called, 0 never */
    uint32_t ticks;
    uint64_t max_entries;       /* bound on one kernel list; 0 = default  */
    int cancelled;
};

/* Default least interval between progress calls: the callback may cross
 * into managed code (PowerShell), so it is rate-bounded, not per entry. */
#define SCRY_OP_PROGRESS_NS 50000000ull /* 50 ms */

/* The level a failure of a non-critical read gets: "not there" (NODATA:
 * an unmapped or filtered page, normal in smeared captures and filtered
 * dumps) is informational; anything else (CORRUPT, NOMEM, LIMIT) makes
 * the result partial. */
static inline scry_diag_level scry_diag_level_for(scry_status st)
{
    return st == SCRY_ERR_NODATA ? SCRY_DIAG_INFO : SCRY_DIAG_WARNING;
}

/* Reports a diagnostic on op (NULL op: nothing). The message is fmt, then
 * ": " and the calling thread's last error (the innermost cause). */
void scry_op_report(struct scry_op *op, scry_diag_level level, scry_status st, const char *fmt,
                    ...) SCRY_PRINTF(4, 5);
/* The same for what has no inner cause (a loop found, a bound reached):
 * the message is fmt alone. */
void scry_op_say(struct scry_op *op, scry_diag_level level, scry_status st, const char *fmt, ...)
    SCRY_PRINTF(4, 5);

/* Tells the caller how far the run is; calls the progress callback at
 * most once per interval (always on the first call and when done ==
 * total). Returns non-zero once the caller has asked to cancel; the
 * caller then stops and returns scry_op_cancelled(). */
int scry_op_tick_slow(struct scry_op *op, uint64_t done, uint64_t total);
/* The fast path inline: walkers tick once per entry, and most runs have
 * no progress callback at all. */
static inline int scry_op_tick(struct scry_op *op, uint64_t done, uint64_t total)
{
    if (!op || (!op->progress && !op->cancelled))
        return 0;
    return scry_op_tick_slow(op, done, total);
}
/* For callers that tick per unit of real work (a MiB scanned, a region),
 * not per list entry: the clock is read on every call, so progress and
 * cancellation are as timely as the work allows. Same result as
 * scry_op_tick. */
int scry_op_tick_coarse(struct scry_op *op, uint64_t done, uint64_t total);
/* SCRY_ERR_CANCELLED with its message. */
scry_status scry_op_cancelled(void);

#endif
