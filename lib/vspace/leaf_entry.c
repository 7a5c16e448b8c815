/* leaf_entry.c - the page-table entry that maps an address, whether or not
 * it is present (Volatility's Intel._translate_entry, under is_dirty). */
#include "lib/vspace/vspace.h"

#include "formats/phys.h"

#define FRAME_MASK 0x000ffffffffff000ull

scry_status scry_vspace_leaf_entry(struct scry_vspace *vs, uint64_t va, uint64_t *entry)
{
    unsigned levels;
    if (vs->mode == SCRY_PAGING_X86_64)
        levels = 4;
    else if (vs->mode == SCRY_PAGING_LA57)
        levels = 5;
    else
        return scry_err(SCRY_ERR_UNSUPPORTED, "page-table entries of 32-bit paging are not read");
    uint64_t e = vs->dtb | 1;
    for (unsigned lvl = levels; lvl >= 1; lvl--) {
        if (!(e & 1))
            return scry_err(SCRY_ERR_NODATA, "0x%llx: level %u entry not present",
                            (unsigned long long)va, lvl + 1);
        /* Any entry below the DTB with PS set maps a large page: it is the
         * leaf (Volatility tests PS on the PML4E too). */
        if (lvl < levels && (e & 0x80))
            break;
        unsigned shift = 12 + 9 * (lvl - 1);
        uint64_t idx = (va >> shift) & 0x1ff;
        uint8_t b[8];
        size_t holes = 0;
        scry_status st = scry_phys_read(vs->phys, (e & FRAME_MASK) + idx * 8, b, 8, &holes);
        if (st != SCRY_OK || holes)
            return scry_err(SCRY_ERR_NODATA, "0x%llx: a page table is not in the dump",
                            (unsigned long long)va);
        e = 0;
        for (int i = 7; i >= 0; i--)
            e = e << 8 | b[i];
    }
    *entry = e;
    return SCRY_OK;
}
