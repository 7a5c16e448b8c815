/* vspace.h - virtual address spaces: paging mode + DTB over a physical layer.
 *
 * One translate() per paging mode (lib/paging_<mode>.c), a small direct-mapped
 * translation cache, and reads that cross pages. A vspace is not
 * thread-safe (its cache is mutable); make one per thread - they are cheap and
 * share the immutable physical layer. */
#ifndef SCRY_VSPACE_H
#define SCRY_VSPACE_H

#include <stddef.h>
#include <stdint.h>

#include "formats/phys.h"

enum scry_paging {
    SCRY_PAGING_X86 = 1,    /* 32-bit, 2 levels, 4 KiB and 4 MiB pages    */
    SCRY_PAGING_PAE = 2,    /* 32-bit PAE, 3 levels, 4 KiB and 2 MiB      */
    SCRY_PAGING_X86_64 = 3, /* 4-level, 48-bit, 4 KiB, 2 MiB, 1 GiB       */
    SCRY_PAGING_LA57 = 4    /* 5-level, 57-bit, 4 KiB, 2 MiB, 1 GiB       */
};

/* Translates va through the tables at dtb. On success *pa and *page_size
 * (4096, 2 MiB, 4 MiB or 1 GiB) are set; *pa already includes the offset
 * within the page. Errors: SCRY_ERR_NODATA when an entry is not present, the
 * address is not canonical, or a table cannot be read (hole) - the message
 * names va and the level; SCRY_ERR_CORRUPT when a table read fails
 * otherwise. Walks are bounded by the number of levels, so self-referencing
 * tables cannot loop. */
typedef scry_status (*scry_translate_fn)(struct scry_phys *phys, uint64_t dtb, uint64_t va,
                                         uint64_t *pa, uint64_t *page_size);

scry_status scry_translate_x86(struct scry_phys *, uint64_t, uint64_t, uint64_t *, uint64_t *);
scry_status scry_translate_pae(struct scry_phys *, uint64_t, uint64_t, uint64_t *, uint64_t *);
scry_status scry_translate_x86_64(struct scry_phys *, uint64_t, uint64_t, uint64_t *, uint64_t *);
scry_status scry_translate_la57(struct scry_phys *, uint64_t, uint64_t, uint64_t *, uint64_t *);

#define SCRY_TLB_SLOTS 256
#define SCRY_TLB_BIG_SLOTS 8

struct scry_vspace {
    struct scry_phys *phys; /* borrowed */
    enum scry_paging mode;
    uint64_t dtb;
    unsigned va_bits;       /* 32, 48 or 57: Volatility's address mask */
    scry_translate_fn translate;
    struct {
        uint64_t vpage; /* va >> 12, or UINT64_MAX when empty */
        uint64_t ppage; /* pa >> 12 */
    } tlb[SCRY_TLB_SLOTS];
    /* Large pages (2 MiB, 4 MiB, 1 GiB) whole: a kernel's direct map is
     * mapped with them, and one entry then covers every task_struct in it. */
    struct {
        uint64_t vbase; /* masked va >> shift, or UINT64_MAX when empty */
        uint64_t pbase; /* physical base of the page */
        unsigned shift;
    } big[SCRY_TLB_BIG_SLOTS];
    unsigned big_next;
};

/* Initialises vs in place (no allocation). Errors: SCRY_ERR_INVALID_ARG for
 * an unknown mode. */
scry_status scry_vspace_init(struct scry_vspace *vs, struct scry_phys *phys, enum scry_paging mode,
                             uint64_t dtb);

/* The mask Volatility applies to printed addresses: (1 << va_bits) - 1. */
static inline uint64_t scry_vspace_mask(const struct scry_vspace *vs)
{
    return vs->va_bits >= 64 ? UINT64_MAX : ((uint64_t)1 << vs->va_bits) - 1;
}

/* Translate with the cache. Same errors as scry_translate_fn. */
scry_status scry_vspace_translate(struct scry_vspace *vs, uint64_t va, uint64_t *pa);

/* Reads [va, va+len). Errors: SCRY_ERR_NODATA (message names the first
 * address that failed) when any page is unmapped or a physical hole; the
 * buffer content is then unspecified. */
scry_status scry_vspace_read(struct scry_vspace *vs, uint64_t va, void *buf, size_t len);

/* Like scry_vspace_read but unmapped pages and holes read as zeros;
 * *missing (may be NULL) receives the number of such bytes. Only decode
 * errors (SCRY_ERR_CORRUPT) fail. */
scry_status scry_vspace_read_pad(struct scry_vspace *vs, uint64_t va, void *buf, size_t len,
                                 size_t *missing);

/* Little-endian helpers over scry_vspace_read. */
scry_status scry_vspace_read_u64(struct scry_vspace *vs, uint64_t va, uint64_t *v);
scry_status scry_vspace_read_u32(struct scry_vspace *vs, uint64_t va, uint32_t *v);

#endif
