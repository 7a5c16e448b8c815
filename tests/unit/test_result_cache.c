/* test_result_cache.c - the result cache (scry_context_set_result_cache,
 * scry_context_set_result_cache_dir): cached results render byte-identical
 * to fresh ones in every renderer, on several plugins and dumps (Linux
 * and Windows); entries are keyed on the dump (a touched, resized or
 * rewritten copy misses), the options as parsed and the plugin; damaged
 * entry files are never trusted and are rewritten; the LRU stays within
 * its bound; eight threads share one cache.
 *
 * Copies of dumps are made in a temporary directory, never committed. */
#include <check.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/rows/rows.h"
#include "lib/session/rcache.h"
#include "memscry/memscry.h"
#include "testutil.h"

static const char *const renderers[] = {"quick", "pretty", "json", "jsonl", "csv"};

struct job {
    const char *dump; /* under MEMSCRY_CORPUS_DATA */
    const char *symdir; /* "symbols" (the corpus's) or "isf" (Windows) */
    const char *plugin;
    int argc;
    const char *argv[4];
};

static const struct job jobs[] = {
    {"dev-small.raw", "symbols", "linux.pslist.PsList", 0, {0}},
    {"dev-small.raw", "symbols", "linux.pstree.PsTree", 0, {0}},
    {"dev-small.raw", "symbols", "linux.lsmod.Lsmod", 0, {0}},
    {"dev-small.raw", "symbols", "linux.psaux.PsAux", 0, {0}},
    {"dev-small.raw", "symbols", "linux.pslist.PsList", 2, {"--pid", "1"}},
    {"dev-1k.lime", "symbols", "linux.pstree.PsTree", 0, {0}},
    {"dev-small.kdump", "symbols", "linux.proc.Maps", 2, {"--pid", "1"}},
    {"windows/win11-21h2-22000.bitmap.dmp", "isf", "windows.pslist.PsList", 0, {0}},
    {"windows/win11-21h2-22000.bitmap.dmp", "isf", "windows.info.Info", 0, {0}},
    {"windows/win10-22h2-19045.raw", "isf", "windows.pstree.PsTree", 0, {0}},
};

static char corpus[4096];

static int have(void)
{
    const char *c = tu_corpus_dir("test_result_cache");
    if (!c)
        return 0;
    snprintf(corpus, sizeof corpus, "%s", c);
    return 1;
}

static scry_context *new_ctx(const char *symdir)
{
    scry_context *ctx;
    char dir[4200];
    if (!strcmp(symdir, "isf"))
        snprintf(dir, sizeof dir, "%s/../isf", corpus);
    else
        snprintf(dir, sizeof dir, "%s/symbols", corpus);
    ck_assert_int_eq(scry_context_new(&ctx), SCRY_OK);
    ck_assert_int_eq(scry_context_add_symbol_dir(ctx, dir), SCRY_OK);
    return ctx;
}

static uint64_t stat_of(scry_context *ctx, const char *name)
{
    uint64_t v = 0;
    ck_assert_int_eq(scry_context_stat(ctx, name, &v), SCRY_OK);
    return v;
}

/* Every renderer's bytes of r, joined with a separator line. */
static char *render_all(const scry_result *r, size_t *len)
{
    struct tu_sink s = {0};
    for (size_t i = 0; i < sizeof renderers / sizeof *renderers; i++) {
        size_t n;
        char *out = tu_render(r, renderers[i], &n);
        tu_sink_write(&s, out, n);
        tu_sink_write(&s, "\n--8<--\n", 8);
        free(out);
    }
    for (size_t i = 0; i < scry_result_diag_count(r); i++) {
        const char *msg;
        scry_diag_level level;
        scry_status st;
        char line[64];
        scry_result_diag(r, i, &level, &st, &msg);
        snprintf(line, sizeof line, "diag %d %d ", (int)level, (int)st);
        tu_sink_write(&s, line, strlen(line));
        tu_sink_write(&s, msg, strlen(msg));
    }
    const char *state = scry_result_partial(r) ? "partial" : "whole";
    tu_sink_write(&s, state, strlen(state));
    *len = s.len;
    return s.p;
}

