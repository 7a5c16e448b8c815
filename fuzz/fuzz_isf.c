/* fuzz_isf.c - libFuzzer harness for the ISF loader (tokenizer, builder and,
 * through the magic-byte check, the gzip and xz decoders). Every table that
 * loads is also queried, so lookups over hostile tables run too. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz/symtab_probe.h"
#include "symbols/symtab.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct scry_symtab *st = NULL;
    if (scry_isf_parse(data, size, &st) != SCRY_OK)
        return 0;
    probe_symtab(st);
    scry_isf_free(st);
    return 0;
}
