/* test_isf.c - the ISF loader: synthetic tables, compressed variants,
 * malformed input with exact statuses, and exact facts from the corpus ISF. */
#include <check.h>
#include <inttypes.h>
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "memscry/memscry.h"
#include "symbols/symtab.h"
#include "testutil.h"

/* Every shape the loader reads, plus keys and arrays it must skip. */
static const char good_isf[] =
    "{\n"
    "  \"metadata\": {\"linux\": {\"symbols\": [{\"kind\": \"dwarf\", \"x\": [1, 2.5e3, null]}]},\n"
    "               \"producer\": {\"name\": \"dwarf2json\", \"version\": \"0.9.0\"},\n"
    "               \"format\": \"6.2.0\"},\n"
    "  \"base_types\": {\n"
    "    \"int\": {\"size\": 4, \"signed\": true, \"kind\": \"int\", \"endian\": \"little\"},\n"
    "    \"char\": {\"size\": 1, \"signed\": true, \"kind\": \"char\", \"endian\": \"little\"},\n"
    "    \"unsigned int\": {\"size\": 4, \"signed\": false, \"kind\": \"int\", \"endian\": \"little\"},\n"
    "    \"pointer\": {\"size\": 8, \"signed\": false, \"kind\": \"int\", \"endian\": \"little\"},\n"
    "    \"void\": {\"size\": 0, \"signed\": false, \"kind\": \"void\", \"endian\": \"little\"}\n"
    "  },\n"
    "  \"user_types\": {\n"
    "    \"list_head\": {\"size\": 16, \"kind\": \"struct\", \"fields\": {\n"
    "      \"next\": {\"type\": {\"kind\": \"pointer\", \"subtype\": {\"kind\": \"struct\", \"name\": \"list_head\"}}, \"offset\": 0},\n"
    "      \"prev\": {\"offset\": 8, \"type\": {\"subtype\": {\"name\": \"list_head\", \"kind\": \"struct\"}, \"kind\": \"pointer\"}}}},\n"
    "    \"task\": {\"fields\": {\n"
    "      \"pid\": {\"type\": {\"kind\": \"base\", \"name\": \"int\"}, \"offset\": 0},\n"
    "      \"comm\": {\"type\": {\"count\": 16, \"kind\": \"array\", \"subtype\": {\"kind\": \"base\", \"name\": \"char\"}}, \"offset\": 4},\n"
    "      \"flags\": {\"type\": {\"bit_length\": 5, \"bit_position\": 3, \"kind\": \"bitfield\", \"type\": {\"kind\": \"base\", \"name\": \"unsigned int\"}}, \"offset\": 20},\n"
    "      \"state\": {\"type\": {\"kind\": \"enum\", \"name\": \"state_t\"}, \"offset\": 24},\n"
    "      \"fn\": {\"type\": {\"kind\": \"pointer\", \"subtype\": {\"kind\": \"function\"}}, \"offset\": 28},\n"
    "      \"priv\": {\"type\": {\"kind\": \"pointer\", \"subtype\": {\"kind\": \"base\", \"name\": \"void\"}}, \"offset\": 36},\n"
    "      \"unnamed_field_0\": {\"anonymous\": true, \"offset\": 48, \"type\": {\"kind\": \"union\", \"name\": \"unnamed_u1\"}},\n"
    "      \"tasks\": {\"type\": {\"kind\": \"struct\", \"name\": \"list_head\"}, \"offset\": 64},\n"
    "      \"\\u00e9t\\u00e9\": {\"type\": {\"kind\": \"base\", \"name\": \"int\"}, \"offset\": 80}\n"
    "    }, \"kind\": \"struct\", \"size\": 88},\n"
    "    \"unnamed_u1\": {\"size\": 16, \"kind\": \"union\", \"fields\": {\n"
    "      \"a\": {\"type\": {\"kind\": \"base\", \"name\": \"int\"}, \"offset\": 0},\n"
    "      \"unnamed_field_1\": {\"type\": {\"kind\": \"struct\", \"name\": \"unnamed_s2\"}, \"offset\": 0, \"anonymous\": true}}},\n"
    "    \"unnamed_s2\": {\"size\": 16, \"kind\": \"struct\", \"fields\": {\n"
    "      \"b\": {\"type\": {\"kind\": \"base\", \"name\": \"int\"}, \"offset\": 4},\n"
    "      \"deep\": {\"type\": {\"kind\": \"base\", \"name\": \"int\"}, \"offset\": 12}}},\n"
    "    \"empty\": {\"size\": 0, \"kind\": \"class\", \"fields\": {}}\n"
    "  },\n"
    "  \"enums\": {\n"
    "    \"state_t\": {\"size\": 4, \"base\": \"int\", \"constants\": {\"RUNNING\": 0, \"DEAD\": -9223372036854775808,\n"
    "                \"BIG\": 18446744073709551615, \"MAX\": 9223372036854775807}}\n"
    "  },\n"
    "  \"symbols\": {\n"
    "    \"init_task\": {\"type\": {\"kind\": \"struct\", \"name\": \"task\"}, \"address\": 18446744071606217280},\n"
    "    \"linux_banner\": {\"type\": {\"count\": 0, \"kind\": \"array\", \"subtype\": {\"kind\": \"base\", \"name\": \"char\"}},\n"
    "                     \"address\": 18446744071596802016, \"constant_data\": \"TGludXggdmVyc2lvbiA2LjEuMCB0ZXN0CgA=\"},\n"
    "    \"bare\": {\"address\": 4096},\n"
    "    \"max\": {\"address\": 18446744073709551615, \"constant_data\": \"\"},\n"
    "    \"two\": {\"address\": 1, \"constant_data\": \"YWI=\"}\n"
    "  }\n"
    "}\n";

static struct scry_symtab *parse_ok(const char *json)
{
    struct scry_symtab *st = NULL;
    scry_status rc = scry_isf_parse(json, strlen(json), &st);
    ck_assert_msg(rc == SCRY_OK, "parse failed: %d %s", rc, scry_last_error());
    ck_assert_ptr_nonnull(st);
    return st;
}

static uint64_t field_off(const struct scry_symtab *st, const char *type, const char *field,
                          struct scry_typeref *ref)
{
    uint64_t off = UINT64_MAX;
    scry_status rc = scry_sym_field(st, type, field, &off, ref);
    ck_assert_msg(rc == SCRY_OK, "%s.%s: %s", type, field, scry_last_error());
    return off;
}

/* The target of a pointer, array or bitfield reference. */
static struct scry_typeref sub(const struct scry_symtab *st, const struct scry_typeref *r)
{
    struct scry_typeref t;
    ck_assert_int_eq(scry_sym_typeref(st, r->sub, &t), SCRY_OK);
    return t;
}

