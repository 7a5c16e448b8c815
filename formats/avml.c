/* avml.c - Microsoft AVML's compressed images (version 2).
 *
 * A sequence of blocks, one per physical range: a 32-byte LiME-style
 * header (u32 magic 0x4C4D5641 "AVML", u32 version 2, u64 start, u64 end
 * inclusive, 8 reserved bytes), the range's bytes as a stream of snappy's
 * framing format, then a u64 giving that stream's length in bytes. All
 * little endian.
 *
 * The framing format: chunks of a 1-byte type and a 3-byte length. 0xff is
 * the stream identifier ("sNaPpY", first); 0x00 holds a masked CRC-32C of
 * the uncompressed data and a raw snappy block of at most 64 KiB
 * uncompressed, 0x01 the CRC and the data stored; 0x02-0x7f are reserved
 * and must not be skipped, 0x80-0xfe are skipped. We parse the frames
 * ourselves; libsnappy only decompresses the raw blocks.
 *
 * Open indexes every data chunk (its physical address, place and size;
 * nothing is decompressed). Reads decode a chunk on demand, check its
 * CRC-32C and keep its whole pages in a page cache, as kdump.c does. */
#include "lib/base/ondemand_snappy.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/phys.h"
#include "lib/base/crc32c.h"
#include "lib/base/pagecache.h"

#define AVML_MAGIC 0x4C4D5641u
#define AVML_VERSION 2u
#define AVML_HDR 32u
#define CHUNK_MAX 65536u /* the framing format's bound on uncompressed data */
/* Bounds against a hostile file: a capture has a handful of ranges and one
 * chunk per 64 KiB (2^24 chunks is 1 TiB of memory); the index costs 24
 * bytes a chunk. */
#define AVML_MAX_RANGES 65536u
#define AVML_MAX_CHUNKS (1u << 24)

enum { PAGE = SCRY_PAGE_SIZE, PAGE_SHIFT = 12 };

struct chunk {
    uint64_t pa;   /* physical address of its first byte            */
    uint64_t off;  /* file offset of its data (after the CRC)        */
    uint32_t clen; /* stored bytes                                    */
    uint32_t ulen; /* uncompressed bytes, 1..CHUNK_MAX; top bit: raw  */
};
#define RAW_BIT 0x80000000u

struct avml {
    struct scry_phys base;
    struct chunk *chunks; /* sorted by pa, disjoint */
    size_t nchunks;
    struct scry_pagecache *cache;
};

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p) { return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32; }

static int avml_probe(const uint8_t *head, size_t len, uint64_t file_size)
{
    (void)file_size;
    /* The magic alone: a wrong version is then a clear error, not raw. */
    return len >= AVML_HDR && le32(head) == AVML_MAGIC;
}

static void avml_close(struct scry_phys *p)
{
    struct avml *a = (struct avml *)p;
    if (!a)
        return;
    scry_pagecache_free(a->cache);
    scry_file_close(p->file);
    free(a->chunks);
    free(p->runs);
    free(a);
}

/* ----------------------------------------------------------------- open */

struct scan {
    const struct scry_file *f;
    struct chunk *c;
    size_t n, cap;
    struct scry_run *runs;
    size_t nruns, rcap;
};

static scry_status grow(void **v, size_t *cap, size_t n, size_t size, size_t max,
                        const char *path, const char *what)
{
    size_t ncap;
    void *nv;
    if (n < *cap)
        return SCRY_OK;
    if (n >= max)
        return scry_err(SCRY_ERR_LIMIT, "%s: more than %zu AVML %s", path, max, what);
    ncap = *cap ? *cap * 2 : 64;
    if (ncap > max)
        ncap = max;
    nv = realloc(*v, ncap * size);
    if (!nv)
        return scry_err(SCRY_ERR_NOMEM, "%s: out of memory", path);
    *v = nv;
    *cap = ncap;
    return SCRY_OK;
}

/* Indexes the snappy stream of the block whose header is at hdr, for the
 * range [start, start + len): the chunks, then the trailing stream length.
 * *next is where the next block starts. */
