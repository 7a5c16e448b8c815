/* test_render.c - rows, UTF-8 helpers and every renderer, byte for byte.
 *
 * The hard-coded expected outputs were produced by running Volatility 3
 * 2.11.0's own cli/text_renderer.py (commit a1961401d52d) under CPython
 * 3.11.7 on the same TreeGrids; the golden tests re-render Volatility's
 * recorded output for dev-small.raw from its JSON. */
#include <check.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/render/render.h"
#include "lib/rows/rows.h"
#include "testutil.h"

/* ------------------------------------------------------------- helpers */


static void check_render(const scry_result *r, const char *renderer, const char *want, size_t wlen)
{
    size_t len;
    char *got = tu_render(r, renderer, &len);
    tu_assert_bytes(renderer, got, len, want, wlen);
    free(got);
}

#define CHECK_RENDER(r, name, arr) check_render(r, name, arr, sizeof(arr) - 1)

static struct scry_cell cell_dt(int64_t sec, uint32_t usec)
{
    struct scry_cell c = {.state = SCRY_CELL_VALUE};
    c.v.t.sec = sec;
    c.v.t.usec = usec;
    return c;
}

#define S(lit) scry_cell_str(lit, sizeof(lit) - 1)
#define ABS(st) scry_cell_absent(SCRY_CELL_##st)

/* ------------------------------------------------- expected (Volatility) */

static const char example_quick[] = "\n"
    "A\tB\n"
    "\n"
    "1\tx\n"
    "* 2\ty\n"
    "* 3\tz\n"
    "4\t\xc3\xa9\x7f\n"
    "";
static const char example_pretty[] = "   | A |  B\n"
    "*  | 1 |  x\n"
    "** | 2 |  y\n"
    "** | 3 |  z\n"
    "*  | 4 | \xc3\xa9\x7f\n"
    "";
static const char example_json[] = "\n"
    "[\n"
    "  {\n"
    "    \"A\": 1,\n"
    "    \"B\": \"x\",\n"
    "    \"__children\": [\n"
    "      {\n"
    "        \"A\": 2,\n"
    "        \"B\": \"y\",\n"
    "        \"__children\": []\n"
    "      },\n"
    "      {\n"
    "        \"A\": 3,\n"
    "        \"B\": \"z\",\n"
    "        \"__children\": []\n"
    "      }\n"
    "    ]\n"
    "  },\n"
    "  {\n"
    "    \"A\": 4,\n"
    "    \"B\": \"\\u00e9\\u007f\",\n"
    "    \"__children\": []\n"
    "  }\n"
    "]\n"
    "";
static const char example_jsonl[] = "\n"
    "{\"A\": 1, \"B\": \"x\", \"__children\": [{\"A\": 2, \"B\": \"y\", \"__children\": []}, {\"A\": 3, \"B\": \"z\", \"__children\": []}]}\n"
    "{\"A\": 4, \"B\": \"\\u00e9\\u007f\", \"__children\": []}\n"
    "";
static const char example_csv[] = "TreeDepth,A,B\n"
    "0,1,x\n"
    "1,2,y\n"
    "1,3,z\n"
    "0,4,\xc3\xa9\x7f\n"
    "\n"
    "";
static const char empty_quick[] = "\n"
    "A\tB\n"
    "\n"
    "";
static const char empty_pretty[] = " | A | B\n"
    "";
static const char empty_json[] = "\n"
    "[]\n"
    "";
static const char empty_jsonl[] = "\n"
    "";
static const char empty_csv[] = "TreeDepth,A,B\n"
    "\n"
    "";
static const char all_quick[] = "\n"
    "I\tH\tS\tT\tY\tX\tD\tzz\tx,y\tna\xc3\xafve\n"
    "\n"
    "-5\t0xdeadbeef\ttab\there\n"
    "new \"q\" \\ ,c\x0dr\tTrue\t00 41\t\n"
    "41 42 43 00 01 41 42 43 00 01 41 42 43 00 01 41 ABC..ABC..ABC..A\n"
    "42 43 00 01                                     BC..\t2024-01-02 03:04:05.000678 UTC\t1\ta\tb\tc\t\xc3\xa9\t\xe6\x97\xa5\xe6\x9c\xac\n"
    "* 0\t0x0\t\tFalse\t\t\n"
    "30 31 32 33 34 35 36 37 38 39 61 62 63 64 65 66 0123456789abcdef\t2024-01-02 03:04:05.000000 UTC\t2\t12345678\tx\t\n"
    "** -\t-\tN/A\t-\tN/A\t-\tN/A\t-\t-\tN/A\n"
    "N/A\tN/A\t-\tN/A\t-\tN/A\t-\t-\t-\t-\n"
    "* 9223372036854775807\t0xffffffffffffffff\t\xf0\x9f\x98\x80 \xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \x01\x7f\x08\x0c\\\tFalse\t00 11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff\t\n"
    "\t1970-01-01 00:00:00.000000 UTC\t-9223372036854775808\tline1\n"
    "line2\n"
    "line3\t\x00z\n"
    "* 7\t0xff\tend\tTrue\tff\t\n"
    "18 19 1a 1b 1c 1d 1e 1f 20 21 22 23 24 25 26 27 ........ !\"#$%&'\n"
    "28 29 2a 2b 2c 2d 2e 2f 30 31 32 33 34 35 36 37 ()*+,-./01234567\t9999-12-31 23:59:59.999999 UTC\t0\t\tx\n"
    "";
static const char all_pretty[] = "    |                   I |                  H |              S |     T |                                               Y |                                                                X |                              D |                   zz |               x,y |      na\xc3\xafve\n"
    "*   |                  -5 |         0xdeadbeef |   tab     here |  True |                                           00 41 |                                                                  | 2024-01-02 03:04:05.000678 UTC |                    1 | a       b       c | \xc3\xa9       \xe6\x97\xa5\xe6\x9c\xac\n"
    "    |                     |                    | new \"q\" \\ ,c\x0dr |       |                                                 | 41 42 43 00 01 41 42 43 00 01 41 42 43 00 01 41 ABC..ABC..ABC..A |                                |                      |                   |           \n"
    "    |                     |                    |                |       |                                                 |             42 43 00 01                                     BC.. |                                |                      |                   |           \n"
    "**  |                   0 |                0x0 |                | False |                                                 |                                                                  | 2024-01-02 03:04:05.000000 UTC |                    2 | 12345678        x |           \n"
    "    |                     |                    |                |       |                                                 | 30 31 32 33 34 35 36 37 38 39 61 62 63 64 65 66 0123456789abcdef |                                |                      |                   |           \n"
    "*** |                   - |                  - |            N/A |     - |                                             N/A |                                                                - |                            N/A |                    - |                 - |        N/A\n"
    "*   |                 N/A |                N/A |              - |   N/A |                                               - |                                                              N/A |                              - |                    - |                 - |          -\n"
    "**  | 9223372036854775807 | 0xffffffffffffffff |   \xf0\x9f\x98\x80 \xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \x01\x7f\x08\x0c\\ | False | 00 11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff |                                                                  | 1970-01-01 00:00:00.000000 UTC | -9223372036854775808 |             line1 |         \x00z\n"
    "    |                     |                    |                |       |                                                 |                                                                  |                                |                      |             line2 |           \n"
    "    |                     |                    |                |       |                                                 |                                                                  |                                |                      |             line3 |           \n"
    "**  |                   7 |               0xff |            end |  True |                                              ff |                                                                  | 9999-12-31 23:59:59.999999 UTC |                    0 |                   |          x\n"
    "    |                     |                    |                |       |                                                 | 18 19 1a 1b 1c 1d 1e 1f 20 21 22 23 24 25 26 27 ........ !\"#$%&' |                                |                      |                   |           \n"
    "    |                     |                    |                |       |                                                 | 28 29 2a 2b 2c 2d 2e 2f 30 31 32 33 34 35 36 37 ()*+,-./01234567 |                                |                      |                   |           \n"
    "";
