/* test_win_A.c - windows.info, psscan, modules and the PE dumper over
 * hostile memory: the Windows 10 22H2 raw sample (shared corpus), patched
 * in memory. Every case checks exact results (rows, cells, diagnostics),
 * no crash, and bounded time. */
#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "imagerun.h"
#include "lib/os/windows.h"
#include "lib/walk/windows_pool.h"
#include "testutil.h"

#define IMG_SIZE (64u << 20)
#define KBASE 0xfffff8053a000000ull
#define POOL 0xffffa50c3e000000ull
#define NOTEPAD_PA 0x357040u
#define SYSTEM_PA 0x330040u
/* _KLDR_DATA_TABLE_ENTRY addresses (truth.json): ntoskrnl, then 0x140 apart... */
#define MOD0 0xffffa50c3e0008f0ull

static uint8_t *image;
static scry_context *ctx;

/* Loads the sample once per test process (Check forks per test). */
static int setup_image(void)
{
    const char *corpus = tu_corpus_dir("win_A");
    char cmd[4600], isf[4200];
    if (!corpus)
        return 0;
    snprintf(cmd, sizeof cmd, "xz -dc %s/windows-samples/win10-22h2-19045.raw.xz", corpus);
    FILE *f = popen(cmd, "r");
    if (!f)
        return 0;
    image = malloc(IMG_SIZE);
    size_t n = fread(image, 1, IMG_SIZE, f);
    pclose(f);
    if (n != IMG_SIZE) {
        printf("SKIP win_A: cannot unpack the Windows 10 sample\n");
        free(image);
        image = NULL;
        return 0;
    }
    snprintf(isf, sizeof isf, "%s/../isf", corpus);
    ck_assert_int_eq(scry_context_new(&ctx), SCRY_OK);
    ck_assert_int_eq(scry_context_add_symbol_dir(ctx, isf), SCRY_OK);
    return 1;
}

static void teardown_image(void)
{
    scry_context_free(ctx);
    ctx = NULL;
    free(image);
    image = NULL;
}

static const struct scry_windows *win(struct ir_run *x)
{
    const struct scry_profile *p = NULL;
    ck_assert_int_eq(scry_session_profile(x->s, NULL, &p), SCRY_OK);
    const struct scry_windows *w = scry_windows_of(p);
    ck_assert_ptr_nonnull(w);
    return w;
}

static uint64_t pa_of(struct ir_run *x, uint64_t va)
{
    struct scry_vspace ks;
    uint64_t pa = 0;
    ck_assert_int_eq(scry_profile_kernel(&win(x)->base, &ks), SCRY_OK);
    ck_assert_int_eq(scry_vspace_translate(&ks, va, &pa), SCRY_OK);
    ck_assert_uint_lt(pa + 16, IMG_SIZE);
    return pa;
}

static void put64(uint64_t pa, uint64_t v) { memcpy(image + pa, &v, 8); }
static void put16(uint64_t pa, uint16_t v) { memcpy(image + pa, &v, 2); }
static uint64_t get64(uint64_t pa)
{
    uint64_t v;
    memcpy(&v, image + pa, 8);
    return v;
}

/* Runs plugin (argv after it) on the patched image; the result stays in x. */
static scry_status run(struct ir_run *x, const char *plugin, int argc, const char *const *argv,
                       const char *outdir)
{
    scry_runctx *rc = NULL;
    ir_open(x, ctx, image, IMG_SIZE, "win10.raw");
    if (outdir) {
        ck_assert_int_eq(scry_runctx_new(&rc), SCRY_OK);
        ck_assert_int_eq(scry_runctx_set_output_dir(rc, outdir), SCRY_OK);
    }
    scry_status st = scry_plugin_run(x->s, plugin, argc, argv, rc, &x->r);
    scry_runctx_free(rc);
    return st;
}

/* The pool header ("Proc" tag - 4) in front of the EPROCESS at pa. */
static uint64_t header_of(uint64_t eprocess_pa)
{
    for (uint64_t p = eprocess_pa - 4; p > eprocess_pa - 0x200; p--)
        if (!memcmp(image + p, "Proc", 4))
            return p - 4;
    ck_abort_msg("no Proc tag before 0x%" PRIx64, eprocess_pa);
    return 0;
}

