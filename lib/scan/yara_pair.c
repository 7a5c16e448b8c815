/* yara_pair.c - physical windows scanned on two threads.
 *
 * A scan of physical bytes (the dump's runs, or the physically contiguous
 * chunks of Volatility's layer scan) hands windows here in order; they are
 * queued into batches (up to YARA_BATCH_MAX windows or YARA_BATCH_BYTES),
 * each batch scanned by two threads (the caller's and a helper) taking the
 * next window in turn, and the hits reported in window order, as one
 * thread would report them. (Pairs of windows
 * balanced badly: a kernel space is thousands of one-page chunks between a
 * few 16 MiB ones, and a thread per pair cost more than the pages.) Each window's hits
 * are held until its turn, within a bound (MAX_HITS hits, MAX_DATA bytes
 * of matched data); a window past it is scanned again on the calling
 * thread with its hits reported directly, so the result never depends on
 * the bound. Reads go through the physical layer, which is thread-safe;
 * libyara's rules are shared by both scans.
 *
 * Zero windows: much of a machine's memory is free pages of zeros (half
 * of dev-1k's 512 MiB lies in whole 16 MiB stretches of them). A window
 * that is all zeros gives the same hits as any other zero window of the
 * same length and limit, so the first one's hits (when few and short) are
 * kept and replayed; testing a window for zeros costs a fraction of a
 * libyara pass. */
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/scan/yara_priv.h"

#define MAX_HITS 4096
#define MAX_DATA ((size_t)1 << 20)

struct held_hit {
    uint64_t addr;
    const char *rule, *ns, *string;
    size_t off, len; /* in the job's data */
};

struct job {
    struct yara_pair *x;
    struct yara_win w;
    const uint8_t *view; /* zero-copy bytes, or NULL */
    struct held_hit *hits;
    size_t nhits, cap;
    uint8_t *data;
    size_t ndata, dcap;
    int overflow, too_many, skipped;
    uint64_t bad_pages; /* searched as zeros (zero_bad_pages); msg: the first */
    scry_status st;
    char msg[256];
};

void yara_pair_init(struct yara_pair *x, const struct scry_yara_rules *r, struct scry_phys *p,
                    int zero_bad_pages, scry_yara_hit_fn fn, void *user)
{
    memset(x, 0, sizeof *x);
    x->r = r, x->p = p, x->zero_bad_pages = zero_bad_pages, x->fn = fn, x->user = user;
    pthread_mutex_init(&x->zlock, NULL);
}

void yara_pair_free(struct yara_pair *x)
{
    for (int i = 0; i < 2; i++)
        free(x->buf[i]);
    pthread_mutex_destroy(&x->zlock);
}

/* Matched data of a zero window: zeros (a memo hit is at most MEMO_DATA). */
static const uint8_t zeros[ZMEMO_DATA];

static int all_zero(const uint8_t *d, size_t n)
{
    size_t i = 0;
    for (; i < n && ((uintptr_t)(d + i) & 7); i++)
        if (d[i])
            return 0;
    for (; i + 32 <= n; i += 32) {
        uint64_t w[4];
        memcpy(w, d + i, sizeof w);
        if (w[0] | w[1] | w[2] | w[3])
            return 0;
    }
    for (; i < n; i++)
        if (d[i])
            return 0;
    return 1;
}

static int hold(void *user, const struct scry_yara_hit *h);

/* The zero memo's answer for (n, limit) replayed into j; 0 when it has
 * none. */
static int zero_lookup(struct job *j)
{
    struct yara_pair *x = j->x;
    int found = 0;
    pthread_mutex_lock(&x->zlock);
    for (size_t i = 0; i < ZMEMO_SLOTS && !found; i++) {
        const struct zmemo *z = &x->zmemo[i];
        if (!z->used || z->n != j->w.n || z->limit != j->w.limit)
            continue;
        found = 1;
        for (size_t k = 0; k < z->nhits; k++) {
            struct scry_yara_hit h = {.addr = j->w.base + z->hits[k].off,
                                      .rule = z->hits[k].rule, .ns = z->hits[k].ns,
                                      .string = z->hits[k].string, .data = zeros,
                                      .len = z->hits[k].len};
            hold(j, &h);
        }
    }
    pthread_mutex_unlock(&x->zlock);
    return found;
}

