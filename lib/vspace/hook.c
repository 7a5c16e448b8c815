/* hook.c - asking a vspace's invalid-entry hook about a not-present PTE,
 * and holding the hook to its contract (vspace.h, scry_pte_hook): its answer
 * goes into the translation cache, so a malformed one must not get there. */
#include "lib/vspace/paging.h"

scry_status scry_paging_hook_call(scry_pte_hook hook, void *user, struct scry_phys *phys,
                                  uint64_t va, uint64_t entry, uint64_t *pa, uint64_t *page_size)
{
    uint64_t p = 0, size = SCRY_PAGE_SIZE;
    scry_status st = hook(user, phys, va, entry, SCRY_PTE_LEVEL, &p, &size);

    if (st == SCRY_ERR_NODATA)
        return st; /* the caller words it, or (enumeration) needs no words */
    if (st != SCRY_OK)
        return scry_err_ctx(st, "0x%" PRIx64 ": resolving not-present PTE 0x%" PRIx64, va, entry);
    /* A size that is not a power of two would make the cache's page
     * arithmetic wrong (and no x86 page exceeds 1 GiB), and a *pa without
     * va's offset (the easy mistake: returning the frame) would read the
     * wrong bytes. */
    if (size < SCRY_PAGE_SIZE || size > ((uint64_t)1 << 30) || (size & (size - 1)) ||
        ((p ^ va) & (size - 1)))
        return scry_err(SCRY_ERR_INVALID_ARG,
                        "0x%" PRIx64 ": PTE hook answered physical 0x%" PRIx64
                        " in a page of 0x%" PRIx64 " bytes, which cannot hold it",
                        va, p, size);
    *pa = p;
    *page_size = size;
    return SCRY_OK;
}

scry_status scry_paging_unmapped_pte(const struct scry_vspace *vs, uint64_t va, uint64_t entry,
                                     const char *level, uint64_t *pa, uint64_t *page_size)
{
    scry_status st =
        scry_paging_hook_call(vs->hook, vs->hook_user, vs->phys, va, entry, pa, page_size);
    if (st == SCRY_ERR_NODATA)
        return scry_err(SCRY_ERR_NODATA, "0x%" PRIx64 ": %s entry not present", va, level);
    return st;
}
