/* batch.c - "memscry batch": one or more plugins over many dumps, on
 * several threads, as JSON lines, JSON, CSV and/or an SQLite database;
 * --shard I/N takes a deterministic share of the list, so the same command
 * runs as the array tasks of an existing scheduler. Usage: batch_usage(). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/batch.h"
#include "cli/progress.h"
#include "cli/say.h"
#include "memscry/memscry.h"

enum { EXIT_FAIL = 1, EXIT_USAGE = 2, EXIT_PARTIAL = 3, MAX_SYMDIRS = 64 };

static void batch_usage(FILE *f)
{
    fprintf(f,
            "usage: memscry batch [-j N] [-r jsonl|json|csv|none] [-s SYMDIR]... [--cache-dir DIR |\n"
            "                     --no-cache] [--shard I/N] [--sqlite OUT.db] [--from FILE|-] [-q] [-v]\n"
            "                     PLUGIN [options] [, PLUGIN [options]]... [-- DUMP...]\n"
            "\n"
            "Runs each PLUGIN with its options on every DUMP (listed after --, and/or one\n"
            "per line in --from FILE, '-' for stdin; empty lines are skipped). Plugins are\n"
            "separated by a lone ',' argument (an option value that is a lone comma is\n"
            "written --opt=,). Batch options come before the first plugin.\n"
            "\n"
            "options:\n"
            "  -j, --jobs N           worker threads (default: the online CPUs)\n"
            "  -r, --renderer NAME    jsonl (default; none with --sqlite), json, csv (one\n"
            "                         plugin only), none\n"
            "  -s, --symbol-dirs DIR  as memscry -s (default $MEMSCRY_SYMBOLS)\n"
            "  --cache-dir DIR, --no-cache, --no-symbols-from-dump  as memscry's\n"
            "  --shard I/N            only the dumps whose position in the list (from 0)\n"
            "                         modulo N is I; records keep their position in the whole\n"
            "                         list (SQLite dump_id), so shards concatenate or merge\n"
            "  --sqlite OUT.db        also write every row into a new SQLite database\n"
            "  --from FILE            read dump paths from FILE, one per line ('-': stdin)\n"
            "  -q, --quiet            no progress line\n"
            "  -v, --verbose          also print informational diagnostics\n"
            "\n"
            "output, in dump order then plugin order whatever -j:\n"
            "  jsonl  one object per row: {\"depth\": D, \"dump\": PATH, \"plugin\": NAME,\n"
            "         \"row\": {...}} (row as -r json gives it, without __children; D its\n"
            "         tree depth), and per failed dump or plugin run {\"dump\": PATH,\n"
            "         \"message\": TEXT, \"plugin\": NAME or null, \"status\": TEXT}\n"
            "  json   the same objects as one JSON array\n"
            "  csv    Dump,TreeDepth and the plugin's columns; errors on stderr\n"
            "Warnings of partial results are printed on stderr (memscry: DUMP: PLUGIN:\n"
            "warning: ...), as are errors when the renderer is csv or none.\n"
            "\n"
            "exit status: 0 every dump and run succeeded, 1 failure (output, database,\n"
            "list), 2 usage error, 3 some records are errors or partial results\n");
}

struct out {
    const char *renderer; /* "jsonl", "json", "csv", "none" */
    scry_sqlite_export *sql;
    size_t shard, nshards;
    int verbose, any_bad, write_failed, first_json, csv_header;
    struct progress prog;
};

static int put(const char *p, size_t n) { return fwrite(p, 1, n, stdout) != n; }

