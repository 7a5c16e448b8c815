/* paging_pae.c - 32-bit PAE paging: a 4-entry PDPT, then 512-entry tables of
 * 64-bit entries; 4 KiB pages and 2 MiB pages (PDE.PS).
 *
 * The walk is three fixed steps, so self-referencing tables (Windows maps
 * its page directories through PDEs that point back at them) cannot loop. */
#include <inttypes.h>

#include "lib/vspace/paging.h"

#define PTE_PRESENT 0x1u
#define PTE_PS 0x80u
/* Bits 12..51 as in long mode; NX (bit 63) and the other high bits never
 * take part in the address. */
#define PTE_ADDR 0x000ffffffffff000ull
/* In PAE mode CR3 holds a 32-byte-aligned PDPT below 4 GiB. */
#define CR3_PDPT 0xffffffe0ull

static scry_status read_entry(struct scry_phys *phys, uint64_t slot, uint64_t va,
                              const char *level, uint64_t *e)
{
    uint64_t v = 0;
    scry_status st = scry_paging_entry(phys, slot, 8, va, level, &v);
    *e = (uint64_t)v;
    return st;
}

scry_status scry_translate_pae(struct scry_phys *phys, uint64_t dtb, uint64_t va, uint64_t *pa,
                               uint64_t *page_size)
{
    /* The linear address is 32 bits; anything above is not part of it. */
    uint64_t v = va & 0xffffffffu, e = 0;
    scry_status st;

    st = read_entry(phys, (dtb & CR3_PDPT) + (v >> 30) * 8, va, "PDPT", &e);
    if (st != SCRY_OK)
        return st;
    if (!(e & PTE_PRESENT))
        return scry_err(SCRY_ERR_NODATA, "0x%" PRIx64 ": PDPT entry not present", va);

    st = read_entry(phys, (e & PTE_ADDR) + ((v >> 21) & 511) * 8, va, "PD", &e);
    if (st != SCRY_OK)
        return st;
    if (!(e & PTE_PRESENT))
        return scry_err(SCRY_ERR_NODATA, "0x%" PRIx64 ": PD entry not present", va);
    if (e & PTE_PS) {
        /* Bit 12 of a large PDE is PAT, hence the 2 MiB mask. */
        *pa = (e & PTE_ADDR & ~0x1fffffull) | (v & 0x1fffff);
        *page_size = 0x200000;
        return SCRY_OK;
    }

    st = read_entry(phys, (e & PTE_ADDR) + ((v >> 12) & 511) * 8, va, "PT", &e);
    if (st != SCRY_OK)
        return st;
    if (!(e & PTE_PRESENT))
        return scry_err(SCRY_ERR_NODATA, "0x%" PRIx64 ": PT entry not present", va);
    *pa = (e & PTE_ADDR) | (v & 0xfff);
    *page_size = 4096;
    return SCRY_OK;
}