static scry_status scan_stream(struct scan *s, uint64_t hdr, uint64_t start, uint64_t len,
                               uint64_t *next)
{
    const struct scry_file *f = s->f;
    const char *path = f->path;
    uint64_t begin = hdr + AVML_HDR, p = begin, got = 0;
    int first = 1;
    while (got < len) {
        const uint8_t *h;
        uint32_t type, clen;
        if (!scry_file_has(f, p, 4))
            return scry_err(SCRY_ERR_CORRUPT,
                            "%s: AVML range 0x%llx-0x%llx is truncated at offset %llu (%llu of "
                            "%llu bytes present)",
                            path, (unsigned long long)start,
                            (unsigned long long)(start + len - 1), (unsigned long long)p,
                            (unsigned long long)got, (unsigned long long)len);
        h = f->map + p;
        type = h[0];
        clen = (uint32_t)h[1] | (uint32_t)h[2] << 8 | (uint32_t)h[3] << 16;
        if (!scry_file_has(f, p + 4, clen))
            return scry_err(SCRY_ERR_CORRUPT,
                            "%s: snappy chunk at offset %llu needs %u bytes, past the end of the "
                            "file (%llu bytes)",
                            path, (unsigned long long)p, clen, (unsigned long long)f->size);
        if (first && type != 0xff)
            return scry_err(SCRY_ERR_CORRUPT,
                            "%s: AVML range at offset %llu does not start with a snappy stream "
                            "identifier (chunk type 0x%02x)",
                            path, (unsigned long long)hdr, type);
        first = 0;
        if (type == 0xff) {
            if (clen != 6 || memcmp(h + 4, "sNaPpY", 6) != 0)
                return scry_err(SCRY_ERR_CORRUPT, "%s: bad snappy stream identifier at offset %llu",
                                path, (unsigned long long)p);
        } else if (type == 0x00 || type == 0x01) {
            size_t ulen = 0, dlen;
            scry_status st;
            if (clen < 4)
                return scry_err(SCRY_ERR_CORRUPT,
                                "%s: snappy chunk at offset %llu is %u bytes, too short for its "
                                "CRC", path, (unsigned long long)p, clen);
            dlen = clen - 4;
            if (type == 0x01)
                ulen = dlen;
            else if (snappy_uncompressed_length((const char *)h + 8, dlen, &ulen) != SNAPPY_OK)
                return scry_err(SCRY_ERR_CORRUPT,
                                "%s: snappy chunk at offset %llu: unreadable length", path,
                                (unsigned long long)p);
            if (ulen > CHUNK_MAX)
                return scry_err(SCRY_ERR_CORRUPT,
                                "%s: snappy chunk at offset %llu holds %zu bytes, more than %u",
                                path, (unsigned long long)p, ulen, CHUNK_MAX);
            if (ulen > len - got)
                return scry_err(SCRY_ERR_CORRUPT,
                                "%s: AVML range 0x%llx-0x%llx: its data runs past the range's "
                                "%llu bytes (chunk at offset %llu)",
                                path, (unsigned long long)start,
                                (unsigned long long)(start + len - 1), (unsigned long long)len,
                                (unsigned long long)p);
            if (ulen) {
                st = grow((void **)&s->c, &s->cap, s->n, sizeof *s->c, AVML_MAX_CHUNKS, path,
                          "chunks");
                if (st != SCRY_OK)
                    return st;
                s->c[s->n++] = (struct chunk){start + got, p + 8, (uint32_t)dlen,
                                              (uint32_t)ulen | (type == 0x01 ? RAW_BIT : 0)};
                got += ulen;
            }
        } else if (type <= 0x7f) {
            return scry_err(SCRY_ERR_CORRUPT,
                            "%s: snappy chunk at offset %llu has the reserved unskippable type "
                            "0x%02x",
                            path, (unsigned long long)p, type);
        } /* 0x80-0xfe: skippable (padding included) */
        p += 4 + (uint64_t)clen;
    }
    if (!scry_file_has(f, p, 8))
        return scry_err(SCRY_ERR_CORRUPT,
                        "%s: AVML range 0x%llx-0x%llx: no stream length after its data (offset "
                        "%llu)",
                        path, (unsigned long long)start, (unsigned long long)(start + len - 1),
                        (unsigned long long)p);
    if (le64(f->map + p) != p - begin)
        return scry_err(SCRY_ERR_CORRUPT,
                        "%s: AVML range 0x%llx-0x%llx: stream length %llu at offset %llu, but "
                        "the stream is %llu bytes",
                        path, (unsigned long long)start, (unsigned long long)(start + len - 1),
                        (unsigned long long)le64(f->map + p), (unsigned long long)p,
                        (unsigned long long)(p - begin));
    *next = p + 8;
    return SCRY_OK;
}