static const char all_json[] = "\n"
    "[\n"
    "  {\n"
    "    \"D\": \"2024-01-02T03:04:05.000678+00:00\",\n"
    "    \"H\": 3735928559,\n"
    "    \"I\": -5,\n"
    "    \"S\": \"tab\\there\\nnew \\\"q\\\" \\\\ ,c\\rr\",\n"
    "    \"T\": true,\n"
    "    \"X\": \"\\\"\\n41 42 43 00 01 41 42 43 00 01 41 42 43 00 01 41 ABC..ABC..ABC..A\\n42 43 00 01                                     BC..\\\"\",\n"
    "    \"Y\": \"00 41\",\n"
    "    \"__children\": [\n"
    "      {\n"
    "        \"D\": \"2024-01-02T03:04:05+00:00\",\n"
    "        \"H\": 0,\n"
    "        \"I\": 0,\n"
    "        \"S\": \"\",\n"
    "        \"T\": false,\n"
    "        \"X\": \"\\\"\\n30 31 32 33 34 35 36 37 38 39 61 62 63 64 65 66 0123456789abcdef\\\"\",\n"
    "        \"Y\": \"\",\n"
    "        \"__children\": [\n"
    "          {\n"
    "            \"D\": null,\n"
    "            \"H\": null,\n"
    "            \"I\": null,\n"
    "            \"S\": null,\n"
    "            \"T\": null,\n"
    "            \"X\": \"\",\n"
    "            \"Y\": \"N/A\",\n"
    "            \"__children\": [],\n"
    "            \"na\\u00efve\": null,\n"
    "            \"x,y\": null,\n"
    "            \"zz\": null\n"
    "          }\n"
    "        ],\n"
    "        \"na\\u00efve\": \"\",\n"
    "        \"x,y\": \"12345678\\tx\",\n"
    "        \"zz\": 2\n"
    "      }\n"
    "    ],\n"
    "    \"na\\u00efve\": \"\\u00e9\\t\\u65e5\\u672c\",\n"
    "    \"x,y\": \"a\\tb\\tc\",\n"
    "    \"zz\": 1\n"
    "  },\n"
    "  {\n"
    "    \"D\": null,\n"
    "    \"H\": null,\n"
    "    \"I\": null,\n"
    "    \"S\": null,\n"
    "    \"T\": null,\n"
    "    \"X\": \"\",\n"
    "    \"Y\": \"-\",\n"
    "    \"__children\": [\n"
    "      {\n"
    "        \"D\": \"1970-01-01T00:00:00+00:00\",\n"
    "        \"H\": 18446744073709551615,\n"
    "        \"I\": 9223372036854775807,\n"
    "        \"S\": \"\\ud83d\\ude00 \\u00e9 \\u65e5\\u672c \\u0001\\u007f\\b\\f\\\\\",\n"
    "        \"T\": false,\n"
    "        \"X\": \"\\\"\\n\\\"\",\n"
    "        \"Y\": \"00 11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff\",\n"
    "        \"__children\": [],\n"
    "        \"na\\u00efve\": \"\\u0000z\",\n"
    "        \"x,y\": \"line1\\nline2\\nline3\",\n"
    "        \"zz\": -9223372036854775808\n"
    "      },\n"
    "      {\n"
    "        \"D\": \"9999-12-31T23:59:59.999999+00:00\",\n"
    "        \"H\": 255,\n"
    "        \"I\": 7,\n"
    "        \"S\": \"end\",\n"
    "        \"T\": true,\n"
    "        \"X\": \"\\\"\\n18 19 1a 1b 1c 1d 1e 1f 20 21 22 23 24 25 26 27 ........ !\\\"#$%&'\\n28 29 2a 2b 2c 2d 2e 2f 30 31 32 33 34 35 36 37 ()*+,-./01234567\\\"\",\n"
    "        \"Y\": \"ff\",\n"
    "        \"__children\": [],\n"
    "        \"na\\u00efve\": \"x\",\n"
    "        \"x,y\": \"\",\n"
    "        \"zz\": 0\n"
    "      }\n"
    "    ],\n"
    "    \"na\\u00efve\": null,\n"
    "    \"x,y\": null,\n"
    "    \"zz\": null\n"
    "  }\n"
    "]\n"
    "";
static const char all_jsonl[] = "\n"
    "{\"D\": \"2024-01-02T03:04:05.000678+00:00\", \"H\": 3735928559, \"I\": -5, \"S\": \"tab\\there\\nnew \\\"q\\\" \\\\ ,c\\rr\", \"T\": true, \"X\": \"\\\"\\n41 42 43 00 01 41 42 43 00 01 41 42 43 00 01 41 ABC..ABC..ABC..A\\n42 43 00 01                                     BC..\\\"\", \"Y\": \"00 41\", \"__children\": [{\"D\": \"2024-01-02T03:04:05+00:00\", \"H\": 0, \"I\": 0, \"S\": \"\", \"T\": false, \"X\": \"\\\"\\n30 31 32 33 34 35 36 37 38 39 61 62 63 64 65 66 0123456789abcdef\\\"\", \"Y\": \"\", \"__children\": [{\"D\": null, \"H\": null, \"I\": null, \"S\": null, \"T\": null, \"X\": \"\", \"Y\": \"N/A\", \"__children\": [], \"na\\u00efve\": null, \"x,y\": null, \"zz\": null}], \"na\\u00efve\": \"\", \"x,y\": \"12345678\\tx\", \"zz\": 2}], \"na\\u00efve\": \"\\u00e9\\t\\u65e5\\u672c\", \"x,y\": \"a\\tb\\tc\", \"zz\": 1}\n"
    "{\"D\": null, \"H\": null, \"I\": null, \"S\": null, \"T\": null, \"X\": \"\", \"Y\": \"-\", \"__children\": [{\"D\": \"1970-01-01T00:00:00+00:00\", \"H\": 18446744073709551615, \"I\": 9223372036854775807, \"S\": \"\\ud83d\\ude00 \\u00e9 \\u65e5\\u672c \\u0001\\u007f\\b\\f\\\\\", \"T\": false, \"X\": \"\\\"\\n\\\"\", \"Y\": \"00 11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff\", \"__children\": [], \"na\\u00efve\": \"\\u0000z\", \"x,y\": \"line1\\nline2\\nline3\", \"zz\": -9223372036854775808}, {\"D\": \"9999-12-31T23:59:59.999999+00:00\", \"H\": 255, \"I\": 7, \"S\": \"end\", \"T\": true, \"X\": \"\\\"\\n18 19 1a 1b 1c 1d 1e 1f 20 21 22 23 24 25 26 27 ........ !\\\"#$%&'\\n28 29 2a 2b 2c 2d 2e 2f 30 31 32 33 34 35 36 37 ()*+,-./01234567\\\"\", \"Y\": \"ff\", \"__children\": [], \"na\\u00efve\": \"x\", \"x,y\": \"\", \"zz\": 0}], \"na\\u00efve\": null, \"x,y\": null, \"zz\": null}\n"
    "";
