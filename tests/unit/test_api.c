/* test_api.c - the public C API (memscry/memscry.h) exactly as a binding
 * sees it: no internal header is included here.
 *
 * The synthetic tests need nothing but a temporary directory. The corpus
 * tests use dev-small (.raw, .elf) from $MEMSCRY_CORPUS_DATA (else
 * <build>/corpus-data) and the ISF and goldens from the corpus directory
 * ($MEMSCRY_CORPUS, else <source>/../shared/corpus); they print a SKIP line
 * and pass when either is absent.
 *
 * Expected corpus values and where they come from:
 *  - corpus README, dev-small: KERNELOFFSET=3ac00000 (the virtual shift),
 *    NUMBER(phys_base)=-0x37600000 (so the physical shift is 0x3ac00000 -
 *    0x37600000 = 0x3600000), 4-level paging, 256 MiB of RAM, the ELF's
 *    PT_LOAD 0 = all RAM from 0 and PT_LOAD 1 = the 256 KiB BIOS alias at
 *    0xfffc0000; the kernel banner.
 *  - test_isf.c (read with python's json module from the ISF):
 *    linux_banner = 0xffffffff8211ffe0, task_struct is 9728 bytes, comm at
 *    2976.
 *  - golden/dev-small.raw/linux.pslist.PsList.json: pid 1 "init" at
 *    OFFSET (V) 153032924895232 (0x8b2ec1209800), pid 2 "kthreadd" at
 *    153032924889088 (0x8b2ec1208000), both PPID 0; 111 processes.
 *  - golden/dev-small.raw/banners.Banners.json: 3 banners at 0x56001a0,
 *    0x571ffe0 (the real linux_banner: 0x8211ffe0 - 0x80000000 + 0x3600000)
 *    and 0x68f6480. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "memscry/memscry.h"
#include "testutil.h"

#define MiB (1024u * 1024u)
#define DEV_SMALL_RAM UINT64_C(268435456)
#define DEV_SMALL_VSHIFT UINT64_C(0x3ac00000)
#define DEV_SMALL_PSHIFT UINT64_C(0x3600000)
#define ISF_LINUX_BANNER UINT64_C(0xffffffff8211ffe0)
#define START_KERNEL_MAP UINT64_C(0xffffffff80000000)
#define ISF_NAME "debian-6.1.0-57-cloud-amd64.json.xz"
#define BANNER_PREFIX "Linux version 6.1.0-57-cloud-amd64"
#define DEV_SMALL_BANNER                                                                           \
    "Linux version 6.1.0-57-cloud-amd64 (debian-kernel@lists.debian.org) (gcc-12 (Debian "        \
    "12.2.0-14+deb12u1) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40) #1 SMP PREEMPT_DYNAMIC "    \
    "Debian 6.1.192-3 (2026-11-26)"

/* Detection's answer on a dump with no kernel: every OS tried, and what
 * each missed (lib/os/os.c; Linux is the only OS so far). */
#define NO_KERNEL_MSG                                                                          \
    "no operating system found: no Linux kernel banner found in physical memory"                \
    "; no Windows x64 page table (a PML4 that maps itself) found"

/* ------------------------------------------------------------- helpers */

/* A status check that shows the library's message when it fails. */
#define ck_ok(expr)                                                                                \
    do {                                                                                           \
        scry_status st_ = (expr);                                                                  \
        ck_assert_msg(st_ == SCRY_OK, "%s -> %d (%s)", #expr, (int)st_, scry_last_error());        \
    } while (0)

/* A failure with an exact status and an exact message. */
#define ck_fails(expr, status, message)                                                            \
    do {                                                                                           \
        scry_status st_ = (expr);                                                                  \
        ck_assert_msg(st_ == (status), "%s -> %d, want %d (%s)", #expr, (int)st_, (int)(status),   \
                      scry_last_error());                                                          \
        ck_assert_str_eq(scry_last_error(), (message));                                            \
    } while (0)

static int starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}


/* A temporary file of len bytes where the 8-byte word at offset a holds
 * pattern(a): every byte knows its address. */
static uint8_t pattern_byte(uint64_t a)
{
    uint64_t w = (a & ~UINT64_C(7)) * UINT64_C(0x9E3779B97F4A7C15) ^ UINT64_C(0x5eed);
    return (uint8_t)(w >> (8 * (a & 7)));
}

static char *write_pattern_file(size_t len)
{
    uint8_t *b = malloc(len ? len : 1);
    char *path;
    ck_assert_ptr_nonnull(b);
    for (size_t i = 0; i < len; i++)
        b[i] = pattern_byte(i);
    path = tu_write_temp(b, len);
    free(b);
    ck_assert_ptr_nonnull(path);
    return path;
}

static void remove_temp(char *path)
{
    unlink(path);
    free(path);
}

static int plugin_index(const char *name)
{
    for (size_t i = 0; i < scry_plugin_count(); i++)
        if (strcmp(scry_plugin_name(i), name) == 0)
            return (int)i;
    return -1;
}

/* The contexts of the running test (tcase fixture): `ctx` has no symbol
 * directory, `sym_ctx` has <corpus>/symbols. Made and freed around each
 * test, in the test's own process. */
static scry_context *ctx, *sym_ctx;
static const char *symdir(void);

static void contexts_setup(void)
{
    ck_ok(scry_context_new(&ctx));
    ck_ok(scry_context_new(&sym_ctx));
}

static void corpus_contexts_setup(void)
{
    contexts_setup();
    if (tu_corpus_dir("symbols"))
        ck_ok(scry_context_add_symbol_dir(sym_ctx, symdir()));
}

static void contexts_teardown(void)
{
    scry_context_free(ctx);
    scry_context_free(sym_ctx);
    ctx = sym_ctx = NULL;
}

/* Corpus locations. */
static const char *corpus_data(void)
{
    const char *e = getenv("MEMSCRY_CORPUS_DATA");
    return e && *e ? e : SCRY_BINARY_DIR "/corpus-data";
}

/* Path of a corpus dump in *out, or 0 after a SKIP line. */
static int corpus_dump_path(const char *what, const char *name, char *out, size_t size)
{
    struct stat st;
    if (!tu_corpus_dir(what))
        return 0;
    snprintf(out, size, "%s/%s", corpus_data(), name);
    if (stat(out, &st) != 0) {
        printf("SKIP %s: %s not found (set MEMSCRY_CORPUS_DATA)\n", what, out);
        return 0;
    }
    return 1;
}

static scry_dump *open_corpus_in(scry_context *c, const char *what, const char *name)
{
    char path[4096];
    scry_dump *d = NULL;
    if (!corpus_dump_path(what, name, path, sizeof path))
        return NULL;
    ck_ok(scry_dump_open(c, path, &d));
    return d;
}

/* A corpus dump opened from sym_ctx. */
static scry_dump *open_corpus(const char *what, const char *name)
{
    return open_corpus_in(sym_ctx, what, name);
}

/* <corpus>/symbols (static buffer). */
static const char *symdir(void)
{
    static char buf[2048];
    snprintf(buf, sizeof buf, "%s/symbols", tu_corpus_dir("symbols"));
    return buf;
}

static char *golden(const char *dump, const char *file, size_t *len)
{
    char path[4096];
    char *p;
    snprintf(path, sizeof path, "%s/golden/%s/%s", tu_corpus_dir("golden"), dump, file);
    p = tu_slurp(path, len);
    ck_assert_msg(p != NULL, "cannot read %s", path);
    return p;
}

static scry_session *open_session(scry_dump *d)
{
    scry_session *s = NULL;
    ck_ok(scry_session_open(sym_ctx, d, &s));
    return s;
}

/* ----------------------------------------------------- basics, no corpus */

START_TEST(test_version_and_status)
{
    ck_assert_str_eq(scry_version(), "0.1.0");
    ck_assert_str_eq(scry_version(), SCRY_VERSION_STRING);
    ck_assert_int_eq(SCRY_VERSION_MAJOR, 0);
    ck_assert_int_eq(SCRY_VERSION_MINOR, 1);
    ck_assert_int_eq(SCRY_VERSION_PATCH, 0);
    /* The numbers are part of the ABI: bindings mirror them. */
    ck_assert_int_eq(SCRY_ERR_CANCELLED, 12);
    ck_assert_int_eq(SCRY_COL_DATETIME, 6);
    ck_assert_int_eq(SCRY_CELL_NOT_AVAILABLE, 4);
    ck_assert_str_eq(scry_status_str(SCRY_OK), "success");
    ck_assert_str_eq(scry_status_str(SCRY_ERR_INVALID_ARG), "invalid argument");
    ck_assert_str_eq(scry_status_str(SCRY_ERR_NOMEM), "out of memory");
    ck_assert_str_eq(scry_status_str(SCRY_ERR_IO), "input/output error");
    ck_assert_str_eq(scry_status_str(SCRY_ERR_FORMAT), "unknown dump format");
    ck_assert_str_eq(scry_status_str(SCRY_ERR_CORRUPT), "corrupt input");
    ck_assert_str_eq(scry_status_str(SCRY_ERR_NODATA), "no data");
    ck_assert_str_eq(scry_status_str(SCRY_ERR_UNSUPPORTED), "unsupported");
    ck_assert_str_eq(scry_status_str(SCRY_ERR_NOT_FOUND), "not found");
    ck_assert_str_eq(scry_status_str(SCRY_ERR_NO_SYMBOLS), "no matching symbol table");
    ck_assert_str_eq(scry_status_str(SCRY_ERR_BAD_OPTION), "bad option");
    ck_assert_str_eq(scry_status_str(SCRY_ERR_LIMIT), "limit exceeded");
    ck_assert_str_eq(scry_status_str(SCRY_ERR_CANCELLED), "cancelled");
    ck_assert_str_eq(scry_status_str((scry_status)13), "unknown status");
    ck_assert_str_eq(scry_status_str((scry_status)-1), "unknown status");
}
END_TEST

