/* cache.c - shared, reference-counted symbol tables (see cache.h). */
#include "symbols/cache.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "symbols/index.h"
#include "symbols/isf_cache.h"
#include "symbols/symtab.h"
#include "symbols/zip.h"

struct entry {
    struct entry *next;
    char *path;
    char *member;           /* NULL: path is the ISF; else a member of the pack at path */
    struct scry_symtab *st; /* NULL while loading, after a failure or once freed */
    int loading;
    scry_status failed;     /* SCRY_OK unless the load failed */
    char *error;            /* the failure's message */
    unsigned refs;
    int pinned;
    int detached;           /* damaged: no longer found by path, freed at its last release */
    int built;              /* no file's: path is a label (scry_symcache_acquire_built) */
};

struct scry_symcache {
    pthread_mutex_t lock;
    pthread_cond_t loaded;
    struct entry *list; /* a handful of ISFs per context: a list is enough */
    uint64_t loads, maps;
    char *dir;          /* compiled tables on disk; NULL: none */
};

scry_status scry_symcache_new(struct scry_symcache **out)
{
    struct scry_symcache *c = calloc(1, sizeof *c);
    if (!c)
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    if (pthread_mutex_init(&c->lock, NULL) != 0) {
        free(c);
        return scry_err(SCRY_ERR_NOMEM, "cannot create the symbol cache lock");
    }
    if (pthread_cond_init(&c->loaded, NULL) != 0) {
        pthread_mutex_destroy(&c->lock);
        free(c);
        return scry_err(SCRY_ERR_NOMEM, "cannot create the symbol cache condition");
    }
    *out = c;
    return SCRY_OK;
}

void scry_symcache_free(struct scry_symcache *c)
{
    if (!c)
        return;
    for (struct entry *e = c->list, *n; e; e = n) {
        n = e->next;
        scry_isf_free(e->st);
        free(e->path);
        free(e->member);
        free(e->error);
        free(e);
    }
    pthread_cond_destroy(&c->loaded);
    pthread_mutex_destroy(&c->lock);
    free(c->dir);
    free(c);
}

scry_status scry_symcache_set_dir(struct scry_symcache *c, const char *dir)
{
    char *d = NULL;
    if (dir && !(d = strdup(dir)))
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    pthread_mutex_lock(&c->lock);
    free(c->dir);
    c->dir = d;
    pthread_mutex_unlock(&c->lock);
    return SCRY_OK;
}

/* A damaged table stops being found by its path, and its cache entry is
 * removed, so the next acquire builds the table again from the ISF; holders
 * keep theirs until they release it. Called with the lock held. */
static void detach_damaged(struct scry_symcache *c, struct entry *e)
{
    scry_isfc_forget(c->dir, e->st);
    e->detached = 1;
    if (!e->refs) {
        scry_isf_free(e->st);
        e->st = NULL;
    }
}

static int same(const char *a, const char *b) { return a == b || (a && b && !strcmp(a, b)); }

static struct entry *find_path(struct scry_symcache *c, const char *path, const char *member,
                               int built)
{
    for (struct entry *e = c->list; e; e = e->next)
        if (!e->detached && e->built == built && strcmp(e->path, path) == 0 &&
            same(e->member, member))
            return e;
    return NULL;
}

/* Loads a table: a plain file, or a pack member read whole (bounded). */
static scry_status load(const char *dir, const char *path, const char *member,
                        const struct scry_isfc_key *known, struct scry_symtab **st,
                        enum scry_isfc_how *how)
{
    uint8_t *buf;
    size_t len;
    scry_status rc;
    if (!member)
        return scry_isfc_load_keyed(dir, path, NULL, 0, known, st, how);
    if ((rc = scry_zip_read(path, member, SCRY_SYMINDEX_MAX_MEMBER, &buf, &len)) != SCRY_OK)
        return rc;
    rc = scry_isfc_load(dir, NULL, buf, len, st, how);
    free(buf);
    return rc == SCRY_OK ? rc : scry_err_ctx(rc, "%s!%s", path, member);
}

static struct entry *find_table(struct scry_symcache *c, const struct scry_symtab *st)
{
    for (struct entry *e = c->list; e; e = e->next)
        if (e->st && e->st == st)
            return e;
    return NULL;
}

scry_status scry_symcache_acquire(struct scry_symcache *c, const char *path,
                                  const struct scry_symtab **out)
{
    return scry_symcache_acquire_at(c, path, NULL, NULL, out);
}

/* What a table is loaded from: a file (or pack member), or a builder. */
struct source {
    const char *path, *member;
    const struct scry_isfc_key *known;
    scry_isf_builder build;
    void *user;
};

