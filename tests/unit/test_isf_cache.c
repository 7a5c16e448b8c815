/* test_isf_cache.c - the compiled symbol tables and their cache on disk.
 *
 * Round trip: every base type, user type, field (with its whole type
 * reference chain), enum constant, symbol (address, type) and constant_data
 * of the builder's tables equals what the compiled form answers, for the
 * corpus Linux ISFs and every Windows ISF in ../shared/isf. Cache: first
 * load builds and stores, the second maps; truncated, corrupt, foreign
 * version and stale entries are rebuilt; a damaged body is found by the
 * lookup that reads it and the symbol cache rebuilds it; two processes
 * filling one entry at once leave one valid entry; an unwritable or full
 * cache directory only makes loads cold. */
#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "symbols/cache.h"
#include "symbols/isf_cache.h"
#include "symbols/isf_flat.h"
#include "symbols/isf_tables.h"
#include "testutil.h"

/* ------------------------------------------------------------ round trip */

static void same_tref(const struct scry_symtab *st, const struct isf_tref *want,
                      const struct scry_typeref *got, const char *where)
{
    for (int depth = 0; want; depth++) {
        ck_assert_msg(depth < 64, "%s: reference chain too long", where);
        ck_assert_msg((int)got->kind == (int)want->kind, "%s: kind %d, want %d", where,
                      (int)got->kind, (int)want->kind);
        if (want->name)
            ck_assert_msg(got->name && strcmp(got->name, want->name) == 0, "%s: name", where);
        else
            ck_assert_msg(!got->name, "%s: unexpected name", where);
        ck_assert_msg(got->count == want->count && got->bit_position == want->bit_position &&
                          got->bit_length == want->bit_length,
                      "%s: count or bits differ", where);
        want = want->sub;
        if (!want) {
            ck_assert_msg(got->sub == SCRY_TREF_NONE, "%s: unexpected target", where);
            break;
        }
        struct scry_typeref next;
        ck_assert_int_eq(scry_sym_typeref(st, got->sub, &next), SCRY_OK);
        *(struct scry_typeref *)got = next;
    }
}

/* Compares every entry of t with st; returns the number of items checked. */
static size_t compare_tables(const struct isf_tables *t, const struct scry_symtab *st)
{
    size_t n = 0;
    uint64_t v;
    int sg;
    ck_assert_uint_eq(scry_sym_count_user_types(st), t->utypes.n);
    ck_assert_uint_eq(scry_sym_count_symbols(st), t->syms.n);
    ck_assert_str_eq(scry_sym_format_version(st), t->format ? t->format : "");
    ISF_EACH(&t->btypes, struct btype, b) {
        ck_assert_int_eq(scry_sym_base_type(st, b->name, &v, &sg), SCRY_OK);
        ck_assert_uint_eq(v, b->size);
        ck_assert_int_eq(sg, b->is_signed != 0);
        n++;
    }
    ISF_EACH(&t->utypes, struct utype, u) {
        ck_assert_int_eq(scry_sym_type_size(st, u->name, &v), SCRY_OK);
        ck_assert_uint_eq(v, u->size);
        for (uint32_t f = 0; f < u->nfields; f++) {
            struct scry_typeref r;
            char where[512];
            snprintf(where, sizeof where, "%s.%s", u->name, u->fields[f].name);
            ck_assert_msg(scry_sym_field(st, u->name, u->fields[f].name, &v, &r) == SCRY_OK,
                          "%s: %s", where, scry_last_error());
            ck_assert_msg(v == u->fields[f].offset, "%s: offset", where);
            same_tref(st, u->fields[f].type, &r, where);
            n++;
        }
        n++;
    }
    ISF_EACH(&t->enums, struct etype, e) {
        ck_assert_int_eq(scry_sym_type_size(st, e->name, &v), SCRY_OK);
        for (uint32_t c = 0; c < e->nconsts; c++) {
            int64_t val;
            ck_assert_int_eq(scry_sym_enum_value(st, e->name, e->consts[c].name, &val), SCRY_OK);
            /* A constant given twice in one enum: the first one's name
             * finds the first definition in both forms. */
            uint32_t first = 0;
            while (strcmp(e->consts[first].name, e->consts[c].name) != 0)
                first++;
            ck_assert_int_eq(val, e->consts[first].value);
            n++;
        }
        n++;
    }
    ISF_EACH(&t->syms, struct sym, s) {
        ck_assert_int_eq(scry_sym_address(st, s->name, &v), SCRY_OK);
        ck_assert_uint_eq(v, s->address);
        struct scry_typeref r;
        if (s->type) {
            ck_assert_int_eq(scry_sym_symbol_type(st, s->name, &r), SCRY_OK);
            same_tref(st, s->type, &r, s->name);
        } else {
            ck_assert_int_eq(scry_sym_symbol_type(st, s->name, &r), SCRY_ERR_NOT_FOUND);
        }
        n++;
    }
    ISF_EACH(&t->cdata, struct cdata, d) {
        const uint8_t *p;
        size_t len;
        ck_assert_int_eq(scry_sym_constant_data(st, d->name, &p, &len), SCRY_OK);
        ck_assert_uint_eq(len, d->len);
        ck_assert(len == 0 || memcmp(p, d->data, len) == 0);
        n++;
    }
    return n;
}

