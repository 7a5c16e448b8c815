/* run.c - run contexts and plugin runs: the top of the stack, joining a
 * session's profile, a plugin from the table and a run's inputs. */
#include <stdlib.h>
#include <string.h>

#include "lib/plugins/plugin.h"
#include "lib/session/rcache.h"
#include "lib/session/session.h"

struct scry_runctx {
    scry_progress_fn progress;
    void *progress_user;
    struct scry_input *inputs;
    size_t ninputs;
    char *output_dir;
};

scry_status scry_runctx_new(scry_runctx **out)
{
    if (!out)
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_runctx_new: NULL argument");
    if (!(*out = calloc(1, sizeof **out)))
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    return SCRY_OK;
}

void scry_runctx_free(scry_runctx *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->ninputs; i++)
        free(r->inputs[i].name);
    free(r->inputs);
    free(r->output_dir);
    free(r);
}

scry_status scry_runctx_copy(const scry_runctx *src, scry_runctx **out)
{
    scry_status st = scry_runctx_new(out);
    if (st != SCRY_OK || !src)
        return st;
    (*out)->progress = src->progress;
    (*out)->progress_user = src->progress_user;
    for (size_t i = 0; i < src->ninputs && st == SCRY_OK; i++)
        st = scry_runctx_set_input(*out, src->inputs[i].name, src->inputs[i].value);
    if (st == SCRY_OK && src->output_dir)
        st = scry_runctx_set_output_dir(*out, src->output_dir);
    if (st != SCRY_OK) {
        scry_runctx_free(*out);
        *out = NULL;
    }
    return st;
}

scry_status scry_runctx_set_progress(scry_runctx *r, scry_progress_fn fn, void *user)
{
    if (!r)
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_runctx_set_progress: NULL run");
    r->progress = fn;
    r->progress_user = user;
    return SCRY_OK;
}

scry_status scry_runctx_set_input(scry_runctx *r, const char *name, void *value)
{
    struct scry_input *v;
    if (!r || !name || !*name)
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_runctx_set_input: NULL run or name");
    for (size_t i = 0; i < r->ninputs; i++) {
        if (!strcmp(r->inputs[i].name, name)) {
            r->inputs[i].value = value;
            return SCRY_OK;
        }
    }
    if (!(v = realloc(r->inputs, (r->ninputs + 1) * sizeof *v)))
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    r->inputs = v;
    if (!(v[r->ninputs].name = strdup(name)))
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    v[r->ninputs++].value = value;
    return SCRY_OK;
}

scry_status scry_runctx_set_output_dir(scry_runctx *r, const char *dir)
{
    char *d;
    if (!r || !dir || !*dir)
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_runctx_set_output_dir: NULL run or directory");
    if (!(d = strdup(dir)))
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    free(r->output_dir);
    r->output_dir = d;
    return SCRY_OK;
}

void *scry_plugin_input(const struct scry_plugin_ctx *c, const char *name)
{
    for (size_t i = 0; i < c->ninputs; i++)
        if (!strcmp(c->inputs[i].name, name))
            return c->inputs[i].value;
    return NULL;
}

/* The profile a plugin of OS `os` needs, or a clear error when the dump
 * holds another OS. */
static scry_status profile_for(struct scry_session *s, const struct scry_plugin *p,
                               struct scry_op *op, const struct scry_profile **out)
{
    int any = strcmp(p->os, "*") == 0; /* any OS memscry detects */
    const struct scry_os *want = any ? NULL : scry_os_find(p->os);
    scry_status st = scry_session_profile(s, op, out);
    if (st != SCRY_OK)
        return st;
    if (!any && (*out)->os != want)
        return scry_err(SCRY_ERR_UNSUPPORTED, "%s needs a %s kernel; this dump holds %s",
                        p->alias ? p->alias : p->name, want ? want->title : p->os,
                        scry_profile_info(*out, "description"));
    return SCRY_OK;
}

/* True when the run's options make OS detection unnecessary
 * (scry_plugin.no_os_option given). */
static int no_os_wanted(const struct scry_plugin *p, const struct scry_optvals *vals)
{
    int i = p->no_os_option ? scry_option_index(p, p->no_os_option) : -1;
    return i >= 0 && (size_t)i < vals->n && vals->v[i].set;
}

/* A cached result instead of a run: the run still starts with its first
 * progress call, so a caller may cancel a hit as it would a run. */
static scry_status cached_run(scry_runctx *run, struct scry_result *r, scry_result **out)
{
    struct scry_op op = {0};
    if (run) {
        op.progress = run->progress;
        op.progress_user = run->progress_user;
    }
    if (scry_op_tick(&op, 0, 0)) {
        scry_result_free(r);
        return scry_op_cancelled();
    }
    *out = r;
    return SCRY_OK;
}

