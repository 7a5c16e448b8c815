/* fuzz_kdump_flat.c - libFuzzer harness for the flattened kdump reader.
 *
 * Opens the input as a flattened kdump, reads every present page (bounded)
 * plus a few reads that straddle pages and runs, and closes. Seed with
 * flattened copies of the kdump-peer files (flat-mixed.kdump is one). */
#include <stddef.h>
#include <stdint.h>

#include "lib/phys.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Enough to cover every page of the seeds while keeping each run fast. */
enum { MAX_PAGES = 4096 };

static void exercise(struct scry_phys *p)
{
    static uint8_t buf[3 * SCRY_PAGE_SIZE];
    size_t pages = 0, holes;
    for (size_t i = 0; i < p->nruns && pages < MAX_PAGES; i++) {
        const struct scry_run *r = &p->runs[i];
        for (uint64_t off = 0; off < r->len && pages < MAX_PAGES; off += SCRY_PAGE_SIZE) {
            scry_phys_read(p, r->start + off, buf, SCRY_PAGE_SIZE, &holes);
            if (p->ops->direct)
                p->ops->direct(p, r->start + off + 8, 64);
            pages++;
        }
        /* Across the run's start and end: hole and page in one read. */
        if (r->start >= SCRY_PAGE_SIZE)
            scry_phys_read(p, r->start - SCRY_PAGE_SIZE + 100, buf, 2 * SCRY_PAGE_SIZE, &holes);
        scry_phys_read(p, r->start + r->len - 100, buf, sizeof buf, &holes);
    }
    scry_phys_read(p, UINT64_MAX - 50, buf, 100, &holes);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct scry_file *f;
    struct scry_phys *p = NULL;
    if (scry_file_from_memory(data, size, "fuzz.kdump-flat", &f) != SCRY_OK)
        return 0;
    if (scry_format_kdump_flat.open(f, &p) != SCRY_OK) {
        scry_file_close(f);
        return 0;
    }
    exercise(p);
    p->ops->close(p);
    return 0;
}
