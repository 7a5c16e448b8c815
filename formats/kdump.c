/* kdump.c - makedumpfile's kdump-compressed ("diskdump") format.
 *
 * Layout, in blocks of block_size bytes: the disk_dump_header (block 0), the
 * kdump sub-header (sub_hdr_size blocks), two bitmaps of equal size
 * (bitmap_blocks blocks in all: first the pages that were in memory, then
 * the pages that were dumped), the page-descriptor table (one 24-byte
 * descriptor per dumped page, in PFN order) and the page data.
 *
 * Open builds an index and decompresses nothing: the dumped-page bitmap as
 * 64-bit words plus a popcount prefix per 512 PFNs, so the descriptor of a
 * PFN is found in O(1), and the runs of dumped PFNs. Reads decode pages on
 * demand through a sharded page cache. Pages in memory but not dumped
 * (filtered out) and pages never in memory both read as holes. */
#include "formats/kdump.h"

#include <lzo/lzo1x.h>
#include <pthread.h>
#include "lib/base/ondemand_snappy.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libdeflate.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#include "lib/base/pagecache.h"

#define KDUMP_SIG "KDUMP   "

/* disk_dump_header: the fields after utsname move with the size of struct
 * timeval, so 64-bit and 32-bit kernels' makedumpfile disagree on them. */
enum {
    HDR_VERSION = 8,
    HDR_UTS = 12,
    UTS_FIELD = 65,
    HDR_RELEASE = HDR_UTS + 2 * UTS_FIELD,
    HDR_MACHINE = HDR_UTS + 4 * UTS_FIELD,
    HDR_MAX = 464, /* the 64-bit header's size; the 32-bit one is 452 */
};

struct hdr_layout {
    unsigned block_size, sub_hdr_size, bitmap_blocks, max_mapnr, end;
};
static const struct hdr_layout layout64 = {428, 432, 436, 440, 464};
static const struct hdr_layout layout32 = {416, 420, 424, 428, 452};

/* kdump_sub_header: unsigned long fields follow the word size; off_t is
 * 64-bit in both (makedumpfile builds with large-file support), and on ia32
 * 64-bit members are only 4-byte aligned. Offsets per header_version. */
struct sub_layout {
    unsigned long_size;
    unsigned split, start_pfn, end_pfn;         /* version >= 2 */
    unsigned off_vmcoreinfo, size_vmcoreinfo;   /* version >= 3 */
    unsigned off_note, size_note;               /* version >= 4 */
    unsigned start_pfn_64, end_pfn_64, max_mapnr_64; /* version >= 6 */
};
static const struct sub_layout sub64 = {8, 12, 16, 24, 32, 40, 48, 56, 80, 88, 96};
static const struct sub_layout sub32 = {4, 8, 12, 16, 20, 28, 32, 40, 56, 64, 72};

/* page_desc flags */
enum {
    PD_ZLIB = 0x1,
    PD_LZO = 0x2,
    PD_SNAPPY = 0x4,
    PD_ZSTD = 0x20,
    PD_COMPRESSION = PD_ZLIB | PD_LZO | PD_SNAPPY | PD_ZSTD,
    PD_SIZE = 24,
};

enum { PAGE = SCRY_PAGE_SIZE, PAGE_SHIFT = 12 };
/* makedumpfile keeps a page raw unless compressing shrinks it, so stored
 * data never exceeds a page; a bit of slack admits odd but valid streams
 * (edge-sizes.kdump has 4107- and 4116-byte ones) while bounding the copy a
 * flattened file may need. */
enum { MAX_COMPRESSED = 4 * PAGE };
/* VMCOREINFO is a few KiB; anything past this is not VMCOREINFO. */
enum { MAX_VMCOREINFO = 1 << 20 };

struct kdump {
    struct scry_phys base;
    struct scry_kdump_src src;
    int be;
    uint64_t npfn;           /* PFNs the bitmap covers                     */
    uint64_t pfn_lo, pfn_hi; /* dumped pages this file holds (split files) */
    uint64_t *dumped;        /* the 2nd bitmap, as little-endian words     */
    uint64_t *rank;          /* set bits before each 512-PFN block         */
    uint64_t rank_lo;        /* set bits before pfn_lo                     */
    uint64_t pd_off;         /* logical offset of the descriptor table     */
    struct scry_pagecache *cache;
    char *vmcoreinfo;
    /* One libdeflate decompressor kept between pages (allocating one
     * clears 11 KiB); a thread that finds it taken makes its own. */
    _Atomic(struct libdeflate_decompressor *) spare;
};

/* ------------------------------------------------------------ byte source */

/* Index of the segment holding off, or nsegs. */
static size_t seg_find(const struct scry_kdump_src *s, uint64_t off)
{
    size_t lo = 0, hi = s->nsegs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->segs[mid].start + s->segs[mid].len <= off)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < s->nsegs && s->segs[lo].start <= off)
        return lo;
    return s->nsegs;
}

const uint8_t *scry_kdump_src_ptr(const struct scry_kdump_src *s, uint64_t off, uint64_t len)
{
    size_t i;
    uint64_t in;
    if (!s->segs)
        return scry_file_has(s->file, off, len) ? s->file->map + off : NULL;
    i = seg_find(s, off);
    if (i == s->nsegs)
        return NULL;
    in = off - s->segs[i].start;
    if (len > s->segs[i].len - in)
        return NULL;
    return s->file->map + s->seg_off[i] + in;
}

