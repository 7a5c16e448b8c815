/* rcache_codec.c - a result as a cache blob and back (layout: rcache.h).
 *
 * Decoding treats the blob as hostile: every length is checked against
 * what is left before it is used, counts are bounded by the bytes they
 * would need, strings of STR columns must be valid UTF-8 and row depths
 * must follow the tree rule, so a decoded result is exactly one a plugin
 * could have built - and, for a blob this file wrote, the one it did. */
#include <stdlib.h>
#include <string.h>

#include "lib/base/crc32c.h"
#include "lib/rows/rows.h"
#include "lib/session/rcache.h"

static const uint8_t magic[8] = {'M', 'S', 'C', 'R', 'Y', 'R', 'C', 1};

/* ------------------------------------------------------------- writing */

void scry_rbuf_put(struct scry_rbuf *b, const void *data, size_t n)
{
    if (b->failed || !n)
        return;
    if (n > SIZE_MAX / 2 - b->n) {
        b->failed = 1;
        return;
    }
    if (b->n + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->n + n)
            cap *= 2;
        uint8_t *p = realloc(b->p, cap);
        if (!p) {
            b->failed = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, data, n);
    b->n += n;
}

void scry_rbuf_u8(struct scry_rbuf *b, uint8_t v) { scry_rbuf_put(b, &v, 1); }

void scry_rbuf_u32(struct scry_rbuf *b, uint32_t v)
{
    uint8_t x[4];
    for (int i = 0; i < 4; i++)
        x[i] = (uint8_t)(v >> (8 * i));
    scry_rbuf_put(b, x, 4);
}

void scry_rbuf_u64(struct scry_rbuf *b, uint64_t v)
{
    uint8_t x[8];
    for (int i = 0; i < 8; i++)
        x[i] = (uint8_t)(v >> (8 * i));
    scry_rbuf_put(b, x, 8);
}

void scry_rbuf_str(struct scry_rbuf *b, const char *s, size_t len)
{
    scry_rbuf_u64(b, s ? len : 0);
    if (s)
        scry_rbuf_put(b, s, len);
}