/* Opens path in ctx, runs the job, and returns every rendering. */
static char *run_render(scry_context *ctx, const char *path, const struct job *j, size_t *len)
{
    scry_dump *d;
    scry_session *s;
    scry_result *r;
    char *out;
    ck_assert_msg(scry_dump_open(ctx, path, &d) == SCRY_OK, "%s", scry_last_error());
    ck_assert_int_eq(scry_session_open(ctx, d, &s), SCRY_OK);
    ck_assert_msg(scry_plugin_run(s, j->plugin, j->argc, j->argv, NULL, &r) == SCRY_OK, "%s: %s",
                  j->plugin, scry_last_error());
    out = render_all(r, len);
    scry_result_free(r);
    scry_session_close(s);
    scry_dump_close(d);
    return out;
}

static char *fresh(const struct job *j, const char *path, size_t *len)
{
    scry_context *ctx = new_ctx(j->symdir);
    char *out = run_render(ctx, path, j, len);
    ck_assert_uint_eq(stat_of(ctx, "result_hits") + stat_of(ctx, "result_misses"), 0);
    scry_context_free(ctx);
    return out;
}

static char *make_tmpdir(void)
{
    char *d = strdup("/tmp/memscry-rcache-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(d));
    return d;
}

static void rm_rf(const char *dir)
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

/* In memory: one context runs every job twice; the second is a hit and
 * renders exactly as a fresh context's run. */
START_TEST(memory_hits_identical)
{
    if (!have())
        return;
    for (size_t i = 0; i < sizeof jobs / sizeof *jobs; i++) {
        const struct job *j = &jobs[i];
        char *path = tu_data_path("test_result_cache", j->dump);
        size_t n0, n1, n2;
        if (!path)
            continue;
        char *want = fresh(j, path, &n0);
        scry_context *ctx = new_ctx(j->symdir);
        ck_assert_int_eq(scry_context_set_result_cache(ctx, 64u << 20), SCRY_OK);
        char *first = run_render(ctx, path, j, &n1);
        ck_assert_uint_eq(stat_of(ctx, "result_misses"), 1);
        ck_assert_uint_eq(stat_of(ctx, "result_entries"), 1);
        char *second = run_render(ctx, path, j, &n2);
        ck_assert_uint_eq(stat_of(ctx, "result_hits"), 1);
        tu_assert_bytes(j->plugin, first, n1, want, n0);
        tu_assert_bytes(j->plugin, second, n2, want, n0);
        ck_assert_uint_gt(n0, 200);
        free(want);
        free(first);
        free(second);
        free(path);
        scry_context_free(ctx);
    }
}
END_TEST

/* In files: a second context (a second CLI process) hits what the first
 * wrote, byte-identical; the memory cache is filled from the file. */
START_TEST(file_hits_identical)
{
    if (!have())
        return;
    char *dir = make_tmpdir();
    for (size_t i = 0; i < sizeof jobs / sizeof *jobs; i++) {
        const struct job *j = &jobs[i];
        char *path = tu_data_path("test_result_cache", j->dump);
        size_t n0, n1, n2;
        if (!path)
            continue;
        char *want = fresh(j, path, &n0);
        scry_context *a = new_ctx(j->symdir), *b = new_ctx(j->symdir);
        ck_assert_int_eq(scry_context_set_result_cache_dir(a, dir), SCRY_OK);
        ck_assert_int_eq(scry_context_set_result_cache_dir(b, dir), SCRY_OK);
        ck_assert_int_eq(scry_context_set_result_cache(b, 1u << 20), SCRY_OK);
        char *first = run_render(a, path, j, &n1);
        ck_assert_uint_eq(stat_of(a, "result_misses"), 1);
        char *second = run_render(b, path, j, &n2);
        ck_assert_uint_eq(stat_of(b, "result_hits"), 1);
        ck_assert_uint_eq(stat_of(b, "isf_loads"), 0); /* a hit detects nothing */
        tu_assert_bytes(j->plugin, first, n1, want, n0);
        tu_assert_bytes(j->plugin, second, n2, want, n0);
        free(want);
        free(first);
        free(second);
        free(path);
        scry_context_free(a);
        scry_context_free(b);
    }
    rm_rf(dir);
    free(dir);
}
END_TEST

static void copy_file(const char *from, const char *to)
{
    size_t len;
    char *data = tu_slurp(from, &len);
    FILE *f = fopen(to, "wb");
    ck_assert_ptr_nonnull(data);
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, len, f), len);
    ck_assert_int_eq(fclose(f), 0);
    free(data);
}

