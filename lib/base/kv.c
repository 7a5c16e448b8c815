/* kv.c - ordered key/value strings (see kv.h). */
#include "lib/base/kv.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

scry_status scry_kv_add(struct scry_kv *kv, const char *key, const char *fmt, ...)
{
    char *k, *v;
    va_list ap;
    if (kv->n == kv->cap) {
        size_t cap = kv->cap ? kv->cap * 2 : 8;
        struct scry_kv_item *n = realloc(kv->v, cap * sizeof *n);
        if (!n)
            return scry_err(SCRY_ERR_NOMEM, "out of memory");
        kv->v = n, kv->cap = cap;
    }
    va_start(ap, fmt);
    int r = vasprintf(&v, fmt, ap);
    va_end(ap);
    if (r < 0)
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    if (!(k = strdup(key))) {
        free(v);
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    }
    kv->v[kv->n++] = (struct scry_kv_item){k, v};
    return SCRY_OK;
}

const char *scry_kv_get(const struct scry_kv *kv, const char *key)
{
    for (size_t i = 0; kv && i < kv->n; i++)
        if (strcmp(kv->v[i].key, key) == 0)
            return kv->v[i].value;
    return NULL;
}

int scry_kv_u64(const struct scry_kv *kv, const char *key, uint64_t *out)
{
    const char *v = scry_kv_get(kv, key);
    char *end;
    if (!v || !*v)
        return 0;
    uint64_t x = strtoull(v, &end, 0);
    if (*end)
        return 0;
    *out = x;
    return 1;
}

void scry_kv_free(struct scry_kv *kv)
{
    if (!kv)
        return;
    for (size_t i = 0; i < kv->n; i++) {
        free(kv->v[i].key);
        free(kv->v[i].value);
    }
    free(kv->v);
    memset(kv, 0, sizeof *kv);
}
