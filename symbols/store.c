/* store.c - find ISF files and symbol packs in symbol directories
 * (Volatility's layout; see store.h for the order and the bounds). */
#include "symbols/store.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

int scry_store_is_isf_name(const char *name)
{
    return ends_with(name, ".json") || ends_with(name, ".json.gz") || ends_with(name, ".json.xz");
}

int scry_store_is_zip_name(const char *name) { return ends_with(name, ".zip"); }

/* ------------------------------------------------------------ the walk */

struct devino {
    uint64_t dev, ino;
};

struct walk {
    struct scry_store_files *out;
    struct scry_op *op;
    const char *os;
    size_t arg;
    struct devino *visited; /* every directory walked, so each is walked once */
    size_t nvisited, capvisited;
    struct devino stack[SCRY_STORE_MAX_DEPTH + 2]; /* the current directory's ancestors */
};

static int visited(const struct walk *w, struct devino d)
{
    for (size_t i = 0; i < w->nvisited; i++)
        if (w->visited[i].dev == d.dev && w->visited[i].ino == d.ino)
            return 1;
    return 0;
}

static scry_status mark_visited(struct walk *w, struct devino d)
{
    if (w->nvisited == w->capvisited) {
        size_t cap = w->capvisited ? w->capvisited * 2 : 32;
        struct devino *v = realloc(w->visited, cap * sizeof *v);
        if (!v)
            return scry_err(SCRY_ERR_NOMEM, "out of memory");
        w->visited = v;
        w->capvisited = cap;
    }
    w->visited[w->nvisited++] = d;
    return SCRY_OK;
}

static scry_status add_file(struct walk *w, const char *path, const struct stat *sb, int is_zip)
{
    struct scry_store_files *f = w->out;
    if (f->n >= SCRY_STORE_MAX_FILES)
        return scry_err(SCRY_ERR_LIMIT, "more than %u symbol files", SCRY_STORE_MAX_FILES);
    if (f->n == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 64;
        struct scry_store_file *v = realloc(f->v, cap * sizeof *v);
        if (!v)
            return scry_err(SCRY_ERR_NOMEM, "out of memory");
        f->v = v;
        f->cap = cap;
    }
    struct scry_store_file *e = &f->v[f->n];
    if (!(e->path = strdup(path)))
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    e->is_zip = is_zip;
    e->size = (uint64_t)sb->st_size;
    e->mtime_ns = (int64_t)sb->st_mtim.tv_sec * 1000000000 + sb->st_mtim.tv_nsec;
    e->ino = (uint64_t)sb->st_ino;
    e->dev = (uint64_t)sb->st_dev;
    e->arg = w->arg;
    f->n++;
    return SCRY_OK;
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in dir, sorted (so the walk itself is deterministic). */
static scry_status read_names(const char *dir, char ***names, size_t *n)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char **v = NULL;
    size_t k = 0, cap = 0;
    *names = NULL;
    *n = 0;
    if (!d)
        return SCRY_OK; /* unreadable or gone: empty */
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        if (k == cap) {
            size_t ncap = cap ? cap * 2 : 32;
            char **nv = realloc(v, ncap * sizeof *nv);
            if (!nv)
                goto nomem;
            v = nv;
            cap = ncap;
        }
        if (!(v[k] = strdup(e->d_name)))
            goto nomem;
        k++;
        if (k > SCRY_STORE_MAX_FILES) {
            closedir(d);
            for (size_t i = 0; i < k; i++)
                free(v[i]);
            free(v);
            return scry_err(SCRY_ERR_LIMIT, "%s: more than %u entries", dir,
                            SCRY_STORE_MAX_FILES);
        }
    }
    closedir(d);
    if (k)
        qsort(v, k, sizeof *v, cmp_name);
    *names = v;
    *n = k;
    return SCRY_OK;
nomem:
    closedir(d);
    for (size_t i = 0; i < k; i++)
        free(v[i]);
    free(v);
    return scry_err(SCRY_ERR_NOMEM, "out of memory");
}

/* Walks dir at depth (its ancestors on w->stack[0..depth)). in_os: plain
 * ISFs here are taken; otherwise only packs are (DIR's other subtrees, when
 * an os was asked for). */
static scry_status walk_dir(struct walk *w, const char *dir, int depth, int in_os)
{
    char **names;
    size_t n;
    scry_status st = read_names(dir, &names, &n);
    for (size_t i = 0; i < n && st == SCRY_OK; i++) {
        char path[PATH_MAX];
        struct stat sb;
        const char *name = names[i];
        int isf = scry_store_is_isf_name(name), zip = scry_store_is_zip_name(name);
        if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path)
            continue;
        if (stat(path, &sb) != 0)
            continue; /* a dangling link or a file gone since readdir */
        if (S_ISREG(sb.st_mode)) {
            if (zip || (isf && in_os))
                st = add_file(w, path, &sb, zip);
            continue;
        }
        if (!S_ISDIR(sb.st_mode))
            continue;
        struct devino di = {(uint64_t)sb.st_dev, (uint64_t)sb.st_ino};
        int loop = 0;
        for (int k = 0; k <= depth && !loop; k++)
            loop = w->stack[k].dev == di.dev && w->stack[k].ino == di.ino;
        if (loop) {
            scry_op_say(w->op, SCRY_DIAG_WARNING, SCRY_ERR_LIMIT,
                        "%s: symlink loop (a directory inside itself); skipped", path);
            continue;
        }
        if (visited(w, di))
            continue; /* reached twice through links: walked once */
        if (depth + 1 > SCRY_STORE_MAX_DEPTH) {
            scry_op_say(w->op, SCRY_DIAG_WARNING, SCRY_ERR_LIMIT,
                        "%s: symbol directories nested deeper than %d; skipped", path,
                        SCRY_STORE_MAX_DEPTH);
            continue;
        }
        if ((st = mark_visited(w, di)) != SCRY_OK)
            break;
        w->stack[depth + 1] = di;
        st = walk_dir(w, path, depth + 1, in_os || (depth == 0 && w->os && !strcmp(name, w->os)));
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return st;
}

