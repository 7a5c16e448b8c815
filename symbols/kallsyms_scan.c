/* kallsyms_scan.c - the kallsyms tables found by their structure, for
 * dumps without VMCOREINFO (raw, LiME) and kernels before 6.0.
 *
 * Every token table holds "0\0" "1\0" ... "9\0": digits occur in symbol
 * names, so the codes 0x30-0x39 stand for themselves. From each such run
 * (a candidate), in this order, each step rejecting the candidate:
 *  1. the token table: 208 more tokens forward (codes 0x3a-0xff) end it;
 *     the token index starts at the next 8-byte boundary: [0] = 0, strictly
 *     increasing, [0x30] pointing back at the digit run, each entry one
 *     token past the one before and the last token ending the table;
 *  2. the markers end right before the token table (4 bytes of padding
 *     allowed): walking back, u32s strictly decreasing down to a 0, on an
 *     8-byte boundary; their count says how many names there are (to 256);
 *  3. the names end right before the markers, and kallsyms_num_syms sits 8
 *     bytes before the names: the place whose u32 fits the markers' count
 *     and from which the entries' lengths meet marker 1 and end just
 *     before the markers;
 *  4. offsets and relative_base: before num_syms (6.1: offsets,
 *     relative_base, num_syms, names, ...) or after the token index (6.4+:
 *     ..., token_index, offsets, relative_base, seqs_of_names); the one
 *     whose relative_base is a kernel-image address and whose addresses
 *     decode in order;
 *  5. phys_base: the tables' own physical address against their virtual
 *     one. The image is placed on a 2 MiB boundary, so the token table's
 *     virtual address has the physical one's low 21 bits and lies in
 *     [_text, _end): each such place is tried until linux_banner and
 *     init_task check out there (kallsyms.c, scry_ksym_verify).
 * The first candidate, in physical order, that passes all wins. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/phys/scan.h"
#include "symbols/kallsyms_decode.h"
#include "symbols/kallsyms_int.h"

static const char digits[] = "0\0" "1\0" "2\0" "3\0" "4\0" "5\0" "6\0" "7\0" "8\0" "9";
#define DIGITS_LEN 20u /* with the last NUL */

enum {
    MAX_CANDIDATES = 256,
    TOKEN_WINDOW = 65536, /* the index is u16: the digits are at most this far in */
    MAX_MARKERS = SCRY_KALLSYMS_MAX_SYMS / 256,
    IMAGE_ALIGN = 2 << 20,
    MAX_PLACES = 512, /* 2 MiB places in a 1 GiB kernel image map */
    MAX_NAME_STARTS = 64, /* num_syms candidates walked per marker array */
};
#define READ_BUDGET ((uint64_t)512 << 20)

/* How far a candidate got: the deepest failure is the one reported. */
enum stage { S_NONE, S_TOKENS, S_MARKERS, S_NAMES, S_LAYOUT, S_DECODE, S_VERIFY };

struct scan {
    struct scry_phys *p;
    struct scry_sysmap *out;
    struct scry_kallsyms_info *info;
    unsigned tries;
    int found;
    scry_status fatal;
    uint64_t read_left; /* bytes the candidates' checks may still read */
    enum stage best;
    char why[512];
};

struct cand {
    uint64_t h;  /* the digit run */
    uint64_t t;  /* token table */
    uint64_t e;  /* its end */
    uint64_t x;  /* token index */
    uint64_t m;  /* markers */
    uint64_t s;  /* names */
    uint32_t nm; /* markers */
    uint32_t n;  /* num_syms */
};

static scry_status reject(struct scan *sc, enum stage at, scry_status st, const char *fmt, ...)
    SCRY_PRINTF(4, 5);

static scry_status reject(struct scan *sc, enum stage at, scry_status st, const char *fmt, ...)
{
    if (!sc->why[0] || at > sc->best) { /* the first of the deepest */
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(sc->why, sizeof sc->why, fmt, ap);
        va_end(ap);
        sc->best = at;
    }
    return st;
}

/* The thread's message without its "kallsyms: " (the scan's own prefix
 * comes first). */
static const char *inner(void)
{
    const char *m = scry_last_error();
    return strncmp(m, "kallsyms: ", 10) == 0 ? m + 10 : m;
}

