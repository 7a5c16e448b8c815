/* test_scan.c - physical scans for several needles in one pass
 * (scry_scan_phys_multi) and the Windows kernel search built on it.
 *
 * - Over 9 MiB of pseudo-random bytes from a small alphabet (so the
 *   needles' first and last bytes are everywhere and 4-byte needles occur
 *   by chance), with needles planted across the 256 KiB pieces and the
 *   4 MiB slices and at the very end: every needle's hits equal a brute
 *   force search and scry_scan_phys's for that needle alone, in ascending
 *   order, through the read path and through a file's zero-copy view.
 * - A callback that stops the scan gets no further hit; bad arguments are
 *   refused.
 * - Windows kernel search over an image sprayed with more loader strings
 *   and RSDS tags than the pass keeps: the methods that overflowed scan
 *   again on their own (three passes in all), with the same outcome as an
 *   image with a few of each (one pass). */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz/fake_phys.h"
#include "lib/os/windows.h"
#include "lib/phys/scan.h"
#include "lib/session/session.h"
#include "lib/vspace/vspace.h"
#include "memscry/memscry.h"
#include "testutil.h"

enum { SIZE = 9u << 20, PIECE = 256u << 10, SLICE = 4u << 20, MAXHITS = 1u << 16 };

static const char LOADER[] = "\\SystemRoot\\system32\\nt";
static const struct scry_needle needles[] = {{"KDBG", 4}, {LOADER, sizeof LOADER - 1},
                                             {"RSDS", 4}};
enum { N = sizeof needles / sizeof needles[0] };

static uint8_t *image; /* SIZE bytes */

struct hits {
    uint64_t at[N][MAXHITS];
    size_t n[N];
    size_t calls, stop_after;
};

static void build_image(void)
{
    static const char alphabet[] = "KDBGRS\\tx0";
    uint64_t x = 0x9E3779B97F4A7C15ull;
    image = malloc(SIZE);
    ck_assert_ptr_nonnull(image);
    for (size_t i = 0; i < SIZE; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        image[i] = (uint8_t)alphabet[(x >> 32) % (sizeof alphabet - 1)];
    }
    /* Each needle at the start, across piece and slice boundaries and as
     * the last bytes of the image. */
    const size_t spots[] = {0, PIECE - 2, 3 * PIECE - 11, SLICE - 1, SLICE + PIECE - 3,
                            2 * SLICE - 12};
    for (size_t k = 0; k < N; k++) {
        for (size_t s = 0; s < sizeof spots / sizeof spots[0]; s++)
            memcpy(image + spots[s] + 40 * k, needles[k].bytes, needles[k].len);
    }
    memcpy(image + SIZE - needles[1].len, needles[1].bytes, needles[1].len);
}

static int on_hit(void *user, size_t which, uint64_t pa)
{
    struct hits *h = user;
    ck_assert_uint_lt(which, N);
    ck_assert_uint_lt(h->n[which], MAXHITS);
    h->at[which][h->n[which]++] = pa;
    return h->stop_after && ++h->calls >= h->stop_after;
}

struct single {
    struct hits *h;
    size_t k;
};

static int on_single(void *user, uint64_t pa)
{
    struct single *s = user;
    return on_hit(s->h, s->k, pa);
}

/* Every occurrence of needle k in the image, by memcmp at each offset. */
static size_t brute(size_t k, uint64_t *out)
{
    size_t n = 0;
    for (size_t i = 0; i + needles[k].len <= SIZE; i++)
        if (memcmp(image + i, needles[k].bytes, needles[k].len) == 0) {
            ck_assert_uint_lt(n, MAXHITS);
            out[n++] = i;
        }
    return n;
}

static void check_against_brute(struct scry_phys *p)
{
    struct hits *multi = calloc(1, sizeof *multi), *one = calloc(1, sizeof *one),
                *want = calloc(1, sizeof *want);
    ck_assert(multi && one && want);
    ck_assert_int_eq(scry_scan_phys_multi(p, NULL, needles, N, on_hit, multi), SCRY_OK);
    for (size_t k = 0; k < N; k++) {
        struct single s = {one, k};
        ck_assert_int_eq(
            scry_scan_phys(p, NULL, needles[k].bytes, needles[k].len, on_single, &s), SCRY_OK);
        want->n[k] = brute(k, want->at[k]);
        /* Chance gives the 4-byte needles hundreds of hits; the planted
         * ones are there too. */
        ck_assert_uint_ge(want->n[k], 7);
        ck_assert_uint_eq(multi->n[k], want->n[k]);
        ck_assert_uint_eq(one->n[k], want->n[k]);
        for (size_t i = 0; i < want->n[k]; i++) {
            ck_assert_uint_eq(multi->at[k][i], want->at[k][i]);
            ck_assert_uint_eq(one->at[k][i], want->at[k][i]);
        }
    }
    free(multi);
    free(one);
    free(want);
}