/* Builds path's tables, compiles them, reopens the compiled bytes as an
 * untrusted mapping would be (every block verified on read), compares. */
static void round_trip(const char *path)
{
    struct isf_tables *t = NULL;
    struct scry_symtab *st = NULL, *view = NULL;
    ck_assert_msg(isf_load_tables(path, &t) == SCRY_OK, "%s: %s", path, scry_last_error());
    ck_assert_msg(scry_isf_load(path, &st) == SCRY_OK, "%s: %s", path, scry_last_error());
    uint8_t *copy = malloc(st->size);
    ck_assert_ptr_nonnull(copy);
    memcpy(copy, st->base, st->size);
    ck_assert_int_eq(isf_flat_open(copy, st->size, 0, copy, NULL, &view), SCRY_OK);
    size_t n1 = compare_tables(t, st), n2 = compare_tables(t, view);
    ck_assert_uint_eq(n1, n2);
    ck_assert_uint_gt(n1, 1000);
    ck_assert(!scry_sym_damaged(view));
    printf("round trip %s: %zu items\n", path, n1);
    scry_isf_free(view);
    scry_isf_free(st);
    isf_tables_free(t);
}

START_TEST(round_trip_corpus)
{
    const char *corpus = tu_corpus_dir("compiled round trip (corpus ISFs)");
    if (!corpus)
        return;
    const char *const files[] = {
        "/symbols/linux/debian-6.1.0-57-cloud-amd64.json.xz",
        "/symbols/linux/debian-6.12.107-cloud-amd64.json.xz",
        "/../isf/windows/ntkrnlmp.pdb/339E74133576439CBCDF7E0229DA3773-1.json.xz",
        "/../isf/windows/ntkrnlmp.pdb/22597D0B40394E23936F6A24C6C52D5B-1.json.xz",
        "/../isf/windows/ntkrnlmp.pdb/8B11040A5928757B11390AC78F6B6925-1.json.xz",
        "/../isf/windows/ntkrnlmp.pdb/606FF669409B00F7FC8C61A9C1670129-1.json.xz",
        "/../isf/windows/ntkrnlmp.pdb/32C1A669D5FFEFD41091F636CFDB6E99-1.json.xz",
    };
    char path[4096];
    snprintf(path, sizeof path, "%s%s", corpus, files[_i]);
    if (access(path, R_OK) != 0) {
        printf("skip: %s absent\n", path);
        return;
    }
    round_trip(path);
}
END_TEST

/* ----------------------------------------------------------------- cache */

