/* windows_dtb.c - the kernel DTB, found as Volatility's WindowsIntelStacker
 * finds it (automagic/windows.py), so that windows.info prints the same DTB.
 *
 * Every Windows top-level page table maps itself. Pass 1 ("recent
 * windows", randomised self-map index) looks for a page with exactly one
 * present entry pointing back at it, at an index in 0x100..0x1FE, inside
 * two physical windows where the kernel's table lives; pass 2 ("older
 * windows") accepts only the classic x64 index 0x1ED over 0x30000 and the
 * next 16 MiB. A page with any present entry that has PS (bit 7) set is no
 * PML4. Hits are taken in address order; a hit whose largest present,
 * non-PS entry points past the end of physical memory is passed over.
 *
 * Only x64 is looked for: Volatility's PAE and 32-bit tests in pass 2 would
 * precede 0x1ED there, but a 64-bit image's PML4 does not pass them (an
 * x64 table has no self-reference at index 3 or 0x300 whose neighbours
 * form a PAE top page). The header's DirectoryTableBase of a crash dump is
 * not used: Volatility ignores it too, and a dump is attacker-controlled. */
#include <stdio.h>
#include <string.h>

#include "lib/os/windows.h"

#define PAGE 4096u
#define PTE_P 0x1ull
#define PTE_PS 0x80ull
#define SELF_MASK 0x3ffffffffff000ull

struct window {
    uint64_t start, len;
    unsigned lo, hi; /* valid self-map indexes, inclusive */
};

static const struct window pass1[] = {
    {0x150000, 0x150000, 0x100, 0x1fe},
    {0x650000, 0xa0000, 0x100, 0x1fe},
};
static const struct window pass2[] = {
    {0x30000, 0x1000000, 0x1ed, 0x1ed},
};

/* Volatility's DtbSelfReferential test on the page at pa. */
static int self_referencing(const uint64_t *e, uint64_t pa, unsigned lo, unsigned hi)
{
    unsigned refs = 0, idx = 0;
    for (unsigned i = 0; i < 512; i++) {
        if ((e[i] & PTE_PS) && (e[i] & PTE_P))
            return 0;
        if ((e[i] & SELF_MASK) == pa && (e[i] & PTE_P)) {
            refs++;
            idx = i;
        }
    }
    return pa > 0 && refs == 1 && idx >= lo && idx <= hi;
}

/* get_max_pointer: entries are taken modulo the virtual layer's maximum
 * address (2^48 - 1), as Volatility does, and compared with the physical
 * layer's last address. */
static int pointers_fit(const uint64_t *e, uint64_t phys_end)
{
    const uint64_t vmax = (1ull << 48) - 1;
    uint64_t max = 0;
    for (unsigned i = 0; i < 512; i++)
        if ((e[i] & PTE_P) && !(e[i] & PTE_PS)) {
            uint64_t p = (e[i] & ~0xfffull) % vmax;
            if (p > max)
                max = p;
        }
    return phys_end && max <= phys_end - 1;
}

static int scan_pass(struct scry_phys *phys, const struct window *w, size_t nw, uint64_t *dtb)
{
    uint64_t e[512];
    for (size_t k = 0; k < nw; k++)
        for (uint64_t pa = w[k].start; pa < w[k].start + w[k].len; pa += PAGE) {
            size_t holes = 0;
            if (scry_phys_read(phys, pa, e, PAGE, &holes) != SCRY_OK || holes)
                continue;
            if (self_referencing(e, pa, w[k].lo, w[k].hi) && pointers_fit(e, phys->info.phys_end)) {
                *dtb = pa;
                return 1;
            }
        }
    return 0;
}

int scry_win_dtb_likely(struct scry_phys *phys)
{
    uint64_t dtb;
    return scan_pass(phys, pass1, sizeof pass1 / sizeof pass1[0], &dtb);
}

scry_status scry_win_find_dtb(struct scry_phys *phys, uint64_t *dtb)
{
    if (scan_pass(phys, pass1, sizeof pass1 / sizeof pass1[0], dtb) ||
        scan_pass(phys, pass2, sizeof pass2 / sizeof pass2[0], dtb))
        return SCRY_OK;
    /* Not Windows (or not x64): short, since it joins the other OSes'
     * answers in "no operating system found: ...". */
    return scry_err(SCRY_ERR_NOT_FOUND, "no Windows x64 page table (a PML4 that maps itself) found");
}
