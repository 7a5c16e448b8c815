/* windump.c - Windows x64 crash dumps ("PAGE"/"DU64"): the physical layer.
 *
 * The 0x2000-byte _DUMP_HEADER64 states the kernel DTB, list heads and KDBG
 * address (passed on as "windows.*" meta, never interpreted here) and how
 * page data is laid out (offsets from the start of the file; docs/DESIGN.md
 * has the table and the sources):
 *   DumpType 1 (full): a _PHYSICAL_MEMORY_DESCRIPTOR64 at 0x88 (NumberOfRuns
 *     u32, runs of {BasePage u64, PageCount u64} at 0x98); the runs' pages
 *     follow back to back from file offset 0x2000 in descriptor order.
 *   DumpType 2 (kernel summary), 5 (bitmap) and 6 (live kernel bitmap): a
 *     _SUMMARY_DUMP at 0x2000 ("SDMP" or "FDMP", "DUMP"; HeaderSize u64
 *     @0x2020 = file offset of the first data page, BitmapSize u64 @0x2030 =
 *     bits, u32 bitmap words @0x2038); one data page per set bit, ascending
 *     PFN. The signature is not checked (Volatility does not either).
 *   DumpType 8, 9 (kernel, kernel and user) and 10 (complete): an RDMP header
 *     at 0x2000 (Marker u32, "RDMP" @0x2004, "DUMP" @0x2008, MetadataSize
 *     u64 @0x2010, FirstPageOffset u64 @0x2018 = 0x2020 + MetadataSize;
 *     type 10: TotalNumberOfPages u64 @0x2028), then ranges {PFN u64,
 *     NumberOfPages u64} from 0x2030 up to FirstPageOffset, ended early by a
 *     range at PFN 0 and, for type 10, once TotalNumberOfPages are listed;
 *     the ranges' pages follow back to back from FirstPageOffset.
 * All become linear runs, so reads share scry_phys_read_linear (zero copy
 * for long reads). Every field is hostile: the descriptor must lie in the
 * header, the bitmap and range list in the file, and pages the header
 * promises past the end of the file become holes counted in
 * "windows.missing_pages". */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "formats/phys.h"

#define WD_HDR 0x2000u           /* _DUMP_HEADER64: two pages            */
#define WD_RUNS_OFF 0x98u        /* Run[] of the memory descriptor       */
#define WD_DUMPTYPE_OFF 0xF98u
#define WD_SUM_HDR 0x38u         /* _SUMMARY_DUMP up to its bitmap       */
#define WD_RDMP_HDR 0x30u        /* RDMP header up to its range list     */
#define WD_RDMP_META 0x2020u     /* where MetadataSize counts from       */
/* x64 physical addresses have at most 52 bits: 2^40 pages. Bounding PFNs
 * there keeps every PFN * 4096 and PFN + count free of overflow. */
#define WD_MAX_PFN (1ull << 40)

struct wd_phys {
    struct scry_linear_phys lin;
};

/* Growing parallel arrays of runs and their file offsets. */
struct wd_runs {
    struct scry_run *r;
    uint64_t *off;
    size_t n, cap;
};

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
    return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* Accepts the 32-bit "PAGEDUMP" too, so that open can say it is not
 * supported instead of the file falling through to raw. */
static int wd_probe(const uint8_t *head, size_t len, uint64_t file_size)
{
    (void)file_size;
    return len >= 8 && memcmp(head, "PAGE", 4) == 0 &&
           (memcmp(head + 4, "DU64", 4) == 0 || memcmp(head + 4, "DUMP", 4) == 0);
}

static void wd_close(struct scry_phys *p)
{
    scry_file_close(p->file);
    free(((struct wd_phys *)p)->lin.file_off);
    free(p->runs);
    free(p);
}

static const struct scry_phys_ops wd_ops = {scry_linear_read, scry_linear_direct, wd_close};

static scry_status runs_add(struct wd_runs *v, const char *path, uint64_t pfn, uint64_t pages,
                            uint64_t off)
{
    if (v->n == v->cap) {
        size_t ncap = v->cap ? v->cap * 2 : 16;
        struct scry_run *nr = realloc(v->r, ncap * sizeof *nr);
        uint64_t *no;
        if (!nr)
            return scry_err(SCRY_ERR_NOMEM, "%s: out of memory", path);
        v->r = nr;
        no = realloc(v->off, ncap * sizeof *no);
        if (!no)
            return scry_err(SCRY_ERR_NOMEM, "%s: out of memory", path);
        v->off = no;
        v->cap = ncap;
    }
    v->r[v->n].start = pfn * SCRY_PAGE_SIZE;
    v->r[v->n].len = pages * SCRY_PAGE_SIZE;
    v->off[v->n] = off;
    v->n++;
    return SCRY_OK;
}

