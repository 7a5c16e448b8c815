/* os.c - the OS table and detection across it. Adding an OS: one file
 * (lib/os/<os>_detect.c) and one line here. */
#include "lib/os/os.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

extern const struct scry_os scry_os_linux;
extern const struct scry_os scry_os_windows;

const struct scry_os *const scry_os_table[] = {
    &scry_os_linux,
    &scry_os_windows,
    NULL,
};

const struct scry_os *scry_os_find(const char *name)
{
    for (size_t i = 0; name && scry_os_table[i]; i++)
        if (strcmp(scry_os_table[i]->name, name) == 0)
            return scry_os_table[i];
    return NULL;
}

scry_status scry_os_detect(const struct scry_detect_in *in, struct scry_profile **out)
{
    char missed[1024] = "";
    size_t w = 0, n = 0;
    const struct scry_os *order[16];
    size_t nos = 0, first = SIZE_MAX;
    while (scry_os_table[nos] && nos < 16)
        nos++;
    /* The first OS (in table order) with evidence goes first; likely() is
     * asked only until one says yes, so a dump that states Linux never
     * pays for Windows' probe. */
    for (size_t i = 0; i < nos && first == SIZE_MAX; i++)
        if (scry_os_table[i]->likely && scry_os_table[i]->likely(in))
            first = i;
    if (first != SIZE_MAX)
        order[n++] = scry_os_table[first];
    for (size_t i = 0; i < nos; i++)
        if (i != first)
            order[n++] = scry_os_table[i];
    for (size_t i = 0; i < n; i++) {
        const struct scry_os *os = order[i];
        scry_status st = os->detect(in, out);
        if (st == SCRY_OK) {
            (*out)->os = os;
            return SCRY_OK;
        }
        if (st != SCRY_ERR_NOT_FOUND)
            return st;
        if (w < sizeof missed)
            w += (size_t)snprintf(missed + w, sizeof missed - w, "%s%s", w ? "; " : "",
                                  scry_last_error());
    }
    return scry_err(SCRY_ERR_NOT_FOUND, "no operating system found: %s", missed);
}

void scry_profile_free(struct scry_profile *p)
{
    if (p && p->os)
        p->os->free(p);
}

scry_status scry_profile_kernel(const struct scry_profile *p, struct scry_vspace *out)
{
    return scry_vspace_init(out, p->phys, p->mode, p->dtb);
}
