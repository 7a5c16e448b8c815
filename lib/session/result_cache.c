/* result_cache.c - the context's result cache: its settings, the key of a
 * run, and lookups and stores around plugin runs (layout: rcache.h).
 *
 * The key is built before the run, without OS detection, so a hit costs
 * an fstat, a hash of the dump's first 64 KiB and a decode: no symbol
 * table is loaded. What detection would choose is re-checked instead: the
 * entry names the ISF the fresh run used (size, mtime, inode), and a hit
 * stats it again. The symbol directories themselves are part of the key. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <xxhash.h>

#include "lib/base/dump_id.h"
#include "lib/plugins/plugin.h"
#include "lib/session/rcache.h"
#include "lib/session/session.h"

static scry_status results_of(scry_context *ctx, struct scry_results **out)
{
    if (!ctx->results && !(ctx->results = calloc(1, sizeof *ctx->results)))
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    *out = ctx->results;
    return SCRY_OK;
}

scry_status scry_context_set_result_cache(scry_context *ctx, uint64_t max_bytes)
{
    struct scry_results *r = NULL;
    struct scry_rcache *mem = NULL;
    scry_status st;
    if (!ctx)
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_context_set_result_cache: NULL context");
    if ((st = results_of(ctx, &r)) != SCRY_OK)
        return st;
    if (max_bytes && (st = scry_rcache_new(max_bytes, &mem)) != SCRY_OK)
        return st;
    scry_rcache_free(r->mem);
    r->mem = mem;
    return SCRY_OK;
}

scry_status scry_context_set_result_cache_dir(scry_context *ctx, const char *dir)
{
    struct scry_results *r = NULL;
    struct stat sb;
    char *d = NULL;
    scry_status st;
    if (!ctx || (dir && !*dir))
        return scry_err(SCRY_ERR_INVALID_ARG,
                        "scry_context_set_result_cache_dir: NULL context or empty path");
    if (dir && stat(dir, &sb) == 0 && !S_ISDIR(sb.st_mode))
        return scry_err(SCRY_ERR_IO, "%s: not a directory", dir);
    if ((st = results_of(ctx, &r)) != SCRY_OK)
        return st;
    if (dir && !(d = strdup(dir)))
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    free(r->dir);
    r->dir = d;
    return SCRY_OK;
}

void scry_results_free(struct scry_results *r)
{
    if (!r)
        return;
    scry_rcache_free(r->mem);
    free(r->dir);
    free(r);
}

/* ----------------------------------------------------------------- keys */

static void put_cstr(struct scry_rbuf *b, const char *s) { scry_rbuf_str(b, s, s ? strlen(s) : 0); }

/* The options as parsed, in table order: "--pid 1" and "--pid=0x1" are
 * one key, and so are two spellings of one option prefix. */
static void put_options(struct scry_rbuf *b, const struct scry_plugin *p,
                        const struct scry_optvals *vals)
{
    scry_rbuf_u64(b, vals->n);
    for (size_t i = 0; i < vals->n; i++) {
        const struct scry_optval *v = &vals->v[i];
        put_cstr(b, p->options[i].name);
        scry_rbuf_u8(b, (uint8_t)v->set);
        if (!v->set)
            continue;
        scry_rbuf_u64(b, v->nints);
        for (size_t k = 0; k < v->nints; k++)
            scry_rbuf_u64(b, (uint64_t)v->ints[k]);
        scry_rbuf_u8(b, v->str != NULL);
        put_cstr(b, v->str);
        scry_rbuf_u64(b, v->nstrs);
        for (size_t k = 0; k < v->nstrs; k++)
            put_cstr(b, v->strs[k]);
    }
}

/* What identifies the dump's file now (lib/base/dump_id.h). */
static int put_dump_identity(struct scry_rbuf *b, const struct scry_dump *d)
{
    struct scry_dump_id id;
    if (scry_dump_identity(d->phys->file, &d->meta, &id) != 0)
        return -1;
    for (size_t i = 0; i < SCRY_DUMP_ID_N; i++)
        scry_rbuf_u64(b, id.v[i]);
    return 0;
}

static int option_set(const struct scry_plugin *p, const struct scry_optvals *vals,
                      const char *name)
{
    int i = scry_option_index(p, name);
    return i >= 0 && (size_t)i < vals->n && vals->v[i].set;
}

