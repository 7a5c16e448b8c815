/* test_yara_hostile.c - linux.vmayarascan over damaged VMAs of dev-small's
 * marker process (the image patched in memory): a VMA claiming 64 TiB is
 * skipped with an INFO (the --max-size bound), one ending before it starts
 * reads nothing, one stretched over 512 MiB of unmapped addresses is read
 * as zeros in bounded time; the other marker copies are found each time.
 * And yarascan --physical over a kdump whose page holding one marker copy
 * cannot be decompressed: that copy is missing, the rest found, and the
 * result partial with a WARNING naming the page. */
#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>
#include <time.h>

#include "imagerun.h"
#include "lib/walk/linux_tasks.h"
#include "lib/walk/linux_vma.h"
#include "testutil.h"

#define MARKER "MEMF_YARA_MARKER_7ae8"
/* dev-small's marker (corpus README / truth.json). */
#define MARKER_PID 147
#define HEAP 0xe4f7715ull
#define RWX 0x7fdcc1eb4010ull
#define STRADDLE 0x7fdcc1eb5ff6ull
#define ENV 0x7ffc1214cfd2ull

static uint8_t *image;
static size_t image_len;
static scry_context *ctx;
static char symdir[4096];

struct find {
    const struct scry_linux *l;
    struct scry_vspace kernel;
    uint64_t mm, vma, vma_start, vma_end;
};

static int on_vma(void *user, const struct scry_linux_vma *v)
{
    struct find *f = user;
    if (v->start <= HEAP && HEAP < v->end) {
        f->vma = v->addr, f->vma_start = v->start, f->vma_end = v->end;
        return 1;
    }
    return 0;
}

static int on_task(void *user, const struct scry_linux_task *t)
{
    struct find *f = user;
    if (t->pid != MARKER_PID)
        return 0;
    f->mm = t->mm;
    return 1;
}

/* The physical address of the heap VMA's vm_end in image. */
static uint64_t heap_vma_end_pa(struct find *f)
{
    struct ir_run x;
    ir_open(&x, ctx, image, image_len, "dev-small.raw");
    f->l = ir_linux(&x);
    ck_assert_int_eq(scry_profile_kernel(&f->l->base, &f->kernel), SCRY_OK);
    ck_assert_int_eq(scry_linux_walk_tasks(f->l, NULL, 0, on_task, f), SCRY_OK);
    ck_assert_uint_ne(f->mm, 0);
    ck_assert_int_eq(scry_linux_walk_vmas(f->l, &f->kernel, NULL, f->mm, on_vma, f), SCRY_OK);
    ck_assert_uint_ne(f->vma, 0);
    /* vm_end follows vm_start in every vm_area_struct layout. */
    uint64_t pa = ir_pa_of(&x, f->vma + 8, image_len), v;
    memcpy(&v, image + pa, 8);
    ck_assert_uint_eq(v, f->vma_end);
    ir_free(&x);
    return pa;
}

/* Runs vmayarascan on the marker pid; the Offsets into got (up to 8). */
static size_t scan(struct ir_run *x, uint64_t got[8], double *secs)
{
    const char *argv[] = {"--yara-string", MARKER, "--pid", "147"};
    struct timespec a, b;
    ir_open(x, ctx, image, image_len, "dev-small.raw");
    clock_gettime(CLOCK_MONOTONIC, &a);
    ck_assert_int_eq(scry_plugin_run(x->s, "linux.vmayarascan", 4, argv, NULL, &x->r), SCRY_OK);
    clock_gettime(CLOCK_MONOTONIC, &b);
    *secs = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
    size_t n = scry_result_row_count(x->r);
    ck_assert_uint_le(n, 8);
    for (size_t i = 0; i < n; i++)
        ck_assert_int_eq(scry_result_cell_uint(x->r, i, 0, &got[i]), SCRY_OK);
    return n;
}

static void patch_end(uint64_t pa, uint64_t v) { memcpy(image + pa, &v, 8); }

START_TEST(vma_hostile)
{
    struct find f = {0};
    struct ir_run x;
    uint64_t got[8];
    double secs;
    if (!image)
        return;
    uint64_t pa = heap_vma_end_pa(&f);
    /* Untouched: the four copies. */
    ck_assert_uint_eq(scan(&x, got, &secs), 4);
    ck_assert_uint_eq(got[0], HEAP);
    ck_assert_uint_eq(got[3], ENV);
    ir_free(&x);

    /* 64 TiB: over --max-size, skipped with an INFO naming it. */
    patch_end(pa, f.vma_start + (1ull << 46));
    ck_assert_uint_eq(scan(&x, got, &secs), 3);
    ck_assert_uint_eq(got[0], RWX);
    ck_assert_uint_eq(got[1], STRADDLE);
    ck_assert_uint_eq(got[2], ENV);
    int info = 0;
    for (size_t i = 0; i < scry_result_diag_count(x.r); i++) {
        scry_diag_level lv;
        const char *msg;
        ck_assert_int_eq(scry_result_diag(x.r, i, &lv, NULL, &msg), SCRY_OK);
        if (lv == SCRY_DIAG_INFO && strstr(msg, "is larger than --max-size"))
            info++;
    }
    ck_assert_int_eq(info, 1);
    ck_assert_int_eq(scry_result_partial(x.r), 0);
    ir_free(&x);

    /* Ending before it starts: nothing read there. */
    patch_end(pa, f.vma_start - 4096);
    ck_assert_uint_eq(scan(&x, got, &secs), 3);
    ir_free(&x);

    /* 512 MiB, nearly all unmapped: zeros, bounded (the page tables are
     * walked per window, zero windows answered from the memo). */
    patch_end(pa, f.vma_start + (512ull << 20));
    ck_assert_uint_eq(scan(&x, got, &secs), 4);
    ck_assert_uint_eq(got[0], HEAP);
    ck_assert_msg(secs < 20, "512 MiB sparse VMA took %.1f s", secs);
    ir_free(&x);
    patch_end(pa, f.vma_end);
}
END_TEST

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint64_t rd64(const uint8_t *p) { return rd32(p) | (uint64_t)rd32(p + 4) << 32; }

