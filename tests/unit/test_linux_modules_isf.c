/* test_linux_modules_isf.c - the module layout lsmod reads, chosen by the
 * ISF's fields (never by a version): module.mem[] (6.4+), init_layout /
 * core_layout, init_size / core_size; a kernel without module support; and
 * ISFs that state a layout we cannot use. Small ISFs written here. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/os/linux.h"
#include "symbols/symtab.h"
#include "testutil.h"

#define CHAR_ARRAY(n) \
    "{\"count\": " #n ", \"kind\": \"array\", \"subtype\": {\"kind\": \"base\", \"name\": \"char\"}}"
#define UINT "{\"kind\": \"base\", \"name\": \"unsigned int\"}"
#define ULONG "{\"kind\": \"base\", \"name\": \"unsigned long\"}"

/* An ISF with struct module's fields `fields` (after list and name),
 * extra user types, enums and whether the symbol `modules` exists. */
static struct scry_symtab *isf(const char *fields, const char *types, const char *enums,
                               int modules_symbol)
{
    static char json[8192];
    struct scry_symtab *st = NULL;
    snprintf(json, sizeof json,
             "{\"metadata\": {\"format\": \"6.2.0\"},\n"
             " \"base_types\": {\n"
             "  \"char\": {\"size\": 1, \"signed\": true, \"kind\": \"char\", \"endian\": \"little\"},\n"
             "  \"unsigned int\": {\"size\": 4, \"signed\": false, \"kind\": \"int\", \"endian\": \"little\"},\n"
             "  \"unsigned long\": {\"size\": 8, \"signed\": false, \"kind\": \"int\", \"endian\": \"little\"},\n"
             "  \"int\": {\"size\": 4, \"signed\": true, \"kind\": \"int\", \"endian\": \"little\"},\n"
             "  \"pointer\": {\"size\": 8, \"signed\": false, \"kind\": \"int\", \"endian\": \"little\"}},\n"
             " \"user_types\": {\n"
             "  \"list_head\": {\"size\": 16, \"kind\": \"struct\", \"fields\": {\n"
             "   \"next\": {\"offset\": 0, \"type\": {\"kind\": \"pointer\", \"subtype\": {\"kind\": \"struct\", \"name\": \"list_head\"}}}}},\n"
             "  %s\n"
             "  \"module\": {\"size\": 1024, \"kind\": \"struct\", \"fields\": {\n"
             "   \"list\": {\"offset\": 8, \"type\": {\"kind\": \"struct\", \"name\": \"list_head\"}},\n"
             "   \"name\": {\"offset\": 24, \"type\": " CHAR_ARRAY(56) "}%s}}},\n"
             " \"enums\": {%s},\n"
             " \"symbols\": {%s}}\n",
             types, fields, enums,
             modules_symbol ? "\"modules\": {\"address\": 18446744071609444992, \"type\": "
                              "{\"kind\": \"struct\", \"name\": \"list_head\"}}"
                            : "\"other\": {\"address\": 4096}");
    ck_assert_msg(scry_isf_parse(json, strlen(json), &st) == SCRY_OK, "%s", scry_last_error());
    return st;
}

static const char mem_type[] =
    "\"module_memory\": {\"size\": 72, \"kind\": \"struct\", \"fields\": {\n"
    "   \"base\": {\"offset\": 0, \"type\": {\"kind\": \"pointer\", \"subtype\": {\"kind\": \"base\", \"name\": \"char\"}}},\n"
    "   \"size\": {\"offset\": 8, \"type\": " UINT "}}},";
static const char mem_field[] =
    ",\n \"mem\": {\"offset\": 320, \"type\": {\"count\": 7, \"kind\": \"array\", \"subtype\": "
    "{\"kind\": \"struct\", \"name\": \"module_memory\"}}}";
static const char mem_enum[] =
    "\"mod_mem_type\": {\"size\": 4, \"base\": \"int\", \"constants\": {\"MOD_DATA\": 1, "
    "\"MOD_INIT_DATA\": 5, \"MOD_INIT_RODATA\": 6, \"MOD_INIT_TEXT\": 4, \"MOD_INVALID\": -1, "
    "\"MOD_MEM_NUM_TYPES\": 7, \"MOD_RODATA\": 2, \"MOD_RO_AFTER_INIT\": 3, \"MOD_TEXT\": 0}}";
static const char layout_type[] =
    "\"module_layout\": {\"size\": 80, \"kind\": \"struct\", \"fields\": {\n"
    "   \"size\": {\"offset\": 8, \"type\": " UINT "}}},";
static const char layout_fields[] =
    ",\n \"core_layout\": {\"offset\": 320, \"type\": {\"kind\": \"struct\", \"name\": \"module_layout\"}},"
    "\n \"init_layout\": {\"offset\": 400, \"type\": {\"kind\": \"struct\", \"name\": \"module_layout\"}}";

static void check(struct scry_symtab *st, scry_status want, const char *want_msg)
{
    struct scry_linux_modules m;
    scry_status rc = scry_linux_resolve_modules(st, &m);
    ck_assert_int_eq(rc, want);
    ck_assert_int_eq(m.status, want);
    if (want_msg)
        ck_assert_str_eq(scry_last_error(), want_msg);
    if (want != SCRY_OK)
        ck_assert_uint_eq(m.nsizes, 0);
    if (want == SCRY_ERR_NOT_FOUND)
        ck_assert_uint_eq(m.modules, SCRY_NO_OFFSET);
    scry_isf_free(st);
}

