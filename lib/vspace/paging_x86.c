/* paging_x86.c - 32-bit non-PAE paging: a 1024-entry page directory and
 * page tables of 32-bit entries; 4 KiB pages and 4 MiB pages (PDE.PS, with
 * CR4.PSE assumed since every kernel that uses large pages sets it).
 *
 * Two fixed steps: self-referencing directories cannot loop. */
#include <inttypes.h>

#include "lib/vspace/paging.h"

#define PTE_PRESENT 0x1u
#define PTE_PS 0x80u
#define PTE_ADDR 0xfffff000u

static scry_status read_entry(struct scry_phys *phys, uint64_t slot, uint64_t va,
                              const char *level, uint32_t *e)
{
    uint64_t v = 0;
    scry_status st = scry_paging_entry(phys, slot, 4, va, level, &v);
    *e = (uint32_t)v;
    return st;
}

scry_status scry_translate_x86(struct scry_phys *phys, uint64_t dtb, uint64_t va, uint64_t *pa,
                               uint64_t *page_size)
{
    /* The linear address is 32 bits; anything above is not part of it. */
    uint32_t v = (uint32_t)va, e = 0;
    scry_status st;

    st = read_entry(phys, (dtb & PTE_ADDR) + (uint64_t)(v >> 22) * 4, va, "PD", &e);
    if (st != SCRY_OK)
        return st;
    if (!(e & PTE_PRESENT))
        return scry_err(SCRY_ERR_NODATA, "0x%" PRIx64 ": PD entry not present", va);
    if (e & PTE_PS) {
        /* PSE-36: bits 13..16 of a 4 MiB PDE are physical bits 32..35. A CPU
         * without it faults on them (reserved), so honouring them never
         * changes a translation the CPU would have made. */
        *pa = (uint64_t)(e & 0xffc00000u) | (uint64_t)((e >> 13) & 0xf) << 32 | (v & 0x3fffff);
        *page_size = 0x400000;
        return SCRY_OK;
    }

    st = read_entry(phys, (uint64_t)(e & PTE_ADDR) + ((v >> 12) & 1023) * 4, va, "PT", &e);
    if (st != SCRY_OK)
        return st;
    if (!(e & PTE_PRESENT))
        return scry_err(SCRY_ERR_NODATA, "0x%" PRIx64 ": PT entry not present", va);
    *pa = (uint64_t)(e & PTE_ADDR) | (v & 0xfff);
    *page_size = 4096;
    return SCRY_OK;
}
