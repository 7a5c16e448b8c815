/* test_avml.c - the AVML reader on synthetic images, good and hostile.
 *
 * Images are built in memory chunk by chunk, so every field of the AVML
 * headers and of snappy's framing can be set (and broken) precisely. The
 * corpus comparison (AVML of dev-small and dev-612 against their LiME) is
 * tests/integration/avml.py. */
#include <check.h>
#include <snappy-c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/phys.h"
#include "lib/base/crc32c.h"
#include "testutil.h"

struct buf {
    uint8_t *p;
    size_t n, cap;
};

static void b_put(struct buf *b, const void *d, size_t n)
{
    if (b->n + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->n + n)
            cap *= 2;
        b->p = realloc(b->p, cap);
        ck_assert_ptr_nonnull(b->p);
        b->cap = cap;
    }
    memcpy(b->p + b->n, d, n);
    b->n += n;
}

static void b_u32(struct buf *b, uint32_t v)
{
    uint8_t x[4];
    for (int i = 0; i < 4; i++)
        x[i] = (uint8_t)(v >> (8 * i));
    b_put(b, x, 4);
}

static void b_u64(struct buf *b, uint64_t v)
{
    b_u32(b, (uint32_t)v);
    b_u32(b, (uint32_t)(v >> 32));
}

/* The byte memory holds at physical address pa in every good image. */
static uint8_t pattern(uint64_t pa) { return (uint8_t)(pa * 7 + (pa >> 9)); }

static void hdr(struct buf *b, uint32_t version, uint64_t start, uint64_t end)
{
    b_u32(b, 0x4C4D5641u);
    b_u32(b, version);
    b_u64(b, start);
    b_u64(b, end);
    b_u64(b, 0);
}

static void chunk_hdr(struct buf *b, uint8_t type, uint32_t len)
{
    b_u32(b, len << 8 | type);
}

/* A data chunk of pattern bytes [pa, pa + n): compressed unless stored. */
static void data_chunk(struct buf *b, uint64_t pa, size_t n, int stored)
{
    uint8_t *d = malloc(n ? n : 1);
    size_t clen = snappy_max_compressed_length(n);
    char *c = malloc(clen);
    ck_assert_ptr_nonnull(d);
    ck_assert_ptr_nonnull(c);
    for (size_t i = 0; i < n; i++)
        d[i] = pattern(pa + i);
    uint32_t crc = scry_crc32c_mask(scry_crc32c(d, n));
    if (stored) {
        chunk_hdr(b, 0x01, (uint32_t)n + 4);
        b_u32(b, crc);
        b_put(b, d, n);
    } else {
        ck_assert_int_eq(snappy_compress((const char *)d, n, c, &clen), SNAPPY_OK);
        chunk_hdr(b, 0x00, (uint32_t)clen + 4);
        b_u32(b, crc);
        b_put(b, c, clen);
    }
    free(d);
    free(c);
}

static const uint8_t ident[] = {0xff, 6, 0, 0, 's', 'N', 'a', 'P', 'p', 'Y'};

/* A whole block for [start, start + len): chunks of `per` bytes, every
 * third stored, a padding and a skippable chunk before the first (after
 * the data the stream's length follows at once, as AVML writes it). */
static void block(struct buf *b, uint64_t start, uint64_t len, size_t per)
{
    size_t begin;
    hdr(b, 2, start, start + len - 1);
    begin = b->n;
    b_put(b, ident, sizeof ident);
    chunk_hdr(b, 0xfe, 3); /* padding */
    b_put(b, "\0\0\0", 3);
    chunk_hdr(b, 0x80, 1); /* reserved, skippable */
    b_put(b, "x", 1);
    for (uint64_t at = 0, k = 0; at < len; at += per, k++) {
        size_t n = len - at < per ? (size_t)(len - at) : per;
        data_chunk(b, start + at, n, k % 3 == 2);
    }
    b_u64(b, b->n - begin);
}

static scry_status open_mem(const struct buf *b, const char *name, struct scry_phys **out)
{
    struct scry_file *f = NULL;
    scry_status st;
    ck_assert_int_eq(scry_file_from_memory(b->p, b->n, name, &f), SCRY_OK);
    st = scry_phys_open_file(f, NULL, out);
    if (st != SCRY_OK)
        scry_file_close(f);
    return st;
}