void scry_rbuf_free(struct scry_rbuf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

static void put_le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void put_le64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static int is_text(scry_coltype t)
{
    return t == SCRY_COL_STR || t == SCRY_COL_BYTES || t == SCRY_COL_HEXBYTES ||
           t == SCRY_COL_DISASM;
}

static void put_cell(struct scry_rbuf *b, scry_coltype t, const struct scry_cell *c)
{
    scry_rbuf_u8(b, (uint8_t)c->state);
    if (c->state != SCRY_CELL_VALUE)
        return;
    if (is_text(t))
        scry_rbuf_str(b, c->v.s.p, c->v.s.len);
    else if (t == SCRY_COL_DATETIME) {
        scry_rbuf_u64(b, (uint64_t)c->v.t.sec);
        scry_rbuf_u32(b, c->v.t.usec);
    } else if (t == SCRY_COL_HEX128) {
        scry_rbuf_u64(b, c->v.x.lo);
        scry_rbuf_u64(b, c->v.x.hi);
    } else /* INT, BOOL, HEX: the union's 64 bits */
        scry_rbuf_u64(b, c->v.u);
}

static void put_check(struct scry_rbuf *b, const struct scry_rcache_check *chk)
{
    scry_rbuf_str(b, chk->isf, strlen(chk->isf));
    scry_rbuf_u64(b, chk->size);
    scry_rbuf_u64(b, chk->mtime_sec);
    scry_rbuf_u64(b, chk->mtime_nsec);
    scry_rbuf_u64(b, chk->ino);
    scry_rbuf_u64(b, chk->dev);
    scry_rbuf_u64(b, chk->dir_mtime_sec);
    scry_rbuf_u64(b, chk->dir_mtime_nsec);
}

scry_status scry_rcache_encode(const uint8_t *key, size_t keylen,
                               const struct scry_rcache_check *chk, const struct scry_result *r,
                               struct scry_rbuf *b)
{
    uint8_t hdr[SCRY_RCACHE_HEADER] = {0};
    size_t body;
    memset(b, 0, sizeof *b);
    scry_rbuf_put(b, hdr, sizeof hdr);
    scry_rbuf_put(b, key, keylen);
    body = b->n;
    put_check(b, chk);
    scry_rbuf_u32(b, (uint32_t)r->ncols);
    for (size_t i = 0; i < r->ncols; i++) {
        scry_rbuf_u8(b, (uint8_t)r->cols[i].type);
        scry_rbuf_str(b, r->cols[i].name, strlen(r->cols[i].name));
    }
    scry_rbuf_u64(b, r->nrows);
    for (size_t i = 0; i < r->nrows; i++) {
        scry_rbuf_u32(b, (uint32_t)r->rows[i].depth);
        for (size_t c = 0; c < r->ncols; c++)
            put_cell(b, r->cols[c].type, &r->rows[i].cells[c]);
    }
    scry_rbuf_u64(b, r->diags.n);
    for (size_t i = 0; i < r->diags.n; i++) {
        const struct scry_diag *d = &r->diags.v[i];
        scry_rbuf_u8(b, (uint8_t)d->level);
        scry_rbuf_u32(b, (uint32_t)d->status);
        scry_rbuf_str(b, d->message, strlen(d->message));
    }
    scry_rbuf_u8(b, (uint8_t)(r->diags.partial != 0));
    scry_rbuf_u64(b, r->diags.max);
    if (b->failed) {
        scry_rbuf_free(b);
        return scry_err(SCRY_ERR_NOMEM, "cannot encode a result for the cache");
    }
    memcpy(b->p, magic, sizeof magic);
    put_le32(b->p + 8, SCRY_RCACHE_FORMAT);
    put_le32(b->p + 12, scry_crc32c(b->p + SCRY_RCACHE_HEADER, b->n - SCRY_RCACHE_HEADER));
    put_le64(b->p + 16, keylen);
    put_le64(b->p + 24, b->n - body);
    return SCRY_OK;
}

/* ------------------------------------------------------------- reading */

struct rd {
    const uint8_t *p;
    size_t left;
    int bad;
};

static const uint8_t *take(struct rd *r, size_t n)
{
    const uint8_t *p = r->p;
    if (r->bad || n > r->left) {
        r->bad = 1;
        return NULL;
    }
    r->p += n;
    r->left -= n;
    return p;
}

static uint64_t get_le(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static uint8_t rd_u8(struct rd *r)
{
    const uint8_t *p = take(r, 1);
    return p ? *p : 0;
}

static uint32_t rd_u32(struct rd *r)
{
    const uint8_t *p = take(r, 4);
    return p ? (uint32_t)get_le(p, 4) : 0;
}

static uint64_t rd_u64(struct rd *r)
{
    const uint8_t *p = take(r, 8);
    return p ? get_le(p, 8) : 0;
}

/* A string in place (not NUL-terminated): its bytes and length. */
static const char *rd_str(struct rd *r, size_t *len)
{
    uint64_t n = rd_u64(r);
    const uint8_t *p = n <= r->left ? take(r, (size_t)n) : take(r, SIZE_MAX);
    *len = p ? (size_t)n : 0;
    return p ? (const char *)p : "";
}

static int get_check(struct rd *r, struct scry_rcache_check *chk)
{
    size_t n;
    const char *s = rd_str(r, &n);
    if (r->bad || n >= sizeof chk->isf || memchr(s, 0, n))
        return -1;
    memcpy(chk->isf, s, n);
    chk->isf[n] = 0;
    chk->size = rd_u64(r);
    chk->mtime_sec = rd_u64(r);
    chk->mtime_nsec = rd_u64(r);
    chk->ino = rd_u64(r);
    chk->dev = rd_u64(r);
    chk->dir_mtime_sec = rd_u64(r);
    chk->dir_mtime_nsec = rd_u64(r);
    return r->bad ? -1 : 0;
}

static scry_status corrupt(const char *what)
{
    return scry_err(SCRY_ERR_CORRUPT, "result cache entry: %s", what);
}

static scry_status get_columns(struct rd *rd, struct scry_result *r)
{
    uint32_t n = rd_u32(rd);
    struct scry_column *cols;
    if (rd->bad || n > rd->left / 9) /* each column takes >= 9 bytes */
        return corrupt("bad column count");
    cols = n ? scry_result_alloc(r, n * sizeof *cols) : NULL;
    if (n && !cols)
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    for (uint32_t i = 0; i < n; i++) {
        size_t len;
        uint8_t t = rd_u8(rd);
        const char *name = rd_str(rd, &len);
        if (rd->bad || t > SCRY_COL_HEX128 || memchr(name, 0, len))
            return corrupt("bad column");
        cols[i].type = (scry_coltype)t;
        if (!(cols[i].name = scry_result_strdup(r, name, len)))
            return scry_err(SCRY_ERR_NOMEM, "out of memory");
    }
    r->cols = cols;
    r->ncols = n;
    return SCRY_OK;
}

static int get_cell(struct rd *rd, scry_coltype t, struct scry_cell *c)
{
    uint8_t state = rd_u8(rd);
    memset(c, 0, sizeof *c);
    if (state > SCRY_CELL_NOT_AVAILABLE)
        return -1;
    c->state = (scry_cellstate)state;
    if (state != SCRY_CELL_VALUE)
        return rd->bad ? -1 : 0;
    if (is_text(t)) {
        c->v.s.p = rd_str(rd, &c->v.s.len);
        if (t == SCRY_COL_STR && !scry_utf8_valid((const uint8_t *)c->v.s.p, c->v.s.len))
            return -1;
    } else if (t == SCRY_COL_DATETIME) {
        c->v.t.sec = (int64_t)rd_u64(rd);
        c->v.t.usec = rd_u32(rd);
    } else if (t == SCRY_COL_HEX128) {
        c->v.x.lo = rd_u64(rd);
        c->v.x.hi = rd_u64(rd);
    } else {
        c->v.u = rd_u64(rd);
        if (t == SCRY_COL_BOOL && c->v.u > 1)
            return -1;
    }
    return rd->bad ? -1 : 0;
}

static scry_status get_rows(struct rd *rd, struct scry_result *r)
{
    uint64_t n = rd_u64(rd);
    struct scry_cell *cells;
    scry_status st = SCRY_OK;
    int prev = -1;
    /* each row takes >= 4 bytes, and one per cell */
    if (rd->bad || n > rd->left / (4 + r->ncols))
        return corrupt("bad row count");
    if (!(cells = calloc(r->ncols ? r->ncols : 1, sizeof *cells)))
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    for (uint64_t i = 0; i < n && st == SCRY_OK; i++) {
        uint32_t depth = rd_u32(rd);
        if (rd->bad || depth > (uint32_t)(prev + 1)) {
            st = corrupt("bad row depth");
            break;
        }
        for (size_t c = 0; c < r->ncols && st == SCRY_OK; c++)
            if (get_cell(rd, r->cols[c].type, &cells[c]) != 0)
                st = corrupt("bad cell");
        if (st == SCRY_OK)
            st = scry_result_add(r, (int)depth, cells);
        prev = (int)depth;
    }
    free(cells);
    return st;
}

static scry_status get_diags(struct rd *rd, struct scry_result *r)
{
    uint64_t n = rd_u64(rd);
    if (rd->bad || n > rd->left / 13)
        return corrupt("bad diagnostic count");
    r->diags.max = (size_t)n + 1;
    for (uint64_t i = 0; i < n; i++) {
        size_t len;
        uint8_t level = rd_u8(rd);
        uint32_t status = rd_u32(rd);
        const char *msg = rd_str(rd, &len);
        if (rd->bad || level > SCRY_DIAG_WARNING || status > SCRY_ERR_CANCELLED ||
            memchr(msg, 0, len) || len > INT32_MAX)
            return corrupt("bad diagnostic");
        scry_diags_add(&r->diags, (scry_diag_level)level, (scry_status)status, "%.*s", (int)len,
                       msg);
    }
    if (r->diags.n != n)
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    r->diags.partial = rd_u8(rd);
    r->diags.max = (size_t)rd_u64(rd);
    r->diags.dropped = 0;
    if (rd->bad || r->diags.partial > 1)
        return corrupt("bad diagnostics");
    return SCRY_OK;
}

scry_status scry_rcache_decode(const uint8_t *blob, size_t len, const uint8_t *key, size_t keylen,
                               struct scry_rcache_check *chk, struct scry_result **out)
{
    struct rd rd;
    struct scry_result *r = NULL;
    uint64_t klen, blen;
    scry_status st;
    if (!blob || len < SCRY_RCACHE_HEADER || memcmp(blob, magic, sizeof magic) != 0)
        return corrupt("not a result cache entry");
    if (get_le(blob + 8, 4) != SCRY_RCACHE_FORMAT)
        return corrupt("another format version");
    klen = get_le(blob + 16, 8);
    blen = get_le(blob + 24, 8);
    if (klen > len - SCRY_RCACHE_HEADER || blen != len - SCRY_RCACHE_HEADER - klen)
        return corrupt("lengths do not match the entry's size");
    if ((uint32_t)get_le(blob + 12, 4) !=
        scry_crc32c(blob + SCRY_RCACHE_HEADER, len - SCRY_RCACHE_HEADER))
        return corrupt("checksum mismatch");
    if (klen != keylen || memcmp(blob + SCRY_RCACHE_HEADER, key, keylen) != 0)
        return scry_err(SCRY_ERR_NOT_FOUND, "result cache entry of another run");
    rd.p = blob + SCRY_RCACHE_HEADER + klen;
    rd.left = (size_t)blen;
    rd.bad = 0;
    if (get_check(&rd, chk) != 0)
        return corrupt("bad symbol table check");
    if ((st = scry_result_new(NULL, 0, &r)) != SCRY_OK)
        return st;
    st = get_columns(&rd, r);
    if (st == SCRY_OK)
        st = get_rows(&rd, r);
    if (st == SCRY_OK)
        st = get_diags(&rd, r);
    if (st == SCRY_OK && rd.left)
        st = corrupt("bytes after the result");
    if (st != SCRY_OK) {
        scry_result_free(r);
        return st;
    }
    *out = r;
    return SCRY_OK;
}
