/* imagerun.h - sessions over a dump image held (and patched) in memory:
 * what the hostile-memory suites share. */
#ifndef SCRY_TEST_IMAGERUN_H
#define SCRY_TEST_IMAGERUN_H

#include <stddef.h>
#include <stdint.h>

#include "lib/os/linux.h"
#include "lib/session/session.h"

struct ir_run {
    struct scry_dump dump;
    struct scry_session *s;
    struct scry_result *r;
};

/* Reads dev-small.raw (from $MEMSCRY_CORPUS_DATA, else the build tree's
 * corpus-data) into *image, puts the corpus symbol directory in symdir
 * (cap bytes) and makes *ctx, a context searching it. Returns 0 after a
 * SKIP line naming suite when the corpus or the unpacked dump is absent
 * (*ctx is then NULL). */
int ir_load_small(const char *suite, uint8_t **image, size_t *len, char *symdir, size_t cap,
                  scry_context **ctx);

/* Opens image (len bytes, named `name` in messages) as a raw dump of ctx,
 * with an empty meta: a raw image states nothing, and detection searches
 * as it does for a raw file. Fails the test when the image cannot open. */
void ir_open(struct ir_run *x, scry_context *ctx, const uint8_t *image, size_t len,
             const char *name);
/* Frees the result, the session and the dump (not the context). */
void ir_free(struct ir_run *x);
/* The session's Linux profile; fails the test when detection fails. */
const struct scry_linux *ir_linux(struct ir_run *x);
/* The physical address of kernel virtual address va (must lie in the
 * first image_len bytes, with 8 to spare). */
uint64_t ir_pa_of(struct ir_run *x, uint64_t va, size_t image_len);
/* The number of diagnostics of r at level. */
size_t ir_count_diags(const struct scry_result *r, scry_diag_level level);

#endif