/* An open that must fail with SCRY_ERR_CORRUPT (or st) and exactly `want`
 * as its one-line message. */
static void expect_fail(struct buf *b, const char *name, scry_status st, const char *want)
{
    struct scry_phys *p = NULL;
    scry_status got = open_mem(b, name, &p);
    ck_assert_msg(got == st, "%s: status %d (%s), expected %d", name, got, scry_last_error(), st);
    ck_assert_ptr_null(p);
    ck_assert_str_eq(scry_last_error(), want);
    free(b->p);
    memset(b, 0, sizeof *b);
}

/* Every byte of [lo, hi) reads as the pattern inside the runs, zeros (and
 * holes) outside, through reads of several sizes and alignments. */
static void check_reads(struct scry_phys *p, uint64_t lo, uint64_t hi)
{
    static const size_t sizes[] = {1, 8, 100, 4096, 5000, 70000};
    uint8_t *buf = malloc(70000);
    ck_assert_ptr_nonnull(buf);
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        for (uint64_t pa = lo; pa < hi; pa += sizes[s] * 3 + 1) {
            size_t n = sizes[s], holes = 99, want_holes = 0;
            ck_assert_int_eq(scry_phys_read(p, pa, buf, n, &holes), SCRY_OK);
            for (size_t i = 0; i < n; i++) {
                size_t r = scry_phys_find_run(p, pa + i);
                uint8_t want = r == (size_t)-1 ? 0 : pattern(pa + i);
                want_holes += r == (size_t)-1;
                ck_assert_msg(buf[i] == want, "pa 0x%llx: 0x%02x, expected 0x%02x",
                              (unsigned long long)(pa + i), buf[i], want);
            }
            ck_assert_uint_eq(holes, want_holes);
        }
    }
    free(buf);
}

START_TEST(crc32c_vector)
{
    ck_assert_uint_eq(scry_crc32c("123456789", 9), 0xE3069283u);
    ck_assert_uint_eq(scry_crc32c("", 0), 0);
    /* Longer than a step, unaligned tail. */
    ck_assert_uint_eq(scry_crc32c("The quick brown fox jumps over the lazy dog", 43), 0x22620404u);
}
END_TEST

START_TEST(good_image)
{
    static const size_t pers[] = {65536, 4096, 3000, 1};
    for (size_t k = 0; k < sizeof pers / sizeof pers[0]; k++) {
        struct buf b = {0};
        struct scry_phys *p = NULL;
        size_t per = pers[k];
        uint64_t len2 = per == 1 ? 0x300 : 0x21800; /* the end not a page boundary */
        block(&b, 0x1000, 0x2000, per);
        block(&b, 0x40000, len2, per);
        ck_assert_int_eq(open_mem(&b, "good.avml", &p), SCRY_OK);
        ck_assert_str_eq(p->info.format, "avml");
        ck_assert_uint_eq(p->nruns, 2);
        ck_assert_uint_eq(p->runs[0].start, 0x1000);
        ck_assert_uint_eq(p->runs[0].len, 0x2000);
        ck_assert_uint_eq(p->runs[1].start, 0x40000);
        ck_assert_uint_eq(p->runs[1].len, len2);
        ck_assert_uint_eq(p->info.phys_end, 0x40000 + len2);
        check_reads(p, 0, per == 1 ? 0x40400 : 0x62000);
        check_reads(p, 0, 0x3100); /* again: now from the page cache */
        scry_phys_close(p);
        free(b.p);
    }
}
END_TEST

