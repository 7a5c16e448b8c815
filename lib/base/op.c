/* op.c - diagnostics, progress and cancellation of one run (see op.h). */
#include "lib/base/op.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void diags_vadd(struct scry_diags *d, scry_diag_level level, scry_status st, const char *fmt,
                       va_list ap)
{
    size_t max = d->max ? d->max : SCRY_DIAGS_DEFAULT_MAX;
    char *msg;
    if (level == SCRY_DIAG_WARNING)
        d->partial = 1;
    if (d->n >= max)
        goto drop;
    if (vasprintf(&msg, fmt, ap) < 0)
        goto drop;
    /* The same thing said twice (two scans meeting one bad page) is said
     * once. */
    for (size_t i = 0; i < d->n; i++) {
        if (d->v[i].level == level && d->v[i].status == st && !strcmp(d->v[i].message, msg)) {
            free(msg);
            return;
        }
    }
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 8;
        struct scry_diag *v = realloc(d->v, cap * sizeof *v);
        if (!v) {
            free(msg);
            goto drop;
        }
        d->v = v, d->cap = cap;
    }
    d->v[d->n++] = (struct scry_diag){level, st, msg};
    return;
drop:
    d->dropped++;
}

void scry_diags_add(struct scry_diags *d, scry_diag_level level, scry_status st, const char *fmt,
                    ...)
{
    va_list ap;
    if (!d)
        return;
    va_start(ap, fmt);
    diags_vadd(d, level, st, fmt, ap);
    va_end(ap);
}

void scry_diags_finish(struct scry_diags *d)
{
    size_t dropped;
    if (!d || !d->dropped)
        return;
    dropped = d->dropped;
    d->max = d->n + 1; /* room for this one line */
    d->dropped = 0;
    scry_diags_add(d, d->partial ? SCRY_DIAG_WARNING : SCRY_DIAG_INFO, SCRY_ERR_LIMIT,
                   "%zu more diagnostics were not kept", dropped);
}

void scry_diags_free(struct scry_diags *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n; i++)
        free(d->v[i].message);
    free(d->v);
    memset(d, 0, sizeof *d);
}

static void op_vreport(struct scry_op *op, scry_diag_level level, scry_status st, int cause,
                       const char *fmt, va_list ap)
{
    char head[512];
    if (!op || !op->diags)
        return;
    vsnprintf(head, sizeof head, fmt, ap);
    const char *inner = cause ? scry_last_error() : "";
    if (inner[0])
        scry_diags_add(op->diags, level, st, "%s: %s", head, inner);
    else
        scry_diags_add(op->diags, level, st, "%s", head);
}

void scry_op_report(struct scry_op *op, scry_diag_level level, scry_status st, const char *fmt,
                    ...)
{
    va_list ap;
    va_start(ap, fmt);
    op_vreport(op, level, st, 1, fmt, ap);
    va_end(ap);
}

void scry_op_say(struct scry_op *op, scry_diag_level level, scry_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    op_vreport(op, level, st, 0, fmt, ap);
    va_end(ap);
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int scry_op_tick_slow(struct scry_op *op, uint64_t done, uint64_t total)
{
    if (!op)
        return 0;
    if (op->cancelled)
        return 1;
    if (!op->progress)
        return 0;
    /* The clock is read every 64th tick only: walkers tick per entry at
     * millions of entries a second. */
    int final = total && done >= total;
    if (op->last_ns && (++op->ticks & 63) && !final)
        return 0;
    uint64_t t = now_ns();
    uint64_t interval = op->interval_ns ? op->interval_ns : SCRY_OP_PROGRESS_NS;
    if (op->last_ns && t - op->last_ns < interval && !final)
        return 0;
    op->last_ns = t;
    if (op->progress(op->progress_user, done, total))
        op->cancelled = 1;
    return op->cancelled;
}

int scry_op_tick_coarse(struct scry_op *op, uint64_t done, uint64_t total)
{
    if (!op || (!op->progress && !op->cancelled))
        return 0;
    if (op->cancelled)
        return 1;
    /* A fresh count makes tick_slow read the clock now. */
    op->ticks = 63;
    return scry_op_tick_slow(op, done, total);
}

scry_status scry_op_cancelled(void)
{
    return scry_err(SCRY_ERR_CANCELLED, "cancelled by the caller");
}