START_TEST(test_dump_synthetic)
{
    char *path = write_pattern_file(3 * 4096);
    scry_dump *d = NULL;
    uint64_t start = 77, length = 88;
    uint8_t buf[64], want[64];
    size_t holes = 12345;

    ck_ok(scry_dump_open(ctx, path, &d));
    ck_assert_str_eq(scry_dump_format(d), "raw");
    ck_assert_uint_eq(scry_dump_run_count(d), 1);
    ck_ok(scry_dump_run(d, 0, &start, &length));
    ck_assert_uint_eq(start, 0);
    ck_assert_uint_eq(length, 3 * 4096);
    ck_ok(scry_dump_run(d, 0, NULL, NULL));
    /* Past the end: an error, the out-parameters untouched. */
    start = 77, length = 88;
    ck_fails(scry_dump_run(d, 1, &start, &length), SCRY_ERR_INVALID_ARG,
             "scry_dump_run: index 1 out of range");
    ck_assert_uint_eq(start, 77);
    ck_assert_uint_eq(length, 88);

    /* Inside: the bytes, no holes. */
    for (size_t i = 0; i < sizeof want; i++)
        want[i] = pattern_byte(0x1fe0 + i);
    ck_ok(scry_dump_read_phys(d, 0x1fe0, buf, sizeof buf, &holes));
    ck_assert_mem_eq(buf, want, sizeof buf);
    ck_assert_uint_eq(holes, 0);
    /* Across the end of the only run: the tail is zeros and counted. */
    memset(buf, 0xAA, sizeof buf);
    ck_ok(scry_dump_read_phys(d, 3 * 4096 - 16, buf, sizeof buf, &holes));
    for (size_t i = 0; i < 16; i++)
        ck_assert_uint_eq(buf[i], pattern_byte(3 * 4096 - 16 + i));
    for (size_t i = 16; i < sizeof buf; i++)
        ck_assert_uint_eq(buf[i], 0);
    ck_assert_uint_eq(holes, 48);
    /* Entirely outside, holes may be NULL. */
    memset(buf, 0xAA, sizeof buf);
    ck_ok(scry_dump_read_phys(d, 0x100000, buf, sizeof buf, NULL));
    for (size_t i = 0; i < sizeof buf; i++)
        ck_assert_uint_eq(buf[i], 0);
    ck_ok(scry_dump_read_phys(d, 0x100000, buf, sizeof buf, &holes));
    ck_assert_uint_eq(holes, sizeof buf);
    /* At the very top of the address space: no wrap to address 0. */
    memset(buf, 0xAA, sizeof buf);
    ck_ok(scry_dump_read_phys(d, UINT64_MAX - 7, buf, 16, &holes));
    ck_assert_uint_eq(holes, 16);
    for (size_t i = 0; i < 16; i++)
        ck_assert_uint_eq(buf[i], 0);
    /* Zero length is fine, even without a buffer. */
    holes = 9;
    ck_ok(scry_dump_read_phys(d, 0, NULL, 0, &holes));
    ck_assert_uint_eq(holes, 0);

    scry_dump_close(d);

    /* Content decides, never the name. */
    {
        char named[4096];
        snprintf(named, sizeof named, "%s.elf", path);
        ck_assert_int_eq(rename(path, named), 0);
        d = NULL;
        ck_ok(scry_dump_open(ctx, named, &d));
        ck_assert_str_eq(scry_dump_format(d), "raw");
        scry_dump_close(d);
        ck_assert_int_eq(rename(named, path), 0);
    }
    remove_temp(path);
}
END_TEST

START_TEST(test_dump_open_errors)
{
    scry_dump *d = (scry_dump *)&d; /* a sentinel that must survive failures */
    scry_dump *const sentinel = d;
    char msg[512];
    char *empty = tu_write_temp("", 0);
    char *odd = write_pattern_file(4097);
    char *missing = strdup("/nonexistent/memscry-test/dump.raw");

    snprintf(msg, sizeof msg, "%s: No such file or directory", missing);
    ck_fails(scry_dump_open(ctx, missing, &d), SCRY_ERR_IO, msg);
    ck_assert_ptr_eq(d, sentinel);

    snprintf(msg, sizeof msg, "%s: unknown dump format (the file is empty)", empty);
    ck_fails(scry_dump_open(ctx, empty, &d), SCRY_ERR_FORMAT, msg);
    ck_assert_ptr_eq(d, sentinel);

    ck_assert_int_eq(scry_dump_open(ctx, odd, &d), SCRY_ERR_FORMAT);
    ck_assert_ptr_eq(d, sentinel);
    ck_assert_msg(starts_with(scry_last_error(), odd) &&
                      strstr(scry_last_error(), "4097 bytes is not a whole number of 4096-byte "
                                                "pages") != NULL,
                  "%s", scry_last_error());

    ck_fails(scry_dump_open(ctx, NULL, &d), SCRY_ERR_INVALID_ARG, "scry_dump_open: NULL path 0");
    ck_assert_ptr_eq(d, sentinel);
    ck_fails(scry_dump_open(ctx, odd, NULL), SCRY_ERR_INVALID_ARG, "scry_dump_open: NULL argument");
    ck_fails(scry_dump_open(NULL, odd, &d), SCRY_ERR_INVALID_ARG, "scry_dump_open: NULL argument");
    ck_assert_ptr_eq(d, sentinel);
    /* Sets: no paths, no members, a NULL member. */
    {
        const char *set[2] = {odd, NULL};
        ck_fails(scry_dump_open_set(ctx, NULL, 1, &d), SCRY_ERR_INVALID_ARG,
                 "scry_dump_open: NULL argument");
        ck_fails(scry_dump_open_set(ctx, set, 0, &d), SCRY_ERR_INVALID_ARG,
                 "scry_dump_open: NULL argument");
        ck_fails(scry_dump_open_set(ctx, set, 2, &d), SCRY_ERR_INVALID_ARG,
                 "scry_dump_open: NULL path 1");
        ck_assert_ptr_eq(d, sentinel);
    }

    remove_temp(empty);
    remove_temp(odd);
    free(missing);
}
END_TEST

START_TEST(test_null_arguments)
{
    char *path = write_pattern_file(4096);
    scry_dump *d = NULL;
    scry_session *s = NULL, *s_sentinel = (scry_session *)&path;
    scry_result *r = (scry_result *)&path, *const r_sentinel = r;
    scry_symtab *t = (scry_symtab *)&path;
    scry_context *c = (scry_context *)&path;
    scry_runctx *rc = (scry_runctx *)&path;
    const char *argv[1] = {"--pid"};
    const char *str = "untouched", *key = "untouched";
    uint8_t b[4];
    uint64_t v = 5;
    size_t count = 7;
    scry_diag_level level = (scry_diag_level)9;
    scry_status dst = (scry_status)99;
    struct tu_sink sk = {0};

    /* Contexts. */
    ck_fails(scry_context_new(NULL), SCRY_ERR_INVALID_ARG, "scry_context_new: NULL argument");
    ck_fails(scry_context_add_symbol_dir(NULL, "/tmp"), SCRY_ERR_INVALID_ARG,
             "scry_context_add_symbol_dir: NULL argument");
    ck_fails(scry_context_add_symbol_dir(ctx, NULL), SCRY_ERR_INVALID_ARG,
             "scry_context_add_symbol_dir: NULL argument");
    ck_assert_ptr_eq(c, (scry_context *)&path);
    ck_fails(scry_runctx_new(NULL), SCRY_ERR_INVALID_ARG, "scry_runctx_new: NULL argument");
    ck_assert_ptr_eq(rc, (scry_runctx *)&path);

    ck_ok(scry_dump_open(ctx, path, &d));
    ck_fails(scry_dump_read_phys(NULL, 0, b, 4, NULL), SCRY_ERR_INVALID_ARG,
             "scry_dump_read_phys: NULL argument");
    ck_fails(scry_dump_read_phys(d, 0, NULL, 4, NULL), SCRY_ERR_INVALID_ARG,
             "scry_dump_read_phys: NULL argument");
    ck_assert_str_eq(scry_dump_format(NULL), "");
    ck_assert_uint_eq(scry_dump_run_count(NULL), 0);
    ck_fails(scry_dump_run(NULL, 0, &v, &v), SCRY_ERR_INVALID_ARG,
             "scry_dump_run: index 0 out of range");
    ck_assert_uint_eq(v, 5);
    /* What the dump states, on no dump or a bad key. */
    ck_assert_uint_eq(scry_dump_meta_count(NULL), 0);
    ck_fails(scry_dump_meta(NULL, 0, &key, &str), SCRY_ERR_INVALID_ARG,
             "scry_dump_meta: index 0 out of range");
    ck_fails(scry_dump_meta_get(NULL, "format", &str), SCRY_ERR_INVALID_ARG,
             "scry_dump_meta_get: NULL argument");
    ck_fails(scry_dump_meta_get(d, NULL, &str), SCRY_ERR_INVALID_ARG,
             "scry_dump_meta_get: NULL argument");
    ck_assert_str_eq(key, "untouched");
    ck_assert_str_eq(str, "untouched");

    s = s_sentinel;
    ck_fails(scry_session_open(NULL, NULL, &s), SCRY_ERR_INVALID_ARG,
             "scry_session_open: NULL argument");
    ck_fails(scry_session_open(ctx, d, NULL), SCRY_ERR_INVALID_ARG,
             "scry_session_open: NULL argument");
    ck_fails(scry_session_open(ctx, NULL, &s), SCRY_ERR_INVALID_ARG,
             "scry_session_open: NULL argument");
    ck_fails(scry_session_open(NULL, d, &s), SCRY_ERR_INVALID_ARG,
             "scry_session_open: NULL argument");
    ck_assert_ptr_eq(s, s_sentinel);
    ck_ok(scry_session_open(ctx, d, &s));

    ck_fails(scry_session_detect(NULL), SCRY_ERR_INVALID_ARG, "scry_session_detect: NULL session");
    ck_fails(scry_session_info(NULL, "os", &str), SCRY_ERR_INVALID_ARG,
             "scry_session_info: NULL argument");
    ck_fails(scry_session_info(s, NULL, &str), SCRY_ERR_INVALID_ARG,
             "scry_session_info: NULL argument");
    ck_fails(scry_session_info_count(NULL, &count), SCRY_ERR_INVALID_ARG,
             "scry_session_info_count: NULL argument");
    ck_fails(scry_session_info_count(s, NULL), SCRY_ERR_INVALID_ARG,
             "scry_session_info_count: NULL argument");
    ck_fails(scry_session_info_at(NULL, 0, &key, &str), SCRY_ERR_INVALID_ARG,
             "scry_session_info_at: NULL session");
    ck_assert_str_eq(str, "untouched");
    ck_assert_str_eq(key, "untouched");
    ck_assert_uint_eq(count, 7);
    ck_fails(scry_session_read_virt(NULL, 0, b, 4), SCRY_ERR_INVALID_ARG,
             "scry_session_read_virt: NULL session");

    ck_fails(scry_plugin_run(NULL, "banners", 0, NULL, NULL, &r), SCRY_ERR_INVALID_ARG,
             "scry_plugin_run: bad argument");
    ck_fails(scry_plugin_run(s, NULL, 0, NULL, NULL, &r), SCRY_ERR_INVALID_ARG,
             "scry_plugin_run: bad argument");
    ck_fails(scry_plugin_run(s, "banners", 0, NULL, NULL, NULL), SCRY_ERR_INVALID_ARG,
             "scry_plugin_run: bad argument");
    ck_fails(scry_plugin_run(s, "banners", 1, NULL, NULL, &r), SCRY_ERR_INVALID_ARG,
             "scry_plugin_run: bad argument");
    ck_fails(scry_plugin_run(s, "banners", -1, argv, NULL, &r), SCRY_ERR_INVALID_ARG,
             "scry_plugin_run: bad argument");
    ck_assert_ptr_eq(r, r_sentinel);

    ck_fails(scry_result_render(NULL, "json", tu_sink_write, &sk), SCRY_ERR_INVALID_ARG,
             "scry_result_render: no result, renderer or sink");
    ck_assert_int_eq(sk.calls, 0);

    ck_assert_int_eq(scry_symtab_load(NULL, &t), SCRY_ERR_INVALID_ARG);
    ck_assert_int_eq(scry_symtab_load("/tmp", NULL), SCRY_ERR_INVALID_ARG);
    ck_assert_ptr_eq(t, (scry_symtab *)&path);
    ck_assert_int_eq(scry_symtab_symbol_address(NULL, "init_task", &v), SCRY_ERR_INVALID_ARG);
    ck_assert_uint_eq(v, 5);

    /* The accessors on no result. */
    ck_assert_uint_eq(scry_result_column_count(NULL), 0);
    ck_assert_uint_eq(scry_result_row_count(NULL), 0);
    ck_assert_ptr_null(scry_result_column_name(NULL, 0));
    ck_assert_int_eq(scry_result_column_type(NULL, 0), SCRY_COL_INT);
    ck_assert_int_eq(scry_result_row_depth(NULL, 0), -1);
    ck_assert_int_eq(scry_result_cell_state(NULL, 0, 0), SCRY_CELL_NOT_AVAILABLE);
    ck_fails(scry_result_cell_uint(NULL, 0, 0, &v), SCRY_ERR_INVALID_ARG,
             "no cell at row 0 column 0");
    ck_assert_uint_eq(v, 5);
    /* ... and its diagnostics. */
    ck_assert_int_eq(scry_result_partial(NULL), 0);
    ck_assert_uint_eq(scry_result_diag_count(NULL), 0);
    ck_fails(scry_result_diag(NULL, 0, &level, &dst, &str), SCRY_ERR_INVALID_ARG,
             "scry_result_diag: index 0 out of range");
    ck_assert_int_eq(level, 9);
    ck_assert_int_eq(dst, 99);
    ck_assert_str_eq(str, "untouched");

    /* Closing NULL is a no-op. */
    scry_result_free(NULL);
    scry_session_close(NULL);
    scry_symtab_free(NULL);
    scry_dump_close(NULL);
    scry_runctx_free(NULL);
    scry_context_free(NULL);

    scry_session_close(s);
    scry_dump_close(d);
    remove_temp(path);
}
END_TEST

