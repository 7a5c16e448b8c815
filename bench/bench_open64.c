/* bench_open64.c - memory of many dumps open at once in one process.
 *
 *   bench_open64 [-s SYMDIR]... [-n COUNT] [-p PLUGIN] [-m open|detect|run] [-b MIB] [-r] DUMP...
 *
 * One library context. First every distinct DUMP is opened, detected and
 * run once (PLUGIN, default linux.pslist) and closed, so the symbol tables
 * the kernels need are loaded (the context keeps them): the baseline. Then
 * COUNT (default 64) dumps, cycling over the DUMPs, are opened with a
 * session each; -m detect also detects each kernel, -m run (default) also
 * runs PLUGIN on each (result freed); all of them stay open while the RSS
 * is read again. -b sets the context's memory budget (MiB) for page caches
 * (default: the library's). -r: scry_dump_release_pages after each run,
 * as a program keeping many dumps open would between runs. Prints VmRSS, RssAnon and RssFile
 * (/proc/self/status) at both points and their differences ("beyond the
 * symbols"), and the context's page-cache bytes against its budget. Every
 * run's rendered JSON is compared with the baseline run of the same file:
 * a mismatch or failure is exit 1. Performance is reported, never
 * asserted. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "memscry/memscry.h"

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

/* kB values of VmRSS, RssAnon, RssFile. */
static void rss(long v[3])
{
    static const char *const keys[] = {"VmRSS:", "RssAnon:", "RssFile:"};
    char line[256];
    FILE *f = fopen("/proc/self/status", "r");
    v[0] = v[1] = v[2] = 0;
    while (f && fgets(line, sizeof line, f))
        for (int k = 0; k < 3; k++)
            if (!strncmp(line, keys[k], strlen(keys[k])))
                v[k] = strtol(line + strlen(keys[k]), NULL, 10);
    if (f)
        fclose(f);
}

static int run_once(scry_session *s, const char *plugin, struct buf *out)
{
    scry_result *r;
    out->len = 0;
    if (scry_plugin_run(s, plugin, 0, NULL, NULL, &r) != SCRY_OK)
        return -1;
    int rc = scry_result_render(r, "json", sink, out) == SCRY_OK ? 0 : -1;
    scry_result_free(r);
    return rc;
}

int main(int argc, char **argv)
{
    const char *plugin = "linux.pslist", *mode = "run";
    int release = 0;
    const char *files[64];
    size_t nfiles = 0, count = 64;
    struct buf want[64] = {{0}}, got = {0};
    scry_context *ctx;
    long base[3], after[3];
    uint64_t used = 0, budget = 0;
    struct rlimit rl;
    if (scry_context_new(&ctx) != SCRY_OK)
        return 1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-s") && i + 1 < argc)
            scry_context_add_symbol_dir(ctx, argv[++i]);
        else if (!strcmp(argv[i], "-n") && i + 1 < argc)
            count = strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "-p") && i + 1 < argc)
            plugin = argv[++i];
        else if (!strcmp(argv[i], "-r"))
            release = 1;
        else if (!strcmp(argv[i], "-m") && i + 1 < argc)
            mode = argv[++i];
        else if (!strcmp(argv[i], "-b") && i + 1 < argc)
            scry_context_set_memory_budget(ctx, strtoull(argv[++i], NULL, 10) << 20);
        else if (nfiles < 64)
            files[nfiles++] = argv[i];
    }
    if (!nfiles || !count) {
        fprintf(stderr, "usage: bench_open64 [-s SYMDIR]... [-n COUNT] [-p PLUGIN] DUMP...\n");
        return 2;
    }
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    for (size_t f = 0; f < nfiles; f++) {
        scry_dump *d;
        scry_session *s;
        if (scry_dump_open(ctx, files[f], &d) != SCRY_OK || scry_session_open(ctx, d, &s) != SCRY_OK ||
            run_once(s, plugin, &want[f]) != 0) {
            fprintf(stderr, "%s: %s\n", files[f], scry_last_error());
            return 1;
        }
        scry_session_close(s);
        scry_dump_close(d);
    }
    rss(base);
    scry_dump **dumps = calloc(count, sizeof *dumps);
    scry_session **sessions = calloc(count, sizeof *sessions);
    for (size_t i = 0; i < count; i++) {
        size_t f = i % nfiles;
        if (scry_dump_open(ctx, files[f], &dumps[i]) != SCRY_OK ||
            scry_session_open(ctx, dumps[i], &sessions[i]) != SCRY_OK ||
            (strcmp(mode, "open") && scry_session_detect(sessions[i]) != SCRY_OK) ||
            (!strcmp(mode, "run") && run_once(sessions[i], plugin, &got) != 0)) {
            fprintf(stderr, "%s (#%zu): %s\n", files[f], i, scry_last_error());
            return 1;
        }
        if (release)
            scry_dump_release_pages(dumps[i]);
        if (strcmp(mode, "run"))
            continue;
        if (got.len != want[f].len || memcmp(got.p, want[f].p, got.len)) {
            fprintf(stderr, "%s (#%zu): output differs from the first run\n", files[f], i);
            return 1;
        }
    }
    free(got.p);
    got = (struct buf){0};
    rss(after);
    scry_context_stat(ctx, "cache_bytes", &used);
    scry_context_stat(ctx, "cache_budget", &budget);
    printf("dumps_open=%zu mode=%s plugin=%s files=%zu release=%d\n", count, mode, plugin, nfiles,
           release);
    printf("baseline (symbols loaded, no dump open): VmRSS=%.1f MiB RssAnon=%.1f MiB RssFile=%.1f MiB\n",
           base[0] / 1024.0, base[1] / 1024.0, base[2] / 1024.0);
    printf("with %zu dumps open:                    VmRSS=%.1f MiB RssAnon=%.1f MiB RssFile=%.1f MiB\n",
           count, after[0] / 1024.0, after[1] / 1024.0, after[2] / 1024.0);
    printf("beyond the symbols: VmRSS +%.1f MiB (anon +%.1f, file +%.1f); page caches %.1f MiB of a "
           "%.1f MiB budget\n",
           (after[0] - base[0]) / 1024.0, (after[1] - base[1]) / 1024.0,
           (after[2] - base[2]) / 1024.0, used / 1048576.0, budget / 1048576.0);
    for (size_t i = 0; i < count; i++) {
        scry_session_close(sessions[i]);
        scry_dump_close(dumps[i]);
    }
    for (size_t f = 0; f < nfiles; f++)
        free(want[f].p);
    free(dumps);
    free(sessions);
    scry_context_free(ctx);
    return 0;
}
