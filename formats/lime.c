/* lime.c - LiME v1: a sequence of {32-byte header, range data} records.
 *
 * Header (little endian): u32 magic 0x4C694D45, u32 version (1), u64 start,
 * u64 end (inclusive), 8 reserved bytes. The data of end - start + 1 bytes
 * follows directly, so every range maps linearly onto the file. */
#include <stdlib.h>
#include <string.h>

#include "formats/phys.h"

#define LIME_MAGIC 0x4C694D45u
#define LIME_VERSION 1u
#define LIME_HDR 32u
/* A real capture has one range per "System RAM" entry (a handful); the bound
 * keeps a hostile file from making us allocate per 32 bytes of input. */
#define LIME_MAX_RANGES 65536u

struct lime_phys {
    struct scry_linear_phys lin;
};

struct lime_range {
    uint64_t start, len, off;
};

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
    return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

static int lime_probe(const uint8_t *head, size_t len, uint64_t file_size)
{
    (void)file_size;
    return len >= LIME_HDR && le32(head) == LIME_MAGIC;
}



static void lime_close(struct scry_phys *p)
{
    scry_file_close(p->file);
    free(((struct lime_phys *)p)->lin.file_off);
    free(p->runs);
    free(p);
}

static const struct scry_phys_ops lime_ops = {scry_linear_read, scry_linear_direct, lime_close};

static int cmp_range(const void *a, const void *b)
{
    const struct lime_range *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

/* Walks the records into *out (malloc'd, *n entries). */
static scry_status lime_scan(const struct scry_file *f, struct lime_range **out, size_t *n)
{
    struct lime_range *v = NULL;
    size_t cnt = 0, cap = 0;
    uint64_t off = 0;
    scry_status st;

    while (off < f->size) {
        const uint8_t *h = f->map + off;
        uint32_t magic, version;
        uint64_t start, end, len;
        if (!scry_file_has(f, off, LIME_HDR)) {
            st = scry_err(SCRY_ERR_CORRUPT,
                          "%s: %llu trailing bytes at offset %llu are too short for a LiME header",
                          f->path, (unsigned long long)(f->size - off), (unsigned long long)off);
            goto fail;
        }
        magic = le32(h);
        version = le32(h + 4);
        start = le64(h + 8);
        end = le64(h + 16);
        if (magic != LIME_MAGIC) {
            st = scry_err(SCRY_ERR_CORRUPT,
                          "%s: no LiME header at offset %llu (magic 0x%08x, expected 0x%08x)",
                          f->path, (unsigned long long)off, magic, LIME_MAGIC);
            goto fail;
        }
        if (version != LIME_VERSION) {
            st = scry_err(SCRY_ERR_CORRUPT, "%s: LiME header at offset %llu has version %u, expected %u",
                          f->path, (unsigned long long)off, version, LIME_VERSION);
            goto fail;
        }
        /* end == UINT64_MAX would make start + len wrap to 0. */
        if (end < start || end == UINT64_MAX) {
            st = scry_err(SCRY_ERR_CORRUPT,
                          "%s: LiME header at offset %llu: bad range 0x%llx-0x%llx", f->path,
                          (unsigned long long)off, (unsigned long long)start,
                          (unsigned long long)end);
            goto fail;
        }
        len = end - start + 1;
        if (!scry_file_has(f, off + LIME_HDR, len)) {
            st = scry_err(SCRY_ERR_CORRUPT,
                          "%s: LiME range 0x%llx-0x%llx at offset %llu needs %llu bytes, "
                          "past the end of the file (%llu bytes)",
                          f->path, (unsigned long long)start, (unsigned long long)end,
                          (unsigned long long)off, (unsigned long long)len,
                          (unsigned long long)f->size);
            goto fail;
        }
        if (cnt == cap) {
            size_t ncap = cap ? cap * 2 : 8;
            struct lime_range *nv;
            if (cnt >= LIME_MAX_RANGES) {
                st = scry_err(SCRY_ERR_LIMIT, "%s: more than %u LiME ranges", f->path,
                              LIME_MAX_RANGES);
                goto fail;
            }
            nv = realloc(v, ncap * sizeof *v);
            if (!nv) {
                st = scry_err(SCRY_ERR_NOMEM, "%s: out of memory", f->path);
                goto fail;
            }
            v = nv;
            cap = ncap;
        }
        v[cnt].start = start;
        v[cnt].len = len;
        v[cnt].off = off + LIME_HDR;
        cnt++;
        off += LIME_HDR + len; /* cannot wrap: scry_file_has bounded it by size */
    }
    *out = v;
    *n = cnt;
    return SCRY_OK;
fail:
    free(v);
    return st;
}

static scry_status lime_open(struct scry_file *f, struct scry_phys **out)
{
    struct lime_range *v = NULL;
    struct lime_phys *lp = NULL;
    size_t n = 0;
    scry_status st = lime_scan(f, &v, &n);
    if (st != SCRY_OK)
        return st;
    qsort(v, n, sizeof *v, cmp_range);
    for (size_t i = 1; i < n; i++) {
        if (v[i].start < v[i - 1].start + v[i - 1].len) {
            st = scry_err(SCRY_ERR_CORRUPT,
                          "%s: LiME ranges 0x%llx-0x%llx and 0x%llx-0x%llx overlap", f->path,
                          (unsigned long long)v[i - 1].start,
                          (unsigned long long)(v[i - 1].start + v[i - 1].len - 1),
                          (unsigned long long)v[i].start,
                          (unsigned long long)(v[i].start + v[i].len - 1));
            free(v);
            return st;
        }
    }
    lp = calloc(1, sizeof *lp);
    if (lp) {
        lp->lin.base.runs = malloc((n ? n : 1) * sizeof *lp->lin.base.runs);
        lp->lin.file_off = malloc((n ? n : 1) * sizeof *lp->lin.file_off);
    }
    if (!lp || !lp->lin.base.runs || !lp->lin.file_off) {
        if (lp) {
            free(lp->lin.base.runs);
            free(lp->lin.file_off);
        }
        free(lp);
        free(v);
        return scry_err(SCRY_ERR_NOMEM, "%s: out of memory", f->path);
    }
    for (size_t i = 0; i < n; i++) {
        lp->lin.base.runs[i].start = v[i].start;
        lp->lin.base.runs[i].len = v[i].len;
        lp->lin.file_off[i] = v[i].off;
    }
    free(v);
    lp->lin.base.ops = &lime_ops;
    lp->lin.base.next_data = scry_linear_next_data;
    lp->lin.base.file = f;
    lp->lin.base.nruns = n;
    lp->lin.base.info.format = "lime";
    lp->lin.base.info.file_size = f->size;
    lp->lin.base.info.phys_end = n ? lp->lin.base.runs[n - 1].start + lp->lin.base.runs[n - 1].len : 0;
    *out = &lp->lin.base;
    return SCRY_OK;
}

const struct scry_format scry_format_lime = {"lime", lime_probe, lime_open, 1};
