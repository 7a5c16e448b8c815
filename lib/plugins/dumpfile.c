/* dumpfile.c - --dump files: created safely, written sparsely. */
#include "lib/plugins/dumpfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHUNK (1u << 20)

/* os.makedirs(dir, exist_ok=True): each missing level, best effort (open
 * then says what is wrong). */
static void make_dirs(const char *dir)
{
    char p[4096];
    size_t n = strlen(dir);
    if (n >= sizeof p)
        return;
    memcpy(p, dir, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (p[i] == '/' || p[i] == '\0') {
            char c = p[i];
            p[i] = '\0';
            (void)mkdir(p, 0777);
            p[i] = c;
        }
    }
}

int scry_dump_create(const char *dir, const char *name, char *final, size_t cap)
{
    char path[4096 + 300];
    const char *dot = strrchr(name, '.');
    size_t stem = dot && dot != name ? (size_t)(dot - name) : strlen(name);
    if (strchr(name, '/')) {
        errno = EINVAL;
        return -1;
    }
    make_dirs(dir);
    for (unsigned k = 0; k < 100000; k++) {
        int n = k ? snprintf(final, cap, "%.*s-%u%s", (int)stem, name, k, name + stem)
                  : snprintf(final, cap, "%s", name);
        if (n < 0 || (size_t)n >= cap ||
            (size_t)snprintf(path, sizeof path, "%s/%s", dir, final) >= sizeof path) {
            errno = ENAMETOOLONG;
            return -1;
        }
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd >= 0 || errno != EEXIST)
            return fd;
    }
    errno = EEXIST;
    return -1;
}

struct vr {
    struct scry_vspace *vs;
    struct scry_op *op;
    int fd;
    uint64_t at, va;
    uint8_t *buf;
    int *io_failed;
    scry_status st;
};

static int range(void *user, uint64_t va, uint64_t pa, uint64_t len)
{
    struct vr *c = user;
    (void)pa;
    while (len) {
        size_t n = len < CHUNK ? (size_t)len : CHUNK, missing = 0;
        scry_status st = scry_vspace_read_pad(c->vs, va, c->buf, n, &missing);
        if (st != SCRY_OK) {
            c->st = st;
            return 1;
        }
        if (missing < n) {
            off_t off = (off_t)(c->at + (va - c->va));
            for (size_t done = 0; done < n;) {
                ssize_t k = pwrite(c->fd, c->buf + done, n - done, off + (off_t)done);
                if (k <= 0) {
                    *c->io_failed = 1;
                    return 1;
                }
                done += (size_t)k;
            }
        }
        if (scry_op_tick(c->op, 0, 0)) {
            c->st = scry_op_cancelled();
            return 1;
        }
        va += n;
        len -= n;
    }
    return 0;
}

scry_status scry_dump_vrange(struct scry_vspace *vs, struct scry_op *op, int fd, uint64_t at,
                             uint64_t va, uint64_t len, int *io_failed)
{
    struct vr c = {.vs = vs, .op = op, .fd = fd, .at = at, .va = va, .io_failed = io_failed};
    uint64_t top = scry_vspace_mask(vs);
    if (!len || va > top)
        return SCRY_OK; /* nothing mapped up there: all zeros */
    if (!(c.buf = malloc(CHUNK)))
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    uint64_t end = va + len < va ? UINT64_MAX : va + len;
    scry_status st = scry_vspace_enumerate(vs, va, end, 0, range, &c);
    free(c.buf);
    return st != SCRY_OK ? st : c.st;
}

int scry_dump_create_or_warn(struct scry_op *op, const char *dir, const char *name, char *final,
                             size_t cap)
{
    int fd = scry_dump_create(dir, name, final, cap);
    if (fd < 0)
        scry_op_say(op, SCRY_DIAG_WARNING, SCRY_ERR_IO, "%s/%s: cannot create: %s", dir, name,
                    strerror(errno));
    return fd;
}

scry_status scry_dump_finish(struct scry_op *op, int fd, const char *dir, const char *name,
                             scry_status st, int io_failed, int *written)
{
    if (close(fd) != 0)
        io_failed = 1;
    *written = 0;
    if (st == SCRY_ERR_LIMIT || st == SCRY_ERR_CORRUPT) {
        scry_op_report(op, SCRY_DIAG_WARNING, st, "%s: the dump may be incomplete", name);
        st = SCRY_OK;
    }
    if (st != SCRY_OK)
        return st;
    if (io_failed) {
        scry_op_say(op, SCRY_DIAG_WARNING, SCRY_ERR_IO, "%s/%s: cannot write: %s", dir, name,
                    strerror(errno));
        return SCRY_OK;
    }
    *written = 1;
    return SCRY_OK;
}
