/* paging_x86.c - 32-bit non-PAE paging: a 1024-entry page directory and
 * page tables of 32-bit entries; 4 KiB pages and 4 MiB pages (PDE.PS, with
 * CR4.PSE assumed since every kernel that uses large pages sets it).
 *
 * Two fixed steps: self-referencing directories cannot loop. The file is the
 * mode: its translation walk, its table layout for the generic enumerator
 * and the scry_paging_x86 ops that join them. */
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

/* PSE-36: bits 13..16 of a 4 MiB PDE are physical bits 32..35. A CPU
 * without it faults on them (reserved), so honouring them never changes a
 * translation the CPU would have made. */
static uint64_t large_frame(uint64_t e, uint64_t size)
{
    (void)size; /* the only large size here: 4 MiB */
    return (e & 0xffc00000u) | ((e >> 13) & 0xf) << 32;
}

/* vs is NULL for the plain walk, which the compiler then specialises; its
 * hook is only looked at once a PTE turns out not present (loading it up
 * front would cost the hot path registers and spills). */
static inline scry_status walk(struct scry_phys *phys, uint64_t dtb, uint64_t va, uint64_t *pa,
                               uint64_t *page_size, const struct scry_vspace *vs)
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
        *pa = large_frame(e, 0x400000) | (v & 0x3fffff);
        *page_size = 0x400000;
        return SCRY_OK;
    }

    st = read_entry(phys, (uint64_t)(e & PTE_ADDR) + ((v >> 12) & 1023) * 4, va, "PT", &e);
    if (st != SCRY_OK)
        return st;
    if (!(e & PTE_PRESENT)) {
        if (vs && vs->hook)
            return scry_paging_unmapped_pte(vs, va, e, "PT", pa, page_size);
        return scry_err(SCRY_ERR_NODATA, "0x%" PRIx64 ": PT entry not present", va);
    }
    *pa = (uint64_t)(e & PTE_ADDR) | (v & 0xfff);
    *page_size = 4096;
    return SCRY_OK;
}

scry_status scry_translate_x86(struct scry_phys *phys, uint64_t dtb, uint64_t va, uint64_t *pa,
                               uint64_t *page_size)
{
    return walk(phys, dtb, va, pa, page_size, NULL);
}

static scry_status translate(struct scry_vspace *vs, uint64_t va, uint64_t *pa,
                             uint64_t *page_size)
{
    return walk(vs->phys, vs->dtb, va, pa, page_size, vs);
}

static const char *const level_names[2] = {"PD", "PT"};

static const struct scry_paging_layout layout = {
    .levels = 2, .entry_size = 4, .top_bits = 10, .bits = 10,
    .root_mask = PTE_ADDR, .table_mask = PTE_ADDR,
    .large_sizes = (uint64_t)1 << 22, .large_frame = large_frame,
    .names = level_names,
};

static scry_status enumerate(struct scry_vspace *vs, uint64_t start, uint64_t end,
                             uint64_t max_entries, scry_map_fn fn, void *user)
{
    return scry_paging_enumerate(&layout, vs, start, end, max_entries, fn, user);
}

const struct scry_paging_ops scry_paging_x86 = {
    .mode = SCRY_PAGING_X86, .name = "x86", .va_bits = 32, .levels = 2,
    .translate = translate, .enumerate = enumerate,
};
