/* budget.c - a lock-free byte budget (see budget.h).
 *
 * The counters publish no other data (a cache's pages are guarded by the
 * cache's own locks), so relaxed atomics suffice: all that matters is that
 * every take sees and updates one consistent `used`, which the
 * compare-and-swap guarantees. */
#include "lib/base/budget.h"

#include <stdatomic.h>
#include <stddef.h>

void scry_budget_init(struct scry_budget *b, uint64_t limit_bytes)
{
    atomic_init(&b->used, 0);
    atomic_init(&b->peak, 0);
    b->limit = limit_bytes;
    b->pool = NULL;
}

int scry_budget_take(struct scry_budget *b, uint64_t n)
{
    uint64_t cur, want, peak;
    if (!b)
        return 1;
    cur = atomic_load_explicit(&b->used, memory_order_relaxed);
    do {
        /* cur <= limit always holds, so limit - cur cannot wrap. */
        if (n > b->limit - cur)
            return 0;
        want = cur + n;
    } while (!atomic_compare_exchange_weak_explicit(&b->used, &cur, want, memory_order_relaxed,
                                                    memory_order_relaxed));
    peak = atomic_load_explicit(&b->peak, memory_order_relaxed);
    while (want > peak && !atomic_compare_exchange_weak_explicit(
                              &b->peak, &peak, want, memory_order_relaxed, memory_order_relaxed))
        ;
    return 1;
}

void scry_budget_give(struct scry_budget *b, uint64_t n)
{
    if (b)
        atomic_fetch_sub_explicit(&b->used, n, memory_order_relaxed);
}

uint64_t scry_budget_used(const struct scry_budget *b)
{
    /* C11's atomic_load takes a non-const pointer in older compilers'
     * headers; the cast only drops the qualifier for the read. */
    return b ? atomic_load_explicit((_Atomic uint64_t *)&b->used, memory_order_relaxed) : 0;
}
