/* test_batch.c - batch runs through the C API: ten dumps on eight threads
 * with every plugin that needs no option give, twice, exactly the records
 * of plain sequential runs; bad dumps (empty, a directory, truncated,
 * missing, deleted by the progress callback, unreadable) are one record
 * each; cancellation from either callback stops cleanly; the SQLite export
 * keeps every dump committed before an interruption; 300 dumps are open at
 * once in one process. Run under TSan in CI (unit.test_batch). */
#include <check.h>
#include <pthread.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "memscry/memscry.h"
#include "testutil.h"

static char symdir[4096], isfdir[4096];
static int have_corpus;

static int setup_corpus(void)
{
    const char *corpus = tu_corpus_dir("test_batch");
    if (!corpus)
        return 0;
    snprintf(symdir, sizeof symdir, "%s/symbols", corpus);
    snprintf(isfdir, sizeof isfdir, "%s/../isf", corpus);
    return 1;
}

static scry_context *new_ctx(void)
{
    scry_context *c;
    ck_assert_int_eq(scry_context_new(&c), SCRY_OK);
    ck_assert_int_eq(scry_context_add_symbol_dir(c, symdir), SCRY_OK);
    ck_assert_int_eq(scry_context_add_symbol_dir(c, isfdir), SCRY_OK);
    return c;
}

/* A growing text: the record stream a batch gave, one line per record. */
struct stream {
    char *p;
    size_t len, cap;
};

