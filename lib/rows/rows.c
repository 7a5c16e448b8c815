/* rows.c - typed result rows, their arena, the public result accessors and
 * the UTF-8 helpers every renderer relies on. */
#include "lib/rows/rows.h"

#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ arena */

/* Results are built once and freed whole, so a bump allocator over a chain
 * of chunks is enough: no per-string free, one walk at the end. */
struct arena_chunk {
    struct arena_chunk *next;
    size_t size, used;
    alignas(max_align_t) unsigned char data[];
};

struct scry_arena {
    struct arena_chunk *head;
    size_t bytes; /* chunk bytes allocated (accounting) */
};

enum { ARENA_CHUNK = 64 * 1024 };

static void *arena_alloc(struct scry_arena *a, size_t n)
{
    const size_t align = alignof(max_align_t);
    struct arena_chunk *c = a->head;
    size_t off;
    if (n == 0)
        n = 1;
    if (c) {
        off = (c->used + align - 1) & ~(align - 1);
        if (off <= c->size && c->size - off >= n) {
            c->used = off + n;
            return c->data + off;
        }
    }
    /* A large request gets a chunk of its own; the bump continues in it,
     * which wastes at most the tail of the previous chunk. */
    size_t size = n > ARENA_CHUNK ? n : ARENA_CHUNK;
    if (size > SIZE_MAX - sizeof *c)
        return NULL;
    c = malloc(sizeof *c + size);
    if (!c)
        return NULL;
    c->next = a->head;
    a->bytes += sizeof *c + size;
    c->size = size;
    c->used = n;
    a->head = c;
    return c->data;
}

static void arena_clear(struct scry_arena *a)
{
    for (struct arena_chunk *c = a->head, *next; c; c = next) {
        next = c->next;
        free(c);
    }
    a->head = NULL;
    a->bytes = 0;
}

static void arena_free(struct scry_arena *a)
{
    if (!a)
        return;
    arena_clear(a);
    free(a);
}

/* ------------------------------------------------------------- accounting */

static void mem_update(struct scry_result *r)
{
    size_t held = r->arena->bytes + r->cap * sizeof *r->rows + r->mem_plugin;
    if (held > r->mem_peak)
        r->mem_peak = held;
}

void scry_result_hold(struct scry_result *r, size_t bytes)
{
    if (!r)
        return;
    r->mem_plugin += bytes;
    mem_update(r);
}

void scry_result_release(struct scry_result *r, size_t bytes)
{
    if (!r)
        return;
    r->mem_plugin -= bytes < r->mem_plugin ? bytes : r->mem_plugin;
}

size_t scry_result_peak_bytes(const struct scry_result *r) { return r ? r->mem_peak : 0; }

/* ------------------------------------------------------------------ build */

scry_status scry_result_new(const struct scry_column *cols, size_t ncols, struct scry_result **out)
{
    struct scry_result *r;
    if (!out || (ncols && !cols))
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_result_new: no columns");
    r = calloc(1, sizeof *r);
    if (!r)
        return scry_err(SCRY_ERR_NOMEM, "cannot allocate a result");
    r->arena = calloc(1, sizeof *r->arena);
    if (!r->arena) {
        free(r);
        return scry_err(SCRY_ERR_NOMEM, "cannot allocate a result");
    }
    r->cols = cols;
    r->ncols = ncols;
    *out = r;
    return SCRY_OK;
}

int scry_result_partial(const scry_result *r) { return r ? r->diags.partial : 0; }

size_t scry_result_diag_count(const scry_result *r) { return r ? r->diags.n : 0; }

scry_status scry_result_diag(const scry_result *r, size_t index, scry_diag_level *level,
                             scry_status *status, const char **message)
{
    if (!r || index >= r->diags.n)
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_result_diag: index %zu out of range", index);
    if (level)
        *level = r->diags.v[index].level;
    if (status)
        *status = r->diags.v[index].status;
    if (message)
        *message = r->diags.v[index].message;
    return SCRY_OK;
}

void scry_result_drop_rows(struct scry_result *r)
{
    if (!r)
        return;
    arena_clear(r->arena);
    free(r->rows);
    r->rows = NULL;
    r->nrows = r->cap = 0;
}

void scry_result_free(scry_result *r)
{
    if (!r)
        return;
    arena_free(r->arena);
    scry_diags_free(&r->diags);
    free(r->rows);
    free(r);
}

