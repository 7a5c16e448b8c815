/* utf8.c - UTF-8 as Python decodes it (strict and with replacement). */
#include "lib/base/utf8.h"

#include <string.h>

/* Length of the longest prefix of [in, in+len) that starts a well-formed
 * sequence (Unicode table 3-7), and the sequence's full length in *need.
 * A return of 0 means the first byte can never start a sequence. */
static size_t utf8_prefix(const uint8_t *in, size_t len, size_t *need)
{
    uint8_t b = in[0], lo = 0x80, hi = 0xBF;
    size_t n, i;
    if (b < 0x80) {
        *need = 1;
        return 1;
    }
    if (b >= 0xC2 && b <= 0xDF)
        n = 2;
    else if (b >= 0xE0 && b <= 0xEF) {
        n = 3;
        if (b == 0xE0)
            lo = 0xA0; /* overlong */
        else if (b == 0xED)
            hi = 0x9F; /* surrogates */
    } else if (b >= 0xF0 && b <= 0xF4) {
        n = 4;
        if (b == 0xF0)
            lo = 0x90; /* overlong */
        else if (b == 0xF4)
            hi = 0x8F; /* above U+10FFFF */
    } else {
        *need = 1;
        return 0;
    }
    *need = n;
    for (i = 1; i < n && i < len; i++) {
        if (in[i] < lo || in[i] > hi)
            break;
        lo = 0x80;
        hi = 0xBF;
    }
    return i;
}

size_t scry_utf8_replace(const uint8_t *in, size_t len, char *out)
{
    size_t i = 0, o = 0;
    while (i < len) {
        size_t need, got = utf8_prefix(in + i, len - i, &need);
        if (got == need) {
            memcpy(out + o, in + i, got);
            o += got;
            i += got;
            continue;
        }
        /* One U+FFFD for the maximal ill-formed subpart, then resume at
         * the byte that broke it, as CPython's decoder does. */
        out[o++] = (char)0xEF;
        out[o++] = (char)0xBF;
        out[o++] = (char)0xBD;
        i += got ? got : 1;
    }
    out[o] = '\0';
    return o;
}

int scry_utf8_valid(const uint8_t *in, size_t len)
{
    size_t i = 0;
    while (i < len) {
        size_t need, got = utf8_prefix(in + i, len - i, &need);
        if (got != need)
            return 0;
        i += got;
    }
    return 1;
}

size_t scry_utf8_count(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += ((unsigned char)s[i] & 0xC0) != 0x80;
    return n;
}

