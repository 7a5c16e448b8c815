/* memscry - the command line: Volatility 3's CLI shape over libmemscry.
 *
 *   memscry -f DUMP [-f PART]... [-s SYMDIR]... [-r RENDERER] [-v] PLUGIN [options]
 *
 * Output bytes follow Volatility 3 2.11.0: a banner line (ours says
 * "memscry <version>") on stdout for quick/pretty/none and on stderr for
 * csv/json/jsonl, then what the renderer writes. Exit status: 0 success,
 * 1 the dump or the analysis failed, 2 a usage error (bad option, unknown
 * plugin or renderer), 3 a partial result (rows printed, but something the
 * result should hold was missing or damaged: one "warning:" line each on
 * stderr). Errors are one line on stderr: "memscry: <file>: <what is
 * wrong>". */
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/batch.h"
#include "cli/help.h"
#include "cli/progress.h"
#include "cli/say.h"
#include "cli/symbols_cmd.h"
#include "memscry/memscry.h"

enum { EXIT_FAIL = 1, EXIT_USAGE = 2, EXIT_PARTIAL = 3, MAX_SYMDIRS = 64, MAX_FILES = 64 };

static void usage(FILE *f)
{
    fprintf(f,
            "usage: memscry -f DUMP [-s SYMDIR]... [-r RENDERER] [-q] [-v] PLUGIN [options]\n"
            "       memscry PLUGIN --help\n"
            "       memscry symbols from-btf --kernel FILE --symbols FILE -o OUT.json.xz\n"
            "       memscry symbols from-dump -f DUMP -o OUT.json.xz\n"
            "       memscry batch [-j N] [options] PLUGIN [options] [, PLUGIN [options]]... -- DUMP...\n"
            "       memscry --help | --version\n"
            "\n"
            "Reads a memory dump (raw, LiME, AVML, ELF core, kdump, flattened kdump, Windows\n"
            "x64 crash dump), finds the kernel and prints what Volatility 3 prints.\n"
            "\n"
            "options:\n"
            "  -f, --file DUMP          the memory dump; repeated for the parts of a split\n"
            "                           kdump set (makedumpfile --split)\n"
            "  -s, --symbol-dirs DIR    directory of ISF symbol tables (Volatility layout:\n"
            "                           DIR/linux/*.json.xz); repeatable, or ';'-separated.\n"
            "                           Default: $MEMSCRY_SYMBOLS (';'-separated)\n"
            "  --cache-dir DIR          where compiled symbol tables are kept (default\n"
            "                           $XDG_CACHE_HOME/memscry, else ~/.cache/memscry)\n"
            "  --no-cache               neither read nor write compiled symbol tables\n"
            "  --no-symbols-from-dump   when no ISF matches a Linux kernel, fail instead of\n"
            "                           using the dump's own BTF + kallsyms\n"
            "  --result-cache[=DIR]     answer a run made before on the same dump, plugin\n"
            "                           and options from DIR, and keep new results there\n"
            "                           (default DIR: results/ under the cache directory);\n"
            "                           off unless given, runs with --dump never cached\n"
            "  -r, --renderer NAME      quick (default), pretty, json, jsonl, csv, none\n"
            "  -o, --output-dir DIR     where plugins write --dump files (default: .)\n"
            "  -q, --quiet              no progress line (one is shown on stderr only when\n"
            "                           it is a terminal and no structured output goes there)\n"
            "  -v, --verbose            also print informational diagnostics (pages not in\n"
            "                           the dump, unreadable arguments) on stderr\n"
            "  -h, --help               this help; after PLUGIN, the plugin's options\n"
            "  -V, --version            the version\n"
            "\n"
            "exit status: 0 success, 1 failure, 2 usage error, 3 partial result (rows were\n"
            "printed but something was missing or damaged; see the warnings)\n"
            "\n"
            "\n");
    help_plugins(f);
}

static int plugin_index(const char *name)
{
    for (size_t i = 0; i < scry_plugin_count(); i++)
        if (strcmp(scry_plugin_name(i), name) == 0 || strcmp(scry_plugin_alias(i), name) == 0)
            return (int)i;
    return -1;
}

/* "memscry: <file>: <message>", without doubling a file name the library
 * already put first. */
static int fail(const char *file, int code)
{
    const char *msg = scry_last_error();
    size_t n = file ? strlen(file) : 0;
    if (!file || (strncmp(msg, file, n) == 0 && (msg[n] == ':' || msg[n] == ' ')))
        say("%s", msg);
    else
        say("%s: %s", file, msg);
    return code;
}

static int write_stdout(void *user, const char *data, size_t len)
{
    (void)user;
    return fwrite(data, 1, len, stdout) != len;
}

static int add_symdirs(const char **dirs, size_t *n, char *list)
{
    for (char *save = NULL, *tok = strtok_r(list, ";", &save); tok; tok = strtok_r(NULL, ";", &save)) {
        if (*n >= MAX_SYMDIRS)
            return -1;
        dirs[(*n)++] = tok;
    }
    return 0;
}