static void s_add(struct stream *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void s_add(struct stream *s, const char *fmt, ...)
{
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (s->len + (size_t)n + 1 > s->cap) {
        s->cap = (s->len + (size_t)n + 1) * 2;
        s->p = realloc(s->p, s->cap);
        ck_assert_ptr_nonnull(s->p);
    }
    va_start(ap, fmt);
    vsnprintf(s->p + s->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    s->len += (size_t)n;
}

/* A result as one line: its json rendering's XXH3-128, row count,
 * partial flag and every diagnostic. */
static void s_result(struct stream *s, const scry_result *r)
{
    size_t len;
    char *json = tu_render(r, "json", &len);
    XXH128_hash_t h = XXH3_128bits(json, len);
    free(json);
    s_add(s, " rows=%zu partial=%d json=%016" PRIx64 "%016" PRIx64, scry_result_row_count(r),
          scry_result_partial(r), (uint64_t)h.high64, (uint64_t)h.low64);
    for (size_t k = 0; k < scry_result_diag_count(r); k++) {
        scry_diag_level level;
        scry_status st;
        const char *msg;
        ck_assert_int_eq(scry_result_diag(r, k, &level, &st, &msg), SCRY_OK);
        s_add(s, " [%d %d %s]", (int)level, (int)st, msg);
    }
}

/* What every record says that a direct run can say too. */
static void s_record(struct stream *s, const scry_batch_record *rec)
{
    s_add(s, "%d %zu", (int)rec->kind, rec->dump_index);
    if (rec->kind == SCRY_BATCH_RESULT)
        s_add(s, " %zu %s", rec->plugin_index, rec->plugin);
    s_add(s, " st=%d", (int)rec->status);
    if (rec->status != SCRY_OK)
        s_add(s, " msg=%s", rec->message);
    if (rec->kind == SCRY_BATCH_RESULT && rec->status == SCRY_OK)
        s_result(s, rec->result);
    s_add(s, "\n");
}

struct collect {
    struct stream core; /* s_record lines */
    struct stream full; /* plus the DUMP records' summaries */
    int records, stop_at;
    pthread_t caller;   /* the thread of the first callback */
    int others;         /* callbacks from any other thread */
};

static int collect(void *user, const scry_batch_record *rec)
{
    struct collect *c = user;
    if (!c->records)
        c->caller = pthread_self();
    else if (!pthread_equal(c->caller, pthread_self()))
        c->others++;
    s_record(&c->core, rec);
    s_record(&c->full, rec);
    if (rec->kind == SCRY_BATCH_DUMP && rec->status == SCRY_OK)
        s_add(&c->full, "  size=%" PRIu64 " format=%s os=%s kernel=%s hash=%s\n", rec->size,
              rec->format ? rec->format : "-", rec->os ? rec->os : "-",
              rec->kernel ? rec->kernel : "-", rec->hash ? rec->hash : "-");
    c->records++;
    return c->stop_at && c->records >= c->stop_at;
}

/* Every plugin that reads a Linux or Windows kernel and needs no option
 * (the YARA scans need rules). */
static size_t plugins_without_options(const char **names, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < scry_plugin_count() && n < cap; i++) {
        const char *os = scry_plugin_os(i), *name = scry_plugin_name(i);
        if (!os || (strcmp(os, "linux") && strcmp(os, "windows")))
            continue;
        if (strstr(name, "yara") || strstr(name, "Yara") || strstr(name, "malscan"))
            continue;
        names[n++] = name;
    }
    return n;
}

static const char *const TEN[] = {
    "dev-small.raw", "dev-small.lime", "dev-small.elf", "dev-small.kdump", "dev-1k.kdump",
    "dev-612.lime",  "dev-la57.lime",  "dev-vmcore.vmcore", "windows/win10-22h2-19045.raw",
    "windows/win7sp1-7601.full.dmp",
};
enum { NTEN = sizeof TEN / sizeof TEN[0] };

/* The same records made by hand: open, session, each plugin, close. */
static void direct_runs(scry_context *ctx, char **paths, size_t n, const char **plugins,
                        size_t np, struct stream *s)
{
    for (size_t i = 0; i < n; i++) {
        scry_dump *d = NULL;
        scry_session *ss = NULL;
        scry_status st = scry_dump_open(ctx, paths[i], &d);
        scry_batch_record rec = {.kind = SCRY_BATCH_DUMP, .dump_index = i, .status = st};
        char *msg;
        if (st == SCRY_OK)
            st = rec.status = scry_session_open(ctx, d, &ss);
        rec.message = msg = strdup(scry_last_error());
        s_record(s, &rec);
        for (size_t k = 0; st == SCRY_OK && k < np; k++) {
            scry_result *r = NULL;
            scry_batch_record rr = {.kind = SCRY_BATCH_RESULT, .dump_index = i,
                                    .plugin_index = k, .plugin = plugins[k]};
            rr.status = scry_plugin_run(ss, plugins[k], 0, NULL, NULL, &r);
            rr.message = scry_last_error();
            rr.result = r;
            s_record(s, &rr);
            scry_result_free(r);
        }
        rec.kind = SCRY_BATCH_DUMP_END;
        rec.message = msg;
        s_record(s, &rec);
        free(msg);
        scry_session_close(ss);
        scry_dump_close(d);
    }
}

static scry_batch *new_batch(scry_context *ctx, const char **plugins, size_t np, unsigned threads)
{
    scry_batch *b;
    ck_assert_int_eq(scry_batch_new(ctx, &b), SCRY_OK);
    for (size_t k = 0; k < np; k++)
        ck_assert_msg(scry_batch_add_plugin(b, plugins[k], 0, NULL) == SCRY_OK, "%s: %s",
                      plugins[k], scry_last_error());
    ck_assert_int_eq(scry_batch_set_threads(b, threads), SCRY_OK);
    return b;
}

START_TEST(ten_dumps_eight_threads_equal_single)
{
    const char *plugins[64];
    size_t np = plugins_without_options(plugins, 64);
    char *paths[NTEN];
    struct stream ref = {0};
    struct collect eight[2];
    memset(eight, 0, sizeof eight);
    scry_context *ctx;
    scry_batch *b;
    if (!have_corpus)
        return;
    for (size_t i = 0; i < NTEN; i++)
        if (!(paths[i] = tu_data_path("test_batch", TEN[i])))
            return;
    ck_assert_uint_ge(np, 15); /* every Linux and Windows plugin of the table */
    ctx = new_ctx();
    direct_runs(ctx, paths, NTEN, plugins, np, &ref);
    for (int pass = 0; pass < 2; pass++) {
        b = new_batch(ctx, plugins, np, 8);
        ck_assert_int_eq(scry_batch_run(b, (const char *const *)paths, NTEN, collect, &eight[pass]),
                         SCRY_OK);
        scry_batch_free(b);
        /* Every callback on the thread that called scry_batch_run. */
        ck_assert(pthread_equal(eight[pass].caller, pthread_self()));
        ck_assert_int_eq(eight[pass].others, 0);
        /* The single-threaded direct runs, record for record; the second
         * pass equal to the first in every field, summaries too. */
        tu_assert_bytes("eight threads vs direct runs", eight[pass].core.p, eight[pass].core.len,
                        ref.p, ref.len);
        if (pass)
            tu_assert_bytes("eight threads, twice", eight[1].full.p, eight[1].full.len,
                            eight[0].full.p, eight[0].full.len);
    }
    /* Not vacuous: rows from both kinds of kernel, and the other OS's
     * plugins refused with their message. */
    ck_assert_ptr_nonnull(strstr(ref.p, "linux.pslist.PsList st=0 rows=111"));
    ck_assert_ptr_nonnull(strstr(ref.p, "windows.pslist.PsList st=0 rows="));
    ck_assert_ptr_nonnull(strstr(ref.p, "msg=linux.pslist needs a Linux kernel"));
    ck_assert_ptr_nonnull(strstr(eight[0].full.p, "os=windows"));
    ck_assert_ptr_nonnull(strstr(eight[0].full.p, "format=kdump os=linux kernel=Linux version 6.1.0"));
    for (size_t i = 0; i < NTEN; i++)
        free(paths[i]);
    free(ref.p);
    for (int pass = 0; pass < 2; pass++)
        free(eight[pass].core.p), free(eight[pass].full.p);
    scry_context_free(ctx);
}
END_TEST

/* ------------------------------------------------------------ bad dumps */

struct vanish {
    const char *path;
    int calls;
};

static int delete_on_start(void *user, uint64_t done, uint64_t total)
{
    struct vanish *v = user;
    if (v->calls++ == 0)
        ck_assert_int_eq(unlink(v->path), 0); /* listed, then gone before its open */
    (void)done;
    (void)total;
    return 0;
}

static char *copy_prefix(const char *src, const char *dst, size_t len)
{
    size_t n;
    char *data = tu_slurp(src, &n);
    FILE *f = fopen(dst, "wb");
    ck_assert_ptr_nonnull(data);
    ck_assert_ptr_nonnull(f);
    if (len > n)
        len = n;
    ck_assert_uint_eq(fwrite(data, 1, len, f), len);
    fclose(f);
    free(data);
    return strdup(dst);
}

START_TEST(bad_dumps_are_one_record_each)
{
    char dir[] = "/tmp/scry_batch_XXXXXX", p[8][4400];
    const char *plugins[] = {"linux.pslist", "linux.lsmod"};
    char *good;
    struct collect c = {0};
    struct vanish v = {0};
    scry_context *ctx;
    scry_batch *b;
    const char *paths[8];
    size_t n = 0, errors = 0;
    if (!have_corpus || !(good = tu_data_path("test_batch", "dev-small.kdump")))
        return;
    ck_assert_ptr_nonnull(mkdtemp(dir));
    paths[n++] = good;
    snprintf(p[1], sizeof p[1], "%s/empty.raw", dir);
    close(open(p[1], O_CREAT | O_WRONLY, 0644));
    paths[n++] = p[1];
    snprintf(p[2], sizeof p[2], "%s/adir", dir);
    ck_assert_int_eq(mkdir(p[2], 0755), 0);
    paths[n++] = p[2];
    snprintf(p[3], sizeof p[3], "%s/truncated.kdump", dir);
    free(copy_prefix(good, p[3], 3000));
    paths[n++] = p[3];
    snprintf(p[4], sizeof p[4], "%s/missing.raw", dir);
    paths[n++] = p[4];
    snprintf(p[5], sizeof p[5], "%s/vanishing.kdump", dir);
    free(copy_prefix(good, p[5], (size_t)-1));
    paths[n++] = p[5];
    snprintf(p[6], sizeof p[6], "%s/unreadable.kdump", dir);
    free(copy_prefix(good, p[6], (size_t)-1));
    ck_assert_int_eq(chmod(p[6], 0), 0);
    paths[n++] = p[6];
    paths[n++] = good; /* the batch goes on after all of them */

    ctx = new_ctx();
    b = new_batch(ctx, plugins, 2, 3);
    v.path = p[5];
    ck_assert_int_eq(scry_batch_set_progress(b, delete_on_start, &v), SCRY_OK);
    ck_assert_int_eq(scry_batch_run(b, paths, n, collect, &c), SCRY_OK);
    scry_batch_free(b);
    /* Each broken file: one DUMP record with its status and message. */
    ck_assert_ptr_nonnull(strstr(c.core.p, "empty.raw: unknown dump format (the file is empty)\n"));
    ck_assert_ptr_nonnull(strstr(c.core.p, "adir: not a regular file or block device (a directory)\n"));
    ck_assert_ptr_nonnull(strstr(c.core.p, "truncated.kdump: kdump sub-header (104 bytes for "
                                           "header_version 6) does not fit the file\n"));
    ck_assert_ptr_nonnull(strstr(c.core.p, "missing.raw: No such file or directory\n"));
    {
        char want5[8800];
        snprintf(want5, sizeof want5, "0 5 st=%d msg=%s: No such file or directory\n",
                 (int)SCRY_ERR_IO, p[5]);
        ck_assert_msg(strstr(c.core.p, want5), "%s", c.core.p);
    }
    for (size_t i = 1; i < n - 1; i++) {
        scry_dump *d = NULL;
        char want[8192];
        if (i == 5)
            continue; /* gone: checked above */
        if (i == 6 && geteuid() == 0)
            continue; /* root reads a mode-000 file: see below */
        scry_status st = scry_dump_open(ctx, paths[i], &d);
        ck_assert_int_ne(st, SCRY_OK);
        snprintf(want, sizeof want, "0 %zu st=%d msg=%s\n2 %zu st=", i, (int)st, scry_last_error(), i);
        ck_assert_msg(strstr(c.core.p, want), "%s: want %s in\n%s", paths[i], want, c.core.p);
    }
    for (const char *q = c.core.p; (q = strstr(q, "\n0 ")); q++)
        if (strstr(q, " st=") && strncmp(strstr(q, " st="), " st=0", 5))
            errors++;
    ck_assert_uint_eq(errors, geteuid() == 0 ? 5 : 6);
    /* No RESULT record for a dump that did not open; both plugins on the
     * good dump, first and last, and on the root-readable copy. */
    ck_assert_ptr_nonnull(strstr(c.core.p, "1 0 0 linux.pslist.PsList st=0 rows=111"));
    ck_assert_ptr_nonnull(strstr(c.core.p, "1 7 0 linux.pslist.PsList st=0 rows=111"));
    ck_assert_ptr_nonnull(strstr(c.core.p, "1 7 1 linux.lsmod.Lsmod st=0"));
    ck_assert_ptr_null(strstr(c.core.p, "1 1 0"));
    if (geteuid() == 0)
        ck_assert_ptr_nonnull(strstr(c.core.p, "1 6 0 linux.pslist.PsList st=0 rows=111"));
    chmod(p[6], 0644);
    unlink(p[6]);
    unlink(p[3]);
    unlink(p[1]);
    rmdir(p[2]);
    rmdir(dir);
    free(good);
    free(c.core.p), free(c.full.p);
    scry_context_free(ctx);
}
END_TEST

/* ---------------------------------------------------------- cancelling */

static int cancel_at_two(void *user, uint64_t done, uint64_t total)
{
    (void)total;
    *(int *)user += 1;
    return done >= 2;
}

START_TEST(cancel_from_either_callback)
{
    const char *plugins[] = {"linux.pslist", "linux.pstree"};
    char *dump;
    const char *paths[6];
    scry_context *ctx;
    if (!have_corpus || !(dump = tu_data_path("test_batch", "dev-small.kdump")))
        return;
    for (int i = 0; i < 6; i++)
        paths[i] = dump;
    ctx = new_ctx();
    for (unsigned threads = 1; threads <= 4; threads += 3) {
        struct collect c = {.stop_at = 5}; /* DUMP, 2 results, END, next DUMP */
        int calls = 0;
        scry_batch *b = new_batch(ctx, plugins, 2, threads);
        ck_assert_int_eq(scry_batch_run(b, paths, 6, collect, &c), SCRY_ERR_CANCELLED);
        ck_assert_int_eq(c.records, 5);
        free(c.core.p), free(c.full.p);
        c = (struct collect){0};
        ck_assert_int_eq(scry_batch_set_progress(b, cancel_at_two, &calls), SCRY_OK);
        ck_assert_int_eq(scry_batch_run(b, paths, 6, collect, &c), SCRY_ERR_CANCELLED);
        ck_assert_int_eq(c.records, 8); /* two whole dumps */
        ck_assert_int_eq(calls, 3);     /* 0, 1, 2 */
        free(c.core.p), free(c.full.p);
        scry_batch_free(b);
    }
    free(dump);
    scry_context_free(ctx);
}
END_TEST

/* -------------------------------------------------------------- SQLite */

struct to_sql {
    scry_sqlite_export *x;
    int dumps_seen;
    size_t rows;
};

static int export_until_third(void *user, const scry_batch_record *rec)
{
    struct to_sql *t = user;
    ck_assert_int_eq(scry_sqlite_export_record(t->x, rec, (int64_t)rec->dump_index + 100), SCRY_OK);
    if (rec->kind == SCRY_BATCH_RESULT && rec->status == SCRY_OK && t->dumps_seen < 2)
        t->rows += scry_result_row_count(rec->result);
    if (rec->kind == SCRY_BATCH_DUMP)
        t->dumps_seen++;
    return t->dumps_seen == 3 && rec->kind == SCRY_BATCH_RESULT; /* mid-dump */
}

static int64_t query_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *s;
    int64_t v;
    ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
    v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
}

