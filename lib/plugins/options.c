/* options.c - one option parser for the CLI and the C API.
 *
 * Spelling follows Volatility's argparse setup: "--" + name, int values as
 * Python's int(x, 0) reads them (0x.., 0o.., 0b.., underscores), lists with
 * nargs="*" (--pid 1 2 3), "--name=value", unique prefixes. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/plugins/plugin.h"

/* Python int(s, 0): returns 0 on success. */
static int parse_pyint(const char *s, int64_t *out)
{
    int neg = 0, base = 10, digits = 0, last_us = 1;
    uint64_t v = 0;
    while (isspace((unsigned char)*s))
        s++;
    if (*s == '+' || *s == '-')
        neg = *s++ == '-';
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        base = 16, s += 2, last_us = 0;
    else if (s[0] == '0' && (s[1] == 'o' || s[1] == 'O'))
        base = 8, s += 2, last_us = 0;
    else if (s[0] == '0' && (s[1] == 'b' || s[1] == 'B'))
        base = 2, s += 2, last_us = 0;
    const char *start = s;
    for (; *s && !isspace((unsigned char)*s); s++) {
        int d;
        if (*s == '_') {
            if (last_us)
                return -1; /* "__", leading "_" */
            last_us = 1;
            continue;
        }
        if (isdigit((unsigned char)*s))
            d = *s - '0';
        else if (isalpha((unsigned char)*s))
            d = tolower((unsigned char)*s) - 'a' + 10;
        else
            return -1;
        if (d >= base)
            return -1;
        if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
            return -1;
        v = v * (uint64_t)base + (uint64_t)d;
        digits++;
        last_us = 0;
    }
    while (isspace((unsigned char)*s))
        s++;
    if (*s || !digits || last_us)
        return -1;
    /* int(x, 0) refuses "010": a decimal with a leading zero must be all zeros. */
    if (base == 10 && start[0] == '0' && v != 0)
        return -1;
    if (v > (uint64_t)INT64_MAX + (uint64_t)neg)
        return -1;
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return 0;
}

int scry_option_index(const struct scry_plugin *p, const char *name)
{
    int hit = -1;
    size_t n = strlen(name);
    for (size_t i = 0; i < p->noptions; i++) {
        if (strcmp(p->options[i].name, name) == 0)
            return (int)i;
        if (strncmp(p->options[i].name, name, n) == 0)
            hit = hit == -1 ? (int)i : -2; /* -2: ambiguous prefix */
    }
    return hit < 0 ? -1 : hit;
}

static int looks_like_value(const char *a)
{
    return a[0] != '-' || isdigit((unsigned char)a[1]);
}

static scry_status add_int(const struct scry_plugin *p, int idx, const char *text,
                           struct scry_optvals *vals)
{
    int64_t v, *grown;
    if (parse_pyint(text, &v) != 0)
        return scry_err(SCRY_ERR_BAD_OPTION, "%s: --%s: invalid int value: '%s'", p->name,
                        p->options[idx].name, text);
    grown = realloc(vals->v[idx].ints, (vals->v[idx].nints + 1) * sizeof *grown);
    if (!grown)
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    grown[vals->v[idx].nints++] = v;
    vals->v[idx].ints = grown;
    return SCRY_OK;
}

static scry_status add_str(int idx, const char *text, struct scry_optvals *vals)
{
    const char **grown = realloc(vals->v[idx].strs, (vals->v[idx].nstrs + 1) * sizeof *grown);
    if (!grown)
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    grown[vals->v[idx].nstrs++] = text;
    vals->v[idx].strs = grown;
    return SCRY_OK;
}

scry_status scry_options_parse(const struct scry_plugin *p, int argc, const char *const *argv,
                               struct scry_optvals *vals)
{
    scry_status st = SCRY_OK;
    memset(vals, 0, sizeof *vals);
    /* One slot per declared option, however many a plugin declares. */
    if (p->noptions && !(vals->v = calloc(p->noptions, sizeof *vals->v)))
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    vals->n = p->noptions;
    for (int i = 0; i < argc && st == SCRY_OK; i++) {
        char name[128];
        const char *arg = argv[i], *eq, *inl = NULL;
        int idx;
        if (strncmp(arg, "--", 2) != 0 || !arg[2]) {
            st = scry_err(SCRY_ERR_BAD_OPTION, "%s: unexpected argument '%s'", p->name, arg);
            break;
        }
        eq = strchr(arg + 2, '=');
        size_t nl = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);
        if (!nl || nl >= sizeof name) { /* "--=5" names no option */
            st = scry_err(SCRY_ERR_BAD_OPTION, "%s: unknown option '%s'", p->name, arg);
            break;
        }
        memcpy(name, arg + 2, nl);
        name[nl] = '\0';
        if (eq)
            inl = eq + 1;
        idx = scry_option_index(p, name);
        if (idx < 0) {
            st = scry_err(SCRY_ERR_BAD_OPTION, "%s: unknown option '--%s'", p->name, name);
            break;
        }
        const struct scry_option *o = &p->options[idx];
        vals->v[idx].set = 1;
        switch (o->type) {
        case SCRY_OPT_BOOL:
            if (inl)
                st = scry_err(SCRY_ERR_BAD_OPTION, "%s: --%s takes no value", p->name, o->name);
            break;
        case SCRY_OPT_INT_LIST:
            if (inl)
                st = add_int(p, idx, inl, vals);
            while (st == SCRY_OK && i + 1 < argc && looks_like_value(argv[i + 1]))
                st = add_int(p, idx, argv[++i], vals);
            break;
        case SCRY_OPT_STR_LIST:
            if (inl)
                st = add_str(idx, inl, vals);
            while (st == SCRY_OK && i + 1 < argc && looks_like_value(argv[i + 1]))
                st = add_str(idx, argv[++i], vals);
            break;
        case SCRY_OPT_INT:
        case SCRY_OPT_STR:
            if (!inl) {
                if (i + 1 >= argc || !looks_like_value(argv[i + 1])) {
                    st = scry_err(SCRY_ERR_BAD_OPTION, "%s: --%s needs a value", p->name, o->name);
                    break;
                }
                inl = argv[++i];
            }
            if (o->type == SCRY_OPT_STR) {
                vals->v[idx].str = inl;
            } else {
                free(vals->v[idx].ints);
                vals->v[idx].ints = NULL;
                vals->v[idx].nints = 0;
                st = add_int(p, idx, inl, vals);
            }
            break;
        }
    }
    if (st != SCRY_OK)
        scry_optvals_free(vals);
    return st;
}

void scry_optvals_free(struct scry_optvals *vals)
{
    for (size_t i = 0; i < vals->n; i++) {
        free(vals->v[i].ints);
        free(vals->v[i].strs);
    }
    free(vals->v);
    vals->v = NULL;
    vals->n = 0;
}

int scry_opt_int_filter(const struct scry_optvals *o, int idx, int64_t v)
{
    /* Volatility's create_pid_filter: no list (or an empty one) keeps all. */
    if (idx < 0 || (size_t)idx >= o->n || !o->v[idx].nints)
        return 1;
    for (size_t i = 0; i < o->v[idx].nints; i++)
        if (o->v[idx].ints[i] == v)
            return 1;
    return 0;
}
