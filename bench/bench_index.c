/* bench_index.c - times one identifier-index refresh (symbols/index.h).
 *
 *   bench_index CACHE_DIR THREADS DIR...
 *
 * Opens the index kept in CACHE_DIR ("-": memory only), refreshes it over
 * DIR... on THREADS threads and prints one line: the refresh's wall time
 * (and the open's before it), entries, files identified, re-keyed and
 * reused unread. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "symbols/index.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    struct scry_symindex *ix;
    struct scry_symindex_stats s;
    if (argc < 4) {
        fprintf(stderr, "usage: bench_index CACHE_DIR THREADS DIR...\n");
        return 2;
    }
    double t00 = now();
    if (scry_symindex_open(strcmp(argv[1], "-") ? argv[1] : NULL, &ix) != SCRY_OK)
        return 1;
    double t0 = now();
    scry_status st = scry_symindex_refresh(ix, (const char *const *)argv + 3, (size_t)argc - 3,
                                           NULL, (unsigned)atoi(argv[2]), NULL);
    double t1 = now();
    if (st != SCRY_OK) {
        fprintf(stderr, "bench_index: %s\n", scry_last_error());
        return 1;
    }
    scry_symindex_stats(ix, &s);
    printf("refresh %.4f s (open %.4f s)  entries %zu  identified %llu  rekeyed %llu  reused %llu  persistent %d\n",
           t1 - t0, t0 - t00, scry_symindex_count(ix), (unsigned long long)s.identified,
           (unsigned long long)s.rekeyed, (unsigned long long)s.reused,
           scry_symindex_persistent(ix));
    scry_symindex_free(ix);
    return 0;
}
