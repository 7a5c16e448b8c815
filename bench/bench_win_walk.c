/* bench_win_walk.c - micro-benchmark of the Windows EPROCESS walk alone.
 *
 *   bench_win_walk [-s SYMDIR] [-t SECONDS] DUMP
 *
 * The dump is opened and the kernel detected once (not timed); one untimed
 * walk warms the caches; then full walks of the active process list (each
 * EPROCESS read whole and pslist's cells built from it, as windows.pslist
 * does, without rendering) repeat until at least S seconds (default 2)
 * have passed, and one line is printed:
 *
 *   walk dump=w10-1500.bitmap.dmp walks=N per_walk=1501 seconds=2.0
 *        rate=... EPROCESS/s cpu_rate=... target=1000000 ok|BELOW
 *
 * Exit status 0, 1 when the dump cannot be analysed, 2 for a usage error.
 * A rate under the target is reported, not an error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/os/windows.h"
#include "lib/plugins/windows_common.h"
#include "lib/session/session.h"
#include "memscry/memscry.h"

#define TARGET 1000000.0

struct count {
    const struct scry_windows *w;
    struct scry_vspace *ks;
    size_t n;
};

static int on_proc(void *user, const struct scry_win_proc *p)
{
    struct count *c = user;
    struct scry_cell cells[11];
    char name[64];
    if (scry_win_pslist_cells(c->w, c->ks, p, p->va, cells, name) == SCRY_OK)
        c->n++;
    return 0;
}

static double now(clockid_t clk)
{
    struct timespec ts;
    clock_gettime(clk, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    const char *symdir = getenv("MEMSCRY_ISF") ? getenv("MEMSCRY_ISF") : BENCH_DEFAULT_ISF;
    double min_seconds = 2;
    int i = 1;
    for (; i < argc - 1; i += 2) {
        if (!strcmp(argv[i], "-s"))
            symdir = argv[i + 1];
        else if (!strcmp(argv[i], "-t"))
            min_seconds = atof(argv[i + 1]);
        else
            break;
    }
    if (i != argc - 1) {
        fprintf(stderr, "usage: bench_win_walk [-s SYMDIR] [-t SECONDS] DUMP\n");
        return 2;
    }
    const char *dump = argv[i];
    scry_context *ctx = NULL;
    scry_session *s = NULL;
    scry_dump *d = NULL;
    const struct scry_profile *profile = NULL;
    scry_status st = scry_context_new(&ctx);
    if (st == SCRY_OK)
        st = scry_context_add_symbol_dir(ctx, symdir);
    if (st == SCRY_OK)
        st = scry_dump_open(ctx, dump, &d);
    if (st == SCRY_OK)
        st = scry_session_open(ctx, d, &s);
    if (st == SCRY_OK)
        st = scry_session_profile(s, NULL, &profile);
    const struct scry_windows *w = scry_windows_of(profile);
    struct scry_vspace ks;
    if (st == SCRY_OK && !w)
        st = scry_err(SCRY_ERR_UNSUPPORTED, "not a Windows dump");
    if (st == SCRY_OK)
        st = scry_profile_kernel(profile, &ks);
    struct count c = {.w = w, .ks = &ks};
    if (st == SCRY_OK)
        st = scry_win_list_processes(w, &ks, NULL, NULL, -1, on_proc, &c);
    if (st != SCRY_OK || !c.n) {
        fprintf(stderr, "bench_win_walk: %s: %s\n", dump, st ? scry_last_error() : "no process");
        return 1;
    }
    size_t per_walk = c.n, walks = 0;
    c.n = 0;
    double w0 = now(CLOCK_MONOTONIC), c0 = now(CLOCK_PROCESS_CPUTIME_ID), wall;
    do {
        for (int k = 0; k < 16; k++, walks++)
            if (scry_win_list_processes(w, &ks, NULL, NULL, -1, on_proc, &c) != SCRY_OK)
                return 1;
        wall = now(CLOCK_MONOTONIC) - w0;
    } while (wall < min_seconds);
    double cpu = now(CLOCK_PROCESS_CPUTIME_ID) - c0, rate = (double)c.n / wall;
    const char *base = strrchr(dump, '/') ? strrchr(dump, '/') + 1 : dump;
    printf("walk dump=%s walks=%zu per_walk=%zu seconds=%.3f rate=%.0f EPROCESS/s cpu_rate=%.0f "
           "target=%.0f %s\n",
           base, walks, per_walk, wall, rate, (double)c.n / cpu, TARGET,
           rate >= TARGET ? "ok" : "BELOW");
    scry_session_close(s);
    scry_dump_close(d);
    scry_context_free(ctx);
    return 0;
}
