/* kdump.h - private glue between the two kdump readers.
 *
 * The kdump-compressed parser (kdump.c) reads its image through a logical
 * byte view. For a plain kdump that view is the file mapping itself; for a
 * makedumpfile-flattened file (kdump_flat.c) it is an index of segments that
 * maps logical offsets onto the flat file's records, so nothing is copied or
 * rearranged on disk. */
#ifndef SCRY_FORMATS_KDUMP_H
#define SCRY_FORMATS_KDUMP_H

#include <stddef.h>
#include <stdint.h>

#include "formats/phys.h"

struct scry_kdump_src {
    const struct scry_file *file;
    /* NULL: logical offset N is file byte N. Otherwise nsegs sorted,
     * disjoint segments (logical start/len) and, in seg_off, where each
     * starts in the file. Both arrays are owned by the source. */
    struct scry_run *segs;
    uint64_t *seg_off;
    size_t nsegs;
};

/* A pointer to logical [off, off+len) when those bytes are backed and
 * contiguous in the file, else NULL. */
const uint8_t *scry_kdump_src_ptr(const struct scry_kdump_src *s, uint64_t off, uint64_t len);
/* Copies logical [off, off+len) into buf; 0 when any byte is not backed. */
int scry_kdump_src_read(const struct scry_kdump_src *s, uint64_t off, void *buf, size_t len);
/* Frees the segment tables (not the file). */
void scry_kdump_src_free(struct scry_kdump_src *s);

/* Parses the kdump image seen through *src (signature "KDUMP   " at logical
 * offset 0); the decoded-page cache charges f->budget. On success the reader owns src's tables and the file; on
 * failure the caller keeps both. format names the reader in info.format. */
scry_status scry_kdump_open_src(struct scry_file *f, struct scry_kdump_src *src, const char *format,
                                struct scry_phys **out);

/* Opens a makedumpfile --split set (each file plain or flattened, in any
 * order) as one dump; each part's decoded-page cache charges its file's
 * budget (f->budget, set by scry_phys_open_set). On success the reader owns every file; on failure the
 * caller keeps them all. Errors: what opening a part reports, or
 * SCRY_ERR_CORRUPT when two parts' PFN ranges overlap. */
scry_status scry_kdump_open_set(struct scry_file *const *files, size_t n, struct scry_phys **out);

#endif
