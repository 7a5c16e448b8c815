/* kv.h - an ordered list of key/value strings.
 *
 * What a dump states about itself (format, VMCOREINFO, CPU registers, a
 * crash dump's header fields) and what detection found (OS, banner, DTB,
 * shifts) are key/values, so a new format or OS adds keys, not fields or
 * API functions. Lists are small: lookups are linear.
 * Thread-safety: immutable once built; built by one thread. */
#ifndef SCRY_BASE_KV_H
#define SCRY_BASE_KV_H

#include <stddef.h>
#include <stdint.h>

#include "lib/base/error.h"

struct scry_kv_item {
    char *key, *value; /* owned */
};

struct scry_kv {
    struct scry_kv_item *v;
    size_t n, cap;
};

/* Appends key = printf(fmt, ...). Errors: SCRY_ERR_NOMEM. */
scry_status scry_kv_add(struct scry_kv *kv, const char *key, const char *fmt, ...)
    SCRY_PRINTF(3, 4);
/* The value of key, or NULL. */
const char *scry_kv_get(const struct scry_kv *kv, const char *key);
/* key's value as a number (strtoull base 0: "0x..." hex or decimal);
 * 0 when absent or not a number. */
int scry_kv_u64(const struct scry_kv *kv, const char *key, uint64_t *out);
void scry_kv_free(struct scry_kv *kv);

#endif
