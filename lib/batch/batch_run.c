/* batch_run.c - running a batch: workers open dumps ahead, run every
 * plugin on the costliest one open, and leave their records in a ring; the
 * caller's thread passes them to the callback in dump order (with one
 * worker, that worker is the caller's thread and delivers between dumps).
 *
 * Order without holding everything: a finished dump waits in a ring of
 * `window` slots (8 per thread; at least LOOKAHEAD with more than one
 * worker) until every earlier dump was delivered; no dump a whole window
 * ahead of the next one to deliver is opened or run. So at most `window`
 * dumps' results are held at once, and a slow dump stalls the others only
 * once they are a whole window ahead. Why 8: with 2 per thread, one slow
 * dump (dev-1k.kdump decompresses for 0.19 s) left the other thread idle
 * after three quick dumps (1.40x on 2 threads; 1.66x with 8,
 * bench/batch.sh).
 *
 * Due first, then longest first: a worker first opens the next unopened
 * dump of the window (scry_dump_open only reads headers: 0.03-2 ms), which
 * gives its scry_dump_work_estimate, until 2 per thread (with more than one
 * worker, at least LOOKAHEAD) wait opened; then it runs the next dump to
 * deliver when it waits, else the one with the largest estimate (one
 * worker: the first, in list order). Longest first alone ran the corpus
 * batch's small dev-small.lime (2nd of 21) last at -j 2, so every other
 * dump's records (20 MB of JSON, and their rows) waited for it: peak RSS
 * 102 MiB against 69 at -j 1, 16,000 page faults against 8,100. Taking
 * the due dump first still leaves the big ones to longest first (a worker
 * finds the due one already running most of the time), and the records go
 * out as they come: 13,400 faults, the same makespan. With
 * LOOKAHEAD below the list's length the order is longest first among the
 * next LOOKAHEAD dumps, not over the whole list: with 4 open ahead at -j 2
 * the corpus batch's costliest dump (dev-1k.kdump-flat, 17th of 21) ran
 * late, and a tail of small dumps left one thread idle for 15-50 ms. The
 * bound keeps the descriptors and mappings of a wide batch at 3 dumps per
 * thread (a window's worth at -j 128 would pass the usual limit of 1,024
 * open files); 32 open dumps cost about 5 MiB (bench_open64). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/error.h"
#include "lib/batch/batch.h"
#include "lib/plugins/plugin.h"
#include "lib/rows/rows.h"

/* Dumps opened ahead and ring slots, at least: see above. */
enum { LOOKAHEAD = 32 };

struct held_run {
    scry_status st;
    char *msg;
    scry_result *result;
    char *text; /* the rows rendered by the worker (scry_batch_set_render) */
    size_t text_len;
};

/* One dump's records until its turn. */
struct held_dump {
    int ready;
    int waiting;          /* opened ahead (or failed to open), not yet run */
    scry_dump *opened;    /* opened ahead, until a worker runs it */
    uint64_t estimate;    /* its scry_dump_work_estimate */
    size_t owner; /* the worker that made it, which frees it */
    scry_status open_st;
    char *open_msg;
    struct scry_dump_summary sum;
    struct held_run *runs; /* one per plugin; fewer ran when cancelled */
};

struct garbage {
    struct held_dump h;
    struct garbage *next;
};

struct runner {
    const struct scry_batch *b;
    const char *const *paths;
    size_t n;
    scry_batch_fn fn;
    void *user;
    pthread_mutex_t mu;
    pthread_cond_t cv;     /* workers wait on it: a dump opened, the window moved */
    pthread_cond_t due_cv; /* the caller's thread waits on it: the next dump to
                            * deliver is ready, or a worker left */
    size_t next_open, next_deliver, window;
    size_t open_ahead, max_ahead; /* dumps opened and not yet run, its bound */
    int caller_delivers; /* more than one worker: the caller's thread delivers */
    size_t workers_left; /* started and not yet returned */
    atomic_int stop;
    struct held_dump *ring;
    struct garbage **garbage; /* per worker: delivered, for it to free */
};

struct worker_arg {
    struct runner *r;
    size_t index;
};

static char *last_error_copy(void)
{
    const char *m = scry_last_error();
    return strdup(m ? m : "");
}

static void held_free(struct held_dump *h, size_t nplugins)
{
    for (size_t k = 0; h->runs && k < nplugins; k++) {
        free(h->runs[k].msg);
        free(h->runs[k].text);
        scry_result_free(h->runs[k].result);
    }
    free(h->runs);
    free(h->open_msg);
    scry_dump_close(h->opened);
    scry_dump_summary_free(&h->sum);
    memset(h, 0, sizeof *h);
}

/* A run's progress: the batch's stop flag, so a cancelled batch does not
 * wait for a long scan to finish. */