static const char all_csv[] = "TreeDepth,I,H,S,T,Y,X,D,zz,\"x,y\",na\xc3\xafve\n"
    "0,-5,0xdeadbeef,\"tab\there\n"
    "new \"\"q\"\" \\\\ ,c\x0dr\",True,00 41,\"\n"
    "41 42 43 00 01 41 42 43 00 01 41 42 43 00 01 41 ABC..ABC..ABC..A\n"
    "42 43 00 01                                     BC..\",2024-01-02 03:04:05.000678 UTC,1,a\tb\tc,\xc3\xa9\t\xe6\x97\xa5\xe6\x9c\xac\n"
    "1,0,0x0,,False,,\"\n"
    "30 31 32 33 34 35 36 37 38 39 61 62 63 64 65 66 0123456789abcdef\",2024-01-02 03:04:05.000000 UTC,2,12345678\tx,\n"
    "2,-,-,N/A,-,N/A,-,N/A,-,-,N/A\n"
    "0,N/A,N/A,-,N/A,-,N/A,-,-,-,-\n"
    "1,9223372036854775807,0xffffffffffffffff,\xf0\x9f\x98\x80 \xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \x01\x7f\x08\x0c\\\\,False,00 11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff,\"\n"
    "\",1970-01-01 00:00:00.000000 UTC,-9223372036854775808,\"line1\n"
    "line2\n"
    "line3\",\x00z\n"
    "1,7,0xff,end,True,ff,\"\n"
    "18 19 1a 1b 1c 1d 1e 1f 20 21 22 23 24 25 26 27 ........ !\"\"#$%&'\n"
    "28 29 2a 2b 2c 2d 2e 2f 30 31 32 33 34 35 36 37 ()*+,-./01234567\",9999-12-31 23:59:59.999999 UTC,0,,x\n"
    "\n"
    "";

static const struct scry_column example_cols[] = {{"A", SCRY_COL_INT}, {"B", SCRY_COL_STR}};

static scry_result *make_example(void)
{
    scry_result *r;
    static const int levels[] = {0, 3, 1, 0};
    static const char *const strs[] = {"x", "y", "z", "\xc3\xa9\x7f"};
    ck_assert_int_eq(scry_result_new(example_cols, 2, &r), SCRY_OK);
    for (int i = 0; i < 4; i++) {
        struct scry_cell cells[2] = {scry_cell_int(i + 1), scry_cell_str(strs[i], strlen(strs[i]))};
        ck_assert_int_eq(scry_result_add(r, levels[i], cells), SCRY_OK);
    }
    return r;
}

static const struct scry_column all_cols[] = {
    {"I", SCRY_COL_INT},       {"H", SCRY_COL_HEX},        {"S", SCRY_COL_STR},
    {"T", SCRY_COL_BOOL},      {"Y", SCRY_COL_BYTES},      {"X", SCRY_COL_HEXBYTES},
    {"D", SCRY_COL_DATETIME},  {"zz", SCRY_COL_INT},       {"x,y", SCRY_COL_STR},
    {"na\xc3\xafve", SCRY_COL_STR}};
enum { ALL_NCOLS = sizeof all_cols / sizeof all_cols[0] };

static scry_result *make_all(void)
{
    scry_result *r;
    static const char abc[] = "ABC\x00\x01" "ABC\x00\x01" "ABC\x00\x01" "ABC\x00\x01";
    char step17[16], low[32];
    for (int i = 0; i < 16; i++)
        step17[i] = (char)(i * 17);
    for (int i = 0; i < 32; i++)
        low[i] = (char)(0x18 + i);
    struct scry_cell rows[6][ALL_NCOLS] = {
        {scry_cell_int(-5), scry_cell_hex(0xdeadbeef), S("tab\there\nnew \"q\" \\ ,c\rr"),
         scry_cell_bool(1), S("\x00" "A"), scry_cell_str(abc, 20), cell_dt(1704164645, 678),
         scry_cell_int(1), S("a\tb\tc"), S("\xc3\xa9\t\xe6\x97\xa5\xe6\x9c\xac")},
        {scry_cell_int(0), scry_cell_hex(0), S(""), scry_cell_bool(0), scry_cell_str(NULL, 0),
         S("0123456789abcdef"), cell_dt(1704164645, 0), scry_cell_int(2), S("12345678\tx"), S("")},
        {ABS(UNREADABLE), ABS(UNPARSABLE), ABS(NOT_APPLICABLE), ABS(NOT_AVAILABLE),
         ABS(NOT_APPLICABLE), ABS(UNREADABLE), ABS(NOT_APPLICABLE), ABS(UNREADABLE),
         ABS(UNREADABLE), ABS(NOT_APPLICABLE)},
        {ABS(NOT_APPLICABLE), ABS(NOT_APPLICABLE), ABS(UNREADABLE), ABS(NOT_APPLICABLE),
         ABS(UNREADABLE), ABS(NOT_APPLICABLE), ABS(UNREADABLE), ABS(NOT_AVAILABLE),
         ABS(UNPARSABLE), ABS(NOT_AVAILABLE)},
        {scry_cell_int(INT64_MAX), scry_cell_hex(UINT64_MAX),
         S("\xf0\x9f\x98\x80 \xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \x01\x7f\b\f\\"), scry_cell_bool(0),
         scry_cell_str(step17, 16), scry_cell_str("", 0), cell_dt(0, 0), scry_cell_int(INT64_MIN),
         S("line1\nline2\nline3"), S("\x00z")},
        {scry_cell_int(7), scry_cell_hex(255), S("end"), scry_cell_bool(1), S("\xff"),
         scry_cell_str(low, 32), cell_dt(253402300799, 999999), scry_cell_int(0), S(""), S("x")},
    };
    static const int levels[6] = {0, 1, 2, 0, 5, 1};
    ck_assert_int_eq(scry_result_new(all_cols, ALL_NCOLS, &r), SCRY_OK);
    for (int i = 0; i < 6; i++)
        ck_assert_int_eq(scry_result_add(r, levels[i], rows[i]), SCRY_OK);
    /* The source buffers go away: the result must own copies. */
    memset(step17, 0, sizeof step17);
    memset(low, 0, sizeof low);
    return r;
}

/* ------------------------------------------------------ renderer tests */

START_TEST(test_example)
{
    scry_result *r = make_example();
    ck_assert_int_eq(scry_result_row_depth(r, 0), 0);
    ck_assert_int_eq(scry_result_row_depth(r, 1), 1);
    ck_assert_int_eq(scry_result_row_depth(r, 2), 1);
    ck_assert_int_eq(scry_result_row_depth(r, 3), 0);
    CHECK_RENDER(r, "quick", example_quick);
    CHECK_RENDER(r, "pretty", example_pretty);
    CHECK_RENDER(r, "json", example_json);
    CHECK_RENDER(r, "jsonl", example_jsonl);
    CHECK_RENDER(r, "csv", example_csv);
    check_render(r, "none", "", 0);
    scry_result_free(r);
}
END_TEST

