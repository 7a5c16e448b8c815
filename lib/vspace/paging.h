/* paging.h - what the paging modes (lib/paging_*.c) share: reading one
 * little-endian table entry from the physical layer. */
#ifndef SCRY_PAGING_H
#define SCRY_PAGING_H

#include <inttypes.h>

#include "lib/vspace/vspace.h"

/* Reads the `width`-byte (4 or 8) entry at physical address slot for the
 * walk of va at `level` ("PML4", "PD", ...). A hole is SCRY_ERR_NODATA
 * naming both; any other failure keeps the physical layer's message behind
 * that context. */
static inline scry_status scry_paging_entry(struct scry_phys *phys, uint64_t slot, unsigned width,
                                            uint64_t va, const char *level, uint64_t *e)
{
    uint8_t b[8];
    size_t holes = 0;
    scry_status st = scry_phys_read(phys, slot, b, width, &holes);
    if (st != SCRY_OK)
        return scry_err_ctx(st, "0x%" PRIx64 ": reading %s entry at physical 0x%" PRIx64, va,
                            level, slot);
    if (holes)
        return scry_err(SCRY_ERR_NODATA,
                        "0x%" PRIx64 ": %s entry at physical 0x%" PRIx64 " is not in the dump", va,
                        level, slot);
    /* Byte assembly keeps the code endian-neutral; compilers fold it into
     * one load on little-endian hosts. */
    *e = 0;
    for (unsigned i = 0; i < width; i++)
        *e |= (uint64_t)b[i] << (8 * i);
    return SCRY_OK;
}

#endif
