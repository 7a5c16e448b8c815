/* test_formats.c - the physical layer and the raw, LiME and ELF readers.
 *
 * Synthetic files are built in memory so every field can be set precisely,
 * good and bad; the corpus checks then hold the readers to real dumps. */
#include <check.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "formats/phys.h"
#include "lib/base/file.h"
#include "lib/base/budget.h"
#include "lib/base/pagecache.h"
#include "testutil.h"

/* ------------------------------------------------------------ a byte buffer */

struct buf {
    uint8_t *p;
    size_t n, cap;
};

static void b_reserve(struct buf *b, size_t more)
{
    if (b->n + more > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->n + more)
            cap *= 2;
        b->p = realloc(b->p, cap);
        ck_assert_ptr_nonnull(b->p);
        b->cap = cap;
    }
}

static void b_put(struct buf *b, const void *d, size_t n)
{
    if (!n)
        return;
    b_reserve(b, n);
    memcpy(b->p + b->n, d, n);
    b->n += n;
}

static void b_u8(struct buf *b, uint8_t v) { b_put(b, &v, 1); }

static void b_u16(struct buf *b, uint16_t v)
{
    for (int i = 0; i < 2; i++)
        b_u8(b, (uint8_t)(v >> (8 * i)));
}

static void b_u32(struct buf *b, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        b_u8(b, (uint8_t)(v >> (8 * i)));
}

static void b_u64(struct buf *b, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        b_u8(b, (uint8_t)(v >> (8 * i)));
}

static void b_zero(struct buf *b, size_t n)
{
    b_reserve(b, n);
    memset(b->p + b->n, 0, n);
    b->n += n;
}

/* Bytes whose value depends on their physical address and a seed, so a read
 * from the wrong place shows. */
static uint8_t pat(uint64_t pa, unsigned seed) { return (uint8_t)(pa * 7 + (pa >> 8) + seed * 31 + 1); }

static void b_pattern(struct buf *b, uint64_t pa, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        b_u8(b, pat(pa + i, seed));
}

static void set_u32(struct buf *b, size_t off, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        b->p[off + i] = (uint8_t)(v >> (8 * i));
}

static void set_u64(struct buf *b, size_t off, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        b->p[off + i] = (uint8_t)(v >> (8 * i));
}

/* Opens a memory buffer through format detection. On failure the file is
 * closed here, as a caller of scry_phys_open_file must. */
static scry_status open_mem(const void *data, size_t n, const char *name, struct scry_phys **out)
{
    struct scry_file *f = NULL;
    scry_status st = scry_file_from_memory(data, n, name, &f);
    ck_assert_int_eq(st, SCRY_OK);
    st = scry_phys_open_file(f, NULL, out);
    if (st != SCRY_OK)
        scry_file_close(f);
    return st;
}

/* An open that must fail with st and a message mentioning `needle`. */
static void expect_fail(const struct buf *b, const char *name, scry_status st, const char *needle)
{
    struct scry_phys *p = NULL;
    scry_status got = open_mem(b->p, b->n, name, &p);
    ck_assert_msg(got == st, "%s: status %d (%s), expected %d", name, got, scry_last_error(), st);
    ck_assert_ptr_null(p);
    ck_assert_msg(strstr(scry_last_error(), name) != NULL, "message lacks path: %s",
                  scry_last_error());
    ck_assert_msg(strstr(scry_last_error(), needle) != NULL, "message '%s' lacks '%s'",
                  scry_last_error(), needle);
    ck_assert_ptr_null(strchr(scry_last_error(), '\n'));
}

static void check_pattern(const uint8_t *d, uint64_t pa, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(d[i] == pat(pa + i, seed), "byte at pa 0x%llx: 0x%02x, expected 0x%02x",
                      (unsigned long long)(pa + i), d[i], pat(pa + i, seed));
}

/* Writes b to a temporary file and opens it as a dump: the path, which
 * close_temp removes. */
static char *open_temp(const struct buf *b, struct scry_phys **p)
{
    char *path = tu_write_temp(b->p, b->n);
    ck_assert_ptr_nonnull(path);
    ck_assert_int_eq(scry_phys_open(path, NULL, p), SCRY_OK);
    return path;
}

/* Closes a dump open_temp opened and frees what made it. */
static void close_temp(struct scry_phys *p, char *path, struct buf *b)
{
    scry_phys_close(p);
    unlink(path);
    free(path);
    free(b->p);
}

/* Reads n bytes at pa of a dump of b_pattern(seed), checks them, and
 * returns the file-page cache's counters after the read. */
static struct scry_pagecache_stats read_checked(struct scry_phys *p, uint64_t pa, size_t n,
                                                unsigned seed)
{
    uint8_t out[512];
    struct scry_pagecache_stats stats;
    ck_assert_uint_le(n, sizeof out);
    ck_assert_int_eq(scry_phys_read(p, pa, out, n, NULL), SCRY_OK);
    check_pattern(out, pa, n, seed);
    scry_pagecache_stats(p->fcache, &stats);
    return stats;
}

static void check_zero(const uint8_t *d, size_t n)
{
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(d[i] == 0, "byte %zu is 0x%02x, expected a zero-filled hole", i, d[i]);
}

/* ------------------------------------------------------------ the table */

START_TEST(format_table)
{
    /* Content-identified formats first, raw (the catch-all) last. */
    static const char *const names[] = {"elf",     "lime", "kdump", "kdump-flat",
                                        "windump", "avml", "raw"};
    ck_assert_ptr_eq(scry_formats[0], &scry_format_elf);
    ck_assert_ptr_eq(scry_formats[1], &scry_format_lime);
    ck_assert_ptr_eq(scry_formats[2], &scry_format_kdump);
    ck_assert_ptr_eq(scry_formats[3], &scry_format_kdump_flat);
    ck_assert_ptr_eq(scry_formats[4], &scry_format_windump);
    ck_assert_ptr_eq(scry_formats[5], &scry_format_avml);
    ck_assert_ptr_eq(scry_formats[6], &scry_format_raw);
    ck_assert_ptr_null(scry_formats[7]);
    for (int i = 0; i < 7; i++) {
        ck_assert_ptr_nonnull(scry_formats[i]->name);
        ck_assert_str_eq(scry_formats[i]->name, names[i]);
    }
    for (int i = 0; i < 7; i++) {
        if (i == 2 || i == 3)
            continue; /* kdump probes are another reader's to test */
        ck_assert_ptr_nonnull(scry_formats[i]->probe);
        ck_assert_ptr_nonnull(scry_formats[i]->open);
        ck_assert_int_eq(scry_formats[i]->probe((const uint8_t *)"", 0, 0), 0);
    }
}
END_TEST

/* -------------------------------------------------------------------- raw */

