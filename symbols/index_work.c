/* index_work.c - hashing and identifying new or changed files for the
 * identifier index, on worker threads (pthreads) that pull rows from a
 * shared atomic counter; a file whose bytes a known row already has is
 * re-keyed to it instead of identified again. */
#include "symbols/index_rows.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xxhash.h>

#include "symbols/isf_cache.h"

#include "symbols/identify.h"
#include "symbols/zip.h"

/* ------------------------------------------------------------- the work */

struct hashmap {
    struct row **slot; /* rows by e.hash, open addressing */
    size_t mask;
};

static int hashmap_build(struct hashmap *h, struct row **rows, size_t n)
{
    size_t cap = 64;
    while (cap < n * 2)
        cap *= 2;
    if (!(h->slot = calloc(cap, sizeof *h->slot)))
        return -1;
    h->mask = cap - 1;
    for (size_t i = 0; i < n; i++) {
        size_t j = (size_t)rows[i]->e.hash & h->mask;
        while (h->slot[j])
            j = (j + 1) & h->mask;
        h->slot[j] = rows[i];
    }
    return 0;
}

static const struct row *hashmap_find(const struct hashmap *h, uint64_t hash)
{
    for (size_t j = (size_t)hash & h->mask; h->slot[j]; j = (j + 1) & h->mask)
        if (h->slot[j]->e.hash == hash)
            return h->slot[j];
    return NULL;
}

struct job {
    struct scry_symindex *ix;
    struct row **todo;
    size_t ntodo;
    _Atomic size_t next;
    const struct hashmap *known; /* read-only while the workers run */
};

static int set_error(struct row *r)
{
    const char *m = scry_last_error();
    r->e.error = strdup(*m ? m : "cannot identify");
    return r->e.error ? 0 : -1;
}

/* One row: hash, then re-key to a known row of the same bytes or
 * identify. Failures become the row's error. Returns -1 only when out of
 * memory for the error text itself. */
static int do_row(struct job *j, struct row *r)
{
    struct scry_isf_ident id;
    uint8_t *buf = NULL;
    size_t len = 0;
    scry_status st;
    const struct row *same;
    if (r->e.loc.member) {
        st = scry_zip_read(r->e.loc.path, r->e.loc.member, SCRY_SYMINDEX_MAX_MEMBER, &buf, &len);
        if (st == SCRY_OK)
            r->e.hash = XXH3_64bits(buf, len);
    } else {
        uint64_t bytes;
        st = scry_isfc_key_file(r->e.loc.path, &r->e.hash, &bytes);
    }
    if (st != SCRY_OK) {
        free(buf);
        return set_error(r);
    }
    if ((same = hashmap_find(j->known, r->e.hash)) != NULL) {
        free(buf);
        atomic_fetch_add(&j->ix->rekeyed, 1);
        return ix_row_copy_ident(r, same);
    }
    atomic_fetch_add(&j->ix->identified, 1);
    if (r->e.loc.member) {
        st = scry_isf_identify_mem(buf, len, &id);
        if (st != SCRY_OK)
            scry_err_ctx(st, "%s!%s", r->e.loc.path, r->e.loc.member);
    } else {
        st = scry_isf_identify(r->e.loc.path, NULL, 0, &id);
    }
    free(buf);
    if (st != SCRY_OK)
        return set_error(r);
    r->e.os = id.os;
    r->e.identifier = id.id;
    r->e.identifier_len = id.id_len;
    r->e.banner_address = id.banner_address;
    r->e.nbase = id.nbase;
    r->e.ntypes = id.ntypes;
    r->e.nsymbols = id.nsymbols;
    r->e.nenums = id.nenums;
    return 0;
}

static void *worker(void *arg)
{
    struct job *j = arg;
    intptr_t failed = 0;
    for (;;) {
        size_t i = atomic_fetch_add(&j->next, 1);
        if (i >= j->ntodo)
            break;
        if (do_row(j, j->todo[i]) != 0)
            failed = 1;
    }
    return (void *)failed;
}

static scry_status run_jobs(struct job *j, unsigned threads)
{
    pthread_t tid[64];
    unsigned started = 0;
    int failed = 0;
    sigset_t all, old;
    if (threads == 0)
        threads = 2;
    if (threads > 64)
        threads = 64;
    if (threads > j->ntodo)
        threads = (unsigned)j->ntodo;
    /* Workers take no signals: they stay with the caller's threads. */
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    for (unsigned i = 1; i < threads; i++)
        if (pthread_create(&tid[started], NULL, worker, j) == 0)
            started++;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    failed = worker(j) != NULL; /* the calling thread works too */
    for (unsigned i = 0; i < started; i++) {
        void *r;
        pthread_join(tid[i], &r);
        failed |= r != NULL;
    }
    return failed ? scry_err(SCRY_ERR_NOMEM, "out of memory") : SCRY_OK;
}

scry_status ix_identify_rows(struct scry_symindex *ix, struct row **todo, size_t n,
                             unsigned threads)
{
    struct hashmap known = {0};
    struct job j = {.ix = ix, .todo = todo, .ntodo = n, .known = &known};
    scry_status st;
    if (hashmap_build(&known, ix->rows, ix->nrows) != 0)
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    st = run_jobs(&j, threads);
    free(known.slot);
    return st;
}
