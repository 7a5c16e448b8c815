/* linux_bash.h - bash's history entries found in a process's heap, as
 * Volatility's linux.bash finds them: every pointer to a '#' in the heap
 * is a candidate timestamp pointer of a struct hist_entry {char *line;
 * char *timestamp; void *data;}. Independent of how memory is reached, so
 * a unit test can feed it a made-up heap. */
#ifndef SCRY_WALK_LINUX_BASH_H
#define SCRY_WALK_LINUX_BASH_H

#include <stddef.h>
#include <stdint.h>

#include "lib/base/error.h"

/* Bytes Volatility reads behind line and timestamp (char[1024]). */
#define SCRY_BASH_STR 1024

/* One virtually contiguous, readable stretch of the heap. */
struct scry_bash_run {
    uint64_t va;
    const uint8_t *data;
    size_t len;
};

/* Reads [va, va+len) of the process; non-zero when any byte cannot be read. */
typedef int (*scry_bash_read_fn)(void *user, uint64_t va, void *buf, size_t len);

struct scry_bash_entry {
    char *cmd;          /* UTF-8 (decoded with replacement), NUL-terminated */
    size_t cmd_len;
    int time_ok;        /* 0 < time <= 9999-12-31T23:59:59: Volatility's datetime */
    int64_t time;       /* seconds since the epoch when time_ok              */
    /* The timestamp as Python's int() reads it, for the order: sign and
     * digits without leading zeros (exact for any length). */
    int negative;
    char *digits;
    size_t seq;         /* found order: Python's sort is stable */
};

/* Finds the entries in runs (ascending, disjoint), ptr_size 4 or 8, and
 * sorts them by timestamp (stable). Volatility's validity test: the line
 * and the timestamp each read as SCRY_BASH_STR bytes, cut at the first NUL,
 * neither empty; the timestamp at least 10 characters, '#' then an integer
 * as Python's int() reads it (ASCII whitespace around, a sign, digits with
 * single underscores between them). Candidates are the non-overlapping
 * places, in each run, holding the address of a '#' of any run. At most
 * max entries are kept (the rest: *dropped counts them). *out is malloc'd
 * (free with scry_bash_free). Errors: SCRY_ERR_NOMEM. */
scry_status scry_bash_scan(const struct scry_bash_run *runs, size_t nruns, unsigned ptr_size,
                           scry_bash_read_fn read, void *user, size_t max,
                           struct scry_bash_entry **out, size_t *n, size_t *dropped);
void scry_bash_free(struct scry_bash_entry *v, size_t n);

/* Python's int(s) for s[0..len) over ASCII: 1 and the sign and digits
 * (leading zeros dropped, "0" for zero; *digits malloc'd) when valid, 0
 * when int() would raise, -1 out of memory. Exposed for the unit test. */
int scry_bash_pyint(const char *s, size_t len, int *negative, char **digits);

#endif