START_TEST(raw_reads)
{
    struct buf b = {0};
    struct scry_phys *p = NULL;
    uint8_t out[8192];
    size_t holes = 99;
    b_pattern(&b, 0, 3 * 4096, 1);
    ck_assert_int_eq(open_mem(b.p, b.n, "t.raw", &p), SCRY_OK);
    ck_assert_str_eq(p->info.format, "raw");
    ck_assert_uint_eq(p->info.file_size, 3 * 4096);
    ck_assert_uint_eq(p->info.phys_end, 3 * 4096);
    ck_assert_uint_eq(p->nruns, 1);
    ck_assert_uint_eq(p->runs[0].start, 0);
    ck_assert_uint_eq(p->runs[0].len, 3 * 4096);
    ck_assert_ptr_null(p->info.vmcoreinfo);

    ck_assert_int_eq(scry_phys_read(p, 100, out, 5000, &holes), SCRY_OK);
    ck_assert_uint_eq(holes, 0);
    check_pattern(out, 100, 5000, 1);
    /* Straddling the end: the tail is a hole. */
    ck_assert_int_eq(scry_phys_read(p, 3 * 4096 - 100, out, 300, &holes), SCRY_OK);
    ck_assert_uint_eq(holes, 200);
    check_pattern(out, 3 * 4096 - 100, 100, 1);
    check_zero(out + 100, 200);
    /* holes may be NULL. */
    ck_assert_int_eq(scry_phys_read(p, 0, out, 10, NULL), SCRY_OK);
    check_pattern(out, 0, 10, 1);

    /* direct serves bulk reads only (SCRY_DIRECT_MIN): small ones go
     * through the file-page cache. */
    ck_assert_ptr_null(p->ops->direct(p, 4096, 4096));
    ck_assert_ptr_null(p->ops->direct(p, 3 * 4096 - 1, 2));
    ck_assert_ptr_null(p->ops->direct(p, UINT64_MAX, 1));
    scry_phys_close(p);
    free(b.p);
}
END_TEST

START_TEST(raw_path_open)
{
    struct buf b = {0};
    struct scry_phys *p = NULL;
    uint8_t out[16];
    char *path;
    b_pattern(&b, 0, 4096, 2);
    path = open_temp(&b, &p);
    ck_assert_str_eq(p->info.format, "raw");
    ck_assert_int_eq(scry_phys_read(p, 4000, out, 16, NULL), SCRY_OK);
    check_pattern(out, 4000, 16, 2);
    scry_phys_close(p);
    scry_phys_close(NULL);
    /* A missing file is an I/O error naming it. */
    unlink(path);
    p = NULL;
    ck_assert_int_eq(scry_phys_open(path, NULL, &p), SCRY_ERR_IO);
    ck_assert_ptr_null(p);
    ck_assert_ptr_nonnull(strstr(scry_last_error(), path));
    free(path);
    free(b.p);
}
END_TEST

/* The file-page cache of a dump opened against a budget charges it, stays
 * within it, and gives it all back on close. */
START_TEST(file_cache_budget)
{
    struct buf b = {0};
    struct scry_budget bud;
    struct scry_phys *p = NULL;
    uint8_t out[64];
    char *path;
    b_pattern(&b, 0, 32 * 4096, 9);
    path = tu_write_temp(b.p, b.n);
    ck_assert_ptr_nonnull(path);
    scry_budget_init(&bud, 4 * 4096);
    ck_assert_int_eq(scry_phys_open(path, &bud, &p), SCRY_OK);
    ck_assert_ptr_eq(p->file->budget, &bud);
    for (int pass = 0; pass < 2; pass++)
        for (uint64_t pa = 100; pa < 32 * 4096; pa += 4096) {
            ck_assert_int_eq(scry_phys_read(p, pa, out, sizeof out, NULL), SCRY_OK);
            check_pattern(out, pa, sizeof out, 9);
        }
    ck_assert_uint_gt(scry_budget_used(&bud), 0);
    ck_assert_uint_le(atomic_load(&bud.peak), 4 * 4096);
    scry_phys_close(p);
    ck_assert_uint_eq(scry_budget_used(&bud), 0);
    unlink(path);
    free(path);
    free(b.p);
}
END_TEST

/* The access time of an old atime/mtime pair, read back. */
static time_t aged_atime(const char *path)
{
    struct timespec old[2] = {{.tv_sec = 946684800}, {.tv_sec = 946684800}}; /* 2000-01-01 */
    struct stat st;
    ck_assert_int_eq(utimensat(AT_FDCWD, path, old, 0), 0);
    ck_assert_int_eq(stat(path, &st), 0);
    return st.st_atime;
}

/* Reading a dump leaves its access time alone (O_NOATIME), where the file
 * system would otherwise update it (checked first with a plain read: under
 * relatime an atime a day old is updated); a process that may not use
 * O_NOATIME (not the owner, no CAP_FOWNER) still opens the file. */
START_TEST(reads_leave_atime)
{
    struct buf b = {0};
    struct scry_phys *p = NULL;
    struct stat st;
    uint8_t out[64];
    char *path;
    int fd;
    b_pattern(&b, 0, 8 * 4096, 4);
    path = tu_write_temp(b.p, b.n);
    ck_assert_ptr_nonnull(path);
    time_t old = aged_atime(path);
    fd = open(path, O_RDONLY);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(read(fd, out, sizeof out), (ssize_t)sizeof out);
    close(fd);
    ck_assert_int_eq(stat(path, &st), 0);
    if (st.st_atime == old) {
        fprintf(stderr, "reads_leave_atime: this file system does not update access times; "
                        "only the fallback is checked\n");
    } else {
        old = aged_atime(path);
        ck_assert_int_eq(scry_phys_open(path, NULL, &p), SCRY_OK);
        for (uint64_t pa = 0; pa < 8 * 4096; pa += 4096) {
            ck_assert_int_eq(scry_phys_read(p, pa + 8, out, sizeof out, NULL), SCRY_OK);
            check_pattern(out, pa + 8, sizeof out, 4);
        }
        scry_phys_close(p);
        ck_assert_int_eq(stat(path, &st), 0);
        ck_assert_int_eq(st.st_atime, old);
    }
    fd = scry_open_evidence(path, O_CLOEXEC);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_ne(fcntl(fd, F_GETFL) & O_NOATIME, 0);
    close(fd);
    /* Not the owner: root checks it as nobody (its effective uid only, so
     * that it can switch back; no fork, which valgrind would follow). */
    if (geteuid() == 0) {
        int k, flags;
        ck_assert_int_eq(chmod(path, 0644), 0);
        ck_assert_int_eq(seteuid(65534), 0);
        k = scry_open_evidence(path, O_CLOEXEC);
        flags = k >= 0 ? fcntl(k, F_GETFL) : 0;
        if (k >= 0)
            close(k);
        ck_assert_int_eq(seteuid(0), 0);
        ck_assert_int_ge(k, 0);
        ck_assert_int_eq(flags & O_NOATIME, 0);
    } else if (stat("/etc/passwd", &st) == 0 && st.st_uid != geteuid()) {
        fd = scry_open_evidence("/etc/passwd", O_CLOEXEC);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(fcntl(fd, F_GETFL) & O_NOATIME, 0);
        close(fd);
    }
    unlink(path);
    free(path);
    free(b.p);
}
END_TEST

/* Issue 18 case 9: a FIFO given as the dump used to hang in open(). Anything
 * but a regular file or a block device is refused at once, in one line. */
START_TEST(refuse_fifo_and_others)
{
    char dir[] = "/tmp/scry-fifo-XXXXXX", fifo[64], want[256];
    struct scry_phys *p = NULL;
    struct scry_file *f = NULL;
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(fifo, sizeof fifo, "%s/dump", dir);
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    alarm(10); /* a hang fails the test instead of stalling the suite */
    ck_assert_int_eq(scry_phys_open(fifo, NULL, &p), SCRY_ERR_IO);
    ck_assert_ptr_null(p);
    snprintf(want, sizeof want, "%s: not a regular file or block device (a FIFO)", fifo);
    ck_assert_str_eq(scry_last_error(), want);
    ck_assert_int_eq(scry_file_open(fifo, &f), SCRY_ERR_IO);
    ck_assert_str_eq(scry_last_error(), want);
    {
        const char *const set[] = {fifo, fifo};
        ck_assert_int_eq(scry_phys_open_set(set, 2, NULL, &p), SCRY_ERR_IO);
        ck_assert_str_eq(scry_last_error(), want);
    }
    alarm(0);
    ck_assert_int_eq(scry_phys_open(dir, NULL, &p), SCRY_ERR_IO);
    snprintf(want, sizeof want, "%s: not a regular file or block device (a directory)", dir);
    ck_assert_str_eq(scry_last_error(), want);
    ck_assert_int_eq(scry_phys_open("/dev/null", NULL, &p), SCRY_ERR_IO);
    ck_assert_str_eq(scry_last_error(),
                     "/dev/null: not a regular file or block device (a character device)");
    unlink(fifo);
    rmdir(dir);
}
END_TEST