/* One run in a fresh context on the cache dir; returns 1 on a hit. The
 * result must render as want either way. */
static int run_hit(const char *cachedir, const char *path, const struct job *j, const char *want,
                   size_t wlen)
{
    scry_context *ctx = new_ctx(j->symdir);
    size_t n;
    ck_assert_int_eq(scry_context_set_result_cache_dir(ctx, cachedir), SCRY_OK);
    char *got = run_render(ctx, path, j, &n);
    tu_assert_bytes("rerun", got, n, want, wlen);
    int hit = (int)stat_of(ctx, "result_hits");
    ck_assert_uint_eq(stat_of(ctx, "result_hits") + stat_of(ctx, "result_misses"), 1);
    free(got);
    scry_context_free(ctx);
    return hit;
}

/* A copy of a dump: touched, then rewritten in its header with its mtime
 * put back, then grown - each change misses; unchanged runs hit. Another
 * plugin or other options are other entries; two spellings of one option
 * are one. */
START_TEST(changed_dump_misses)
{
    if (!have())
        return;
    const struct job pslist = {"dev-small.kdump", "symbols", "linux.pslist.PsList", 0, {0}};
    const struct job pid1 = {"dev-small.kdump", "symbols", "linux.pslist.PsList", 2,
                             {"--pid", "1"}};
    const struct job pid1hex = {"dev-small.kdump", "symbols", "linux.pslist.PsList", 1,
                                {"--pid=0x1"}};
    char *src = tu_data_path("test_result_cache", "dev-small.kdump");
    if (!src)
        return;
    char *dir = make_tmpdir(), copy[4200], cache[4200];
    size_t n, np;
    struct stat sb;
    snprintf(copy, sizeof copy, "%s/dump.kdump", dir);
    snprintf(cache, sizeof cache, "%s/cache", dir);
    copy_file(src, copy);
    char *want = fresh(&pslist, copy, &n);
    char *want1 = fresh(&pid1, copy, &np);
    ck_assert_int_eq(run_hit(cache, copy, &pslist, want, n), 0);
    ck_assert_int_eq(run_hit(cache, copy, &pslist, want, n), 1);
    ck_assert_int_eq(run_hit(cache, copy, &pid1, want1, np), 0);
    ck_assert_int_eq(run_hit(cache, copy, &pid1hex, want1, np), 1);
    ck_assert_int_eq(run_hit(cache, copy, &pslist, want, n), 1);

    /* touch: a new mtime */
    struct timespec ts[2] = {{.tv_sec = 1000000000}, {.tv_sec = 1000000000}};
    ck_assert_int_eq(utimensat(AT_FDCWD, copy, ts, 0), 0);
    ck_assert_int_eq(run_hit(cache, copy, &pslist, want, n), 0);
    ck_assert_int_eq(run_hit(cache, copy, &pslist, want, n), 1);

    /* content: a byte of the kdump header's padding (unused by the
     * reader, so the result stays the same), mtime put back */
    ck_assert_int_eq(stat(copy, &sb), 0);
    int fd = open(copy, O_RDWR);
    ck_assert_int_ge(fd, 0);
    unsigned char b;
    ck_assert_int_eq(pread(fd, &b, 1, 4000), 1);
    b ^= 0x5a;
    ck_assert_int_eq(pwrite(fd, &b, 1, 4000), 1);
    close(fd);
    ts[0] = sb.st_atim;
    ts[1] = sb.st_mtim;
    ck_assert_int_eq(utimensat(AT_FDCWD, copy, ts, 0), 0);
    char *again = fresh(&pslist, copy, &np);
    tu_assert_bytes("edited padding", again, np, want, n);
    free(again);
    ck_assert_int_eq(run_hit(cache, copy, &pslist, want, n), 0);
    ck_assert_int_eq(run_hit(cache, copy, &pslist, want, n), 1);

    /* size: grown by a page */
    FILE *f = fopen(copy, "ab");
    static const char zeros[4096];
    ck_assert_uint_eq(fwrite(zeros, 1, sizeof zeros, f), sizeof zeros);
    ck_assert_int_eq(fclose(f), 0);
    ck_assert_int_eq(run_hit(cache, copy, &pslist, want, n), 0);
    ck_assert_int_eq(run_hit(cache, copy, &pslist, want, n), 1);
    free(want);
    free(want1);
    free(src);
    rm_rf(dir);
    free(dir);
}
END_TEST

