/* text_cell.c - the one cell formatter behind quick, pretty and csv
 * (Volatility's QuickTextRenderer._type_renderers), plus a growable
 * string for renderers that must see a whole cell before writing it. */
#include "lib/render/text_cell.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int sbuf_reserve(struct scry_sbuf *b, size_t extra)
{
    size_t cap;
    char *p;
    if (b->oom)
        return 0;
    if (b->cap - b->len > extra)
        return 1;
    if (extra > SIZE_MAX / 2 - b->len) {
        b->oom = 1;
        return 0;
    }
    cap = b->cap ? b->cap : 64;
    while (cap - b->len <= extra)
        cap *= 2;
    p = realloc(b->p, cap);
    if (!p) {
        b->oom = 1;
        return 0;
    }
    b->p = p;
    b->cap = cap;
    return 1;
}

void scry_sbuf_add(struct scry_sbuf *b, const char *p, size_t len)
{
    if (!sbuf_reserve(b, len))
        return;
    if (len)
        memcpy(b->p + b->len, p, len);
    b->len += len;
    b->p[b->len] = '\0';
}

void scry_sbuf_addc(struct scry_sbuf *b, char c) { scry_sbuf_add(b, &c, 1); }

void scry_sbuf_printf(struct scry_sbuf *b, const char *fmt, ...)
{
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !sbuf_reserve(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void scry_sbuf_reset(struct scry_sbuf *b)
{
    b->len = 0;
    if (b->p)
        b->p[0] = '\0';
}

void scry_sbuf_free(struct scry_sbuf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

const char *scry_text_absent(scry_cellstate st)
{
    return st == SCRY_CELL_NOT_APPLICABLE ? "N/A" : "-";
}

void scry_text_bytes(struct scry_sbuf *b, const char *p, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)p[i];
        char t[3] = {' ', hex[c >> 4], hex[c & 15]};
        if (i == 0)
            scry_sbuf_add(b, t + 1, 2);
        else
            scry_sbuf_add(b, t, 3);
    }
}

void scry_text_hexdump(struct scry_sbuf *b, const char *p, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    enum { WIDTH = 16 };
    /* Always a leading newline: Volatility puts the dump below the row. */
    scry_sbuf_addc(b, '\n');
    for (size_t start = 0; start < len; start += WIDTH) {
        size_t n = len - start < WIDTH ? len - start : WIDTH;
        if (start)
            scry_sbuf_addc(b, '\n');
        for (size_t i = 0; i < n; i++) {
            unsigned char c = (unsigned char)p[start + i];
            char t[3] = {hex[c >> 4], hex[c & 15], ' '};
            scry_sbuf_add(b, t, 3);
        }
        for (size_t i = n; i < WIDTH; i++)
            scry_sbuf_add(b, "   ", 3);
        for (size_t i = 0; i < n; i++) {
            unsigned char c = (unsigned char)p[start + i];
            scry_sbuf_addc(b, c >= 0x20 && c <= 0x7e ? (char)c : '.');
        }
    }
}

/* Proleptic Gregorian date of a day count from 1970-01-01 (H. Hinnant's
 * civil_from_days), so no time_t range or TZ setting gets involved. */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    uint64_t doe = (uint64_t)(z - era * 146097);
    uint64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    uint64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    uint64_t mp = (5 * doy + 2) / 153;
    *d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
    *m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

void scry_text_datetime(struct scry_sbuf *b, int64_t sec, uint32_t usec, int iso)
{
    int64_t days = sec / 86400, rem = sec % 86400, y;
    unsigned mo, d;
    if (rem < 0) {
        rem += 86400;
        days--;
    }
    civil_from_days(days, &y, &mo, &d);
    unsigned hh = (unsigned)(rem / 3600), mm = (unsigned)(rem / 60 % 60), ss = (unsigned)(rem % 60);
    if (iso && y >= 0 && y <= 9999) {
        /* The hot case (every time cell of a JSON listing), without printf:
         * YYYY-MM-DDTHH:MM:SS. */
        char t[19];
        unsigned yy = (unsigned)y;
        t[0] = (char)('0' + yy / 1000), t[1] = (char)('0' + yy / 100 % 10);
        t[2] = (char)('0' + yy / 10 % 10), t[3] = (char)('0' + yy % 10);
        t[4] = '-', t[5] = (char)('0' + mo / 10), t[6] = (char)('0' + mo % 10);
        t[7] = '-', t[8] = (char)('0' + d / 10), t[9] = (char)('0' + d % 10);
        t[10] = 'T', t[11] = (char)('0' + hh / 10), t[12] = (char)('0' + hh % 10);
        t[13] = ':', t[14] = (char)('0' + mm / 10), t[15] = (char)('0' + mm % 10);
        t[16] = ':', t[17] = (char)('0' + ss / 10), t[18] = (char)('0' + ss % 10);
        scry_sbuf_add(b, t, sizeof t);
        if (usec)
            scry_sbuf_printf(b, ".%06" PRIu32, usec);
        scry_sbuf_add(b, "+00:00", 6);
    } else if (iso) {
        scry_sbuf_printf(b, "%04" PRId64 "-%02u-%02uT%02u:%02u:%02u", y, mo, d, hh, mm, ss);
        if (usec)
            scry_sbuf_printf(b, ".%06" PRIu32, usec);
        scry_sbuf_add(b, "+00:00", 6);
    } else {
        /* strftime's %Y through glibc does not pad years below 1000. */
        scry_sbuf_printf(b, "%" PRId64 "-%02u-%02u %02u:%02u:%02u.%06" PRIu32 " UTC", y, mo, d, hh,
                         mm, ss, usec);
    }
}

void scry_text_cell(struct scry_sbuf *b, scry_coltype type, const struct scry_cell *c)
{
    if (c->state != SCRY_CELL_VALUE) {
        scry_sbuf_add(b, scry_text_absent(c->state), c->state == SCRY_CELL_NOT_APPLICABLE ? 3 : 1);
        return;
    }
    switch (type) {
    case SCRY_COL_INT:
        scry_sbuf_printf(b, "%" PRId64, c->v.i);
        break;
    case SCRY_COL_HEX:
        scry_sbuf_printf(b, "0x%" PRIx64, c->v.u);
        break;
    case SCRY_COL_HEX128:
        if (c->v.x.hi)
            scry_sbuf_printf(b, "0x%" PRIx64 "%016" PRIx64, c->v.x.hi, c->v.x.lo);
        else
            scry_sbuf_printf(b, "0x%" PRIx64, c->v.x.lo);
        break;
    case SCRY_COL_BOOL:
        if (c->v.i)
            scry_sbuf_add(b, "True", 4);
        else
            scry_sbuf_add(b, "False", 5);
        break;
    case SCRY_COL_STR:
        scry_sbuf_add(b, c->v.s.p, c->v.s.len);
        break;
    case SCRY_COL_BYTES:
        scry_text_bytes(b, c->v.s.p, c->v.s.len);
        break;
    case SCRY_COL_HEXBYTES:
        scry_text_hexdump(b, c->v.s.p, c->v.s.len);
        break;
    case SCRY_COL_DATETIME:
        scry_text_datetime(b, c->v.t.sec, c->v.t.usec, 0);
        break;
    case SCRY_COL_DISASM: /* display_disassembly's text, made by the plugin */
        scry_sbuf_add(b, c->v.s.p, c->v.s.len);
        break;
    }
}
