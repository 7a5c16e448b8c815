/* isfinfo.c - isfinfo.IsfInfo: the ISFs of the symbol store and what
 * Volatility's identifier cache records of each. Needs no dump.
 *
 * Volatility 2.11.0, followed here:
 *  - Without --live the rows come from the identifier cache (refreshed
 *    first; here symbols/index.c over the -s directories): one row per
 *    distinct identifier, at the place of its first location in store
 *    order, naming the last location holding it (a Python dict keyed by
 *    identifier); locations without an identifier are not listed; --filter
 *    and --isf are ignored, as Volatility ignores them without --live. The
 *    identifier is printed as Python prints bytes (b'Linux version ...\n\x00').
 *  - With --live every ISF location is listed (or only --isf), each kept once
 *    per --filter string it contains (a location matching two is listed
 *    twice, as Volatility lists it); the counts are the file's own; the
 *    identifier is its text (UTF-8, invalid bytes replaced) or N/A.
 *  - Valid without --validate: "True (cached)" in the cached listing for
 *    bytes an earlier --validate run found valid (kept in the index, as
 *    Volatility keeps validated hashes), else "Unknown". With
 *    --validate: "True" or "False" from Volatility's schema checks
 *    (symbols/isf_validate.h; Volatility itself crashes with a traceback on
 *    an invalid file), the first error as a warning: "PATH: JSON.path: what".
 * Where memscry differs on purpose (docs/DESIGN.md, "isfinfo"): rows are in
 * store order (Volatility's follow a Python set's hash order on the first
 * run); only the -s directories are searched (Volatility adds its own
 * bundled symbol directories, which hold no identifiable ISF); a file that
 * is not valid JSON is listed with --live with zero counts and N/A
 * (Volatility reuses the previous row's identifier or crashes). */
#include <stdlib.h>
#include <string.h>

#include "lib/plugins/plugin.h"
#include "symbols/identify.h"
#include "symbols/index.h"
#include "symbols/pystr.h"

static const struct scry_column columns[] = {
    {"URI", SCRY_COL_STR},
    {"Valid", SCRY_COL_STR},
    {"Number of base_types", SCRY_COL_INT},
    {"Number of types", SCRY_COL_INT},
    {"Number of symbols", SCRY_COL_INT},
    {"Number of enums", SCRY_COL_INT},
    {"Identifying information", SCRY_COL_STR},
};

static const struct scry_option options[] = {
    {"filter", SCRY_OPT_STR_LIST, "String that must be present in the file URI to display the ISF"},
    {"isf", SCRY_OPT_STR, "Specific ISF file to process"},
    {"validate", SCRY_OPT_BOOL, "Validate against schema if possible"},
    {"live", SCRY_OPT_BOOL, "Traverse all files, rather than use the cache"},
};
enum { OPT_FILTER, OPT_ISF, OPT_VALIDATE, OPT_LIVE };

/* The Valid column. Without --validate: "True (cached)" for bytes a
 * --validate run found valid (the cached listing only, as Volatility's
 * cache of validated hashes), else "Unknown". With it: Volatility's
 * "True"/"False" from its JSON schema (symbols/isf_validate.h), the first
 * error of an invalid file reported as a warning with its JSON path. */
static const char *valid_of(struct scry_plugin_ctx *c, struct scry_symindex *ix,
                            const struct scry_isf_entry *e, int live)
{
    struct scry_isf_ident id;
    const char *v;
    if (!c->opts->v[OPT_VALIDATE].set || !e || e->error)
        return !live && e && e->validated ? "True (cached)" : "Unknown";
    if (scry_isf_validate(e->loc.path, e->loc.member, SCRY_SYMINDEX_MAX_MEMBER, &id) != SCRY_OK) {
        scry_op_report(c->op, SCRY_DIAG_WARNING, SCRY_ERR_CORRUPT, "cannot validate");
        return "Unknown";
    }
    v = id.valid > 0 ? "True" : id.valid == 0 ? "False" : "Unknown";
    if (id.valid > 0)
        scry_symindex_set_valid(ix, e);
    else
        scry_op_say(c->op, id.valid ? SCRY_DIAG_INFO : SCRY_DIAG_WARNING,
                    id.valid ? SCRY_ERR_UNSUPPORTED : SCRY_ERR_CORRUPT, "%s%s%s: %s",
                    e->loc.path, e->loc.member ? "!" : "", e->loc.member ? e->loc.member : "",
                    id.why);
    scry_isf_ident_free(&id);
    return v;
}

