/* kallsyms_decode.c - kallsyms tables in memory → scry_sysmap. */
#include "symbols/kallsyms_decode.h"

#include <stdlib.h>
#include <string.h>

#include "symbols/kallsyms.h"

struct tokens {
    const uint8_t *s[256];
    uint16_t len[256];
    uint8_t ok[256]; /* every byte may stand in a name */
    uint8_t *copy;   /* the table and 8 bytes of slack: tokens are copied 8 bytes at a time */
};

static int is_name_byte(uint8_t c)
{
    return c > ' ' && c <= '~';
}

scry_status scry_ksym_check_tokens(const uint8_t *table, size_t table_len, const uint8_t *index)
{
    for (unsigned c = 0; c < 256; c++) {
        size_t at = scry_ksym_u16(index + 2 * c);
        if (at >= table_len)
            return scry_err(SCRY_ERR_CORRUPT,
                            "kallsyms: token index entry %u (%zu) is past the %zu-byte token table",
                            c, at, table_len);
        if (!memchr(table + at, 0, table_len - at))
            return scry_err(SCRY_ERR_CORRUPT,
                            "kallsyms: token %u (at %zu) is not NUL-terminated inside the token "
                            "table",
                            c, at);
    }
    return SCRY_OK;
}

static scry_status load_tokens(const struct scry_ksym_tables *t, struct tokens *tk)
{
    scry_status st = scry_ksym_check_tokens(t->token_table, t->token_table_len, t->token_index);
    if (st != SCRY_OK)
        return st;
    if (!(tk->copy = calloc(1, t->token_table_len + 8)))
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    memcpy(tk->copy, t->token_table, t->token_table_len);
    for (unsigned c = 0; c < 256; c++) {
        size_t at = scry_ksym_u16(t->token_index + 2 * c);
        size_t n = strlen((const char *)t->token_table + at); /* NUL checked above */
        if (n > SCRY_SYSMAP_MAX_NAME) {
            free(tk->copy);
            return scry_err(SCRY_ERR_CORRUPT, "kallsyms: token %u is %zu bytes long", c, n);
        }
        tk->s[c] = tk->copy + at;
        tk->len[c] = (uint16_t)n;
        tk->ok[c] = 1;
        for (size_t k = 0; k < n; k++)
            tk->ok[c] &= is_name_byte(tk->s[c][k]);
    }
    return SCRY_OK;
}

/* One entry's header at pos: sets *clen (compressed length) and *hdr. */
static scry_status entry_at(const struct scry_ksym_tables *t, size_t pos, uint32_t i, size_t *clen,
                            size_t *hdr)
{
    if (pos >= t->names_len)
        return scry_err(SCRY_ERR_CORRUPT,
                        "kallsyms: name %u starts at byte %zu, past the %zu-byte names table", i,
                        pos, t->names_len);
    size_t n = t->names[pos], h = 1;
    if (n & 0x80) {
        if (pos + 1 >= t->names_len)
            return scry_err(SCRY_ERR_CORRUPT,
                            "kallsyms: name %u's two-byte length runs past the names table", i);
        n = (n & 0x7f) | (size_t)(t->names[pos + 1] & 0x7f) << 7;
        h = 2;
        if (t->names[pos + 1] & 0x80)
            return scry_err(SCRY_ERR_CORRUPT,
                            "kallsyms: name %u's length takes more than two bytes", i);
    }
    if (n == 0)
        return scry_err(SCRY_ERR_CORRUPT, "kallsyms: name %u has length 0", i);
    if (n > t->names_len - pos - h)
        return scry_err(SCRY_ERR_CORRUPT,
                        "kallsyms: name %u (%zu bytes at byte %zu) runs past the %zu-byte names "
                        "table",
                        i, n, pos, t->names_len);
    *clen = n;
    *hdr = h;
    return SCRY_OK;
}

/* Pass 1: every entry's bounds, the markers, the decoded sizes. */
static scry_status measure(const struct scry_ksym_tables *t, const struct tokens *tk,
                           size_t *text_len, size_t *end)
{
    size_t pos = 0, total = 0;
    for (uint32_t i = 0; i < t->num_syms; i++) {
        if (t->markers && (i & 0xff) == 0) {
            size_t k = i >> 8;
            if (4 * k + 4 > t->markers_len)
                return scry_err(SCRY_ERR_CORRUPT,
                                "kallsyms: %u names need %u markers, the table holds %zu",
                                t->num_syms, (t->num_syms + 255) / 256, t->markers_len / 4);
            uint32_t m = scry_ksym_u32(t->markers + 4 * k);
            if (m != pos)
                return scry_err(SCRY_ERR_CORRUPT,
                                "kallsyms: marker %zu says %u, but name %u starts at byte %zu", k,
                                m, i, pos);
        }
        size_t clen, hdr;
        scry_status st = entry_at(t, pos, i, &clen, &hdr);
        if (st != SCRY_OK)
            return st;
        size_t dlen = 0;
        for (size_t j = 0; j < clen; j++)
            dlen += tk->len[t->names[pos + hdr + j]];
        if (dlen < 2)
            return scry_err(SCRY_ERR_CORRUPT, "kallsyms: name %u decodes to %zu bytes (no name)",
                            i, dlen);
        if (dlen - 1 > SCRY_SYSMAP_MAX_NAME)
            return scry_err(SCRY_ERR_CORRUPT,
                            "kallsyms: name %u decodes to %zu bytes, more than %u", i, dlen - 1,
                            SCRY_SYSMAP_MAX_NAME);
        total += dlen + 1; /* type, name, NUL */
        if (total > SCRY_KALLSYMS_MAX_TEXT)
            return scry_err(SCRY_ERR_LIMIT, "kallsyms: names decode to more than %zu bytes",
                            SCRY_KALLSYMS_MAX_TEXT);
        pos += hdr + clen;
    }
    *text_len = total;
    *end = pos;
    return SCRY_OK;
}

