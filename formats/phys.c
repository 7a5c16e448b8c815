/* phys.c - format detection and the helpers every dump reader shares. */
#include "formats/phys.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "formats/kdump.h"
#include "lib/base/pagecache.h"

/* Probing order matters: the content-identified formats come first, and raw
 * accepts almost anything (any whole number of pages), so it must be last. */
const struct scry_format *const scry_formats[] = {
    &scry_format_elf,     &scry_format_lime, &scry_format_kdump, &scry_format_kdump_flat,
    &scry_format_windump, &scry_format_avml, &scry_format_raw,   NULL,
};

/* Probes see at most this much; no known header needs more. */
enum { PROBE_BYTES = 4096 };

scry_status scry_phys_open_file(struct scry_file *f, struct scry_budget *budget,
                                struct scry_phys **out)
{
    size_t len;
    if (!f || !out)
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_phys_open_file: NULL argument");
    /* Before the reader opens: a kdump creates its decoded-page cache
     * against it. */
    f->budget = budget;
    if (f->size == 0 || !f->map)
        return scry_err(SCRY_ERR_FORMAT, "%s: unknown dump format (the file is empty)", f->path);
    len = f->size < PROBE_BYTES ? (size_t)f->size : PROBE_BYTES;
    for (size_t i = 0; scry_formats[i]; i++) {
        const struct scry_format *fmt = scry_formats[i];
        struct scry_phys *p = NULL;
        scry_status st;
        if (!fmt->probe || !fmt->open || !fmt->probe(f->map, len, f->size))
            continue;
        /* The first accepting probe decides: a damaged ELF or LiME header
         * must be reported as such, not silently reread as a raw image. */
        st = fmt->open(f, &p);
        if (st != SCRY_OK)
            return st;
        if (!p->info.format)
            p->info.format = fmt->name;
        p->info.read_cost = fmt->read_cost ? fmt->read_cost : 1;
        /* 8 MiB of file pages: a task walk of a 1000-process system touches
         * about 1,800 pages and must not evict itself. */
        if (f->fd >= 0 && scry_pagecache_new(2048, f->budget, &p->fcache) != SCRY_OK) {
            scry_phys_close(p);
            return scry_err(SCRY_ERR_NOMEM, "%s: out of memory", f->path);
        }
        p->info.file_size = f->size;
        if (!p->info.phys_end && p->nruns)
            p->info.phys_end = p->runs[p->nruns - 1].start + p->runs[p->nruns - 1].len;
        *out = p;
        return SCRY_OK;
    }
    /* An analyst handed a compressed archive wants to be told what to do. */
    static const struct {
        const char *magic, *what;
        size_t n;
    } packed[] = {
        {"\xfd" "7zXZ\0", "xz-compressed (decompress it first: xz -dk)", 6},
        {"\x1f\x8b", "gzip-compressed (decompress it first: gunzip -k)", 2},
        {"\x28\xb5\x2f\xfd", "zstd-compressed (decompress it first: zstd -d)", 4},
        {"BZh", "bzip2-compressed (decompress it first: bunzip2 -k)", 3},
        {"PK\x03\x04", "a zip archive (extract the dump first)", 4},
        {"7z\xbc\xaf\x27\x1c", "a 7-Zip archive (extract the dump first)", 6},
    };
    for (size_t i = 0; i < sizeof packed / sizeof packed[0]; i++)
        if (len >= packed[i].n && memcmp(f->map, packed[i].magic, packed[i].n) == 0)
            return scry_err(SCRY_ERR_FORMAT, "%s: unknown dump format: the file is %s", f->path,
                            packed[i].what);
    return scry_err(SCRY_ERR_FORMAT,
                    "%s: unknown dump format (not an ELF core, LiME, kdump, flattened kdump or Windows crash dump, "
                    "and %llu bytes is not a whole number of %u-byte pages for a raw image)",
                    f->path, (unsigned long long)f->size, SCRY_PAGE_SIZE);
}

