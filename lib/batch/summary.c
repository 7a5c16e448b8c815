/* summary.c - a dump's identity for the dumps table: size, format, OS,
 * kernel and a hash cheap enough for thousands of dumps (the first MiB and
 * the size, not the whole file: it tells dumps apart, it does not prove
 * integrity). */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "lib/base/file.h"
#include "lib/batch/batch.h"

enum { HASH_SPAN = 1 << 20 };

static char *dup_or_null(const char *s) { return s && *s ? strdup(s) : NULL; }

/* "xxh3:" + XXH3_64bits(first min(size, 1 MiB) bytes || size as LE u64).
 * Read in 64 KiB pieces through one buffer that stays in the CPU's cache:
 * a 1 MiB buffer per dump was a MiB of fresh memory for each batch
 * thread's arena to fault in, and a cold destination for every copy. */
static char *file_hash(const char *path, uint64_t size)
{
    enum { PIECE = 64 << 10 };
    unsigned char *buf, le[8];
    size_t want = size < HASH_SPAN ? (size_t)size : HASH_SPAN, got = 0;
    XXH3_state_t *st;
    char *out = NULL;
    int fd = scry_open_evidence(path, O_CLOEXEC);
    if (fd < 0)
        return NULL;
    buf = malloc(PIECE);
    st = XXH3_createState();
    if (buf && st)
        XXH3_64bits_reset(st);
    while (buf && st && got < want) {
        size_t n = want - got < PIECE ? want - got : PIECE;
        ssize_t k = pread(fd, buf, n, (off_t)got);
        if (k <= 0)
            break;
        XXH3_64bits_update(st, buf, (size_t)k);
        got += (size_t)k;
    }
    close(fd);
    free(buf);
    if (!st || got != want) {
        XXH3_freeState(st);
        return NULL;
    }
    for (int i = 0; i < 8; i++)
        le[i] = (unsigned char)(size >> (8 * i));
    XXH3_64bits_update(st, le, sizeof le);
    if ((out = malloc(32)))
        snprintf(out, 32, "xxh3:%016" PRIx64, (uint64_t)XXH3_64bits_digest(st));
    XXH3_freeState(st);
    return out;
}

void scry_dump_summary_fill(struct scry_dump_summary *s, const char *path, scry_dump *d,
                            scry_session *ss, int want_os)
{
    struct stat sb;
    const char *v = NULL;
    memset(s, 0, sizeof *s);
    if (stat(path, &sb) == 0)
        s->size = (uint64_t)sb.st_size;
    s->format = dup_or_null(scry_dump_format(d));
    s->hash = file_hash(path, s->size);
    if (!want_os)
        return;
    /* Detection already ran for a plugin (want_os), so these cost
     * nothing; a failed detection leaves them NULL. */
    if (scry_session_info(ss, "os", &v) == SCRY_OK)
        s->os = dup_or_null(v);
    if (scry_session_info(ss, "banner", &v) == SCRY_OK ||
        scry_session_info(ss, "description", &v) == SCRY_OK)
        s->kernel = dup_or_null(v);
}

void scry_dump_summary_free(struct scry_dump_summary *s)
{
    free(s->format);
    free(s->os);
    free(s->kernel);
    free(s->hash);
    memset(s, 0, sizeof *s);
}
