/* dump.c - the public dump handle over the physical layer. */
#include <stdlib.h>

#include "lib/session/session.h"

scry_status scry_dump_open(const char *path, scry_dump **out)
{
    struct scry_dump *d;
    scry_status st;
    if (!path || !out)
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_dump_open: NULL argument");
    d = calloc(1, sizeof *d);
    if (!d)
        return scry_err(SCRY_ERR_NOMEM, "%s: out of memory", path);
    st = scry_phys_open(path, NULL, &d->phys);
    if (st != SCRY_OK) {
        free(d);
        return st;
    }
    *out = d;
    return SCRY_OK;
}

void scry_dump_close(scry_dump *dump)
{
    if (!dump)
        return;
    scry_phys_close(dump->phys);
    free(dump);
}

const char *scry_dump_format(const scry_dump *dump)
{
    return dump ? dump->phys->info.format : "";
}

scry_status scry_dump_read_phys(scry_dump *dump, uint64_t pa, void *buf, size_t len, size_t *holes)
{
    size_t h = 0;
    scry_status st;
    if (!dump || (!buf && len))
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_dump_read_phys: NULL argument");
    st = scry_phys_read(dump->phys, pa, buf, len, &h);
    if (st == SCRY_OK && holes)
        *holes = h;
    return st;
}

size_t scry_dump_run_count(const scry_dump *dump) { return dump ? dump->phys->nruns : 0; }

scry_status scry_dump_run(const scry_dump *dump, size_t index, uint64_t *start, uint64_t *length)
{
    if (!dump || index >= dump->phys->nruns)
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_dump_run: index %zu out of range", index);
    if (start)
        *start = dump->phys->runs[index].start;
    if (length)
        *length = dump->phys->runs[index].len;
    return SCRY_OK;
}
