/* cache.h - symbol tables shared by every session of a library context.
 *
 * Ten sessions of one kernel need its ISF parsed once: tables are loaded
 * through this cache, which hands out shared references to immutable
 * tables. A table that a session adopted (its kernel matched) is pinned and
 * stays loaded until the cache is freed; one only looked at (a detection
 * candidate whose banner did not match) is freed when its last reference
 * goes, so a store of many ISFs does not stay resident. A failed load is
 * remembered with its message and not retried. Loads go through the
 * compiled cache on disk when a directory is set (isf_cache.h); a table
 * found damaged there (scry_sym_damaged) is dropped at the next acquire of
 * its path and built again from the ISF.
 *
 * Thread-safety: every function but _new and _free may be called from
 * several threads at once; two threads asking for the same path at once
 * load it once (the second waits). */
#ifndef SCRY_SYMBOLS_CACHE_H
#define SCRY_SYMBOLS_CACHE_H

#include <stdint.h>

#include "lib/base/error.h"

struct scry_symtab;
struct scry_symcache;

scry_status scry_symcache_new(struct scry_symcache **out);
/* Frees every table; no reference may be in use. NULL is a no-op. */
void scry_symcache_free(struct scry_symcache *c);

/* A reference to the table at path, loading it on first use. Errors: what
 * scry_isf_load reports (replayed with the same message for a path that
 * failed before), SCRY_ERR_NOMEM. Release every reference. */
scry_status scry_symcache_acquire(struct scry_symcache *c, const char *path,
                                  const struct scry_symtab **out);
/* The same for member of the .zip pack at path (read whole, at most
 * SCRY_SYMINDEX_MAX_MEMBER bytes) when member is not NULL, and with the
 * plain file's cache key when the caller knows it (known, may be NULL;
 * isf_cache.h). Errors: also what scry_zip_read says. */
struct scry_isfc_key;
scry_status scry_symcache_acquire_at(struct scry_symcache *c, const char *path, const char *member,
                                     const struct scry_isfc_key *known,
                                     const struct scry_symtab **out);
/* A table that is no file's, named label (for messages and so that two
 * sessions of one dump share it, with key: never confused with a path, and
 * one label under two keys is two tables): mapped from
 * the compiled cache under key when there, else built by build (see
 * scry_isfc_load_built). *mapped (may be NULL) is 1 when it came from the
 * cache directory. A failed build is remembered like a failed load.
 * Errors: what build or scry_isf_load reports, SCRY_ERR_NOMEM. Release
 * every reference. */
scry_status scry_symcache_acquire_built(struct scry_symcache *c, const char *label,
                                        const struct scry_isfc_key *key,
                                        scry_status (*build)(void *user, uint8_t **isf,
                                                             size_t *len),
                                        void *user, const struct scry_symtab **out, int *mapped);
/* 1 when the cache directory holds a compiled entry under key (see
 * scry_isfc_present), else 0. */
int scry_symcache_built_present(struct scry_symcache *c, const struct scry_isfc_key *key);
/* Keeps st loaded after its last reference goes. */
void scry_symcache_pin(struct scry_symcache *c, const struct scry_symtab *st);
void scry_symcache_release(struct scry_symcache *c, const struct scry_symtab *st);

/* Where compiled tables are kept (isf_cache.h); NULL: nowhere, every load
 * parses its ISF. Affects later loads only. */
scry_status scry_symcache_set_dir(struct scry_symcache *c, const char *dir);

/* Tables loaded since the cache was made (parsed or mapped), of those the
 * ones mapped from compiled entries (warm), and tables held now. Any
 * pointer may be NULL. */
void scry_symcache_stats(struct scry_symcache *c, uint64_t *loads, uint64_t *maps,
                         uint64_t *held);

#endif
