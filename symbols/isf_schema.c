/* isf_schema.c - the rules of Volatility's 6.x ISF schemas
 * (volatility3/schemas/schema-6.*.json) as code, over one entry's tree at
 * a time (isf_validate.c builds the trees from the token stream). Each
 * check follows jsonschema's semantics (isf_validate.h) and keeps the
 * first error with its JSON path. */
#include "symbols/isf_schema.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ----------------------------------------------------------------- errors */

size_t isf_path_push(struct path *p, const char *k, size_t n)
{
    size_t old = p->len;
    int w = snprintf(p->buf + p->len, sizeof p->buf - p->len, "%s%.*s", p->len ? "." : "",
                     (int)(n > 200 ? 200 : n), k);
    if (w > 0)
        p->len = p->len + (size_t)w < sizeof p->buf ? p->len + (size_t)w : sizeof p->buf - 1;
    return old;
}

void isf_path_pop(struct path *p, size_t old)
{
    p->len = old;
    p->buf[old] = '\0';
}

/* Keeps the first error only; returns 0 (invalid) for the callers' ease. */
int isf_fail(struct isf_verdict *v, const struct path *p, const char *fmt, ...)
{
    va_list ap;
    if (!v || v->failed)
        return 0;
    v->failed = 1;
    int n = snprintf(v->why, sizeof v->why, "%s: ", p && p->len ? p->buf : "(document)");
    va_start(ap, fmt);
    vsnprintf(v->why + n, sizeof v->why - (size_t)n, fmt, ap);
    va_end(ap);
    return 0;
}

/* ------------------------------------------------------------ primitives */

const struct jn *isf_get(const struct jn *o, const char *key)
{
    const struct jn *hit = NULL;
    size_t n = strlen(key);
    for (const struct jn *c = o->first; c; c = c->next)
        if (c->klen == n && !memcmp(c->key, key, n))
            hit = c; /* last wins, as json.load keeps it */
    return hit;
}

static int is_integer(const struct jn *x)
{
    if (x->kind != J_NUM)
        return 0;
    if (!strpbrk(x->s, ".eE"))
        return 1;
    /* a float: integral ones count (no libm: beyond 2^53 every double is
     * integral, below it a cast through int64 tells) */
    double d = strtod(x->s, NULL);
    if (!isfinite(d))
        return 0;
    if (d >= 9007199254740992.0 || d <= -9007199254740992.0)
        return 1;
    return d == (double)(int64_t)d;
}

/* Python's re.search of "^(a|b|c)$": s is an alternative, optionally
 * followed by one newline. */
static int match_alts(const struct jn *x, const char *alts)
{
    size_t n = x->n;
    if (n && x->s[n - 1] == '\n')
        n--;
    for (const char *a = alts; *a;) {
        const char *e = strchr(a, '|');
        size_t k = e ? (size_t)(e - a) : strlen(a);
        if (k == n && !memcmp(a, x->s, n))
            return 1;
        a += k + (e != NULL);
    }
    return 0;
}