/* A dump opened from a file: bulk reads get the zero-copy view of the
 * mapping, small ones come from the file-page cache and stay correct across
 * pages and on a second (cached) read. */
START_TEST(raw_bulk_and_file_cache)
{
    struct buf b = {0};
    struct scry_phys *p = NULL;
    uint8_t out[8192];
    struct scry_pagecache_stats stats;
    char *path;
    b_pattern(&b, 0, 32 * 4096, 5);
    path = open_temp(&b, &p);
    ck_assert_ptr_nonnull(p->fcache);
    ck_assert_ptr_eq(p->ops->direct(p, 4096, SCRY_DIRECT_MIN), p->file->map + 4096);
    ck_assert_ptr_null(p->ops->direct(p, 4096, SCRY_DIRECT_MIN - 1));
    for (int pass = 0; pass < 3; pass++) {
        ck_assert_int_eq(scry_phys_read(p, 3 * 4096 - 8, out, 16, NULL), SCRY_OK);
        check_pattern(out, 3 * 4096 - 8, 16, 5);
        ck_assert_int_eq(scry_phys_read(p, 5 * 4096 + 100, out, sizeof out, NULL), SCRY_OK);
        check_pattern(out, 5 * 4096 + 100, sizeof out, 5);
    }
    scry_pagecache_stats(p->fcache, &stats);
    /* Pages 5, 6 and 7 missed once (a miss reads its page alone) and were
     * hits after. Pages 2 and 3, 8 bytes each, were read alone the first
     * time, cached at the second (two more misses), and hits at the third
     * (small_reads_cached_at_second_touch). */
    ck_assert_uint_eq(stats.used, 5);
    ck_assert_uint_eq(stats.misses, 7);
    ck_assert_uint_eq(stats.hits, 8);
    close_temp(p, path, &b);
}
END_TEST

/* A read of at most 64 bytes that misses reads its bytes alone, uncached,
 * unless its page was met that way lately: then the page is cached. A
 * longer read caches its page at once. Every read returns the file's
 * bytes. */
START_TEST(small_reads_cached_at_second_touch)
{
    struct buf b = {0};
    struct scry_phys *p = NULL;
    struct scry_pagecache_stats stats;
    char *path;
    b_pattern(&b, 0, 64 * 4096, 6);
    path = open_temp(&b, &p);
    stats = read_checked(p, 10 * 4096 + 40, 8, 6);
    ck_assert_uint_eq(stats.used, 0);
    stats = read_checked(p, 10 * 4096 + 2000, 8, 6); /* the same page again: cached */
    ck_assert_uint_eq(stats.used, 1);
    stats = read_checked(p, 10 * 4096 + 3000, 8, 6); /* and now a hit */
    ck_assert_uint_eq(stats.used, 1);
    ck_assert_uint_eq(stats.hits, 1);
    /* The bound: 64 bytes still alone, 65 cached at once. */
    stats = read_checked(p, 12 * 4096, 64, 6);
    ck_assert_uint_eq(stats.used, 1);
    stats = read_checked(p, 13 * 4096, 65, 6);
    ck_assert_uint_eq(stats.used, 2);
    /* One small read on each of many pages caches none of them. */
    for (uint64_t pg = 20; pg < 64; pg++)
        stats = read_checked(p, pg * 4096 + pg, 8, 6);
    ck_assert_uint_eq(stats.used, 2);
    /* A read across a page boundary is two reads, one per page. */
    stats = read_checked(p, 15 * 4096 - 4, 8, 6);
    ck_assert_uint_eq(stats.used, 2);
    stats = read_checked(p, 15 * 4096 - 4, 8, 6);
    ck_assert_uint_eq(stats.used, 4);
    close_temp(p, path, &b);
}
END_TEST

START_TEST(unknown_format)
{
    struct buf b = {0};
    b_pattern(&b, 0, 4097, 3);
    b.p[0] = 'x'; /* not \177ELF, not LiME, not kdump */
    expect_fail(&b, "odd.bin", SCRY_ERR_FORMAT, "unknown dump format");
    ck_assert_ptr_nonnull(strstr(scry_last_error(), "4097 bytes"));
    b.n = 0;
    expect_fail(&b, "empty.bin", SCRY_ERR_FORMAT, "empty");
    b.n = 1;
    expect_fail(&b, "one.bin", SCRY_ERR_FORMAT, "unknown dump format");
    free(b.p);
}
END_TEST

/* ------------------------------------------------------------------- LiME */

static void lime_hdr(struct buf *b, uint32_t version, uint64_t start, uint64_t end)
{
    b_u32(b, 0x4C694D45);
    b_u32(b, version);
    b_u64(b, start);
    b_u64(b, end);
    b_zero(b, 8);
}

static void lime_range(struct buf *b, uint64_t start, uint64_t len, unsigned seed)
{
    lime_hdr(b, 1, start, start + len - 1);
    b_pattern(b, start, len, seed);
}

START_TEST(lime_two_ranges)
{
    struct buf b = {0};
    struct scry_phys *p = NULL;
    uint8_t out[0x4000];
    size_t holes;
    /* Out of address order in the file: the reader must sort. */
    lime_range(&b, 0x5000, 0x1000, 5);
    lime_range(&b, 0x1000, 0x2000, 5);
    ck_assert_int_eq(open_mem(b.p, b.n, "t.lime", &p), SCRY_OK);
    ck_assert_str_eq(p->info.format, "lime");
    ck_assert_uint_eq(p->info.file_size, b.n);
    ck_assert_uint_eq(p->info.phys_end, 0x6000);
    ck_assert_uint_eq(p->nruns, 2);
    ck_assert_uint_eq(p->runs[0].start, 0x1000);
    ck_assert_uint_eq(p->runs[0].len, 0x2000);
    ck_assert_uint_eq(p->runs[1].start, 0x5000);
    ck_assert_uint_eq(p->runs[1].len, 0x1000);
    ck_assert_uint_eq(scry_phys_find_run(p, 0xfff), (size_t)-1);
    ck_assert_uint_eq(scry_phys_find_run(p, 0x1000), 0);
    ck_assert_uint_eq(scry_phys_find_run(p, 0x2fff), 0);
    ck_assert_uint_eq(scry_phys_find_run(p, 0x3000), (size_t)-1);
    ck_assert_uint_eq(scry_phys_find_run(p, 0x5fff), 1);
    ck_assert_uint_eq(scry_phys_find_run(p, 0x6000), (size_t)-1);

    /* [0x2800, 0x6800): 0x800 data, 0x2000 gap, 0x1000 data, 0x800 past the end. */
    ck_assert_int_eq(scry_phys_read(p, 0x2800, out, 0x4000, &holes), SCRY_OK);
    ck_assert_uint_eq(holes, 0x2800);
    check_pattern(out, 0x2800, 0x800, 5);
    check_zero(out + 0x800, 0x2000);
    check_pattern(out + 0x2800, 0x5000, 0x1000, 5);
    check_zero(out + 0x3800, 0x800);
    /* Entirely before the first range. */
    memset(out, 0xaa, 0x100);
    ck_assert_int_eq(scry_phys_read(p, 0x10, out, 0x100, &holes), SCRY_OK);
    ck_assert_uint_eq(holes, 0x100);
    check_zero(out, 0x100);
    /* Zero-length read. */
    ck_assert_int_eq(scry_phys_read(p, 0x1000, out, 0, &holes), SCRY_OK);
    ck_assert_uint_eq(holes, 0);

    /* direct: inside one range only. */
    /* Below SCRY_DIRECT_MIN there is no zero-copy view (see phys.h). */
    ck_assert_ptr_null(p->ops->direct(p, 0x1000, 0x2000));
    ck_assert_ptr_null(p->ops->direct(p, 0x5000, 0x10));
    ck_assert_ptr_null(p->ops->direct(p, 0x2fff, 2));
    ck_assert_ptr_null(p->ops->direct(p, 0x3000, 1));
    scry_phys_close(p);
    free(b.p);
}
END_TEST