START_TEST(sqlite_keeps_dumps_finished_before_a_stop)
{
    const char *plugins[] = {"linux.pslist", "linux.lsmod"};
    char dir[] = "/tmp/scry_batch_db_XXXXXX", db_path[4200];
    char *dump;
    const char *paths[5];
    struct to_sql t = {0};
    scry_context *ctx;
    scry_batch *b;
    sqlite3 *db;
    if (!have_corpus || !(dump = tu_data_path("test_batch", "dev-small.kdump")))
        return;
    for (int i = 0; i < 5; i++)
        paths[i] = dump;
    paths[1] = "/nonexistent/dump.raw";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(db_path, sizeof db_path, "%s/out.db", dir);
    ctx = new_ctx();
    b = new_batch(ctx, plugins, 2, 2);
    ck_assert_int_eq(scry_sqlite_export_open(db_path, b, &t.x), SCRY_OK);
    ck_assert_int_eq(scry_batch_run(b, paths, 5, export_until_third, &t), SCRY_ERR_CANCELLED);
    ck_assert_int_eq(scry_sqlite_export_close(t.x), SCRY_OK);
    /* Never overwritten. */
    ck_assert_int_eq(scry_sqlite_export_open(db_path, b, &t.x), SCRY_ERR_IO);
    scry_batch_free(b);
    ck_assert_int_eq(sqlite3_open(db_path, &db), SQLITE_OK);
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM dumps"), 2);
    ck_assert_int_eq(query_int(db, "SELECT min(id) FROM dumps"), 100);
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM errors WHERE dump_id = 101 AND plugin IS NULL"), 1);
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM linux_pslist"), 111);
    ck_assert_int_eq(query_int(db, "SELECT (SELECT count(*) FROM linux_pslist) + "
                                   "(SELECT count(*) FROM linux_lsmod)"), (int64_t)t.rows);
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM linux_pslist WHERE dump_id = 102"), 0);
    ck_assert_int_eq(query_int(db, "SELECT PID FROM linux_pslist WHERE row_index = 0"), 1);
    sqlite3_close(db);
    unlink(db_path);
    rmdir(dir);
    free(dump);
    scry_context_free(ctx);
}
END_TEST

