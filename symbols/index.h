/* index.h - the identifier index of a symbol store: which ISF holds which
 * kernel, without parsing any ISF twice.
 *
 * One row per ISF location (a file, or a member of a .zip pack): the
 * location, what stat(2) said of the file when it was read (size, mtime in
 * ns, inode, device), the XXH3-64 of its stored bytes, and what
 * identification found (symbols/identify.h: OS, Volatility's identifier,
 * linux_banner's address, the four counts) or why it failed.
 *
 * A refresh walks the store (symbols/store.h), stats each file and reuses
 * a row whose size, mtime, inode and device are unchanged without reading
 * the file (a pack: all its rows, without opening it); a changed or new
 * file is hashed, and a row of the same hash is re-keyed to it (a copy, a
 * touch, a rename) instead of identifying it again; the rest is identified,
 * on `threads` threads. Rows of files that are gone from the walked scope
 * are removed.
 *
 * Persistence: with a cache directory, rows live in SQLite
 * (<dir>/isf-index-v1.sqlite) and every refresh writes its changes in one
 * transaction (busy timeout 10 s), so several processes may refresh one
 * index at once without corrupting it: each commits whole rows, and a row
 * is a pure function of the file's bytes. A cache directory that cannot be
 * opened, created, read or written (read-only, full, damaged) degrades the
 * index to memory only, silently: the index is a cache, never a reason to
 * fail a run.
 *
 * Thread-safety: an index belongs to one thread at a time (refresh uses
 * worker threads of its own inside the call). Entries returned stay valid
 * until the next refresh or free. */
#ifndef SCRY_SYMBOLS_INDEX_H
#define SCRY_SYMBOLS_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "lib/base/error.h"
#include "lib/base/op.h"
#include "symbols/store.h"

#define SCRY_SYMINDEX_FILE "isf-index-v1.sqlite"
/* A pack member larger than this (stored bytes, read whole) is an error
 * row; the largest real ISF, stored uncompressed, is ~100 MiB. */
#define SCRY_SYMINDEX_MAX_MEMBER ((size_t)256 << 20)

struct scry_symindex;

/* One indexed ISF. Strings and bytes are owned by the index. */
struct scry_isf_entry {
    struct scry_isf_loc loc;  /* member NULL for a plain file */
    const char *os;           /* "linux", "windows", "mac"; NULL: no identifier */
    const uint8_t *identifier; /* Volatility's identifier bytes; NULL when os is NULL */
    size_t identifier_len;
    uint64_t banner_address;  /* symbols.linux_banner.address; 0 when absent */
    uint64_t hash;            /* XXH3-64 of the stored bytes */
    uint64_t size;            /* the file's size (a pack's, for a member) */
    int64_t nbase, ntypes, nsymbols, nenums;
    const char *error;        /* NULL, or why identification failed */
    int validated;            /* 1: these bytes passed a schema check (scry_symindex_set_valid) */
};

/* Opens the index kept in cache_dir (NULL: memory only). Never fails for
 * the directory's sake (see above). Errors: SCRY_ERR_NOMEM. Free with
 * scry_symindex_free. */
scry_status scry_symindex_open(const char *cache_dir, struct scry_symindex **out);
void scry_symindex_free(struct scry_symindex *ix);
/* 1 when rows are kept in the cache directory, 0 when memory only. */
int scry_symindex_persistent(const struct scry_symindex *ix);

/* Brings the index up to date with the ISFs under dirs (store layout, or
 * paths that are themselves an ISF or a .zip) for os (NULL: all; see
 * scry_store_walk for what os limits) on `threads` worker threads (0: 2).
 * Files that cannot be read or identified become rows with an error, not
 * a failure; a pack that cannot be listed is a warning on op. Errors:
 * SCRY_ERR_NOMEM, SCRY_ERR_LIMIT (the store's bounds). */
scry_status scry_symindex_refresh(struct scry_symindex *ix, const char *const *dirs, size_t ndirs,
                                  const char *os, unsigned threads, struct scry_op *op);

/* The entries of the last refresh, in store order (store.h). */
size_t scry_symindex_count(const struct scry_symindex *ix);
const struct scry_isf_entry *scry_symindex_at(const struct scry_symindex *ix, size_t i);

/* The entries of the last refresh whose OS is os (NULL: any) and whose
 * identifier is id[0..idlen), in store order. *out is malloc'd (free() it;
 * NULL when *n is 0); the entries it points to are the index's. Errors:
 * SCRY_ERR_NOMEM. */
scry_status scry_symindex_find(const struct scry_symindex *ix, const char *os, const void *id,
                               size_t idlen, const struct scry_isf_entry ***out, size_t *n);

/* Records that e's bytes passed Volatility's schema check (isfinfo
 * --validate), for every row of the same hash, in memory and (when
 * persistent) in the database, as Volatility's cache of validated hashes
 * does: later listings say "True (cached)". A database that refuses the
 * write degrades the index to memory only. */
void scry_symindex_set_valid(struct scry_symindex *ix, const struct scry_isf_entry *e);

/* Counters since open: files identified (parsed), files hashed and re-keyed
 * to a row of the same bytes, and rows reused unread. */
struct scry_symindex_stats {
    uint64_t identified, rekeyed, reused;
};
void scry_symindex_stats(const struct scry_symindex *ix, struct scry_symindex_stats *out);

#endif
