/* yara_rules.c - YARA rules from Volatility's yarascan options.
 *
 * The rule a --yara-string makes is Volatility's (process_yara_options):
 * the string is wrapped in double quotes unless it starts with '{' (hex) or
 * '/' (regex), modifiers follow, and it becomes
 * `rule r1 {strings: $a = <rule> condition: $a}`. One difference:
 * Volatility 2.11.0 reads its case flag under the key "case" while the
 * option is called "insensitive", so its --insensitive does nothing; here
 * --insensitive adds `nocase` as the option says. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/scan/yara_priv.h"

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_result = -1; /* written once, under init_once */

static void init_libyara(void) { init_result = yr_initialize(); }

scry_status scry_yara_init(void)
{
    scry_status st = scry_ondemand_check(&scry_od_yara, "YARA scanning");
    if (st != SCRY_OK)
        return st;
    pthread_once(&init_once, init_libyara);
    if (init_result != ERROR_SUCCESS)
        return scry_err(SCRY_ERR_NOMEM, "cannot initialise libyara (error %d)", init_result);
    return SCRY_OK;
}

scry_status scry_yara_rule_text(const struct scry_yara_source *src, char **out)
{
    const char *s = src ? src->string : NULL;
    *out = NULL;
    if (!s)
        return scry_err(SCRY_ERR_INVALID_ARG, "no --yara-string given");
    if (!*s)
        return scry_err(SCRY_ERR_BAD_OPTION, "--yara-string is empty");
    int quote = s[0] != '{' && s[0] != '/';
    const char *pre = "rule r1 {strings: $a = ";
    const char *post = " condition: $a}";
    size_t n = strlen(pre) + strlen(s) + 2 + strlen(" nocase") + strlen(" wide ascii") +
               strlen(post) + 1;
    char *t = malloc(n);
    if (!t)
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    snprintf(t, n, "%s%s%s%s%s%s%s", pre, quote ? "\"" : "", s, quote ? "\"" : "",
             src->insensitive ? " nocase" : "", src->wide ? " wide ascii" : "", post);
    *out = t;
    return SCRY_OK;
}

/* The first compile error, as "<where> line <n>: <message>". */
struct compile_err {
    const char *where;
    char msg[512];
    int have;
};

static void on_compile(int level, const char *file, int line, const YR_RULE *rule,
                       const char *message, void *user)
{
    struct compile_err *e = user;
    (void)rule;
    if (level != YARA_ERROR_LEVEL_ERROR || e->have)
        return;
    snprintf(e->msg, sizeof e->msg, "%s line %d: %s", file ? file : e->where, line,
             message ? message : "error");
    e->have = 1;
}

/* A file:// URI names a path (Volatility's options are URIs); %XX escapes
 * are decoded. Anything else is a path as it is. Returns a malloc'd path. */
static char *uri_path(const char *u)
{
    if (strncmp(u, "file://", 7) != 0)
        return strdup(u);
    u += 7;
    if (strncmp(u, "localhost/", 10) == 0)
        u += 9;
    char *p = malloc(strlen(u) + 1), *w = p;
    if (!p)
        return NULL;
    for (; *u; u++) {
        unsigned v;
        if (u[0] == '%' && u[1] && u[2] && sscanf(u + 1, "%2x", &v) == 1) {
            *w++ = (char)v;
            u += 2;
        } else {
            *w++ = *u;
        }
    }
    *w = 0;
    return p;
}

static scry_status compile(const char *text, const char *file, const char *where,
                           struct scry_yara_rules *r)
{
    YR_COMPILER *c = NULL;
    struct compile_err e = {.where = file ? file : where};
    scry_status st = SCRY_OK;
    FILE *f = NULL;
    if (yr_compiler_create(&c) != ERROR_SUCCESS)
        return scry_err(SCRY_ERR_NOMEM, "cannot create a YARA compiler");
    yr_compiler_set_callback(c, on_compile, &e);
    int nerr;
    if (file) {
        if (!(f = fopen(file, "rb"))) {
            st = scry_err(SCRY_ERR_IO, "cannot open YARA rules %s: %s", file, strerror(errno));
            goto out;
        }
        nerr = yr_compiler_add_file(c, f, NULL, file);
    } else {
        nerr = yr_compiler_add_string(c, text, NULL);
    }
    if (nerr > 0) {
        st = scry_err(SCRY_ERR_BAD_OPTION, "%s",
                      e.have ? e.msg : "YARA rules do not compile");
        goto out;
    }
    int rc = yr_compiler_get_rules(c, &r->rules);
    if (rc != ERROR_SUCCESS)
        st = scry_err(rc == ERROR_INSUFFICIENT_MEMORY ? SCRY_ERR_NOMEM : SCRY_ERR_BAD_OPTION,
                      "%s: cannot build YARA rules (error %d)", e.where, rc);
out:
    if (f)
        fclose(f);
    yr_compiler_destroy(c);
    return st;
}

