/* test_win_C.c - windows.vadinfo and windows.malfind on hostile VAD trees.
 *
 * The shared generator (tools/winimage/winimage.py, run, not copied) builds
 * a Win10 22H2 and a Win7 SP1 raw image into the build tree once; each test
 * loads one into memory, patches the VAD tree of updater.exe (PID 5188),
 * and checks the exact rows and diagnostics. Where Volatility 2.11.0
 * prints rows, the expectations below are its output on the same patched
 * image (checked when the tests were written); where it raises or hangs,
 * they are memscry's documented answer (docs/DESIGN.md). */
#include <check.h>
#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "formats/phys.h"
#include "lib/os/windows.h"
#include "lib/plugins/plugin.h"
#include "lib/session/session.h"
#include "imagerun.h"
#include "testutil.h"

#define PID "5188"

struct img {
    const char *name, *isf;
    uint8_t *orig, *b; /* the generated image and the copy a test patches */
    size_t len;
    uint64_t dtb, kbase, eprocess;
    uint64_t vads[16]; /* updater.exe's VADs, as the truth file lists them */
    size_t nvads;
};

static struct img w10 = {.name = "w22", .isf = "606FF669409B00F7FC8C61A9C1670129-1.json.xz"};
static struct img w7 = {.name = "w7", .isf = "339E74133576439CBCDF7E0229DA3773-1.json.xz"};
static scry_context *ctx;
static int ready;

/* --------------------------------------------------------------- images */

/* The number after the first `key` in s (0 when absent). */
static uint64_t num_after(const char *s, const char *key)
{
    const char *p = strstr(s, key);
    return p ? strtoull(p + strlen(key), NULL, 10) : 0;
}

static int generate(struct img *m, const char *corpus)
{
    char dir[4096], path[4200], cmd[16384];
    snprintf(dir, sizeof dir, "%s/test-win-C", SCRY_BINARY_DIR);
    mkdir(dir, 0777);
    snprintf(path, sizeof path, "%s/%s.raw", dir, m->name);
    struct stat sb;
    if (stat(path, &sb) != 0) {
        snprintf(cmd, sizeof cmd,
                 "python3 %s/../tools/winimage/winimage.py --isf "
                 "%s/../isf/windows/ntkrnlmp.pdb/%s --out %s --name %s --formats raw >/dev/null",
                 corpus, corpus, m->isf, dir, m->name);
        if (system(cmd) != 0) {
            printf("SKIP test_win_C: the generator failed (%s)\n", cmd);
            return 0;
        }
    }
    if (!(m->orig = (uint8_t *)tu_slurp(path, &m->len)) || !(m->b = malloc(m->len)))
        return 0;
    /* The truth file's addresses exceed jansson's int64: read them as
     * text. */
    snprintf(path, sizeof path, "%s/%s.truth.json", dir, m->name);
    size_t tlen;
    char *t = tu_slurp(path, &tlen), *p, *end;
    if (!t)
        return 0;
    m->dtb = num_after(t, "\"dtb\":");
    m->kbase = num_after(t, "\"base\":");
    if ((p = strstr(t, "\"name\": \"updater.exe\"")) != NULL) {
        m->eprocess = num_after(p, "\"eprocess_va\":");
        p = strstr(p, "\"vads\":");
        end = p ? strchr(p, ']') : NULL;
        while (p && end && (p = strstr(p, "\"vad\":")) != NULL && p < end && m->nvads < 16) {
            m->vads[m->nvads++] = num_after(p, "\"vad\":");
            p += 6;
        }
    }
    free(t);
    return m->nvads == 7;
}

static void setup(void)
{
    const char *corpus = tu_corpus_dir("test_win_C");
    char isf[4096];
    if (!corpus)
        return;
    snprintf(isf, sizeof isf, "%s/../isf", corpus);
    if (!generate(&w10, corpus) || !generate(&w7, corpus))
        return;
    if (scry_context_new(&ctx) != SCRY_OK || scry_context_add_symbol_dir(ctx, isf) != SCRY_OK)
        return;
    ready = 1;
}

static void teardown(void)
{
    scry_context_free(ctx);
    free(w10.orig);
    free(w10.b);
    free(w7.orig);
    free(w7.b);
}

#define NEED_IMAGES()                                                                              \
    do {                                                                                           \
        if (!ready) {                                                                              \
            printf("SKIP %s: no generated images\n", __func__);                                   \
            return;                                                                                \
        }                                                                                          \
    } while (0)

