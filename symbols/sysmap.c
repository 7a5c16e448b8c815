/* sysmap.c - System.map / kallsyms parsing and the KASLR shift. */
#include "symbols/sysmap.h"

#include <lzma.h>
#include <stdlib.h>
#include <string.h>

static uint64_t name_hash(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 0x100000001b3ull;
    return h;
}

/* An xz file into a NUL-terminated malloc'd buffer, bounded. */
static scry_status unxz(const uint8_t *in, size_t n, char **out, size_t *olen)
{
    lzma_stream s = LZMA_STREAM_INIT;
    if (lzma_stream_decoder(&s, (uint64_t)256 << 20, 0) != LZMA_OK)
        return scry_err(SCRY_ERR_NOMEM, "cannot start the xz decoder");
    size_t cap = 1 << 20, done = 0;
    char *buf = malloc(cap);
    if (!buf) {
        lzma_end(&s);
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    }
    s.next_in = in;
    s.avail_in = n;
    lzma_ret r = LZMA_OK;
    while (r == LZMA_OK) {
        if (done == cap - 1) {
            if (cap >= SCRY_SYSMAP_MAX_TEXT) {
                lzma_end(&s);
                free(buf);
                return scry_err(SCRY_ERR_LIMIT, "xz: decompresses to more than %zu bytes",
                                SCRY_SYSMAP_MAX_TEXT);
            }
            char *b = realloc(buf, cap * 2);
            if (!b) {
                lzma_end(&s);
                free(buf);
                return scry_err(SCRY_ERR_NOMEM, "out of memory");
            }
            buf = b;
            cap *= 2;
        }
        s.next_out = (uint8_t *)buf + done;
        s.avail_out = cap - 1 - done;
        r = lzma_code(&s, LZMA_FINISH);
        done = cap - 1 - s.avail_out;
        if (r == LZMA_BUF_ERROR && s.avail_out == 0)
            r = LZMA_OK;
    }
    lzma_end(&s);
    if (r != LZMA_STREAM_END) {
        free(buf);
        return scry_err(SCRY_ERR_CORRUPT, "xz: damaged or truncated stream (liblzma error %d)",
                        (int)r);
    }
    buf[done] = '\0';
    *out = buf;
    *olen = done;
    return SCRY_OK;
}

static int hexval(int ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

scry_status scry_sysmap_index(struct scry_sysmap *m)
{
    size_t cap = 16;
    while (cap < m->n * 2)
        cap *= 2;
    m->index = calloc(cap, sizeof *m->index);
    if (!m->index)
        return scry_err(SCRY_ERR_NOMEM, "out of memory for %zu symbols", m->n);
    m->icap = cap;
    for (size_t i = 0; i < m->n; i++) {
        size_t j = name_hash(m->sym[i].name) & (cap - 1);
        for (; m->index[j]; j = (j + 1) & (cap - 1))
            if (strcmp(m->sym[m->index[j] - 1].name, m->sym[i].name) == 0) {
                m->sym[m->index[j] - 1].kept = 0;
                break;
            }
        m->sym[i].kept = 1;
        m->index[j] = (uint32_t)(i + 1);
    }
    return SCRY_OK;
}

scry_status scry_sysmap_parse(const uint8_t *data, size_t len, struct scry_sysmap *out)
{
    memset(out, 0, sizeof *out);
    char *text = NULL;
    size_t n = 0;
    if (len >= 6 && memcmp(data, "\xfd" "7zXZ\0", 6) == 0) {
        scry_status st = unxz(data, len, &text, &n);
        if (st != SCRY_OK)
            return st;
    } else {
        if (len > SCRY_SYSMAP_MAX_TEXT)
            return scry_err(SCRY_ERR_LIMIT, "%zu bytes, more than the %zu accepted", len,
                            SCRY_SYSMAP_MAX_TEXT);
        if (!(text = malloc(len + 1)))
            return scry_err(SCRY_ERR_NOMEM, "out of memory");
        memcpy(text, data, len);
        text[len] = '\0';
        n = len;
    }
    out->text = text;
    /* One symbol per line at most; a line holds at least "0 t x\n". */
    size_t cap = n / 6 + 1;
    if (!(out->sym = malloc(cap * sizeof *out->sym))) {
        scry_sysmap_free(out);
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    }
    size_t lineno = 0;
    for (char *p = text, *end = text + n; p < end;) {
        char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol)
            eol = end;
        *eol = '\0';
        lineno++;
        char *q = p;
        p = eol + 1;
        if (eol > q && eol[-1] == '\r')
            eol[-1] = '\0';
        if (!*q)
            continue;
        uint64_t addr = 0;
        int digits = 0, v;
        for (; (v = hexval((unsigned char)*q)) >= 0; q++, digits++)
            addr = addr << 4 | (uint64_t)v;
        char *type = q + 1;
        if (digits == 0 || digits > 16 || *q != ' ' || *type <= ' ' || *type > '~' ||
            type[1] != ' ' || type[2] <= ' ' || type[2] > '~') {
            scry_sysmap_free(out);
            return scry_err(SCRY_ERR_CORRUPT, "line %zu: expected ADDRESS TYPE NAME", lineno);
        }
        char *name = type + 2, *e = name;
        while (*e > ' ' && *e <= '~')
            e++;
        if (*e && *e != ' ' && *e != '\t') {
            unsigned bad = (unsigned char)*e;
            scry_sysmap_free(out);
            return scry_err(SCRY_ERR_CORRUPT, "line %zu: byte 0x%02x in a symbol name", lineno,
                            bad);
        }
        if ((size_t)(e - name) > SCRY_SYSMAP_MAX_NAME) {
            scry_sysmap_free(out);
            return scry_err(SCRY_ERR_LIMIT, "line %zu: symbol name longer than %u bytes", lineno,
                            SCRY_SYSMAP_MAX_NAME);
        }
        int module = *e && strchr(e, '[') != NULL;
        *e = '\0';
        if (module)
            continue;
        out->sym[out->n++] = (struct scry_sysmap_sym){.name = name, .addr = addr, .type = *type};
    }
    scry_status st = scry_sysmap_index(out);
    if (st != SCRY_OK)
        scry_sysmap_free(out);
    return st;
}

void scry_sysmap_free(struct scry_sysmap *m)
{
    free(m->sym);
    free(m->text);
    free(m->index);
    memset(m, 0, sizeof *m);
}

const struct scry_sysmap_sym *scry_sysmap_find(const struct scry_sysmap *m, const char *name)
{
    if (!m->icap)
        return NULL;
    for (size_t j = name_hash(name) & (m->icap - 1); m->index[j]; j = (j + 1) & (m->icap - 1))
        if (strcmp(m->sym[m->index[j] - 1].name, name) == 0)
            return &m->sym[m->index[j] - 1];
    return NULL;
}

void scry_sysmap_unshift(struct scry_sysmap *m, uint64_t link_text, uint64_t *shift)
{
    const struct scry_sysmap_sym *t = scry_sysmap_find(m, "_text");
    *shift = t ? t->addr - link_text : 0;
    if (!*shift)
        return;
    for (size_t i = 0; i < m->n; i++)
        if (m->sym[i].addr >= SCRY_KERNEL_MAP)
            m->sym[i].addr -= *shift;
}
