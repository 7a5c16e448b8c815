/* test_pslist_dump.c - linux.pslist --dump's write path.
 *
 * On the corpus Volatility writes nothing (mm->start_code is the text
 * segment, no ELF header there: tests/integration/pslist_dump.py). Here
 * dev-small.raw is patched so the marker's start_code is its ELF's first
 * VMA (0x400000): the file is then the one linux.elfs --dump writes for
 * that VMA, whose sha256 is that of Volatility's own file. A start_code
 * that no VMA starts at, and a run without an output directory, give
 * Volatility's texts. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/os/linux.h"
#include "lib/session/session.h"
#include "symbols/resolve.h"
#include "imagerun.h"
#include "testutil.h"

static uint8_t *image;
static size_t image_len;
static char symdir[4096];
static scry_context *ctx;

/* dev-small's marker (truth.json) and the file Volatility's Elfs --dump
 * wrote for its ELF at 0x400000 (tests/integration/pm_dump.py). */
#define MARKER_PID "147"
#define ELF_NAME "pid.147.marker.0x400000.dmp"
#define ELF_SHA256 "6f641a98890ddb5e3ce99b2464a61ac03d028cc83d2fba80429dc2075f098325"

static void poke(uint64_t pa, uint64_t v) { memcpy(image + pa, &v, 8); }
static uint64_t peek(uint64_t pa)
{
    uint64_t v;
    memcpy(&v, image + pa, 8);
    return v;
}

/* Runs pslist --pid 147 [--dump] with output dir dir (NULL: none). */
static scry_status run(struct ir_run *x, int dump, const char *dir)
{
    const char *const argv[] = {"--pid", MARKER_PID, "--dump"};
    scry_runctx *rc = NULL;
    scry_status st;
    ck_assert_int_eq(scry_runctx_new(&rc), SCRY_OK);
    if (dir)
        ck_assert_int_eq(scry_runctx_set_output_dir(rc, dir), SCRY_OK);
    ir_open(x, ctx, image, image_len, "dev-small.raw");
    st = scry_plugin_run(x->s, "linux.pslist", dump ? 3 : 2, argv, rc, &x->r);
    scry_runctx_free(rc);
    return st;
}

/* The physical address of the marker's mm->start_code. */
static uint64_t start_code_pa(void)
{
    struct ir_run x;
    const struct scry_linux *l;
    uint64_t task, mm, off;
    ck_assert_int_eq(run(&x, 0, NULL), SCRY_OK);
    ck_assert_uint_eq(scry_result_row_count(x.r), 1);
    ck_assert_int_eq(scry_result_cell_uint(x.r, 0, 0, &task), SCRY_OK);
    task |= 0xffff000000000000ull;
    l = ir_linux(&x);
    const struct scry_field_spec f[] = {SCRY_FIELD("mm_struct", "start_code", &off)};
    ck_assert_int_eq(scry_resolve_fields(l->symtab, f, 1), SCRY_OK);
    mm = peek(ir_pa_of(&x, task + l->off.task_mm, image_len));
    uint64_t pa = ir_pa_of(&x, mm + off, image_len);
    ir_free(&x);
    return pa;
}

/* The File output cell of the one row, and the diagnostics count. */
static void expect(const char *dir, const char *want, size_t want_diags)
{
    struct ir_run x;
    const char *s;
    size_t len;
    ck_assert_int_eq(run(&x, 1, dir), SCRY_OK);
    ck_assert_uint_eq(scry_result_row_count(x.r), 1);
    ck_assert_int_eq(scry_result_cell_str(x.r, 0, 5, &s, &len), SCRY_OK);
    ck_assert_str_eq(s, want);
    ck_assert_uint_eq(scry_result_diag_count(x.r), want_diags);
    ir_free(&x);
}

START_TEST(dump_written)
{
    char dir[] = "/tmp/memscry-pslist-XXXXXX", path[256], sha[65];
    uint64_t pa, old;
    size_t len;
    char *body;
    if (!image)
        return;
    ck_assert_ptr_nonnull(mkdtemp(dir));
    pa = start_code_pa();
    old = peek(pa);
    ck_assert_uint_ne(old, 0x400000); /* the text segment, not the header */
    expect(dir, "Error outputting file", 0);
    poke(pa, 0x400000);
    expect(dir, ELF_NAME, 0);
    snprintf(path, sizeof path, "%s/%s", dir, ELF_NAME);
    body = tu_slurp(path, &len);
    ck_assert_ptr_nonnull(body);
    tu_sha256_hex(body, len, sha);
    ck_assert_str_eq(sha, ELF_SHA256);
    free(body);
    /* Again: Volatility's CLI numbers the clash. */
    expect(dir, "pid.147.marker.0x400000-1.dmp", 0);
    unlink(path);
    snprintf(path, sizeof path, "%s/pid.147.marker.0x400000-1.dmp", dir);
    unlink(path);
    /* No output directory: nothing written, a warning says why. */
    expect(NULL, "Error outputting file", 1);
    /* No VMA starts there. */
    poke(pa, 0x1234000);
    expect(dir, "VMA start matching task start_code not found", 0);
    poke(pa, old);
    ck_assert_int_eq(rmdir(dir), 0); /* nothing else was written */
}
END_TEST

int main(void)
{
    Suite *s = suite_create("pslist_dump");
    TCase *tc = tcase_create("dump");
    int rc;
    ir_load_small("test_pslist_dump", &image, &image_len, symdir, sizeof symdir, &ctx);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, dump_written);
    suite_add_tcase(s, tc);
    rc = tu_run_suite(s);
    scry_context_free(ctx);
    free(image);
    return rc;
}
