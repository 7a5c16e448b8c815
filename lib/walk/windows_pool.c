/* windows_pool.c - the process pool scan (see windows_pool.h). */
#include "lib/walk/windows_pool.h"

#include <inttypes.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>

#include "lib/base/find.h"
#include "lib/phys/scan.h"
#include "lib/rows/rows.h"

#define VA_TOP (1ull << 48)
#define SCAN_CHUNK (1u << 20)
#define MIN_BLOCK 600u /* PoolConstraint size=(600, None) */

/* The layer scanned: the kernel's virtual space, or the physical layer. */
struct layer {
    struct scry_vspace *vs; /* NULL: physical */
    struct scry_phys *phys;
};

/* Reads [addr, addr+len) of the layer; SCRY_ERR_NODATA when any byte is
 * not there. */
static scry_status lread(const struct layer *l, uint64_t addr, void *buf, size_t len)
{
    if (l->vs) {
        if (addr >= VA_TOP || len > VA_TOP - addr)
            return SCRY_ERR_NODATA;
        return scry_vspace_read(l->vs, scry_win_canon(addr), buf, len);
    }
    size_t holes = 0;
    scry_status st = scry_phys_read(l->phys, addr, buf, len, &holes);
    if (st == SCRY_OK && holes)
        st = SCRY_ERR_NODATA;
    return st;
}

/* Reads with unreadable pages as zeros (Volatility's pad=True). */
static void lread_pad(const struct layer *l, uint64_t addr, uint8_t *buf, size_t len)
{
    while (len) {
        size_t n = 4096 - (addr & 0xfff);
        if (n > len)
            n = len;
        if (lread(l, addr, buf, n) != SCRY_OK)
            memset(buf, 0, n);
        addr += n;
        buf += n;
        len -= n;
    }
}

/* The record at addr, page by page: unreadable pages zeroed and flagged.
 * SCRY_ERR_NODATA when its first page cannot be read. */
static scry_status read_record(const struct layer *l, uint64_t addr, uint64_t size,
                               struct scry_win_proc *p)
{
    p->va = addr;
    p->size = size;
    p->bad = 0;
    if (lread(l, addr, p->b, size) == SCRY_OK)
        return SCRY_OK;
    uint64_t page = addr & ~0xfffull, end = addr + size;
    for (unsigned i = 0; page < end; page += 4096, i++) {
        uint64_t from = page < addr ? addr : page, to = page + 4096 < end ? page + 4096 : end;
        if (lread(l, from, p->b + (from - addr), to - from) != SCRY_OK) {
            if (i == 0)
                return SCRY_ERR_NODATA;
            memset(p->b + (from - addr), 0, to - from);
            p->bad |= i < 32 ? 1u << i : 0;
        }
    }
    return SCRY_OK;
}

/* The proleptic Gregorian year of a time in seconds since 1970. */
static int64_t year_of(int64_t secs)
{
    int64_t days = secs / 86400;
    if (secs % 86400 < 0)
        days--;
    int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097, yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    return yoe + era * 400 + (mp >= 10);
}