/* A LiME range's data starts 32 bytes past a page boundary of the file, so
 * each physical page spans two file pages: the file-page cache holds
 * physical pages wherever one range holds them whole (one buffer, one
 * read each), and a page that a range boundary splits as the file pages
 * under it. Every read returns the dump's bytes. */
START_TEST(lime_pages_cached_by_address)
{
    struct buf b = {0};
    struct scry_phys *p = NULL;
    struct scry_pagecache_stats stats;
    char *path;
    /* [0x1000, 0x4000) at file offset 0x20; [0x4000, 0x4c00) at 0x3040;
     * [0x4c00, 0x7000) at 0x3c60: page 0x4000 is split by a boundary. */
    lime_range(&b, 0x1000, 0x3000, 7);
    lime_range(&b, 0x4000, 0xc00, 7);
    lime_range(&b, 0x4c00, 0x2400, 7);
    path = open_temp(&b, &p);
    ck_assert_str_eq(p->info.format, "lime");
    /* File bytes 0x2036..0x209a: file pages 1 and 2, physical page 2. */
    stats = read_checked(p, 0x2000 + 3990, 100, 7);
    ck_assert_uint_eq(stats.used, 1);
    ck_assert_uint_eq(stats.misses, 1);
    stats = read_checked(p, 0x2000 + 10, 100, 7); /* file page 1 alone: the same page */
    ck_assert_uint_eq(stats.used, 1);
    ck_assert_uint_eq(stats.hits, 1);
    /* 100 bytes each side of 0x4c00, both in file page 3: one buffer,
     * the second half a hit at once. */
    stats = read_checked(p, 0x4c00 - 100, 200, 7);
    ck_assert_uint_eq(stats.used, 2);
    ck_assert_uint_eq(stats.hits, 2);
    stats = read_checked(p, 0x4c00 - 100, 200, 7);
    ck_assert_uint_eq(stats.used, 2);
    ck_assert_uint_eq(stats.hits, 4);
    /* Page 0x5000 lies whole in the third range. */
    stats = read_checked(p, 0x5000 + 4000, 96, 7);
    ck_assert_uint_eq(stats.used, 3);
    /* Across the page boundary at 0x6000: page 0x5000 again, 0x6000 new. */
    stats = read_checked(p, 0x6000 - 128, 256, 7);
    ck_assert_uint_eq(stats.used, 4);
    ck_assert_uint_eq(stats.hits, 5);
    close_temp(p, path, &b);
}
END_TEST

START_TEST(lime_bad)
{
    struct buf b = {0};
    lime_range(&b, 0, 0x1000, 1);
    b.n -= 1; /* last byte of the range missing */
    expect_fail(&b, "past-eof.lime", SCRY_ERR_CORRUPT, "past the end of the file");

    b.n = 0;
    lime_hdr(&b, 1, 0x1000, 0x0fff);
    expect_fail(&b, "end-before-start.lime", SCRY_ERR_CORRUPT, "bad range");

    b.n = 0;
    lime_hdr(&b, 1, 0x1000, UINT64_MAX);
    expect_fail(&b, "top.lime", SCRY_ERR_CORRUPT, "bad range");

    b.n = 0;
    lime_hdr(&b, 1, 0, UINT64_MAX - 1); /* a length no file holds */
    expect_fail(&b, "huge.lime", SCRY_ERR_CORRUPT, "past the end of the file");

    b.n = 0;
    lime_range(&b, 0x1000, 0x2000, 1);
    lime_range(&b, 0x2000, 0x1000, 1);
    expect_fail(&b, "overlap.lime", SCRY_ERR_CORRUPT, "overlap");

    b.n = 0;
    lime_range(&b, 0, 0x100, 1);
    lime_hdr(&b, 2, 0x1000, 0x10ff);
    b_zero(&b, 0x100);
    expect_fail(&b, "version.lime", SCRY_ERR_CORRUPT, "version 2");

    b.n = 0;
    lime_range(&b, 0, 0x100, 1);
    b_pattern(&b, 0, 64, 9); /* not a header */
    expect_fail(&b, "garbage.lime", SCRY_ERR_CORRUPT, "no LiME header at offset 288");

    b.n = 0;
    lime_range(&b, 0, 0x100, 1);
    b_zero(&b, 10);
    expect_fail(&b, "short-tail.lime", SCRY_ERR_CORRUPT, "too short for a LiME header");

    b.n = 0;
    lime_hdr(&b, 1, 0, 0xfff); /* only the header */
    expect_fail(&b, "header-only.lime", SCRY_ERR_CORRUPT, "past the end of the file");
    free(b.p);
}
END_TEST

START_TEST(lime_range_bound)
{
    struct buf b = {0};
    struct scry_phys *p = NULL;
    for (uint64_t i = 0; i < 65536; i++)
        lime_range(&b, i * 2, 1, 1);
    ck_assert_int_eq(open_mem(b.p, b.n, "many.lime", &p), SCRY_OK);
    ck_assert_uint_eq(p->nruns, 65536);
    scry_phys_close(p);
    lime_range(&b, 65536 * 2, 1, 1);
    expect_fail(&b, "toomany.lime", SCRY_ERR_LIMIT, "65536");
    free(b.p);
}
END_TEST

/* -------------------------------------------------------------------- ELF */

struct phdr {
    uint32_t type;
    uint64_t off, paddr, filesz, memsz;
};

static void elf_ehdr(struct buf *b, uint16_t type, uint16_t phnum)
{
    static const uint8_t ident[16] = {0x7f, 'E', 'L', 'F', 2, 1, 1};
    b_put(b, ident, 16);
    b_u16(b, type);
    b_u16(b, 62); /* EM_X86_64 */
    b_u32(b, 1);
    b_u64(b, 0);  /* entry */
    b_u64(b, 64); /* phoff */
    b_u64(b, 0);  /* shoff */
    b_u32(b, 0);
    b_u16(b, 64);
    b_u16(b, 56);
    b_u16(b, phnum);
    b_u16(b, 64);
    b_u16(b, 0);
    b_u16(b, 0);
}

static void elf_phdr(struct buf *b, const struct phdr *ph)
{
    b_u32(b, ph->type);
    b_u32(b, 7);
    b_u64(b, ph->off);
    b_u64(b, 0xffffffff80000000ull + ph->paddr); /* vaddr: ignored by the reader */
    b_u64(b, ph->paddr);
    b_u64(b, ph->filesz);
    b_u64(b, ph->memsz);
    b_u64(b, 0);
}