/* The doc's literal bytes for the running example (section 4). */
START_TEST(test_example_doc_bytes)
{
    scry_result *r = make_example();
    static const char quick[] = "\nA\tB\n\n1\tx\n* 2\ty\n* 3\tz\n4\t\xc3\xa9\x7f\n";
    static const char pretty[] =
        "   | A |  B\n*  | 1 |  x\n** | 2 |  y\n** | 3 |  z\n*  | 4 | \xc3\xa9\x7f\n";
    static const char csv[] = "TreeDepth,A,B\n0,1,x\n1,2,y\n1,3,z\n0,4,\xc3\xa9\x7f\n\n";
    static const char jsonl[] =
        "\n{\"A\": 1, \"B\": \"x\", \"__children\": [{\"A\": 2, \"B\": \"y\", \"__children\": []}, "
        "{\"A\": 3, \"B\": \"z\", \"__children\": []}]}\n{\"A\": 4, \"B\": \"\\u00e9\\u007f\", "
        "\"__children\": []}\n";
    CHECK_RENDER(r, "quick", quick);
    CHECK_RENDER(r, "pretty", pretty);
    CHECK_RENDER(r, "csv", csv);
    CHECK_RENDER(r, "jsonl", jsonl);
    scry_result_free(r);
}
END_TEST

START_TEST(test_empty)
{
    scry_result *r;
    ck_assert_int_eq(scry_result_new(example_cols, 2, &r), SCRY_OK);
    CHECK_RENDER(r, "quick", empty_quick);
    CHECK_RENDER(r, "pretty", empty_pretty);
    CHECK_RENDER(r, "json", empty_json);
    CHECK_RENDER(r, "jsonl", empty_jsonl);
    CHECK_RENDER(r, "csv", empty_csv);
    check_render(r, "none", "", 0);
    scry_result_free(r);
}
END_TEST

/* Every column type, every absent kind, multi-line cells, tabs, csv
 * quoting, JSON escapes incl. a non-BMP character, key order around
 * "__children", clamped levels. */
START_TEST(test_all_types)
{
    scry_result *r = make_all();
    CHECK_RENDER(r, "quick", all_quick);
    CHECK_RENDER(r, "pretty", all_pretty);
    CHECK_RENDER(r, "json", all_json);
    CHECK_RENDER(r, "jsonl", all_jsonl);
    CHECK_RENDER(r, "csv", all_csv);
    check_render(r, "none", "", 0);
    scry_result_free(r);
}
END_TEST

START_TEST(test_csv_quoting)
{
    static const struct scry_column cols[] = {{"v", SCRY_COL_STR}};
    static const char *const in[] = {"a,b", "say \"hi\"", "two\nlines", "back\\slash", "cr\ronly",
                                     " lead", "", "a,b \"q\"\tt", "\\\"", "plain"};
    static const char want[] = "TreeDepth,v\n"
                               "0,\"a,b\"\n"
                               "0,\"say \"\"hi\"\"\"\n"
                               "0,\"two\nlines\"\n"
                               "0,back\\\\slash\n"
                               "0,cr\ronly\n"
                               "0, lead\n"
                               "0,\n"
                               "0,\"a,b \"\"q\"\"\tt\"\n"
                               "0,\"\\\\\"\"\"\n"
                               "0,plain\n"
                               "\n";
    scry_result *r;
    ck_assert_int_eq(scry_result_new(cols, 1, &r), SCRY_OK);
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
        struct scry_cell c = scry_cell_str(in[i], strlen(in[i]));
        ck_assert_int_eq(scry_result_add(r, 0, &c), SCRY_OK);
    }
    CHECK_RENDER(r, "csv", want);
    scry_result_free(r);
}
END_TEST

START_TEST(test_json_escapes)
{
    static const struct scry_column cols[] = {{"k\"\\\xe2\x9c\x93", SCRY_COL_STR}};
    static const char s[] = "\"\\/\b\f\n\r\t\x01\x1f\x7f \xc2\x80\xef\xbf\xbf\xf0\x90\x80\x80"
                            "\xf4\x8f\xbf\xbf\xf0\x9f\x98\x80";
    static const char want[] =
        "\n{\"__children\": [], \"k\\\"\\\\\\u2713\": \"\\\"\\\\/\\b\\f\\n\\r\\t\\u0001\\u001f\\u007f "
        "\\u0080\\uffff\\ud800\\udc00\\udbff\\udfff\\ud83d\\ude00\"}\n";
    scry_result *r;
    struct scry_cell c = S(s);
    ck_assert_int_eq(scry_result_new(cols, 1, &r), SCRY_OK);
    ck_assert_int_eq(scry_result_add(r, 0, &c), SCRY_OK);
    CHECK_RENDER(r, "jsonl", want);
    scry_result_free(r);
}
END_TEST

/* A tree that opens and closes several levels at once, for the JSON
 * writer's stack; expected from json.dumps on the same nesting. */
START_TEST(test_json_deep)
{
    static const struct scry_column cols[] = {{"n", SCRY_COL_INT}};
    static const int levels[] = {0, 1, 2, 3, 1, 2, 0, 0, 1};
    static const char want[] =
        "\n{\"__children\": [{\"__children\": [{\"__children\": [{\"__children\": [], \"n\": 3}], "
        "\"n\": 2}], \"n\": 1}, {\"__children\": [{\"__children\": [], \"n\": 5}], \"n\": 4}], "
        "\"n\": 0}\n{\"__children\": [], \"n\": 6}\n{\"__children\": [{\"__children\": [], \"n\": 8}], "
        "\"n\": 7}\n";
    scry_result *r;
    ck_assert_int_eq(scry_result_new(cols, 1, &r), SCRY_OK);
    for (int i = 0; i < 9; i++) {
        struct scry_cell c = scry_cell_int(i);
        ck_assert_int_eq(scry_result_add(r, levels[i], &c), SCRY_OK);
    }
    CHECK_RENDER(r, "jsonl", want);
    scry_result_free(r);
}
END_TEST

/* Which renderers exist and which are structured (banner on stderr):
 * Volatility's csv, json and jsonl. */
START_TEST(test_renderer_info)
{
    static const struct {
        const char *name;
        int structured;
    } want[] = {{"quick", 0}, {"pretty", 0}, {"none", 0}, {"csv", 1}, {"json", 1}, {"jsonl", 1}};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        int st = -1;
        ck_assert_int_eq(scry_renderer_info(want[i].name, &st), SCRY_OK);
        ck_assert_int_eq(st, want[i].structured);
    }
    ck_assert_int_eq(scry_renderer_info("xml", NULL), SCRY_ERR_NOT_FOUND);
    ck_assert_str_eq(scry_last_error(), "unknown renderer 'xml'");
    ck_assert_int_eq(scry_renderer_info("JSON", NULL), SCRY_ERR_NOT_FOUND);
    ck_assert_int_eq(scry_renderer_info(NULL, NULL), SCRY_ERR_INVALID_ARG);
}
END_TEST

