/* store.c - find ISF files in symbol directories (Volatility's layout). */
#include "symbols/store.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum { MAX_FILES = 100000, MAX_DEPTH = 8 };

struct list {
    char **v;
    size_t n, cap;
};

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

int scry_store_is_isf_name(const char *name)
{
    return ends_with(name, ".json") || ends_with(name, ".json.gz") || ends_with(name, ".json.xz");
}

static scry_status push(struct list *l, const char *path)
{
    if (l->n >= MAX_FILES)
        return scry_err(SCRY_ERR_LIMIT, "more than %d symbol files", MAX_FILES);
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        char **v = realloc(l->v, cap * sizeof *v);
        if (!v)
            return scry_err(SCRY_ERR_NOMEM, "out of memory");
        l->v = v;
        l->cap = cap;
    }
    if (!(l->v[l->n] = strdup(path)))
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    l->n++;
    return SCRY_OK;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static scry_status walk(struct list *l, const char *dir, int depth)
{
    DIR *d;
    struct dirent *e;
    scry_status st = SCRY_OK;
    if (depth > MAX_DEPTH)
        return scry_err(SCRY_ERR_LIMIT, "%s: symbol directories nested deeper than %d", dir,
                        MAX_DEPTH);
    if (!(d = opendir(dir)))
        return SCRY_OK; /* a missing directory is simply empty */
    while (st == SCRY_OK && (e = readdir(d))) {
        char path[4096];
        struct stat sb;
        if (e->d_name[0] == '.')
            continue;
        if (snprintf(path, sizeof path, "%s/%s", dir, e->d_name) >= (int)sizeof path)
            continue;
        if (stat(path, &sb) != 0)
            continue;
        if (S_ISDIR(sb.st_mode))
            st = walk(l, path, depth + 1);
        else if (S_ISREG(sb.st_mode) && scry_store_is_isf_name(e->d_name))
            st = push(l, path);
    }
    closedir(d);
    return st;
}

scry_status scry_store_list(const char *const *dirs, size_t ndirs, const char *os, char ***paths,
                            size_t *count)
{
    struct list l = {0};
    scry_status st = SCRY_OK;
    for (size_t i = 0; i < ndirs && st == SCRY_OK; i++) {
        struct stat sb;
        char sub[4096];
        size_t before = l.n;
        if (stat(dirs[i], &sb) != 0)
            continue;
        if (S_ISREG(sb.st_mode)) {
            st = push(&l, dirs[i]);
            continue;
        }
        if (snprintf(sub, sizeof sub, "%s/%s", dirs[i], os) >= (int)sizeof sub)
            continue;
        st = walk(&l, sub, 0);
        if (st == SCRY_OK && l.n > before)
            qsort(l.v + before, l.n - before, sizeof *l.v, cmp_str);
    }
    if (st != SCRY_OK) {
        scry_store_list_free(l.v, l.n);
        return st;
    }
    *paths = l.v;
    *count = l.n;
    return SCRY_OK;
}

void scry_store_list_free(char **paths, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free(paths[i]);
    free(paths);
}
