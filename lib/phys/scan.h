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

/* Called per hit with the needle's index and the hit's address. */
typedef int (*scry_scan_multi_fn)(void *user, size_t which, uint64_t pa);

/* A byte string to find, for scry_scan_phys_multi. */
struct scry_needle {
    const void *bytes;
    size_t len;
};

/* scry_scan_phys for several needles in one pass over memory: the page
 * faults, reads and decompression of several scans are paid once, and each
 * 256 KiB piece is searched for every needle while it is in the core's
 * cache (Windows kernel detection looks for three strings: a 64 MiB raw
 * image took 39 ms with three scans, 30 ms with one pass). Hits come in
 * ascending address order per needle; across needles, a piece at a time:
 * every hit of needle 0 starting in it, then needle 1's, and so on. The
 * same errors, plus SCRY_ERR_INVALID_ARG for no needle or an empty one. */
scry_status scry_scan_phys_multi(struct scry_phys *p, struct scry_op *op,
                                 const struct scry_needle *needles, size_t nneedles,
                                 scry_scan_multi_fn fn, void *user);

/* Holes: where the reader reports them (the optional next_data op: raw,
 * LiME and ELF files that are sparse on disk), a needle whose first byte is
 * not zero is searched only in the data stretches (plus nlen - 1 bytes past
 * each, for a match running into a hole's zeros): a 64 GiB sparse image
 * with one page on disk is one page of work. */

/* Bytes searched by all scans of p so far (an operation count
 * for tests and benchmarks; holes skipped are not counted). */
uint64_t scry_scan_searched(const struct scry_phys *p);

#endif
