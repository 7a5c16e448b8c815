/* rows.h - typed rows: what plugins emit and renderers and the C API read.
 *
 * A result holds the column list and every row (cells + tree depth); its
 * strings live in one arena owned by the result. struct scry_result is the
 * public opaque type. */
#ifndef SCRY_ROWS_H
#define SCRY_ROWS_H

#include <stddef.h>
#include <stdint.h>

#include "lib/base/error.h"
#include "lib/base/op.h"
#include "lib/base/utf8.h"

struct scry_column {
    const char *name; /* static */
    scry_coltype type;
};

struct scry_cell {
    scry_cellstate state;
    union {
        int64_t i;    /* SCRY_COL_INT, SCRY_COL_BOOL (0/1)            */
        uint64_t u;   /* SCRY_COL_HEX                                  */
        struct {
            const char *p; /* SCRY_COL_STR (UTF-8), BYTES, HEXBYTES, DISASM */
            size_t len;
        } s;
        struct {
            int64_t sec;   /* SCRY_COL_DATETIME: seconds since the epoch */
            uint32_t usec;
        } t;
        struct {
            uint64_t lo, hi; /* SCRY_COL_HEX128 */
        } x;
    } v;
};

struct scry_row {
    int depth;              /* 0 = top level, after Volatility's clamping */
    struct scry_cell *cells;
};

struct scry_result {
    const struct scry_column *cols; /* borrowed from the plugin table */
    size_t ncols;
    struct scry_row *rows;
    size_t nrows, cap;
    struct scry_arena *arena;
    struct scry_diags diags; /* what the run that made it met */
    /* Allocation accounting (see scry_result_hold): bytes the plugin holds
     * in working tables now, and the peak of everything counted. */
    size_t mem_plugin, mem_peak;
    uint64_t work; /* work units a plugin counted (scry_result_work) */
};

/* Frees r's rows and their strings, keeping its columns, diagnostics and
 * accounting: r then has no row (the batch, once the rows are rendered,
 * for a caller that wants only the text). */
void scry_result_drop_rows(struct scry_result *r);

/* Cell constructors. Strings are borrowed until scry_result_add copies them. */
static inline struct scry_cell scry_cell_int(int64_t v)
{
    struct scry_cell c = {.state = SCRY_CELL_VALUE};
    c.v.i = v;
    return c;
}
static inline struct scry_cell scry_cell_hex(uint64_t v)
{
    struct scry_cell c = {.state = SCRY_CELL_VALUE};
    c.v.u = v;
    return c;
}
static inline struct scry_cell scry_cell_hex128(uint64_t hi, uint64_t lo)
{
    struct scry_cell c = {.state = SCRY_CELL_VALUE};
    c.v.x.lo = lo;
    c.v.x.hi = hi;
    return c;
}
static inline struct scry_cell scry_cell_bool(int v)
{
    struct scry_cell c = {.state = SCRY_CELL_VALUE};
    c.v.i = v != 0;
    return c;
}
static inline struct scry_cell scry_cell_str(const char *p, size_t len)
{
    struct scry_cell c = {.state = SCRY_CELL_VALUE};
    c.v.s.p = p;
    c.v.s.len = len;
    return c;
}
static inline struct scry_cell scry_cell_absent(scry_cellstate st)
{
    struct scry_cell c = {.state = st};
    return c;
}

/* A new, empty result with these columns (borrowed: static tables). */
scry_status scry_result_new(const struct scry_column *cols, size_t ncols, struct scry_result **out);

/* Appends a row at Volatility tree `level` (0 = top); as in Volatility's
 * TreeGrid the level is clamped to one below the previous row's depth.
 * cells has ncols entries; strings are copied into the result's arena. */
scry_status scry_result_add(struct scry_result *r, int level, const struct scry_cell *cells);

/* Allocation accounting, the library's own measure of memory (not RSS):
 * a result counts what it holds itself (its row array and its arena
 * chunks), and a plugin adds the working tables it holds while it builds
 * the result: scry_result_hold(r, +n) after allocating n bytes,
 * scry_result_release(r, n) before freeing them. scry_result_peak_bytes
 * is the peak of the sum over the run; hostile-input tests assert bounds
 * on it. Only what is reported is counted: transient buffers elsewhere in
 * the library are not. */
void scry_result_hold(struct scry_result *r, size_t bytes);
void scry_result_release(struct scry_result *r, size_t bytes);
size_t scry_result_peak_bytes(const struct scry_result *r);
/* Work accounting: a plugin adds the units of its dominant loop (pstree:
 * parent-climb steps) so tests can bound work as an operation count. */
static inline void scry_result_work(struct scry_result *r, uint64_t units)
{
    if (r)
        r->work += units;
}

/* n bytes of the result's arena (aligned for any type), freed with the
 * result; NULL when out of memory. */
void *scry_result_alloc(struct scry_result *r, size_t n);

/* A copy of [p, p+len) in the result's arena, NUL-terminated. */
const char *scry_result_strdup(struct scry_result *r, const char *p, size_t len);


#endif