scry_status scry_phys_open(const char *path, struct scry_budget *budget, struct scry_phys **out)
{
    struct scry_file *f = NULL;
    scry_status st;
    if (!path || !out)
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_phys_open: NULL argument");
    st = scry_file_open(path, &f);
    if (st != SCRY_OK)
        return st;
    st = scry_phys_open_file(f, budget, out);
    if (st != SCRY_OK)
        scry_file_close(f);
    return st;
}

/* The name of the format that would claim f, for telling the user why it
 * cannot join a split set. */
static const char *detected_format(const struct scry_file *f)
{
    size_t len = f->size < PROBE_BYTES ? (size_t)f->size : PROBE_BYTES;
    if (!f->size || !f->map)
        return "an empty file";
    for (size_t i = 0; scry_formats[i]; i++)
        if (scry_formats[i]->probe && scry_formats[i]->probe(f->map, len, f->size))
            return scry_formats[i]->name;
    return "an unknown format";
}

scry_status scry_phys_open_set(const char *const *paths, size_t n, struct scry_budget *budget,
                               struct scry_phys **out)
{
    struct scry_file **files;
    scry_status st = SCRY_OK;
    if (!paths || !out || n == 0)
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_phys_open_set: no files");
    for (size_t i = 0; i < n; i++)
        if (!paths[i])
            return scry_err(SCRY_ERR_INVALID_ARG, "scry_phys_open_set: NULL path");
    if (n == 1)
        return scry_phys_open(paths[0], budget, out);
    files = calloc(n, sizeof *files);
    if (!files)
        return scry_err(SCRY_ERR_NOMEM, "split kdump set: out of memory");
    for (size_t i = 0; i < n; i++) {
        const char *what;
        st = scry_file_open(paths[i], &files[i]);
        if (st != SCRY_OK)
            break;
        files[i]->budget = budget;
        /* Checked here, naming what the file is instead, because the kdump
         * reader can only say what it is not. */
        what = detected_format(files[i]);
        if (strcmp(what, scry_format_kdump.name) != 0 &&
            strcmp(what, scry_format_kdump_flat.name) != 0) {
            st = scry_err(SCRY_ERR_FORMAT, "%s: not a kdump file, so not part of a split kdump "
                          "set (detected: %s)", files[i]->path, what);
            break;
        }
    }
    if (st == SCRY_OK)
        st = scry_kdump_open_set(files, n, out);
    if (st != SCRY_OK) /* the set took no file */
        for (size_t i = 0; i < n; i++)
            scry_file_close(files[i]);
    free(files);
    return st;
}

void scry_phys_close(struct scry_phys *p)
{
    if (!p)
        return;
    scry_pagecache_free(p->fcache);
    p->fcache = NULL;
    scry_kv_free(&p->info.meta);
    if (p->ops && p->ops->close)
        p->ops->close(p);
}

/* 1 when all len bytes at off were read into dst. */
static int read_exact(int fd, uint8_t *dst, size_t len, uint64_t off)
{
    size_t got = 0;
    while (got < len) {
        ssize_t r = pread(fd, dst + got, len - got, (off_t)(off + got));
        if (r <= 0)
            return 0;
        got += (size_t)r;
    }
    return 1;
}

/* Reads the page-sized cache page whose bytes are the file's from `at`
 * into buf (zero past the end of the file): 1 when all of it was read. */
static int read_page(const struct scry_file *f, uint64_t at, uint8_t *buf)
{
    size_t want = f->size - at < SCRY_PAGE_SIZE ? (size_t)(f->size - at) : SCRY_PAGE_SIZE;
    if (!read_exact(f->fd, buf, want, at))
        return 0;
    memset(buf + want, 0, SCRY_PAGE_SIZE - want);
    return 1;
}