int scry_win_proc_valid(const struct scry_windows *w, const struct scry_win_proc *p, int year_now)
{
    const struct scry_win_off *o = &w->off;
    const uint8_t *b = p->b;
    uint64_t nlen = o->ep_name_size < 15 ? o->ep_name_size : 15;
    /* array_to_string(ImageFileName): empty -> invalid */
    if (!nlen || !scry_win_proc_ok(p, o->ep_name, nlen) || !b[o->ep_name])
        return 0;
    int system = nlen >= 6 && !memcmp(b + o->ep_name, "System", 6) &&
                 (nlen == 6 || b[o->ep_name + 6] == 0);
    if (system) {
        if (!scry_win_proc_ok(p, o->ep_pid, 8))
            return 0;
        system = scry_win_u64(b, o->ep_pid) == 4;
    }
    if (!system) {
        if (!scry_win_proc_ok(p, o->ep_create, 8) || !scry_win_u64(b, o->ep_create))
            return 0;
        struct scry_cell ct = scry_win_time_cell(scry_win_u64(b, o->ep_create));
        if (ct.state != SCRY_CELL_VALUE)
            return 0;
        int64_t y = year_of(ct.v.t.sec);
        if (!(1998 < y && y < year_now + 10))
            return 0;
        if (!scry_win_proc_ok(p, o->ep_exit, 8))
            return 0;
        struct scry_cell et = scry_win_time_cell(scry_win_u64(b, o->ep_exit));
        if (et.state == SCRY_CELL_VALUE) {
            y = year_of(et.v.t.sec);
            if (!(1998 < y && y < year_now + 10) || ct.v.t.sec > et.v.t.sec)
                return 0;
        }
    }
    if (!scry_win_proc_ok(p, o->ep_pid, 8) || scry_win_u64(b, o->ep_pid) % 4)
        return 0;
    if (!scry_win_proc_ok(p, o->ep_dtb, 8))
        return 0;
    uint64_t dtb = scry_win_u64(b, o->ep_dtb);
    if (!dtb || !(dtb & ~0xfffull))
        return 0;
    if (!scry_win_proc_ok(p, o->ep_thread_head, 16) ||
        scry_win_u64(b, o->ep_thread_head + o->list_flink) < 0x80000000ull ||
        scry_win_u64(b, o->ep_thread_head + o->list_blink) < 0x80000000ull)
        return 0;
    return 1;
}

struct scan {
    const struct scry_windows *w;
    struct layer l;
    struct scry_op *op;
    int year_now, top_down;
    uint64_t opt_total;
    scry_win_pool_proc_fn fn;
    void *user;
    struct scry_win_proc p;
    uint8_t *window;   /* the top-down read window */
    uint8_t *buf;      /* a scan chunk (virtual scan) */
    uint64_t cur_s, cur_e; /* the virtual range being gathered */
    /* Hostile tables: pages past the physical end hold nothing (skipped,
     * as Volatility cannot read them either); large pages aliasing memory
     * many times over are cut by a budget of 4x the physical size + 256 MiB
     * searched, with a warning. */
    uint64_t phys_end, budget;
    uint64_t searched; /* bytes, for progress */
    int stop;
    scry_status st;
};

/* One candidate object: kept when is_valid() holds. */
static int candidate(struct scan *s, uint64_t obj)
{
    const struct scry_win_off *o = &s->w->off;
    uint8_t c;
    if (s->l.vs && obj >= VA_TOP)
        return 0;
    /* The name first: most candidates have none. */
    if (lread(&s->l, obj + o->ep_name, &c, 1) != SCRY_OK || !c)
        return 0;
    if (read_record(&s->l, obj, o->ep_size, &s->p) != SCRY_OK)
        return 0;
    if (!scry_win_proc_valid(s->w, &s->p, s->year_now))
        return 0;
    return s->fn(s->user, &s->p, s->l.vs == NULL);
}

/* A tag at hdr + PoolTag: the header's constraints, then its objects. */
static int pool_header(struct scan *s, uint64_t hdr)
{
    const struct scry_win_off_a *a = &s->w->a;
    uint8_t u[8] = {0};
    if (s->l.vs && hdr >= VA_TOP)
        return 0;
    if (lread(&s->l, hdr + a->ph_bs, u, a->ph_bs_size) != SCRY_OK)
        return 0;
    uint64_t v = 0;
    for (unsigned i = 0; i < a->ph_bs_size; i++)
        v |= (uint64_t)u[i] << (8 * i);
    uint64_t bs = (v >> a->ph_bs_bit) & (a->ph_bs_len >= 64 ? ~0ull : (1ull << a->ph_bs_len) - 1);
    if (bs * 16 < MIN_BLOCK)
        return 0;
    if (!s->top_down) {
        uint64_t rounded = (s->w->off.ep_size + 15) & ~15ull, end = hdr + bs * 16;
        if (end < rounded)
            return 0;
        return candidate(s, end - rounded);
    }
    uint64_t start = hdr + a->ph_size;
    uint64_t limit = s->opt_total < bs * 16 ? s->opt_total : bs * 16;
    size_t wlen = (size_t)(limit + a->oh_infomask);
    lread_pad(&s->l, start, s->window, wlen);
    for (uint64_t addr = 0; addr < limit; addr += 16) {
        /* PointerCount, signed, from what the window holds. */
        uint64_t pc_at = addr + a->oh_pointer_count, pcv = 0;
        unsigned nb = 0;
        for (; nb < a->oh_pointer_count_size && pc_at + nb < wlen; nb++)
            pcv |= (uint64_t)s->window[pc_at + nb] << (8 * nb);
        int64_t pc = 0;
        if (nb) {
            if (nb < 8 && (pcv >> (8 * nb - 1)) & 1)
                pcv |= ~0ull << (8 * nb);
            pc = (int64_t)pcv;
        }
        if (!(pc >= 0 && pc < 0x1000000))
            continue;
        uint8_t mask = s->window[addr + a->oh_infomask];
        uint64_t ohl = 0;
        int padding = 0;
        for (unsigned i = 0; i < a->nopt; i++)
            if (mask & (1u << i)) {
                ohl += a->opt_size[i];
                if ((int)i == a->opt_padding)
                    padding = 1;
            }
        if (padding && addr < ohl)
            continue;
        if (candidate(s, start + addr + a->oh_body))
            return 1;
    }
    return 0;
}

