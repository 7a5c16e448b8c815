/* test_session.c - the core seams: partial results and their diagnostics,
 * detection that reports damage, plugins of another OS, cancellation from
 * the progress callback, symbol tables shared by sessions, and one session
 * serving eight threads at once (run under TSan in CI).
 *
 * Damaged dumps are built here from the corpus (dev-small.kdump with one
 * page's compressed data overwritten), never committed. */
#include <check.h>
#include <jansson.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/os/linux.h"
#include "lib/plugins/plugin.h"
#include "lib/session/session.h"
#include "lib/base/file.h"
#include "lib/walk/linux_tasks.h"
#include "memscry/memscry.h"
#include "imagerun.h"
#include "testutil.h"

static char symdir[4096];
static int have_corpus;

static int setup_corpus(void)
{
    const char *corpus = tu_corpus_dir("test_session");
    if (!corpus)
        return 0;
    snprintf(symdir, sizeof symdir, "%s/symbols", corpus);
    return 1;
}

static scry_context *new_ctx(void)
{
    scry_context *c;
    ck_assert_int_eq(scry_context_new(&c), SCRY_OK);
    ck_assert_int_eq(scry_context_add_symbol_dir(c, symdir), SCRY_OK);
    return c;
}

struct open {
    scry_context *ctx;
    scry_dump *d;
    scry_session *s;
};

static void open_path(struct open *o, scry_context *ctx, const char *path)
{
    o->ctx = ctx;
    ck_assert_msg(scry_dump_open(ctx, path, &o->d) == SCRY_OK, "%s", scry_last_error());
    ck_assert_int_eq(scry_session_open(ctx, o->d, &o->s), SCRY_OK);
}

static void close_open(struct open *o)
{
    scry_session_close(o->s);
    scry_dump_close(o->d);
}

/* ---------------------------------------------------- damaged kdump pages */