static int has_pid(const scry_result *r, int64_t pid)
{
    for (size_t i = 0; i < scry_result_row_count(r); i++) {
        int64_t v;
        if (scry_result_cell_int(r, i, 0, &v) == SCRY_OK && v == pid)
            return 1;
    }
    return 0;
}

static size_t psscan_rows(void)
{
    struct ir_run x;
    ck_assert_int_eq(run(&x, "windows.psscan", 0, NULL, NULL), SCRY_OK);
    size_t n = scry_result_row_count(x.r);
    ir_free(&x);
    return n;
}

START_TEST(baseline_counts)
{
    if (!setup_image())
        return;
    ck_assert_uint_eq(psscan_rows(), 19);
    struct ir_run x;
    ck_assert_int_eq(run(&x, "windows.modules", 0, NULL, NULL), SCRY_OK);
    ck_assert_uint_eq(scry_result_row_count(x.r), 17);
    ir_free(&x);
    ck_assert_int_eq(run(&x, "windows.info", 0, NULL, NULL), SCRY_OK);
    ck_assert_uint_eq(scry_result_row_count(x.r), 23);
    ir_free(&x);
    teardown_image();
}
END_TEST

/* BlockSize 0: below the 600-byte constraint, notepad is not found; 255:
 * the top-down window is the optional headers' size either way. */
START_TEST(pool_blocksize_0_and_255)
{
    if (!setup_image())
        return;
    uint64_t h = header_of(NOTEPAD_PA);
    uint8_t saved = image[h + 2];
    image[h + 2] = 0;
    struct ir_run x;
    ck_assert_int_eq(run(&x, "windows.psscan", 0, NULL, NULL), SCRY_OK);
    ck_assert_uint_eq(scry_result_row_count(x.r), 18);
    ck_assert(!has_pid(x.r, 4312));
    ir_free(&x);
    image[h + 2] = 0xff;
    ck_assert_uint_eq(psscan_rows(), 19);
    image[h + 2] = saved;
    teardown_image();
}
END_TEST

/* The physical address of the last mapped page of the pool's first
 * mapped stretch (past every process). */
static uint64_t last_pool_va;

static uint64_t last_pool_page(void)
{
    struct ir_run x;
    struct scry_vspace ks;
    uint64_t pa, last = 0;
    ir_open(&x, ctx, image, IMG_SIZE, "win10.raw");
    ck_assert_int_eq(scry_profile_kernel(&win(&x)->base, &ks), SCRY_OK);
    for (uint64_t va = POOL; va < POOL + 0x100000; va += 4096)
        if (scry_vspace_translate(&ks, va, &pa) == SCRY_OK &&
            scry_vspace_translate(&ks, va + 4096, &pa) != SCRY_OK) {
            last = va;
            break;
        }
    ck_assert_uint_gt(last, POOL + 0x15000);
    uint64_t lp = pa_of(&x, last);
    ir_free(&x);
    last_pool_va = last;
    return lp;
}

/* Tags at page ends: a header whose top-down window runs into an unmapped
 * page, a tag in the last four bytes of the last mapped pool page, one at
 * a page's first byte (its header on the page before). Nothing is found,
 * nothing breaks. */
START_TEST(pool_tags_at_page_edges)
{
    if (!setup_image())
        return;
    uint64_t lp = last_pool_page();
    /* header at the page's last 16 bytes, BlockSize 0xff */
    memcpy(image + lp + 4096 - 16, "\0\0\xff\0Proc", 8);
    /* tag in the last four bytes (header 8 bytes before the end) */
    memcpy(image + lp + 4096 - 4, "Pro\xe3", 4);
    /* tag at the first byte of the page: its header is the page before */
    memcpy(image + lp, "Proc", 4);
    ck_assert_uint_eq(psscan_rows(), 19);
    teardown_image();
}
END_TEST

/* A page of pool headers, every 16 bytes a "Proc" with BlockSize 0xff:
 * 256 headers, each at most 14 candidates, no hit, bounded time. */
START_TEST(pool_page_of_tags_is_bounded)
{
    if (!setup_image())
        return;
    uint64_t p = last_pool_page();
    for (unsigned off = 0; off < 4096; off += 16)
        memcpy(image + p + off, "\0\0\xff\x02Proc\0\0\0\0\0\0\0\0", 16);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    ck_assert_uint_eq(psscan_rows(), 19);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    ck_assert_int_lt(t1.tv_sec - t0.tv_sec, 5);
    teardown_image();
}
END_TEST