START_TEST(test_render_errors)
{
    scry_result *r = make_example();
    struct tu_sink s = {.stop_at = 1};
    ck_assert_int_eq(scry_result_render(r, "xml", tu_sink_write, &s), SCRY_ERR_NOT_FOUND);
    ck_assert_ptr_nonnull(strstr(scry_last_error(), "xml"));
    ck_assert_int_eq(scry_result_render(r, "JSON", tu_sink_write, &s), SCRY_ERR_NOT_FOUND);
    ck_assert_int_eq(scry_result_render(NULL, "json", tu_sink_write, &s), SCRY_ERR_INVALID_ARG);
    ck_assert_int_eq(scry_result_render(r, "json", NULL, NULL), SCRY_ERR_INVALID_ARG);
    ck_assert_int_eq(scry_result_render(r, "quick", tu_sink_write, &s), SCRY_ERR_IO);
    ck_assert_int_eq(s.calls, 1);
    free(s.p);
    for (size_t i = 0; scry_renderers[i]; i++)
        ck_assert_ptr_eq(scry_renderer_find(scry_renderers[i]->name), scry_renderers[i]);
    ck_assert_int_eq(scry_renderer_find("json")->structured, 1);
    ck_assert_int_eq(scry_renderer_find("jsonl")->structured, 1);
    ck_assert_int_eq(scry_renderer_find("csv")->structured, 1);
    ck_assert_int_eq(scry_renderer_find("quick")->structured, 0);
    ck_assert_int_eq(scry_renderer_find("pretty")->structured, 0);
    ck_assert_int_eq(scry_renderer_find("none")->structured, 0);
    scry_result_free(r);
}
END_TEST

/* The writer: small writes coalesce, big ones pass through in order, a
 * stopped sink sees nothing more. */
START_TEST(test_out_buffer)
{
    struct tu_sink s = {0};
    struct scry_out *o = malloc(sizeof *o);
    char *big = malloc(20000);
    for (int i = 0; i < 20000; i++)
        big[i] = (char)('a' + i % 26);
    scry_out_init(o, tu_sink_write, &s);
    scry_out_str(o, "<");
    scry_out_write(o, big, 20000);
    scry_out_printf(o, "%d|%s|", 42, "x");
    scry_out_printf(o, "%.*s", 300, big); /* longer than printf's stack buffer */
    for (int i = 0; i < 5000; i++)
        scry_out_write(o, "0123", 4);
    ck_assert_int_eq(scry_out_flush(o), SCRY_OK);
    ck_assert_uint_eq(s.len, 1 + 20000 + 5 + 300 + 20000);
    ck_assert_int_eq(s.p[0], '<');
    ck_assert_int_eq(memcmp(s.p + 1, big, 20000), 0);
    ck_assert_int_eq(memcmp(s.p + 20001, "42|x|", 5), 0);
    ck_assert_int_eq(memcmp(s.p + 20006, big, 300), 0);
    ck_assert_int_eq(memcmp(s.p + 20306, "01230123", 8), 0);
    ck_assert_int_lt(s.calls, 10);
    free(s.p);

    struct tu_sink stop = {.stop_at = 2};
    scry_out_init(o, tu_sink_write, &stop);
    for (int i = 0; i < 5; i++)
        scry_out_write(o, big, 10000);
    ck_assert_int_eq(scry_out_flush(o), SCRY_ERR_IO);
    ck_assert_int_eq(stop.calls, 2);
    free(stop.p);
    free(big);
    free(o);
}
END_TEST

/* ------------------------------------------------------------ rows tests */

START_TEST(test_rows_accessors)
{
    static const struct scry_column cols[] = {{"i", SCRY_COL_INT}, {"h", SCRY_COL_HEX},
                                              {"s", SCRY_COL_STR}, {"b", SCRY_COL_BOOL},
                                              {"y", SCRY_COL_BYTES}, {"x", SCRY_COL_HEXBYTES},
                                              {"d", SCRY_COL_DATETIME}};
    char src[] = "hello";
    struct scry_cell cells[7] = {scry_cell_int(-3), scry_cell_hex(0xffff888000000000),
                                 scry_cell_str(src, 5), scry_cell_bool(7), S("\x00\x01"),
                                 S("AB"), cell_dt(1, 2)};
    scry_result *r;
    int64_t i;
    uint64_t u;
    const char *p;
    size_t n;
    ck_assert_int_eq(scry_result_new(cols, 7, &r), SCRY_OK);
    ck_assert_int_eq(scry_result_add(r, 0, cells), SCRY_OK);
    memcpy(src, "XXXXX", 5);
    cells[0] = ABS(NOT_APPLICABLE);
    ck_assert_int_eq(scry_result_add(r, 0, cells), SCRY_OK);

    ck_assert_uint_eq(scry_result_column_count(r), 7);
    ck_assert_str_eq(scry_result_column_name(r, 5), "x");
    ck_assert_ptr_null(scry_result_column_name(r, 7));
    ck_assert_int_eq(scry_result_column_type(r, 6), SCRY_COL_DATETIME);
    ck_assert_uint_eq(scry_result_row_count(r), 2);
    ck_assert_int_eq(scry_result_row_depth(r, 2), -1);

    ck_assert_int_eq(scry_result_cell_int(r, 0, 0, &i), SCRY_OK);
    ck_assert_int_eq(i, -3);
    ck_assert_int_eq(scry_result_cell_int(r, 0, 3, &i), SCRY_OK);
    ck_assert_int_eq(i, 1);
    ck_assert_int_eq(scry_result_cell_uint(r, 0, 1, &u), SCRY_OK);
    ck_assert_uint_eq(u, 0xffff888000000000);
    ck_assert_int_eq(scry_result_cell_str(r, 0, 2, &p, &n), SCRY_OK);
    ck_assert_uint_eq(n, 5);
    ck_assert_str_eq(p, "hello");
    ck_assert_int_eq(scry_result_cell_str(r, 0, 4, &p, &n), SCRY_OK);
    ck_assert_uint_eq(n, 2);
    ck_assert_int_eq(memcmp(p, "\x00\x01", 2), 0);
    ck_assert_int_eq(scry_result_cell_str(r, 0, 5, &p, &n), SCRY_OK);
    ck_assert_str_eq(p, "AB");
    {
        int64_t sec = 0;
        uint32_t usec = 0;
        ck_assert_int_eq(scry_result_cell_datetime(r, 0, 6, &sec, &usec), SCRY_OK);
        ck_assert_int_eq(sec, 1);
        ck_assert_uint_eq(usec, 2);
        ck_assert_int_eq(scry_result_cell_datetime(r, 0, 0, &sec, &usec), SCRY_ERR_INVALID_ARG);
        ck_assert_int_eq(scry_result_cell_datetime(r, 2, 6, &sec, &usec), SCRY_ERR_INVALID_ARG);
    }

    /* Wrong type, absent, out of range: refused, output untouched. */
    i = 99;
    ck_assert_int_eq(scry_result_cell_int(r, 0, 1, &i), SCRY_ERR_INVALID_ARG);
    ck_assert_int_eq(scry_result_cell_int(r, 0, 6, &i), SCRY_ERR_INVALID_ARG);
    ck_assert_int_eq(scry_result_cell_uint(r, 0, 0, &u), SCRY_ERR_INVALID_ARG);
    ck_assert_int_eq(scry_result_cell_str(r, 0, 0, &p, &n), SCRY_ERR_INVALID_ARG);
    ck_assert_int_eq(scry_result_cell_int(r, 1, 0, &i), SCRY_ERR_INVALID_ARG);
    ck_assert_int_eq(scry_result_cell_int(r, 2, 0, &i), SCRY_ERR_INVALID_ARG);
    ck_assert_int_eq(scry_result_cell_int(r, 0, 9, &i), SCRY_ERR_INVALID_ARG);
    ck_assert_int_eq(i, 99);
    ck_assert_int_eq(scry_result_cell_state(r, 1, 0), SCRY_CELL_NOT_APPLICABLE);
    ck_assert_int_eq(scry_result_cell_state(r, 1, 1), SCRY_CELL_VALUE);

    ck_assert_int_eq(scry_result_add(r, -1, cells), SCRY_ERR_INVALID_ARG);
    ck_assert_uint_eq(scry_result_row_count(r), 2);
    scry_result_free(r);
    scry_result_free(NULL);
    ck_assert_uint_eq(scry_result_column_count(NULL), 0);
    ck_assert_uint_eq(scry_result_row_count(NULL), 0);
}
END_TEST