static uint32_t rd32(const uint8_t *p) { return (uint32_t)p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t rd64(const uint8_t *p) { return rd32(p) | (uint64_t)rd32(p + 4) << 32; }

/* Where a dumped PFN's stored data lies in a 64-bit little-endian kdump:
 * header fields at 428 (block_size), 432 (sub_hdr_size), 436
 * (bitmap_blocks); the second bitmap (dumped pages) fills the second half
 * of the bitmap blocks; one 24-byte descriptor per dumped page follows, in
 * PFN order: data offset (8), size (4), flags (4). Returns the flags. */
static uint32_t kdump_page(const uint8_t *k, size_t len, uint64_t pfn, uint64_t *off,
                           uint32_t *size)
{
    uint64_t bs = rd32(k + 428), sub = rd32(k + 432), bb = rd32(k + 436);
    uint64_t bitmap = bs * (1 + sub), dumped = bitmap + bb * bs / 2, pd = bitmap + bb * bs;
    uint64_t rank = 0;
    ck_assert_uint_lt(dumped + pfn / 8, len);
    ck_assert_msg(k[dumped + pfn / 8] >> (pfn % 8) & 1, "PFN 0x%" PRIx64 " is not dumped", pfn);
    for (uint64_t i = 0; i < pfn; i++)
        rank += k[dumped + i / 8] >> (i % 8) & 1;
    ck_assert_uint_le(pd + rank * 24 + 24, len);
    *off = rd64(k + pd + rank * 24);
    *size = rd32(k + pd + rank * 24 + 8);
    ck_assert_uint_le(*off + *size, len);
    return rd32(k + pd + rank * 24 + 12);
}

/* dev-small.kdump with the stored data of each PFN in pfns overwritten by
 * 0xff bytes, written to a temporary file (path malloc'd). */
static char *damaged_kdump(const uint64_t *pfns, size_t n)
{
    char *src = tu_data_path("test_session", "dev-small.kdump"), *out;
    size_t len;
    uint8_t *k;
    if (!src)
        return NULL;
    k = (uint8_t *)tu_slurp(src, &len);
    ck_assert_ptr_nonnull(k);
    for (size_t i = 0; i < n; i++) {
        uint64_t off;
        uint32_t size, flags = kdump_page(k, len, pfns[i], &off, &size);
        ck_assert_msg(flags & 0x1, "PFN 0x%" PRIx64 " is not zlib-compressed", pfns[i]);
        memset(k + off, 0xff, size);
    }
    out = tu_write_temp(k, len);
    free(k);
    free(src);
    return out;
}

static int has_diag(const scry_result *r, scry_diag_level level, scry_status st, const char *a,
                    const char *b)
{
    for (size_t i = 0; i < scry_result_diag_count(r); i++) {
        scry_diag_level l;
        scry_status s;
        const char *m;
        ck_assert_int_eq(scry_result_diag(r, i, &l, &s, &m), SCRY_OK);
        if (l == level && s == st && strstr(m, a) && (!b || strstr(m, b)))
            return 1;
    }
    return 0;
}

/* The case: one page under the task list cannot be decoded. The
 * walk used to stop there and print 7 of 111 processes with exit 0. */
START_TEST(corrupt_page_under_task_list_is_partial)
{
    static const uint64_t pfn[] = {0x121d};
    scry_result *r = NULL;
    struct open o;
    char *path;
    if (!have_corpus || !(path = damaged_kdump(pfn, 1)))
        return;
    open_path(&o, new_ctx(), path);
    ck_assert_int_eq(scry_plugin_run(o.s, "linux.pslist", 0, NULL, NULL, &r), SCRY_OK);
    ck_assert_int_eq(scry_result_partial(r), 1);
    ck_assert_uint_lt(scry_result_row_count(r), 111);
    ck_assert_msg(has_diag(r, SCRY_DIAG_WARNING, SCRY_ERR_CORRUPT, "PFN 0x121d",
                           "zlib decompression failed"),
                  "no warning naming PFN 0x121d");
    scry_result_free(r);
    /* Every plugin that walks the list says so too. */
    ck_assert_int_eq(scry_plugin_run(o.s, "linux.pstree", 0, NULL, NULL, &r), SCRY_OK);
    ck_assert_int_eq(scry_result_partial(r), 1);
    scry_result_free(r);
    ck_assert_int_eq(scry_plugin_run(o.s, "linux.psaux", 0, NULL, NULL, &r), SCRY_OK);
    ck_assert_int_eq(scry_result_partial(r), 1);
    scry_result_free(r);
    scry_context *ctx = o.ctx;
    close_open(&o);
    scry_context_free(ctx);
    unlink(path);
    free(path);
}
END_TEST

START_TEST(intact_dump_is_not_partial)
{
    scry_result *r = NULL;
    struct open o;
    char *path;
    static const char *const plugins[] = {"linux.pslist", "linux.pstree", "linux.psaux", "banners"};
    if (!have_corpus || !(path = tu_data_path("test_session", "dev-small.kdump")))
        return;
    open_path(&o, new_ctx(), path);
    for (size_t i = 0; i < 4; i++) {
        ck_assert_int_eq(scry_plugin_run(o.s, plugins[i], 0, NULL, NULL, &r), SCRY_OK);
        ck_assert_int_eq(scry_result_partial(r), 0);
        ck_assert_uint_eq(ir_count_diags(r, SCRY_DIAG_WARNING), 0);
        scry_result_free(r);
    }
    scry_context *ctx = o.ctx;
    close_open(&o);
    scry_context_free(ctx);
    free(path);
}
END_TEST

/* Damage under init_task: detection names the ISF that matched and the
 * page that failed, not "no symbol table matches". */
START_TEST(corrupt_init_task_is_reported_as_damage)
{
    struct open o;
    const char *v;
    uint64_t shift, init_task, tsize;
    uint64_t pfns[8];
    size_t n = 0;
    scry_symtab *st;
    char *path, isf[4096];
    if (!have_corpus || !(path = tu_data_path("test_session", "dev-small.kdump")))
        return;
    open_path(&o, new_ctx(), path);
    ck_assert_int_eq(scry_session_info(o.s, "physical_shift", &v), SCRY_OK);
    shift = strtoull(v, NULL, 0);
    ck_assert_int_eq(scry_session_info(o.s, "isf", &v), SCRY_OK);
    snprintf(isf, sizeof isf, "%s", v);
    scry_context *ctx = o.ctx;
    close_open(&o);
    scry_context_free(ctx);
    free(path);
    ck_assert_int_eq(scry_symtab_load(isf, &st), SCRY_OK);
    ck_assert_int_eq(scry_symtab_symbol_address(st, "init_task", &init_task), SCRY_OK);
    ck_assert_int_eq(scry_symtab_type_size(st, "task_struct", &tsize), SCRY_OK);
    scry_symtab_free(st);
    uint64_t pa = init_task - SCRY_LINUX_START_KERNEL_MAP + shift;
    for (uint64_t p = pa >> 12; p <= (pa + tsize - 1) >> 12 && n < 8; p++)
        pfns[n++] = p;
    if (!(path = damaged_kdump(pfns, n)))
        return;
    open_path(&o, new_ctx(), path);
    ck_assert_int_eq(scry_session_detect(o.s), SCRY_ERR_CORRUPT);
    const char *msg = scry_last_error();
    ck_assert_msg(strstr(msg, "debian-6.1.0-57-cloud-amd64.json.xz matches the kernel banner, but "
                              "init_task cannot be read") != NULL,
                  "%s", msg);
    ck_assert_msg(strstr(msg, "zlib decompression failed") != NULL, "%s", msg);
    ck_assert_msg(strstr(msg, "no symbol table matches") == NULL, "%s", msg);
    /* Plugins report the same, every time. */
    scry_result *r = NULL;
    ck_assert_int_eq(scry_plugin_run(o.s, "linux.pslist", 0, NULL, NULL, &r), SCRY_ERR_CORRUPT);
    ck_assert_str_eq(scry_last_error(), msg);
    ctx = o.ctx;
    close_open(&o);
    scry_context_free(ctx);
    unlink(path);
    free(path);
}
END_TEST

/* ------------------------------------------------------------- OS checks */

static scry_status fake_detect(const struct scry_detect_in *in, struct scry_profile **out)
{
    (void)in, (void)out;
    return SCRY_ERR_NOT_FOUND;
}
static void fake_free(struct scry_profile *p) { (void)p; }

START_TEST(plugin_for_another_os_is_refused)
{
    static const struct scry_os windows = {"windows", "Windows", fake_detect, fake_free, NULL};
    struct scry_profile prof = {.os = &windows};
    struct scry_session s = {0};
    scry_context *ctx;
    scry_result *r = NULL;
    ck_assert_int_eq(scry_context_new(&ctx), SCRY_OK);
    ck_assert_int_eq(scry_kv_add(&prof.info, "description", "Windows 10 x64 (build 19041)"),
                     SCRY_OK);
    s.ctx = ctx;
    s.profile = &prof;
    atomic_init(&s.detected, 1);
    ck_assert_int_eq(scry_plugin_run(&s, "linux.pslist.PsList", 0, NULL, NULL, &r),
                     SCRY_ERR_UNSUPPORTED);
    ck_assert_str_eq(scry_last_error(),
                     "linux.pslist needs a Linux kernel; this dump holds Windows 10 x64 (build "
                     "19041)");
    ck_assert_ptr_null(r);
    scry_kv_free(&prof.info);
    scry_context_free(ctx);
}
END_TEST

/* ----------------------------------------------------- progress, cancel */

struct prog {
    int calls, cancel_at;
    uint64_t last_done;
};

static int on_progress(void *user, uint64_t done, uint64_t total)
{
    struct prog *p = user;
    (void)total;
    p->calls++;
    p->last_done = done;
    return p->cancel_at && p->calls >= p->cancel_at;
}

static int count_task(void *user, const struct scry_linux_task *t)
{
    (void)t;
    ++*(size_t *)user;
    return 0;
}

START_TEST(cancel_from_progress_callback)
{
    struct open o;
    struct prog p = {.cancel_at = 1};
    scry_runctx *run;
    scry_result *r = NULL;
    char *path;
    if (!have_corpus || !(path = tu_data_path("test_session", "dev-small.raw")))
        return;
    open_path(&o, new_ctx(), path);
    ck_assert_int_eq(scry_runctx_new(&run), SCRY_OK);
    ck_assert_int_eq(scry_runctx_set_progress(run, on_progress, &p), SCRY_OK);
    ck_assert_int_eq(scry_plugin_run(o.s, "linux.pslist", 0, NULL, run, &r), SCRY_ERR_CANCELLED);
    ck_assert_str_eq(scry_last_error(), "cancelled by the caller");
    ck_assert_ptr_null(r);
    ck_assert_int_eq(p.calls, 1);
    /* A callback that lets the run go on sees it start and gets every row. */
    p = (struct prog){0};
    ck_assert_int_eq(scry_plugin_run(o.s, "linux.pslist", 0, NULL, run, &r), SCRY_OK);
    ck_assert_int_ge(p.calls, 1);
    ck_assert_uint_eq(scry_result_row_count(r), 111);
    scry_result_free(r);
    scry_runctx_free(run);

    /* Mid-walk: with no rate bound, the walker calls back every 64 tasks;
     * the walk ends at the first callback that asks to stop. */
    const struct scry_profile *prof;
    ck_assert_int_eq(scry_session_profile(o.s, NULL, &prof), SCRY_OK);
    struct scry_op op = {.progress = on_progress, .progress_user = &p, .interval_ns = 1};
    p = (struct prog){.cancel_at = 2};
    size_t seen = 0;
    ck_assert_int_eq(scry_linux_walk_tasks(scry_linux_of(prof), &op, 0, count_task, &seen),
                     SCRY_ERR_CANCELLED);
    ck_assert_uint_eq(seen, 64); /* tasks 1..64; the 65th tick cancelled */
    ck_assert_int_eq(p.calls, 2);
    ck_assert_uint_eq(p.last_done, 65);
    scry_context *ctx = o.ctx;
    close_open(&o);
    scry_context_free(ctx);
    free(path);
}
END_TEST

/* ------------------------------------------------ shared symbol tables */

struct detect_job {
    scry_context *ctx;
    const char *path;
    scry_status st;
    char dtb[32];
};

static void *detect_one(void *arg)
{
    struct detect_job *j = arg;
    scry_dump *d = NULL;
    scry_session *s = NULL;
    const char *v = "";
    j->st = scry_dump_open(j->ctx, j->path, &d);
    if (j->st == SCRY_OK)
        j->st = scry_session_open(j->ctx, d, &s);
    if (j->st == SCRY_OK)
        j->st = scry_session_info(s, "dtb", &v);
    snprintf(j->dtb, sizeof j->dtb, "%s", v);
    scry_session_close(s);
    scry_dump_close(d);
    return NULL;
}

START_TEST(one_isf_shared_by_sessions)
{
    enum { N = 10 };
    struct detect_job jobs[N];
    pthread_t th[N];
    uint64_t loads, cached;
    char *path;
    if (!have_corpus || !(path = tu_data_path("test_session", "dev-small.elf")))
        return;
    scry_context *ctx = new_ctx();
    /* No compiled cache: the counts below are parses. */
    ck_assert_int_eq(scry_context_set_cache_dir(ctx, NULL), SCRY_OK);
    /* Ten sessions at once, each detecting the same kernel. */
    for (int i = 0; i < N; i++) {
        jobs[i] = (struct detect_job){.ctx = ctx, .path = path};
        ck_assert_int_eq(pthread_create(&th[i], NULL, detect_one, &jobs[i]), 0);
    }
    for (int i = 0; i < N; i++) {
        pthread_join(th[i], NULL);
        ck_assert_int_eq(jobs[i].st, SCRY_OK);
        ck_assert_str_eq(jobs[i].dtb, jobs[0].dtb);
    }
    /* The dump states its release (VMCOREINFO), so only its ISF is read:
     * once for all ten, and it stays for the next session. */
    ck_assert_int_eq(scry_context_stat(ctx, "isf_loads", &loads), SCRY_OK);
    ck_assert_int_eq(scry_context_stat(ctx, "isf_cached", &cached), SCRY_OK);
    ck_assert_uint_eq(loads, 1);
    ck_assert_uint_eq(cached, 1);
    detect_one(&jobs[0]);
    ck_assert_int_eq(jobs[0].st, SCRY_OK);
    ck_assert_int_eq(scry_context_stat(ctx, "isf_loads", &loads), SCRY_OK);
    ck_assert_uint_eq(loads, 1);
    ck_assert_int_eq(scry_context_stat(ctx, "nope", &loads), SCRY_ERR_NOT_FOUND);
    ck_assert_str_eq(scry_last_error(), "no context counter 'nope'");
    ck_assert_int_eq(scry_context_set_cache_dir(ctx, "/etc/passwd"), SCRY_ERR_IO);
    ck_assert_str_eq(scry_last_error(), "/etc/passwd: not a directory");
    ck_assert_int_eq(scry_context_set_cache_dir(ctx, ""), SCRY_ERR_INVALID_ARG);
    ck_assert_int_eq(scry_context_set_cache_dir(ctx, "/tmp"), SCRY_OK);
    ck_assert_int_eq(scry_context_set_limit(ctx, SCRY_LIMIT_LIST_ENTRIES, 0), SCRY_ERR_INVALID_ARG);
    scry_context_free(ctx);
    free(path);
}
END_TEST

/* ------------------------------------------------- eight threads at once */

struct plug {
    const char *name;
    int argc;
    const char *argv[2];
};

static const struct plug plugs[] = {
    {"banners", 0, {NULL}},
    {"linux.pslist", 0, {NULL}},
    {"linux.pslist", 1, {"--threads"}},
    {"linux.pstree", 0, {NULL}},
    {"linux.psaux", 0, {NULL}},
};
#define NPLUGS (sizeof plugs / sizeof plugs[0])

struct thread_job {
    scry_session *s;
    char *want[NPLUGS];
    size_t wlen[NPLUGS];
    int rounds;
    int mismatches, failures;
    uint8_t kernel_bytes[64];
    uint64_t kernel_va;
};

static void *hammer(void *arg)
{
    struct thread_job *j = arg;
    for (int round = 0; round < j->rounds; round++) {
        for (size_t i = 0; i < NPLUGS; i++) {
            size_t k = (i + (size_t)round) % NPLUGS; /* threads meet on different plugins */
            scry_result *r = NULL;
            if (scry_plugin_run(j->s, plugs[k].name, plugs[k].argc, plugs[k].argv, NULL, &r) !=
                SCRY_OK) {
                j->failures++;
                continue;
            }
            size_t len;
            char *got = tu_render(r, "json", &len);
            if (len != j->wlen[k] || memcmp(got, j->want[k], len) != 0)
                j->mismatches++;
            free(got);
            scry_result_free(r);
            uint8_t buf[64];
            if (scry_session_read_virt(j->s, j->kernel_va, buf, sizeof buf) != SCRY_OK ||
                memcmp(buf, j->kernel_bytes, sizeof buf) != 0)
                j->mismatches++;
        }
    }
    return NULL;
}

START_TEST(eight_threads_one_session)
{
    enum { T = 8 };
    struct thread_job jobs[T], ref = {0};
    pthread_t th[T];
    struct open o;
    char *path;
    const char *v;
    if (!have_corpus || !(path = tu_data_path("test_session", "dev-small.raw")))
        return;
    /* The reference: every plugin once, on its own session. */
    scry_context *ctx = new_ctx();
    open_path(&o, ctx, path);
    for (size_t i = 0; i < NPLUGS; i++) {
        scry_result *r = NULL;
        ck_assert_int_eq(
            scry_plugin_run(o.s, plugs[i].name, plugs[i].argc, plugs[i].argv, NULL, &r), SCRY_OK);
        ref.want[i] = tu_render(r, "json", &ref.wlen[i]);
        ck_assert_uint_gt(scry_result_row_count(r), 0);
        scry_result_free(r);
    }
    ck_assert_int_eq(scry_session_info(o.s, "dtb", &v), SCRY_OK);
    ref.kernel_va = 0;
    {
        const struct scry_profile *p;
        ck_assert_int_eq(scry_session_profile(o.s, NULL, &p), SCRY_OK);
        ref.kernel_va = scry_linux_of(p)->init_task;
    }
    ck_assert_int_eq(scry_session_read_virt(o.s, ref.kernel_va, ref.kernel_bytes, 64), SCRY_OK);
    close_open(&o);
    /* A fresh session, so detection itself is raced too. */
    open_path(&o, ctx, path);
    for (int t = 0; t < T; t++) {
        jobs[t] = ref;
        jobs[t].s = o.s;
        jobs[t].rounds = 3;
        ck_assert_int_eq(pthread_create(&th[t], NULL, hammer, &jobs[t]), 0);
    }
    for (int t = 0; t < T; t++) {
        pthread_join(th[t], NULL);
        ck_assert_int_eq(jobs[t].failures, 0);
        ck_assert_int_eq(jobs[t].mismatches, 0);
    }
    close_open(&o);
    for (size_t i = 0; i < NPLUGS; i++)
        free(ref.want[i]);
    scry_context_free(ctx);
    free(path);
}
END_TEST

/* Many dumps, one budget: the caches of every dump of a context draw on
 * it together, and give everything back on close. */
START_TEST(dumps_share_one_memory_budget)
{
    static const char *const names[] = {"dev-small.raw", "dev-small.elf", "dev-small.kdump",
                                        "dev-small.lime"};
    enum { N = 4 };
    struct open o[N];
    char *paths[N];
    uint64_t used, budget;
    scry_context *ctx;
    if (!have_corpus)
        return;
    for (int i = 0; i < N; i++)
        if (!(paths[i] = tu_data_path("test_session", names[i]))) {
            while (i--)
                free(paths[i]);
            return;
        }
    ctx = new_ctx();
    ck_assert_int_eq(scry_context_set_memory_budget(ctx, 1 << 20), SCRY_OK);
    for (int i = 0; i < N; i++)
        open_path(&o[i], ctx, paths[i]);
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < N; i++) {
            scry_result *r = NULL;
            ck_assert_int_eq(scry_plugin_run(o[i].s, "linux.pslist", 0, NULL, NULL, &r), SCRY_OK);
            ck_assert_uint_eq(scry_result_row_count(r), 111);
            ck_assert_int_eq(scry_result_partial(r), 0);
            scry_result_free(r);
            ck_assert_int_eq(scry_context_stat(ctx, "cache_bytes", &used), SCRY_OK);
            ck_assert_uint_le(used, 1 << 20);
        }
    }
    ck_assert_uint_gt(used, 0); /* the budget was used, not bypassed */
    ck_assert_int_eq(scry_context_stat(ctx, "cache_budget", &budget), SCRY_OK);
    ck_assert_uint_eq(budget, 1 << 20);
    for (int i = 0; i < N; i++)
        close_open(&o[i]);
    ck_assert_int_eq(scry_context_stat(ctx, "cache_bytes", &used), SCRY_OK);
    ck_assert_uint_eq(used, 0);
    /* The closed caches' page buffers wait in the context's pool, at most a
     * quarter of the budget, and the next dump takes them back. */
    {
        uint64_t pooled, again;
        struct open one;
        scry_result *r = NULL;
        ck_assert_int_eq(scry_context_stat(ctx, "cache_pooled", &pooled), SCRY_OK);
        ck_assert_uint_eq(pooled, (1 << 20) / 4);
        open_path(&one, ctx, paths[0]);
        ck_assert_int_eq(scry_plugin_run(one.s, "linux.pslist", 0, NULL, NULL, &r), SCRY_OK);
        ck_assert_uint_eq(scry_result_row_count(r), 111);
        scry_result_free(r);
        ck_assert_int_eq(scry_context_stat(ctx, "cache_bytes", &used), SCRY_OK);
        ck_assert_int_eq(scry_context_stat(ctx, "cache_pooled", &again), SCRY_OK);
        ck_assert_uint_gt(used, 0);
        ck_assert_uint_eq(again, used >= pooled ? 0 : pooled - used);
        close_open(&one);
        /* A budget of 0 keeps nothing. */
        ck_assert_int_eq(scry_context_set_memory_budget(ctx, 0), SCRY_OK);
        ck_assert_int_eq(scry_context_stat(ctx, "cache_pooled", &pooled), SCRY_OK);
        ck_assert_uint_eq(pooled, 0);
    }
    for (int i = 0; i < N; i++)
        free(paths[i]);
    scry_context_free(ctx);
}
END_TEST

