/* isf_source.h - stored ISF bytes as a stream of decoded JSON text chunks.
 *
 * Private to symbols/. The table builder (isf_load.c) and the identifier
 * (identify.c) read ISFs the same way: xz, gzip (concatenated members too)
 * or plain JSON, told apart by the first bytes, never by the name; the
 * decoded text is bounded at 1 GiB and xz's decoder memory at 96 MiB, so a
 * hostile file cannot make either grow without end.
 *
 * Thread-safety: a source belongs to one thread (which may own one decoder
 * thread of its own while the source is open). */
#ifndef SCRY_ISF_SOURCE_H
#define SCRY_ISF_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "lib/base/error.h"

struct isf_source;

/* A source over the file descriptor fd (fd >= 0; read from its current
 * position, never closed here) or else over mem[0..len) (borrowed; it must
 * outlive the source). threaded: compressed input may be decoded in a
 * second thread, overlapping the caller's parsing. Errors: SCRY_ERR_NOMEM. */
scry_status isf_source_new(int fd, const void *mem, size_t len, int threaded,
                           struct isf_source **out);
/* Reads the first stored bytes and sets up the decoder they name; call once
 * before isf_source_next (isf_build's open_src). */
scry_status isf_source_open(void *src);
/* The next decoded chunk (a scry_json_next_fn): *len 0 at the end. Errors:
 * SCRY_ERR_IO, SCRY_ERR_CORRUPT (a damaged or truncated stream),
 * SCRY_ERR_LIMIT, SCRY_ERR_NOMEM, each with its message. */
scry_status isf_source_next(void *src, const uint8_t **data, size_t *len);
/* Stops the decoder thread and frees everything; NULL is a no-op. */
void isf_source_free(struct isf_source *s);

#endif