static int cmp_file(const void *a, const void *b)
{
    return strcmp(((const struct scry_store_file *)a)->path,
                  ((const struct scry_store_file *)b)->path);
}

static int cmp_file_ptr(const void *a, const void *b)
{
    const struct scry_store_file *x = *(const struct scry_store_file *const *)a,
                                 *y = *(const struct scry_store_file *const *)b;
    int c = strcmp(x->path, y->path);
    if (c)
        return c;
    return x < y ? -1 : x > y; /* equal paths: the earlier one first */
}

/* Drops a path met again under a later argument, keeping the first. */
static scry_status drop_duplicates(struct scry_store_files *f)
{
    struct scry_store_file **by;
    if (f->n < 2)
        return SCRY_OK;
    if (!(by = malloc(f->n * sizeof *by)))
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < f->n; i++)
        by[i] = &f->v[i];
    qsort(by, f->n, sizeof *by, cmp_file_ptr);
    const struct scry_store_file *kept = by[0];
    for (size_t i = 1; i < f->n; i++) {
        if (!strcmp(by[i]->path, kept->path)) {
            free(by[i]->path);
            by[i]->path = NULL;
        } else {
            kept = by[i];
        }
    }
    free(by);
    size_t k = 0;
    for (size_t i = 0; i < f->n; i++)
        if (f->v[i].path)
            f->v[k++] = f->v[i];
    f->n = k;
    return SCRY_OK;
}

void scry_store_files_free(struct scry_store_files *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->n; i++)
        free(f->v[i].path);
    free(f->v);
    memset(f, 0, sizeof *f);
}

scry_status scry_store_walk(const char *const *dirs, size_t ndirs, const char *os,
                            struct scry_op *op, struct scry_store_files *out)
{
    struct walk w = {.out = out, .op = op, .os = os};
    scry_status st = SCRY_OK;
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < ndirs && st == SCRY_OK; i++) {
        char real[PATH_MAX];
        struct stat sb;
        size_t before = out->n;
        if (!dirs[i] || !realpath(dirs[i], real) || stat(real, &sb) != 0)
            continue; /* a missing argument is empty */
        w.arg = i;
        if (S_ISREG(sb.st_mode)) {
            st = add_file(&w, real, &sb, scry_store_is_zip_name(real));
            continue;
        }
        if (!S_ISDIR(sb.st_mode))
            continue;
        struct devino di = {(uint64_t)sb.st_dev, (uint64_t)sb.st_ino};
        if (visited(&w, di))
            continue;
        if ((st = mark_visited(&w, di)) != SCRY_OK)
            break;
        w.stack[0] = di;
        /* realpath "/" ends in '/': avoid "//linux" */
        if (!strcmp(real, "/"))
            real[0] = '\0';
        st = walk_dir(&w, real[0] ? real : "", 0, os == NULL);
        if (st == SCRY_OK && out->n > before)
            qsort(out->v + before, out->n - before, sizeof *out->v, cmp_file);
    }
    free(w.visited);
    if (st == SCRY_OK)
        st = drop_duplicates(out);
    if (st != SCRY_OK)
        scry_store_files_free(out);
    return st;
}

/* --------------------------------------------------- plain-file listing */

scry_status scry_store_list(const char *const *dirs, size_t ndirs, const char *os, char ***paths,
                            size_t *count)
{
    struct scry_store_files f;
    char **v;
    size_t k = 0;
    scry_status st = scry_store_walk(dirs, ndirs, os, NULL, &f);
    if (st != SCRY_OK)
        return st;
    if (!(v = malloc((f.n ? f.n : 1) * sizeof *v))) {
        scry_store_files_free(&f);
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < f.n; i++) {
        if (f.v[i].is_zip)
            free(f.v[i].path);
        else
            v[k++] = f.v[i].path; /* handed over */
    }
    free(f.v);
    *paths = v;
    *count = k;
    return SCRY_OK;
}

void scry_store_list_free(char **paths, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free(paths[i]);
    free(paths);
}

/* ------------------------------------------------------------ locations */

void scry_isf_loc_free(struct scry_isf_loc *loc)
{
    if (!loc)
        return;
    free(loc->path);
    free(loc->member);
    loc->path = loc->member = NULL;
}

/* Python's urllib.parse.quote_from_bytes(safe="/"): letters, digits, "_.-~"
 * and "/" stay, every other byte becomes %XX. */
static int uri_safe(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '.' || c == '-' || c == '~' || c == '/';
}

char *scry_isf_loc_uri(const struct scry_isf_loc *loc)
{
    size_t n = strlen(loc->path), m = loc->member ? strlen(loc->member) : 0;
    char *s, *p;
    if (loc->member) {
        /* Volatility writes the pack's path and the member as they are. */
        if (!(s = malloc(9 + n + 1 + m + 1)))
            return NULL;
        sprintf(s, "jar:file:%s!%s", loc->path, loc->member);
        return s;
    }
    if (!(s = malloc(7 + 3 * n + 1)))
        return NULL;
    p = s + sprintf(s, "file://");
    for (const unsigned char *c = (const unsigned char *)loc->path; *c; c++) {
        if (uri_safe(*c))
            *p++ = (char)*c;
        else
            p += sprintf(p, "%%%02X", *c);
    }
    *p = '\0';
    return s;
}
