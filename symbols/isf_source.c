/* isf_source.c - stored ISF bytes (a file or a memory block) as a stream of
 * decoded JSON text chunks, for the table builder and the identifier.
 *
 * The stored bytes come from a file (read in 64 KiB slices) or a memory
 * block; their first bytes tell xz (liblzma), gzip/zlib (zlib) and plain JSON
 * apart, so the name's extension does not matter. Plain JSON is handed over
 * as it is read. Compressed input is decoded in a second thread (pthreads)
 * into a small ring of chunk buffers while the calling thread parses, so
 * decoding overlaps parsing; the thread is always stopped and joined when
 * the source is freed, and its errors reach the caller in order, with the
 * same message as a serial decode would give. The whole text is never held
 * in memory. */
#include "symbols/isf_source.h"

#include <errno.h>
#include <lzma.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#define ISF_MAX_TEXT ((uint64_t)1 << 30) /* decompressed bytes, a safety bound */
#define XZ_MEMLIMIT ((uint64_t)96 << 20)
#define IN_CHUNK (64u << 10)
#define OUT_CHUNK (128u << 10)

/* ---------------------------------------------------------------- sources */

enum codec { RAW, GZIP, XZ };

/* Compressed input is decoded in a second thread into a small ring of
 * chunk buffers while the calling thread parses, so decoding (about half of
 * the load) overlaps parsing. The ring bounds the memory (RING_SLOTS x
 * RING_CHUNK) and the decoder's lead. Each slot holds the output of whole
 * decoder steps of OUT_CHUNK, the very steps the serial path would take, so
 * the parser sees the same bytes, and an error at the same point, either
 * way. */
/* PIPE_MSG: as long as any scry_err() message. */
enum { RING_SLOTS = 4, RING_CHUNK = 2 * OUT_CHUNK, PIPE_MSG = 1024 };

struct pipe {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t filled; /* the parser waits: a slot filled, or the decoder ended */
    pthread_cond_t freed;  /* the decoder waits: a slot freed, or stop */
    uint8_t *buf[RING_SLOTS];
    size_t len[RING_SLOTS];
    unsigned head;  /* the parser's next (or held) slot */
    unsigned count; /* filled slots, the held one included */
    int held;       /* the parser holds slot head until its next call */
    int done;       /* the decoder ended with dstatus (and msg) */
    int stop;       /* the parser asks the decoder to end */
    scry_status dstatus;
    char msg[PIPE_MSG]; /* the decoder thread's error message */
};

struct isf_source {
    /* the stored bytes: a file descriptor or a memory block */
    int fd;
    const uint8_t *mem;
    size_t mem_len, mem_pos;
    uint8_t *inbuf;
    const uint8_t *in;
    size_t in_len; /* stored bytes fetched, not yet decoded */
    int in_eof;
    /* decoding */
    enum codec codec;
    z_stream z;
    int z_live;
    lzma_stream x;
    int x_live;
    uint8_t *outbuf; /* the serial path's output */
    uint64_t total;
    struct pipe *pipe; /* NULL: decoded in the calling thread */
    int serial;        /* never start a decoder thread */
};

/* Fetches more stored bytes into s->in/in_len (only when both are used). */
static scry_status fetch_stored(struct isf_source *s)
{
    if (s->in_eof)
        return SCRY_OK;
    if (s->mem) {
        /* Decoders take input in bounded slices; a plain memory source is
         * handed over whole, which is zero-copy. */
        size_t n = s->mem_len - s->mem_pos;
        if (s->codec != RAW && n > IN_CHUNK)
            n = IN_CHUNK;
        s->in = s->mem + s->mem_pos;
        s->in_len = n;
        s->mem_pos += n;
        if (s->mem_pos == s->mem_len)
            s->in_eof = 1;
        return SCRY_OK;
    }
    if (s->fd < 0) {
        s->in_eof = 1;
        return SCRY_OK;
    }
    for (;;) {
        ssize_t r = read(s->fd, s->inbuf, IN_CHUNK);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return scry_err(SCRY_ERR_IO, "read: %s", strerror(errno));
        s->in = s->inbuf;
        s->in_len = (size_t)r;
        if (r == 0)
            s->in_eof = 1;
        return SCRY_OK;
    }
}