/* Reads a window around a candidate (holes read as zeros: a candidate's
 * surroundings may be partly missing), charged to the scan's budget: a
 * dump full of decoys ends with SCRY_ERR_LIMIT, not after hours. */
static scry_status read_window(struct scan *sc, uint64_t pa, uint8_t *buf, size_t len)
{
    if (len > sc->read_left) {
        sc->fatal = SCRY_ERR_LIMIT;
        return scry_err(SCRY_ERR_LIMIT,
                        "kallsyms: gave up after reading %llu MiB around candidate token tables",
                        (unsigned long long)(READ_BUDGET >> 20));
    }
    sc->read_left -= len;
    size_t holes = 0;
    return scry_phys_read(sc->p, pa, buf, len, &holes);
}

/* Step 1. */
static scry_status find_tokens(struct scan *sc, struct cand *c)
{
    enum { BEFORE = TOKEN_WINDOW, AFTER = TOKEN_WINDOW + 512 + 8 };
    uint64_t lo = c->h >= BEFORE ? c->h - BEFORE : 0;
    size_t len = (size_t)(c->h - lo) + AFTER;
    uint8_t *w = malloc(len);
    if (!w)
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    scry_status st = read_window(sc, lo, w, len);
    if (st != SCRY_OK) {
        free(w);
        return reject(sc, S_NONE, st, "%s", scry_last_error());
    }
    size_t h = (size_t)(c->h - lo), at = h;
    for (unsigned code = 0x30; code < 0x100; code++) {
        const uint8_t *nul = memchr(w + at, 0, len - at < SCRY_SYSMAP_MAX_NAME + 1
                                                   ? len - at
                                                   : SCRY_SYSMAP_MAX_NAME + 1);
        if (!nul) {
            free(w);
            return reject(sc, S_NONE, SCRY_ERR_NODATA, "token 0x%x does not end", code);
        }
        at = (size_t)(nul - w) + 1;
    }
    /* 8-aligned in physical terms: the image is placed on a 2 MiB boundary. */
    size_t e = at, x = (size_t)(((lo + e + 7) & ~(uint64_t)7) - lo);
    if (x + 512 > len) {
        free(w);
        return reject(sc, S_NONE, SCRY_ERR_NODATA, "no room for the token index");
    }
    const uint8_t *idx = w + x;
    size_t i30 = scry_ksym_u16(idx + 2 * 0x30);
    if (scry_ksym_u16(idx) != 0 || i30 > h || ((lo + h - i30) & 7)) {
        free(w);
        return reject(sc, S_NONE, SCRY_ERR_NODATA, "no token index after the token table");
    }
    size_t t = h - i30;
    for (unsigned code = 0; code < 256; code++) {
        size_t a = scry_ksym_u16(idx + 2 * code);
        size_t b = code < 255 ? scry_ksym_u16(idx + 2 * code + 2) : e - t;
        /* token `code` is exactly the bytes [t+a, t+b-1), then its NUL */
        if (b <= a || t + b > e || w[t + b - 1] != 0 || memchr(w + t + a, 0, b - a - 1)) {
            free(w);
            return reject(sc, S_NONE, SCRY_ERR_NODATA, "token index entry %u does not fit", code);
        }
    }
    free(w);
    c->t = lo + t;
    c->e = lo + e;
    c->x = lo + x;
    return SCRY_OK;
}

/* Walks `count` entries' lengths from names[at]; the offset past them,
 * or (size_t)-1 when one runs past len. */
static size_t walk(const uint8_t *names, size_t len, size_t at, uint32_t count)
{
    for (uint32_t i = 0; i < count; i++) {
        if (at >= len)
            return (size_t)-1;
        size_t n = names[at++];
        if (n & 0x80) {
            if (at >= len)
                return (size_t)-1;
            n = (n & 0x7f) | (size_t)(names[at++] & 0x7f) << 7;
        }
        if (n == 0 || n > len - at)
            return (size_t)-1;
        at += n;
    }
    return at;
}

