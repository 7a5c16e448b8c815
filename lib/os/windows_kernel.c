/* windows_kernel.c - the kernel image and its PDB identity, found as
 * Volatility's KernelPDBScanner finds them (automagic/pdbscan.py), in its
 * order, so that the same image is chosen:
 *
 * 1. "KDBG" anywhere in physical memory: the u64 8 bytes after the tag is
 *    _KDDEBUGGER_DATA64.KernBase (a plain KDBG only; Win8+ encode theirs).
 * 2. The ASCII "\SystemRoot\system32\nt" of a loader entry: the u64 24
 *    bytes before it is the image base.
 *    Either candidate is the kernel when its virtual page starts with "MZ"
 *    and an RSDS record of a kernel PDB lies within 4 MiB above it.
 * 3. Fixed mapping (Win7/2008R2 era): an RSDS record in physical memory,
 *    the "MZ" page at or below it, and the kernel mapped at that page +
 *    0xF80000000000 (the VA must translate back to it).
 * 4. A virtual RSDS scan from 0xF80000000000 up, then from 0; the image is
 *    the "MZ" page at or below the record.
 * The MZ walk back gives up after 100 unmapped pages and never goes below
 * the previous record's page, as Volatility's pdbname_scan.
 * Methods 1-3 share one pass over physical memory (scry_scan_phys_multi);
 * the order in which their candidates are tried is Volatility's.
 *
 * Speed: a crash dump states its KDBG's address; when that KDBG is plain
 * and its KernBase passes the same test, no physical scan is needed.
 * Volatility's answer is then the same unless another plain KDBG whose
 * base also passes lies below it in physical memory. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/find.h"
#include "lib/os/windows.h"
#include "lib/phys/scan.h"

#define PAGE 4096ull
#define MAX_PDB_SIZE 0x400000ull   /* pdbscan.py max_pdb_size */
#define MAX_INVALID 100            /* pdbname_scan maximum_invalid_count */
#define VA_MAX ((1ull << 48) - 1)
#define RSDS_LEN (4 + 16 + 4)      /* tag, GUID, age */
#define MAX_PROOFS 256             /* candidate bases proved per pointer method */

static const char *const pdb_names[] = {"ntkrnlmp.pdb", "ntkrnlpa.pdb", "ntkrpamp.pdb",
                                        "ntoskrnl.pdb"};

/* Parses the RSDS record at r (at least RSDS_LEN + 13 bytes readable) as
 * PdbSignatureScanner does; 0 when it is not a kernel PDB's. */
static int parse_rsds(const uint8_t *r, size_t avail, struct scry_win_kernel *k)
{
    static const int order[16] = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
    if (avail < RSDS_LEN + 13 || memcmp(r, "RSDS", 4) != 0)
        return 0;
    for (size_t i = 0; i < sizeof pdb_names / sizeof pdb_names[0]; i++)
        if (memcmp(r + RSDS_LEN, pdb_names[i], 13) == 0) {
            for (int j = 0; j < 16; j++)
                snprintf(k->guid + 2 * j, 3, "%02X", r[4 + order[j]]);
            k->age = (uint32_t)r[20] | (uint32_t)r[21] << 8 | (uint32_t)r[22] << 16 |
                     (uint32_t)r[23] << 24;
            snprintf(k->pdb_name, sizeof k->pdb_name, "%s", pdb_names[i]);
            return 1;
        }
    return 0;
}

/* ------------------------------------------------------ virtual scanning */

/* Scans the mapped parts of [start, end) (masked addresses) for kernel
 * RSDS records; calls fn with each record's masked address until it
 * returns non-zero. Reads in chunks that overlap by a record's length. */
struct vscan {
    struct scry_vspace *vs;
    int (*fn)(void *user, uint64_t at, const struct scry_win_kernel *k);
    void *user;
    int stop;
    uint64_t budget;      /* bytes left to read; a hostile table may alias
                           * one page across the whole 48-bit space */
    int exhausted;
    uint8_t buf[64 * 1024 + 64];
};

