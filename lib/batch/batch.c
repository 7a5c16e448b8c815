/* batch.c - the batch object: which plugins, with which options, on how
 * many threads. The run itself is batch_run.c. */
#include <stdlib.h>
#include <string.h>

#include "lib/base/error.h"
#include "lib/batch/batch.h"
#include "lib/plugins/plugin.h"

enum { MAX_THREADS = 1024 };

scry_status scry_batch_new(scry_context *ctx, scry_batch **out)
{
    struct scry_batch *b;
    if (!ctx || !out)
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_batch_new: NULL argument");
    if (!(b = calloc(1, sizeof *b)))
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    b->ctx = ctx;
    b->threads = 1;
    b->keep_rows = 1;
    *out = b;
    return SCRY_OK;
}

static void plugin_free(struct scry_batch_plugin *p)
{
    for (int i = 0; i < p->argc; i++)
        free(p->argv[i]);
    free(p->argv);
}

void scry_batch_free(scry_batch *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->nplugins; i++)
        plugin_free(&b->plugins[i]);
    free(b->plugins);
    free(b);
}

scry_status scry_batch_add_plugin(scry_batch *b, const char *name, int argc,
                                  const char *const *argv)
{
    struct scry_batch_plugin bp = {0}, *v;
    struct scry_optvals vals;
    scry_status st;
    if (!b || !name || argc < 0 || (argc && !argv))
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_batch_add_plugin: NULL argument");
    if (!(bp.p = scry_plugin_find(name)))
        return scry_err(SCRY_ERR_NOT_FOUND, "unknown plugin '%s'", name);
    if (bp.p->no_dump)
        return scry_err(SCRY_ERR_INVALID_ARG, "%s reads no dump: it has no place in a batch",
                        bp.p->name);
    /* Options are checked once here, so a typo is a usage error rather
     * than one error record per dump. */
    if ((st = scry_options_parse(bp.p, argc, argv, &vals)) != SCRY_OK)
        return st;
    scry_optvals_free(&vals);
    if (argc && !(bp.argv = calloc((size_t)argc, sizeof *bp.argv)))
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    for (; bp.argc < argc; bp.argc++) {
        if (!(bp.argv[bp.argc] = strdup(argv[bp.argc]))) {
            plugin_free(&bp);
            return scry_err(SCRY_ERR_NOMEM, "out of memory");
        }
    }
    if (!(v = realloc(b->plugins, (b->nplugins + 1) * sizeof *v))) {
        plugin_free(&bp);
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    }
    b->plugins = v;
    v[b->nplugins++] = bp;
    return SCRY_OK;
}

size_t scry_batch_plugin_count(const scry_batch *b) { return b ? b->nplugins : 0; }

const char *scry_batch_plugin_name(const scry_batch *b, size_t index)
{
    return b && index < b->nplugins ? b->plugins[index].p->name : NULL;
}

scry_status scry_batch_set_threads(scry_batch *b, unsigned threads)
{
    if (!b || threads < 1 || threads > MAX_THREADS)
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_batch_set_threads: between 1 and %d threads",
                        MAX_THREADS);
    b->threads = threads;
    return SCRY_OK;
}

scry_status scry_batch_set_progress(scry_batch *b, scry_progress_fn fn, void *user)
{
    if (!b)
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_batch_set_progress: NULL batch");
    b->progress = fn;
    b->progress_user = user;
    return SCRY_OK;
}

scry_status scry_batch_set_render(scry_batch *b, const char *format)
{
    if (!b)
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_batch_set_render: NULL batch");
    if (!format)
        b->render = SCRY_BATCH_RENDER_NONE;
    else if (!strcmp(format, "jsonl"))
        b->render = SCRY_BATCH_RENDER_JSONL;
    else if (!strcmp(format, "csv"))
        b->render = SCRY_BATCH_RENDER_CSV;
    else
        return scry_err(SCRY_ERR_NOT_FOUND, "no batch row format '%s' (jsonl, csv)", format);
    return SCRY_OK;
}

scry_status scry_batch_set_keep_rows(scry_batch *b, int keep)
{
    if (!b)
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_batch_set_keep_rows: NULL batch");
    b->keep_rows = keep != 0;
    return SCRY_OK;
}
