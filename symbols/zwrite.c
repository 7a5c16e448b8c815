/* zwrite.c - compressed output files for generated ISFs. */
#include "symbols/zwrite.h"

#include <errno.h>
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <zlib.h>

enum { Z_PLAIN, Z_XZ, Z_GZ };

struct scry_zwrite {
    char *path, *tmp;
    FILE *f;
    int kind, failed;
    lzma_stream xz;
    z_stream gz;
    unsigned char buf[1 << 16];
};

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int io_fail(struct scry_zwrite *z, const char *what)
{
    z->failed = 1;
    scry_err(SCRY_ERR_IO, "%s: %s: %s", z->path, what, errno ? strerror(errno) : "error");
    return -1;
}

scry_status scry_zwrite_open(const char *path, struct scry_zwrite **out)
{
    struct scry_zwrite *z = calloc(1, sizeof *z);
    size_t n = strlen(path);
    if (!z || !(z->path = strdup(path)) || !(z->tmp = malloc(n + 16))) {
        if (z)
            free(z->path);
        free(z);
        return scry_err(SCRY_ERR_NOMEM, "%s: out of memory", path);
    }
    snprintf(z->tmp, n + 16, "%s.tmp-XXXXXX", path);
    int fd = mkstemp(z->tmp);
    /* mkstemp makes the file 0600; an ISF is as public as the kernel it describes. */
    if (fd < 0 || fchmod(fd, 0644) != 0 || !(z->f = fdopen(fd, "wb"))) {
        scry_status st = scry_err(SCRY_ERR_IO, "%s: cannot create: %s", path, strerror(errno));
        if (fd >= 0) {
            close(fd);
            unlink(z->tmp);
        }
        free(z->tmp);
        free(z->path);
        free(z);
        return st;
    }
    z->kind = ends_with(path, ".xz") ? Z_XZ : ends_with(path, ".gz") ? Z_GZ : Z_PLAIN;
    int ok = 1;
    if (z->kind == Z_XZ) {
        lzma_stream init = LZMA_STREAM_INIT;
        z->xz = init;
        ok = lzma_easy_encoder(&z->xz, 6, LZMA_CHECK_CRC64) == LZMA_OK;
    } else if (z->kind == Z_GZ) {
        ok = deflateInit2(&z->gz, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) == Z_OK;
    }
    if (!ok) {
        fclose(z->f);
        unlink(z->tmp);
        free(z->tmp);
        free(z->path);
        free(z);
        return scry_err(SCRY_ERR_NOMEM, "%s: cannot start the compressor", path);
    }
    *out = z;
    return SCRY_OK;
}

/* Runs the compressor over data (finish: to the end of the stream). */
static int pump(struct scry_zwrite *z, const void *data, size_t len, int finish)
{
    if (z->kind == Z_XZ) {
        z->xz.next_in = data;
        z->xz.avail_in = len;
        for (;;) {
            z->xz.next_out = z->buf;
            z->xz.avail_out = sizeof z->buf;
            lzma_ret r = lzma_code(&z->xz, finish ? LZMA_FINISH : LZMA_RUN);
            size_t have = sizeof z->buf - z->xz.avail_out;
            if (have && fwrite(z->buf, 1, have, z->f) != have)
                return io_fail(z, "cannot write");
            if (r == LZMA_STREAM_END)
                return 0;
            if (r != LZMA_OK) {
                z->failed = 1;
                scry_err(SCRY_ERR_NOMEM, "%s: xz compression failed (liblzma error %d)", z->path,
                         (int)r);
                return -1;
            }
            if (!finish && z->xz.avail_in == 0)
                return 0;
        }
    }
    z->gz.next_in = (Bytef *)(uintptr_t)data;
    z->gz.avail_in = (uInt)len;
    for (;;) {
        z->gz.next_out = z->buf;
        z->gz.avail_out = sizeof z->buf;
        int r = deflate(&z->gz, finish ? Z_FINISH : Z_NO_FLUSH);
        size_t have = sizeof z->buf - z->gz.avail_out;
        if (have && fwrite(z->buf, 1, have, z->f) != have)
            return io_fail(z, "cannot write");
        if (r == Z_STREAM_END)
            return 0;
        if (r != Z_OK && r != Z_BUF_ERROR) {
            z->failed = 1;
            scry_err(SCRY_ERR_NOMEM, "%s: gzip compression failed (zlib error %d)", z->path, r);
            return -1;
        }
        if (!finish && z->gz.avail_in == 0)
            return 0;
    }
}

int scry_zwrite_write(void *zw, const void *data, size_t len)
{
    struct scry_zwrite *z = zw;
    if (z->failed)
        return -1;
    if (z->kind == Z_PLAIN) {
        errno = 0;
        return fwrite(data, 1, len, z->f) == len ? 0 : io_fail(z, "cannot write");
    }
    /* zlib counts in uInt: callers write at most 64 KiB at a time, but split anyway. */
    const unsigned char *p = data;
    while (len) {
        size_t take = len > (1u << 30) ? (1u << 30) : len;
        if (pump(z, p, take, 0) != 0)
            return -1;
        p += take;
        len -= take;
    }
    return 0;
}

scry_status scry_zwrite_close(struct scry_zwrite *z, int commit)
{
    scry_status st = SCRY_OK;
    if (commit && !z->failed && z->kind != Z_PLAIN && pump(z, NULL, 0, 1) != 0)
        st = SCRY_ERR_IO;
    if (z->kind == Z_XZ)
        lzma_end(&z->xz);
    else if (z->kind == Z_GZ)
        deflateEnd(&z->gz);
    errno = 0;
    if (fflush(z->f) != 0 && commit && st == SCRY_OK && !z->failed)
        st = scry_err(SCRY_ERR_IO, "%s: cannot write: %s", z->path, strerror(errno));
    if (fclose(z->f) != 0 && commit && st == SCRY_OK && !z->failed)
        st = scry_err(SCRY_ERR_IO, "%s: cannot write: %s", z->path, strerror(errno));
    if (commit && z->failed && st == SCRY_OK)
        st = SCRY_ERR_IO;
    if (commit && st == SCRY_OK && rename(z->tmp, z->path) != 0)
        st = scry_err(SCRY_ERR_IO, "%s: cannot rename into place: %s", z->path, strerror(errno));
    if (!commit || st != SCRY_OK)
        unlink(z->tmp);
    free(z->tmp);
    free(z->path);
    free(z);
    return st;
}
