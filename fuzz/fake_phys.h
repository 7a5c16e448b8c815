/* fake_phys.h - a physical layer over a fuzz input's bytes (one run;
 * beyond it a hole), with an optional range of pages that cannot be
 * decoded, with or without zero-copy access: what the paging and YARA
 * harnesses walk and scan. */
#ifndef SCRY_FUZZ_FAKE_PHYS_H
#define SCRY_FUZZ_FAKE_PHYS_H

#include <stdint.h>
#include <string.h>

#include "formats/phys.h"
#include "lib/base/error.h"

struct fphys {
    struct scry_phys base;
    const uint8_t *mem;
    size_t size;
    uint64_t bad_lo, bad_hi;
    struct scry_run run; /* base.runs, when a harness sets it */
};

static int touches_bad(const struct fphys *f, uint64_t pa, size_t len)
{
    return len && pa < f->bad_hi && pa + len > f->bad_lo;
}

static scry_status f_read(struct scry_phys *p, uint64_t pa, void *buf, size_t len, size_t *holes)
{
    struct fphys *f = (struct fphys *)p;
    uint8_t *out = buf;
    size_t h = 0;
    if (touches_bad(f, pa, len))
        return scry_err(SCRY_ERR_CORRUPT, "pfn 0x%llx: undecodable",
                        (unsigned long long)(pa >> 12));
    for (size_t i = 0; i < len; i++) {
        uint64_t a = pa + i;
        if (a >= pa && a < f->size) {
            out[i] = f->mem[a];
        } else {
            out[i] = 0;
            h++;
        }
    }
    if (holes)
        *holes = h;
    return SCRY_OK;
}

static const uint8_t *f_direct(struct scry_phys *p, uint64_t pa, size_t len)
{
    struct fphys *f = (struct fphys *)p;
    if (pa > f->size || len > f->size - pa || touches_bad(f, pa, len))
        return NULL;
    return f->mem + pa;
}

static const struct scry_phys_ops ops_direct = {f_read, f_direct, NULL};
static const struct scry_phys_ops ops_plain = {f_read, NULL, NULL};

/* f over mem[0, size) as one run, with or without zero-copy access. */
static inline void fphys_over(struct fphys *f, const uint8_t *mem, size_t size, int direct)
{
    memset(f, 0, sizeof *f);
    f->base.ops = direct ? &ops_direct : &ops_plain;
    f->mem = mem;
    f->size = size;
    f->run = (struct scry_run){0, size};
    f->base.runs = &f->run;
    f->base.nruns = 1;
}

#endif
