/* fuzz_paging.c - page-table walks over an arbitrary physical image.
 *
 * Input layout: a 48-byte header, then the physical memory image.
 *   [0]      paging mode (mod 4)
 *   [1]      flags: bit 0 hides ops->direct, bit 1 enables a corrupt range
 *   [2..3]   corrupt range: page index and page count in the image
 *   [4..7]   read length for read_pad (mod 3 pages)
 *   [8..15]  dtb
 *   [16..47] four virtual addresses (each also tried masked and canonical)
 * Beyond the image is a hole, so tables pointing anywhere are exercised.
 * Besides "never crash", it checks that the TLB agrees with a fresh walk
 * and that the upper, ignored, address bits really are ignored. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/vspace/vspace.h"

struct fphys {
    struct scry_phys base;
    const uint8_t *mem;
    size_t size;
    uint64_t bad_lo, bad_hi;
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

static uint64_t le64(const uint8_t *b)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | b[i];
    return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const enum scry_paging modes[] = {SCRY_PAGING_X86, SCRY_PAGING_PAE, SCRY_PAGING_X86_64,
                                             SCRY_PAGING_LA57};
    static const scry_translate_fn fns[] = {scry_translate_x86, scry_translate_pae,
                                            scry_translate_x86_64, scry_translate_la57};
    enum { HDR = 48 };
    static uint8_t buf[3 * 4096];
    struct fphys f;
    struct scry_vspace vs;

    if (size < HDR)
        return 0;
    unsigned mi = data[0] % 4;
    memset(&f, 0, sizeof f);
    f.base.ops = data[1] & 1 ? &ops_plain : &ops_direct;
    f.mem = data + HDR;
    f.size = size - HDR;
    if (data[1] & 2) {
        f.bad_lo = (uint64_t)data[2] * 4096;
        f.bad_hi = f.bad_lo + ((uint64_t)data[3] + 1) * 4096;
    }
    size_t rlen = (size_t)(le64(data + 4) & 0xffffffffu) % sizeof buf;
    uint64_t dtb = le64(data + 8);

    if (scry_vspace_init(&vs, &f.base, modes[mi], dtb) != SCRY_OK)
        __builtin_trap();
    uint64_t mask = scry_vspace_mask(&vs);

    for (int k = 0; k < 4; k++) {
        uint64_t va = le64(data + 16 + 8 * k);
        /* The masked form and the sign-extended canonical form. */
        uint64_t forms[3] = {va, va & mask, va & mask};
        if (vs.va_bits < 64 && (va >> (vs.va_bits - 1)) & 1)
            forms[2] |= ~mask;
        uint64_t pa0 = 0, sz0 = 0;
        scry_status st0 = fns[mi](&f.base, dtb, va, &pa0, &sz0);
        if (st0 == SCRY_OK && sz0 != 4096 && sz0 != 0x200000 && sz0 != 0x400000 &&
            sz0 != 0x40000000)
            __builtin_trap();
        for (int j = 0; j < 3; j++) {
            uint64_t pa = 0, sz = 0;
            scry_status st = fns[mi](&f.base, dtb, forms[j], &pa, &sz);
            if (st != st0 || (st == SCRY_OK && pa != pa0))
                __builtin_trap();
            /* Twice: the second answer may come from the TLB. */
            for (int rep = 0; rep < 2; rep++) {
                st = scry_vspace_translate(&vs, forms[j], &pa);
                if (st != st0 || (st == SCRY_OK && pa != pa0))
                    __builtin_trap();
            }
        }

        size_t missing = 0;
        scry_status sp = scry_vspace_read_pad(&vs, va, buf, rlen, &missing);
        if (sp != SCRY_OK && sp != SCRY_ERR_CORRUPT)
            __builtin_trap();
        if (sp == SCRY_OK && missing > rlen)
            __builtin_trap();
        scry_status sr = scry_vspace_read(&vs, va, buf, rlen);
        /* read succeeds exactly when read_pad found nothing missing. */
        if (sp == SCRY_OK && (sr == SCRY_OK) != (missing == 0))
            __builtin_trap();
        uint64_t v64;
        uint32_t v32;
        (void)scry_vspace_read_u64(&vs, va + 4092, &v64);
        (void)scry_vspace_read_u32(&vs, va, &v32);
    }
    return 0;
}
