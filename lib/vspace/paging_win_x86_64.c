/* paging_win_x86_64.c - Windows x64 paging exactly as Volatility's
 * WindowsIntel32e layer reads it (intel.py), for the kernel space and every
 * process space of a Windows profile:
 *   - an entry is valid when present, or in transition (bit 11 set,
 *     prototype bit 10 clear), and that at every level, not only the PTE;
 *   - PS makes a large page in a PML4E (512 GiB), a PDPTE (1 GiB) and a PDE
 *     (2 MiB); in a PTE it is PAT and ignored;
 *   - physical addresses keep bits 12..44 (MAXPHYADDR 45: Windows keeps
 *     software bits above), the DTB included;
 *   - every table is read whole (_get_valid_table): one not wholly in the
 *     dump fails the address, and one whose 512 entries are all equal is no
 *     table (a page fault at the entry that led to it).
 * The walk is bounded by the four levels, so self-referencing tables cannot
 * loop. The whole-table verdict is cached per vspace (vs->tables), keyed by
 * the table's physical address, so a translation reads 4 KiB per table only
 * the first time it meets that table. */
#include <string.h>

#include "lib/vspace/paging.h"

#define PTE_PS 0x80u
#define WIN_ADDR 0x00001ffffffff000ull /* bits 12..44 */

enum { VERDICT_TABLE = 0, VERDICT_REPEATED = 1, VERDICT_MISSING = 2 };

static const char *const level_names[4] = {"PML4", "PDPT", "PD", "PT"};

scry_status scry_paging_win_table_check(struct scry_phys *phys, uint64_t table, unsigned *verdict)
{
    uint64_t t[512];
    size_t holes = 0;
    /* Read, not direct access: the read is what reports holes. */
    scry_status st = scry_phys_read(phys, table, t, sizeof t, &holes);

    if (st == SCRY_ERR_NODATA || (st == SCRY_OK && holes)) {
        *verdict = VERDICT_MISSING;
        return SCRY_OK;
    }
    if (st != SCRY_OK)
        return scry_err_ctx(st, "reading the page table at physical 0x%" PRIx64, table);
    /* Equality of raw words: byte order does not matter. */
    for (unsigned i = 1; i < 512; i++) {
        if (t[i] != t[0]) {
            *verdict = VERDICT_TABLE;
            return SCRY_OK;
        }
    }
    *verdict = VERDICT_REPEATED;
    return SCRY_OK;
}

/* The verdict on the table page at `table`, through vs's cache when vs is
 * not NULL. */
static inline scry_status table_verdict(struct scry_vspace *vs, struct scry_phys *phys,
                                        uint64_t table, unsigned *verdict)
{
    uint64_t *slot = vs ? &vs->tables[(table >> 12) & (SCRY_TABLE_SLOTS - 1)] : NULL;
    if (slot && (*slot & ~0xfffull) == table) {
        *verdict = (unsigned)(*slot & 3);
        return SCRY_OK;
    }
    scry_status st = scry_paging_win_table_check(phys, table, verdict);
    if (st == SCRY_OK && slot)
        *slot = table | *verdict;
    return st;
}

/* cache: vs whose table cache to use (NULL for the plain walk); hook: the
 * vspace whose hook to call for an invalid PTE (NULL: none); f: where to
 * say why it failed (NULL: nowhere). All three are constant NULL in the
 * plain walk, and f in the hot path, so the compiler specialises them. */
