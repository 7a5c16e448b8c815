/* test_malscan_api.c - the public YARA and malware-scan API: rules as
 * objects (compile, load source and compiled files, exact errors), and
 * scry_malscan on dev-small (the marker process's four copies, progress in
 * bytes up to the total, cancellation from the callback, a caller's run
 * left unchanged). */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yara.h>

#include "imagerun.h"
#include "memscry/memscry.h"
#include "testutil.h"

#define ck_ok(x) ck_assert_msg((x) == SCRY_OK, "%s: %s", #x, scry_last_error())

static const char *const RULE =
    "rule marker { strings: $m = \"MEMF_YARA_MARKER_7ae8\" condition: $m }";

START_TEST(test_rules_compile_errors)
{
    scry_rules *r = NULL;
    ck_assert_int_eq(scry_rules_compile("rule a {\n strings: $x = \"x\"\n condition: $y }", &r),
                     SCRY_ERR_BAD_OPTION);
    ck_assert_ptr_null(r);
    ck_assert_str_eq(scry_last_error(), "YARA rules line 3: undefined string \"$y\"");
    ck_assert_int_eq(scry_rules_compile(NULL, &r), SCRY_ERR_INVALID_ARG);
    ck_ok(scry_rules_compile(RULE, &r));
    scry_rules_free(r);
    scry_rules_free(NULL);
}
END_TEST

START_TEST(test_rules_load)
{
    scry_rules *r = NULL;
    char *src = tu_write_temp(RULE, strlen(RULE));
    ck_ok(scry_rules_load(src, &r));
    scry_rules_free(r);
    /* compiled rules (as yarac writes them, saved with libyara): told
     * apart from source by their header */
    char compiled[64];
    YR_COMPILER *c;
    YR_RULES *yr;
    snprintf(compiled, sizeof compiled, "%s.yarc", src);
    ck_assert_int_eq(yr_initialize(), ERROR_SUCCESS);
    ck_assert_int_eq(yr_compiler_create(&c), ERROR_SUCCESS);
    ck_assert_int_eq(yr_compiler_add_string(c, RULE, NULL), 0);
    ck_assert_int_eq(yr_compiler_get_rules(c, &yr), ERROR_SUCCESS);
    ck_assert_int_eq(yr_rules_save(yr, compiled), ERROR_SUCCESS);
    yr_rules_destroy(yr);
    yr_compiler_destroy(c);
    yr_finalize();
    r = NULL;
    ck_ok(scry_rules_load(compiled, &r));
    scry_rules_free(r);
    unlink(compiled);
    /* garbage starting like a compiled file is a corrupt one */
    char *bad = tu_write_temp("YARA\x01\x02\x03", 7);
    ck_assert_int_eq(scry_rules_load(bad, &r), SCRY_ERR_CORRUPT);
    ck_assert_int_eq(scry_rules_load("/nonexistent/rules.yar", &r), SCRY_ERR_IO);
    ck_assert_str_eq(scry_last_error(),
                     "cannot open YARA rules /nonexistent/rules.yar: No such file or directory");
    unlink(src);
    unlink(bad);
    free(src);
    free(bad);
}
END_TEST

/* The marker pid and its four copies, from dev-small's truth.json. */
static int truth_marker(const char *corpus, int64_t *pid, uint64_t va[4])
{
    char path[4096];
    json_error_t e;
    snprintf(path, sizeof path, "%s/dev-small/truth.json", corpus);
    json_t *t = json_load_file(path, 0, &e), *m = json_object_get(t, "marker");
    static const char *const keys[] = {"heap", "rwx", "straddle", "env"};
    ck_assert_msg(m != NULL, "%s: no marker", path);
    *pid = json_integer_value(json_object_get(m, "marker_pid"));
    for (int i = 0; i < 4; i++)
        va[i] = strtoull(json_string_value(json_object_get(m, keys[i])), NULL, 16);
    json_decref(t);
    return 1;
}

