/* rcache_file.c - result cache entries as files, and the symbol-table
 * check every entry carries.
 *
 * Files are written whole to a temporary name and renamed into place, so
 * a reader sees either the old entry or the new one, never half of one;
 * without an fsync a crash may leave an empty or short file, which the
 * decoder rejects like any other damage. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/base/file.h"
#include "lib/session/rcache.h"

/* Entries past this are not read back (a result that large is not worth
 * a file anyway, and a planted huge file must not be slurped). */
#define RCACHE_FILE_MAX (1ull << 30)

static int entry_path(char *buf, size_t cap, const char *dir, uint64_t name)
{
    int n = snprintf(buf, cap, "%s/%016" PRIx64 ".msr", dir, name);
    return n > 0 && (size_t)n < cap ? 0 : -1;
}

uint8_t *scry_rcache_file_read(const char *dir, uint64_t name, size_t *len)
{
    char path[4096];
    struct stat sb;
    uint8_t *buf = NULL;
    size_t got = 0;
    int fd;
    if (entry_path(path, sizeof path, dir, name) != 0 ||
        (fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
        return NULL;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || (uint64_t)sb.st_size > RCACHE_FILE_MAX ||
        !(buf = malloc(sb.st_size ? (size_t)sb.st_size : 1))) {
        close(fd);
        return NULL;
    }
    while (got < (size_t)sb.st_size) {
        ssize_t r = read(fd, buf + got, (size_t)sb.st_size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    *len = got; /* a file cut short reads short: the decoder says so */
    return buf;
}

void scry_rcache_file_write(const char *dir, uint64_t name, const uint8_t *blob, size_t len)
{
    char path[4096], tmp[4096 + 16];
    size_t done = 0;
    int fd;
    if (entry_path(path, sizeof path, dir, name) != 0 || scry_mkdir_p(dir, 0700) != 0 ||
        snprintf(tmp, sizeof tmp, "%s.XXXXXX", path) >= (int)sizeof tmp ||
        (fd = mkstemp(tmp)) < 0)
        return;
    while (done < len) {
        ssize_t w = write(fd, blob + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        done += (size_t)w;
    }
    if (close(fd) != 0 || done != len || rename(tmp, path) != 0)
        unlink(tmp);
}

int scry_rcache_check_fill(struct scry_rcache_check *chk, const char *isf)
{
    struct stat sb;
    memset(chk, 0, sizeof *chk);
    if (!isf || !*isf)
        return 0;
    if (strlen(isf) >= sizeof chk->isf || stat(isf, &sb) != 0)
        return -1;
    strcpy(chk->isf, isf);
    chk->size = (uint64_t)sb.st_size;
    chk->mtime_sec = (uint64_t)sb.st_mtim.tv_sec;
    chk->mtime_nsec = (uint64_t)sb.st_mtim.tv_nsec;
    chk->ino = (uint64_t)sb.st_ino;
    chk->dev = (uint64_t)sb.st_dev;
    char dir[sizeof chk->isf];
    char *slash = strrchr(strcpy(dir, isf), '/');
    if (slash == dir)
        slash[1] = 0;
    else if (slash)
        *slash = 0;
    else
        strcpy(dir, ".");
    if (stat(dir, &sb) != 0)
        return -1;
    chk->dir_mtime_sec = (uint64_t)sb.st_mtim.tv_sec;
    chk->dir_mtime_nsec = (uint64_t)sb.st_mtim.tv_nsec;
    return 0;
}

int scry_rcache_check_valid(const struct scry_rcache_check *chk)
{
    struct scry_rcache_check now;
    if (!chk->isf[0])
        return 1;
    return scry_rcache_check_fill(&now, chk->isf) == 0 && now.size == chk->size &&
           now.mtime_sec == chk->mtime_sec && now.mtime_nsec == chk->mtime_nsec &&
           now.ino == chk->ino && now.dev == chk->dev &&
           now.dir_mtime_sec == chk->dir_mtime_sec && now.dir_mtime_nsec == chk->dir_mtime_nsec;
}