int scry_kdump_src_read(const struct scry_kdump_src *s, uint64_t off, void *buf, size_t len)
{
    uint8_t *dst = buf;
    size_t i;
    if (!len)
        return 1;
    if (!s->segs) {
        if (!scry_file_has(s->file, off, len))
            return 0;
        memcpy(buf, s->file->map + off, len);
        return 1;
    }
    i = seg_find(s, off);
    while (len) {
        uint64_t in, take;
        /* The next segment must continue exactly where this one ended. */
        if (i >= s->nsegs || s->segs[i].start > off)
            return 0;
        in = off - s->segs[i].start;
        take = s->segs[i].len - in;
        if (take > len)
            take = len;
        memcpy(dst, s->file->map + s->seg_off[i] + in, (size_t)take);
        dst += take;
        len -= (size_t)take;
        off += take;
        i++;
    }
    return 1;
}

/* How many backed bytes follow off without a gap, up to max. */
static uint64_t src_span(const struct scry_kdump_src *s, uint64_t off, uint64_t max)
{
    uint64_t n;
    size_t i;
    if (!s->segs)
        return off < s->file->size ? (s->file->size - off < max ? s->file->size - off : max) : 0;
    i = seg_find(s, off);
    if (i == s->nsegs)
        return 0;
    n = s->segs[i].start + s->segs[i].len - off;
    for (i++; i < s->nsegs && n < max && s->segs[i].start == off + n; i++)
        n += s->segs[i].len;
    return n < max ? n : max;
}

void scry_kdump_src_free(struct scry_kdump_src *s)
{
    free(s->segs);
    free(s->seg_off);
    s->segs = NULL;
    s->seg_off = NULL;
    s->nsegs = 0;
}

/* ---------------------------------------------------------------- helpers */

