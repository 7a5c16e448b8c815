/* paging_x86_64.c - 4-level (48-bit) and 5-level (57-bit) x86-64 paging.
 *
 * The tables come from an untrusted dump, so the walk is a loop bounded by
 * the level count: a table that points at itself (Windows' self-map) or at
 * an ancestor is simply read again one level lower, never followed forever.
 * The file holds both modes: the walk, the table layouts for the generic
 * enumerator and the scry_paging_x86_64 / scry_paging_la57 ops. */
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
 * translating). vs is NULL for the plain walks, which the compiler then
 * specialises; its hook is only looked at once a PTE turns out not present
 * (loading it up front would cost the hot path registers and spills). */
static inline scry_status walk(struct scry_phys *phys, uint64_t dtb, uint64_t va, uint64_t *pa,
                               uint64_t *page_size, unsigned levels,
                               const struct scry_vspace *vs)
{
    const char *const *names = level_names + (5 - levels);
    uint64_t table = dtb & PTE_ADDR; /* CR3 bits 0..11 are PCID/flags */
    unsigned shift = 12 + 9 * (levels - 1);

    for (unsigned i = 0; i < levels; i++, shift -= 9) {
        uint64_t slot = table + ((va >> shift) & 511) * 8, e = 0;
        scry_status st = scry_paging_entry(phys, slot, 8, va, names[i], &e);
        if (st != SCRY_OK)
            return st;
        if (!(e & PTE_PRESENT)) {
            if (vs && vs->hook && shift == 12)
                return scry_paging_unmapped_pte(vs, va, e, names[i], pa, page_size);
            return scry_err(SCRY_ERR_NODATA, "0x%" PRIx64 ": %s entry not present", va,
                            names[i]);
        }
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
    return walk(phys, dtb, va, pa, page_size, 4, NULL);
}

scry_status scry_translate_la57(struct scry_phys *phys, uint64_t dtb, uint64_t va, uint64_t *pa,
                                uint64_t *page_size)
{
    return walk(phys, dtb, va, pa, page_size, 5, NULL);
}

static scry_status translate4(struct scry_vspace *vs, uint64_t va, uint64_t *pa,
                              uint64_t *page_size)
{
    return walk(vs->phys, vs->dtb, va, pa, page_size, 4, vs);
}

static scry_status translate5(struct scry_vspace *vs, uint64_t va, uint64_t *pa,
                              uint64_t *page_size)
{
    return walk(vs->phys, vs->dtb, va, pa, page_size, 5, vs);
}

static uint64_t large_frame(uint64_t e, uint64_t size) { return e & PTE_ADDR & ~(size - 1); }

static const struct scry_paging_layout layout4 = {
    .levels = 4, .entry_size = 8, .top_bits = 9, .bits = 9,
    .root_mask = PTE_ADDR, .table_mask = PTE_ADDR,
    .large_sizes = (uint64_t)1 << 30 | (uint64_t)1 << 21, .large_frame = large_frame,
    .names = level_names + 1,
};

static const struct scry_paging_layout layout5 = {
    .levels = 5, .entry_size = 8, .top_bits = 9, .bits = 9,
    .root_mask = PTE_ADDR, .table_mask = PTE_ADDR,
    .large_sizes = (uint64_t)1 << 30 | (uint64_t)1 << 21, .large_frame = large_frame,
    .names = level_names,
};

static scry_status enumerate4(struct scry_vspace *vs, uint64_t start, uint64_t end,
                              uint64_t max_entries, scry_map_fn fn, void *user)
{
    return scry_paging_enumerate(&layout4, vs, start, end, max_entries, fn, user);
}

static scry_status enumerate5(struct scry_vspace *vs, uint64_t start, uint64_t end,
                              uint64_t max_entries, scry_map_fn fn, void *user)
{
    return scry_paging_enumerate(&layout5, vs, start, end, max_entries, fn, user);
}

const struct scry_paging_ops scry_paging_x86_64 = {
    .mode = SCRY_PAGING_X86_64, .name = "x86_64", .va_bits = 48, .levels = 4,
    .translate = translate4, .enumerate = enumerate4,
};

const struct scry_paging_ops scry_paging_la57 = {
    .mode = SCRY_PAGING_LA57, .name = "la57", .va_bits = 57, .levels = 5,
    .translate = translate5, .enumerate = enumerate5,
};
