/* error.c - the per-thread error message behind scry_last_error(). */
#include "lib/base/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

enum { ERR_MAX = SCRY_ERR_SAVED_MAX };
static _Thread_local char err_msg[ERR_MAX];

scry_status scry_err(scry_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err_msg, sizeof err_msg, fmt, ap);
    va_end(ap);
    return st;
}

scry_status scry_err_ctx(scry_status st, const char *fmt, ...)
{
    char prev[ERR_MAX], ctx[ERR_MAX];
    va_list ap;
    memcpy(prev, err_msg, sizeof prev);
    va_start(ap, fmt);
    vsnprintf(ctx, sizeof ctx, fmt, ap);
    va_end(ap);
    /* ctx, then ": " and the previous (inner) message, cut to fit. */
    size_t n = strlen(ctx);
    memcpy(err_msg, ctx, n + 1);
    if (prev[0] && n + 2 < sizeof err_msg) {
        size_t room = sizeof err_msg - n - 3, pl = strlen(prev);
        if (pl > room)
            pl = room;
        memcpy(err_msg + n, ": ", 2);
        memcpy(err_msg + n + 2, prev, pl);
        err_msg[n + 2 + pl] = '\0';
    }
    return st;
}

void scry_err_clear(void) { err_msg[0] = '\0'; }

void scry_err_save(char saved[SCRY_ERR_SAVED_MAX]) { memcpy(saved, err_msg, SCRY_ERR_SAVED_MAX); }

void scry_err_restore(const char saved[SCRY_ERR_SAVED_MAX])
{
    memcpy(err_msg, saved, SCRY_ERR_SAVED_MAX);
}

const char *scry_last_error(void) { return err_msg; }

const char *scry_status_str(scry_status st)
{
    static const char *const names[] = {
        [SCRY_OK] = "success",
        [SCRY_ERR_INVALID_ARG] = "invalid argument",
        [SCRY_ERR_NOMEM] = "out of memory",
        [SCRY_ERR_IO] = "input/output error",
        [SCRY_ERR_FORMAT] = "unknown dump format",
        [SCRY_ERR_CORRUPT] = "corrupt input",
        [SCRY_ERR_NODATA] = "no data",
        [SCRY_ERR_UNSUPPORTED] = "unsupported",
        [SCRY_ERR_NOT_FOUND] = "not found",
        [SCRY_ERR_NO_SYMBOLS] = "no matching symbol table",
        [SCRY_ERR_BAD_OPTION] = "bad option",
        [SCRY_ERR_LIMIT] = "limit exceeded",
        [SCRY_ERR_CANCELLED] = "cancelled",
    };
    if ((unsigned)st < sizeof names / sizeof names[0] && names[st])
        return names[st];
    return "unknown status";
}

const char *scry_version(void) { return SCRY_VERSION_STRING; }
