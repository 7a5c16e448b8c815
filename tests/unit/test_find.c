/* test_find.c - scry_find (both its AVX2 and SSE2 filters) against glibc's
 * memmem: random haystacks and needles with matches at every offset near
 * the start, around 16/32/64-byte boundaries and at the very end, needles
 * whose first and last bytes are everywhere in the haystack, misses, the
 * memmem fallback of a failing filter, and every haystack and needle
 * placed against PROT_NONE guard pages so a read outside either buffer
 * kills the test. Deterministic (fixed seed). */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lib/base/find.h"
#include "testutil.h"

typedef const void *(*find_fn)(const void *, size_t, const void *, size_t);
static const find_fn fns[] = {scry_find, scry_find_sse2};
static const char *const fn_names[] = {"scry_find", "scry_find_sse2"};

enum { MAXH = 5000, MAXN = 300 };

/* A region of data pages between two PROT_NONE pages. */
struct guarded {
    uint8_t *base;
    size_t page, data; /* page size; bytes of data pages */
};

static void guarded_new(struct guarded *g, size_t need)
{
    g->page = (size_t)sysconf(_SC_PAGESIZE);
    g->data = (need + g->page - 1) / g->page * g->page;
    g->base = mmap(NULL, g->data + 2 * g->page, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ck_assert_ptr_ne(g->base, MAP_FAILED);
    ck_assert_int_eq(mprotect(g->base, g->page, PROT_NONE), 0);
    ck_assert_int_eq(mprotect(g->base + g->page + g->data, g->page, PROT_NONE), 0);
}

static void guarded_free(struct guarded *g)
{
    munmap(g->base, g->data + 2 * g->page);
}

/* len bytes ending at the trailing guard page / starting at the leading one. */
static uint8_t *at_end(const struct guarded *g, size_t len)
{
    return g->base + g->page + g->data - len;
}
static uint8_t *at_start(const struct guarded *g)
{
    return g->base + g->page;
}

static uint64_t rng = 0x9e3779b97f4a7c15u;
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}
static size_t below(size_t n)
{
    return n ? (size_t)(next() % n) : 0;
}

/* Compares every function with memmem on hay/needle copied against the
 * guard pages (the haystack both after the leading guard and before the
 * trailing one, the needle before its trailing guard). */
static void check_case(struct guarded *gh, struct guarded *gn, const uint8_t *hay, size_t hlen,
                       const uint8_t *needle, size_t nlen, const char *what)
{
    uint8_t *n = at_end(gn, nlen);
    memcpy(n, needle, nlen);
    for (int place = 0; place < 2; place++) {
        uint8_t *h = place ? at_start(gh) : at_end(gh, hlen);
        memmove(h, hay, hlen);
        const uint8_t *want = memmem(h, hlen, n, nlen);
        for (size_t f = 0; f < sizeof fns / sizeof fns[0]; f++) {
            const uint8_t *got = fns[f](h, hlen, n, nlen);
            if (got != want)
                ck_abort_msg("%s (%s): hlen %zu nlen %zu, haystack %s: got %td, memmem %td",
                             fn_names[f], what, hlen, nlen, place ? "at start" : "at end",
                             got ? got - h : (ptrdiff_t)-1, want ? want - h : (ptrdiff_t)-1);
        }
    }
}

/* Offsets to plant a needle of nlen in hlen bytes: the start, both sides
 * of 16/32/64-byte boundaries, the last possible and a random one. */
static size_t offsets(size_t hlen, size_t nlen, size_t *out)
{
    size_t k = 0, last = hlen - nlen;
    static const size_t near[] = {0, 1, 2, 3, 7, 15, 16, 17, 31, 32, 33, 47, 48, 63, 64, 65,
                                  95, 96, 127, 128, 129, 191, 192, 255, 256, 257};
    for (size_t i = 0; i < sizeof near / sizeof near[0]; i++)
        if (near[i] <= last)
            out[k++] = near[i];
    for (size_t d = 0; d < 70 && d <= last; d++)
        out[k++] = last - d;
    out[k++] = below(last + 1);
    return k;
}