static void zero_store(struct job *j)
{
    struct yara_pair *x = j->x;
    if (j->overflow || j->too_many || j->nhits > ZMEMO_HITS)
        return;
    for (size_t k = 0; k < j->nhits; k++)
        if (j->hits[k].len > ZMEMO_DATA)
            return;
    pthread_mutex_lock(&x->zlock);
    struct zmemo *z = &x->zmemo[x->znext++ % ZMEMO_SLOTS];
    z->used = 1, z->n = j->w.n, z->limit = j->w.limit, z->nhits = j->nhits;
    for (size_t k = 0; k < j->nhits; k++) {
        z->hits[k].off = (size_t)(j->hits[k].addr - j->w.base);
        z->hits[k].rule = j->hits[k].rule;
        z->hits[k].ns = j->hits[k].ns;
        z->hits[k].string = j->hits[k].string;
        z->hits[k].len = j->hits[k].len;
    }
    pthread_mutex_unlock(&x->zlock);
}

static int hold(void *user, const struct scry_yara_hit *h)
{
    struct job *j = user;
    if (j->nhits == MAX_HITS || j->ndata + h->len > MAX_DATA) {
        j->overflow = 1;
        return 1;
    }
    if (j->nhits == j->cap) {
        size_t cap = j->cap ? 2 * j->cap : 16;
        struct held_hit *v = realloc(j->hits, cap * sizeof *v);
        if (!v) {
            j->overflow = 1; /* rescanned directly: no memory needed */
            return 1;
        }
        j->hits = v, j->cap = cap;
    }
    if (j->ndata + h->len > j->dcap) {
        size_t cap = j->dcap ? 2 * j->dcap : 1024;
        while (cap < j->ndata + h->len)
            cap *= 2;
        uint8_t *d = realloc(j->data, cap);
        if (!d) {
            j->overflow = 1;
            return 1;
        }
        j->data = d, j->dcap = cap;
    }
    memcpy(j->data + j->ndata, h->data, h->len);
    j->hits[j->nhits++] = (struct held_hit){h->addr, h->rule, h->ns, h->string, j->ndata, h->len};
    j->ndata += h->len;
    return 0;
}

/* The window's bytes: a zero-copy view, else read into buf. Returns NULL
 * (j->skipped, j->msg) when they cannot be read and bad pages are not
 * zeroed, or on a failed allocation (j->st). */
static const uint8_t *window_bytes(struct job *j, uint8_t **buf)
{
    struct scry_phys *p = j->x->p;
    size_t holes = 0, n = j->w.n;
    if (p->ops->direct && n >= SCRY_DIRECT_MIN && (j->view = p->ops->direct(p, j->w.pa, n)))
        return j->view;
    if (!*buf && !(*buf = malloc(SCRY_YARA_WINDOW + SCRY_YARA_OVERLAP))) {
        j->st = scry_err(SCRY_ERR_NOMEM, "out of memory for a YARA scan window");
        return NULL;
    }
    scry_status st = scry_phys_read(p, j->w.pa, *buf, n, &holes);
    if (st == SCRY_OK)
        return *buf;
    if (!j->x->zero_bad_pages) {
        j->skipped = 1;
        snprintf(j->msg, sizeof j->msg, "%s", scry_last_error());
        return NULL;
    }
    /* Pages that cannot be decoded are searched as zeros rather than
     * ending the scan of the rest (scry_scan_phys does the same); they are
     * counted for the caller's WARNING. */
    for (size_t off = 0; off < n; off += SCRY_PAGE_SIZE) {
        size_t k = n - off < SCRY_PAGE_SIZE ? n - off : SCRY_PAGE_SIZE;
        if (scry_phys_read(p, j->w.pa + off, *buf + off, k, &holes) != SCRY_OK) {
            if (!j->bad_pages++)
                snprintf(j->msg, sizeof j->msg, "%s", scry_last_error());
            memset(*buf + off, 0, k);
        }
    }
    return *buf;
}

static void release(struct job *j)
{
    if (j->view && j->x->p->file)
        scry_file_drop(j->x->p->file, j->view, j->w.n);
    j->view = NULL;
}

