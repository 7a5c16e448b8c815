/* testutil.h - small helpers shared by the Check suites. */
#ifndef SCRY_TESTUTIL_H
#define SCRY_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

/* The corpus directory: $MEMSCRY_CORPUS, else <source>/../shared/corpus;
 * NULL (after printing a skip message naming `what`) when absent. */
const char *tu_corpus_dir(const char *what);
/* A corpus dump under $MEMSCRY_CORPUS_DATA (else <build>/corpus-data),
 * malloc'd, or NULL after printing a skip message naming `what`. Linux
 * dumps are unpacked there by corpus.unpack, a fixture of the suites that
 * read them; a "windows/<name>" sample not unpacked yet is unpacked here
 * from <corpus>/windows-samples/<name>.xz, as winsamples.py does (to a
 * temporary file renamed into place, so a concurrent reader never sees a
 * part), since no fixture orders the Windows tests before the suites. */
char *tu_data_path(const char *what, const char *name);
/* Writes data to a fresh temporary file; returns its path (malloc'd). */
char *tu_write_temp(const void *data, size_t len);
/* Reads a whole file (malloc'd, NUL-terminated); NULL on failure. */
char *tu_slurp(const char *path, size_t *len);
/* Lower-case hex SHA-256 of data into out[65] (a tiny local implementation,
 * so tests need no crypto library). */
void tu_sha256_hex(const void *data, size_t len, char out[65]);
/* A memory sink for scry_result_render (a scry_write_fn): collects the
 * bytes NUL-terminated in p. stop_at > 0 makes that call (1-based) refuse. */
struct tu_sink {
    char *p;
    size_t len, cap;
    int calls, stop_at;
};
int tu_sink_write(void *user, const char *data, size_t len);

/* Renders r with `renderer` into a malloc'd NUL-terminated buffer (*len
 * bytes); a failed render fails the test with the library's message. */
struct scry_result;
char *tu_render(const struct scry_result *r, const char *renderer, size_t *len);
/* Fails the test unless the two byte strings are equal, showing the first
 * differing offset with some context on both sides. */
void tu_assert_bytes(const char *what, const char *got, size_t glen, const char *want, size_t wlen);

/* Prints r's diagnostics, one line each, prefixed with `what` (for a
 * failing test's log). */
void tu_show_diags(const char *what, const struct scry_result *r);

/* Runs a suite with CK_NORMAL output; returns the process exit code. */
struct Suite;
int tu_run_suite(struct Suite *s);

#endif
