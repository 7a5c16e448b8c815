/* fuzz_paging.c - page-table walks over an arbitrary physical image.
 *
 * Input layout: a 48-byte header, then the physical memory image.
 *   [0]      paging mode (mod 5: x86, pae, x86_64, la57, win_x86_64)
 *   [1]      flags: bit 0 hides ops->direct, bit 1 enables a corrupt range
 *   [2..3]   corrupt range: page index and page count in the image
 *   [4..7]   read length for read_pad (mod 3 pages)
 *   [8..15]  dtb
 *   [16..47] four virtual addresses (each also tried masked and canonical)
 * Beyond the image is a hole, so tables pointing anywhere are exercised.
 * Besides "never crash", it checks that the TLB agrees with a fresh walk
 * and that the upper, ignored, address bits really are ignored. Then it
 * enumerates the whole space with a small entry budget (256 + 64 * [3]),
 * without and with an invalid-PTE hook, checking that the ranges ascend,
 * stay disjoint and coalesced, and translate as reported; and that around
 * each of the four addresses enumeration and translation agree. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fake_phys.h"
#include "lib/vspace/vspace.h"


/* Resolves a not-present PTE with bit 11 set (Windows' transition bit) to
 * the frame it names, as a Windows profile's hook would. */
static scry_status transition_hook(void *user, struct scry_phys *phys, uint64_t va, uint64_t entry,
                                   unsigned level, uint64_t *pa, uint64_t *page_size)
{
    (void)user, (void)phys;
    if (level != SCRY_PTE_LEVEL || (entry & 1) || *page_size != 4096)
        __builtin_trap();
    if (!(entry & 0x800))
        return SCRY_ERR_NODATA;
    *pa = (entry & 0x000ffffffffff000ull) | (va & 0xfff);
    return SCRY_OK;
}

struct ranges {
    struct scry_vspace *vs;
    uint64_t lo, hi;        /* the enumerated [lo, hi) */
    uint64_t va, pa, len;   /* the previous range, len 0 before the first */
    unsigned calls, stop_at;
};

static int check_range(void *user, uint64_t va, uint64_t pa, uint64_t len)
{
    struct ranges *r = user;
    uint64_t got = 0;

    if (!len || va < r->lo || va + len > r->hi || va + len < va)
        __builtin_trap();
    if (r->len && (va < r->va + r->len ||
                   (va == r->va + r->len && pa == r->pa + r->len))) /* order; coalescing */
        __builtin_trap();
    if (scry_vspace_translate(r->vs, va, &got) != SCRY_OK || got != pa)
        __builtin_trap();
    if (scry_vspace_translate(r->vs, va + len - 1, &got) != SCRY_OK || got != pa + len - 1)
        __builtin_trap();
    r->va = va, r->pa = pa, r->len = len;
    return ++r->calls == r->stop_at;
}

/* Enumeration over everything: bounded, in order, as translation says. */
static void check_enumeration(struct scry_vspace *vs, uint64_t max_entries, unsigned stop_at)
{
    struct ranges r = {vs, 0, scry_vspace_mask(vs) + 1, 0, 0, 0, 0, stop_at};
    scry_status st = scry_vspace_enumerate(vs, 0, UINT64_MAX, max_entries, check_range, &r);
    if (st != SCRY_OK && st != SCRY_ERR_LIMIT && st != SCRY_ERR_CORRUPT)
        __builtin_trap();
    if (stop_at && r.calls > stop_at)
        __builtin_trap();
}

/* Around va, enumeration reports exactly the byte translation finds. */
static void check_one_byte(struct scry_vspace *vs, uint64_t va)
{
    uint64_t mva = va & scry_vspace_mask(vs), pa = 0;
    struct ranges r = {vs, mva, mva + 1, 0, 0, 0, 0, 0};
    scry_status st = scry_vspace_translate(vs, mva, &pa);
    scry_status se = scry_vspace_enumerate(vs, mva, mva + 1, 0, check_range, &r);
    if (st == SCRY_OK && (se != SCRY_OK || r.calls != 1 || r.va != mva || r.pa != pa))
        __builtin_trap();
    if (st == SCRY_ERR_NODATA && (se != SCRY_OK || r.calls != 0))
        __builtin_trap();
    if (st != SCRY_OK && st != SCRY_ERR_NODATA && se != st)
        __builtin_trap();
}

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
                                             SCRY_PAGING_LA57, SCRY_PAGING_WIN_X86_64};
    static const scry_translate_fn fns[] = {scry_translate_x86, scry_translate_pae,
                                            scry_translate_x86_64, scry_translate_la57,
                                            scry_translate_win_x86_64};
    enum { HDR = 48 };
    static uint8_t buf[3 * 4096];
    struct fphys f;
    struct scry_vspace vs;

    if (size < HDR)
        return 0;
    unsigned mi = data[0] % 5;
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
            sz0 != 0x40000000 && sz0 != 0x8000000000ull)
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

    uint64_t max_entries = 256 + 64 * (uint64_t)data[3];
    for (int hooked = 0; hooked < 2; hooked++) {
        if (hooked)
            scry_vspace_set_hook(&vs, transition_hook, NULL);
        check_enumeration(&vs, max_entries, 0);
        check_enumeration(&vs, max_entries, 1 + data[2] % 8);
        for (int k = 0; k < 4; k++)
            check_one_byte(&vs, le64(data + 16 + 8 * k));
    }
    return 0;
}
