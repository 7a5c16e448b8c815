/* phys_checks.h - what every format harness does with an input: open it
 * through format detection (inputs another probe would claim are skipped,
 * so the time goes to the reader under test) and check the invariants every
 * scry_phys must keep. A violation aborts: that is a finding. */
#ifndef SCRY_FUZZ_PHYS_CHECKS_H
#define SCRY_FUZZ_PHYS_CHECKS_H

#include <stdlib.h>
#include <string.h>

#include "formats/phys.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Enough to cover every page of the seeds while keeping each input fast. */
enum { FUZZ_MAX_PAGES = 1024 };

/* Runs sorted, disjoint, non-empty and not wrapping; every present page
 * reads (a decode error is allowed, a crash is not); direct() agrees with
 * read(); holes are counted exactly at the top of the address space. */
static void fuzz_check_phys(struct scry_phys *p)
{
    static uint8_t buf[SCRY_DIRECT_MIN + 2 * SCRY_PAGE_SIZE];
    size_t pages = 0, holes;
    for (size_t i = 0; i < p->nruns; i++) {
        const struct scry_run *r = &p->runs[i];
        if (!r->len || r->len > UINT64_MAX - r->start)
            abort();
        if (i && r->start < p->runs[i - 1].start + p->runs[i - 1].len)
            abort();
    }
    for (size_t i = 0; i < p->nruns && pages < FUZZ_MAX_PAGES; i++) {
        const struct scry_run *r = &p->runs[i];
        for (uint64_t off = 0; off < r->len && pages < FUZZ_MAX_PAGES; off += SCRY_PAGE_SIZE) {
            holes = 0;
            if (scry_phys_read(p, r->start + off, buf, SCRY_PAGE_SIZE, &holes) == SCRY_OK &&
                holes > SCRY_PAGE_SIZE)
                abort();
            pages++;
        }
        /* Across the run's start and end: hole and data in one read. */
        if (r->start >= SCRY_PAGE_SIZE)
            scry_phys_read(p, r->start - SCRY_PAGE_SIZE + 100, buf, 2 * SCRY_PAGE_SIZE, &holes);
        scry_phys_read(p, r->start + r->len - 100, buf, 3 * SCRY_PAGE_SIZE, &holes);
        if (p->ops->direct && r->len >= SCRY_DIRECT_MIN) {
            const uint8_t *d = p->ops->direct(p, r->start, SCRY_DIRECT_MIN);
            if (d && (scry_phys_read(p, r->start, buf, SCRY_DIRECT_MIN, &holes) != SCRY_OK ||
                      holes || memcmp(d, buf, SCRY_DIRECT_MIN) != 0))
                abort();
        }
    }
    {
        /* Past the top nothing is present; below it a run may reach
         * UINT64_MAX - 1. */
        const uint64_t lo = UINT64_MAX - 64;
        size_t present = 0;
        for (size_t i = 0; i < p->nruns; i++) {
            const struct scry_run *r = &p->runs[i];
            uint64_t s = r->start > lo ? r->start : lo, e = r->start + r->len;
            if (e > s)
                present += (size_t)(e - s);
        }
        holes = 0;
        if (scry_phys_read(p, lo, buf, 200, &holes) == SCRY_OK && holes != 200 - present)
            abort();
    }
}

/* The whole harness for the reader `fmt`. */
static int fuzz_phys_input(const struct scry_format *fmt, const uint8_t *data, size_t size)
{
    struct scry_file *f = NULL;
    struct scry_phys *p = NULL;
    size_t head = size < 4096 ? size : 4096;
    for (size_t i = 0; scry_formats[i] && scry_formats[i] != fmt; i++)
        if (scry_formats[i]->probe(data, head, size))
            return 0; /* an earlier format would claim it */
    if (!fmt->probe(data, head, size) || scry_file_from_memory(data, size, fmt->name, &f) != SCRY_OK)
        return 0;
    scry_err_clear();
    if (scry_phys_open_file(f, NULL, &p) != SCRY_OK) {
        if (!*scry_last_error())
            abort(); /* every failure must explain itself */
        scry_file_close(f);
        return 0;
    }
    if (strcmp(p->info.format, fmt->name) != 0)
        abort();
    fuzz_check_phys(p);
    scry_phys_close(p);
    return 0;
}

#endif