static void note(struct buf *b, const char *name, uint32_t type, const void *desc, uint32_t descsz)
{
    uint32_t namesz = (uint32_t)strlen(name) + 1;
    b_u32(b, namesz);
    b_u32(b, descsz);
    b_u32(b, type);
    b_put(b, name, namesz);
    b_zero(b, (4 - namesz % 4) % 4);
    b_put(b, desc, descsz);
    b_zero(b, (4 - descsz % 4) % 4);
}

static void qemu_note(struct buf *b, uint64_t cr0, uint64_t cr2, uint64_t cr3, uint64_t cr4)
{
    struct buf d = {0};
    b_u32(&d, 1);
    b_u32(&d, 440);
    for (int i = 0; i < 18; i++)
        b_u64(&d, 0x1111111111111111ull * (uint64_t)(i % 15 + 1)); /* GPRs, rip, rflags */
    b_zero(&d, 240);                                           /* segments */
    b_u64(&d, cr0);
    b_u64(&d, 0xdeadbeef); /* cr1 */
    b_u64(&d, cr2);
    b_u64(&d, cr3);
    b_u64(&d, cr4);
    b_u64(&d, 0);
    ck_assert_uint_eq(d.n, 440);
    note(b, "QEMU", 0, d.p, (uint32_t)d.n);
    free(d.p);
}

static const char VMCI[] = "OSRELEASE=6.1.0-test\nPAGESIZE=4096\nKERNELOFFSET=1a000000\n";

/* A QEMU-style core: PT_NOTE (CORE x2, QEMU x2, VMCOREINFO), PT_LOAD 0 =
 * [0, 0x2000) with a 0x1000 hole tail, PT_LOAD 1 = [0x10000, 0x11000).
 * *noff / *nsz locate the note segment. */
static void build_elf(struct buf *b, size_t *noff, size_t *nsz)
{
    struct buf notes = {0};
    uint8_t prstatus[336] = {0};
    size_t data0, data1, phoff = 64;
    struct phdr ph[3];

    note(&notes, "CORE", 1, prstatus, sizeof prstatus);
    note(&notes, "CORE", 1, prstatus, sizeof prstatus);
    qemu_note(&notes, 0x80050033, 0x5e27c8, 0x1f7a000, 0x6b0);
    qemu_note(&notes, 0x80050033, 0x1234, 0x2000, 0x10006b0);
    note(&notes, "VMCOREINFO", 0, VMCI, sizeof VMCI - 1);

    elf_ehdr(b, 4, 3);
    *noff = phoff + 3 * 56;
    *nsz = notes.n;
    data0 = *noff + notes.n;
    data1 = data0 + 0x2000;
    ph[0] = (struct phdr){4, *noff, 0, notes.n, notes.n};
    ph[1] = (struct phdr){1, data0, 0, 0x2000, 0x3000};
    ph[2] = (struct phdr){1, data1, 0x10000, 0x1000, 0x1000};
    for (int i = 0; i < 3; i++)
        elf_phdr(b, &ph[i]);
    b_put(b, notes.p, notes.n);
    b_pattern(b, 0, 0x2000, 7);
    b_pattern(b, 0x10000, 0x1000, 7);
    free(notes.p);
}

START_TEST(elf_reads_and_notes)
{
    struct buf b = {0};
    struct scry_phys *p = NULL;
    size_t noff, nsz, holes;
    uint8_t out[0x3000];
    build_elf(&b, &noff, &nsz);
    ck_assert_int_eq(open_mem(b.p, b.n, "t.elf", &p), SCRY_OK);
    ck_assert_str_eq(p->info.format, "elf");
    ck_assert_uint_eq(p->info.file_size, b.n);
    ck_assert_uint_eq(p->nruns, 2);
    ck_assert_uint_eq(p->runs[0].start, 0);
    ck_assert_uint_eq(p->runs[0].len, 0x2000); /* p_filesz, not p_memsz */
    ck_assert_uint_eq(p->runs[1].start, 0x10000);
    ck_assert_uint_eq(p->runs[1].len, 0x1000);
    ck_assert_uint_eq(p->info.phys_end, 0x11000);

    ck_assert_ptr_nonnull(p->info.vmcoreinfo);
    ck_assert_str_eq(p->info.vmcoreinfo, VMCI);
    ck_assert_uint_eq(p->info.vmcoreinfo_len, sizeof VMCI - 1);

    ck_assert_uint_eq(p->info.ncpus, 2);
    ck_assert_int_eq(p->info.cpu[0].valid, 1);
    ck_assert_uint_eq(p->info.cpu[0].cr0, 0x80050033);
    ck_assert_uint_eq(p->info.cpu[0].cr2, 0x5e27c8);
    ck_assert_uint_eq(p->info.cpu[0].cr3, 0x1f7a000);
    ck_assert_uint_eq(p->info.cpu[0].cr4, 0x6b0);
    ck_assert_int_eq(p->info.cpu[1].valid, 1);
    ck_assert_uint_eq(p->info.cpu[1].cr2, 0x1234);
    ck_assert_uint_eq(p->info.cpu[1].cr3, 0x2000);
    ck_assert_uint_eq(p->info.cpu[1].cr4, 0x10006b0);
    ck_assert_int_eq(p->info.cpu[2].valid, 0);

    /* [0x1800, 0x4800): 0x800 data, then the p_memsz tail and beyond are holes. */
    ck_assert_int_eq(scry_phys_read(p, 0x1800, out, 0x3000, &holes), SCRY_OK);
    ck_assert_uint_eq(holes, 0x2800);
    check_pattern(out, 0x1800, 0x800, 7);
    check_zero(out + 0x800, 0x2800);
    ck_assert_int_eq(scry_phys_read(p, 0xff00, out, 0x200, &holes), SCRY_OK);
    ck_assert_uint_eq(holes, 0x100);
    check_zero(out, 0x100);
    check_pattern(out + 0x100, 0x10000, 0x100, 7);
    ck_assert_ptr_null(p->ops->direct(p, 0x10000, 0x1000)); /* < SCRY_DIRECT_MIN */
    ck_assert_ptr_null(p->ops->direct(p, 0x1fff, 2));
    scry_phys_close(p);
    free(b.p);
}
END_TEST

START_TEST(elf_vmcore_like)
{
    /* No QEMU note: NT_PRSTATUS alone counts CPUs, registers stay invalid. */
    struct buf b = {0}, notes = {0};
    struct scry_phys *p = NULL;
    uint8_t prstatus[336] = {0};
    struct phdr ph[2];
    note(&notes, "CORE", 1, prstatus, sizeof prstatus);
    note(&notes, "CORE", 1, prstatus, sizeof prstatus);
    note(&notes, "CORE", 1, prstatus, sizeof prstatus);
    note(&notes, "VMCOREINFO", 0, VMCI, sizeof VMCI - 1);
    b_zero(&notes, 64); /* zero padding after the last note */
    elf_ehdr(&b, 4, 2);
    ph[0] = (struct phdr){4, 64 + 2 * 56, 0, notes.n, notes.n};
    ph[1] = (struct phdr){1, 64 + 2 * 56 + notes.n, 0x100000, 0x1000, 0x1000};
    elf_phdr(&b, &ph[0]);
    elf_phdr(&b, &ph[1]);
    b_put(&b, notes.p, notes.n);
    b_pattern(&b, 0x100000, 0x1000, 3);
    ck_assert_int_eq(open_mem(b.p, b.n, "vmcore", &p), SCRY_OK);
    ck_assert_uint_eq(p->info.ncpus, 3);
    ck_assert_int_eq(p->info.cpu[0].valid, 0);
    ck_assert_str_eq(p->info.vmcoreinfo, VMCI);
    ck_assert_uint_eq(p->nruns, 1);
    ck_assert_uint_eq(p->info.phys_end, 0x101000);
    scry_phys_close(p);
    free(notes.p);
    free(b.p);
}
END_TEST

