/* test_yara.c - YARA rules as Volatility's yarascan builds them, hostile
 * rule inputs, and the window logic of the scans over synthetic memory:
 * the streamed scans (a match across a window boundary or across two
 * physically scattered pages found exactly once) and Volatility's
 * layer.scan mode (blocks, 16 MiB + 4 KiB chunks, duplicates in the
 * overlap, nothing across blocks). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yara.h>

#include "lib/base/file.h"
#include "lib/scan/yara.h"
#include "lib/scan/yara_priv.h"
#include "testutil.h"

#define NEEDLE "MEMF_YARA_MARKER_7ae8"
#define NLEN (sizeof NEEDLE - 1)

static char *rule_text(const char *s, int insensitive, int wide)
{
    struct scry_yara_source src = {.string = s, .insensitive = insensitive, .wide = wide};
    char *t = NULL;
    ck_assert_int_eq(scry_yara_rule_text(&src, &t), SCRY_OK);
    return t;
}

START_TEST(rule_text_as_volatility)
{
    static const struct {
        const char *s;
        int insensitive, wide;
        const char *want;
    } cases[] = {
        {"abc", 0, 0, "rule r1 {strings: $a = \"abc\" condition: $a}"},
        {"{41 42 ?? 43}", 0, 0, "rule r1 {strings: $a = {41 42 ?? 43} condition: $a}"},
        {"/ab+c/", 0, 0, "rule r1 {strings: $a = /ab+c/ condition: $a}"},
        {"abc", 1, 0, "rule r1 {strings: $a = \"abc\" nocase condition: $a}"},
        {"abc", 0, 1, "rule r1 {strings: $a = \"abc\" wide ascii condition: $a}"},
        {"abc", 1, 1, "rule r1 {strings: $a = \"abc\" nocase wide ascii condition: $a}"},
        /* No escaping, as Volatility's f'"{rule}"' does none. */
        {"a\\x41", 0, 0, "rule r1 {strings: $a = \"a\\x41\" condition: $a}"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *t = rule_text(cases[i].s, cases[i].insensitive, cases[i].wide);
        ck_assert_str_eq(t, cases[i].want);
        free(t);
    }
    struct scry_yara_source empty = {.string = ""};
    char *t = NULL;
    ck_assert_int_eq(scry_yara_rule_text(&empty, &t), SCRY_ERR_BAD_OPTION);
    ck_assert_str_eq(scry_last_error(), "--yara-string is empty");
    ck_assert_ptr_null(t);
}
END_TEST

struct hits {
    uint64_t addr[64];
    char data[64][64];
    size_t n;
    char rule[64][32];
};

static int collect(void *user, const struct scry_yara_hit *h)
{
    struct hits *x = user;
    ck_assert_uint_lt(x->n, 64);
    x->addr[x->n] = h->addr;
    ck_assert_uint_lt(h->len, 64);
    memcpy(x->data[x->n], h->data, h->len);
    x->data[x->n][h->len] = 0;
    snprintf(x->rule[x->n], sizeof x->rule[0], "%s:%s", h->rule, h->string);
    x->n++;
    return 0;
}

static struct scry_yara_rules *rules_of(const char *s, int insensitive)
{
    struct scry_yara_source src = {.string = s, .insensitive = insensitive};
    struct scry_yara_rules *r = NULL;
    ck_assert_int_eq(scry_yara_rules_build(&src, &r), SCRY_OK);
    return r;
}

START_TEST(insensitive_adds_nocase)
{
    static const uint8_t buf[] = "xx memf_yara_marker_7AE8 yy MEMF_YARA_MARKER_7ae8";
    struct scry_yara_rules *exact = rules_of(NEEDLE, 0), *nocase = rules_of(NEEDLE, 1);
    struct hits a = {0}, b = {0};
    ck_assert_int_eq(scry_yara_scan_buffer(exact, buf, sizeof buf - 1, 0x1000, collect, &a), SCRY_OK);
    ck_assert_int_eq(scry_yara_scan_buffer(nocase, buf, sizeof buf - 1, 0x1000, collect, &b), SCRY_OK);
    ck_assert_uint_eq(a.n, 1);
    ck_assert_uint_eq(a.addr[0], 0x1000 + 28);
    ck_assert_str_eq(a.rule[0], "r1:$a");
    ck_assert_uint_eq(b.n, 2);
    ck_assert_uint_eq(b.addr[0], 0x1000 + 3);
    ck_assert_str_eq(b.data[0], "memf_yara_marker_7AE8");
    scry_yara_rules_free(exact);
    scry_yara_rules_free(nocase);
}
END_TEST

