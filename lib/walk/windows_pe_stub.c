/* windows_pe_stub.c - TEMPORARY: a weak stand-in for scry_win_pe_dump so
 * windows.dlllist --dump links before the PE dumper (lib/walk/windows_pe.c,
 * another branch) is merged. DELETE THIS FILE when windows_pe.c lands: in
 * the static library an archive member holding this weak definition could
 * otherwise be picked instead of the real one. Until then --dump prints
 * "Error outputting file" for every DLL. */
#include "lib/walk/windows_pe.h"

__attribute__((weak)) scry_status scry_win_pe_dump(struct scry_vspace *vs, uint64_t base,
                                                   const char *dir, const char *name,
                                                   struct scry_op *op, char **written)
{
    (void)vs;
    (void)base;
    (void)dir;
    (void)name;
    (void)op;
    *written = NULL;
    return scry_err(SCRY_ERR_UNSUPPORTED, "the PE dumper is not in this build");
}
