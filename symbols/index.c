/* index.c - the identifier index (see index.h): rows in memory, mirrored
 * in SQLite when a cache directory is usable. */
#include "symbols/index.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "symbols/identify.h"
#include "symbols/zip.h"

/* One row: the public entry and what the file's stat said. */
struct row {
    struct scry_isf_entry e;
    int64_t mtime_ns;
    uint64_t ino, dev;
    int dirty;  /* to be written to the database */
    int seen;   /* met by the current refresh's walk */
    int work;   /* needs hashing (and maybe identifying) */
};

struct scry_symindex {
    sqlite3 *db;         /* NULL: memory only */
    struct row **rows;   /* every known row */
    size_t nrows, caprows;
    const struct scry_isf_entry **order; /* the last refresh's entries, store order */
    size_t norder;
    _Atomic uint64_t identified, rekeyed, reused;
};

/* ----------------------------------------------------------------- rows */

static void row_free(struct row *r)
{
    if (!r)
        return;
    free(r->e.loc.path);
    free(r->e.loc.member);
    free((void *)r->e.identifier);
    free((void *)r->e.error);
    free(r);
}

static const char *os_const(const char *os)
{
    if (!os)
        return NULL;
    if (!strcmp(os, "linux"))
        return "linux";
    if (!strcmp(os, "windows"))
        return "windows";
    if (!strcmp(os, "mac"))
        return "mac";
    return NULL;
}

static struct row *row_new(const char *path, const char *member)
{
    struct row *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    if (!(r->e.loc.path = strdup(path)) || (member && !(r->e.loc.member = strdup(member)))) {
        row_free(r);
        return NULL;
    }
    return r;
}

/* Copies what identification found from src (same bytes, another place). */
static int row_copy_ident(struct row *dst, const struct row *src)
{
    dst->e.os = src->e.os;
    dst->e.banner_address = src->e.banner_address;
    dst->e.nbase = src->e.nbase;
    dst->e.ntypes = src->e.ntypes;
    dst->e.nsymbols = src->e.nsymbols;
    dst->e.nenums = src->e.nenums;
    dst->e.identifier_len = src->e.identifier_len;
    if (src->e.identifier) {
        uint8_t *id = malloc(src->e.identifier_len + 1);
        if (!id)
            return -1;
        memcpy(id, src->e.identifier, src->e.identifier_len);
        dst->e.identifier = id;
    }
    if (src->e.error && !(dst->e.error = strdup(src->e.error)))
        return -1;
    return 0;
}

static int cmp_loc(const char *p1, const char *m1, const char *p2, const char *m2)
{
    int c = strcmp(p1, p2);
    if (c)
        return c;
    return strcmp(m1 ? m1 : "", m2 ? m2 : "");
}

static int cmp_row(const void *a, const void *b)
{
    const struct row *x = *(struct row *const *)a, *y = *(struct row *const *)b;
    return cmp_loc(x->e.loc.path, x->e.loc.member, y->e.loc.path, y->e.loc.member);
}

/* First row (in rows sorted by location) whose path is >= path. */
static size_t lower_bound(struct row **v, size_t n, const char *path)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(v[mid]->e.loc.path, path) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int push_row(struct scry_symindex *ix, struct row *r)
{
    if (ix->nrows == ix->caprows) {
        size_t cap = ix->caprows ? ix->caprows * 2 : 256;
        struct row **v = realloc(ix->rows, cap * sizeof *v);
        if (!v)
            return -1;
        ix->rows = v;
        ix->caprows = cap;
    }
    ix->rows[ix->nrows++] = r;
    return 0;
}

static void drop_rows(struct scry_symindex *ix)
{
    for (size_t i = 0; i < ix->nrows; i++)
        row_free(ix->rows[i]);
    ix->nrows = 0;
}

/* ------------------------------------------------------------- database */

static const char schema_sql[] =
    "CREATE TABLE IF NOT EXISTS isf ("
    " path TEXT NOT NULL, member TEXT NOT NULL, size INTEGER, mtime_ns INTEGER,"
    " ino INTEGER, dev INTEGER, hash INTEGER, os TEXT, identifier BLOB,"
    " banner_address INTEGER, nbase INTEGER, ntypes INTEGER, nsymbols INTEGER,"
    " nenums INTEGER, error TEXT, PRIMARY KEY (path, member))";