/* Zero stretches left out of a scan (rules of a plain --yara-string, whose
 * matches hold no NUL) give exactly the hits of the whole buffer: the same
 * rule given as source text (scanned whole) is the oracle. Copies sit at
 * both edges of zero blocks, across a non-zero block boundary, inside the
 * last block and past the limit. */
START_TEST(zero_stretches_left_out_exactly)
{
    enum { N = 16 * 4096 + 100 };
    static const char text[] =
        "rule r1 {strings: $a = \"" NEEDLE "\" nocase condition: $a}";
    struct scry_yara_source whole = {.source = text};
    struct scry_yara_rules *fast = rules_of(NEEDLE, 1), *slow = NULL;
    ck_assert_int_eq(scry_yara_rules_build(&whole, &slow), SCRY_OK);
    uint8_t *buf = calloc(1, N);
    const size_t len = sizeof NEEDLE - 1;
    const size_t at[] = {4096 - len,      /* ends where a zero block starts */
                         3 * 4096,        /* starts where one ends          */
                         5 * 4096 - 7,    /* across two non-zero blocks     */
                         9 * 4096 + 1000, /* alone in a block               */
                         16 * 4096 + 10}; /* in the short last block        */
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++)
        memcpy(buf + at[i], NEEDLE, len);
    memset(buf + 4 * 4096, 'x', 8); /* blocks 4 and 5 not zero */
    memset(buf + 5 * 4096 + 100, 'y', 8);
    for (size_t limit = N; limit >= 4096; limit = limit * 2 / 3) {
        struct hits a = {0}, b = {0};
        int sa = 0, sb = 0, ta = 0, tb = 0;
        ck_assert_int_eq(scry_yara_scan_limited(fast, buf, N, limit, 0x10000, collect, &a, &sa, &ta),
                         SCRY_OK);
        ck_assert_int_eq(scry_yara_scan_limited(slow, buf, N, limit, 0x10000, collect, &b, &sb, &tb),
                         SCRY_OK);
        ck_assert_uint_eq(a.n, b.n);
        for (size_t i = 0; i < a.n; i++) {
            ck_assert_uint_eq(a.addr[i], b.addr[i]);
            ck_assert_str_eq(a.data[i], b.data[i]);
        }
        if (limit == N)
            ck_assert_uint_eq(a.n, 5);
    }
    /* what may not be cut: wide strings (matches hold NULs), quotes or
     * escapes (rule text of the user's own), hex and regular expressions */
    static const struct scry_yara_source keep[] = {
        {.string = NEEDLE, .wide = 1}, {.string = "ab\\x00cd"},
        {.string = "a\" or true or \"b"}, {.string = "{ 41 00 42 }"}, {.string = "/a\\x00b/"}};
    uint8_t wide[3 * 4096] = {0};
    memcpy(wide + 4096 - 1, "A", 1); /* "A\0" reaches into the zero block */
    for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++) {
        struct scry_yara_rules *r = NULL;
        if (scry_yara_rules_build(&keep[i], &r) != SCRY_OK)
            continue; /* a string libyara refuses is not cut either */
        ck_assert_msg(!scry_yara_rules_nul_free(r), "rule %zu would be cut", i);
        scry_yara_rules_free(r);
    }
    struct scry_yara_source wa = {.string = "A", .wide = 1};
    struct scry_yara_rules *wr = NULL;
    struct hits w = {0};
    ck_assert_int_eq(scry_yara_rules_build(&wa, &wr), SCRY_OK);
    ck_assert_int_eq(scry_yara_scan_buffer(wr, wide, sizeof wide, 0, collect, &w), SCRY_OK);
    ck_assert_uint_ge(w.n, 1);
    ck_assert_uint_eq(w.addr[0], 4096 - 1);
    ck_assert(scry_yara_rules_nul_free(fast));
    scry_yara_rules_free(wr);
    scry_yara_rules_free(fast);
    scry_yara_rules_free(slow);
    free(buf);
}
END_TEST

/* The same, over memory cut into many short NUL-free runs (what pointers
 * and small integers make of used pages): runs shorter than the string are
 * left out, the rest merged across short gaps, more runs than the first
 * stretch array holds. Copies sit at run edges, on 64-byte block edges,
 * in the unaligned tail and past the limit; a rule of a string shorter
 * than a word takes the zero-block cut. The whole-buffer scan is the
 * oracle. */