static scry_status add_row(struct scry_plugin_ctx *c, struct scry_symindex *ix, int live,
                           const char *uri, const struct scry_isf_entry *e,
                           struct scry_cell ident)
{
    const char *valid = valid_of(c, ix, e, live);
    struct scry_cell cells[7] = {
        scry_cell_str(uri, strlen(uri)),
        scry_cell_str(valid, strlen(valid)),
        scry_cell_int(e ? e->nbase : 0),
        scry_cell_int(e ? e->ntypes : 0),
        scry_cell_int(e ? e->nsymbols : 0),
        scry_cell_int(e ? e->nenums : 0),
        ident,
    };
    return scry_result_add(c->out, 0, cells);
}

static int same_id(const struct scry_isf_entry *a, const struct scry_isf_entry *b)
{
    return a->identifier_len == b->identifier_len &&
           !memcmp(a->identifier, b->identifier, a->identifier_len);
}

/* Without --live: the identifier dictionary. */
static scry_status run_cached(struct scry_plugin_ctx *c, struct scry_symindex *ix)
{
    size_t n = scry_symindex_count(ix);
    scry_status st = SCRY_OK;
    for (size_t i = 0; i < n && st == SCRY_OK; i++) {
        const struct scry_isf_entry *e = scry_symindex_at(ix, i), *last = e;
        int first = 1;
        if (!e->os || !e->identifier_len)
            continue;
        /* First place of this identifier? Then the last location holding it. */
        for (size_t k = 0; k < i && first; k++) {
            const struct scry_isf_entry *o = scry_symindex_at(ix, k);
            first = !(o->os && same_id(o, e));
        }
        if (!first)
            continue;
        for (size_t k = i + 1; k < n; k++) {
            const struct scry_isf_entry *o = scry_symindex_at(ix, k);
            if (o->os && same_id(o, e))
                last = o;
        }
        char *uri = scry_isf_loc_uri(&last->loc), *id = scry_py_bytes_repr(e->identifier, e->identifier_len);
        if (!uri || !id)
            st = scry_err(SCRY_ERR_NOMEM, "out of memory");
        else
            st = add_row(c, ix, 0, uri, last, scry_cell_str(id, strlen(id)));
        free(uri);
        free(id);
    }
    return st;
}

static int hexval(char h)
{
    return h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10
                                        : h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
}

/* The location an --isf URI names: file://PATH (percent-decoded),
 * jar:file:ZIP!MEMBER, or a plain path. */
static int uri_to_loc(const char *uri, struct scry_isf_loc *loc)
{
    const char *bang;
    memset(loc, 0, sizeof *loc);
    if (!strncmp(uri, "jar:file:", 9) && (bang = strchr(uri + 9, '!'))) {
        loc->path = strndup(uri + 9, (size_t)(bang - uri - 9));
        loc->member = strdup(bang + 1);
        return loc->path && loc->member ? 0 : -1;
    }
    if (strncmp(uri, "file://", 7))
        return (loc->path = strdup(uri)) ? 0 : -1;
    char *p = loc->path = malloc(strlen(uri));
    if (!p)
        return -1;
    for (const char *s = uri + 7; *s; s++) {
        int h, l;
        if (*s == '%' && (h = hexval(s[1])) >= 0 && (l = hexval(s[2])) >= 0) {
            *p++ = (char)(h * 16 + l);
            s += 2;
        } else {
            *p++ = *s;
        }
    }
    *p = '\0';
    return 0;
}

static const struct scry_isf_entry *find_loc(const struct scry_symindex *ix,
                                             const struct scry_isf_loc *loc)
{
    for (size_t i = 0; i < scry_symindex_count(ix); i++) {
        const struct scry_isf_entry *e = scry_symindex_at(ix, i);
        if (!strcmp(e->loc.path, loc->path) &&
            !strcmp(e->loc.member ? e->loc.member : "", loc->member ? loc->member : ""))
            return e;
    }
    return NULL;
}