static uint64_t q(const struct img *m, uint64_t pa)
{
    uint64_t v;
    ck_assert_uint_le(pa + 8, m->len);
    memcpy(&v, m->b + pa, 8);
    return v;
}

/* The physical address of the page-table entry that maps va (4 KiB pages
 * only), through the kernel DTB. */
static uint64_t pte_of(const struct img *m, uint64_t va)
{
    uint64_t table = m->dtb & ~0xfffull;
    for (int shift = 39; shift > 12; shift -= 9) {
        uint64_t e = q(m, table + ((va >> shift) & 0x1ff) * 8);
        ck_assert_msg(e & 1, "0x%" PRIx64 ": not mapped at shift %d", va, shift);
        ck_assert_msg(!(e & 0x80), "0x%" PRIx64 ": a large page", va);
        table = e & 0xffffffffff000ull;
    }
    return table + ((va >> 12) & 0x1ff) * 8;
}

static uint64_t pa_of(const struct img *m, uint64_t va)
{
    uint64_t e = q(m, pte_of(m, va));
    ck_assert(e & 1);
    return (e & 0xffffffffff000ull) | (va & 0xfff);
}

static void put(struct img *m, uint64_t va, const void *data, size_t n)
{
    uint64_t pa = pa_of(m, va);
    ck_assert_uint_le(pa + n, m->len);
    ck_assert_uint_le((va & 0xfff) + n, 0x1000);
    memcpy(m->b + pa, data, n);
}
static void put64(struct img *m, uint64_t va, uint64_t v) { put(m, va, &v, 8); }
static void put32(struct img *m, uint64_t va, uint32_t v) { put(m, va, &v, 4); }
static uint32_t get32(struct img *m, uint64_t va)
{
    uint32_t v;
    memcpy(&v, m->b + pa_of(m, va), 4);
    return v;
}

static void fresh(struct img *m) { memcpy(m->b, m->orig, m->len); }

/* --------------------------------------------------------------- runs */

static scry_status run(struct ir_run *x, struct img *m, const char *plugin, int argc,
                       const char *const *argv)
{
    ir_open(x, ctx, m->b, m->len, m->name);
    return scry_plugin_run(x->s, plugin, argc, argv, NULL, &x->r);
}

static const struct scry_windows *profile(struct ir_run *x)
{
    const struct scry_profile *p = NULL;
    ck_assert_int_eq(scry_session_profile(x->s, NULL, &p), SCRY_OK);
    const struct scry_windows *w = scry_windows_of(p);
    ck_assert_ptr_nonnull(w);
    ck_assert(w->vad.ok);
    return w;
}

static uint64_t cell_u(const struct scry_result *r, size_t row, size_t col)
{
    uint64_t v;
    ck_assert_int_eq(scry_result_cell_uint(r, row, col, &v), SCRY_OK);
    return v;
}
static int64_t cell_i(const struct scry_result *r, size_t row, size_t col)
{
    int64_t v;
    ck_assert_int_eq(scry_result_cell_int(r, row, col, &v), SCRY_OK);
    return v;
}
static const char *cell_s(const struct scry_result *r, size_t row, size_t col)
{
    const char *v;
    ck_assert_int_eq(scry_result_cell_str(r, row, col, &v, NULL), SCRY_OK);
    return v;
}

/* The only WARNING's message, failing unless there is exactly one. */
static const char *one_warning(const struct scry_result *r)
{
    const char *found = NULL;
    size_t n = 0;
    for (size_t k = 0; k < scry_result_diag_count(r); k++) {
        scry_diag_level lv;
        const char *msg;
        ck_assert_int_eq(scry_result_diag(r, k, &lv, NULL, &msg), SCRY_OK);
        if (lv == SCRY_DIAG_WARNING) {
            found = msg;
            n++;
        }
    }
    ck_assert_uint_eq(n, 1);
    return found;
}

static const char *const vad_argv[] = {"--pid", PID};

/* vadinfo's Offset column (canonical) for updater.exe, in order. */
static void assert_offsets(const struct scry_result *r, const uint64_t *want, size_t n)
{
    ck_assert_uint_eq(scry_result_row_count(r), n);
    for (size_t i = 0; i < n; i++) {
        ck_assert_int_eq(cell_i(r, i, 0), 5188);
        ck_assert_msg(cell_u(r, i, 2) == want[i], "row %zu: 0x%" PRIx64 " != 0x%" PRIx64, i,
                      cell_u(r, i, 2), want[i]);
    }
}

/* The generated tree (Win10): root R = vads[3], its left child B =
 * vads[1] (children A = vads[0], C = vads[2]), its right child E = vads[5]
 * (children D = vads[4], F = vads[6]); pre-order R B A C E D F. */
