/* symstore.h - the symbol store a library context searches: its
 * directories, and which ISF there may hold a given kernel.
 *
 * With a cache directory, the answer comes from the identifier index
 * (index.h), refreshed at every call (unchanged files are stat'ed, not
 * read; a session detects once), so every
 * candidate comes with its identifier (a Linux banner and linux_banner's
 * address) and a detection loads only the ISFs whose banner is in memory.
 * Without one (--no-cache), nothing may be persisted: the candidates are
 * the store's files in store order with unknown identifiers, and detection
 * loads them one at a time to learn their banners, as before the index.
 *
 * Thread-safety: add_dir and set_cache_dir before the store is used from
 * other threads; candidates() from any thread (a mutex serialises the
 * refresh, and every candidate is a copy owned by the caller). */
#ifndef SCRY_SYMSTORE_H
#define SCRY_SYMSTORE_H

#include <stddef.h>
#include <stdint.h>

#include "lib/base/error.h"
#include "lib/base/op.h"
#include "symbols/isf_cache.h"

struct scry_symstore;

/* One ISF that may hold the kernel. Everything is owned by the array. */
struct scry_isf_cand {
    char *path;        /* the file, or the .zip holding member */
    char *member;      /* NULL for a plain file */
    char *label;       /* for messages: path, or "path!member" */
    uint8_t *id;       /* the identifier (Linux: the banner with its "\n\0"); NULL: unknown */
    size_t id_len;
    uint64_t banner_address; /* Linux: linux_banner's address; 0 when unknown */
    struct scry_isfc_key key; /* a plain file's cache key as the index knows it; size 0: unknown */
    char *error;       /* NULL, or why the index could not identify it */
};

scry_status scry_symstore_new(struct scry_symstore **out);
void scry_symstore_free(struct scry_symstore *s);
/* Errors: SCRY_ERR_NOMEM. */
scry_status scry_symstore_add_dir(struct scry_symstore *s, const char *dir);
/* NULL: no index is kept. Errors: SCRY_ERR_NOMEM. */
scry_status scry_symstore_set_cache_dir(struct scry_symstore *s, const char *dir);

/* The directories, in the order added (borrowed). */
const char *const *scry_symstore_dirs(const struct scry_symstore *s, size_t *n);

/* The candidates for os ("linux") in store order (index.h, store.h):
 * identified ones of that OS and the ones the index could not identify
 * (with their error), or, without an index, every ISF under the os's
 * folders and in packs. Warnings of the store walk (symlink loops, depth)
 * go to op (may be NULL). Free with scry_isf_cands_free. Errors:
 * SCRY_ERR_NOMEM, SCRY_ERR_LIMIT (the store's bounds). */
scry_status scry_symstore_candidates(struct scry_symstore *s, const char *os, struct scry_op *op,
                                     struct scry_isf_cand **out, size_t *n);
void scry_isf_cands_free(struct scry_isf_cand *v, size_t n);

#endif