/* --result-cache[=DIR]: DIR, or results/ under the cache directory
 * (--cache-dir, else $XDG_CACHE_HOME/memscry, else ~/.cache/memscry).
 * --no-cache is about compiled symbol tables and leaves this alone. */
static scry_status set_result_cache(scry_context *ctx, const char *dir, const char *cache_dir)
{
    const char *x = getenv("XDG_CACHE_HOME"), *h = getenv("HOME");
    char buf[4096];
    int n;
    if (*dir)
        return scry_context_set_result_cache_dir(ctx, dir);
    if (cache_dir)
        n = snprintf(buf, sizeof buf, "%s/results", cache_dir);
    else if (x && *x == '/')
        n = snprintf(buf, sizeof buf, "%s/memscry/results", x);
    else if (h && *h)
        n = snprintf(buf, sizeof buf, "%s/.cache/memscry/results", h);
    else
        return SCRY_OK; /* nowhere to keep it: runs stay uncached */
    if (n <= 0 || (size_t)n >= sizeof buf)
        return SCRY_OK;
    return scry_context_set_result_cache_dir(ctx, buf);
}

/* A short-lived process keeps the memory it freed: glibc gives back a
 * heap top past 128 KiB and maps (then unmaps) every block of 128 KiB or
 * more, and each page given back is a fresh page, zeroed by the kernel, at
 * its next use. In the corpus batch of bench/batch.sh that was 2,600 of 8,100
 * page faults at -j 1 (5,500 with these settings), and more at -j 2, where
 * two threads' results wait for their turn (see docs/DESIGN.md, "Batch
 * runs"). The library leaves
 * the allocator alone: a long-lived host tunes it as it sees fit. */
static void tune_malloc(void)
{
    mallopt(M_TRIM_THRESHOLD, 32 << 20);
    mallopt(M_MMAP_THRESHOLD, 8 << 20);
    /* A batch thread's arena grows by mprotect, which takes the process's
     * mmap lock for writing while the other thread populates a page-pool
     * mapping under it (both slept, CPUs idle, at -j 2). Growing 8 MiB at a
     * time: 187 mprotect calls of the corpus batch at -j 2 became 27. The
     * pad is address space: pages are still faulted in only when used. */
    mallopt(M_TOP_PAD, 8 << 20);
}

