/* test_index.c - the identifier index: refresh after add/remove/touch/
 * change (a touch with identical bytes is re-keyed, not identified again),
 * packs, persistence across handles, two processes refreshing one index at
 * once, and cache directories that cannot hold it (memory only, no error). */
#include <check.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zip.h>

#include "symbols/index.h"
#include "testutil.h"

static char *mktemp_dir(void)
{
    char *d = strdup("/tmp/scry-index-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(d));
    return d;
}

static void rm_rf(const char *dir)
{
    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

static void b64(const char *in, char *out)
{
    static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t n = strlen(in), k = 0;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)(unsigned char)in[i] << 16;
        if (i + 1 < n)
            v |= (unsigned)(unsigned char)in[i + 1] << 8;
        if (i + 2 < n)
            v |= (unsigned char)in[i + 2];
        out[k++] = t[v >> 18];
        out[k++] = t[(v >> 12) & 63];
        out[k++] = i + 1 < n ? t[(v >> 6) & 63] : '=';
        out[k++] = i + 2 < n ? t[v & 63] : '=';
    }
    out[k] = '\0';
}

/* A small Linux ISF whose banner is `banner`. */
static char *isf_text(const char *banner)
{
    char enc[512], *s = malloc(1024);
    b64(banner, enc);
    snprintf(s, 1024,
             "{\"metadata\": {\"format\": \"6.2.0\"}, \"base_types\": {\"int\": {\"size\": 4, "
             "\"signed\": true, \"kind\": \"int\", \"endian\": \"little\"}}, \"user_types\": {}, "
             "\"enums\": {}, \"symbols\": {\"linux_banner\": {\"address\": 4096, "
             "\"constant_data\": \"%s\"}}}\n",
             enc);
    return s;
}

static void write_isf(const char *dir, const char *name, const char *banner)
{
    char p[PATH_MAX], *t = isf_text(banner);
    snprintf(p, sizeof p, "%s/linux/%s", dir, name);
    FILE *f = fopen(p, "w");
    ck_assert_ptr_nonnull(f);
    fputs(t, f);
    fclose(f);
    free(t);
}

static char *make_store(int n)
{
    char *d = mktemp_dir(), p[PATH_MAX];
    snprintf(p, sizeof p, "%s/linux", d);
    ck_assert_int_eq(mkdir(p, 0755), 0);
    for (int i = 0; i < n; i++) {
        char name[64], banner[64];
        snprintf(name, sizeof name, "k%03d.json", i);
        snprintf(banner, sizeof banner, "Linux version %d.0", i);
        write_isf(d, name, banner);
    }
    return d;
}

static struct scry_symindex_stats refresh(struct scry_symindex *ix, const char *dir)
{
    struct scry_symindex_stats s;
    const char *dirs[] = {dir};
    ck_assert_msg(scry_symindex_refresh(ix, dirs, 1, NULL, 2, NULL) == SCRY_OK, "%s",
                  scry_last_error());
    scry_symindex_stats(ix, &s);
    return s;
}

static size_t find_n(struct scry_symindex *ix, const char *banner)
{
    const struct scry_isf_entry **v;
    size_t n;
    ck_assert_int_eq(scry_symindex_find(ix, "linux", banner, strlen(banner), &v, &n), SCRY_OK);
    free(v);
    return n;
}

static void set_mtime(const char *path, time_t t)
{
    struct timespec ts[2] = {{t, 0}, {t, 0}};
    ck_assert_int_eq(utimensat(AT_FDCWD, path, ts, 0), 0);
}