/* Where a dumped PFN's data lies in a 64-bit kdump (as test_session.c
 * finds it): the header's block_size (428), sub_hdr_size (432) and
 * bitmap_blocks (436); the second bitmap marks dumped pages; one 24-byte
 * descriptor per dumped page (offset, size, flags) follows in PFN order. */
static void kdump_page(const uint8_t *k, size_t len, uint64_t pfn, uint64_t *off, uint32_t *size,
                       uint32_t *flags)
{
    uint64_t bs = rd32(k + 428), sub = rd32(k + 432), bb = rd32(k + 436);
    uint64_t bitmap = bs * (1 + sub), dumped = bitmap + bb * bs / 2, pd = bitmap + bb * bs;
    uint64_t rank = 0;
    ck_assert_uint_lt(dumped + pfn / 8, len);
    ck_assert(k[dumped + pfn / 8] >> (pfn % 8) & 1);
    for (uint64_t i = 0; i < pfn; i++)
        rank += k[dumped + i / 8] >> (i % 8) & 1;
    ck_assert_uint_le(pd + rank * 24 + 24, len);
    *off = rd64(k + pd + rank * 24);
    *size = rd32(k + pd + rank * 24 + 8);
    *flags = rd32(k + pd + rank * 24 + 12);
    ck_assert_uint_le(*off + *size, len);
}

START_TEST(phys_kdump_bad_page)
{
    /* dev-small's marker copies in physical memory (yarascan --physical on
     * the raw file); the heap copy's page is damaged. */
    const uint64_t heap_pa = 0x5463715, pfn = heap_pa >> 12;
    char path[4096];
    const char *data = getenv("MEMSCRY_CORPUS_DATA");
    snprintf(path, sizeof path, "%s/dev-small.kdump",
             data && *data ? data : SCRY_BINARY_DIR "/corpus-data");
    size_t len;
    uint8_t *k = (uint8_t *)tu_slurp(path, &len);
    if (!k || !ctx) {
        printf("SKIP phys_kdump_bad_page: %s not unpacked\n", path);
        free(k);
        return;
    }
    uint64_t off;
    uint32_t size, flags;
    kdump_page(k, len, pfn, &off, &size, &flags);
    ck_assert_msg(flags & 1, "PFN 0x%" PRIx64 " is not zlib-compressed", pfn);
    memset(k + off, 0xff, size);
    char *tmp = tu_write_temp(k, len);
    free(k);
    scry_dump *dump;
    scry_session *ses;
    scry_result *r;
    const char *argv[] = {"--physical", "--yara-string", MARKER};
    ck_assert_int_eq(scry_dump_open(ctx, tmp, &dump), SCRY_OK);
    ck_assert_int_eq(scry_session_open(ctx, dump, &ses), SCRY_OK);
    ck_assert_int_eq(scry_plugin_run(ses, "yarascan", 3, argv, NULL, &r), SCRY_OK);
    ck_assert_uint_eq(scry_result_row_count(r), 2);
    uint64_t a, b;
    ck_assert_int_eq(scry_result_cell_uint(r, 0, 0, &a), SCRY_OK);
    ck_assert_int_eq(scry_result_cell_uint(r, 1, 0, &b), SCRY_OK);
    ck_assert_uint_eq(a, 0x5465fd2);
    ck_assert_uint_eq(b, 0x5476010);
    ck_assert_int_eq(scry_result_partial(r), 1);
    int warned = 0;
    char pfn_text[32];
    snprintf(pfn_text, sizeof pfn_text, "PFN 0x%" PRIx64, pfn);
    for (size_t i = 0; i < scry_result_diag_count(r); i++) {
        scry_diag_level lv;
        scry_status st;
        const char *msg;
        ck_assert_int_eq(scry_result_diag(r, i, &lv, &st, &msg), SCRY_OK);
        if (lv == SCRY_DIAG_WARNING && st == SCRY_ERR_CORRUPT &&
            strstr(msg, "1 page(s) could not be decoded and were searched as zeros") &&
            strstr(msg, pfn_text))
            warned++;
    }
    ck_assert_int_eq(warned, 1);
    scry_result_free(r);
    scry_session_close(ses);
    scry_dump_close(dump);
    unlink(tmp);
    free(tmp);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("yara_hostile");
    TCase *tc = tcase_create("vma");
    int rc;
    ir_load_small("test_yara_hostile", &image, &image_len, symdir, sizeof symdir, &ctx);
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, vma_hostile);
    tcase_add_test(tc, phys_kdump_bad_page);
    suite_add_tcase(s, tc);
    rc = tu_run_suite(s);
    scry_context_free(ctx);
    free(image);
    return rc;
}
