/* budget.c - placeholder until the phys-budget branch lands. */
#include "lib/base/budget.h"

void scry_budget_init(struct scry_budget *b, uint64_t limit_bytes)
{
    atomic_init(&b->used, 0);
    atomic_init(&b->peak, 0);
    b->limit = limit_bytes;
}

int scry_budget_take(struct scry_budget *b, uint64_t n)
{
    if (!b)
        return 1;
    uint64_t cur = atomic_load(&b->used);
    do {
        if (n > b->limit || cur > b->limit - n)
            return 0;
    } while (!atomic_compare_exchange_weak(&b->used, &cur, cur + n));
    uint64_t peak = atomic_load(&b->peak);
    while (cur + n > peak && !atomic_compare_exchange_weak(&b->peak, &peak, cur + n))
        ;
    return 1;
}

void scry_budget_give(struct scry_budget *b, uint64_t n)
{
    if (b)
        atomic_fetch_sub(&b->used, n);
}

uint64_t scry_budget_used(const struct scry_budget *b)
{
    return b ? atomic_load((_Atomic uint64_t *)&b->used) : 0;
}
