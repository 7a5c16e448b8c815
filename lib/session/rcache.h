/* rcache.h - the result cache (internal view): plugin results kept per
 * dump, in a bounded LRU in memory and, when asked, in files.
 *
 * An entry is one blob, the same in memory and on disk:
 *
 *   header (32 bytes): magic "MSCRYRC\1", u32 format version, u32
 *                      CRC-32C of everything after the header, u64 key
 *                      length, u64 body length (little-endian)
 *   key:    what the run depended on that is known before it runs - the
 *           memscry and format versions, the plugin, its options
 *           normalised, the context's limits and symbol directories, and
 *           the dump's identity (path, device, inode, size, mtime, XXH3 of
 *           its first 64 KiB and of what its format header states)
 *   body:   what the run found that a later hit must check again (the
 *           symbol table detection chose: path, size, mtime, inode), then
 *           the result: columns, rows, diagnostics.
 *
 * A lookup compares the whole key, not only its hash, and re-checks the
 * symbol table with one stat; a blob that fails any check (magic, version,
 * lengths, CRC, key, column or UTF-8 or depth rules) is a miss and is
 * replaced by the fresh result. Nothing read from a file is trusted before
 * those checks.
 *
 * Thread-safety: the LRU has its own mutex; encode/decode and the key
 * builder touch only their arguments; the file store writes through a
 * temporary file renamed into place, so readers see a whole entry or the
 * previous one. */
#ifndef SCRY_RCACHE_H
#define SCRY_RCACHE_H

#include <stddef.h>
#include <stdint.h>

#include <stdatomic.h>

#include "lib/base/error.h"

struct scry_result;
struct scry_rcache;

/* The blob format's version: bump it whenever the layout changes. */
#define SCRY_RCACHE_FORMAT 2u
#define SCRY_RCACHE_HEADER 32u

/* A growable byte buffer; `failed` latches an allocation failure so a
 * writer checks once at the end. */
struct scry_rbuf {
    uint8_t *p;
    size_t n, cap;
    int failed;
};
void scry_rbuf_put(struct scry_rbuf *b, const void *data, size_t n);
void scry_rbuf_u8(struct scry_rbuf *b, uint8_t v);
void scry_rbuf_u32(struct scry_rbuf *b, uint32_t v);
void scry_rbuf_u64(struct scry_rbuf *b, uint64_t v);
/* u64 length then the bytes (s NULL: length 0). */
void scry_rbuf_str(struct scry_rbuf *b, const char *s, size_t len);
void scry_rbuf_free(struct scry_rbuf *b);

/* What a hit must re-check: the symbol table detection chose ("" when the
 * plugin needs none). */
struct scry_rcache_check {
    char isf[1024];
    uint64_t size, mtime_sec, mtime_nsec, ino, dev;
    /* The ISF's directory's mtime: a symbol table added beside it (which
     * detection might now prefer) changes it. */
    uint64_t dir_mtime_sec, dir_mtime_nsec;
};
/* Fills chk for the ISF at path (NULL or "": none). 0 on success, -1 when
 * it or its directory cannot be stat'ed (then the result is not cached). */
int scry_rcache_check_fill(struct scry_rcache_check *chk, const char *isf);
/* 1 when the ISF chk names is still the file it was. */
int scry_rcache_check_valid(const struct scry_rcache_check *chk);

/* Builds a whole blob for r under key. Errors: SCRY_ERR_NOMEM. */
scry_status scry_rcache_encode(const uint8_t *key, size_t keylen,
                               const struct scry_rcache_check *chk, const struct scry_result *r,
                               struct scry_rbuf *out);
/* Checks blob[0..len) against key (header, lengths, CRC, key bytes) and
 * rebuilds its result: a fresh one owned by the caller. Errors:
 * SCRY_ERR_CORRUPT (any check failed: the message says which),
 * SCRY_ERR_NOT_FOUND (a whole blob of another key), SCRY_ERR_NOMEM. */
