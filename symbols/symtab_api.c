/* symtab_api.c - the public scry_symtab_* calls: thin wrappers over the
 * internal symbol table (symtab.h), which is the same object. */
#include "symbols/symtab.h"

SCRY_API scry_status scry_symtab_load(const char *path, scry_symtab **out)
{
    return scry_isf_load(path, out);
}

SCRY_API void scry_symtab_free(scry_symtab *symtab) { scry_isf_free(symtab); }

SCRY_API scry_status scry_symtab_symbol_address(const scry_symtab *symtab, const char *name,
                                                uint64_t *address)
{
    return scry_sym_address(symtab, name, address);
}

SCRY_API scry_status scry_symtab_type_size(const scry_symtab *symtab, const char *type,
                                           uint64_t *size)
{
    return scry_sym_type_size(symtab, type, size);
}

SCRY_API scry_status scry_symtab_field_offset(const scry_symtab *symtab, const char *type,
                                              const char *field, uint64_t *offset)
{
    return scry_sym_field(symtab, type, field, offset, NULL);
}