START_TEST(short_runs_left_out_exactly)
{
    enum { N = 1024 * 1024 + 37 };
    static const char *const needles[] = {NEEDLE, "q7#"};
    uint8_t *buf = malloc(N);
    uint64_t x = 0x9e3779b97f4a7c15ull;
    for (int pass = 0; pass < 2; pass++) {
        const char *needle = needles[pass];
        const size_t len = strlen(needle);
        char text[128];
        snprintf(text, sizeof text, "rule r1 {strings: $a = \"%s\" nocase condition: $a}", needle);
        struct scry_yara_source whole = {.source = text};
        struct scry_yara_rules *fast = rules_of(needle, 1), *slow = NULL;
        ck_assert_int_eq(scry_yara_rules_build(&whole, &slow), SCRY_OK);
        ck_assert(scry_yara_rules_nul_free(fast));
        /* runs of 1..80 bytes from 0x80..0xff (never a copy by chance),
         * between 1..400 NULs: thousands of stretches */
        size_t i = 0, placed = 0;
        while (i < N) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            size_t run = 1 + x % 80, gap = 1 + (x >> 8) % 400;
            for (size_t k = 0; k < run && i < N; k++)
                buf[i++] = (uint8_t)(0x80 | (x >> (k % 56)));
            for (size_t k = 0; k < gap && i < N; k++)
                buf[i++] = 0;
        }
        /* two spans of zeros (free pages), a copy right after each: on
         * a 256-byte boundary and off it */
        memset(buf + 204800, 0, 8192);
        memset(buf + 225280, 0, 4096);
        const size_t at[] = {0, 640 - len, 64 * 300, 64 * 301 - 3, 100003, 150000,
                             204800 + 8192, 225280 + 4096 + 5, N - len, N - len - 40};
        for (size_t k = 0; k < sizeof at / sizeof at[0]; k++, placed++) {
            memcpy(buf + at[k], needle, len);
            buf[at[k] + len < N ? at[k] + len : at[k] - 1] = at[k] % 2 ? 0 : 0x99;
        }
        for (size_t limit = N; limit >= 4096; limit = limit * 2 / 3) {
            struct hits a = {0}, b = {0};
            int sa = 0, sb = 0, ta = 0, tb = 0;
            ck_assert_int_eq(
                scry_yara_scan_limited(fast, buf, N, limit, 0x10000, collect, &a, &sa, &ta), SCRY_OK);
            ck_assert_int_eq(
                scry_yara_scan_limited(slow, buf, N, limit, 0x10000, collect, &b, &sb, &tb), SCRY_OK);
            ck_assert_uint_eq(a.n, b.n);
            for (size_t k = 0; k < a.n; k++) {
                ck_assert_uint_eq(a.addr[k], b.addr[k]);
                ck_assert_str_eq(a.data[k], b.data[k]);
            }
            if (limit == N)
                ck_assert_uint_eq(a.n, placed);
        }
        scry_yara_rules_free(fast);
        scry_yara_rules_free(slow);
    }
    free(buf);
}
END_TEST

static char *temp_with(const char *text) { return tu_write_temp(text, strlen(text)); }

START_TEST(rule_file_errors)
{
    struct scry_yara_rules *r = NULL;
    char want[512];
    /* A syntax error on line 3: the message names the file and the line. */
    char *bad = temp_with("rule a {\n  strings: $x = \"abc\"\n  condition: $x and and\n}\n");
    struct scry_yara_source src = {.file = bad};
    ck_assert_int_eq(scry_yara_rules_build(&src, &r), SCRY_ERR_BAD_OPTION);
    ck_assert_ptr_null(r);
    snprintf(want, sizeof want, "%s line 3: syntax error", bad);
    ck_assert_str_eq(scry_last_error(), want);
    /* An undefined identifier is an error too, with its line. */
    char *undef = temp_with("rule a { condition: $x }\n");
    src.file = undef;
    ck_assert_int_eq(scry_yara_rules_build(&src, &r), SCRY_ERR_BAD_OPTION);
    snprintf(want, sizeof want, "%s line 1: undefined string \"$x\"", undef);
    ck_assert_str_eq(scry_last_error(), want);
    /* A --yara-string that does not compile names the option. */
    struct scry_yara_source s2 = {.string = "{4"};
    ck_assert_int_eq(scry_yara_rules_build(&s2, &r), SCRY_ERR_BAD_OPTION);
    ck_assert_msg(strncmp(scry_last_error(), "--yara-string line 1: ", 22) == 0, "message: %s",
                  scry_last_error());
    /* An empty rule file compiles to no rules: a scan finds nothing. */
    char *empty = temp_with("");
    src.file = empty;
    ck_assert_int_eq(scry_yara_rules_build(&src, &r), SCRY_OK);
    ck_assert_uint_eq(scry_yara_rules_count(r), 0);
    struct hits h = {0};
    ck_assert_int_eq(scry_yara_scan_buffer(r, (const uint8_t *)"abc", 3, 0, collect, &h), SCRY_OK);
    ck_assert_uint_eq(h.n, 0);
    scry_yara_rules_free(r);
    /* The same file as a file:// URI. */
    char uri[600];
    snprintf(uri, sizeof uri, "file://%s", bad);
    src.file = uri;
    ck_assert_int_eq(scry_yara_rules_build(&src, &r), SCRY_ERR_BAD_OPTION);
    /* A missing file. */
    src.file = "/nonexistent/rules.yar";
    ck_assert_int_eq(scry_yara_rules_build(&src, &r), SCRY_ERR_IO);
    ck_assert_msg(strstr(scry_last_error(), "/nonexistent/rules.yar") != NULL, "message: %s",
                  scry_last_error());
    /* No source at all. */
    struct scry_yara_source none = {0};
    ck_assert_int_eq(scry_yara_rules_build(&none, &r), SCRY_ERR_INVALID_ARG);
    unlink(bad);
    unlink(undef);
    unlink(empty);
    free(bad);
    free(undef);
    free(empty);
}
END_TEST

