/* paging.h - the paging modes behind a vspace and what their walks share.
 *
 * Each mode is one const struct scry_paging_ops in its own file
 * (lib/vspace/paging_<mode>.c), listed in the table of paging_table.c:
 * adding a mode is one file and one table line. A mode keeps its own inline
 * translation walk (the hot path: walkers translate millions of addresses)
 * and describes its tables in a struct scry_paging_layout, from which the
 * generic enumerator (enumerate.c) walks every mapped range. */
#ifndef SCRY_PAGING_H
#define SCRY_PAGING_H

#include <inttypes.h>

#include "lib/vspace/vspace.h"

/* The shape of a mode's tables, for the generic enumerator. Level i (0 =
 * the top table, levels-1 = the page table) maps 2^shift(i) bytes per
 * entry, shift(i) = 12 + bits * (levels - 1 - i); va_bits is
 * 12 + bits * (levels - 1) + top_bits. */
struct scry_paging_layout {
    unsigned levels;      /* tables on the way down                        */
    unsigned entry_size;  /* bytes per entry: 4 or 8                        */
    unsigned top_bits;    /* index bits of the top table (PAE's PDPT: 2)   */
    unsigned bits;        /* index bits of every lower table               */
    uint64_t root_mask;   /* dtb -> physical address of the top table      */
    uint64_t table_mask;  /* entry -> next table, or a PTE's 4 KiB frame   */
    /* Sizes a present entry with PS (bit 7) maps as one page, as a set of
     * bits (1 << 21 | 1 << 30 for 2 MiB and 1 GiB); at other levels PS is
     * not a page size (reserved, or PAT in a PTE) and is ignored. */
    uint64_t large_sizes;
    /* Physical base of the large page of `size` bytes that entry maps. */
    uint64_t (*large_frame)(uint64_t entry, uint64_t size);
    const char *const *names; /* per level, top first: "PML4", ..., "PT" */
    /* Windows' rules (SCRY_PAGING_WIN_X86_64): an entry in transition (bit
     * 11 set, bit 10 clear) counts as present at every level, and a table
     * not wholly in the dump or whose entries are all equal maps nothing. */
    int windows;
};

/* One paging mode. Instances are static and immutable (thread-safe). */
struct scry_paging_ops {
    enum scry_paging mode;
    const char *name;  /* "x86", "pae", "x86_64", "la57" */
    unsigned va_bits;  /* width of a (masked) virtual address: 32, 48, 57 */
    unsigned levels;   /* tables a 4 KiB translation reads: 2 to 5 */
    /* scry_translate_fn over vs->phys and vs->dtb that also calls vs's hook
     * for a not-present PTE (scry_pte_hook). Does not touch the cache. */
    scry_status (*translate)(struct scry_vspace *vs, uint64_t va, uint64_t *pa,
                             uint64_t *page_size);
    /* translate that also fills *f on failure (scry_vspace_translate_ex);
     * NULL when the mode gives no detail. */
    scry_status (*translate_fault)(struct scry_vspace *vs, uint64_t va, uint64_t *pa,
                                   uint64_t *page_size, struct scry_vfault *f);
    /* scry_vspace_enumerate with its arguments already checked: start < end
     * <= 2^va_bits, max_entries > 0, fn not NULL. */
    scry_status (*enumerate)(struct scry_vspace *vs, uint64_t start, uint64_t end,
                             uint64_t max_entries, scry_map_fn fn, void *user);
};

extern const struct scry_paging_ops scry_paging_x86;
extern const struct scry_paging_ops scry_paging_pae;
extern const struct scry_paging_ops scry_paging_x86_64;
extern const struct scry_paging_ops scry_paging_la57;
extern const struct scry_paging_ops scry_paging_win_x86_64;

/* An entry Windows (and Volatility's WindowsMixin) takes as valid: present,
 * or in transition (bit 11 set, prototype bit 10 clear). */
static inline int scry_win_entry_valid(uint64_t e)
{
    return (e & 1) || (e & 0xc00) == 0x800;
}

/* The page at `table` as Windows' tables are judged: 0 a table, 1 its 512
 * entries are all equal (no table), 2 not wholly in the dump. Errors: a
 * read that fails otherwise (SCRY_ERR_CORRUPT), with the table named. */
scry_status scry_paging_win_table_check(struct scry_phys *phys, uint64_t table, unsigned *verdict);

/* The ops of mode, or NULL for a value outside enum scry_paging. The result
 * is static; thread-safe. */
const struct scry_paging_ops *scry_paging_ops_for(enum scry_paging mode);

/* The generic enumerator behind every mode's ops->enumerate: walks the
 * tables that `layout` describes from vs->dtb, with vs's hook, under the
 * contract of ops->enumerate (see scry_vspace_enumerate for the rest). */
scry_status scry_paging_enumerate(const struct scry_paging_layout *layout, struct scry_vspace *vs,
                                  uint64_t start, uint64_t end, uint64_t max_entries,
                                  scry_map_fn fn, void *user);

/* Asks hook about the not-present PTE `entry` met while walking va, and
 * checks its answer (see scry_pte_hook). Returns SCRY_OK with *pa and
 * *page_size set; SCRY_ERR_NODATA, leaving the thread's message as it was,
 * when the hook keeps va unmapped; SCRY_ERR_INVALID_ARG for an answer that
 * breaks the contract; or the hook's own error with va's context. The out
 * parameters are only written on success. Thread-safety: the hook's. */
scry_status scry_paging_hook_call(scry_pte_hook hook, void *user, struct scry_phys *phys,
                                  uint64_t va, uint64_t entry, uint64_t *pa, uint64_t *page_size);

/* A walk's answer to a not-present PTE when vs has a hook: the hook's
 * resolution, or the message a walk without hook gives (level names the
 * table, "PT"). Kept out of line: only reached off the hot path. */
scry_status scry_paging_unmapped_pte(const struct scry_vspace *vs, uint64_t va, uint64_t entry,
                                     const char *level, uint64_t *pa, uint64_t *page_size);

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
