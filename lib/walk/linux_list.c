/* linux_list.c - a bounded list_head walk: see linux_list.h. */
#include <inttypes.h>

#include "lib/base/hashset.h"
#include "lib/vspace/vspace.h"
#include "lib/walk/linux_list.h"
#include "lib/walk/linux_tasks.h"

scry_status scry_linux_list_walk(const struct scry_linux *l, struct scry_vspace *ks,
                                 struct scry_op *op, const char *what, uint64_t head,
                                 scry_linux_list_fn fn, void *user)
{
    const uint64_t max = op && op->max_entries ? op->max_entries : SCRY_MAX_TASKS;
    const uint64_t next = l->off.list_next;
    struct scry_hashset seen = {0};
    uint64_t link, prev = head;
    size_t n = 0;
    scry_status st = scry_vspace_read_u64(ks, head + next, &link);
    if (st != SCRY_OK) {
        scry_op_report(op, SCRY_DIAG_WARNING, st,
                       "%s cannot start: its head 0x%" PRIx64 " cannot be read", what, head);
        return SCRY_OK;
    }
    if (scry_hs_add(&seen, head) < 0)
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    while (link != head) {
        int added = scry_hs_add(&seen, link);
        if (added < 0) {
            st = scry_err(SCRY_ERR_NOMEM, "out of memory");
            break;
        }
        if (!link || !added) {
            scry_op_say(op, SCRY_DIAG_WARNING, SCRY_ERR_CORRUPT,
                        "%s ends early after %zu entr%s: 0x%" PRIx64
                        " links to %s instead of back to the head",
                        what, n, n == 1 ? "y" : "ies", prev, link ? "an earlier entry" : "NULL");
            break;
        }
        if (n >= max) {
            scry_op_say(op, SCRY_DIAG_WARNING, SCRY_ERR_LIMIT,
                        "%s ends early: more than %" PRIu64 " entries", what, max);
            break;
        }
        if (scry_op_tick(op, ++n, 0)) {
            st = scry_op_cancelled();
            break;
        }
        if ((st = fn(user, link)) != SCRY_OK)
            break;
        prev = link;
        scry_status rs = scry_vspace_read_u64(ks, link + next, &link);
        if (rs != SCRY_OK) {
            scry_op_report(op, SCRY_DIAG_WARNING, rs,
                           "%s ends early after %zu entr%s: the link at 0x%" PRIx64
                           " cannot be read",
                           what, n, n == 1 ? "y" : "ies", prev);
            break;
        }
    }
    scry_hs_free(&seen);
    return st;
}