/* Copies bytes [in, in+take) of the cache page `key` to dst; that page
 * holds the file's bytes from `at` (in + take <= SCRY_PAGE_SIZE). A miss
 * reads the page straight into the cache's buffer
 * (scry_pagecache_reserve): with 8 pages a miss (a 32 KiB pread, put as 8
 * pages) the corpus batch of bench/batch.sh spent 1.6 s of system time in
 * 11 runs, 17% of its CPU in the kernel's copy to user space; with 1,
 * 0.8-1.0 s (and 2: 0.9 s, 4: 1.1-1.5 s), the whole run 20% shorter.
 *
 * A miss of at most SCRY_PAGECACHE_SMALL_READ bytes on a page not met
 * that way lately (scry_pagecache_small_first) reads those bytes alone,
 * uncached; the page is cached at its
 * second such touch. Of the 38,000 file pages a corpus batch reads
 * (bench/batch.sh, -j 1), 19,700 are met first by a read of 64 bytes or
 * less and never read again (most of them the page tables of each
 * process's user space, walked once by linux.psaux for its arguments, one
 * 8-byte entry a page): copied whole, they were 40% of the bytes the kernel
 * copied, and they took cache slots from pages read again. The 4,700 pages
 * met first that way and read again (upper page tables, kernel objects:
 * 600,000 reads) pay one more system call. (Counted when the cache held
 * file pages, before run_copy.) */
static void page_copy(const struct scry_phys *p, uint64_t key, uint64_t at, size_t in,
                      size_t take, uint8_t *dst)
{
    const struct scry_file *f = p->file;
    uint8_t own[SCRY_PAGE_SIZE];
    uint8_t *buf;
    int token;
    if (scry_pagecache_get(p->fcache, key, in, take, dst) ||
        (take <= SCRY_PAGECACHE_SMALL_READ && scry_pagecache_small_first(p->fcache, key) &&
         read_exact(f->fd, dst, take, at + in)))
        return;
    buf = scry_pagecache_reserve(p->fcache, key, &token);
    if (read_page(f, at, buf ? buf : own)) {
        memcpy(dst, (buf ? buf : own) + in, take);
        if (buf)
            scry_pagecache_commit(p->fcache, key, token);
    } else { /* pread failed: the mapping is still right */
        if (buf)
            scry_pagecache_cancel(p->fcache, key, token);
        memcpy(dst, f->map + at + in, take);
    }
}

/* Copies the bytes of physical [pa, pa+len), all in run r which starts at
 * file offset roff, to dst: bulk copies straight from the mapping, small
 * ones through the file-page cache (see phys.h).
 *
 * The cache holds physical pages, keyed by number, wherever a page lies
 * wholly in one run: a LiME or ELF core's runs start at file offsets that
 * are not page-aligned (a 32-byte LiME header, an ELF core's headers and
 * notes), so each physical page spans two file pages, and a cache of file
 * pages held and read twice the bytes a walk uses (dev-1k.lime and
 * dev-1k.elf: 24 MiB read by a corpus batch's plugins, 8.5 MiB of it read
 * again after eviction, against 16 MiB and 2.3 for dev-1k.raw). A page
 * that a run boundary splits is cached as the file pages it covers, keyed
 * apart (FILE_KEY). */
#define FILE_KEY (1ull << 62)
static void run_copy(const struct scry_phys *p, const struct scry_run *r, uint64_t roff,
                     uint64_t pa, uint8_t *dst, size_t len)
{
    const struct scry_file *f = p->file;
    if (len >= SCRY_DIRECT_MIN || !p->fcache || f->fd < 0) {
        memcpy(dst, f->map + roff + (pa - r->start), len);
        return;
    }
    while (len) {
        uint64_t base = pa & ~(uint64_t)(SCRY_PAGE_SIZE - 1);
        size_t in = (size_t)(pa - base);
        size_t take = len < SCRY_PAGE_SIZE - in ? len : SCRY_PAGE_SIZE - in;
        if (base >= r->start && r->len >= SCRY_PAGE_SIZE &&
            base - r->start <= r->len - SCRY_PAGE_SIZE) {
            page_copy(p, base / SCRY_PAGE_SIZE, roff + (base - r->start), in, take, dst);
        } else { /* the file pages under [pa, pa+take): at most two */
            uint64_t off = roff + (pa - r->start);
            size_t done = 0;
            while (done < take) {
                uint64_t fpage = (off + done) / SCRY_PAGE_SIZE;
                size_t fin = (size_t)((off + done) % SCRY_PAGE_SIZE);
                size_t n = take - done < SCRY_PAGE_SIZE - fin ? take - done : SCRY_PAGE_SIZE - fin;
                page_copy(p, FILE_KEY | fpage, fpage * SCRY_PAGE_SIZE, fin, n, dst + done);
                done += n;
            }
        }
        dst += take;
        pa += take;
        len -= take;
    }
}