/* Scans j's window holding its hits; buf is the job's slot buffer. */
static void run_job(struct job *j, uint8_t **buf)
{
    const uint8_t *d = window_bytes(j, buf);
    if (!d)
        return;
    int zero = all_zero(d, j->w.n);
    if (zero && zero_lookup(j)) {
        release(j);
        return;
    }
    int stopped = 0;
    j->st = scry_yara_scan_limited(j->x->r, d, j->w.n, j->w.limit, j->w.base, hold, j, &stopped,
                                   &j->too_many);
    if (j->st != SCRY_OK)
        snprintf(j->msg, sizeof j->msg, "%s", scry_last_error());
    else if (zero)
        zero_store(j);
    release(j);
}

/* One thread's share of a batch: it takes the next job not yet taken
 * until none is left (so the two threads balance themselves: with zero
 * blocks left out, a window's bytes say little about its work), scanning
 * with its own buffer. */
struct run {
    struct job *jobs;
    size_t n;
    atomic_size_t *next;
    uint8_t **buf;
};

static void *run_jobs(void *arg)
{
    struct run *r = arg;
    for (size_t i; (i = atomic_fetch_add(r->next, 1)) < r->n;)
        run_job(&r->jobs[i], r->buf);
    return NULL;
}

/* Reports j's hits in order (or rescans it when they did not fit). */
static scry_status report(struct yara_pair *x, struct job *j, uint8_t **buf)
{
    x->too_many |= j->too_many;
    if (j->bad_pages && !x->bad_pages++)
        snprintf(x->first_skip, sizeof x->first_skip, "0x%" PRIx64 ": %s", j->w.base, j->msg);
    if (j->bad_pages)
        x->bad_pages += j->bad_pages - 1;
    if (j->skipped) {
        if (!x->skipped++)
            snprintf(x->first_skip, sizeof x->first_skip, "0x%" PRIx64 ": %s", j->w.base, j->msg);
        return SCRY_OK;
    }
    if (j->st != SCRY_OK)
        return j->msg[0] ? scry_err(j->st, "%s", j->msg) : j->st;
    if (j->overflow) {
        struct job again = {.x = x, .w = j->w};
        const uint8_t *d = window_bytes(&again, buf);
        if (!d)
            return again.st != SCRY_OK ? again.st : SCRY_OK;
        int stopped = 0;
        scry_status st = scry_yara_scan_limited(x->r, d, j->w.n, j->w.limit, j->w.base, x->fn,
                                                x->user, &stopped, &x->too_many);
        release(&again);
        x->stopped = stopped;
        return st;
    }
    for (size_t i = 0; i < j->nhits; i++) {
        const struct held_hit *h = &j->hits[i];
        struct scry_yara_hit hit = {.addr = h->addr, .rule = h->rule, .ns = h->ns,
                                    .string = h->string, .data = j->data + h->off,
                                    .len = h->len};
        if (x->fn(x->user, &hit)) {
            x->stopped = 1;
            break;
        }
    }
    return SCRY_OK;
}

static scry_status run_pending(struct yara_pair *x)
{
    struct job j[YARA_BATCH_MAX];
    size_t n = x->npending;
    atomic_size_t next;
    pthread_t t;
    int threaded = 0;
    scry_status st = SCRY_OK;
    for (size_t i = 0; i < n; i++)
        j[i] = (struct job){.x = x, .w = x->pending[i]};
    x->npending = 0;
    x->pending_bytes = 0;
    atomic_init(&next, 0);
    struct run mine = {j, n, &next, &x->buf[0]}, theirs = {j, n, &next, &x->buf[1]};
    if (n > 1)
        threaded = pthread_create(&t, NULL, run_jobs, &theirs) == 0;
    run_jobs(&mine);
    if (threaded)
        pthread_join(t, NULL);
    for (size_t i = 0; i < n && st == SCRY_OK && !x->stopped; i++)
        st = report(x, &j[i], &x->buf[0]);
    for (size_t i = 0; i < n; i++) {
        free(j[i].hits);
        free(j[i].data);
    }
    return st;
}

scry_status yara_pair_add(struct yara_pair *x, const struct yara_win *w)
{
    if (x->stopped)
        return SCRY_OK;
    x->pending[x->npending++] = *w;
    x->pending_bytes += w->n;
    if (x->npending == YARA_BATCH_MAX || x->pending_bytes >= YARA_BATCH_BYTES)
        return run_pending(x);
    return SCRY_OK;
}

scry_status yara_pair_flush(struct yara_pair *x)
{
    return x->npending && !x->stopped ? run_pending(x) : SCRY_OK;
}