START_TEST(bad_headers)
{
    struct buf b = {0};
    char want[256];
    hdr(&b, 1, 0, 0xfff);
    expect_fail(&b, "v1.avml", SCRY_ERR_CORRUPT,
                "v1.avml: AVML header at offset 0 has version 1, expected 2");
    hdr(&b, 2, 0x2000, 0x1fff);
    expect_fail(&b, "range.avml", SCRY_ERR_CORRUPT,
                "range.avml: AVML header at offset 0: bad range 0x2000-0x1fff");
    block(&b, 0, 0x1000, 4096);
    snprintf(want, sizeof want,
             "tail.avml: 8 trailing bytes at offset %zu are too short for an AVML header", b.n);
    b_put(&b, "AVML\2\0\0\0", 8);
    expect_fail(&b, "tail.avml", SCRY_ERR_CORRUPT, want);
    block(&b, 0, 0x1000, 4096);
    snprintf(want, sizeof want,
             "mixed.avml: no AVML header at offset %zu (magic 0x4c694d45, expected 0x4c4d5641)",
             b.n);
    b_put(&b, "EMiL\1\0\0\0........................", 32);
    expect_fail(&b, "mixed.avml", SCRY_ERR_CORRUPT, want);
}
END_TEST

START_TEST(bad_ranges)
{
    struct buf b = {0};
    char want[256];
    size_t first;
    block(&b, 0x1000, 0x2000, 4096);
    first = b.n;
    block(&b, 0x2000, 0x1000, 4096);
    snprintf(want, sizeof want,
             "overlap.avml: AVML range 0x2000-0x2fff at offset %zu overlaps the range "
             "0x1000-0x2fff before it",
             first);
    expect_fail(&b, "overlap.avml", SCRY_ERR_CORRUPT, want);
    block(&b, 0x5000, 0x1000, 4096);
    first = b.n;
    block(&b, 0x1000, 0x1000, 4096);
    snprintf(want, sizeof want,
             "order.avml: AVML range 0x1000-0x1fff at offset %zu is out of order after "
             "0x5000-0x5fff before it",
             first);
    expect_fail(&b, "order.avml", SCRY_ERR_CORRUPT, want);
}
END_TEST

START_TEST(bad_streams)
{
    struct buf b = {0};
    /* Truncated inside the data: every cut gives an error, never a crash. */
    block(&b, 0, 0x3000, 4096);
    size_t whole = b.n;
    uint8_t *copy = malloc(whole);
    ck_assert_ptr_nonnull(copy);
    memcpy(copy, b.p, whole);
    for (size_t cut = 0; cut < whole; cut++) {
        struct scry_phys *p = NULL;
        struct buf t = {copy, cut, cut};
        if (cut < 32)
            continue; /* too short to probe as AVML at all */
        ck_assert_int_ne(open_mem(&t, "cut.avml", &p), SCRY_OK);
        ck_assert_ptr_null(p);
        ck_assert_ptr_null(strchr(scry_last_error(), '\n'));
    }
    free(b.p);
    memset(&b, 0, sizeof b);
    b_put(&b, copy, whole - 8);
    char want[256];
    snprintf(want, sizeof want,
             "notrailer.avml: AVML range 0x0-0x2fff: no stream length after its data "
             "(offset %zu)",
             whole - 8);
    expect_fail(&b, "notrailer.avml", SCRY_ERR_CORRUPT, want);
    free(copy);

    hdr(&b, 2, 0, 0xfff);
    b_put(&b, ident, sizeof ident);
    data_chunk(&b, 0, 0x1000, 0);
    snprintf(want, sizeof want,
             "trailer.avml: AVML range 0x0-0xfff: stream length 12345 at offset %zu, but "
             "the stream is %zu bytes",
             b.n, b.n - 32);
    b_u64(&b, 12345);
    expect_fail(&b, "trailer.avml", SCRY_ERR_CORRUPT, want);

    hdr(&b, 2, 0, 0xfff);
    data_chunk(&b, 0, 0x1000, 0);
    expect_fail(&b, "noident.avml", SCRY_ERR_CORRUPT,
                "noident.avml: AVML range at offset 0 does not start with a snappy stream "
                "identifier (chunk type 0x00)");

    hdr(&b, 2, 0, 0xfff);
    b_put(&b, "\xff\x06\0\0sNaPpZ", 10);
    expect_fail(&b, "ident.avml", SCRY_ERR_CORRUPT,
                "ident.avml: bad snappy stream identifier at offset 32");

    hdr(&b, 2, 0, 0xfff);
    b_put(&b, ident, sizeof ident);
    chunk_hdr(&b, 0x02, 0);
    expect_fail(&b, "unskippable.avml", SCRY_ERR_CORRUPT,
                "unskippable.avml: snappy chunk at offset 42 has the reserved unskippable type "
                "0x02");

    hdr(&b, 2, 0, 0xfff);
    b_put(&b, ident, sizeof ident);
    chunk_hdr(&b, 0x01, 3);
    b_put(&b, "abc", 3);
    expect_fail(&b, "nocrc.avml", SCRY_ERR_CORRUPT,
                "nocrc.avml: snappy chunk at offset 42 is 3 bytes, too short for its CRC");

    hdr(&b, 2, 0, 0x1ffff);
    b_put(&b, ident, sizeof ident);
    data_chunk(&b, 0, 65537, 1);
    expect_fail(&b, "big.avml", SCRY_ERR_CORRUPT,
                "big.avml: snappy chunk at offset 42 holds 65537 bytes, more than 65536");

    hdr(&b, 2, 0, 0xfff);
    b_put(&b, ident, sizeof ident);
    data_chunk(&b, 0, 0x1001, 1);
    expect_fail(&b, "over.avml", SCRY_ERR_CORRUPT,
                "over.avml: AVML range 0x0-0xfff: its data runs past the range's 4096 bytes "
                "(chunk at offset 42)");

    hdr(&b, 2, 0, 0xfff);
    b_put(&b, ident, sizeof ident);
    chunk_hdr(&b, 0x01, 0xffffff);
    expect_fail(&b, "long.avml", SCRY_ERR_CORRUPT,
                "long.avml: snappy chunk at offset 42 needs 16777215 bytes, past the end of "
                "the file (46 bytes)");

    hdr(&b, 2, 0, 0xfff);
    b_put(&b, ident, sizeof ident);
    chunk_hdr(&b, 0x00, 5);
    b_put(&b, "\0\0\0\0\xff", 5); /* a varint that never ends */
    expect_fail(&b, "varint.avml", SCRY_ERR_CORRUPT,
                "varint.avml: snappy chunk at offset 42: unreadable length");
}
END_TEST