START_TEST(compiled_rules)
{
    struct scry_yara_rules *r = NULL;
    /* Garbage is refused with a clear error, not loaded. */
    char *junk = temp_with("YARA this is not a compiled rule file at all............");
    struct scry_yara_source src = {.compiled_file = junk};
    ck_assert_int_eq(scry_yara_rules_build(&src, &r), SCRY_ERR_CORRUPT);
    ck_assert_ptr_null(r);
    ck_assert_msg(strstr(scry_last_error(), junk) != NULL, "message: %s", scry_last_error());
    /* A real compiled file (saved with libyara) loads and matches. */
    YR_COMPILER *c;
    YR_RULES *yr;
    char path[] = "/tmp/memscry-yarac-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    ck_assert_int_eq(yr_initialize(), ERROR_SUCCESS);
    ck_assert_int_eq(yr_compiler_create(&c), ERROR_SUCCESS);
    ck_assert_int_eq(yr_compiler_add_string(c, "rule k { strings: $m = \"" NEEDLE "\" condition: $m }",
                                            NULL),
                     0);
    ck_assert_int_eq(yr_compiler_get_rules(c, &yr), ERROR_SUCCESS);
    ck_assert_int_eq(yr_rules_save(yr, path), ERROR_SUCCESS);
    yr_rules_destroy(yr);
    yr_compiler_destroy(c);
    yr_finalize();
    src.compiled_file = path;
    ck_assert_int_eq(scry_yara_rules_build(&src, &r), SCRY_OK);
    struct hits h = {0};
    ck_assert_int_eq(scry_yara_scan_buffer(r, (const uint8_t *)"--" NEEDLE, NLEN + 2, 10, collect, &h),
                     SCRY_OK);
    ck_assert_uint_eq(h.n, 1);
    ck_assert_uint_eq(h.addr[0], 12);
    ck_assert_str_eq(h.rule[0], "k:$m");
    scry_yara_rules_free(r);
    unlink(path);
    unlink(junk);
    free(junk);
}
END_TEST

/* ---- synthetic memory: a raw image with x86-64 page tables.
 *
 * PML4 0x1000 -> PDPT 0x2000; PDPT[0] -> PD 0x3000 (VA 0..1 GiB), PDPT[1]
 * -> PD 0x5000 (VA 1..2 GiB). PD[2] -> PT 0x4000: VA 0x400000 + i*4K maps
 * to the pages of pt_pages (page 0 and page 1 not physically adjacent,
 * pages 1 and 2 adjacent). PD2[0..8]: 2 MiB pages, VA 0x40000000.. to PA
 * 0x400000.. (18 MiB, one block). */
#define IMG_SIZE ((size_t)24 << 20)
#define BIGVA 0x40000000ull
#define BIGPA 0x400000ull
static const uint64_t pt_pages[] = {0x100000, 0x102000, 0x103000, 0x200000};

static void put64(uint8_t *img, uint64_t pa, uint64_t v) { memcpy(img + pa, &v, 8); }

