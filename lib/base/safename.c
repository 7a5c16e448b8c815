/* safename.c - file names from memory made safe to create in a directory.
 *
 * A process name, a module path or a VAD file name comes from the dump:
 * an attacker chooses it. Whatever it is, the file must land inside the
 * output directory and its name must not carry terminal control bytes. */
#include <string.h>

#include "lib/base/error.h"

#define NAME_MAX_BYTES 200 /* leaves room for a plugin's prefix and suffix in NAME_MAX */

scry_status scry_safe_file_name(const char *name, char *out, size_t cap)
{
    size_t n = 0;
    if (!name || !out || cap < 16)
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_safe_file_name: NULL or short buffer");
    for (const unsigned char *p = (const unsigned char *)name; *p && n + 1 < cap; p++) {
        unsigned char c = *p;
        /* Path separators, control bytes and DEL become '_'; UTF-8 bytes
         * (>= 0x80) are kept as they are only when part of the name, so a
         * non-ASCII process name stays readable. */
        if (c == '/' || c == '\\' || c < 0x20 || c == 0x7f)
            c = '_';
        if (n >= NAME_MAX_BYTES)
            break;
        out[n++] = (char)c;
    }
    out[n] = '\0';
    /* "", "." and ".." name directories, not files. */
    if (!n || !strcmp(out, ".") || !strcmp(out, "..")) {
        size_t k = n;
        memmove(out + 1, out, k + 1 < cap - 1 ? k + 1 : cap - 2);
        out[0] = '_';
        out[k + 1 < cap ? k + 1 : cap - 1] = '\0';
    }
    return SCRY_OK;
}
