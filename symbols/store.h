/* store.h - symbol directories in Volatility's layout.
 *
 * A directory DIR given with -s holds DIR/<os>/.../NAME.json[.gz|.xz]; a path
 * that is itself a file is taken as one ISF. (An identifier index for fast
 * banner -> ISF lookups comes with the compiled symbol cache.) */
#ifndef SCRY_STORE_H
#define SCRY_STORE_H

#include <stddef.h>

#include "lib/base/error.h"

/* Lists the ISF files for os ("linux") under dirs, each directory's files
 * sorted by path; dirs that do not exist are skipped. The list and strings
 * are malloc'd: free with scry_store_list_free. Errors: SCRY_ERR_NOMEM,
 * SCRY_ERR_LIMIT (more than 100000 files or nesting deeper than 8). */
scry_status scry_store_list(const char *const *dirs, size_t ndirs, const char *os, char ***paths,
                            size_t *count);
void scry_store_list_free(char **paths, size_t count);

/* True when a file name ends in .json, .json.gz or .json.xz. */
int scry_store_is_isf_name(const char *name);

#endif