#define A_ w10.vads[0]
#define B_ w10.vads[1]
#define C_ w10.vads[2]
#define R_ w10.vads[3]
#define D_ w10.vads[4]
#define E_ w10.vads[5]
#define F_ w10.vads[6]

static const uint64_t *preorder(void)
{
    static uint64_t o[7];
    o[0] = R_, o[1] = B_, o[2] = A_, o[3] = C_, o[4] = E_, o[5] = D_, o[6] = F_;
    return o;
}

START_TEST(test_unpatched)
{
    NEED_IMAGES();
    struct ir_run x;
    fresh(&w10);
    ck_assert_int_eq(run(&x, &w10, "windows.vadinfo", 2, vad_argv), SCRY_OK);
    assert_offsets(x.r, preorder(), 7);
    ck_assert_uint_eq(ir_count_diags(x.r, SCRY_DIAG_WARNING), 0);
    ck_assert_str_eq(cell_s(x.r, 1, 5), "VadS");
    ck_assert_str_eq(cell_s(x.r, 1, 6), "PAGE_EXECUTE_READWRITE");
    ck_assert_uint_eq(cell_u(x.r, 1, 9), R_);  /* Parent: ParentValue & ~3 */
    ck_assert_uint_eq(cell_u(x.r, 0, 9), 0);
    ck_assert_int_eq(scry_result_cell_state(x.r, 0, 10), SCRY_CELL_NOT_APPLICABLE);
    ir_free(&x);
}
END_TEST

/* A child pointing back at the root, another at its own parent, the root
 * at itself: Volatility's visited set ends each silently, and the rows are
 * Volatility's; memscry adds one WARNING (the links they replaced are
 * lost: B's subtree here). */
START_TEST(test_cycle)
{
    NEED_IMAGES();
    struct ir_run x;
    fresh(&w10);
    put64(&w10, A_ + 0, R_); /* A.Left = root */
    put64(&w10, F_ + 8, E_); /* F.Right = its parent */
    put64(&w10, R_ + 0, R_); /* the root's Left: itself (B is now unreachable) */
    ck_assert_int_eq(run(&x, &w10, "windows.vadinfo", 2, vad_argv), SCRY_OK);
    const uint64_t want[] = {R_, E_, D_, F_};
    assert_offsets(x.r, want, 4);
    ck_assert_ptr_nonnull(strstr(one_warning(x.r), "links back to node 0x"));
    ck_assert_ptr_nonnull(strstr(one_warning(x.r), " (a cycle): what that link replaced is not listed"));
    ir_free(&x);
}
END_TEST

/* A child pointer into unmapped memory and one to mapped memory without a
 * pool tag: both skipped silently; an untagged inner node is skipped with
 * its subtree. */
START_TEST(test_bad_children)
{
    NEED_IMAGES();
    struct ir_run x;
    fresh(&w10);
    put64(&w10, C_ + 0, 0xffffa50c7f000000ull);
    put64(&w10, D_ + 8, w10.eprocess + 0x100);
    ck_assert_int_eq(run(&x, &w10, "windows.vadinfo", 2, vad_argv), SCRY_OK);
    assert_offsets(x.r, preorder(), 7);
    ck_assert_uint_eq(ir_count_diags(x.r, SCRY_DIAG_WARNING), 0);
    ir_free(&x);

    put(&w10, B_ - 12, "XXXX", 4);
    ck_assert_int_eq(run(&x, &w10, "windows.vadinfo", 2, vad_argv), SCRY_OK);
    const uint64_t want[] = {R_, E_, D_, F_};
    assert_offsets(x.r, want, 4);
    ir_free(&x);
    /* malfind's RWX region was in the skipped subtree. */
    ck_assert_int_eq(run(&x, &w10, "windows.malfind", 0, NULL), SCRY_OK);
    ck_assert_uint_eq(scry_result_row_count(x.r), 0);
    ir_free(&x);

    /* A NULL root: nothing to list, no complaint. */
    fresh(&w10);
    ck_assert_int_eq(run(&x, &w10, "windows.vadinfo", 2, vad_argv), SCRY_OK);
    const struct scry_windows *w = profile(&x);
    uint64_t root_field = w10.eprocess + w->vad.root;
    ir_free(&x);
    put64(&w10, root_field, 0);
    ck_assert_int_eq(run(&x, &w10, "windows.vadinfo", 2, vad_argv), SCRY_OK);
    ck_assert_uint_eq(scry_result_row_count(x.r), 0);
    ck_assert_uint_eq(ir_count_diags(x.r, SCRY_DIAG_WARNING), 0);
    ir_free(&x);
}
END_TEST