static int run_tick(void *user, uint64_t done, uint64_t total)
{
    struct runner *r = user;
    (void)done;
    (void)total;
    return atomic_load(&r->stop);
}

static void fail_open(struct held_dump *h, scry_status st, char *msg)
{
    h->open_st = st;
    h->open_msg = msg;
}

/* Runs every plugin on dump i (d, opened ahead; NULL when that failed with
 * h->open_st) and closes it: h holds the outcome. */
static void process(struct runner *r, size_t i, scry_dump *d, struct held_dump *h)
{
    const struct scry_batch *b = r->b;
    scry_session *s = NULL;
    scry_runctx *run = NULL;
    scry_status st;
    int want_os = 0;
    if (h->open_st != SCRY_OK)
        return;
    if (!(h->runs = calloc(b->nplugins, sizeof *h->runs))) {
        fail_open(h, SCRY_ERR_NOMEM, strdup("out of memory"));
        scry_dump_close(d);
        return;
    }
    st = scry_session_open(b->ctx, d, &s);
    if (st == SCRY_OK && (st = scry_runctx_new(&run)) == SCRY_OK)
        st = scry_runctx_set_progress(run, run_tick, r);
    if (st != SCRY_OK) {
        fail_open(h, st, last_error_copy());
        goto out;
    }
    for (size_t k = 0; k < b->nplugins && !atomic_load(&r->stop); k++) {
        const struct scry_batch_plugin *p = &b->plugins[k];
        struct held_run *hr = &h->runs[k];
        if (p->p->os)
            want_os = 1;
        hr->st = scry_plugin_run(s, p->p->name, p->argc, (const char *const *)p->argv, run,
                                 &hr->result);
        if (hr->st == SCRY_OK && b->render)
            hr->st = scry_batch_render(hr->result, b->render, r->paths[i], p->p->name, &hr->text,
                                       &hr->text_len);
        if (hr->st == SCRY_OK && b->render && !b->keep_rows)
            scry_result_drop_rows(hr->result);
        if (hr->st != SCRY_OK) {
            hr->msg = last_error_copy();
            scry_result_free(hr->result);
            hr->result = NULL;
        }
    }
    scry_dump_summary_fill(&h->sum, r->paths[i], d, s, want_os);
out:
    scry_runctx_free(run);
    scry_session_close(s);
    scry_dump_close(d);
}

static int emit(struct runner *r, const scry_batch_record *rec)
{
    if (r->fn(r->user, rec) != 0) {
        atomic_store(&r->stop, 1);
        return 1;
    }
    return 0;
}

/* The records of dump i, in their documented order. */
static void deliver(struct runner *r, size_t i, struct held_dump *h)
{
    const struct scry_batch *b = r->b;
    scry_batch_record rec = {.kind = SCRY_BATCH_DUMP, .dump_index = i, .dump_path = r->paths[i]};
    rec.status = h->open_st;
    rec.message = h->open_msg;
    if (h->open_st == SCRY_OK) {
        rec.size = h->sum.size;
        rec.format = h->sum.format;
        rec.os = h->sum.os;
        rec.kernel = h->sum.kernel;
        rec.hash = h->sum.hash;
    }
    if (emit(r, &rec))
        return;
    for (size_t k = 0; h->open_st == SCRY_OK && k < b->nplugins; k++) {
        struct held_run *hr = &h->runs[k];
        scry_batch_record rr = {.kind = SCRY_BATCH_RESULT, .dump_index = i,
                                .dump_path = r->paths[i], .plugin_index = k,
                                .plugin = b->plugins[k].p->name, .status = hr->st,
                                .message = hr->msg, .result = hr->result,
                                .text = hr->text, .text_len = hr->text_len};
        if (emit(r, &rr))
            return;
    }
    rec = (scry_batch_record){.kind = SCRY_BATCH_DUMP_END, .dump_index = i,
                              .dump_path = r->paths[i], .status = h->open_st,
                              .message = h->open_msg};
    if (emit(r, &rec))
        return;
    if (b->progress && b->progress(b->progress_user, i + 1, r->n) != 0)
        atomic_store(&r->stop, 1);
}

/* Called with mu held, by the one delivering thread (the caller's): delivers
 * every dump whose turn has come. mu is released around the callbacks. */
