/* render.h - renderers: rows to the bytes Volatility 3 2.11.0 prints.
 *
 * Each renderer is one file (lib/render/<name>.c) and one table line
 * (lib/render/render.c). Output goes through a small buffered writer whose
 * sink is a scry_write_fn. Byte layouts: docs/volatility-output.md. */
#ifndef SCRY_RENDER_H
#define SCRY_RENDER_H

#include <stddef.h>

#include "lib/rows/rows.h"

struct scry_out {
    scry_write_fn write;
    void *user;
    int failed;
    size_t len;
    char buf[8192];
};

void scry_out_init(struct scry_out *o, scry_write_fn write, void *user);
void scry_out_write(struct scry_out *o, const char *p, size_t len);
void scry_out_str(struct scry_out *o, const char *s);
void scry_out_printf(struct scry_out *o, const char *fmt, ...) SCRY_PRINTF(2, 3);
/* Flushes; returns SCRY_ERR_IO when the sink stopped. */
scry_status scry_out_flush(struct scry_out *o);

struct scry_renderer {
    const char *name; /* "quick", "pretty", "json", "jsonl", "csv", "none" */
    scry_status (*render)(const struct scry_result *r, struct scry_out *o);
    /* Volatility writes its banner to stderr for structured renderers. */
    int structured;
};

/* One row alone, for the batch output: its object as jsonl writes a node
 * (keys sorted, Volatility's value rules, no __children), or its cells as
 * csv writes them (no TreeDepth, no line end). A csv field quoted and
 * escaped as csv does. */
scry_status scry_render_json_row(const struct scry_result *r, size_t row, struct scry_out *o);
scry_status scry_render_csv_row(const struct scry_result *r, size_t row, struct scry_out *o);
scry_status scry_render_csv_field(struct scry_out *o, const char *p, size_t len);
/* A JSON string as the json renderer writes one (ensure_ascii; bytes that
 * are not UTF-8 become U+FFFD). */
scry_status scry_render_json_str(struct scry_out *o, const char *s, size_t len);
/* Every row as one line, for the batch: json: {"depth": D, <pre>"row":
 * {...}}; csv: <pre>D,<cells>. pre is written as given. */
scry_status scry_render_json_lines(const struct scry_result *r, const char *pre, size_t prelen,
                                   struct scry_out *o);
scry_status scry_render_csv_lines(const struct scry_result *r, const char *pre, size_t prelen,
                                  struct scry_out *o);

/* NULL-terminated table. */
extern const struct scry_renderer *const scry_renderers[];
const struct scry_renderer *scry_renderer_find(const char *name);

#endif