/* -------------------------------------------------- many dumps at once */

START_TEST(three_hundred_dumps_open_at_once)
{
    enum { N = 300 };
    static const char *const files[] = {"dev-small.raw", "dev-small.lime", "dev-small.elf",
                                        "dev-small.kdump"};
    char *paths[4], *want[4] = {0};
    size_t want_len[4];
    scry_dump **dumps = calloc(N, sizeof *dumps);
    scry_session **sessions = calloc(N, sizeof *sessions);
    struct rlimit rl;
    scry_context *ctx;
    if (!have_corpus)
        return;
    for (int f = 0; f < 4; f++)
        if (!(paths[f] = tu_data_path("test_batch", files[f])))
            return;
    /* Each open dump may hold a descriptor: raise the soft limit to the
     * hard one when it is below what this needs. */
    ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < N + 64) {
        rl.rlim_cur = rl.rlim_max;
        ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
    }
    ctx = new_ctx();
    for (int i = 0; i < N; i++) {
        ck_assert_msg(scry_dump_open(ctx, paths[i % 4], &dumps[i]) == SCRY_OK, "dump %d: %s", i,
                      scry_last_error());
        ck_assert_int_eq(scry_session_open(ctx, dumps[i], &sessions[i]), SCRY_OK);
    }
    /* All of them open, each one still reads right. */
    for (int i = 0; i < N; i++) {
        scry_result *r;
        size_t len;
        char *json;
        ck_assert_int_eq(scry_plugin_run(sessions[i], "linux.pslist", 0, NULL, NULL, &r), SCRY_OK);
        json = tu_render(r, "json", &len);
        scry_result_free(r);
        if (!want[i % 4]) {
            want[i % 4] = json;
            want_len[i % 4] = len;
            ck_assert_uint_gt(len, 10000);
            continue;
        }
        tu_assert_bytes("pslist on the Nth open copy", json, len, want[i % 4], want_len[i % 4]);
        free(json);
        scry_dump_release_pages(dumps[i]);
    }
    /* Released pages read back the same. */
    for (int i = 0; i < 8; i++) {
        scry_result *r;
        size_t len;
        char *json;
        ck_assert_int_eq(scry_plugin_run(sessions[i], "linux.pslist", 0, NULL, NULL, &r), SCRY_OK);
        json = tu_render(r, "json", &len);
        scry_result_free(r);
        tu_assert_bytes("pslist after scry_dump_release_pages", json, len, want[i % 4],
                        want_len[i % 4]);
        free(json);
    }
    for (int i = 0; i < N; i++) {
        scry_session_close(sessions[i]);
        scry_dump_close(dumps[i]);
    }
    for (int f = 0; f < 4; f++)
        free(want[f]), free(paths[f]);
    free(dumps);
    free(sessions);
    scry_context_free(ctx);
}
END_TEST

