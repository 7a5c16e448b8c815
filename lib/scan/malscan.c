/* malscan.c - the malware scan's driver: regions from the OS's collector,
 * then one YARA stream per region, then (full mode) physical memory. */
#include <stdlib.h>
#include <string.h>

#include "lib/base/error.h"
#include "lib/scan/malscan.h"

scry_status scry_region_add(struct scry_region_list *l, const struct scry_scan_region *r)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 64;
        struct scry_scan_region *v = realloc(l->v, cap * sizeof *v);
        if (!v)
            return scry_err(SCRY_ERR_NOMEM, "out of memory");
        l->v = v;
        l->cap = cap;
    }
    struct scry_scan_region *d = &l->v[l->n];
    char *owner = strdup(r->owner ? r->owner : ""), *name = strdup(r->name ? r->name : "");
    if (!owner || !name) {
        free(owner);
        free(name);
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    }
    *d = *r;
    d->owner = owner;
    d->name = name;
    l->n++;
    return SCRY_OK;
}

void scry_region_list_free(struct scry_region_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free((char *)l->v[i].owner);
        free((char *)l->v[i].name);
    }
    free(l->v);
    memset(l, 0, sizeof *l);
}

/* Progress of one region's scan, forwarded as a share of the whole. */
struct fwd {
    struct scry_op *op;
    uint64_t base, total;
};

static int forward(void *user, uint64_t done, uint64_t total)
{
    struct fwd *f = user;
    (void)total;
    return scry_op_tick_coarse(f->op, f->base + done, f->total);
}

/* The op one scan runs on: op's diagnostics and bounds, its progress
 * forwarded through f. */
static struct scry_op sub_op(struct scry_op *op, struct fwd *f)
{
    return (struct scry_op){.diags = op ? op->diags : NULL, .progress = op ? forward : NULL,
                            .progress_user = f, .interval_ns = 1,
                            .max_entries = op ? op->max_entries : 0};
}

/* The collector's walks tick once per task or VMA, not per byte: the
 * caller hears them as "0 of a total not known yet", which keeps the
 * walks cancellable and the byte count that follows monotonic. */
static int collecting(void *user, uint64_t done, uint64_t total)
{
    (void)done;
    (void)total;
    return scry_op_tick_slow(user, 0, 0);
}

struct scan {
    const struct scry_scan_region *region;
    struct scry_vspace *vs; /* NULL for physical */
    scry_malscan_fn fn;
    void *user;
    int stop;
};

static int on_hit(void *user, const struct scry_yara_hit *y)
{
    struct scan *s = user;
    struct scry_malscan_hit h = {.region = s->region, .addr = y->addr, .yara = y};
    if (!s->vs) {
        h.has_phys = 1;
        h.phys = y->addr;
    } else if (scry_vspace_translate(s->vs, y->addr, &h.phys) == SCRY_OK) {
        h.has_phys = 1;
    }
    if (s->fn(s->user, &h))
        s->stop = 1;
    return s->stop;
}

/* The mapped part of a region, scanned as runs of virtually contiguous
 * mapped pages (each one stream, whatever the physical pages behind it):
 * a region is mostly reservation on real systems (only 0.8 of dev-1k's
 * 3.4 GB of quick-mode regions is mapped), and an unmapped page holds none
 * of the process's data (the modes scan mapped pages, by definition). */
struct runs {
    const struct scry_yara_rules *rules;
    struct scry_vspace *vs;
    struct scry_yara_memo *memo;
    struct scry_op *op;
    struct scan *s;
    struct fwd *fwd;     /* progress: the region's share of the whole */
    uint64_t region_done, region_start;
    uint64_t start, end; /* the run being grown; start == end: none */
    scry_status st;
};

static int flush(struct runs *r)
{
    if (r->start == r->end)
        return 0;
    r->fwd->base = r->region_done + (r->start - r->region_start);
    r->st = scry_yara_scan_vrange(r->rules, r->vs, r->start, r->end, 0, SCRY_YARA_OVERLAP, r->memo,
                                  r->op, on_hit, r->s);
    r->start = r->end;
    return r->st != SCRY_OK || r->s->stop || (r->op && r->op->cancelled);
}

static int on_mapped(void *user, uint64_t va, uint64_t pa, uint64_t len)
{
    struct runs *r = user;
    (void)pa;
    if (va != r->end && flush(r))
        return 1;
    if (r->start == r->end)
        r->start = va;
    r->end = va + len;
    return 0;
}