/* Step 3. */
static scry_status find_names(struct scan *sc, struct cand *c, const uint32_t *mk)
{
    uint32_t mlast = mk[c->nm - 1];
    size_t span = (size_t)mlast + 256 * (size_t)SCRY_KSYM_MAX_ENTRY + 16;
    if (mlast > SCRY_KALLSYMS_MAX_NAMES || c->m < (uint64_t)mlast + 16)
        return reject(sc, S_NAMES, SCRY_ERR_CORRUPT, "markers at 0x%llx: the last one (%u) is "
                      "past any names table", (unsigned long long)c->m, mlast);
    uint64_t lo = c->m >= span ? c->m - span : 0;
    size_t len = (size_t)(c->m - lo);
    uint8_t *w = malloc(len);
    if (!w)
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    scry_status st = read_window(sc, lo, w, len);
    if (st != SCRY_OK) {
        free(w);
        return reject(sc, S_NAMES, st, "markers at 0x%llx: %s", (unsigned long long)c->m,
                      scry_last_error());
    }
    uint32_t nmin = 256 * (c->nm - 1) + 1, nmax = 256 * c->nm;
    /* Candidates for the names' start (8-aligned), nearest the markers
     * first: names + mlast + 2 bytes a name at least <= the markers. */
    unsigned walked = 0;
    for (uint64_t ps = (c->m - mlast - 2) & ~7ull; ps >= lo + 8; ps -= 8) {
        size_t s = (size_t)(ps - lo);
        uint32_t n = scry_ksym_u32(w + s - 8);
        if (n < nmin || n > nmax || scry_ksym_u32(w + s - 4) != 0)
            continue;
        if (++walked > MAX_NAME_STARTS)
            break;
        const uint8_t *names = w + s;
        size_t nlen = len - s;
        if (walk(names, nlen, 0, 256) != mk[1])
            continue;
        size_t e = walk(names, nlen, mlast, n - 256 * (c->nm - 1));
        if (e == (size_t)-1 || nlen - e >= 8)
            continue;
        c->s = lo + s;
        c->n = n;
        free(w);
        return SCRY_OK;
    }
    free(w);
    return reject(sc, S_NAMES, SCRY_ERR_CORRUPT,
                  "markers at 0x%llx (%u): no kallsyms_num_syms and kallsyms_names before them "
                  "that agree with them",
                  (unsigned long long)c->m, c->nm);
}

/* Step 5: the places the image may have been put; the first that checks. */
static scry_status place(struct scan *sc, const struct cand *c)
{
    const struct scry_sysmap *m = sc->out;
    const struct scry_sysmap_sym *text = scry_sysmap_find(m, "_text"),
                                 *end = scry_sysmap_find(m, "_end");
    if (!text || text->addr < SCRY_KERNEL_MAP)
        return reject(sc, S_VERIFY, SCRY_ERR_CORRUPT, "kallsyms at 0x%llx: no _text symbol",
                      (unsigned long long)c->t);
    uint64_t lo = text->addr, hi = end && end->addr > lo ? end->addr : lo + (1ull << 30);
    uint64_t va = SCRY_KERNEL_MAP + (c->t & (IMAGE_ALIGN - 1));
    if (va < lo)
        va += (lo - va + IMAGE_ALIGN - 1) / IMAGE_ALIGN * IMAGE_ALIGN;
    char first[512] = "";
    for (unsigned k = 0; k < MAX_PLACES && va < hi && va >= lo; k++, va += IMAGE_ALIGN) {
        uint64_t pb = c->t - (va - SCRY_KERNEL_MAP), banner_pa;
        scry_status st = scry_ksym_verify(sc->p, m, pb, &banner_pa);
        if (st == SCRY_OK) {
            sc->info->phys_base = pb;
            sc->info->banner_pa = banner_pa;
            return SCRY_OK;
        }
        if (st == SCRY_ERR_NOMEM)
            return st;
        if (!*first)
            snprintf(first, sizeof first, "%s", inner());
    }
    return reject(sc, S_VERIFY, SCRY_ERR_CORRUPT,
                  "kallsyms at 0x%llx decode, but no placement of the kernel image checks out "
                  "(%s)",
                  (unsigned long long)c->t, *first ? first : "none inside _text.._end");
}

