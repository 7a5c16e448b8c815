/* find.h - substring search for the long scans (physical memory, kernel
 * pages): memmem's contract, several times its speed where the needle's
 * first and last bytes rarely sit needle-length apart (dump memory). */
#ifndef SCRY_FIND_H
#define SCRY_FIND_H

#include <stddef.h>

/* The first occurrence of needle[0, nlen) in hay[0, hlen), exactly as
 * memmem: hay when nlen is 0, NULL when there is none. Reads only inside
 * both buffers (no over-read, not even within the last vector). Worst case
 * linear in hlen: a haystack where the filter keeps failing is handed to
 * memmem. Thread-safe; no state. */
const void *scry_find(const void *hay, size_t hlen, const void *needle, size_t nlen);

#endif