/* One run of `count` pages at PFN `base` whose data starts at *off; what
 * the file no longer holds (a dump cut short while written) becomes holes
 * counted in *missing, and *off never passes the file size. `what` and `i`
 * name the run in the error. */
static scry_status add_range(const struct scry_file *f, struct wd_runs *v, const char *what,
                             uint64_t i, uint64_t base, uint64_t count, uint64_t *off,
                             uint64_t *missing)
{
    uint64_t avail;
    scry_status st;
    if (base >= WD_MAX_PFN || count > WD_MAX_PFN - base)
        return scry_err(SCRY_ERR_CORRUPT,
                        "%s: %s %" PRIu64 " (PFN 0x%" PRIx64 " + 0x%" PRIx64
                        " pages) is past the 52-bit physical address space",
                        f->path, what, i, base, count);
    avail = (f->size - *off) / SCRY_PAGE_SIZE;
    if (count > avail) {
        /* Saturating: a long hostile range list cannot wrap the count. */
        *missing = count - avail > UINT64_MAX - *missing ? UINT64_MAX : *missing + count - avail;
        count = avail;
    }
    if (count) {
        st = runs_add(v, f->path, base, count, *off);
        if (st != SCRY_OK)
            return st;
    }
    *off += count * SCRY_PAGE_SIZE;
    return SCRY_OK;
}

/* DumpType 1: the descriptor's runs, data back to back from 0x2000. */
static scry_status wd_full(const struct scry_file *f, struct wd_runs *v, uint64_t *missing)
{
    const uint8_t *h = f->map;
    uint32_t nruns = le32(h + 0x88);
    /* The descriptor is part of the header: runs past it are garbage. */
    const uint32_t max_runs = (WD_HDR - WD_RUNS_OFF) / 16u;
    uint64_t off = WD_HDR;
    if (nruns > max_runs)
        return scry_err(SCRY_ERR_CORRUPT,
                        "%s: crash dump header states %" PRIu32 " physical memory runs; at most %" PRIu32
                        " fit in the header",
                        f->path, nruns, max_runs);
    for (uint32_t i = 0; i < nruns; i++) {
        scry_status st = add_range(f, v, "crash dump run", i, le64(h + WD_RUNS_OFF + 16u * i),
                                   le64(h + WD_RUNS_OFF + 16u * i + 8), &off, missing);
        if (st != SCRY_OK)
            return st;
    }
    return SCRY_OK;
}

/* DumpTypes 8-10: the RDMP header's PFN ranges, data back to back from
 * FirstPageOffset. The range list lies between the fixed header and the
 * first page, both inside the file, so its length is bounded by the file. */
static scry_status wd_rdmp(const struct scry_file *f, uint32_t type, struct wd_runs *v,
                           uint64_t *missing)
{
    const uint8_t *r = f->map + WD_HDR;
    uint64_t meta, first, nranges, total, listed = 0, off;
    if (!scry_file_has(f, WD_HDR, WD_RDMP_HDR))
        return scry_err(SCRY_ERR_CORRUPT,
                        "%s: RDMP crash dump is truncated: %" PRIu64
                        " bytes, too short for its RDMP header (%u bytes at offset 0x%x)",
                        f->path, f->size, WD_RDMP_HDR, WD_HDR);
    if (memcmp(r + 4, "RDMP", 4) != 0 || memcmp(r + 8, "DUMP", 4) != 0)
        return scry_err(SCRY_ERR_CORRUPT,
                        "%s: crash dump type %" PRIu32
                        " has no RDMP header at offset 0x2000 (signature 0x%08" PRIx32
                        ", ValidDump 0x%08" PRIx32 "; expected \"RDMP\" and \"DUMP\")",
                        f->path, type, le32(r + 4), le32(r + 8));
    meta = le64(r + 0x10);
    first = le64(r + 0x18);
    if (first > f->size)
        return scry_err(SCRY_ERR_CORRUPT,
                        "%s: RDMP crash dump FirstPageOffset 0x%" PRIx64
                        " is past the end of the file (%" PRIu64 " bytes)",
                        f->path, first, f->size);
    if (first < WD_HDR + WD_RDMP_HDR || meta != first - WD_RDMP_META || meta % 16 != 0)
        return scry_err(SCRY_ERR_CORRUPT,
                        "%s: RDMP crash dump MetadataSize 0x%" PRIx64
                        " does not match FirstPageOffset 0x%" PRIx64
                        " (expected a multiple of 16, at least 0x10, equal to FirstPageOffset - "
                        "0x2020)",
                        f->path, meta, first);
    nranges = (first - WD_HDR - WD_RDMP_HDR) / 16;
    total = le64(r + 0x28);
    off = first;
    for (uint64_t i = 0; i < nranges; i++) {
        const uint8_t *e = r + WD_RDMP_HDR + 16 * i;
        uint64_t pfn = le64(e), count = le64(e + 8);
        scry_status st;
        if ((type == 10 && listed == total) || pfn == 0)
            break;
        if (type == 10 && count > total - listed)
            return scry_err(SCRY_ERR_CORRUPT,
                            "%s: RDMP crash dump range %" PRIu64 " (PFN 0x%" PRIx64 " + 0x%" PRIx64
                            " pages) goes past TotalNumberOfPages 0x%" PRIx64 " (0x%" PRIx64
                            " listed before it)",
                            f->path, i, pfn, count, total, listed);
        listed += count;
        st = add_range(f, v, "RDMP crash dump range", i, pfn, count, &off, missing);
        if (st != SCRY_OK)
            return st;
    }
    return SCRY_OK;
}