/* The one entry file in dir, read whole. */
static char *entry_file(const char *dir, char *name, size_t cap, size_t *len)
{
    char cmd[4400];
    snprintf(cmd, sizeof cmd, "ls '%s'/*.msr", dir);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(fgets(name, (int)cap, p));
    ck_assert_ptr_null(fgets(cmd, sizeof cmd, p)); /* exactly one */
    pclose(p);
    name[strcspn(name, "\n")] = 0;
    return tu_slurp(name, len);
}

static void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, len, f), len);
    ck_assert_int_eq(fclose(f), 0);
}

/* Damaged entry files - cut at many lengths, bytes flipped in the
 * header, key and body, lengths and version changed, garbage, empty -
 * are misses that still answer right, and the entry is rewritten whole
 * (the next run hits). */
START_TEST(damaged_files_rewritten)
{
    if (!have())
        return;
    const struct job j = {"dev-small.raw", "symbols", "linux.lsmod.Lsmod", 0, {0}};
    char *path = tu_data_path("test_result_cache", j.dump);
    if (!path)
        return;
    char *dir = make_tmpdir(), name[4400];
    size_t n, len, len2;
    char *want = fresh(&j, path, &n);
    ck_assert_int_eq(run_hit(dir, path, &j, want, n), 0);
    char *good = entry_file(dir, name, sizeof name, &len);
    ck_assert_uint_gt(len, SCRY_RCACHE_HEADER + 64);
    unsigned seed = 12345;
    for (int k = 0; k < 60; k++) {
        char *bad = malloc(len + 1);
        size_t blen = len;
        memcpy(bad, good, len);
        if (k < 20) /* cut short, at the header and all over */
            blen = k < 5 ? (size_t)k * 8 : (size_t)rand_r(&seed) % len;
        else if (k < 50) { /* one byte flipped */
            size_t at = k < 30 ? (size_t)(k - 20) * 3 : (size_t)rand_r(&seed) % len;
            bad[at] ^= (char)(1 + rand_r(&seed) % 255);
        } else if (k < 55) { /* a length field made to fit a shorter file */
            blen = len - 1;
            memset(bad + 24, 0, 8);
        } else if (k == 55)
            blen = 0;
        else { /* garbage */
            for (size_t i = 0; i < len; i++)
                bad[i] = (char)rand_r(&seed);
        }
        write_file(name, bad, blen);
        ck_assert_msg(run_hit(dir, path, &j, want, n) == 0, "damage %d was trusted", k);
        char *now = tu_slurp(name, &len2);
        tu_assert_bytes("rewritten entry", now, len2, good, len);
        free(now);
        free(bad);
    }
    ck_assert_int_eq(run_hit(dir, path, &j, want, n), 1);
    free(good);
    free(want);
    free(path);
    rm_rf(dir);
    free(dir);
}
END_TEST

/* The codec alone: every single-byte change and every cut of a blob is
 * refused; the whole blob decodes to the same rows, and another key is
 * NOT_FOUND. */