static uint8_t *make_image(void)
{
    uint8_t *img = calloc(1, IMG_SIZE);
    ck_assert_ptr_nonnull(img);
    put64(img, 0x1000, 0x2000 | 3);
    put64(img, 0x2000, 0x3000 | 3);
    put64(img, 0x2008, 0x5000 | 3);
    put64(img, 0x3000 + 2 * 8, 0x4000 | 3);
    for (size_t i = 0; i < sizeof pt_pages / sizeof pt_pages[0]; i++)
        put64(img, 0x4000 + i * 8, pt_pages[i] | 3);
    for (uint64_t k = 0; k < 9; k++)
        put64(img, 0x5000 + k * 8, (BIGPA + (k << 21)) | 0x83);
    return img;
}

/* Writes the needle at virtual address va (through the mappings above). */
static void put_needle(uint8_t *img, uint64_t va)
{
    for (size_t i = 0; i < NLEN; i++) {
        uint64_t a = va + i, pa;
        if (a >= BIGVA)
            pa = BIGPA + (a - BIGVA);
        else
            pa = pt_pages[(a - 0x400000) >> 12] + (a & 0xfff);
        img[pa] = (uint8_t)NEEDLE[i];
    }
}

struct synth {
    uint8_t *img;
    struct scry_phys *phys;
    struct scry_vspace vs;
    struct scry_yara_rules *r;
};

static void synth_open(struct synth *s)
{
    struct scry_file *f;
    ck_assert_int_eq(scry_file_from_memory(s->img, IMG_SIZE, "synthetic", &f), SCRY_OK);
    ck_assert_int_eq(scry_phys_open_file(f, NULL, &s->phys), SCRY_OK);
    ck_assert_int_eq(scry_vspace_init(&s->vs, s->phys, SCRY_PAGING_X86_64, 0x1000), SCRY_OK);
    s->r = rules_of(NEEDLE, 0);
}

static void synth_close(struct synth *s)
{
    scry_yara_rules_free(s->r);
    scry_phys_close(s->phys);
    free(s->img);
}

/* The layer scan answered from a prescan's list gives exactly libyara's
 * hits (want), and the list really answered it. */
static void layer_prescanned_equal(struct synth *s, const struct hits *want)
{
    struct scry_yara_prescan *ps = scry_yara_prescan_start(s->phys, NEEDLE);
    ck_assert_ptr_nonnull(ps);
    ck_assert_int_eq(scry_yara_prescan_wait(ps), 1);
    struct hits h = {0};
    ck_assert_int_eq(scry_yara_scan_layer_pre(s->r, ps, &s->vs, NULL, collect, &h), SCRY_OK);
    ck_assert_uint_gt(scry_yara_prescan_answered(ps), 0);
    ck_assert_uint_eq(h.n, want->n);
    for (size_t i = 0; i < h.n; i++) {
        ck_assert_uint_eq(h.addr[i], want->addr[i]);
        ck_assert_str_eq(h.data[i], want->data[i]);
        ck_assert_str_eq(h.rule[i], want->rule[i]);
    }
    /* Rules that are not that plain string (nocase here) never use it. */
    struct scry_yara_rules *nocase = rules_of(NEEDLE, 1);
    uint64_t before = scry_yara_prescan_answered(ps);
    memset(&h, 0, sizeof h);
    ck_assert_int_eq(scry_yara_scan_layer_pre(nocase, ps, &s->vs, NULL, collect, &h), SCRY_OK);
    ck_assert_uint_eq(scry_yara_prescan_answered(ps), before);
    ck_assert_uint_eq(h.n, want->n);
    scry_yara_rules_free(nocase);
    scry_yara_prescan_free(ps);
}

START_TEST(vrange_straddles_scattered_pages)
{
    struct synth s = {.img = make_image()};
    /* Across pages 0 and 1 (physically apart) and pages 1 and 2 (adjacent). */
    put_needle(s.img, 0x401000 - 5);
    put_needle(s.img, 0x402000 - 7);
    synth_open(&s);
    struct hits h = {0};
    ck_assert_int_eq(scry_yara_scan_vrange(s.r, &s.vs, 0x400000, 0x404000, 0, SCRY_YARA_OVERLAP, NULL,
                                           NULL, collect, &h),
                     SCRY_OK);
    ck_assert_uint_eq(h.n, 2);
    ck_assert_uint_eq(h.addr[0], 0x401000 - 5);
    ck_assert_uint_eq(h.addr[1], 0x402000 - 7);
    ck_assert_str_eq(h.data[0], NEEDLE);
    /* Unmapped bytes read as zeros: a range running past the mapping is
     * scanned, and finds the same. */
    memset(&h, 0, sizeof h);
    ck_assert_int_eq(scry_yara_scan_vrange(s.r, &s.vs, 0x3ff000, 0x406000, 0, SCRY_YARA_OVERLAP, NULL,
                                           NULL, collect, &h),
                     SCRY_OK);
    ck_assert_uint_eq(h.n, 2);
    /* Volatility's layer.scan: pages 0 and 1 are two blocks, the first
     * copy is not found there; pages 1-2 are one block. */
    memset(&h, 0, sizeof h);
    ck_assert_int_eq(scry_yara_scan_layer(s.r, &s.vs, NULL, collect, &h), SCRY_OK);
    ck_assert_uint_eq(h.n, 1);
    ck_assert_uint_eq(h.addr[0], 0x402000 - 7);
    layer_prescanned_equal(&s, &h);
    synth_close(&s);
}
END_TEST

