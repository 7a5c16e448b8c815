/* find.h - substring search for the long scans (physical memory, kernel
 * pages): memmem's contract, 1.3-3.5 times its speed for the 3-23-byte
 * needles memscry scans for, where the needle's first and last bytes rarely
 * sit needle-length apart (dump memory; bench/README.md). */
#ifndef SCRY_FIND_H
#define SCRY_FIND_H

#include <stddef.h>

/* The first occurrence of needle[0, nlen) in hay[0, hlen), exactly as
 * memmem: hay when nlen is 0, NULL when there is none. Reads only inside
 * both buffers (no over-read, not even within the last vector). Where the
 * filter keeps failing (a needle whose first and last bytes are everywhere,
 * hostile or not) the rest of the haystack goes to memmem, so the cost is
 * bounded by about 8 compared bytes per scanned byte plus memmem's.
 * Thread-safe; no state. */
const void *scry_find(const void *hay, size_t hlen, const void *needle, size_t nlen);

/* scry_find with the 16-byte (SSE2) filter even where AVX2 is there, so
 * tests cover both; memmem on other CPUs. Same contract. */
const void *scry_find_sse2(const void *hay, size_t hlen, const void *needle, size_t nlen);

#endif
