/* vspace.c - a paging mode and DTB over a physical layer, with a small
 * translation cache and reads that cross pages. */
#include "lib/vspace/vspace.h"

#include <inttypes.h>
#include <string.h>

#include "lib/vspace/paging.h"

#define PAGE_MASK ((uint64_t)SCRY_PAGE_SIZE - 1)

static void cache_clear(struct scry_vspace *vs)
{
    for (size_t i = 0; i < SCRY_TLB_SLOTS; i++) {
        vs->tlb[i].vpage = UINT64_MAX;
        vs->tlb[i].ppage = 0;
    }
    for (size_t i = 0; i < SCRY_TLB_BIG_SLOTS; i++) {
        vs->big[i].vbase = UINT64_MAX;
        vs->big[i].pbase = 0;
        vs->big[i].shift = 63;
    }
    vs->big_next = 0;
    for (size_t i = 0; i < SCRY_TABLE_SLOTS; i++)
        vs->tables[i] = UINT64_MAX;
}

scry_status scry_vspace_init(struct scry_vspace *vs, struct scry_phys *phys, enum scry_paging mode,
                             uint64_t dtb)
{
    const struct scry_paging_ops *ops;

    if (!vs || !phys)
        return scry_err(SCRY_ERR_INVALID_ARG, "vspace: no physical layer");
    ops = scry_paging_ops_for(mode);
    if (!ops)
        return scry_err(SCRY_ERR_INVALID_ARG, "unknown paging mode %d", (int)mode);
    vs->phys = phys;
    vs->mode = mode;
    vs->dtb = dtb;
    vs->va_bits = ops->va_bits;
    vs->ops = ops;
    vs->hook = NULL;
    vs->hook_user = NULL;
    cache_clear(vs);
    return SCRY_OK;
}

void scry_vspace_set_hook(struct scry_vspace *vs, scry_pte_hook hook, void *user)
{
    vs->hook = hook;
    vs->hook_user = hook ? user : NULL;
    cache_clear(vs);
}

/* log2 of a page's size rides in the top bits of a TLB slot's ppage. */
#define SIZE_SHIFT 58

/* Keyed by the masked page so a pointer and its 48-bit-masked form (which
 * Volatility hands around) share one slot; the masked page number never
 * reaches UINT64_MAX, the empty marker. f (constant NULL on the hot path)
 * asks for the page size and the failure's detail. */
static inline scry_status translate(struct scry_vspace *vs, uint64_t va, uint64_t *pa,
                                    uint64_t *page_size, struct scry_vfault *f)
{
    uint64_t vpage = (va & scry_vspace_mask(vs)) >> 12, p, size;
    unsigned idx = (unsigned)(vpage & (SCRY_TLB_SLOTS - 1)), shift = 12;
    scry_status st;

    if (vs->tlb[idx].vpage == vpage) {
        *pa = vs->tlb[idx].ppage << 12 | (va & PAGE_MASK);
        if (f)
            *page_size = (uint64_t)1 << (vs->tlb[idx].ppage >> SIZE_SHIFT);
        return SCRY_OK;
    }
    uint64_t mva = va & scry_vspace_mask(vs);
    for (unsigned i = 0; i < SCRY_TLB_BIG_SLOTS; i++) {
        if (vs->big[i].vbase == mva >> vs->big[i].shift) {
            p = vs->big[i].pbase | (mva & (((uint64_t)1 << vs->big[i].shift) - 1));
            shift = vs->big[i].shift;
            goto hit;
        }
    }
    if (f && vs->ops->translate_fault)
        st = vs->ops->translate_fault(vs, va, &p, &size, f);
    else
        st = vs->ops->translate(vs, va, &p, &size);
    if (st != SCRY_OK)
        return st; /* failures are not cached: a later read may see new tables */
    shift = (unsigned)__builtin_ctzll(size);
    if (size > SCRY_PAGE_SIZE && (size & (size - 1)) == 0) {
        unsigned i = vs->big_next++ % SCRY_TLB_BIG_SLOTS;
        vs->big[i].vbase = mva >> shift;
        vs->big[i].pbase = p & ~(size - 1);
        vs->big[i].shift = shift;
    }
hit:
    vs->tlb[idx].vpage = vpage;
    vs->tlb[idx].ppage = p >> 12 | (uint64_t)shift << SIZE_SHIFT;
    *pa = p;
    if (f)
        *page_size = (uint64_t)1 << shift;
    return SCRY_OK;
}

scry_status scry_vspace_translate(struct scry_vspace *vs, uint64_t va, uint64_t *pa)
{
    return translate(vs, va, pa, NULL, NULL);
}

scry_status scry_vspace_translate_ex(struct scry_vspace *vs, uint64_t va, uint64_t *pa,
                                     uint64_t *page_size, struct scry_vfault *f)
{
    f->kind = SCRY_VFAULT_NONE;
    f->level = 0;
    f->entry = 0;
    f->table = 0;
    return translate(vs, va, pa, page_size, f);
}

/* Copies physical bytes, zero-copy when the layer stores them plainly. */
static inline scry_status phys_copy(struct scry_phys *phys, uint64_t pa, uint8_t *out, size_t n,
                                    size_t *holes)
{
    *holes = 0;
    if (n >= SCRY_DIRECT_MIN && phys->ops->direct) {
        const uint8_t *src = phys->ops->direct(phys, pa, n);
        if (src) {
            /* A variable-length memcpy is inlined as rep movs, whose start-up
             * cost dwarfs the 4- and 8-byte field reads walkers mostly do. */
            if (n <= 16) {
                for (size_t i = 0; i < n; i++)
                    out[i] = src[i];
            } else {
                memcpy(out, src, n);
            }
            return SCRY_OK;
        }
    }
    return scry_phys_read(phys, pa, out, n, holes);
}