static int digits(const char *s, size_t n)
{
    if (!n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

/* "^P.[0-9]+.[0-9]+$" where P is a digit prefix pattern ("6" for formats,
 * "[0-9]+" for producer versions when P is NULL); '.' is any character but
 * a newline. */
static int match_version(const struct jn *x, const char *lead)
{
    for (int strip = 0; strip < 2; strip++) {
        size_t n = x->n;
        const char *s = x->s;
        if (strip) {
            if (!n || s[n - 1] != '\n')
                break;
            n--;
        }
        if (memchr(s, '\n', n))
            continue;
        /* lead, any, digits, any, digits: try every split */
        for (size_t a = 1; a < n; a++) {
            if (lead ? !(a == strlen(lead) && !memcmp(s, lead, a)) : !digits(s, a))
                continue;
            for (size_t b = a + 2; b + 2 <= n; b++)
                if (digits(s + a + 1, b - a - 1) && digits(s + b + 1, n - b - 1))
                    return 1;
        }
    }
    return 0;
}

static int match_hex(const struct jn *x)
{
    size_t n = x->n;
    if (n && x->s[n - 1] == '\n')
        n--;
    if (!n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = x->s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
            return 0;
    }
    return 1;
}

/* ------------------------------------------------------------ the schemas */

enum vt { T_ANY, T_INT, T_STR, T_BOOL, T_NUM, T_OBJ, T_ARR };

/* One property rule: its name, type, and (for strings) its pattern. */
struct prop {
    const char *name;
    enum vt type;
    const char *alts; /* "a|b" pattern of a string, or NULL */
};

static const char *type_name(enum vt t)
{
    static const char *const n[] = {"anything", "an integer", "a string", "a boolean",
                                    "a number", "an object", "an array"};
    return n[t];
}

static int has_type(const struct jn *x, enum vt t)
{
    switch (t) {
    case T_ANY: return 1;
    case T_INT: return is_integer(x);
    case T_STR: return x->kind == J_STR;
    case T_BOOL: return x->kind == J_BOOL;
    case T_NUM: return x->kind == J_NUM;
    case T_OBJ: return x->kind == J_OBJ;
    case T_ARR: return x->kind == J_ARR;
    }
    return 0;
}

/* properties (types, patterns), required and additionalProperties: false,
 * over an object (anything else passes, as in jsonschema). v NULL: only
 * tell, keep no error. */
static int check_obj(struct isf_verdict *v, struct path *p, const struct jn *x,
                     const struct prop *props, size_t nprops, const char *const *req)
{
    if (x->kind != J_OBJ)
        return 1;
    for (const struct jn *c = x->first; c; c = c->next) {
        size_t i;
        for (i = 0; i < nprops; i++)
            if (strlen(props[i].name) == c->klen && !memcmp(props[i].name, c->key, c->klen))
                break;
        if (i == nprops) {
            size_t o = isf_path_push(p, c->key, c->klen);
            isf_path_pop(p, o);
            return isf_fail(v, p, "unexpected key %.*s", (int)(c->klen > 100 ? 100 : c->klen), c->key);
        }
    }
    for (size_t i = 0; i < nprops; i++) {
        const struct jn *c = isf_get(x, props[i].name);
        if (!c)
            continue;
        if (!has_type(c, props[i].type)) {
            size_t o = isf_path_push(p, props[i].name, strlen(props[i].name));
            isf_fail(v, p, "not %s", type_name(props[i].type));
            isf_path_pop(p, o);
            return 0;
        }
        if (props[i].alts && !match_alts(c, props[i].alts)) {
            size_t o = isf_path_push(p, props[i].name, strlen(props[i].name));
            isf_fail(v, p, "'%.*s' is not one of %s", (int)(c->n > 64 ? 64 : c->n), c->s,
                 props[i].alts);
            isf_path_pop(p, o);
            return 0;
        }
    }
    for (size_t i = 0; req && req[i]; i++)
        if (!isf_get(x, req[i]))
            return isf_fail(v, p, "missing %s", req[i]);
    return 1;
}

static int check_type(struct isf_verdict *v, struct path *p, const struct jn *x, int depth);

static const struct prop p_pointer[] = {{"kind", T_STR, "pointer"}, {"base", T_STR, NULL},
                                        {"subtype", T_ANY, NULL}};
static const char *const r_pointer[] = {"kind", "subtype", NULL};
static const struct prop p_base[] = {{"kind", T_STR, "base"}, {"name", T_STR, NULL}};
static const char *const r_named[] = {"kind", "name", NULL};
static const struct prop p_array[] = {{"kind", T_STR, "array"}, {"subtype", T_ANY, NULL},
                                      {"count", T_INT, NULL}};
static const char *const r_array[] = {"kind", "subtype", "count", NULL};
static const struct prop p_struct[] = {{"kind", T_STR, "struct|class|union"},
                                       {"name", T_STR, NULL}};
static const struct prop p_enum[] = {{"kind", T_STR, "enum"}, {"name", T_STR, NULL}};
static const struct prop p_function[] = {{"kind", T_STR, "function"}};
static const char *const r_kind[] = {"kind", NULL};
static const struct prop p_bitfield[] = {{"kind", T_STR, "bitfield"},
                                         {"bit_position", T_INT, NULL},
                                         {"bit_length", T_INT, NULL},
                                         {"type", T_ANY, NULL}};
static const char *const r_bitfield[] = {"kind", "bit_position", "bit_length", "type", NULL};

#define N(a) (sizeof a / sizeof a[0])

/* One variant of type_descriptor (0..6); the kind is checked first, so
 * nested descriptors are walked only by the variant that can match. */
static int variant(struct isf_verdict *v, struct path *p, const struct jn *x, int k, int depth)
{
    size_t o;
    int ok;
    switch (k) {
    case 0:
        if (!check_obj(v, p, x, p_pointer, N(p_pointer), r_pointer))
            return 0;
        if (x->kind == J_OBJ && isf_get(x, "base"))
            v->seen_pointer_base = 1;
        if (x->kind != J_OBJ || !isf_get(x, "subtype"))
            return 1;
        o = isf_path_push(p, "subtype", 7);
        ok = check_type(v, p, isf_get(x, "subtype"), depth + 1);
        isf_path_pop(p, o);
        return ok;
    case 1: return check_obj(v, p, x, p_base, N(p_base), r_named);
    case 2:
        if (!check_obj(v, p, x, p_array, N(p_array), r_array))
            return 0;
        if (x->kind != J_OBJ || !isf_get(x, "subtype"))
            return 1;
        o = isf_path_push(p, "subtype", 7);
        ok = check_type(v, p, isf_get(x, "subtype"), depth + 1);
        isf_path_pop(p, o);
        return ok;
    case 3: return check_obj(v, p, x, p_struct, N(p_struct), r_named);
    case 4: return check_obj(v, p, x, p_enum, N(p_enum), r_named);
    case 5: return check_obj(v, p, x, p_function, N(p_function), r_kind);
    default: {
        if (!check_obj(v, p, x, p_bitfield, N(p_bitfield), r_bitfield))
            return 0;
        const struct jn *t = x->kind == J_OBJ ? isf_get(x, "type") : NULL;
        if (!t)
            return 1;
        /* oneOf [type_base, type_enum] */
        int m = check_obj(NULL, p, t, p_base, N(p_base), r_named) +
                check_obj(NULL, p, t, p_enum, N(p_enum), r_named);
        if (m == 1)
            return 1;
        o = isf_path_push(p, "type", 4);
        isf_fail(v, p, m ? "matches both a base and an enum type" : "not a base or enum type");
        isf_path_pop(p, o);
        return 0;
    }
    }
}

static const char *const kinds[] = {"pointer", "base", "array", "struct|class|union",
                                    "enum", "function", "bitfield"};

/* type_descriptor: exactly one of the seven variants. */
static int check_type(struct isf_verdict *v, struct path *p, const struct jn *x, int depth)
{
    if (depth > 48)
        return isf_fail(v, p, "type nested deeper than 48");
    if (x->kind != J_OBJ)
        return isf_fail(v, p, "a type must be an object (every kind would match)");
    const struct jn *k = isf_get(x, "kind");
    int which = -1;
    for (int i = 0; k && k->kind == J_STR && i < 7 && which < 0; i++)
        if (match_alts(k, kinds[i]))
            which = i;
    if (which < 0)
        return isf_fail(v, p, "kind %s%.*s%s is not a type kind", k && k->kind == J_STR ? "'" : "",
                    k && k->kind == J_STR ? (int)(k->n > 64 ? 64 : k->n) : 0,
                    k && k->kind == J_STR ? k->s : "", k ? (k->kind == J_STR ? "'" : "") : "missing");
    /* Only the variant of that kind can match (every variant pins kind). */
    return variant(v, p, x, which, depth);
}

static const struct prop p_btype[] = {{"size", T_INT, NULL},
                                      {"signed", T_BOOL, NULL},
                                      {"kind", T_STR, "void|int|float|char|bool"},
                                      {"endian", T_STR, "little|big"}};
static const char *const r_btype[] = {"size", "kind", "signed", "endian", NULL};
static const struct prop p_utype[] = {{"kind", T_STR, "struct|union|class"},
                                      {"size", T_INT, NULL},
                                      {"fields", T_OBJ, NULL}};
static const char *const r_utype[] = {"kind", "size", "fields", NULL};
static const struct prop p_field[] = {{"type", T_ANY, NULL}, {"offset", T_INT, NULL},
                                      {"anonymous", T_BOOL, NULL}};
static const char *const r_field[] = {"type", "offset", NULL};
static const struct prop p_enumt[] = {{"size", T_INT, NULL}, {"base", T_STR, NULL},
                                      {"constants", T_OBJ, NULL}};
static const char *const r_enumt[] = {"size", "base", "constants", NULL};
static const struct prop p_sym[] = {{"address", T_NUM, NULL}, {"linkage_name", T_STR, NULL},
                                    {"type", T_ANY, NULL}, {"constant_data", T_STR, NULL}};
static const char *const r_sym[] = {"address", NULL};

static int check_field(struct isf_verdict *v, struct path *p, const struct jn *f)
{
    if (!check_obj(v, p, f, p_field, N(p_field), r_field))
        return 0;
    if (f->kind != J_OBJ)
        return 1;
    if (isf_get(f, "anonymous") && !v->seen_anonymous) {
        v->seen_anonymous = 1;
        snprintf(v->first_anonymous, sizeof v->first_anonymous, "%s", p->buf);
    }
    size_t o = isf_path_push(p, "type", 4);
    int ok = check_type(v, p, isf_get(f, "type"), 0);
    isf_path_pop(p, o);
    return ok;
}

void isf_check_entry(struct isf_verdict *v, enum isf_sec s, const char *name, const struct jn *x)
{
    static const char *const secname[] = {"", "metadata", "base_types", "user_types", "enums",
                                          "symbols"};
    struct path p = {{0}, 0};
    isf_path_push(&p, secname[s], strlen(secname[s]));
    isf_path_push(&p, name, strlen(name));
    switch (s) {
    case ISF_SEC_BASE: check_obj(v, &p, x, p_btype, N(p_btype), r_btype); return;
    case ISF_SEC_ENUMS:
        if (!check_obj(v, &p, x, p_enumt, N(p_enumt), r_enumt) || x->kind != J_OBJ ||
            !isf_get(x, "constants"))
            return;
        for (const struct jn *c = isf_get(x, "constants")->first; c; c = c->next) {
            if (!is_integer(c)) {
                isf_path_push(&p, "constants", 9);
                isf_path_push(&p, c->key, c->klen);
                isf_fail(v, &p, "not an integer");
                return;
            }
        }
        return;
    case ISF_SEC_SYMS:
        if (!check_obj(v, &p, x, p_sym, N(p_sym), r_sym) || x->kind != J_OBJ || !isf_get(x, "type"))
            return;
        isf_path_push(&p, "type", 4);
        check_type(v, &p, isf_get(x, "type"), 0);
        return;
    case ISF_SEC_USER:
        if (!check_obj(v, &p, x, p_utype, N(p_utype), r_utype) || x->kind != J_OBJ)
            return;
        isf_path_push(&p, "fields", 6);
        for (const struct jn *c = isf_get(x, "fields")->first; c; c = c->next) {
            size_t o = isf_path_push(&p, c->key, c->klen);
            if (!check_field(v, &p, c))
                return;
            isf_path_pop(&p, o);
        }
        return;
    default: return;
    }
}

/* metadata, for format 6.<minor>.x. */
int isf_check_meta(struct isf_verdict *v, const struct jn *m, int minor)
{
    struct path p = {{0}, 0};
    isf_path_push(&p, "metadata", 8);
    if (m->kind != J_OBJ)
        return isf_fail(v, &p, "not an object");
    const char *os = isf_get(m, "windows") ? "windows" : isf_get(m, "linux") ? "linux"
                     : isf_get(m, "mac") ? "mac" : NULL;
    if (os && !strcmp(os, "mac") && minor < 2)
        return isf_fail(v, &p, "unexpected key mac");
    struct prop props[3] = {{"format", T_STR, NULL}, {"producer", T_OBJ, NULL},
                            {os ? os : "", T_OBJ, NULL}};
    const char *req[4] = {"format", minor >= 3 ? "producer" : NULL, NULL, NULL};
    if (os) {
        if (minor >= 3)
            req[2] = os;
        else
            req[1] = os;
    }
    if (!check_obj(v, &p, m, props, os ? 3 : 2, req))
        return 0;
    const struct jn *f = isf_get(m, "format");
    if (!match_version(f, "6")) {
        isf_path_push(&p, "format", 6);
        return isf_fail(v, &p, "'%.*s' does not match ^6.[0-9]+.[0-9]+$", (int)(f->n > 64 ? 64 : f->n),
                    f->s);
    }
    const struct jn *pr = isf_get(m, "producer");
    if (pr) {
        static const struct prop pp[] = {{"name", T_STR, NULL}, {"version", T_STR, NULL},
                                         {"datetime", T_STR, NULL}};
        static const char *const rp[] = {"name", "version", NULL};
        size_t o = isf_path_push(&p, "producer", 8);
        /* producer allows other keys (no additionalProperties) */
        for (size_t i = 0; i < N(pp); i++) {
            const struct jn *c = isf_get(pr, pp[i].name);
            if (c && c->kind != J_STR) {
                isf_path_push(&p, pp[i].name, strlen(pp[i].name));
                return isf_fail(v, &p, "not a string");
            }
        }
        for (size_t i = 0; minor >= 3 && rp[i]; i++)
            if (!isf_get(pr, rp[i]))
                return isf_fail(v, &p, "missing %s", rp[i]);
        if (minor >= 3 && !match_version(isf_get(pr, "version"), NULL)) {
            isf_path_push(&p, "version", 7);
            return isf_fail(v, &p, "does not match ^[0-9]+.[0-9]+.[0-9]+$");
        }
        isf_path_pop(&p, o);
    }
    if (!os)
        return 1;
    const struct jn *o = isf_get(m, os);
    isf_path_push(&p, os, strlen(os));
    if (!strcmp(os, "windows")) {
        static const struct prop pw[] = {{"pe", T_OBJ, NULL}, {"pdb", T_OBJ, NULL}};
        static const struct prop ppe[] = {{"major", T_INT, NULL}, {"minor", T_INT, NULL},
                                          {"revision", T_INT, NULL}, {"build", T_INT, NULL}};
        static const char *const rpe[] = {"major", "minor", "revision", NULL};
        static const struct prop ppdb[] = {{"GUID", T_STR, NULL}, {"age", T_INT, NULL},
                                           {"database", T_STR, NULL},
                                           {"machine_type", T_INT, NULL}};
        static const char *const rpdb[] = {"GUID", "age", "database", "machine_type", NULL};
        if (!check_obj(v, &p, o, pw, N(pw), NULL))
            return 0;
        if (isf_get(o, "pe")) {
            size_t k = isf_path_push(&p, "pe", 2);
            if (!check_obj(v, &p, isf_get(o, "pe"), ppe, N(ppe), rpe))
                return 0;
            isf_path_pop(&p, k);
        }
        if (isf_get(o, "pdb")) {
            isf_path_push(&p, "pdb", 3);
            return check_obj(v, &p, isf_get(o, "pdb"), ppdb, N(ppdb), rpdb);
        }
        return 1;
    }
    if (minor < 2)
        return 1;
    /* metadata_nix */
    static const struct prop pn[] = {{"symbols", T_ARR, NULL}, {"types", T_ARR, NULL}};
    static const struct prop pi[] = {{"kind", T_STR, "dwarf|symtab|system-map"},
                                     {"name", T_STR, NULL},
                                     {"hash_type", T_STR, "sha256"},
                                     {"hash_value", T_STR, NULL}};
    if (!check_obj(v, &p, o, pn, N(pn), NULL))
        return 0;
    for (int a = 0; a < 2; a++) {
        const struct jn *arr = isf_get(o, pn[a].name);
        if (!arr)
            continue;
        size_t k = isf_path_push(&p, pn[a].name, strlen(pn[a].name));
        int idx = 0;
        for (const struct jn *it = arr->first; it; it = it->next, idx++) {
            char num[24];
            size_t q = isf_path_push(&p, num, (size_t)snprintf(num, sizeof num, "%d", idx));
            if (it->kind != J_OBJ)
                return isf_fail(v, &p, "not an object");
            if (!check_obj(v, &p, it, pi, N(pi), NULL))
                return 0;
            const struct jn *hv = isf_get(it, "hash_value");
            if (hv && !match_hex(hv)) {
                isf_path_push(&p, "hash_value", 10);
                return isf_fail(v, &p, "not hexadecimal");
            }
            isf_path_pop(&p, q);
        }
        isf_path_pop(&p, k);
    }
    return 1;
}