START_TEST(test_rows_levels)
{
    static const struct scry_column cols[] = {{"n", SCRY_COL_INT}};
    static const int levels[] = {2, 5, 1, 3, 3, 0, 0, 7, 2, 1};
    static const int want[] = {0, 1, 1, 2, 3, 0, 0, 1, 2, 1}; /* from TreeGrid.populate */
    scry_result *r;
    ck_assert_int_eq(scry_result_new(cols, 1, &r), SCRY_OK);
    for (int i = 0; i < 10; i++) {
        struct scry_cell c = scry_cell_int(i);
        ck_assert_int_eq(scry_result_add(r, levels[i], &c), SCRY_OK);
    }
    for (int i = 0; i < 10; i++)
        ck_assert_int_eq(scry_result_row_depth(r, (size_t)i), want[i]);
    scry_result_free(r);
}
END_TEST

/* Many rows and strings bigger than an arena chunk. */
START_TEST(test_rows_many)
{
    static const struct scry_column cols[] = {{"n", SCRY_COL_INT}, {"s", SCRY_COL_STR}};
    scry_result *r;
    char *big = malloc(200000);
    memset(big, 'q', 200000);
    ck_assert_int_eq(scry_result_new(cols, 2, &r), SCRY_OK);
    for (int i = 0; i < 20000; i++) {
        char tmp[32];
        int n = snprintf(tmp, sizeof tmp, "row %d", i);
        struct scry_cell c[2] = {scry_cell_int(i), scry_cell_str(i == 777 ? big : tmp,
                                                                 i == 777 ? 200000 : (size_t)n)};
        ck_assert_int_eq(scry_result_add(r, 0, c), SCRY_OK);
    }
    for (int i = 0; i < 20000; i += 997) {
        const char *p;
        size_t n;
        char tmp[32];
        snprintf(tmp, sizeof tmp, "row %d", i);
        ck_assert_int_eq(scry_result_cell_str(r, (size_t)i, 1, &p, &n), SCRY_OK);
        ck_assert_str_eq(p, tmp);
    }
    {
        const char *p;
        size_t n;
        ck_assert_int_eq(scry_result_cell_str(r, 777, 1, &p, &n), SCRY_OK);
        ck_assert_uint_eq(n, 200000);
        ck_assert_int_eq(memcmp(p, big, 200000), 0);
        ck_assert_int_eq(p[n], '\0');
    }
    ck_assert_str_eq(scry_result_strdup(r, "abc", 2), "ab");
    scry_result_free(r);
    free(big);
}
END_TEST

/* A STR cell that is not UTF-8 is stored decoded with errors="replace". */
START_TEST(test_rows_invalid_utf8)
{
    static const struct scry_column cols[] = {{"s", SCRY_COL_STR}, {"y", SCRY_COL_BYTES}};
    struct scry_cell c[2] = {S("a\xff" "b\xed\xa0\x80"), S("\xff")};
    scry_result *r;
    const char *p;
    size_t n;
    ck_assert_int_eq(scry_result_new(cols, 2, &r), SCRY_OK);
    ck_assert_int_eq(scry_result_add(r, 0, c), SCRY_OK);
    ck_assert_int_eq(scry_result_cell_str(r, 0, 0, &p, &n), SCRY_OK);
    ck_assert_uint_eq(n, 14);
    ck_assert_int_eq(memcmp(p, "a\xef\xbf\xbd" "b\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", 14), 0);
    ck_assert_int_eq(scry_result_cell_str(r, 0, 1, &p, &n), SCRY_OK);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq((unsigned char)p[0], 0xff);
    scry_result_free(r);
}
END_TEST

/* ------------------------------------------------------------ UTF-8 */

/* From CPython 3.11: bytes.decode("utf-8", "replace"), strict validity and
 * len() of the strict decode. */
