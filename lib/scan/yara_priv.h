/* yara_priv.h - what the scan files share about compiled rules. */
#ifndef SCRY_SCAN_YARA_PRIV_H
#define SCRY_SCAN_YARA_PRIV_H

#include <pthread.h>
#include "lib/base/ondemand_yara.h"

#include "lib/scan/yara.h"

struct scry_yara_rules {
    YR_RULES *rules; /* owned; libyara lets any number of threads scan it */
    /* 1 when no match of these rules can contain a NUL byte and a match is
     * all a rule needs: one rule, one plain text string, condition "$a" -
     * what a --yara-string without quotes, backslashes or --wide becomes.
     * A scan may then leave out stretches of zeros (see
     * scry_yara_scan_limited): the hits are the same. */
    int nul_free;
    /* With nul_free: the fewest bytes a match holds (the string's length),
     * so NUL-free runs shorter than this can be left out too. */
    size_t min_len;
    /* The string itself when its matches are exactly its bytes (not
     * nocase; scry_yara_plain_string), for a prescan's list; else NULL. */
    char *plain;
};

/* A prescan's list (yara_prescan.c), for yara_layer.c. */
const char *scry_yara_prescan_needle(const struct scry_yara_prescan *ps,
                                     const struct scry_phys **of, size_t *len);
/* Index of the first match at or after pa. */
size_t scry_yara_prescan_first(const struct scry_yara_prescan *ps, uint64_t pa);
const uint64_t *scry_yara_prescan_hits(const struct scry_yara_prescan *ps, size_t *n);
void scry_yara_prescan_answered_one(struct scry_yara_prescan *ps);

/* libyara's global state, set up once per process (yr_initialize is not
 * thread-safe, so it runs under pthread_once). Errors: SCRY_ERR_NOMEM. */
scry_status scry_yara_init(void);

/* Scans buf, reporting matches that start before limit (as at base +
 * offset). *stopped (may be NULL): fn asked to stop; *too_many (may be
 * NULL): set when libyara dropped matches of a string. Errors as
 * scry_yara_scan_buffer's. */
scry_status scry_yara_scan_limited(const struct scry_yara_rules *r, const uint8_t *buf, size_t len,
                                   size_t limit, uint64_t base, scry_yara_hit_fn fn, void *user,
                                   int *stopped, int *too_many);

/* Physical windows scanned two at a time (yara_pair.c): add windows in
 * order, then flush; hits reach fn in window order. */
struct yara_win {
    uint64_t pa;   /* the window's bytes: [pa, pa + n) of the physical layer */
    size_t n;      /* at most SCRY_YARA_WINDOW + SCRY_YARA_OVERLAP           */
    size_t limit;  /* matches starting at or past this offset are not reported */
    uint64_t base; /* the address hits carry for offset 0                     */
};

/* Most windows one batch holds: Volatility's layer chunks are mostly a
 * page or a few (a kernel space has thousands of small blocks), so a
 * batch of many is split between the two threads by bytes. */
#define YARA_BATCH_MAX 64
/* ... or this many bytes: eight full windows, so the threads rarely wait
 * for each other at the end of a batch. Memory is not the bound (windows
 * are read one at a time per thread); held hits are (see MAX_HITS). */
#define YARA_BATCH_BYTES ((uint64_t)8 * SCRY_YARA_WINDOW)

/* What a window of zeros gave (yara_pair.c): hits as offsets. */
#define ZMEMO_SLOTS 4
#define ZMEMO_HITS 8
#define ZMEMO_DATA 128
struct zmemo {
    int used;
    size_t n, limit, nhits;
    struct {
        size_t off, len;
        const char *rule, *ns, *string;
    } hits[ZMEMO_HITS];
};

struct yara_pair {
    const struct scry_yara_rules *r;
    struct scry_phys *p;
    int zero_bad_pages; /* 1: an undecodable page reads as zeros; 0: its
                         * window is skipped (counted in skipped) */
    scry_yara_hit_fn fn;
    void *user;
    uint8_t *buf[2]; /* one window each, allocated on first use */
    /* Windows queued for the next batch (see yara_pair.c): at most
     * YARA_BATCH_MAX, or YARA_BATCH_BYTES. */
    struct yara_win pending[YARA_BATCH_MAX];
    size_t npending;
    uint64_t pending_bytes;
    int stopped, too_many;
    uint64_t skipped;   /* windows not read (zero_bad_pages 0) */
    uint64_t bad_pages; /* pages searched as zeros (zero_bad_pages 1) */
    char first_skip[300]; /* the first of either, with its cause */
    pthread_mutex_t zlock; /* the zero memo is shared by both threads */
    struct zmemo zmemo[ZMEMO_SLOTS];
    size_t znext;
};

void yara_pair_init(struct yara_pair *x, const struct scry_yara_rules *r, struct scry_phys *p,
                    int zero_bad_pages, scry_yara_hit_fn fn, void *user);
/* Queues w; scans the queued pair when there are two. Errors:
 * SCRY_ERR_NOMEM, libyara's (as scry_yara_scan_buffer). */
scry_status yara_pair_add(struct yara_pair *x, const struct yara_win *w);
/* Scans what is queued. */
scry_status yara_pair_flush(struct yara_pair *x);
void yara_pair_free(struct yara_pair *x);

#endif