/* First run whose end lies above pa (runs are sorted and disjoint, so their
 * ends increase too); nruns when there is none. */
static size_t first_run_ending_after(const struct scry_phys *p, uint64_t pa)
{
    size_t lo = 0, hi = p->nruns;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (p->runs[mid].start + p->runs[mid].len <= pa)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

size_t scry_phys_find_run(const struct scry_phys *p, uint64_t pa)
{
    size_t i = first_run_ending_after(p, pa);
    if (i < p->nruns && p->runs[i].start <= pa)
        return i;
    return (size_t)-1;
}

scry_status scry_phys_read_linear(const struct scry_phys *p, const uint64_t *file_off, uint64_t pa,
                                  void *buf, size_t len, size_t *holes)
{
    uint8_t *dst = buf;
    size_t hole = 0;
    size_t i;
    if (len && !buf)
        return scry_err(SCRY_ERR_INVALID_ARG, "physical read: NULL buffer");
    i = first_run_ending_after(p, pa);
    while (len) {
        uint64_t take;
        if (i >= p->nruns || p->runs[i].start > pa) {
            /* A gap up to the next run, or to the end of the request. */
            take = len;
            if (i < p->nruns && p->runs[i].start - pa < take)
                take = p->runs[i].start - pa;
            memset(dst, 0, (size_t)take);
            hole += (size_t)take;
        } else {
            const struct scry_run *r = &p->runs[i];
            take = r->len - (pa - r->start);
            if (take > len)
                take = len;
            run_copy(p, r, file_off[i], pa, dst, (size_t)take);
            i++;
        }
        dst += take;
        len -= (size_t)take;
        if (len && take > UINT64_MAX - pa) {
            /* Past the top of the address space nothing can be present. */
            memset(dst, 0, len);
            hole += len;
            break;
        }
        pa += take;
    }
    if (holes)
        *holes = hole;
    return SCRY_OK;
}

/* ---- scry_phys_sort_runs: a sweep over all run boundaries ----
 *
 * Each elementary interval between two consecutive boundaries belongs to the
 * run with the lowest original index covering it; a min-heap on that index
 * (stale entries dropped lazily) finds it in O(log n). A later run may be
 * split in several pieces by earlier ones, so the output can hold up to
 * 2n - 1 runs. */

struct heap {
    size_t *v;
    size_t n;
};

static void heap_push(struct heap *h, size_t x)
{
    size_t i = h->n++;
    while (i) {
        size_t parent = (i - 1) / 2;
        if (h->v[parent] <= x)
            break;
        h->v[i] = h->v[parent];
        i = parent;
    }
    h->v[i] = x;
}

static void heap_pop(struct heap *h)
{
    size_t x = h->v[--h->n], i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= h->n)
            break;
        if (c + 1 < h->n && h->v[c + 1] < h->v[c])
            c++;
        if (x <= h->v[c])
            break;
        h->v[i] = h->v[c];
        i = c;
    }
    if (h->n)
        h->v[i] = x;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* qsort has no context argument, so the start travels with the index. The
 * index breaks ties, which keeps the order deterministic. */
struct start_idx {
    uint64_t start;
    size_t idx;
};