/* Checks the tables built from good_isf, whatever container it came in. */
static void check_good(const struct scry_symtab *st)
{
    uint64_t v;
    int sg;
    int64_t e;
    struct scry_typeref r0, *r = &r0;
    const uint8_t *d;
    size_t n;

    ck_assert_str_eq(scry_sym_format_version(st), "6.2.0");
    ck_assert_uint_eq(scry_sym_count_user_types(st), 5);
    ck_assert_uint_eq(scry_sym_count_symbols(st), 5);

    ck_assert_int_eq(scry_sym_address(st, "init_task", &v), SCRY_OK);
    ck_assert_uint_eq(v, UINT64_C(18446744071606217280));
    ck_assert_int_eq(scry_sym_address(st, "max", &v), SCRY_OK);
    ck_assert_uint_eq(v, UINT64_MAX);
    ck_assert_int_eq(scry_sym_address(st, "bare", &v), SCRY_OK);
    ck_assert_uint_eq(v, 4096);

    ck_assert_int_eq(scry_sym_constant_data(st, "linux_banner", &d, &n), SCRY_OK);
    ck_assert_uint_eq(n, 26);
    ck_assert_mem_eq(d, "Linux version 6.1.0 test\n\0", 26);
    ck_assert_int_eq(scry_sym_constant_data(st, "two", &d, &n), SCRY_OK);
    ck_assert_uint_eq(n, 2);
    ck_assert_mem_eq(d, "ab", 2);
    ck_assert_int_eq(scry_sym_constant_data(st, "max", &d, &n), SCRY_OK);
    ck_assert_uint_eq(n, 0);
    ck_assert_int_eq(scry_sym_constant_data(st, "bare", &d, &n), SCRY_ERR_NOT_FOUND);

    ck_assert_int_eq(scry_sym_type_size(st, "task", &v), SCRY_OK);
    ck_assert_uint_eq(v, 88);
    ck_assert_int_eq(scry_sym_type_size(st, "pointer", &v), SCRY_OK);
    ck_assert_uint_eq(v, 8);
    ck_assert_int_eq(scry_sym_type_size(st, "state_t", &v), SCRY_OK);
    ck_assert_uint_eq(v, 4);
    ck_assert_int_eq(scry_sym_type_size(st, "empty", &v), SCRY_OK);
    ck_assert_uint_eq(v, 0);
    ck_assert_int_eq(scry_sym_base_type(st, "unsigned int", &v, &sg), SCRY_OK);
    ck_assert_uint_eq(v, 4);
    ck_assert_int_eq(sg, 0);
    ck_assert_int_eq(scry_sym_base_type(st, "int", &v, &sg), SCRY_OK);
    ck_assert_int_eq(sg, 1);

    ck_assert_uint_eq(field_off(st, "task", "pid", r), 0);
    ck_assert_int_eq(r->kind, SCRY_T_BASE);
    ck_assert_str_eq(r->name, "int");
    ck_assert_uint_eq(field_off(st, "task", "comm", r), 4);
    ck_assert_int_eq(r->kind, SCRY_T_ARRAY);
    ck_assert_uint_eq(r->count, 16);
    ck_assert_int_eq(sub(st, r).kind, SCRY_T_BASE);
    ck_assert_str_eq(sub(st, r).name, "char");
    ck_assert_uint_eq(field_off(st, "task", "flags", r), 20);
    ck_assert_int_eq(r->kind, SCRY_T_BITFIELD);
    ck_assert_uint_eq(r->bit_position, 3);
    ck_assert_uint_eq(r->bit_length, 5);
    ck_assert_str_eq(sub(st, r).name, "unsigned int");
    ck_assert_uint_eq(field_off(st, "task", "state", r), 24);
    ck_assert_int_eq(r->kind, SCRY_T_ENUM);
    ck_assert_str_eq(r->name, "state_t");
    ck_assert_uint_eq(field_off(st, "task", "fn", r), 28);
    ck_assert_int_eq(r->kind, SCRY_T_POINTER);
    ck_assert_int_eq(sub(st, r).kind, SCRY_T_FUNCTION);
    ck_assert_uint_eq(field_off(st, "task", "priv", r), 36);
    ck_assert_int_eq(sub(st, r).kind, SCRY_T_VOID);
    ck_assert_uint_eq(field_off(st, "task", "tasks", r), 64);
    ck_assert_int_eq(r->kind, SCRY_T_STRUCT);
    ck_assert_str_eq(r->name, "list_head");
    ck_assert_uint_eq(field_off(st, "task", "\xc3\xa9t\xc3\xa9", NULL), 80);
    ck_assert_uint_eq(field_off(st, "list_head", "prev", r), 8);
    ck_assert_int_eq(r->kind, SCRY_T_POINTER);
    ck_assert_str_eq(sub(st, r).name, "list_head");
    /* Equal shapes are one record (hash-consed). */
    struct scry_typeref r20, *r2 = &r20;
    field_off(st, "list_head", "next", r2);
    ck_assert_int_eq(r->kind, r2->kind);
    ck_assert_uint_eq(r->sub, r2->sub);

    /* Anonymous members, two levels down, offsets added (48 + 0 + 12). */
    ck_assert_uint_eq(field_off(st, "task", "unnamed_field_0", r), 48);
    ck_assert_int_eq(r->kind, SCRY_T_UNION);
    ck_assert_uint_eq(field_off(st, "task", "a", NULL), 48);
    ck_assert_uint_eq(field_off(st, "task", "b", NULL), 52);
    ck_assert_uint_eq(field_off(st, "task", "deep", r), 60);
    ck_assert_str_eq(r->name, "int");
    ck_assert_uint_eq(field_off(st, "unnamed_u1", "deep", NULL), 12);

    ck_assert_int_eq(scry_sym_enum_value(st, "state_t", "DEAD", &e), SCRY_OK);
    ck_assert_int_eq(e, INT64_MIN);
    ck_assert_int_eq(scry_sym_enum_value(st, "state_t", "MAX", &e), SCRY_OK);
    ck_assert_int_eq(e, INT64_MAX);
    ck_assert_int_eq(scry_sym_enum_value(st, "state_t", "BIG", &e), SCRY_OK);
    ck_assert_int_eq(e, -1);
    ck_assert_int_eq(scry_sym_enum_value(st, "state_t", "RUNNING", &e), SCRY_OK);
    ck_assert_int_eq(e, 0);

    /* Misses name what is missing. */
    ck_assert_int_eq(scry_sym_field(st, "task", "nope", &v, NULL), SCRY_ERR_NOT_FOUND);
    ck_assert_str_eq(scry_last_error(), "user type task has no field nope");
    ck_assert_int_eq(scry_sym_field(st, "nope", "pid", &v, NULL), SCRY_ERR_NOT_FOUND);
    ck_assert_int_eq(scry_sym_address(st, "nope", &v), SCRY_ERR_NOT_FOUND);
    ck_assert_ptr_nonnull(strstr(scry_last_error(), "nope"));
    ck_assert_int_eq(scry_sym_type_size(st, "nope", &v), SCRY_ERR_NOT_FOUND);
    ck_assert_int_eq(scry_sym_enum_value(st, "state_t", "nope", &e), SCRY_ERR_NOT_FOUND);
    ck_assert_int_eq(scry_sym_enum_value(st, "nope", "DEAD", &e), SCRY_ERR_NOT_FOUND);
    ck_assert_int_eq(scry_sym_base_type(st, "task", &v, &sg), SCRY_ERR_NOT_FOUND);
}

