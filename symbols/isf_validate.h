/* isf_validate.h - the structural checks of Volatility's ISF JSON schemas,
 * fed by the same token stream as identification (one pass).
 *
 * Volatility validates an ISF with jsonschema against
 * volatility3/schemas/schema-<metadata.format>.json. This is that check,
 * hand-written for the 6.x schemas (6.0.0 to 6.3.0: everything dwarf2json
 * and pdbconv write today) with jsonschema's semantics: a keyword applies
 * only to values of its type ("properties" to objects, "pattern" to
 * strings), "integer" takes 3 and 3.0 but not true, patterns are searched
 * as Python's re does ("$" also before a final newline), oneOf needs
 * exactly one match. A missing format, or one with no schema file in
 * Volatility 2.11.0, is invalid (Volatility's validate() answers False);
 * the older schemas (0.1.0 to 4.1.0) are not implemented: "unknown".
 *
 * Each entry of the four sections (and metadata) is built as a small tree
 * (bounded), checked and dropped, so memory stays that of one entry. The
 * first error in document order is kept, with its JSON path:
 * "user_types.task_struct.fields.pid: missing offset".
 *
 * Private to symbols/; driven by identify.c. */
#ifndef SCRY_ISF_VALIDATE_H
#define SCRY_ISF_VALIDATE_H

#include <stddef.h>

#include "symbols/json_stream.h"

struct isf_validator;

/* NULL when out of memory. */
struct isf_validator *isf_validator_new(void);
void isf_validator_free(struct isf_validator *v);
/* The sink to feed (ctx: the validator) with the whole document. */
extern const struct scry_json_sink isf_validator_sink;
/* After the document: 1 valid, 0 invalid (*why: the first error, owned by
 * the validator), -1 not known (a schema version not implemented, or the
 * validator ran out of memory: *why says which). */
int isf_validator_result(struct isf_validator *v, const char **why);

#endif