START_TEST(elf_overlapping_loads)
{
    /* Like a vmcore: the first PT_LOAD (the kernel image) sits inside the
     * second (the direct map); the first in file order wins. */
    struct buf b = {0};
    struct scry_phys *p = NULL;
    uint8_t out[0x5000];
    size_t holes, d0 = 64 + 2 * 56, d1 = d0 + 0x2000;
    struct phdr ph[2] = {{1, d0, 0x1000, 0x2000, 0x2000}, {1, d1, 0, 0x5000, 0x5000}};
    elf_ehdr(&b, 4, 2);
    elf_phdr(&b, &ph[0]);
    elf_phdr(&b, &ph[1]);
    b_pattern(&b, 0x1000, 0x2000, 1);
    b_pattern(&b, 0, 0x5000, 2);
    ck_assert_int_eq(open_mem(b.p, b.n, "overlap.elf", &p), SCRY_OK);
    ck_assert_uint_eq(p->nruns, 3);
    ck_assert_uint_eq(p->runs[0].start, 0);
    ck_assert_uint_eq(p->runs[0].len, 0x1000);
    ck_assert_uint_eq(p->runs[1].start, 0x1000);
    ck_assert_uint_eq(p->runs[1].len, 0x2000);
    ck_assert_uint_eq(p->runs[2].start, 0x3000);
    ck_assert_uint_eq(p->runs[2].len, 0x2000);
    ck_assert_int_eq(scry_phys_read(p, 0, out, 0x5000, &holes), SCRY_OK);
    ck_assert_uint_eq(holes, 0);
    check_pattern(out, 0, 0x1000, 2);
    check_pattern(out + 0x1000, 0x1000, 0x2000, 1);
    check_pattern(out + 0x3000, 0x3000, 0x2000, 2);
    scry_phys_close(p);
    free(b.p);
}
END_TEST

START_TEST(elf_bad_headers)
{
    struct buf b = {0};
    size_t noff, nsz, base;
    build_elf(&b, &noff, &nsz);
    base = b.n;

    b.n = 40;
    expect_fail(&b, "short.elf", SCRY_ERR_CORRUPT, "ELF header truncated");
    b.n = base;

    b.p[4] = 1;
    expect_fail(&b, "elf32.elf", SCRY_ERR_UNSUPPORTED, "only ELF64");
    b.p[4] = 2;
    b.p[5] = 2;
    expect_fail(&b, "be.elf", SCRY_ERR_UNSUPPORTED, "little endian");
    b.p[5] = 1;
    b.p[16] = 2; /* ET_EXEC */
    expect_fail(&b, "exec.elf", SCRY_ERR_FORMAT, "not a core dump");
    b.p[16] = 4;

    b.p[54] = 32; /* e_phentsize */
    expect_fail(&b, "phentsize.elf", SCRY_ERR_CORRUPT, "program header size 32");
    b.p[54] = 56;

    set_u64(&b, 32, base - 100); /* e_phoff: headers past EOF */
    expect_fail(&b, "phoff.elf", SCRY_ERR_CORRUPT, "program headers at offset");
    set_u64(&b, 32, UINT64_MAX - 10);
    expect_fail(&b, "phoff2.elf", SCRY_ERR_CORRUPT, "past the end of the file");
    set_u64(&b, 32, 64);

    b.p[56] = 0;
    expect_fail(&b, "nophdr.elf", SCRY_ERR_CORRUPT, "no program headers");
    b.p[56] = 0xff;
    b.p[57] = 0xff; /* PN_XNUM, section header 0 at e_shoff = 0 ... */
    set_u64(&b, 40, base); /* ... moved past the end */
    expect_fail(&b, "xnum.elf", SCRY_ERR_CORRUPT, "PN_XNUM");
    b.p[56] = 3;
    b.p[57] = 0;
    set_u64(&b, 40, 0);

    /* PT_LOAD 1's data past EOF; then an offset that would wrap. */
    set_u64(&b, 64 + 56 + 8, base - 0x1000);
    expect_fail(&b, "load-eof.elf", SCRY_ERR_CORRUPT, "program header 1");
    set_u64(&b, 64 + 56 + 8, UINT64_MAX - 0x100);
    expect_fail(&b, "load-wrap.elf", SCRY_ERR_CORRUPT, "past the end");
    set_u64(&b, 64 + 56 + 8, noff + nsz);

    set_u64(&b, 64 + 56 + 24, UINT64_MAX - 0x1000); /* p_paddr + p_memsz wraps */
    expect_fail(&b, "paddr-wrap.elf", SCRY_ERR_CORRUPT, "wraps around");
    set_u64(&b, 64 + 56 + 24, 0);
    set_u64(&b, 64 + 56 + 40, 0x1000); /* p_memsz < p_filesz */
    expect_fail(&b, "memsz.elf", SCRY_ERR_CORRUPT, "larger than p_memsz");
    set_u64(&b, 64 + 56 + 40, 0x3000);

    /* The PT_NOTE segment itself past EOF. */
    set_u64(&b, 64 + 32, base);
    expect_fail(&b, "note-eof.elf", SCRY_ERR_CORRUPT, "program header 0");
    set_u64(&b, 64 + 32, nsz);

    /* Sanity: the repaired file opens again. */
    {
        struct scry_phys *p = NULL;
        ck_assert_int_eq(open_mem(b.p, b.n, "repaired.elf", &p), SCRY_OK);
        scry_phys_close(p);
    }
    free(b.p);
}
END_TEST

START_TEST(elf_bad_notes)
{
    struct buf b = {0};
    size_t noff, nsz;
    build_elf(&b, &noff, &nsz);

    set_u32(&b, noff + 4, 0xffffffffu); /* descsz of note 0 */
    expect_fail(&b, "descsz.elf", SCRY_ERR_CORRUPT, "does not fit its segment");
    set_u32(&b, noff + 4, 336);
    set_u32(&b, noff, 0xfffffffdu); /* namesz that wraps when aligned in 32 bits */
    expect_fail(&b, "namesz.elf", SCRY_ERR_CORRUPT, "does not fit its segment");
    set_u32(&b, noff, 5);
    /* A segment cut inside the last note (VMCOREINFO). */
    set_u64(&b, 64 + 32, nsz - 8);
    expect_fail(&b, "cut.elf", SCRY_ERR_CORRUPT, "does not fit its segment");
    set_u64(&b, 64 + 32, nsz);

    /* A QEMU note of another version is ignored, not fatal. */
    {
        struct scry_phys *p = NULL;
        size_t q = noff + 2 * (12 + 8 + 336) + 12 + 8; /* desc of the first QEMU note */
        set_u32(&b, q, 2);
        ck_assert_int_eq(open_mem(b.p, b.n, "qemu-v2.elf", &p), SCRY_OK);
        ck_assert_int_eq(p->info.cpu[0].valid, 1);
        ck_assert_uint_eq(p->info.cpu[0].cr3, 0x2000); /* only the second one counted */
        ck_assert_int_eq(p->info.cpu[1].valid, 0);
        ck_assert_uint_eq(p->info.ncpus, 2); /* NT_PRSTATUS still says 2 */
        scry_phys_close(p);
    }
    free(b.p);
}
END_TEST

