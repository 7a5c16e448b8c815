/* pystr.h - what Python answers for the few string operations whose exact
 * result reaches Volatility's output or its identifier cache: base64
 * decoding (the banners), latin-1 encoding with str.upper() (Windows
 * identifiers) and repr() of bytes (isfinfo's identifier column).
 * Pure functions; any thread. */
#ifndef SCRY_SYMBOLS_PYSTR_H
#define SCRY_SYMBOLS_PYSTR_H

#include <stddef.h>
#include <stdint.h>

/* Python's base64.b64decode(s) (non-strict: bytes outside the alphabet are
 * skipped, decoding ends at complete padding) into out (at least n*3/4+3
 * bytes). Returns the decoded length, or -1 where Python raises (a
 * non-ASCII byte, incorrect padding). */
long scry_b64decode_py(const uint8_t *s, size_t n, uint8_t *out);

/* Appends the latin-1 bytes of the valid UTF-8 s[0..n) to out at *k (room
 * for 2 bytes per code point), upper-cased as str.upper() does when upper
 * is set (ß becomes "SS"; ÿ and µ have upper cases outside latin-1). 0
 * where Python's encode("latin-1") would raise. */
int scry_py_latin1(const uint8_t *s, size_t n, int upper, uint8_t *out, size_t *k);

/* repr() of the bytes b[0..n): b'...' (b"..." when only ' occurs),
 * \t \n \r \\ and \xNN escapes. malloc'd; NULL when out of memory. */
char *scry_py_bytes_repr(const uint8_t *b, size_t n);

#endif
