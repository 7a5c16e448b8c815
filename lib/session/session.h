/* session.h - the library context, dumps and sessions (internal view).
 *
 * struct scry_context holds settings and what every dump and session opened
 * from it shares: the symbol cache and the memory budget of the page
 * caches. struct scry_dump is the physical layer plus what the file states,
 * as key/values; immutable after open. struct scry_session adds what
 * detection found - an OS profile - once, under a lock; immutable after. */
#ifndef SCRY_SESSION_H
#define SCRY_SESSION_H

#include <pthread.h>
#include <stdatomic.h>

#include "formats/phys.h"
#include "lib/base/budget.h"
#include "lib/base/pagepool.h"
#include "lib/base/kv.h"
#include "lib/os/os.h"

struct scry_symcache;
struct scry_symstore;
struct scry_results;

struct scry_context {
    char **symdirs;
    size_t nsymdirs;
    char *cache_dir;            /* NULL: none set                      */
    uint64_t max_list_entries;  /* 0 = the walkers' default           */
    uint64_t max_diagnostics;   /* 0 = SCRY_DIAGS_DEFAULT_MAX          */
    struct scry_budget budget;  /* what every dump's caches charge     */
    struct scry_pagepool pool;  /* their freed page buffers; budget.pool */
    struct scry_symcache *symbols;
    struct scry_symstore *store;  /* the symbol dirs again, with their index */
    struct scry_results *results; /* result cache (rcache.h); NULL: none */
    int no_dump_symbols;          /* scry_context_set_symbols_from_dump(ctx, 0) */
};

#define SCRY_CONTEXT_DEFAULT_BUDGET (256ull << 20)

struct scry_dump {
    struct scry_context *ctx; /* borrowed */
    struct scry_phys *phys;
    struct scry_kv meta;      /* what the file states (scry_dump_meta) */
    size_t nfiles;            /* files it was opened from (a split set: > 1) */
};

struct scry_session {
    struct scry_context *ctx; /* borrowed */
    struct scry_dump *dump;   /* borrowed */
    pthread_mutex_t lock;     /* held while detection runs */
    atomic_int detected;      /* 1 once detection has an answer (release/acquire) */
    scry_status detect_status;
    char *detect_error;       /* the message of a failed detection, replayed */
    struct scry_profile *profile; /* owned; NULL until an OS is found */
};

/* The context's cache directory, NULL when none is set. */
const char *scry_context_cache_dir(const struct scry_context *c);

/* Detection once; afterwards the profile. Thread-safe. */
scry_status scry_session_profile(struct scry_session *s, struct scry_op *op,
                                 const struct scry_profile **out);

/* A new run context with src's progress, inputs and output directory
 * (src NULL: an empty one), so a caller's run can be extended for one call
 * without changing it. Errors: SCRY_ERR_NOMEM. */
scry_status scry_runctx_copy(const scry_runctx *src, scry_runctx **out);

#endif