static scry_status scan_mapped(struct runs *r, uint64_t start, uint64_t end)
{
    r->start = r->end = r->region_start = start;
    r->st = SCRY_OK;
    scry_status st = scry_vspace_enumerate(r->vs, start, end, 0, on_mapped, r);
    if (st == SCRY_OK && r->st == SCRY_OK && !r->s->stop)
        flush(r);
    return st != SCRY_OK ? st : r->st;
}

static uint64_t phys_size(struct scry_phys *phys)
{
    uint64_t n = 0;
    for (size_t i = 0; i < phys->nruns; i++)
        n += phys->runs[i].len;
    return n;
}

scry_status scry_malscan_run(const struct scry_profile *p, const struct scry_malscan_os *c,
                             const struct scry_yara_rules *rules, scry_scan_mode mode,
                             const struct scry_pid_filter *pids, struct scry_op *op,
                             scry_malscan_fn fn, void *user)
{
    struct scry_region_list regions = {0};
    /* Every process maps the same programs and libraries: a window met
     * before is answered from the memo. */
    struct scry_yara_memo *memo = NULL;
    scry_status st;
    if ((st = scry_yara_memo_new(&memo)) != SCRY_OK)
        return st;
    struct scry_op walks = {.diags = op ? op->diags : NULL, .progress = op ? collecting : NULL,
                            .progress_user = op, .interval_ns = 1,
                            .max_entries = op ? op->max_entries : 0};
    st = c->collect(p, &walks, mode, pids, &regions);
    if (st == SCRY_OK && walks.cancelled)
        st = scry_op_cancelled();
    if (st != SCRY_OK)
        goto out;
    uint64_t total = 0, done = 0;
    for (size_t i = 0; i < regions.n; i++)
        total += regions.v[i].end - regions.v[i].start;
    struct scry_scan_region phys_region = {
        .kind = SCRY_REGION_PHYSICAL, .pid = -1, .owner = "", .name = "physical memory"};
    if (mode == SCRY_SCAN_FULL) {
        phys_region.end = phys_size(p->phys);
        total += phys_region.end;
    }
    struct scry_vspace vs;
    int have_vs = 0;
    struct scan s = {.fn = fn, .user = user};
    for (size_t i = 0; i < regions.n && !s.stop; i++) {
        const struct scry_scan_region *r = &regions.v[i];
        /* Consecutive regions of one process share its space (and the
         * translation cache that comes with it). */
        if (!have_vs || vs.dtb != r->dtb || vs.mode != r->mode) {
            if ((st = scry_vspace_init(&vs, p->phys, r->mode, r->dtb)) != SCRY_OK)
                goto out;
            have_vs = 1;
        }
        struct fwd f = {.op = op, .base = done, .total = total};
        struct scry_op sub = sub_op(op, &f);
        s.region = r;
        s.vs = &vs;
        struct runs rn = {.rules = rules, .vs = &vs, .memo = memo, .op = &sub, .s = &s,
                          .fwd = &f, .region_done = done};
        st = scan_mapped(&rn, r->start, r->end);
        if (st == SCRY_OK && sub.cancelled)
            st = scry_op_cancelled();
        if (st == SCRY_ERR_LIMIT || st == SCRY_ERR_CORRUPT || st == SCRY_ERR_NODATA) {
            /* damaged page tables of one region: the others still count */
            if (r->kind == SCRY_REGION_PROCESS)
                scry_op_report(op, SCRY_DIAG_WARNING, st,
                               "pid %lld (%s): region 0x%llx-0x%llx was not wholly scanned",
                               (long long)r->pid, r->owner, (unsigned long long)r->start,
                               (unsigned long long)r->end);
            else
                scry_op_report(op, SCRY_DIAG_WARNING, st,
                               "module %s %s 0x%llx-0x%llx was not wholly scanned", r->owner,
                               r->name, (unsigned long long)r->start, (unsigned long long)r->end);
            st = SCRY_OK;
        }
        if (st != SCRY_OK)
            goto out;
        done += r->end - r->start;
        if (scry_op_tick_coarse(op, done, total)) {
            st = scry_op_cancelled();
            goto out;
        }
    }
    if (mode == SCRY_SCAN_FULL && !s.stop) {
        struct fwd f = {.op = op, .base = done, .total = total};
        struct scry_op sub = sub_op(op, &f);
        s.region = &phys_region;
        s.vs = NULL;
        st = scry_yara_scan_phys(rules, p->phys, &sub, on_hit, &s);
        if (st == SCRY_OK && sub.cancelled)
            st = scry_op_cancelled();
        if (st == SCRY_OK && scry_op_tick_coarse(op, total, total))
            st = scry_op_cancelled();
    }
out:
    scry_yara_memo_free(memo);
    scry_region_list_free(&regions);
    return st;
}