/* A split kdump set through the public API, parts in any order: the
 * decoded pages equal the peer decoder's (the corpus's expect.json). */
START_TEST(split_kdump_set_through_the_api)
{
    const char *corpus = tu_corpus_dir("test_session split set");
    char p1[4096], p2[4096], p3[4096], ej[4096], hex[65];
    json_t *root;
    json_error_t jerr;
    scry_context *ctx;
    scry_dump *d = NULL;
    if (!corpus)
        return;
    snprintf(p1, sizeof p1, "%s/kdump-peer/split.kdump.1", corpus);
    snprintf(p2, sizeof p2, "%s/kdump-peer/split.kdump.2", corpus);
    snprintf(p3, sizeof p3, "%s/kdump-peer/split.kdump.3", corpus);
    snprintf(ej, sizeof ej, "%s/kdump-peer/split.kdump.expect.json", corpus);
    const char *const parts[] = {p3, p1, p2};
    ck_assert_ptr_nonnull(root = json_load_file(ej, 0, &jerr));
    ck_assert_int_eq(scry_context_new(&ctx), SCRY_OK);
    ck_assert_msg(scry_dump_open_set(ctx, parts, 3, &d) == SCRY_OK, "%s", scry_last_error());
    ck_assert_str_eq(scry_dump_format(d), "kdump");
    json_t *pfns = json_object_get(root, "present_pfns");
    size_t n = json_array_size(pfns);
    ck_assert_uint_gt(n, 0);
    uint8_t *pages = malloc(n * 4096);
    for (size_t i = 0; i < n; i++) {
        size_t holes = 1;
        uint64_t pfn = strtoull(json_string_value(json_array_get(pfns, i)), NULL, 16);
        ck_assert_int_eq(scry_dump_read_phys(d, pfn << 12, pages + i * 4096, 4096, &holes), SCRY_OK);
        ck_assert_uint_eq(holes, 0);
    }
    tu_sha256_hex(pages, n * 4096, hex);
    ck_assert_str_eq(hex, json_string_value(json_object_get(root, "present_run_sha256")));
    free(pages);
    scry_dump_close(d);
    /* A part given twice is not a set. */
    const char *const twice[] = {p1, p1};
    ck_assert_int_eq(scry_dump_open_set(ctx, twice, 2, &d), SCRY_ERR_CORRUPT);
    ck_assert_int_eq(scry_dump_open_set(ctx, twice, 0, &d), SCRY_ERR_INVALID_ARG);
    scry_context_free(ctx);
    json_decref(root);
}
END_TEST