/* --------------------------------------------- rows rendered by workers */

struct lines {
    int format; /* 0 jsonl, 1 csv */
    size_t results, rows;
};

/* What scry_batch_set_render's lines must be, made from the public row
 * renderer in the callback. */
static int check_lines(void *user, const scry_batch_record *rec)
{
    struct lines *l = user;
    struct tu_sink want = {0};
    const scry_result *r = rec->result;
    if (rec->kind != SCRY_BATCH_RESULT || rec->status != SCRY_OK)
        return 0;
    ck_assert_ptr_nonnull(rec->text);
    for (size_t i = 0; i < scry_result_row_count(r); i++) {
        char head[8192];
        if (l->format == 0)
            snprintf(head, sizeof head, "{\"depth\": %d, \"dump\": \"%s\", \"plugin\": \"%s\", \"row\": ",
                     scry_result_row_depth(r, i), rec->dump_path, rec->plugin);
        else
            snprintf(head, sizeof head, "%s,%d,", rec->dump_path, scry_result_row_depth(r, i));
        tu_sink_write(&want, head, strlen(head));
        ck_assert_int_eq(scry_result_render_row(r, i, l->format ? "csv" : "json", tu_sink_write, &want),
                         SCRY_OK);
        tu_sink_write(&want, l->format ? "\n" : "}\n", l->format ? 1 : 2);
    }
    tu_assert_bytes("worker-rendered lines", rec->text, rec->text_len, want.p ? want.p : "",
                    want.len);
    l->results++;
    l->rows += scry_result_row_count(r);
    free(want.p);
    return 0;
}

