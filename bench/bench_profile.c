/* bench_profile.c - how long until a session has its Linux profile.
 *
 *   bench_profile [-n N] [-s SYMDIR] DUMP
 *
 * Each run is what a fresh process does before its first plugin: a new
 * context, the dump opened, a session, detection (scry_session_detect).
 * Three modes, N runs each, median and min wall time:
 *   cold     no -s, no cache directory: the profile is built from the
 *            dump's own BTF + kallsyms every time (find, decode, ISF,
 *            compile);
 *   cached   no -s, a scratch cache directory filled by one run first: the
 *            dump's compiled profile is mapped;
 *   isf      -s SYMDIR (default: the corpus symbols), the same scratch cache
 *            directory: the matching ISF's compiled table is mapped - the
 *            figure the cached mode is to match.
 * The page cache is warm (the dump was read before): the figures are CPU
 * and mapping costs, not disk. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "memscry/memscry.h"

#ifndef BENCH_DEFAULT_SYMDIR
#define BENCH_DEFAULT_SYMDIR "/work/shared/corpus/symbols"
#endif

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* One fresh detection; returns its seconds, or -1 on failure (printed). */
static double once(const char *dump, const char *cache, const char *symdir)
{
    scry_context *ctx = NULL;
    scry_dump *d = NULL;
    scry_session *s = NULL;
    double t0 = now();
    scry_status st = scry_context_new(&ctx);
    if (st == SCRY_OK)
        st = scry_context_set_cache_dir(ctx, cache);
    if (st == SCRY_OK && symdir)
        st = scry_context_add_symbol_dir(ctx, symdir);
    if (st == SCRY_OK)
        st = scry_dump_open(ctx, dump, &d);
    if (st == SCRY_OK)
        st = scry_session_open(ctx, d, &s);
    if (st == SCRY_OK)
        st = scry_session_detect(s);
    double t = now() - t0;
    if (st != SCRY_OK)
        fprintf(stderr, "bench_profile: %s: %s\n", dump, scry_last_error());
    scry_session_close(s);
    scry_dump_close(d);
    scry_context_free(ctx);
    return st == SCRY_OK ? t : -1;
}

static int mode(const char *name, int n, const char *dump, const char *cache, const char *symdir)
{
    double *t = calloc((size_t)n, sizeof *t);
    if (!t)
        return 1;
    for (int i = 0; i < n; i++)
        if ((t[i] = once(dump, cache, symdir)) < 0) {
            free(t);
            return 1;
        }
    qsort(t, (size_t)n, sizeof *t, cmp_d);
    printf("%-7s median %8.2f ms  min %8.2f ms  (%d runs)\n", name, t[n / 2] * 1e3, t[0] * 1e3, n);
    free(t);
    return 0;
}

int main(int argc, char **argv)
{
    int n = 9, opt;
    const char *symdir = BENCH_DEFAULT_SYMDIR;
    while ((opt = getopt(argc, argv, "n:s:")) != -1) {
        if (opt == 'n')
            n = atoi(optarg);
        else if (opt == 's')
            symdir = optarg;
        else
            return 2;
    }
    if (optind + 1 != argc || n < 1) {
        fprintf(stderr, "usage: bench_profile [-n N] [-s SYMDIR] DUMP\n");
        return 2;
    }
    const char *dump = argv[optind];
    char cache[] = "/tmp/bench-profile-XXXXXX", cmd[64];
    if (!mkdtemp(cache))
        return 1;
    int rc = mode("cold", n, dump, NULL, NULL);
    if (!rc && once(dump, cache, NULL) < 0) /* fills the cache */
        rc = 1;
    if (!rc)
        rc = mode("cached", n, dump, cache, NULL);
    if (!rc && once(dump, cache, symdir) < 0)
        rc = 1;
    if (!rc)
        rc = mode("isf", n, dump, cache, symdir);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", cache);
    if (system(cmd) != 0)
        rc = 1;
    return rc;
}
