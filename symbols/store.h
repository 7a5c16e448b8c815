/* store.h - symbol directories in Volatility's layout.
 *
 * A directory DIR given with -s holds DIR/<os>/.../NAME.json[.gz|.xz]
 * (Linux: DIR/linux/...; Windows: DIR/windows/<pdb>/<GUID>-<age>.json.xz;
 * Mac: DIR/mac/...) and symbol packs: any *.zip anywhere under DIR, whose
 * members ending in an ISF extension are ISFs ("linux/x.json.xz" inside
 * DIR/linux.zip). A path that is itself a file is taken as one ISF, or as
 * one pack when it ends in .zip.
 *
 * Order (documented, deterministic): by directory argument order, then by
 * path bytewise within one argument, then (inside a pack) by member name
 * bytewise. A path met twice is kept at its first place.
 *
 * Bounds: a directory is walked once; a symlink back to one of its own
 * ancestors (a loop) and nesting deeper than SCRY_STORE_MAX_DEPTH skip that
 * branch with a warning on the op, and the walk goes on. More than
 * SCRY_STORE_MAX_FILES files in all is an error (SCRY_ERR_LIMIT). */
#ifndef SCRY_STORE_H
#define SCRY_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "lib/base/error.h"
#include "lib/base/op.h"

#define SCRY_STORE_MAX_FILES 100000u
#define SCRY_STORE_MAX_DEPTH 16

/* Where one ISF is stored: a plain file (member NULL), or member inside the
 * zip at path. Both strings are owned by whoever holds the location. */
struct scry_isf_loc {
    char *path;
    char *member;
};

/* One file the walk found: an ISF or a pack, with what stat(2) says of it
 * (the target's, for a symlink). */
struct scry_store_file {
    char *path;        /* absolute: the directory argument's realpath + the rest */
    int is_zip;
    uint64_t size;
    int64_t mtime_ns;  /* st_mtim in nanoseconds */
    uint64_t ino, dev;
    size_t arg;        /* index of the directory argument it came from */
};

struct scry_store_files {
    struct scry_store_file *v;
    size_t n, cap;
};

/* Walks dirs (directories in the store layout, or ISF / .zip files) in the
 * documented order. os ("linux", "windows", "mac") limits plain ISFs to
 * DIR/<os>/...; packs are taken from anywhere under DIR whatever os is (their
 * members say which OS they are only once identified). NULL os: every ISF
 * under DIR. Missing arguments are empty. Warnings (loops, depth) go to op
 * (NULL: silent). out is reset first; free with scry_store_files_free.
 * Errors: SCRY_ERR_NOMEM, SCRY_ERR_LIMIT. */
scry_status scry_store_walk(const char *const *dirs, size_t ndirs, const char *os,
                            struct scry_op *op, struct scry_store_files *out);
void scry_store_files_free(struct scry_store_files *f);

/* Lists the plain ISF files (not pack members) for os ("linux") under dirs
 * in the order above. The list and strings are malloc'd: free with
 * scry_store_list_free. Errors: SCRY_ERR_NOMEM, SCRY_ERR_LIMIT. */
scry_status scry_store_list(const char *const *dirs, size_t ndirs, const char *os, char ***paths,
                            size_t *count);
void scry_store_list_free(char **paths, size_t count);

/* True when a file name ends in .json, .json.gz or .json.xz. */
int scry_store_is_isf_name(const char *name);
/* True when a file name ends in .zip. */
int scry_store_is_zip_name(const char *name);

/* A location's URI as Volatility writes it: "file://" + the path
 * percent-encoded as Python's Path.as_uri() does, or "jar:file:" + path +
 * "!" + member for a pack member. malloc'd; NULL when out of memory. */
char *scry_isf_loc_uri(const struct scry_isf_loc *loc);
void scry_isf_loc_free(struct scry_isf_loc *loc);

#endif
