/* test_store.c - symbol store walking, .zip packs and identification:
 * packs listed and read (bounded), symlink loops and deep nesting skipped
 * with a warning, the documented order, Volatility's URIs, and what
 * identification finds in the corpus ISFs (the counts and identifiers
 * Volatility's isfinfo prints for them) and in hostile documents. */
#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include "lib/base/op.h"
#include "symbols/identify.h"
#include "symbols/pystr.h"
#include "symbols/store.h"
#include "symbols/zip.h"
#include "testutil.h"

static char *mktemp_dir(void)
{
    char *d = strdup("/tmp/scry-store-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(d));
    return d;
}

static void put(const char *dir, const char *rel, const char *text)
{
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s/%s", dir, rel);
    FILE *f = fopen(p, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

static void mk(const char *dir, const char *rel)
{
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s/%s", dir, rel);
    ck_assert_int_eq(mkdir(p, 0755), 0);
}

static void rm_rf(const char *dir)
{
    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

/* A zip at path with the given members (name, text); NULL text: a folder. */
static void make_zip(const char *path, const char *const *names, const char *const *texts, int n)
{
    int err;
    zip_t *z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &err);
    ck_assert_ptr_nonnull(z);
    for (int i = 0; i < n; i++) {
        if (!texts[i]) {
            ck_assert_int_ge(zip_dir_add(z, names[i], 0), 0);
            continue;
        }
        zip_source_t *s = zip_source_buffer(z, texts[i], strlen(texts[i]), 0);
        ck_assert_ptr_nonnull(s);
        ck_assert_int_ge(zip_file_add(z, names[i], s, 0), 0);
    }
    ck_assert_int_eq(zip_close(z), 0);
}

START_TEST(zip_list_and_read)
{
    char *d = mktemp_dir(), zp[PATH_MAX];
    static const char *const names[] = {"linux/", "linux/b.json.xz", "readme.txt", "linux/a.json",
                                        "windows/x.json.gz"};
    static const char *const texts[] = {NULL, "not xz", "hello", "{\"a\": 1}", "gz"};
    struct scry_zip_member *m;
    size_t n, len;
    uint8_t *buf;
    snprintf(zp, sizeof zp, "%s/linux.zip", d);
    make_zip(zp, names, texts, 5);
    ck_assert_int_eq(scry_zip_list(zp, &m, &n), SCRY_OK);
    ck_assert_uint_eq(n, 3); /* ISF names only, sorted */
    ck_assert_str_eq(m[0].name, "linux/a.json");
    ck_assert_str_eq(m[1].name, "linux/b.json.xz");
    ck_assert_str_eq(m[2].name, "windows/x.json.gz");
    ck_assert_uint_eq(m[0].size, 8);
    scry_zip_members_free(m, n);
    ck_assert_int_eq(scry_zip_read(zp, "linux/a.json", 1024, &buf, &len), SCRY_OK);
    ck_assert_uint_eq(len, 8);
    ck_assert_int_eq(memcmp(buf, "{\"a\": 1}", 8), 0);
    free(buf);
    /* exactly the bound is fine, one byte under it is not */
    ck_assert_int_eq(scry_zip_read(zp, "linux/a.json", 8, &buf, &len), SCRY_OK);
    free(buf);
    ck_assert_int_eq(scry_zip_read(zp, "linux/a.json", 7, &buf, &len), SCRY_ERR_LIMIT);
    ck_assert_int_eq(scry_zip_read(zp, "linux/none.json", 1024, &buf, &len), SCRY_ERR_NOT_FOUND);
    /* not a zip */
    put(d, "fake.zip", "PK but not really a zip file at all");
    snprintf(zp, sizeof zp, "%s/fake.zip", d);
    ck_assert_int_eq(scry_zip_list(zp, &m, &n), SCRY_ERR_CORRUPT);
    ck_assert_ptr_nonnull(strstr(scry_last_error(), "fake.zip"));
    rm_rf(d);
    free(d);
}
END_TEST

static int has_diag(const struct scry_diags *dg, const char *text)
{
    for (size_t i = 0; i < dg->n; i++)
        if (strstr(dg->v[i].message, text) && dg->v[i].level == SCRY_DIAG_WARNING)
            return 1;
    return 0;
}

START_TEST(symlink_loop_and_depth_skipped)
{
    char *d = mktemp_dir(), p[PATH_MAX], t[PATH_MAX];
    struct scry_diags dg = {0};
    struct scry_op op = {.diags = &dg};
    struct scry_store_files f;
    mk(d, "linux");
    mk(d, "linux/sub");
    put(d, "linux/sub/x.json", "{}");
    snprintf(p, sizeof p, "%s/linux/sub/loop", d);
    snprintf(t, sizeof t, "%s/linux", d);
    ck_assert_int_eq(symlink(t, p), 0);
    /* 20 levels deep: past SCRY_STORE_MAX_DEPTH */
    strcpy(t, "linux");
    for (int i = 0; i < 20; i++) {
        strcat(t, "/d");
        mk(d, t);
    }
    strcat(t, "/deep.json");
    put(d, t, "{}");
    const char *dirs[] = {d};
    ck_assert_int_eq(scry_store_walk(dirs, 1, "linux", &op, &f), SCRY_OK);
    ck_assert_uint_eq(f.n, 1);
    ck_assert_ptr_nonnull(strstr(f.v[0].path, "/linux/sub/x.json"));
    ck_assert(has_diag(&dg, "symlink loop"));
    ck_assert(has_diag(&dg, "nested deeper"));
    scry_store_files_free(&f);
    /* silent without an op */
    ck_assert_int_eq(scry_store_walk(dirs, 1, "linux", NULL, &f), SCRY_OK);
    ck_assert_uint_eq(f.n, 1);
    scry_store_files_free(&f);
    scry_diags_free(&dg);
    rm_rf(d);
    free(d);
}
END_TEST

START_TEST(store_order_and_scope)
{
    char *a = mktemp_dir(), *b = mktemp_dir(), *ra = realpath(a, NULL), *rb = realpath(b, NULL);
    struct scry_store_files f;
    char **paths, want[PATH_MAX];
    size_t n;
    mk(a, "linux");
    mk(a, "linux/z");
    mk(a, "windows");
    put(a, "linux/z/b.json.xz", "");
    put(a, "linux/a-c.json", "");
    put(a, "linux/a.json.gz", "");
    put(a, "linux/skip.txt", "");
    put(a, "windows/w.json", "");
    put(a, "windows/pack.zip", "");
    mk(b, "linux");
    put(b, "linux/first.json", "");
    const char *dirs[] = {b, a, "/nonexistent/dir"};
    ck_assert_int_eq(scry_store_walk(dirs, 3, "linux", NULL, &f), SCRY_OK);
    ck_assert_uint_eq(f.n, 5);
    /* argument order, then path bytewise; packs anywhere under DIR */
    snprintf(want, sizeof want, "%s/linux/first.json", rb);
    ck_assert_str_eq(f.v[0].path, want);
    snprintf(want, sizeof want, "%s/linux/a-c.json", ra);
    ck_assert_str_eq(f.v[1].path, want);
    snprintf(want, sizeof want, "%s/linux/a.json.gz", ra);
    ck_assert_str_eq(f.v[2].path, want);
    snprintf(want, sizeof want, "%s/linux/z/b.json.xz", ra);
    ck_assert_str_eq(f.v[3].path, want);
    snprintf(want, sizeof want, "%s/windows/pack.zip", ra);
    ck_assert_str_eq(f.v[4].path, want);
    ck_assert(f.v[4].is_zip);
    scry_store_files_free(&f);
    /* NULL os: everything; the same directory twice is listed once */
    const char *twice[] = {a, a};
    ck_assert_int_eq(scry_store_walk(twice, 2, NULL, NULL, &f), SCRY_OK);
    ck_assert_uint_eq(f.n, 5);
    scry_store_files_free(&f);
    /* the old listing: plain files only */
    ck_assert_int_eq(scry_store_list(dirs, 3, "linux", &paths, &n), SCRY_OK);
    ck_assert_uint_eq(n, 4);
    scry_store_list_free(paths, n);
    rm_rf(a);
    rm_rf(b);
    free(a), free(b), free(ra), free(rb);
}
END_TEST

START_TEST(uris_as_volatility_writes_them)
{
    struct scry_isf_loc plain = {"/tmp/a b/x+y@1~_.json", NULL};
    struct scry_isf_loc member = {"/tmp/s p/linux.zip", "linux/a b.json.xz"};
    char *u = scry_isf_loc_uri(&plain);
    ck_assert_str_eq(u, "file:///tmp/a%20b/x%2By%401~_.json");
    free(u);
    u = scry_isf_loc_uri(&member);
    ck_assert_str_eq(u, "jar:file:/tmp/s p/linux.zip!linux/a b.json.xz");
    free(u);
}
END_TEST

/* ----------------------------------------------------------- identify */

static struct scry_isf_ident ident_ok(const char *json)
{
    struct scry_isf_ident id;
    scry_status st = scry_isf_identify_mem(json, strlen(json), &id);
    ck_assert_msg(st == SCRY_OK, "%s: %s", json, scry_last_error());
    return id;
}

static void ident_fails(const char *json, const char *msg)
{
    struct scry_isf_ident id;
    ck_assert_int_eq(scry_isf_identify_mem(json, strlen(json), &id), SCRY_ERR_CORRUPT);
    ck_assert_msg(strstr(scry_last_error(), msg), "%s: %s", json, scry_last_error());
    ck_assert_ptr_null(id.id);
}

START_TEST(identify_corpus_as_isfinfo)
{
    const char *corpus = tu_corpus_dir("identify_corpus_as_isfinfo");
    static const struct {
        const char *file;
        int64_t base, types, syms, enums;
        const char *id_start;
        uint64_t addr;
    } want[] = {
        {"symbols/linux/debian-6.1.0-57-cloud-amd64.json.xz", 18, 9853, 149021, 1764,
         "Linux version 6.1.0-57-cloud-amd64 (debian-kernel@lists.debian.org)",
         0xffffffff8211ffe0ull},
        {"symbols/linux/debian-6.12.107-cloud-amd64.json.xz", 18, 11362, 224580, 2070,
         "Linux version 6.12.107+deb12-cloud-amd64 (debian-kernel@lists.debian.org)",
         0xffffffff821520a0ull},
        {"../isf/windows/ntkrnlmp.pdb/22597D0B40394E23936F6A24C6C52D5B-1.json.xz", 14, 1055,
         25580, 159, "ntkrnlmp.pdb|22597D0B40394E23936F6A24C6C52D5B|1", 0},
        {"../isf/windows/ntkrnlmp.pdb/339E74133576439CBCDF7E0229DA3773-1.json.xz", 14, 899,
         18994, 118, "ntkrnlmp.pdb|339E74133576439CBCDF7E0229DA3773|1", 0},
    };
    if (!corpus)
        return;
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        char p[PATH_MAX];
        struct scry_isf_ident id;
        snprintf(p, sizeof p, "%s/%s", corpus, want[i].file);
        if (access(p, R_OK) != 0)
            continue; /* shared/isf beside the corpus is optional */
        ck_assert_msg(scry_isf_identify(p, NULL, 0, &id) == SCRY_OK, "%s", scry_last_error());
        ck_assert_int_eq(id.nbase, want[i].base);
        ck_assert_int_eq(id.ntypes, want[i].types);
        ck_assert_int_eq(id.nsymbols, want[i].syms);
        ck_assert_int_eq(id.nenums, want[i].enums);
        ck_assert_uint_ge(id.id_len, strlen(want[i].id_start));
        ck_assert_int_eq(memcmp(id.id, want[i].id_start, strlen(want[i].id_start)), 0);
        ck_assert_str_eq(id.os, want[i].addr ? "linux" : "windows");
        if (want[i].addr) {
            /* the banner as the kernel holds it: "...\n\0" */
            ck_assert_int_eq(id.id[id.id_len - 1], 0);
            ck_assert_int_eq(id.id[id.id_len - 2], '\n');
            ck_assert_uint_eq(id.banner_address, want[i].addr);
        } else {
            ck_assert_uint_eq(id.id_len, strlen(want[i].id_start));
        }
        scry_isf_ident_free(&id);
    }
}
END_TEST

START_TEST(identify_follows_python)
{
    struct scry_isf_ident id;
    /* Windows first, GUID upper-cased, age as int(x) prints */
    id = ident_ok("{\"metadata\": {\"windows\": {\"pdb\": {\"GUID\": \"ab12cd\", \"age\": 2, "
                  "\"database\": \"ntkrnlmp.pdb\", \"machine_type\": 1}}},"
                  " \"symbols\": {\"linux_banner\": {\"constant_data\": \"QQ==\"}}}");
    ck_assert_str_eq(id.os, "windows");
    ck_assert_uint_eq(id.id_len, strlen("ntkrnlmp.pdb|AB12CD|2"));
    ck_assert_int_eq(memcmp(id.id, "ntkrnlmp.pdb|AB12CD|2", id.id_len), 0);
    ck_assert_int_eq(id.nsymbols, 1);
    scry_isf_ident_free(&id);
    /* age 0 is falsy: no Windows identifier; Linux then */
    id = ident_ok("{\"metadata\": {\"windows\": {\"pdb\": {\"GUID\": \"a\", \"age\": 0, "
                  "\"database\": \"d\"}}}, \"symbols\": {\"linux_banner\": "
                  "{\"constant_data\": \"QUJD\", \"address\": 18446744071596802016}}}");
    ck_assert_str_eq(id.os, "linux");
    ck_assert_uint_eq(id.id_len, 3);
    ck_assert_int_eq(memcmp(id.id, "ABC", 3), 0);
    ck_assert_uint_eq(id.banner_address, 18446744071596802016ull);
    scry_isf_ident_free(&id);
    /* Mac before Linux */
    id = ident_ok("{\"symbols\": {\"linux_banner\": {\"constant_data\": \"QQ==\"},"
                  " \"version\": {\"constant_data\": \"Qg==\"}}}");
    ck_assert_str_eq(id.os, "mac");
    ck_assert_int_eq(id.id[0], 'B');
    scry_isf_ident_free(&id);
    /* last wins: a repeated section replaces the earlier one */
    id = ident_ok("{\"symbols\": {\"linux_banner\": {\"constant_data\": \"QQ==\"}},"
                  " \"symbols\": {\"a\": {}, \"b\": {}, \"a\": {}}}");
    ck_assert_ptr_null(id.os);
    ck_assert_int_eq(id.nsymbols, 2); /* distinct keys, as len(dict) */
    scry_isf_ident_free(&id);
    /* len() of a list and of a str */
    id = ident_ok("{\"base_types\": [1, [2], {}], \"enums\": \"h\\u00e9llo\"}");
    ck_assert_int_eq(id.nbase, 3);
    ck_assert_int_eq(id.nenums, 5);
    scry_isf_ident_free(&id);
    /* non-strict base64: junk skipped, decoding ends at complete padding */
    id = ident_ok("{\"symbols\": {\"linux_banner\": {\"constant_data\": \"Q!U*J=D==xyz\"}}}");
    ck_assert_uint_eq(id.id_len, 2);
    ck_assert_int_eq(memcmp(id.id, "AB", 2), 0);
    scry_isf_ident_free(&id);
    /* what Python raises on: not cached by Volatility */
    ident_fails("[1, 2]", "not an object");
    ident_fails("{\"symbols\": 5}", "symbols is not an object");
    ident_fails("{\"metadata\": null}", "metadata is not an object");
    ident_fails("{\"symbols\": {\"linux_banner\": {\"constant_data\": \"QQ\"}}}", "base64");
    ident_fails("{\"symbols\": {\"linux_banner\": {\"constant_data\": 7}}}", "not a string");
    ident_fails("{\"symbols\": {\"linux_banner\": []}}", "linux_banner is not an object");
    ident_fails("{\"metadata\": {\"windows\": {\"pdb\": {\"GUID\": \"\\u0100\", \"age\": 1,"
                " \"database\": \"d\"}}}}",
                "latin-1");
    ident_fails("{\"a\": ", "line 1");
}
END_TEST

START_TEST(b64_matches_cpython)
{
    /* outputs of base64.b64decode on CPython 3.11 */
    static const struct {
        const char *in;
        long n;
        const char *out;
    } v[] = {
        {"", 0, ""},         {"QQ==", 1, "A"},     {"QUI=", 2, "AB"},   {"QUJD", 3, "ABC"},
        {"QQ", -1, NULL},    {"Q", -1, NULL},      {"Q===", -1, NULL},  {"QQ=", -1, NULL},
        {"QQ==QUJD", 1, "A"}, {"Q Q = =", 1, "A"}, {"=QQ==", 1, "A"},   {"QU=I=", 2, "AB"},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        uint8_t out[16];
        long n = scry_b64decode_py((const uint8_t *)v[i].in, strlen(v[i].in), out);
        ck_assert_msg(n == v[i].n, "%s: %ld", v[i].in, n);
        if (n > 0)
            ck_assert_int_eq(memcmp(out, v[i].out, (size_t)n), 0);
    }
}
END_TEST

/* A document with the five sections, `extra` spliced into user_types'
 * place and metadata given whole. */
static int validity(const char *meta, const char *user_types, const char *symbols, char *why,
                    size_t cap)
{
    char doc[4096];
    struct scry_isf_ident id;
    snprintf(doc, sizeof doc,
             "{\"metadata\": %s, \"base_types\": {\"int\": {\"size\": 4.0, \"signed\": "
             "true, \"kind\": \"int\", \"endian\": \"little\\n\"}, \"odd\": 5}, "
             "\"user_types\": %s, \"enums\": {\"e\": {\"size\": 4, \"base\": \"int\", "
             "\"constants\": {\"A\": 1}}}, \"symbols\": %s}",
             meta, user_types, symbols);
    ck_assert_msg(scry_isf_validate_mem(doc, strlen(doc), &id) == SCRY_OK, "%s", scry_last_error());
    int v = id.valid;
    snprintf(why, cap, "%s", id.why ? id.why : "");
    scry_isf_ident_free(&id);
    return v;
}

START_TEST(validate_as_jsonschema)
{
    static const char m62[] = "{\"format\": \"6.2.0\", \"linux\": {\"symbols\": "
                              "[{\"kind\": \"dwarf\", \"hash_value\": \"ab12\"}]}}";
    static const char ok_ut[] =
        "{\"t\": {\"kind\": \"struct\", \"size\": 8, \"fields\": {"
        "\"a\": {\"offset\": 0, \"anonymous\": true, \"type\": {\"kind\": \"pointer\", "
        "\"subtype\": {\"kind\": \"array\", \"count\": 2, \"subtype\": {\"kind\": "
        "\"bitfield\", \"bit_position\": 0, \"bit_length\": 3, \"type\": {\"kind\": "
        "\"enum\", \"name\": \"e\"}}}}}}}}";
    char why[1024];
    ck_assert_int_eq(validity(m62, ok_ut, "{\"s\": {\"address\": 1.5}}", why, sizeof why), 1);
    static const struct {
        const char *meta, *ut, *syms, *why;
    } bad[] = {
        {m62, "{\"t\": {\"kind\": \"struct\", \"size\": 8, \"fields\": {\"pid\": "
              "{\"type\": {\"kind\": \"base\", \"name\": \"int\"}}}}}",
         "{}", "user_types.t.fields.pid: missing offset"},
        {m62, "{}", "{\"s\": {\"address\": true}}", "symbols.s.address: not a number"},
        {m62, "{}", "{\"s\": {\"address\": 1, \"type\": 5}}", "symbols.s.type: a type must"},
        {m62, "{}", "{\"s\": {\"address\": 1, \"type\": {\"kind\": \"ptr\"}}}",
         "symbols.s.type: kind 'ptr' is not a type kind"},
        {m62, "{\"t\": {\"kind\": \"struct\", \"size\": true, \"fields\": {}}}", "{}",
         "user_types.t.size: not an integer"},
        {m62, "{\"t\": {\"kind\": \"struct\", \"size\": 1, \"fields\": {}, \"x\": 1}}",
         "{}", "user_types.t: unexpected key x"},
        {"{\"format\": \"6.0.0\"}", ok_ut, "{}", "unexpected key anonymous"},
        {"{\"format\": \"6.3.0\"}", "{}", "{}", "metadata: missing producer"},
        {"{\"format\": \"7.0.0\"}", "{}", "{}", "metadata.format: '7.0.0' has no schema"},
        {"{\"format\": \"6.2.0\", \"windows\": {\"pdb\": {\"GUID\": \"A\", \"age\": 1, "
         "\"database\": \"d\"}}}",
         "{}", "{}", "metadata.windows.pdb: missing machine_type"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_int_eq(validity(bad[i].meta, bad[i].ut, bad[i].syms, why, sizeof why), 0);
        ck_assert_msg(strstr(why, bad[i].why), "case %zu: %s", i, why);
    }
    /* an older schema: not implemented, "unknown" */
    ck_assert_int_eq(validity("{\"format\": \"4.1.0\"}", "{}", "{}", why, sizeof why), -1);
    /* the corpus ISFs are valid, as Volatility finds them */
    const char *corpus = tu_corpus_dir("validate_as_jsonschema");
    if (corpus) {
        char p[PATH_MAX];
        struct scry_isf_ident id;
        snprintf(p, sizeof p, "%s/symbols/linux/debian-6.1.0-57-cloud-amd64.json.xz", corpus);
        ck_assert_int_eq(scry_isf_validate(p, NULL, 0, &id), SCRY_OK);
        ck_assert_msg(id.valid == 1, "%s", id.why);
        scry_isf_ident_free(&id);
    }
}
END_TEST

START_TEST(bytes_repr_matches_cpython)
{
    static const struct {
        const char *in;
        size_t n;
        const char *out;
    } v[] = {
        {"\0\n\\'\"", 5, "b'\\x00\\n\\\\\\'\"'"},
        {"it's", 4, "b\"it's\""},
        {"\x7f\xff\t\r~ ", 6, "b'\\x7f\\xff\\t\\r~ '"},
        {"", 0, "b''"},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        char *r = scry_py_bytes_repr((const uint8_t *)v[i].in, v[i].n);
        ck_assert_str_eq(r, v[i].out);
        free(r);
    }
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("store");
    TCase *t = tcase_create("store");
    tcase_set_timeout(t, 120);
    tcase_add_test(t, zip_list_and_read);
    tcase_add_test(t, symlink_loop_and_depth_skipped);
    tcase_add_test(t, store_order_and_scope);
    tcase_add_test(t, uris_as_volatility_writes_them);
    tcase_add_test(t, identify_corpus_as_isfinfo);
    tcase_add_test(t, identify_follows_python);
    tcase_add_test(t, b64_matches_cpython);
    tcase_add_test(t, validate_as_jsonschema);
    tcase_add_test(t, bytes_repr_matches_cpython);
    suite_add_tcase(s, t);
    return s;
}

int main(void) { return tu_run_suite(suite()); }