/* EPROCESS.is_valid(): ThreadListHead below 0x80000000 drops the process
 * from psscan; pslist (which never asks) still lists it. */
START_TEST(eprocess_garbage_thread_list)
{
    if (!setup_image())
        return;
    struct ir_run x;
    ir_open(&x, ctx, image, IMG_SIZE, "win10.raw");
    uint64_t tl = win(&x)->off.ep_thread_head;
    ir_free(&x);
    put64(NOTEPAD_PA + tl, 0x41414141);
    ck_assert_int_eq(run(&x, "windows.psscan", 0, NULL, NULL), SCRY_OK);
    ck_assert_uint_eq(scry_result_row_count(x.r), 18);
    ck_assert(!has_pid(x.r, 4312));
    ir_free(&x);
    ck_assert_int_eq(run(&x, "windows.pslist", 0, NULL, NULL), SCRY_OK);
    ck_assert_uint_eq(scry_result_row_count(x.r), 17);
    ck_assert(has_pid(x.r, 4312));
    ir_free(&x);
    teardown_image();
}
END_TEST

/* The module list: entry 4 links back to entry 2 (a loop), then to an
 * unmapped address: five rows and a warning each time. */
START_TEST(module_list_loop_and_unmapped)
{
    if (!setup_image())
        return;
    struct ir_run x;
    uint64_t e[5];
    ir_open(&x, ctx, image, IMG_SIZE, "win10.raw");
    uint64_t links = win(&x)->off.kle_links;
    e[0] = MOD0;
    for (int i = 1; i < 5; i++)
        e[i] = scry_win_canon(get64(pa_of(&x, e[i - 1] + links))) - links;
    uint64_t e4 = pa_of(&x, e[4] + links), saved = get64(e4);
    ir_free(&x);
    put64(e4, e[2] + links);
    ck_assert_int_eq(run(&x, "windows.modules", 0, NULL, NULL), SCRY_OK);
    ck_assert_uint_eq(scry_result_row_count(x.r), 5);
    ck_assert_uint_eq(ir_count_diags(x.r, SCRY_DIAG_WARNING), 1);
    ck_assert(scry_result_partial(x.r));
    ir_free(&x);
    put64(e4, 0xffffa50c00000000ull);
    ck_assert_int_eq(run(&x, "windows.modules", 0, NULL, NULL), SCRY_OK);
    ck_assert_uint_eq(scry_result_row_count(x.r), 5);
    ck_assert_uint_eq(ir_count_diags(x.r, SCRY_DIAG_WARNING), 1);
    ir_free(&x);
    put64(e4, saved);
    teardown_image();
}
END_TEST

/* A UNICODE_STRING whose Length runs past mapped memory: the name is
 * unreadable (null), the row stays; an odd Length decodes with a trailing
 * U+FFFD as Python's "replace" does. */
START_TEST(unicode_string_longer_than_buffer)
{
    if (!setup_image())
        return;
    struct ir_run x;
    last_pool_page();
    ir_open(&x, ctx, image, IMG_SIZE, "win10.raw");
    uint64_t bn = win(&x)->off.kle_base_name, fn = win(&x)->off.kle_full_name;
    uint64_t ub = win(&x)->off.ustr_len, win_ustr_buf = win(&x)->off.ustr_buf;
    uint64_t p0 = pa_of(&x, MOD0);
    ir_free(&x);
    /* 0x100 bytes from 16 bytes before the end of the mapped pool */
    put16(p0 + bn + ub, 0x100);
    put64(p0 + bn + win_ustr_buf, last_pool_va + 0x1000 - 0x10);
    uint16_t flen;
    memcpy(&flen, image + p0 + fn + ub, 2);
    put16(p0 + fn + ub, 7); /* "\Sy" and half a 'S' */
    ck_assert_int_eq(run(&x, "windows.modules", 0, NULL, NULL), SCRY_OK);
    ck_assert_uint_eq(scry_result_row_count(x.r), 17);
    ck_assert_int_eq(scry_result_cell_state(x.r, 0, 3), SCRY_CELL_UNREADABLE);
    const char *s;
    size_t len;
    ck_assert_int_eq(scry_result_cell_str(x.r, 0, 4, &s, &len), SCRY_OK);
    ck_assert_str_eq(s, "\\Sy\xef\xbf\xbd");
    ck_assert_int_eq(scry_result_cell_str(x.r, 1, 3, &s, &len), SCRY_OK);
    ck_assert_str_eq(s, "hal.dll");
    ir_free(&x);
    teardown_image();
}
END_TEST