/* Bitmap word i, bits at or past `bits` cleared. */
static uint32_t bm_word(const uint8_t *bm, uint64_t bits, uint64_t i)
{
    uint32_t w = le32(bm + i * 4);
    if (bits - i * 32 < 32)
        w &= (1u << (bits - i * 32)) - 1u;
    return w;
}

/* The first PFN at or after pfn whose bit is `want`, or bits: a word at a
 * time, so a sparse or dense bitmap costs its words, not its bits. */
static uint64_t next_bit(const uint8_t *bm, uint64_t bits, uint64_t pfn, int want)
{
    while (pfn < bits) {
        uint32_t w = bm_word(bm, bits, pfn / 32);
        if (!want)
            w = ~w;
        w &= ~0u << (pfn & 31);
        if (w) {
            uint64_t r = (pfn & ~31ull) + (uint64_t)__builtin_ctz(w);
            return r < bits ? r : bits;
        }
        pfn = (pfn & ~31ull) + 32;
    }
    return bits;
}

/* Set bits in [pfn, bits). */
static uint64_t count_bits(const uint8_t *bm, uint64_t bits, uint64_t pfn)
{
    uint64_t n = 0;
    if (pfn >= bits)
        return 0;
    n += (uint64_t)__builtin_popcount(bm_word(bm, bits, pfn / 32) & ~0u << (pfn & 31));
    for (uint64_t i = pfn / 32 + 1; i * 32 < bits; i++)
        n += (uint64_t)__builtin_popcount(bm_word(bm, bits, i));
    return n;
}

/* DumpTypes 2, 5, 6: one run per stretch of set bits. The walk stops where the
 * file's data pages end (the remaining set bits are counted as missing), so
 * the run count is bounded by the file's pages whatever BitmapSize says. */
static scry_status wd_bitmap(const struct scry_file *f, struct wd_runs *v, uint64_t *missing)
{
    const uint8_t *s = f->map + WD_HDR;
    uint64_t hdr_size, bits, bytes, off, pfn;
    if (!scry_file_has(f, WD_HDR, WD_SUM_HDR))
        return scry_err(SCRY_ERR_CORRUPT,
                        "%s: bitmap crash dump is truncated: %" PRIu64
                        " bytes, too short for its summary header (%u bytes at offset 0x%x)",
                        f->path, f->size, WD_SUM_HDR, WD_HDR);
    hdr_size = le64(s + 0x20);
    bits = le64(s + 0x30);
    if (bits > WD_MAX_PFN)
        return scry_err(SCRY_ERR_CORRUPT,
                        "%s: bitmap crash dump BitmapSize 0x%" PRIx64
                        " pages is past the 52-bit physical address space",
                        f->path, bits);
    bytes = (bits + 31) / 32 * 4;
    if (!scry_file_has(f, WD_HDR + WD_SUM_HDR, bytes))
        return scry_err(SCRY_ERR_CORRUPT,
                        "%s: bitmap crash dump BitmapSize 0x%" PRIx64 " needs %" PRIu64
                        " bitmap bytes at offset 0x%x, past the end of the file (%" PRIu64 " bytes)",
                        f->path, bits, bytes, WD_HDR + WD_SUM_HDR, f->size);
    if (hdr_size > f->size)
        return scry_err(SCRY_ERR_CORRUPT,
                        "%s: bitmap crash dump HeaderSize 0x%" PRIx64
                        " is past the end of the file (%" PRIu64 " bytes)",
                        f->path, hdr_size, f->size);
    off = hdr_size;
    s += WD_SUM_HDR;
    for (pfn = next_bit(s, bits, 0, 1); pfn < bits; pfn = next_bit(s, bits, pfn, 1)) {
        uint64_t start = pfn, avail = (f->size - off) / SCRY_PAGE_SIZE;
        scry_status st;
        pfn = next_bit(s, bits, pfn, 0);
        if (pfn - start > avail) {
            /* The file's data ends here: count the rest without storing
             * it (a word at a time, inside the file-bounded bitmap). */
            *missing += pfn - start - avail + count_bits(s, bits, pfn);
            return avail ? runs_add(v, f->path, start, avail, off) : SCRY_OK;
        }
        st = runs_add(v, f->path, start, pfn - start, off);
        if (st != SCRY_OK)
            return st;
        off += (pfn - start) * SCRY_PAGE_SIZE;
    }
    return SCRY_OK;
}