START_TEST(vrange_window_boundaries_once)
{
    struct synth s = {.img = make_image()};
    const size_t window = 8192, overlap = 256, step = window - overlap;
    /* Before the overlap, in it, across the window's end, and across the
     * second window's end. */
    const uint64_t at[] = {step - 10, step + 40, window - 7, step + window - 3};
    for (size_t i = 0; i < 4; i++)
        put_needle(s.img, BIGVA + at[i]);
    synth_open(&s);
    struct hits h = {0};
    ck_assert_int_eq(scry_yara_scan_vrange(s.r, &s.vs, BIGVA, BIGVA + 65536, window, overlap, NULL, NULL,
                                           collect, &h),
                     SCRY_OK);
    ck_assert_uint_eq(h.n, 4);
    for (size_t i = 0; i < 4; i++)
        ck_assert_uint_eq(h.addr[i], BIGVA + at[i]);
    /* A match at the very end of the range is found by the last window. */
    memset(&h, 0, sizeof h);
    ck_assert_int_eq(scry_yara_scan_vrange(s.r, &s.vs, BIGVA, BIGVA + at[3] + NLEN, window, overlap, NULL,
                                           NULL, collect, &h),
                     SCRY_OK);
    ck_assert_uint_eq(h.n, 4);
    /* Through a memo: the same windows again are answered from it, with
     * the same hits. */
    struct scry_yara_memo *memo;
    ck_assert_int_eq(scry_yara_memo_new(&memo), SCRY_OK);
    for (int round = 0; round < 2; round++) {
        memset(&h, 0, sizeof h);
        ck_assert_int_eq(scry_yara_scan_vrange(s.r, &s.vs, BIGVA, BIGVA + 65536, window, overlap,
                                               memo, NULL, collect, &h),
                         SCRY_OK);
        ck_assert_uint_eq(h.n, 4);
        for (size_t i = 0; i < 4; i++)
            ck_assert_uint_eq(h.addr[i], BIGVA + at[i]);
        ck_assert_str_eq(h.data[3], NEEDLE);
    }
    ck_assert_uint_ge(scry_yara_memo_hits(memo), 8);
    /* Zero windows (nothing mapped) hit the memo at another address. */
    memset(&h, 0, sizeof h);
    ck_assert_int_eq(scry_yara_scan_vrange(s.r, &s.vs, 0x80000000, 0x80000000 + 65536, window,
                                           overlap, memo, NULL, collect, &h),
                     SCRY_OK);
    ck_assert_uint_eq(h.n, 0);
    scry_yara_memo_free(memo);
    /* Bad windows are refused. */
    ck_assert_int_eq(scry_yara_scan_vrange(s.r, &s.vs, BIGVA, BIGVA + 65536, 4096, 4096, NULL, NULL,
                                           collect, &h),
                     SCRY_ERR_INVALID_ARG);
    synth_close(&s);
}
END_TEST