static scry_status count_out(struct isf_source *s, size_t n)
{
    s->total += n;
    if (s->total > ISF_MAX_TEXT)
        return scry_err(SCRY_ERR_LIMIT, "JSON text larger than 1 GiB");
    return SCRY_OK;
}

static scry_status next_raw(struct isf_source *s, const uint8_t **data, size_t *len)
{
    for (;;) {
        if (s->in_len) {
            *data = s->in;
            *len = s->in_len;
            s->in_len = 0;
            return count_out(s, *len);
        }
        if (s->in_eof) {
            *len = 0;
            return SCRY_OK;
        }
        scry_status st = fetch_stored(s);
        if (st)
            return st;
    }
}

/* One decoder step: up to OUT_CHUNK bytes into out; *len 0 at the end. */
static scry_status step_gzip(struct isf_source *s, uint8_t *out, size_t *len)
{
    for (;;) {
        if (!s->in_len && !s->in_eof) {
            scry_status st = fetch_stored(s);
            if (st)
                return st;
        }
        if (!s->z_live) {
            *len = 0;
            return SCRY_OK;
        }
        s->z.next_in = (Bytef *)s->in;
        s->z.avail_in = (uInt)s->in_len;
        s->z.next_out = out;
        s->z.avail_out = OUT_CHUNK;
        int r = inflate(&s->z, Z_NO_FLUSH);
        size_t used = s->in_len - s->z.avail_in, made = OUT_CHUNK - s->z.avail_out;
        s->in += used;
        s->in_len -= used;
        if (r == Z_STREAM_END) {
            /* Concatenated members are one stream (as gzip -d treats them);
             * anything else after a member is an error from the next one. */
            if (!s->in_len && !s->in_eof) {
                scry_status st = fetch_stored(s);
                if (st)
                    return st;
            }
            if (s->in_len)
                inflateReset(&s->z);
            else
                s->z_live = 0;
        } else if (r == Z_BUF_ERROR && s->in_eof && !s->in_len && !made) {
            return scry_err(SCRY_ERR_CORRUPT, "gzip stream is truncated");
        } else if (r != Z_OK && r != Z_BUF_ERROR) {
            return scry_err(r == Z_MEM_ERROR ? SCRY_ERR_NOMEM : SCRY_ERR_CORRUPT, "gzip: %s",
                            s->z.msg ? s->z.msg : "corrupt data");
        }
        if (made) {
            *len = made;
            return count_out(s, made);
        }
    }
}

static scry_status step_xz(struct isf_source *s, uint8_t *out, size_t *len)
{
    for (;;) {
        if (!s->in_len && !s->in_eof) {
            scry_status st = fetch_stored(s);
            if (st)
                return st;
        }
        if (!s->x_live) {
            *len = 0;
            return SCRY_OK;
        }
        s->x.next_in = s->in;
        s->x.avail_in = s->in_len;
        s->x.next_out = out;
        s->x.avail_out = OUT_CHUNK;
        lzma_ret r = lzma_code(&s->x, s->in_eof && !s->in_len ? LZMA_FINISH : LZMA_RUN);
        size_t used = s->in_len - s->x.avail_in, made = OUT_CHUNK - s->x.avail_out;
        s->in += used;
        s->in_len -= used;
        if (r == LZMA_STREAM_END)
            s->x_live = 0;
        else if (r == LZMA_MEMLIMIT_ERROR)
            return scry_err(SCRY_ERR_LIMIT, "xz: needs more than %llu MiB to decode",
                            (unsigned long long)(XZ_MEMLIMIT >> 20));
        else if (r == LZMA_MEM_ERROR)
            return scry_err(SCRY_ERR_NOMEM, "xz: out of memory");
        else if (r == LZMA_BUF_ERROR)
            return scry_err(SCRY_ERR_CORRUPT, "xz stream is truncated");
        else if (r != LZMA_OK)
            return scry_err(SCRY_ERR_CORRUPT, "xz: %s",
                            r == LZMA_FORMAT_ERROR ? "not an xz stream" : "corrupt data");
        if (made) {
            *len = made;
            return count_out(s, made);
        }
    }
}