static scry_status load_compiled(const char *path, struct scry_yara_rules *r)
{
    int rc = yr_rules_load(path, &r->rules);
    switch (rc) {
    case ERROR_SUCCESS:
        return SCRY_OK;
    case ERROR_COULD_NOT_OPEN_FILE:
        return scry_err(SCRY_ERR_IO, "cannot open compiled YARA rules %s", path);
    case ERROR_INSUFFICIENT_MEMORY:
        return scry_err(SCRY_ERR_NOMEM, "out of memory loading %s", path);
    case ERROR_INVALID_FILE:
        return scry_err(SCRY_ERR_CORRUPT, "%s: not a compiled YARA rule file", path);
    case ERROR_CORRUPT_FILE:
        return scry_err(SCRY_ERR_CORRUPT, "%s: corrupt compiled YARA rules", path);
    case ERROR_UNSUPPORTED_FILE_VERSION:
        return scry_err(SCRY_ERR_CORRUPT,
                        "%s: compiled YARA rules of another libyara version", path);
    default:
        return scry_err(SCRY_ERR_CORRUPT, "%s: cannot load compiled YARA rules (libyara error %d)",
                        path, rc);
    }
}

scry_status scry_yara_rules_build(const struct scry_yara_source *src, struct scry_yara_rules **out)
{
    scry_status st;
    *out = NULL;
    if (!src || (!src->source && !src->string && !src->file && !src->compiled_file))
        return scry_err(SCRY_ERR_INVALID_ARG,
                        "no YARA rules: give --yara-string, --yara-file or --yara-compiled-file");
    if ((st = scry_yara_init()) != SCRY_OK)
        return st;
    struct scry_yara_rules *r = calloc(1, sizeof *r);
    if (!r)
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    /* Rules we wrote ourselves around a plain string: no escape, no quote
     * (so no rule text of the user's own), no wide (whose matches hold
     * NULs): its matches are the string's bytes (or their other case),
     * never a NUL. */
    if (src->string && !src->source && src->string[0] != '{' && src->string[0] != '/' &&
        !strpbrk(src->string, "\\\"") && !src->wide) {
        r->nul_free = 1;
        r->min_len = strlen(src->string);
        if (!src->insensitive && scry_yara_plain_string(src->string) &&
            !(r->plain = strdup(src->string))) {
            free(r);
            return scry_err(SCRY_ERR_NOMEM, "out of memory");
        }
    }
    if (src->source) {
        st = compile(src->source, NULL, "YARA rules", r);
    } else if (src->string) {
        char *text;
        if ((st = scry_yara_rule_text(src, &text)) == SCRY_OK) {
            st = compile(text, NULL, "--yara-string", r);
            free(text);
        }
    } else {
        char *path = uri_path(src->file ? src->file : src->compiled_file);
        if (!path)
            st = scry_err(SCRY_ERR_NOMEM, "out of memory");
        else if (src->file)
            st = compile(NULL, path, NULL, r);
        else
            st = load_compiled(path, r);
        free(path);
    }
    if (st != SCRY_OK) {
        free(r->plain);
        free(r);
        return st;
    }
    *out = r;
    return SCRY_OK;
}

void scry_yara_rules_free(struct scry_yara_rules *r)
{
    if (!r)
        return;
    if (r->rules)
        yr_rules_destroy(r->rules);
    free(r->plain);
    free(r);
}

int scry_yara_rules_nul_free(const struct scry_yara_rules *r) { return r ? r->nul_free : 0; }

size_t scry_yara_rules_count(const struct scry_yara_rules *r)
{
    size_t n = 0;
    const YR_RULE *rule;
    if (!r || !r->rules)
        return 0;
    yr_rules_foreach(r->rules, rule) n++;
    return n;
}