START_TEST(codec_refuses_damage)
{
    static const struct scry_column cols[] = {
        {"PID", SCRY_COL_INT}, {"Name", SCRY_COL_STR}, {"Off", SCRY_COL_HEX},
        {"Bytes", SCRY_COL_BYTES}, {"When", SCRY_COL_DATETIME}, {"Big", SCRY_COL_HEX128},
        {"On", SCRY_COL_BOOL}};
    struct scry_result *r, *back = NULL;
    struct scry_rcache_check chk = {0}, chk2;
    struct scry_rbuf blob;
    const uint8_t key[] = "a key", other[] = "b key";
    ck_assert_int_eq(scry_result_new(cols, 7, &r), SCRY_OK);
    for (int i = 0; i < 5; i++) {
        struct scry_cell c[7] = {scry_cell_int(i), scry_cell_str("n\xc3\xa9", 3),
                                 scry_cell_hex(0xffff800000000000ull + (uint64_t)i),
                                 scry_cell_str("\0\1", 2), scry_cell_absent(SCRY_CELL_UNREADABLE),
                                 scry_cell_hex128(1, 2), scry_cell_bool(i & 1)};
        c[4].state = SCRY_CELL_VALUE;
        c[4].v.t.sec = 1700000000 + i;
        c[4].v.t.usec = 7;
        if (i == 3)
            c[1] = scry_cell_absent(SCRY_CELL_NOT_APPLICABLE);
        ck_assert_int_eq(scry_result_add(r, i % 3, c), SCRY_OK);
    }
    scry_diags_add(&r->diags, SCRY_DIAG_WARNING, SCRY_ERR_CORRUPT, "a damaged %s", "entry");
    scry_diags_add(&r->diags, SCRY_DIAG_INFO, SCRY_ERR_NODATA, "a page not there");
    ck_assert_int_eq(scry_rcache_encode(key, sizeof key, &chk, r, &blob), SCRY_OK);
    ck_assert_int_eq(scry_rcache_decode(blob.p, blob.n, key, sizeof key, &chk2, &back), SCRY_OK);
    for (size_t i = 0; i < sizeof renderers / sizeof *renderers; i++) {
        size_t a, b;
        char *x = tu_render(r, renderers[i], &a), *y = tu_render(back, renderers[i], &b);
        tu_assert_bytes(renderers[i], y, b, x, a);
        free(x);
        free(y);
    }
    ck_assert_int_eq(scry_result_partial(back), 1);
    ck_assert_uint_eq(scry_result_diag_count(back), 2);
    scry_result_free(back);
    ck_assert_int_eq(scry_rcache_decode(blob.p, blob.n, other, sizeof other, &chk2, &back),
                     SCRY_ERR_NOT_FOUND);
    for (size_t cut = 0; cut < blob.n; cut++)
        ck_assert_int_ne(scry_rcache_decode(blob.p, cut, key, sizeof key, &chk2, &back), SCRY_OK);
    for (size_t at = 0; at < blob.n; at++) {
        for (int bit = 0; bit < 8; bit += 3) {
            blob.p[at] ^= (uint8_t)(1u << bit);
            ck_assert_msg(scry_rcache_decode(blob.p, blob.n, key, sizeof key, &chk2, &back) !=
                              SCRY_OK,
                          "byte %zu bit %d", at, bit);
            blob.p[at] ^= (uint8_t)(1u << bit);
        }
    }
    scry_rbuf_free(&blob);
    scry_result_free(r);
}
END_TEST

/* The LRU keeps its byte bound, evicting the least recently used. */
START_TEST(lru_bounded)
{
    struct scry_rcache *c;
    uint64_t hits, misses, bytes, entries;
    uint8_t key[16];
    size_t len;
    ck_assert_int_eq(scry_rcache_new(10000, &c), SCRY_OK);
    for (int i = 0; i < 100; i++) {
        uint8_t *blob = calloc(1, 1000);
        memset(key, i, sizeof key);
        memcpy(blob + SCRY_RCACHE_HEADER, key, sizeof key);
        scry_rcache_put(c, (uint64_t)i * 7919, key, sizeof key, blob, 1000);
        /* keep entry 0 recently used */
        memset(key, 0, sizeof key);
        free(scry_rcache_get(c, 0, key, sizeof key, &len));
    }
    scry_rcache_stats(c, &hits, &misses, &bytes, &entries);
    ck_assert_uint_le(bytes, 10000);
    ck_assert_uint_ge(entries, 8);
    ck_assert_uint_eq(hits, 100); /* entry 0 never evicted */
    memset(key, 98, sizeof key);
    uint8_t *b = scry_rcache_get(c, 98 * 7919, key, sizeof key, &len);
    ck_assert_ptr_nonnull(b);
    ck_assert_uint_eq(len, 1000);
    free(b);
    memset(key, 1, sizeof key);
    ck_assert_ptr_null(scry_rcache_get(c, 7919, key, sizeof key, &len));
    /* larger than the bound: not stored */
    uint8_t *big = calloc(1, 20000);
    memset(key, 200, sizeof key);
    memcpy(big + SCRY_RCACHE_HEADER, key, sizeof key);
    scry_rcache_put(c, 200, key, sizeof key, big, 20000);
    ck_assert_ptr_null(scry_rcache_get(c, 200, key, sizeof key, &len));
    scry_rcache_free(c);
}
END_TEST