static scry_status acquire(struct scry_symcache *c, const struct source *s,
                           const struct scry_symtab **out, int *mapped)
{
    const char *path = s->path, *member = s->member;
    struct entry *e;
    struct scry_symtab *st = NULL;
    scry_status rc;
    pthread_mutex_lock(&c->lock);
    e = find_path(c, path, member, s->build != NULL);
    if (e && e->st && scry_sym_damaged(e->st)) {
        detach_damaged(c, e);
        e = NULL;
    }
    if (!e) {
        if (!(e = calloc(1, sizeof *e)) || !(e->path = strdup(path)) ||
            (member && !(e->member = strdup(member)))) {
            if (e)
                free(e->path);
            free(e);
            pthread_mutex_unlock(&c->lock);
            return scry_err(SCRY_ERR_NOMEM, "out of memory");
        }
        e->built = s->build != NULL;
        e->next = c->list;
        c->list = e;
    }
    while (e->loading)
        pthread_cond_wait(&c->loaded, &c->lock);
    if (e->failed != SCRY_OK) {
        rc = scry_err(e->failed, "%s", e->error ? e->error : "");
        pthread_mutex_unlock(&c->lock);
        return rc;
    }
    if (e->st) {
        e->refs++;
        *out = e->st;
        pthread_mutex_unlock(&c->lock);
        return SCRY_OK;
    }
    /* Parse outside the lock: other paths load meanwhile, and readers of
     * this one wait on `loaded`. */
    e->loading = 1;
    char *dir = c->dir ? strdup(c->dir) : NULL; /* set_dir may run meanwhile */
    pthread_mutex_unlock(&c->lock);
    enum scry_isfc_how how = SCRY_ISFC_BUILT;
    if (s->build)
        rc = scry_isfc_load_built(dir, s->known, s->build, s->user, &st, &how);
    else
        rc = load(dir, path, member, member ? NULL : s->known, &st, &how);
    free(dir);
    pthread_mutex_lock(&c->lock);
    e->loading = 0;
    c->loads++;
    if (rc == SCRY_OK && how == SCRY_ISFC_MAPPED)
        c->maps++;
    if (rc == SCRY_OK) {
        e->st = st;
        e->refs = 1;
        *out = st;
        if (mapped)
            *mapped = how == SCRY_ISFC_MAPPED;
    } else if (rc != SCRY_ERR_NOMEM) { /* out of memory may pass; the rest will not */
        e->failed = rc;
        e->error = strdup(scry_last_error());
    }
    pthread_cond_broadcast(&c->loaded);
    pthread_mutex_unlock(&c->lock);
    return rc;
}

scry_status scry_symcache_acquire_at(struct scry_symcache *c, const char *path, const char *member,
                                     const struct scry_isfc_key *known,
                                     const struct scry_symtab **out)
{
    const struct source s = {.path = path, .member = member, .known = known};
    return acquire(c, &s, out, NULL);
}

scry_status scry_symcache_acquire_built(struct scry_symcache *c, const char *label,
                                        const struct scry_isfc_key *key,
                                        scry_status (*build)(void *user, uint8_t **isf,
                                                             size_t *len),
                                        void *user, const struct scry_symtab **out, int *mapped)
{
    if (!c || !label || !key || !build || !out)
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_symcache_acquire_built: NULL argument");
    /* The key rides along as the entry's member: one label (a dump's path)
     * rewritten between two sessions is two tables. */
    char keystr[40];
    snprintf(keystr, sizeof keystr, "%016llx-%llx", (unsigned long long)key->hash,
             (unsigned long long)key->size);
    const struct source s = {.path = label, .member = keystr, .known = key, .build = build,
                             .user = user};
    if (mapped)
        *mapped = 0;
    return acquire(c, &s, out, mapped);
}

int scry_symcache_built_present(struct scry_symcache *c, const struct scry_isfc_key *key)
{
    pthread_mutex_lock(&c->lock);
    char *dir = c->dir ? strdup(c->dir) : NULL;
    pthread_mutex_unlock(&c->lock);
    int present = scry_isfc_present(dir, key);
    free(dir);
    return present;
}

void scry_symcache_pin(struct scry_symcache *c, const struct scry_symtab *st)
{
    pthread_mutex_lock(&c->lock);
    struct entry *e = find_table(c, st);
    if (e)
        e->pinned = 1;
    pthread_mutex_unlock(&c->lock);
}

void scry_symcache_release(struct scry_symcache *c, const struct scry_symtab *st)
{
    struct scry_symtab *drop = NULL;
    if (!c || !st)
        return;
    pthread_mutex_lock(&c->lock);
    struct entry *e = find_table(c, st);
    if (e && !e->detached && scry_sym_damaged(st))
        detach_damaged(c, e); /* before the table goes: its entry must not be mapped again */
    if (e && e->refs && !--e->refs && (!e->pinned || e->detached)) {
        drop = e->st;
        e->st = NULL; /* the path stays known; a later acquire loads it again */
    }
    pthread_mutex_unlock(&c->lock);
    scry_isf_free(drop);
}

void scry_symcache_stats(struct scry_symcache *c, uint64_t *loads, uint64_t *maps,
                         uint64_t *held)
{
    uint64_t h = 0;
    pthread_mutex_lock(&c->lock);
    for (struct entry *e = c->list; e; e = e->next)
        h += e->st != NULL;
    if (loads)
        *loads = c->loads;
    if (maps)
        *maps = c->maps;
    if (held)
        *held = h;
    pthread_mutex_unlock(&c->lock);
}
