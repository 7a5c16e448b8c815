/* pystr.c - Python's answers for the strings Volatility handles (see
 * pystr.h). */
#include "symbols/pystr.h"

#include <stdlib.h>
#include <string.h>

long scry_b64decode_py(const uint8_t *s, size_t n, uint8_t *out)
{
    unsigned quad = 0, pads = 0, left = 0;
    long k = 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] >= 0x80)
            return -1; /* str.encode("ascii") raises first */
    for (size_t i = 0; i < n; i++) {
        unsigned c = s[i], v;
        if (c == '=') {
            if (quad >= 2 && quad + ++pads >= 4)
                return k; /* complete padding ends the data */
            continue;
        }
        if (c >= 'A' && c <= 'Z')
            v = c - 'A';
        else if (c >= 'a' && c <= 'z')
            v = c - 'a' + 26;
        else if (c >= '0' && c <= '9')
            v = c - '0' + 52;
        else if (c == '+')
            v = 62;
        else if (c == '/')
            v = 63;
        else
            continue; /* outside the alphabet: skipped */
        pads = 0;
        switch (quad) {
        case 0: quad = 1; left = v; break;
        case 1: quad = 2; out[k++] = (uint8_t)((left << 2) | (v >> 4)); left = v & 0x0f; break;
        case 2: quad = 3; out[k++] = (uint8_t)((left << 4) | (v >> 2)); left = v & 0x03; break;
        default: quad = 0; out[k++] = (uint8_t)((left << 6) | v); left = 0; break;
        }
    }
    return quad ? -1 : k;
}

/* Appends a Unicode code point as latin-1 (what bytes(..., "latin-1")
 * takes); 0 when it has no latin-1 byte. */
static int put_latin1(uint8_t *out, size_t *k, uint32_t cp)
{
    if (cp > 0xff)
        return 0;
    out[(*k)++] = (uint8_t)cp;
    return 1;
}

/* Decodes one code point of valid UTF-8 at s[*i]. */
static uint32_t next_cp(const uint8_t *s, size_t n, size_t *i)
{
    uint32_t c = s[(*i)++];
    int more = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : 0;
    c &= more == 3 ? 0x07 : more == 2 ? 0x0f : more == 1 ? 0x1f : 0x7f;
    while (more-- && *i < n)
        c = (c << 6) | (s[(*i)++] & 0x3f);
    return c;
}

/* Latin-1 bytes of s, upper-cased as Python's str.upper() does when upper
 * is set (ß becomes "SS"; ÿ and µ have upper cases outside latin-1, so the
 * encoding fails as Python's would). 0 when not encodable. */
int scry_py_latin1(const uint8_t *s, size_t n, int upper, uint8_t *out, size_t *k)
{
    for (size_t i = 0; i < n;) {
        uint32_t cp = next_cp(s, n, &i);
        if (upper) {
            if (cp >= 'a' && cp <= 'z')
                cp -= 0x20;
            else if (cp == 0xdf) {
                out[(*k)++] = 'S';
                cp = 'S';
            } else if (cp == 0xff || cp == 0xb5)
                return 0;
            else if (cp >= 0xe0 && cp <= 0xfe && cp != 0xf7)
                cp -= 0x20;
        }
        if (!put_latin1(out, k, cp))
            return 0;
    }
    return 1;
}

/* Python's repr() of bytes: b'...' (b"..." when only ' occurs). */
char *scry_py_bytes_repr(const uint8_t *b, size_t n)
{
    char q = '\'';
    if (memchr(b, '\'', n) && !memchr(b, '"', n))
        q = '"';
    char *s = malloc(4 * n + 4), *p = s;
    if (!s)
        return NULL;
    *p++ = 'b';
    *p++ = q;
    for (size_t i = 0; i < n; i++) {
        uint8_t c = b[i];
        if (c == (uint8_t)q || c == '\\')
            *p++ = '\\', *p++ = (char)c;
        else if (c == '\t')
            *p++ = '\\', *p++ = 't';
        else if (c == '\n')
            *p++ = '\\', *p++ = 'n';
        else if (c == '\r')
            *p++ = '\\', *p++ = 'r';
        else if (c < 0x20 || c >= 0x7f) {
            static const char hex[] = "0123456789abcdef";
            *p++ = '\\', *p++ = 'x', *p++ = hex[c >> 4], *p++ = hex[c & 15];
        } else
            *p++ = (char)c;
    }
    *p++ = q;
    *p = '\0';
    return s;
}