static inline scry_status walk(struct scry_vspace *cache, struct scry_phys *phys, uint64_t dtb,
                               uint64_t va, uint64_t *pa, uint64_t *page_size,
                               const struct scry_vspace *hook, struct scry_vfault *f)
{
    uint64_t table = dtb & WIN_ADDR, parent = (dtb & 0xffffffffffffull) | 1;
    unsigned shift = 39;

    for (unsigned i = 0; i < 4; i++, shift -= 9) {
        unsigned verdict = VERDICT_TABLE;
        scry_status st = table_verdict(cache, phys, table, &verdict);
        if (st != SCRY_OK || verdict != VERDICT_TABLE) {
            if (f) {
                f->kind = verdict == VERDICT_REPEATED ? SCRY_VFAULT_NOT_TABLE : SCRY_VFAULT_MISSING;
                f->level = 4 - i;
                f->entry = parent;
                f->table = table;
            }
            if (st != SCRY_OK)
                return scry_err_ctx(st, "0x%" PRIx64 ": %s table", va, level_names[i]);
            if (verdict == VERDICT_MISSING)
                return scry_err(SCRY_ERR_NODATA,
                                "0x%" PRIx64 ": %s table at physical 0x%" PRIx64
                                " is not in the dump",
                                va, level_names[i], table);
            return scry_err(SCRY_ERR_NODATA,
                            "0x%" PRIx64 ": %s table at physical 0x%" PRIx64
                            " repeats one entry 512 times (not a table)",
                            va, level_names[i], table);
        }
        uint64_t slot = table + ((va >> shift) & 511) * 8, e = 0;
        st = scry_paging_entry(phys, slot, 8, va, level_names[i], &e);
        if (st != SCRY_OK) {
            if (f) {
                f->kind = SCRY_VFAULT_MISSING;
                f->level = 4 - i;
                f->entry = parent;
                f->table = table;
            }
            return st;
        }
        if (!scry_win_entry_valid(e)) {
            if (hook && hook->hook && shift == 12)
                return scry_paging_unmapped_pte(hook, va, e, level_names[i], pa, page_size);
            if (f) {
                f->kind = SCRY_VFAULT_INVALID;
                f->level = 4 - i;
                f->entry = e;
                f->table = table;
            }
            return scry_err(SCRY_ERR_NODATA, "0x%" PRIx64 ": %s entry not present", va,
                            level_names[i]);
        }
        if ((e & PTE_PS) && shift != 12) {
            uint64_t size = (uint64_t)1 << shift;
            *pa = (e & WIN_ADDR & ~(size - 1)) | (va & (size - 1));
            *page_size = size;
            return SCRY_OK;
        }
        parent = e;
        table = e & WIN_ADDR;
    }
    *pa = table | (va & 0xfff);
    *page_size = 4096;
    return SCRY_OK;
}

scry_status scry_translate_win_x86_64(struct scry_phys *phys, uint64_t dtb, uint64_t va,
                                      uint64_t *pa, uint64_t *page_size)
{
    return walk(NULL, phys, dtb, va, pa, page_size, NULL, NULL);
}

static scry_status translate(struct scry_vspace *vs, uint64_t va, uint64_t *pa,
                             uint64_t *page_size)
{
    return walk(vs, vs->phys, vs->dtb, va, pa, page_size, vs, NULL);
}

static scry_status translate_fault(struct scry_vspace *vs, uint64_t va, uint64_t *pa,
                                   uint64_t *page_size, struct scry_vfault *f)
{
    return walk(vs, vs->phys, vs->dtb, va, pa, page_size, vs, f);
}

static uint64_t large_frame(uint64_t e, uint64_t size) { return e & WIN_ADDR & ~(size - 1); }

static const struct scry_paging_layout layout = {
    .levels = 4, .entry_size = 8, .top_bits = 9, .bits = 9,
    .root_mask = WIN_ADDR, .table_mask = WIN_ADDR,
    .large_sizes = (uint64_t)1 << 39 | (uint64_t)1 << 30 | (uint64_t)1 << 21,
    .large_frame = large_frame,
    .names = level_names,
    .windows = 1,
};

static scry_status enumerate(struct scry_vspace *vs, uint64_t start, uint64_t end,
                             uint64_t max_entries, scry_map_fn fn, void *user)
{
    return scry_paging_enumerate(&layout, vs, start, end, max_entries, fn, user);
}

const struct scry_paging_ops scry_paging_win_x86_64 = {
    .mode = SCRY_PAGING_WIN_X86_64, .name = "win_x86_64", .va_bits = 48, .levels = 4,
    .translate = translate, .translate_fault = translate_fault, .enumerate = enumerate,
};