/* A haystack of one of several flavours: mostly zeros (dump memory),
 * a small alphabet, a repeated pattern, or random bytes. */
static void fill(uint8_t *h, size_t len, int flavour)
{
    for (size_t i = 0; i < len; i++)
        switch (flavour) {
        case 0: h[i] = below(50) ? 0 : (uint8_t)next(); break;
        case 1: h[i] = (uint8_t)('a' + below(2)); break;
        case 2: h[i] = "aaab"[i % 4]; break;
        case 3: h[i] = (uint8_t)('a' + below(4)); break;
        default: h[i] = (uint8_t)next(); break;
        }
}

START_TEST(trivial_cases)
{
    static const char hay[] = "abcabcabd";
    for (size_t f = 0; f < sizeof fns / sizeof fns[0]; f++) {
        ck_assert_ptr_eq(fns[f](hay, 9, "x", 0), hay);
        ck_assert_ptr_eq(fns[f](hay, 0, "", 0), hay);
        ck_assert_ptr_null(fns[f](hay, 0, "a", 1));
        ck_assert_ptr_null(fns[f](hay, 3, "abca", 4));
        ck_assert_ptr_eq(fns[f](hay, 9, "c", 1), hay + 2);
        ck_assert_ptr_eq(fns[f](hay, 9, "abd", 3), hay + 6);
        ck_assert_ptr_eq(fns[f](hay, 9, "abcabcabd", 9), hay);
        ck_assert_ptr_null(fns[f](hay, 9, "abe", 3));
    }
}
END_TEST

/* Needles cut out of the haystack at every interesting offset, and the
 * same needle with its last or a middle byte changed (a near miss). */
START_TEST(planted)
{
    struct guarded gh, gn;
    static uint8_t hay[MAXH], needle[MAXN];
    size_t offs[128];
    guarded_new(&gh, MAXH);
    guarded_new(&gn, MAXN);
    static const size_t hlens[] = {1, 2, 15, 16, 17, 31, 32, 33, 63, 64, 65, 95, 127, 128,
                                   129, 200, 333, 1000, 4095, 4096, 4097, MAXH};
    static const size_t nlens[] = {1, 2, 3, 4, 5, 7, 8, 14, 15, 16, 17, 23, 31, 32, 33, 63, 64,
                                   65, 100, 255, 256, 299, MAXN};
    for (size_t a = 0; a < sizeof hlens / sizeof hlens[0]; a++)
        for (size_t b = 0; b < sizeof nlens / sizeof nlens[0]; b++) {
            size_t hlen = hlens[a], nlen = nlens[b];
            if (nlen > hlen)
                continue;
            int flavour = (int)((a + b) % 5);
            fill(hay, hlen, flavour);
            size_t k = offsets(hlen, nlen, offs);
            for (size_t i = 0; i < k; i++) {
                memcpy(needle, hay + offs[i], nlen);
                check_case(&gh, &gn, hay, hlen, needle, nlen, "planted");
                needle[nlen - 1] ^= 0x5a;
                check_case(&gh, &gn, hay, hlen, needle, nlen, "last byte changed");
                needle[nlen - 1] ^= 0x5a;
                if (nlen > 2) {
                    needle[nlen / 2] ^= 0x01;
                    check_case(&gh, &gn, hay, hlen, needle, nlen, "middle byte changed");
                }
            }
        }
    guarded_free(&gh);
    guarded_free(&gn);
}
END_TEST

/* Random lengths 0..5000 and 1..300, needles from the haystack's own
 * alphabet (mostly misses) or cut from it. */
