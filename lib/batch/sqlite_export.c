/* sqlite_export.c - a batch's records into one SQLite database: a table
 * per plugin with Volatility's column names, the dumps and the errors;
 * one transaction per dump (layout: memscry.h, scry_sqlite_export_open). */
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/base/error.h"
#include "lib/batch/batch.h"
#include "lib/plugins/plugin.h"
#include "lib/render/text_cell.h"
#include "lib/rows/rows.h"

struct table {
    sqlite3_stmt *insert;
};

struct scry_sqlite_export {
    sqlite3 *db;
    sqlite3_stmt *ins_dump, *ins_error;
    struct table *tables; /* one per plugin of the batch, by plugin index */
    size_t ntables;
    int in_tx;
    scry_status st; /* the first failure */
    struct scry_sbuf text;
};

/* The declared type of a column, by what its cells hold. */
static const char *const sql_type[] = {
    [SCRY_COL_INT] = "INTEGER",  [SCRY_COL_HEX] = "INTEGER",   [SCRY_COL_STR] = "TEXT",
    [SCRY_COL_BOOL] = "INTEGER", [SCRY_COL_BYTES] = "BLOB",    [SCRY_COL_HEXBYTES] = "BLOB",
    [SCRY_COL_DATETIME] = "TEXT", [SCRY_COL_DISASM] = "TEXT", [SCRY_COL_HEX128] = "INTEGER",
};

static scry_status fail(struct scry_sqlite_export *x, const char *what)
{
    scry_status st = scry_err(SCRY_ERR_IO, "SQLite: %s: %s", what,
                              x->db ? sqlite3_errmsg(x->db) : "out of memory");
    if (x->st == SCRY_OK)
        x->st = st;
    return st;
}

static scry_status exec(struct scry_sqlite_export *x, const char *sql)
{
    return sqlite3_exec(x->db, sql, NULL, NULL, NULL) == SQLITE_OK ? SCRY_OK : fail(x, sql);
}

/* "name" as an SQL identifier: quotes doubled. */
static void add_ident(struct scry_sbuf *b, const char *name)
{
    scry_sbuf_addc(b, '"');
    for (const char *p = name; *p; p++) {
        if (*p == '"')
            scry_sbuf_addc(b, '"');
        scry_sbuf_addc(b, *p);
    }
    scry_sbuf_addc(b, '"');
}

static void table_name(struct scry_sbuf *b, const struct scry_plugin *p)
{
    char name[128];
    snprintf(name, sizeof name, "%s", p->alias ? p->alias : p->name);
    for (char *c = name; *c; c++)
        if (*c == '.')
            *c = '_';
    add_ident(b, name);
}

static scry_status create_table(struct scry_sqlite_export *x, const struct scry_plugin *p,
                                struct table *t)
{
    struct scry_sbuf b = {0};
    scry_status st = SCRY_OK;
    scry_sbuf_add(&b, "CREATE TABLE IF NOT EXISTS ", 27);
    table_name(&b, p);
    scry_sbuf_printf(&b, "(dump_id INTEGER NOT NULL, row_index INTEGER NOT NULL, "
                         "\"TreeDepth\" INTEGER NOT NULL");
    for (size_t c = 0; c < p->ncolumns; c++) {
        scry_sbuf_add(&b, ", ", 2);
        add_ident(&b, p->columns[c].name);
        scry_sbuf_printf(&b, " %s", sql_type[p->columns[c].type]);
    }
    scry_sbuf_add(&b, ")", 2); /* with the NUL */
    if (b.oom)
        st = scry_err(SCRY_ERR_NOMEM, "out of memory");
    else
        st = exec(x, b.p);
    scry_sbuf_reset(&b);
    scry_sbuf_add(&b, "INSERT INTO ", 12);
    table_name(&b, p);
    scry_sbuf_printf(&b, " VALUES(?,?,?");
    for (size_t c = 0; c < p->ncolumns; c++)
        scry_sbuf_add(&b, ",?", 2);
    scry_sbuf_add(&b, ")", 2);
    if (st == SCRY_OK && b.oom)
        st = scry_err(SCRY_ERR_NOMEM, "out of memory");
    if (st == SCRY_OK && sqlite3_prepare_v2(x->db, b.p, -1, &t->insert, NULL) != SQLITE_OK)
        st = fail(x, "cannot prepare a row insert");
    scry_sbuf_free(&b);
    return st;
}

static const char SCHEMA[] =
    "CREATE TABLE IF NOT EXISTS dumps(id INTEGER PRIMARY KEY, path TEXT NOT NULL, size INTEGER,"
    " format TEXT, os TEXT, kernel TEXT, hash TEXT);"
    "CREATE TABLE IF NOT EXISTS errors(dump_id INTEGER NOT NULL, plugin TEXT,"
    " level TEXT NOT NULL, status TEXT NOT NULL, message TEXT NOT NULL);";

