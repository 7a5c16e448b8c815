/* budget.h - a memory budget shared by caches (placeholder until the
 * phys-budget branch lands; same interface). */
#ifndef SCRY_BASE_BUDGET_H
#define SCRY_BASE_BUDGET_H

#include <stdatomic.h>
#include <stdint.h>

struct scry_budget {
    _Atomic uint64_t used;
    uint64_t limit;
    _Atomic uint64_t peak;
};

void scry_budget_init(struct scry_budget *b, uint64_t limit_bytes);
int scry_budget_take(struct scry_budget *b, uint64_t n);
void scry_budget_give(struct scry_budget *b, uint64_t n);
uint64_t scry_budget_used(const struct scry_budget *b);

#endif
