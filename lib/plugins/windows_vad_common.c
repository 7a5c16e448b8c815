/* windows_vad_common.c - process names, process spaces and VAD dumps for
 * windows.vadinfo and windows.malfind. */
#include "lib/plugins/windows_vad_common.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/base/utf8.h"
#include "lib/plugins/dumpfile.h"

scry_status scry_win_proc_space(const struct scry_windows *w, const struct scry_win_proc *p,
                                struct scry_vspace *out)
{
    if (!scry_win_proc_ok(p, w->off.ep_dtb, 8))
        return SCRY_ERR_NODATA;
    return scry_win_process_space(w, scry_win_u64(p->b, w->off.ep_dtb), out);
}

size_t scry_win_vad_protection(const int32_t values[32], uint32_t ok, uint32_t index, char *buf,
                               struct scry_op *op, int *warned)
{
    buf[0] = '\0';
    if (index >= 32)
        return 0;
    if (!((ok >> index) & 1)) {
        if (!*warned) {
            *warned = 1;
            scry_op_say(op, SCRY_DIAG_WARNING, SCRY_ERR_NODATA,
                        "MmProtectToValue[%u] cannot be read: protections print empty", index);
        }
        return 0;
    }
    return scry_win_vad_protection_str(values[index], buf);
}

/* ------------------------------------------------------------- dumping */

struct dump_ctx {
    struct scry_vspace *ps;
    struct scry_op *op;
    int fd;
    uint64_t start;   /* file offset 0 */
    uint8_t *buf;
    scry_status st;
    int failed;       /* a write failed: Volatility's error text */
};

enum { CHUNK = 1 << 20 };

static int dump_range(void *user, uint64_t va, uint64_t pa, uint64_t len)
{
    struct dump_ctx *c = user;
    (void)pa;
    while (len) {
        size_t n = len < CHUNK ? (size_t)len : CHUNK;
        size_t missing = 0;
        scry_status st = scry_vspace_read_pad(c->ps, scry_win_canon(va), c->buf, n, &missing);
        if (st != SCRY_OK) {
            c->st = st;
            return 1;
        }
        if (missing < n) {
            off_t at = (off_t)(va - c->start);
            for (size_t done = 0; done < n;) {
                ssize_t k = pwrite(c->fd, c->buf + done, n - done, at + (off_t)done);
                if (k <= 0) {
                    c->failed = 1;
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

scry_status scry_win_vad_dump(struct scry_plugin_ctx *pc, struct scry_vspace *ps, int64_t pid,
                              const struct scry_win_vad_node *v, int64_t maxsize, char *buf,
                              const char **name)
{
    *name = NULL;
    scry_win_i128 size = scry_win_vad_size(v);
    if (maxsize > 0 && size > maxsize)
        return SCRY_OK; /* "Skip VAD dump ... due to maxsize limit" */
    if (size > INT64_MAX) {
        scry_op_say(pc->op, SCRY_DIAG_WARNING, SCRY_ERR_LIMIT,
                    "VAD at 0x%" PRIx64 " of PID %" PRId64 " not dumped: it spans more than"
                    " 2^63 bytes", scry_win_canon(v->va), pid);
        return SCRY_OK;
    }
    if (!pc->output_dir) {
        scry_op_say(pc->op, SCRY_DIAG_WARNING, SCRY_ERR_UNSUPPORTED,
                    "VAD 0x%" PRIx64 "-0x%" PRIx64 " of PID %" PRId64
                    " not dumped: this run has no output directory", v->start, v->end, pid);
        return SCRY_OK;
    }
    /* f"pid.{proc_id}.vad.{vad_start:#x}-{vad_end:#x}.dmp": no separator or
     * control byte can appear in it. */
    char s[40], e[40];
    if (v->start_hi)
        snprintf(s, sizeof s, "%" PRIx64 "%016" PRIx64, v->start_hi, v->start);
    else
        snprintf(s, sizeof s, "%" PRIx64, v->start);
    if (v->end_hi)
        snprintf(e, sizeof e, "%" PRIx64 "%016" PRIx64, v->end_hi, v->end);
    else
        snprintf(e, sizeof e, "%" PRIx64, v->end);
    snprintf(buf, 128, "pid.%" PRId64 ".vad.0x%s-0x%s.dmp", pid, s, e);
    char final[300]; /* the row names the preferred name, as Volatility's does */
    int fd = scry_dump_create(pc->output_dir, buf, final, sizeof final);
    if (fd < 0) {
        scry_op_say(pc->op, SCRY_DIAG_WARNING, SCRY_ERR_IO, "%s/%s: cannot create: %s",
                    pc->output_dir, buf, strerror(errno));
        return SCRY_OK;
    }
    struct dump_ctx c = {.ps = ps, .op = pc->op, .fd = fd, .start = v->start};
    scry_status st = SCRY_OK;
    if (size > 0) {
        /* Only mapped pages are read (the rest is a hole of zeros, as
         * read(pad=True) gives), so a huge sparse VAD costs its mapped pages. */
        if (!(c.buf = malloc(CHUNK))) {
            close(fd);
            return scry_err(SCRY_ERR_NOMEM, "out of memory");
        }
        uint64_t end = v->start + (uint64_t)size, top = scry_vspace_mask(ps);
        if (ftruncate(fd, (off_t)size) != 0)
            c.failed = 1;
        else if (!v->start_hi && v->start <= top) /* above 2^64: all zeros */
            st = scry_vspace_enumerate(ps, v->start, end < v->start ? UINT64_MAX : end, 0,
                                       dump_range, &c);
        free(c.buf);
        if (st == SCRY_ERR_LIMIT || st == SCRY_ERR_CORRUPT) {
            scry_op_report(pc->op, SCRY_DIAG_WARNING, st, "%s: the dump may be incomplete", buf);
            st = SCRY_OK;
        }
        if (st == SCRY_OK)
            st = c.st;
    }
    if (close(fd) != 0)
        c.failed = 1;
    if (st != SCRY_OK)
        return st;
    if (c.failed) {
        scry_op_say(pc->op, SCRY_DIAG_WARNING, SCRY_ERR_IO, "%s/%s: cannot write: %s",
                    pc->output_dir, buf, strerror(errno));
        return SCRY_OK;
    }
    *name = buf;
    return SCRY_OK;
}