/* Eight threads run the same plugins on one session with a small cache
 * (so entries are evicted while others read): every result is the fresh
 * one. Runs under TSan in CI. Each thread runs a plugin four times before
 * switching: with strict alternation a thread that ran its twenty runs
 * without being interleaved evicted each entry just before asking for it,
 * and a scheduler that did so for all eight left the cache with no hit
 * (CI saw it once). */
struct thr {
    scry_session *s;
    const char *want[2];
    size_t wlen[2];
    int bad;
};

static const char *const thr_plugins[2] = {"linux.pslist.PsList", "linux.lsmod.Lsmod"};

static void *thr_main(void *arg)
{
    struct thr *t = arg;
    for (int i = 0; i < 20; i++) {
        int k = (i >> 2) & 1;
        scry_result *r;
        struct tu_sink s = {0};
        if (scry_plugin_run(t->s, thr_plugins[k], 0, NULL, NULL, &r) != SCRY_OK) {
            __atomic_add_fetch(&t->bad, 1, __ATOMIC_RELAXED);
            continue;
        }
        scry_result_render(r, "json", tu_sink_write, &s);
        if (s.len != t->wlen[k] || memcmp(s.p, t->want[k], s.len) != 0)
            __atomic_add_fetch(&t->bad, 1, __ATOMIC_RELAXED);
        free(s.p);
        scry_result_free(r);
    }
    return NULL;
}

START_TEST(threads_share_cache)
{
    if (!have())
        return;
    char *path = tu_data_path("test_result_cache", "dev-small.raw");
    if (!path)
        return;
    scry_context *ctx = new_ctx("symbols");
    scry_dump *d;
    scry_session *s;
    scry_result *r;
    pthread_t th[8];
    struct thr t = {0};
    ck_assert_int_eq(scry_dump_open(ctx, path, &d), SCRY_OK);
    ck_assert_int_eq(scry_session_open(ctx, d, &s), SCRY_OK);
    for (int k = 0; k < 2; k++) {
        ck_assert_int_eq(scry_plugin_run(s, thr_plugins[k], 0, NULL, NULL, &r), SCRY_OK);
        t.want[k] = tu_render(r, "json", &t.wlen[k]);
        scry_result_free(r);
    }
    /* Room for the larger of the two entries but not both, measured (an
     * entry's size depends on the dump's path, which is in its key). */
    ck_assert_int_eq(scry_context_set_result_cache(ctx, (uint64_t)1 << 30), SCRY_OK);
    uint64_t size[2];
    for (int k = 0; k < 2; k++) {
        uint64_t before = stat_of(ctx, "result_bytes");
        ck_assert_int_eq(scry_plugin_run(s, thr_plugins[k], 0, NULL, NULL, &r), SCRY_OK);
        scry_result_free(r);
        size[k] = stat_of(ctx, "result_bytes") - before;
        ck_assert_uint_gt(size[k], 0);
    }
    uint64_t big = size[0] > size[1] ? size[0] : size[1];
    uint64_t small = size[0] > size[1] ? size[1] : size[0];
    ck_assert_int_eq(scry_context_set_result_cache(ctx, big + small / 2), SCRY_OK);
    uint64_t hits0 = stat_of(ctx, "result_hits"), misses0 = stat_of(ctx, "result_misses");
    t.s = s;
    for (int i = 0; i < 8; i++)
        ck_assert_int_eq(pthread_create(&th[i], NULL, thr_main, &t), 0);
    for (int i = 0; i < 8; i++)
        pthread_join(th[i], NULL);
    ck_assert_int_eq(t.bad, 0);
    ck_assert_uint_gt(stat_of(ctx, "result_hits") - hits0, 0);
    ck_assert_uint_eq(stat_of(ctx, "result_hits") + stat_of(ctx, "result_misses") - hits0 - misses0,
                      160);
    ck_assert_uint_le(stat_of(ctx, "result_bytes"), big + small / 2);
    free((char *)t.want[0]);
    free((char *)t.want[1]);
    scry_session_close(s);
    scry_dump_close(d);
    scry_context_free(ctx);
    free(path);
}
END_TEST