/* Huge VPN ranges. Win10: the widest a 32-bit VPN and 8-bit high part
 * give (Volatility's row, byte for byte). malfind on a 2^35-byte RWX
 * private region with nothing mapped: Volatility's is_vad_empty tests its
 * 2^23 pages one by one (it did not finish in 300 s); memscry looks only
 * at mapped pages. Win7: 64-bit VPNs make addresses wider than 64 bits,
 * which Volatility prints as Python integers, and so does memscry. */
START_TEST(test_huge_range)
{
    NEED_IMAGES();
    struct ir_run x;
    fresh(&w10);
    ck_assert_int_eq(run(&x, &w10, "windows.vadinfo", 2, vad_argv), SCRY_OK);
    const struct scry_windows *w = profile(&x);
    struct scry_win_vad_type t = w->vad.shrt;
    ir_free(&x);
    uint8_t vpns[10] = {0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0xff};
    ck_assert_uint_eq(t.start.off + 4, t.end.off);
    ck_assert_uint_eq(t.end_high.off, t.start.off + 9);
    put(&w10, C_ + t.start.off, vpns, sizeof vpns);
    ck_assert_int_eq(run(&x, &w10, "windows.vadinfo", 2, vad_argv), SCRY_OK);
    assert_offsets(x.r, preorder(), 7);
    ck_assert_uint_eq(cell_u(x.r, 3, 3), 0);
    ck_assert_uint_eq(cell_u(x.r, 3, 4), 0xfefffffffffffull); /* Volatility: 4486007441326079 */
    ir_free(&x);

    fresh(&w10);
    uint32_t flags = get32(&w10, A_ + t.protection.off);
    flags &= ~(((1u << t.protection.len) - 1) << t.protection.pos);
    flags |= 6u << t.protection.pos; /* PAGE_EXECUTE_READWRITE */
    put32(&w10, A_ + t.protection.off, flags);
    uint32_t s = 0x1000000, e = 0x7ffffff;
    put32(&w10, A_ + t.start.off, s);
    put32(&w10, A_ + t.end.off, e);
    clock_t t0 = clock();
    ck_assert_int_eq(run(&x, &w10, "windows.malfind", 0, NULL), SCRY_OK);
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    ck_assert_msg(secs < 5, "malfind took %.1f s", secs);
    ck_assert_uint_eq(scry_result_row_count(x.r), 1); /* only the real injection */
    ck_assert_uint_eq(cell_u(x.r, 0, 2), 0x1b38e3b0000ull);
    ck_assert_str_eq(cell_s(x.r, 0, 9), "MZ header");
    ir_free(&x);

    /* Win7: EndingVpn = 2^64 - 1 on updater.exe's first VAD. */
    fresh(&w7);
    ck_assert_int_eq(run(&x, &w7, "windows.vadinfo", 2, vad_argv), SCRY_OK);
    size_t rows = scry_result_row_count(x.r);
    w = profile(&x);
    uint64_t end_off = w->vad.shrt.end.off;
    ck_assert_uint_eq(w->vad.shrt.end.size, 8);
    ir_free(&x);
    ck_assert_uint_eq(rows, 7);
    put64(&w7, w7.vads[0] + end_off, UINT64_MAX);
    ck_assert_int_eq(run(&x, &w7, "windows.vadinfo", 2, vad_argv), SCRY_OK);
    ck_assert_uint_eq(scry_result_row_count(x.r), 7);
    ck_assert_uint_eq(ir_count_diags(x.r, SCRY_DIAG_WARNING), 0);
    /* (2^64 << 12) - 1, as Volatility prints it in JSON and in text; the
     * C API's 64-bit accessor refuses it. */
    size_t len;
    char *json = tu_render(x.r, "json", &len);
    ck_assert_ptr_nonnull(strstr(json, "\"End VPN\": 75557863725914323419135,"));
    free(json);
    char *text = tu_render(x.r, "quick", &len);
    ck_assert_ptr_nonnull(strstr(text, "\t0xfffffffffffffffffff\t"));
    free(text);
    int wide = 0;
    for (size_t i = 0; i < 7; i++) {
        uint64_t v;
        wide += scry_result_cell_uint(x.r, i, 4, &v) != SCRY_OK;
    }
    ck_assert_int_eq(wide, 1);
    ir_free(&x);
    /* malfind still finds the injection when its end is past 64 bits
     * (is_vad_empty stops at the first page with data). */
    fresh(&w7);
    uint64_t rwx = 0;
    ck_assert_int_eq(run(&x, &w7, "windows.malfind", 0, NULL), SCRY_OK);
    ck_assert_uint_eq(scry_result_row_count(x.r), 1);
    uint64_t mstart = cell_u(x.r, 0, 2);
    ir_free(&x);
    ck_assert_int_eq(run(&x, &w7, "windows.vadinfo", 2, vad_argv), SCRY_OK);
    for (size_t i = 0; i < 7; i++)
        if (cell_u(x.r, i, 3) == mstart)
            rwx = cell_u(x.r, i, 2);
    ir_free(&x);
    ck_assert_uint_ne(rwx, 0);
    put64(&w7, rwx + end_off, (1ull << 60) + 5);
    ck_assert_int_eq(run(&x, &w7, "windows.malfind", 0, NULL), SCRY_OK);
    ck_assert_uint_eq(scry_result_row_count(x.r), 1);
    ck_assert_int_eq(scry_result_cell_uint(x.r, 0, 3, NULL), SCRY_ERR_INVALID_ARG);
    ir_free(&x);
    fresh(&w7);
    /* 2^52 - 1: the end is exactly 2^64 - 1, still a row. */
    put64(&w7, w7.vads[0] + end_off, (1ull << 52) - 1);
    ck_assert_int_eq(run(&x, &w7, "windows.vadinfo", 2, vad_argv), SCRY_OK);
    ck_assert_uint_eq(scry_result_row_count(x.r), 7);
    ck_assert_uint_eq(ir_count_diags(x.r, SCRY_DIAG_WARNING), 0);
    int found = 0;
    for (size_t i = 0; i < 7; i++)
        found += cell_u(x.r, i, 4) == UINT64_MAX;
    ck_assert_int_eq(found, 1);
    ir_free(&x);
}
END_TEST