START_TEST(rows_rendered_by_workers)
{
    const char *plugins[] = {"linux.pstree", "linux.psaux", "windows.pstree", "windows.dlllist"};
    char *paths[3] = {tu_data_path("test_batch", "dev-small.kdump"), tu_data_path("test_batch", "dev-1k.kdump"),
                      tu_data_path("test_batch", "windows/win10-22h2-19045.raw")};
    scry_context *ctx;
    if (!have_corpus || !paths[0] || !paths[1] || !paths[2])
        return;
    ctx = new_ctx();
    for (int format = 0; format < 2; format++) {
        struct lines l = {.format = format};
        scry_batch *b = new_batch(ctx, plugins, 4, 2);
        ck_assert_int_eq(scry_batch_set_render(b, format ? "csv" : "jsonl"), SCRY_OK);
        ck_assert_int_eq(scry_batch_run(b, (const char *const *)paths, 3, check_lines, &l), SCRY_OK);
        ck_assert_uint_eq(l.results, 6); /* each OS's two plugins on its dumps */
        ck_assert_uint_gt(l.rows, 2000);
        ck_assert_int_eq(scry_batch_set_render(b, "xml"), SCRY_ERR_NOT_FOUND);
        scry_batch_free(b);
    }
    {
        /* No row: "" rather than NULL. */
        const char *pid[] = {"--pid", "99999"};
        struct lines l = {.format = 0};
        scry_batch *b;
        ck_assert_int_eq(scry_batch_new(ctx, &b), SCRY_OK);
        ck_assert_int_eq(scry_batch_add_plugin(b, "linux.pslist", 2, pid), SCRY_OK);
        ck_assert_int_eq(scry_batch_set_render(b, "jsonl"), SCRY_OK);
        ck_assert_int_eq(scry_batch_run(b, (const char *const *)paths, 1, check_lines, &l), SCRY_OK);
        ck_assert_uint_eq(l.results, 1);
        ck_assert_uint_eq(l.rows, 0);
        scry_batch_free(b);
    }
    for (int i = 0; i < 3; i++)
        free(paths[i]);
    scry_context_free(ctx);
}
END_TEST

