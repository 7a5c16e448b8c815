/* linux_list.h - one bounded walk of a kernel list_head, as Volatility's
 * list_head.to_list goes: forward from the head's next, each link until
 * the head again, never a link twice. The plugins that walk a plain list
 * (tty_drivers, ...) share it, with the warnings every list walk gives. */
#ifndef SCRY_WALK_LINUX_LIST_H
#define SCRY_WALK_LINUX_LIST_H

#include <stdint.h>

#include "lib/base/op.h"
#include "lib/os/linux.h"

struct scry_vspace;

/* Called with each link's address (the entry is link - the member's
 * offset). Return SCRY_OK to go on; anything else ends the walk and is
 * returned. */
typedef scry_status (*scry_linux_list_fn)(void *user, uint64_t link);

/* Walks the list whose head (a list_head) is at head, through ks. `what`
 * names the list in diagnostics ("tty driver list"). Each early end is a
 * WARNING on op and the walk's answer is still SCRY_OK: an unreadable head
 * ("cannot start") or link, a NULL link, a link seen before, more than
 * op->max_entries (default SCRY_MAX_TASKS) entries. Errors: SCRY_ERR_NOMEM,
 * SCRY_ERR_CANCELLED, or fn's. */
scry_status scry_linux_list_walk(const struct scry_linux *l, struct scry_vspace *ks,
                                 struct scry_op *op, const char *what, uint64_t head,
                                 scry_linux_list_fn fn, void *user);

#endif
