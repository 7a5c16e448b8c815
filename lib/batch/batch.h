/* batch.h - what the batch's files share: the batch object (plugins with
 * their options) and a dump's summary for the dumps table.
 *
 * lib/batch sits on top of lib/session: it drives dumps, sessions and runs
 * through the public API only, and reads the plugin table for names and
 * columns. */
#ifndef SCRY_BATCH_H
#define SCRY_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "memscry/memscry.h"

struct scry_plugin;

struct scry_batch_plugin {
    const struct scry_plugin *p;
    char **argv; /* copies */
    int argc;
};

enum { SCRY_BATCH_RENDER_NONE = 0, SCRY_BATCH_RENDER_JSONL = 1, SCRY_BATCH_RENDER_CSV = 2 };

struct scry_batch {
    int render; /* SCRY_BATCH_RENDER_* */
    int keep_rows; /* scry_batch_set_keep_rows (default 1) */
    scry_context *ctx;
    struct scry_batch_plugin *plugins;
    size_t nplugins;
    unsigned threads;
    scry_progress_fn progress;
    void *progress_user;
};

/* What the dumps table records about a dump beyond its path (strings
 * owned by the summary; NULL when unknown). */
struct scry_dump_summary {
    uint64_t size;
    char *format, *os, *kernel, *hash;
};

/* Fills s from an open dump and session: size and hash from the file at
 * path, the OS and kernel only when want_os (detection then already ran
 * for a plugin, so asking costs nothing). Best effort: what cannot be
 * learnt stays NULL. */
void scry_dump_summary_fill(struct scry_dump_summary *s, const char *path, scry_dump *d,
                            scry_session *ss, int want_os);
void scry_dump_summary_free(struct scry_dump_summary *s);

/* r's rows as the batch's lines (memscry.h, scry_batch_set_render) into a
 * malloc'd NUL-terminated *text of *len bytes. Errors: SCRY_ERR_NOMEM. */
scry_status scry_batch_render(const struct scry_result *r, int format, const char *dump,
                              const char *plugin, char **text, size_t *len);

#endif