START_TEST(layer_chunks_as_volatility)
{
    struct synth s = {.img = make_image()};
    const uint64_t M16 = (uint64_t)16 << 20;
    /* In the 4 KiB both chunks hold: reported twice (Volatility's
     * YaraScanner keeps it in both). Past it: once. Across the end of
     * the first chunk (16 MiB + 4 KiB): once, by the second. */
    put_needle(s.img, BIGVA + M16 + 100);
    put_needle(s.img, BIGVA + M16 + 8192);
    put_needle(s.img, BIGVA + M16 + 4096 - 5);
    put_needle(s.img, BIGVA + 0x1000);
    synth_open(&s);
    struct hits h = {0};
    ck_assert_int_eq(scry_yara_scan_layer(s.r, &s.vs, NULL, collect, &h), SCRY_OK);
    const uint64_t want[] = {BIGVA + 0x1000, BIGVA + M16 + 100, BIGVA + M16 + 100,
                             BIGVA + M16 + 4096 - 5, BIGVA + M16 + 8192};
    ck_assert_uint_eq(h.n, 5);
    for (size_t i = 0; i < 5; i++)
        ck_assert_uint_eq(h.addr[i], want[i]);
    layer_prescanned_equal(&s, &h);
    /* The streamed scan of the same range reports each once. */
    memset(&h, 0, sizeof h);
    ck_assert_int_eq(scry_yara_scan_vrange(s.r, &s.vs, BIGVA, BIGVA + (18u << 20), 0,
                                           SCRY_YARA_OVERLAP, NULL, NULL, collect, &h),
                     SCRY_OK);
    ck_assert_uint_eq(h.n, 4);
    synth_close(&s);
}
END_TEST

/* A LiME image of three ranges: [0, 64K) and [64K, 128K) adjacent, [1M,
 * 1M + 64K) apart. */
static void lime_hdr(uint8_t *p, uint64_t start, uint64_t len)
{
    uint32_t magic = 0x4C694D45u, version = 1;
    uint64_t end = start + len - 1;
    memset(p, 0, 32);
    memcpy(p, &magic, 4);
    memcpy(p + 4, &version, 4);
    memcpy(p + 8, &start, 8);
    memcpy(p + 16, &end, 8);
}

START_TEST(phys_across_adjacent_runs)
{
    const size_t R = 65536;
    size_t len = 3 * (32 + R);
    uint8_t *img = calloc(1, len);
    ck_assert_ptr_nonnull(img);
    uint8_t *r0 = img + 32, *r1 = img + 64 + R, *r2 = img + 2 * (32 + R) + 32;
    lime_hdr(img, 0, R);
    lime_hdr(img + 32 + R, R, R);
    lime_hdr(img + 2 * (32 + R), 1 << 20, R);
    /* Across runs 0 and 1 (adjacent): found. Across 1 and 2 (a gap):
     * not. One inside run 2. */
    memcpy(r0 + R - 6, NEEDLE, 6);
    memcpy(r1, &NEEDLE[6], NLEN - 6);
    memcpy(r1 + R - 6, NEEDLE, 6);
    memcpy(r2, &NEEDLE[6], NLEN - 6);
    memcpy(r2 + 100, NEEDLE, NLEN);
    struct scry_file *f;
    struct scry_phys *p;
    ck_assert_int_eq(scry_file_from_memory(img, len, "lime", &f), SCRY_OK);
    ck_assert_int_eq(scry_phys_open_file(f, NULL, &p), SCRY_OK);
    struct scry_yara_rules *r = rules_of(NEEDLE, 0);
    struct hits h = {0};
    ck_assert_int_eq(scry_yara_scan_phys(r, p, NULL, collect, &h), SCRY_OK);
    ck_assert_msg(h.n == 2, "%zu hits, the first at 0x%llx", h.n, (unsigned long long)h.addr[0]);
    ck_assert_uint_eq(h.addr[0], R - 6);
    ck_assert_uint_eq(h.addr[1], (1u << 20) + 100);
    ck_assert_str_eq(h.data[0], NEEDLE);
    /* The prescan's list: the same two, the first across the adjacent
     * runs (which the run-by-run search cannot see). */
    struct scry_yara_prescan *ps = scry_yara_prescan_start(p, NEEDLE);
    ck_assert_ptr_nonnull(ps);
    ck_assert_int_eq(scry_yara_prescan_wait(ps), 1);
    size_t n;
    const uint64_t *list = scry_yara_prescan_hits(ps, &n);
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(list[0], R - 6);
    ck_assert_uint_eq(list[1], (1u << 20) + 100);
    scry_yara_prescan_free(ps);
    scry_yara_rules_free(r);
    scry_phys_close(p);
    free(img);
}
END_TEST

/* Strings whose matches are not simply their occurrences get no prescan. */
START_TEST(prescan_only_plain_strings)
{
    ck_assert_int_eq(scry_yara_plain_string(NEEDLE), 1);
    ck_assert_int_eq(scry_yara_plain_string("abcab"), 0);   /* overlaps itself */
    ck_assert_int_eq(scry_yara_plain_string("aa"), 0);
    ck_assert_int_eq(scry_yara_plain_string("{ 41 42 }"), 0); /* hex string */
    ck_assert_int_eq(scry_yara_plain_string("/ab+c/"), 0);    /* regex */
    ck_assert_int_eq(scry_yara_plain_string("a\\x41"), 0);  /* escape */
    ck_assert_int_eq(scry_yara_plain_string(""), 0);
    ck_assert_int_eq(scry_yara_plain_string(NULL), 0);
    char big[300];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    big[0] = 'y';
    ck_assert_int_eq(scry_yara_plain_string(big), 0); /* past 256 bytes */
    ck_assert_ptr_null(scry_yara_prescan_start(NULL, NEEDLE));
    scry_yara_prescan_free(NULL);
}
END_TEST