/* What a RESULT record showed, per (dump, plugin), for comparing batches. */
struct shown {
    size_t nplugins, n;
    struct shown_run {
        char *text, *diags;
        size_t text_len, cols, rows;
        int partial, seen;
    } *v;
};

static int show(void *user, const scry_batch_record *rec)
{
    struct shown *sh = user;
    struct shown_run *o;
    struct tu_sink d = {0};
    if (rec->kind != SCRY_BATCH_RESULT || rec->status != SCRY_OK)
        return 0;
    ck_assert_uint_lt(rec->dump_index * sh->nplugins + rec->plugin_index, sh->n);
    o = &sh->v[rec->dump_index * sh->nplugins + rec->plugin_index];
    o->seen = 1;
    o->text = rec->text ? strdup(rec->text) : NULL;
    o->text_len = rec->text_len;
    o->cols = scry_result_column_count(rec->result);
    o->rows = scry_result_row_count(rec->result);
    o->partial = scry_result_partial(rec->result);
    for (size_t k = 0; k < scry_result_diag_count(rec->result); k++) {
        const char *msg;
        scry_result_diag(rec->result, k, NULL, NULL, &msg);
        tu_sink_write(&d, msg, strlen(msg) + 1);
    }
    o->diags = d.p;
    return 0;
}

static void shown_free(struct shown *sh)
{
    for (size_t i = 0; i < sh->n; i++)
        free(sh->v[i].text), free(sh->v[i].diags);
    free(sh->v);
}

/* scry_batch_set_keep_rows(0): the same text, columns, diagnostics and
 * partial state, no row; rows stay when nothing is rendered. */
