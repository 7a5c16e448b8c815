/* isf_cache.h - compiled symbol tables on disk (the warm path).
 *
 * The first load of an ISF writes its compiled form (isf_flat.h) to
 * DIR/isf-<version>/<key>-<size>.isfc, where key is the XXH3-64 of the ISF's stored
 * bytes (compressed or not, as they sit in the file or pack) and size their
 * length. Later loads hash those bytes again (a read, no decompression),
 * map the entry read-only and use it in place: no JSON, no allocation per
 * type. Because the key is the content, an edited ISF simply gets a new
 * entry; nothing is trusted by name or date.
 *
 * Failure policy: a missing, truncated, foreign-version, foreign-owner,
 * stale (header states another key) or corrupt (header checksum) entry is
 * rebuilt from the ISF and rewritten; a body block that later fails its
 * checksum marks the table damaged (scry_sym_damaged), and the caller
 * forgets the entry and loads again (cache.c does). Entries are written to
 * a temporary file in the same directory and renamed into place, so two
 * processes filling one entry at once each publish a whole file and a
 * reader never sees a partial one. A cache directory that cannot be
 * created or written (read-only, full, not ours) makes loads cold, with no
 * error. Entries are never modified in place once published.
 *
 * Thread-safety: every function may be called from several threads. */
#ifndef SCRY_ISF_CACHE_H
#define SCRY_ISF_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "lib/base/error.h"

struct scry_symtab;

/* The subdirectory of the cache directory, one per compiled-format version,
 * so two memscry versions sharing a cache do not overwrite each other's
 * entries. */
#define ISF_CACHE_SUBDIR "isf-2"

/* The cache key of the ISF at path: XXH3-64 of its bytes, and their count.
 * Errors: SCRY_ERR_IO. */
scry_status scry_isfc_key_file(const char *path, uint64_t *key, uint64_t *size);

/* A cache key: the XXH3-64 of an ISF's stored bytes and their count. */
struct scry_isfc_key {
    uint64_t hash, size;
};

/* How a table was obtained. */
enum scry_isfc_how { SCRY_ISFC_MAPPED = 1, SCRY_ISFC_BUILT };

/* Loads the ISF at path (stored NULL) or held in stored[0..len): maps its
 * compiled entry from dir when one is valid, else builds it (and, when dir
 * is not NULL, stores the entry). *how (may be NULL) says which. Errors:
 * what scry_isf_load reports. */
scry_status scry_isfc_load(const char *dir, const char *path, const void *stored, size_t len,
                           struct scry_symtab **out, enum scry_isfc_how *how);
/* The same when the caller already knows the key (the symbol-store index
 * hashed the file when it last saw it change): the ISF is not read again
 * unless its entry must be built. known NULL: as scry_isfc_load. */
scry_status scry_isfc_load_keyed(const char *dir, const char *path, const void *stored,
                                 size_t len, const struct scry_isfc_key *known,
                                 struct scry_symtab **out, enum scry_isfc_how *how);

/* Makes the ISF JSON of a table that is no file's (the profile memscry
 * builds from a dump's own BTF + kallsyms): *isf malloc'd, *len its bytes. */
typedef scry_status (*scry_isf_builder)(void *user, uint8_t **isf, size_t *len);

/* Loads the table whose compiled entry is keyed by key (the caller's
 * identity of what it is built from, e.g. a dump's): maps a valid entry
 * from dir (may be NULL: none; so is a key of size 0), else calls build, compiles what it made
 * and stores the entry. Errors: what build reports, then what scry_isf_load
 * reports for its output. */
scry_status scry_isfc_load_built(const char *dir, const struct scry_isfc_key *key,
                                 scry_isf_builder build, void *user, struct scry_symtab **out,
                                 enum scry_isfc_how *how);

/* 1 when dir holds an entry file for key (not checked: a load may still
 * rebuild it), else 0; a key of size 0 or a NULL dir: 0. One stat. */
int scry_isfc_present(const char *dir, const struct scry_isfc_key *key);

/* Removes the entry st was mapped from (a damaged one), if any. */
void scry_isfc_forget(const char *dir, const struct scry_symtab *st);

/* The default cache directory: $XDG_CACHE_HOME/memscry, else
 * $HOME/.cache/memscry; NULL when neither is set. malloc'd. */
char *scry_isfc_default_dir(void);

#endif