static void db_close(struct scry_symindex *ix)
{
    if (ix->db)
        sqlite3_close(ix->db);
    ix->db = NULL;
}

static void db_open(struct scry_symindex *ix, const char *dir)
{
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s/%s", dir, SCRY_SYMINDEX_FILE) >= (int)sizeof path)
        return;
    if (sqlite3_open_v2(path, &ix->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                                           SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
        db_close(ix);
        return;
    }
    sqlite3_busy_timeout(ix->db, 10000);
    if (sqlite3_exec(ix->db, schema_sql, NULL, NULL, NULL) != SQLITE_OK)
        db_close(ix); /* read-only, full or not a database: memory only */
}

static const char *col_text(sqlite3_stmt *s, int i)
{
    return (const char *)sqlite3_column_text(s, i);
}

/* Replaces the rows with the database's (another process may have
 * refreshed it since). 0 on success; -1: the database is unusable. */
static int db_load(struct scry_symindex *ix)
{
    sqlite3_stmt *s;
    int rc;
    if (sqlite3_prepare_v2(ix->db,
                           "SELECT path, member, size, mtime_ns, ino, dev, hash, os, identifier,"
                           " banner_address, nbase, ntypes, nsymbols, nenums, error FROM isf",
                           -1, &s, NULL) != SQLITE_OK)
        return -1;
    drop_rows(ix);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *member = col_text(s, 1);
        struct row *r = row_new(col_text(s, 0) ? col_text(s, 0) : "", *member ? member : NULL);
        if (!r || push_row(ix, r) != 0) {
            row_free(r);
            rc = SQLITE_NOMEM;
            break;
        }
        r->e.size = (uint64_t)sqlite3_column_int64(s, 2);
        r->mtime_ns = sqlite3_column_int64(s, 3);
        r->ino = (uint64_t)sqlite3_column_int64(s, 4);
        r->dev = (uint64_t)sqlite3_column_int64(s, 5);
        r->e.hash = (uint64_t)sqlite3_column_int64(s, 6);
        r->e.os = os_const(col_text(s, 7));
        if (r->e.os) {
            int n = sqlite3_column_bytes(s, 8);
            const void *b = sqlite3_column_blob(s, 8);
            uint8_t *id = malloc((size_t)n + 1);
            if (!id) {
                rc = SQLITE_NOMEM;
                break;
            }
            if (n)
                memcpy(id, b, (size_t)n);
            r->e.identifier = id;
            r->e.identifier_len = (size_t)n;
        }
        r->e.banner_address = (uint64_t)sqlite3_column_int64(s, 9);
        r->e.nbase = sqlite3_column_int64(s, 10);
        r->e.ntypes = sqlite3_column_int64(s, 11);
        r->e.nsymbols = sqlite3_column_int64(s, 12);
        r->e.nenums = sqlite3_column_int64(s, 13);
        if (col_text(s, 14) && !(r->e.error = strdup(col_text(s, 14)))) {
            rc = SQLITE_NOMEM;
            break;
        }
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) {
        drop_rows(ix);
        return -1;
    }
    return 0;
}

/* Writes dirty rows and deletes `gone` in one transaction. -1: failed
 * (rolled back). */
