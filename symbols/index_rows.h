/* index_rows.h - the identifier index's private shapes, shared by
 * index.c (open, refresh planning, lookups), index_rows.c (rows),
 * index_db.c (SQLite) and index_work.c (hashing and identifying on worker
 * threads), and by nothing else. */
#ifndef SCRY_INDEX_ROWS_H
#define SCRY_INDEX_ROWS_H

#include <sqlite3.h>
#include <stdatomic.h>

#include "symbols/index.h"

/* One row: the public entry and what the file's stat said. */
struct row {
    struct scry_isf_entry e;
    int64_t mtime_ns;
    uint64_t ino, dev;
    int dirty;  /* to be written to the database */
    int seen;   /* met by the current refresh's walk */
    int work;   /* needs hashing (and maybe identifying) */
};

struct scry_symindex {
    sqlite3 *db;         /* NULL: memory only */
    struct row **rows;   /* every known row */
    size_t nrows, caprows;
    const struct scry_isf_entry **order; /* the last refresh's entries, store order */
    size_t norder;
    _Atomic uint64_t identified, rekeyed, reused;
};

/* index_rows.c */
void ix_row_free(struct row *r);
/* The constant OS name for s ("linux", "windows", "mac"), NULL for others. */
const char *ix_os_const(const char *os);
struct row *ix_row_new(const char *path, const char *member); /* NULL: out of memory */
/* Copies what identification found from src (same bytes, another place); -1: out of memory. */
int ix_row_copy_ident(struct row *dst, const struct row *src);
int ix_cmp_loc(const char *p1, const char *m1, const char *p2, const char *m2);
int ix_cmp_row(const void *a, const void *b); /* qsort over struct row * by location */
int ix_push_row(struct scry_symindex *ix, struct row *r); /* -1: out of memory */
void ix_drop_rows(struct scry_symindex *ix);

/* index_db.c: the database (ix->db), every failure answered by the caller
 * closing it and going on in memory. */
void ix_db_open(struct scry_symindex *ix, const char *dir); /* ix->db stays NULL on failure */
void ix_db_close(struct scry_symindex *ix);
/* Replaces ix->rows with the database's; -1: unusable. */
int ix_db_load(struct scry_symindex *ix);
/* Writes the dirty rows and deletes gone in one transaction; -1: failed. */
int ix_db_store(struct scry_symindex *ix, struct row **gone, size_t ngone);
/* Marks the rows of that hash validated; -1: failed. */
int ix_db_set_valid(struct scry_symindex *ix, uint64_t hash);

/* index_work.c: hashes todo's files and re-keys each to a row of ix->rows
 * with the same hash, else identifies it, on `threads` threads (0: 2).
 * Failures become the rows' errors. Errors: SCRY_ERR_NOMEM. */
scry_status ix_identify_rows(struct scry_symindex *ix, struct row **todo, size_t n,
                             unsigned threads);

#endif
