/* utf8.h - UTF-8 decoding as Python does it: every layer that turns memory
 * bytes into text (walkers, rows, renderers) uses these, so they agree. */
#ifndef SCRY_BASE_UTF8_H
#define SCRY_BASE_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Decodes bytes as Python's bytes.decode("utf-8", errors="replace") does
 * (one U+FFFD per maximal ill-formed subpart) into out, which must hold at
 * least 3 * len + 1 bytes; returns the length written (NUL-terminated). */
size_t scry_utf8_replace(const uint8_t *in, size_t len, char *out);
/* True when [in, in+len) is valid UTF-8 as Python's strict decoder sees it. */
int scry_utf8_valid(const uint8_t *in, size_t len);
/* Number of code points in valid UTF-8. */
size_t scry_utf8_count(const char *s, size_t len);

#endif