static uint32_t get32(const uint8_t *p, int be)
{
    if (be)
        return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static uint64_t get64(const uint8_t *p, int be)
{
    uint64_t hi = get32(p + (be ? 0 : 4), be), lo = get32(p + (be ? 4 : 0), be);
    return hi << 32 | lo;
}

static uint64_t get_long(const uint8_t *p, unsigned size, int be)
{
    return size == 8 ? get64(p, be) : get32(p, be);
}

static void copy_uts(char dst[65], const uint8_t *src)
{
    size_t n = strnlen((const char *)src, UTS_FIELD - 1);
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* Architectures whose makedumpfile is a 32-bit program (utsname.machine).
 * Everything else uses the 64-bit layout. */
static int machine_is_32bit(const char *m)
{
    static const char *const exact[] = {"i386", "i486", "i586", "i686", "ia32", "x86",
                                        "ppc",  "s390", "sparc", "mips", "m68k", NULL};
    for (size_t i = 0; exact[i]; i++)
        if (strcmp(m, exact[i]) == 0)
            return 1;
    if (strncmp(m, "arm", 3) == 0 && strncmp(m, "arm64", 5) != 0)
        return 1;
    if (strncmp(m, "sh", 2) == 0 && strncmp(m, "sh64", 4) != 0)
        return 1;
    return 0;
}

static int plausible_block_size(uint32_t bs)
{
    return bs >= 512 && bs <= (1u << 20) && (bs & (bs - 1)) == 0;
}

/* Whether this file holds pfn's data (its dumped bit, within the split range). */
static inline int is_dumped(const struct kdump *k, uint64_t pfn)
{
    return pfn >= k->pfn_lo && pfn < k->pfn_hi && (k->dumped[pfn >> 6] >> (pfn & 63) & 1);
}

static uint64_t rank_of(const struct kdump *k, uint64_t pfn)
{
    uint64_t blk = pfn >> 9, w = pfn >> 6, r = k->rank[blk];
    for (uint64_t i = blk << 3; i < w; i++)
        r += (uint64_t)__builtin_popcountll(k->dumped[i]);
    if (pfn & 63)
        r += (uint64_t)__builtin_popcountll(k->dumped[w] & ((1ull << (pfn & 63)) - 1));
    return r;
}

/* First PFN in [from, limit) whose dumped bit equals want; limit if none. */
static uint64_t next_bit(const uint64_t *words, uint64_t from, uint64_t limit, int want)
{
    while (from < limit) {
        uint64_t w = words[from >> 6];
        if (!want)
            w = ~w;
        w &= ~0ull << (from & 63);
        if (w) {
            uint64_t pfn = (from & ~63ull) + (uint64_t)__builtin_ctzll(w);
            return pfn < limit ? pfn : limit;
        }
        from = (from | 63) + 1;
    }
    return limit;
}

/* ----------------------------------------------------------- page decoding */

static pthread_once_t lzo_once = PTHREAD_ONCE_INIT;
static int lzo_ok;
static void lzo_setup(void) { lzo_ok = lzo_init() == LZO_E_OK; }

/* Decompresses src into exactly one page. Returns NULL on success, else a
 * reason (written to why when it needs formatting). */
static const char *decompress(struct kdump *k, unsigned method, const uint8_t *src, size_t len,
                              uint8_t *out, char *why, size_t whylen)
{
    switch (method) {
    case PD_ZLIB: {
        /* libdeflate first: a whole page in one call, its adler32 in SIMD -
         * zlib spent 40% of a batch over kdump files inflating pages, 12% of
         * it in adler32 alone. It checks the same things (header, stream,
         * checksum); anything but exactly one page decoded goes to zlib below,
         * whose verdict and message stand, as before. */
        struct libdeflate_decompressor *d = atomic_exchange(&k->spare, NULL), *none = NULL;
        if (!d)
            d = libdeflate_alloc_decompressor();
        if (d) {
            size_t in_used, got;
            enum libdeflate_result rc =
                libdeflate_zlib_decompress_ex(d, src, len, out, PAGE, &in_used, &got);
            if (!atomic_compare_exchange_strong(&k->spare, &none, d))
                libdeflate_free_decompressor(d);
            if (rc == LIBDEFLATE_SUCCESS && got == PAGE)
                return NULL;
        }
        z_stream z;
        int ret;
        memset(&z, 0, sizeof z);
        if (inflateInit(&z) != Z_OK)
            return "zlib: cannot initialise";
        z.next_in = (Bytef *)(uintptr_t)src;
        z.avail_in = (uInt)len;
        z.next_out = out;
        z.avail_out = PAGE;
        ret = inflate(&z, Z_FINISH);
        inflateEnd(&z);
        if (ret == Z_STREAM_END) {
            if (z.total_out == PAGE)
                return NULL;
            snprintf(why, whylen, "zlib data decompresses to %lu bytes, not %u",
                     (unsigned long)z.total_out, PAGE);
            return why;
        }
        if (ret == Z_BUF_ERROR && z.avail_out == 0)
            return "zlib data decompresses to more than a page";
        if (ret == Z_BUF_ERROR)
            return "zlib data is truncated";
        snprintf(why, whylen, "zlib decompression failed: %s", z.msg ? z.msg : "bad data");
        return why;
    }
    case PD_LZO: {
        lzo_uint n = PAGE;
        int ret;
        pthread_once(&lzo_once, lzo_setup);
        if (!lzo_ok)
            return "LZO library failed to initialise";
        ret = lzo1x_decompress_safe(src, (lzo_uint)len, out, &n, NULL);
        /* Trailing bytes after a complete page are tolerated, as zlib's and
         * makedumpfile's own readers do. */
        if ((ret == LZO_E_OK || ret == LZO_E_INPUT_NOT_CONSUMED) && n == PAGE)
            return NULL;
        if (ret == LZO_E_OK || ret == LZO_E_INPUT_NOT_CONSUMED) {
            snprintf(why, whylen, "LZO data decompresses to %lu bytes, not %u", (unsigned long)n,
                     PAGE);
            return why;
        }
        if (ret == LZO_E_OUTPUT_OVERRUN)
            return "LZO data decompresses to more than a page";
        snprintf(why, whylen, "LZO decompression failed (error %d)", ret);
        return why;
    }
    case PD_SNAPPY: {
        size_t n;
        if (!scry_ondemand_ready(&scry_od_snappy))
            return "snappy pages need " SCRY_SONAME_SNAPPY ", which cannot be loaded";
        if (snappy_uncompressed_length((const char *)src, len, &n) != SNAPPY_OK)
            return "snappy data is corrupt";
        if (n != PAGE) {
            snprintf(why, whylen, "snappy data decompresses to %zu bytes, not %u", n, PAGE);
            return why;
        }
        if (snappy_uncompress((const char *)src, len, (char *)out, &n) != SNAPPY_OK || n != PAGE)
            return "snappy decompression failed";
        return NULL;
    }
    case PD_ZSTD: {
        size_t n = ZSTD_decompress(out, PAGE, src, len);
        if (ZSTD_isError(n)) {
            if (ZSTD_getErrorCode(n) == ZSTD_error_dstSize_tooSmall)
                return "zstd data decompresses to more than a page";
            snprintf(why, whylen, "zstd decompression failed: %s", ZSTD_getErrorName(n));
            return why;
        }
        if (n != PAGE) {
            snprintf(why, whylen, "zstd data decompresses to %zu bytes, not %u", n, PAGE);
            return why;
        }
        return NULL;
    }
    }
    return "unknown compression";
}

static scry_status page_err(const struct kdump *k, uint64_t pfn, const char *why)
{
    return scry_err(SCRY_ERR_CORRUPT, "%s: PFN 0x%llx: %s", k->base.file->path,
                    (unsigned long long)pfn, why);
}

struct page_loc {
    uint64_t off;
    uint32_t size, flags;
};

/* Finds and checks the descriptor of a dumped PFN. */
static scry_status page_locate(const struct kdump *k, uint64_t pfn, struct page_loc *loc)
{
    uint8_t pd[PD_SIZE];
    uint64_t idx = rank_of(k, pfn) - k->rank_lo, off;
    int64_t data;
    char why[128];
    /* idx < npfn <= 8 * file size, so idx * 24 cannot overflow. */
    off = k->pd_off + idx * PD_SIZE;
    if (off < k->pd_off || !scry_kdump_src_read(&k->src, off, pd, sizeof pd)) {
        snprintf(why, sizeof why, "page descriptor %llu at offset 0x%llx past end of file",
                 (unsigned long long)idx, (unsigned long long)off);
        return page_err(k, pfn, why);
    }
    data = (int64_t)get64(pd, k->be);
    loc->size = get32(pd + 8, k->be);
    loc->flags = get32(pd + 12, k->be);
    if (data < 0) {
        snprintf(why, sizeof why, "negative data offset %lld", (long long)data);
        return page_err(k, pfn, why);
    }
    loc->off = (uint64_t)data;
    if (!scry_kdump_src_ptr(&k->src, loc->off, 0) ||
        (loc->size && !scry_kdump_src_ptr(&k->src, loc->off + loc->size - 1, 1))) {
        snprintf(why, sizeof why, "%s data (%u bytes at 0x%llx) past end of file",
                 loc->flags & PD_COMPRESSION ? "compressed" : "page", loc->size,
                 (unsigned long long)loc->off);
        return page_err(k, pfn, why);
    }
    return SCRY_OK;
}

/* Decodes one dumped page into out (PAGE bytes). */
static scry_status page_decode(struct kdump *k, uint64_t pfn, const struct page_loc *loc,
                               uint8_t *out)
{
    unsigned method = loc->flags & PD_COMPRESSION;
    const uint8_t *src;
    uint8_t *tmp = NULL;
    const char *fail;
    char why[160];
    if (!method) {
        if (loc->size != PAGE) {
            snprintf(why, sizeof why, "uncompressed page of %u bytes, expected %u", loc->size,
                     PAGE);
            return page_err(k, pfn, why);
        }
        if (!scry_kdump_src_read(&k->src, loc->off, out, PAGE))
            return page_err(k, pfn, "page data past end of file");
        return SCRY_OK;
    }
    if (method & (method - 1)) {
        snprintf(why, sizeof why, "conflicting compression flags 0x%x", loc->flags);
        return page_err(k, pfn, why);
    }
    if (loc->size == 0)
        return page_err(k, pfn, "empty compressed data");
    if (loc->size > MAX_COMPRESSED) {
        snprintf(why, sizeof why, "compressed size %u is larger than any page can need",
                 loc->size);
        return page_err(k, pfn, why);
    }
    src = scry_kdump_src_ptr(&k->src, loc->off, loc->size);
    if (!src) {
        /* Only a flattened file splits page data across records. */
        tmp = malloc(loc->size);
        if (!tmp)
            return scry_err(SCRY_ERR_NOMEM, "%s: PFN 0x%llx: out of memory", k->base.file->path,
                            (unsigned long long)pfn);
        if (!scry_kdump_src_read(&k->src, loc->off, tmp, loc->size)) {
            free(tmp);
            return page_err(k, pfn, "compressed data past end of file");
        }
        src = tmp;
    }
    fail = decompress(k, method, src, loc->size, out, why, sizeof why);
    free(tmp);
    return fail ? page_err(k, pfn, fail) : SCRY_OK;
}

/* Copies [off, off+len) of dumped page pfn into dst. */
static scry_status page_read(struct kdump *k, uint64_t pfn, size_t off, size_t len, uint8_t *dst)
{
    struct page_loc loc;
    uint8_t page[PAGE];
    scry_status st;
    if (scry_pagecache_get(k->cache, pfn, off, len, dst))
        return SCRY_OK;
    st = page_locate(k, pfn, &loc);
    if (st != SCRY_OK)
        return st;
    /* Stored pages copy straight from the mapping: caching them would only
     * duplicate what the kernel's page cache already holds. */
    if (!(loc.flags & PD_COMPRESSION) && loc.size == PAGE) {
        const uint8_t *p = scry_kdump_src_ptr(&k->src, loc.off, PAGE);
        if (p) {
            memcpy(dst, p + off, len);
            return SCRY_OK;
        }
    }
    /* A small read of a page not met that way lately decodes it into our
     * own buffer, uncached (scry_pagecache_small_first). linux.pslist, psaux,
     * lsmod and proc on dev-1k.kdump decode 7,800 distinct pages; 5,200 of
     * them are met only by reads of 64 bytes or less, not twice while
     * remembered (page tables, walked for one entry). Cached at once, they
     * filled the 16 MiB cache and evicted pages read again: 8,900 decodes.
     * Now 8,500 (the pages met a second time decode twice), 10 MiB
     * cached, nothing evicted. */
    if (len <= SCRY_PAGECACHE_SMALL_READ && scry_pagecache_small_first(k->cache, pfn)) {
        st = page_decode(k, pfn, &loc, page);
        if (st == SCRY_OK)
            memcpy(dst, page + off, len);
        return st;
    }
    /* Decoded straight into the cache's buffer (no copy), or into our own
     * when the page was cached meanwhile or cannot be. */
    {
        int token;
        uint8_t *buf = scry_pagecache_reserve(k->cache, pfn, &token);
        st = page_decode(k, pfn, &loc, buf ? buf : page);
        if (st == SCRY_OK)
            memcpy(dst, (buf ? buf : page) + off, len);
        if (buf && st == SCRY_OK)
            scry_pagecache_commit(k->cache, pfn, token);
        else if (buf)
            scry_pagecache_cancel(k->cache, pfn, token);
    }
    return st;
}

/* -------------------------------------------------------------- phys ops */

/* The reader that holds pfn's data: the dump itself, or for a split set
 * the part whose range contains it; NULL reads as a hole. */
typedef struct kdump *(*pick_fn)(struct scry_phys *p, uint64_t pfn);

static scry_status read_loop(struct scry_phys *p, pick_fn pick, uint64_t pa, void *buf,
                             size_t len, size_t *holes)
{
    uint8_t *dst = buf;
    size_t hole = 0;
    if (len && !buf)
        return scry_err(SCRY_ERR_INVALID_ARG, "physical read: NULL buffer");
    while (len) {
        uint64_t pfn = pa >> PAGE_SHIFT;
        size_t off = (size_t)(pa & (PAGE - 1)), n = PAGE - off;
        struct kdump *k = pick(p, pfn);
        if (n > len)
            n = len;
        if (k && is_dumped(k, pfn)) {
            scry_status st = page_read(k, pfn, off, n, dst);
            if (st != SCRY_OK)
                return st;
        } else {
            memset(dst, 0, n);
            hole += n;
        }
        dst += n;
        len -= n;
        if (len && n > UINT64_MAX - pa) {
            /* Wrapped past 2^64: no page lives there. */
            memset(dst, 0, len);
            hole += len;
            break;
        }
        pa += n;
    }
    if (holes)
        *holes = hole;
    return SCRY_OK;
}

static struct kdump *pick_self(struct scry_phys *p, uint64_t pfn) { return (struct kdump *)p; }

static scry_status kdump_read(struct scry_phys *p, uint64_t pa, void *buf, size_t len,
                              size_t *holes)
{
    return read_loop(p, pick_self, pa, buf, len, holes);
}

static const uint8_t *direct_in(struct kdump *k, uint64_t pa, size_t len)
{
    uint64_t pfn = pa >> PAGE_SHIFT, off = pa & (PAGE - 1);
    struct page_loc loc;
    const uint8_t *d;
    if (!len || len > PAGE - off || !is_dumped(k, pfn))
        return NULL;
    if (page_locate(k, pfn, &loc) != SCRY_OK || (loc.flags & PD_COMPRESSION) || loc.size != PAGE)
        return NULL;
    d = scry_kdump_src_ptr(&k->src, loc.off, PAGE);
    return d ? d + off : NULL;
}

static const uint8_t *kdump_direct(struct scry_phys *p, uint64_t pa, size_t len)
{
    return direct_in((struct kdump *)p, pa, len);
}

static void kdump_free(struct kdump *k)
{
    libdeflate_free_decompressor(atomic_load(&k->spare));
    scry_pagecache_free(k->cache);
    free(k->dumped);
    free(k->rank);
    free(k->vmcoreinfo);
    free(k->base.runs);
    free(k);
}

static void kdump_close(struct scry_phys *p)
{
    struct kdump *k = (struct kdump *)p;
    struct scry_file *f;
    if (!k)
        return;
    f = k->base.file;
    scry_kdump_src_free(&k->src);
    kdump_free(k);
    scry_file_close(f);
}

static const struct scry_phys_ops kdump_ops = {kdump_read, kdump_direct, kdump_close};

/* ----------------------------------------------------------------- open */

/* Copies the VMCOREINFO text out of an ELF note blob (the fallback when the
 * sub-header has no separate VMCOREINFO blob). */
static char *vmcoreinfo_from_notes(const struct kdump *k, uint64_t off, uint64_t size,
                                   size_t *len)
{
    uint64_t pos = 0;
    if (size > MAX_VMCOREINFO * 2ull)
        return NULL;
    while (size - pos >= 12) {
        uint8_t nh[12];
        uint64_t namesz, descsz, nsz, dsz;
        if (!scry_kdump_src_read(&k->src, off + pos, nh, sizeof nh))
            return NULL;
        namesz = get32(nh, k->be);
        descsz = get32(nh + 4, k->be);
        nsz = (namesz + 3) & ~3ull;
        dsz = (descsz + 3) & ~3ull;
        pos += 12;
        if (nsz > size - pos || dsz > size - pos - nsz)
            return NULL;
        if (namesz == 11 && descsz && descsz <= MAX_VMCOREINFO) {
            char name[11], *text;
            if (!scry_kdump_src_read(&k->src, off + pos, name, sizeof name))
                return NULL;
            if (memcmp(name, "VMCOREINFO", 11) == 0) {
                text = malloc(descsz + 1);
                if (!text || !scry_kdump_src_read(&k->src, off + pos + nsz, text, descsz)) {
                    free(text);
                    return NULL;
                }
                text[descsz] = '\0';
                *len = descsz;
                return text;
            }
        }
        pos += nsz + dsz;
    }
    return NULL;
}

static scry_status build_runs(struct kdump *k)
{
    size_t cap = 0, n = 0;
    struct scry_run *runs = NULL;
    uint64_t pfn = k->pfn_lo;
    for (;;) {
        uint64_t start = next_bit(k->dumped, pfn, k->pfn_hi, 1), end;
        if (start >= k->pfn_hi)
            break;
        end = next_bit(k->dumped, start, k->pfn_hi, 0);
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            struct scry_run *r = realloc(runs, ncap * sizeof *r);
            if (!r) {
                free(runs);
                return scry_err(SCRY_ERR_NOMEM, "%s: out of memory indexing pages",
                                k->base.file->path);
            }
            runs = r;
            cap = ncap;
        }
        runs[n].start = start << PAGE_SHIFT;
        runs[n].len = (end - start) << PAGE_SHIFT;
        n++;
        pfn = end;
    }
    k->base.runs = runs;
    k->base.nruns = n;
    if (n)
        k->base.info.phys_end = runs[n - 1].start + runs[n - 1].len;
    return SCRY_OK;
}

/* Loads the dumped-page bitmap and its popcount prefix. */
static scry_status load_bitmap(struct kdump *k, uint64_t off)
{
    uint64_t nwords = (k->npfn + 63) / 64, nblocks = (nwords + 7) / 8, bytes = (k->npfn + 7) / 8;
    uint8_t *raw;
    /* Checked before allocating: a bitmap that lies in the file bounds
     * every size below by the file's. */
    if (src_span(&k->src, off, bytes) != bytes)
        return scry_err(SCRY_ERR_CORRUPT, "%s: dumped-page bitmap (%llu bytes at 0x%llx) past end "
                        "of file", k->base.file->path, (unsigned long long)bytes,
                        (unsigned long long)off);
    k->dumped = calloc(nblocks * 8 + 1, sizeof *k->dumped);
    k->rank = malloc((nblocks + 1) * sizeof *k->rank);
    raw = malloc(bytes ? bytes : 1);
    if (!k->dumped || !k->rank || !raw) {
        free(raw);
        return scry_err(SCRY_ERR_NOMEM, "%s: out of memory loading the bitmap",
                        k->base.file->path);
    }
    if (!scry_kdump_src_read(&k->src, off, raw, bytes)) {
        free(raw);
        return scry_err(SCRY_ERR_CORRUPT, "%s: dumped-page bitmap (%llu bytes at 0x%llx) past end "
                        "of file", k->base.file->path, (unsigned long long)bytes,
                        (unsigned long long)off);
    }
    for (uint64_t i = 0; i < bytes; i++)
        k->dumped[i / 8] |= (uint64_t)raw[i] << (8 * (i % 8));
    free(raw);
    if (k->npfn & 63)
        k->dumped[nwords - 1] &= (1ull << (k->npfn & 63)) - 1;
    k->rank[0] = 0;
    for (uint64_t b = 0; b < nblocks; b++) {
        uint64_t r = 0;
        for (int i = 0; i < 8; i++)
            r += (uint64_t)__builtin_popcountll(k->dumped[b * 8 + (uint64_t)i]);
        k->rank[b + 1] = k->rank[b] + r;
    }
    return SCRY_OK;
}

scry_status scry_kdump_open_src(struct scry_file *f, struct scry_kdump_src *src, const char *format,
                                struct scry_phys **out)
{
    uint8_t hdr[HDR_MAX] = {0}, sub[104] = {0};
    const struct hdr_layout *L;
    const struct sub_layout *S;
    const char *path = f->path;
    struct kdump *k;
    uint32_t version, bs, max_mapnr32, bitmap_blocks;
    int32_t sub_hdr_size;
    uint64_t sub_avail, sub_len, bitmap_off, bm_bytes, max_mapnr, have_hdr;
    int be, is32;
    scry_status st;

    /* A short file still gets a precise message; read what exists. */
    have_hdr = src_span(src, 0, HDR_MAX);
    if (!scry_kdump_src_read(src, 0, hdr, have_hdr))
        have_hdr = 0;
    if (have_hdr < 8 || memcmp(hdr, KDUMP_SIG, 8) != 0)
        return scry_err(SCRY_ERR_FORMAT, "%s: not a kdump-compressed dump (no \"KDUMP   \" "
                        "signature)", path);
    if (have_hdr < layout32.end)
        return scry_err(SCRY_ERR_CORRUPT, "%s: kdump header truncated (%llu bytes)", path,
                        (unsigned long long)have_hdr);

    /* The header is written in the dumped machine's byte order; a sane
     * header_version is small, its byte-swapped form is not. */
    version = get32(hdr + HDR_VERSION, 0);
    be = 0;
    if (version == 0 || version > 0xffff) {
        version = get32(hdr + HDR_VERSION, 1);
        be = 1;
        if (version == 0 || version > 0xffff)
            return scry_err(SCRY_ERR_CORRUPT, "%s: kdump header_version 0x%08x is invalid", path,
                            get32(hdr + HDR_VERSION, 0));
    }

    k = calloc(1, sizeof *k);
    if (!k)
        return scry_err(SCRY_ERR_NOMEM, "%s: out of memory", path);
    k->base.ops = &kdump_ops;
    k->base.file = f;
    k->be = be;
    copy_uts(k->base.info.release, hdr + HDR_RELEASE);
    copy_uts(k->base.info.machine, hdr + HDR_MACHINE);

    /* The machine name picks the layout; when its block_size makes no
     * sense the other layout is tried, so an unknown 32-bit arch works. */
    is32 = machine_is_32bit(k->base.info.machine);
    L = is32 ? &layout32 : &layout64;
    if (!plausible_block_size(get32(hdr + L->block_size, be)) || have_hdr < L->end) {
        const struct hdr_layout *other = is32 ? &layout64 : &layout32;
        if (have_hdr >= other->end && plausible_block_size(get32(hdr + other->block_size, be))) {
            L = other;
            is32 = !is32;
        }
    }
    S = is32 ? &sub32 : &sub64;
    if (have_hdr < L->end) {
        st = scry_err(SCRY_ERR_CORRUPT, "%s: kdump header truncated (%llu bytes)", path,
                      (unsigned long long)have_hdr);
        goto fail;
    }
    bs = get32(hdr + L->block_size, be);
    sub_hdr_size = (int32_t)get32(hdr + L->sub_hdr_size, be);
    bitmap_blocks = get32(hdr + L->bitmap_blocks, be);
    max_mapnr32 = get32(hdr + L->max_mapnr, be);
    if (!plausible_block_size(bs)) {
        st = scry_err(SCRY_ERR_CORRUPT, "%s: kdump block_size %u is invalid", path, bs);
        goto fail;
    }
    if (bs != PAGE) {
        st = scry_err(SCRY_ERR_UNSUPPORTED, "%s: kdump block_size %u (only %u-byte pages are "
                      "supported)", path, bs, PAGE);
        goto fail;
    }
    if (sub_hdr_size < 0 || bitmap_blocks == 0) {
        st = scry_err(SCRY_ERR_CORRUPT, "%s: kdump sub_hdr_size %d / bitmap_blocks %u invalid",
                      path, sub_hdr_size, bitmap_blocks);
        goto fail;
    }

    /* Sub-header: only the fields this header_version defines. */
    sub_avail = (uint64_t)sub_hdr_size * bs;
    sub_len = version >= 6 ? S->max_mapnr_64 + 8
              : version >= 4 ? S->size_note + S->long_size
              : version >= 3 ? S->size_vmcoreinfo + S->long_size
              : version >= 2 ? S->end_pfn + S->long_size
                             : 0;
    if (sub_len > sub_avail || (sub_len && !scry_kdump_src_read(src, bs, sub, sub_len))) {
        st = scry_err(SCRY_ERR_CORRUPT, "%s: kdump sub-header (%llu bytes for header_version %u) "
                      "does not fit %s", path, (unsigned long long)sub_len, version,
                      sub_len > sub_avail ? "sub_hdr_size" : "the file");
        goto fail;
    }
    k->src = *src; /* borrowed until success; see fail */

    max_mapnr = max_mapnr32;
    if (version >= 6 && get64(sub + S->max_mapnr_64, be))
        max_mapnr = get64(sub + S->max_mapnr_64, be);
    bitmap_off = (uint64_t)bs * (1 + (uint64_t)sub_hdr_size);
    bm_bytes = (uint64_t)bitmap_blocks * bs / 2;
    k->npfn = max_mapnr < bm_bytes * 8 ? max_mapnr : bm_bytes * 8;
    k->pd_off = bitmap_off + (uint64_t)bitmap_blocks * bs;
    st = load_bitmap(k, bitmap_off + bm_bytes);
    if (st != SCRY_OK)
        goto fail;

    k->pfn_lo = 0;
    k->pfn_hi = k->npfn;
    if (version >= 2 && get32(sub + S->split, be)) {
        uint64_t lo = version >= 6 ? get64(sub + S->start_pfn_64, be)
                                   : get_long(sub + S->start_pfn, S->long_size, be);
        uint64_t hi = version >= 6 ? get64(sub + S->end_pfn_64, be)
                                   : get_long(sub + S->end_pfn, S->long_size, be);
        if (lo > hi) {
            st = scry_err(SCRY_ERR_CORRUPT, "%s: kdump split range 0x%llx..0x%llx is empty",
                          path, (unsigned long long)lo, (unsigned long long)hi);
            goto fail;
        }
        k->pfn_lo = lo < k->npfn ? lo : k->npfn;
        k->pfn_hi = hi < k->npfn ? hi : k->npfn;
    }
    k->rank_lo = rank_of(k, k->pfn_lo);

    if (version >= 3) {
        uint64_t voff = get64(sub + S->off_vmcoreinfo, be);
        uint64_t vlen = get_long(sub + S->size_vmcoreinfo, S->long_size, be);
        /* A damaged VMCOREINFO pointer costs the metadata, not the dump:
         * the pages may still read fine, so it is simply left out. */
        if (vlen && vlen <= MAX_VMCOREINFO && src_span(src, voff, vlen) == vlen) {
            k->vmcoreinfo = malloc(vlen + 1);
            if (!k->vmcoreinfo) {
                st = scry_err(SCRY_ERR_NOMEM, "%s: out of memory", path);
                goto fail;
            }
            if (scry_kdump_src_read(src, voff, k->vmcoreinfo, vlen)) {
                k->vmcoreinfo[vlen] = '\0';
                k->base.info.vmcoreinfo_len = vlen;
            } else {
                free(k->vmcoreinfo);
                k->vmcoreinfo = NULL;
            }
        }
        if (!k->vmcoreinfo && version >= 4) {
            uint64_t noff = get64(sub + S->off_note, be);
            uint64_t nlen = get_long(sub + S->size_note, S->long_size, be);
            k->vmcoreinfo = vmcoreinfo_from_notes(k, noff, nlen, &k->base.info.vmcoreinfo_len);
        }
        k->base.info.vmcoreinfo = k->vmcoreinfo;
    }

    st = build_runs(k);
    if (st != SCRY_OK)
        goto fail;
    /* Charges the budget the file was opened against (NULL: bounded by
     * the cache's own size only). */
    st = scry_pagecache_new(0, f->budget, &k->cache);
    if (st != SCRY_OK)
        goto fail;
    k->base.info.format = format;
    k->base.info.read_cost = scry_format_kdump.read_cost; /* also for split sets */
    k->base.info.file_size = f->size;
    memset(src, 0, sizeof *src);
    *out = &k->base;
    return SCRY_OK;

fail:
    /* The caller keeps f and src on failure. */
    memset(&k->src, 0, sizeof k->src);
    kdump_free(k);
    return st;
}

/* ------------------------------------------------------------ split sets */

/* makedumpfile --split writes one file per PFN range; each carries the full
 * bitmaps but only its own range's descriptors and pages. The set reads as
 * one dump by sending each PFN to the part whose range holds it. */
struct kdump_set {
    struct scry_phys base;
    struct kdump **parts; /* sorted by range, ranges disjoint */
    size_t n;
};

enum { MAX_SPLIT_PARTS = 4096 };

static struct kdump *pick_part(struct scry_phys *p, uint64_t pfn)
{
    const struct kdump_set *s = (const struct kdump_set *)p;
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->parts[mid]->pfn_hi <= pfn)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < s->n && s->parts[lo]->pfn_lo <= pfn ? s->parts[lo] : NULL;
}

