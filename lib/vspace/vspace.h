/* vspace.h - virtual address spaces: paging mode + DTB over a physical layer.
 *
 * One ops instance per paging mode (lib/vspace/paging_<mode>.c, found through
 * scry_paging_ops_for in paging.h), a small direct-mapped translation cache,
 * reads that cross pages, an optional hook for not-present page-table entries
 * and the enumeration of mapped ranges. A vspace is not thread-safe (its
 * cache is mutable); make one per thread - they are cheap and share the
 * immutable physical layer. */
#ifndef SCRY_VSPACE_H
#define SCRY_VSPACE_H

#include <stddef.h>
#include <stdint.h>

#include "formats/phys.h"

enum scry_paging {
    SCRY_PAGING_X86 = 1,    /* 32-bit, 2 levels, 4 KiB and 4 MiB pages    */
    SCRY_PAGING_PAE = 2,    /* 32-bit PAE, 3 levels, 4 KiB and 2 MiB      */
    SCRY_PAGING_X86_64 = 3, /* 4-level, 48-bit, 4 KiB, 2 MiB, 1 GiB       */
    SCRY_PAGING_LA57 = 4,   /* 5-level, 57-bit, 4 KiB, 2 MiB, 1 GiB       */
    /* Windows x64 as Volatility's WindowsIntel32e reads it: 4-level,
     * 48-bit; an entry in transition (bit 11 set, bit 10 clear) is valid at
     * every level; PS makes a page in a PML4E (512 GiB), PDPTE (1 GiB) and
     * PDE (2 MiB); addresses keep bits 12..44 only (MAXPHYADDR 45); a table
     * whose 512 entries are all equal, or which is not wholly in the dump,
     * fails every address under it. */
    SCRY_PAGING_WIN_X86_64 = 5
};

/* Translates va through the tables at dtb. On success *pa and *page_size
 * (4096, 2 MiB, 4 MiB or 1 GiB) are set; *pa already includes the offset
 * within the page. Errors: SCRY_ERR_NODATA when an entry is not present, the
 * address is not canonical, or a table cannot be read (hole) - the message
 * names va and the level; SCRY_ERR_CORRUPT when a table read fails
 * otherwise. Walks are bounded by the number of levels, so self-referencing
 * tables cannot loop. These plain walks never call a hook (see
 * scry_vspace_set_hook); thread-safe as the physical layer is. */
typedef scry_status (*scry_translate_fn)(struct scry_phys *phys, uint64_t dtb, uint64_t va,
                                         uint64_t *pa, uint64_t *page_size);

scry_status scry_translate_x86(struct scry_phys *, uint64_t, uint64_t, uint64_t *, uint64_t *);
scry_status scry_translate_pae(struct scry_phys *, uint64_t, uint64_t, uint64_t *, uint64_t *);
scry_status scry_translate_x86_64(struct scry_phys *, uint64_t, uint64_t, uint64_t *, uint64_t *);
scry_status scry_translate_la57(struct scry_phys *, uint64_t, uint64_t, uint64_t *, uint64_t *);
scry_status scry_translate_win_x86_64(struct scry_phys *, uint64_t, uint64_t, uint64_t *,
                                      uint64_t *);

/* The level number a hook receives for a page-table entry (PTE): levels are
 * counted from the leaf as Intel does (1 = PT, 2 = PD, 3 = PDPT, 4 = PML4,
 * 5 = PML5), so the number does not depend on the paging mode. */
#define SCRY_PTE_LEVEL 1u

/* Invalid-entry hook: resolves a not-present page-table entry, which an OS
 * may still give a meaning (Windows transition and prototype PTEs, a
 * pagefile slot).
 *
 * Who calls it: the vspace's walks - translation (hence every read) and
 * enumeration - when they meet a not-present entry at the LAST level (the
 * PTE; level is SCRY_PTE_LEVEL) and a hook is set; for
 * SCRY_PAGING_WIN_X86_64 "not present" means not valid (neither present nor
 * in transition), since transition entries are that mode's own rule. A
 * not-present entry at any upper level (PML5..PD) never reaches the hook:
 * the address is unmapped as without one. The plain scry_translate_<mode>
 * walks never call it.
 *
 * Arguments: user as given to scry_vspace_set_hook; the vspace's physical
 * layer; va as the caller of the translation gave it (enumeration passes
 * page-aligned addresses masked to va_bits); entry, the raw entry (32-bit
 * modes: zero-extended) with its present bit clear.
 *
 * Result: SCRY_OK with *pa = the physical address of va itself (offset within
 * the page included) and *page_size = the size of the page it lies in (it
 * arrives as 4096; a power of two from 4 KiB to 1 GiB, and *pa and va must
 * agree below it, else the walk fails with SCRY_ERR_INVALID_ARG); the vspace caches
 * the answer like any translation, so it must depend only on (va, entry) and
 * the dump. SCRY_ERR_NODATA keeps the address unmapped: the walk then fails
 * with the message it gives without a hook ("0x...: PT entry not present").
 * Any other status fails the walk with the hook's message behind the
 * address's context (enumeration stops with it).
 *
 * Thread-safety: the hook is called from whichever thread reads through that
 * vspace, at the time of the read. One hook shared by the vspaces of several
 * threads must be thread-safe itself (or take per-vspace user data). It must
 * not read through, or change the hook of, the vspace calling it. */
