/* bench_walk.c - micro-benchmark of the Linux task walk alone.
 *
 *   bench_walk [options] DUMP
 *     -s, --symbol-dirs DIR  ISF directory (default $MEMSCRY_CORPUS/symbols,
 *                            else <source>/../shared/corpus/symbols)
 *     -t, --seconds S        minimum time per measurement (default 2)
 *     -n, --repeat N         measurements per mode (default 3)
 *     --threads              only the walk with thread groups (pslist --threads)
 *     --no-threads           only the plain walk (pslist)
 *                            (default: both, plain first)
 *     --fcache-pages N       experiment: replace the dump's file-page cache
 *                            (uncompressed formats) with one of N pages, or
 *                            none for 0 (reads then go straight to the
 *                            mapping); default: the library's own
 *
 * The dump is opened and the kernel detected once (not timed); one untimed
 * walk warms the mapping and the caches; then each measurement repeats full
 * scry_linux_walk_tasks() calls with a counting callback until at least S
 * seconds have passed and prints one line:
 *
 *   walk threads=0 dump=dev-1k.lime walks=N per_walk=1100 seconds=2.001
 *        rate=12345678 task_structs/s cpu_rate=... target=1000000 ok
 *
 * rate is task_structs delivered to the callback per wall-clock second,
 * cpu_rate the same per second of process CPU time (less sensitive to a
 * loaded machine). Exit status: 0, or 1 when the dump cannot be analysed,
 * 2 for a usage error. A rate under the target is reported ("BELOW"), not an
 * error: performance is never a pass/fail test. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "lib/os/linux.h"
#include "lib/base/pagecache.h"
#include "lib/session/session.h"
#include "lib/walk/linux_tasks.h"
#include "memscry/memscry.h"

#define WALK_TARGET 1000000.0

#ifndef BENCH_DEFAULT_SYMDIR
#define BENCH_DEFAULT_SYMDIR "../shared/corpus/symbols"
#endif

static int count_task(void *user, const struct scry_linux_task *t)
{
    size_t *n = user;
    (void)t;
    (*n)++;
    return 0;
}

static double now(clockid_t clk)
{
    struct timespec ts;
    clock_gettime(clk, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void cpu_times(double *user, double *sys)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    *user = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6;
    *sys = (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
}

/* The file-page cache's counters (uncompressed formats) or zeros. */
static void fcache_stats(const struct scry_phys *p, struct scry_pagecache_stats *out)
{
    memset(out, 0, sizeof *out);
    if (p->fcache)
        scry_pagecache_stats(p->fcache, out);
}

static const char *base_name(const char *path)
{
    const char *b = strrchr(path, '/');
    return b ? b + 1 : path;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: bench_walk [-s SYMDIR] [-t SECONDS] [-n REPEAT] [--threads|--no-threads]\n"
               "                  [--fcache-pages N] DUMP\n");
}

/* One measurement; returns 0, or 1 when a walk failed. */
static int measure(const struct scry_linux *l, int threads, double min_seconds, const char *dump)
{
    size_t per_walk = 0, total = 0, walks = 0;
    double w0, c0, u0, s0, u1, s1, wall, cpu, rate, cpu_rate;
    struct scry_pagecache_stats f0, f1;
    scry_status st;

    /* Untimed walk: the number of tasks per walk, pages faulted in. */
    st = scry_linux_walk_tasks(l, NULL, threads, count_task, &per_walk);
    if (st != SCRY_OK) {
        fprintf(stderr, "bench_walk: walk failed: %s\n", scry_last_error());
        return 1;
    }
    if (per_walk == 0) {
        fprintf(stderr, "bench_walk: the walk found no task\n");
        return 1;
    }

    fcache_stats(l->base.phys, &f0);
    cpu_times(&u0, &s0);
    w0 = now(CLOCK_MONOTONIC);
    c0 = now(CLOCK_PROCESS_CPUTIME_ID);
    do {
        /* Batches of walks between clock reads keep the clock out of the figure. */
        for (int i = 0; i < 16; i++) {
            st = scry_linux_walk_tasks(l, NULL, threads, count_task, &total);
            if (st != SCRY_OK) {
                fprintf(stderr, "bench_walk: walk failed: %s\n", scry_last_error());
                return 1;
            }
            walks++;
        }
        wall = now(CLOCK_MONOTONIC) - w0;
    } while (wall < min_seconds);
    cpu = now(CLOCK_PROCESS_CPUTIME_ID) - c0;
    cpu_times(&u1, &s1);
    fcache_stats(l->base.phys, &f1);

    if (total != walks * per_walk) {
        fprintf(stderr, "bench_walk: walks disagree: %zu tasks in %zu walks of %zu\n", total, walks,
                per_walk);
        return 1;
    }
    rate = (double)total / wall;
    cpu_rate = cpu > 0 ? (double)total / cpu : 0;
    printf("walk threads=%d dump=%s walks=%zu per_walk=%zu seconds=%.3f rate=%.0f task_structs/s "
           "cpu_rate=%.0f ns_per_task=%.1f user=%.2fs sys=%.2fs fcache_hits_per_walk=%.0f "
           "fcache_misses_per_walk=%.0f target=%.0f %s\n",
           threads, base_name(dump), walks, per_walk, wall, rate, cpu_rate, wall * 1e9 / (double)total,
           u1 - u0, s1 - s0, (double)(f1.hits - f0.hits) / (double)walks,
           (double)(f1.misses - f0.misses) / (double)walks, WALK_TARGET,
           rate >= WALK_TARGET ? "ok" : "BELOW");
    fflush(stdout);
    return 0;
}