static scry_status wd_meta(struct scry_kv *kv, const uint8_t *h, uint32_t type, uint64_t missing)
{
    static const struct {
        const char *key;
        unsigned off, size;
    } fields[] = {
        {"windows.dtb", 0x10, 8},
        {"windows.pfn_database", 0x18, 8},
        {"windows.ps_loaded_module_list", 0x20, 8},
        {"windows.ps_active_process_head", 0x28, 8},
        {"windows.machine", 0x30, 4},
        {"windows.cpus", 0x34, 4},
        {"windows.bugcheck", 0x38, 4},
        {"windows.kdbg", 0x80, 8},
        {"windows.system_time", 0xFA8, 8},
    };
    scry_status st = scry_kv_add(kv, "windows.dump_type", "0x%" PRIx32, type);
    for (size_t i = 0; st == SCRY_OK && i < sizeof fields / sizeof fields[0]; i++) {
        uint64_t x = fields[i].size == 8 ? le64(h + fields[i].off) : le32(h + fields[i].off);
        st = scry_kv_add(kv, fields[i].key, "0x%" PRIx64, x);
    }
    if (st == SCRY_OK && missing)
        st = scry_kv_add(kv, "windows.missing_pages", "0x%" PRIx64, missing);
    return st;
}

static scry_status wd_open(struct scry_file *f, struct scry_phys **out)
{
    const uint8_t *h = f->map;
    struct wd_runs v = {NULL, NULL, 0, 0};
    struct wd_phys *wp;
    uint64_t missing = 0;
    uint32_t type;
    scry_status st;

    if (f->size >= 8 && memcmp(h + 4, "DUMP", 4) == 0)
        return scry_err(SCRY_ERR_UNSUPPORTED,
                        "%s: 32-bit Windows crash dumps are not supported yet", f->path);
    if (f->size < WD_HDR)
        return scry_err(SCRY_ERR_CORRUPT,
                        "%s: Windows crash dump is truncated: %" PRIu64
                        " bytes, shorter than its 8192-byte header",
                        f->path, f->size);
    type = le32(h + WD_DUMPTYPE_OFF);
    if (type == 1)
        st = wd_full(f, &v, &missing);
    else if (type == 2 || type == 5 || type == 6)
        st = wd_bitmap(f, &v, &missing);
    else if (type >= 8 && type <= 10)
        st = wd_rdmp(f, type, &v, &missing);
    else
        return scry_err(SCRY_ERR_UNSUPPORTED,
                        "%s: Windows crash dump type %" PRIu32
                        "%s is not supported (only 1, full; 2, kernel summary; 5 and 6, bitmap; "
                        "8-10, RDMP kernel and complete)",
                        f->path, type,
                        type == 3   ? " (header only)"
                        : type == 4 ? " (triage/mini dump)"
                                    : "");
    /* Overlapping runs or ranges: the first in file order wins. */
    if (st == SCRY_OK)
        st = scry_phys_sort_runs(&v.r, &v.off, &v.n);
    wp = st == SCRY_OK ? calloc(1, sizeof *wp) : NULL;
    if (st == SCRY_OK && !wp)
        st = scry_err(SCRY_ERR_NOMEM, "%s: out of memory", f->path);
    if (st == SCRY_OK && wd_meta(&wp->lin.base.info.meta, h, type, missing) != SCRY_OK)
        st = scry_err(SCRY_ERR_NOMEM, "%s: out of memory", f->path);
    if (st != SCRY_OK) {
        if (wp)
            scry_kv_free(&wp->lin.base.info.meta);
        free(wp);
        free(v.r);
        free(v.off);
        return st;
    }
    wp->lin.base.ops = &wd_ops;
    wp->lin.base.next_data = scry_linear_next_data;
    wp->lin.base.file = f;
    wp->lin.base.runs = v.r;
    wp->lin.file_off = v.off;
    wp->lin.base.nruns = v.n;
    wp->lin.base.info.format = "windump";
    wp->lin.base.info.file_size = f->size;
    wp->lin.base.info.phys_end = v.n ? v.r[v.n - 1].start + v.r[v.n - 1].len : 0;
    *out = &wp->lin.base;
    return SCRY_OK;
}

const struct scry_format scry_format_windump = {"windump", wd_probe, wd_open, 1};