typedef scry_status (*scry_pte_hook)(void *user, struct scry_phys *phys, uint64_t va,
                                     uint64_t entry, unsigned level, uint64_t *pa,
                                     uint64_t *page_size);

/* Enumeration callback: [va, va+len) maps to [pa, pa+len). Return non-zero
 * to stop the enumeration. */
typedef int (*scry_map_fn)(void *user, uint64_t va, uint64_t pa, uint64_t len);

/* The work bound scry_vspace_enumerate applies when max_entries is 0: 2^24
 * table entries, 32768 page tables' worth (64 GiB of 4 KiB mappings), a
 * fraction of a second; a real kernel's address space needs far fewer. */
#define SCRY_ENUM_DEFAULT_MAX_ENTRIES ((uint64_t)1 << 24)

#define SCRY_TLB_SLOTS 256
#define SCRY_TLB_BIG_SLOTS 8
/* Page tables whose whole page was checked (SCRY_PAGING_WIN_X86_64). */
#define SCRY_TABLE_SLOTS 64

struct scry_paging_ops; /* paging.h */

struct scry_vspace {
    struct scry_phys *phys; /* borrowed */
    enum scry_paging mode;
    uint64_t dtb;
    unsigned va_bits;       /* 32, 48 or 57: Volatility's address mask */
    const struct scry_paging_ops *ops; /* static, from scry_paging_ops_for */
    scry_pte_hook hook;     /* NULL when none */
    void *hook_user;
    struct {
        uint64_t vpage; /* va >> 12, or UINT64_MAX when empty */
        /* pa >> 12 in bits 0..51; bits 58..63 hold log2 of the size of the
         * page it lies in (shifted out by ppage << 12, so free to read) */
        uint64_t ppage;
    } tlb[SCRY_TLB_SLOTS];
    /* Large pages (2 MiB, 4 MiB, 1 GiB) whole: a kernel's direct map is
     * mapped with them, and one entry then covers every task_struct in it. */
    struct {
        uint64_t vbase; /* masked va >> shift, or UINT64_MAX when empty */
        uint64_t pbase; /* physical base of the page */
        unsigned shift;
    } big[SCRY_TLB_BIG_SLOTS];
    unsigned big_next;
    /* Modes that judge a table as a whole (SCRY_PAGING_WIN_X86_64): the
     * verdict on the table page at a physical address, so a translation
     * does not re-read 4 KiB per level. Entry: table address | verdict
     * (0 a table, 1 one repeated entry, 2 not wholly in the dump), or
     * UINT64_MAX when empty. Keyed by physical address only, so valid for
     * any DTB over the same physical layer. */
    uint64_t tables[SCRY_TABLE_SLOTS];
};

/* Initialises vs in place (no allocation), without a hook. Errors:
 * SCRY_ERR_INVALID_ARG for an unknown mode. */
scry_status scry_vspace_init(struct scry_vspace *vs, struct scry_phys *phys, enum scry_paging mode,
                             uint64_t dtb);

/* Sets the invalid-entry hook of vs (see scry_pte_hook) with its user
 * pointer (borrowed: it must outlive its use by vs); hook NULL clears it.
 * Empties the translation cache, since cached answers may have come from the
 * previous hook. Not thread-safe: call it before handing vs to its thread. */
void scry_vspace_set_hook(struct scry_vspace *vs, scry_pte_hook hook, void *user);

/* The mask Volatility applies to printed addresses: (1 << va_bits) - 1. */
static inline uint64_t scry_vspace_mask(const struct scry_vspace *vs)
{
    return vs->va_bits >= 64 ? UINT64_MAX : ((uint64_t)1 << vs->va_bits) - 1;
}

/* Translate with the cache. Same errors as scry_translate_fn, plus whatever
 * the hook returns (see scry_pte_hook). */
scry_status scry_vspace_translate(struct scry_vspace *vs, uint64_t va, uint64_t *pa);

/* Why a translation failed, as far as the walk saw (scry_vspace_translate_ex). */
enum scry_vfault_kind {
    SCRY_VFAULT_NONE = 0,   /* no detail: the mode gives none, or success  */
    SCRY_VFAULT_INVALID,    /* `entry` (read from the level-`level` table)
                               is not valid                                */
    SCRY_VFAULT_NOT_TABLE,  /* the level-`level` table at `table` is all one
                               repeated entry; `entry` led to it           */
    SCRY_VFAULT_MISSING     /* the level-`level` table at `table` is not
                               wholly in the dump (or cannot be read);
                               `entry` led to it                           */
};