/* Holes need not be page-aligned (LiME and ELF runs follow /proc/iomem), so
 * the error names the first byte that is actually missing. Only reached on
 * failure, where a byte-wise probe costs nothing that matters. */
static scry_status hole_error(struct scry_phys *phys, uint64_t va, uint64_t pa, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        uint8_t b;
        size_t holes = 0;
        if (phys_copy(phys, pa + i, &b, 1, &holes) != SCRY_OK || holes)
            break;
    }
    if (i == n)
        i = 0; /* the layer disagrees with itself: name the chunk */
    return scry_err(SCRY_ERR_NODATA,
                    "0x%" PRIx64 ": page not present in the dump (physical 0x%" PRIx64 ")", va + i,
                    pa + i);
}

scry_status scry_vspace_read(struct scry_vspace *vs, uint64_t va, void *buf, size_t len)
{
    uint8_t *out = buf;
    size_t done = 0;

    while (done < len) {
        uint64_t cur = va + done, pa;
        size_t n = SCRY_PAGE_SIZE - (size_t)(cur & PAGE_MASK), holes;
        scry_status st;

        if (n > len - done)
            n = len - done;
        st = translate(vs, cur, &pa, NULL, NULL);
        if (st != SCRY_OK)
            return st; /* the walk's message already names cur and the level */
        st = phys_copy(vs->phys, pa, out + done, n, &holes);
        if (st != SCRY_OK)
            return scry_err_ctx(st, "0x%" PRIx64, cur);
        if (holes)
            return hole_error(vs->phys, cur, pa, n);
        done += n;
    }
    return SCRY_OK;
}

scry_status scry_vspace_read_pad(struct scry_vspace *vs, uint64_t va, void *buf, size_t len,
                                 size_t *missing)
{
    uint8_t *out = buf;
    size_t done = 0, lost = 0;

    while (done < len) {
        uint64_t cur = va + done, pa;
        size_t n = SCRY_PAGE_SIZE - (size_t)(cur & PAGE_MASK), holes;
        scry_status st;

        if (n > len - done)
            n = len - done;
        st = translate(vs, cur, &pa, NULL, NULL);
        if (st == SCRY_ERR_NODATA) {
            memset(out + done, 0, n);
            lost += n;
            done += n;
            continue;
        }
        if (st != SCRY_OK)
            return st;
        st = phys_copy(vs->phys, pa, out + done, n, &holes);
        if (st != SCRY_OK)
            return scry_err_ctx(st, "0x%" PRIx64, cur);
        lost += holes;
        done += n;
    }
    if (missing)
        *missing = lost;
    return SCRY_OK;
}

/* The walkers' hot path: one field inside one page; anything else (a
 * field across pages, a failure to explain) takes the general read. */
static inline scry_status read_small(struct scry_vspace *vs, uint64_t va, uint8_t *b, size_t n)
{
    uint64_t pa;
    size_t holes = 0;

    if ((va & PAGE_MASK) <= SCRY_PAGE_SIZE - n && translate(vs, va, &pa, NULL, NULL) == SCRY_OK &&
        scry_phys_read(vs->phys, pa, b, n, &holes) == SCRY_OK && !holes)
        return SCRY_OK;
    return scry_vspace_read(vs, va, b, n);
}

scry_status scry_vspace_read_u64(struct scry_vspace *vs, uint64_t va, uint64_t *v)
{
    uint8_t b[8];
    scry_status st = read_small(vs, va, b, sizeof b);
    if (st != SCRY_OK)
        return st;
    *v = (uint64_t)b[0] | (uint64_t)b[1] << 8 | (uint64_t)b[2] << 16 | (uint64_t)b[3] << 24 |
         (uint64_t)b[4] << 32 | (uint64_t)b[5] << 40 | (uint64_t)b[6] << 48 | (uint64_t)b[7] << 56;
    return SCRY_OK;
}

scry_status scry_vspace_read_u32(struct scry_vspace *vs, uint64_t va, uint32_t *v)
{
    uint8_t b[4];
    scry_status st = read_small(vs, va, b, sizeof b);
    if (st != SCRY_OK)
        return st;
    *v = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    return SCRY_OK;
}

scry_status scry_vspace_enumerate(struct scry_vspace *vs, uint64_t start, uint64_t end,
                                  uint64_t max_entries, scry_map_fn fn, void *user)
{
    if (!vs || !fn)
        return scry_err(SCRY_ERR_INVALID_ARG, "enumerate: no vspace or no callback");
    uint64_t mask = scry_vspace_mask(vs);
    /* A canonical kernel address would otherwise silently enumerate
     * nothing (it lies above the masked space). */
    if (start > mask)
        return scry_err(SCRY_ERR_INVALID_ARG,
                        "enumerate: start 0x%" PRIx64 " is not a %u-bit (masked) address", start,
                        vs->va_bits);
    if (end > mask)
        end = mask + 1; /* va_bits <= 57: no overflow */
    if (start >= end)
        return SCRY_OK;
    if (!max_entries)
        max_entries = SCRY_ENUM_DEFAULT_MAX_ENTRIES;
    return vs->ops->enumerate(vs, start, end, max_entries, fn, user);
}

int scry_vspace_readable(struct scry_vspace *vs, uint64_t va, uint64_t len)
{
    uint64_t end = va + (len ? len : 1), pa;
    if (end < va)
        return 0;
    for (uint64_t pg = va & ~(uint64_t)(SCRY_PAGE_SIZE - 1); pg < end; pg += SCRY_PAGE_SIZE)
        if (scry_vspace_translate(vs, pg, &pa) != SCRY_OK ||
            scry_phys_find_run(vs->phys, pa) == (size_t)-1)
            return 0;
    return 1;
}