static int vscan_range(void *user, uint64_t va, uint64_t pa, uint64_t len)
{
    struct vscan *s = user;
    (void)pa;
    const size_t chunk = 64 * 1024, keep = RSDS_LEN + 13 - 1;
    for (uint64_t off = 0; off < len && !s->stop; off += chunk) {
        size_t n = (size_t)(len - off < chunk ? len - off : chunk);
        if (n > s->budget) {
            s->exhausted = s->stop = 1;
            break;
        }
        s->budget -= n;
        size_t extra = (size_t)(len - off - n < keep ? len - off - n : keep);
        if (scry_vspace_read(s->vs, scry_win_canon(va + off), s->buf, n + extra) != SCRY_OK)
            continue;
        for (const uint8_t *p = s->buf; !s->stop;) {
            p = scry_find(p, (size_t)(s->buf + n - p), "RSDS", 4);
            if (!p)
                break;
            struct scry_win_kernel k = {0};
            if (parse_rsds(p, (size_t)(s->buf + n + extra - p), &k))
                s->stop = s->fn(s->user, va + off + (uint64_t)(p - s->buf), &k);
            p++;
        }
    }
    return s->stop;
}

static scry_status vscan(struct scry_vspace *vs, struct scry_op *op, uint64_t start,
                         uint64_t end,
                         int (*fn)(void *, uint64_t, const struct scry_win_kernel *), void *user)
{
    struct vscan *s = malloc(sizeof *s); /* 64 KiB: not on the stack */
    if (!s)
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    s->vs = vs;
    s->fn = fn;
    s->user = user;
    s->stop = 0;
    s->exhausted = 0;
    /* Twice physical memory and 64 MiB: more than any real kernel space
     * maps once (Windows has no direct map). */
    s->budget = 2 * vs->phys->info.phys_end + (64u << 20);
    scry_status st = scry_vspace_enumerate(vs, start, end, 0, vscan_range, s);
    if (s->exhausted)
        scry_op_say(op, SCRY_DIAG_WARNING, SCRY_ERR_LIMIT,
                    "the virtual RSDS scan from 0x%" PRIx64 " stopped after reading %" PRIu64
                    " bytes (twice physical memory): the page tables map memory many times over",
                    start, 2 * vs->phys->info.phys_end + (64u << 20));
    free(s);
    /* A table walk past the enumeration bound ends this scan like the end of
     * the space: what it covered was searched. */
    return st == SCRY_ERR_LIMIT ? SCRY_OK : st;
}

/* ---------------------------------------------- check_kernel_offset */

static int first_rsds(void *user, uint64_t at, const struct scry_win_kernel *k)
{
    (void)at;
    *(struct scry_win_kernel *)user = *k;
    return 1;
}

/* A candidate base (masked) is the kernel when its page starts with MZ and
 * a kernel RSDS record lies in the 4 MiB above it. */
static int check_base(struct scry_vspace *vs, uint64_t base, struct scry_win_kernel *out,
                      unsigned *proofs)
{
    char mz[2];
    struct scry_win_kernel k = {0};
    base &= VA_MAX;
    if (scry_vspace_read(vs, scry_win_canon(base), mz, 2) != SCRY_OK || memcmp(mz, "MZ", 2))
        return 0;
    ++*proofs;
    uint64_t end = base + MAX_PDB_SIZE > VA_MAX ? VA_MAX : base + MAX_PDB_SIZE;
    if (vscan(vs, NULL, base, end, first_rsds, &k) != SCRY_OK || !k.pdb_name[0])
        return 0;
    k.base = scry_win_canon(base);
    *out = k;
    return 1;
}

/* ------------------------------------------- 1 and 2: pointer methods */

struct ptr_scan {
    struct scry_vspace *vs;
    int64_t rel;          /* where the pointer is, relative to the hit */
    uint64_t seen[64];    /* bases already tested (most recent) */
    size_t nseen;
    unsigned proofs;      /* candidates that reached the RSDS scan */
    struct scry_win_kernel *out;
    int found;
};

static int on_ptr_hit(void *user, uint64_t pa)
{
    struct ptr_scan *s = user;
    uint64_t ptr;
    size_t holes = 0;
    if ((int64_t)pa + s->rel < 0 ||
        scry_phys_read(s->vs->phys, pa + (uint64_t)s->rel, &ptr, 8, &holes) != SCRY_OK)
        return 0;
    ptr &= VA_MAX;
    for (size_t i = 0; i < s->nseen && i < 64; i++)
        if (s->seen[i] == ptr)
            return 0;
    s->seen[s->nseen++ % 64] = ptr;
    s->found = check_base(s->vs, ptr, s->out, &s->proofs);
    /* Each proof past the MZ test may scan 4 MiB of virtual memory: a dump
     * sprayed with tags pointing at MZ pages must not make that quadratic.
     * A real kernel has one KDBG and a handful of loader strings. */
    return s->found || s->proofs >= MAX_PROOFS;
}

