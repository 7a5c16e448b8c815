/* bench_threads.c - throughput of one session shared by T threads.
 *
 *   bench_threads [-s SYMDIR] [-p PLUGIN] [-t SECONDS] [-j THREADS] DUMP
 *
 * Opens the dump and one session (detection not timed, one untimed warm-up
 * run), then runs the plugin (default linux.pslist, rows rendered as JSON
 * into memory, as the CLI does) back to back for at least SECONDS (default
 * 3): first on 1 thread, then on THREADS threads (default 8) all sharing
 * the one session. Prints runs per second for each and their ratio:
 *
 *   threads=1 runs=N seconds=S runs_per_s=R
 *   threads=8 runs=N seconds=S runs_per_s=R speedup=X cores=2
 *
 * cpu_ms_per_run is process CPU time per run; cpu_efficiency (one thread's
 * CPU per run over T threads') shows what sharing costs apart from how many
 * cores the machine lends (1.0: no cost). Every run's output is compared byte for byte with the warm-up's; a
 * mismatch or a failed run is exit 1. Performance is reported, never
 * asserted. */
#include <pthread.h>
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "memscry/memscry.h"

#ifndef BENCH_DEFAULT_SYMDIR
#define BENCH_DEFAULT_SYMDIR "../shared/corpus/symbols"
#endif

struct buf {
    char *p;
    size_t len, cap;
};

static int sink(void *user, const char *data, size_t len)
{
    struct buf *b = user;
    if (b->len + len > b->cap) {
        size_t cap = (b->len + len) * 2;
        char *p = realloc(b->p, cap);
        if (!p)
            return 1;
        b->p = p, b->cap = cap;
    }
    memcpy(b->p + b->len, data, len);
    b->len += len;
    return 0;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

struct job {
    scry_session *s;
    const char *plugin;
    const struct buf *want;
    double until;
    long runs;
    int bad;
};

static int run_once(scry_session *s, const char *plugin, struct buf *out)
{
    scry_result *r = NULL;
    out->len = 0;
    if (scry_plugin_run(s, plugin, 0, NULL, NULL, &r) != SCRY_OK)
        return -1;
    int rc = scry_result_render(r, "json", sink, out) == SCRY_OK ? 0 : -1;
    scry_result_free(r);
    return rc;
}

static void *worker(void *arg)
{
    struct job *j = arg;
    struct buf out = {0};
    while (now() < j->until) {
        if (run_once(j->s, j->plugin, &out) != 0 || out.len != j->want->len ||
            memcmp(out.p, j->want->p, out.len) != 0) {
            j->bad++;
            break;
        }
        j->runs++;
    }
    free(out.p);
    return NULL;
}

static double cpu_seconds(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
}

/* Process CPU seconds the last measure() used. */
static double last_cpu;

static double measure(scry_session *s, const char *plugin, const struct buf *want, int threads,
                      double seconds, long *runs, int *bad)
{
    double c0 = cpu_seconds();
    pthread_t th[256];
    struct job jobs[256];
    double t0 = now();
    for (int i = 0; i < threads; i++) {
        jobs[i] = (struct job){s, plugin, want, t0 + seconds, 0, 0};
        pthread_create(&th[i], NULL, worker, &jobs[i]);
    }
    *runs = 0;
    *bad = 0;
    for (int i = 0; i < threads; i++) {
        pthread_join(th[i], NULL);
        *runs += jobs[i].runs;
        *bad += jobs[i].bad;
    }
    last_cpu = cpu_seconds() - c0;
    return now() - t0;
}

int main(int argc, char **argv)
{
    const char *symdir = BENCH_DEFAULT_SYMDIR, *plugin = "linux.pslist", *path = NULL;
    double seconds = 3;
    int threads = 8, bad;
    long runs;
    scry_context *ctx;
    scry_dump *d;
    scry_session *s;
    struct buf want = {0};
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-s") && i + 1 < argc)
            symdir = argv[++i];
        else if (!strcmp(argv[i], "-p") && i + 1 < argc)
            plugin = argv[++i];
        else if (!strcmp(argv[i], "-t") && i + 1 < argc)
            seconds = atof(argv[++i]);
        else if (!strcmp(argv[i], "-j") && i + 1 < argc)
            threads = atoi(argv[++i]);
        else if (argv[i][0] != '-')
            path = argv[i];
        else {
            fprintf(stderr, "usage: bench_threads [-s SYMDIR] [-p PLUGIN] [-t S] [-j N] DUMP\n");
            return 2;
        }
    }
    if (!path || threads < 1 || threads > 256) {
        fprintf(stderr, "usage: bench_threads [-s SYMDIR] [-p PLUGIN] [-t S] [-j N] DUMP\n");
        return 2;
    }
    if (scry_context_new(&ctx) != SCRY_OK || scry_context_add_symbol_dir(ctx, symdir) != SCRY_OK ||
        scry_dump_open(ctx, path, &d) != SCRY_OK || scry_session_open(ctx, d, &s) != SCRY_OK ||
        run_once(s, plugin, &want) != 0) {
        fprintf(stderr, "bench_threads: %s: %s\n", path, scry_last_error());
        return 1;
    }
    double t1 = measure(s, plugin, &want, 1, seconds, &runs, &bad);
    double r1 = (double)runs / t1;
    double cpu1 = last_cpu / (double)(runs ? runs : 1);
    printf("plugin=%s dump=%s\nthreads=1 runs=%ld seconds=%.3f runs_per_s=%.1f cpu_ms_per_run=%.3f\n",
           plugin, path, runs, t1, r1, cpu1 * 1e3);
    if (!bad) {
        double tn = measure(s, plugin, &want, threads, seconds, &runs, &bad);
        double rn = (double)runs / tn;
        double cpun = last_cpu / (double)(runs ? runs : 1);
        printf("threads=%d runs=%ld seconds=%.3f runs_per_s=%.1f cpu_ms_per_run=%.3f "
               "speedup=%.2f cpu_efficiency=%.2f cores=%ld\n",
               threads, runs, tn, rn, cpun * 1e3, rn / r1, cpu1 / cpun,
               sysconf(_SC_NPROCESSORS_ONLN));
    }
    scry_session_close(s);
    scry_dump_close(d);
    scry_context_free(ctx);
    free(want.p);
    if (bad) {
        fprintf(stderr, "bench_threads: a run failed or gave other output\n");
        return 1;
    }
    return 0;
}