/* A code point from valid UTF-8 at p (n bytes left), or -1. */
static long utf8_at(const unsigned char *p, size_t n, size_t *used)
{
    unsigned c = p[0];
    size_t k = c >= 0xF0 && c < 0xF5 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 0;
    long cp;
    if (!k || k > n)
        return -1;
    cp = (long)(c & (0x7F >> k));
    for (size_t i = 1; i < k; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return -1;
        cp = cp << 6 | (p[i] & 0x3F);
    }
    if ((k == 3 && (cp < 0x800 || (cp >= 0xD800 && cp < 0xE000))) || (k == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
        return -1;
    *used = k;
    return cp;
}

/* A JSON string as Python's json.dumps writes it (ensure_ascii); a byte
 * that is not UTF-8 becomes U+FFFD. */
static void put_json_str(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    putchar('"');
    for (size_t i = 0; i < n;) {
        unsigned c = p[i];
        if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') {
            putchar((int)c);
            i++;
        } else if (c == '"' || c == '\\') {
            printf("\\%c", c);
            i++;
        } else if (c < 0x80) {
            const char *e = c == '\n' ? "\\n" : c == '\r' ? "\\r" : c == '\t' ? "\\t"
                          : c == '\b' ? "\\b" : c == '\f' ? "\\f" : NULL;
            if (e)
                fputs(e, stdout);
            else
                printf("\\u%04x", c);
            i++;
        } else {
            size_t used = 1;
            long cp = utf8_at(p + i, n - i, &used);
            if (cp < 0)
                cp = 0xFFFD;
            if (cp >= 0x10000)
                printf("\\u%04lx\\u%04lx", 0xD800 | ((cp - 0x10000) >> 10), 0xDC00 | ((cp - 0x10000) & 0x3FF));
            else
                printf("\\u%04lx", cp);
            i += used;
        }
    }
    putchar('"');
}

/* Before each object of the json renderer's array. */
static void json_sep(struct out *o)
{
    if (!strcmp(o->renderer, "json")) {
        fputs(o->first_json ? "\n" : ",\n", stdout);
        o->first_json = 0;
    }
}

static void put_error(struct out *o, const scry_batch_record *rec)
{
    o->any_bad = 1;
    if (!strcmp(o->renderer, "jsonl") || !strcmp(o->renderer, "json")) {
        json_sep(o);
        fputs("{\"dump\": ", stdout);
        put_json_str(rec->dump_path);
        fputs(", \"message\": ", stdout);
        put_json_str(rec->message ? rec->message : "");
        fputs(", \"plugin\": ", stdout);
        if (rec->plugin)
            put_json_str(rec->plugin);
        else
            fputs("null", stdout);
        fputs(", \"status\": ", stdout);
        put_json_str(scry_status_str(rec->status));
        fputs(strcmp(o->renderer, "jsonl") ? "}" : "}\n", stdout);
        return;
    }
    /* As the single-dump CLI says it, without doubling the file name. */
    const char *m = rec->message ? rec->message : "";
    size_t n = strlen(rec->dump_path);
    int named = !strncmp(m, rec->dump_path, n) && (m[n] == ':' || m[n] == ' ');
    say("%s%s%s%s%s%s", named ? "" : rec->dump_path, named ? "" : ": ", m,
        rec->plugin ? " (" : "", rec->plugin ? rec->plugin : "", rec->plugin ? ")" : "");
}

/* The rows, rendered by the worker that ran the plugin. */
static void put_rows(struct out *o, const scry_batch_record *rec)
{
    const scry_result *r = rec->result;
    if (!strcmp(o->renderer, "csv") && !o->csv_header) {
        o->csv_header = 1;
        fputs("Dump,TreeDepth", stdout);
        for (size_t c = 0; c < scry_result_column_count(r); c++) {
            const char *name = scry_result_column_name(r, c);
            printf(strpbrk(name, ",\"\n") ? ",\"%s\"" : ",%s", name);
        }
        putchar('\n');
    }
    if (strcmp(o->renderer, "json")) {
        put(rec->text, rec->text_len);
        return;
    }
    /* json: the same objects, as array items. */
    for (const char *p = rec->text, *end = p + rec->text_len; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        json_sep(o);
        put(p, n);
        p += n + 1;
    }
}

static void put_diags(struct out *o, const scry_batch_record *rec)
{
    const scry_result *r = rec->result;
    if (scry_result_partial(r))
        o->any_bad = 1;
    for (size_t k = 0; k < scry_result_diag_count(r); k++) {
        scry_diag_level level;
        const char *msg;
        scry_result_diag(r, k, &level, NULL, &msg);
        if (level == SCRY_DIAG_WARNING || o->verbose)
            say("%s: %s: %s: %s", rec->dump_path, rec->plugin,
                level == SCRY_DIAG_WARNING ? "warning" : "info", msg);
    }
}

static int on_record(void *user, const scry_batch_record *rec)
{
    struct out *o = user;
    int64_t id = (int64_t)(o->shard + rec->dump_index * o->nshards);
    progress_end(&o->prog);
    if (o->sql && scry_sqlite_export_record(o->sql, rec, id) != SCRY_OK) {
        say("%s", scry_last_error());
        o->write_failed = 1;
        return 1;
    }
    if ((rec->kind == SCRY_BATCH_DUMP || rec->kind == SCRY_BATCH_RESULT) && rec->status != SCRY_OK)
        put_error(o, rec);
    else if (rec->kind == SCRY_BATCH_RESULT) {
        if (strcmp(o->renderer, "none"))
            put_rows(o, rec);
        put_diags(o, rec);
    }
    if (rec->kind == SCRY_BATCH_DUMP_END && fflush(stdout) != 0)
        o->write_failed = 1;
    return o->write_failed || ferror(stdout);
}

static int on_progress(void *user, uint64_t done, uint64_t total)
{
    struct out *o = user;
    return progress_line(&o->prog, done, total);
}

struct list {
    char **v;
    size_t n, cap;
};

static int list_add(struct list *l, const char *s, size_t len)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 64;
        char **v = realloc(l->v, cap * sizeof *v);
        if (!v)
            return -1;
        l->v = v;
        l->cap = cap;
    }
    if (!(l->v[l->n] = strndup(s, len)))
        return -1;
    l->n++;
    return 0;
}

