/* symstore.c - a context's symbol directories and their index (see
 * symstore.h). */
#include "symbols/symstore.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/file.h"
#include "symbols/index.h"
#include "symbols/store.h"
#include "symbols/zip.h"

struct scry_symstore {
    pthread_mutex_t lock;
    char **dirs;
    size_t ndirs;
    char *cache_dir;
    struct scry_symindex *ix; /* opened on first use, when cache_dir is set */
};

scry_status scry_symstore_new(struct scry_symstore **out)
{
    struct scry_symstore *s = calloc(1, sizeof *s);
    if (!s)
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    if (pthread_mutex_init(&s->lock, NULL) != 0) {
        free(s);
        return scry_err(SCRY_ERR_NOMEM, "cannot create the symbol store lock");
    }
    *out = s;
    return SCRY_OK;
}

void scry_symstore_free(struct scry_symstore *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->ndirs; i++)
        free(s->dirs[i]);
    free(s->dirs);
    free(s->cache_dir);
    scry_symindex_free(s->ix);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

scry_status scry_symstore_add_dir(struct scry_symstore *s, const char *dir)
{
    char **v, *d;
    if (!(d = strdup(dir)) || !(v = realloc(s->dirs, (s->ndirs + 1) * sizeof *v))) {
        free(d);
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    }
    v[s->ndirs++] = d;
    s->dirs = v;
    return SCRY_OK;
}

scry_status scry_symstore_set_cache_dir(struct scry_symstore *s, const char *dir)
{
    char *d = NULL;
    if (dir && !(d = strdup(dir)))
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    free(s->cache_dir);
    s->cache_dir = d;
    scry_symindex_free(s->ix);
    s->ix = NULL;
    return SCRY_OK;
}

const char *const *scry_symstore_dirs(const struct scry_symstore *s, size_t *n)
{
    *n = s->ndirs;
    return (const char *const *)s->dirs;
}

void scry_isf_cands_free(struct scry_isf_cand *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) {
        free(v[i].path);
        free(v[i].member);
        free(v[i].label);
        free(v[i].id);
        free(v[i].error);
    }
    free(v);
}

struct list {
    struct scry_isf_cand *v;
    size_t n, cap;
};

static char *dup_or_null(const char *s, int *oom)
{
    char *d = s ? strdup(s) : NULL;
    if (s && !d)
        *oom = 1;
    return d;
}

static scry_status push(struct list *l, const char *path, const char *member, const void *id,
                        size_t id_len, uint64_t banner_address, const char *error)
{
    int oom = 0;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        struct scry_isf_cand *v = realloc(l->v, cap * sizeof *v);
        if (!v)
            return scry_err(SCRY_ERR_NOMEM, "out of memory");
        l->v = v;
        l->cap = cap;
    }
    struct scry_isf_cand *c = &l->v[l->n++];
    memset(c, 0, sizeof *c);
    c->path = dup_or_null(path, &oom);
    c->member = dup_or_null(member, &oom);
    c->error = dup_or_null(error, &oom);
    if (member) {
        size_t n = strlen(path) + strlen(member) + 2;
        if ((c->label = malloc(n)))
            snprintf(c->label, n, "%s!%s", path, member);
    } else {
        c->label = dup_or_null(path, &oom);
    }
    if (id && (c->id = malloc(id_len ? id_len : 1))) {
        memcpy(c->id, id, id_len);
        c->id_len = id_len;
    }
    c->banner_address = banner_address;
    if (oom || !c->label || (id && !c->id))
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    return SCRY_OK;
}

/* The first path component of a pack member names its OS ("linux/x.json"). */
static int member_of_os(const char *member, const char *os)
{
    size_t n = strlen(os);
    return strncmp(member, os, n) == 0 && member[n] == '/';
}

/* No index: every ISF in store order, identifiers unknown. */
static scry_status list_plain(struct scry_symstore *s, const char *os, struct scry_op *op,
                              struct list *l)
{
    struct scry_store_files files = {0};
    scry_status st = scry_store_walk((const char *const *)s->dirs, s->ndirs, os, op, &files);
    for (size_t i = 0; st == SCRY_OK && i < files.n; i++) {
        const struct scry_store_file *f = &files.v[i];
        if (!f->is_zip) {
            st = push(l, f->path, NULL, NULL, 0, 0, NULL);
            continue;
        }
        struct scry_zip_member *m = NULL;
        size_t nm = 0;
        if (scry_zip_list(f->path, &m, &nm) != SCRY_OK) {
            scry_op_report(op, SCRY_DIAG_WARNING, SCRY_ERR_CORRUPT, "symbol pack skipped");
            continue;
        }
        for (size_t k = 0; st == SCRY_OK && k < nm; k++)
            if (member_of_os(m[k].name, os))
                st = push(l, f->path, m[k].name, NULL, 0, 0, NULL);
        scry_zip_members_free(m, nm);
    }
    scry_store_files_free(&files);
    return st;
}

/* With an index: brought up to date, then its rows of that OS. A refresh
 * of an unchanged store stats its files and reads nothing (3 ms for 1,000
 * ISFs), so every detection sees the store as it is now: an ISF added
 * while a long-lived context is open is found by the next session. */
static scry_status list_indexed(struct scry_symstore *s, const char *os, struct scry_op *op,
                                struct list *l)
{
    scry_status st;
    /* The directory may not exist yet (a first run): the index lives in it. */
    if (!s->ix) {
        scry_mkdir_p(s->cache_dir, 0700);
        if ((st = scry_symindex_open(s->cache_dir, &s->ix)) != SCRY_OK)
            return st;
    }
    if ((st = scry_symindex_refresh(s->ix, (const char *const *)s->dirs, s->ndirs, os, 0, op)) !=
        SCRY_OK)
        return st;
    size_t n = scry_symindex_count(s->ix);
    st = SCRY_OK;
    for (size_t i = 0; i < n && st == SCRY_OK; i++) {
        const struct scry_isf_entry *e = scry_symindex_at(s->ix, i);
        if (e->os ? strcmp(e->os, os) != 0 : !e->error)
            continue;
        st = push(l, e->loc.path, e->loc.member, e->identifier, e->identifier_len,
                  e->banner_address, e->error);
        /* The index hashed a plain file when it last changed: loading it
         * needs no second read just to find its compiled entry. (A pack
         * member's row holds the pack's size, not the member's.) */
        if (st == SCRY_OK && !e->loc.member && !e->error)
            l->v[l->n - 1].key = (struct scry_isfc_key){e->hash, e->size};
    }
    return st;
}

scry_status scry_symstore_candidates(struct scry_symstore *s, const char *os, struct scry_op *op,
                                     struct scry_isf_cand **out, size_t *n)
{
    struct list l = {0};
    scry_status st;
    pthread_mutex_lock(&s->lock);
    st = s->cache_dir ? list_indexed(s, os, op, &l) : list_plain(s, os, op, &l);
    pthread_mutex_unlock(&s->lock);
    if (st != SCRY_OK) {
        scry_isf_cands_free(l.v, l.n);
        return st;
    }
    *out = l.v;
    *n = l.n;
    return SCRY_OK;
}