static void deliver_ready(struct runner *r)
{
    while (!atomic_load(&r->stop) && r->next_deliver < r->n &&
           r->ring[r->next_deliver % r->window].ready) {
        size_t i = r->next_deliver++;
        struct held_dump h = r->ring[i % r->window];
        struct garbage *g;
        memset(&r->ring[i % r->window], 0, sizeof h);
        pthread_cond_broadcast(&r->cv); /* the window moved on */
        pthread_mutex_unlock(&r->mu);
        deliver(r, i, &h);
        /* The rendered text is most of a dump's memory: freed now, it goes
         * back to its worker's arena before that worker's next dump needs
         * it. Left to the worker, it was freed after that dump too, and at
         * -j 2 the two arenas grew to 28 MiB instead of 24 (about 1,100
         * page faults a corpus batch). A few large blocks per dump: the
         * arena lock is rarely met. */
        for (size_t k = 0; h.runs && k < r->b->nplugins; k++) {
            free(h.runs[k].text);
            h.runs[k].text = NULL;
        }
        g = malloc(sizeof *g);
        if (!g)
            held_free(&h, r->b->nplugins);
        pthread_mutex_lock(&r->mu);
        if (g) {
            g->h = h;
            g->next = r->garbage[h.owner];
            r->garbage[h.owner] = g;
        }
    }
}

static void free_garbage(struct garbage *g, size_t nplugins)
{
    while (g) {
        struct garbage *next = g->next;
        held_free(&g->h, nplugins);
        free(g);
        g = next;
    }
}

/* Called with mu held: the dump to run next among those opened and waiting
 * (see the top of the file): the next to deliver, else the one with the
 * largest estimate (the first of equals); n when none waits. One worker
 * takes them in list order: there is nothing to balance, and each dump's
 * records go out as soon as it is done. */
static size_t next_to_run(const struct runner *r)
{
    size_t best = r->n, due = r->next_deliver;
    /* Done but not yet delivered (the caller's thread may not have woken):
     * the one after it is due. */
    while (due < r->next_open && r->ring[due % r->window].ready)
        due++;
    if (due < r->next_open && r->ring[due % r->window].waiting)
        return due;
    for (size_t j = r->next_deliver; j < r->next_open; j++) {
        const struct held_dump *h = &r->ring[j % r->window];
        if (!h->waiting)
            continue;
        if (!r->caller_delivers)
            return j;
        if (best == r->n || h->estimate > r->ring[best % r->window].estimate)
            best = j;
    }
    return best;
}

/* Opens dump i ahead (mu released around it) into its slot. */
static void open_ahead(struct runner *r, size_t i)
{
    scry_dump *d = NULL;
    scry_status st;
    char *msg = NULL;
    pthread_mutex_unlock(&r->mu);
    st = scry_dump_open(r->b->ctx, r->paths[i], &d);
    if (st != SCRY_OK)
        msg = last_error_copy();
    pthread_mutex_lock(&r->mu);
    struct held_dump *h = &r->ring[i % r->window];
    h->waiting = 1;
    h->opened = d;
    h->open_st = st;
    h->open_msg = msg;
    h->estimate = scry_dump_work_estimate(d);
    pthread_cond_broadcast(&r->cv);
}

static void *worker(void *arg)
{
    struct worker_arg *wa = arg;
    struct runner *r = wa->r;
    for (;;) {
        struct held_dump h = {0}, *slot;
        struct garbage *mine;
        scry_dump *d = NULL;
        size_t i = r->n;
        int due;
        pthread_mutex_lock(&r->mu);
        while (!atomic_load(&r->stop)) {
            if (r->next_open < r->n && r->next_open < r->next_deliver + r->window &&
                r->open_ahead < r->max_ahead) {
                size_t j = r->next_open++;
                r->open_ahead++;
                open_ahead(r, j);
                continue;
            }
            if ((i = next_to_run(r)) < r->n || r->next_open >= r->n)
                break; /* a dump to run, or none left to open: done */
            pthread_cond_wait(&r->cv, &r->mu);
        }
        mine = r->garbage[wa->index];
        r->garbage[wa->index] = NULL;
        if (atomic_load(&r->stop))
            i = r->n;
        if (i < r->n) {
            slot = &r->ring[i % r->window];
            slot->waiting = 0;
            r->open_ahead--;
            h.open_st = slot->open_st;
            h.open_msg = slot->open_msg;
            d = slot->opened;
            slot->opened = NULL;
            slot->open_msg = NULL;
        }
        if (i >= r->n) {
            r->workers_left--;
            pthread_cond_broadcast(&r->cv); /* a worker waiting may have to leave too */
        }
        pthread_mutex_unlock(&r->mu);
        free_garbage(mine, r->b->nplugins);
        if (i >= r->n) {
            pthread_cond_signal(&r->due_cv); /* the deliverer may be waiting for us */
            return NULL;
        }
        process(r, i, d, &h);
        h.owner = wa->index;
        pthread_mutex_lock(&r->mu);
        h.ready = 1;
        r->ring[i % r->window] = h;
        due = i == r->next_deliver;
        if (!r->caller_delivers)
            deliver_ready(r);
        pthread_cond_broadcast(&r->cv);
        pthread_mutex_unlock(&r->mu);
        /* Only the dump next in order wakes the deliverer, and after the
         * unlock: woken under it, the deliverer took this CPU, blocked on
         * the mutex, and was woken again by the unlock (four switches per
         * dump). */
        if (due && r->caller_delivers)
            pthread_cond_signal(&r->due_cv);
    }
}

