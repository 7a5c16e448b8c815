/* linux_psscan.c - scan physical memory for task_structs by their
 * sched_class pointer (Volatility's linux.psscan). */
#include "lib/walk/linux_psscan.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "lib/vspace/vspace.h"
#include "symbols/symtab.h"

/* Volatility searches every symbol whose name contains "_sched_class".
 * memscry has no iteration over an ISF's symbols, so it asks for every
 * such name Linux has had (the classes since 2.6.23, sched_ext's since
 * 6.12, the linker's bounds of the class section since 5.9 and 5.19);
 * a name outside this list is not searched. */
static const char *const class_symbols[] = {
    "stop_sched_class",      "dl_sched_class",       "rt_sched_class",
    "fair_sched_class",      "idle_sched_class",     "ext_sched_class",
    "__sched_class_highest", "__sched_class_lowest", "__begin_sched_classes",
    "__end_sched_classes",
};
enum { MAX_NEEDLES = sizeof class_symbols / sizeof class_symbols[0] };

enum { CHUNK = 4 << 20, NEEDLE_MAX = 8 };

/* ---- The search ---- */

static int matches(const uint8_t *p, const uint8_t (*needles)[8], unsigned k, unsigned nlen)
{
    for (unsigned i = 0; i < k; i++)
        if (!memcmp(p, needles[i], nlen))
            return 1;
    return 0;
}

#ifdef __SSE2__
/* The candidates of mask m (bit i: position j + i), in order: 1 when the
 * callback asked to stop. */
static int check_mask(const uint8_t *buf, size_t j, uint32_t m, size_t n, size_t len,
                      const uint8_t (*needles)[8], unsigned k, unsigned nlen,
                      int (*hit)(void *, size_t), void *user)
{
    while (m) {
        size_t c = j + (size_t)__builtin_ctz(m);
        m &= m - 1;
        if (c < n && c + nlen <= len && matches(buf + c, needles, k, nlen) && hit(user, c))
            return 1;
    }
    return 0;
}
#endif

int scry_psscan_search(const uint8_t *buf, size_t n, size_t ext, const uint8_t (*needles)[8],
                       unsigned k, unsigned nlen, int (*hit)(void *, size_t), void *user)
{
    size_t len = n + ext, j = 0;
    if (!k || nlen < 4 || nlen > NEEDLE_MAX)
        return 0;
#ifdef __SSE2__
    /* Candidates: bytes 2 and 3 of some needle at j + 2 (16 positions a
     * step); every needle's pair is tested, usually one pair for all. */
    {
        __m128i a[MAX_NEEDLES], b[MAX_NEEDLES];
        unsigned np = 0;
        for (unsigned i = 0; i < k && np < MAX_NEEDLES; i++) {
            unsigned d = 0;
            while (d < i && (needles[d][2] != needles[i][2] || needles[d][3] != needles[i][3]))
                d++;
            if (d == i) {
                a[np] = _mm_set1_epi8((char)needles[i][2]);
                b[np++] = _mm_set1_epi8((char)needles[i][3]);
            }
        }
        /* 32 positions a step while there is room, one test for both
         * halves. 16 a step, the loop's speed depended on where the linker
         * happened to place it: dev-1k.lime psscan took 109, 116 or 125 ms
         * in builds that did not touch this file (64-byte alignment of the
         * function did not settle it); this loop takes 87 ms. */
        for (; j + 16 < n && j + 16 + 2 + 17 <= len; j += 32) {
            __m128i x0 = _mm_loadu_si128((const __m128i *)(buf + j + 2));
            __m128i y0 = _mm_loadu_si128((const __m128i *)(buf + j + 3));
            __m128i x1 = _mm_loadu_si128((const __m128i *)(buf + j + 18));
            __m128i y1 = _mm_loadu_si128((const __m128i *)(buf + j + 19));
            uint32_t m = 0;
            for (unsigned i = 0; i < np; i++)
                m |= (uint32_t)_mm_movemask_epi8(
                         _mm_and_si128(_mm_cmpeq_epi8(x0, a[i]), _mm_cmpeq_epi8(y0, b[i]))) |
                     (uint32_t)_mm_movemask_epi8(
                         _mm_and_si128(_mm_cmpeq_epi8(x1, a[i]), _mm_cmpeq_epi8(y1, b[i])))
                         << 16;
            if (m && check_mask(buf, j, m, n, len, needles, k, nlen, hit, user))
                return 1;
        }
        for (; j < n && j + 2 + 17 <= len; j += 16) {
            __m128i x = _mm_loadu_si128((const __m128i *)(buf + j + 2));
            __m128i y = _mm_loadu_si128((const __m128i *)(buf + j + 3));
            unsigned m = 0;
            for (unsigned i = 0; i < np; i++)
                m |= (unsigned)_mm_movemask_epi8(
                    _mm_and_si128(_mm_cmpeq_epi8(x, a[i]), _mm_cmpeq_epi8(y, b[i])));
            if (m && check_mask(buf, j, m, n, len, needles, k, nlen, hit, user))
                return 1;
        }
    }
#endif
    for (; j < n && j + nlen <= len; j++)
        if (matches(buf + j, needles, k, nlen) && hit(user, j))
            return 1;
    return 0;
}