START_TEST(elf_note_bound)
{
    /* 70000 tiny notes: a bound, not a long walk or a crash. */
    struct buf b = {0}, notes = {0};
    struct phdr ph;
    for (int i = 0; i < 70000; i++)
        note(&notes, "X", 7, NULL, 0);
    elf_ehdr(&b, 4, 1);
    ph = (struct phdr){4, 64 + 56, 0, notes.n, notes.n};
    elf_phdr(&b, &ph);
    b_put(&b, notes.p, notes.n);
    expect_fail(&b, "notes.elf", SCRY_ERR_LIMIT, "notes");
    free(notes.p);
    free(b.p);
}
END_TEST

/* ------------------------------------------------------------- the helpers */

/* Owner (original index) of every address in [0, SPAN) after a first-wins
 * overlay, computed the slow way. */
#define SPAN 64

START_TEST(sort_runs_random)
{
    unsigned seed = 12345;
    for (int iter = 0; iter < 2000; iter++) {
        size_t n = (size_t)(iter % 9), m;
        struct scry_run *runs = malloc((n ? n : 1) * sizeof *runs);
        uint64_t *off = malloc((n ? n : 1) * sizeof *off);
        int owner[SPAN];
        uint64_t where[SPAN] = {0};
        for (int a = 0; a < SPAN; a++)
            owner[a] = -1;
        for (size_t i = 0; i < n; i++) {
            seed = seed * 1103515245 + 12345;
            runs[i].start = (seed >> 8) % SPAN;
            seed = seed * 1103515245 + 12345;
            runs[i].len = (seed >> 8) % (SPAN - runs[i].start + 1);
            off[i] = 1000 * (i + 1);
            for (uint64_t a = runs[i].start; a < runs[i].start + runs[i].len; a++)
                if (owner[a] < 0) {
                    owner[a] = (int)i;
                    where[a] = off[i] + (a - runs[i].start);
                }
        }
        m = n;
        ck_assert_int_eq(scry_phys_sort_runs(&runs, &off, &m), SCRY_OK);
        {
            int covered[SPAN] = {0};
            for (size_t j = 0; j < m; j++) {
                ck_assert_uint_gt(runs[j].len, 0);
                if (j)
                    ck_assert_uint_gt(runs[j].start, runs[j - 1].start + runs[j - 1].len - 1);
                for (uint64_t a = runs[j].start; a < runs[j].start + runs[j].len; a++) {
                    ck_assert_int_ge(owner[a], 0);
                    ck_assert_uint_eq(off[j] + (a - runs[j].start), where[a]);
                    covered[a] = 1;
                }
            }
            for (int a = 0; a < SPAN; a++)
                ck_assert_int_eq(covered[a], owner[a] >= 0);
        }
        free(runs);
        free(off);
    }
}
END_TEST

START_TEST(sort_runs_edges)
{
    /* No file offsets; a run reaching 2^64 is clipped, not wrapped. */
    struct scry_run *runs = malloc(3 * sizeof *runs);
    size_t n = 3;
    runs[0] = (struct scry_run){UINT64_MAX - 0x10, 0x100};
    runs[1] = (struct scry_run){0x10, 0};
    runs[2] = (struct scry_run){0, 0x10};
    ck_assert_int_eq(scry_phys_sort_runs(&runs, NULL, &n), SCRY_OK);
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(runs[0].start, 0);
    ck_assert_uint_eq(runs[0].len, 0x10);
    ck_assert_uint_eq(runs[1].start, UINT64_MAX - 0x10);
    ck_assert_uint_eq(runs[1].len, 0x10);
    free(runs);
    n = 0;
    runs = NULL;
    ck_assert_int_eq(scry_phys_sort_runs(&runs, NULL, &n), SCRY_OK);
    ck_assert_uint_eq(n, 0);
}
END_TEST

START_TEST(read_top_of_address_space)
{
    struct buf b = {0};
    struct scry_phys *p = NULL;
    uint8_t out[64];
    size_t holes;
    b_pattern(&b, 0, 4096, 1);
    ck_assert_int_eq(open_mem(b.p, b.n, "t.raw", &p), SCRY_OK);
    memset(out, 0xaa, sizeof out);
    ck_assert_int_eq(scry_phys_read(p, UINT64_MAX - 10, out, sizeof out, &holes), SCRY_OK);
    ck_assert_uint_eq(holes, sizeof out);
    check_zero(out, sizeof out);
    scry_phys_close(p);
    free(b.p);
}
END_TEST

/* ----------------------------------------------------------------- corpus */

static const char *corpus_data(void)
{
    const char *e = getenv("MEMSCRY_CORPUS_DATA");
    return e && *e ? e : SCRY_BINARY_DIR "/corpus-data";
}

/* Opens <data>/<name>, or returns NULL after printing why the test skips. */
static struct scry_phys *open_corpus(const char *name)
{
    char path[4096];
    struct stat st;
    struct scry_phys *p = NULL;
    scry_status rc;
    if (!tu_corpus_dir(name))
        return NULL;
    snprintf(path, sizeof path, "%s/%s", corpus_data(), name);
    if (stat(path, &st) != 0) {
        printf("SKIP %s: %s not found (set MEMSCRY_CORPUS_DATA)\n", name, path);
        return NULL;
    }
    rc = scry_phys_open(path, NULL, &p);
    ck_assert_msg(rc == SCRY_OK, "%s: %s", path, scry_last_error());
    return p;
}

START_TEST(corpus_dev_small_agree)
{
    struct scry_phys *raw = open_corpus("dev-small.raw");
    struct scry_phys *lime, *elf;
    static uint8_t a[4096], b[4096], c[4096];
    size_t pages = 0;
    if (!raw)
        return;
    lime = open_corpus("dev-small.lime");
    elf = open_corpus("dev-small.elf");
    ck_assert_ptr_nonnull(lime);
    ck_assert_ptr_nonnull(elf);
    ck_assert_str_eq(raw->info.format, "raw");
    ck_assert_str_eq(lime->info.format, "lime");
    ck_assert_str_eq(elf->info.format, "elf");

    /* /proc/iomem System RAM: 0x1000-0x9fbff, 0x100000-0xffdffff. */
    ck_assert_uint_eq(lime->nruns, 2);
    ck_assert_uint_eq(lime->runs[0].start, 0x1000);
    ck_assert_uint_eq(lime->runs[0].len, 0x9fc00 - 0x1000);
    ck_assert_uint_eq(lime->runs[1].start, 0x100000);
    ck_assert_uint_eq(lime->runs[1].len, 0xffe0000 - 0x100000);
    /* QEMU: all RAM from 0, then the BIOS flash alias. */
    ck_assert_uint_eq(elf->nruns, 2);
    ck_assert_uint_eq(elf->runs[0].start, 0);
    ck_assert_uint_eq(elf->runs[0].len, 0x10000000);
    ck_assert_uint_eq(elf->runs[1].start, 0xfffc0000);
    ck_assert_uint_eq(elf->runs[1].len, 0x40000);
    ck_assert_uint_eq(raw->runs[0].len, 0x10000000);

    for (size_t r = 0; r < lime->nruns; r++) {
        uint64_t first = (lime->runs[r].start + 4095) / 4096;
        uint64_t end = (lime->runs[r].start + lime->runs[r].len) / 4096;
        for (uint64_t pfn = first; pfn < end; pfn += 997) {
            size_t h1 = 1, h2 = 1, h3 = 1;
            ck_assert_int_eq(scry_phys_read(raw, pfn * 4096, a, 4096, &h1), SCRY_OK);
            ck_assert_int_eq(scry_phys_read(lime, pfn * 4096, b, 4096, &h2), SCRY_OK);
            ck_assert_int_eq(scry_phys_read(elf, pfn * 4096, c, 4096, &h3), SCRY_OK);
            ck_assert_uint_eq(h1 + h2 + h3, 0);
            ck_assert_msg(memcmp(a, b, 4096) == 0, "raw and lime differ at pfn 0x%llx",
                          (unsigned long long)pfn);
            ck_assert_msg(memcmp(a, c, 4096) == 0, "raw and elf differ at pfn 0x%llx",
                          (unsigned long long)pfn);
            pages++;
        }
    }
    ck_assert_uint_gt(pages, 60);
    /* Between the LiME ranges: a hole in LiME, RAM in raw. */
    {
        size_t h = 0;
        ck_assert_int_eq(scry_phys_read(lime, 0xa0000, b, 4096, &h), SCRY_OK);
        ck_assert_uint_eq(h, 4096);
    }

    ck_assert_ptr_nonnull(elf->info.vmcoreinfo);
    ck_assert_ptr_nonnull(strstr(elf->info.vmcoreinfo, "OSRELEASE=6.1.0-57-cloud-amd64\n"));
    ck_assert_ptr_nonnull(strstr(elf->info.vmcoreinfo, "KERNELOFFSET=3ac00000\n"));
    ck_assert_uint_eq(strlen(elf->info.vmcoreinfo), elf->info.vmcoreinfo_len);
    ck_assert_uint_eq(elf->info.ncpus, 2);
    for (unsigned i = 0; i < 2; i++) {
        const struct scry_cpu_regs *cr = &elf->info.cpu[i];
        ck_assert_int_eq(cr->valid, 1);
        ck_assert_uint_eq(cr->cr4 & (1u << 12), 0); /* 4-level paging */
        ck_assert_uint_ne(cr->cr0 & 0x80000001u, 0);   /* PG and PE */
        /* CR3: a page-aligned table inside RAM (the low bits may be a PCID). */
        ck_assert_uint_ne(cr->cr3 & ~0xfffull, 0);
        ck_assert_uint_lt(cr->cr3 & ~0xfffull, 0x10000000);
    }
    ck_assert_ptr_null(raw->info.vmcoreinfo);
    ck_assert_ptr_null(lime->info.vmcoreinfo);
    scry_phys_close(raw);
    scry_phys_close(lime);
    scry_phys_close(elf);
}
END_TEST