static void list_free(struct list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
}

/* One path per line; "\n" ends a line (a trailing "\r" too), empty lines
 * are skipped. */
static int read_list(const char *from, struct list *l)
{
    FILE *f = strcmp(from, "-") ? fopen(from, "r") : stdin;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int rc = 0;
    if (!f) {
        say("%s: cannot read the dump list: %s", from, strerror(errno));
        return -1;
    }
    while ((n = getline(&line, &cap, f)) >= 0) {
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            n--;
        if (n && list_add(l, line, (size_t)n) != 0) {
            say("out of memory");
            rc = -1;
            break;
        }
    }
    if (rc == 0 && ferror(f)) {
        say("%s: cannot read the dump list", from);
        rc = -1;
    }
    free(line);
    if (f != stdin)
        fclose(f);
    return rc;
}

static int parse_shard(const char *s, size_t *i, size_t *n)
{
    char *end;
    unsigned long a, b;
    errno = 0;
    a = strtoul(s, &end, 10);
    if (end == s || *end != '/' || s[0] == '-')
        return -1;
    s = end + 1;
    b = strtoul(s, &end, 10);
    if (end == s || *end || errno || s[0] == '-' || b == 0 || a >= b)
        return -1;
    *i = a;
    *n = b;
    return 0;
}

/* Adds each plugin of argv[i..end) (',' between them) to the batch. */
static int add_plugins(scry_batch *b, int argc, char **argv)
{
    int start = 0;
    for (int k = 0; k <= argc; k++) {
        if (k < argc && strcmp(argv[k], ","))
            continue;
        if (k == start) {
            say("an empty plugin between ',' (memscry batch --help)");
            return EXIT_USAGE;
        }
        if (scry_batch_add_plugin(b, argv[start], k - start - 1,
                                  (const char *const *)argv + start + 1) != SCRY_OK) {
            say("%s", scry_last_error());
            return EXIT_USAGE;
        }
        start = k + 1;
    }
    return 0;
}

