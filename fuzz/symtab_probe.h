/* symtab_probe.h - every lookup of a loaded symbol table, for the harnesses
 * whose input becomes one (fuzz_isf: ISF text; fuzz_isf_compiled: a cache
 * file): types, fields with their whole reference chain, symbols with
 * their types and constant_data, enum constants, over a fixed set of names
 * that the seeds and the dictionary use. */
#ifndef SCRY_FUZZ_SYMTAB_PROBE_H
#define SCRY_FUZZ_SYMTAB_PROBE_H

#include <string.h>

#include "symbols/symtab.h"

static inline void probe_symtab(const struct scry_symtab *st)
{
    static const char *const names[] = {"a", "t", "task", "s", "int", "pointer", "x", "e",
                                        "linux_banner", "init_task", "list_head", ""};
    volatile uint64_t sink = 0;
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        uint64_t v;
        int64_t e;
        int sg;
        const uint8_t *d;
        size_t n;
        struct scry_typeref r;
        scry_sym_type_size(st, names[i], &v);
        scry_sym_address(st, names[i], &v);
        scry_sym_symbol_type(st, names[i], &r);
        if (scry_sym_constant_data(st, names[i], &d, &n) == SCRY_OK && n)
            sink += d[n - 1]; /* the bytes are really there */
        scry_sym_base_type(st, names[i], &v, &sg);
        for (size_t j = 0; j < sizeof names / sizeof *names; j++) {
            if (scry_sym_field(st, names[i], names[j], &v, &r) == SCRY_OK) {
                /* Walk the reference chain the way callers do. */
                for (int k = 0; k < 100; k++) {
                    if (r.name)
                        sink += strlen(r.name);
                    if (scry_sym_typeref(st, r.sub, &r) != SCRY_OK)
                        break;
                }
            }
            scry_sym_enum_value(st, names[i], names[j], &e);
        }
    }
    for (uint32_t id = 0; id < 64; id++) {
        struct scry_typeref r;
        if (scry_sym_typeref(st, id, &r) == SCRY_OK && r.name)
            sink += strlen(r.name);
    }
    sink += scry_sym_count_symbols(st) + scry_sym_count_user_types(st);
    sink += strlen(scry_sym_format_version(st)) + (uint64_t)scry_sym_damaged(st);
    (void)sink;
}

#endif
