/* yara_priv.h - what the scan files share about compiled rules. */
#ifndef SCRY_SCAN_YARA_PRIV_H
#define SCRY_SCAN_YARA_PRIV_H

#include <yara.h>

#include "lib/scan/yara.h"

struct scry_yara_rules {
    YR_RULES *rules; /* owned; libyara lets any number of threads scan it */
};

/* libyara's global state, set up once per process (yr_initialize is not
 * thread-safe, so it runs under pthread_once). Errors: SCRY_ERR_NOMEM. */
scry_status scry_yara_init(void);

/* Scans buf, reporting matches that start before limit (as at base +
 * offset). *stopped (may be NULL): fn asked to stop; *too_many (may be
 * NULL): set when libyara dropped matches of a string. Errors as
 * scry_yara_scan_buffer's. */
scry_status scry_yara_scan_limited(const struct scry_yara_rules *r, const uint8_t *buf, size_t len,
                                   size_t limit, uint64_t base, scry_yara_hit_fn fn, void *user,
                                   int *stopped, int *too_many);

#endif
