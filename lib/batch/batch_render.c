/* batch_render.c - a result's rows as the batch's text lines, made by the
 * worker that ran the plugin: the record callback is called one record at
 * a time, so whatever it does is the batch's serial part; rendering there
 * held -j 2 to 1.3x (docs: bench/README.md, "Batch runs"). */
#include <stdlib.h>
#include <string.h>

#include "lib/batch/batch.h"
#include "lib/render/render.h"

struct grow {
    char *p;
    size_t len, cap;
};

static int grow_write(void *user, const char *data, size_t len)
{
    struct grow *g = user;
    if (g->len + len + 1 > g->cap) {
        size_t cap = g->cap ? g->cap : 4096;
        char *p;
        while (cap < g->len + len + 1)
            cap *= 2;
        if (!(p = realloc(g->p, cap)))
            return 1;
        g->p = p;
        g->cap = cap;
    }
    memcpy(g->p + g->len, data, len);
    g->len += len;
    g->p[g->len] = 0;
    return 0;
}

scry_status scry_batch_render(const struct scry_result *r, int format, const char *dump,
                              const char *plugin, char **text, size_t *len)
{
    struct grow pre = {0}, out = {0};
    struct scry_out *o = malloc(sizeof *o);
    scry_status st = SCRY_OK;
    *text = NULL;
    *len = 0;
    if (!o)
        return scry_err(SCRY_ERR_NOMEM, "cannot allocate the output buffer");
    /* The fields every line of this result shares, escaped once. */
    scry_out_init(o, grow_write, &pre);
    if (format == SCRY_BATCH_RENDER_JSONL) {
        scry_out_write(o, "\"dump\": ", 8);
        st = scry_render_json_str(o, dump, strlen(dump));
        scry_out_write(o, ", \"plugin\": ", 12);
        if (st == SCRY_OK)
            st = scry_render_json_str(o, plugin, strlen(plugin));
        scry_out_write(o, ", ", 2);
    } else {
        st = scry_render_csv_field(o, dump, strlen(dump));
        scry_out_write(o, ",", 1);
    }
    if (st == SCRY_OK)
        st = scry_out_flush(o);
    if (st == SCRY_OK) {
        scry_out_init(o, grow_write, &out);
        st = format == SCRY_BATCH_RENDER_JSONL
                 ? scry_render_json_lines(r, pre.p ? pre.p : "", pre.len, o)
                 : scry_render_csv_lines(r, pre.p ? pre.p : "", pre.len, o);
        if (st == SCRY_OK)
            st = scry_out_flush(o);
    }
    free(o);
    free(pre.p);
    if (st != SCRY_OK) {
        free(out.p);
        return st == SCRY_ERR_IO ? scry_err(SCRY_ERR_NOMEM, "cannot render a result") : st;
    }
    if (!out.p && !(out.p = calloc(1, 1))) /* no row: "" */
        return scry_err(SCRY_ERR_NOMEM, "cannot render a result");
    *text = out.p;
    *len = out.len;
    return SCRY_OK;
}
