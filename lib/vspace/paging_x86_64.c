/* paging_x86_64.c - 4-level (48-bit) and 5-level (57-bit) x86-64 paging.
 *
 * The tables come from an untrusted dump, so the walk is a loop bounded by
 * the level count: a table that points at itself (Windows' self-map) or at
 * an ancestor is simply read again one level lower, never followed forever. */
#include "lib/vspace/paging.h"

#define PTE_PRESENT 0x1u
#define PTE_PS 0x80u
/* Bits 12..51: MAXPHYADDR is at most 52. Bits 52..63 hold NX, protection
 * keys and software bits, which never take part in the address. */
#define PTE_ADDR 0x000ffffffffff000ull

static const char *const level_names[5] = {"PML5", "PML4", "PDPT", "PD", "PT"};

/* Bits above the mode's width never reach an index: the top level takes
 * bits shift..shift+8 only, so a 48-bit-masked pointer and its canonical
 * form walk identically (Volatility masks every pointer before
 * translating). */
static inline scry_status walk(struct scry_phys *phys, uint64_t dtb, uint64_t va, uint64_t *pa,
                               uint64_t *page_size, unsigned levels)
{
    const char *const *names = level_names + (5 - levels);
    uint64_t table = dtb & PTE_ADDR; /* CR3 bits 0..11 are PCID/flags */
    unsigned shift = 12 + 9 * (levels - 1);

    for (unsigned i = 0; i < levels; i++, shift -= 9) {
        uint64_t slot = table + ((va >> shift) & 511) * 8, e = 0;
        scry_status st = scry_paging_entry(phys, slot, 8, va, names[i], &e);
        if (st != SCRY_OK)
            return st;
        if (!(e & PTE_PRESENT))
            return scry_err(SCRY_ERR_NODATA, "0x%" PRIx64 ": %s entry not present", va,
                            names[i]);
        /* PS means a large page only in a PDPTE (1 GiB) or a PDE (2 MiB); in
         * a PML4E/PML5E it is reserved and in a PTE it is PAT, so it is
         * ignored there as Volatility's Intel32e ignores it. */
        if ((e & PTE_PS) && (shift == 30 || shift == 21)) {
            uint64_t size = (uint64_t)1 << shift;
            *pa = (e & PTE_ADDR & ~(size - 1)) | (va & (size - 1));
            *page_size = size;
            return SCRY_OK;
        }
        table = e & PTE_ADDR;
    }
    *pa = table | (va & 0xfff);
    *page_size = 4096;
    return SCRY_OK;
}

scry_status scry_translate_x86_64(struct scry_phys *phys, uint64_t dtb, uint64_t va, uint64_t *pa,
                                  uint64_t *page_size)
{
    return walk(phys, dtb, va, pa, page_size, 4);
}

scry_status scry_translate_la57(struct scry_phys *phys, uint64_t dtb, uint64_t va, uint64_t *pa,
                                uint64_t *page_size)
{
    return walk(phys, dtb, va, pa, page_size, 5);
}
