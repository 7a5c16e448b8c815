/* text_cell.h - private to lib/render: a growable string and the text form
 * of a cell that quick, pretty and csv share (json reuses the pieces). */
#ifndef SCRY_RENDER_TEXT_CELL_H
#define SCRY_RENDER_TEXT_CELL_H

#include <stddef.h>

#include "lib/render/render.h"

/* A growable byte string; oom sticks once an allocation failed so callers
 * check it once at the end. p is NUL-terminated whenever it is non-NULL. */
struct scry_sbuf {
    char *p;
    size_t len, cap;
    int oom;
};

void scry_sbuf_add(struct scry_sbuf *b, const char *p, size_t len);
void scry_sbuf_addc(struct scry_sbuf *b, char c);
void scry_sbuf_printf(struct scry_sbuf *b, const char *fmt, ...) SCRY_PRINTF(2, 3);
void scry_sbuf_reset(struct scry_sbuf *b);
void scry_sbuf_free(struct scry_sbuf *b);

/* Volatility's text for a cell of this column type, appended to b:
 * what quick, pretty and csv print (absent values as "-" or "N/A"). */
void scry_text_cell(struct scry_sbuf *b, scry_coltype type, const struct scry_cell *c);

/* The pieces the JSON renderer formats the same way. */
void scry_text_bytes(struct scry_sbuf *b, const char *p, size_t len);     /* "00 41" */
void scry_text_hexdump(struct scry_sbuf *b, const char *p, size_t len);   /* hex_bytes_as_text */
/* A datetime as "%Y-%m-%d %H:%M:%S.%f UTC" (iso=0) or isoformat() with
 * "+00:00" and no fraction when usec is 0 (iso=1). */
void scry_text_datetime(struct scry_sbuf *b, int64_t sec, uint32_t usec, int iso);
/* "-" or "N/A" for an absent value. */
const char *scry_text_absent(scry_cellstate st);

#endif