/* Compiled rules given as the run input "yara.rules" take precedence over
 * the options, so a batch compiles its rules once. */
START_TEST(typed_input_takes_precedence)
{
    uint8_t *img = make_image();
    put_needle(img, BIGVA + 0x3000);
    char *path = tu_write_temp(img, IMG_SIZE);
    free(img);
    scry_context *ctx;
    scry_dump *dump;
    scry_session *ses;
    scry_runctx *run;
    scry_result *res;
    ck_assert_int_eq(scry_context_new(&ctx), SCRY_OK);
    ck_assert_int_eq(scry_dump_open(ctx, path, &dump), SCRY_OK);
    ck_assert_int_eq(scry_session_open(ctx, dump, &ses), SCRY_OK);
    ck_assert_int_eq(scry_runctx_new(&run), SCRY_OK);
    const char *argv[] = {"--physical", "--yara-string", "NOT_IN_THE_IMAGE"};
    ck_assert_int_eq(scry_plugin_run(ses, "yarascan", 3, argv, run, &res), SCRY_OK);
    ck_assert_uint_eq(scry_result_row_count(res), 0);
    scry_result_free(res);
    struct scry_yara_rules *r = rules_of(NEEDLE, 0);
    ck_assert_int_eq(scry_runctx_set_input(run, "yara.rules", r), SCRY_OK);
    ck_assert_int_eq(scry_plugin_run(ses, "yarascan.YaraScan", 3, argv, run, &res), SCRY_OK);
    ck_assert_uint_eq(scry_result_row_count(res), 1);
    uint64_t off;
    const char *v;
    size_t vlen;
    ck_assert_int_eq(scry_result_cell_uint(res, 0, 0, &off), SCRY_OK);
    ck_assert_uint_eq(off, BIGPA + 0x3000);
    ck_assert_int_eq(scry_result_cell_str(res, 0, 3, &v, &vlen), SCRY_OK);
    ck_assert_uint_eq(vlen, NLEN);
    ck_assert_int_eq(memcmp(v, NEEDLE, NLEN), 0);
    scry_result_free(res);
    /* With no rule option at all, the input alone is enough. */
    ck_assert_int_eq(scry_plugin_run(ses, "yarascan", 1, argv, run, &res), SCRY_OK);
    ck_assert_uint_eq(scry_result_row_count(res), 1);
    scry_result_free(res);
    scry_yara_rules_free(r);
    scry_runctx_free(run);
    scry_session_close(ses);
    scry_dump_close(dump);
    scry_context_free(ctx);
    unlink(path);
    free(path);
}
END_TEST

static int stop_first(void *user, const struct scry_yara_hit *h)
{
    (void)h;
    (*(int *)user)++;
    return 1;
}

START_TEST(callback_stops_scan)
{
    static const uint8_t buf[] = NEEDLE " " NEEDLE " " NEEDLE;
    struct scry_yara_rules *r = rules_of(NEEDLE, 0);
    int n = 0;
    ck_assert_int_eq(scry_yara_scan_buffer(r, buf, sizeof buf - 1, 0, stop_first, &n), SCRY_OK);
    ck_assert_int_eq(n, 1);
    scry_yara_rules_free(r);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("yara");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, rule_text_as_volatility);
    tcase_add_test(tc, insensitive_adds_nocase);
    tcase_add_test(tc, zero_stretches_left_out_exactly);
    tcase_add_test(tc, short_runs_left_out_exactly);
    tcase_add_test(tc, rule_file_errors);
    tcase_add_test(tc, compiled_rules);
    tcase_add_test(tc, vrange_straddles_scattered_pages);
    tcase_add_test(tc, vrange_window_boundaries_once);
    tcase_add_test(tc, layer_chunks_as_volatility);
    tcase_add_test(tc, phys_across_adjacent_runs);
    tcase_add_test(tc, prescan_only_plain_strings);
    tcase_add_test(tc, callback_stops_scan);
    tcase_add_test(tc, typed_input_takes_precedence);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run_suite(suite()); }
