/* paging_pae.c - 32-bit PAE paging: a 4-entry PDPT, then 512-entry tables of
 * 64-bit entries; 4 KiB pages and 2 MiB pages (PDE.PS).
 *
 * The walk is three fixed steps, so self-referencing tables (Windows maps
 * its page directories through PDEs that point back at them) cannot loop. */
#include <inttypes.h>

#include "vspace.h"

#define PTE_PRESENT 0x1u
#define PTE_PS 0x80u
/* Bits 12..51 as in long mode; NX (bit 63) and the other high bits never
 * take part in the address. */
#define PTE_ADDR 0x000ffffffffff000ull
/* In PAE mode CR3 holds a 32-byte-aligned PDPT below 4 GiB. */
#define CR3_PDPT 0xffffffe0ull

static inline uint64_t load_le64(const uint8_t *b)
{
    return (uint64_t)b[0] | (uint64_t)b[1] << 8 | (uint64_t)b[2] << 16 | (uint64_t)b[3] << 24 |
           (uint64_t)b[4] << 32 | (uint64_t)b[5] << 40 | (uint64_t)b[6] << 48 |
           (uint64_t)b[7] << 56;
}

/* Reads one entry; a hole is NODATA with a message naming va and level, any
 * other failure keeps the physical layer's message behind that context. */
static scry_status read_entry(struct scry_phys *phys, uint64_t slot, uint64_t va,
                              const char *level, uint64_t *e)
{
    const uint8_t *src = NULL;
    uint8_t buf[8];

    if (phys->ops->direct)
        src = phys->ops->direct(phys, slot, sizeof buf);
    if (!src) {
        size_t holes = 0;
        scry_status st = scry_phys_read(phys, slot, buf, sizeof buf, &holes);
        if (st != SCRY_OK)
            return scry_err_ctx(st, "0x%" PRIx64 ": reading %s entry at physical 0x%" PRIx64, va,
                                level, slot);
        if (holes)
            return scry_err(SCRY_ERR_NODATA,
                            "0x%" PRIx64 ": %s entry at physical 0x%" PRIx64 " is not in the dump",
                            va, level, slot);
        src = buf;
    }
    *e = load_le64(src);
    return SCRY_OK;
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