void *scry_result_alloc(struct scry_result *r, size_t n)
{
    void *p;
    if (!r)
        return NULL;
    p = arena_alloc(r->arena, n);
    if (p)
        mem_update(r);
    return p;
}

const char *scry_result_strdup(struct scry_result *r, const char *p, size_t len)
{
    char *d;
    if (!r || len == SIZE_MAX)
        return NULL;
    d = arena_alloc(r->arena, len + 1);
    if (!d)
        return NULL;
    mem_update(r);
    if (len)
        memcpy(d, p, len);
    d[len] = '\0';
    return d;
}

/* Copies one string-like cell into the arena. STR cells must be valid UTF-8
 * for the renderers (widths in code points, \u escapes); bytes that are not
 * get Python's errors="replace" decoding, which is what Volatility would
 * have shown for them. */
static scry_status copy_text_cell(struct scry_result *r, scry_coltype type, struct scry_cell *c)
{
    const char *p = c->v.s.p;
    size_t len = c->v.s.len;
    const char *d;
    if (len && !p)
        return scry_err(SCRY_ERR_INVALID_ARG, "string cell with no data");
    if (type == SCRY_COL_STR && !scry_utf8_valid((const uint8_t *)p, len)) {
        if (len > (SIZE_MAX - 1) / 3)
            return scry_err(SCRY_ERR_NOMEM, "string cell too long");
        char *tmp = malloc(3 * len + 1);
        if (!tmp)
            return scry_err(SCRY_ERR_NOMEM, "cannot decode a string cell");
        size_t n = scry_utf8_replace((const uint8_t *)p, len, tmp);
        d = scry_result_strdup(r, tmp, n);
        free(tmp);
        len = n;
    } else {
        d = scry_result_strdup(r, p, len);
    }
    if (!d)
        return scry_err(SCRY_ERR_NOMEM, "cannot copy a string cell");
    c->v.s.p = d;
    c->v.s.len = len;
    return SCRY_OK;
}

scry_status scry_result_add(struct scry_result *r, int level, const struct scry_cell *cells)
{
    struct scry_cell *copy = NULL;
    int depth;
    if (!r || (r->ncols && !cells))
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_result_add: no row");
    if (level < 0)
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_result_add: negative level %d", level);
    if (r->nrows == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 64;
        struct scry_row *rows;
        if (cap > SIZE_MAX / sizeof *rows)
            return scry_err(SCRY_ERR_NOMEM, "too many rows");
        rows = realloc(r->rows, cap * sizeof *rows);
        if (!rows)
            return scry_err(SCRY_ERR_NOMEM, "cannot grow a result to %zu rows", cap);
        r->rows = rows;
        r->cap = cap;
    }
    if (r->ncols) {
        if (r->ncols > SIZE_MAX / sizeof *copy)
            return scry_err(SCRY_ERR_NOMEM, "too many columns");
        copy = arena_alloc(r->arena, r->ncols * sizeof *copy);
        if (!copy)
            return scry_err(SCRY_ERR_NOMEM, "cannot allocate a row");
        memcpy(copy, cells, r->ncols * sizeof *copy);
    }
    for (size_t i = 0; i < r->ncols; i++) {
        scry_coltype t = r->cols[i].type;
        if (copy[i].state != SCRY_CELL_VALUE)
            continue;
        if (t == SCRY_COL_STR || t == SCRY_COL_BYTES || t == SCRY_COL_HEXBYTES ||
            t == SCRY_COL_DISASM) {
            scry_status st = copy_text_cell(r, t, &copy[i]);
            if (st)
                return scry_err_ctx(st, "row %zu column '%s'", r->nrows, r->cols[i].name);
        }
    }
    /* TreeGrid.populate: a row can go at most one level below the row
     * before it, and the first row is always top level. */
    if (r->nrows == 0)
        depth = 0;
    else {
        int prev = r->rows[r->nrows - 1].depth;
        depth = level < prev + 1 ? level : prev + 1;
    }
    r->rows[r->nrows].depth = depth;
    r->rows[r->nrows].cells = copy;
    r->nrows++;
    mem_update(r);
    return SCRY_OK;
}

/* -------------------------------------------------------------- accessors */

