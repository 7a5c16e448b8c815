/* fuzz_lime.c - libFuzzer harness for the LiME reader through format
 * detection. Inputs another probe would claim are skipped so the time goes
 * to the LiME parser; the invariants of every scry_phys are checked. */
#include <stdlib.h>
#include <string.h>

#include "lib/phys.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Runs sorted, disjoint, non-empty and not wrapping; reads agree with
 * direct(); holes are counted exactly. A violation aborts (a finding). */
static void exercise(struct scry_phys *p)
{
    static uint8_t buf[3 * 4096];
    for (size_t i = 0; i < p->nruns; i++) {
        const struct scry_run *r = &p->runs[i];
        if (!r->len || r->len > UINT64_MAX - r->start)
            abort();
        if (i && r->start < p->runs[i - 1].start + p->runs[i - 1].len)
            abort();
    }
    for (size_t i = 0; i < p->nruns && i < 8; i++) {
        const struct scry_run *r = &p->runs[i];
        uint64_t pas[3] = {r->start, r->start + r->len / 2, r->start + r->len - 1};
        for (int k = 0; k < 3; k++) {
            uint64_t pa = pas[k] > 100 ? pas[k] - 100 : 0;
            size_t holes = 0, len = sizeof buf;
            const uint8_t *d;
            if (scry_phys_read(p, pa, buf, len, &holes) != SCRY_OK || holes > len)
                abort();
            d = p->ops->direct ? p->ops->direct(p, pas[k], 1) : NULL;
            if (d && *d != buf[pas[k] - pa])
                abort();
        }
    }
    {
        /* Across the top of the address space: past it nothing is present,
         * below it a run may reach UINT64_MAX - 1. */
        const uint64_t lo = UINT64_MAX - 64;
        size_t holes = 0, present = 0;
        for (size_t i = 0; i < p->nruns; i++) {
            const struct scry_run *r = &p->runs[i];
            uint64_t s = r->start > lo ? r->start : lo, e = r->start + r->len;
            if (e > s)
                present += (size_t)(e - s);
        }
        if (scry_phys_read(p, lo, buf, 200, &holes) != SCRY_OK || holes != 200 - present)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct scry_file *f = NULL;
    struct scry_phys *p = NULL;
    size_t head = size < 4096 ? size : 4096;
    if (!scry_format_lime.probe(data, head, size))
        return 0;
    if (scry_file_from_memory(data, size, "fuzz.lime", &f) != SCRY_OK)
        return 0;
    scry_err_clear();
    if (scry_phys_open_file(f, &p) != SCRY_OK) {
        if (!*scry_last_error())
            abort(); /* every failure must explain itself */
        scry_file_close(f);
        return 0;
    }
    exercise(p);
    scry_phys_close(p);
    return 0;
}
