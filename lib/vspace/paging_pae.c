/* paging_pae.c - 32-bit PAE paging: a 4-entry PDPT, then 512-entry tables of
 * 64-bit entries; 4 KiB pages and 2 MiB pages (PDE.PS).
 *
 * The walk is three fixed steps, so self-referencing tables (Windows maps
 * its page directories through PDEs that point back at them) cannot loop.
 * The file is the mode: its translation walk, its table layout for the
 * generic enumerator and the scry_paging_pae ops that join them. */
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

/* vs is NULL for the plain walk, which the compiler then specialises; its
 * hook is only looked at once a PTE turns out not present (loading it up
 * front would cost the hot path registers and spills). */
static inline scry_status walk(struct scry_phys *phys, uint64_t dtb, uint64_t va, uint64_t *pa,
                               uint64_t *page_size, const struct scry_vspace *vs)
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
    if (!(e & PTE_PRESENT)) {
        if (vs && vs->hook)
            return scry_paging_unmapped_pte(vs, va, e, "PT", pa, page_size);
        return scry_err(SCRY_ERR_NODATA, "0x%" PRIx64 ": PT entry not present", va);
    }
    *pa = (e & PTE_ADDR) | (v & 0xfff);
    *page_size = 4096;
    return SCRY_OK;
}

scry_status scry_translate_pae(struct scry_phys *phys, uint64_t dtb, uint64_t va, uint64_t *pa,
                               uint64_t *page_size)
{
    return walk(phys, dtb, va, pa, page_size, NULL);
}

static scry_status translate(struct scry_vspace *vs, uint64_t va, uint64_t *pa,
                             uint64_t *page_size)
{
    return walk(vs->phys, vs->dtb, va, pa, page_size, vs);
}

static uint64_t large_frame(uint64_t e, uint64_t size) { return e & PTE_ADDR & ~(size - 1); }

static const char *const level_names[3] = {"PDPT", "PD", "PT"};

/* The PDPT is 4 entries (index bits 30..31), the lower tables 512. */
static const struct scry_paging_layout layout = {
    .levels = 3, .entry_size = 8, .top_bits = 2, .bits = 9,
    .root_mask = CR3_PDPT, .table_mask = PTE_ADDR,
    .large_sizes = (uint64_t)1 << 21, .large_frame = large_frame,
    .names = level_names,
};

static scry_status enumerate(struct scry_vspace *vs, uint64_t start, uint64_t end,
                             uint64_t max_entries, scry_map_fn fn, void *user)
{
    return scry_paging_enumerate(&layout, vs, start, end, max_entries, fn, user);
}

const struct scry_paging_ops scry_paging_pae = {
    .mode = SCRY_PAGING_PAE, .name = "pae", .va_bits = 32, .levels = 3,
    .translate = translate, .enumerate = enumerate,
};