struct scry_vfault {
    enum scry_vfault_kind kind;
    unsigned level;  /* SCRY_PTE_LEVEL numbering: 1 = PT .. 4 = PML4       */
    uint64_t entry;  /* see kind; at the top level the DTB with bit 0 set  */
    uint64_t table;  /* physical address of the table the walk stopped in  */
};

/* scry_vspace_translate that also gives the size of the page va lies in
 * (4 KiB up to 512 GiB) and, on failure, where the walk stopped: *f is
 * always written (kind NONE on success). Only SCRY_PAGING_WIN_X86_64
 * fills in failures (other modes leave kind NONE); the detail comes from
 * the one walk that failed, not a second one. Same errors as
 * scry_vspace_translate; a failure the hook gives leaves kind NONE. */
scry_status scry_vspace_translate_ex(struct scry_vspace *vs, uint64_t va, uint64_t *pa,
                                     uint64_t *page_size, struct scry_vfault *f);

/* The last page-table entry the walk for va reads - the PTE, or the PDE /
 * PDPTE of a large page - whether or not it is present (its dirty bit is
 * malfind's test). Errors: SCRY_ERR_NODATA when an entry above it is not
 * present or a table is not in the dump; SCRY_ERR_UNSUPPORTED for 32-bit
 * modes. Does not use the cache or the hook. */
scry_status scry_vspace_leaf_entry(struct scry_vspace *vs, uint64_t va, uint64_t *entry);

/* Reads [va, va+len). Errors: SCRY_ERR_NODATA (message names the first
 * address that failed) when any page is unmapped or a physical hole; the
 * buffer content is then unspecified. */
scry_status scry_vspace_read(struct scry_vspace *vs, uint64_t va, void *buf, size_t len);

/* Like scry_vspace_read but unmapped pages and holes read as zeros;
 * *missing (may be NULL) receives the number of such bytes. Only decode
 * errors (SCRY_ERR_CORRUPT) fail. */
scry_status scry_vspace_read_pad(struct scry_vspace *vs, uint64_t va, void *buf, size_t len,
                                 size_t *missing);

/* 1 when every page of [va, va + len) (len 0: the byte at va) translates
 * to memory the dump has - Volatility's is_valid / is_readable - else 0.
 * A range that wraps is not readable. */
int scry_vspace_readable(struct scry_vspace *vs, uint64_t va, uint64_t len);

/* Little-endian helpers over scry_vspace_read. */
scry_status scry_vspace_read_u64(struct scry_vspace *vs, uint64_t va, uint64_t *v);
scry_status scry_vspace_read_u32(struct scry_vspace *vs, uint64_t va, uint32_t *v);

/* Calls fn for every mapped range within [start, end), in ascending virtual
 * order, exactly where a translation would succeed (the hook included).
 *
 * Addresses: the space is [0, 2^va_bits) of masked addresses, as
 * Volatility's layer addresses are: on 4-level paging the kernel half starts
 * at 0x800000000000, not 0xffff800000000000. fn receives masked addresses;
 * start must be one (SCRY_ERR_INVALID_ARG above scry_vspace_mask(vs)); end
 * is clipped to 2^va_bits, so UINT64_MAX means "to the top". start >= end
 * reports nothing.
 *
 * Ranges: neighbours contiguous both virtually and physically are coalesced
 * into one call, whatever their page sizes; large pages (4 MiB, 2 MiB,
 * 1 GiB) are reported whole, clipped to [start, end) like every page. Only
 * the tables are read, not the pages: a range may point at a physical hole.
 *
 * Hostile tables: a table pointing to itself or an ancestor is walked again
 * one level lower (the walk is as deep as the mode has levels, as a
 * translation would), so it cannot loop; the work is bounded by counting
 * every table entry examined, present or not: past max_entries (0 =
 * SCRY_ENUM_DEFAULT_MAX_ENTRIES) the enumeration stops with SCRY_ERR_LIMIT,
 * whose message gives the count. Tables (or single entries) in physical
 * holes are skipped as unmapped.
 *
 * Returns SCRY_OK when done or when fn asked to stop. Errors end the
 * enumeration at once (the range being coalesced then is not reported):
 * SCRY_ERR_INVALID_ARG (no vs or fn, start above the mask),
 * SCRY_ERR_LIMIT, SCRY_ERR_CORRUPT (a table page that cannot be decoded;
 * message names its physical address), or the hook's error.
 *
 * fn may read through vs (enumeration keeps no state in it, so a YARA scan
 * can read each range as it is reported) but must not change its hook; the
 * hook is the one set when the enumeration starts. Not thread-safe, like
 * every call on vs. */
scry_status scry_vspace_enumerate(struct scry_vspace *vs, uint64_t start, uint64_t end,
                                  uint64_t max_entries, scry_map_fn fn, void *user);

#endif