/* Protection is a 5-bit index into MmProtectToValue: the last entry, then
 * that entry made all ones (every winnt_protections name, in the table's
 * order), then the table unmapped (Volatility raises; memscry prints the
 * protections empty with one warning). */
START_TEST(test_protection)
{
    NEED_IMAGES();
    struct ir_run x;
    fresh(&w10);
    ck_assert_int_eq(run(&x, &w10, "windows.vadinfo", 2, vad_argv), SCRY_OK);
    const struct scry_windows *w = profile(&x);
    struct scry_win_bits p = w->vad.shrt.protection;
    uint64_t mm = scry_win_sym_va(w, w->sym.mm_protect_to_value);
    ir_free(&x);
    uint32_t flags = get32(&w10, A_ + p.off) | (31u << p.pos);
    put32(&w10, A_ + p.off, flags);
    ck_assert_int_eq(run(&x, &w10, "windows.vadinfo", 2, vad_argv), SCRY_OK);
    ck_assert_str_eq(cell_s(x.r, 2, 6), "PAGE_EXECUTE_WRITECOPY|PAGE_WRITECOMBINE"); /* 0x480 */
    ir_free(&x);
    put32(&w10, mm + 31 * 4, UINT32_MAX);
    ck_assert_int_eq(run(&x, &w10, "windows.vadinfo", 2, vad_argv), SCRY_OK);
    ck_assert_str_eq(cell_s(x.r, 2, 6),
                     "PAGE_NOACCESS|PAGE_READONLY|PAGE_READWRITE|PAGE_WRITECOPY|PAGE_EXECUTE|"
                     "PAGE_EXECUTE_READ|PAGE_EXECUTE_READWRITE|PAGE_EXECUTE_WRITECOPY|PAGE_GUARD|"
                     "PAGE_NOCACHE|PAGE_WRITECOMBINE|PAGE_TARGETS_INVALID");
    ir_free(&x);
    /* malfind: it has EXECUTE and WRITE, it is a private VadS with data. */
    ck_assert_int_eq(run(&x, &w10, "windows.malfind", 0, NULL), SCRY_OK);
    ck_assert_uint_eq(scry_result_row_count(x.r), 2);
    ir_free(&x);

    fresh(&w10);
    uint64_t zero = 0;
    memcpy(w10.b + pte_of(&w10, mm), &zero, 8);
    ck_assert_int_eq(run(&x, &w10, "windows.vadinfo", 2, vad_argv), SCRY_OK);
    ck_assert_uint_eq(scry_result_row_count(x.r), 7);
    for (size_t i = 0; i < 7; i++)
        ck_assert_str_eq(cell_s(x.r, i, 6), "");
    ck_assert_ptr_nonnull(strstr(one_warning(x.r), "MmProtectToValue["));
    ir_free(&x);
}
END_TEST

