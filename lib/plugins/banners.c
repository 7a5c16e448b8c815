/* banners.c - banners.Banners: kernel banners found in physical memory.
 *
 * Volatility matches (Linux version|Darwin Kernel Version) followed by
 * " N.N.N", reads 0xFFF bytes, keeps the text up to the first NUL, strips
 * ASCII whitespace and drops the hit unless every byte is in its banner
 * alphabet. Offsets are physical addresses, in ascending order.
 *
 * Each prefix hit is validated in the scan callback, before it is kept: a
 * spray of bare prefixes (a million "Linux version " in a row) costs one
 * byte test each and cannot use up the bound on kept hits, so it cannot
 * hide a real banner behind it. At most MAX_HITS validated banners are
 * kept; when that bound is reached the scan stops and says so with a
 * WARNING (SCRY_ERR_LIMIT), which makes the result partial (exit status 3
 * in the CLI). */
#include <stdlib.h>
#include <string.h>

#include "lib/plugins/plugin.h"
#include "lib/phys/scan.h"

#define BANNER_READ 0xFFF
#define BANNER_SHORT 512

static const struct scry_column columns[] = {
    {"Offset", SCRY_COL_HEX},
    {"Banner", SCRY_COL_STR},
};

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* " [0-9]+\.[0-9]+\.[0-9]+" at p (the prefix's trailing space included). */
static int version_follows(const uint8_t *p, size_t n)
{
    size_t i = 0;
    for (int part = 0; part < 3; part++) {
        size_t d = 0;
        while (i < n && p[i] >= '0' && p[i] <= '9')
            i++, d++;
        if (!d)
            return 0;
        if (part < 2) {
            if (i >= n || p[i] != '.')
                return 0;
            i++;
        }
    }
    return 1;
}

static int banner_char(uint8_t c)
{
    static const char ok[] = " #()+,;/-.0123456789:@ABCDEFGHIJKLMNOPQRSTUVWXYZ_"
                             "abcdefghijklmnopqrstuvwxyz~";
    return c && memchr(ok, c, sizeof ok - 1) != NULL;
}

static int is_pyspace(uint8_t c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

/* Bounded: a dump full of banners cannot grow this without end. */
#define MAX_HITS (1u << 20)

struct hits {
    struct scry_phys *p;
    struct scry_result *acct; /* allocation accounting */
    uint64_t *v;
    size_t n, cap;
    size_t plen;     /* length of the prefix being scanned for */
    int capped;      /* MAX_HITS reached: the scan stopped */
    scry_status st;  /* a read error or NOMEM: the run fails */
    uint8_t buf[BANNER_READ];
};

/* Reads the banner candidate at pa into h->buf and validates it as
 * Volatility does; on success *start and *len delimit its text. Returns 1
 * for a banner, 0 for none, -1 on a read error (h->st). */
static int banner_at(struct hits *h, uint64_t pa, size_t plen, size_t *start, size_t *len)
{
    uint8_t *buf = h->buf;
    size_t holes = 0, n, k, b = 0;
    /* A bare prefix (the spray) fails here without the 4 KiB read. */
    {
        uint8_t c;
        h->st = scry_phys_read(h->p, pa + plen, &c, 1, &holes);
        if (h->st != SCRY_OK)
            return -1;
        if (c < '0' || c > '9')
            return 0;
    }
    /* Real banners end within a few hundred bytes: the first NUL there
     * decides as the first NUL in 0xFFF bytes would (the version digits
     * stop at it too), so the full read is only for longer candidates. */
    uint8_t *nul = NULL;
    scry_result_work(h->acct, 1);
    h->st = scry_phys_read(h->p, pa, buf, BANNER_SHORT, &holes);
    if (h->st == SCRY_OK)
        nul = memchr(buf, 0, BANNER_SHORT);
    if (h->st == SCRY_OK && !nul) {
        h->st = scry_phys_read(h->p, pa, buf, BANNER_READ, &holes);
        if (h->st == SCRY_OK)
            nul = memchr(buf, 0, BANNER_READ);
    }
    if (h->st != SCRY_OK)
        return -1;
    if (!nul || !version_follows(buf + plen, (size_t)(nul - buf) - plen))
        return 0;
    n = (size_t)(nul - buf);
    while (b < n && is_pyspace(buf[b]))
        b++;
    while (n > b && is_pyspace(buf[n - 1]))
        n--;
    k = b;
    while (k < n && banner_char(buf[k]))
        k++;
    if (k != n)
        return 0;
    *start = b, *len = n - b;
    return 1;
}

/* Every prefix hit costs a one-byte read; only a hit with a digit after the
 * prefix is read further, and counted as one unit of work on the result
 * (scry_result_work): a spray of bare prefixes costs none. */
static int add_hit(void *user, uint64_t pa)
{
    struct hits *h = user;
    size_t start, len;
    int ok = banner_at(h, pa, h->plen, &start, &len);
    if (ok < 0)
        return 1;
    if (!ok)
        return 0;
    if (h->n == MAX_HITS) {
        h->capped = 1;
        return 1;
    }
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 64;
        uint64_t *v = realloc(h->v, cap * sizeof *v);
        if (!v) {
            h->st = scry_err(SCRY_ERR_NOMEM, "out of memory");
            return 1;
        }
        scry_result_hold(h->acct, cap * sizeof *v);
        scry_result_release(h->acct, h->cap * sizeof *v);
        h->v = v, h->cap = cap;
    }
    h->v[h->n++] = pa;
    return 0;
}

static scry_status run(struct scry_plugin_ctx *pc)
{
    static const char *const prefixes[] = {"Linux version ", "Darwin Kernel Version "};
    struct scry_result *out = pc->out;
    struct hits *h = calloc(1, sizeof *h);
    scry_status st = SCRY_OK;
    if (!h)
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    h->p = pc->phys, h->acct = out;
    for (size_t i = 0; i < 2 && st == SCRY_OK && !h->capped; i++) {
        h->plen = strlen(prefixes[i]);
        st = scry_scan_phys(h->p, pc->op, prefixes[i], h->plen, add_hit, h);
        if (st == SCRY_OK)
            st = h->st;
    }
    if (st == SCRY_OK && h->capped) {
        scry_op_say(pc->op, SCRY_DIAG_WARNING, SCRY_ERR_LIMIT,
                    "banners: more than %u banners found; the scan stopped there and the "
                    "rest of the image was not searched",
                    MAX_HITS);
    }
    if (st == SCRY_OK && h->n)
        qsort(h->v, h->n, sizeof *h->v, cmp_u64);
    for (size_t i = 0; i < h->n && st == SCRY_OK; i++) {
        size_t start, len;
        uint64_t pa = h->v[i];
        uint8_t c;
        size_t holes = 0;
        /* The prefix at pa tells which of the two was found. */
        st = scry_phys_read(h->p, pa, &c, 1, &holes);
        if (st != SCRY_OK)
            break;
        int ok = banner_at(h, pa, c == 'L' ? 14 : 22, &start, &len);
        if (ok < 0) {
            st = h->st;
            break;
        }
        if (!ok)
            continue;
        struct scry_cell cells[2] = {scry_cell_hex(pa),
                                     scry_cell_str((const char *)h->buf + start, len)};
        st = scry_result_add(out, 0, cells);
    }
    scry_result_release(out, h->cap * sizeof *h->v);
    free(h->v);
    free(h);
    return st;
}

const struct scry_plugin scry_plugin_banners = {
    .name = "banners.Banners",
    .alias = "banners",
    .description = "Attempts to identify potential linux banners in an image",
    .columns = columns,
    .ncolumns = sizeof columns / sizeof columns[0],
    .run = run,
};
