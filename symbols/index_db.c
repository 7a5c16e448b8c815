/* index_db.c - the identifier index in SQLite (see index.h for the rules:
 * one transaction per refresh, busy timeout, memory only on any failure). */
#include "symbols/index_rows.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------- database */

static const char schema_sql[] =
    "CREATE TABLE IF NOT EXISTS isf ("
    " path TEXT NOT NULL, member TEXT NOT NULL, size INTEGER, mtime_ns INTEGER,"
    " ino INTEGER, dev INTEGER, hash INTEGER, os TEXT, identifier BLOB,"
    " banner_address INTEGER, nbase INTEGER, ntypes INTEGER, nsymbols INTEGER,"
    " nenums INTEGER, error TEXT, valid INTEGER, PRIMARY KEY (path, member))";

/* Whether the table has every column schema_sql names (the statements
 * below bind them all). */
static int has_columns(sqlite3 *db)
{
    sqlite3_stmt *s = NULL;
    int ok = sqlite3_prepare_v2(db,
                                "SELECT path, member, size, mtime_ns, ino, dev, hash, os,"
                                " identifier, banner_address, nbase, ntypes, nsymbols, nenums,"
                                " error, valid FROM isf LIMIT 0",
                                -1, &s, NULL) == SQLITE_OK;
    sqlite3_finalize(s);
    return ok;
}

void ix_db_close(struct scry_symindex *ix)
{
    if (ix->db)
        sqlite3_close(ix->db);
    ix->db = NULL;
}

void ix_db_open(struct scry_symindex *ix, const char *dir)
{
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s/%s", dir, SCRY_SYMINDEX_FILE) >= (int)sizeof path)
        return;
    if (sqlite3_open_v2(path, &ix->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                                           SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
        ix_db_close(ix);
        return;
    }
    sqlite3_busy_timeout(ix->db, 10000);
    if (sqlite3_exec(ix->db, schema_sql, NULL, NULL, NULL) != SQLITE_OK) {
        ix_db_close(ix); /* read-only, full or not a database: memory only */
        return;
    }
    /* A table an older memscry made (without `valid`) loads but refuses
     * every store, so every run identified every table again: it is a
     * cache, rebuilt from the store on the next refresh. */
    if (!has_columns(ix->db) &&
        (sqlite3_exec(ix->db, "DROP TABLE isf", NULL, NULL, NULL) != SQLITE_OK ||
         sqlite3_exec(ix->db, schema_sql, NULL, NULL, NULL) != SQLITE_OK || !has_columns(ix->db)))
        ix_db_close(ix);
}

static const char *col_text(sqlite3_stmt *s, int i)
{
    return (const char *)sqlite3_column_text(s, i);
}

/* Replaces the rows with the database's (another process may have
 * refreshed it since). 0 on success; -1: the database is unusable. */
int ix_db_load(struct scry_symindex *ix)
{
    sqlite3_stmt *s;
    int rc;
    if (sqlite3_prepare_v2(ix->db,
                           "SELECT path, member, size, mtime_ns, ino, dev, hash, os, identifier,"
                           " banner_address, nbase, ntypes, nsymbols, nenums, error, valid"
                           " FROM isf",
                           -1, &s, NULL) != SQLITE_OK)
        return -1;
    ix_drop_rows(ix);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *member = col_text(s, 1);
        struct row *r = ix_row_new(col_text(s, 0) ? col_text(s, 0) : "", *member ? member : NULL);
        if (!r || ix_push_row(ix, r) != 0) {
            ix_row_free(r);
            rc = SQLITE_NOMEM;
            break;
        }
        r->e.size = (uint64_t)sqlite3_column_int64(s, 2);
        r->mtime_ns = sqlite3_column_int64(s, 3);
        r->ino = (uint64_t)sqlite3_column_int64(s, 4);
        r->dev = (uint64_t)sqlite3_column_int64(s, 5);
        r->e.hash = (uint64_t)sqlite3_column_int64(s, 6);
        r->e.os = ix_os_const(col_text(s, 7));
        if (r->e.os) {
            int n = sqlite3_column_bytes(s, 8);
            const void *b = sqlite3_column_blob(s, 8);
            uint8_t *id = malloc((size_t)n + 1);
            if (!id) {
                rc = SQLITE_NOMEM;
                break;
            }
            if (n)
                memcpy(id, b, (size_t)n);
            r->e.identifier = id;
            r->e.identifier_len = (size_t)n;
        }
        r->e.banner_address = (uint64_t)sqlite3_column_int64(s, 9);
        r->e.nbase = sqlite3_column_int64(s, 10);
        r->e.ntypes = sqlite3_column_int64(s, 11);
        r->e.nsymbols = sqlite3_column_int64(s, 12);
        r->e.nenums = sqlite3_column_int64(s, 13);
        r->e.validated = sqlite3_column_int(s, 15) == 1;
        if (col_text(s, 14) && !(r->e.error = strdup(col_text(s, 14)))) {
            rc = SQLITE_NOMEM;
            break;
        }
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) {
        ix_drop_rows(ix);
        return -1;
    }
    return 0;
}