/* ------------------------------------------------------ physical layer */

static int phys_hit(void *user, uint64_t pa)
{
    struct scan *s = user;
    uint8_t c;
    size_t holes = 0;
    if (scry_phys_read(s->l.phys, pa + 3, &c, 1, &holes) != SCRY_OK || holes)
        return 0;
    if (c != 'c' && c != 0xe3)
        return 0;
    if (pa < s->w->a.ph_tag)
        return 0;
    s->stop = pool_header(s, pa - s->w->a.ph_tag);
    return s->stop;
}

/* ------------------------------------------------------- virtual layer */

static int search_range(struct scan *s, uint64_t from, uint64_t to)
{
    for (uint64_t off = from; off < to; off += SCAN_CHUNK) {
        size_t n = to - off < SCAN_CHUNK + 3 ? (size_t)(to - off) : SCAN_CHUNK + 3;
        scry_status st = scry_vspace_read_pad(s->l.vs, scry_win_canon(off), s->buf, n, NULL);
        if (st != SCRY_OK) {
            /* A page that cannot be decoded: searched as zeros, reported once. */
            scry_op_report(s->op, SCRY_DIAG_WARNING, st, "kernel pages at 0x%" PRIx64
                           " not scanned", off);
            continue;
        }
        size_t lim = n < SCAN_CHUNK ? n : SCAN_CHUNK;
        const uint8_t *p = s->buf, *end = s->buf + n;
        while (p + 4 <= end) {
            const uint8_t *h = scry_find(p, (size_t)(end - p), "Pro", 3);
            if (!h || h + 4 > end || (size_t)(h - s->buf) >= lim)
                break;
            if (h[3] == 'c' || h[3] == 0xe3) {
                uint64_t tag = off + (uint64_t)(h - s->buf);
                if (tag >= s->w->a.ph_tag && pool_header(s, tag - s->w->a.ph_tag))
                    return 1;
            }
            p = h + 1;
        }
        s->searched += lim;
        if (scry_op_tick(s->op, s->searched, 0)) {
            s->st = scry_op_cancelled();
            return 1;
        }
    }
    return 0;
}

static int on_map(void *user, uint64_t va, uint64_t pa, uint64_t len)
{
    struct scan *s = user;
    if (pa >= s->phys_end)
        len = 0;
    else if (len > s->phys_end - pa)
        len = s->phys_end - pa;
    if (!len)
        return 0;
    if (len > s->budget) {
        scry_op_say(s->op, SCRY_DIAG_WARNING, SCRY_ERR_LIMIT,
                    "the kernel scan stopped at 0x%" PRIx64 ": the page tables map more than "
                    "4 times the physical memory", va);
        s->stop = 1;
        return 1;
    }
    s->budget -= len;
    if (va == s->cur_e && s->cur_e > s->cur_s) {
        s->cur_e = va + len;
        return 0;
    }
    if (s->cur_e > s->cur_s && (s->stop = search_range(s, s->cur_s, s->cur_e)))
        return 1;
    s->cur_s = va;
    s->cur_e = va + len;
    return 0;
}

