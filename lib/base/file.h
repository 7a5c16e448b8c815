/* file.h - a dump file mapped read-only into memory.
 *
 * Uncompressed formats read straight from the mapping (zero copy); the
 * compressed ones index it. The mapping is shared by every thread.
 *
 * Only regular files and block devices are opened: anything else (a FIFO,
 * a terminal, a socket) could block forever or change under the mapping,
 * and is refused before any blocking open. */
#ifndef SCRY_FILE_H
#define SCRY_FILE_H

#include <stdint.h>

#include "lib/base/error.h"

struct scry_budget;

struct scry_file {
    char *path;         /* as given to scry_file_open, owned          */
    const uint8_t *map; /* the whole file, read-only; NULL when empty  */
    uint64_t size;      /* bytes                                       */
    int fd;
    /* Borrowed, may be NULL: the memory budget every cache made for this
     * file charges (set by scry_phys_open_file before the reader opens, so
     * a reader's own caches can use it). The file never frees it. */
    struct scry_budget *budget;
};

/* Opens (scry_open_evidence) and maps path, a regular file or a block
 * device (its size from BLKGETSIZE64). Never blocks: the type is checked
 * with stat before opening and again on the opened descriptor (the path
 * may be swapped in between).
 * Errors, one line each, naming the path: SCRY_ERR_IO with errno's text;
 * SCRY_ERR_IO "PATH: not a regular file or block device (a FIFO)" (or a
 * directory, a character device, a socket) for other file types. */
scry_status scry_file_open(const char *path, struct scry_file **out);
/* open(path, O_RDONLY | flags) without touching the file's access time
 * (O_NOATIME) where this process may (it owns the file, or has
 * CAP_FOWNER), else as plain open: reading evidence should not change its
 * metadata, and each read skips the kernel's atime check (1% of a corpus
 * batch's CPU). Returns the descriptor or -1 with errno. */
int scry_open_evidence(const char *path, int flags);
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

/* The first stretch of f at or after off that may hold non-zero bytes:
 * [*data, *hole), from lseek SEEK_DATA / SEEK_HOLE on f->fd (two system
 * calls). Returns 1 with that stretch, 0 when everything from off to the end
 * of the file is a hole (reads as zeros). Where holes cannot be asked for (a
 * memory buffer, a file system or device that refuses), the whole rest of the
 * file is one stretch of data: [off, size). */
int scry_file_next_data(const struct scry_file *f, uint64_t off, uint64_t *data, uint64_t *hole);

/* True when [off, off+len) lies inside the file (overflow-safe). */
static inline int scry_file_has(const struct scry_file *f, uint64_t off, uint64_t len)
{
    return off <= f->size && len <= f->size - off;
}

/* mkdir -p with mode for each directory made; 0 when dir exists after. */
int scry_mkdir_p(const char *dir, unsigned mode);

#endif
