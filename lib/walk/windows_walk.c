/* windows_walk.c - Windows kernel lists, process records and strings. */
#include "lib/walk/windows_walk.h"

#include <inttypes.h>
#include <stdlib.h>

#include "lib/base/hashset.h"
#include "lib/base/utf8.h"
#include "lib/rows/rows.h"

scry_status scry_win_walk_list(struct scry_vspace *vs, struct scry_op *op, uint64_t head,
                               uint64_t rel, const char *what, scry_win_entry_fn fn, void *user)
{
    struct scry_hashset seen = {0};
    uint64_t link, prev = head, n = 0;
    uint64_t max = op && op->max_entries ? op->max_entries : SCRY_WIN_MAX_ENTRIES;
    scry_status st = SCRY_OK, rd;
    head = scry_win_mask(head);
    if ((rd = scry_vspace_read_u64(vs, scry_win_canon(head), &link)) != SCRY_OK) {
        scry_op_report(op, SCRY_DIAG_WARNING, rd, "%s cannot start: its head 0x%" PRIx64
                       " cannot be read", what, head);
        return SCRY_OK;
    }
    if (scry_hs_add(&seen, head) < 0)
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    for (;;) {
        link = scry_win_mask(link);
        if (link == head)
            break; /* back at the head: the whole list was read */
        int added = scry_hs_add(&seen, link);
        if (added < 0) {
            st = scry_err(SCRY_ERR_NOMEM, "out of memory");
            break;
        }
        if (!added) {
            scry_op_say(op, SCRY_DIAG_WARNING, SCRY_ERR_CORRUPT,
                        "%s ends early after %" PRIu64 " entr%s: 0x%" PRIx64
                        " links to an earlier entry instead of back to the head",
                        what, n, n == 1 ? "y" : "ies", prev);
            break;
        }
        uint64_t entry = scry_win_mask(link - rel);
        /* is_valid(entry): translated and present in the dump. */
        if (!link || (rd = scry_vspace_read(vs, scry_win_canon(entry), &(uint8_t){0}, 1)) != SCRY_OK) {
            if (!link)
                scry_op_say(op, SCRY_DIAG_WARNING, SCRY_ERR_CORRUPT,
                            "%s ends early after %" PRIu64 " entr%s: 0x%" PRIx64
                            " links to NULL instead of back to the head",
                            what, n, n == 1 ? "y" : "ies", prev);
            else
                scry_op_report(op, SCRY_DIAG_WARNING, rd,
                               "%s ends early after %" PRIu64 " entr%s: entry 0x%" PRIx64
                               " cannot be read", what, n, n == 1 ? "y" : "ies", entry);
            break;
        }
        if (++n > max) {
            scry_op_say(op, SCRY_DIAG_WARNING, SCRY_ERR_LIMIT,
                        "%s ends early: more than %" PRIu64 " entries", what, max);
            break;
        }
        if (scry_op_tick(op, n, 0)) {
            st = scry_op_cancelled();
            break;
        }
        if (fn(user, entry))
            break;
        prev = link;
        if ((rd = scry_vspace_read_u64(vs, scry_win_canon(link), &link)) != SCRY_OK) {
            scry_op_report(op, SCRY_DIAG_WARNING, rd,
                           "%s ends early after %" PRIu64 " entr%s: the link at 0x%" PRIx64
                           " cannot be read", what, n, n == 1 ? "y" : "ies", prev);
            break;
        }
    }
    free(seen.slot);
    return st;
}

scry_status scry_win_proc_read(const struct scry_windows *w, struct scry_vspace *vs, uint64_t va,
                               struct scry_win_proc *p)
{
    uint64_t size = w->off.ep_size, page = va & ~0xfffull, end = va + size;
    p->va = scry_win_mask(va);
    p->size = size;
    p->bad = 0;
    /* Fast path: the whole struct is mapped (every real process). */
    scry_status st = scry_vspace_read(vs, scry_win_canon(va), p->b, size);
    if (st == SCRY_OK)
        return SCRY_OK;
    if (st != SCRY_ERR_NODATA)
        return st;
    for (unsigned i = 0; page < end; page += 4096, i++) {
        uint64_t from = page < va ? va : page, to = page + 4096 < end ? page + 4096 : end;
        st = scry_vspace_read(vs, scry_win_canon(from), p->b + (from - va), to - from);
        if (st == SCRY_ERR_NODATA) {
            if (i == 0)
                return st;
            memset(p->b + (from - va), 0, to - from);
            p->bad |= i < 32 ? 1u << i : 0;
        } else if (st != SCRY_OK) {
            return st;
        }
    }
    return SCRY_OK;
}

