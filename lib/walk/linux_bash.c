/* linux_bash.c - bash history entries in a heap. */
#include "lib/walk/linux_bash.h"

#include <stdlib.h>
#include <string.h>

#include "lib/base/hashset.h"
#include "lib/base/utf8.h"

/* The ASCII whitespace Python's int() strips (not 0x1c-0x1f, which
 * str.isspace accepts: checked against CPython 3.11). */
static int py_space(unsigned char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

int scry_bash_pyint(const char *s, size_t len, int *negative, char **digits)
{
    size_t a = 0, b = len, k = 0;
    char *d;
    while (a < b && py_space((unsigned char)s[a]))
        a++;
    while (b > a && py_space((unsigned char)s[b - 1]))
        b--;
    *negative = 0;
    if (a < b && (s[a] == '+' || s[a] == '-'))
        *negative = s[a++] == '-';
    if (a == b || s[a] == '_' || s[b - 1] == '_')
        return 0;
    if (!(d = malloc(b - a + 2)))
        return -1;
    for (size_t i = a; i < b; i++) {
        if (s[i] == '_' && s[i - 1] != '_')
            continue;
        if (s[i] < '0' || s[i] > '9') {
            free(d);
            return 0;
        }
        if (k || s[i] != '0')
            d[k++] = s[i];
    }
    if (!k) {
        d[k++] = '0';
        *negative = 0;
    }
    d[k] = 0;
    *digits = d;
    return 1;
}

/* A char[1024] read as Volatility's array_to_string: all 1024 bytes must
 * be readable; cut at the first NUL. Returns the length, -1 unreadable. */
static long read_str(scry_bash_read_fn read, void *user, uint64_t va, uint8_t *buf)
{
    if (read(user, va, buf, SCRY_BASH_STR))
        return -1;
    return (long)strnlen((const char *)buf, SCRY_BASH_STR);
}

static uint64_t load(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/* 9999-12-31T23:59:59 UTC, Python datetime's last second. */
#define PY_MAX_TIME 253402300799LL

static int by_time(const void *a, const void *b)
{
    const struct scry_bash_entry *x = a, *y = b;
    int c = 0;
    if (x->negative != y->negative)
        return x->negative ? -1 : 1;
    size_t lx = strlen(x->digits), ly = strlen(y->digits);
    if (lx != ly)
        c = lx < ly ? -1 : 1;
    else
        c = strcmp(x->digits, y->digits);
    if (x->negative)
        c = -c;
    if (c)
        return c;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void scry_bash_free(struct scry_bash_entry *v, size_t n)
{
    for (size_t i = 0; i < n && v; i++) {
        free(v[i].cmd);
        free(v[i].digits);
    }
    free(v);
}

struct found {
    struct scry_bash_entry *v;
    size_t n, cap, max, dropped;
};

/* Tests the hist_entry at h; adds it when valid. Returns -1 out of memory. */
static int candidate(struct found *f, uint64_t h, unsigned ps, scry_bash_read_fn read, void *user)
{
    uint8_t p[8], line[SCRY_BASH_STR], ts[SCRY_BASH_STR];
    long nl, nt;
    int neg, r;
    char *digits;
    if (read(user, h, p, ps))
        return 0;
    if ((nl = read_str(read, user, load(p, ps), line)) <= 0)
        return 0;
    if (read(user, h + ps, p, ps))
        return 0;
    if ((nt = read_str(read, user, load(p, ps), ts)) < 10 || ts[0] != '#')
        return 0;
    for (long i = 0; i < nt; i++)
        if (ts[i] >= 0x80)
            return 0; /* not ASCII: no int() of ours (see the header) */
    if ((r = scry_bash_pyint((const char *)ts + 1, (size_t)nt - 1, &neg, &digits)) <= 0)
        return r;
    if (f->n == f->max) {
        f->dropped++;
        free(digits);
        return 0;
    }
    if (f->n == f->cap) {
        size_t cap = f->cap ? 2 * f->cap : 16;
        struct scry_bash_entry *v = realloc(f->v, cap * sizeof *v);
        if (!v) {
            free(digits);
            return -1;
        }
        f->v = v;
        f->cap = cap;
    }
    struct scry_bash_entry *e = &f->v[f->n];
    memset(e, 0, sizeof *e);
    e->digits = digits;
    e->negative = neg;
    e->seq = f->n;
    if (!(e->cmd = malloc(3 * (size_t)nl + 1))) {
        free(digits);
        return -1;
    }
    e->cmd_len = scry_utf8_replace(line, (size_t)nl, e->cmd);
    size_t dl = strlen(digits);
    if (!neg && dl <= 12) {
        int64_t t = strtoll(digits, NULL, 10);
        e->time_ok = t > 0 && t <= PY_MAX_TIME;
        e->time = t;
    }
    f->n++;
    return 0;
}

scry_status scry_bash_scan(const struct scry_bash_run *runs, size_t nruns, unsigned ps,
                           scry_bash_read_fn read, void *user, size_t max,
                           struct scry_bash_entry **out, size_t *n, size_t *dropped)
{
    struct scry_hashset hashes = {0};
    struct found f = {.max = max};
    uint64_t lo = UINT64_MAX, hi = 0;
    *out = NULL;
    *n = *dropped = 0;
    if (ps != 4 && ps != 8)
        return scry_err(SCRY_ERR_INVALID_ARG, "pointer size %u", ps);
    /* Every '#' of the heap: the timestamps' possible addresses. */
    for (size_t r = 0; r < nruns; r++)
        for (const uint8_t *p = runs[r].data, *e = p + runs[r].len;
             (p = memchr(p, '#', (size_t)(e - p))); p++) {
            uint64_t va = runs[r].va + (uint64_t)(p - runs[r].data);
            if (ps == 4)
                va &= 0xffffffffu;
            if (scry_hs_add(&hashes, va) < 0)
                goto nomem;
            lo = va < lo ? va : lo;
            hi = va > hi ? va : hi;
        }
    /* Places holding one of them, as a regex finds them: left to right,
     * not overlapping. */
    for (size_t r = 0; r < nruns && hashes.n; r++) {
        const uint8_t *d = runs[r].data;
        for (size_t j = 0; j + ps <= runs[r].len;) {
            uint64_t v = load(d + j, ps);
            if (v < lo || v > hi || !scry_hs_has(&hashes, v)) {
                j++;
                continue;
            }
            if (candidate(&f, runs[r].va + j - ps, ps, read, user) < 0)
                goto nomem;
            j += ps;
        }
    }
    scry_hs_free(&hashes);
    if (f.n) /* qsort must not get NULL */
        qsort(f.v, f.n, sizeof *f.v, by_time);
    *out = f.v;
    *n = f.n;
    *dropped = f.dropped;
    return SCRY_OK;
nomem:
    scry_hs_free(&hashes);
    scry_bash_free(f.v, f.n);
    return scry_err(SCRY_ERR_NOMEM, "out of memory");
}