static scry_status scan_blocks(struct scan *s)
{
    const struct scry_file *f = s->f;
    uint64_t off = 0;
    while (off < f->size) {
        const uint8_t *h = f->map + off;
        uint32_t magic, version;
        uint64_t start, end;
        scry_status st;
        if (!scry_file_has(f, off, AVML_HDR))
            return scry_err(SCRY_ERR_CORRUPT,
                            "%s: %llu trailing bytes at offset %llu are too short for an AVML "
                            "header",
                            f->path, (unsigned long long)(f->size - off), (unsigned long long)off);
        magic = le32(h);
        version = le32(h + 4);
        start = le64(h + 8);
        end = le64(h + 16);
        if (magic != AVML_MAGIC)
            return scry_err(SCRY_ERR_CORRUPT,
                            "%s: no AVML header at offset %llu (magic 0x%08x, expected 0x%08x)",
                            f->path, (unsigned long long)off, magic, AVML_MAGIC);
        if (version != AVML_VERSION)
            return scry_err(SCRY_ERR_CORRUPT,
                            "%s: AVML header at offset %llu has version %u, expected %u", f->path,
                            (unsigned long long)off, version, AVML_VERSION);
        if (end < start || end == UINT64_MAX)
            return scry_err(SCRY_ERR_CORRUPT, "%s: AVML header at offset %llu: bad range 0x%llx-0x%llx",
                            f->path, (unsigned long long)off, (unsigned long long)start,
                            (unsigned long long)end);
        if (s->nruns) {
            const struct scry_run *prev = &s->runs[s->nruns - 1];
            if (start < prev->start + prev->len)
                return scry_err(SCRY_ERR_CORRUPT,
                                "%s: AVML range 0x%llx-0x%llx at offset %llu %s 0x%llx-0x%llx "
                                "before it",
                                f->path, (unsigned long long)start, (unsigned long long)end,
                                (unsigned long long)off,
                                end >= prev->start ? "overlaps the range" : "is out of order after",
                                (unsigned long long)prev->start,
                                (unsigned long long)(prev->start + prev->len - 1));
        }
        st = grow((void **)&s->runs, &s->rcap, s->nruns, sizeof *s->runs, AVML_MAX_RANGES,
                  f->path, "ranges");
        if (st != SCRY_OK)
            return st;
        s->runs[s->nruns++] = (struct scry_run){start, end - start + 1};
        st = scan_stream(s, off, start, end - start + 1, &off);
        if (st != SCRY_OK)
            return st;
    }
    if (!s->nruns)
        return scry_err(SCRY_ERR_CORRUPT, "%s: no AVML ranges", f->path);
    return SCRY_OK;
}

/* ----------------------------------------------------------------- read */

/* Decodes chunk c into out (CHUNK_MAX bytes) and checks its CRC-32C. */
static scry_status decode(struct avml *a, const struct chunk *c, uint8_t *out)
{
    const struct scry_file *f = a->base.file;
    const uint8_t *src = f->map + c->off;
    size_t ulen = c->ulen & ~RAW_BIT, got = CHUNK_MAX;
    uint32_t want = le32(src - 4);
    if (c->ulen & RAW_BIT)
        memcpy(out, src, ulen);
    else if (snappy_uncompress((const char *)src, c->clen, (char *)out, &got) != SNAPPY_OK ||
             got != ulen)
        return scry_err(SCRY_ERR_CORRUPT,
                        "%s: PFN 0x%llx: the snappy chunk at offset %llu cannot be decompressed",
                        f->path, (unsigned long long)(c->pa >> PAGE_SHIFT),
                        (unsigned long long)(c->off - 8));
    if (scry_crc32c_mask(scry_crc32c(out, ulen)) != want)
        return scry_err(SCRY_ERR_CORRUPT,
                        "%s: PFN 0x%llx: the snappy chunk at offset %llu fails its CRC-32C check",
                        f->path, (unsigned long long)(c->pa >> PAGE_SHIFT),
                        (unsigned long long)(c->off - 8));
    return SCRY_OK;
}

/* Index of the last chunk starting at or before pa, or (size_t)-1. */
static size_t find_chunk(const struct avml *a, uint64_t pa)
{
    size_t lo = 0, hi = a->nchunks;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (a->chunks[mid].pa <= pa)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo ? lo - 1 : (size_t)-1;
}

/* Copies [pa, pa + n) of chunk c (within one page) to dst: from the cache
 * when the page lies wholly in c, else by decoding c (then caching its
 * whole pages). */