/* A chain of n VadS nodes hung below F (depth 2): nodes at depths 3 ..
 * n + 2, in three fresh pages mapped after the pool. */
/* Maps three zero physical pages (near the end of memory, unused by the
 * generator) after the last mapped page of the pool; returns their VA. */
static uint64_t map_fresh(struct img *m)
{
    uint64_t base = F_ & ~0xfffull;
    while (q(m, pte_of(m, base)) & 1)
        base += 0x1000;
    for (int j = 0; j < 3; j++) {
        uint64_t pa = m->len - 0x10000 + (uint64_t)j * 0x1000, e = pa | 0x63;
        for (size_t k = 0; k < 0x1000; k++)
            ck_assert_int_eq(m->b[pa + k], 0);
        memcpy(m->b + pte_of(m, base + (uint64_t)j * 0x1000), &e, 8);
    }
    return base;
}

static uint64_t chain(struct img *m, const struct scry_win_vad *L, int n)
{
    uint64_t base = map_fresh(m);
    const struct scry_win_vad_type *t = &L->shrt;
    for (int k = 0; k < n; k++) {
        uint64_t v = base + 0x10 + 0x50 * (uint64_t)k;
        put(m, v - 12, "VadS", 4);
        put32(m, v + t->start.off, 0x100000u + (uint32_t)k);
        put32(m, v + t->end.off, 0x100000u + (uint32_t)k);
        put32(m, v + t->protection.off, 4u << t->protection.pos);
        if (k + 1 < n)
            put64(m, v + L->right, v + 0x50);
    }
    put64(m, F_ + L->right, base + 0x10);
    return base + 0x10;
}

/* Volatility raises "Vad tree is too deep" when it descends to depth 101
 * (the children of a depth-100 node, NULL or not): 97 chained nodes pass
 * (104 rows, as Volatility prints), 98 do not: memscry keeps the 105 rows
 * it has and warns. */
START_TEST(test_depth)
{
    NEED_IMAGES();
    struct ir_run x;
    fresh(&w10);
    ck_assert_int_eq(run(&x, &w10, "windows.vadinfo", 2, vad_argv), SCRY_OK);
    struct scry_win_vad L = profile(&x)->vad;
    ir_free(&x);
    chain(&w10, &L, 97);
    ck_assert_int_eq(run(&x, &w10, "windows.vadinfo", 2, vad_argv), SCRY_OK);
    ck_assert_uint_eq(scry_result_row_count(x.r), 104);
    ck_assert_uint_eq(ir_count_diags(x.r, SCRY_DIAG_WARNING), 0);
    ir_free(&x);
    fresh(&w10);
    chain(&w10, &L, 98);
    ck_assert_int_eq(run(&x, &w10, "windows.vadinfo", 2, vad_argv), SCRY_OK);
    ck_assert_uint_eq(scry_result_row_count(x.r), 105);
    ck_assert_ptr_nonnull(strstr(one_warning(x.r), "is deeper than 100 levels"));
    ir_free(&x);
    /* A loop through the chain (its last node back to its first) is
     * still bounded by the visited set, and said. */
    fresh(&w10);
    uint64_t first = chain(&w10, &L, 50);
    put64(&w10, first + 0x50 * 49 + L.left, first);
    ck_assert_int_eq(run(&x, &w10, "windows.vadinfo", 2, vad_argv), SCRY_OK);
    ck_assert_uint_eq(scry_result_row_count(x.r), 57);
    ck_assert_ptr_nonnull(strstr(one_warning(x.r), "(a cycle)"));
    ir_free(&x);
}
END_TEST

/* File names: _MMVAD.Subsection -> ControlArea -> FilePointer (an
 * _EX_FAST_REF, low bits set) -> _FILE_OBJECT.FileName, built in fresh
 * pages for the four long VADs (R, D, E, F): a path, non-ASCII with a
 * surrogate pair, Length 0 (N/A), an odd Length (U+FFFD), as Volatility
 * prints them. malfind: undecodable first bytes give an empty Disasm. */
