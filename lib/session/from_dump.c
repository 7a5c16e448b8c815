/* from_dump.c - scry_isf_from_dump: a dump's own BTF + kallsyms → ISF file
 * (lib/os/linux_dump_isf.c builds it, symbols/zwrite.c compresses it into
 * place). */
#include "lib/os/linux_dump_isf.h"
#include "lib/session/session.h"
#include "symbols/zwrite.h"

scry_status scry_isf_from_dump(scry_dump *dump, const char *out)
{
    struct scry_zwrite *zw;
    scry_status st, cst;
    if (!dump || !out)
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_isf_from_dump: NULL argument");
    if ((st = scry_zwrite_open(out, &zw)) != SCRY_OK)
        return st;
    st = scry_linux_dump_isf(dump->phys, NULL, &dump->meta, scry_zwrite_write, zw, NULL);
    cst = scry_zwrite_close(zw, st == SCRY_OK);
    return st == SCRY_OK ? cst : st;
}
