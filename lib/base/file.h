/* file.h - a dump file mapped read-only into memory.
 *
 * Uncompressed formats read straight from the mapping (zero copy); the
 * compressed ones index it. The mapping is shared by every thread. */
#ifndef SCRY_FILE_H
#define SCRY_FILE_H

#include <stdint.h>

#include "lib/base/error.h"

struct scry_file {
    char *path;         /* as given to scry_file_open, owned          */
    const uint8_t *map; /* the whole file, read-only; NULL when empty  */
    uint64_t size;      /* bytes                                       */
    int fd;
};

/* Opens and maps path. Errors: SCRY_ERR_IO naming the file and errno. */
scry_status scry_file_open(const char *path, struct scry_file **out);
/* Maps an in-memory buffer as a file (tests, fuzzers); data is borrowed and
 * must outlive the file. name is used in messages. */
scry_status scry_file_from_memory(const void *data, uint64_t size, const char *name,
                                  struct scry_file **out);
void scry_file_close(struct scry_file *f);

/* Tells the kernel this process is done with [p, p+len) of f's mapping for
 * now (a long scan): the pages leave our resident set but stay in the page
 * cache and fault back in on the next access. A no-op for memory buffers or
 * pointers outside the mapping. */
void scry_file_drop(const struct scry_file *f, const void *p, uint64_t len);

/* True when [off, off+len) lies inside the file (overflow-safe). */
static inline int scry_file_has(const struct scry_file *f, uint64_t off, uint64_t len)
{
    return off <= f->size && len <= f->size - off;
}

#endif
