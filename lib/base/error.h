/* error.h - status codes and the per-thread error message.
 *
 * Every layer reports failure by returning a scry_status and leaving a
 * message; an outer layer may prepend its context with scry_err_ctx(), so
 * the final text reads innermost-last like a backtrace:
 *   "cannot read task list: cannot translate 0xffff...: page not present". */
#ifndef SCRY_ERROR_H
#define SCRY_ERROR_H

#include "memscry/memscry.h"

#if defined(__GNUC__)
#define SCRY_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define SCRY_PRINTF(a, b)
#endif

/* Sets the thread's message (printf format) and returns st. */
scry_status scry_err(scry_status st, const char *fmt, ...) SCRY_PRINTF(2, 3);
/* Prepends "<context>: " to the thread's message and returns st. */
scry_status scry_err_ctx(scry_status st, const char *fmt, ...) SCRY_PRINTF(2, 3);
/* Clears the thread's message. */
void scry_err_clear(void);

#endif