START_TEST(random_cases)
{
    struct guarded gh, gn;
    static uint8_t hay[MAXH], needle[MAXN];
    guarded_new(&gh, MAXH);
    guarded_new(&gn, MAXN);
    for (int iter = 0; iter < 20000; iter++) {
        size_t hlen = below(MAXH + 1), nlen = 1 + below(iter % 3 ? 16 : MAXN);
        int flavour = (int)below(5);
        fill(hay, hlen, flavour);
        if (nlen <= hlen && below(2)) {
            memcpy(needle, hay + below(hlen - nlen + 1), nlen);
        } else {
            fill(needle, nlen, flavour);
            if (flavour == 0) /* zeros with the first and last bytes zero */
                needle[0] = needle[nlen - 1] = 0;
        }
        check_case(&gh, &gn, hay, hlen, needle, nlen, "random");
    }
    guarded_free(&gh);
    guarded_free(&gn);
}
END_TEST

/* Needles whose first and last bytes are the haystack's only bytes: every
 * position is a candidate, the filter gives up and memmem takes the rest;
 * a match must still be found wherever it is, or none. */
START_TEST(failing_filter)
{
    enum { BIG = 200000 };
    struct guarded gh, gn;
    guarded_new(&gh, BIG);
    guarded_new(&gn, MAXN);
    for (size_t nlen = 3; nlen <= MAXN; nlen += nlen < 40 ? 1 : 37) {
        uint8_t *n = at_end(&gn, nlen);
        memset(n, 'a', nlen);
        n[nlen / 2] = 'b';
        static const size_t hlens[] = {BIG, 5000, 4096 + 17};
        for (size_t j = 0; j < 3; j++) {
            size_t hlen = hlens[j];
            uint8_t *h = at_end(&gh, hlen);
            memset(h, 'a', hlen);
            for (size_t f = 0; f < sizeof fns / sizeof fns[0]; f++)
                ck_assert_msg(fns[f](h, hlen, n, nlen) == NULL, "%s nlen %zu hlen %zu: a false hit",
                              fn_names[f], nlen, hlen);
            size_t where[] = {0, hlen / 3, hlen - nlen - 1, hlen - nlen};
            for (size_t w = 0; w < 4; w++) {
                h[where[w] + nlen / 2] = 'b';
                /* "aaaba" also matches where a 'b' is at nlen/2 from its start */
                const uint8_t *want = memmem(h, hlen, n, nlen);
                ck_assert_ptr_eq(want, h + where[w]);
                for (size_t f = 0; f < sizeof fns / sizeof fns[0]; f++)
                    ck_assert_msg(fns[f](h, hlen, n, nlen) == want,
                                  "%s nlen %zu hlen %zu: match at %zu missed", fn_names[f], nlen,
                                  hlen, where[w]);
                h[where[w] + nlen / 2] = 'a';
            }
        }
    }
    guarded_free(&gh);
    guarded_free(&gn);
}
END_TEST

/* Every offset: a 1..70-byte needle planted at each position of a zeroed
 * 300-byte haystack, alone. */
START_TEST(every_offset)
{
    struct guarded gh, gn;
    static uint8_t hay[300], needle[70];
    guarded_new(&gh, sizeof hay);
    guarded_new(&gn, sizeof needle);
    for (size_t nlen = 1; nlen <= sizeof needle; nlen += nlen < 10 ? 1 : 7) {
        for (size_t i = 0; i < nlen; i++)
            needle[i] = (uint8_t)(0x41 + i % 26);
        for (size_t at = 0; at + nlen <= sizeof hay; at++) {
            memset(hay, 0, sizeof hay);
            memcpy(hay + at, needle, nlen);
            check_case(&gh, &gn, hay, sizeof hay, needle, nlen, "every offset");
        }
    }
    guarded_free(&gh);
    guarded_free(&gn);
}
END_TEST

static Suite *find_suite(void)
{
    Suite *s = suite_create("find");
    const struct {
        const char *name;
        const TTest *test;
    } cases[] = {{"trivial", trivial_cases}, {"planted", planted}, {"random", random_cases},
                 {"failing_filter", failing_filter}, {"every_offset", every_offset}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        TCase *tc = tcase_create(cases[i].name);
        tcase_add_test(tc, cases[i].test);
        suite_add_tcase(s, tc);
    }
    return s;
}

int main(void) { return tu_run_suite(find_suite()); }