/* What is never cached: --dump runs, typed inputs; what is refused. */
START_TEST(not_cached)
{
    if (!have())
        return;
    char *path = tu_data_path("test_result_cache", "dev-small.raw");
    if (!path)
        return;
    char *dir = make_tmpdir();
    scry_context *ctx = new_ctx("symbols");
    scry_dump *d;
    scry_session *s;
    scry_result *r;
    scry_runctx *run;
    const char *dump[] = {"--pid", "1", "--dump"};
    int dummy;
    ck_assert_int_eq(scry_context_set_result_cache(ctx, 1u << 20), SCRY_OK);
    ck_assert_int_eq(scry_context_set_result_cache_dir(ctx, ""), SCRY_ERR_INVALID_ARG);
    ck_assert_int_eq(scry_context_set_result_cache_dir(ctx, path), SCRY_ERR_IO);
    ck_assert_int_eq(scry_dump_open(ctx, path, &d), SCRY_OK);
    ck_assert_int_eq(scry_session_open(ctx, d, &s), SCRY_OK);
    ck_assert_int_eq(scry_runctx_new(&run), SCRY_OK);
    ck_assert_int_eq(scry_runctx_set_output_dir(run, dir), SCRY_OK);
    for (int i = 0; i < 2; i++) {
        ck_assert_int_eq(scry_plugin_run(s, "linux.pslist", 3, dump, run, &r), SCRY_OK);
        scry_result_free(r);
    }
    ck_assert_int_eq(scry_runctx_set_input(run, "x", &dummy), SCRY_OK);
    for (int i = 0; i < 2; i++) {
        ck_assert_int_eq(scry_plugin_run(s, "linux.lsmod", 0, NULL, run, &r), SCRY_OK);
        scry_result_free(r);
    }
    ck_assert_uint_eq(stat_of(ctx, "result_hits") + stat_of(ctx, "result_misses"), 0);
    ck_assert_uint_eq(stat_of(ctx, "result_entries"), 0);
    /* off again: the memory is dropped */
    ck_assert_int_eq(scry_plugin_run(s, "linux.lsmod", 0, NULL, NULL, &r), SCRY_OK);
    scry_result_free(r);
    ck_assert_uint_eq(stat_of(ctx, "result_entries"), 1);
    ck_assert_int_eq(scry_context_set_result_cache(ctx, 0), SCRY_OK);
    ck_assert_uint_eq(stat_of(ctx, "result_entries"), 0);
    scry_runctx_free(run);
    scry_session_close(s);
    scry_dump_close(d);
    scry_context_free(ctx);
    rm_rf(dir);
    free(dir);
    free(path);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("result_cache");
    TCase *t = tcase_create("core");
    tcase_set_timeout(t, 600);
    tcase_add_test(t, codec_refuses_damage);
    tcase_add_test(t, lru_bounded);
    tcase_add_test(t, memory_hits_identical);
    tcase_add_test(t, file_hits_identical);
    tcase_add_test(t, changed_dump_misses);
    tcase_add_test(t, damaged_files_rewritten);
    tcase_add_test(t, threads_share_cache);
    tcase_add_test(t, not_cached);
    suite_add_tcase(s, t);
    return tu_run_suite(s);
}
