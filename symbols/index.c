/* index.c - the identifier index (see index.h): rows in memory, mirrored
 * in SQLite when a cache directory is usable (index_db.c); this file opens
 * it, plans a refresh from the store walk and answers lookups. */
#include "symbols/index.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "symbols/index_rows.h"
#include "symbols/zip.h"

/* ------------------------------------------------------------ open/free */

scry_status scry_symindex_open(const char *cache_dir, struct scry_symindex **out)
{
    struct scry_symindex *ix;
    if (!out)
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_symindex_open: NULL argument");
    if (!(ix = calloc(1, sizeof *ix)))
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    if (cache_dir && *cache_dir)
        ix_db_open(ix, cache_dir);
    *out = ix;
    return SCRY_OK;
}

void scry_symindex_free(struct scry_symindex *ix)
{
    if (!ix)
        return;
    ix_db_close(ix);
    ix_drop_rows(ix);
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

void scry_symindex_set_valid(struct scry_symindex *ix, const struct scry_isf_entry *e)
{
    if (!ix || !e)
        return;
    for (size_t i = 0; i < ix->nrows; i++)
        if (ix->rows[i]->e.hash == e->hash && !ix->rows[i]->e.error)
            ix->rows[i]->e.validated = 1;
    if (ix->db && ix_db_set_valid(ix, e->hash) != 0)
        ix_db_close(ix);
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
    struct row *r = ix_row_new(f->path, member);
    if (!r || plan_fresh(p, r) != 0 || plan_order(p, &r->e) != 0) {
        if (r && (!p->nfresh || p->fresh[p->nfresh - 1] != r))
            ix_row_free(r);
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
        qsort(p->fresh, p->nfresh, sizeof *p->fresh, ix_cmp_row);
    for (size_t i = 0; i < ix->nrows; i++) {
        struct row *r = ix->rows[i];
        size_t lo = 0, hi = p->nfresh;
        int replaced = 0;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            int c = ix_cmp_loc(p->fresh[mid]->e.loc.path, p->fresh[mid]->e.loc.member,
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
            ix_row_free(r);
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
    struct row **gone = NULL;
    size_t ngone = 0;
    scry_status st;
    if (!ix || (!dirs && ndirs))
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_symindex_refresh: NULL argument");
    if (ix->db && ix_db_load(ix) != 0)
        ix_db_close(ix); /* unreadable: memory only from here on */
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
        qsort(ix->rows, ix->nrows, sizeof *ix->rows, ix_cmp_row);
    if ((st = plan_walk(ix, &files, op, &p)) != SCRY_OK)
        goto out;
    if (p.nfresh && (st = ix_identify_rows(ix, p.fresh, p.nfresh, threads)) != SCRY_OK)
        goto out;
    if ((st = merge(ix, &p, &sc, &gone, &ngone)) != SCRY_OK)
        goto out;
    ix->order = p.order;
    ix->norder = p.norder;
    p.order = NULL;
    int changed = ngone > 0;
    for (size_t i = 0; i < ix->nrows && !changed; i++)
        changed = ix->rows[i]->dirty;
    if (ix->db && changed && ix_db_store(ix, gone, ngone) != 0)
        ix_db_close(ix); /* read-only or full: memory only from here on */
    for (size_t i = 0; i < ngone; i++)
        ix_row_free(gone[i]);
out:
    free(gone);
    for (size_t i = 0; i < p.nfresh; i++)
        ix_row_free(p.fresh[i]);
    free(p.fresh);
    free(p.order);
    scope_free(&sc);
    scry_store_files_free(&files);
    return st;
}