static const struct {
    const char *in;
    size_t len;
    const char *out;
    size_t olen;
    int valid;
    size_t count;
} utf8_vectors[] = {
    {"abc", 3, "abc", 3, 1, 3},
    {"\x80", 1, "\xef\xbf\xbd", 3, 0, 0},
    {"\xc0\x80", 2, "\xef\xbf\xbd\xef\xbf\xbd", 6, 0, 0},
    {"\xc1\xbf", 2, "\xef\xbf\xbd\xef\xbf\xbd", 6, 0, 0},
    {"\xc2", 1, "\xef\xbf\xbd", 3, 0, 0},
    {"\xc2""A", 2, "\xef\xbf\xbd""A", 4, 0, 0},
    {"\xe0\x80\x80", 3, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", 9, 0, 0},
    {"\xe0\xa0", 2, "\xef\xbf\xbd", 3, 0, 0},
    {"\xe0\xa0\x80", 3, "\xe0\xa0\x80", 3, 1, 1},
    {"\xed\xa0\x80", 3, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", 9, 0, 0},
    {"\xed\xbf\xbf", 3, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", 9, 0, 0},
    {"\xed\x9f\xbf", 3, "\xed\x9f\xbf", 3, 1, 1},
    {"\xee\x80\x80", 3, "\xee\x80\x80", 3, 1, 1},
    {"\xf0\x80\x80\x80", 4, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", 12, 0, 0},
    {"\xf0\x8f\xbf\xbf", 4, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", 12, 0, 0},
    {"\xf0\x90\x80", 3, "\xef\xbf\xbd", 3, 0, 0},
    {"\xf0\x90\x80""A", 4, "\xef\xbf\xbd""A", 4, 0, 0},
    {"\xf4\x90\x80\x80", 4, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", 12, 0, 0},
    {"\xf4\x8f\xbf\xbf", 4, "\xf4\x8f\xbf\xbf", 4, 1, 1},
    {"\xf5\x80", 2, "\xef\xbf\xbd\xef\xbf\xbd", 6, 0, 0},
    {"\xf8\x88\x80\x80\x80", 5, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", 15, 0, 0},
    {"\xff\xfe", 2, "\xef\xbf\xbd\xef\xbf\xbd", 6, 0, 0},
    {"\xe1\x80\xe2\xf0\x91\x92\xf1\xbf""A", 9, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd""A", 13, 0, 0},
    {"a\xf1\x80\x80\xe1\x80\xc2""b\x80""c\x80\xbf""d", 13, "a\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd""b\xef\xbf\xbd""c\xef\xbf\xbd\xef\xbf\xbd""d", 22, 0, 0},
    {"\xef\xbf\xbd", 3, "\xef\xbf\xbd", 3, 1, 1},
    {"", 0, "", 0, 1, 0},
    {"\x00", 1, "\x00", 1, 1, 1},
    {"\xf0\x9f\x98\x80x\xf0\x9f\x98", 8, "\xf0\x9f\x98\x80x\xef\xbf\xbd", 8, 0, 0},
    {"h\xc3\xa9llo \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80", 18, "h\xc3\xa9llo \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80", 18, 1, 10},
    {"\xc3\xa9\xc3", 3, "\xc3\xa9\xef\xbf\xbd", 5, 0, 0},
    {"\x7f\xc2\x80\xdf\xbf", 5, "\x7f\xc2\x80\xdf\xbf", 5, 1, 3},
};

START_TEST(test_utf8)
{
    for (size_t i = 0; i < sizeof utf8_vectors / sizeof utf8_vectors[0]; i++) {
        const uint8_t *in = (const uint8_t *)utf8_vectors[i].in;
        size_t len = utf8_vectors[i].len;
        char *out = malloc(3 * len + 1);
        size_t n = scry_utf8_replace(in, len, out);
        char what[32];
        snprintf(what, sizeof what, "utf8 vector %zu", i);
        tu_assert_bytes(what, out, n, utf8_vectors[i].out, utf8_vectors[i].olen);
        ck_assert_int_eq(out[n], '\0');
        ck_assert_msg(scry_utf8_valid(in, len) == utf8_vectors[i].valid, "%s validity", what);
        if (utf8_vectors[i].valid)
            ck_assert_uint_eq(scry_utf8_count((const char *)in, len), utf8_vectors[i].count);
        free(out);
    }
}
END_TEST

/* Every 3-byte sequence with a 3-byte lead and every 2-byte string against
 * the definition: valid iff it is the shortest form of a scalar value. */
START_TEST(test_utf8_exhaustive)
{
    for (uint32_t v = 0xE00000; v < 0xF00000; v++) {
        uint8_t b[3] = {(uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
        uint32_t cp = (b[0] & 0x0Fu) << 12 | (b[1] & 0x3Fu) << 6 | (b[2] & 0x3Fu);
        int want = (b[1] & 0xC0) == 0x80 && (b[2] & 0xC0) == 0x80 && cp >= 0x800 &&
                   (cp < 0xD800 || cp > 0xDFFF);
        ck_assert_msg(scry_utf8_valid(b, 3) == want, "%02x %02x %02x", b[0], b[1], b[2]);
    }
    for (uint32_t v = 0; v < 0x10000; v++) {
        uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
        int want;
        if (b[0] < 0x80)
            want = b[1] < 0x80;
        else
            want = b[0] >= 0xC2 && b[0] <= 0xDF && (b[1] & 0xC0) == 0x80;
        ck_assert_msg(scry_utf8_valid(b, 2) == want, "%02x %02x", b[0], b[1]);
    }
}
END_TEST

/* ------------------------------------------------------------ goldens */

struct golden_col {
    const char *name;
    scry_coltype type;
};

struct loader {
    scry_result *r;
    const struct scry_column *cols;
    size_t ncols;
    char **scratch; /* decoded byte buffers, freed after the load */
    size_t nscratch;
};

/* Hex pairs out of Volatility's text: "00 41" or a hex_bytes_as_text dump
 * (16 "xx " groups then the printable column, per line). */
static size_t parse_hex(const char *s, size_t len, int dump, char *out)
{
    size_t n = 0, i = 0;
    while (i < len) {
        size_t line_end = i, pos;
        while (line_end < len && s[line_end] != '\n')
            line_end++;
        for (pos = i; pos + 1 < line_end; pos += 3) {
            if (dump && pos - i >= 48)
                break;
            if (s[pos] == ' ')
                break;
            unsigned v;
            ck_assert_int_eq(sscanf(s + pos, "%2x", &v), 1);
            out[n++] = (char)v;
        }
        i = line_end + 1;
    }
    return n;
}

static void load_node(struct loader *L, json_t *node, int level)
{
    struct scry_cell cells[16];
    ck_assert_uint_le(L->ncols, 16);
    ck_assert(json_is_object(node));
    for (size_t c = 0; c < L->ncols; c++) {
        json_t *v = json_object_get(node, L->cols[c].name);
        ck_assert_msg(v != NULL, "golden lacks column %s", L->cols[c].name);
        if (json_is_null(v)) {
            cells[c] = ABS(UNREADABLE);
            continue;
        }
        switch (L->cols[c].type) {
        case SCRY_COL_INT:
            ck_assert(json_is_integer(v));
            cells[c] = scry_cell_int((int64_t)json_integer_value(v));
            break;
        case SCRY_COL_HEX:
            ck_assert(json_is_integer(v));
            cells[c] = scry_cell_hex((uint64_t)json_integer_value(v));
            break;
        case SCRY_COL_STR:
            ck_assert(json_is_string(v));
            cells[c] = scry_cell_str(json_string_value(v), json_string_length(v));
            break;
        case SCRY_COL_BYTES:
        case SCRY_COL_HEXBYTES: {
            const char *s = json_string_value(v);
            size_t len = json_string_length(v);
            int dump = L->cols[c].type == SCRY_COL_HEXBYTES;
            ck_assert(json_is_string(v));
            if (dump ? len == 0 : strcmp(s, "-") == 0) {
                cells[c] = ABS(UNREADABLE);
                break;
            }
            if (!dump && strcmp(s, "N/A") == 0) {
                cells[c] = ABS(NOT_APPLICABLE);
                break;
            }
            if (dump) { /* strip the quotes and the leading newline */
                ck_assert(len >= 3 && s[0] == '"' && s[1] == '\n' && s[len - 1] == '"');
                s += 2;
                len -= 3;
            }
            char *buf = malloc(len + 1);
            L->scratch = realloc(L->scratch, (L->nscratch + 1) * sizeof *L->scratch);
            L->scratch[L->nscratch++] = buf;
            cells[c] = scry_cell_str(buf, parse_hex(s, len, dump, buf));
            break;
        }
        default:
            ck_abort_msg("no golden loader for column type %d", L->cols[c].type);
        }
    }
    ck_assert_int_eq(scry_result_add(L->r, level, cells), SCRY_OK);
    json_t *kids = json_object_get(node, "__children");
    ck_assert(json_is_array(kids));
    for (size_t k = 0; k < json_array_size(kids); k++)
        load_node(L, json_array_get(kids, k), level + 1);
}

/* The golden's path, or NULL (and a skip message) without a corpus. */
static char *golden_path(const char *file)
{
    const char *dir = tu_corpus_dir("golden render tests");
    char *path;
    if (!dir)
        return NULL;
    path = malloc(strlen(dir) + strlen(file) + 32);
    sprintf(path, "%s/golden/dev-small.raw/%s", dir, file);
    return path;
}

static scry_result *load_golden(const char *file, const struct scry_column *cols, size_t ncols)
{
    char *path = golden_path(file);
    json_error_t err;
    json_t *root;
    struct loader L = {.cols = cols, .ncols = ncols};
    if (!path)
        return NULL;
    root = json_load_file(path, 0, &err);
    ck_assert_msg(root != NULL, "%s: %s", path, err.text);
    ck_assert(json_is_array(root));
    ck_assert_int_eq(scry_result_new(cols, ncols, &L.r), SCRY_OK);
    for (size_t i = 0; i < json_array_size(root); i++)
        load_node(&L, json_array_get(root, i), 0);
    json_decref(root);
    for (size_t i = 0; i < L.nscratch; i++)
        free(L.scratch[i]);
    free(L.scratch);
    free(path);
    return L.r;
}

/* Compares a render with a golden file, skipping its banner line when
 * skip_banner is set (the CLI, not the renderer, writes that line). */
static void check_golden(const scry_result *r, const char *renderer, const char *file,
                         int skip_banner)
{
    char *path = golden_path(file);
    size_t wlen;
    char *want, *w;
    if (!path)
        return;
    want = tu_slurp(path, &wlen);
    ck_assert_msg(want != NULL, "cannot read %s", path);
    w = want;
    if (skip_banner) {
        char *nl = memchr(want, '\n', wlen);
        ck_assert_ptr_nonnull(nl);
        ck_assert_int_eq(strncmp(want, "Volatility 3 Framework 2.11.0\n", 30), 0);
        wlen -= (size_t)(nl + 1 - want);
        w = nl + 1;
    }
    check_render(r, renderer, w, wlen);
    free(want);
    free(path);
}

static const struct scry_column pslist_cols[] = {
    {"OFFSET (V)", SCRY_COL_HEX}, {"PID", SCRY_COL_INT},  {"TID", SCRY_COL_INT},
    {"PPID", SCRY_COL_INT},       {"COMM", SCRY_COL_STR}, {"File output", SCRY_COL_STR}};

static void check_all_renderers(const char *plugin, const struct scry_column *cols, size_t ncols)
{
    char file[256];
    scry_result *r;
    snprintf(file, sizeof file, "%s.json", plugin);
    r = load_golden(file, cols, ncols);
    if (!r)
        return;
    check_golden(r, "json", file, 0);
    snprintf(file, sizeof file, "%s.jsonl.txt", plugin);
    check_golden(r, "jsonl", file, 0);
    snprintf(file, sizeof file, "%s.csv.txt", plugin);
    check_golden(r, "csv", file, 0);
    snprintf(file, sizeof file, "%s.quick.txt", plugin);
    check_golden(r, "quick", file, 1);
    snprintf(file, sizeof file, "%s.pretty.txt", plugin);
    check_golden(r, "pretty", file, 1);
    scry_result_free(r);
}

START_TEST(test_golden_pslist)
{
    check_all_renderers("linux.pslist.PsList", pslist_cols, 6);
}
END_TEST

START_TEST(test_golden_pstree)
{
    check_all_renderers("linux.pstree.PsTree", pslist_cols, 5);
}
END_TEST

/* The other goldens exist only as JSON: load, render json, compare. */
static const struct scry_column banners_cols[] = {{"Offset", SCRY_COL_HEX},
                                                  {"Banner", SCRY_COL_STR}};
static const struct scry_column psaux_cols[] = {{"PID", SCRY_COL_INT},
                                                {"PPID", SCRY_COL_INT},
                                                {"COMM", SCRY_COL_STR},
                                                {"ARGS", SCRY_COL_STR}};
static const struct scry_column lsmod_cols[] = {
    {"Offset", SCRY_COL_HEX}, {"Name", SCRY_COL_STR}, {"Size", SCRY_COL_INT}};
static const struct scry_column elfs_cols[] = {
    {"PID", SCRY_COL_INT},       {"Process", SCRY_COL_STR},  {"Start", SCRY_COL_HEX},
    {"End", SCRY_COL_HEX},       {"File Path", SCRY_COL_STR}, {"File Output", SCRY_COL_STR}};
static const struct scry_column envars_cols[] = {
    {"PID", SCRY_COL_INT}, {"PPID", SCRY_COL_INT}, {"COMM", SCRY_COL_STR},
    {"KEY", SCRY_COL_STR}, {"VALUE", SCRY_COL_STR}};
static const struct scry_column maps_cols[] = {
    {"PID", SCRY_COL_INT},   {"Process", SCRY_COL_STR},   {"Start", SCRY_COL_HEX},
    {"End", SCRY_COL_HEX},   {"Flags", SCRY_COL_STR},     {"PgOff", SCRY_COL_HEX},
    {"Major", SCRY_COL_INT}, {"Minor", SCRY_COL_INT},     {"Inode", SCRY_COL_INT},
    {"File Path", SCRY_COL_STR}, {"File output", SCRY_COL_STR}};
/* Disasm is Volatility's Disassembly (capstone text); memscry has no such
 * type, so the golden's string goes through as STR verbatim. */
static const struct scry_column malfind_cols[] = {
    {"PID", SCRY_COL_INT},        {"Process", SCRY_COL_STR},       {"Start", SCRY_COL_HEX},
    {"End", SCRY_COL_HEX},        {"Protection", SCRY_COL_STR},    {"Hexdump", SCRY_COL_HEXBYTES},
    {"Disasm", SCRY_COL_STR}};
static const struct scry_column yarascan_cols[] = {
    {"Offset", SCRY_COL_HEX}, {"Rule", SCRY_COL_STR}, {"Component", SCRY_COL_STR},
    {"Value", SCRY_COL_BYTES}};
static const struct scry_column vmayarascan_cols[] = {
    {"Offset", SCRY_COL_HEX},    {"PID", SCRY_COL_INT},    {"Rule", SCRY_COL_STR},
    {"Component", SCRY_COL_STR}, {"Value", SCRY_COL_BYTES}};

static const struct {
    const char *file;
    const struct scry_column *cols;
    size_t ncols;
} json_goldens[] = {
#define G(f, c) {f, c, sizeof c / sizeof c[0]}
    G("banners.Banners.json", banners_cols),
    G("linux.psaux.PsAux.json", psaux_cols),
    G("linux.lsmod.Lsmod.json", lsmod_cols),
    G("linux.elfs.Elfs.json", elfs_cols),
    G("linux.envars.Envars.json", envars_cols),
    G("linux.proc.Maps.json", maps_cols),
    G("linux.malfind.Malfind.json", malfind_cols),
    G("linux.pslist.PsList--threads.json", pslist_cols),
    G("linux.pslist.PsList--decorate-comm.json", pslist_cols),
    G("yarascan.YaraScan--yara-string=MEMF_YARA_MARKER_7ae8.json", yarascan_cols),
    G("linux.vmayarascan.VmaYaraScan--yara-string=MEMF_YARA_MARKER_7ae8.json", vmayarascan_cols),
#undef G
};

START_TEST(test_golden_json)
{
    scry_result *r = load_golden(json_goldens[_i].file, json_goldens[_i].cols,
                                 json_goldens[_i].ncols);
    if (!r)
        return;
    check_golden(r, "json", json_goldens[_i].file, 0);
    scry_result_free(r);
}
END_TEST

static Suite *render_suite(void)
{
    Suite *s = suite_create("render");
    TCase *t = tcase_create("renderers");
    tcase_add_test(t, test_example);
    tcase_add_test(t, test_renderer_info);
    tcase_add_test(t, test_example_doc_bytes);
    tcase_add_test(t, test_empty);
    tcase_add_test(t, test_all_types);
    tcase_add_test(t, test_csv_quoting);
    tcase_add_test(t, test_json_escapes);
    tcase_add_test(t, test_json_deep);
    tcase_add_test(t, test_render_errors);
    tcase_add_test(t, test_out_buffer);
    suite_add_tcase(s, t);

    t = tcase_create("rows");
    tcase_add_test(t, test_rows_accessors);
    tcase_add_test(t, test_rows_levels);
    tcase_add_test(t, test_rows_many);
    tcase_add_test(t, test_rows_invalid_utf8);
    tcase_add_test(t, test_utf8);
    tcase_add_test(t, test_utf8_exhaustive);
    suite_add_tcase(s, t);

    t = tcase_create("golden");
    tcase_add_test(t, test_golden_pslist);
    tcase_add_test(t, test_golden_pstree);
    tcase_add_loop_test(t, test_golden_json, 0, (int)(sizeof json_goldens / sizeof json_goldens[0]));
    suite_add_tcase(s, t);
    return s;
}

int main(void) { return tu_run_suite(render_suite()); }