START_TEST(rows_dropped_when_not_kept)
{
    const char *plugins[] = {"linux.pslist", "linux.proc", "windows.pslist"};
    char *paths[3] = {tu_data_path("test_batch", "dev-small.kdump"),
                      tu_data_path("test_batch", "dev-1k.lime"),
                      tu_data_path("test_batch", "windows/win10-22h2-19045.raw")};
    struct shown sh[3];
    scry_context *ctx;
    size_t kept_rows = 0;
    if (!have_corpus || !paths[0] || !paths[1] || !paths[2])
        return;
    ctx = new_ctx();
    for (int k = 0; k < 3; k++) {
        /* 0: rows kept; 1: dropped after rendering; 2: not rendered, so kept */
        scry_batch *b = new_batch(ctx, plugins, 3, 2);
        sh[k] = (struct shown){.nplugins = 3, .n = 9};
        sh[k].v = calloc(9, sizeof *sh[k].v);
        if (k < 2)
            ck_assert_int_eq(scry_batch_set_render(b, "jsonl"), SCRY_OK);
        ck_assert_int_eq(scry_batch_set_keep_rows(b, k == 0), SCRY_OK);
        ck_assert_int_eq(scry_batch_run(b, (const char *const *)paths, 3, show, &sh[k]), SCRY_OK);
        scry_batch_free(b);
    }
    for (size_t i = 0; i < 9; i++) {
        const struct shown_run *kept = &sh[0].v[i], *dropped = &sh[1].v[i], *plain = &sh[2].v[i];
        ck_assert_int_eq(kept->seen, dropped->seen);
        ck_assert_int_eq(kept->seen, plain->seen);
        if (!kept->seen)
            continue;
        tu_assert_bytes("text with rows dropped", dropped->text, dropped->text_len, kept->text,
                        kept->text_len);
        ck_assert_uint_eq(dropped->cols, kept->cols);
        ck_assert_uint_eq(dropped->rows, 0);
        ck_assert_uint_eq(plain->rows, kept->rows);
        ck_assert_int_eq(dropped->partial, kept->partial);
        ck_assert_str_eq(dropped->diags ? dropped->diags : "", kept->diags ? kept->diags : "");
        kept_rows += kept->rows;
    }
    ck_assert_uint_gt(kept_rows, 10000); /* 12,328: linux.proc on dev-1k is most */
    ck_assert_int_eq(scry_batch_set_keep_rows(NULL, 0), SCRY_ERR_INVALID_ARG);
    for (int k = 0; k < 3; k++)
        shown_free(&sh[k]);
    for (int i = 0; i < 3; i++)
        free(paths[i]);
    scry_context_free(ctx);
}
END_TEST

START_TEST(api_arguments)
{
    scry_context *ctx;
    scry_batch *b;
    const char *bad[] = {"--nope"};
    ck_assert_int_eq(scry_context_new(&ctx), SCRY_OK);
    ck_assert_int_eq(scry_batch_new(ctx, &b), SCRY_OK);
    ck_assert_int_eq(scry_batch_run(b, NULL, 0, collect, NULL), SCRY_ERR_INVALID_ARG); /* no plugin */
    ck_assert_int_eq(scry_batch_add_plugin(b, "linux.nope", 0, NULL), SCRY_ERR_NOT_FOUND);
    ck_assert_int_eq(scry_batch_add_plugin(b, "linux.pslist", 1, bad), SCRY_ERR_BAD_OPTION);
    ck_assert_int_eq(scry_batch_add_plugin(b, "isfinfo", 0, NULL), SCRY_ERR_INVALID_ARG);
    ck_assert_int_eq(scry_batch_set_threads(b, 0), SCRY_ERR_INVALID_ARG);
    ck_assert_int_eq(scry_batch_add_plugin(b, "linux.pslist", 0, NULL), SCRY_OK);
    ck_assert_uint_eq(scry_batch_plugin_count(b), 1);
    ck_assert_str_eq(scry_batch_plugin_name(b, 0), "linux.pslist.PsList");
    ck_assert_ptr_null(scry_batch_plugin_name(b, 1));
    ck_assert_int_eq(scry_batch_run(b, NULL, 0, collect, NULL), SCRY_OK); /* no dump: nothing */
    scry_batch_free(b);
    scry_context_free(ctx);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("batch");
    TCase *tc = tcase_create("batch");
    have_corpus = setup_corpus();
    tcase_set_timeout(tc, 1200);
    tcase_add_test(tc, api_arguments);
    tcase_add_test(tc, ten_dumps_eight_threads_equal_single);
    tcase_add_test(tc, bad_dumps_are_one_record_each);
    tcase_add_test(tc, cancel_from_either_callback);
    tcase_add_test(tc, sqlite_keeps_dumps_finished_before_a_stop);
    tcase_add_test(tc, three_hundred_dumps_open_at_once);
    tcase_add_test(tc, rows_rendered_by_workers);
    tcase_add_test(tc, rows_dropped_when_not_kept);
    suite_add_tcase(s, tc);
    return tu_run_suite(s);
}