/* Handles.find_cookie and get_type_map run before the scan; reads they
 * make without a guard end Volatility's plugin there. */
static scry_status prelude(const struct scry_windows *w, struct scry_vspace *ks)
{
    uint32_t cookie;
    uint64_t pa, ptr;
    if (w->sym.ob_header_cookie != SCRY_WIN_NO_OFFSET &&
        scry_vspace_read_u32(ks, w->kernel_base + w->sym.ob_header_cookie, &cookie) != SCRY_OK)
        return scry_err_ctx(SCRY_ERR_NODATA, "ObHeaderCookie at 0x%" PRIx64 " cannot be read",
                            scry_win_mask(w->kernel_base + w->sym.ob_header_cookie));
    if (w->sym.ob_type_index_table == SCRY_WIN_NO_OFFSET)
        return SCRY_OK;
    uint64_t t = w->kernel_base + w->sym.ob_type_index_table;
    if (scry_vspace_translate(ks, t, &pa) != SCRY_OK)
        return SCRY_OK;
    for (unsigned i = 0; i < 100; i++) {
        if (scry_vspace_read_u64(ks, scry_win_canon(t + 8 * i), &ptr) != SCRY_OK)
            return scry_err_ctx(SCRY_ERR_NODATA, "ObTypeIndexTable[%u] at 0x%" PRIx64
                                " cannot be read", i, scry_win_mask(t + 8 * i));
        if (i > 0 && !ptr)
            break;
    }
    scry_err_clear();
    return SCRY_OK;
}

int scry_win_year_now(void)
{
    time_t now = time(NULL);
    struct tm tm;
    return gmtime_r(&now, &tm) ? tm.tm_year + 1900 : 2026;
}

scry_status scry_win_pool_scan_procs(const struct scry_windows *w, struct scry_vspace *ks,
                                     struct scry_op *op, int year_now,
                                     scry_win_pool_proc_fn fn, void *user)
{
    const struct scry_win_off_a *a = &w->a;
    if (a->ph_size == SCRY_WIN_NO_OFFSET || a->oh_body == SCRY_WIN_NO_OFFSET ||
        a->oh_infomask == SCRY_WIN_NO_OFFSET)
        return scry_err(SCRY_ERR_UNSUPPORTED, "%s: the ISF has no usable _POOL_HEADER or "
                        "_OBJECT_HEADER", w->isf_path ? w->isf_path : "symbols");
    scry_status st = prelude(w, ks);
    if (st != SCRY_OK)
        return st;
    struct scan s = {.w = w, .op = op, .year_now = year_now, .fn = fn, .user = user,
                     .top_down = w->is_win8_or_later};
    s.l.phys = w->base.phys;
    s.l.vs = w->is_win10 ? ks : NULL;
    for (unsigned i = 0; i < a->nopt; i++)
        s.opt_total += a->opt_size[i];
    for (size_t i = 0; i < s.l.phys->nruns; i++)
        if (s.l.phys->runs[i].start + s.l.phys->runs[i].len > s.phys_end)
            s.phys_end = s.l.phys->runs[i].start + s.l.phys->runs[i].len;
    s.budget = 4 * s.phys_end + (256ull << 20);
    s.p.b = malloc(w->off.ep_size);
    s.window = malloc(s.opt_total + a->oh_infomask + 16);
    s.buf = s.l.vs ? malloc(SCAN_CHUNK + 3) : NULL;
    if (!s.p.b || !s.window || (s.l.vs && !s.buf)) {
        st = scry_err(SCRY_ERR_NOMEM, "out of memory");
    } else if (s.l.vs) {
        st = scry_vspace_enumerate(ks, 0, VA_TOP, 0, on_map, &s);
        if (st == SCRY_OK && !s.stop && s.cur_e > s.cur_s)
            search_range(&s, s.cur_s, s.cur_e);
        if (st == SCRY_OK)
            st = s.st;
    } else {
        st = scry_scan_phys(s.l.phys, op, "Pro", 3, phys_hit, &s);
    }
    free(s.p.b);
    free(s.window);
    free(s.buf);
    return st;
}