scry_status scry_sqlite_export_open(const char *path, const scry_batch *b,
                                    scry_sqlite_export **out)
{
    struct scry_sqlite_export *x;
    struct stat sb;
    scry_status st;
    if (!path || !b || !out)
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_sqlite_export_open: NULL argument");
    if (lstat(path, &sb) == 0)
        return scry_err(SCRY_ERR_IO, "%s: exists (a database is never overwritten)", path);
    if (!(x = calloc(1, sizeof *x)) || !(x->tables = calloc(b->nplugins + 1, sizeof *x->tables))) {
        free(x);
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    }
    x->ntables = b->nplugins;
    if (sqlite3_open_v2(path, &x->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        st = scry_err(SCRY_ERR_IO, "%s: SQLite cannot create it: %s", path,
                      x->db ? sqlite3_errmsg(x->db) : "out of memory");
        scry_sqlite_export_close(x);
        return st;
    }
    st = exec(x, "BEGIN");
    if (st == SCRY_OK)
        st = exec(x, SCHEMA);
    for (size_t k = 0; st == SCRY_OK && k < b->nplugins; k++)
        st = create_table(x, b->plugins[k].p, &x->tables[k]);
    if (st == SCRY_OK)
        st = exec(x, "COMMIT");
    if (st == SCRY_OK &&
        (sqlite3_prepare_v2(x->db, "INSERT INTO dumps VALUES(?,?,?,?,?,?,?)", -1, &x->ins_dump,
                            NULL) != SQLITE_OK ||
         sqlite3_prepare_v2(x->db, "INSERT INTO errors VALUES(?,?,?,?,?)", -1, &x->ins_error,
                            NULL) != SQLITE_OK))
        st = fail(x, "cannot prepare an insert");
    if (st != SCRY_OK) {
        scry_sqlite_export_close(x);
        return st;
    }
    *out = x;
    return SCRY_OK;
}

static void bind_text_or_null(sqlite3_stmt *s, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(s, i);
}

static scry_status step(struct scry_sqlite_export *x, sqlite3_stmt *s, const char *what)
{
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return rc == SQLITE_DONE ? SCRY_OK : fail(x, what);
}

static scry_status add_error(struct scry_sqlite_export *x, int64_t dump_id, const char *plugin,
                             const char *level, scry_status status, const char *message)
{
    sqlite3_bind_int64(x->ins_error, 1, dump_id);
    bind_text_or_null(x->ins_error, 2, plugin);
    sqlite3_bind_text(x->ins_error, 3, level, -1, SQLITE_STATIC);
    sqlite3_bind_text(x->ins_error, 4, scry_status_str(status), -1, SQLITE_STATIC);
    sqlite3_bind_text(x->ins_error, 5, message ? message : "", -1, SQLITE_TRANSIENT);
    return step(x, x->ins_error, "cannot insert an error");
}

/* One cell into parameter i: the column's SQL type (see sql_type). */
static scry_status bind_cell(struct scry_sqlite_export *x, sqlite3_stmt *s, int i,
                             scry_coltype type, const struct scry_cell *c)
{
    if (c->state != SCRY_CELL_VALUE) {
        sqlite3_bind_null(s, i);
        return SCRY_OK;
    }
    switch (type) {
    case SCRY_COL_INT:
    case SCRY_COL_BOOL: sqlite3_bind_int64(s, i, c->v.i); return SCRY_OK;
    case SCRY_COL_HEX: sqlite3_bind_int64(s, i, (int64_t)c->v.u); return SCRY_OK;
    case SCRY_COL_STR:
    case SCRY_COL_DISASM:
        sqlite3_bind_text(s, i, c->v.s.len ? c->v.s.p : "", (int)c->v.s.len, SQLITE_STATIC);
        return SCRY_OK;
    case SCRY_COL_BYTES:
    case SCRY_COL_HEXBYTES:
        sqlite3_bind_blob(s, i, c->v.s.len ? c->v.s.p : "", (int)c->v.s.len, SQLITE_STATIC);
        return SCRY_OK;
    case SCRY_COL_HEX128:
        if (!c->v.x.hi) {
            sqlite3_bind_int64(s, i, (int64_t)c->v.x.lo);
            return SCRY_OK;
        }
        break;
    case SCRY_COL_DATETIME: break;
    }
    scry_sbuf_reset(&x->text);
    scry_sbuf_add(&x->text, "", 0);
    if (type == SCRY_COL_DATETIME)
        scry_text_datetime(&x->text, c->v.t.sec, c->v.t.usec, 1);
    else
        scry_text_cell(&x->text, type, c);
    if (x->text.oom)
        return scry_err(SCRY_ERR_NOMEM, "cannot format a cell");
    sqlite3_bind_text(s, i, x->text.p, (int)x->text.len, SQLITE_TRANSIENT);
    return SCRY_OK;
}

static scry_status add_rows(struct scry_sqlite_export *x, sqlite3_stmt *s, int64_t dump_id,
                            const struct scry_result *r)
{
    scry_status st = SCRY_OK;
    for (size_t i = 0; st == SCRY_OK && i < r->nrows; i++) {
        sqlite3_bind_int64(s, 1, dump_id);
        sqlite3_bind_int64(s, 2, (int64_t)i);
        sqlite3_bind_int64(s, 3, r->rows[i].depth);
        for (size_t c = 0; st == SCRY_OK && c < r->ncols; c++)
            st = bind_cell(x, s, (int)c + 4, r->cols[c].type, &r->rows[i].cells[c]);
        if (st == SCRY_OK)
            st = step(x, s, "cannot insert a row");
    }
    return st;
}

static scry_status add_result(struct scry_sqlite_export *x, const scry_batch_record *rec,
                              int64_t dump_id)
{
    const scry_result *r = rec->result;
    scry_status st;
    if (rec->status != SCRY_OK || !r)
        return add_error(x, dump_id, rec->plugin, "error", rec->status, rec->message);
    if (rec->plugin_index >= x->ntables)
        return scry_err(SCRY_ERR_INVALID_ARG, "plugin %zu is not in the export's batch",
                        rec->plugin_index);
    st = add_rows(x, x->tables[rec->plugin_index].insert, dump_id, r);
    for (size_t k = 0; st == SCRY_OK && k < scry_result_diag_count(r); k++) {
        scry_diag_level level;
        scry_status ds;
        const char *msg;
        if (scry_result_diag(r, k, &level, &ds, &msg) == SCRY_OK && level == SCRY_DIAG_WARNING)
            st = add_error(x, dump_id, rec->plugin, "warning", ds, msg);
    }
    return st;
}

static scry_status add_dump(struct scry_sqlite_export *x, const scry_batch_record *rec,
                            int64_t dump_id)
{
    sqlite3_stmt *s = x->ins_dump;
    scry_status st;
    sqlite3_bind_int64(s, 1, dump_id);
    sqlite3_bind_text(s, 2, rec->dump_path, -1, SQLITE_TRANSIENT);
    if (rec->status == SCRY_OK)
        sqlite3_bind_int64(s, 3, (int64_t)rec->size);
    else
        sqlite3_bind_null(s, 3);
    bind_text_or_null(s, 4, rec->format);
    bind_text_or_null(s, 5, rec->os);
    bind_text_or_null(s, 6, rec->kernel);
    bind_text_or_null(s, 7, rec->hash);
    st = step(x, s, "cannot insert a dump");
    if (st == SCRY_OK && rec->status != SCRY_OK)
        st = add_error(x, dump_id, NULL, "error", rec->status, rec->message);
    return st;
}

scry_status scry_sqlite_export_record(scry_sqlite_export *x, const scry_batch_record *rec,
                                      int64_t dump_id)
{
    scry_status st = SCRY_OK;
    if (!x || !rec)
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_sqlite_export_record: NULL argument");
    if (x->st != SCRY_OK)
        return scry_err(x->st, "the SQLite export failed before");
    switch (rec->kind) {
    case SCRY_BATCH_DUMP:
        if (!x->in_tx && (st = exec(x, "BEGIN")) == SCRY_OK)
            x->in_tx = 1;
        if (st == SCRY_OK)
            st = add_dump(x, rec, dump_id);
        break;
    case SCRY_BATCH_RESULT: st = add_result(x, rec, dump_id); break;
    case SCRY_BATCH_DUMP_END:
        if (x->in_tx && (st = exec(x, "COMMIT")) == SCRY_OK)
            x->in_tx = 0;
        break;
    }
    if (st != SCRY_OK && x->st == SCRY_OK)
        x->st = st;
    return st;
}

scry_status scry_sqlite_export_close(scry_sqlite_export *x)
{
    scry_status st;
    if (!x)
        return SCRY_OK;
    st = x->st;
    /* A dump whose records did not all arrive is not kept half-written. */
    if (x->in_tx)
        sqlite3_exec(x->db, "ROLLBACK", NULL, NULL, NULL);
    for (size_t k = 0; k < x->ntables; k++)
        sqlite3_finalize(x->tables[k].insert);
    sqlite3_finalize(x->ins_dump);
    sqlite3_finalize(x->ins_error);
    if (sqlite3_close(x->db) != SQLITE_OK && st == SCRY_OK)
        st = scry_err(SCRY_ERR_IO, "SQLite: cannot close the database");
    scry_sbuf_free(&x->text);
    free(x->tables);
    free(x);
    return st;
}