static scry_status chunk_read(struct avml *a, const struct chunk *c, uint64_t pa, size_t n,
                              uint8_t *dst)
{
    uint64_t pfn = pa >> PAGE_SHIFT, ulen = c->ulen & ~RAW_BIT;
    size_t off = (size_t)(pa & (PAGE - 1));
    int whole = pfn << PAGE_SHIFT >= c->pa && (pfn << PAGE_SHIFT) + PAGE <= c->pa + ulen;
    uint8_t *buf;
    scry_status st;
    if (whole && scry_pagecache_get(a->cache, pfn, off, n, dst))
        return SCRY_OK;
    buf = malloc(CHUNK_MAX);
    if (!buf)
        return scry_err(SCRY_ERR_NOMEM, "%s: out of memory", a->base.file->path);
    st = decode(a, c, buf);
    if (st == SCRY_OK) {
        uint64_t first = (c->pa + PAGE - 1) >> PAGE_SHIFT, last = (c->pa + ulen) >> PAGE_SHIFT;
        for (uint64_t q = first; q < last; q++)
            scry_pagecache_put(a->cache, q, buf + ((q << PAGE_SHIFT) - c->pa));
        memcpy(dst, buf + (pa - c->pa), n);
    }
    free(buf);
    return st;
}

static scry_status avml_read(struct scry_phys *p, uint64_t pa, void *buf, size_t len,
                             size_t *holes)
{
    struct avml *a = (struct avml *)p;
    uint8_t *dst = buf;
    size_t hole = 0;
    if (len && !buf)
        return scry_err(SCRY_ERR_INVALID_ARG, "physical read: NULL buffer");
    while (len) {
        size_t i = find_chunk(a, pa), n;
        const struct chunk *c = i == (size_t)-1 ? NULL : &a->chunks[i];
        if (c && pa - c->pa < (c->ulen & ~RAW_BIT)) {
            uint64_t left = c->pa + (c->ulen & ~RAW_BIT) - pa;
            n = PAGE - (size_t)(pa & (PAGE - 1));
            if (n > left)
                n = (size_t)left;
            if (n > len)
                n = len;
            scry_status st = chunk_read(a, c, pa, n, dst);
            if (st != SCRY_OK)
                return st;
        } else {
            /* A hole up to the next chunk (chunks never wrap past 2^64). */
            size_t k = c ? i + 1 : 0;
            uint64_t gap = k < a->nchunks ? a->chunks[k].pa - pa : UINT64_MAX;
            n = gap < len ? (size_t)gap : len;
            memset(dst, 0, n);
            hole += n;
        }
        dst += n;
        len -= n;
        pa += n;
    }
    if (holes)
        *holes = hole;
    return SCRY_OK;
}

static const uint8_t *avml_direct(struct scry_phys *p, uint64_t pa, size_t len)
{
    (void)p, (void)pa, (void)len;
    return NULL; /* every byte goes through its CRC check */
}

static const struct scry_phys_ops avml_ops = {avml_read, avml_direct, avml_close};

static scry_status avml_open(struct scry_file *f, struct scry_phys **out)
{
    struct scan s = {.f = f};
    struct avml *a;
    /* Every AVML range is snappy: without the library, say so once. */
    scry_status st = scry_ondemand_check(&scry_od_snappy, "an AVML dump");
    if (st != SCRY_OK)
        return st;
    st = scan_blocks(&s);
    if (st == SCRY_OK && !(a = calloc(1, sizeof *a)))
        st = scry_err(SCRY_ERR_NOMEM, "%s: out of memory", f->path);
    if (st == SCRY_OK) {
        /* The decoded pages charge the context's budget (kdump does too). */
        st = scry_pagecache_new(0, f->budget, &a->cache);
        if (st != SCRY_OK)
            free(a);
    }
    if (st != SCRY_OK) {
        free(s.c);
        free(s.runs);
        return st;
    }
    a->base.ops = &avml_ops;
    a->base.file = f;
    a->base.runs = s.runs;
    a->base.nruns = s.nruns;
    a->chunks = s.c;
    a->nchunks = s.n;
    a->base.info.format = "avml";
    a->base.info.file_size = f->size;
    a->base.info.phys_end = s.runs[s.nruns - 1].start + s.runs[s.nruns - 1].len;
    *out = &a->base;
    return SCRY_OK;
}

const struct scry_format scry_format_avml = {"avml", avml_probe, avml_open, 2};
