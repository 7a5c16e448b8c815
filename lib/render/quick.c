/* quick.c - Volatility's default "quick" renderer: a tab-joined header,
 * then one "\n"-led line per row with "*" tree markers, no alignment. */
#include "lib/render/render.h"
#include "lib/render/text_cell.h"

static void write_header(const struct scry_result *r, struct scry_out *o)
{
    scry_out_write(o, "\n", 1);
    for (size_t c = 0; c < r->ncols; c++) {
        if (c)
            scry_out_write(o, "\t", 1);
        scry_out_str(o, r->cols[c].name);
    }
    scry_out_write(o, "\n", 1);
}

static scry_status render_quick(const struct scry_result *r, struct scry_out *o)
{
    struct scry_sbuf cell = {0};
    write_header(r, o);
    for (size_t i = 0; i < r->nrows; i++) {
        const struct scry_row *row = &r->rows[i];
        scry_out_write(o, "\n", 1);
        /* The marker is glued to the first cell: "* " at depth 1. */
        if (row->depth > 0) {
            for (int d = 0; d < row->depth; d++)
                scry_out_write(o, "*", 1);
            scry_out_write(o, " ", 1);
        }
        for (size_t c = 0; c < r->ncols; c++) {
            if (c)
                scry_out_write(o, "\t", 1);
            scry_sbuf_reset(&cell);
            scry_text_cell(&cell, r->cols[c].type, &row->cells[c]);
            if (cell.oom)
                break;
            scry_out_write(o, cell.p, cell.len);
        }
        if (cell.oom)
            break;
    }
    if (cell.oom) {
        scry_sbuf_free(&cell);
        return scry_err(SCRY_ERR_NOMEM, "cannot format a cell");
    }
    scry_sbuf_free(&cell);
    scry_out_write(o, "\n", 1);
    return SCRY_OK;
}

const struct scry_renderer scry_renderer_quick = {"quick", render_quick, 0};