/* --------------------------------------------- 3: the fixed mapping */

struct fixed_scan {
    struct scry_vspace *vs;
    uint64_t min_pfn;
    struct scry_win_kernel *out;
    int found;
};

static int phys_valid(struct scry_phys *p, uint64_t pa)
{
    return scry_phys_find_run(p, pa) != (size_t)-1;
}

static int on_phys_rsds(void *user, uint64_t pa)
{
    struct fixed_scan *s = user;
    struct scry_phys *p = s->vs->phys;
    uint8_t rec[RSDS_LEN + 13];
    struct scry_win_kernel k = {0};
    size_t holes = 0;
    if (scry_phys_read(p, pa, rec, sizeof rec, &holes) != SCRY_OK || !parse_rsds(rec, sizeof rec, &k))
        return 0;
    uint64_t sig_pfn = pa / PAGE, mz = UINT64_MAX;
    unsigned invalid = 0;
    for (uint64_t i = sig_pfn; i > s->min_pfn; i--) {
        char b[2];
        if (invalid > MAX_INVALID)
            break;
        if (!phys_valid(p, i * PAGE)) {
            invalid++;
            continue;
        }
        if (scry_phys_read(p, i * PAGE, b, 2, &holes) == SCRY_OK && !memcmp(b, "MZ", 2)) {
            mz = i * PAGE;
            break;
        }
    }
    s->min_pfn = sig_pfn;
    if (mz == UINT64_MAX)
        return 0;
    /* 31 << (ceil(log2(2^48)) - 5): the top 16 TiB slot of the 48-bit space. */
    uint64_t kvo = mz + (31ull << 43), back;
    if (scry_vspace_translate(s->vs, scry_win_canon(kvo), &back) != SCRY_OK || back != mz)
        return 0;
    k.base = scry_win_canon(kvo);
    *s->out = k;
    s->found = 1;
    return 1;
}

/* ------------------------------------------------ 4: virtual RSDS scan */

struct slow_scan {
    struct scry_vspace *vs;
    uint64_t min_page;    /* masked page address the walk back stops above */
    struct scry_win_kernel *out;
    int found;
};

static int on_virt_rsds(void *user, uint64_t at, const struct scry_win_kernel *k)
{
    struct slow_scan *s = user;
    uint64_t sig_page = at / PAGE, mz = UINT64_MAX;
    unsigned invalid = 0;
    for (uint64_t i = sig_page; i > s->min_page; i--) {
        char b[2];
        uint64_t pa;
        if (invalid > MAX_INVALID)
            break;
        if (scry_vspace_translate(s->vs, scry_win_canon(i * PAGE), &pa) != SCRY_OK) {
            invalid++;
            continue;
        }
        if (scry_vspace_read(s->vs, scry_win_canon(i * PAGE), b, 2) == SCRY_OK &&
            !memcmp(b, "MZ", 2)) {
            mz = i * PAGE;
            break;
        }
    }
    s->min_page = sig_page;
    if (mz == UINT64_MAX)
        return 0;
    *s->out = *k;
    s->out->base = scry_win_canon(mz);
    s->found = 1;
    return 1;
}

/* ------------------------------------------------------------- entry */

static int by_hint(struct scry_vspace *vs, uint64_t kdbg, struct scry_win_kernel *out)
{
    uint8_t h[0x20];
    uint64_t base;
    if (!kdbg || scry_vspace_read(vs, scry_win_canon(kdbg), h, sizeof h) != SCRY_OK ||
        memcmp(h + 0x10, "KDBG", 4) != 0)
        return 0;
    memcpy(&base, h + 0x18, 8);
    unsigned proofs = 0;
    return check_base(vs, base, out, &proofs);
}

/* --------------------------------------- methods 1-3 in one pass */