/* windows.info without the KDBG tag: the three KDBG rows go, the rest
 * stays; an unmapped KdVersionBlock ends the plugin with its address. */
START_TEST(info_without_kdbg)
{
    if (!setup_image())
        return;
    struct ir_run x;
    ir_open(&x, ctx, image, IMG_SIZE, "win10.raw");
    const struct scry_windows *w = win(&x);
    uint64_t tag = pa_of(&x, w->kernel_base + w->sym.kd_debugger_data_block + 0x10);
    ir_free(&x);
    memcpy(image + tag, "KDBX", 4);
    ck_assert_int_eq(run(&x, "windows.info", 0, NULL, NULL), SCRY_OK);
    ck_assert_uint_eq(scry_result_row_count(x.r), 20);
    const char *s;
    size_t len;
    ck_assert_int_eq(scry_result_cell_str(x.r, 7, 0, &s, &len), SCRY_OK);
    ck_assert_str_eq(s, "KdVersionBlock");
    ir_free(&x);
    teardown_image();
}
END_TEST

/* --dump of a PE whose SizeOfImage is 2 GiB: refused as Volatility refuses
 * it ("Error outputting file"), the file it created stays, empty; one
 * whose sections claim too much is cut after the image, as Volatility's. */
START_TEST(pe_dump_hostile_headers)
{
    if (!setup_image())
        return;
    char dir[] = "/tmp/test_win_A.XXXXXX", path[4200];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    struct ir_run x;
    ir_open(&x, ctx, image, IMG_SIZE, "win10.raw");
    uint64_t mz = pa_of(&x, KBASE);
    ir_free(&x);
    uint32_t lfanew;
    memcpy(&lfanew, image + mz + 0x3c, 4);
    uint32_t big = 0x80000000u, saved;
    memcpy(&saved, image + mz + lfanew + 24 + 56, 4);
    memcpy(image + mz + lfanew + 24 + 56, &big, 4);
    const char *argv[] = {"--dump", "--name", "ntoskrnl"};
    ck_assert_int_eq(run(&x, "windows.modules", 3, argv, dir), SCRY_OK);
    ck_assert_uint_eq(scry_result_row_count(x.r), 1);
    const char *s;
    size_t len;
    ck_assert_int_eq(scry_result_cell_str(x.r, 0, 5, &s, &len), SCRY_OK);
    ck_assert_str_eq(s, "Error outputting file");
    ir_free(&x);
    snprintf(path, sizeof path, "%s/ntoskrnl.exe.0xa50c3e0008f0.0xf8053a000000.dmp", dir);
    struct stat sb;
    ck_assert_int_eq(stat(path, &sb), 0);
    ck_assert_int_eq(sb.st_size, 0);
    unlink(path);
    /* 0xffff sections, the first with VirtualAddress past the image. */
    memcpy(image + mz + lfanew + 24 + 56, &saved, 4);
    put16(mz + lfanew + 4 + 2, 0xffff);
    uint16_t opt;
    memcpy(&opt, image + mz + lfanew + 4 + 16, 2);
    uint32_t va = saved + 1;
    memcpy(image + mz + lfanew + 24 + opt + 12, &va, 4);
    ck_assert_int_eq(run(&x, "windows.modules", 3, argv, dir), SCRY_OK);
    ck_assert_int_eq(scry_result_cell_str(x.r, 0, 5, &s, &len), SCRY_OK);
    ck_assert_str_eq(s, "Error outputting file");
    ir_free(&x);
    ck_assert_int_eq(stat(path, &sb), 0);
    ck_assert_int_eq(sb.st_size, saved); /* the image was written, no section */
    unlink(path);
    /* Dumping twice keeps both files: the second is "-1". */
    memcpy(image + mz + lfanew + 24 + opt + 12, &(uint32_t){0x1000}, 4);
    put16(mz + lfanew + 4 + 2, 1);
    for (int i = 0; i < 2; i++) {
        ck_assert_int_eq(run(&x, "windows.modules", 3, argv, dir), SCRY_OK);
        ck_assert_int_eq(scry_result_cell_str(x.r, 0, 5, &s, &len), SCRY_OK);
        ck_assert_str_eq(s, "ntoskrnl.exe.0xa50c3e0008f0.0xf8053a000000.dmp");
        ir_free(&x);
    }
    ck_assert_int_eq(stat(path, &sb), 0);
    unlink(path);
    snprintf(path, sizeof path, "%s/ntoskrnl.exe.0xa50c3e0008f0.0xf8053a000000-1.dmp", dir);
    ck_assert_int_eq(stat(path, &sb), 0);
    unlink(path);
    rmdir(dir);
    teardown_image();
}
END_TEST