static scry_status set_read(struct scry_phys *p, uint64_t pa, void *buf, size_t len,
                            size_t *holes)
{
    return read_loop(p, pick_part, pa, buf, len, holes);
}

static const uint8_t *set_direct(struct scry_phys *p, uint64_t pa, size_t len)
{
    struct kdump *k = pick_part(p, pa >> PAGE_SHIFT);
    return k ? direct_in(k, pa, len) : NULL;
}

/* keep_files: the caller still owns the files (a failed open). */
static void set_free(struct kdump_set *s, int keep_files)
{
    for (size_t i = 0; i < s->n; i++) {
        if (keep_files)
            s->parts[i]->base.file = NULL;
        kdump_close(&s->parts[i]->base);
    }
    free(s->parts);
    free(s->base.runs);
    free(s);
}

static void set_close(struct scry_phys *p)
{
    if (p)
        set_free((struct kdump_set *)p, 0);
}

static const struct scry_phys_ops set_ops = {set_read, set_direct, set_close};

static int cmp_part(const void *a, const void *b)
{
    const struct kdump *x = *(const struct kdump *const *)a, *y = *(const struct kdump *const *)b;
    return x->pfn_lo < y->pfn_lo ? -1 : x->pfn_lo > y->pfn_lo;
}

scry_status scry_kdump_open_set(struct scry_file *const *files, size_t n, struct scry_phys **out)
{
    struct kdump_set *s;
    size_t nruns = 0;
    scry_status st;
    if (!files || !out || n == 0 || n > MAX_SPLIT_PARTS)
        return scry_err(SCRY_ERR_INVALID_ARG, "kdump split set: need 1 to %d files",
                        MAX_SPLIT_PARTS);
    s = calloc(1, sizeof *s);
    if (!s || !(s->parts = calloc(n, sizeof *s->parts))) {
        free(s);
        return scry_err(SCRY_ERR_NOMEM, "kdump split set: out of memory");
    }
    s->base.ops = &set_ops;
    for (size_t i = 0; i < n; i++) {
        const struct scry_format *fmt = &scry_format_kdump;
        struct scry_phys *p = NULL;
        const struct scry_file *f = files[i];
        if (f->map && scry_format_kdump_flat.probe(f->map, f->size < 4096 ? f->size : 4096,
                                                   f->size))
            fmt = &scry_format_kdump_flat;
        st = fmt->open(files[i], &p);
        if (st != SCRY_OK) {
            set_free(s, 1);
            return st;
        }
        /* Only kdump readers come out of these two formats. */
        s->parts[s->n++] = (struct kdump *)p;
        nruns += p->nruns;
    }
    qsort(s->parts, s->n, sizeof *s->parts, cmp_part);
    for (size_t i = 1; i < s->n; i++) {
        if (s->parts[i]->pfn_lo < s->parts[i - 1]->pfn_hi) {
            st = scry_err(SCRY_ERR_CORRUPT, "%s and %s: split ranges overlap at PFN 0x%llx",
                          s->parts[i - 1]->base.file->path, s->parts[i]->base.file->path,
                          (unsigned long long)s->parts[i]->pfn_lo);
            set_free(s, 1);
            return st;
        }
    }
    /* Each part's runs lie inside its range, so in part order they are
     * sorted and disjoint; runs that touch across parts are joined. */
    s->base.runs = malloc((nruns ? nruns : 1) * sizeof *s->base.runs);
    if (!s->base.runs) {
        set_free(s, 1);
        return scry_err(SCRY_ERR_NOMEM, "kdump split set: out of memory");
    }
    for (size_t i = 0; i < s->n; i++) {
        const struct scry_phys *p = &s->parts[i]->base;
        for (size_t j = 0; j < p->nruns; j++) {
            struct scry_run *last = s->base.nruns ? &s->base.runs[s->base.nruns - 1] : NULL;
            if (last && last->start + last->len == p->runs[j].start)
                last->len += p->runs[j].len;
            else
                s->base.runs[s->base.nruns++] = p->runs[j];
        }
    }
    s->base.file = s->parts[0]->base.file;
    s->base.info = s->parts[0]->base.info;
    s->base.info.file_size = 0;
    for (size_t i = 0; i < s->n; i++) {
        s->base.info.file_size += s->parts[i]->base.info.file_size;
        if (!s->base.info.vmcoreinfo && s->parts[i]->base.info.vmcoreinfo) {
            s->base.info.vmcoreinfo = s->parts[i]->base.info.vmcoreinfo;
            s->base.info.vmcoreinfo_len = s->parts[i]->base.info.vmcoreinfo_len;
        }
    }
    s->base.info.phys_end = s->base.nruns ? s->base.runs[s->base.nruns - 1].start +
                                                s->base.runs[s->base.nruns - 1].len
                                          : 0;
    *out = &s->base;
    return SCRY_OK;
}