/* Up to this many hits of each later method are kept during the pass;
 * past it that method scans again on its own (a dump sprayed with the
 * strings costs a second pass, never unbounded memory). 512 KiB each. */
#define HITS_MAX 65536

struct hits {
    uint64_t *pa;
    size_t n, cap;
    int overflow;
};

/* The three physical scans share one pass over memory: KDBG hits are
 * tried as they come (the first method wins whatever the others find); the
 * loader strings' and RSDS records' addresses wait, in address order, for
 * the methods that follow when it fails. */
struct first_pass {
    struct ptr_scan kdbg;
    int kdbg_done; /* found, or out of proofs */
    struct hits later[2];
};

static int on_first_pass(void *user, size_t which, uint64_t pa)
{
    struct first_pass *f = user;
    if (which == 0) {
        if (!f->kdbg_done && on_ptr_hit(&f->kdbg, pa))
            f->kdbg_done = 1;
        return f->kdbg.found;
    }
    struct hits *h = &f->later[which - 1];
    if (h->overflow)
        return 0;
    if (h->n == h->cap) {
        size_t cap = h->cap ? 2 * h->cap : 256;
        uint64_t *pa2 = h->n < HITS_MAX ? realloc(h->pa, cap * sizeof *pa2) : NULL;
        if (!pa2) {
            h->overflow = 1; /* out of memory too: that method scans alone */
            return 0;
        }
        h->pa = pa2;
        h->cap = cap;
    }
    h->pa[h->n++] = pa;
    return 0;
}

/* Runs a later method over its kept hits, or scans for it again when they
 * overflowed: calls fn with each address until it returns non-zero. */
static scry_status replay(struct scry_vspace *vs, struct scry_op *op, const struct hits *h,
                          const char *needle, scry_scan_fn fn, void *user)
{
    if (h->overflow)
        return scry_scan_phys(vs->phys, op, needle, strlen(needle), fn, user);
    for (size_t i = 0; i < h->n; i++)
        if (fn(user, h->pa[i]))
            break;
    return SCRY_OK;
}

static const char LOADER[] = "\\SystemRoot\\system32\\nt";

scry_status scry_win_find_kernel(struct scry_vspace *vs, struct scry_op *op, uint64_t hint_kdbg,
                                 struct scry_win_kernel *out)
{
    scry_status st;
    memset(out, 0, sizeof *out);
    if (by_hint(vs, hint_kdbg, out)) {
        out->method = "kdbg";
        return SCRY_OK;
    }
    const struct scry_needle needles[] = {{"KDBG", 4}, {LOADER, sizeof LOADER - 1}, {"RSDS", 4}};
    struct first_pass f = {.kdbg = {.vs = vs, .rel = 8, .out = out}};
    struct ptr_scan loader = {.vs = vs, .rel = -24, .out = out};
    struct fixed_scan fx = {.vs = vs, .out = out};
    st = scry_scan_phys_multi(vs->phys, op, needles, 3, on_first_pass, &f);
    if (st == SCRY_OK && f.kdbg.found) {
        out->method = "kdbg";
    } else if (st == SCRY_OK &&
               (st = replay(vs, op, &f.later[0], LOADER, on_ptr_hit, &loader)) == SCRY_OK &&
               loader.found) {
        out->method = "module";
    } else if (st == SCRY_OK &&
               (st = replay(vs, op, &f.later[1], "RSDS", on_phys_rsds, &fx)) == SCRY_OK &&
               fx.found) {
        out->method = "fixed-mapping";
    }
    free(f.later[0].pa);
    free(f.later[1].pa);
    if (st != SCRY_OK)
        return st;
    if (out->method)
        return SCRY_OK;
    for (int pass = 0; pass < 2; pass++) {
        struct slow_scan sl = {.vs = vs, .out = out};
        if ((st = vscan(vs, op, pass ? 0 : 0x1f0ull << 39, VA_MAX, on_virt_rsds, &sl)) != SCRY_OK)
            return st;
        if (sl.found) {
            out->method = "rsds-scan";
            return SCRY_OK;
        }
    }
    return scry_err(SCRY_ERR_NOT_FOUND,
                    "no Windows kernel image found (no KDBG, loader entry or RSDS record of "
                    "ntkrnlmp/ntkrnlpa/ntkrpamp/ntoskrnl.pdb in a mapped MZ image)");
}
