/* session.c - sessions: OS detection once, then an immutable profile. */
#include <stdlib.h>
#include <string.h>

#include "lib/session/session.h"

scry_status scry_session_open(scry_context *ctx, scry_dump *dump, scry_session **out)
{
    struct scry_session *s;
    if (!ctx || !dump || !out)
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_session_open: NULL argument");
    if (!(s = calloc(1, sizeof *s)))
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    if (pthread_mutex_init(&s->lock, NULL) != 0) {
        free(s);
        return scry_err(SCRY_ERR_NOMEM, "cannot create the session lock");
    }
    s->ctx = ctx;
    s->dump = dump;
    atomic_init(&s->detected, 0);
    *out = s;
    return SCRY_OK;
}

void scry_session_close(scry_session *s)
{
    if (!s)
        return;
    free(s->detect_error);
    scry_profile_free(s->profile);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

/* Detection is costly and its answer cannot change: the first caller runs
 * it under the lock, later ones read the published answer (the acquire
 * load pairs with the release store, so the profile is fully built before
 * any thread sees `detected`). A failure is replayed with its message. */
scry_status scry_session_profile(struct scry_session *s, struct scry_op *op,
                                 const struct scry_profile **out)
{
    if (!atomic_load_explicit(&s->detected, memory_order_acquire)) {
        char saved[SCRY_ERR_SAVED_MAX];
        scry_err_save(saved);
        pthread_mutex_lock(&s->lock);
        if (!atomic_load_explicit(&s->detected, memory_order_relaxed)) {
            struct scry_context *c = s->ctx;
            struct scry_detect_in in = {
                .phys = s->dump->phys,
                .meta = &s->dump->meta,
                .symbols = c->symbols,
                .store = c->store,
                .op = op,
                .no_dump_symbols = c->no_dump_symbols,
            };
            s->detect_status = scry_os_detect(&in, &s->profile);
            if (s->detect_status != SCRY_OK)
                s->detect_error = strdup(scry_last_error());
            else
                scry_err_restore(saved);
            atomic_store_explicit(&s->detected, 1, memory_order_release);
        }
        pthread_mutex_unlock(&s->lock);
    }
    if (s->detect_status != SCRY_OK)
        return scry_err(s->detect_status, "%s", s->detect_error ? s->detect_error : "");
    *out = s->profile;
    return SCRY_OK;
}

scry_status scry_session_detect(scry_session *s)
{
    const struct scry_profile *p = NULL;
    if (!s)
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_session_detect: NULL session");
    return scry_session_profile(s, NULL, &p);
}

scry_status scry_session_info(scry_session *s, const char *key, const char **value)
{
    const struct scry_profile *p = NULL;
    scry_status st;
    const char *v;
    if (!s || !key)
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_session_info: NULL argument");
    if ((st = scry_session_profile(s, NULL, &p)) != SCRY_OK)
        return st;
    if (!(v = scry_profile_info(p, key)))
        return scry_err(SCRY_ERR_NOT_FOUND, "no kernel fact '%s' for %s", key, p->os->name);
    if (value)
        *value = v;
    return SCRY_OK;
}

scry_status scry_session_info_count(scry_session *s, size_t *count)
{
    const struct scry_profile *p = NULL;
    scry_status st;
    if (!s || !count)
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_session_info_count: NULL argument");
    if ((st = scry_session_profile(s, NULL, &p)) != SCRY_OK)
        return st;
    *count = p->info.n;
    return SCRY_OK;
}

scry_status scry_session_info_at(scry_session *s, size_t index, const char **key,
                                 const char **value)
{
    const struct scry_profile *p = NULL;
    scry_status st;
    if (!s)
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_session_info_at: NULL session");
    if ((st = scry_session_profile(s, NULL, &p)) != SCRY_OK)
        return st;
    if (index >= p->info.n)
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_session_info_at: index %zu out of range",
                        index);
    if (key)
        *key = p->info.v[index].key;
    if (value)
        *value = p->info.v[index].value;
    return SCRY_OK;
}

scry_status scry_session_read_virt(scry_session *s, uint64_t va, void *buf, size_t len)
{
    const struct scry_profile *p = NULL;
    struct scry_vspace vs; /* per call: its translation cache is mutable */
    scry_status st;
    if (!s)
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_session_read_virt: NULL session");
    if ((st = scry_session_profile(s, NULL, &p)) != SCRY_OK)
        return st;
    if (!buf && len)
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_session_read_virt: NULL buffer");
    if ((st = scry_profile_kernel(p, &vs)) != SCRY_OK)
        return st;
    return scry_vspace_read(&vs, va, buf, len);
}