/* Runs plugin p with a session (s) or, for a plugin that reads no dump,
 * with the library context alone (s NULL). With a result cache, a run
 * that may be cached (scry_rkey_build) is looked up first and stored
 * after. */
static scry_status run_plugin(struct scry_context *ctx, struct scry_session *s,
                              const struct scry_plugin *p, int argc, const char *const *argv,
                              scry_runctx *run, scry_result **out)
{
    struct scry_optvals vals;
    struct scry_result *r = NULL;
    struct scry_op op = {0};
    struct scry_plugin_ctx pc = {0};
    struct scry_rkey key;
    char saved[SCRY_ERR_SAVED_MAX];
    scry_status st;
    scry_err_save(saved);
    if ((st = scry_options_parse(p, argc, argv, &vals)) != SCRY_OK)
        return st;
    if (scry_rkey_build(ctx, s, p, &vals, run ? run->ninputs : 0, &key) &&
        scry_results_get(ctx, &key, &r) == SCRY_OK) {
        scry_rkey_free(&key);
        scry_optvals_free(&vals);
        return cached_run(run, r, out);
    }
    /* The result first: detection, when this run is the one that triggers
     * it, reports what it met (a store branch skipped) on the run's op. */
    st = scry_result_new(p->columns, p->ncolumns, &r);
    if (st == SCRY_OK) {
        r->diags.max = (size_t)ctx->max_diagnostics;
        op.diags = &r->diags;
        op.max_entries = ctx->max_list_entries;
    }
    if (run) {
        pc.inputs = run->inputs;
        pc.ninputs = run->ninputs;
    }
    pc.phys = s && s->dump ? s->dump->phys : NULL;
    pc.opts = &vals;
    if (st == SCRY_OK && p->early && s)
        pc.early = p->early(&pc);
    if (st == SCRY_OK && p->os && s && !no_os_wanted(p, &vals))
        st = profile_for(s, p, &op, &pc.profile);
    if (st == SCRY_OK) {
        if (run) {
            op.progress = run->progress;
            op.progress_user = run->progress_user;
            pc.output_dir = run->output_dir;
        }
        pc.symdirs = (const char *const *)ctx->symdirs;
        pc.nsymdirs = ctx->nsymdirs;
        pc.cache_dir = scry_context_cache_dir(ctx);
        pc.out = r;
        pc.op = &op;
        /* The first progress call tells the caller the run has started;
         * it may cancel before any work. */
        if (scry_op_tick(&op, 0, 0))
            st = scry_op_cancelled();
        else
            st = p->run(&pc);
        if (st == SCRY_OK && op.cancelled)
            st = scry_op_cancelled();
        scry_diags_finish(&r->diags);
    }
    if (pc.early)
        p->early_free(pc.early);
    scry_optvals_free(&vals);
    if (st == SCRY_OK && key.b.p) {
        /* A profile from the dump's own BTF + kallsyms depends on the dump
         * alone (its identity is in the key): the file a hit re-checks is
         * the dump's. */
        const char *isf = pc.profile ? scry_profile_info(pc.profile, "isf") : NULL;
        if (pc.profile && scry_profile_info(pc.profile, "symbols_from_dump"))
            isf = s->dump->phys->file ? s->dump->phys->file->path : NULL;
        scry_results_put(ctx, &key, isf, r);
    }
    scry_rkey_free(&key);
    if (st != SCRY_OK) {
        scry_result_free(r);
        return st;
    }
    scry_err_restore(saved); /* diagnostics went to the result, not here */
    *out = r;
    return SCRY_OK;
}

scry_status scry_plugin_run(scry_session *s, const char *name, int argc, const char *const *argv,
                            scry_runctx *run, scry_result **out)
{
    const struct scry_plugin *p;
    if (!s || !name || !out || argc < 0 || (argc && !argv))
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_plugin_run: bad argument");
    if (!(p = scry_plugin_find(name)))
        return scry_err(SCRY_ERR_NOT_FOUND, "unknown plugin '%s'", name);
    return run_plugin(s->ctx, p->no_dump ? NULL : s, p, argc, argv, run, out);
}

scry_status scry_plugin_run_context(scry_context *ctx, const char *name, int argc,
                                    const char *const *argv, scry_runctx *run, scry_result **out)
{
    const struct scry_plugin *p;
    if (!ctx || !name || !out || argc < 0 || (argc && !argv))
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_plugin_run_context: bad argument");
    if (!(p = scry_plugin_find(name)))
        return scry_err(SCRY_ERR_NOT_FOUND, "unknown plugin '%s'", name);
    if (!p->no_dump)
        return scry_err(SCRY_ERR_INVALID_ARG, "%s needs a memory dump",
                        p->alias ? p->alias : p->name);
    return run_plugin(ctx, NULL, p, argc, argv, run, out);
}