static struct scry_linux_modules resolve_ok(struct scry_symtab *st)
{
    struct scry_linux_modules m;
    ck_assert_msg(scry_linux_resolve_modules(st, &m) == SCRY_OK, "%s", scry_last_error());
    ck_assert_int_eq(m.status, SCRY_OK);
    ck_assert_uint_eq(m.modules, 18446744071609444992ull);
    ck_assert_uint_eq(m.list, 8);
    ck_assert_uint_eq(m.name, 24);
    ck_assert_uint_eq(m.name_size, 56);
    scry_isf_free(st);
    return m;
}

START_TEST(mem_array)
{
    /* init sizes (4, 5, 6) then core (0, 1, 2, 3): mem + 72 * i + 8. */
    static const uint64_t want[] = {320 + 72 * 4 + 8, 320 + 72 * 5 + 8, 320 + 72 * 6 + 8,
                                    320 + 8,          320 + 72 + 8,     320 + 144 + 8,
                                    320 + 216 + 8};
    struct scry_linux_modules m = resolve_ok(isf(mem_field, mem_type, mem_enum, 1));
    ck_assert_str_eq(m.layout, "mem[]");
    ck_assert_uint_eq(m.nsizes, 7);
    for (unsigned i = 0; i < 7; i++) {
        ck_assert_uint_eq(m.size_off[i], want[i]);
        ck_assert_uint_eq(m.size_len[i], 4);
    }
}
END_TEST

START_TEST(layouts)
{
    struct scry_linux_modules m = resolve_ok(isf(layout_fields, layout_type, "", 1));
    ck_assert_str_eq(m.layout, "core_layout");
    ck_assert_uint_eq(m.nsizes, 2);
    ck_assert_uint_eq(m.size_off[0], 408);
    ck_assert_uint_eq(m.size_off[1], 328);
    m = resolve_ok(isf(",\n \"init_size\": {\"offset\": 500, \"type\": " ULONG "},"
                       "\n \"core_size\": {\"offset\": 508, \"type\": " UINT "}",
                       "", "", 1));
    ck_assert_str_eq(m.layout, "core_size");
    ck_assert_uint_eq(m.nsizes, 2);
    ck_assert_uint_eq(m.size_off[0], 500);
    ck_assert_uint_eq(m.size_len[0], 8);
    ck_assert_uint_eq(m.size_off[1], 508);
    ck_assert_uint_eq(m.size_len[1], 4);
    /* mem[] wins over the older fields when an ISF has both. */
    m = resolve_ok(isf(",\n \"mem\": {\"offset\": 320, \"type\": {\"count\": 7, \"kind\": \"array\", "
                       "\"subtype\": {\"kind\": \"struct\", \"name\": \"module_memory\"}}},"
                       "\n \"init_size\": {\"offset\": 900, \"type\": " UINT "},"
                       "\n \"core_size\": {\"offset\": 904, \"type\": " UINT "}",
                       mem_type, mem_enum, 1));
    ck_assert_str_eq(m.layout, "mem[]");
}
END_TEST

START_TEST(no_module_support)
{
    /* No symbol `modules`: Volatility's SymbolError, an empty listing. */
    check(isf(layout_fields, layout_type, "", 0), SCRY_ERR_NOT_FOUND, NULL);
}
END_TEST

START_TEST(unusable_layouts)
{
    check(isf("", "", "", 1), SCRY_ERR_UNSUPPORTED,
          "struct module has none of mem[], init_layout/core_layout, init_size/core_size: "
          "module sizes are unknown");
    /* Only half of a pair is no layout either. */
    check(isf(",\n \"core_size\": {\"offset\": 508, \"type\": " UINT "}", "", "", 1),
          SCRY_ERR_UNSUPPORTED,
          "struct module has none of mem[], init_layout/core_layout, init_size/core_size: "
          "module sizes are unknown");
    check(isf(mem_field, mem_type, "", 1), SCRY_ERR_UNSUPPORTED,
          "module.mem[] without the constant mod_mem_type.MOD_INIT_TEXT");
    check(isf(mem_field, mem_type,
              "\"mod_mem_type\": {\"size\": 4, \"base\": \"int\", \"constants\": {\"MOD_DATA\": 1, "
              "\"MOD_INIT_DATA\": 5, \"MOD_INIT_RODATA\": 6, \"MOD_INIT_TEXT\": 7, "
              "\"MOD_RODATA\": 2, \"MOD_RO_AFTER_INIT\": 3, \"MOD_TEXT\": 0}}",
              1),
          SCRY_ERR_CORRUPT, "mod_mem_type.MOD_INIT_TEXT = 7 is outside module.mem[7]");
    /* mem[] of a structure without `size`: a layout, not an absent list. */
    check(isf(mem_field,
              "\"module_memory\": {\"size\": 72, \"kind\": \"struct\", \"fields\": {}},",
              mem_enum, 1),
          SCRY_ERR_UNSUPPORTED, NULL);
    /* A size field 3 bytes wide. */
    check(isf(",\n \"init_size\": {\"offset\": 500, \"type\": " CHAR_ARRAY(3) "},"
              "\n \"core_size\": {\"offset\": 508, \"type\": " UINT "}",
              "", "", 1),
          SCRY_ERR_CORRUPT, "module size field init_size is 3 bytes wide");
    /* A field past the struct's 1024 bytes. */
    check(isf(",\n \"init_size\": {\"offset\": 1022, \"type\": " UINT "},"
              "\n \"core_size\": {\"offset\": 508, \"type\": " UINT "}",
              "", "", 1),
          SCRY_ERR_CORRUPT, "module.init_size: offset 0x3fe + 4 bytes is past the struct's 1024 bytes");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("linux_modules_isf");
    TCase *tc = tcase_create("layouts");
    tcase_add_test(tc, mem_array);
    tcase_add_test(tc, layouts);
    tcase_add_test(tc, no_module_support);
    tcase_add_test(tc, unusable_layouts);
    suite_add_tcase(s, tc);
    return tu_run_suite(s);
}
