/* json.c - Volatility's "json" and "jsonl" renderers: the row tree as
 * json.dumps(roots, indent=2, sort_keys=True) (json), or one
 * json.dumps(root, sort_keys=True) line per top-level row (jsonl), both with
 * ensure_ascii escaping, after a leading "\n".
 *
 * Rows arrive flat in depth-first order, so the nesting is written with an
 * explicit stack of open nodes rather than recursion: plugin trees can be
 * as deep as the rows are many. */
#include "lib/render/render.h"
#include "lib/render/text_cell.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- strings */

static void out_hex4(struct scry_out *o, unsigned v)
{
    static const char hex[] = "0123456789abcdef";
    char t[6] = {'\\', 'u', hex[(v >> 12) & 15], hex[(v >> 8) & 15], hex[(v >> 4) & 15], hex[v & 15]};
    scry_out_write(o, t, 6);
}

/* A JSON string as Python's json.dumps(ensure_ascii=True) writes it. The
 * input is valid UTF-8 (scry_result_add guarantees it for STR cells). */
static void json_escape_valid(struct scry_out *o, const unsigned char *p, size_t len)
{
    size_t run = 0, i = 0;
    scry_out_write(o, "\"", 1);
    while (i < len) {
        unsigned c = p[i];
        const char *esc = NULL;
        if (c >= 0x20 && c <= 0x7e && c != '"' && c != '\\') {
            i++;
            continue;
        }
        scry_out_write(o, (const char *)p + run, i - run);
        switch (c) {
        case '"': esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        case '\t': esc = "\\t"; break;
        case '\b': esc = "\\b"; break;
        case '\f': esc = "\\f"; break;
        default: break;
        }
        if (esc) {
            scry_out_write(o, esc, 2);
            i++;
        } else if (c < 0x80) {
            out_hex4(o, c);
            i++;
        } else {
            uint32_t cp;
            if (c < 0xE0) {
                cp = (c & 0x1Fu) << 6 | (p[i + 1] & 0x3Fu);
                i += 2;
            } else if (c < 0xF0) {
                cp = (c & 0x0Fu) << 12 | (p[i + 1] & 0x3Fu) << 6 | (p[i + 2] & 0x3Fu);
                i += 3;
            } else {
                cp = (c & 0x07u) << 18 | (p[i + 1] & 0x3Fu) << 12 | (p[i + 2] & 0x3Fu) << 6 |
                     (p[i + 3] & 0x3Fu);
                i += 4;
            }
            if (cp >= 0x10000) {
                cp -= 0x10000;
                out_hex4(o, 0xD800 | (cp >> 10));
                out_hex4(o, 0xDC00 | (cp & 0x3FF));
            } else {
                out_hex4(o, cp);
            }
        }
        run = i;
    }
    scry_out_write(o, (const char *)p + run, len - run);
    scry_out_write(o, "\"", 1);
}

static scry_status json_string(struct scry_out *o, const char *p, size_t len)
{
    const unsigned char *u = (const unsigned char *)p;
    char *tmp;
    if (scry_utf8_valid(u, len)) {
        json_escape_valid(o, u, len);
        return SCRY_OK;
    }
    /* Only column names can get here (cells are checked when added). */
    if (len > (SIZE_MAX - 1) / 3 || !(tmp = malloc(3 * len + 1)))
        return scry_err(SCRY_ERR_NOMEM, "cannot escape a JSON string");
    len = scry_utf8_replace(u, len, tmp);
    json_escape_valid(o, (const unsigned char *)tmp, len);
    free(tmp);
    return SCRY_OK;
}

/* ----------------------------------------------------------------- values */