START_TEST(test_file_name)
{
    NEED_IMAGES();
    struct ir_run x;
    fresh(&w10);
    ck_assert_int_eq(run(&x, &w10, "windows.vadinfo", 2, vad_argv), SCRY_OK);
    struct scry_win_vad L = profile(&x)->vad;
    ir_free(&x);
    uint64_t base = map_fresh(&w10);
    const uint64_t longs[] = {R_, D_, E_, F_};
    static const uint16_t zoe[] = {'C', ':', '\\', 'Z', 'o', 0xeb, '\\', 0xd83d, 0xde00, '.', 'x'};
    static const uint16_t ntdll[] = {'\\', 'n', 't', 'd', 'l', 'l', '.', 'd', 'l', 'l'};
    static const uint16_t odd[] = {'o', 'd', 'd', '!'};
    const uint16_t *text[] = {ntdll, zoe, odd, odd};
    const uint16_t lens[] = {sizeof ntdll, sizeof zoe, 0, 7};
    const size_t sizes[] = {sizeof ntdll, sizeof zoe, sizeof odd, sizeof odd};
    for (int n = 0; n < 4; n++) {
        uint64_t sub = base + 0x100 * (uint64_t)n, ca = sub + 0x40;
        uint64_t fo = base + 0x1000 + 0x100 * (uint64_t)n;
        uint8_t us[16] = {0};
        uint64_t buf = fo + 0x80;
        ck_assert_uint_ne(L.lng.subsection, SCRY_WIN_NO_OFFSET);
        put64(&w10, longs[n] + L.lng.subsection, sub);
        put64(&w10, sub + L.sub_control_area, ca);
        put64(&w10, ca + L.ca_file_pointer, fo | 0xb);
        memcpy(us, &lens[n], 2);
        memcpy(us + 2, &lens[n], 2);
        memcpy(us + 8, &buf, 8);
        put(&w10, fo + L.fo_file_name, us, 16);
        put(&w10, buf, text[n], sizes[n]);
    }
    ck_assert_int_eq(run(&x, &w10, "windows.vadinfo", 2, vad_argv), SCRY_OK);
    assert_offsets(x.r, preorder(), 7);
    ck_assert_str_eq(cell_s(x.r, 0, 10), "\\ntdll.dll");
    ck_assert_int_eq(scry_result_cell_state(x.r, 1, 10), SCRY_CELL_NOT_APPLICABLE); /* short */
    ck_assert_int_eq(scry_result_cell_state(x.r, 4, 10), SCRY_CELL_NOT_APPLICABLE); /* Length 0 */
    ck_assert_str_eq(cell_s(x.r, 5, 10), "C:\\Zo\xc3\xab\\\xf0\x9f\x98\x80.x");
    ck_assert_str_eq(cell_s(x.r, 6, 10), "odd\xef\xbf\xbd");
    ir_free(&x);

    fresh(&w10);
    uint8_t bad = 0x06; /* invalid in 64-bit mode */
    uint64_t dtb = 0;
    ck_assert_int_eq(run(&x, &w10, "windows.vadinfo", 2, vad_argv), SCRY_OK);
    const struct scry_windows *w = profile(&x);
    memcpy(&dtb, w10.b + pa_of(&w10, w10.eprocess + w->off.ep_dtb), 8);
    ir_free(&x);
    uint64_t keep = w10.dtb;
    w10.dtb = dtb; /* the process's tables map the injected page */
    put(&w10, 0x1b38e3b0000ull, &bad, 1);
    w10.dtb = keep;
    ck_assert_int_eq(run(&x, &w10, "windows.malfind", 0, NULL), SCRY_OK);
    ck_assert_uint_eq(scry_result_row_count(x.r), 1);
    size_t n;
    const char *d;
    ck_assert_int_eq(scry_result_cell_str(x.r, 0, 11, &d, &n), SCRY_OK);
    ck_assert_uint_eq(n, 0);
    ck_assert_int_eq(scry_result_cell_state(x.r, 0, 9), SCRY_CELL_NOT_APPLICABLE);
    size_t len;
    char *json = tu_render(x.r, "json", &len);
    ck_assert_ptr_nonnull(strstr(json, "\"Disasm\": \"\\\"\\\"\""));
    free(json);
    ir_free(&x);
}
END_TEST

/* --dump: files named and written as Volatility's (pid.PID.vad.START-END.dmp,
 * unmapped pages as zeros, an existing name gets "-1"), --maxsize skips the
 * bigger VADs ("Error outputting file"); malfind --dump. The contents were
 * compared with Volatility's files byte for byte when this was written. */
static scry_status run_out(struct ir_run *x, struct img *m, const char *plugin, int argc,
                           const char *const *argv, const char *dir)
{
    scry_runctx *rc;
    ck_assert_int_eq(scry_runctx_new(&rc), SCRY_OK);
    ck_assert_int_eq(scry_runctx_set_output_dir(rc, dir), SCRY_OK);
    ir_open(x, ctx, m->b, m->len, m->name);
    scry_status st = scry_plugin_run(x->s, plugin, argc, argv, rc, &x->r);
    scry_runctx_free(rc);
    return st;
}