/* ---- The walk ---- */

struct scan {
    const struct scry_linux *l;
    struct scry_op *op;
    struct scry_phys *p;
    struct scry_vspace kernel;
    uint64_t sched_class, exit_state, task_size;
    uint8_t needles[MAX_NEEDLES][8];
    unsigned k, nlen;
    scry_psscan_fn fn;
    void *user;
    uint64_t base;        /* physical address of buf[0] in the current slice */
    uint64_t last;        /* last task reported + 1 (slices may overlap)    */
    uint64_t total, done, skipped;
    char first_skip[512];
    uint8_t *chunk;
    int stop;
    scry_status rc;
};

static uint64_t le(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/* Volatility's Pointer.is_readable: every page of the pointee translates
 * to memory the dump has. */
static int task_readable(struct scan *s, uint64_t va)
{
    uint64_t end = va + s->task_size, pa;
    if (!va || end < va)
        return 0;
    for (uint64_t pg = va & ~(uint64_t)(SCRY_PAGE_SIZE - 1); pg < end; pg += SCRY_PAGE_SIZE) {
        if (scry_vspace_translate(&s->kernel, pg, &pa) != SCRY_OK)
            return 0;
        if (scry_phys_find_run(s->p, pa) == (size_t)-1)
            return 0;
    }
    return 1;
}

/* Reads one field of the candidate physically; holes are unreadable, as in
 * Volatility's physical layers. */
static scry_status field(struct scan *s, uint64_t pa, void *buf, size_t len)
{
    size_t holes = 0;
    scry_status st = scry_phys_read(s->p, pa, buf, len, &holes);
    if (st == SCRY_OK && holes)
        st = scry_err(SCRY_ERR_NODATA, "physical 0x%" PRIx64 " is not in the dump", pa);
    return st;
}

static int on_hit(void *user, size_t off)
{
    struct scan *s = user;
    const struct scry_linux_offsets *o = &s->l->off;
    uint64_t at = s->base + off;
    struct scry_psscan_task t;
    uint8_t v[4], pid[4], tgid[4], parent[8];
    scry_status st;
    if (at < s->sched_class)
        return 0;
    t.pa = at - s->sched_class;
    if (t.pa < s->last)
        return 0; /* seen in the previous slice's overlap */
    s->last = t.pa + 1;
    st = field(s, t.pa + s->exit_state, v, 4);
    if (st == SCRY_OK)
        st = field(s, t.pa + o->task_pid, pid, 4);
    if (st == SCRY_OK)
        st = field(s, t.pa + o->task_tgid, tgid, 4);
    if (st == SCRY_OK)
        st = field(s, t.pa + o->task_comm, t.comm, 16);
    if (st == SCRY_OK)
        st = field(s, t.pa + o->task_parent, parent, s->nlen);
    if (st != SCRY_OK) {
        scry_op_report(s->op, SCRY_DIAG_INFO, st,
                       "candidate task at physical 0x%" PRIx64 " skipped", t.pa);
        return 0;
    }
    t.exit_state = (int32_t)le(v, 4);
    t.pid = (int32_t)le(pid, 4);
    t.tgid = (int32_t)le(tgid, 4);
    if (t.exit_state & ~(SCRY_EXIT_DEAD | SCRY_EXIT_ZOMBIE))
        return 0;
    if (!(t.pid > 0 && t.pid < 65535))
        return 0;
    t.parent_ok = 0;
    t.ppid = 0;
    uint64_t par = le(parent, s->nlen);
    if (task_readable(s, par)) {
        uint32_t pt;
        if (scry_vspace_read_u32(&s->kernel, par + o->task_tgid, &pt) == SCRY_OK) {
            t.parent_ok = 1;
            t.ppid = (int32_t)pt;
        }
    }
    if (s->fn(s->user, &t))
        s->stop = 1;
    return s->stop;
}

/* Searches [a, b) of run r, a match that starts before b running on to
 * the run's end at most. */
static scry_status scan_range(struct scan *s, size_t r, const uint8_t *direct, uint64_t a,
                              uint64_t b)
{
    struct scry_phys *p = s->p;
    uint64_t start = p->runs[r].start, len = p->runs[r].len;
    for (uint64_t off = a - start; off < b - start && !s->stop; off += CHUNK) {
        size_t n = b - start - off < CHUNK ? (size_t)(b - start - off) : CHUNK;
        size_t ext = len - off - n < s->nlen - 1 ? (size_t)(len - off - n) : s->nlen - 1;
        const uint8_t *buf;
        if (direct) {
            buf = direct + off;
        } else {
            size_t holes;
            scry_status st;
            if (!s->chunk && !(s->chunk = malloc(CHUNK + NEEDLE_MAX)))
                return scry_err(SCRY_ERR_NOMEM, "out of memory");
            st = scry_phys_read(p, start + off, s->chunk, n + ext, &holes);
            if (st == SCRY_ERR_CORRUPT) {
                /* One undecodable page must not hide the rest: searched as
                 * zeros, counted, said once. */
                for (size_t k = 0; k < n + ext; k += SCRY_PAGE_SIZE) {
                    size_t m = n + ext - k < SCRY_PAGE_SIZE ? n + ext - k : SCRY_PAGE_SIZE;
                    if (scry_phys_read(p, start + off + k, s->chunk + k, m, &holes) != SCRY_OK) {
                        if (!s->skipped++)
                            snprintf(s->first_skip, sizeof s->first_skip, "%s",
                                     scry_last_error());
                        memset(s->chunk + k, 0, m);
                    }
                }
                st = SCRY_OK;
            }
            if (st != SCRY_OK)
                return st;
            buf = s->chunk;
        }
        s->base = start + off;
        scry_psscan_search(buf, n, ext, (const uint8_t(*)[8])s->needles, s->k, s->nlen, on_hit,
                           s);
        atomic_fetch_add_explicit(&p->searched, n, memory_order_relaxed);
        if (direct)
            scry_file_drop(p->file, buf, n);
        s->done += n;
        if (!s->stop && scry_op_tick_coarse(s->op, s->done, s->total)) {
            s->rc = scry_op_cancelled();
            s->stop = 1;
        }
    }
    return SCRY_OK;
}

/* The needles: each class symbol's shifted, canonical address as a
 * pointer of the kernel's width, without repeats. */
static scry_status make_needles(struct scan *s)
{
    unsigned va_bits = s->kernel.va_bits;
    s->nlen = va_bits <= 32 ? 4 : 8;
    for (unsigned i = 0; i < MAX_NEEDLES; i++) {
        uint64_t a;
        uint8_t nd[8];
        if (scry_sym_address(s->l->symtab, class_symbols[i], &a) != SCRY_OK)
            continue;
        a += s->l->virt_shift;
        if (va_bits < 64) {
            uint64_t mask = ((uint64_t)1 << va_bits) - 1;
            a &= mask;
            if (a >> (va_bits - 1))
                a |= ~mask;
        }
        for (unsigned b = 0; b < 8; b++)
            nd[b] = (uint8_t)(a >> (8 * b));
        unsigned d = 0;
        while (d < s->k && memcmp(s->needles[d], nd, s->nlen))
            d++;
        if (d == s->k)
            memcpy(s->needles[s->k++], nd, 8);
    }
    if (!s->k)
        return scry_err(SCRY_ERR_NOT_FOUND, "%s has no scheduling class symbol (fair_sched_class, ...)",
                        s->l->isf_path);
    return SCRY_OK;
}

scry_status scry_linux_psscan(const struct scry_linux *l, struct scry_op *op, scry_psscan_fn fn,
                              void *user)
{
    struct scan s = {.l = l, .op = op, .p = l->base.phys, .fn = fn, .user = user};
    struct scry_field_spec f[] = {
        SCRY_FIELD("task_struct", "sched_class", &s.sched_class),
        SCRY_FIELD("task_struct", "exit_state", &s.exit_state),
    };
    struct scry_phys *p = s.p;
    scry_status st;
    if ((st = scry_resolve_fields(l->symtab, f, sizeof f / sizeof f[0])) != SCRY_OK)
        return scry_err_ctx(st, "%s", l->isf_path);
    if ((st = scry_sym_type_size(l->symtab, "task_struct", &s.task_size)) != SCRY_OK)
        return st;
    if ((st = scry_profile_kernel(&l->base, &s.kernel)) != SCRY_OK)
        return st;
    if ((st = make_needles(&s)) != SCRY_OK)
        return st;
    for (size_t r = 0; r < p->nruns; r++)
        s.total += p->runs[r].len;
    /* Only the stretches a sparse file holds data in can hold a needle's
     * anchor bytes (never zero: they are checked below); each stretch is
     * searched from 7 bytes before it, for a needle whose low bytes are
     * zeros of the hole, to 7 past it. */
    int sparse = p->next_data != NULL;
    for (unsigned i = 0; i < s.k; i++)
        if (!s.needles[i][2] || !s.needles[i][3])
            sparse = 0;
    for (size_t r = 0; r < p->nruns && !s.stop && st == SCRY_OK; r++) {
        uint64_t start = p->runs[r].start, len = p->runs[r].len, end = start + len;
        const uint8_t *direct =
            p->ops->direct && len <= SIZE_MAX ? p->ops->direct(p, start, (size_t)len) : NULL;
        if (!sparse) {
            st = scan_range(&s, r, direct, start, end);
            continue;
        }
        for (uint64_t pos = start, ds, de; pos < end && !s.stop && st == SCRY_OK; pos = de) {
            if (!p->next_data(p, pos, &ds, &de) || ds >= end)
                ds = de = end;
            if (de > end)
                de = end;
            if (ds < pos)
                ds = pos;
            s.done += ds - pos;
            if (ds < de) {
                uint64_t a = ds - start >= NEEDLE_MAX - 1 ? ds - (NEEDLE_MAX - 1) : start;
                st = scan_range(&s, r, direct, a < pos ? pos : a, de);
            } else if (de <= pos) {
                break;
            }
        }
    }
    free(s.chunk);
    if (st != SCRY_OK)
        return st;
    if (s.skipped) {
        scry_err(SCRY_ERR_CORRUPT, "%s", s.first_skip);
        scry_op_report(op, SCRY_DIAG_WARNING, SCRY_ERR_CORRUPT,
                       "%" PRIu64 " page%s that cannot be decoded %s searched as zeros; the first",
                       s.skipped, s.skipped == 1 ? "" : "s", s.skipped == 1 ? "was" : "were");
    }
    return s.rc;
}