/* A small ISF with every kind of entry. */
static const char small_isf[] =
    "{\"metadata\": {\"format\": \"6.2.0\"},\n"
    " \"base_types\": {\"int\": {\"size\": 4, \"signed\": true, \"kind\": \"int\", \"endian\": \"little\"},\n"
    "                 \"char\": {\"size\": 1, \"signed\": true, \"kind\": \"char\", \"endian\": \"little\"},\n"
    "                 \"pointer\": {\"size\": 8, \"signed\": false, \"kind\": \"int\", \"endian\": \"little\"}},\n"
    " \"user_types\": {\"task_struct\": {\"kind\": \"struct\", \"size\": 64, \"fields\": {\n"
    "     \"pid\": {\"offset\": 8, \"type\": {\"kind\": \"base\", \"name\": \"int\"}},\n"
    "     \"comm\": {\"offset\": 16, \"type\": {\"kind\": \"array\", \"count\": 16,\n"
    "              \"subtype\": {\"kind\": \"base\", \"name\": \"char\"}}}}}},\n"
    " \"enums\": {\"e\": {\"size\": 4, \"base\": \"int\", \"constants\": {\"A\": 1, \"B\": 2}}},\n"
    " \"symbols\": {\"init_task\": {\"address\": 18446744071606217280,\n"
    "                \"type\": {\"kind\": \"struct\", \"name\": \"task_struct\"}},\n"
    "             \"linux_banner\": {\"address\": 4096, \"constant_data\": \"TGludXggdmVyc2lvbiA2LjEK\"}}}\n";

static char *tmpdir(void)
{
    char *d = strdup("/tmp/memscry-isfc-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(d));
    return d;
}

static void rm_rf(const char *d)
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", d);
    ck_assert_int_eq(system(cmd), 0);
}

/* The one entry file in dir/ISF_CACHE_SUBDIR (asserts there is exactly one, and no
 * temporary file left behind). */
static char *the_entry(const char *dir)
{
    char sub[4096], *found = NULL;
    snprintf(sub, sizeof sub, "%s/" ISF_CACHE_SUBDIR, dir);
    DIR *d = opendir(sub);
    ck_assert_ptr_nonnull(d);
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.' && (!e->d_name[1] || e->d_name[1] == '.'))
            continue;
        ck_assert_msg(strstr(e->d_name, ".isfc") != NULL, "stray file %s", e->d_name);
        ck_assert_msg(!found, "two entries");
        found = malloc(strlen(sub) + strlen(e->d_name) + 2);
        sprintf(found, "%s/%s", sub, e->d_name);
    }
    closedir(d);
    ck_assert_msg(found != NULL, "no entry in %s", sub);
    return found;
}

static enum scry_isfc_how load_check(const char *dir, const char *isf)
{
    struct scry_symtab *st = NULL;
    enum scry_isfc_how how = 0;
    uint64_t v;
    ck_assert_msg(scry_isfc_load(dir, isf, NULL, 0, &st, &how) == SCRY_OK, "%s",
                  scry_last_error());
    ck_assert_int_eq(scry_sym_field(st, "task_struct", "pid", &v, NULL), SCRY_OK);
    ck_assert_uint_eq(v, 8);
    ck_assert_int_eq(scry_sym_address(st, "init_task", &v), SCRY_OK);
    ck_assert_uint_eq(v, UINT64_C(18446744071606217280));
    ck_assert(!scry_sym_damaged(st));
    scry_isf_free(st);
    return how;
}

/* Rewrites bytes of the entry in place (the test plays the attacker). */
static void patch(const char *path, long off, const void *bytes, size_t n)
{
    int fd = open(path, O_WRONLY);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(pwrite(fd, bytes, n, off), (ssize_t)n);
    close(fd);
}

static off_t fsize(const char *path)
{
    struct stat sb;
    ck_assert_int_eq(stat(path, &sb), 0);
    return sb.st_size;
}

