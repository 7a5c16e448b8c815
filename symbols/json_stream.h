/* json_stream.h - a small streaming JSON tokenizer for the ISF loader.
 *
 * Private to symbols/. Events are delivered through the same callback shape
 * as YAJL's (return 0 to stop), so the ISF builder does not care which
 * tokenizer feeds it. Numbers are handed over as raw text: ISF addresses
 * need all 64 unsigned bits, which no double or int64 can carry. */
#ifndef SCRY_JSON_STREAM_H
#define SCRY_JSON_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "lib/base/error.h"

/* Nesting bound shared by the tokenizer and the builder. The deepest
 * legitimate ISF value (a pointer to an array of pointers...) stays far
 * below it. */
#define SCRY_JSON_MAX_DEPTH 64
/* Longest string accepted (constant_data included). */
#define SCRY_JSON_MAX_STRING (16u << 20)

struct scry_json_sink {
    int (*null)(void *ctx);
    int (*boolean)(void *ctx, int value);
    int (*number)(void *ctx, const char *text, size_t len);
    int (*string)(void *ctx, const unsigned char *s, size_t len);
    int (*map_start)(void *ctx);
    int (*map_key)(void *ctx, const unsigned char *s, size_t len);
    int (*map_end)(void *ctx);
    int (*array_start)(void *ctx);
    int (*array_end)(void *ctx);
};

/* A pull source of input chunks. next() sets *data and *len to the next chunk
 * (valid until the following call) and returns SCRY_OK; a zero *len means the
 * end. On failure it returns the status with the message already set. */
typedef scry_status (*scry_json_next_fn)(void *src, const uint8_t **data, size_t *len);

/* Tokenizes one JSON document pulled from next(src), feeding sink(ctx).
 * *line tracks the 1-based current line, so a sink that stops can say
 * where. Returns SCRY_OK, the source's status, SCRY_ERR_CORRUPT ("line 12:
 * expected ':'") or SCRY_ERR_CANCELLED when the sink returned 0 (its own
 * message is then left alone). */
scry_status scry_json_parse_stream(scry_json_next_fn next, void *src,
                                   const struct scry_json_sink *sink, void *ctx,
                                   unsigned long *line);

#endif