/* is_valid() on records built by hand: the System/PID 4 exemption, the
 * year window, exit before creation, odd PIDs, a DTB of only PCID bits. */
START_TEST(proc_valid_rules)
{
    if (!setup_image())
        return;
    struct ir_run x;
    ir_open(&x, ctx, image, IMG_SIZE, "win10.raw");
    const struct scry_windows *w = win(&x);
    const struct scry_win_off *o = &w->off;
    uint8_t *b = calloc(1, o->ep_size);
    struct scry_win_proc p = {.va = 0x1000, .b = b, .size = o->ep_size};
    const uint64_t y2024 = 133549000000000000ull; /* 2024-03 as FILETIME */
    memcpy(b + o->ep_name, "System", 6);
    uint64_t v = 4;
    memcpy(b + o->ep_pid, &v, 8);
    v = 0x1ad000;
    memcpy(b + o->ep_dtb, &v, 8);
    v = 0xffffa50c3e000000ull;
    memcpy(b + o->ep_thread_head, &v, 8);
    memcpy(b + o->ep_thread_head + 8, &v, 8);
    ck_assert(scry_win_proc_valid(w, &p, 2026)); /* System needs no CreateTime */
    b[o->ep_name] = 's';
    ck_assert(!scry_win_proc_valid(w, &p, 2026)); /* others do */
    memcpy(b + o->ep_create, &y2024, 8);
    ck_assert(scry_win_proc_valid(w, &p, 2026));
    ck_assert(!scry_win_proc_valid(w, &p, 2014)); /* 2024 >= 2014 + 10 */
    v = y2024 - 10000000ull * 86400;
    memcpy(b + o->ep_exit, &v, 8);
    ck_assert(!scry_win_proc_valid(w, &p, 2026)); /* exit before creation */
    v = 0;
    memcpy(b + o->ep_exit, &v, 8);
    v = 6;
    memcpy(b + o->ep_pid, &v, 8);
    ck_assert(!scry_win_proc_valid(w, &p, 2026));
    v = 8;
    memcpy(b + o->ep_pid, &v, 8);
    v = 0xfff;
    memcpy(b + o->ep_dtb, &v, 8);
    ck_assert(!scry_win_proc_valid(w, &p, 2026));
    v = 0x1ad000;
    memcpy(b + o->ep_dtb, &v, 8);
    ck_assert(scry_win_proc_valid(w, &p, 2026));
    p.bad = 1; /* the first page unreadable */
    ck_assert(!scry_win_proc_valid(w, &p, 2026));
    free(b);
    ir_free(&x);
    teardown_image();
}
END_TEST

static Suite *win_a_suite(void)
{
    Suite *s = suite_create("win_A");
    TCase *tc = tcase_create("hostile");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, baseline_counts);
    tcase_add_test(tc, pool_blocksize_0_and_255);
    tcase_add_test(tc, pool_tags_at_page_edges);
    tcase_add_test(tc, pool_page_of_tags_is_bounded);
    tcase_add_test(tc, eprocess_garbage_thread_list);
    tcase_add_test(tc, module_list_loop_and_unmapped);
    tcase_add_test(tc, unicode_string_longer_than_buffer);
    tcase_add_test(tc, info_without_kdbg);
    tcase_add_test(tc, pe_dump_hostile_headers);
    tcase_add_test(tc, proc_valid_rules);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run_suite(win_a_suite()); }