/* With more than one worker the caller's thread only delivers, as dumps
 * become ready, until every dump was delivered, a callback stopped the
 * batch, or no worker is left. A worker that delivered stopped running
 * dumps for as long as the callback wrote: with the longest dumps first,
 * the small early ones finish late and their records go out in one burst
 * (10 ms of a 250 ms corpus batch, one thread idle meanwhile). */
static void deliver_loop(struct runner *r)
{
    pthread_mutex_lock(&r->mu);
    for (;;) {
        deliver_ready(r);
        if (atomic_load(&r->stop) || r->next_deliver >= r->n || !r->workers_left)
            break;
        pthread_cond_wait(&r->due_cv, &r->mu);
    }
    pthread_mutex_unlock(&r->mu);
}

scry_status scry_batch_run(scry_batch *b, const char *const *paths, size_t n, scry_batch_fn fn,
                           void *user)
{
    struct runner r = {.b = b, .paths = paths, .n = n, .fn = fn, .user = user};
    pthread_t *tids = NULL;
    struct worker_arg *args = NULL;
    size_t nthreads, started = 0;
    scry_status st = SCRY_OK;
    if (!b || !fn || (n && !paths))
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_batch_run: NULL argument");
    if (!b->nplugins)
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_batch_run: no plugin in the batch");
    for (size_t i = 0; i < n; i++)
        if (!paths[i])
            return scry_err(SCRY_ERR_INVALID_ARG, "scry_batch_run: NULL path %zu", i);
    nthreads = b->threads < n ? b->threads : n;
    if (!nthreads)
        nthreads = 1;
    r.window = 8 * nthreads;
    r.max_ahead = 2 * nthreads;
    if (nthreads > 1) { /* one worker runs them in order: no look ahead */
        r.window = r.window > LOOKAHEAD ? r.window : LOOKAHEAD;
        r.max_ahead = r.max_ahead > LOOKAHEAD ? r.max_ahead : LOOKAHEAD;
    }
    atomic_init(&r.stop, 0);
    if (!(r.ring = calloc(r.window, sizeof *r.ring)) ||
        !(r.garbage = calloc(nthreads, sizeof *r.garbage)) ||
        !(args = calloc(nthreads, sizeof *args)) ||
        (nthreads > 1 && !(tids = calloc(nthreads, sizeof *tids)))) {
        free(r.ring);
        free(r.garbage);
        free(args);
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    }
    for (size_t t = 0; t < nthreads; t++)
        args[t] = (struct worker_arg){.r = &r, .index = t};
    pthread_mutex_init(&r.mu, NULL);
    pthread_cond_init(&r.cv, NULL);
    pthread_cond_init(&r.due_cv, NULL);
    /* The first call tells the caller the batch starts; it may cancel
     * before any dump is opened. */
    if (b->progress && b->progress(b->progress_user, 0, n) != 0)
        atomic_store(&r.stop, 1);
    if (nthreads == 1) {
        worker(&args[0]);
    } else {
        r.caller_delivers = 1;
        r.workers_left = nthreads;
        for (; started < nthreads; started++)
            if (pthread_create(&tids[started], NULL, worker, &args[started]) != 0)
                break;
        pthread_mutex_lock(&r.mu);
        r.workers_left -= nthreads - started; /* those never started */
        pthread_mutex_unlock(&r.mu);
        if (!started)
            st = scry_err(SCRY_ERR_LIMIT, "cannot start a batch thread");
        else
            deliver_loop(&r);
        for (size_t t = 0; t < started; t++)
            pthread_join(tids[t], NULL);
    }
    /* Dumps finished after a stop were never delivered; what was delivered
     * after its worker left is freed here. */
    for (size_t k = 0; k < r.window; k++)
        held_free(&r.ring[k], b->nplugins);
    for (size_t t = 0; t < nthreads; t++)
        free_garbage(r.garbage[t], b->nplugins);
    pthread_cond_destroy(&r.cv);
    pthread_cond_destroy(&r.due_cv);
    pthread_mutex_destroy(&r.mu);
    free(r.ring);
    free(r.garbage);
    free(args);
    free(tids);
    if (st == SCRY_OK && atomic_load(&r.stop))
        st = scry_err(SCRY_ERR_CANCELLED, "the batch was cancelled by its callback");
    return st;
}