static int db_store(struct scry_symindex *ix, struct row **gone, size_t ngone)
{
    sqlite3_stmt *ins = NULL, *del = NULL;
    int ok = sqlite3_exec(ix->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK;
    if (!ok)
        return -1;
    ok = sqlite3_prepare_v2(ix->db,
                            "INSERT OR REPLACE INTO isf VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                            -1, &ins, NULL) == SQLITE_OK &&
         sqlite3_prepare_v2(ix->db, "DELETE FROM isf WHERE path = ? AND member = ?", -1, &del,
                            NULL) == SQLITE_OK;
    for (size_t i = 0; ok && i < ix->nrows; i++) {
        const struct row *r = ix->rows[i];
        if (!r->dirty)
            continue;
        sqlite3_reset(ins);
        sqlite3_bind_text(ins, 1, r->e.loc.path, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 2, r->e.loc.member ? r->e.loc.member : "", -1, SQLITE_STATIC);
        sqlite3_bind_int64(ins, 3, (sqlite3_int64)r->e.size);
        sqlite3_bind_int64(ins, 4, r->mtime_ns);
        sqlite3_bind_int64(ins, 5, (sqlite3_int64)r->ino);
        sqlite3_bind_int64(ins, 6, (sqlite3_int64)r->dev);
        sqlite3_bind_int64(ins, 7, (sqlite3_int64)r->e.hash);
        if (r->e.os) {
            sqlite3_bind_text(ins, 8, r->e.os, -1, SQLITE_STATIC);
            sqlite3_bind_blob(ins, 9, r->e.identifier, (int)r->e.identifier_len, SQLITE_STATIC);
        } else {
            sqlite3_bind_null(ins, 8);
            sqlite3_bind_null(ins, 9);
        }
        sqlite3_bind_int64(ins, 10, (sqlite3_int64)r->e.banner_address);
        sqlite3_bind_int64(ins, 11, r->e.nbase);
        sqlite3_bind_int64(ins, 12, r->e.ntypes);
        sqlite3_bind_int64(ins, 13, r->e.nsymbols);
        sqlite3_bind_int64(ins, 14, r->e.nenums);
        if (r->e.error)
            sqlite3_bind_text(ins, 15, r->e.error, -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(ins, 15);
        ok = sqlite3_step(ins) == SQLITE_DONE;
    }
    for (size_t i = 0; ok && i < ngone; i++) {
        sqlite3_reset(del);
        sqlite3_bind_text(del, 1, gone[i]->e.loc.path, -1, SQLITE_STATIC);
        sqlite3_bind_text(del, 2, gone[i]->e.loc.member ? gone[i]->e.loc.member : "", -1,
                          SQLITE_STATIC);
        ok = sqlite3_step(del) == SQLITE_DONE;
    }
    sqlite3_finalize(ins);
    sqlite3_finalize(del);
    if (ok && sqlite3_exec(ix->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK)
        return 0;
    sqlite3_exec(ix->db, "ROLLBACK", NULL, NULL, NULL);
    return -1;
}

/* ------------------------------------------------------------ open/free */

scry_status scry_symindex_open(const char *cache_dir, struct scry_symindex **out)
{
    struct scry_symindex *ix;
    if (!out)
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_symindex_open: NULL argument");
    if (!(ix = calloc(1, sizeof *ix)))
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    if (cache_dir && *cache_dir)
        db_open(ix, cache_dir);
    *out = ix;
    return SCRY_OK;
}

void scry_symindex_free(struct scry_symindex *ix)
{
    if (!ix)
        return;
    db_close(ix);
    drop_rows(ix);
    free(ix->rows);
    free(ix->order);
    free(ix);
}

int scry_symindex_persistent(const struct scry_symindex *ix) { return ix && ix->db; }

size_t scry_symindex_count(const struct scry_symindex *ix) { return ix ? ix->norder : 0; }

const struct scry_isf_entry *scry_symindex_at(const struct scry_symindex *ix, size_t i)
{
    return ix && i < ix->norder ? ix->order[i] : NULL;
}

void scry_symindex_stats(const struct scry_symindex *ix, struct scry_symindex_stats *out)
{
    out->identified = atomic_load(&ix->identified);
    out->rekeyed = atomic_load(&ix->rekeyed);
    out->reused = atomic_load(&ix->reused);
}

scry_status scry_symindex_find(const struct scry_symindex *ix, const char *os, const void *id,
                               size_t idlen, const struct scry_isf_entry ***out, size_t *n)
{
    const struct scry_isf_entry **v = NULL;
    size_t k = 0;
    if (!ix || !out || !n || (!id && idlen))
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_symindex_find: NULL argument");
    for (size_t pass = 0; pass < 2; pass++) {
        k = 0;
        for (size_t i = 0; i < ix->norder; i++) {
            const struct scry_isf_entry *e = ix->order[i];
            if (!e->os || (os && strcmp(e->os, os)) || e->identifier_len != idlen ||
                (idlen && memcmp(e->identifier, id, idlen)))
                continue;
            if (pass)
                v[k] = e;
            k++;
        }
        if (!pass) {
            if (!k)
                break;
            if (!(v = malloc(k * sizeof *v)))
                return scry_err(SCRY_ERR_NOMEM, "out of memory");
        }
    }
    *out = v;
    *n = k;
    return SCRY_OK;
}

/* ------------------------------------------------------------- the work */

struct hashmap {
    struct row **slot; /* rows by e.hash, open addressing */
    size_t mask;
};

static int hashmap_build(struct hashmap *h, struct row **rows, size_t n)
{
    size_t cap = 64;
    while (cap < n * 2)
        cap *= 2;
    if (!(h->slot = calloc(cap, sizeof *h->slot)))
        return -1;
    h->mask = cap - 1;
    for (size_t i = 0; i < n; i++) {
        size_t j = (size_t)rows[i]->e.hash & h->mask;
        while (h->slot[j])
            j = (j + 1) & h->mask;
        h->slot[j] = rows[i];
    }
    return 0;
}

static const struct row *hashmap_find(const struct hashmap *h, uint64_t hash)
{
    for (size_t j = (size_t)hash & h->mask; h->slot[j]; j = (j + 1) & h->mask)
        if (h->slot[j]->e.hash == hash)
            return h->slot[j];
    return NULL;
}

struct job {
    struct scry_symindex *ix;
    struct row **todo;
    size_t ntodo;
    _Atomic size_t next;
    const struct hashmap *known; /* read-only while the workers run */
};

static int set_error(struct row *r)
{
    const char *m = scry_last_error();
    r->e.error = strdup(*m ? m : "cannot identify");
    return r->e.error ? 0 : -1;
}

/* Hashes a plain file's stored bytes. */
static scry_status hash_file(const char *path, uint64_t *out)
{
    static const size_t chunk = 1 << 20;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    XXH3_state_t *st;
    uint8_t *buf;
    scry_status rc = SCRY_OK;
    if (fd < 0)
        return scry_err(SCRY_ERR_IO, "cannot open ISF %s: %s", path, strerror(errno));
    st = XXH3_createState();
    buf = malloc(chunk);
    if (!st || !buf) {
        rc = scry_err(SCRY_ERR_NOMEM, "out of memory");
        goto out;
    }
    XXH3_64bits_reset(st);
    for (;;) {
        ssize_t n = read(fd, buf, chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = scry_err(SCRY_ERR_IO, "%s: read: %s", path, strerror(errno));
            break;
        }
        if (n == 0)
            break;
        XXH3_64bits_update(st, buf, (size_t)n);
    }
    *out = XXH3_64bits_digest(st);
out:
    free(buf);
    XXH3_freeState(st);
    close(fd);
    return rc;
}

/* One row: hash, then re-key to a known row of the same bytes or
 * identify. Failures become the row's error. Returns -1 only when out of
 * memory for the error text itself. */
static int do_row(struct job *j, struct row *r)
{
    struct scry_isf_ident id;
    uint8_t *buf = NULL;
    size_t len = 0;
    scry_status st;
    const struct row *same;
    if (r->e.loc.member) {
        st = scry_zip_read(r->e.loc.path, r->e.loc.member, SCRY_SYMINDEX_MAX_MEMBER, &buf, &len);
        if (st == SCRY_OK)
            r->e.hash = XXH3_64bits(buf, len);
    } else {
        st = hash_file(r->e.loc.path, &r->e.hash);
    }
    if (st != SCRY_OK) {
        free(buf);
        return set_error(r);
    }
    if ((same = hashmap_find(j->known, r->e.hash)) != NULL) {
        free(buf);
        atomic_fetch_add(&j->ix->rekeyed, 1);
        return row_copy_ident(r, same);
    }
    atomic_fetch_add(&j->ix->identified, 1);
    if (r->e.loc.member) {
        st = scry_isf_identify_mem(buf, len, &id);
        if (st != SCRY_OK)
            scry_err_ctx(st, "%s!%s", r->e.loc.path, r->e.loc.member);
    } else {
        st = scry_isf_identify(r->e.loc.path, NULL, 0, &id);
    }
    free(buf);
    if (st != SCRY_OK)
        return set_error(r);
    r->e.os = id.os;
    r->e.identifier = id.id;
    r->e.identifier_len = id.id_len;
    r->e.banner_address = id.banner_address;
    r->e.nbase = id.nbase;
    r->e.ntypes = id.ntypes;
    r->e.nsymbols = id.nsymbols;
    r->e.nenums = id.nenums;
    return 0;
}

static void *worker(void *arg)
{
    struct job *j = arg;
    intptr_t failed = 0;
    for (;;) {
        size_t i = atomic_fetch_add(&j->next, 1);
        if (i >= j->ntodo)
            break;
        if (do_row(j, j->todo[i]) != 0)
            failed = 1;
    }
    return (void *)failed;
}

static scry_status run_jobs(struct job *j, unsigned threads)
{
    pthread_t tid[64];
    unsigned started = 0;
    int failed = 0;
    sigset_t all, old;
    if (threads == 0)
        threads = 2;
    if (threads > 64)
        threads = 64;
    if (threads > j->ntodo)
        threads = (unsigned)j->ntodo;
    /* Workers take no signals: they stay with the caller's threads. */
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    for (unsigned i = 1; i < threads; i++)
        if (pthread_create(&tid[started], NULL, worker, j) == 0)
            started++;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    failed = worker(j) != NULL; /* the calling thread works too */
    for (unsigned i = 0; i < started; i++) {
        void *r;
        pthread_join(tid[i], &r);
        failed |= r != NULL;
    }
    return failed ? scry_err(SCRY_ERR_NOMEM, "out of memory") : SCRY_OK;
}

/* ------------------------------------------------------------- refresh */

struct scope {
    char **roots; /* realpaths of the directory arguments ("" when not one) */
    char **files; /* realpaths of file arguments */
    size_t n;
    const char *os;
};

/* Whether a known row belongs to what this refresh walked, so that not
 * meeting it means the file is gone. */
static int in_scope(const struct scope *s, const struct row *r)
{
    const char *p = r->e.loc.path;
    for (size_t i = 0; i < s->n; i++) {
        if (s->files[i] && !strcmp(s->files[i], p))
            return 1;
        if (!s->roots[i])
            continue;
        size_t n = strlen(s->roots[i]);
        if (strncmp(p, s->roots[i], n) || p[n] != '/')
            continue;
        if (!s->os || r->e.loc.member) /* packs are walked anywhere */
            return 1;
        size_t m = strlen(s->os);
        if (!strncmp(p + n + 1, s->os, m) && p[n + 1 + m] == '/')
            return 1;
    }
    return 0;
}

static void scope_free(struct scope *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->roots[i]);
        free(s->files[i]);
    }
    free(s->roots);
    free(s->files);
}

static int scope_make(struct scope *s, const char *const *dirs, size_t n, const char *os)
{
    s->n = n;
    s->os = os;
    s->roots = calloc(n ? n : 1, sizeof *s->roots);
    s->files = calloc(n ? n : 1, sizeof *s->files);
    if (!s->roots || !s->files)
        return -1;
    for (size_t i = 0; i < n; i++) {
        char real[PATH_MAX];
        struct stat sb;
        if (!dirs[i] || !realpath(dirs[i], real) || stat(real, &sb) != 0)
            continue;
        char *c = strdup(!strcmp(real, "/") ? "" : real);
        if (!c)
            return -1;
        if (S_ISDIR(sb.st_mode))
            s->roots[i] = c;
        else
            s->files[i] = c;
    }
    return 0;
}

static int stat_same(const struct row *r, const struct scry_store_file *f)
{
    return r->e.size == f->size && r->mtime_ns == f->mtime_ns && r->ino == f->ino &&
           r->dev == f->dev;
}

static void set_stat(struct row *r, const struct scry_store_file *f)
{
    r->e.size = f->size;
    r->mtime_ns = f->mtime_ns;
    r->ino = f->ino;
    r->dev = f->dev;
}

/* The refresh proper, over sorted known rows `by` (ix->rows sorted by
 * location). New rows go to *fresh; the walk's rows in order to order. */
struct plan {
    struct row **fresh;
    size_t nfresh, capfresh;
    const struct scry_isf_entry **order;
    size_t norder, caporder;
};

static int plan_fresh(struct plan *p, struct row *r)
{
    if (p->nfresh == p->capfresh) {
        size_t cap = p->capfresh ? p->capfresh * 2 : 64;
        struct row **v = realloc(p->fresh, cap * sizeof *v);
        if (!v)
            return -1;
        p->fresh = v;
        p->capfresh = cap;
    }
    p->fresh[p->nfresh++] = r;
    return 0;
}

static int plan_order(struct plan *p, const struct scry_isf_entry *e)
{
    if (p->norder == p->caporder) {
        size_t cap = p->caporder ? p->caporder * 2 : 256;
        const struct scry_isf_entry **v = realloc(p->order, cap * sizeof *v);
        if (!v)
            return -1;
        p->order = v;
        p->caporder = cap;
    }
    p->order[p->norder++] = e;
    return 0;
}

/* A new row for a location, to be hashed; -1 when out of memory. */
static int plan_new(struct plan *p, const struct scry_store_file *f, const char *member)
{
    struct row *r = row_new(f->path, member);
    if (!r || plan_fresh(p, r) != 0 || plan_order(p, &r->e) != 0) {
        if (r && (!p->nfresh || p->fresh[p->nfresh - 1] != r))
            row_free(r);
        return -1;
    }
    set_stat(r, f);
    r->work = r->dirty = r->seen = 1;
    return 0;
}

static scry_status plan_walk(struct scry_symindex *ix, const struct scry_store_files *files,
                             struct scry_op *op, struct plan *p)
{
    struct row **by = ix->rows;
    size_t n = ix->nrows;
    for (size_t i = 0; i < files->n; i++) {
        const struct scry_store_file *f = &files->v[i];
        size_t lo = lower_bound(by, n, f->path), hi = lo;
        while (hi < n && !strcmp(by[hi]->e.loc.path, f->path))
            hi++;
        if (f->is_zip) {
            int same = hi > lo;
            for (size_t k = lo; k < hi && same; k++)
                same = by[k]->e.loc.member && stat_same(by[k], f);
            if (same) {
                for (size_t k = lo; k < hi; k++) {
                    by[k]->seen = 1;
                    atomic_fetch_add(&ix->reused, 1);
                    if (plan_order(p, &by[k]->e) != 0)
                        return scry_err(SCRY_ERR_NOMEM, "out of memory");
                }
                continue;
            }
            struct scry_zip_member *m;
            size_t nm;
            if (scry_zip_list(f->path, &m, &nm) != SCRY_OK) {
                scry_op_report(op, SCRY_DIAG_WARNING, scry_err(SCRY_ERR_CORRUPT, "%s", scry_last_error()),
                               "symbol pack skipped");
                continue;
            }
            for (size_t k = 0; k < nm; k++) {
                if (plan_new(p, f, m[k].name) != 0) {
                    scry_zip_members_free(m, nm);
                    return scry_err(SCRY_ERR_NOMEM, "out of memory");
                }
            }
            scry_zip_members_free(m, nm);
            continue;
        }
        struct row *old = NULL;
        for (size_t k = lo; k < hi && !old; k++)
            if (!by[k]->e.loc.member)
                old = by[k];
        if (old && stat_same(old, f)) {
            old->seen = 1;
            atomic_fetch_add(&ix->reused, 1);
            if (plan_order(p, &old->e) != 0)
                return scry_err(SCRY_ERR_NOMEM, "out of memory");
            continue;
        }
        if (plan_new(p, f, NULL) != 0)
            return scry_err(SCRY_ERR_NOMEM, "out of memory");
    }
    return SCRY_OK;
}

/* Merges the fresh rows into ix->rows (replacing rows of the same
 * location) and drops the known rows of the scope that the walk did not
 * meet, which go to *gone for the database. */
static scry_status merge(struct scry_symindex *ix, struct plan *p, const struct scope *sc,
                         struct row ***gone, size_t *ngone)
{
    struct row **keep = malloc((ix->nrows + p->nfresh + 1) * sizeof *keep);
    struct row **g = malloc((ix->nrows + 1) * sizeof *g);
    size_t nk = 0, ng = 0;
    if (!keep || !g) {
        free(keep);
        free(g);
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    }
    /* fresh rows sorted, to find the old rows they replace */
    if (p->nfresh)
        qsort(p->fresh, p->nfresh, sizeof *p->fresh, cmp_row);
    for (size_t i = 0; i < ix->nrows; i++) {
        struct row *r = ix->rows[i];
        size_t lo = 0, hi = p->nfresh;
        int replaced = 0;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            int c = cmp_loc(p->fresh[mid]->e.loc.path, p->fresh[mid]->e.loc.member,
                            r->e.loc.path, r->e.loc.member);
            if (c == 0) {
                replaced = 1;
                break;
            }
            if (c < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (replaced)
            row_free(r);
        else if (!r->seen && in_scope(sc, r))
            g[ng++] = r;
        else
            keep[nk++] = r;
    }
    for (size_t i = 0; i < p->nfresh; i++)
        keep[nk++] = p->fresh[i];
    free(ix->rows);
    ix->rows = keep;
    ix->nrows = nk;
    ix->caprows = ix->nrows + p->nfresh + 1;
    p->nfresh = 0;
    *gone = g;
    *ngone = ng;
    return SCRY_OK;
}

scry_status scry_symindex_refresh(struct scry_symindex *ix, const char *const *dirs, size_t ndirs,
                                  const char *os, unsigned threads, struct scry_op *op)
{
    struct scry_store_files files;
    struct plan p = {0};
    struct scope sc = {0};
    struct hashmap known = {0};
    struct row **gone = NULL;
    size_t ngone = 0;
    scry_status st;
    if (!ix || (!dirs && ndirs))
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_symindex_refresh: NULL argument");
    if (ix->db && db_load(ix) != 0)
        db_close(ix); /* unreadable: memory only from here on */
    free(ix->order);
    ix->order = NULL;
    ix->norder = 0;
    for (size_t i = 0; i < ix->nrows; i++)
        ix->rows[i]->seen = ix->rows[i]->dirty = ix->rows[i]->work = 0;
    if ((st = scry_store_walk(dirs, ndirs, os, op, &files)) != SCRY_OK)
        return st;
    if (scope_make(&sc, dirs, ndirs, os) != 0) {
        st = scry_err(SCRY_ERR_NOMEM, "out of memory");
        goto out;
    }
    if (ix->nrows)
        qsort(ix->rows, ix->nrows, sizeof *ix->rows, cmp_row);
    if ((st = plan_walk(ix, &files, op, &p)) != SCRY_OK)
        goto out;
    if (p.nfresh) {
        struct job j = {.ix = ix, .todo = p.fresh, .ntodo = p.nfresh, .known = &known};
        if (hashmap_build(&known, ix->rows, ix->nrows) != 0) {
            st = scry_err(SCRY_ERR_NOMEM, "out of memory");
            goto out;
        }
        if ((st = run_jobs(&j, threads)) != SCRY_OK)
            goto out;
    }
    if ((st = merge(ix, &p, &sc, &gone, &ngone)) != SCRY_OK)
        goto out;
    ix->order = p.order;
    ix->norder = p.norder;
    p.order = NULL;
    int changed = ngone > 0;
    for (size_t i = 0; i < ix->nrows && !changed; i++)
        changed = ix->rows[i]->dirty;
    if (ix->db && changed && db_store(ix, gone, ngone) != 0)
        db_close(ix); /* read-only or full: memory only from here on */
    for (size_t i = 0; i < ngone; i++)
        row_free(gone[i]);
out:
    free(gone);
    free(known.slot);
    for (size_t i = 0; i < p.nfresh; i++)
        row_free(p.fresh[i]);
    free(p.fresh);
    free(p.order);
    scope_free(&sc);
    scry_store_files_free(&files);
    return st;
}