/* The context's limits reach the walkers and the result. */
START_TEST(context_limits)
{
    struct open o;
    scry_result *r = NULL;
    char *path;
    if (!have_corpus || !(path = tu_data_path("test_session", "dev-small.raw")))
        return;
    scry_context *ctx = new_ctx();
    ck_assert_int_eq(scry_context_set_limit(ctx, SCRY_LIMIT_LIST_ENTRIES, 10), SCRY_OK);
    ck_assert_int_eq(scry_context_set_limit(ctx, SCRY_LIMIT_DIAGNOSTICS, 5), SCRY_OK);
    ck_assert_int_eq(scry_context_set_limit(ctx, (scry_limit)7, 5), SCRY_ERR_INVALID_ARG);
    open_path(&o, ctx, path);
    ck_assert_int_eq(scry_plugin_run(o.s, "linux.pslist", 0, NULL, NULL, &r), SCRY_OK);
    ck_assert_uint_eq(scry_result_row_count(r), 10);
    ck_assert_int_eq(scry_result_partial(r), 1);
    ck_assert(has_diag(r, SCRY_DIAG_WARNING, SCRY_ERR_LIMIT,
                       "task list ends early: more than 10 entries", NULL));
    scry_result_free(r);
    close_open(&o);
    scry_context_free(ctx);
    free(path);
}
END_TEST

