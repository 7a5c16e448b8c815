/* context.c - the library context: settings and what sessions share. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/session/rcache.h"
#include "lib/session/session.h"
#include "symbols/cache.h"
#include "symbols/isf_cache.h"
#include "symbols/symstore.h"

/* Freed page buffers a context keeps for its next dumps: a quarter of the
 * budget, at most 32 MiB (two dev-1k dumps' caches: 8 MiB of file pages
 * and 16 MiB of decoded pages each are what a batch thread fills). */
static size_t pool_cap(uint64_t budget)
{
    uint64_t bytes = budget / 4 < (32u << 20) ? budget / 4 : (32u << 20);
    return (size_t)(bytes / SCRY_PAGEPOOL_PAGE);
}

scry_status scry_context_new(scry_context **out)
{
    struct scry_context *c;
    if (!out)
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_context_new: NULL argument");
    if (!(c = calloc(1, sizeof *c)))
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    scry_budget_init(&c->budget, SCRY_CONTEXT_DEFAULT_BUDGET);
    scry_pagepool_init(&c->pool, pool_cap(SCRY_CONTEXT_DEFAULT_BUDGET));
    c->budget.pool = &c->pool;
    if (scry_symcache_new(&c->symbols) != SCRY_OK) {
        scry_pagepool_destroy(&c->pool);
        free(c);
        return SCRY_ERR_NOMEM;
    }
    c->cache_dir = scry_isfc_default_dir();
    if (scry_symstore_new(&c->store) != SCRY_OK ||
        scry_symstore_set_cache_dir(c->store, c->cache_dir) != SCRY_OK ||
        scry_symcache_set_dir(c->symbols, c->cache_dir) != SCRY_OK) {
        scry_context_free(c);
        return SCRY_ERR_NOMEM;
    }
    *out = c;
    return SCRY_OK;
}

void scry_context_free(scry_context *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->nsymdirs; i++)
        free(c->symdirs[i]);
    free(c->symdirs);
    free(c->cache_dir);
    scry_symcache_free(c->symbols);
    scry_symstore_free(c->store);
    scry_results_free(c->results);
    scry_pagepool_destroy(&c->pool);
    free(c);
}

scry_status scry_context_add_symbol_dir(scry_context *c, const char *dir)
{
    char **v, *d;
    if (!c || !dir)
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_context_add_symbol_dir: NULL argument");
    if (!(d = strdup(dir)) || !(v = realloc(c->symdirs, (c->nsymdirs + 1) * sizeof *v))) {
        free(d);
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    }
    v[c->nsymdirs++] = d;
    c->symdirs = v;
    return scry_symstore_add_dir(c->store, dir);
}

scry_status scry_context_set_cache_dir(scry_context *c, const char *dir)
{
    struct stat sb;
    char *d = NULL;
    if (!c || (dir && !*dir))
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_context_set_cache_dir: NULL context or empty path");
    if (dir && stat(dir, &sb) == 0 && !S_ISDIR(sb.st_mode))
        return scry_err(SCRY_ERR_IO, "%s: not a directory", dir);
    if (dir && !(d = strdup(dir)))
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    if (scry_symcache_set_dir(c->symbols, d) != SCRY_OK ||
        scry_symstore_set_cache_dir(c->store, d) != SCRY_OK) {
        free(d);
        return SCRY_ERR_NOMEM;
    }
    free(c->cache_dir);
    c->cache_dir = d;
    return SCRY_OK;
}

const char *scry_context_cache_dir(const struct scry_context *c)
{
    return c ? c->cache_dir : NULL;
}

scry_status scry_context_set_symbols_from_dump(scry_context *c, int allow)
{
    if (!c)
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_context_set_symbols_from_dump: NULL context");
    c->no_dump_symbols = !allow;
    return SCRY_OK;
}

scry_status scry_context_set_memory_budget(scry_context *c, uint64_t bytes)
{
    if (!c)
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_context_set_memory_budget: NULL context");
    /* The budget object is shared by open dumps; only its limit moves. */
    c->budget.limit = bytes;
    scry_pagepool_set_cap(&c->pool, pool_cap(bytes));
    return SCRY_OK;
}

scry_status scry_context_set_limit(scry_context *c, scry_limit limit, uint64_t value)
{
    if (!c || !value)
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_context_set_limit: NULL context or 0");
    switch (limit) {
    case SCRY_LIMIT_LIST_ENTRIES: c->max_list_entries = value; return SCRY_OK;
    case SCRY_LIMIT_DIAGNOSTICS: c->max_diagnostics = value; return SCRY_OK;
    }
    return scry_err(SCRY_ERR_INVALID_ARG, "scry_context_set_limit: unknown limit %d", (int)limit);
}

/* The result cache's counters (0 when it is off). */
static scry_status result_stat(scry_context *c, const char *name, uint64_t *value)
{
    uint64_t v[4] = {0}; /* hits, misses, bytes, entries: of the memory cache */
    struct scry_results *r = c->results;
    if (r && r->mem)
        scry_rcache_stats(r->mem, &v[0], &v[1], &v[2], &v[3]);
    if (!strcmp(name, "result_hits"))
        *value = r ? atomic_load(&r->hits) : 0;
    else if (!strcmp(name, "result_misses"))
        *value = r ? atomic_load(&r->misses) : 0;
    else if (!strcmp(name, "result_bytes"))
        *value = v[2];
    else if (!strcmp(name, "result_entries"))
        *value = v[3];
    else
        return scry_err(SCRY_ERR_NOT_FOUND, "no context counter '%s'", name);
    return SCRY_OK;
}

scry_status scry_context_stat(scry_context *c, const char *name, uint64_t *value)
{
    uint64_t loads, maps, held;
    if (!c || !name || !value)
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_context_stat: NULL argument");
    scry_symcache_stats(c->symbols, &loads, &maps, &held);
    if (!strcmp(name, "isf_loads"))
        *value = loads;
    else if (!strcmp(name, "isf_maps"))
        *value = maps;
    else if (!strcmp(name, "isf_cached"))
        *value = held;
    else if (!strcmp(name, "cache_bytes"))
        *value = scry_budget_used(&c->budget);
    else if (!strcmp(name, "cache_budget"))
        *value = c->budget.limit;
    else if (!strcmp(name, "cache_pooled"))
        *value = (uint64_t)scry_pagepool_held(&c->pool) * SCRY_PAGEPOOL_PAGE;
    else if (!strncmp(name, "result_", 7))
        return result_stat(c, name, value);
    else
        return scry_err(SCRY_ERR_NOT_FOUND, "no context counter '%s'", name);
    return SCRY_OK;
}
