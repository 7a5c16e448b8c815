/* render.c - the buffered writer every renderer prints through, the
 * renderer table and the public scry_result_render(). */
#include "lib/render/render.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void scry_out_init(struct scry_out *o, scry_write_fn write, void *user)
{
    o->write = write;
    o->user = user;
    o->failed = 0;
    o->len = 0;
}

static void out_drain(struct scry_out *o)
{
    if (o->len && !o->failed && o->write(o->user, o->buf, o->len) != 0)
        o->failed = 1;
    o->len = 0;
}

void scry_out_write(struct scry_out *o, const char *p, size_t len)
{
    /* Once the sink has said stop, nothing more reaches it: the render
     * fails at the next flush and the renderer need not check each write. */
    if (o->failed || len == 0)
        return;
    if (len > sizeof o->buf - o->len) {
        out_drain(o);
        if (o->failed)
            return;
        if (len >= sizeof o->buf) {
            if (o->write(o->user, p, len) != 0)
                o->failed = 1;
            return;
        }
    }
    memcpy(o->buf + o->len, p, len);
    o->len += len;
}

void scry_out_str(struct scry_out *o, const char *s) { scry_out_write(o, s, strlen(s)); }

void scry_out_printf(struct scry_out *o, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        o->failed = 1;
        return;
    }
    if ((size_t)n < sizeof small) {
        scry_out_write(o, small, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (!big) {
        o->failed = 1;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    scry_out_write(o, big, (size_t)n);
    free(big);
}

scry_status scry_out_flush(struct scry_out *o)
{
    out_drain(o);
    if (o->failed)
        return scry_err(SCRY_ERR_IO, "the output sink stopped the render");
    return SCRY_OK;
}

/* Each renderer lives in its own file; only its descriptor is shared. */
extern const struct scry_renderer scry_renderer_quick, scry_renderer_pretty, scry_renderer_json,
    scry_renderer_jsonl, scry_renderer_csv, scry_renderer_none;

static scry_status render_none(const struct scry_result *r, struct scry_out *o)
{
    /* Volatility still runs the generator; the rows are already built. */
    (void)r;
    (void)o;
    return SCRY_OK;
}

const struct scry_renderer scry_renderer_none = {"none", render_none, 0};

const struct scry_renderer *const scry_renderers[] = {
    &scry_renderer_quick, &scry_renderer_pretty, &scry_renderer_json, &scry_renderer_jsonl,
    &scry_renderer_csv,   &scry_renderer_none,   NULL};

const struct scry_renderer *scry_renderer_find(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; scry_renderers[i]; i++)
        if (strcmp(scry_renderers[i]->name, name) == 0)
            return scry_renderers[i];
    return NULL;
}

scry_status scry_result_render(const scry_result *result, const char *renderer, scry_write_fn write,
                               void *user)
{
    const struct scry_renderer *rd;
    struct scry_out *o;
    scry_status st;
    if (!result || !write || !renderer)
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_result_render: no result, renderer or sink");
    rd = scry_renderer_find(renderer);
    if (!rd)
        return scry_err(SCRY_ERR_NOT_FOUND, "unknown renderer '%s'", renderer);
    /* The writer's buffer is 8 KiB: too big for a library to put on a
     * caller's stack that may be a small thread stack. */
    o = malloc(sizeof *o);
    if (!o)
        return scry_err(SCRY_ERR_NOMEM, "cannot allocate the output buffer");
    scry_out_init(o, write, user);
    st = rd->render(result, o);
    if (st == SCRY_OK)
        st = scry_out_flush(o);
    else
        out_drain(o);
    free(o);
    return st;
}

scry_status scry_renderer_info(const char *renderer, int *structured)
{
    const struct scry_renderer *rd;
    if (!renderer)
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_renderer_info: NULL renderer name");
    if (!(rd = scry_renderer_find(renderer)))
        return scry_err(SCRY_ERR_NOT_FOUND, "unknown renderer '%s'", renderer);
    if (structured)
        *structured = rd->structured;
    return SCRY_OK;
}