static scry_status step_decode(struct isf_source *s, uint8_t *out, size_t *len)
{
    return s->codec == GZIP ? step_gzip(s, out, len) : step_xz(s, out, len);
}

/* The decoder thread: fills free slots in order until the stream ends, an
 * error occurs (kept, message included, for the parser to meet in order) or
 * the parser asks it to stop. Only this thread touches the decoder state
 * until it is joined. */
static void *pipe_main(void *arg)
{
    struct isf_source *s = arg;
    struct pipe *p = s->pipe;
    unsigned tail = 0;
    for (;;) {
        pthread_mutex_lock(&p->mu);
        while (p->count == RING_SLOTS && !p->stop)
            pthread_cond_wait(&p->freed, &p->mu);
        int stop = p->stop;
        pthread_mutex_unlock(&p->mu);
        if (stop)
            return NULL;
        /* The slot is free: the parser reads it only once it is counted. */
        uint8_t *out = p->buf[tail];
        size_t fill = 0, made = 0;
        scry_status st = SCRY_OK;
        while (RING_CHUNK - fill >= OUT_CHUNK) {
            st = step_decode(s, out + fill, &made);
            if (st || !made)
                break;
            fill += made;
        }
        int end = st != SCRY_OK || !made;
        if (st) {
            /* The message is per thread: carry it over. */
            snprintf(p->msg, sizeof p->msg, "%s", scry_last_error());
        }
        pthread_mutex_lock(&p->mu);
        if (fill) {
            p->len[tail] = fill;
            p->count++;
            tail = (tail + 1) % RING_SLOTS;
        }
        if (end) {
            p->dstatus = st;
            p->done = 1;
        }
        pthread_cond_signal(&p->filled);
        pthread_mutex_unlock(&p->mu);
        if (end)
            return NULL;
    }
}

static scry_status next_pipe(struct isf_source *s, const uint8_t **data, size_t *len)
{
    struct pipe *p = s->pipe;
    scry_status st;
    pthread_mutex_lock(&p->mu);
    if (p->held) {
        /* The previous chunk is no longer needed: hand its slot back. */
        p->held = 0;
        p->head = (p->head + 1) % RING_SLOTS;
        p->count--;
        pthread_cond_signal(&p->freed);
    }
    while (!p->count && !p->done)
        pthread_cond_wait(&p->filled, &p->mu);
    if (p->count) {
        *data = p->buf[p->head];
        *len = p->len[p->head];
        p->held = 1;
        pthread_mutex_unlock(&p->mu);
        return SCRY_OK;
    }
    st = p->dstatus;
    pthread_mutex_unlock(&p->mu);
    if (st)
        return scry_err(st, "%s", p->msg); /* written before done was set */
    *len = 0;
    return SCRY_OK;
}

/* Stops the decoder thread wherever it is (a step takes at most OUT_CHUNK
 * of output), joins it and frees the ring. */
static void pipe_close(struct isf_source *s)
{
    struct pipe *p = s->pipe;
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->stop = 1;
    pthread_cond_signal(&p->freed);
    pthread_mutex_unlock(&p->mu);
    pthread_join(p->thread, NULL);
    pthread_cond_destroy(&p->freed);
    pthread_cond_destroy(&p->filled);
    pthread_mutex_destroy(&p->mu);
    free(p->buf[0]);
    free(p);
    s->pipe = NULL;
}

/* Starts the decoder thread; 0 on success. On failure nothing is left
 * behind and the caller decodes serially. */
static int pipe_open(struct isf_source *s)
{
    struct pipe *p = calloc(1, sizeof *p);
    uint8_t *ring = malloc((size_t)RING_SLOTS * RING_CHUNK);
    sigset_t all, old;
    int rc;
    if (!p || !ring)
        goto fail;
    for (unsigned i = 0; i < RING_SLOTS; i++)
        p->buf[i] = ring + (size_t)i * RING_CHUNK;
    if (pthread_mutex_init(&p->mu, NULL))
        goto fail;
    if (pthread_cond_init(&p->filled, NULL)) {
        pthread_mutex_destroy(&p->mu);
        goto fail;
    }
    if (pthread_cond_init(&p->freed, NULL)) {
        pthread_cond_destroy(&p->filled);
        pthread_mutex_destroy(&p->mu);
        goto fail;
    }
    s->pipe = p;
    /* The decoder takes no signals: they stay with the caller's threads. */
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    rc = pthread_create(&p->thread, NULL, pipe_main, s);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc == 0)
        return 0;
    s->pipe = NULL;
    pthread_cond_destroy(&p->freed);
    pthread_cond_destroy(&p->filled);
    pthread_mutex_destroy(&p->mu);
