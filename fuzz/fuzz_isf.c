/* fuzz_isf.c - libFuzzer harness for the ISF loader (tokenizer, builder and,
 * through the magic-byte check, the gzip and xz decoders). Every table that
 * loads is also queried, so lookups over hostile tables run too. */
#include <stddef.h>
#include <stdint.h>

#include "symbols/symtab.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct scry_symtab *st = NULL;
    if (scry_isf_parse(data, size, &st) != SCRY_OK)
        return 0;
    static const char *const names[] = {"a", "t", "task", "s", "int", "pointer", "x", "e", ""};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        uint64_t v;
        int64_t e;
        int sg;
        const uint8_t *d;
        size_t n;
        struct scry_typeref r;
        scry_sym_type_size(st, names[i], &v);
        scry_sym_address(st, names[i], &v);
        scry_sym_constant_data(st, names[i], &d, &n);
        scry_sym_base_type(st, names[i], &v, &sg);
        for (size_t j = 0; j < sizeof names / sizeof *names; j++) {
            if (scry_sym_field(st, names[i], names[j], &v, &r) == SCRY_OK) {
                /* Walk the reference chain the way callers do. */
                for (int k = 0; k < 100 && scry_sym_typeref(st, r.sub, &r) == SCRY_OK; k++)
                    ;
            }
            scry_sym_enum_value(st, names[i], names[j], &e);
        }
    }
    scry_sym_count_symbols(st);
    scry_sym_count_user_types(st);
    scry_sym_format_version(st);
    scry_isf_free(st);
    return 0;
}