size_t scry_result_column_count(const scry_result *r) { return r ? r->ncols : 0; }

const char *scry_result_column_name(const scry_result *r, size_t col)
{
    return r && col < r->ncols ? r->cols[col].name : NULL;
}

/* Out of range gives SCRY_COL_INT: the enum has no "none" value and the
 * typed accessors still refuse the cell. */
scry_coltype scry_result_column_type(const scry_result *r, size_t col)
{
    return r && col < r->ncols ? r->cols[col].type : SCRY_COL_INT;
}

size_t scry_result_row_count(const scry_result *r) { return r ? r->nrows : 0; }

int scry_result_row_depth(const scry_result *r, size_t row)
{
    return r && row < r->nrows ? r->rows[row].depth : -1;
}

scry_cellstate scry_result_cell_state(const scry_result *r, size_t row, size_t col)
{
    if (!r || row >= r->nrows || col >= r->ncols)
        return SCRY_CELL_NOT_AVAILABLE;
    return r->rows[row].cells[col].state;
}

/* The cell at (row, col) when it holds a value of one of the two types. */
#define TYPE_BIT(t) (1u << (unsigned)(t))

static const struct scry_cell *typed_cell(const scry_result *r, size_t row, size_t col,
                                          unsigned types, const char *what)
{
    const struct scry_cell *c;
    if (!r || row >= r->nrows || col >= r->ncols) {
        scry_err(SCRY_ERR_INVALID_ARG, "no cell at row %zu column %zu", row, col);
        return NULL;
    }
    if (!(TYPE_BIT(r->cols[col].type) & types)) {
        scry_err(SCRY_ERR_INVALID_ARG, "column '%s' does not hold %s", r->cols[col].name, what);
        return NULL;
    }
    c = &r->rows[row].cells[col];
    if (c->state != SCRY_CELL_VALUE) {
        scry_err(SCRY_ERR_INVALID_ARG, "row %zu column '%s' has no value", row, r->cols[col].name);
        return NULL;
    }
    return c;
}

scry_status scry_result_cell_int(const scry_result *r, size_t row, size_t col, int64_t *value)
{
    const struct scry_cell *c = typed_cell(r, row, col, TYPE_BIT(SCRY_COL_INT) | TYPE_BIT(SCRY_COL_BOOL),
                                          "an integer");
    if (!c)
        return SCRY_ERR_INVALID_ARG;
    if (value)
        *value = c->v.i;
    return SCRY_OK;
}

scry_status scry_result_cell_uint(const scry_result *r, size_t row, size_t col, uint64_t *value)
{
    const struct scry_cell *c = typed_cell(
        r, row, col, TYPE_BIT(SCRY_COL_HEX) | TYPE_BIT(SCRY_COL_HEX128), "a hex value");
    if (!c)
        return SCRY_ERR_INVALID_ARG;
    if (r->cols[col].type == SCRY_COL_HEX128 && c->v.x.hi)
        return scry_err(SCRY_ERR_INVALID_ARG, "row %zu column '%s' is wider than 64 bits", row,
                        r->cols[col].name);
    if (value)
        *value = c->v.u;
    return SCRY_OK;
}

scry_status scry_result_cell_str(const scry_result *r, size_t row, size_t col, const char **value,
                                 size_t *length)
{
    const struct scry_cell *c = typed_cell(
        r, row, col,
        TYPE_BIT(SCRY_COL_STR) | TYPE_BIT(SCRY_COL_BYTES) | TYPE_BIT(SCRY_COL_HEXBYTES) |
            TYPE_BIT(SCRY_COL_DISASM),
        "text or bytes");
    if (!c)
        return SCRY_ERR_INVALID_ARG;
    if (value)
        *value = c->v.s.p ? c->v.s.p : "";
    if (length)
        *length = c->v.s.len;
    return SCRY_OK;
}

scry_status scry_result_cell_datetime(const scry_result *r, size_t row, size_t col, int64_t *seconds,
                                      uint32_t *microseconds)
{
    const struct scry_cell *c = typed_cell(r, row, col, TYPE_BIT(SCRY_COL_DATETIME), "a datetime");
    if (!c)
        return SCRY_ERR_INVALID_ARG;
    if (seconds)
        *seconds = c->v.t.sec;
    if (microseconds)
        *microseconds = c->v.t.usec;
    return SCRY_OK;
}