long scry_win_proc_name(const struct scry_windows *w, const struct scry_win_proc *p, char *buf)
{
    const struct scry_win_off *o = &w->off;
    uint64_t nlen = o->ep_name_size < 15 ? o->ep_name_size : 15;
    size_t n = 0;
    buf[0] = '\0';
    if (!scry_win_proc_ok(p, o->ep_name, nlen))
        return -1;
    while (n < nlen && p->b[o->ep_name + n])
        n++;
    return (long)scry_utf8_replace(p->b + o->ep_name, n, buf);
}

struct scry_cell scry_win_time_cell(uint64_t filetime)
{
    int64_t wt = (int64_t)filetime, t = wt / 10000000;
    if (wt % 10000000 && wt < 0)
        t--; /* Python's floor division */
    if (t == 0)
        return scry_cell_absent(SCRY_CELL_NOT_APPLICABLE);
    t -= 11644473600ll;
    /* datetime's range: years 1 to 9999. */
    if (t < -62135596800ll || t > 253402300799ll)
        return scry_cell_absent(SCRY_CELL_UNPARSABLE);
    struct scry_cell c = {.state = SCRY_CELL_VALUE};
    c.v.t.sec = t;
    c.v.t.usec = 0;
    return c;
}

static size_t put_utf8(char *o, uint32_t cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xc0 | cp >> 6);
        o[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xe0 | cp >> 12);
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        o[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    o[0] = (char)(0xf0 | cp >> 18);
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    o[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

size_t scry_utf16_replace(const uint8_t *in, size_t n, int bom, char *out)
{
    size_t w = 0, i = 0;
    int be = 0;
    if (bom && n >= 2 && in[0] == 0xff && in[1] == 0xfe)
        i = 2;
    else if (bom && n >= 2 && in[0] == 0xfe && in[1] == 0xff)
        i = 2, be = 1;
#define UNIT(k) (be ? (uint32_t)in[k] << 8 | in[(k) + 1] : (uint32_t)in[k] | (uint32_t)in[(k) + 1] << 8)
    while (i + 1 < n) {
        uint32_t u = UNIT(i);
        if (u < 0xd800 || u > 0xdfff) {
            w += put_utf8(out + w, u);
            i += 2;
        } else if (u <= 0xdbff && i + 3 < n && UNIT(i + 2) >= 0xdc00 && UNIT(i + 2) <= 0xdfff) {
            w += put_utf8(out + w, 0x10000 + ((u - 0xd800) << 10) + (UNIT(i + 2) - 0xdc00));
            i += 4;
        } else if (u <= 0xdbff && i + 3 >= n) {
            /* a high surrogate the data ends inside: "unexpected end of data" */
            w += put_utf8(out + w, 0xfffd);
            i = n;
        } else {
            w += put_utf8(out + w, 0xfffd); /* a lone surrogate */
            i += 2;
        }
    }
#undef UNIT
    if (i < n) /* an odd trailing byte: "truncated data" */
        w += put_utf8(out + w, 0xfffd);
    out[w] = '\0';
    return w;
}

scry_status scry_win_ustr(const struct scry_windows *w, struct scry_vspace *vs,
                          const uint8_t *ustr, char **out, size_t *len)
{
    uint16_t n = scry_win_u16(ustr, w->off.ustr_len);
    uint64_t buf = scry_win_u64(ustr, w->off.ustr_buf);
    uint8_t *raw = malloc(n ? n : 1);
    char *s = malloc(3 * ((size_t)n / 2) + 8);
    scry_status st = SCRY_OK;
    if (!raw || !s) {
        st = scry_err(SCRY_ERR_NOMEM, "out of memory");
    } else if (n && (st = scry_vspace_read(vs, scry_win_canon(buf), raw, n)) != SCRY_OK) {
        st = scry_err_ctx(st, "UNICODE_STRING buffer 0x%" PRIx64, scry_win_mask(buf));
    }
    if (st != SCRY_OK) {
        free(raw);
        free(s);
        return st;
    }
    /* String(encoding="utf16"): a BOM chooses the byte order; the text
     * ends at its first NUL. */
    if (n)
        scry_utf16_replace(raw, n, 1, s);
    else
        s[0] = '\0';
    *len = strlen(s);
    *out = s;
    free(raw);
    return SCRY_OK;
}

scry_status scry_win_ustr_at(const struct scry_windows *w, struct scry_vspace *vs, uint64_t va,
                             char **out, size_t *len)
{
    uint8_t u[16];
    scry_status st = scry_vspace_read(vs, scry_win_canon(va), u, sizeof u);
    if (st != SCRY_OK)
        return st;
    return scry_win_ustr(w, vs, u, out, len);
}