START_TEST(build_then_map)
{
    char *dir = tmpdir(), *isf = tu_write_temp(small_isf, sizeof small_isf - 1);
    ck_assert_int_eq(load_check(dir, isf), SCRY_ISFC_BUILT);
    ck_assert_int_eq(load_check(dir, isf), SCRY_ISFC_MAPPED);
    char *entry = the_entry(dir);
    struct stat sb;
    ck_assert_int_eq(stat(entry, &sb), 0);
    ck_assert_int_eq(sb.st_mode & 0777, 0600);
    /* An edited ISF is another key: a new entry, never the old table. */
    char edited[sizeof small_isf];
    memcpy(edited, small_isf, sizeof small_isf);
    strstr(edited, "\"offset\": 8")[10] = '9';
    FILE *f = fopen(isf, "w");
    fputs(edited, f);
    fclose(f);
    struct scry_symtab *st;
    enum scry_isfc_how how;
    uint64_t v;
    ck_assert_int_eq(scry_isfc_load(dir, isf, NULL, 0, &st, &how), SCRY_OK);
    ck_assert_int_eq(how, SCRY_ISFC_BUILT);
    ck_assert_int_eq(scry_sym_field(st, "task_struct", "pid", &v, NULL), SCRY_OK);
    ck_assert_uint_eq(v, 9);
    scry_isf_free(st);
    unlink(isf);
    rm_rf(dir);
    free(entry);
    free(dir);
    free(isf);
}
END_TEST

/* Each way an entry can be bad, applied to a fresh entry; the next load
 * must build (not map) and leave a good entry behind. */
enum damage { TRUNCATE, HEADER_BYTE, VERSION, FOREIGN_ENDIAN, STALE, SECTION_TABLE, EMPTY };

START_TEST(bad_entries_rebuilt)
{
    char *dir = tmpdir(), *isf = tu_write_temp(small_isf, sizeof small_isf - 1);
    ck_assert_int_eq(load_check(dir, isf), SCRY_ISFC_BUILT);
    char *entry = the_entry(dir);
    off_t good = fsize(entry);
    switch ((enum damage)_i) {
    case TRUNCATE:
        ck_assert_int_eq(truncate(entry, good / 2), 0);
        break;
    case HEADER_BYTE:
        patch(entry, 40, "\x5a", 1); /* inside the header: its hash fails */
        break;
    case VERSION: {
        uint32_t v = ISF_FLAT_VERSION + 1;
        patch(entry, 8, &v, 4);
        break;
    }
    case FOREIGN_ENDIAN: {
        uint32_t e = 0x04030201;
        patch(entry, 12, &e, 4);
        break;
    }
    case STALE: {
        /* Another ISF's compiled table under this key. */
        char other[sizeof small_isf];
        memcpy(other, small_isf, sizeof small_isf);
        strstr(other, "\"offset\": 8")[10] = '9';
        struct scry_symtab *o;
        ck_assert_int_eq(scry_isf_parse(other, sizeof other - 1, &o), SCRY_OK);
        FILE *f = fopen(entry, "w");
        fwrite(o->base, 1, o->size, f);
        fclose(f);
        scry_isf_free(o);
        break;
    }
    case SECTION_TABLE: {
        uint64_t huge = UINT64_C(1) << 40;
        patch(entry, (long)sizeof(struct isf_flat_header) + 8, &huge, 8);
        break;
    }
    case EMPTY:
        ck_assert_int_eq(truncate(entry, 0), 0);
        break;
    }
    ck_assert_int_eq(load_check(dir, isf), SCRY_ISFC_BUILT);
    ck_assert_int_eq(fsize(entry), good);
    ck_assert_int_eq(load_check(dir, isf), SCRY_ISFC_MAPPED);
    free(entry);
    entry = the_entry(dir);
    unlink(isf);
    rm_rf(dir);
    free(entry);
    free(dir);
    free(isf);
}
END_TEST

/* A body byte changed with the header intact: the lookup that reads its
 * block fails with SCRY_ERR_CORRUPT, the table says it is damaged, and the
 * symbol cache drops the entry and builds the table again. */