fail:
    free(ring);
    free(p);
    return -1;
}

scry_status isf_source_next(void *src, const uint8_t **data, size_t *len)
{
    struct isf_source *s = src;
    scry_status st;
    if (s->pipe)
        return next_pipe(s, data, len);
    if (s->codec == RAW)
        return next_raw(s, data, len);
    if ((st = step_decode(s, s->outbuf, len)) == SCRY_OK && *len)
        *data = s->outbuf;
    return st;
}

static void source_close(struct isf_source *s)
{
    pipe_close(s); /* first: the thread may be using the decoder */
    if (s->z_live || s->codec == GZIP)
        inflateEnd(&s->z);
    if (s->codec == XZ)
        lzma_end(&s->x);
    free(s->inbuf);
    free(s->outbuf);
}

/* Reads the first stored bytes and sets up the decoder their magic names. */
static scry_status source_open(struct isf_source *s)
{
    static const uint8_t xz_magic[6] = {0xfd, '7', 'z', 'X', 'Z', 0x00};
    scry_status st;
    if (!s->mem && !(s->inbuf = malloc(IN_CHUNK)))
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    s->codec = RAW;
    /* A first slice from memory must see the magic; from a file it is the
     * first read, which a regular file fills. */
    if ((st = fetch_stored(s)))
        return st;
    if (s->mem) {
        /* Undo the slicing decision made for RAW: decoders re-slice. */
        size_t n = s->mem_len;
        if (n >= 2 && ((s->mem[0] == 0x1f && s->mem[1] == 0x8b) ||
                       (n >= 6 && memcmp(s->mem, xz_magic, 6) == 0))) {
            s->mem_pos = 0;
            s->in_eof = 0;
            s->codec = s->mem[0] == 0x1f ? GZIP : XZ;
            if ((st = fetch_stored(s)))
                return st;
        }
    } else if (s->in_len >= 2 && s->in[0] == 0x1f && s->in[1] == 0x8b)
        s->codec = GZIP;
    else if (s->in_len >= 6 && memcmp(s->in, xz_magic, 6) == 0)
        s->codec = XZ;
    if (s->codec == RAW)
        return SCRY_OK;
    if (s->codec == GZIP) {
        /* 15 + 32: a 32 KiB window, gzip or zlib header detected. */
        if (inflateInit2(&s->z, 15 + 32) != Z_OK)
            return scry_err(SCRY_ERR_NOMEM, "gzip: cannot initialise");
        s->z_live = 1;
    } else {
        lzma_stream init = LZMA_STREAM_INIT;
        s->x = init;
        if (lzma_stream_decoder(&s->x, XZ_MEMLIMIT, LZMA_CONCATENATED) != LZMA_OK)
            return scry_err(SCRY_ERR_NOMEM, "xz: cannot initialise");
        s->x_live = 1;
    }
    /* Without a thread (none to be had), decode in this one. */
    if ((s->serial || pipe_open(s) != 0) && !(s->outbuf = malloc(OUT_CHUNK)))
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    return SCRY_OK;
}

scry_status isf_source_open(void *src) { return source_open(src); }

scry_status isf_source_new(int fd, const void *mem, size_t len, int threaded,
                           struct isf_source **out)
{
    struct isf_source *s;
    if (!(s = calloc(1, sizeof *s)))
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    s->fd = fd;
    if (fd < 0) {
        /* non-NULL marks a memory source, an empty one included */
        s->mem = mem ? mem : (const uint8_t *)"";
        s->mem_len = mem ? len : 0;
    }
    s->serial = !threaded;
    *out = s;
    return SCRY_OK;
}

void isf_source_free(struct isf_source *s)
{
    if (!s)
        return;
    source_close(s);
    free(s);
}