START_TEST(test_good_memory)
{
    struct scry_symtab *st = parse_ok(good_isf);
    check_good(st);
    scry_isf_free(st);
    scry_isf_free(NULL);
}
END_TEST

static void *gzip_bytes(const void *in, size_t len, size_t *outlen)
{
    z_stream z = {0};
    size_t cap = len + 1024;
    unsigned char *out = malloc(cap);
    ck_assert_int_eq(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
    z.next_in = (Bytef *)in;
    z.avail_in = (uInt)len;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    ck_assert_int_eq(deflate(&z, Z_FINISH), Z_STREAM_END);
    *outlen = z.total_out;
    deflateEnd(&z);
    return out;
}

static void *xz_bytes_preset(const void *in, size_t len, uint32_t preset, size_t *outlen)
{
    size_t cap = lzma_stream_buffer_bound(len), pos = 0;
    uint8_t *out = malloc(cap);
    ck_assert_int_eq(
        lzma_easy_buffer_encode(preset, LZMA_CHECK_CRC64, NULL, in, len, out, &pos, cap), LZMA_OK);
    *outlen = pos;
    return out;
}

static void *xz_bytes(const void *in, size_t len, size_t *outlen)
{
    return xz_bytes_preset(in, len, 6, outlen);
}

static struct scry_symtab *load_bytes(const void *data, size_t len, scry_status want)
{
    struct scry_symtab *st = NULL;
    char *path = tu_write_temp(data, len);
    ck_assert_ptr_nonnull(path);
    scry_status rc = scry_isf_load(path, &st);
    ck_assert_msg(rc == want, "load: got %d (%s), want %d", rc, scry_last_error(), want);
    if (rc != SCRY_OK)
        ck_assert_ptr_nonnull(strstr(scry_last_error(), path));
    unlink(path);
    free(path);
    return st;
}

START_TEST(test_good_files)
{
    size_t n;
    void *gz = gzip_bytes(good_isf, strlen(good_isf), &n);
    struct scry_symtab *st = load_bytes(gz, n, SCRY_OK);
    check_good(st);
    scry_isf_free(st);
    /* A compressed buffer handed to parse is decoded too. */
    ck_assert_int_eq(scry_isf_parse(gz, n, &st), SCRY_OK);
    check_good(st);
    scry_isf_free(st);
    /* Truncated gzip: the JSON is cut, or the stream is. */
    load_bytes(gz, n / 2, SCRY_ERR_CORRUPT);
    load_bytes(gz, n - 4, SCRY_ERR_CORRUPT);
    free(gz);

    void *xz = xz_bytes(good_isf, strlen(good_isf), &n);
    st = load_bytes(xz, n, SCRY_OK);
    check_good(st);
    scry_isf_free(st);
    load_bytes(xz, n - 10, SCRY_ERR_CORRUPT);
    ((uint8_t *)xz)[n / 2] ^= 0x55;
    load_bytes(xz, n, SCRY_ERR_CORRUPT);
    free(xz);

    st = load_bytes(good_isf, strlen(good_isf), SCRY_OK);
    check_good(st);
    scry_isf_free(st);

    ck_assert_int_eq(scry_isf_load("/nonexistent/isf.json.xz", &st), SCRY_ERR_IO);
    ck_assert_ptr_nonnull(strstr(scry_last_error(), "/nonexistent/isf.json.xz"));
}
END_TEST

/* Many symbols, long names and escapes: tokens straddle every read and
 * decode chunk boundary, so the slow paths of the tokenizer run. */
START_TEST(test_chunk_boundaries)
{
    enum { N = 30000 };
    size_t cap = (size_t)N * 400 + 1024, len = 0;
    char *j = malloc(cap);
    len += (size_t)sprintf(j + len, "{\"base_types\": {}, \"user_types\": {}, \"enums\": {},"
                                    " \"symbols\": {");
    for (int i = 0; i < N; i++) {
        int pad = i % 97;
        len += (size_t)sprintf(j + len, "%s\n  \"sym_%d_%.*s\\u00e9\\n\": {\"address\": %" PRIu64,
                               i ? "," : "", i, pad,
                               "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
                               "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
                               UINT64_MAX - (uint64_t)i * 7919);
        /* A number nobody reads, 65 to 160 characters long. */
        len += (size_t)sprintf(j + len, ", \"big\": -%d", i % 9 + 1);
        for (int k = 0; k < 64 + i % 96; k++)
            j[len++] = (char)('0' + (i + k) % 10);
        len += (size_t)sprintf(j + len, "e%d}", i % 400);
    }
    len += (size_t)sprintf(j + len, "}}");
    for (int variant = 0; variant < 3; variant++) {
        size_t n = len;
        void *buf = variant == 0 ? (void *)j : variant == 1 ? gzip_bytes(j, len, &n) : xz_bytes(j, len, &n);
        struct scry_symtab *st = load_bytes(buf, n, SCRY_OK);
        ck_assert_uint_eq(scry_sym_count_symbols(st), N);
        for (int i = 0; i < N; i += 37) {
            char name[200];
            uint64_t v;
            snprintf(name, sizeof name, "sym_%d_%.*s\xc3\xa9\n", i, i % 97,
                     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
                     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
            ck_assert_int_eq(scry_sym_address(st, name, &v), SCRY_OK);
            ck_assert_uint_eq(v, UINT64_MAX - (uint64_t)i * 7919);
        }
        scry_isf_free(st);
        if (variant)
            free(buf);
    }
    free(j);
}
END_TEST

/* A large table (several MB of JSON, far beyond the decoder's ring of
 * chunks) whose symbol number bad_at, if any, is not an object. */
static char *big_isf(int n, int bad_at, size_t *len)
{
    size_t cap = (size_t)n * 120 + 256, l = 0;
    char *j = malloc(cap);
    l += (size_t)sprintf(j, "{\"base_types\": {}, \"user_types\": {}, \"enums\": {}, \"symbols\": {");
    for (int i = 0; i < n; i++) {
        if (i == bad_at)
            l += (size_t)sprintf(j + l, "%s\n  \"sym_%d\": 5", i ? "," : "", i);
        else
            l += (size_t)sprintf(j + l, "%s\n  \"sym_%d_%08x\": {\"address\": %" PRIu64 ", \"type\": "
                                        "{\"kind\": \"base\", \"name\": \"int\"}}",
                                 i ? "," : "", i, (unsigned)i * 2654435761u,
                                 (uint64_t)i * 0x9e3779b97f4a7c15u);
    }
    l += (size_t)sprintf(j + l, "}}");
    *len = l;
    return j;
}

/* Compressed input is decoded in a second thread. A parser error early or
 * late in the stream must stop it (the test would hang or leak otherwise),
 * and a decoder error must reach the caller with the decoder's message. */
START_TEST(test_pipeline)
{
    enum { N = 20000 };
    static const int bad[] = {-1, 3, N / 2, N - 1};
    struct scry_symtab *st = NULL;
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
        size_t len, n;
        char *j = big_isf(N, bad[k], &len);
        char want[64];
        /* Symbol i sits on line i + 2. */
        snprintf(want, sizeof want, "line %d: symbol sym_%d must be an object", bad[k] + 2, bad[k]);
        for (int variant = 1; variant <= 2; variant++) {
            /* xz preset 1: quick to make, decoded the same way. */
            void *z = variant == 1 ? gzip_bytes(j, len, &n) : xz_bytes_preset(j, len, 1, &n);
            for (int mem = 0; mem < 2; mem++) {
                if (mem) {
                    scry_status rc = scry_isf_parse(z, n, &st);
                    ck_assert_int_eq(rc, bad[k] < 0 ? SCRY_OK : SCRY_ERR_CORRUPT);
                } else
                    st = load_bytes(z, n, bad[k] < 0 ? SCRY_OK : SCRY_ERR_CORRUPT);
                if (bad[k] < 0) {
                    uint64_t v;
                    ck_assert_uint_eq(scry_sym_count_symbols(st), N);
                    ck_assert_int_eq(scry_sym_address(st, "sym_19999_0fcbaa6f", &v), SCRY_OK);
                    ck_assert_uint_eq(v, (uint64_t)19999 * 0x9e3779b97f4a7c15u);
                    scry_isf_free(st);
                } else {
                    ck_assert_ptr_null(st);
                    ck_assert_msg(strstr(scry_last_error(), want), "%s", scry_last_error());
                }
            }
            if (bad[k] < 0) {
                /* Cut in the middle: the JSON so far is a valid prefix, so
                 * the decoder's own message is what the caller sees. */
                load_bytes(z, n / 2, SCRY_ERR_CORRUPT);
                ck_assert_msg(strstr(scry_last_error(), variant == 1 ? "gzip stream is truncated"
                                                                     : "xz stream is truncated"),
                              "%s", scry_last_error());
                ck_assert_int_eq(scry_isf_parse(z, n / 2, &st), SCRY_ERR_CORRUPT);
                ck_assert_msg(strstr(scry_last_error(), variant == 1 ? "gzip stream is truncated"
                                                                     : "xz stream is truncated"),
                              "%s", scry_last_error());
                ck_assert_msg(strncmp(scry_last_error(), "ISF: ", 5) == 0, "%s",
                              scry_last_error());
            }
            free(z);
        }
        free(j);
    }
}
END_TEST

/* Malformed input: status and a message fragment. */
#define HEAD "{\"base_types\": {}, \"enums\": {}, \"symbols\": {}, "
#define UT(body) HEAD "\"user_types\": {\"t\": " body "}}"
#define FIELD(body) UT("{\"size\": 8, \"kind\": \"struct\", \"fields\": {\"f\": " body "}}")
#define SYMS(body) "{\"base_types\": {}, \"enums\": {}, \"user_types\": {}, \"symbols\": " body "}"
static const struct bad {
    const char *json;
    scry_status want;
    const char *msg;
} bad_cases[] = {
    {"", SCRY_ERR_CORRUPT, "line 1: expected a value, found end of input"},
    {"   \n  ", SCRY_ERR_CORRUPT, "line 2: expected a value"},
    {"[]", SCRY_ERR_CORRUPT, "must be a JSON object"},
    {"42", SCRY_ERR_CORRUPT, "must be a JSON object"},
    {"{\"symbols\": {}", SCRY_ERR_CORRUPT, "found end of input"},
    {"{\n\"symbols\" {}}", SCRY_ERR_CORRUPT, "line 2: expected ':', found '{'"},
    {"{\"a\": 1,}", SCRY_ERR_CORRUPT, "expected a string key"},
    {"{\"a\": [1,]}", SCRY_ERR_CORRUPT, "expected a value"},
    {HEAD "\"user_types\": {}} x", SCRY_ERR_CORRUPT, "after the document"},
    {"{\"a\": tru}", SCRY_ERR_CORRUPT, "bad literal"},
    {"{\"a\": \"abc}", SCRY_ERR_CORRUPT, "unterminated string"},
    {"{\"a\": \"a\x01\"}", SCRY_ERR_CORRUPT, "control character"},
    {"{\"a\": \"\\x\"}", SCRY_ERR_CORRUPT, "bad escape"},
    {"{\"a\": \"\\ud800x\"}", SCRY_ERR_CORRUPT, "surrogate"},
    {"{\"a\": 01}", SCRY_ERR_CORRUPT, "malformed number"},
    {"{\"a\": 1.}", SCRY_ERR_CORRUPT, "malformed number"},
    {"{\"a\": -}", SCRY_ERR_CORRUPT, "malformed number"},
    /* A long number is fine where nobody reads it, an error naming the key
     * where it is read and does not fit. */
    {HEAD "\"user_types\": {}, \"x\": "
          "-111111111111111111111111111111111111111111111111111111111111111111111111.5e-99999}",
     SCRY_OK, NULL},
    {HEAD "\"user_types\": {}, \"x\": "
          "111111111111111111111111111111111111111111111111111111111111111111111111.}",
     SCRY_ERR_CORRUPT, "malformed number"},
    {UT("{\"size\": 111111111111111111111111111111111111111111111111111111111111111111111111, "
        "\"kind\": \"struct\", \"fields\": {}}"),
     SCRY_ERR_CORRUPT, "line 1: user type t: \"size\" does not fit in 64 bits"},
    {FIELD("{\"type\": {\"kind\": \"base\", \"name\": \"int\"}, \"offset\": "
           "000000000000000000000000000000000000000000000000000000000000000000000000001}"),
     SCRY_ERR_CORRUPT, "malformed number"},
    {FIELD("{\"type\": {\"kind\": \"base\", \"name\": \"int\"}, \"offset\": "
           "184467440737095516150000000000000000000000000000000000000000000000000000000}"),
     SCRY_ERR_CORRUPT, "line 1: user type t: field f: \"offset\" does not fit in 64 bits"},
    {FIELD("{\"type\": {\"kind\": \"array\", \"count\": 1e99999, \"subtype\": {\"kind\": "
           "\"function\"}}, \"offset\": 0}"),
     SCRY_ERR_CORRUPT, "user type t: field f: \"count\" must be an integer"},
    {SYMS("{\"s\": {\"address\": "
          "-1844674407370955161500000000000000000000000000000000000000000000000000000000}}"),
     SCRY_ERR_CORRUPT, "symbol s: \"address\" must not be negative"},
    {HEAD "\"user_types\": {}}", SCRY_OK, NULL},
    {"{\"base_types\": {}, \"enums\": {}, \"symbols\": {}}", SCRY_ERR_CORRUPT,
     "no \"user_types\" section"},
    {HEAD "\"user_types\": []}", SCRY_ERR_CORRUPT, "\"user_types\" must be an object"},
    {UT("5"), SCRY_ERR_CORRUPT, "user type t must be an object"},
    {UT("{\"kind\": \"struct\", \"fields\": {}}"), SCRY_ERR_CORRUPT, "user type t: no size"},
    {UT("{\"size\": 1, \"fields\": {}}"), SCRY_ERR_CORRUPT, "user type t: no kind"},
    {UT("{\"size\": 1, \"kind\": \"struct\"}"), SCRY_ERR_CORRUPT, "user type t: no fields"},
    {UT("{\"size\": 1, \"kind\": \"blob\", \"fields\": {}}"), SCRY_ERR_CORRUPT,
     "kind must be struct, union or class"},
    {UT("{\"size\": \"8\", \"kind\": \"struct\", \"fields\": {}}"), SCRY_ERR_CORRUPT,
     "\"size\" must be not a string"},
    {UT("{\"size\": -8, \"kind\": \"struct\", \"fields\": {}}"), SCRY_ERR_CORRUPT,
     "\"size\" must not be negative"},
    {UT("{\"size\": 8.5, \"kind\": \"struct\", \"fields\": {}}"), SCRY_ERR_CORRUPT,
     "\"size\" must be an integer"},
    {UT("{\"size\": 18446744073709551616, \"kind\": \"struct\", \"fields\": {}}"),
     SCRY_ERR_CORRUPT, "does not fit in 64 bits"},
    {UT("{\"size\": null, \"kind\": \"struct\", \"fields\": {}}"), SCRY_ERR_CORRUPT,
     "must be not null"},
    {FIELD("{\"type\": {\"kind\": \"base\", \"name\": \"int\"}}"), SCRY_ERR_CORRUPT,
     "line 1: user type t: field f: no offset"},
    {FIELD("{\"offset\": 0}"), SCRY_ERR_CORRUPT, "user type t: field f: no type"},
    {FIELD("{\"offset\": 0, \"type\": {\"name\": \"int\"}}"), SCRY_ERR_CORRUPT, "has no kind"},
    {FIELD("{\"offset\": 0, \"type\": {\"kind\": \"base\"}}"), SCRY_ERR_CORRUPT,
     "a base type has no name"},
    {FIELD("{\"offset\": 0, \"type\": {\"kind\": \"pointer\"}}"), SCRY_ERR_CORRUPT,
     "a pointer type has no subtype"},
    {FIELD("{\"offset\": 0, \"type\": {\"kind\": \"array\", \"subtype\": {\"kind\": \"function\"}}}"),
     SCRY_ERR_CORRUPT, "an array type has no count"},
    {FIELD("{\"offset\": 0, \"type\": {\"kind\": \"bitfield\", \"bit_length\": 3, \"type\": "
           "{\"kind\": \"base\", \"name\": \"int\"}}}"),
     SCRY_ERR_CORRUPT, "bit range"},
    {FIELD("{\"offset\": 0, \"type\": {\"kind\": \"bitfield\", \"bit_length\": 3, \"bit_position\": "
           "126, \"type\": {\"kind\": \"base\", \"name\": \"int\"}}}"),
     SCRY_ERR_CORRUPT, "beyond 128"},
    {FIELD("{\"offset\": 0, \"type\": {\"kind\": \"widget\"}}"), SCRY_ERR_CORRUPT,
     "unknown type kind \"widget\""},
    {FIELD("{\"offset\": 0, \"type\": [1]}"), SCRY_ERR_CORRUPT, "\"type\" must be an object"},
    {FIELD("{\"offset\": 0, \"anonymous\": 1, \"type\": {\"kind\": \"function\"}}"),
     SCRY_ERR_CORRUPT, "\"anonymous\" must be not a number"},
    {SYMS("{\"s\": {\"type\": {\"kind\": \"function\"}}}"), SCRY_ERR_CORRUPT, "symbol s: no address"},
    {SYMS("{\"s\": {\"address\": 1, \"constant_data\": \"abc\"}}"), SCRY_ERR_CORRUPT,
     "symbol s: constant_data is not valid base64"},
    {SYMS("{\"s\": {\"address\": 1, \"constant_data\": \"ab!=\"}}"), SCRY_ERR_CORRUPT,
     "not valid base64"},
    {SYMS("{\"s\": {\"address\": 1, \"constant_data\": 5}}"), SCRY_ERR_CORRUPT,
     "\"constant_data\" must be not a number"},
    /* Duplicates keep their last value, which must still be valid. */
    {SYMS("{\"s\": {\"address\": 1}, \"s\": {\"type\": {\"kind\": \"function\"}}}"),
     SCRY_ERR_CORRUPT, "symbol s: no address"},
    {FIELD("{\"offset\": 0, \"type\": {\"kind\": \"base\", \"name\": \"int\"}}, \"f\": "
           "{\"offset\": 1}"),
     SCRY_ERR_CORRUPT, "user type t: field f: no type"},
    {SYMS("{\"s\\u0000x\": {\"address\": 1}}"), SCRY_ERR_CORRUPT, "NUL"},
    {SYMS("{\"s\": {\"address\": -1}}"), SCRY_ERR_CORRUPT, "must not be negative"},
    {SYMS("{\"s\": {\"address\": 1e3}}"), SCRY_ERR_CORRUPT, "must be an integer"},
    {"{\"base_types\": {\"int\": {\"size\": 4}}, \"enums\": {}, \"user_types\": {}, \"symbols\": {}}",
     SCRY_ERR_CORRUPT, "base type int: no \"signed\""},
    {"{\"base_types\": {}, \"enums\": {\"e\": {\"size\": 4, \"base\": \"int\", \"constants\": "
     "{\"A\": 1.5}}}, \"user_types\": {}, \"symbols\": {}}",
     SCRY_ERR_CORRUPT, "enum e: constant A: must be an integer"},
    {"{\"base_types\": {}, \"enums\": {\"e\": {\"size\": 4, \"base\": \"int\", \"constants\": "
     "{\"A\": -9223372036854775809}}}, \"user_types\": {}, \"symbols\": {}}",
     SCRY_ERR_CORRUPT, "does not fit in 64 bits"},
    {"{\"base_types\": {}, \"enums\": {\"e\": {\"size\": 4, \"constants\": {}}}, \"user_types\": "
     "{}, \"symbols\": {}}",
     SCRY_ERR_CORRUPT, "enum e: no base"},
};

START_TEST(test_malformed)
{
    const struct bad *c = &bad_cases[_i];
    struct scry_symtab *st = NULL;
    scry_status rc = scry_isf_parse(c->json, strlen(c->json), &st);
    ck_assert_msg(rc == c->want, "case %d: got %d (%s), want %d", _i, rc, scry_last_error(),
                  c->want);
    if (rc == SCRY_OK) {
        scry_isf_free(st);
        return;
    }
    ck_assert_ptr_null(st);
    ck_assert_msg(strstr(scry_last_error(), c->msg), "case %d: message \"%s\" lacks \"%s\"", _i,
                  scry_last_error(), c->msg);
    ck_assert_msg(strncmp(scry_last_error(), "ISF: ", 5) == 0, "case %d: %s", _i,
                  scry_last_error());
    ck_assert_ptr_null(strchr(scry_last_error(), '\n'));
}
END_TEST

/* Duplicate keys: the last one wins at every level, as Python's json
 * module (Volatility's parser) decides. */
START_TEST(test_duplicate_keys)
{
    static const char json[] =
        "{\"metadata\": {\"format\": \"1.0.0\"}, \"metadata\": {\"format\": \"0.1\", \"format\": \"6.2.0\"},\n"
        " \"base_types\": {\"gone\": {\"size\": 1, \"signed\": true}},\n"
        " \"base_types\": {\"int\": {\"size\": 4, \"signed\": true},\n"
        "                \"int\": {\"size\": 8, \"signed\": false, \"size\": 2}},\n"
        " \"user_types\": {\"old\": {\"size\": 1, \"kind\": \"struct\", \"fields\": {}}},\n"
        " \"user_types\": {\n"
        "   \"t\": {\"size\": 8, \"kind\": \"struct\", \"fields\": {\"a\": {\"offset\": 0, \"type\": "
        "          {\"kind\": \"base\", \"name\": \"int\"}}}},\n"
        "   \"t\": {\"size\": 32, \"kind\": \"union\", \"kind\": \"struct\",\n"
        "         \"fields\": {\"x\": {\"offset\": 0, \"type\": {\"kind\": \"base\", \"name\": \"int\"}}},\n"
        "         \"fields\": {\n"
        "           \"b\": {\"offset\": 1, \"type\": {\"kind\": \"base\", \"name\": \"int\"}},\n"
        "           \"c\": {\"offset\": 3, \"type\": {\"kind\": \"base\", \"name\": \"int\"}, \"offset\": 4},\n"
        "           \"b\": {\"offset\": 2, \"type\": {\"kind\": \"base\", \"name\": \"int\"},\n"
        "                 \"type\": {\"kind\": \"array\", \"count\": 3, \"count\": 5,\n"
        "                          \"subtype\": {\"kind\": \"base\", \"name\": \"int\"},\n"
        "                          \"subtype\": {\"kind\": \"base\", \"name\": \"char\"}}}}}},\n"
        " \"enums\": {\"e\": {\"size\": 4, \"base\": \"int\", \"constants\": {\"A\": 1}},\n"
        "           \"e\": {\"size\": 4, \"base\": \"int\", \"constants\": {\"B\": 1, \"C\": 7, \"B\": -2}}},\n"
        " \"symbols\": {\"lost\": {\"address\": 1}},\n"
        " \"symbols\": {\"s\": {\"address\": 1, \"constant_data\": \"YWI=\"}, \"s\": {\"address\": 2},\n"
        "             \"u\": {\"address\": 3}, \"u\": {\"address\": 4, \"address\": 5,\n"
        "                                        \"constant_data\": \"YQ==\", \"constant_data\": \"YWJj\"},\n"
        "             \"v\": {\"address\": 6, \"constant_data\": \"YQ==\"}}}\n";
    struct scry_symtab *st = parse_ok(json);
    struct scry_typeref r0, *r = &r0;
    const uint8_t *d;
    size_t n;
    uint64_t v;
    int64_t e;
    int sg;

    ck_assert_str_eq(scry_sym_format_version(st), "6.2.0");
    /* Sections: the second of each replaces the first whole. */
    ck_assert_int_eq(scry_sym_base_type(st, "gone", &v, &sg), SCRY_ERR_NOT_FOUND);
    ck_assert_int_eq(scry_sym_type_size(st, "old", &v), SCRY_ERR_NOT_FOUND);
    ck_assert_int_eq(scry_sym_address(st, "lost", &v), SCRY_ERR_NOT_FOUND);
    /* Entries: a type, a base type, an enum, a symbol defined twice. */
    ck_assert_int_eq(scry_sym_base_type(st, "int", &v, &sg), SCRY_OK);
    ck_assert_uint_eq(v, 2);
    ck_assert_int_eq(sg, 0);
    ck_assert_uint_eq(scry_sym_count_user_types(st), 1);
    ck_assert_int_eq(scry_sym_type_size(st, "t", &v), SCRY_OK);
    ck_assert_uint_eq(v, 32);
    /* Fields: "fields" twice, a field twice, "offset" and "type" twice. */
    ck_assert_int_eq(scry_sym_field(st, "t", "a", &v, NULL), SCRY_ERR_NOT_FOUND);
    ck_assert_int_eq(scry_sym_field(st, "t", "x", &v, NULL), SCRY_ERR_NOT_FOUND);
    ck_assert_uint_eq(field_off(st, "t", "b", r), 2);
    ck_assert_int_eq(r->kind, SCRY_T_ARRAY);
    ck_assert_uint_eq(r->count, 5);
    ck_assert_str_eq(sub(st, r).name, "char");
    ck_assert_uint_eq(field_off(st, "t", "c", NULL), 4);
    /* Enums: the second definition, its constant B's last value. */
    ck_assert_int_eq(scry_sym_enum_value(st, "e", "A", &e), SCRY_ERR_NOT_FOUND);
    ck_assert_int_eq(scry_sym_enum_value(st, "e", "B", &e), SCRY_OK);
    ck_assert_int_eq(e, -2);
    ck_assert_int_eq(scry_sym_enum_value(st, "e", "C", &e), SCRY_OK);
    ck_assert_int_eq(e, 7);
    /* Symbols: s lost its constant_data with its first definition. */
    ck_assert_uint_eq(scry_sym_count_symbols(st), 3);
    ck_assert_int_eq(scry_sym_address(st, "s", &v), SCRY_OK);
    ck_assert_uint_eq(v, 2);
    ck_assert_int_eq(scry_sym_constant_data(st, "s", &d, &n), SCRY_ERR_NOT_FOUND);
    ck_assert_int_eq(scry_sym_address(st, "u", &v), SCRY_OK);
    ck_assert_uint_eq(v, 5);
    ck_assert_int_eq(scry_sym_constant_data(st, "u", &d, &n), SCRY_OK);
    ck_assert_uint_eq(n, 3);
    ck_assert_mem_eq(d, "abc", 3);
    ck_assert_int_eq(scry_sym_constant_data(st, "v", &d, &n), SCRY_OK);
    ck_assert_uint_eq(n, 1);
    scry_isf_free(st);
}
END_TEST

/* Many duplicated fields and constants, then more types: the duplicate
 * index grows and starts afresh for every type. */
START_TEST(test_duplicate_many)
{
    enum { NF = 3000 };
    size_t cap = (size_t)NF * 300 + 4096, len = 0;
    char *j = malloc(cap);
    len += (size_t)sprintf(j, HEAD "\"user_types\": {\"big\": {\"size\": 100000, \"kind\": "
                                   "\"struct\", \"fields\": {");
    for (int round = 0; round < 2; round++)
        for (int i = 0; i < NF; i++)
            len += (size_t)sprintf(j + len, "%s\"f%d\": {\"offset\": %d, \"type\": {\"kind\": "
                                            "\"base\", \"name\": \"int\"}}",
                                   round || i ? ", " : "", i, round * 50000 + i);
    len += (size_t)sprintf(j + len, "}}, \"small\": {\"size\": 8, \"kind\": \"struct\", "
                                    "\"fields\": {\"f1\": {\"offset\": 7, \"type\": {\"kind\": "
                                    "\"base\", \"name\": \"char\"}}}}}}");
    struct scry_symtab *st = parse_ok(j);
    uint64_t v;
    for (int i = 0; i < NF; i += 7) {
        char name[16];
        snprintf(name, sizeof name, "f%d", i);
        ck_assert_uint_eq(field_off(st, "big", name, NULL), (uint64_t)(50000 + i));
    }
    ck_assert_uint_eq(field_off(st, "small", "f1", NULL), 7);
    ck_assert_int_eq(scry_sym_field(st, "small", "f2", &v, NULL), SCRY_ERR_NOT_FOUND);
    scry_isf_free(st);

    /* Symbols with constant_data, then every third one again without: the
     * removals from the constant_data table must leave the others found. */
    len = (size_t)sprintf(j, "{\"base_types\": {}, \"user_types\": {}, \"enums\": {}, "
                             "\"symbols\": {");
    for (int i = 0; i < NF; i++)
        len += (size_t)sprintf(j + len, "%s\"s%d\": {\"address\": %d, \"constant_data\": \"YQ==\"}",
                               i ? ", " : "", i, i);
    for (int i = 0; i < NF; i += 3)
        len += (size_t)sprintf(j + len, ", \"s%d\": {\"address\": %d}", i, i + 1);
    sprintf(j + len, "}}");
    st = parse_ok(j);
    ck_assert_uint_eq(scry_sym_count_symbols(st), NF);
    for (int i = 0; i < NF; i++) {
        char name[16];
        const uint8_t *d;
        size_t n;
        snprintf(name, sizeof name, "s%d", i);
        ck_assert_int_eq(scry_sym_address(st, name, &v), SCRY_OK);
        ck_assert_uint_eq(v, (uint64_t)(i % 3 ? i : i + 1));
        ck_assert_int_eq(scry_sym_constant_data(st, name, &d, &n),
                         i % 3 ? SCRY_OK : SCRY_ERR_NOT_FOUND);
    }
    scry_isf_free(st);
    free(j);
}
END_TEST

/* Nesting: inside a skipped key (the tokenizer's bound) and inside type
 * references (the builder's bound); neither may recurse or crash. */
START_TEST(test_deep_nesting)
{
    size_t depth = 100000, len = 0;
    char *j = malloc(depth * 60 + 256);
    struct scry_symtab *st = NULL;
    len += (size_t)sprintf(j, "{\"metadata\": {\"x\": ");
    for (size_t i = 0; i < depth; i++)
        j[len++] = '[';
    ck_assert_int_eq(scry_isf_parse(j, len, &st), SCRY_ERR_CORRUPT);
    ck_assert_ptr_nonnull(strstr(scry_last_error(), "nesting deeper than 64"));

    /* 60 levels of pointers is legal; 70 is not. */
    for (int levels = 60; levels <= 70; levels += 10) {
        len = (size_t)sprintf(j, "{\"base_types\": {}, \"enums\": {}, \"user_types\": {}, "
                                 "\"symbols\": {\"s\": {\"address\": 1, \"type\": ");
        for (int i = 0; i < levels; i++)
            len += (size_t)sprintf(j + len, "{\"kind\": \"pointer\", \"subtype\": ");
        len += (size_t)sprintf(j + len, "{\"kind\": \"function\"}");
        for (int i = 0; i < levels; i++)
            j[len++] = '}';
        len += (size_t)sprintf(j + len, "}}}");
        scry_status rc = scry_isf_parse(j, len, &st);
        if (levels == 60) {
            ck_assert_msg(rc == SCRY_OK, "%s", scry_last_error());
            struct scry_typeref r0, *r = &r0;
            uint64_t v;
            ck_assert_int_eq(scry_sym_address(st, "s", &v), SCRY_OK);
            (void)r;
            scry_isf_free(st);
        } else {
            ck_assert_int_eq(rc, SCRY_ERR_CORRUPT);
            ck_assert_ptr_nonnull(strstr(scry_last_error(), "nesting deeper than 64"));
        }
    }
    free(j);
}
END_TEST

/* Anonymous members that contain themselves (impossible in C, easy in a
 * hostile ISF) must end the lookup, not loop. */
START_TEST(test_anonymous_cycle)
{
    struct scry_symtab *st = parse_ok(HEAD "\"user_types\": {"
        "\"a\": {\"size\": 8, \"kind\": \"struct\", \"fields\": {"
        "  \"x\": {\"offset\": 0, \"anonymous\": true, \"type\": {\"kind\": \"struct\", \"name\": \"a\"}},"
        "  \"y\": {\"offset\": 4, \"anonymous\": true, \"type\": {\"kind\": \"union\", \"name\": \"a\"}},"
        "  \"z\": {\"offset\": 4, \"anonymous\": true, \"type\": {\"kind\": \"struct\", \"name\": \"gone\"}},"
        "  \"p\": {\"offset\": 2, \"anonymous\": true, \"type\": {\"kind\": \"base\", \"name\": \"int\"}}}}}}");
    uint64_t v;
    ck_assert_int_eq(scry_sym_field(st, "a", "p", &v, NULL), SCRY_OK);
    ck_assert_uint_eq(v, 2);
    ck_assert_int_eq(scry_sym_field(st, "a", "missing", &v, NULL), SCRY_ERR_LIMIT);
    scry_isf_free(st);
}
END_TEST

START_TEST(test_public_api)
{
    char *path = tu_write_temp(good_isf, strlen(good_isf));
    scry_symtab *st = NULL;
    uint64_t v;
    ck_assert_int_eq(scry_symtab_load(path, &st), SCRY_OK);
    ck_assert_int_eq(scry_symtab_symbol_address(st, "init_task", &v), SCRY_OK);
    ck_assert_uint_eq(v, UINT64_C(0xffffffff82a1aa40));
    ck_assert_int_eq(scry_symtab_type_size(st, "list_head", &v), SCRY_OK);
    ck_assert_uint_eq(v, 16);
    ck_assert_int_eq(scry_symtab_field_offset(st, "task", "deep", &v), SCRY_OK);
    ck_assert_uint_eq(v, 60);
    ck_assert_int_eq(scry_symtab_field_offset(st, "task", "zzz", &v), SCRY_ERR_NOT_FOUND);
    scry_symtab_free(st);
    scry_symtab_free(NULL);
    unlink(path);
    free(path);
}
END_TEST

/* The corpus ISF. Expected values were read once with
 *   xz -dc debian-6.1.0-57-cloud-amd64.json.xz | python3 -c 'import json...'
 * (json.load, then plain dict indexing; mm_struct's fields sit in the
 * anonymous struct "unnamed_field_0" at offset 0, task_struct's rcu in the
 * anonymous union at 4968). */
START_TEST(test_corpus_linux)
{
    const char *dir = tu_corpus_dir("test_corpus_linux");
    char path[4096];
    struct scry_symtab *st = NULL;
    uint64_t v;
    const uint8_t *d;
    size_t n;
    struct scry_typeref r0, *r = &r0;
    if (!dir)
        return;
    snprintf(path, sizeof path, "%s/symbols/linux/debian-6.1.0-57-cloud-amd64.json.xz", dir);
    ck_assert_msg(scry_isf_load(path, &st) == SCRY_OK, "%s", scry_last_error());
    ck_assert_str_eq(scry_sym_format_version(st), "6.2.0");
    ck_assert_uint_eq(scry_sym_count_user_types(st), 9853);
    ck_assert_uint_eq(scry_sym_count_symbols(st), 149021);

    ck_assert_int_eq(scry_sym_address(st, "init_task", &v), SCRY_OK);
    ck_assert_uint_eq(v, UINT64_C(18446744071606217280)); /* 0xffffffff82a1aa40 */
    ck_assert_int_eq(scry_sym_address(st, "linux_banner", &v), SCRY_OK);
    ck_assert_uint_eq(v, UINT64_C(18446744071596802016)); /* 0xffffffff8211ffe0 */
    ck_assert_int_eq(scry_sym_constant_data(st, "linux_banner", &d, &n), SCRY_OK);
    ck_assert_uint_eq(n, 204);
    ck_assert_mem_eq(d, "Linux version 6.1.0-57-cloud-amd64 (debian-kernel@lists.debian.org)", 67);
    ck_assert_int_eq(d[203], 0);

    ck_assert_int_eq(scry_sym_type_size(st, "task_struct", &v), SCRY_OK);
    ck_assert_uint_eq(v, 9728);
    ck_assert_uint_eq(field_off(st, "task_struct", "comm", r), 2976);
    ck_assert_int_eq(r->kind, SCRY_T_ARRAY);
    ck_assert_uint_eq(r->count, 16);
    ck_assert_uint_eq(field_off(st, "task_struct", "pid", r), 2416);
    ck_assert_str_eq(r->name, "int");
    ck_assert_uint_eq(field_off(st, "task_struct", "tgid", NULL), 2420);
    ck_assert_uint_eq(field_off(st, "task_struct", "tasks", r), 2192);
    ck_assert_str_eq(r->name, "list_head");
    ck_assert_uint_eq(field_off(st, "task_struct", "mm", r), 2272);
    ck_assert_int_eq(r->kind, SCRY_T_POINTER);
    ck_assert_str_eq(sub(st, r).name, "mm_struct");
    ck_assert_uint_eq(field_off(st, "task_struct", "__state", NULL), 24);
    ck_assert_uint_eq(field_off(st, "task_struct", "rcu", NULL), 4968);
    ck_assert_int_eq(scry_sym_type_size(st, "mm_struct", &v), SCRY_OK);
    ck_assert_uint_eq(v, 1096);
    ck_assert_uint_eq(field_off(st, "mm_struct", "arg_start", NULL), 312);
    ck_assert_uint_eq(field_off(st, "mm_struct", "pgd", NULL), 72);
    ck_assert_uint_eq(field_off(st, "list_head", "next", NULL), 0);

    int sg;
    ck_assert_int_eq(scry_sym_base_type(st, "pointer", &v, &sg), SCRY_OK);
    ck_assert_uint_eq(v, 8);
    ck_assert_int_eq(sg, 0);
    int64_t e;
    ck_assert_int_eq(scry_sym_enum_value(st, "pid_type", "PIDTYPE_SID", &e), SCRY_OK);
    ck_assert_int_eq(e, 3);
    scry_isf_free(st);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("isf");
    TCase *tc = tcase_create("isf");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_good_memory);
    tcase_add_test(tc, test_good_files);
    tcase_add_test(tc, test_chunk_boundaries);
    tcase_add_test(tc, test_pipeline);
    tcase_add_loop_test(tc, test_malformed, 0, (int)(sizeof bad_cases / sizeof *bad_cases));
    tcase_add_test(tc, test_duplicate_keys);
    tcase_add_test(tc, test_duplicate_many);
    tcase_add_test(tc, test_deep_nesting);
    tcase_add_test(tc, test_anonymous_cycle);
    tcase_add_test(tc, test_public_api);
    tcase_add_test(tc, test_corpus_linux);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run_suite(suite()); }
