/* kdump_flat.c - makedumpfile's flattened format (makedumpfile -F).
 *
 * makedumpfile writes to a pipe by emitting each write of the kdump image as
 * a record: a big-endian {s64 offset; s64 size} header and size bytes that
 * belong at that offset of the kdump file, after a 4096-byte header that
 * starts "makedumpfile"; the end marker has offset = size = -1. Instead of
 * rearranging the file, open indexes the records into a sorted table of
 * logical segments and runs the kdump parser over that view. */
#include <stdlib.h>
#include <string.h>

#include "formats/kdump.h"

#define FLAT_SIG "makedumpfile"
enum {
    FLAT_HEADER = 4096, /* MAX_SIZE_MDF_HEADER */
    FLAT_TYPE = 1,      /* TYPE_FLAT_HEADER */
    REC_HEADER = 16,
};

static uint64_t be64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}

static int flat_probe(const uint8_t *head, size_t len, uint64_t file_size)
{
    return len >= sizeof FLAT_SIG && memcmp(head, FLAT_SIG, sizeof FLAT_SIG) == 0;
}

/* Collects the records (in file order) as segments. A record cut short by
 * the end of the file keeps the bytes that are there: a truncated pipe
 * capture still yields every page it holds. */
static scry_status flat_records(const struct scry_file *f, struct scry_run **segs,
                                uint64_t **offs, size_t *count)
{
    struct scry_run *r = NULL;
    uint64_t *o = NULL, pos = FLAT_HEADER;
    size_t n = 0, cap = 0;
    while (f->size - pos >= REC_HEADER) {
        uint64_t loff = be64(f->map + pos), len = be64(f->map + pos + 8);
        pos += REC_HEADER;
        if (loff == UINT64_MAX && len == UINT64_MAX)
            break;
        if (loff > INT64_MAX || len > INT64_MAX) {
            free(r), free(o);
            return scry_err(SCRY_ERR_CORRUPT, "%s: flattened record at offset 0x%llx has a "
                            "negative offset or size", f->path,
                            (unsigned long long)(pos - REC_HEADER));
        }
        if (len > f->size - pos)
            len = f->size - pos;
        if (len) {
            /* Each record takes at least 17 bytes of file, so this grows to
             * at most size / 17 entries. */
            if (n == cap) {
                size_t ncap = cap ? cap * 2 : 256;
                struct scry_run *nr = realloc(r, ncap * sizeof *nr);
                uint64_t *no = nr ? realloc(o, ncap * sizeof *no) : NULL;
                if (nr)
                    r = nr;
                if (no)
                    o = no;
                if (!nr || !no) {
                    free(r), free(o);
                    return scry_err(SCRY_ERR_NOMEM, "%s: out of memory indexing records",
                                    f->path);
                }
                cap = ncap;
            }
            r[n].start = loff;
            r[n].len = len;
            o[n] = pos;
            n++;
        }
        pos += len;
    }
    *segs = r;
    *offs = o;
    *count = n;
    return SCRY_OK;
}

static scry_status flat_open(struct scry_file *f, struct scry_phys **out)
{
    struct scry_kdump_src src = {f, NULL, NULL, 0};
    scry_status st;
    if (f->size < FLAT_HEADER || !f->map || memcmp(f->map, FLAT_SIG, sizeof FLAT_SIG) != 0)
        return scry_err(SCRY_ERR_FORMAT, "%s: not a flattened kdump (no 4096-byte "
                        "\"makedumpfile\" header)", f->path);
    if (be64(f->map + 16) != FLAT_TYPE)
        return scry_err(SCRY_ERR_UNSUPPORTED, "%s: flattened header type %llu (only type 1 is "
                        "known)", f->path, (unsigned long long)be64(f->map + 16));
    st = flat_records(f, &src.segs, &src.seg_off, &src.nsegs);
    /* Indexing touched every record header, i.e. pages all over the file:
     * drop them from our resident set (they stay in the page cache). */
    scry_file_drop(f, f->map, f->size);
    if (st != SCRY_OK)
        return st;
    /* Later records overwrite earlier ones; scry_phys_sort_runs keeps the
     * first in its input order, so feed it the records newest first. */
    for (size_t i = 0, j = src.nsegs ? src.nsegs - 1 : 0; i < j; i++, j--) {
        struct scry_run tr = src.segs[i];
        uint64_t to = src.seg_off[i];
        src.segs[i] = src.segs[j];
        src.seg_off[i] = src.seg_off[j];
        src.segs[j] = tr;
        src.seg_off[j] = to;
    }
    /* With no segments the view would fall back to the raw file. */
    if (!src.nsegs)
        return scry_err(SCRY_ERR_CORRUPT, "%s: flattened dump holds no data records", f->path);
    st = scry_phys_sort_runs(&src.segs, &src.seg_off, &src.nsegs);
    if (st != SCRY_OK) {
        scry_kdump_src_free(&src);
        return scry_err_ctx(st, "%s", f->path);
    }
    st = scry_kdump_open_src(f, &src, "kdump-flat", out);
    if (st != SCRY_OK)
        scry_kdump_src_free(&src);
    return st;
}

/* read_cost 4: kdump's (kdump.c). */
const struct scry_format scry_format_kdump_flat = {"kdump-flat", flat_probe, flat_open, 4};
