/* fuzz_yara.c - the YARA window logic over arbitrary memory and page tables.
 *
 * Input layout: a 16-byte header, then the physical memory image (one run).
 *   [0]      paging mode (mod 3: x86_64, la57, win_x86_64)
 *   [1]      flags: bit 0 hides ops->direct, bit 1 enables a corrupt range
 *   [2..3]   corrupt range: page index and page count in the image
 *   [4..5]   window for the virtual scan: 4096 * (1 + [4] % 4), overlap [5]
 *   [8..15]  dtb
 * The rule is one string, "MEMF". Checks: every hit's bytes are the string;
 * the streamed scans (a 4 MiB virtual range in small windows, the physical
 * layer) report strictly ascending addresses (each match once); a physical
 * hit is the string in the image, a virtual one reads as the string
 * through the page tables (where the page can be decoded). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fake_phys.h"
#include "lib/scan/yara.h"

#define NEEDLE "MEMF"


struct check {
    struct fphys *f;
    struct scry_vspace *vs; /* NULL: physical hits */
    uint64_t last;
    int any;
};

static int on_hit(void *user, const struct scry_yara_hit *h)
{
    struct check *c = user;
    uint8_t b[4];
    if (h->len != 4 || memcmp(h->data, NEEDLE, 4) != 0)
        __builtin_trap();
    if (c->any && h->addr <= c->last)
        __builtin_trap(); /* reported twice, or out of order */
    c->any = 1, c->last = h->addr;
    if (!c->vs) {
        if (h->addr + 4 > c->f->size || memcmp(c->f->mem + h->addr, NEEDLE, 4) != 0)
            __builtin_trap();
    } else if (scry_vspace_read(c->vs, h->addr, b, 4) == SCRY_OK && memcmp(b, NEEDLE, 4) != 0) {
        __builtin_trap();
    }
    return 0;
}

static uint64_t le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const enum scry_paging modes[] = {SCRY_PAGING_X86_64, SCRY_PAGING_LA57,
                                             SCRY_PAGING_WIN_X86_64};
    static struct scry_yara_rules *rules;
    enum { HDR = 16 };
    struct fphys f;
    struct scry_vspace vs;

    if (!rules) {
        struct scry_yara_source src = {.string = NEEDLE};
        if (scry_yara_rules_build(&src, &rules) != SCRY_OK)
            __builtin_trap();
    }
    if (size <= HDR)
        return 0;
    memset(&f, 0, sizeof f);
    f.base.ops = data[1] & 1 ? &ops_plain : &ops_direct;
    f.mem = data + HDR;
    f.size = size - HDR;
    f.run = (struct scry_run){0, f.size};
    f.base.runs = &f.run;
    f.base.nruns = 1;
    if (data[1] & 2) {
        f.bad_lo = (uint64_t)data[2] * 4096;
        f.bad_hi = f.bad_lo + ((uint64_t)data[3] + 1) * 4096;
    }
    size_t window = 4096 * (size_t)(1 + data[4] % 4), overlap = data[5];

    struct check c = {.f = &f};
    if (scry_yara_scan_phys(rules, &f.base, NULL, on_hit, &c) != SCRY_OK)
        __builtin_trap();

    if (scry_vspace_init(&vs, &f.base, modes[data[0] % 3], le64(data + 8)) != SCRY_OK)
        __builtin_trap();
    struct scry_yara_memo *memo = NULL;
    if (data[1] & 4 && scry_yara_memo_new(&memo) != SCRY_OK)
        __builtin_trap();
    c = (struct check){.f = &f, .vs = &vs};
    scry_status st = scry_yara_scan_vrange(rules, &vs, 0, (uint64_t)4 << 20, window, overlap, memo,
                                           NULL, on_hit, &c);
    /* Enumeration limits and undecodable tables are errors, not crashes. */
    if (st != SCRY_OK && st != SCRY_ERR_LIMIT && st != SCRY_ERR_CORRUPT)
        __builtin_trap();
    scry_yara_memo_free(memo);
    return 0;
}