static long file_size(const char *dir, const char *name)
{
    char path[4200];
    struct stat sb;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &sb) == 0 ? (long)sb.st_size : -1;
}

START_TEST(test_dump)
{
    NEED_IMAGES();
    struct ir_run x;
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/test-win-C/dumpXXXXXX", SCRY_BINARY_DIR);
    ck_assert_ptr_nonnull(mkdtemp(dir));
    fresh(&w10);
    const char *const argv[] = {"--pid", PID, "--dump", "--maxsize", "1100000"};
    ck_assert_int_eq(run_out(&x, &w10, "windows.vadinfo", 5, argv, dir), SCRY_OK);
    ck_assert_uint_eq(scry_result_row_count(x.r), 7);
    static const char *const want[] = {
        "pid.5188.vad.0x7ff844400000-0x7ff84441ffff.dmp",
        "pid.5188.vad.0x1b38e3b0000-0x1b38e3b1fff.dmp",
        "pid.5188.vad.0xa144400000-0xa14440ffff.dmp",
        "pid.5188.vad.0x34440000000-0x344400fffff.dmp",
        "pid.5188.vad.0x7ffd4e1a0000-0x7ffd4e25cfff.dmp",
        "Error outputting file",
        "Error outputting file",
    };
    static const long sizes[] = {131072, 8192, 65536, 1048576, 774144};
    for (size_t i = 0; i < 7; i++) {
        ck_assert_str_eq(cell_s(x.r, i, 11), want[i]);
        if (i < 5)
            ck_assert_int_eq(file_size(dir, want[i]), sizes[i]);
    }
    ck_assert_uint_eq(ir_count_diags(x.r, SCRY_DIAG_WARNING), 0);
    ir_free(&x);
    /* malfind --dump: the same name exists now, so the file gets "-1"; the
     * row names the preferred name, as Volatility's does. */
    const char *const margv[] = {"--dump"};
    ck_assert_int_eq(run_out(&x, &w10, "windows.malfind", 1, margv, dir), SCRY_OK);
    ck_assert_uint_eq(scry_result_row_count(x.r), 1);
    ck_assert_str_eq(cell_s(x.r, 0, 8), "pid.5188.vad.0x1b38e3b0000-0x1b38e3b1fff.dmp");
    ck_assert_int_eq(file_size(dir, "pid.5188.vad.0x1b38e3b0000-0x1b38e3b1fff-1.dmp"), 8192);
    ir_free(&x);
    /* No output directory: the row says so, a warning tells why. */
    ck_assert_int_eq(run(&x, &w10, "windows.malfind", 1, margv), SCRY_OK);
    ck_assert_str_eq(cell_s(x.r, 0, 8), "Error outputting to file");
    ck_assert_ptr_nonnull(strstr(one_warning(x.r), "no output directory"));
    ir_free(&x);
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[4400];
    while (d && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unlink(path);
    }
    if (d)
        closedir(d);
    rmdir(dir);
}
END_TEST

/* --address keeps the VADs that contain it. */
START_TEST(test_address)
{
    NEED_IMAGES();
    struct ir_run x;
    fresh(&w10);
    const char *const argv[] = {"--pid", PID, "--address", "0x1b38e3b1fff"};
    ck_assert_int_eq(run(&x, &w10, "windows.vadinfo", 4, argv), SCRY_OK);
    ck_assert_uint_eq(scry_result_row_count(x.r), 1);
    ck_assert_uint_eq(cell_u(x.r, 0, 3), 0x1b38e3b0000ull);
    ir_free(&x);
    const char *const argv2[] = {"--address", "0x1b38e3b2000"};
    ck_assert_int_eq(run(&x, &w10, "windows.vadinfo", 2, argv2), SCRY_OK);
    ck_assert_uint_eq(scry_result_row_count(x.r), 0);
    ir_free(&x);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("win_C");
    TCase *tc = tcase_create("vad");
    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_unpatched);
    tcase_add_test(tc, test_cycle);
    tcase_add_test(tc, test_bad_children);
    tcase_add_test(tc, test_huge_range);
    tcase_add_test(tc, test_protection);
    tcase_add_test(tc, test_depth);
    tcase_add_test(tc, test_file_name);
    tcase_add_test(tc, test_dump);
    tcase_add_test(tc, test_address);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run_suite(suite()); }
