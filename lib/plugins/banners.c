/* banners.c - banners.Banners: kernel banners found in physical memory.
 *
 * Volatility matches (Linux version|Darwin Kernel Version) followed by
 * " N.N.N", reads 0xFFF bytes, keeps the text up to the first NUL, strips
 * ASCII whitespace and drops the hit unless every byte is in its banner
 * alphabet. Offsets are physical addresses, in ascending order. */
#include <stdlib.h>
#include <string.h>

#include "lib/plugins/plugin.h"
#include "lib/phys/scan.h"

#define BANNER_READ 0xFFF

static const struct scry_column columns[] = {
    {"Offset", SCRY_COL_HEX},
    {"Banner", SCRY_COL_STR},
};

struct hits {
    uint64_t *v;
    size_t n, cap;
    int oom;
};

/* Bounded: a dump full of banner prefixes cannot grow this without end. */
#define MAX_HITS (1u << 20)

static int add_hit(void *user, uint64_t pa)
{
    struct hits *h = user;
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 64;
        uint64_t *v = h->n < MAX_HITS ? realloc(h->v, cap * sizeof *v) : NULL;
        if (!v) {
            h->oom = h->n < MAX_HITS;
            return 1;
        }
        h->v = v, h->cap = cap;
    }
    h->v[h->n++] = pa;
    return 0;
}

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

static scry_status run(struct scry_plugin_ctx *pc)
{
    static const char *const prefixes[] = {"Linux version ", "Darwin Kernel Version "};
    struct scry_phys *p = pc->phys;
    struct scry_result *out = pc->out;
    struct hits h = {0};
    scry_status st = SCRY_OK;
    uint8_t buf[BANNER_READ];
    for (size_t i = 0; i < 2 && st == SCRY_OK; i++) {
        st = scry_scan_phys(p, pc->op, prefixes[i], strlen(prefixes[i]), add_hit, &h);
        if (h.oom)
            st = scry_err(SCRY_ERR_NOMEM, "out of memory");
    }
    if (st == SCRY_OK)
        if (h.n)
            qsort(h.v, h.n, sizeof *h.v, cmp_u64);
    for (size_t i = 0; i < h.n && st == SCRY_OK; i++) {
        size_t holes = 0, len, start = 0;
        st = scry_phys_read(p, h.v[i], buf, sizeof buf, &holes);
        if (st != SCRY_OK)
            break;
        size_t plen = buf[0] == 'L' ? 14 : 22;
        if (!version_follows(buf + plen, sizeof buf - plen))
            continue;
        uint8_t *nul = memchr(buf, 0, sizeof buf);
        if (!nul)
            continue;
        len = (size_t)(nul - buf);
        while (start < len && is_pyspace(buf[start]))
            start++;
        while (len > start && is_pyspace(buf[len - 1]))
            len--;
        size_t k = start;
        while (k < len && banner_char(buf[k]))
            k++;
        if (k != len)
            continue;
        struct scry_cell cells[2] = {scry_cell_hex(h.v[i]),
                                     scry_cell_str((const char *)buf + start, len - start)};
        st = scry_result_add(out, 0, cells);
    }
    free(h.v);
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
