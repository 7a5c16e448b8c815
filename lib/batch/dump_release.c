/* dump_release.c - giving back the resident pages of a dump that stays
 * open: many dumps held open at once (an analyst's session, a server)
 * would otherwise keep every page their runs touched in the resident set,
 * about 3 MiB per pslist on a mapped dump. */
#include "lib/base/file.h"
#include "lib/session/session.h"

void scry_dump_release_pages(scry_dump *dump)
{
    const struct scry_file *f = dump && dump->phys ? dump->phys->file : NULL;
    if (f && f->map)
        scry_file_drop(f, f->map, f->size);
}