struct progress {
    uint64_t calls, last, total;
    int monotonic, cancel_after;
};

static int on_progress(void *user, uint64_t done, uint64_t total)
{
    struct progress *p = user;
    if (done < p->last)
        p->monotonic = 0;
    p->last = done;
    if (total)
        p->total = total;
    p->calls++;
    return p->cancel_after && p->calls >= (uint64_t)p->cancel_after;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

START_TEST(test_malscan_dev_small)
{
    uint8_t *image;
    size_t len;
    char symdir[4096];
    scry_context *ctx;
    struct ir_run x = {0};
    if (!ir_load_small("malscan", &image, &len, symdir, sizeof symdir, &ctx))
        return;
    int64_t pid;
    uint64_t want[4];
    truth_marker(tu_corpus_dir("truth"), &pid, want);
    qsort(want, 4, sizeof want[0], cmp_u64);
    ir_open(&x, ctx, image, len, "dev-small.raw");

    scry_rules *rules;
    scry_runctx *run;
    struct progress p = {.monotonic = 1};
    ck_ok(scry_rules_compile(RULE, &rules));
    ck_ok(scry_runctx_new(&run));
    ck_ok(scry_runctx_set_progress(run, on_progress, &p));
    ck_ok(scry_malscan(x.s, rules, SCRY_SCAN_QUICK, run, &x.r));
    /* the four copies, in the marker process, rule and string named */
    ck_assert_uint_eq(scry_result_row_count(x.r), 4);
    ck_assert_str_eq(scry_result_column_name(x.r, 7), "Offset");
    uint64_t got[4];
    for (size_t i = 0; i < 4; i++) {
        int64_t v;
        const char *s;
        size_t n;
        ck_ok(scry_result_cell_int(x.r, i, 1, &v));
        ck_assert_int_eq(v, pid);
        ck_ok(scry_result_cell_uint(x.r, i, 7, &got[i]));
        ck_ok(scry_result_cell_str(x.r, i, 9, &s, &n));
        ck_assert_str_eq(s, "marker");
        ck_ok(scry_result_cell_str(x.r, i, 10, &s, &n));
        ck_assert_str_eq(s, "$m");
    }
    qsort(got, 4, sizeof got[0], cmp_u64);
    ck_assert_mem_eq(got, want, sizeof want);
    /* progress in bytes: monotonic, ending at the total */
    ck_assert(p.monotonic);
    ck_assert_uint_gt(p.total, 0);
    ck_assert_uint_eq(p.last, p.total);
    scry_result_free(x.r);
    x.r = NULL;

    /* a cancel from the callback ends the scan, with no result; the
     * caller's run has no rules input of its own afterwards */
    p = (struct progress){.monotonic = 1, .cancel_after = 2};
    ck_assert_int_eq(scry_malscan(x.s, rules, SCRY_SCAN_FULL, run, &x.r), SCRY_ERR_CANCELLED);
    ck_assert_ptr_null(x.r);
    const char *argv[] = {"--mode", "quick"};
    ck_assert_int_eq(scry_plugin_run(x.s, "memscry.malscan", 2, argv, NULL, &x.r),
                     SCRY_ERR_BAD_OPTION);
    ck_assert_ptr_null(x.r);
    ck_assert_int_eq(scry_malscan(x.s, rules, (scry_scan_mode)7, NULL, &x.r),
                     SCRY_ERR_INVALID_ARG);
    scry_runctx_free(run);
    scry_rules_free(rules);
    ir_free(&x);
    scry_context_free(ctx);
    free(image);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("malscan_api");
    TCase *tc = tcase_create("api");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_rules_compile_errors);
    tcase_add_test(tc, test_rules_load);
    tcase_add_test(tc, test_malscan_dev_small);
    suite_add_tcase(s, tc);
    return tu_run_suite(s);
}