/* A chunk whose CRC or data is damaged opens (open decodes nothing) but
 * its pages read as SCRY_ERR_CORRUPT naming the PFN; other pages read. */
START_TEST(bad_chunk_data)
{
    for (int what = 0; what < 2; what++) {
        struct buf b = {0};
        struct scry_phys *p = NULL;
        uint8_t x[16];
        hdr(&b, 2, 0x10000, 0x12fff);
        size_t begin = b.n;
        b_put(&b, ident, sizeof ident);
        data_chunk(&b, 0x10000, 0x1000, 0);
        size_t second = b.n;
        data_chunk(&b, 0x11000, 0x1000, what);
        data_chunk(&b, 0x12000, 0x1000, 0);
        b_u64(&b, b.n - begin);
        if (what == 0)
            b.p[second + 4] ^= 1; /* the CRC */
        else
            b.p[second + 8 + 100] ^= 1; /* stored data */
        ck_assert_int_eq(open_mem(&b, "damaged.avml", &p), SCRY_OK);
        ck_assert_int_eq(scry_phys_read(p, 0x10ff8, x, 16, NULL), SCRY_ERR_CORRUPT);
        char want[256];
        snprintf(want, sizeof want,
                 "damaged.avml: PFN 0x11: the snappy chunk at offset %zu fails its CRC-32C "
                 "check",
                 second);
        ck_assert_str_eq(scry_last_error(), want);
        ck_assert_int_eq(scry_phys_read(p, 0x10000, x, 16, NULL), SCRY_OK);
        ck_assert_int_eq(scry_phys_read(p, 0x12000, x, 16, NULL), SCRY_OK);
        scry_phys_close(p);
        free(b.p);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("avml");
    TCase *tc = tcase_create("avml");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, crc32c_vector);
    tcase_add_test(tc, good_image);
    tcase_add_test(tc, bad_headers);
    tcase_add_test(tc, bad_ranges);
    tcase_add_test(tc, bad_streams);
    tcase_add_test(tc, bad_chunk_data);
    suite_add_tcase(s, tc);
    return tu_run_suite(s);
}