START_TEST(test_symtab_errors)
{
    static const char text[] = "# not json\n";
    char *bad = tu_write_temp(text, sizeof text - 1);
    char *empty_obj = tu_write_temp("{}", 2);
    scry_symtab *t = (scry_symtab *)&bad, *const sentinel = t;
    char msg[512];

    ck_fails(scry_symtab_load("/nonexistent/memscry/x.json", &t), SCRY_ERR_IO,
             "cannot open ISF /nonexistent/memscry/x.json: No such file or directory");
    snprintf(msg, sizeof msg, "ISF %s: line 1: expected a value, found '#'", bad);
    ck_fails(scry_symtab_load(bad, &t), SCRY_ERR_CORRUPT, msg);
    /* Valid JSON, not an ISF. */
    ck_assert_int_eq(scry_symtab_load(empty_obj, &t), SCRY_ERR_CORRUPT);
    ck_assert_msg(starts_with(scry_last_error(), "ISF "), "%s", scry_last_error());
    ck_assert_ptr_eq(t, sentinel);
    remove_temp(bad);
    remove_temp(empty_obj);
}
END_TEST

/* isfinfo runs on a context alone; a plugin that reads a dump is refused
 * there. */
START_TEST(test_plugin_run_context)
{
    scry_context *c;
    scry_result *r = NULL;
    char dir[] = "/tmp/scry-api-isf-XXXXXX", p[256];
    static const char isf[] =
        "{\"metadata\": {\"format\": \"6.2.0\"}, \"base_types\": {}, \"user_types\": {}, "
        "\"enums\": {}, \"symbols\": {\"linux_banner\": {\"address\": 1, "
        "\"constant_data\": \"TGludXggdmVyc2lvbiA2LjEK\"}}}";
    const char *v;
    size_t len;
    int64_t n;
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(p, sizeof p, "%s/linux", dir);
    ck_assert_int_eq(mkdir(p, 0755), 0);
    snprintf(p, sizeof p, "%s/linux/k.json", dir);
    FILE *f = fopen(p, "w");
    fputs(isf, f);
    fclose(f);
    ck_ok(scry_context_new(&c));
    ck_ok(scry_context_add_symbol_dir(c, dir));
    ck_assert_int_eq(scry_plugin_run_context(c, "linux.pslist", 0, NULL, NULL, &r),
                     SCRY_ERR_INVALID_ARG);
    ck_ok(scry_plugin_run_context(c, "isfinfo", 0, NULL, NULL, &r));
    ck_assert_uint_eq(scry_result_row_count(r), 1);
    ck_ok(scry_result_cell_str(r, 0, 6, &v, &len));
    ck_assert_str_eq(v, "b'Linux version 6.1\\n'");
    ck_ok(scry_result_cell_int(r, 0, 4, &n));
    ck_assert_int_eq(n, 1);
    scry_result_free(r);
    const char *argv[] = {"--live", "--filter", "k.json", "zzz"};
    ck_ok(scry_plugin_run_context(c, "isfinfo.IsfInfo", 4, argv, NULL, &r));
    ck_assert_uint_eq(scry_result_row_count(r), 1);
    ck_ok(scry_result_cell_str(r, 0, 6, &v, &len));
    ck_assert_str_eq(v, "Linux version 6.1\n");
    scry_result_free(r);
    /* --validate remembers valid bytes in the cache directory's index: the
     * next listings (this context or a new one) say "True (cached)" */
    char cache[] = "/tmp/scry-api-cache-XXXXXX";
    const char *validate[] = {"--validate"};
    ck_assert_ptr_nonnull(mkdtemp(cache));
    ck_ok(scry_context_set_cache_dir(c, cache));
    ck_ok(scry_plugin_run_context(c, "isfinfo", 1, validate, NULL, &r));
    ck_ok(scry_result_cell_str(r, 0, 1, &v, &len));
    ck_assert_str_eq(v, "True");
    scry_result_free(r);
    scry_context_free(c);
    ck_ok(scry_context_new(&c));
    ck_ok(scry_context_add_symbol_dir(c, dir));
    ck_ok(scry_context_set_cache_dir(c, cache));
    ck_ok(scry_plugin_run_context(c, "isfinfo", 0, NULL, NULL, &r));
    ck_ok(scry_result_cell_str(r, 0, 1, &v, &len));
    ck_assert_str_eq(v, "True (cached)");
    scry_result_free(r);
    scry_context_free(c);
    char rm[64];
    snprintf(rm, sizeof rm, "rm -rf '%s'", cache);
    ck_assert_int_eq(system(rm), 0);
    unlink(p);
    snprintf(p, sizeof p, "%s/linux", dir);
    rmdir(p);
    rmdir(dir);
}
END_TEST

START_TEST(test_plugin_table)
{
    /* Every plugin, with its alias, option count and OS (banners reads any
     * dump, isfinfo none). */
    static const struct {
        const char *name, *alias;
        size_t nopts;
        const char *os;
    } want[] = {
        {"banners.Banners", "banners", 0, ""},
        {"linux.bash.Bash", "linux.bash", 1, "linux"},
        {"linux.capabilities.Capabilities", "linux.capabilities", 1, "linux"},
        {"linux.check_afinfo.Check_afinfo", "linux.check_afinfo", 0, "linux"},
        {"linux.check_creds.Check_creds", "linux.check_creds", 0, "linux"},
        {"linux.check_idt.Check_idt", "linux.check_idt", 0, "linux"},
        {"linux.check_modules.Check_modules", "linux.check_modules", 0, "linux"},
        {"linux.check_syscall.Check_syscall", "linux.check_syscall", 0, "linux"},
        {"linux.ebpf.EBPF", "linux.ebpf", 0, "linux"},
        {"linux.elfs.Elfs", "linux.elfs", 2, "linux"},
        {"linux.envars.Envars", "linux.envars", 1, "linux"},
        {"linux.iomem.IOMem", "linux.iomem", 0, "linux"},
        {"linux.keyboard_notifiers.Keyboard_notifiers", "linux.keyboard_notifiers", 0, "linux"},
        {"linux.kmsg.Kmsg", "linux.kmsg", 0, "linux"},
        {"linux.library_list.LibraryList", "linux.library_list", 1, "linux"},
        {"linux.lsmod.Lsmod", "linux.lsmod", 0, "linux"},
        {"linux.lsof.Lsof", "linux.lsof", 1, "linux"},
        {"linux.malfind.Malfind", "linux.malfind", 1, "linux"},
        {"linux.mountinfo.MountInfo", "linux.mountinfo", 3, "linux"},
        {"linux.netfilter.Netfilter", "linux.netfilter", 0, "linux"},
        {"linux.pagecache.Files", "linux.pagecache.Files", 2, "linux"},
        {"linux.pagecache.InodePages", "linux.pagecache.InodePages", 3, "linux"},
        {"linux.pidhashtable.PIDHashTable", "linux.pidhashtable", 1, "linux"},
        {"linux.proc.Maps", "linux.proc", 4, "linux"},
        {"linux.psaux.PsAux", "linux.psaux", 1, "linux"},
        {"linux.pslist.PsList", "linux.pslist", 4, "linux"},
        {"linux.psscan.PsScan", "linux.psscan", 0, "linux"},
        {"linux.pstree.PsTree", "linux.pstree", 3, "linux"},
        {"linux.ptrace.Ptrace", "linux.ptrace", 0, "linux"},
        {"linux.sockstat.Sockstat", "linux.sockstat", 3, "linux"},
        {"linux.tty_check.tty_check", "linux.tty_check", 0, "linux"},
        {"linux.vmayarascan.VmaYaraScan", "linux.vmayarascan", 7, "linux"},
        {"memscry.malscan.MalScan", "memscry.malscan", 8, "*"},
        {"memscry.proctree.ProcTreeCheck", "memscry.proctree", 0, "*"},
        {"windows.cmdline.CmdLine", "windows.cmdline", 1, "windows"},
        {"windows.dlllist.DllList", "windows.dlllist", 6, "windows"},
        {"windows.envars.Envars", "windows.envars", 2, "windows"},
        {"windows.info.Info", "windows.info", 0, "windows"},
        {"windows.malfind.Malfind", "windows.malfind", 2, "windows"},
        {"windows.modules.Modules", "windows.modules", 3, "windows"},
        {"windows.pslist.PsList", "windows.pslist", 3, "windows"},
        {"windows.psscan.PsScan", "windows.psscan", 3, "windows"},
        {"windows.pstree.PsTree", "windows.pstree", 2, "windows"},
        {"windows.vadinfo.VadInfo", "windows.vadinfo", 4, "windows"},
        {"windows.vadyarascan.VadYaraScan", "windows.vadyarascan", 7, "windows"},
        {"yarascan.YaraScan", "yarascan", 7, "*"},
        {"isfinfo.IsfInfo", "isfinfo", 4, ""},
    };
    const size_t nwant = sizeof want / sizeof want[0];
    const size_t n = scry_plugin_count();
    const char *name = "x", *help = "y";
    int kind = 42;
    int i;

    ck_assert_uint_eq(n, nwant);
    for (size_t k = 0; k < nwant; k++) {
        i = plugin_index(want[k].name);
        ck_assert_msg(i >= 0, "no plugin %s", want[k].name);
        ck_assert_str_eq(scry_plugin_alias((size_t)i), want[k].alias);
        ck_assert_ptr_nonnull(scry_plugin_description((size_t)i));
        ck_assert_uint_eq(scry_plugin_option_count((size_t)i), want[k].nopts);
        ck_assert_str_eq(scry_plugin_os((size_t)i), want[k].os);
        ck_assert_int_eq(scry_plugin_needs_dump((size_t)i), strcmp(want[k].name, "isfinfo.IsfInfo") != 0);
    }
    ck_assert_int_eq(scry_plugin_needs_dump(n), 0);
    ck_assert_str_eq(scry_plugin_os((size_t)plugin_index("linux.pslist.PsList")), "linux");
    ck_assert_str_eq(scry_plugin_os((size_t)plugin_index("banners.Banners")), "");
    ck_assert_ptr_null(scry_plugin_name(n));
    ck_assert_ptr_null(scry_plugin_alias(n));
    ck_assert_ptr_null(scry_plugin_description(n));
    ck_assert_ptr_null(scry_plugin_os(n));
    ck_assert_ptr_null(scry_plugin_os(SIZE_MAX));
    ck_assert_uint_eq(scry_plugin_option_count(n), 0);
    ck_assert_ptr_null(scry_plugin_name(SIZE_MAX));

    i = plugin_index("linux.pslist.PsList");
    ck_assert_str_eq(scry_plugin_description((size_t)i),
                     "Lists the processes present in a particular linux memory image.");
    ck_ok(scry_plugin_option((size_t)i, 0, &name, &help, &kind));
    ck_assert_str_eq(name, "pid");
    ck_assert_str_eq(help, "Filter on specific process IDs");
    ck_assert_int_eq(kind, 1);
    ck_ok(scry_plugin_option((size_t)i, 1, &name, &help, &kind));
    ck_assert_str_eq(name, "threads");
    ck_assert_str_eq(help, "Include user threads");
    ck_assert_int_eq(kind, 0);
    ck_ok(scry_plugin_option((size_t)i, 2, &name, NULL, &kind));
    ck_assert_str_eq(name, "decorate-comm");
    ck_assert_int_eq(kind, 0);
    ck_ok(scry_plugin_option((size_t)i, 2, NULL, NULL, NULL));
    ck_ok(scry_plugin_option((size_t)i, 3, &name, &help, &kind));
    ck_assert_str_eq(name, "dump");
    ck_assert_str_eq(help, "Extract listed processes");

    name = "x", help = "y", kind = 42;
    {
        char msg[64];
        snprintf(msg, sizeof msg, "no option 4 of plugin %d", i);
        ck_fails(scry_plugin_option((size_t)i, 4, &name, &help, &kind), SCRY_ERR_INVALID_ARG, msg);
    }
    ck_assert_str_eq(name, "x");
    ck_assert_str_eq(help, "y");
    ck_assert_int_eq(kind, 42);
    i = plugin_index("banners.Banners");
    ck_fails(scry_plugin_option((size_t)i, 0, &name, &help, &kind), SCRY_ERR_INVALID_ARG,
             "no option 0 of plugin 0");
    ck_assert_int_eq(scry_plugin_option(n, 0, &name, &help, &kind), SCRY_ERR_INVALID_ARG);
    ck_assert_str_eq(name, "x");
}
END_TEST