scry_status scry_rcache_decode(const uint8_t *blob, size_t len, const uint8_t *key, size_t keylen,
                               struct scry_rcache_check *chk, struct scry_result **out);

/* The in-memory LRU, bounded to max_bytes of blobs. */
scry_status scry_rcache_new(uint64_t max_bytes, struct scry_rcache **out);
void scry_rcache_free(struct scry_rcache *c);
/* A copy of the blob stored under key (hash: XXH3-64 of key), or NULL;
 * free it with free(). Counts a hit or a miss. */
uint8_t *scry_rcache_get(struct scry_rcache *c, uint64_t hash, const uint8_t *key, size_t keylen,
                         size_t *len);
/* Stores blob (taken: the cache frees it), replacing an entry of the same
 * key and evicting the least recently used ones past the bound; a blob
 * larger than the bound is freed, not stored. */
void scry_rcache_put(struct scry_rcache *c, uint64_t hash, const uint8_t *key, size_t keylen,
                     uint8_t *blob, size_t len);
/* Drops the entry of key (its blob failed to decode). */
void scry_rcache_drop(struct scry_rcache *c, uint64_t hash, const uint8_t *key, size_t keylen);
void scry_rcache_stats(struct scry_rcache *c, uint64_t *hits, uint64_t *misses, uint64_t *bytes,
                       uint64_t *entries);

/* The file store: DIR/<16 hex digits of name>.msr, where name hashes the
 * key without the dump's changing identity (path kept): a dump that
 * changes overwrites its old entries instead of leaving them behind, so
 * the store holds one file per dump path, plugin and options. Reading returns the
 * file's bytes (malloc'd) or NULL when absent or unreadable; writing goes
 * through DIR/.<name>.XXXXXX renamed into place, making DIR (0700) when
 * needed, and fails silently: a cache that cannot be written only makes
 * the next run cold. */
uint8_t *scry_rcache_file_read(const char *dir, uint64_t name, size_t *len);
void scry_rcache_file_write(const char *dir, uint64_t name, const uint8_t *blob, size_t len);

/* ------------------------------------------------ the glue for plugin runs */

struct scry_context;
struct scry_session;
struct scry_plugin;
struct scry_optvals;

/* A context's result-cache settings (NULL until one is set). */
struct scry_results {
    struct scry_rcache *mem; /* NULL: no cache in memory */
    char *dir;               /* NULL: no cache in files  */
    _Atomic uint64_t hits, misses;
};
void scry_results_free(struct scry_results *r);

/* The key of one run: its bytes, their XXH3-64, and the hash of the part
 * without the dump's changing identity (the file name). */
struct scry_rkey {
    struct scry_rbuf b;
    uint64_t hash, name;
};

/* Builds the key of running p with vals on s when the run may be cached:
 * a cache is set, the dump is one file (not a split set), the run has no
 * typed inputs (they are pointers, not values) and writes no files (no
 * --dump). Returns 1 with key filled, else 0 (key empty). */
int scry_rkey_build(const struct scry_context *ctx, const struct scry_session *s,
                    const struct scry_plugin *p, const struct scry_optvals *vals,
                    size_t ninputs, struct scry_rkey *key);
void scry_rkey_free(struct scry_rkey *key);
/* A copy of the cached result of key (memory first, then files), or
 * SCRY_ERR_NOT_FOUND. Counts a hit or a miss. */
scry_status scry_results_get(struct scry_context *ctx, const struct scry_rkey *key,
                             struct scry_result **out);
/* Stores r under key, isf naming the symbol table the run used (NULL or
 * "": none). Results whose diagnostics say the run met a passing
 * condition (out of memory, cancelled) are not stored. */
void scry_results_put(struct scry_context *ctx, const struct scry_rkey *key, const char *isf,
                      const struct scry_result *r);

#endif