START_TEST(multi_equals_brute_force_read_path)
{
    struct fphys f;
    build_image();
    fphys_over(&f, image, SIZE, 0);
    check_against_brute(&f.base);
    free(image);
}
END_TEST

START_TEST(multi_equals_brute_force_zero_copy)
{
    scry_context *ctx = NULL;
    scry_dump *d = NULL;
    build_image();
    char *path = tu_write_temp(image, SIZE);
    ck_assert_int_eq(scry_context_new(&ctx), SCRY_OK);
    ck_assert_int_eq(scry_dump_open(ctx, path, &d), SCRY_OK);
    ck_assert_ptr_nonnull(d->phys->ops->direct);
    check_against_brute(d->phys);
    scry_dump_close(d);
    scry_context_free(ctx);
    unlink(path);
    free(path);
    free(image);
}
END_TEST

START_TEST(stop_and_bad_arguments)
{
    struct fphys f;
    struct hits *h = calloc(1, sizeof *h);
    const struct scry_needle empty[] = {{"KDBG", 4}, {"", 0}};
    ck_assert_ptr_nonnull(h);
    build_image();
    fphys_over(&f, image, SIZE, 0);
    h->stop_after = 5;
    ck_assert_int_eq(scry_scan_phys_multi(&f.base, NULL, needles, N, on_hit, h), SCRY_OK);
    ck_assert_uint_eq(h->n[0] + h->n[1] + h->n[2], 5);
    ck_assert_int_eq(scry_scan_phys_multi(&f.base, NULL, needles, 0, on_hit, h),
                     SCRY_ERR_INVALID_ARG);
    ck_assert_int_eq(scry_scan_phys_multi(&f.base, NULL, empty, 2, on_hit, h),
                     SCRY_ERR_INVALID_ARG);
    ck_assert_uint_eq(h->n[0] + h->n[1] + h->n[2], 5);
    free(h);
    free(image);
}
END_TEST

/* Kernel search over `mem`: its status and the bytes all its scans read.
 * The page tables are one zero page, so no candidate maps: every method
 * runs to its end. */
static scry_status find_kernel(const uint8_t *mem, size_t size, uint64_t *searched)
{
    struct fphys f;
    struct scry_vspace vs;
    struct scry_win_kernel k;
    fphys_over(&f, mem, size, 0);
    ck_assert_int_eq(scry_vspace_init(&vs, &f.base, SCRY_PAGING_WIN_X86_64, size - 4096), SCRY_OK);
    scry_status st = scry_win_find_kernel(&vs, NULL, 0, &k);
    *searched = scry_scan_searched(&f.base);
    return st;
}

/* An image whose first bytes repeat each of the later methods' strings
 * `copies` times, the rest zeros. */
static uint8_t *sprayed(size_t size, size_t copies)
{
    uint8_t *mem = calloc(1, size), *p;
    ck_assert_ptr_nonnull(mem);
    p = mem;
    for (size_t i = 0; i < copies; i++, p += needles[1].len)
        memcpy(p, needles[1].bytes, needles[1].len);
    for (size_t i = 0; i < copies; i++, p += 4)
        memcpy(p, "RSDS", 4);
    ck_assert_uint_le((size_t)(p - mem), size - 4096);
    return mem;
}

START_TEST(sprayed_later_methods_scan_again)
{
    const size_t size = 4u << 20;
    uint64_t few_searched, many_searched;
    uint8_t *few = sprayed(size, 1000), *many = sprayed(size, 70000);
    scry_status few_st = find_kernel(few, size, &few_searched);
    scry_status many_st = find_kernel(many, size, &many_searched);
    ck_assert_int_eq(few_st, SCRY_ERR_NOT_FOUND);
    ck_assert_int_eq(many_st, few_st);
    /* One pass for the three methods; with both later lists overflowed,
     * two more. */
    ck_assert_uint_eq(few_searched, size);
    ck_assert_uint_eq(many_searched, 3 * (uint64_t)size);
    free(few);
    free(many);
}
END_TEST

static Suite *scan_suite(void)
{
    Suite *s = suite_create("scan");
    TCase *tc = tcase_create("multi");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, multi_equals_brute_force_read_path);
    tcase_add_test(tc, multi_equals_brute_force_zero_copy);
    tcase_add_test(tc, stop_and_bad_arguments);
    tcase_add_test(tc, sprayed_later_methods_scan_again);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run_suite(scan_suite()); }
