/* pretty.c - Volatility's "pretty" renderer: a " | "-separated table whose
 * data columns are right-aligned to their widest line and whose first
 * column is the tree depth drawn in stars.
 *
 * Widths are in code points after expanding tabs to multiples of 8, as
 * Python's len() sees the tab-stopped text. Cells are formatted twice (to
 * measure, then to print) instead of keeping every row's text in memory. */
#include "lib/render/render.h"
#include "lib/render/text_cell.h"

#include <stdlib.h>
#include <string.h>

static void write_spaces(struct scry_out *o, size_t n)
{
    static const char sp[] = "                                ";
    while (n) {
        size_t k = n < sizeof sp - 1 ? n : sizeof sp - 1;
        scry_out_write(o, sp, k);
        n -= k;
    }
}

/* Code points of one line after tab expansion. */
static size_t line_width(const char *p, size_t len)
{
    size_t col = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c == '\t')
            col += 8 - col % 8;
        else if ((c & 0xC0) != 0x80)
            col++;
    }
    return col;
}

/* Writes one line with its tabs expanded, right-aligned to width. */
static void write_line(struct scry_out *o, const char *p, size_t len, size_t width)
{
    size_t w = line_width(p, len), col = 0, run = 0;
    if (w < width)
        write_spaces(o, width - w);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c == '\t') {
            scry_out_write(o, p + run, i - run);
            write_spaces(o, 8 - col % 8);
            col += 8 - col % 8;
            run = i + 1;
        } else if ((c & 0xC0) != 0x80) {
            col++;
        }
    }
    scry_out_write(o, p + run, len - run);
}

static size_t count_lines(const char *p, size_t len)
{
    size_t n = 1;
    for (size_t i = 0; i < len; i++)
        n += p[i] == '\n';
    return n;
}

/* All cells of one row, formatted into one buffer. */
static void format_row(const struct scry_result *r, const struct scry_row *row,
                       struct scry_sbuf *b, size_t *start)
{
    scry_sbuf_reset(b);
    scry_sbuf_add(b, "", 0); /* so b->p is never NULL below */
    for (size_t c = 0; c < r->ncols; c++) {
        start[c] = b->len;
        scry_text_cell(b, r->cols[c].type, &row->cells[c]);
    }
    start[r->ncols] = b->len;
}

static scry_status render_pretty(const struct scry_result *r, struct scry_out *o)
{
    struct scry_sbuf b = {0};
    size_t *width = calloc(r->ncols + 1, sizeof *width);
    size_t *start = calloc(r->ncols + 1, sizeof *start);
    size_t *cur = calloc(r->ncols + 1, sizeof *cur);
    size_t tree = 0;
    scry_status st = SCRY_OK;
    if (!width || !start || !cur) {
        st = scry_err(SCRY_ERR_NOMEM, "cannot allocate the table layout");
        goto out;
    }

    for (size_t c = 0; c < r->ncols; c++)
        width[c] = scry_utf8_count(r->cols[c].name, strlen(r->cols[c].name));
    for (size_t i = 0; i < r->nrows; i++) {
        const struct scry_row *row = &r->rows[i];
        if ((size_t)row->depth + 1 > tree)
            tree = (size_t)row->depth + 1;
        format_row(r, row, &b, start);
        if (b.oom)
            break;
        for (size_t c = 0; c < r->ncols; c++) {
            const char *p = b.p + start[c];
            size_t len = start[c + 1] - start[c], ls = 0;
            for (size_t k = 0; k <= len; k++) {
                if (k == len || p[k] == '\n') {
                    size_t w = line_width(p + ls, k - ls);
                    if (w > width[c])
                        width[c] = w;
                    ls = k + 1;
                }
            }
        }
    }
    if (b.oom) {
        st = scry_err(SCRY_ERR_NOMEM, "cannot format a cell");
        goto out;
    }

    /* Header: the tree column is blank, names are right-aligned too. */
    write_spaces(o, tree);
    for (size_t c = 0; c < r->ncols; c++) {
        const char *name = r->cols[c].name;
        size_t nl = strlen(name), w = scry_utf8_count(name, nl);
        scry_out_write(o, " | ", 3);
        if (w < width[c])
            write_spaces(o, width[c] - w);
        scry_out_write(o, name, nl);
    }
    scry_out_write(o, "\n", 1);

    for (size_t i = 0; i < r->nrows; i++) {
        const struct scry_row *row = &r->rows[i];
        size_t depth = (size_t)row->depth + 1, nlines = 1;
        format_row(r, row, &b, start);
        if (b.oom) {
            st = scry_err(SCRY_ERR_NOMEM, "cannot format a cell");
            goto out;
        }
        for (size_t c = 0; c < r->ncols; c++) {
            size_t n = count_lines(b.p + start[c], start[c + 1] - start[c]);
            if (n > nlines)
                nlines = n;
            cur[c] = start[c];
        }
        for (size_t k = 0; k < nlines; k++) {
            /* Stars on a row's first line, blanks on its continuations. */
            for (size_t d = 0; d < depth; d++)
                scry_out_write(o, k == 0 ? "*" : " ", 1);
            write_spaces(o, tree - depth);
            for (size_t c = 0; c < r->ncols; c++) {
                /* cur[c] walks the cell line by line; past its end (one
                 * beyond the terminating offset) a cell prints as "". */
                size_t end = start[c + 1], ls = cur[c], le = ls;
                if (ls <= end) {
                    while (le < end && b.p[le] != '\n')
                        le++;
                    cur[c] = le + 1;
                } else {
                    ls = le = end;
                }
                scry_out_write(o, " | ", 3);
                write_line(o, b.p + ls, le - ls, width[c]);
            }
            scry_out_write(o, "\n", 1);
        }
    }
out:
    scry_sbuf_free(&b);
    free(width);
    free(start);
    free(cur);
    return st;
}

const struct scry_renderer scry_renderer_pretty = {"pretty", render_pretty, 0};