int scry_rkey_build(const struct scry_context *ctx, const struct scry_session *s,
                    const struct scry_plugin *p, const struct scry_optvals *vals, size_t ninputs,
                    struct scry_rkey *key)
{
    const struct scry_results *res = ctx->results;
    struct scry_rbuf *b = &key->b;
    memset(key, 0, sizeof *key);
    if (!res || (!res->mem && !res->dir) || !s || s->dump->nfiles != 1 || ninputs ||
        option_set(p, vals, "dump"))
        return 0;
    put_cstr(b, "memscry result cache");
    put_cstr(b, SCRY_VERSION_STRING);
    scry_rbuf_u32(b, SCRY_RCACHE_FORMAT);
    put_cstr(b, p->name);
    put_options(b, p, vals);
    scry_rbuf_u64(b, ctx->max_list_entries);
    scry_rbuf_u64(b, ctx->max_diagnostics);
    scry_rbuf_u8(b, (uint8_t)ctx->no_dump_symbols); /* may decide whether there is a result */
    scry_rbuf_u64(b, ctx->nsymdirs);
    for (size_t i = 0; i < ctx->nsymdirs; i++)
        put_cstr(b, ctx->symdirs[i]);
    put_cstr(b, s->dump->phys->file ? s->dump->phys->file->path : NULL);
    if (!b->failed)
        key->name = XXH3_64bits(b->p, b->n);
    if (put_dump_identity(b, s->dump) != 0 || b->failed) {
        scry_rkey_free(key);
        return 0;
    }
    key->hash = XXH3_64bits(b->p, b->n);
    return 1;
}

void scry_rkey_free(struct scry_rkey *key)
{
    if (key)
        scry_rbuf_free(&key->b);
}

/* --------------------------------------------------------- get and put */

/* The result of blob if it is key's and its symbol table is unchanged. */
static scry_status decode_valid(const uint8_t *blob, size_t len, const struct scry_rkey *key,
                                struct scry_result **out)
{
    struct scry_rcache_check chk;
    struct scry_result *r = NULL;
    scry_status st = scry_rcache_decode(blob, len, key->b.p, key->b.n, &chk, &r);
    if (st == SCRY_OK && !scry_rcache_check_valid(&chk)) {
        scry_result_free(r);
        return SCRY_ERR_NOT_FOUND;
    }
    if (st == SCRY_OK)
        *out = r;
    return st;
}

scry_status scry_results_get(struct scry_context *ctx, const struct scry_rkey *key,
                             struct scry_result **out)
{
    struct scry_results *res = ctx->results;
    char saved[SCRY_ERR_SAVED_MAX];
    uint8_t *blob = NULL;
    size_t len = 0;
    scry_status st = SCRY_ERR_NOT_FOUND;
    scry_err_save(saved); /* a miss is no error of the caller's */
    if (res->mem && (blob = scry_rcache_get(res->mem, key->hash, key->b.p, key->b.n, &len))) {
        st = decode_valid(blob, len, key, out);
        free(blob);
        if (st != SCRY_OK)
            scry_rcache_drop(res->mem, key->hash, key->b.p, key->b.n);
    }
    if (st != SCRY_OK && res->dir && (blob = scry_rcache_file_read(res->dir, key->name, &len))) {
        st = decode_valid(blob, len, key, out);
        if (st == SCRY_OK && res->mem)
            scry_rcache_put(res->mem, key->hash, key->b.p, key->b.n, blob, len);
        else
            free(blob);
    }
    atomic_fetch_add(st == SCRY_OK ? &res->hits : &res->misses, 1);
    scry_err_restore(saved);
    return st == SCRY_OK ? SCRY_OK : SCRY_ERR_NOT_FOUND;
}

/* Out of memory and cancellation pass; a result that met them is not the
 * dump's answer. */
static int storable(const struct scry_result *r)
{
    for (size_t i = 0; i < r->diags.n; i++)
        if (r->diags.v[i].status == SCRY_ERR_NOMEM || r->diags.v[i].status == SCRY_ERR_CANCELLED)
            return 0;
    return 1;
}

void scry_results_put(struct scry_context *ctx, const struct scry_rkey *key, const char *isf,
                      const struct scry_result *r)
{
    struct scry_results *res = ctx->results;
    struct scry_rcache_check chk;
    struct scry_rbuf blob;
    if (!storable(r) || scry_rcache_check_fill(&chk, isf) != 0 ||
        scry_rcache_encode(key->b.p, key->b.n, &chk, r, &blob) != SCRY_OK)
        return;
    if (res->dir)
        scry_rcache_file_write(res->dir, key->name, blob.p, blob.n);
    if (res->mem)
        scry_rcache_put(res->mem, key->hash, key->b.p, key->b.n, blob.p, blob.n);
    else
        scry_rbuf_free(&blob);
}