/* Step 4 and 5 for one layout. */
static scry_status try_layout(struct scan *sc, const struct cand *c, uint64_t offsets,
                              uint64_t rbase)
{
    uint8_t b8[8];
    size_t holes = 0;
    if (scry_phys_read(sc->p, rbase, b8, 8, &holes) != SCRY_OK || holes ||
        scry_ksym_u64(b8) < SCRY_KERNEL_MAP)
        return reject(sc, S_LAYOUT, SCRY_ERR_CORRUPT,
                      "names at 0x%llx: no kernel address as relative_base at 0x%llx",
                      (unsigned long long)c->s, (unsigned long long)rbase);
    struct scry_ksym_loc loc = {
        .num_syms_pa = c->s - 8, .names_pa = c->s, .token_table_pa = c->t,
        .token_index_pa = c->x, .offsets_pa = offsets, .relative_base_pa = rbase,
        .markers_pa = c->m, .has_markers = 1, .names_max = (size_t)(c->m - c->s),
        .token_table_max = (size_t)(c->e - c->t), .num_syms = c->n,
    };
    scry_status st = scry_ksym_load(sc->p, &loc, sc->out, sc->info);
    if (st == SCRY_ERR_NOMEM)
        return st;
    if (st != SCRY_OK)
        return reject(sc, S_DECODE, st, "%s", inner());
    if ((st = place(sc, c)) != SCRY_OK)
        scry_sysmap_free(sc->out);
    return st;
}

/* Steps 3-5 for one marker array. */
static scry_status try_markers(struct scan *sc, struct cand *c, const uint32_t *mk)
{
    scry_status st = find_names(sc, c, mk);
    if (st != SCRY_OK)
        return st;
    /* Between the markers and the token table: nothing, or
     * kallsyms_seqs_of_names (u8[3] per name in 6.1 stable and 6.2, u32
     * since 6.3), each 8-aligned. */
    uint64_t ss = (c->m + 4 * (uint64_t)c->nm + 7) & ~7ull;
    if (c->t != ss && c->t != ss + ((3 * (uint64_t)c->n + 7) & ~7ull) &&
        c->t != ss + ((4 * (uint64_t)c->n + 7) & ~7ull))
        return reject(sc, S_NAMES, SCRY_ERR_CORRUPT,
                      "markers at 0x%llx: %llu bytes before the token table, neither nothing nor "
                      "seqs_of_names for %u names",
                      (unsigned long long)c->m, (unsigned long long)(c->t - ss), c->n);
    uint64_t off_len = (4 * (uint64_t)c->n + 7) & ~7ull;
    /* 6.4+: offsets after the token index; 6.1: before num_syms. */
    st = try_layout(sc, c, c->x + 512, c->x + 512 + off_len);
    if (st != SCRY_OK && st != SCRY_ERR_NOMEM && c->s >= 16 + off_len)
        st = try_layout(sc, c, c->s - 16 - off_len, c->s - 16);
    return st;
}

/* Step 2: marker arrays before the token table, nearest first; first in the
 * 2 MiB below it (every kernel so far), then as far as the largest
 * seqs_of_names allowed reaches. */