static scry_status expand(const struct scry_ksym_tables *t, const struct tokens *tkp,
                          struct scry_sysmap *out, size_t *names_end);

scry_status scry_ksym_decode(const struct scry_ksym_tables *t, struct scry_sysmap *out,
                             size_t *names_end)
{
    memset(out, 0, sizeof *out);
    if (t->num_syms == 0)
        return scry_err(SCRY_ERR_CORRUPT, "kallsyms: num_syms is 0");
    if (t->num_syms > SCRY_KALLSYMS_MAX_SYMS)
        return scry_err(SCRY_ERR_CORRUPT, "kallsyms: num_syms is %u, more than the %u accepted",
                        t->num_syms, SCRY_KALLSYMS_MAX_SYMS);
    struct tokens tk;
    scry_status st = load_tokens(t, &tk);
    if (st != SCRY_OK)
        return st;
    st = expand(t, &tk, out, names_end);
    free(tk.copy);
    return st;
}

/* Both passes with the tokens loaded. */
static scry_status expand(const struct scry_ksym_tables *t, const struct tokens *tkp,
                          struct scry_sysmap *out, size_t *names_end)
{
    const struct tokens tk = *tkp;
    scry_status st;
    size_t text_len = 0, end = 0;
    if ((st = measure(t, &tk, &text_len, &end)) != SCRY_OK)
        return st;

    out->text = malloc(text_len + 8); /* the last token's 8-byte copy */
    out->sym = malloc((size_t)t->num_syms * sizeof *out->sym);
    if (!out->text || !out->sym) {
        scry_sysmap_free(out);
        return scry_err(SCRY_ERR_NOMEM, "out of memory for %u kallsyms", t->num_syms);
    }
    /* Pass 2: expand. The type letter comes first, then the name and its
     * NUL: the name points one byte into the stream. */
    char *w = out->text;
    size_t pos = 0;
    int absolute_percpu = 0;
    for (uint32_t i = 0; i < t->num_syms; i++)
        if ((int32_t)scry_ksym_u32(t->offsets + 4 * (size_t)i) < 0) {
            absolute_percpu = 1;
            break;
        }
    uint64_t prev = 0;
    for (uint32_t i = 0; i < t->num_syms; i++) {
        size_t clen = 0, hdr = 0;
        entry_at(t, pos, i, &clen, &hdr); /* checked in pass 1 */
        const uint8_t *c = t->names + pos + hdr;
        pos += hdr + clen;
        /* The whole stream, type first, then checked token by token. */
        char *start = w;
        int ok = 1;
        for (size_t j = 0; j < clen; j++) {
            const uint8_t *src = tk.s[c[j]];
            for (size_t k = 0; k < tk.len[c[j]]; k += 8)
                memcpy(w + k, src + k, 8);
            w += tk.len[c[j]];
            ok &= tk.ok[c[j]];
        }
        *w++ = '\0';
        if (!ok) {
            size_t k = 0;
            while (is_name_byte((uint8_t)start[k]))
                k++;
            unsigned bad = (uint8_t)start[k];
            scry_sysmap_free(out);
            return k ? scry_err(SCRY_ERR_CORRUPT, "kallsyms: name %u holds byte 0x%02x", i, bad)
                     : scry_err(SCRY_ERR_CORRUPT, "kallsyms: name %u has type byte 0x%02x", i,
                                bad);
        }
        char type = start[0];
        char *name = start + 1;
        int32_t off = (int32_t)scry_ksym_u32(t->offsets + 4 * (size_t)i);
        uint64_t addr;
        if (!absolute_percpu)
            addr = t->relative_base + (uint32_t)off;
        else if (off >= 0)
            addr = (uint64_t)off;
        else
            addr = t->relative_base - 1 - (uint64_t)(int64_t)off;
        if (addr < prev) {
            scry_err(SCRY_ERR_CORRUPT,
                     "kallsyms: symbol %u (%s) at 0x%llx is below the one before it (0x%llx): "
                     "offsets not sorted",
                     i, name, (unsigned long long)addr, (unsigned long long)prev);
            scry_sysmap_free(out); /* after the message: name points into it */
            return SCRY_ERR_CORRUPT;
        }
        prev = addr;
        out->sym[out->n++] = (struct scry_sysmap_sym){.name = name, .addr = addr, .type = type};
    }
    if ((st = scry_sysmap_index(out)) != SCRY_OK) {
        scry_sysmap_free(out);
        return st;
    }
    if (names_end)
        *names_end = end;
    return SCRY_OK;
}