int main(int argc, char **argv)
{
    const char *files[MAX_FILES], *file = NULL, *renderer = "quick", *symdirs[MAX_SYMDIRS];
    const char *cache_dir = NULL, *output_dir = ".", *result_cache = NULL;
    scry_runctx *run = NULL;
    size_t nsym = 0, nfiles = 0;
    int i, pidx, want_help = 0, verbose = 0, no_cache = 0, quiet = 0, no_dump_symbols = 0;
    struct progress prog = {.out = stderr};
    scry_context *ctx = NULL;
    scry_dump *dump = NULL;
    scry_session *session = NULL;
    scry_result *result = NULL;
    scry_status st;
    static char outbuf[1 << 16];

    tune_malloc();
    if (argc > 1 && !strcmp(argv[1], "symbols"))
        return symbols_main(argc - 1, argv + 1);
    if (argc > 1 && !strcmp(argv[1], "batch"))
        return batch_main(argc - 1, argv + 1);
    setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **val = NULL;
        if (a[0] != '-')
            break;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        }
        if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
            printf("memscry %s\n", scry_version());
            return 0;
        }
        if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            quiet = 1;
            continue;
        }
        if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
            verbose = 1;
            continue;
        }
        if (!strcmp(a, "--no-cache")) {
            no_cache = 1;
            continue;
        }
        if (!strcmp(a, "--no-symbols-from-dump")) {
            no_dump_symbols = 1;
            continue;
        }
        if (!strcmp(a, "--result-cache") || !strncmp(a, "--result-cache=", 15)) {
            result_cache = a[14] == '=' ? a + 15 : "";
            if (a[14] == '=' && !*result_cache) {
                say("--result-cache= needs a directory");
                return EXIT_USAGE;
            }
            continue;
        }
        if (!strcmp(a, "-f") || !strcmp(a, "--file")) {
            if (i + 1 >= argc) {
                say("%s needs a value", a);
                return EXIT_USAGE;
            }
            if (nfiles >= MAX_FILES) {
                say("more than %d dump files", MAX_FILES);
                return EXIT_USAGE;
            }
            files[nfiles++] = argv[++i];
            continue;
        } else if (!strcmp(a, "-r") || !strcmp(a, "--renderer"))
            val = &renderer;
        else if (!strcmp(a, "--cache-dir"))
            val = &cache_dir;
        else if (!strcmp(a, "-o") || !strcmp(a, "--output-dir"))
            val = &output_dir;
        else if (!strcmp(a, "-s") || !strcmp(a, "--symbol-dirs")) {
            if (i + 1 >= argc) {
                say("%s needs a directory", a);
                return EXIT_USAGE;
            }
            if (add_symdirs(symdirs, &nsym, argv[++i]) != 0) {
                say("more than %d symbol directories", MAX_SYMDIRS);
                return EXIT_USAGE;
            }
            continue;
        } else {
            say("unknown option '%s' (memscry --help)", a);
            return EXIT_USAGE;
        }
        if (i + 1 >= argc) {
            say("%s needs a value", a);
            return EXIT_USAGE;
        }
        *val = argv[++i];
    }
    if (i >= argc) {
        if (nfiles)
            say("a plugin is needed (memscry --help lists them)");
        usage(stderr);
        return EXIT_USAGE;
    }
    pidx = plugin_index(argv[i]);
    if (pidx < 0) {
        say("unknown plugin '%s' (memscry --help lists them)", argv[i]);
        return EXIT_USAGE;
    }
    for (int j = i + 1; j < argc; j++)
        if (!strcmp(argv[j], "-h") || !strcmp(argv[j], "--help"))
            want_help = 1;
    if (want_help) {
        help_plugin(stdout, (size_t)pidx);
        return 0;
    }
    int structured = 0;
    if (scry_renderer_info(renderer, &structured) != SCRY_OK) {
        say("unknown renderer '%s' (quick, pretty, json, jsonl, csv, none)", renderer);
        return EXIT_USAGE;
    }
    /* A plugin about the symbol store (isfinfo) needs no dump. */
    int nodump = !scry_plugin_needs_dump((size_t)pidx);
    if (!nfiles && !nodump) {
        say("no dump given (-f DUMP)");
        return EXIT_USAGE;
    }
    file = nodump ? NULL : files[0];
    if (!nsym) {
        const char *env = getenv("MEMSCRY_SYMBOLS");
        static char envbuf[8192];
        if (env && *env) {
            snprintf(envbuf, sizeof envbuf, "%s", env);
            add_symdirs(symdirs, &nsym, envbuf);
        }
    }

    st = scry_context_new(&ctx);
    if (st == SCRY_OK && (no_cache || cache_dir))
        st = scry_context_set_cache_dir(ctx, no_cache ? NULL : cache_dir);
    if (st == SCRY_OK && no_dump_symbols)
        st = scry_context_set_symbols_from_dump(ctx, 0);
    for (size_t k = 0; k < nsym && st == SCRY_OK; k++)
        st = scry_context_add_symbol_dir(ctx, symdirs[k]);
    if (st == SCRY_OK && result_cache && set_result_cache(ctx, result_cache, cache_dir) != SCRY_OK) {
        say("--result-cache: %s", scry_last_error());
        scry_context_free(ctx);
        return EXIT_FAIL;
    }
    if (st != SCRY_OK) {
        scry_context_free(ctx);
        return fail(file, EXIT_FAIL);
    }
    if (nodump) {
        st = scry_plugin_run_context(ctx, argv[i], argc - i - 1,
                                     (const char *const *)argv + i + 1, NULL, &result);
    } else {
        st = scry_dump_open_set(ctx, files, nfiles, &dump);
        if (st != SCRY_OK) {
            scry_context_free(ctx);
            return fail(file, EXIT_FAIL);
        }
        st = scry_session_open(ctx, dump, &session);
        if (st == SCRY_OK && (st = scry_runctx_new(&run)) == SCRY_OK)
            st = scry_runctx_set_output_dir(run, output_dir);
        if (st == SCRY_OK && progress_wanted(quiet, structured))
            st = scry_runctx_set_progress(run, progress_line, &prog);
        if (st == SCRY_OK)
            st = scry_plugin_run(session, argv[i], argc - i - 1,
                                 (const char *const *)argv + i + 1, run, &result);
        scry_runctx_free(run);
        progress_end(&prog);
    }
    if (st != SCRY_OK) {
        int code = st == SCRY_ERR_BAD_OPTION ? EXIT_USAGE : EXIT_FAIL;
        fail(st == SCRY_ERR_BAD_OPTION ? NULL : file, code);
        scry_session_close(session);
        scry_dump_close(dump);
        scry_context_free(ctx);
        return code;
    }
    /* Volatility's banner: stdout unless the renderer is structured. */
    fprintf(structured ? stderr : stdout, "memscry %s\n", scry_version());
    if (!strcmp(renderer, "pretty"))
        fputs("Formatting...\n", stderr);
    st = scry_result_render(result, renderer, write_stdout, NULL);
    if (fflush(stdout) != 0 && st == SCRY_OK)
        st = SCRY_ERR_IO;
    /* After the rows: a partial result still prints everything it has. */
    int partial = scry_result_partial(result);
    for (size_t k = 0; k < scry_result_diag_count(result); k++) {
        scry_diag_level level;
        const char *msg;
        scry_result_diag(result, k, &level, NULL, &msg);
        if (level == SCRY_DIAG_WARNING || verbose)
            say("%s%s%s: %s", file ? file : "", file ? ": " : "",
                level == SCRY_DIAG_WARNING ? "warning" : "info", msg);
    }
    scry_result_free(result);
    scry_session_close(session);
    scry_dump_close(dump);
    scry_context_free(ctx);
    if (st != SCRY_OK) {
        say("%s: cannot write output", file ? file : "stdout");
        return EXIT_FAIL;
    }
    return partial ? EXIT_PARTIAL : 0;
}
