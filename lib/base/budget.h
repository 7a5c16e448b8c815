/* budget.h - a byte budget shared by many caches.
 *
 * A library context owns one budget and hands it to every dump it opens;
 * each cache reserves memory from it before it grows and gives it back when
 * it shrinks or is freed, so 64 open dumps cost one budget, not 64. The
 * budget only counts: it allocates nothing, and a cache that is refused
 * reuses memory it already holds instead of growing.
 *
 * Ownership: the budget belongs to whoever created it (a library context,
 * a test); caches borrow it, so it must outlive every cache that charges it.
 *
 * Thread-safety: take, give and used are lock-free (C11 atomics) and may be
 * called from any number of threads at once, for any caches. init must run
 * before the budget is shared. */
#ifndef SCRY_BUDGET_H
#define SCRY_BUDGET_H

#include <stdint.h>

struct scry_pagepool;

struct scry_budget {
    _Atomic uint64_t used; /* bytes reserved now                  */
    uint64_t limit;        /* bytes; fixed after init              */
    _Atomic uint64_t peak; /* the highest `used` ever reached      */
    /* Where the caches charging this budget take and return their page
     * buffers (lib/base/pagepool.h); NULL (after init): malloc and free.
     * Borrowed; set before the budget is shared. */
    struct scry_pagepool *pool;
};

/* Starts an empty budget of limit_bytes (0 refuses every non-empty take). */
void scry_budget_init(struct scry_budget *b, uint64_t limit_bytes);
/* Reserves n bytes: 1 when reserved, 0 (nothing reserved) when used + n
 * would pass the limit. A NULL budget always grants. */
int scry_budget_take(struct scry_budget *b, uint64_t n);
/* Returns n bytes an earlier take reserved. A NULL budget ignores it. */
void scry_budget_give(struct scry_budget *b, uint64_t n);
/* Bytes reserved now (0 for a NULL budget); a snapshot that may be stale as
 * soon as it is read when other threads take and give. */
uint64_t scry_budget_used(const struct scry_budget *b);

#endif