static scry_status find_markers(struct scan *sc, struct cand *c)
{
    const size_t near = (size_t)2 << 20,
                 far = 4 * (size_t)SCRY_KALLSYMS_MAX_SYMS + 4 * (size_t)MAX_MARKERS + 64;
    const uint32_t dmin = 2 * 256, dmax = 256 * SCRY_KSYM_MAX_ENTRY;
    unsigned attempts = 0;
    for (int pass = 0; pass < 2; pass++) {
        size_t len = pass ? far : near;
        uint64_t lo = c->t >= len ? c->t - len : 0;
        len = (size_t)(c->t - lo);
        uint64_t skip = pass && c->t >= near ? c->t - near : c->t; /* searched in pass 0 */
        uint8_t *w = malloc(len + 1);
        uint32_t *mk = malloc((MAX_MARKERS + 1) * sizeof *mk);
        if (!w || !mk) {
            free(w);
            free(mk);
            return scry_err(SCRY_ERR_NOMEM, "out of memory");
        }
        scry_status st = read_window(sc, lo, w, len);
        if (st != SCRY_OK) {
            free(w);
            free(mk);
            return reject(sc, S_MARKERS, st, "token table at 0x%llx: %s",
                          (unsigned long long)c->t, scry_last_error());
        }
        uint64_t top = c->t >= 8 ? (c->t - 8) & ~7ull : 0;
        uint64_t steps = c->t >= 8 && top >= lo ? (top - lo) / 8 + 1 : 0;
        for (uint64_t k = 0; k < steps; k++) {
            uint64_t q = top - 8 * k;
            if (pass && q >= skip)
                continue;
            size_t at = (size_t)(q - lo);
            if (scry_ksym_u32(w + at) != 0)
                continue;
            uint32_t l = 1;
            mk[0] = 0;
            while (l <= MAX_MARKERS && at + 4 * (size_t)l + 4 <= len) {
                uint32_t v = scry_ksym_u32(w + at + 4 * (size_t)l);
                if (v - mk[l - 1] < dmin || v - mk[l - 1] > dmax || v < mk[l - 1])
                    break;
                mk[l++] = v;
            }
            /* The last u32 of a maximal run may be a seqs_of_names byte
             * triple that happened to fit: that run less one is tried too. */
            for (uint32_t nm = l; nm >= 2 && nm + 1 >= l; nm--) {
                if (++attempts > 16) {
                    free(w);
                    free(mk);
                    return reject(sc, S_MARKERS, SCRY_ERR_CORRUPT,
                                  "token table at 0x%llx: none of 16 marker arrays before it "
                                  "leads to the names",
                                  (unsigned long long)c->t);
                }
                c->m = q;
                c->nm = nm;
                st = try_markers(sc, c, mk);
                if (st == SCRY_OK || st == SCRY_ERR_NOMEM || sc->fatal) {
                    free(w);
                    free(mk);
                    return st;
                }
            }
        }
        free(w);
        free(mk);
        if (lo == 0)
            break;
    }
    return reject(sc, S_MARKERS, SCRY_ERR_CORRUPT,
                  "token table at 0x%llx: no kallsyms_markers before it (u32s rising from 0, "
                  "8-aligned, at least 2)",
                  (unsigned long long)c->t);
}

static scry_status try_candidate(struct scan *sc, uint64_t h)
{
    struct cand c = {.h = h};
    scry_status st = find_tokens(sc, &c);
    if (st == SCRY_OK)
        st = find_markers(sc, &c);
    return st;
}

static int on_hit(void *user, uint64_t pa)
{
    struct scan *sc = user;
    if (++sc->tries > MAX_CANDIDATES)
        return 1;
    scry_status st = try_candidate(sc, pa);
    if (st == SCRY_OK) {
        sc->found = 1;
        return 1;
    }
    if (st == SCRY_ERR_NOMEM || sc->fatal) {
        if (!sc->fatal)
            sc->fatal = st;
        return 1;
    }
    return 0;
}

scry_status scry_ksym_scan(struct scry_phys *p, struct scry_op *op, struct scry_sysmap *out,
                           struct scry_kallsyms_info *info)
{
    struct scan sc = {.p = p, .out = out, .info = info, .read_left = READ_BUDGET};
    memset(out, 0, sizeof *out);
    scry_status st = scry_scan_phys(p, op, digits, DIGITS_LEN, on_hit, &sc);
    if (sc.found) {
        info->from_vmcoreinfo = 0;
        return SCRY_OK;
    }
    if (sc.fatal == SCRY_ERR_LIMIT)
        return scry_err(SCRY_ERR_LIMIT,
                        "kallsyms: gave up after reading %llu MiB around candidate token tables",
                        (unsigned long long)(READ_BUDGET >> 20));
    if (sc.fatal)
        return scry_err(sc.fatal, "kallsyms: out of memory while checking candidate tables");
    if (st != SCRY_OK)
        return st;
    if (sc.best == S_NONE)
        return scry_err(SCRY_ERR_NODATA, "kallsyms: no token table found in physical memory%s",
                        sc.tries > MAX_CANDIDATES ? " (gave up after 256 candidates)" : "");
    return scry_err(SCRY_ERR_CORRUPT, "kallsyms: a token table found, but %s", sc.why);
}