static int cmp_start_idx(const void *a, const void *b)
{
    const struct start_idx *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

scry_status scry_phys_sort_runs(struct scry_run **runs, uint64_t **file_off, size_t *n)
{
    struct scry_run *in = *runs, *out = NULL;
    uint64_t *in_off = file_off ? *file_off : NULL, *out_off = NULL, *bounds = NULL;
    struct start_idx *order = NULL;
    struct heap heap = {NULL, 0};
    size_t count = *n, m = 0, nb = 0, nout = 0, next = 0;

    if (count == 0)
        return SCRY_OK;
    /* Clip runs that would wrap past 2^64: nothing can live there and the
     * sweep needs well-defined ends. */
    for (size_t i = 0; i < count; i++)
        if (in[i].len > UINT64_MAX - in[i].start)
            in[i].len = UINT64_MAX - in[i].start;
    if (count > SIZE_MAX / 2 / sizeof(uint64_t) || count > SIZE_MAX / sizeof(struct start_idx))
        return scry_err(SCRY_ERR_NOMEM, "too many physical runs (%zu)", count);

    order = malloc(count * sizeof *order);
    bounds = malloc(2 * count * sizeof *bounds);
    heap.v = malloc(count * sizeof *heap.v);
    out = malloc((2 * count) * sizeof *out);
    if (in_off)
        out_off = malloc((2 * count) * sizeof *out_off);
    if (!order || !bounds || !heap.v || !out || (in_off && !out_off)) {
        free(order), free(bounds), free(heap.v), free(out), free(out_off);
        return scry_err(SCRY_ERR_NOMEM, "out of memory sorting %zu physical runs", count);
    }
    for (size_t i = 0; i < count; i++) {
        if (!in[i].len)
            continue;
        order[m].start = in[i].start;
        order[m].idx = i;
        m++;
        bounds[nb++] = in[i].start;
        bounds[nb++] = in[i].start + in[i].len;
    }
    qsort(order, m, sizeof *order, cmp_start_idx);
    qsort(bounds, nb, sizeof *bounds, cmp_u64);

    for (size_t k = 0; k + 1 < nb; k++) {
        uint64_t lo = bounds[k], hi = bounds[k + 1];
        uint64_t off;
        size_t w;
        if (lo == hi)
            continue;
        while (next < m && order[next].start <= lo)
            heap_push(&heap, order[next++].idx);
        while (heap.n && in[heap.v[0]].start + in[heap.v[0]].len <= lo)
            heap_pop(&heap);
        if (!heap.n)
            continue;
        w = heap.v[0];
        off = in_off ? in_off[w] + (lo - in[w].start) : 0;
        /* Pieces that continue each other in memory and in the file are one
         * run (always so for two pieces of the same run). */
        if (nout && out[nout - 1].start + out[nout - 1].len == lo &&
            (!in_off || out_off[nout - 1] + out[nout - 1].len == off)) {
            out[nout - 1].len += hi - lo;
            continue;
        }
        out[nout].start = lo;
        out[nout].len = hi - lo;
        if (in_off)
            out_off[nout] = off;
        nout++;
    }

    free(order);
    free(bounds);
    free(heap.v);
    free(in);
    *runs = out;
    if (in_off) {
        free(in_off);
        *file_off = out_off;
    }
    *n = nout;
    return SCRY_OK;
}

scry_status scry_linear_read(struct scry_phys *p, uint64_t pa, void *buf, size_t len,
                             size_t *holes)
{
    return scry_phys_read_linear(p, ((struct scry_linear_phys *)p)->file_off, pa, buf, len, holes);
}

const uint8_t *scry_linear_direct(struct scry_phys *p, uint64_t pa, size_t len)
{
    size_t i;
    const struct scry_run *r;
    if (len < SCRY_DIRECT_MIN || !p->file->map || (i = scry_phys_find_run(p, pa)) == (size_t)-1)
        return NULL;
    r = &p->runs[i];
    if (len > r->len - (pa - r->start))
        return NULL;
    return p->file->map + ((struct scry_linear_phys *)p)->file_off[i] + (pa - r->start);
}

int scry_linear_next_data(struct scry_phys *p, uint64_t pa, uint64_t *start, uint64_t *end)
{
    const uint64_t *file_off = ((struct scry_linear_phys *)p)->file_off;
    for (size_t i = first_run_ending_after(p, pa); i < p->nruns; i++) {
        const struct scry_run *r = &p->runs[i];
        uint64_t from = pa > r->start ? pa : r->start, ds, de;
        uint64_t foff = file_off[i] + (from - r->start), fend = file_off[i] + r->len;
        if (!scry_file_next_data(p->file, foff, &ds, &de) || ds >= fend)
            continue; /* the rest of this run is a hole */
        *start = r->start + (ds - file_off[i]);
        *end = de < fend ? r->start + (de - file_off[i]) : r->start + r->len;
        return 1;
    }
    return 0;
}