/* A decimal integer without printf: every row has several. */
static void write_dec(struct scry_out *o, uint64_t v, int neg)
{
    char t[24];
    size_t i = sizeof t;
    do {
        t[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    if (neg)
        t[--i] = '-';
    scry_out_write(o, t + i, sizeof t - i);
}

/* The same for a 128-bit value (hi:lo), by long division in 32-bit
 * steps. */
static void write_dec128(struct scry_out *o, uint64_t hi, uint64_t lo)
{
    char t[48];
    size_t i = sizeof t;
    uint32_t w[4] = {(uint32_t)(hi >> 32), (uint32_t)hi, (uint32_t)(lo >> 32), (uint32_t)lo};
    do {
        uint64_t rem = 0;
        for (int k = 0; k < 4; k++) {
            uint64_t cur = rem << 32 | w[k];
            w[k] = (uint32_t)(cur / 10);
            rem = cur % 10;
        }
        t[--i] = (char)('0' + rem);
    } while (w[0] | w[1] | w[2] | w[3]);
    scry_out_write(o, t + i, sizeof t - i);
}

static scry_status json_value(struct scry_out *o, struct scry_sbuf *b, scry_coltype type,
                              const struct scry_cell *c)
{
    if (c->state != SCRY_CELL_VALUE) {
        /* bytes go through optional() and HexBytes through
         * quoted_optional(), so only they stay strings when absent. */
        if (type == SCRY_COL_BYTES)
            scry_out_str(o, c->state == SCRY_CELL_NOT_APPLICABLE ? "\"N/A\"" : "\"-\"");
        else if (type == SCRY_COL_HEXBYTES || type == SCRY_COL_DISASM)
            scry_out_write(o, "\"\"", 2);
        else
            scry_out_write(o, "null", 4);
        return SCRY_OK;
    }
    switch (type) {
    case SCRY_COL_INT:
        write_dec(o, c->v.i < 0 ? 0 - (uint64_t)c->v.i : (uint64_t)c->v.i, c->v.i < 0);
        return SCRY_OK;
    case SCRY_COL_HEX:
        write_dec(o, c->v.u, 0); /* Volatility's JSON prints Hex as a number */
        return SCRY_OK;
    case SCRY_COL_HEX128:
        write_dec128(o, c->v.x.hi, c->v.x.lo);
        return SCRY_OK;
    case SCRY_COL_BOOL:
        scry_out_str(o, c->v.i ? "true" : "false");
        return SCRY_OK;
    case SCRY_COL_STR:
        json_escape_valid(o, (const unsigned char *)c->v.s.p, c->v.s.len);
        return SCRY_OK;
    case SCRY_COL_BYTES:
    case SCRY_COL_HEXBYTES:
    case SCRY_COL_DATETIME:
    case SCRY_COL_DISASM:
        break;
    }
    scry_sbuf_reset(b);
    scry_sbuf_add(b, "", 0);
    if (type == SCRY_COL_BYTES) {
        scry_text_bytes(b, c->v.s.p, c->v.s.len);
    } else if (type == SCRY_COL_HEXBYTES) {
        /* quoted_optional() puts literal quotes inside the JSON string. */
        scry_sbuf_addc(b, '"');
        scry_text_hexdump(b, c->v.s.p, c->v.s.len);
        scry_sbuf_addc(b, '"');
    } else if (type == SCRY_COL_DISASM) {
        scry_sbuf_addc(b, '"'); /* quoted_optional(display_disassembly) */
        scry_sbuf_add(b, c->v.s.p, c->v.s.len);
        scry_sbuf_addc(b, '"');
    } else {
        scry_text_datetime(b, c->v.t.sec, c->v.t.usec, 1);
    }
    if (b->oom)
        return scry_err(SCRY_ERR_NOMEM, "cannot format a cell");
    json_escape_valid(o, (const unsigned char *)b->p, b->len);
    return SCRY_OK;
}

/* ------------------------------------------------------------------- tree */

struct json_ctx {
    const struct scry_result *r;
    struct scry_out *o;
    struct scry_sbuf b;
    size_t *order;   /* key order: column indexes, ncols stands for __children */
    size_t nkeys;
    size_t kids_at;  /* position of __children in order */
    char **kq;       /* per column: "name": as written, when the name needs no
                      * escaping (every static column name); NULL otherwise */
    int indent;      /* 1: json (indent=2), 0: jsonl */
    scry_status st;
};

static const char CHILDREN[] = "__children";

static const char *key_name(const struct json_ctx *j, size_t k)
{
    return k == j->r->ncols ? CHILDREN : j->r->cols[k].name;
}

/* Python sorts str keys by code point; strcmp compares as unsigned char
 * and UTF-8 byte order is code point order. Insertion sort: a handful of
 * columns, and no comparator context to smuggle through qsort. */
static void sort_keys(struct json_ctx *j)
{
    for (size_t i = 1; i < j->nkeys; i++) {
        size_t v = j->order[i], k = i;
        while (k > 0 && strcmp(key_name(j, j->order[k - 1]), key_name(j, v)) > 0) {
            j->order[k] = j->order[k - 1];
            k--;
        }
        j->order[k] = v;
    }
}

static void newline_indent(struct json_ctx *j, size_t n)
{
    static const char sp[] = "                                ";
    scry_out_write(j->o, "\n", 1);
    while (n) {
        size_t k = n < sizeof sp - 1 ? n : sizeof sp - 1;
        scry_out_write(j->o, sp, k);
        n -= k;
    }
}

/* Before the first item of a list or object at this indent. */
static void first_item(struct json_ctx *j, size_t ind)
{
    if (j->indent)
        newline_indent(j, ind);
}

static void next_item(struct json_ctx *j, size_t ind)
{
    if (j->indent) {
        scry_out_write(j->o, ",", 1);
        newline_indent(j, ind);
    } else {
        scry_out_write(j->o, ", ", 2);
    }
}

static void close_with(struct json_ctx *j, size_t ind, const char *ch)
{
    if (j->indent)
        newline_indent(j, ind);
    scry_out_write(j->o, ch, 1);
}

/* The quoted form of every key that needs no escaping: printable ASCII
 * without '"' or '\\'. Best effort: a key left NULL (or out of memory)
 * takes the escaping path. */
static void quote_keys(struct json_ctx *j)
{
    if (!(j->kq = calloc(j->nkeys, sizeof *j->kq)))
        return;
    for (size_t k = 0; k < j->nkeys; k++) {
        const char *n = key_name(j, k);
        size_t len = strlen(n), i = 0;
        while (i < len && n[i] >= 0x20 && n[i] < 0x7f && n[i] != '"' && n[i] != '\\')
            i++;
        if (i == len && (j->kq[k] = malloc(len + 5)))
            snprintf(j->kq[k], len + 5, "\"%s\": ", n);
    }
}

/* Indent of a node's "{...}" and of its keys, by depth. */
static size_t node_ind(const struct json_ctx *j, int depth)
{
    return j->indent ? 2 + 4 * (size_t)depth : 0;
}

/* Keys [from, to) of a row, each preceded by its separator. */
static void write_keys(struct json_ctx *j, size_t row, int depth, size_t from, size_t to)
{
    size_t ind = node_ind(j, depth) + 2;
    for (size_t k = from; k < to && !j->st; k++) {
        size_t col = j->order[k];
        if (k == 0)
            first_item(j, ind);
        else
            next_item(j, ind);
        if (j->kq && j->kq[col]) {
            /* The hot path: a key written once per row of every listing. */
            scry_out_write(j->o, j->kq[col], strlen(j->kq[col]));
        } else {
            j->st = json_string(j->o, key_name(j, col), strlen(key_name(j, col)));
            if (j->st)
                return;
            scry_out_write(j->o, ": ", 2);
        }
        if (col == j->r->ncols)
            continue; /* the caller writes the children list */
        j->st = json_value(j->o, &j->b, j->r->cols[col].type, &j->r->rows[row].cells[col]);
    }
}

/* After a node's children list: its remaining keys and "}". */
static void finish_node(struct json_ctx *j, size_t row, int depth)
{
    write_keys(j, row, depth, j->kids_at + 1, j->nkeys);
    close_with(j, node_ind(j, depth), "}");
}

static scry_status render_tree(const struct scry_result *r, struct scry_out *o, int indent)
{
    struct json_ctx j = {.r = r, .o = o, .indent = indent};
    size_t *stack = NULL; /* stack[d]: the row of the open node at depth d */
    scry_out_write(o, "\n", 1);
    j.nkeys = r->ncols + 1;
    j.order = malloc(j.nkeys * sizeof *j.order);
    if (r->nrows)
        stack = malloc(r->nrows * sizeof *stack);
    if (!j.order || (r->nrows && !stack)) {
        j.st = scry_err(SCRY_ERR_NOMEM, "cannot allocate the JSON tree");
        goto out;
    }
    for (size_t k = 0; k < j.nkeys; k++)
        j.order[k] = k;
    sort_keys(&j);
    quote_keys(&j);
    for (size_t k = 0; k < j.nkeys; k++)
        if (j.order[k] == r->ncols)
            j.kids_at = k;

    if (indent)
        scry_out_write(o, "[", 1);
    if (indent && r->nrows == 0)
        scry_out_write(o, "]", 1);

    /* scry_result_add guarantees a row is at most one level below the one
     * before it, so "next == d + 1" is the only way children start. */
    for (size_t i = 0; i < r->nrows && !j.st; i++) {
        int d = r->rows[i].depth;
        int next = i + 1 < r->nrows ? r->rows[i + 1].depth : -1;
        if (d == 0) {
            if (indent) {
                if (i == 0)
                    first_item(&j, node_ind(&j, 0));
                else
                    next_item(&j, node_ind(&j, 0));
            }
        } else if (r->rows[i - 1].depth == d - 1) {
            first_item(&j, node_ind(&j, d));
        } else {
            next_item(&j, node_ind(&j, d));
        }
        stack[d] = i;
        scry_out_write(o, "{", 1);
        write_keys(&j, i, d, 0, j.kids_at + 1);
        if (j.st)
            break;
        if (next == d + 1) {
            scry_out_write(o, "[", 1);
            continue;
        }
        scry_out_write(o, "[]", 2);
        finish_node(&j, i, d);
        /* Close every ancestor the next row does not belong to. */
        for (int a = d - 1; a >= next && a >= 0 && !j.st; a--) {
            close_with(&j, node_ind(&j, a) + 2, "]");
            finish_node(&j, stack[a], a);
        }
        if (!indent && next <= 0)
            scry_out_write(o, "\n", 1);
    }
    if (indent && r->nrows && !j.st)
        close_with(&j, 0, "]");
    if (indent && !j.st)
        scry_out_write(o, "\n", 1);
out:
    scry_sbuf_free(&j.b);
    for (size_t k = 0; j.kq && k < j.nkeys; k++)
        free(j.kq[k]);
    free(j.kq);
    free(j.order);
    free(stack);
    return j.st;
}

/* The key order and quoted keys of a result's columns, without
 * __children: what writing a row alone needs, made once per result. */
static scry_status row_ctx_init(struct json_ctx *j, const struct scry_result *r, struct scry_out *o)
{
    memset(j, 0, sizeof *j);
    j->r = r;
    j->o = o;
    j->nkeys = r->ncols;
    j->kids_at = r->ncols;
    if (r->ncols && !(j->order = malloc(j->nkeys * sizeof *j->order)))
        return scry_err(SCRY_ERR_NOMEM, "cannot allocate a JSON row");
    for (size_t k = 0; k < j->nkeys; k++)
        j->order[k] = k;
    sort_keys(j);
    quote_keys(j);
    return SCRY_OK;
}

static void row_ctx_free(struct json_ctx *j)
{
    scry_sbuf_free(&j->b);
    for (size_t k = 0; j->kq && k < j->nkeys; k++)
        free(j->kq[k]);
    free(j->kq);
    free(j->order);
}

scry_status scry_render_json_row(const struct scry_result *r, size_t row, struct scry_out *o)
{
    /* One node as jsonl writes it, without its __children key. */
    struct json_ctx j;
    scry_status st;
    if (row >= r->nrows)
        return scry_err(SCRY_ERR_INVALID_ARG, "row %zu out of range", row);
    if ((st = row_ctx_init(&j, r, o)) != SCRY_OK)
        return st;
    scry_out_write(o, "{", 1);
    write_keys(&j, row, 0, 0, j.nkeys);
    scry_out_write(o, "}", 1);
    row_ctx_free(&j);
    return j.st;
}

scry_status scry_render_json_str(struct scry_out *o, const char *s, size_t len)
{
    return json_string(o, s, len);
}

scry_status scry_render_json_lines(const struct scry_result *r, const char *pre, size_t prelen,
                                   struct scry_out *o)
{
    struct json_ctx j;
    scry_status st = row_ctx_init(&j, r, o);
    for (size_t i = 0; st == SCRY_OK && i < r->nrows && !j.st; i++) {
        char d[24];
        int n = snprintf(d, sizeof d, "{\"depth\": %d, ", r->rows[i].depth);
        scry_out_write(o, d, (size_t)n);
        scry_out_write(o, pre, prelen);
        scry_out_write(o, "\"row\": {", 8);
        write_keys(&j, i, 0, 0, j.nkeys);
        scry_out_write(o, "}}\n", 3);
    }
    if (st == SCRY_OK)
        st = j.st;
    row_ctx_free(&j);
    return st;
}

static scry_status render_json(const struct scry_result *r, struct scry_out *o)
{
    return render_tree(r, o, 1);
}

static scry_status render_jsonl(const struct scry_result *r, struct scry_out *o)
{
    return render_tree(r, o, 0);
}

const struct scry_renderer scry_renderer_json = {"json", render_json, 1};
const struct scry_renderer scry_renderer_jsonl = {"jsonl", render_jsonl, 1};
