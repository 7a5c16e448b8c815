/* windows_pool.h - the kernel pool scan behind windows.psscan, with the
 * semantics of Volatility's PoolScanner (plugins/windows/poolscanner.py,
 * symbols/windows/extensions/pool.py):
 *
 *  - the layer: the kernel's virtual space on Windows 10+ (ObHeaderCookie in
 *    the ISF), every mapped page of it, offsets printed masked; the physical
 *    layer before (offsets physical);
 *  - the tags "Proc" and "Pro\xe3" at any byte offset, a _POOL_HEADER
 *    ending where the tag's header would, BlockSize * 16 >= 600;
 *  - the object: on Windows 8+ "top down" (every 16-byte step of the
 *    optional-header window after the pool header whose PointerCount is in
 *    [0, 0x1000000) is a candidate _OBJECT_HEADER, minus those whose
 *    PADDING_INFO would start before the block), on Windows 7 "bottom up"
 *    (the _EPROCESS flush with the end of the block);
 *  - each candidate kept when _EPROCESS.is_valid() holds.
 *
 * Bounded: one pool header costs at most (optional-header window / 16)
 * candidates; reads are by chunk; hostile headers (BlockSize 0 or 255, a
 * tag at a page end) cost no more than any other. */
#ifndef SCRY_WALK_WINDOWS_POOL_H
#define SCRY_WALK_WINDOWS_POOL_H

#include <stdint.h>

#include "lib/base/op.h"
#include "lib/walk/windows_walk.h"

/* One process found. p->va is its address in the scanned layer (masked
 * virtual, or physical when physical is set); p->b holds off.ep_size bytes
 * read from that layer, unreadable pages zeroed and flagged. Return non-zero
 * to stop. */
typedef int (*scry_win_pool_proc_fn)(void *user, const struct scry_win_proc *p, int physical);

/* Scans for processes as PsScan.scan_processes does. ks is the kernel
 * space (also scanned on Windows 10+). year_now is the current year (the
 * validity test accepts creation and exit years in (1998, year_now + 10)).
 * Errors: SCRY_ERR_UNSUPPORTED when the ISF lacks _POOL_HEADER or
 * _OBJECT_HEADER, SCRY_ERR_NOMEM, SCRY_ERR_CANCELLED, SCRY_ERR_LIMIT from
 * the page-table enumeration; an unreadable ObHeaderCookie is
 * SCRY_ERR_NODATA (Volatility reads it before scanning). */
scry_status scry_win_pool_scan_procs(const struct scry_windows *w, struct scry_vspace *ks,
                                     struct scry_op *op, int year_now,
                                     scry_win_pool_proc_fn fn, void *user);

/* The current year (UTC) for year_now: Volatility's is_valid() reads the
 * clock, so the plugins do too. */
int scry_win_year_now(void);

/* EPROCESS.is_valid() over a record read as above. */
int scry_win_proc_valid(const struct scry_windows *w, const struct scry_win_proc *p, int year_now);

#endif