START_TEST(refresh_add_remove_touch_change)
{
    char *store = make_store(10), *cache = mktemp_dir(), p[PATH_MAX];
    struct scry_symindex *ix;
    struct scry_symindex_stats s;
    ck_assert_int_eq(scry_symindex_open(cache, &ix), SCRY_OK);
    ck_assert(scry_symindex_persistent(ix));
    s = refresh(ix, store);
    ck_assert_uint_eq(scry_symindex_count(ix), 10);
    ck_assert_uint_eq(s.identified, 10);
    ck_assert_uint_eq(find_n(ix, "Linux version 3.0"), 1);
    ck_assert_uint_eq(find_n(ix, "Linux version 99.0"), 0);
    const struct scry_isf_entry *e = scry_symindex_at(ix, 3);
    ck_assert_str_eq(e->os, "linux");
    ck_assert_uint_eq(e->banner_address, 4096);
    ck_assert_int_eq(e->nbase, 1);
    ck_assert_int_eq(e->nsymbols, 1);
    ck_assert_ptr_nonnull(strstr(e->loc.path, "/linux/k003.json"));
    /* unchanged: nothing read */
    s = refresh(ix, store);
    ck_assert_uint_eq(s.identified, 10);
    ck_assert_uint_eq(s.reused, 10);
    /* touched, same bytes: re-keyed, not identified */
    snprintf(p, sizeof p, "%s/linux/k004.json", store);
    set_mtime(p, 1000000);
    s = refresh(ix, store);
    ck_assert_uint_eq(s.identified, 10);
    ck_assert_uint_eq(s.rekeyed, 1);
    /* copied under a new name: re-keyed too */
    char cmd[2 * PATH_MAX + 16];
    snprintf(cmd, sizeof cmd, "cp '%s/linux/k005.json' '%s/linux/copy.json'", store, store);
    ck_assert_int_eq(system(cmd), 0);
    s = refresh(ix, store);
    ck_assert_uint_eq(s.identified, 10);
    ck_assert_uint_eq(s.rekeyed, 2);
    ck_assert_uint_eq(scry_symindex_count(ix), 11);
    ck_assert_uint_eq(find_n(ix, "Linux version 5.0"), 2);
    /* changed bytes: identified again */
    write_isf(store, "k006.json", "Linux version 66.0");
    set_mtime(p, 2000000); /* and k004 touched again */
    s = refresh(ix, store);
    ck_assert_uint_eq(s.identified, 11);
    ck_assert_uint_eq(find_n(ix, "Linux version 66.0"), 1);
    ck_assert_uint_eq(find_n(ix, "Linux version 6.0"), 0);
    /* removed, and a file that is not JSON (an error row, not a failure) */
    snprintf(p, sizeof p, "%s/linux/k000.json", store);
    ck_assert_int_eq(unlink(p), 0);
    snprintf(p, sizeof p, "%s/linux/bad.json", store);
    FILE *f = fopen(p, "w");
    fputs("{nope", f);
    fclose(f);
    s = refresh(ix, store);
    ck_assert_uint_eq(s.identified, 12);
    ck_assert_uint_eq(scry_symindex_count(ix), 11);
    ck_assert_uint_eq(find_n(ix, "Linux version 0.0"), 0);
    e = scry_symindex_at(ix, 0); /* bad.json sorts first */
    ck_assert_ptr_nonnull(strstr(e->loc.path, "bad.json"));
    ck_assert_ptr_nonnull(e->error);
    ck_assert_ptr_null(e->os);
    scry_symindex_free(ix);
    /* a new handle finds every row on disk: nothing identified */
    ck_assert_int_eq(scry_symindex_open(cache, &ix), SCRY_OK);
    s = refresh(ix, store);
    ck_assert_uint_eq(s.identified, 0);
    ck_assert_uint_eq(s.reused, 11);
    ck_assert_uint_eq(find_n(ix, "Linux version 66.0"), 1);
    ck_assert_ptr_nonnull(scry_symindex_at(ix, 0)->error);
    scry_symindex_free(ix);
    rm_rf(store);
    rm_rf(cache);
    free(store), free(cache);
}
END_TEST

START_TEST(packs_indexed_and_reused)
{
    char *store = make_store(2), *cache = mktemp_dir(), zp[PATH_MAX];
    char *t1 = isf_text("Linux version zip.1"), *t2 = isf_text("Linux version zip.2");
    struct scry_symindex *ix;
    struct scry_symindex_stats s;
    int err;
    snprintf(zp, sizeof zp, "%s/linux.zip", store);
    zip_t *z = zip_open(zp, ZIP_CREATE | ZIP_TRUNCATE, &err);
    zip_file_add(z, "linux/b.json", zip_source_buffer(z, t2, strlen(t2), 0), 0);
    zip_file_add(z, "linux/a.json", zip_source_buffer(z, t1, strlen(t1), 0), 0);
    ck_assert_int_eq(zip_close(z), 0);
    ck_assert_int_eq(scry_symindex_open(cache, &ix), SCRY_OK);
    s = refresh(ix, store);
    ck_assert_uint_eq(scry_symindex_count(ix), 4);
    ck_assert_uint_eq(s.identified, 4);
    /* bytewise: ".../linux.zip" sorts before ".../linux/k000.json" */
    const struct scry_isf_entry *e = scry_symindex_at(ix, 0);
    ck_assert_str_eq(e->loc.member, "linux/a.json");
    ck_assert_str_eq(scry_symindex_at(ix, 1)->loc.member, "linux/b.json");
    ck_assert_ptr_null(scry_symindex_at(ix, 2)->loc.member);
    ck_assert_uint_eq(find_n(ix, "Linux version zip.2"), 1);
    s = refresh(ix, store);
    ck_assert_uint_eq(s.identified, 4);
    ck_assert_uint_eq(s.reused, 4);
    scry_symindex_free(ix);
    free(t1), free(t2);
    rm_rf(store);
    rm_rf(cache);
    free(store), free(cache);
}
END_TEST