/* A dump with no kernel: detection fails, banners (physical) still runs,
 * option errors come before detection. */
START_TEST(test_session_without_kernel)
{
    char *path = write_pattern_file(8 * 4096);
    scry_dump *d = NULL;
    scry_session *s = NULL;
    scry_result *r = NULL, *const r_sentinel = (scry_result *)&path;
    const char *os = "untouched", *key = "untouched";
    size_t count = 3;
    uint8_t b[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    struct tu_sink sk = {0};
    size_t len;
    char *text;
    const char *const bad1[] = {"--bogus"};
    const char *const bad2[] = {"--pid", "x"};
    const char *const bad3[] = {"--threads=1"};
    const char *const bad4[] = {"1"};
    const char *const bad5[] = {"--pid", "010"};
    const char *const bad6[] = {"--=5"};

    ck_ok(scry_dump_open(ctx, path, &d));
    ck_ok(scry_session_open(ctx, d, &s));
    ck_fails(scry_session_detect(s), SCRY_ERR_NOT_FOUND,
             NO_KERNEL_MSG);
    /* Idempotent: the same answer and message again. */
    ck_fails(scry_session_detect(s), SCRY_ERR_NOT_FOUND,
             NO_KERNEL_MSG);
    ck_fails(scry_session_info(s, "os", &os), SCRY_ERR_NOT_FOUND,
             NO_KERNEL_MSG);
    ck_fails(scry_session_info(s, "virtual_shift", &os), SCRY_ERR_NOT_FOUND,
             NO_KERNEL_MSG);
    ck_fails(scry_session_info_count(s, &count), SCRY_ERR_NOT_FOUND,
             NO_KERNEL_MSG);
    ck_fails(scry_session_info_at(s, 0, &key, &os), SCRY_ERR_NOT_FOUND,
             NO_KERNEL_MSG);
    ck_assert_str_eq(os, "untouched");
    ck_assert_str_eq(key, "untouched");
    ck_assert_uint_eq(count, 3);
    ck_fails(scry_session_read_virt(s, 0xffffffff81000000u, b, sizeof b), SCRY_ERR_NOT_FOUND,
             NO_KERNEL_MSG);

    r = r_sentinel;
    ck_fails(scry_plugin_run(s, "linux.pslist", 0, NULL, NULL, &r), SCRY_ERR_NOT_FOUND,
             NO_KERNEL_MSG);
    ck_fails(scry_plugin_run(s, "linux.nope", 0, NULL, NULL, &r), SCRY_ERR_NOT_FOUND,
             "unknown plugin 'linux.nope'");
    /* Names are exact: no case folding, no prefixes. */
    ck_assert_int_eq(scry_plugin_run(s, "Linux.PsList", 0, NULL, NULL, &r), SCRY_ERR_NOT_FOUND);
    ck_assert_int_eq(scry_plugin_run(s, "linux.psl", 0, NULL, NULL, &r), SCRY_ERR_NOT_FOUND);
    ck_fails(scry_plugin_run(s, "linux.pslist", 1, bad1, NULL, &r), SCRY_ERR_BAD_OPTION,
             "linux.pslist.PsList: unknown option '--bogus'");
    ck_fails(scry_plugin_run(s, "linux.pslist.PsList", 2, bad2, NULL, &r), SCRY_ERR_BAD_OPTION,
             "linux.pslist.PsList: --pid: invalid int value: 'x'");
    ck_fails(scry_plugin_run(s, "linux.pslist", 1, bad3, NULL, &r), SCRY_ERR_BAD_OPTION,
             "linux.pslist.PsList: --threads takes no value");
    ck_fails(scry_plugin_run(s, "linux.pslist", 1, bad4, NULL, &r), SCRY_ERR_BAD_OPTION,
             "linux.pslist.PsList: unexpected argument '1'");
    ck_fails(scry_plugin_run(s, "linux.pslist", 2, bad5, NULL, &r), SCRY_ERR_BAD_OPTION,
             "linux.pslist.PsList: --pid: invalid int value: '010'");
    /* "--=5" names no option. */
    ck_fails(scry_plugin_run(s, "linux.pslist", 1, bad6, NULL, &r), SCRY_ERR_BAD_OPTION,
             "linux.pslist.PsList: unknown option '--=5'");
    ck_fails(scry_plugin_run(s, "banners", 1, bad1, NULL, &r), SCRY_ERR_BAD_OPTION,
             "banners.Banners: unknown option '--bogus'");
    ck_assert_ptr_eq(r, r_sentinel);

    /* banners needs no kernel: an empty but valid result, complete. */
    ck_ok(scry_plugin_run(s, "banners.Banners", 0, NULL, NULL, &r));
    ck_assert_uint_eq(scry_result_row_count(r), 0);
    ck_assert_int_eq(scry_result_partial(r), 0);
    ck_assert_uint_eq(scry_result_diag_count(r), 0);
    ck_assert_uint_eq(scry_result_column_count(r), 2);
    ck_assert_str_eq(scry_result_column_name(r, 0), "Offset");
    ck_assert_int_eq(scry_result_column_type(r, 0), SCRY_COL_HEX);
    ck_assert_str_eq(scry_result_column_name(r, 1), "Banner");
    ck_assert_int_eq(scry_result_column_type(r, 1), SCRY_COL_STR);
    ck_assert_ptr_null(scry_result_column_name(r, 2));
    ck_assert_int_eq(scry_result_row_depth(r, 0), -1);
    /* Volatility's JSON renderer writes "\n" first; an empty result is
     * "\n[]\n" (corpus dev-la57/volatility-empty/linux.pslist.PsList.json). */
    text = tu_render(r, "json", &len);
    tu_assert_bytes("empty json", text, len, "\n[]\n", 4);
    free(text);
    text = tu_render(r, "none", &len);
    ck_assert_uint_eq(len, 0);
    free(text);

    /* Render errors. */
    ck_fails(scry_result_render(r, "xml", tu_sink_write, &sk), SCRY_ERR_NOT_FOUND,
             "unknown renderer 'xml'");
    ck_fails(scry_result_render(r, NULL, tu_sink_write, &sk), SCRY_ERR_INVALID_ARG,
             "scry_result_render: no result, renderer or sink");
    ck_fails(scry_result_render(r, "json", NULL, &sk), SCRY_ERR_INVALID_ARG,
             "scry_result_render: no result, renderer or sink");
    ck_assert_int_eq(sk.calls, 0);
    sk.stop_at = 1;
    ck_fails(scry_result_render(r, "quick", tu_sink_write, &sk), SCRY_ERR_IO,
             "the output sink stopped the render");
    ck_assert_int_eq(sk.calls, 1);
    free(sk.p);

    scry_result_free(r);
    scry_session_close(s);
    scry_dump_close(d);
    remove_temp(path);
}
END_TEST

/* ------------------------------------------------- per-thread messages */

struct err_thread {
    pthread_barrier_t *bar;
    char seen_at_start[64];
    char own[256];
    char after[256];
    scry_status st;
};

static void *err_thread_a(void *arg)
{
    struct err_thread *t = arg;
    scry_result *r = NULL;
    snprintf(t->seen_at_start, sizeof t->seen_at_start, "%s", scry_last_error());
    t->st = scry_plugin_run(NULL, "x", 0, NULL, NULL, &r);
    snprintf(t->own, sizeof t->own, "%s", scry_last_error());
    pthread_barrier_wait(t->bar); /* 1: A has failed       */
    pthread_barrier_wait(t->bar); /* 2: B has failed too    */
    snprintf(t->after, sizeof t->after, "%s", scry_last_error());
    return NULL;
}

static void *err_thread_b(void *arg)
{
    struct err_thread *t = arg;
    scry_dump *d = NULL;
    pthread_barrier_wait(t->bar); /* 1 */
    snprintf(t->seen_at_start, sizeof t->seen_at_start, "%s", scry_last_error());
    t->st = scry_dump_open(ctx, "/nonexistent/memscry-thread-b", &d);
    snprintf(t->own, sizeof t->own, "%s", scry_last_error());
    pthread_barrier_wait(t->bar); /* 2 */
    snprintf(t->after, sizeof t->after, "%s", scry_last_error());
    return NULL;
}

START_TEST(test_last_error_per_thread)
{
    pthread_barrier_t bar;
    struct err_thread a = {.bar = &bar}, b = {.bar = &bar};
    pthread_t ta, tb;

    ck_fails(scry_session_detect(NULL), SCRY_ERR_INVALID_ARG, "scry_session_detect: NULL session");
    ck_assert_int_eq(pthread_barrier_init(&bar, NULL, 2), 0);
    ck_assert_int_eq(pthread_create(&ta, NULL, err_thread_a, &a), 0);
    ck_assert_int_eq(pthread_create(&tb, NULL, err_thread_b, &b), 0);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    pthread_barrier_destroy(&bar);

    /* A fresh thread starts with an empty message, never NULL and never
     * another thread's. */
    ck_assert_str_eq(a.seen_at_start, "");
    ck_assert_str_eq(b.seen_at_start, "");
    ck_assert_int_eq(a.st, SCRY_ERR_INVALID_ARG);
    ck_assert_str_eq(a.own, "scry_plugin_run: bad argument");
    ck_assert_int_eq(b.st, SCRY_ERR_IO);
    ck_assert_str_eq(b.own, "/nonexistent/memscry-thread-b: No such file or directory");
    /* B's failure left A's message alone, and A's exit left B's. */
    ck_assert_str_eq(a.after, "scry_plugin_run: bad argument");
    ck_assert_str_eq(b.after, "/nonexistent/memscry-thread-b: No such file or directory");
    /* And neither touched the main thread's. */
    ck_assert_str_eq(scry_last_error(), "scry_session_detect: NULL session");
}
END_TEST

/* ------------------------------------------ concurrent physical reads */

struct reader {
    scry_dump *dump;
    int ref_fd;           /* a raw image of the same memory, or -1: pattern */
    uint64_t ref_size;    /* bytes of memory the reference holds           */
    uint64_t span;        /* addresses are drawn from [0, span)            */
    unsigned seed, iterations;
    unsigned bad;         /* mismatches                                     */
    char first_bad[160];
};

static void *reader_main(void *arg)
{
    struct reader *t = arg;
    uint8_t *got = malloc(80 * 1024), *want = malloc(80 * 1024);
    unsigned seed = t->seed;
    if (!got || !want) {
        t->bad++;
        snprintf(t->first_bad, sizeof t->first_bad, "out of memory");
        free(got), free(want);
        return NULL;
    }
    for (unsigned it = 0; it < t->iterations; it++) {
        uint64_t pa = ((uint64_t)rand_r(&seed) << 16 ^ (uint64_t)rand_r(&seed)) % t->span;
        /* Mostly small reads (the page cache path), some bulk ones. */
        size_t len = it % 16 == 15 ? 64 * 1024 + (size_t)(rand_r(&seed) % 8192)
                                   : 1 + (size_t)(rand_r(&seed) % 9000);
        size_t holes = SIZE_MAX, want_holes = 0;
        scry_status st = scry_dump_read_phys(t->dump, pa, got, len, &holes);
        size_t have = 0;
        if (pa < t->ref_size)
            have = t->ref_size - pa < len ? (size_t)(t->ref_size - pa) : len;
        if (t->ref_fd >= 0) {
            if (have && pread(t->ref_fd, want, have, (off_t)pa) != (ssize_t)have) {
                t->bad++;
                snprintf(t->first_bad, sizeof t->first_bad, "pread: %s", strerror(errno));
                break;
            }
        } else {
            for (size_t i = 0; i < have; i++)
                want[i] = pattern_byte(pa + i);
        }
        memset(want + have, 0, len - have);
        want_holes = len - have;
        if (st != SCRY_OK || holes != want_holes || memcmp(got, want, len) != 0) {
            if (!t->bad++)
                snprintf(t->first_bad, sizeof t->first_bad,
                         "read 0x%llx+%zu: status %d, holes %zu (want %zu), bytes %s",
                         (unsigned long long)pa, len, (int)st, holes, want_holes,
                         memcmp(got, want, len) ? "differ" : "equal");
        }
    }
    free(got);
    free(want);
    return NULL;
}

static void run_readers(scry_dump *d, int ref_fd, uint64_t ref_size, uint64_t span,
                        unsigned iterations)
{
    enum { N = 4 };
    struct reader t[N];
    pthread_t th[N];
    for (int i = 0; i < N; i++) {
        t[i] = (struct reader){.dump = d, .ref_fd = ref_fd, .ref_size = ref_size, .span = span,
                               .seed = 1000u + (unsigned)i * 7919u, .iterations = iterations};
        ck_assert_int_eq(pthread_create(&th[i], NULL, reader_main, &t[i]), 0);
    }
    for (int i = 0; i < N; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < N; i++)
        ck_assert_msg(t[i].bad == 0, "thread %d: %u bad reads, first: %s", i, t[i].bad,
                      t[i].first_bad);
}

/* 8 MiB of pattern, four threads: far more pages than the dump's file-page
 * cache holds, so the threads evict each other's pages all the time. */
START_TEST(test_concurrent_read_synthetic)
{
    char *path = write_pattern_file(8 * MiB);
    scry_dump *d = NULL;
    ck_ok(scry_dump_open(ctx, path, &d));
    run_readers(d, -1, 8 * MiB, 8 * MiB + 64 * 1024, 3000);
    scry_dump_close(d);
    remove_temp(path);
}
END_TEST

/* -------------------------------------------------------------- corpus */

/* What a dump states about itself: "format", "file_size", "phys_end" first,
 * in that order; VMCOREINFO only where the file carries it (the ELF's
 * note: README, KERNELOFFSET and phys_base); every key reachable both by
 * index and by name. */
static void check_meta(const scry_dump *d, const char *format, int has_vmcoreinfo)
{
    static const char *const first[] = {"format", "file_size", "phys_end"};
    const char *key = "untouched", *value = "untouched", *v = NULL;
    size_t n = scry_dump_meta_count(d);
    char *end;
    ck_assert_uint_ge(n, 3);
    for (size_t i = 0; i < 3; i++) {
        ck_ok(scry_dump_meta(d, i, &key, &value));
        ck_assert_str_eq(key, first[i]);
    }
    for (size_t i = 0; i < n; i++) {
        ck_ok(scry_dump_meta(d, i, &key, &value));
        ck_ok(scry_dump_meta_get(d, key, &v));
        ck_assert_str_eq(v, value);
    }
    ck_ok(scry_dump_meta_get(d, "format", &v));
    ck_assert_str_eq(v, format);
    ck_assert_str_eq(v, scry_dump_format(d));
    /* Numbers are "0x..." hex. */
    ck_ok(scry_dump_meta_get(d, "phys_end", &v));
    ck_assert_msg(starts_with(v, "0x") && strtoull(v, &end, 16) > 0 && *end == '\0', "%s", v);
    ck_ok(scry_dump_meta_get(d, "file_size", &v));
    ck_assert_msg(starts_with(v, "0x") && strtoull(v, &end, 16) >= DEV_SMALL_RAM && *end == '\0',
                  "%s", v);
    if (!strcmp(format, "raw")) /* the file is the memory */
        ck_assert_str_eq(v, "0x10000000");
    v = "untouched";
    if (has_vmcoreinfo) {
        ck_ok(scry_dump_meta_get(d, "vmcoreinfo", &v));
        ck_assert_msg(strstr(v, "KERNELOFFSET=3ac00000\n") != NULL, "%s", v);
        /* -0x37600000, as the kernel writes it (decimal). */
        ck_assert_msg(strstr(v, "NUMBER(phys_base)=-929038336\n") != NULL, "%s", v);
    } else {
        ck_fails(scry_dump_meta_get(d, "vmcoreinfo", &v), SCRY_ERR_NOT_FOUND,
                 "the dump states no 'vmcoreinfo'");
        ck_assert_str_eq(v, "untouched");
    }
    /* Past the end: an error, the out-parameters untouched. */
    key = value = "untouched";
    {
        char msg[64];
        snprintf(msg, sizeof msg, "scry_dump_meta: index %zu out of range", n);
        ck_fails(scry_dump_meta(d, n, &key, &value), SCRY_ERR_INVALID_ARG, msg);
    }
    ck_assert_str_eq(key, "untouched");
    ck_assert_str_eq(value, "untouched");
}

/* Runs and bytes: .raw and .elf hold the same memory. */
START_TEST(test_corpus_dumps)
{
    scry_dump *raw = open_corpus("test_corpus_dumps", "dev-small.raw");
    scry_dump *elf = open_corpus("test_corpus_dumps", "dev-small.elf");
    static const uint64_t at[] = {0, 0x1000, 0x9f000, 0x100000, 0x56001a0, 0x571ffe0,
                                  0x68f6480, 0x5600000, 0xfffe000};
    uint64_t start, length;
    uint8_t *a, *b;
    size_t ha, hb;
    if (!raw || !elf) {
        scry_dump_close(raw);
        scry_dump_close(elf);
        return;
    }
    ck_assert_str_eq(scry_dump_format(raw), "raw");
    ck_assert_str_eq(scry_dump_format(elf), "elf");
    check_meta(raw, "raw", 0);
    check_meta(elf, "elf", 1);

    ck_assert_uint_eq(scry_dump_run_count(raw), 1);
    ck_ok(scry_dump_run(raw, 0, &start, &length));
    ck_assert_uint_eq(start, 0);
    ck_assert_uint_eq(length, DEV_SMALL_RAM);
    /* README: PT_LOAD 0 = all RAM from 0, PT_LOAD 1 = BIOS alias. */
    ck_assert_uint_eq(scry_dump_run_count(elf), 2);
    ck_ok(scry_dump_run(elf, 0, &start, &length));
    ck_assert_uint_eq(start, 0);
    ck_assert_uint_eq(length, DEV_SMALL_RAM);
    ck_ok(scry_dump_run(elf, 1, &start, &length));
    ck_assert_uint_eq(start, 0xfffc0000u);
    ck_assert_uint_eq(length, 256 * 1024);
    ck_assert_int_eq(scry_dump_run(elf, 2, &start, &length), SCRY_ERR_INVALID_ARG);
    /* The work estimate is the memory held, four times for kdump (every
     * page decompressed) and for raw images (detection may scan them
     * whole). */
    ck_assert_uint_eq(scry_dump_work_estimate(raw), 4 * DEV_SMALL_RAM);
    ck_assert_uint_eq(scry_dump_work_estimate(elf), DEV_SMALL_RAM + 256 * 1024);
    ck_assert_uint_eq(scry_dump_work_estimate(NULL), 0);
    {
        scry_dump *kd = open_corpus("test_corpus_dumps", "dev-small.kdump");
        uint64_t held = 0;
        ck_assert_ptr_nonnull(kd);
        for (size_t i = 0; i < scry_dump_run_count(kd); i++) {
            ck_ok(scry_dump_run(kd, i, &start, &length));
            held += length;
        }
        ck_assert_uint_gt(held, DEV_SMALL_RAM / 2);
        ck_assert_uint_eq(scry_dump_work_estimate(kd), 4 * held);
        scry_dump_close(kd);
    }

    a = malloc(128 * 1024);
    b = malloc(128 * 1024);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    for (size_t i = 0; i < sizeof at / sizeof *at; i++) {
        size_t len = i % 2 ? 8192 : 100 * 1024; /* cached and bulk paths */
        if (at[i] + len > DEV_SMALL_RAM)
            len = (size_t)(DEV_SMALL_RAM - at[i]);
        ck_ok(scry_dump_read_phys(raw, at[i], a, len, &ha));
        ck_ok(scry_dump_read_phys(elf, at[i], b, len, &hb));
        ck_assert_uint_eq(ha, 0);
        ck_assert_uint_eq(hb, 0);
        ck_assert_msg(memcmp(a, b, len) == 0, "raw and elf differ at 0x%llx",
                      (unsigned long long)at[i]);
    }
    /* The real linux_banner (golden banners.Banners). */
    ck_ok(scry_dump_read_phys(elf, 0x571ffe0, a, sizeof DEV_SMALL_BANNER, &hb));
    ck_assert_mem_eq(a, DEV_SMALL_BANNER, sizeof DEV_SMALL_BANNER - 1);

    /* Holes: the end of RAM, the BIOS alias (only in the ELF), above 4 GiB. */
    memset(a, 0xAA, 0x1000);
    memset(b, 0xAA, 0x1000);
    ck_ok(scry_dump_read_phys(raw, DEV_SMALL_RAM - 0x800, a, 0x1000, &ha));
    ck_ok(scry_dump_read_phys(elf, DEV_SMALL_RAM - 0x800, b, 0x1000, &hb));
    ck_assert_uint_eq(ha, 0x800);
    ck_assert_uint_eq(hb, 0x800);
    ck_assert_mem_eq(a, b, 0x1000);
    for (size_t i = 0x800; i < 0x1000; i++)
        ck_assert_uint_eq(a[i], 0);
    ck_ok(scry_dump_read_phys(raw, 0xfffbf000u, a, 0x2000, &ha));
    ck_ok(scry_dump_read_phys(elf, 0xfffbf000u, b, 0x2000, &hb));
    ck_assert_uint_eq(ha, 0x2000);
    ck_assert_uint_eq(hb, 0x1000);
    for (size_t i = 0; i < 0x2000; i++) /* the BIOS alias starts with a zero page */
        ck_assert_uint_eq(b[i], 0);
    /* The last 16 bytes below 4 GiB: the x86 reset vector (jmp f000:e05b
     * and the BIOS date), read from the ELF's PT_LOAD 1 with readelf. */
    ck_ok(scry_dump_read_phys(elf, 0xfffffff0u, b, 16, &hb));
    ck_assert_uint_eq(hb, 0);
    ck_assert_mem_eq(b, "\xea\x5b\xe0\x00\xf0" "06/23/99\x00\xfc\x00", 16);
    ck_ok(scry_dump_read_phys(raw, 0xfffffff0u, a, 16, &ha));
    ck_assert_uint_eq(ha, 16);
    /* Across 4 GiB: 8 bytes of BIOS, 8 of hole. */
    ck_ok(scry_dump_read_phys(elf, 0xfffffff8u, b, 16, &hb));
    ck_assert_uint_eq(hb, 8);
    ck_assert_mem_eq(b, "23/99\x00\xfc\x00\x00\x00\x00\x00\x00\x00\x00\x00", 16);
    ck_ok(scry_dump_read_phys(elf, UINT64_C(0x100000000), b, 0x3000, &hb));
    ck_assert_uint_eq(hb, 0x3000);

    free(a);
    free(b);
    scry_dump_close(raw);
    scry_dump_close(elf);
}
END_TEST

struct kinfo {
    const char *os, *banner, *isf;
    uint64_t dtb, vshift, pshift;
    int levels;
};

/* A "0x..." hex fact as a number (fails the test unless it is exactly
 * that: lower-case hex, no padding). */
static uint64_t hex_fact(scry_session *s, const char *key)
{
    const char *v = NULL;
    char *end, again[32];
    uint64_t n;
    ck_ok(scry_session_info(s, key, &v));
    ck_assert_msg(starts_with(v, "0x"), "%s = %s", key, v);
    n = strtoull(v + 2, &end, 16);
    ck_assert_msg(v[2] && *end == '\0', "%s = %s", key, v);
    snprintf(again, sizeof again, "0x%llx", (unsigned long long)n);
    ck_assert_str_eq(v, again);
    return n;
}

static void check_kernel(scry_session *s, struct kinfo *k)
{
    char want_isf[4096];
    const char *levels = NULL, *desc = NULL, *key = "untouched", *value = "untouched";
    size_t count = 0;
    ck_ok(scry_session_detect(s));
    ck_ok(scry_session_detect(s)); /* idempotent */
    ck_ok(scry_session_info(s, "os", &k->os));
    ck_ok(scry_session_info(s, "banner", &k->banner));
    ck_ok(scry_session_info(s, "isf", &k->isf));
    k->dtb = hex_fact(s, "dtb");
    k->vshift = hex_fact(s, "virtual_shift");
    k->pshift = hex_fact(s, "physical_shift");
    ck_ok(scry_session_info(s, "paging_levels", &levels));
    ck_assert_str_eq(levels, "4"); /* decimal */
    k->levels = atoi(levels);
    ck_assert_str_eq(k->os, "linux");
    ck_assert_msg(starts_with(k->banner, BANNER_PREFIX), "banner %s", k->banner);
    ck_assert_msg(starts_with(k->banner, DEV_SMALL_BANNER), "banner %s", k->banner);
    /* The store names ISFs by absolute path, its directory resolved. */
    char *real = realpath(symdir(), NULL);
    ck_assert_ptr_nonnull(real);
    snprintf(want_isf, sizeof want_isf, "%s/linux/" ISF_NAME, real);
    free(real);
    ck_assert_str_eq(k->isf, want_isf);
    ck_assert_int_eq(k->levels, 4);
    ck_assert_uint_eq(k->vshift, DEV_SMALL_VSHIFT);
    ck_assert_uint_eq(k->pshift, DEV_SMALL_PSHIFT);
    ck_assert_str_eq(k->os, "linux");
    ck_assert_uint_eq(k->dtb & 0xfff, 0);
    ck_assert_uint_ne(k->dtb, 0);
    ck_assert_uint_lt(k->dtb, DEV_SMALL_RAM);
    /* One line naming the OS. */
    ck_ok(scry_session_info(s, "description", &desc));
    ck_assert_msg(desc[0] && !strchr(desc, '\n'), "description %s", desc);
    /* A value pointer is optional. */
    ck_ok(scry_session_info(s, "os", NULL));
    /* The list holds every key above, each once, with the same value. */
    ck_ok(scry_session_info_count(s, &count));
    ck_assert_uint_ge(count, 8);
    {
        static const char *const keys[] = {"os",  "description", "banner",        "isf",
                                           "dtb", "paging_levels", "virtual_shift",
                                           "physical_shift"};
        int seen[8] = {0};
        for (size_t i = 0; i < count; i++) {
            const char *v = NULL;
            ck_ok(scry_session_info_at(s, i, &key, &value));
            ck_ok(scry_session_info(s, key, &v));
            ck_assert_str_eq(v, value);
            for (size_t j = 0; j < 8; j++)
                seen[j] += strcmp(key, keys[j]) == 0;
        }
        for (size_t j = 0; j < 8; j++)
            ck_assert_msg(seen[j] == 1, "key %s listed %d times", keys[j], seen[j]);
    }
    ck_ok(scry_session_info_at(s, 0, NULL, NULL));
}

/* After a successful detect: an unknown key, an index past the end. */
static void check_kernel_errors(scry_session *s)
{
    const char *key = "untouched", *value = "untouched";
    size_t count = 0;
    char msg[64];
    ck_fails(scry_session_info(s, "no_such_fact", &value), SCRY_ERR_NOT_FOUND,
             "no kernel fact 'no_such_fact' for linux");
    ck_assert_str_eq(value, "untouched");
    ck_ok(scry_session_info_count(s, &count));
    snprintf(msg, sizeof msg, "scry_session_info_at: index %zu out of range", count);
    ck_fails(scry_session_info_at(s, count, &key, &value), SCRY_ERR_INVALID_ARG, msg);
    ck_assert_str_eq(key, "untouched");
    ck_assert_str_eq(value, "untouched");
}

START_TEST(test_corpus_session)
{
    scry_dump *raw = open_corpus("test_corpus_session", "dev-small.raw");
    scry_dump *elf = open_corpus("test_corpus_session", "dev-small.elf");
    scry_session *sr, *se;
    scry_symtab *t = NULL;
    struct kinfo kr, ke;
    char path[4096], buf[256];
    uint64_t addr = 1, v, pob = 0;
    size_t holes;
    if (!raw || !elf) {
        scry_dump_close(raw);
        scry_dump_close(elf);
        return;
    }
    sr = open_session(raw);
    se = open_session(elf);
    /* The last message stays until the next *failing* call: detection
     * (which tries and rejects candidates inside) must not replace it. */
    ck_assert_int_eq(scry_session_detect(NULL), SCRY_ERR_INVALID_ARG);
    /* The ELF states the shifts (VMCOREINFO); the raw image must be found
     * by searching. Both must agree. */
    check_kernel(sr, &kr);
    check_kernel(se, &ke);
    ck_assert_str_eq(scry_last_error(), "scry_session_detect: NULL session");
    ck_assert_str_eq(kr.banner, ke.banner);
    ck_assert_uint_eq(kr.dtb, ke.dtb);
    check_kernel_errors(sr);
    check_kernel_errors(se);

    /* The symbol table on its own. */
    snprintf(path, sizeof path, "%s/linux/" ISF_NAME, symdir());
    ck_ok(scry_symtab_load(path, &t));
    ck_ok(scry_symtab_symbol_address(t, "linux_banner", &addr));
    ck_assert_uint_eq(addr, ISF_LINUX_BANNER);
    /* The DTB is init_top_pgt's physical address (Volatility's rule). */
    ck_ok(scry_symtab_symbol_address(t, "init_top_pgt", &v));
    ck_assert_uint_eq(kr.dtb, v - START_KERNEL_MAP + DEV_SMALL_PSHIFT);
    ck_ok(scry_symtab_type_size(t, "task_struct", &v));
    ck_assert_uint_eq(v, 9728);
    ck_ok(scry_symtab_field_offset(t, "task_struct", "comm", &v));
    ck_assert_uint_eq(v, 2976);
    v = 7;
    ck_fails(scry_symtab_symbol_address(t, "no_such_symbol_xyz", &v), SCRY_ERR_NOT_FOUND,
             "no symbol no_such_symbol_xyz in the symbol table");
    ck_assert_uint_eq(v, 7);
    ck_assert_int_eq(scry_symtab_type_size(t, "no_such_type_xyz", &v), SCRY_ERR_NOT_FOUND);
    ck_assert_int_eq(scry_symtab_field_offset(t, "task_struct", "no_such_field", &v),
                     SCRY_ERR_NOT_FOUND);
    ck_assert_uint_eq(v, 7);

    /* linux_banner through the kernel's page tables, at ISF + shift. */
    for (int k = 0; k < 2; k++) {
        scry_session *s = k ? se : sr;
        memset(buf, 0, sizeof buf);
        ck_ok(scry_session_read_virt(s, addr + DEV_SMALL_VSHIFT, buf, 14));
        ck_assert_mem_eq(buf, "Linux version ", 14);
        ck_ok(scry_session_read_virt(s, addr + DEV_SMALL_VSHIFT, buf, sizeof DEV_SMALL_BANNER - 1));
        ck_assert_mem_eq(buf, DEV_SMALL_BANNER, sizeof DEV_SMALL_BANNER - 1);
        ck_ok(scry_session_read_virt(s, addr, buf, 0));
    }
    /* ... and physically at ISF - __START_KERNEL_map + physical shift,
     * which is where banners.Banners found it. */
    ck_assert_uint_eq(addr - START_KERNEL_MAP + kr.pshift, 0x571ffe0);
    ck_ok(scry_dump_read_phys(raw, addr - START_KERNEL_MAP + kr.pshift, buf, 14, &holes));
    ck_assert_mem_eq(buf, "Linux version ", 14);

    /* Unmapped kernel memory: NODATA naming the address. */
    memset(buf, 0x5A, sizeof buf);
    ck_fails(scry_session_read_virt(sr, 0x1000, buf, 8), SCRY_ERR_NODATA,
             "0x1000: PML4 entry not present");
    ck_fails(scry_session_read_virt(sr, UINT64_C(0x0000800000000000), buf, 8), SCRY_ERR_NODATA,
             "0x800000000000: PML4 entry not present");
    for (size_t i = 0; i < 8; i++)
        ck_assert_uint_eq((uint8_t)buf[i], 0x5A);

    /* The direct map: page_offset_base, pid 1's task_struct where the
     * golden pslist puts it (OFFSET (V) 0x8b2ec1209800), its comm at the
     * ISF's offset, and the end of RAM (README: System RAM ends at
     * 0xffdffff), where the direct map stops. */
    ck_ok(scry_symtab_symbol_address(t, "page_offset_base", &v));
    ck_ok(scry_session_read_virt(se, v + DEV_SMALL_VSHIFT, &pob, sizeof pob));
    ck_assert_uint_eq(pob, UINT64_C(0xffff8b2ec0000000));
    ck_ok(scry_symtab_field_offset(t, "task_struct", "comm", &v));
    ck_ok(scry_session_read_virt(sr, UINT64_C(0xffff8b2ec1209800) + v, buf, 16));
    ck_assert_str_eq(buf, "init");
    ck_ok(scry_session_read_virt(sr, pob + 0xffdf000, buf, 8));
    ck_fails(scry_session_read_virt(sr, pob + 0xffe0000, buf, 8), SCRY_ERR_NODATA,
             "0xffff8b2ecffe0000: PT entry not present");
    /* A read that starts mapped and runs into the hole names the first
     * missing address. (The mapped head has been copied into buf by then:
     * see the report on the "out-parameters untouched" convention.) */
    ck_fails(scry_session_read_virt(sr, pob + 0xffe0000 - 8, buf, 16), SCRY_ERR_NODATA,
             "0xffff8b2ecffe0000: PT entry not present");
    ck_fails(scry_session_read_virt(sr, addr, NULL, 4), SCRY_ERR_INVALID_ARG,
             "scry_session_read_virt: NULL buffer");

    scry_symtab_free(t);
    scry_session_close(sr);
    scry_session_close(se);
    scry_dump_close(raw);
    scry_dump_close(elf);
}
END_TEST

static void check_cell_int(const scry_result *r, size_t row, size_t col, int64_t want)
{
    int64_t v = -12345;
    ck_ok(scry_result_cell_int(r, row, col, &v));
    ck_assert_int_eq(v, want);
}

static void check_cell_str(const scry_result *r, size_t row, size_t col, const char *want)
{
    const char *v = NULL;
    size_t n = 999;
    ck_ok(scry_result_cell_str(r, row, col, &v, &n));
    ck_assert_str_eq(v, want);
    ck_assert_uint_eq(n, strlen(want));
}

START_TEST(test_corpus_pslist)
{
    scry_dump *raw = open_corpus("test_corpus_pslist", "dev-small.raw");
    static const char *const colnames[] = {"OFFSET (V)", "PID", "TID", "PPID", "COMM",
                                           "File output"};
    static const scry_coltype coltypes[] = {SCRY_COL_HEX, SCRY_COL_INT, SCRY_COL_INT,
                                            SCRY_COL_INT, SCRY_COL_STR, SCRY_COL_STR};
    /* golden/dev-small.raw/linux.pslist.PsList.json, pids 1 and 2. */
    static const uint64_t offset[] = {UINT64_C(153032924895232), UINT64_C(153032924889088)};
    static const char *const comm[] = {"init", "kthreadd"};
    const char *const pid12[] = {"--pid", "1", "2"};
    const char *const pid_hex[] = {"--pid=0x2"};
    scry_session *s;
    scry_result *r = NULL, *all = NULL;
    uint64_t u = 99;
    int64_t iv = -99;
    const char *str = "untouched";
    size_t len, glen;
    char *text, *want;
    if (!raw)
        return;
    s = open_session(raw);

    ck_assert_int_eq(scry_plugin_run(s, "no.such.Plugin", 0, NULL, NULL, &r), SCRY_ERR_NOT_FOUND);
    ck_ok(scry_plugin_run(s, "linux.pslist", 3, pid12, NULL, &r));
    /* Success leaves the last failure's message alone. */
    ck_assert_str_eq(scry_last_error(),
                     "unknown plugin 'no.such.Plugin'");
    ck_assert_uint_eq(scry_result_row_count(r), 2);
    ck_assert_int_eq(scry_result_partial(r), 0);
    ck_assert_uint_eq(scry_result_diag_count(r), 0);
    ck_assert_uint_eq(scry_result_column_count(r), 6);
    for (size_t c = 0; c < 6; c++) {
        ck_assert_str_eq(scry_result_column_name(r, c), colnames[c]);
        ck_assert_int_eq(scry_result_column_type(r, c), coltypes[c]);
    }
    for (size_t row = 0; row < 2; row++) {
        ck_assert_int_eq(scry_result_row_depth(r, row), 0);
        for (size_t c = 0; c < 6; c++)
            ck_assert_int_eq(scry_result_cell_state(r, row, c), SCRY_CELL_VALUE);
        ck_ok(scry_result_cell_uint(r, row, 0, &u));
        ck_assert_uint_eq(u, offset[row]);
        check_cell_int(r, row, 1, (int64_t)row + 1);
        check_cell_int(r, row, 2, (int64_t)row + 1);
        check_cell_int(r, row, 3, 0);
        check_cell_str(r, row, 4, comm[row]);
        check_cell_str(r, row, 5, "Disabled");
    }

    /* Type errors: exact status and message, value untouched. */
    u = 99;
    ck_fails(scry_result_cell_uint(r, 0, 1, &u), SCRY_ERR_INVALID_ARG,
             "column 'PID' does not hold a hex value");
    ck_assert_uint_eq(u, 99);
    ck_fails(scry_result_cell_int(r, 0, 0, &iv), SCRY_ERR_INVALID_ARG,
             "column 'OFFSET (V)' does not hold an integer");
    ck_fails(scry_result_cell_int(r, 0, 4, &iv), SCRY_ERR_INVALID_ARG,
             "column 'COMM' does not hold an integer");
    ck_assert_int_eq(iv, -99);
    ck_fails(scry_result_cell_str(r, 1, 3, &str, &len), SCRY_ERR_INVALID_ARG,
             "column 'PPID' does not hold text or bytes");
    ck_assert_str_eq(str, "untouched");
    /* Out of range. */
    ck_fails(scry_result_cell_int(r, 2, 1, &iv), SCRY_ERR_INVALID_ARG,
             "no cell at row 2 column 1");
    ck_fails(scry_result_cell_str(r, 0, 6, &str, &len), SCRY_ERR_INVALID_ARG,
             "no cell at row 0 column 6");
    ck_assert_int_eq(iv, -99);
    ck_assert_int_eq(scry_result_row_depth(r, 2), -1);
    ck_assert_int_eq(scry_result_row_depth(r, SIZE_MAX), -1);
    ck_assert_int_eq(scry_result_cell_state(r, 2, 0), SCRY_CELL_NOT_AVAILABLE);
    ck_assert_int_eq(scry_result_cell_state(r, 0, 6), SCRY_CELL_NOT_AVAILABLE);
    ck_assert_int_eq(scry_result_column_type(r, 6), SCRY_COL_INT);
    ck_assert_int_eq(scry_result_column_type(r, SIZE_MAX), SCRY_COL_INT);
    ck_assert_ptr_null(scry_result_column_name(r, 6));
    /* Accessors with NULL out-pointers still check. */
    ck_ok(scry_result_cell_str(r, 0, 4, NULL, NULL));
    ck_ok(scry_result_cell_uint(r, 0, 0, NULL));
    scry_result_free(r);

    /* int(x, 0) spelling and "--name=value". */
    ck_ok(scry_plugin_run(s, "linux.pslist.PsList", 1, pid_hex, NULL, &r));
    ck_assert_uint_eq(scry_result_row_count(r), 1);
    check_cell_str(r, 0, 4, "kthreadd");
    scry_result_free(r);

    /* Every process, rendered as Volatility does. */
    ck_ok(scry_plugin_run(s, "linux.pslist.PsList", 0, NULL, NULL, &all));
    ck_assert_uint_eq(scry_result_row_count(all), 111);
    /* A complete walk of an intact dump: nothing to report. */
    ck_assert_int_eq(scry_result_partial(all), 0);
    ck_assert_uint_eq(scry_result_diag_count(all), 0);
    text = tu_render(all, "json", &len);
    want = golden("dev-small.raw", "linux.pslist.PsList.json", &glen);
    tu_assert_bytes("json", text, len, want, glen);
    free(text);
    free(want);
    text = tu_render(all, "quick", &len);
    want = golden("dev-small.raw", "linux.pslist.PsList.quick.txt", &glen);
    {
        const char *body = strchr(want, '\n');
        ck_assert_ptr_nonnull(body);
        body++;
        tu_assert_bytes("quick", text, len, body, glen - (size_t)(body - want));
    }
    free(text);
    free(want);
    /* A sink that stops on its second call: the render fails with IO. */
    {
        struct tu_sink sk = {.stop_at = 2};
        ck_fails(scry_result_render(all, "json", tu_sink_write, &sk), SCRY_ERR_IO,
                 "the output sink stopped the render");
        ck_assert_int_eq(sk.calls, 2);
        free(sk.p);
    }
    scry_result_free(all);

    scry_session_close(s);
    scry_dump_close(raw);
}
END_TEST

/* An empty symbol directory, and the dump's own BTF + kallsyms forbidden:
 * detection and kernel plugins fail with NO_SYMBOLS, banners (physical
 * memory only) still works. Allowed (the default), the dump's own profile
 * is found. */
START_TEST(test_corpus_no_symbols)
{
    scry_context *nctx = NULL; /* an empty symbol directory */
    scry_dump *raw;
    char dir[] = "/tmp/memscry-nosyms-XXXXXX";
    scry_session *s = NULL;
    scry_result *r = (scry_result *)&dir, *const r_sentinel = r;
    char want_tail[256], msg[2048];
    uint64_t off;
    size_t len, glen;
    char *text, *want;
    uint8_t b[4];
    static const uint64_t offsets[] = {0x56001a0, 0x571ffe0, 0x68f6480};
    const char *value = "untouched";
    ck_ok(scry_context_new(&nctx));
    ck_ok(scry_context_set_symbols_from_dump(nctx, 0));
    ck_assert_int_eq(scry_context_set_symbols_from_dump(NULL, 0), SCRY_ERR_INVALID_ARG);
    raw = open_corpus_in(nctx, "test_corpus_no_symbols", "dev-small.raw");
    if (!raw) {
        scry_context_free(nctx);
        return;
    }
    ck_assert_ptr_nonnull(mkdtemp(dir));
    ck_ok(scry_context_add_symbol_dir(nctx, dir));
    ck_ok(scry_session_open(nctx, raw, &s));

    ck_assert_int_eq(scry_session_detect(s), SCRY_ERR_NO_SYMBOLS);
    snprintf(msg, sizeof msg, "%s", scry_last_error());
    snprintf(want_tail, sizeof want_tail, "\" (searched %s: 0 ISF files)", dir);
    ck_assert_msg(starts_with(msg, "no symbol table matches the kernel banner \"" BANNER_PREFIX),
                  "%s", msg);
    ck_assert_msg(ends_with(msg, want_tail), "%s", msg);
    /* Kernel plugins and calls replay the same failure. */
    ck_fails(scry_plugin_run(s, "linux.pslist", 0, NULL, NULL, &r), SCRY_ERR_NO_SYMBOLS, msg);
    ck_assert_ptr_eq(r, r_sentinel);
    ck_fails(scry_plugin_run(s, "linux.pstree.PsTree", 0, NULL, NULL, &r), SCRY_ERR_NO_SYMBOLS,
             msg);
    ck_fails(scry_session_info(s, "os", &value), SCRY_ERR_NO_SYMBOLS, msg);
    ck_fails(scry_session_info(s, "banner", NULL), SCRY_ERR_NO_SYMBOLS, msg);
    ck_assert_str_eq(value, "untouched");
    ck_fails(scry_session_read_virt(s, 0xffffffffbcd1ffe0u, b, sizeof b), SCRY_ERR_NO_SYMBOLS, msg);
    ck_fails(scry_session_detect(s), SCRY_ERR_NO_SYMBOLS, msg);
    ck_assert_ptr_eq(r, r_sentinel);

    /* banners.Banners needs no symbols. */
    ck_ok(scry_plugin_run(s, "banners.Banners", 0, NULL, NULL, &r));
    ck_assert_uint_eq(scry_result_row_count(r), 3);
    ck_assert_int_eq(scry_result_partial(r), 0);
    ck_assert_uint_eq(scry_result_diag_count(r), 0);
    for (size_t i = 0; i < 3; i++) {
        const char *banner;
        ck_ok(scry_result_cell_uint(r, i, 0, &off));
        ck_assert_uint_eq(off, offsets[i]);
        ck_ok(scry_result_cell_str(r, i, 1, &banner, &len));
        ck_assert_msg(starts_with(banner, BANNER_PREFIX), "%s", banner);
        ck_assert_uint_eq(strlen(banner), len);
    }
    check_cell_str(r, 1, 1, DEV_SMALL_BANNER);
    text = tu_render(r, "json", &len);
    want = golden("dev-small.raw", "banners.Banners.json", &glen);
    tu_assert_bytes("banners json", text, len, want, glen);
    free(text);
    free(want);
    scry_result_free(r);

    /* No symbol directory at all (the fixture's ctx, forbidden too): NO_SYMBOLS. */
    scry_session_close(s);
    ck_ok(scry_context_set_symbols_from_dump(ctx, 0));
    ck_ok(scry_session_open(ctx, raw, &s));
    ck_assert_int_eq(scry_session_detect(s), SCRY_ERR_NO_SYMBOLS);
    ck_assert_msg(starts_with(scry_last_error(), "no symbol table matches the kernel banner"),
                  "%s", scry_last_error());
    ck_ok(scry_context_set_symbols_from_dump(ctx, 1));

    /* Allowed: a session of the same dump gets the profile from its own
     * BTF + kallsyms (a new context: the first one's session keeps its
     * answer, detection runs once per session). */
    scry_session_close(s);
    scry_dump_close(raw); /* before its context */
    scry_context_free(nctx);
    ck_ok(scry_context_new(&nctx));
    ck_ok(scry_context_set_cache_dir(nctx, NULL));
    ck_ok(scry_context_add_symbol_dir(nctx, dir));
    raw = open_corpus_in(nctx, "test_corpus_no_symbols", "dev-small.raw");
    ck_assert_ptr_nonnull(raw);
    ck_ok(scry_session_open(nctx, raw, &s));
    ck_assert_msg(scry_session_detect(s) == SCRY_OK, "%s", scry_last_error());
    ck_ok(scry_session_info(s, "isf", &value));
    ck_assert_msg(ends_with(value, "dev-small.raw (its own BTF + kallsyms)"), "%s", value);
    ck_ok(scry_session_info(s, "symbols_from_dump", &value));
    ck_assert_str_eq(value, "btf+kallsyms");
    ck_ok(scry_session_info(s, "banner", &value));
    ck_assert_str_eq(value, DEV_SMALL_BANNER);
    ck_ok(scry_plugin_run(s, "linux.pslist", 0, NULL, NULL, &r));
    text = tu_render(r, "json", &len);
    want = golden("dev-small.raw", "linux.pslist.PsList.json", &glen);
    tu_assert_bytes("pslist json, no symbol files", text, len, want, glen);
    free(text);
    free(want);
    scry_result_free(r);

    scry_session_close(s);
    rmdir(dir);
    scry_dump_close(raw);
    scry_context_free(nctx);
}
END_TEST

/* One dump, read by four threads at once; the reference is the raw image
 * read with pread (byte N of dev-small.raw is physical address N). */
START_TEST(test_corpus_concurrent_read)
{
    char rawpath[4096];
    scry_dump *elf = open_corpus("test_corpus_concurrent_read", "dev-small.elf");
    int fd;
    if (!elf)
        return;
    if (!corpus_dump_path("test_corpus_concurrent_read", "dev-small.raw", rawpath,
                          sizeof rawpath)) {
        scry_dump_close(elf);
        return;
    }
    fd = open(rawpath, O_RDONLY);
    ck_assert_int_ge(fd, 0);
    run_readers(elf, fd, DEV_SMALL_RAM, DEV_SMALL_RAM + 64 * 1024, 2000);
    close(fd);
    scry_dump_close(elf);
}
END_TEST

/* Two sessions (different handles) over one dump, each in its own thread:
 * both must produce Volatility's output. */
struct session_thread {
    scry_dump *dump;
    scry_status st;
    char err[512];
    char *json;
    size_t len;
};

static void *session_main(void *arg)
{
    struct session_thread *t = arg;
    scry_session *s = NULL;
    scry_result *r = NULL;
    struct tu_sink sk = {0};
    t->st = scry_session_open(sym_ctx, t->dump, &s);
    if (t->st == SCRY_OK)
        t->st = scry_plugin_run(s, "linux.pslist.PsList", 0, NULL, NULL, &r);
    if (t->st == SCRY_OK)
        t->st = scry_result_render(r, "json", tu_sink_write, &sk);
    snprintf(t->err, sizeof t->err, "%s", scry_last_error());
    t->json = sk.p;
    t->len = sk.len;
    scry_result_free(r);
    scry_session_close(s);
    return NULL;
}

START_TEST(test_corpus_two_sessions)
{
    scry_dump *elf = open_corpus("test_corpus_two_sessions", "dev-small.elf");
    struct session_thread t[2];
    pthread_t th[2];
    char *want;
    size_t glen;
    if (!elf)
        return;
    (void)symdir(); /* fill the static buffer before the threads read it */
    for (int i = 0; i < 2; i++) {
        t[i] = (struct session_thread){.dump = elf};
        ck_assert_int_eq(pthread_create(&th[i], NULL, session_main, &t[i]), 0);
    }
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    want = golden("dev-small.elf", "linux.pslist.PsList.json", &glen);
    for (int i = 0; i < 2; i++) {
        ck_assert_msg(t[i].st == SCRY_OK, "thread %d: %d %s", i, (int)t[i].st, t[i].err);
        tu_assert_bytes("two sessions", t[i].json, t[i].len, want, glen);
        free(t[i].json);
    }
    free(want);
    scry_dump_close(elf);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("api");
    TCase *basic = tcase_create("basic");
    TCase *corpus = tcase_create("corpus");
    tcase_add_test(basic, test_version_and_status);
    tcase_add_test(basic, test_dump_synthetic);
    tcase_add_test(basic, test_dump_open_errors);
    tcase_add_test(basic, test_null_arguments);
    tcase_add_test(basic, test_symtab_errors);
    tcase_add_test(basic, test_plugin_table);
    tcase_add_test(basic, test_plugin_run_context);
    tcase_add_test(basic, test_session_without_kernel);
    tcase_add_test(basic, test_last_error_per_thread);
    tcase_add_test(basic, test_concurrent_read_synthetic);
    tcase_set_timeout(basic, 120);
    tcase_add_checked_fixture(basic, contexts_setup, contexts_teardown);
    tcase_add_checked_fixture(corpus, corpus_contexts_setup, contexts_teardown);
    tcase_add_test(corpus, test_corpus_dumps);
    tcase_add_test(corpus, test_corpus_session);
    tcase_add_test(corpus, test_corpus_pslist);
    tcase_add_test(corpus, test_corpus_no_symbols);
    tcase_add_test(corpus, test_corpus_concurrent_read);
    tcase_add_test(corpus, test_corpus_two_sessions);
    tcase_set_timeout(corpus, 300);
    suite_add_tcase(s, basic);
    suite_add_tcase(s, corpus);
    return s;
}

int main(void) { return tu_run_suite(suite()); }