int main(int argc, char **argv)
{
    const char *dump_path = NULL, *symdir = NULL;
    char symbuf[4096];
    double seconds = 2.0;
    long repeat = 3;
    long fcache_pages = -1; /* -1: leave the library's cache alone */
    int modes = 3; /* bit 0: plain, bit 1: threads */
    scry_context *ctx = NULL;
    scry_dump *dump = NULL;
    scry_session *s = NULL;
    const struct scry_profile *profile = NULL;
    const struct scry_linux *l = NULL;
    scry_status st;
    int rc = 0;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if ((!strcmp(a, "-s") || !strcmp(a, "--symbol-dirs")) && i + 1 < argc) {
            symdir = argv[++i];
        } else if ((!strcmp(a, "-t") || !strcmp(a, "--seconds")) && i + 1 < argc) {
            seconds = strtod(argv[++i], NULL);
        } else if ((!strcmp(a, "-n") || !strcmp(a, "--repeat")) && i + 1 < argc) {
            repeat = strtol(argv[++i], NULL, 10);
        } else if (!strcmp(a, "--fcache-pages") && i + 1 < argc) {
            fcache_pages = strtol(argv[++i], NULL, 10);
        } else if (!strcmp(a, "--threads")) {
            modes = 2;
        } else if (!strcmp(a, "--no-threads")) {
            modes = 1;
        } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else if (a[0] == '-' || dump_path) {
            usage(stderr);
            return 2;
        } else {
            dump_path = a;
        }
    }
    if (!dump_path || seconds <= 0 || repeat < 1) {
        usage(stderr);
        return 2;
    }
    if (!symdir) {
        const char *corpus = getenv("MEMSCRY_CORPUS");
        if (corpus && *corpus) {
            snprintf(symbuf, sizeof symbuf, "%s/symbols", corpus);
            symdir = symbuf;
        } else {
            symdir = BENCH_DEFAULT_SYMDIR;
        }
    }

    /* Open and detect: not timed. */
    st = scry_context_new(&ctx);
    if (st == SCRY_OK)
        st = scry_context_add_symbol_dir(ctx, symdir);
    if (st == SCRY_OK)
        st = scry_dump_open(ctx, dump_path, &dump);
    if (st == SCRY_OK)
        st = scry_session_open(ctx, dump, &s);
    if (st == SCRY_OK)
        st = scry_session_profile(s, NULL, &profile);
    if (st == SCRY_OK)
        l = scry_linux_of(profile);
    if (st != SCRY_OK || !l) {
        fprintf(stderr, "bench_walk: %s: %s\n", dump_path,
                st != SCRY_OK ? scry_last_error() : "no Linux kernel detected");
        rc = 1;
        goto out;
    }
    if (fcache_pages >= 0) {
        /* Single-threaded here, and no read is in flight: safe to swap. */
        struct scry_phys *p = l->base.phys;
        scry_pagecache_free(p->fcache);
        p->fcache = NULL;
        if (fcache_pages > 0 && scry_pagecache_new((size_t)fcache_pages, p->file->budget, &p->fcache) != SCRY_OK) {
            fprintf(stderr, "bench_walk: out of memory\n");
            rc = 1;
            goto out;
        }
    }
    {
        struct scry_pagecache_stats fs;
        fcache_stats(l->base.phys, &fs);
        printf("# bench_walk dump=%s format=%s symdir=%s seconds>=%.1f repeat=%ld fcache_pages=%zu\n",
               dump_path, scry_dump_format(dump), symdir, seconds, repeat, fs.capacity);
    }
    fflush(stdout);

    for (int mode = 0; mode < 2 && !rc; mode++) {
        if (!(modes & (1 << mode)))
            continue;
        for (long r = 0; r < repeat && !rc; r++)
            rc = measure(l, mode, seconds, dump_path);
    }
out:
    scry_session_close(s);
    scry_dump_close(dump);
    scry_context_free(ctx);
    return rc;
}
