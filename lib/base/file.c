/* file.c - open and mmap a dump file read-only. */
#include "lib/base/file.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Only these can be mapped as a dump: a FIFO or a terminal would block the
 * open (or the reads) forever, and a directory has no bytes. */
static int mappable(mode_t m) { return S_ISREG(m) || S_ISBLK(m); }

static const char *file_kind(mode_t m)
{
    return S_ISFIFO(m)   ? "a FIFO"
           : S_ISDIR(m)  ? "a directory"
           : S_ISCHR(m)  ? "a character device"
           : S_ISSOCK(m) ? "a socket"
           : S_ISLNK(m)  ? "a symbolic link"
                         : "an unknown file type";
}

static scry_status not_mappable(const char *path, mode_t m)
{
    return scry_err(SCRY_ERR_IO, "%s: not a regular file or block device (%s)", path,
                    file_kind(m));
}

int scry_open_evidence(const char *path, int flags)
{
    int fd = open(path, O_RDONLY | O_NOATIME | flags);
    /* EPERM: neither the owner nor CAP_FOWNER. */
    if (fd < 0 && errno == EPERM)
        fd = open(path, O_RDONLY | flags);
    return fd;
}

scry_status scry_file_open(const char *path, struct scry_file **out)
{
    struct stat st;
    struct scry_file *f;
    uint64_t size;
    int fd, fl;
    /* Refuse a FIFO before open(): a blocking open of one waits for a
     * writer that may never come. */
    if (stat(path, &st) != 0)
        return scry_err(SCRY_ERR_IO, "%s: %s", path, strerror(errno));
    if (!mappable(st.st_mode))
        return not_mappable(path, st.st_mode);
    /* O_NONBLOCK: the path may have been swapped for a FIFO since stat;
     * the opened descriptor is checked again below. */
    fd = scry_open_evidence(path, O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return scry_err(SCRY_ERR_IO, "%s: %s", path, strerror(errno));
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return scry_err(SCRY_ERR_IO, "%s: %s", path, strerror(e));
    }
    if (!mappable(st.st_mode)) {
        close(fd);
        return not_mappable(path, st.st_mode);
    }
    /* Regular files and block devices ignore O_NONBLOCK today; clearing it
     * keeps pread from ever answering EAGAIN should that change. */
    fl = fcntl(fd, F_GETFL);
    if (fl == -1 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) == -1) {
        int e = errno;
        close(fd);
        return scry_err(SCRY_ERR_IO, "%s: %s", path, strerror(e));
    }
    size = (uint64_t)st.st_size;
    /* A block device's st_size is 0; the kernel knows its real size. */
    if (S_ISBLK(st.st_mode) && ioctl(fd, BLKGETSIZE64, &size) != 0) {
        int e = errno;
        close(fd);
        return scry_err(SCRY_ERR_IO, "%s: cannot read the block device's size: %s", path,
                        strerror(e));
    }
    f = calloc(1, sizeof *f);
    if (!f || !(f->path = strdup(path))) {
        free(f);
        close(fd);
        return scry_err(SCRY_ERR_NOMEM, "%s: out of memory", path);
    }
    f->fd = fd;
    f->size = size;
    if (f->size) {
        void *m = mmap(NULL, f->size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m == MAP_FAILED) {
            int e = errno;
            scry_file_close(f);
            return scry_err(SCRY_ERR_IO, "%s: cannot map: %s", path, strerror(e));
        }
        /* Dump reads are scattered (page tables, task structs): without
         * this, every fault maps a 64 KiB neighbourhood and a walk of a few
         * thousand pages leaves hundreds of MiB resident. */
        madvise(m, f->size, MADV_RANDOM);
        f->map = m;
    }
    *out = f;
    return SCRY_OK;
}

scry_status scry_file_from_memory(const void *data, uint64_t size, const char *name,
                                  struct scry_file **out)
{
    struct scry_file *f = calloc(1, sizeof *f);
    if (!f || !(f->path = strdup(name ? name : "<memory>"))) {
        free(f);
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    }
    f->fd = -1;
    f->map = size ? data : NULL;
    f->size = size;
    *out = f;
    return SCRY_OK;
}

void scry_file_close(struct scry_file *f)
{
    if (!f)
        return;
    if (f->fd >= 0) {
        if (f->map)
            munmap((void *)f->map, f->size);
        close(f->fd);
    }
    free(f->path);
    free(f);
}

void scry_file_drop(const struct scry_file *f, const void *p, uint64_t len)
{
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t a = (uintptr_t)p, b = a + len, lo = (uintptr_t)f->map, hi = lo + f->size;
    if (f->fd < 0 || !f->map || a < lo || b > hi || b < a)
        return;
    a = (a + page - 1) & ~(page - 1); /* only whole pages inside the range */
    b &= ~(page - 1);
    if (b > a)
        madvise((void *)a, b - a, MADV_DONTNEED);
}

int scry_file_next_data(const struct scry_file *f, uint64_t off, uint64_t *data, uint64_t *hole)
{
    off_t d, h;
    if (off >= f->size)
        return 0;
    *data = off;
    *hole = f->size;
    if (f->fd < 0 || off > (uint64_t)INT64_MAX)
        return 1;
    d = lseek(f->fd, (off_t)off, SEEK_DATA);
    if (d < 0)
        /* ENXIO: only holes up to the end; anything else (EINVAL on a file
         * system without the call): treat it all as data. */
        return errno == ENXIO ? 0 : 1;
    if ((uint64_t)d >= f->size)
        return 0;
    h = lseek(f->fd, d, SEEK_HOLE);
    *data = (uint64_t)d;
    if (h > d && (uint64_t)h < f->size)
        *hole = (uint64_t)h;
    return 1;
}

int scry_mkdir_p(const char *dir, unsigned mode)
{
    char tmp[4096];
    size_t n = strlen(dir);
    if (!n || n >= sizeof tmp)
        return -1;
    memcpy(tmp, dir, n + 1);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(tmp, (mode_t)mode) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return mkdir(tmp, (mode_t)mode) != 0 && errno != EEXIST ? -1 : 0;
}
