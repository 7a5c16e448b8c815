/* json_stream.c - a streaming JSON tokenizer for the ISF loader.
 *
 * Written for ISF's plain, pretty-printed JSON: the hot paths are runs of
 * indentation and short escape-free strings, which are handed to the sink
 * straight out of the input chunk without a copy. Only a token that spans
 * two chunks or holds escapes goes through the scratch buffer. Nesting is
 * tracked on an explicit, bounded stack, so hostile input cannot recurse. */
#include "symbols/json_stream.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

struct tk {
    scry_json_next_fn next;
    void *src;
    const uint8_t *p, *end;
    int eof;
    unsigned long *line;
    unsigned char *buf; /* scratch for strings that need copying */
    size_t len, cap;
    scry_status st; /* why a helper returned -2 */
};

/* Bytes that end the fast scan of a string: the quote, a backslash and the
 * control characters JSON forbids raw. */
static const uint8_t str_special[256] = {
    [0x00] = 1, [0x01] = 1, [0x02] = 1, [0x03] = 1, [0x04] = 1, [0x05] = 1, [0x06] = 1,
    [0x07] = 1, [0x08] = 1, [0x09] = 1, [0x0a] = 1, [0x0b] = 1, [0x0c] = 1, [0x0d] = 1,
    [0x0e] = 1, [0x0f] = 1, [0x10] = 1, [0x11] = 1, [0x12] = 1, [0x13] = 1, [0x14] = 1,
    [0x15] = 1, [0x16] = 1, [0x17] = 1, [0x18] = 1, [0x19] = 1, [0x1a] = 1, [0x1b] = 1,
    [0x1c] = 1, [0x1d] = 1, [0x1e] = 1, [0x1f] = 1, ['"'] = 1, ['\\'] = 1,
};

static scry_status tk_fail(struct tk *t, const char *fmt, const char *what)
{
    char m[160];
    snprintf(m, sizeof m, fmt, what);
    t->st = scry_err(SCRY_ERR_CORRUPT, "line %lu: %s", *t->line, m);
    return t->st;
}

/* Describes the byte c (or end of input, c < 0) for messages. */
static const char *describe(int c, char buf[16])
{
    if (c < 0)
        return "end of input";
    if (c > 0x20 && c < 0x7f)
        snprintf(buf, 16, "'%c'", c);
    else
        snprintf(buf, 16, "byte 0x%02x", (unsigned)c);
    return buf;
}

static scry_status tk_unexpected(struct tk *t, const char *expected, int c)
{
    char d[16], m[128];
    snprintf(m, sizeof m, "expected %s, found %s", expected, describe(c, d));
    t->st = scry_err(SCRY_ERR_CORRUPT, "line %lu: %s", *t->line, m);
    return t->st;
}

/* 1: more input, 0: end of input, -2: the source failed (t->st). */
static int refill(struct tk *t)
{
    const uint8_t *d;
    size_t n;
    scry_status st;
    if (t->eof)
        return 0;
    st = t->next(t->src, &d, &n);
    if (st != SCRY_OK) {
        t->st = st;
        return -2;
    }
    if (n == 0) {
        t->eof = 1;
        t->p = t->end = NULL;
        return 0;
    }
    t->p = d;
    t->end = d + n;
    return 1;
}

/* The next byte, consumed; -1 at the end, -2 on a source failure. */
static int tk_getc(struct tk *t)
{
    if (t->p == t->end) {
        int r = refill(t);
        if (r <= 0)
            return r == 0 ? -1 : -2;
    }
    return *t->p++;
}

/* The next byte that is not whitespace, left unconsumed; -1 at the end.
 * Pretty-printed ISF is mostly indentation: after a newline the run of
 * spaces is skipped 16 bytes at a time. */
static int peek_nonws(struct tk *t)
{
    for (;;) {
        const uint8_t *p = t->p, *e = t->end;
        while (p < e) {
            uint8_t c = *p;
            if (c > ' ') {
                t->p = p;
                return c;
            }
            if (c == '\n') {
                ++*t->line;
#ifdef __SSE2__
                const __m128i sp = _mm_set1_epi8(' ');
                p++;
                while (e - p >= 16) {
                    unsigned m = (unsigned)_mm_movemask_epi8(
                        _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)p), sp));
                    if (m != 0xffff) {
                        p += __builtin_ctz(~m);
                        break;
                    }
                    p += 16;
                }
                continue;
#endif
            } else if (c != ' ' && c != '\t' && c != '\r') {
                t->p = p;
                return c;
            }
            p++;
        }
        t->p = p;
        int r = refill(t);
        if (r <= 0)
            return r == 0 ? -1 : -2;
    }
}

