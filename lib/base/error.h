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

/* A public call that succeeds leaves the caller's last error as it found
 * it, though the work inside it met (and handled) failures of its own:
 * save on entry, restore on success. */
#define SCRY_ERR_SAVED_MAX 1024
void scry_err_save(char saved[SCRY_ERR_SAVED_MAX]);
void scry_err_restore(const char saved[SCRY_ERR_SAVED_MAX]);

#endif