/* ---------------------------------------------------------------- format */

static int kdump_probe(const uint8_t *head, size_t len, uint64_t file_size)
{
    return len >= 8 && memcmp(head, KDUMP_SIG, 8) == 0;
}

static scry_status kdump_open(struct scry_file *f, struct scry_phys **out)
{
    struct scry_kdump_src src = {f, NULL, NULL, 0};
    return scry_kdump_open_src(f, &src, "kdump", out);
}

/* read_cost 4, as raw images: every page read is decompressed, and a batch
 * that estimated kdump below raw (2, by pslist, psaux, lsmod and proc on
 * dev-1k.kdump against dev-1k.elf) ran its costliest dump last. A raw
 * image's 4 is an upper bound for Windows ones, whose detection scans them
 * whole; a Linux raw image costs less than its kdump (dev-1k.raw 26 ms,
 * dev-1k.kdump 41 ms, the four plugins of bench/batch.sh), and ran first.
 * So dev-1k.kdump-flat, 17th of the corpus batch, started when the due
 * dumps reached it and ran alone at the end: one -j 2 worker left 0.2-14
 * ms (4.8 mean, 12 runs) before the other; 0.1-1.1 ms (0.7) with 4. */
const struct scry_format scry_format_kdump = {"kdump", kdump_probe, kdump_open, 4};
