/* fuzz_identify.c - libFuzzer harness for ISF identification and the schema
 * checks (symbols/identify.c, isf_validate.c) over stored bytes: plain JSON,
 * gzip or xz (the decoders run too), as a symbol store or pack would hand
 * them over. Both entry points run: identification alone, and with
 * validation in the same pass. */
#include <stddef.h>
#include <stdint.h>

#include "symbols/identify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct scry_isf_ident id;
    if (scry_isf_identify_mem(data, size, &id) == SCRY_OK)
        scry_isf_ident_free(&id);
    if (scry_isf_validate_mem(data, size, &id) == SCRY_OK)
        scry_isf_ident_free(&id);
    return 0;
}
