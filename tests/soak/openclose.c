/* openclose.c - open and close a dump 10,000 times in one process: dump
 * open, session, detection, close, and a fresh library context every
 * 100th time. Resident memory (from /proc/self/statm) may grow by at most
 * 1 MiB from iteration 1,000 (allocator and caches warmed) to the end:
 * anything kept per open would show as steady growth.
 *
 * Run by ctest in Release builds only (sanitizer runtimes keep freed
 * memory in quarantine, which is not a leak). Exit 77 (skip) without the
 * corpus; the dump is $MEMSCRY_CORPUS_DATA/dev-small.raw. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "memscry/memscry.h"

enum { ITERATIONS = 10000, WARM = 1000, CONTEXT_EVERY = 100 };
#define MAX_GROWTH (1u << 20)

static uint64_t rss_bytes(void)
{
    unsigned long size = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f || fscanf(f, "%lu %lu", &size, &resident) != 2) {
        fprintf(stderr, "openclose: cannot read /proc/self/statm\n");
        exit(1);
    }
    fclose(f);
    return (uint64_t)resident * (uint64_t)sysconf(_SC_PAGESIZE);
}

static scry_context *new_context(const char *symdir)
{
    scry_context *ctx = NULL;
    if (scry_context_new(&ctx) != SCRY_OK || scry_context_add_symbol_dir(ctx, symdir) != SCRY_OK) {
        fprintf(stderr, "openclose: context: %s\n", scry_last_error());
        exit(1);
    }
    return ctx;
}

int main(void)
{
    const char *data = getenv("MEMSCRY_CORPUS_DATA"), *corpus = getenv("MEMSCRY_CORPUS");
    char dump[4096], symdir[4096];
    uint64_t rss_warm = 0, rss_end = 0;
    struct timespec t0, t1;
    scry_context *ctx = NULL;
    snprintf(dump, sizeof dump, "%s/dev-small.raw", data && *data ? data : SCRY_BINARY_DIR "/corpus-data");
    snprintf(symdir, sizeof symdir, "%s/symbols",
             corpus && *corpus ? corpus : SCRY_SOURCE_DIR "/../shared/corpus");
    if (access(dump, R_OK) != 0 || access(symdir, R_OK) != 0) {
        printf("SKIP openclose: %s or %s missing\n", dump, symdir);
        return 77;
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < ITERATIONS; i++) {
        scry_dump *d = NULL;
        scry_session *s = NULL;
        const char *os = NULL;
        if (i % CONTEXT_EVERY == 0) {
            scry_context_free(ctx);
            ctx = new_context(symdir);
        }
        if (scry_dump_open(ctx, dump, &d) != SCRY_OK || scry_session_open(ctx, d, &s) != SCRY_OK ||
            scry_session_detect(s) != SCRY_OK || scry_session_info(s, "os", &os) != SCRY_OK) {
            fprintf(stderr, "openclose: iteration %d: %s\n", i, scry_last_error());
            return 1;
        }
        if (i == 0 && (!os || os[0] != 'l')) {
            fprintf(stderr, "openclose: detected '%s', not linux\n", os ? os : "");
            return 1;
        }
        scry_session_close(s);
        scry_dump_close(d);
        /* Both measured with a context of the same age alive (made
         * at iterations 900 and 9,900). */
        if (i + 1 == WARM)
            rss_warm = rss_bytes();
        if (i + 1 == ITERATIONS)
            rss_end = rss_bytes();
    }
    scry_context_free(ctx);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("openclose: %d iterations in %.1f s; RSS at %d: %llu KiB, at the end: %llu KiB "
           "(growth %lld KiB, bound %u KiB)\n",
           ITERATIONS, (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9, WARM,
           (unsigned long long)(rss_warm >> 10), (unsigned long long)(rss_end >> 10),
           ((long long)rss_end - (long long)rss_warm) / 1024, MAX_GROWTH >> 10);
    if (rss_end > rss_warm + MAX_GROWTH) {
        fprintf(stderr, "openclose: RSS grew by more than 1 MiB\n");
        return 1;
    }
    return 0;
}