START_TEST(damaged_body_found_and_rebuilt)
{
    char *dir = tmpdir(), *isf = tu_write_temp(small_isf, sizeof small_isf - 1);
    ck_assert_int_eq(load_check(dir, isf), SCRY_ISFC_BUILT);
    char *entry = the_entry(dir);
    struct scry_symtab *st;
    ck_assert_int_eq(scry_isf_load(isf, &st), SCRY_OK);
    /* Flip the first byte of the string section: every name lookup reads it. */
    uint8_t b = st->base[st->sec[S_STR].offset] ^ 0x20;
    patch(entry, (long)st->sec[S_STR].offset, &b, 1);
    scry_isf_free(st);

    struct scry_symcache *c;
    const struct scry_symtab *t;
    uint64_t v, loads, maps;
    ck_assert_int_eq(scry_symcache_new(&c), SCRY_OK);
    ck_assert_int_eq(scry_symcache_set_dir(c, dir), SCRY_OK);
    ck_assert_int_eq(scry_symcache_acquire(c, isf, &t), SCRY_OK);
    ck_assert_int_eq(scry_sym_address(t, "init_task", &v), SCRY_ERR_CORRUPT);
    ck_assert_msg(strstr(scry_last_error(), "fails its checksum") != NULL, "%s",
                  scry_last_error());
    ck_assert(scry_sym_damaged(t));
    scry_symcache_release(c, t);
    ck_assert_int_eq(scry_symcache_acquire(c, isf, &t), SCRY_OK);
    ck_assert(!scry_sym_damaged(t));
    ck_assert_int_eq(scry_sym_address(t, "init_task", &v), SCRY_OK);
    ck_assert_uint_eq(v, UINT64_C(18446744071606217280));
    scry_symcache_release(c, t);
    scry_symcache_stats(c, &loads, &maps, NULL);
    ck_assert_uint_eq(loads, 2);
    ck_assert_uint_eq(maps, 1);
    scry_symcache_free(c);
    /* The rebuilt entry replaced the damaged one. */
    ck_assert_int_eq(load_check(dir, isf), SCRY_ISFC_MAPPED);
    unlink(isf);
    rm_rf(dir);
    free(entry);
    free(dir);
    free(isf);
}
END_TEST

/* Unwritable places: a "directory" below a regular file (mkdir fails even
 * for root), and a full disk (RLIMIT_FSIZE makes write fail with EFBIG).
 * Loads stay correct and cold, with no error and no stray file. */
START_TEST(unwritable_cache_is_cold)
{
    char *isf = tu_write_temp(small_isf, sizeof small_isf - 1);
    char bogus[4200];
    snprintf(bogus, sizeof bogus, "%s/cache", isf);
    ck_assert_int_eq(load_check(bogus, isf), SCRY_ISFC_BUILT);
    ck_assert_int_eq(load_check(bogus, isf), SCRY_ISFC_BUILT);

    char *dir = tmpdir();
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        struct rlimit rl = {256, 256}; /* the entry is ~2 KB */
        signal(SIGXFSZ, SIG_IGN);
        if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
            _exit(3);
        struct scry_symtab *st;
        enum scry_isfc_how how;
        uint64_t v;
        for (int i = 0; i < 2; i++) {
            if (scry_isfc_load(dir, isf, NULL, 0, &st, &how) != SCRY_OK || how != SCRY_ISFC_BUILT ||
                scry_sym_field(st, "task_struct", "pid", &v, NULL) != SCRY_OK || v != 8)
                _exit(1);
            scry_isf_free(st);
        }
        _exit(0);
    }
    int ws;
    ck_assert_int_eq(waitpid(pid, &ws, 0), pid);
    ck_assert_msg(WIFEXITED(ws) && WEXITSTATUS(ws) == 0, "child status %d", ws);
    /* Nothing left: no entry, no temporary file. */
    char sub[4200];
    snprintf(sub, sizeof sub, "%s/" ISF_CACHE_SUBDIR, dir);
    DIR *d = opendir(sub);
    ck_assert_ptr_nonnull(d);
    int files = 0;
    for (struct dirent *e; (e = readdir(d));)
        files += e->d_name[0] != '.' || (e->d_name[1] && e->d_name[1] != '.');
    closedir(d);
    ck_assert_int_eq(files, 0);
    unlink(isf);
    rm_rf(dir);
    free(dir);
    free(isf);
}
END_TEST