START_TEST(corpus_dev_la57)
{
    struct scry_phys *elf = open_corpus("dev-la57.elf");
    if (!elf)
        return;
    ck_assert_uint_eq(elf->info.ncpus, 2);
    for (unsigned i = 0; i < 2; i++) {
        ck_assert_int_eq(elf->info.cpu[i].valid, 1);
        ck_assert_uint_ne(elf->info.cpu[i].cr4 & (1u << 12), 0); /* LA57 */
        ck_assert_uint_lt(elf->info.cpu[i].cr3 & ~0xfffull, 0x10000000);
    }
    ck_assert_ptr_nonnull(strstr(elf->info.vmcoreinfo, "NUMBER(pgtable_l5_enabled)=1"));
    scry_phys_close(elf);
}
END_TEST

START_TEST(corpus_dev_vmcore)
{
    struct scry_phys *p = open_corpus("dev-vmcore.vmcore");
    const uint8_t *img, *dmap;
    uint64_t covered = 0;
    if (!p)
        return;
    ck_assert_str_eq(p->info.format, "elf");
    ck_assert_ptr_nonnull(strstr(p->info.vmcoreinfo, "KERNELOFFSET=36c00000\n"));
    ck_assert_ptr_nonnull(strstr(p->info.vmcoreinfo, "OSRELEASE=6.1.0-57-cloud-amd64\n"));
    ck_assert_uint_eq(p->info.ncpus, 2); /* two NT_PRSTATUS, no QEMU note */
    ck_assert_int_eq(p->info.cpu[0].valid, 0);
    /* Three PT_LOADs; the kernel image one (first, so it wins) splits the
     * direct-map one around it: four disjoint runs covering the two
     * stretches of RAM, 1 MiB to the crashkernel and above it. */
    ck_assert_uint_eq(p->nruns, 4);
    ck_assert_uint_eq(p->runs[0].start, 0x100000);
    ck_assert_uint_eq(p->runs[1].start, 0xda00000);
    ck_assert_uint_eq(p->runs[1].len, 0x2830000);
    ck_assert_uint_eq(p->runs[2].start, 0xda00000 + 0x2830000);
    ck_assert_uint_eq(p->runs[2].start + p->runs[2].len, 0x13000000);
    ck_assert_uint_eq(p->runs[3].start, 0x1f000000);
    ck_assert_uint_eq(p->runs[3].len, 0xfdd000);
    for (size_t i = 0; i < p->nruns; i++)
        covered += p->runs[i].len;
    ck_assert_uint_eq(covered, 0x12f00000 + 0xfdd000);
    ck_assert_uint_eq(p->info.phys_end, 0x1ffdd000);
    /* The aliased pages are identical in both segments (sampled). */
    img = p->file->map + 0x2000;
    dmap = p->file->map + 0x2832000 + (0xda00000 - 0x100000);
    for (uint64_t o = 0; o < 0x2830000; o += 997 * 4096)
        ck_assert_int_eq(memcmp(img + o, dmap + o, 4096), 0);
    /* Not in the file: low 1 MiB and the crashkernel region. */
    {
        static uint8_t pg[4096];
        size_t h = 0;
        ck_assert_int_eq(scry_phys_read(p, 0x13000000, pg, 4096, &h), SCRY_OK);
        ck_assert_uint_eq(h, 4096);
        ck_assert_int_eq(scry_phys_read(p, 0x1000, pg, 4096, &h), SCRY_OK);
        ck_assert_uint_eq(h, 4096);
    }
    scry_phys_close(p);
}
END_TEST

static Suite *formats_suite(void)
{
    Suite *s = suite_create("formats");
    TCase *tc = tcase_create("synthetic");
    TCase *corpus = tcase_create("corpus");
    tcase_add_test(tc, format_table);
    tcase_add_test(tc, raw_reads);
    tcase_add_test(tc, raw_path_open);
    tcase_add_test(tc, raw_bulk_and_file_cache);
    tcase_add_test(tc, small_reads_cached_at_second_touch);
    tcase_add_test(tc, file_cache_budget);
    tcase_add_test(tc, refuse_fifo_and_others);
    tcase_add_test(tc, reads_leave_atime);
    tcase_add_test(tc, unknown_format);
    tcase_add_test(tc, lime_two_ranges);
    tcase_add_test(tc, lime_pages_cached_by_address);
    tcase_add_test(tc, lime_bad);
    tcase_add_test(tc, lime_range_bound);
    tcase_add_test(tc, elf_reads_and_notes);
    tcase_add_test(tc, elf_vmcore_like);
    tcase_add_test(tc, elf_overlapping_loads);
    tcase_add_test(tc, elf_bad_headers);
    tcase_add_test(tc, elf_bad_notes);
    tcase_add_test(tc, elf_note_bound);
    tcase_add_test(tc, sort_runs_random);
    tcase_add_test(tc, sort_runs_edges);
    tcase_add_test(tc, read_top_of_address_space);
    tcase_set_timeout(tc, 60);
    tcase_add_test(corpus, corpus_dev_small_agree);
    tcase_add_test(corpus, corpus_dev_la57);
    tcase_add_test(corpus, corpus_dev_vmcore);
    tcase_set_timeout(corpus, 120);
    suite_add_tcase(s, tc);
    suite_add_tcase(s, corpus);
    return s;
}

int main(void) { return tu_run_suite(formats_suite()); }