START_TEST(diagnostics_are_bounded_and_deduplicated)
{
    struct scry_diags d = {.max = 3};
    scry_diags_add(&d, SCRY_DIAG_INFO, SCRY_ERR_NODATA, "a %d", 1);
    scry_diags_add(&d, SCRY_DIAG_INFO, SCRY_ERR_NODATA, "a %d", 1); /* said once */
    ck_assert_uint_eq(d.n, 1);
    ck_assert_int_eq(d.partial, 0);
    for (int i = 2; i <= 6; i++)
        scry_diags_add(&d, i == 6 ? SCRY_DIAG_WARNING : SCRY_DIAG_INFO, SCRY_ERR_NODATA, "a %d", i);
    ck_assert_uint_eq(d.n, 3);
    ck_assert_uint_eq(d.dropped, 3);
    ck_assert_int_eq(d.partial, 1); /* a dropped warning still counts */
    scry_diags_finish(&d);
    ck_assert_uint_eq(d.n, 4);
    ck_assert_str_eq(d.v[3].message, "3 more diagnostics were not kept");
    ck_assert_int_eq(d.v[3].level, SCRY_DIAG_WARNING);
    scry_diags_free(&d);
}
END_TEST

START_TEST(safe_file_names)
{
    char out[64];
    static const struct {
        const char *in, *want;
    } cases[] = {
        {"bash", "bash"},       {"../../etc/passwd", ".._.._etc_passwd"},
        {"/etc/shadow", "_etc_shadow"}, {"..", "_.."},
        {".", "_."},            {"", "_"},
        {"a\x1b[31mred", "a_[31mred"}, {"a\\b", "a_b"},
        {"tab\there\x7f", "tab_here_"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ck_assert_int_eq(scry_safe_file_name(cases[i].in, out, sizeof out), SCRY_OK);
        ck_assert_str_eq(out, cases[i].want);
    }
    ck_assert_int_eq(scry_safe_file_name("x", out, 8), SCRY_ERR_INVALID_ARG);
}
END_TEST

/* A long-lived context sees the store as it is at each detection: an ISF
 * added after a session failed for want of it is found by the next one
 * (the index is refreshed per detection, stat'ing unchanged files). */
START_TEST(isf_added_to_an_open_context_is_found)
{
    char *path, dir[] = "/tmp/memscry-addisf-XXXXXX", cache[4200], linux_dir[4200], isf[4200],
                    link[4300];
    if (!have_corpus || !(path = tu_data_path("test_session", "dev-small.elf")))
        return;
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(cache, sizeof cache, "%s/cache", dir);
    snprintf(linux_dir, sizeof linux_dir, "%s/store/linux", dir);
    ck_assert_int_eq(scry_mkdir_p(linux_dir, 0700), 0);
    scry_context *ctx;
    ck_assert_int_eq(scry_context_new(&ctx), SCRY_OK);
    ck_assert_int_eq(scry_context_set_cache_dir(ctx, cache), SCRY_OK);
    /* Without an ISF the dump's own BTF + kallsyms would do: forbidden, to
     * see the ISF's absence. */
    ck_assert_int_eq(scry_context_set_symbols_from_dump(ctx, 0), SCRY_OK);
    snprintf(link, sizeof link, "%s/store", dir);
    ck_assert_int_eq(scry_context_add_symbol_dir(ctx, link), SCRY_OK);
    struct open a, b;
    open_path(&a, ctx, path);
    ck_assert_int_eq(scry_session_detect(a.s), SCRY_ERR_NO_SYMBOLS);
    snprintf(isf, sizeof isf, "%s/linux/debian-6.1.0-57-cloud-amd64.json.xz", symdir);
    snprintf(link, sizeof link, "%s/debian-6.1.0-57-cloud-amd64.json.xz", linux_dir);
    ck_assert_int_eq(symlink(isf, link), 0);
    open_path(&b, ctx, path);
    ck_assert_msg(scry_session_detect(b.s) == SCRY_OK, "%s", scry_last_error());
    /* The first session keeps its answer: detection runs once per session. */
    ck_assert_int_eq(scry_session_detect(a.s), SCRY_ERR_NO_SYMBOLS);
    scry_session_close(a.s);
    scry_session_close(b.s);
    scry_dump_close(a.d);
    scry_dump_close(b.d);
    scry_context_free(ctx);
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
    free(path);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("session");
    TCase *tc = tcase_create("seams");
    have_corpus = setup_corpus();
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, corrupt_page_under_task_list_is_partial);
    tcase_add_test(tc, intact_dump_is_not_partial);
    tcase_add_test(tc, corrupt_init_task_is_reported_as_damage);
    tcase_add_test(tc, plugin_for_another_os_is_refused);
    tcase_add_test(tc, cancel_from_progress_callback);
    tcase_add_test(tc, one_isf_shared_by_sessions);
    tcase_add_test(tc, eight_threads_one_session);
    tcase_add_test(tc, dumps_share_one_memory_budget);
    tcase_add_test(tc, split_kdump_set_through_the_api);
    tcase_add_test(tc, context_limits);
    tcase_add_test(tc, diagnostics_are_bounded_and_deduplicated);
    tcase_add_test(tc, safe_file_names);
    tcase_add_test(tc, isf_added_to_an_open_context_is_found);
    suite_add_tcase(s, tc);
    return tu_run_suite(s);
}