int batch_main(int argc, char **argv)
{
    const char *renderer = NULL, *cache_dir = NULL, *from = NULL, *sqlite_path = NULL;
    const char *symdirs[MAX_SYMDIRS];
    char *symbuf[MAX_SYMDIRS];
    size_t nsym = 0, nsymbuf = 0;
    int i, no_cache = 0, no_dump_symbols = 0, quiet = 0, rc = 0, pend;
    long jobs = sysconf(_SC_NPROCESSORS_ONLN);
    struct out o = {.nshards = 1, .first_json = 1, .prog = {.out = stderr}};
    struct list dumps = {0};
    const char **share = NULL;
    size_t nshare = 0;
    scry_context *ctx = NULL;
    scry_batch *b = NULL;
    scry_status st;
    static char outbuf[1 << 16];

    setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
    for (i = 1; i < argc && argv[i][0] == '-' && strcmp(argv[i], "--"); i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            batch_usage(stdout);
            return 0;
        }
        if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            quiet = 1;
            continue;
        }
        if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
            o.verbose = 1;
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
        if (i + 1 >= argc) {
            say("%s needs a value (memscry batch --help)", a);
            rc = EXIT_USAGE;
            goto out;
        }
        const char *v = argv[++i];
        if (!strcmp(a, "-j") || !strcmp(a, "--jobs")) {
            char *end;
            jobs = strtol(v, &end, 10);
            if (*end || end == v || jobs < 1 || jobs > 1024) {
                say("-j: '%s' is not a thread count (1 to 1024)", v);
                rc = EXIT_USAGE;
                goto out;
            }
        } else if (!strcmp(a, "-r") || !strcmp(a, "--renderer")) {
            renderer = v;
        } else if (!strcmp(a, "-s") || !strcmp(a, "--symbol-dirs")) {
            char *copy = strdup(v);
            if (!copy || nsymbuf >= MAX_SYMDIRS) {
                free(copy);
                say("too many symbol directories");
                rc = EXIT_USAGE;
                goto out;
            }
            symbuf[nsymbuf++] = copy;
            for (char *save = NULL, *t = strtok_r(copy, ";", &save); t; t = strtok_r(NULL, ";", &save))
                if (nsym < MAX_SYMDIRS)
                    symdirs[nsym++] = t;
        } else if (!strcmp(a, "--cache-dir")) {
            cache_dir = v;
        } else if (!strcmp(a, "--shard")) {
            if (parse_shard(v, &o.shard, &o.nshards) != 0) {
                say("--shard: '%s' is not I/N with 0 <= I < N", v);
                rc = EXIT_USAGE;
                goto out;
            }
        } else if (!strcmp(a, "--sqlite")) {
            sqlite_path = v;
        } else if (!strcmp(a, "--from")) {
            from = v;
        } else {
            say("unknown option '%s' (memscry batch --help)", a);
            rc = EXIT_USAGE;
            goto out;
        }
    }
    if (!renderer)
        renderer = sqlite_path ? "none" : "jsonl";
    if (strcmp(renderer, "jsonl") && strcmp(renderer, "json") && strcmp(renderer, "csv") &&
        strcmp(renderer, "none")) {
        say("unknown batch renderer '%s' (jsonl, json, csv, none)", renderer);
        rc = EXIT_USAGE;
        goto out;
    }
    o.renderer = renderer;
    for (pend = i; pend < argc && strcmp(argv[pend], "--"); pend++)
        ;
    if (pend == i) {
        say("a plugin is needed (memscry batch --help)");
        rc = EXIT_USAGE;
        goto out;
    }
    for (int k = pend + 1; k < argc; k++)
        if (list_add(&dumps, argv[k], strlen(argv[k])) != 0) {
            say("out of memory");
            rc = EXIT_FAIL;
            goto out;
        }
    if (!from && pend >= argc) {
        say("no dump given (-- DUMP... or --from FILE)");
        rc = EXIT_USAGE;
        goto out;
    }
    if (!nsym) {
        const char *env = getenv("MEMSCRY_SYMBOLS");
        char *copy = env && *env ? strdup(env) : NULL;
        if (copy) {
            symbuf[nsymbuf++] = copy;
            for (char *save = NULL, *t = strtok_r(copy, ";", &save); t; t = strtok_r(NULL, ";", &save))
                if (nsym < MAX_SYMDIRS)
                    symdirs[nsym++] = t;
        }
    }
    st = scry_context_new(&ctx);
    if (st == SCRY_OK && (no_cache || cache_dir))
        st = scry_context_set_cache_dir(ctx, no_cache ? NULL : cache_dir);
    if (st == SCRY_OK && no_dump_symbols)
        st = scry_context_set_symbols_from_dump(ctx, 0);
    for (size_t k = 0; k < nsym && st == SCRY_OK; k++)
        st = scry_context_add_symbol_dir(ctx, symdirs[k]);
    if (st == SCRY_OK)
        st = scry_batch_new(ctx, &b);
    if (st != SCRY_OK) {
        say("%s", scry_last_error());
        rc = EXIT_FAIL;
        goto out;
    }
    if ((rc = add_plugins(b, pend - i, argv + i)) != 0)
        goto out;
    if (!strcmp(renderer, "csv") && scry_batch_plugin_count(b) != 1) {
        say("-r csv takes one plugin (its columns are the file's); use jsonl or --sqlite");
        rc = EXIT_USAGE;
        goto out;
    }
    if (from) {
        /* The list file's dumps first, then those after --. */
        struct list all = {0};
        if (read_list(from, &all) != 0) {
            list_free(&all);
            rc = EXIT_FAIL;
            goto out;
        }
        for (size_t k = 0; k < dumps.n; k++)
            if (list_add(&all, dumps.v[k], strlen(dumps.v[k])) != 0) {
                list_free(&all);
                say("out of memory");
                rc = EXIT_FAIL;
                goto out;
            }
        list_free(&dumps);
        dumps = all;
    }
    if (!(share = malloc((dumps.n + 1) * sizeof *share))) {
        say("out of memory");
        rc = EXIT_FAIL;
        goto out;
    }
    for (size_t k = o.shard; k < dumps.n; k += o.nshards)
        share[nshare++] = dumps.v[k];
    if (sqlite_path && scry_sqlite_export_open(sqlite_path, b, &o.sql) != SCRY_OK) {
        say("%s", scry_last_error());
        rc = EXIT_FAIL;
        goto out;
    }
    scry_batch_set_threads(b, (unsigned)jobs);
    if (strcmp(renderer, "none"))
        scry_batch_set_render(b, strcmp(renderer, "csv") ? "jsonl" : "csv");
    /* Only the database reads rows; the output is the workers' text. */
    scry_batch_set_keep_rows(b, o.sql != NULL);
    if (progress_wanted(quiet, strcmp(renderer, "none") != 0))
        scry_batch_set_progress(b, on_progress, &o);
    if (!strcmp(renderer, "json"))
        putchar('[');
    st = scry_batch_run(b, share, nshare, on_record, &o);
    progress_end(&o.prog);
    if (!strcmp(renderer, "json"))
        fputs(o.first_json ? "]\n" : "\n]\n", stdout);
    if (o.sql && scry_sqlite_export_close(o.sql) != SCRY_OK && st == SCRY_OK) {
        say("%s", scry_last_error());
        st = SCRY_ERR_IO;
    }
    o.sql = NULL;
    if (fflush(stdout) != 0 || ferror(stdout) || o.write_failed) {
        say("stdout: cannot write output");
        rc = EXIT_FAIL;
    } else if (st != SCRY_OK) {
        say("%s", scry_last_error());
        rc = EXIT_FAIL;
    } else {
        rc = o.any_bad ? EXIT_PARTIAL : 0;
    }
out:
    if (o.sql)
        scry_sqlite_export_close(o.sql);
    free(share);
    list_free(&dumps);
    scry_batch_free(b);
    scry_context_free(ctx);
    for (size_t k = 0; k < nsymbuf; k++)
        free(symbuf[k]);
    return rc;
}
