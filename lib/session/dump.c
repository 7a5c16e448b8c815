/* dump.c - the public dump handle: the physical layer, and what the file
 * states as OS-neutral key/values. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "lib/session/session.h"

/* The reader's scry_dump_info, as key/values: a crash dump's header fields
 * (DTB, list heads, KDBG) get keys of their own the same way. */
static scry_status describe(const struct scry_dump_info *in, struct scry_kv *kv)
{
    scry_status st = scry_kv_add(kv, "format", "%s", in->format ? in->format : "");
    if (st == SCRY_OK)
        st = scry_kv_add(kv, "file_size", "0x%" PRIx64, in->file_size);
    if (st == SCRY_OK)
        st = scry_kv_add(kv, "phys_end", "0x%" PRIx64, in->phys_end);
    if (st == SCRY_OK && in->vmcoreinfo)
        st = scry_kv_add(kv, "vmcoreinfo", "%.*s", (int)in->vmcoreinfo_len, in->vmcoreinfo);
    for (unsigned i = 0; st == SCRY_OK && i < in->ncpus && i < SCRY_MAX_CPUS; i++) {
        char key[32];
        if (!in->cpu[i].valid)
            continue;
        snprintf(key, sizeof key, "cpu.%u.cr3", i);
        st = scry_kv_add(kv, key, "0x%" PRIx64, in->cpu[i].cr3);
        snprintf(key, sizeof key, "cpu.%u.cr4", i);
        if (st == SCRY_OK)
            st = scry_kv_add(kv, key, "0x%" PRIx64, in->cpu[i].cr4);
    }
    if (st == SCRY_OK && in->release[0])
        st = scry_kv_add(kv, "release", "%s", in->release);
    if (st == SCRY_OK && in->machine[0])
        st = scry_kv_add(kv, "machine", "%s", in->machine);
    for (size_t i = 0; st == SCRY_OK && i < in->meta.n; i++)
        st = scry_kv_add(kv, in->meta.v[i].key, "%s", in->meta.v[i].value);
    return st;
}

static scry_status finish_open(struct scry_context *ctx, struct scry_phys *p, scry_dump **out)
{
    struct scry_dump *d = calloc(1, sizeof *d);
    if (!d) {
        scry_phys_close(p);
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    }
    d->ctx = ctx;
    d->phys = p;
    if (describe(&p->info, &d->meta) != SCRY_OK) {
        scry_dump_close(d);
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    }
    *out = d;
    return SCRY_OK;
}

scry_status scry_dump_open(scry_context *ctx, const char *path, scry_dump **out)
{
    return scry_dump_open_set(ctx, &path, 1, out);
}

scry_status scry_dump_open_set(scry_context *ctx, const char *const *paths, size_t n,
                               scry_dump **out)
{
    struct scry_phys *p = NULL;
    scry_status st;
    if (!ctx || !paths || !n || !out)
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_dump_open: NULL argument");
    for (size_t i = 0; i < n; i++)
        if (!paths[i])
            return scry_err(SCRY_ERR_INVALID_ARG, "scry_dump_open: NULL path %zu", i);
    st = scry_phys_open_set(paths, n, &ctx->budget, &p);
    if (st != SCRY_OK)
        return st;
    if ((st = finish_open(ctx, p, out)) == SCRY_OK)
        (*out)->nfiles = n;
    return st;
}

void scry_dump_close(scry_dump *dump)
{
    if (!dump)
        return;
    scry_phys_close(dump->phys);
    scry_kv_free(&dump->meta);
    free(dump);
}

const char *scry_dump_format(const scry_dump *dump)
{
    return dump ? dump->phys->info.format : "";
}

uint64_t scry_dump_work_estimate(const scry_dump *dump)
{
    uint64_t bytes = 0, cost;
    if (!dump)
        return 0;
    for (size_t i = 0; i < dump->phys->nruns; i++)
        bytes += dump->phys->runs[i].len; /* disjoint runs: at most 2^64 */
    cost = dump->phys->info.read_cost ? dump->phys->info.read_cost : 1;
    return bytes > UINT64_MAX / cost ? UINT64_MAX : bytes * cost;
}

size_t scry_dump_meta_count(const scry_dump *dump) { return dump ? dump->meta.n : 0; }

scry_status scry_dump_meta(const scry_dump *dump, size_t index, const char **key,
                           const char **value)
{
    if (!dump || index >= dump->meta.n)
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_dump_meta: index %zu out of range", index);
    if (key)
        *key = dump->meta.v[index].key;
    if (value)
        *value = dump->meta.v[index].value;
    return SCRY_OK;
}

scry_status scry_dump_meta_get(const scry_dump *dump, const char *key, const char **value)
{
    const char *v;
    if (!dump || !key)
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_dump_meta_get: NULL argument");
    if (!(v = scry_kv_get(&dump->meta, key)))
        return scry_err(SCRY_ERR_NOT_FOUND, "the dump states no '%s'", key);
    if (value)
        *value = v;
    return SCRY_OK;
}

scry_status scry_dump_read_phys(scry_dump *dump, uint64_t pa, void *buf, size_t len, size_t *holes)
{
    size_t h = 0;
    scry_status st;
    if (!dump || (!buf && len))
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_dump_read_phys: NULL argument");
    st = scry_phys_read(dump->phys, pa, buf, len, &h);
    if (st == SCRY_OK && holes)
        *holes = h;
    return st;
}

size_t scry_dump_run_count(const scry_dump *dump) { return dump ? dump->phys->nruns : 0; }

scry_status scry_dump_run(const scry_dump *dump, size_t index, uint64_t *start, uint64_t *length)
{
    if (!dump || index >= dump->phys->nruns)
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_dump_run: index %zu out of range", index);
    if (start)
        *start = dump->phys->runs[index].start;
    if (length)
        *length = dump->phys->runs[index].len;
    return SCRY_OK;
}
