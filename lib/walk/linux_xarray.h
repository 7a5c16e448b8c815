/* linux_xarray.h - the entries of an IDR kept in an xarray (kernels >=
 * 4.20: pid_namespace.idr, prog_idr, ...), as Volatility's IDR.get_entries
 * and XArray walk them. */
#ifndef SCRY_WALK_LINUX_XARRAY_H
#define SCRY_WALK_LINUX_XARRAY_H

#include <stdint.h>

#include "lib/base/op.h"
#include "lib/os/linux.h"
#include "lib/vspace/vspace.h"

/* Bound on the tree's height (BITS_PER_LONG / XA_CHUNK_SHIFT + 1 = 11 on
 * 64-bit kernels): a larger height is damage. */
#define SCRY_XARRAY_MAX_HEIGHT 12

struct scry_linux_xarray {
    uint64_t idr_rt, xa_head;        /* idr.idr_rt, xarray.xa_head     */
    uint64_t node_shift, node_slots; /* xa_node.shift, xa_node.slots   */
    unsigned nslots, chunk_shift;    /* slots per node, log2 of it     */
};

/* Fills x from the ISF. Errors: SCRY_ERR_UNSUPPORTED naming the missing
 * type or field when the ISF has no idr kept in an xarray (the radix tree
 * of 4.11-4.19 and older IDRs are not supported); SCRY_ERR_CORRUPT for a
 * slot array that is not a power of two of 2 to 256 pointers. */
scry_status scry_linux_xarray_resolve(const struct scry_linux *l, struct scry_linux_xarray *x);

/* Return non-zero to stop. */
typedef int (*scry_xarray_fn)(void *user, uint64_t entry);

/* Calls fn for each entry of the IDR at idr_va (a struct idr's address),
 * in index order: Volatility's rules - the root when it is no node
 * (untagged), else each node's non-zero slots in order, internal entries
 * untagged, at height 1 those whose two low bits are clear; a child's
 * height is its parent's minus one whatever its shift says.
 *
 * Where Volatility raises, runs away or recurses without end, a bounded
 * answer and a WARNING naming `what` ("PID table"): a root that cannot be
 * read (nothing listed), a node that cannot be read or is reached twice
 * (skipped), a root whose shift is not a multiple of the chunk shift or
 * gives more than SCRY_XARRAY_MAX_HEIGHT levels (not walked), more than
 * max entries (the walk ends). Errors: SCRY_ERR_NOMEM; SCRY_ERR_CANCELLED
 * (progress ticks per entry). */
scry_status scry_linux_xarray_walk(const struct scry_linux_xarray *x, struct scry_vspace *vs,
                                   struct scry_op *op, uint64_t idr_va, const char *what,
                                   uint64_t max, scry_xarray_fn fn, void *user);


#endif