/* Writes dirty rows and deletes `gone` in one transaction. -1: failed
 * (rolled back). */
int ix_db_store(struct scry_symindex *ix, struct row **gone, size_t ngone)
{
    sqlite3_stmt *ins = NULL, *del = NULL;
    int ok = sqlite3_exec(ix->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK;
    if (!ok)
        return -1;
    ok = sqlite3_prepare_v2(ix->db,
                            "INSERT OR REPLACE INTO isf VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                            -1, &ins, NULL) == SQLITE_OK &&
         sqlite3_prepare_v2(ix->db, "DELETE FROM isf WHERE path = ? AND member = ?", -1, &del,
                            NULL) == SQLITE_OK;
    for (size_t i = 0; ok && i < ix->nrows; i++) {
        const struct row *r = ix->rows[i];
        if (!r->dirty)
            continue;
        sqlite3_reset(ins);
        sqlite3_bind_text(ins, 1, r->e.loc.path, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 2, r->e.loc.member ? r->e.loc.member : "", -1, SQLITE_STATIC);
        sqlite3_bind_int64(ins, 3, (sqlite3_int64)r->e.size);
        sqlite3_bind_int64(ins, 4, r->mtime_ns);
        sqlite3_bind_int64(ins, 5, (sqlite3_int64)r->ino);
        sqlite3_bind_int64(ins, 6, (sqlite3_int64)r->dev);
        sqlite3_bind_int64(ins, 7, (sqlite3_int64)r->e.hash);
        if (r->e.os) {
            sqlite3_bind_text(ins, 8, r->e.os, -1, SQLITE_STATIC);
            sqlite3_bind_blob(ins, 9, r->e.identifier, (int)r->e.identifier_len, SQLITE_STATIC);
        } else {
            sqlite3_bind_null(ins, 8);
            sqlite3_bind_null(ins, 9);
        }
        sqlite3_bind_int64(ins, 10, (sqlite3_int64)r->e.banner_address);
        sqlite3_bind_int64(ins, 11, r->e.nbase);
        sqlite3_bind_int64(ins, 12, r->e.ntypes);
        sqlite3_bind_int64(ins, 13, r->e.nsymbols);
        sqlite3_bind_int64(ins, 14, r->e.nenums);
        sqlite3_bind_int(ins, 16, r->e.validated);
        if (r->e.error)
            sqlite3_bind_text(ins, 15, r->e.error, -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(ins, 15);
        ok = sqlite3_step(ins) == SQLITE_DONE;
    }
    for (size_t i = 0; ok && i < ngone; i++) {
        sqlite3_reset(del);
        sqlite3_bind_text(del, 1, gone[i]->e.loc.path, -1, SQLITE_STATIC);
        sqlite3_bind_text(del, 2, gone[i]->e.loc.member ? gone[i]->e.loc.member : "", -1,
                          SQLITE_STATIC);
        ok = sqlite3_step(del) == SQLITE_DONE;
    }
    sqlite3_finalize(ins);
    sqlite3_finalize(del);
    if (ok && sqlite3_exec(ix->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK)
        return 0;
    sqlite3_exec(ix->db, "ROLLBACK", NULL, NULL, NULL);
    return -1;
}


int ix_db_set_valid(struct scry_symindex *ix, uint64_t hash)
{
    sqlite3_stmt *s;
    int ok;
    if (sqlite3_prepare_v2(ix->db, "UPDATE isf SET valid = 1 WHERE hash = ?", -1, &s, NULL) !=
        SQLITE_OK)
        return -1;
    sqlite3_bind_int64(s, 1, (sqlite3_int64)hash);
    ok = sqlite3_step(s) == SQLITE_DONE;
    sqlite3_finalize(s);
    return ok ? 0 : -1;
}