START_TEST(two_processes_refresh_at_once)
{
    char *store = make_store(40), *cache = mktemp_dir();
    struct scry_symindex *ix;
    pid_t kids[2];
    for (int k = 0; k < 2; k++) {
        kids[k] = fork();
        ck_assert_int_ge(kids[k], 0);
        if (kids[k] == 0) {
            int bad = 0;
            for (int round = 0; round < 3; round++) {
                struct scry_symindex *c;
                const char *dirs[] = {store};
                if (scry_symindex_open(cache, &c) != SCRY_OK ||
                    scry_symindex_refresh(c, dirs, 1, NULL, 1, NULL) != SCRY_OK ||
                    scry_symindex_count(c) != 40)
                    bad = 1;
                scry_symindex_free(c);
            }
            _exit(bad);
        }
    }
    for (int k = 0; k < 2; k++) {
        int status;
        ck_assert_int_eq(waitpid(kids[k], &status, 0), kids[k]);
        ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    /* consistent: every row there, right, and nothing to identify */
    ck_assert_int_eq(scry_symindex_open(cache, &ix), SCRY_OK);
    ck_assert(scry_symindex_persistent(ix));
    struct scry_symindex_stats s = refresh(ix, store);
    ck_assert_uint_eq(s.identified, 0);
    ck_assert_uint_eq(scry_symindex_count(ix), 40);
    for (int i = 0; i < 40; i++) {
        char banner[64];
        snprintf(banner, sizeof banner, "Linux version %d.0", i);
        ck_assert_uint_eq(find_n(ix, banner), 1);
    }
    scry_symindex_free(ix);
    rm_rf(store);
    rm_rf(cache);
    free(store), free(cache);
}
END_TEST

START_TEST(unusable_cache_dir_is_memory_only)
{
    char *store = make_store(3), *cache = mktemp_dir(), p[PATH_MAX];
    struct scry_symindex *ix;
    /* read-only for everyone, root included; missing; a damaged database */
    snprintf(p, sizeof p, "%s/%s", cache, SCRY_SYMINDEX_FILE);
    FILE *f = fopen(p, "w");
    fputs("this is not an SQLite database, but a damaged file of some length......", f);
    fclose(f);
    const char *dirs[] = {"/proc", "/nonexistent/cache", cache, NULL};
    for (int i = 0; dirs[i] || i == 3; i++) {
        struct scry_symindex_stats s;
        ck_assert_int_eq(scry_symindex_open(dirs[i], &ix), SCRY_OK);
        ck_assert(!scry_symindex_persistent(ix));
        s = refresh(ix, store);
        ck_assert_uint_eq(s.identified, 3);
        ck_assert_uint_eq(scry_symindex_count(ix), 3);
        s = refresh(ix, store); /* memory only still saves work within a handle */
        ck_assert_uint_eq(s.identified, 3);
        scry_symindex_free(ix);
        if (i == 3)
            break;
    }
    rm_rf(store);
    rm_rf(cache);
    free(store), free(cache);
}
END_TEST

/* An index file an older memscry wrote (its table without the `valid`
 * column) is rebuilt: it used to load but refuse every store, so every
 * run identified every table of the store again. */
START_TEST(older_schema_is_rebuilt)
{
    char *store = make_store(3), *cache = mktemp_dir(), p[PATH_MAX];
    struct scry_symindex *ix;
    sqlite3 *db;
    snprintf(p, sizeof p, "%s/%s", cache, SCRY_SYMINDEX_FILE);
    ck_assert_int_eq(sqlite3_open(p, &db), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(db,
                                  "CREATE TABLE isf ( path TEXT NOT NULL, member TEXT NOT NULL,"
                                  " size INTEGER, mtime_ns INTEGER, ino INTEGER, dev INTEGER,"
                                  " hash INTEGER, os TEXT, identifier BLOB,"
                                  " banner_address INTEGER, nbase INTEGER, ntypes INTEGER,"
                                  " nsymbols INTEGER, nenums INTEGER,"
                                  " error TEXT, PRIMARY KEY (path, member))",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    for (int round = 0; round < 2; round++) {
        struct scry_symindex_stats s;
        ck_assert_int_eq(scry_symindex_open(cache, &ix), SCRY_OK);
        ck_assert(scry_symindex_persistent(ix));
        s = refresh(ix, store);
        /* identified once, then read back from the rebuilt file */
        ck_assert_uint_eq(s.identified, round ? 0 : 3);
        ck_assert_uint_eq(scry_symindex_count(ix), 3);
        scry_symindex_free(ix);
    }
    rm_rf(store);
    rm_rf(cache);
    free(store), free(cache);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("index");
    TCase *t = tcase_create("index");
    tcase_set_timeout(t, 120);
    tcase_add_test(t, refresh_add_remove_touch_change);
    tcase_add_test(t, packs_indexed_and_reused);
    tcase_add_test(t, two_processes_refresh_at_once);
    tcase_add_test(t, unusable_cache_dir_is_memory_only);
    tcase_add_test(t, older_schema_is_rebuilt);
    suite_add_tcase(s, t);
    return s;
}

int main(void) { return tu_run_suite(suite()); }
