/* linux_kmsg.h - the printk ring buffer (kernels >= 5.10: the lockless
 * printk_ringbuffer behind `prb`), record by record as Volatility's
 * linux.kmsg reads it. */
#ifndef SCRY_WALK_LINUX_KMSG_H
#define SCRY_WALK_LINUX_KMSG_H

#include <stddef.h>
#include <stdint.h>

#include "lib/base/op.h"
#include "lib/os/linux.h"

/* Records read at most (the ring holds 2^count_bits; a real one a few
 * thousand): more between tail and head is damage. */
#define SCRY_KMSG_MAX_RECORDS (1u << 22)

/* One committed or finalized record. Strings are UTF-8 (decoded with
 * replacement) and valid until the callback returns. */
struct scry_kmsg_record {
    uint8_t facility, level;
    uint64_t ts_nsec;
    int has_caller;
    uint32_t caller_id;
    const char *text;   /* the whole text, split into lines by the caller */
    size_t text_len;
    const char *subsystem, *device; /* dev_info, cut at NUL ("" when none) */
    size_t subsystem_len, device_len;
};

/* Return non-zero to stop. */
typedef int (*scry_kmsg_fn)(void *user, const struct scry_kmsg_record *r);

/* Calls fn for each record from desc_ring.tail_id up to (not including)
 * head_id, ids masked to the state word's id bits, whose state is
 * committed or finalized - Volatility's loop. Text: text_blk_lpos.begin
 * and .next modulo 2^size_bits; an odd begin has no text; begin > next
 * wraps to 0; the text starts one id word (pointer size) in and is
 * min(text_len, next - begin) bytes.
 *
 * Hostile rings, bounded with a WARNING each (Volatility would loop for
 * 2^62 records or raise): more records between tail and head than the
 * ring holds or than SCRY_KMSG_MAX_RECORDS (the first that many are read),
 * count_bits over 62; a record whose descriptor, info or text cannot be
 * read is skipped. Errors: SCRY_ERR_UNSUPPORTED when the ISF has no `prb`
 * (the older log_buf layouts are not supported) or the kernel is 32-bit,
 * SCRY_ERR_NOT_FOUND for a
 * missing field, SCRY_ERR_NOMEM, SCRY_ERR_CANCELLED; a `prb` that cannot
 * be read is a WARNING and no records. */
scry_status scry_linux_kmsg(const struct scry_linux *l, struct scry_op *op, scry_kmsg_fn fn,
                            void *user);

/* Python's "%lu.%06lu" % (nsec / 1000000000, (nsec % 1000000000) / 1000)
 * (a float quotient truncated) into out[32]; returns the length. */
size_t scry_kmsg_time(uint64_t nsec, char out[32]);

/* The length of the first line of s[0..len) as Python's str.splitlines
 * splits it; *next receives where the next line starts (len at the end). */
size_t scry_kmsg_line(const char *s, size_t len, size_t *next);

#endif