static scry_status live_row(struct scry_plugin_ctx *c, struct scry_symindex *ix,
                            const char *uri, const struct scry_isf_entry *e)
{
    if (e && e->error)
        scry_op_say(c->op, SCRY_DIAG_WARNING, SCRY_ERR_CORRUPT, "Invalid ISF: %s",
                    e->error); /* the error names the file */
    if (!e || e->error || !e->os || !e->identifier_len)
        return add_row(c, ix, 1, uri, e && !e->error ? e : NULL,
                       scry_cell_absent(SCRY_CELL_NOT_AVAILABLE));
    return add_row(c, ix, 1, uri, e,
                   scry_cell_str((const char *)e->identifier, e->identifier_len));
}

static scry_status run_live(struct scry_plugin_ctx *c, struct scry_symindex *ix,
                            const struct scry_isf_loc *one, const char *one_uri)
{
    const struct scry_optval *f = &c->opts->v[OPT_FILTER];
    scry_status st = SCRY_OK;
    if (one) {
        for (size_t k = 0; k < (f->nstrs ? f->nstrs : 1) && st == SCRY_OK; k++)
            if (!f->nstrs || strstr(one_uri, f->strs[k]))
                st = live_row(c, ix, one_uri, find_loc(ix, one));
        return st;
    }
    for (size_t i = 0; i < scry_symindex_count(ix) && st == SCRY_OK; i++) {
        const struct scry_isf_entry *e = scry_symindex_at(ix, i);
        char *uri = scry_isf_loc_uri(&e->loc);
        if (!uri)
            return scry_err(SCRY_ERR_NOMEM, "out of memory");
        for (size_t k = 0; k < (f->nstrs ? f->nstrs : 1) && st == SCRY_OK; k++)
            if (!f->nstrs || strstr(uri, f->strs[k]))
                st = live_row(c, ix, uri, e);
        free(uri);
    }
    return st;
}

static scry_status run(struct scry_plugin_ctx *c)
{
    struct scry_symindex *ix;
    struct scry_isf_loc one = {0};
    const char *isf = c->opts->v[OPT_ISF].str;
    int live = c->opts->v[OPT_LIVE].set;
    const char **dirs;
    size_t nd = c->nsymdirs;
    scry_status st;
    if (!(dirs = calloc(nd + 1, sizeof *dirs)))
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    if (nd)
        memcpy(dirs, c->symdirs, nd * sizeof *dirs);
    if (live && isf) {
        if (uri_to_loc(isf, &one) != 0) {
            scry_isf_loc_free(&one);
            free(dirs);
            return scry_err(SCRY_ERR_NOMEM, "out of memory");
        }
        dirs[nd++] = one.path; /* a file argument: indexed whatever -s holds */
    }
    st = scry_symindex_open(c->cache_dir, &ix);
    if (st == SCRY_OK)
        st = scry_symindex_refresh(ix, dirs, nd, NULL, 0, c->op);
    if (st == SCRY_OK && live && isf) {
        /* the index keys real paths */
        char real[4096];
        if (realpath(one.path, real)) {
            free(one.path);
            one.path = strdup(real);
        }
        st = one.path ? run_live(c, ix, &one, isf) : scry_err(SCRY_ERR_NOMEM, "out of memory");
    } else if (st == SCRY_OK) {
        st = live ? run_live(c, ix, NULL, NULL) : run_cached(c, ix);
    }
    scry_symindex_free(ix);
    scry_isf_loc_free(&one);
    free(dirs);
    return st;
}

const struct scry_plugin scry_plugin_isfinfo = {
    .name = "isfinfo.IsfInfo",
    .alias = "isfinfo",
    .description = "Determines information about the currently available ISF files, or a "
                   "specific one",
    .options = options,
    .noptions = sizeof options / sizeof options[0],
    .columns = columns,
    .ncolumns = sizeof columns / sizeof columns[0],
    .no_dump = 1,
    .run = run,
};
