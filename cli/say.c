/* say.c - the CLI's one way to write a line on stderr. */
#include "cli/say.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

/* Every line for stderr goes through here: "memscry: " and the formatted
 * text, then a newline. File names (ours and those inside the library's
 * messages) and arguments may hold any byte: control bytes (< 0x20, 0x7f)
 * are written as \xNN and a backslash as \\, so no escape sequence or
 * line break from a name reaches the terminal and each message stays one
 * line. */
void say(const char *fmt, ...)
{
    char small[512], *text = small;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof small && (text = malloc((size_t)n + 1)) != NULL) {
        va_start(ap, fmt);
        vsnprintf(text, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    if (!text) /* out of memory: the clipped text, escaped all the same */
        text = small;
    fputs("memscry: ", stderr);
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (*p < 0x20 || *p == 0x7f)
            fprintf(stderr, "\\x%02x", *p);
        else if (*p == '\\')
            fputs("\\\\", stderr);
        else
            putc(*p, stderr);
    }
    putc('\n', stderr);
    if (text != small)
        free(text);
}

