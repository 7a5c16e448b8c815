/* paging_table.c - which ops implement which paging mode: a table, so that a
 * new mode is its own file plus one line here, never a new branch. */
#include "lib/vspace/paging.h"

static const struct scry_paging_ops *const modes[] = {
    &scry_paging_x86,
    &scry_paging_pae,
    &scry_paging_x86_64,
    &scry_paging_la57,
    &scry_paging_win_x86_64,
};

const struct scry_paging_ops *scry_paging_ops_for(enum scry_paging mode)
{
    /* A scan, not an index: the enum's values need not be dense, and four
     * entries cost nothing next to initialising a vspace's cache. */
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++)
        if (modes[i]->mode == mode)
            return modes[i];
    return NULL;
}
