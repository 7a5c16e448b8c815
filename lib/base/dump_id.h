/* dump_id.h - what identifies a dump's file, for caches keyed by the dump
 * (the result cache, the profile built from a dump's own BTF + kallsyms).
 *
 * The opened descriptor's device, inode, size and mtime (not the path's:
 * it may name another file since), an XXH3 of its first 64 KiB and one of
 * what its format header states (the key/values, in order). A file
 * replaced or rewritten in place changes at least one of them.
 *
 * Thread-safety: touches only its arguments. */
#ifndef SCRY_BASE_DUMP_ID_H
#define SCRY_BASE_DUMP_ID_H

#include <stdint.h>

#include "lib/base/file.h"
#include "lib/base/kv.h"

#define SCRY_DUMP_ID_HEAD (64u * 1024u)

enum { SCRY_DUMP_ID_DEV, SCRY_DUMP_ID_INO, SCRY_DUMP_ID_SIZE, SCRY_DUMP_ID_MTIME_SEC,
       SCRY_DUMP_ID_MTIME_NSEC, SCRY_DUMP_ID_HEAD_HASH, SCRY_DUMP_ID_META_HASH, SCRY_DUMP_ID_N };

struct scry_dump_id {
    uint64_t v[SCRY_DUMP_ID_N];
};

/* Fills id for file f (its format's key/values meta, may be NULL). 0 on
 * success; -1 when f is NULL, has no descriptor, cannot be stat'ed or
 * changed size since it was opened, or memory runs out (then nothing may
 * be cached for it). */
int scry_dump_identity(const struct scry_file *f, const struct scry_kv *meta,
                       struct scry_dump_id *id);

#endif
