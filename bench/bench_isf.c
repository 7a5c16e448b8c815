/* bench_isf.c - one ISF load, cold and warm, as the library does it.
 *
 *   bench_isf [-n N] ISF...
 *
 * For each ISF: "cold" = parse the JSON and compile it (scry_isfc_load with
 * no cache directory), N times; "warm" = hash the ISF's stored bytes, map
 * its compiled entry from a scratch cache directory filled once beforehand,
 * and answer a few lookups a profile makes (task_struct.pid / init_task on
 * Linux, _EPROCESS.UniqueProcessId / PsActiveProcessHead on Windows), N
 * times. Prints median and min wall time of each, and for one warm load the
 * private memory it added (Private_Clean + Private_Dirty of
 * /proc/self/smaps_rollup, table held) and the resident pages of the
 * mapping it touched (Rss of the mapped entry). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "symbols/isf_cache.h"
#include "symbols/isf_flat.h"

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

/* kB of private memory of this process (smaps_rollup). */
static long private_kb(void)
{
    FILE *f = fopen("/proc/self/smaps_rollup", "r");
    char line[256];
    long total = 0, v;
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f))
        if ((sscanf(line, "Private_Clean: %ld kB", &v) == 1) ||
            (sscanf(line, "Private_Dirty: %ld kB", &v) == 1))
            total += v;
    fclose(f);
    return total;
}

/* kB resident of the mapping that starts at addr (smaps). */
static long mapping_rss_kb(const void *addr)
{
    FILE *f = fopen("/proc/self/smaps", "r");
    char line[512], want[32];
    long v, rss = -1;
    int in = 0;
    if (!f)
        return -1;
    snprintf(want, sizeof want, "%lx-", (unsigned long)(uintptr_t)addr);
    while (fgets(line, sizeof line, f)) {
        if (strchr(line, '-') && strncmp(line, want, strlen(want)) == 0)
            in = 1;
        else if (in && sscanf(line, "Rss: %ld kB", &v) == 1) {
            rss = v;
            break;
        }
    }
    fclose(f);
    return rss;
}

static int lookups(const struct scry_symtab *st)
{
    uint64_t v;
    if (scry_sym_field(st, "task_struct", "pid", &v, NULL) == SCRY_OK)
        return scry_sym_address(st, "init_task", &v) == SCRY_OK &&
               scry_sym_field(st, "task_struct", "comm", &v, NULL) == SCRY_OK;
    return scry_sym_field(st, "_EPROCESS", "UniqueProcessId", &v, NULL) == SCRY_OK &&
           scry_sym_address(st, "PsActiveProcessHead", &v) == SCRY_OK &&
           scry_sym_field(st, "_EPROCESS", "ActiveProcessLinks", &v, NULL) == SCRY_OK;
}

int main(int argc, char **argv)
{
    int n = 5, i = 1;
    if (argc > 2 && strcmp(argv[1], "-n") == 0) {
        n = atoi(argv[2]);
        i = 3;
    }
    if (i >= argc || n < 1) {
        fprintf(stderr, "usage: bench_isf [-n N] ISF...\n");
        return 2;
    }
    char dir[] = "/tmp/bench-isf-XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    double *t = malloc(sizeof *t * (size_t)n);
    printf("%-60s %12s %12s %12s %12s %10s %10s\n", "ISF", "cold median", "cold min",
           "warm median", "warm min", "priv kB", "mapped kB");
    for (; i < argc; i++) {
        struct scry_symtab *st;
        enum scry_isfc_how how;
        double cold_med, cold_min, warm_med, warm_min;
        for (int k = 0; k < n; k++) {
            double a = now();
            if (scry_isfc_load(NULL, argv[i], NULL, 0, &st, NULL) != SCRY_OK || !lookups(st)) {
                fprintf(stderr, "%s: %s\n", argv[i], scry_last_error());
                return 1;
            }
            t[k] = now() - a;
            scry_isf_free(st);
        }
        qsort(t, (size_t)n, sizeof *t, cmp_d);
        cold_med = t[n / 2];
        cold_min = t[0];
        if (scry_isfc_load(dir, argv[i], NULL, 0, &st, NULL) != SCRY_OK) /* fills the entry */
            return 1;
        scry_isf_free(st);
        for (int k = 0; k < n; k++) {
            double a = now();
            if (scry_isfc_load(dir, argv[i], NULL, 0, &st, &how) != SCRY_OK ||
                how != SCRY_ISFC_MAPPED || !lookups(st)) {
                fprintf(stderr, "%s: warm load failed\n", argv[i]);
                return 1;
            }
            t[k] = now() - a;
            scry_isf_free(st);
        }
        qsort(t, (size_t)n, sizeof *t, cmp_d);
        warm_med = t[n / 2];
        warm_min = t[0];
        long before = private_kb();
        if (scry_isfc_load(dir, argv[i], NULL, 0, &st, &how) != SCRY_OK || !lookups(st))
            return 1;
        long priv = private_kb() - before, mapped = mapping_rss_kb(st->base);
        scry_isf_free(st);
        const char *base = strrchr(argv[i], '/');
        printf("%-60s %9.1f ms %9.1f ms %9.3f ms %9.3f ms %10ld %10ld\n", base ? base + 1 : argv[i],
               cold_med * 1e3, cold_min * 1e3, warm_med * 1e3, warm_min * 1e3, priv, mapped);
    }
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        return 1;
    free(t);
    return 0;
}
