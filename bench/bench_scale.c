/* bench_scale.c - the in-process figures of bench/scale.sh.
 *
 *   bench_scale open DUMP [N]             median wall time of scry_dump_open
 *                                         (+ close) over N runs (default 21)
 *   bench_scale cached DUMP SYMDIR [N]    linux.pstree.PsTree through the
 *                                         result cache: one fresh run, then
 *                                         the median of N hits (default 101)
 *                                         timed around scry_plugin_run alone
 *   bench_scale context                   resident memory (/proc/self/statm)
 *                                         before and after scry_context_new
 *
 * Prints one line of figures; exit 1 on a library error. Performance is
 * measured here, never asserted (bench/README.md has the targets). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "memscry/memscry.h"

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int die(const char *what)
{
    fprintf(stderr, "bench_scale: %s: %s\n", what, scry_last_error());
    return 1;
}

static uint64_t rss_kib(void)
{
    unsigned long size = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f || fscanf(f, "%lu %lu", &size, &resident) != 2)
        exit(1);
    fclose(f);
    return (uint64_t)resident * (uint64_t)sysconf(_SC_PAGESIZE) / 1024;
}

static int bench_open(const char *path, int n)
{
    scry_context *ctx;
    double *t = calloc((size_t)n, sizeof *t);
    if (!t || scry_context_new(&ctx) != SCRY_OK)
        return die("context");
    for (int i = 0; i < n; i++) {
        scry_dump *d;
        double t0 = now_ms();
        if (scry_dump_open(ctx, path, &d) != SCRY_OK)
            return die(path);
        scry_dump_close(d);
        t[i] = now_ms() - t0;
    }
    printf("open %s: median %.3f ms over %d runs\n", path, median(t, n), n);
    scry_context_free(ctx);
    free(t);
    return 0;
}

static int bench_cached(const char *path, const char *symdir, int n)
{
    scry_context *ctx;
    scry_dump *d;
    scry_session *s;
    scry_result *r;
    uint64_t hits = 0;
    double *t = calloc((size_t)n, sizeof *t), fresh;
    if (!t || scry_context_new(&ctx) != SCRY_OK || scry_context_add_symbol_dir(ctx, symdir) ||
        scry_context_set_result_cache(ctx, 64u << 20) != SCRY_OK)
        return die("context");
    if (scry_dump_open(ctx, path, &d) != SCRY_OK || scry_session_open(ctx, d, &s) != SCRY_OK)
        return die(path);
    fresh = now_ms();
    if (scry_plugin_run(s, "linux.pstree.PsTree", 0, NULL, NULL, &r) != SCRY_OK)
        return die("pstree");
    fresh = now_ms() - fresh;
    size_t rows = scry_result_row_count(r);
    scry_result_free(r);
    for (int i = 0; i < n; i++) {
        double t0 = now_ms();
        if (scry_plugin_run(s, "linux.pstree.PsTree", 0, NULL, NULL, &r) != SCRY_OK)
            return die("pstree");
        t[i] = now_ms() - t0;
        if (scry_result_row_count(r) != rows)
            return die("row count");
        scry_result_free(r);
    }
    scry_context_stat(ctx, "result_hits", &hits);
    printf("cached pstree %s: %zu rows; fresh run (with detection) %.3f ms; cache hit median "
           "%.3f ms over %d runs (%llu hits)\n",
           path, rows, fresh, median(t, n), n, (unsigned long long)hits);
    scry_session_close(s);
    scry_dump_close(d);
    scry_context_free(ctx);
    free(t);
    return 0;
}

static int bench_context(void)
{
    scry_context *ctx;
    uint64_t before = rss_kib(), after;
    if (scry_context_new(&ctx) != SCRY_OK)
        return die("context");
    after = rss_kib();
    printf("context: RSS before %llu KiB, after scry_context_new %llu KiB: %+lld KiB\n",
           (unsigned long long)before, (unsigned long long)after,
           (long long)after - (long long)before);
    scry_context_free(ctx);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && !strcmp(argv[1], "open"))
        return bench_open(argv[2], argc > 3 ? atoi(argv[3]) : 21);
    if (argc >= 4 && !strcmp(argv[1], "cached"))
        return bench_cached(argv[2], argv[3], argc > 4 ? atoi(argv[4]) : 101);
    if (argc == 2 && !strcmp(argv[1], "context"))
        return bench_context();
    fprintf(stderr, "usage: bench_scale open DUMP [N] | cached DUMP SYMDIR [N] | context\n");
    return 2;
}
