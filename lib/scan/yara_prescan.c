/* yara_prescan.c - a plain --yara-string found in physical memory on a
 * thread of its own while the OS is being detected.
 *
 * Why: a fresh yarascan spends about half its time loading the symbol
 * table (xz and JSON, one core), and the kernel's virtual space can only
 * be walked after it. A plain string's matches, though, are exactly the
 * places its bytes occur: they depend on physical memory alone. So the
 * string is searched in physical memory (memmem over the dump's runs,
 * zero copy where the file stores them plainly) on a second core during
 * detection, and the layer scan then answers each of Volatility's chunks
 * from that list (yara_layer.c) instead of running libyara over it.
 *
 * Exactness: the list is used only when it is the same as what libyara
 * would find in every chunk:
 *   - the rule is ours around a plain string (no escape, quote, regex,
 *     hex string, nocase or wide; at most PRESCAN_MAX_LEN bytes, so
 *     libyara's matched data is the whole string), checked again against
 *     the compiled rules' text when the list is used;
 *   - the string does not overlap itself (no proper prefix equal to a
 *     suffix), so occurrences cannot overlap and "every occurrence" is
 *     unambiguous;
 *   - every page was read (a page that cannot be decoded makes the list
 *     unusable: the layer scan then skips that chunk with a warning, as
 *     Volatility does, which the list could not reproduce);
 *   - matches across two adjacent runs (which scry_scan_phys does not
 *     report) are searched for at each such boundary;
 *   - there are at most PRESCAN_MAX_HITS matches (libyara keeps at most a
 *     million per string and scan; the list stays a few MiB).
 * Otherwise the layer scan runs libyara as before: same rows, slower. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "lib/phys/scan.h"
#include "lib/scan/yara_priv.h"

#define PRESCAN_MAX_LEN 256
#define PRESCAN_MAX_HITS ((size_t)1 << 20)

struct scry_yara_prescan {
    struct scry_phys *p;  /* NULL once the thread was joined */
    struct scry_phys *of; /* the layer searched */
    char *needle;
    size_t len;
    pthread_t tid;
    atomic_int stop;
    int usable;   /* set by the thread before it ends */
    int overflow; /* more than PRESCAN_MAX_HITS, or out of memory */
    uint64_t *hits;
    size_t n, cap;
    uint64_t answered; /* chunks answered from the list (yara_layer.c) */
};

/* A proper prefix equal to a suffix: occurrences could overlap. */
static int self_overlaps(const char *s, size_t n)
{
    for (size_t k = 1; k < n; k++)
        if (!memcmp(s, s + n - k, k))
            return 1;
    return 0;
}

int scry_yara_plain_string(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    return n > 0 && n <= PRESCAN_MAX_LEN && s[0] != '{' && s[0] != '/' && !strpbrk(s, "\\\"") &&
           !self_overlaps(s, n);
}

static int add_hit(void *user, uint64_t pa)
{
    struct scry_yara_prescan *ps = user;
    if (ps->n == ps->cap) {
        size_t cap = ps->cap ? 2 * ps->cap : 1024;
        uint64_t *v;
        if (cap > PRESCAN_MAX_HITS || !(v = realloc(ps->hits, cap * sizeof *v))) {
            ps->overflow = 1;
            return 1; /* stop: the list is then unusable */
        }
        ps->hits = v, ps->cap = cap;
    }
    ps->hits[ps->n++] = pa;
    return 0;
}

static int keep_going(void *user, uint64_t done, uint64_t total)
{
    (void)done, (void)total;
    return atomic_load(&((struct scry_yara_prescan *)user)->stop);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Matches that cross from run i into an adjacent run i + 1. */
static int boundary_hits(struct scry_yara_prescan *ps)
{
    const struct scry_phys *p = ps->p;
    size_t k = ps->len - 1, holes;
    uint8_t buf[2 * PRESCAN_MAX_LEN];
    if (!k)
        return 1;
    for (size_t i = 0; i + 1 < p->nruns; i++) {
        uint64_t b = p->runs[i].start + p->runs[i].len;
        if (p->runs[i + 1].start != b || p->runs[i].len < k || p->runs[i + 1].len < k)
            continue; /* not adjacent, or a run shorter than a match's tail: see below */
        if (scry_phys_read(ps->p, b - k, buf, 2 * k, &holes) != SCRY_OK)
            return 0;
        for (size_t o = 0; o < k; o++)
            if (!memcmp(buf + o, ps->needle, ps->len) && add_hit(ps, b - k + o))
                return 0;
    }
    /* A run shorter than len - 1 between two adjacent ones could hold part
     * of a match spanning three runs: rare enough to give up the list. */
    for (size_t i = 0; i + 1 < p->nruns; i++)
        if (p->runs[i + 1].start == p->runs[i].start + p->runs[i].len &&
            (p->runs[i].len < k || p->runs[i + 1].len < k))
            return 0;
    return 1;
}

static void *prescan_thread(void *arg)
{
    struct scry_yara_prescan *ps = arg;
    struct scry_diags diags = {0};
    struct scry_op op = {.diags = &diags, .progress = keep_going, .progress_user = ps};
    scry_status st = scry_scan_phys(ps->p, &op, ps->needle, ps->len, add_hit, ps);
    int ok = st == SCRY_OK && !diags.n && !atomic_load(&ps->stop) && !ps->overflow &&
             boundary_hits(ps) && !ps->overflow;
    if (ok)
        qsort(ps->hits, ps->n, sizeof *ps->hits, cmp_u64);
    scry_diags_free(&diags);
    ps->usable = ok;
    return NULL;
}

struct scry_yara_prescan *scry_yara_prescan_start(struct scry_phys *p, const char *string)
{
    struct scry_yara_prescan *ps;
    if (!p || !scry_yara_plain_string(string) || !(ps = calloc(1, sizeof *ps)))
        return NULL;
    ps->p = ps->of = p;
    ps->len = strlen(string);
    atomic_init(&ps->stop, 0);
    if (!(ps->needle = strdup(string)) || pthread_create(&ps->tid, NULL, prescan_thread, ps)) {
        free(ps->needle);
        free(ps);
        return NULL;
    }
    return ps;
}

int scry_yara_prescan_wait(struct scry_yara_prescan *ps)
{
    if (!ps)
        return 0;
    if (ps->p) {
        pthread_join(ps->tid, NULL);
        ps->p = NULL; /* joined */
    }
    return ps->usable;
}

void scry_yara_prescan_free(struct scry_yara_prescan *ps)
{
    if (!ps)
        return;
    atomic_store(&ps->stop, 1);
    scry_yara_prescan_wait(ps);
    free(ps->hits);
    free(ps->needle);
    free(ps);
}

const char *scry_yara_prescan_needle(const struct scry_yara_prescan *ps,
                                     const struct scry_phys **of, size_t *len)
{
    *of = ps->of;
    *len = ps->len;
    return ps->needle;
}

size_t scry_yara_prescan_first(const struct scry_yara_prescan *ps, uint64_t pa)
{
    size_t lo = 0, hi = ps->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ps->hits[mid] < pa)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

const uint64_t *scry_yara_prescan_hits(const struct scry_yara_prescan *ps, size_t *n)
{
    *n = ps->n;
    return ps->hits;
}

void scry_yara_prescan_answered_one(struct scry_yara_prescan *ps) { ps->answered++; }

uint64_t scry_yara_prescan_answered(const struct scry_yara_prescan *ps)
{
    return ps ? ps->answered : 0;
}
