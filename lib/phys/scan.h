/* scan.h - find byte strings in physical memory, in address order. */
#ifndef SCRY_SCAN_H
#define SCRY_SCAN_H

#include <stddef.h>
#include <stdint.h>

#include "formats/phys.h"
#include "lib/base/op.h"

/* Called per hit with its physical address; return non-zero to stop. */
typedef int (*scry_scan_fn)(void *user, uint64_t pa);

/* Calls fn for every occurrence of needle inside a run of p, in ascending
 * address order. Uses the zero-copy view where the format offers one, else
 * reads in chunks (overlapping by nlen - 1, so no hit is lost or repeated).
 * A match never spans two runs. A page that cannot be decoded is skipped
 * (searched as zeros): one corrupt kdump page must not end a scan of the
 * rest, but the result is then partial - one WARNING on op names how many
 * pages were skipped and the first one's cause. Progress ticks in bytes of
 * present memory; a cancel ends the scan with SCRY_ERR_CANCELLED. op may be
 * NULL. Errors: SCRY_ERR_NOMEM, SCRY_ERR_CANCELLED, or what the physical
 * read reports otherwise. */
scry_status scry_scan_phys(struct scry_phys *p, struct scry_op *op, const void *needle, size_t nlen,
                           scry_scan_fn fn, void *user);

/* Holes: where the reader reports them (the optional next_data op: raw,
 * LiME and ELF files that are sparse on disk), a needle whose first byte is
 * not zero is searched only in the data stretches (plus nlen - 1 bytes past
 * each, for a match running into a hole's zeros): a 64 GiB sparse image
 * with one page on disk is one page of work. */

/* Bytes searched by all scans of p so far (an operation count
 * for tests and benchmarks; holes skipped are not counted). */
uint64_t scry_scan_searched(const struct scry_phys *p);

#endif