/* Two processes fill the same entry at once, several rounds, from the
 * corpus's 11 MB compiled table (long writes, so they overlap): each loads
 * correctly, one whole entry remains, no temporary file. */
START_TEST(concurrent_fill)
{
    const char *corpus = tu_corpus_dir("concurrent cache fill (corpus ISF)");
    if (!corpus)
        return;
    char isf[4096];
    snprintf(isf, sizeof isf, "%s/symbols/linux/debian-6.1.0-57-cloud-amd64.json.xz", corpus);
    for (int round = 0; round < 3; round++) {
        char *dir = tmpdir();
        int go[2];
        ck_assert_int_eq(pipe(go), 0);
        pid_t kids[2];
        for (int k = 0; k < 2; k++) {
            kids[k] = fork();
            ck_assert_int_ge(kids[k], 0);
            if (kids[k] == 0) {
                char c;
                close(go[1]);
                if (read(go[0], &c, 1) != 0) /* EOF: both start together */
                    _exit(4);
                struct scry_symtab *st;
                uint64_t v;
                if (scry_isfc_load(dir, isf, NULL, 0, &st, NULL) != SCRY_OK ||
                    scry_sym_field(st, "task_struct", "pid", &v, NULL) != SCRY_OK)
                    _exit(1);
                scry_isf_free(st);
                _exit(0);
            }
        }
        close(go[0]);
        close(go[1]);
        for (int k = 0; k < 2; k++) {
            int ws;
            ck_assert_int_eq(waitpid(kids[k], &ws, 0), kids[k]);
            ck_assert_msg(WIFEXITED(ws) && WEXITSTATUS(ws) == 0, "child %d status %d", k, ws);
        }
        char *entry = the_entry(dir);
        struct scry_symtab *st;
        enum scry_isfc_how how;
        uint64_t v;
        ck_assert_int_eq(scry_isfc_load(dir, isf, NULL, 0, &st, &how), SCRY_OK);
        ck_assert_int_eq(how, SCRY_ISFC_MAPPED);
        ck_assert_int_eq(scry_sym_field(st, "task_struct", "comm", &v, NULL), SCRY_OK);
        /* Read every block: the whole entry is intact. */
        for (size_t b = 0; b < st->nblocks; b++)
            ck_assert_ptr_nonnull(isf_flat_get(st, st->body + b * ISF_FLAT_BLOCK, 1));
        scry_isf_free(st);
        rm_rf(dir);
        free(entry);
        free(dir);
    }
}
END_TEST

START_TEST(default_dir)
{
    char *d;
    setenv("XDG_CACHE_HOME", "/x/cache", 1);
    d = scry_isfc_default_dir();
    ck_assert_str_eq(d, "/x/cache/memscry");
    free(d);
    setenv("XDG_CACHE_HOME", "relative", 1); /* the XDG spec: ignore it */
    setenv("HOME", "/home/u", 1);
    d = scry_isfc_default_dir();
    ck_assert_str_eq(d, "/home/u/.cache/memscry");
    free(d);
    unsetenv("XDG_CACHE_HOME");
    unsetenv("HOME");
    ck_assert_ptr_null(scry_isfc_default_dir());
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("isf_cache");
    TCase *tc = tcase_create("isf_cache");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, round_trip_corpus, 0, 7);
    tcase_add_test(tc, build_then_map);
    tcase_add_loop_test(tc, bad_entries_rebuilt, TRUNCATE, EMPTY + 1);
    tcase_add_test(tc, damaged_body_found_and_rebuilt);
    tcase_add_test(tc, unwritable_cache_is_cold);
    tcase_add_test(tc, concurrent_fill);
    tcase_add_test(tc, default_dir);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run_suite(suite()); }