static int buf_append(struct tk *t, const void *s, size_t n)
{
    if (n == 0)
        return 0; /* t->buf may still be NULL, and NULL + 0 is undefined */
    if (n > SCRY_JSON_MAX_STRING - t->len) {
        tk_fail(t, "string longer than %s", "16 MiB");
        return -2;
    }
    if (t->len + n > t->cap) {
        size_t nc = t->cap ? t->cap : 256;
        while (nc < t->len + n)
            nc *= 2;
        unsigned char *nb = realloc(t->buf, nc);
        if (!nb) {
            t->st = scry_err(SCRY_ERR_NOMEM, "out of memory reading a JSON string");
            return -2;
        }
        t->buf = nb;
        t->cap = nc;
    }
    memcpy(t->buf + t->len, s, n);
    t->len += n;
    return 0;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Reads the 4 hex digits after "\u"; -2 on failure. */
static long read_hex4(struct tk *t)
{
    long v = 0;
    for (int i = 0; i < 4; i++) {
        int c = tk_getc(t);
        if (c == -2)
            return -2;
        int h = c < 0 ? -1 : hexval(c);
        if (h < 0) {
            tk_fail(t, "bad \\u escape in %s", "string");
            return -2;
        }
        v = v << 4 | h;
    }
    return v;
}

static int put_utf8(struct tk *t, unsigned long cp)
{
    unsigned char u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (unsigned char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (unsigned char)(0xc0 | cp >> 6);
        u[1] = (unsigned char)(0x80 | (cp & 0x3f));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (unsigned char)(0xe0 | cp >> 12);
        u[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
        u[2] = (unsigned char)(0x80 | (cp & 0x3f));
        n = 3;
    } else {
        u[0] = (unsigned char)(0xf0 | cp >> 18);
        u[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
        u[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
        u[3] = (unsigned char)(0x80 | (cp & 0x3f));
        n = 4;
    }
    return buf_append(t, u, n);
}

static int read_escape(struct tk *t)
{
    int c = tk_getc(t);
    char ch;
    switch (c) {
    case '"': ch = '"'; break;
    case '\\': ch = '\\'; break;
    case '/': ch = '/'; break;
    case 'b': ch = '\b'; break;
    case 'f': ch = '\f'; break;
    case 'n': ch = '\n'; break;
    case 'r': ch = '\r'; break;
    case 't': ch = '\t'; break;
    case 'u': {
        long cp = read_hex4(t);
        if (cp < 0)
            return -2;
        if (cp >= 0xd800 && cp < 0xdc00) {
            /* A high surrogate must be followed by its low half. */
            if (tk_getc(t) != '\\' || tk_getc(t) != 'u') {
                tk_fail(t, "unpaired surrogate in %s", "string");
                return -2;
            }
            long lo = read_hex4(t);
            if (lo < 0)
                return -2;
            if (lo < 0xdc00 || lo > 0xdfff) {
                tk_fail(t, "unpaired surrogate in %s", "string");
                return -2;
            }
            cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
        } else if (cp >= 0xdc00 && cp <= 0xdfff) {
            tk_fail(t, "unpaired surrogate in %s", "string");
            return -2;
        }
        return put_utf8(t, (unsigned long)cp);
    }
    case -2:
        return -2;
    default:
        tk_fail(t, "bad escape in %s", "string");
        return -2;
    }
    return buf_append(t, &ch, 1);
}

/* Reads a string whose opening quote is consumed. *out points into the
 * input chunk when possible, else into the scratch buffer; either way it is
 * valid until the next token. */
static int read_string(struct tk *t, const unsigned char **out, size_t *outlen)
{
    const uint8_t *p = t->p, *e = t->end, *s = p;
    while (p < e && !str_special[*p])
        p++;
    if (p < e && *p == '"') {
        if ((size_t)(p - s) > SCRY_JSON_MAX_STRING) {
            tk_fail(t, "string longer than %s", "16 MiB");
            return -2;
        }
        *out = s;
        *outlen = (size_t)(p - s);
        t->p = p + 1;
        return 0;
    }
    t->len = 0;
    if (buf_append(t, s, (size_t)(p - s)))
        return -2;
    t->p = p;
    for (;;) {
        if (t->p == t->end) {
            int r = refill(t);
            if (r == 0) {
                tk_fail(t, "unterminated %s", "string");
                return -2;
            }
            if (r < 0)
                return -2;
        }
        p = s = t->p;
        e = t->end;
        while (p < e && !str_special[*p])
            p++;
        if (buf_append(t, s, (size_t)(p - s)))
            return -2;
        t->p = p;
        if (p == e)
            continue;
        int c = *t->p++;
        if (c == '"')
            break;
        if (c < 0x20) {
            tk_fail(t, "control character in %s", "string");
            return -2;
        }
        if (read_escape(t))
            return -2;
    }
    *out = t->buf;
    *outlen = t->len;
    return 0;
}

static int is_digit(int c) { return c >= '0' && c <= '9'; }

/* JSON's number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static int valid_number(const char *s, size_t n)
{
    size_t i = 0;
    if (i < n && s[i] == '-')
        i++;
    if (i >= n || !is_digit(s[i]))
        return 0;
    if (s[i] == '0')
        i++;
    else
        while (i < n && is_digit(s[i]))
            i++;
    if (i < n && s[i] == '.') {
        i++;
        if (i >= n || !is_digit(s[i]))
            return 0;
        while (i < n && is_digit(s[i]))
            i++;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        if (i >= n || !is_digit(s[i]))
            return 0;
        while (i < n && is_digit(s[i]))
            i++;
    }
    return i == n;
}

static int num_char(int c)
{
    return is_digit(c) || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

/* Reads a number starting at t->p; -2 on failure. Any length the grammar
 * allows is accepted (a producer may write a 100-digit value under a key
 * nobody reads): the sink gets the whole text and decides whether it fits
 * where it goes. A number inside the chunk is handed over in place; one that
 * runs into the next chunk is gathered in the scratch buffer, up to
 * SCRY_JSON_MAX_STRING bytes like a string. */
static int read_number(struct tk *t, const char **out, size_t *outlen)
{
    const uint8_t *p = t->p, *e = t->end, *s = p;
    size_t n;
    while (p < e && num_char(*p))
        p++;
    if (p < e) {
        n = (size_t)(p - s);
        t->p = p;
        if (n > SCRY_JSON_MAX_STRING) {
            tk_fail(t, "number longer than %s", "16 MiB");
            return -2;
        }
        *out = (const char *)s;
    } else {
        /* The number runs into the next chunk: gather it run by run. */
        t->len = 0;
        for (;;) {
            if (t->p == t->end) {
                int r = refill(t);
                if (r < 0)
                    return -2;
                if (r == 0)
                    break;
            }
            p = s = t->p;
            e = t->end;
            while (p < e && num_char(*p))
                p++;
            if ((size_t)(p - s) > SCRY_JSON_MAX_STRING - t->len) {
                tk_fail(t, "number longer than %s", "16 MiB");
                return -2;
            }
            if (buf_append(t, s, (size_t)(p - s)))
                return -2;
            t->p = p;
            if (p < e)
                break;
        }
        n = t->len;
        *out = (const char *)t->buf;
    }
    if (!valid_number(*out, n)) {
        tk_fail(t, "malformed %s", "number");
        return -2;
    }
    *outlen = n;
    return 0;
}

static int read_literal(struct tk *t, const char *word)
{
    for (const char *w = word; *w; w++) {
        int c = tk_getc(t);
        if (c == -2)
            return -2;
        if (c != *w) {
            tk_fail(t, "bad literal (expected %s)", word);
            return -2;
        }
    }
    return 0;
}

enum { S_VALUE, S_VALUE_OR_END, S_KEY_OR_END, S_KEY, S_AFTER };
enum { K_MAP = 1, K_ARR = 2 };

#define SINK(call)                                                                                 \
    do {                                                                                           \
        if (!(call)) {                                                                             \
            st = SCRY_ERR_CANCELLED;                                                               \
            goto out;                                                                              \
        }                                                                                          \
    } while (0)
#define FAIL()                                                                                     \
    do {                                                                                           \
        st = t.st;                                                                                 \
        goto out;                                                                                  \
    } while (0)

scry_status scry_json_parse_stream(scry_json_next_fn next, void *src,
                                   const struct scry_json_sink *sink, void *ctx,
                                   unsigned long *line)
{
    struct tk t = {.next = next, .src = src, .line = line};
    uint8_t stack[SCRY_JSON_MAX_DEPTH];
    int depth = 0, state = S_VALUE;
    scry_status st = SCRY_OK;

    *line = 1;
    for (;;) {
        int c = peek_nonws(&t);
        if (c == -2)
            FAIL();
        if (state == S_AFTER) {
            if (depth == 0) {
                if (c != -1) {
                    tk_unexpected(&t, "the end after the document", c);
                    FAIL();
                }
                break;
            }
            if (c == ',') {
                t.p++;
                state = stack[depth - 1] == K_MAP ? S_KEY : S_VALUE;
                continue;
            }
            if (stack[depth - 1] == K_MAP) {
                if (c != '}') {
                    tk_unexpected(&t, "',' or '}'", c);
                    FAIL();
                }
                t.p++;
                depth--;
                SINK(sink->map_end(ctx));
            } else {
                if (c != ']') {
                    tk_unexpected(&t, "',' or ']'", c);
                    FAIL();
                }
                t.p++;
                depth--;
                SINK(sink->array_end(ctx));
            }
            continue;
        }
        if (state == S_KEY_OR_END || state == S_KEY) {
            const unsigned char *s;
            size_t n;
            if (c == '}' && state == S_KEY_OR_END) {
                t.p++;
                depth--;
                SINK(sink->map_end(ctx));
                state = S_AFTER;
                continue;
            }
            if (c != '"') {
                tk_unexpected(&t, "a string key", c);
                FAIL();
            }
            t.p++;
            if (read_string(&t, &s, &n))
                FAIL();
            SINK(sink->map_key(ctx, s, n));
            c = peek_nonws(&t);
            if (c == -2)
                FAIL();
            if (c != ':') {
                tk_unexpected(&t, "':'", c);
                FAIL();
            }
            t.p++;
            state = S_VALUE;
            continue;
        }
        /* S_VALUE or S_VALUE_OR_END */
        switch (c) {
        case '{':
        case '[':
            if (depth == SCRY_JSON_MAX_DEPTH) {
                tk_fail(&t, "nesting deeper than %s levels", "64");
                FAIL();
            }
            t.p++;
            if (c == '{') {
                stack[depth++] = K_MAP;
                SINK(sink->map_start(ctx));
                state = S_KEY_OR_END;
            } else {
                stack[depth++] = K_ARR;
                SINK(sink->array_start(ctx));
                state = S_VALUE_OR_END;
            }
            continue;
        case ']':
            if (state != S_VALUE_OR_END) {
                tk_unexpected(&t, "a value", c);
                FAIL();
            }
            t.p++;
            depth--;
            SINK(sink->array_end(ctx));
            break;
        case '"': {
            const unsigned char *s;
            size_t n;
            t.p++;
            if (read_string(&t, &s, &n))
                FAIL();
            SINK(sink->string(ctx, s, n));
            break;
        }
        case 't':
        case 'f':
        case 'n': {
            const char *w = c == 't' ? "true" : c == 'f' ? "false" : "null";
            if (read_literal(&t, w))
                FAIL();
            if (c == 'n')
                SINK(sink->null(ctx));
            else
                SINK(sink->boolean(ctx, c == 't'));
            break;
        }
        default:
            if (c == '-' || is_digit(c)) {
                const char *s;
                size_t n;
                if (read_number(&t, &s, &n))
                    FAIL();
                SINK(sink->number(ctx, s, n));
                break;
            }
            tk_unexpected(&t, "a value", c);
            FAIL();
        }
        state = S_AFTER;
    }
out:
    free(t.buf);
    return st;
}
