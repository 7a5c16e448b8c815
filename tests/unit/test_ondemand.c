/* test_ondemand.c - libraries opened on first use (lib/base/ondemand.h):
 * libmemscry.so does not name them as dependencies, a library that cannot
 * be opened gives one clear error (and NULL symbols) every time, and the
 * real ones open through their wrappers. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/ondemand.h"
#include "lib/base/ondemand_capstone.h"
#include "lib/base/ondemand_snappy.h"
#include "lib/base/ondemand_yara.h"
#include "lib/base/ondemand_zip.h"
#include "memscry/memscry.h"
#include "testutil.h"

/* The shared library's NEEDED entries, as readelf prints them. */
START_TEST(not_linked)
{
    char cmd[4200], line[512];
    int needed = 0;
    snprintf(cmd, sizeof cmd, "readelf -d '%s/lib/libmemscry.so' 2>/dev/null", SCRY_BINARY_DIR);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    while (fgets(line, sizeof line, p)) {
        if (!strstr(line, "(NEEDED)"))
            continue;
        needed++;
        ck_assert_msg(!strstr(line, SCRY_SONAME_CAPSTONE) && !strstr(line, SCRY_SONAME_YARA) &&
                          !strstr(line, SCRY_SONAME_ZIP) && !strstr(line, SCRY_SONAME_SNAPPY),
                      "libmemscry.so is linked against an on-demand library: %s", line);
    }
    ck_assert_int_eq(pclose(p), 0);
    ck_assert_int_gt(needed, 3); /* readelf did read it: libc, zlib, ... */
}
END_TEST

START_TEST(missing_library)
{
    static struct scry_ondemand lib = SCRY_ONDEMAND_INIT("libmemscry-test-absent.so.0");
    for (int i = 0; i < 2; i++) { /* the second time from the remembered failure */
        ck_assert_ptr_null(scry_ondemand_sym(&lib, "cs_open"));
        ck_assert_int_eq(scry_ondemand_ready(&lib), 0);
        ck_assert_int_eq(scry_ondemand_check(&lib, "a test"), SCRY_ERR_UNSUPPORTED);
        ck_assert_msg(!strncmp(scry_last_error(),
                               "a test needs libmemscry-test-absent.so.0, which cannot be loaded: ",
                               66),
                      "%s", scry_last_error());
        ck_assert_ptr_nonnull(strstr(scry_last_error(), "libmemscry-test-absent.so.0: cannot open"));
    }
}
END_TEST

START_TEST(real_libraries_open)
{
    struct scry_ondemand *libs[] = {&scry_od_capstone, &scry_od_yara, &scry_od_zip, &scry_od_snappy};
    const char *fn[] = {"cs_disasm", "yr_rules_scan_mem", "zip_fread", "snappy_uncompress"};
    for (int i = 0; i < 4; i++) {
        ck_assert_int_eq(scry_ondemand_check(libs[i], "a test"), SCRY_OK);
        ck_assert_ptr_nonnull(scry_ondemand_sym(libs[i], fn[i]));
        ck_assert_ptr_null(scry_ondemand_sym(libs[i], "scry_no_such_function"));
    }
    /* Through a wrapper: a snappy literal of "abc" decodes. */
    {
        const char in[] = {3, 8, 'a', 'b', 'c'};
        char out[8];
        size_t n = sizeof out;
        ck_assert_int_eq(snappy_uncompress(in, sizeof in, out, &n), SNAPPY_OK);
        ck_assert_uint_eq(n, 3);
        ck_assert_int_eq(memcmp(out, "abc", 3), 0);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("ondemand");
    TCase *tc = tcase_create("ondemand");
    tcase_add_test(tc, not_linked);
    tcase_add_test(tc, missing_library);
    tcase_add_test(tc, real_libraries_open);
    suite_add_tcase(s, tc);
    return tu_run_suite(s);
}
