/* csv.c - Volatility's "csv" renderer: csv.DictWriter with the excel
 * dialect, lineterminator "\n" and escapechar "\\" (CPython 3.11), a
 * TreeDepth column first and one extra "\n" after the last row.
 *
 * QUOTE_MINIMAL as CPython 3.11 applies it: a field is quoted when it holds
 * the delimiter, the quote char or a character of the line terminator
 * ("\n" only, so "\r" alone is not quoted); quotes are doubled; the escape
 * char itself is escaped but does not cause quoting. */
#include "lib/render/render.h"
#include "lib/render/text_cell.h"

#include <string.h>

static void write_field(struct scry_out *o, const char *p, size_t len)
{
    int quoted = 0;
    size_t run = 0;
    for (size_t i = 0; i < len; i++)
        if (p[i] == ',' || p[i] == '"' || p[i] == '\n') {
            quoted = 1;
            break;
        }
    if (quoted)
        scry_out_write(o, "\"", 1);
    for (size_t i = 0; i < len; i++) {
        if (p[i] == '"' || p[i] == '\\') {
            /* Emit the char once more before itself: "" or \\. */
            scry_out_write(o, p + run, i - run);
            scry_out_write(o, p + i, 1);
            run = i;
        }
    }
    scry_out_write(o, p + run, len - run);
    if (quoted)
        scry_out_write(o, "\"", 1);
}

static scry_status render_csv(const struct scry_result *r, struct scry_out *o)
{
    struct scry_sbuf cell = {0};
    scry_out_write(o, "TreeDepth", 9);
    for (size_t c = 0; c < r->ncols; c++) {
        scry_out_write(o, ",", 1);
        write_field(o, r->cols[c].name, strlen(r->cols[c].name));
    }
    scry_out_write(o, "\n", 1);
    for (size_t i = 0; i < r->nrows; i++) {
        const struct scry_row *row = &r->rows[i];
        scry_out_printf(o, "%d", row->depth);
        for (size_t c = 0; c < r->ncols; c++) {
            scry_sbuf_reset(&cell);
            scry_sbuf_add(&cell, "", 0);
            scry_text_cell(&cell, r->cols[c].type, &row->cells[c]);
            if (cell.oom) {
                scry_sbuf_free(&cell);
                return scry_err(SCRY_ERR_NOMEM, "cannot format a cell");
            }
            scry_out_write(o, ",", 1);
            write_field(o, cell.p, cell.len);
        }
        scry_out_write(o, "\n", 1);
    }
    scry_sbuf_free(&cell);
    scry_out_write(o, "\n", 1);
    return SCRY_OK;
}

scry_status scry_render_csv_row(const struct scry_result *r, size_t row, struct scry_out *o)
{
    struct scry_sbuf cell = {0};
    if (row >= r->nrows)
        return scry_err(SCRY_ERR_INVALID_ARG, "row %zu out of range", row);
    for (size_t c = 0; c < r->ncols; c++) {
        scry_sbuf_reset(&cell);
        scry_sbuf_add(&cell, "", 0);
        scry_text_cell(&cell, r->cols[c].type, &r->rows[row].cells[c]);
        if (cell.oom) {
            scry_sbuf_free(&cell);
            return scry_err(SCRY_ERR_NOMEM, "cannot format a cell");
        }
        if (c)
            scry_out_write(o, ",", 1);
        write_field(o, cell.p, cell.len);
    }
    scry_sbuf_free(&cell);
    return SCRY_OK;
}

scry_status scry_render_csv_lines(const struct scry_result *r, const char *pre, size_t prelen,
                                  struct scry_out *o)
{
    scry_status st = SCRY_OK;
    for (size_t i = 0; st == SCRY_OK && i < r->nrows; i++) {
        scry_out_write(o, pre, prelen);
        scry_out_printf(o, "%d,", r->rows[i].depth);
        st = scry_render_csv_row(r, i, o);
        scry_out_write(o, "\n", 1);
    }
    return st;
}

scry_status scry_render_csv_field(struct scry_out *o, const char *p, size_t len)
{
    write_field(o, p, len);
    return SCRY_OK;
}

const struct scry_renderer scry_renderer_csv = {"csv", render_csv, 1};
