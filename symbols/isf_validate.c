/* isf_validate.c - Volatility's 6.x ISF schemas as code (see
 * isf_validate.h for the semantics followed). */
#include "symbols/isf_validate.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One entry's tree: at most this many nodes and bytes (a struct of a few
 * hundred fields is a few thousand nodes and well under 1 MiB). */
#define MAX_NODES (1u << 20)
#define MAX_TREE_BYTES ((size_t)64 << 20)

enum jk { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

struct jn {
    enum jk kind;
    const char *s; /* J_STR, J_NUM text; J_BOOL: "1"/"" */
    size_t n;
    const char *key; /* in an object: its key */
    size_t klen;
    struct jn *first, *last, *next, *parent;
};

struct block {
    struct block *next;
    size_t used, cap;
    _Alignas(16) unsigned char data[];
};

enum sec { SEC_NONE, SEC_META, SEC_BASE, SEC_USER, SEC_ENUMS, SEC_SYMS, SEC_OTHER };

struct isf_validator {
    struct block *blocks;
    size_t nodes, bytes; /* of the tree being built */
    int depth;          /* open containers, the root object at 1 */
    int root_obj;       /* the root is an object */
    int have[SEC_OTHER];
    enum sec sec;       /* the section the current top-level value belongs to */
    int sec_obj;        /* ...and it is an object */
    const char *pkey;   /* the pending key inside the tree being built */
    size_t pklen;
    char *entry;        /* the name of the entry being built (section value at depth 3) */
    struct jn *cur;     /* the innermost open container of the tree being built */
    struct jn *tree;    /* the tree being built (entry, or metadata) */
    struct jn *meta;    /* metadata's tree, checked at the end */
    struct block *meta_blocks; /* ... and its memory */
    int seen_anonymous, seen_pointer_base; /* 6.1 features, checked against the format */
    char first60[512];  /* path of the first of them */
    int failed;         /* an error is kept */
    int oom;
    char why[1024];
};

/* ----------------------------------------------------------------- memory */

static void *alloc(struct isf_validator *v, size_t n)
{
    struct block *b = v->blocks;
    n = (n + 15) & ~(size_t)15;
    if (!b || b->cap - b->used < n) {
        size_t cap = n > 65536 ? n : 65536;
        if ((v->bytes += cap) > MAX_TREE_BYTES) {
            v->oom = 1;
            return NULL;
        }
        if (!(b = malloc(sizeof *b + cap))) {
            v->oom = 1;
            return NULL;
        }
        b->next = v->blocks;
        b->used = 0;
        b->cap = cap;
        v->blocks = b;
    }
    void *p = b->data + b->used;
    b->used += n;
    return p;
}

static void free_blocks(struct block *b)
{
    while (b) {
        struct block *n = b->next;
        free(b);
        b = n;
    }
}

static const char *dup(struct isf_validator *v, const void *s, size_t n)
{
    char *p = alloc(v, n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

/* ----------------------------------------------------------------- errors */

struct path {
    char buf[512];
    size_t len;
};

static size_t path_push(struct path *p, const char *k, size_t n)
{
    size_t old = p->len;
    int w = snprintf(p->buf + p->len, sizeof p->buf - p->len, "%s%.*s", p->len ? "." : "",
                     (int)(n > 200 ? 200 : n), k);
    if (w > 0)
        p->len = p->len + (size_t)w < sizeof p->buf ? p->len + (size_t)w : sizeof p->buf - 1;
    return old;
}

static void path_pop(struct path *p, size_t old)
{
    p->len = old;
    p->buf[old] = '\0';
}

/* Keeps the first error only; returns 0 (invalid) for the callers' ease. */
static int fail(struct isf_validator *v, const struct path *p, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(struct isf_validator *v, const struct path *p, const char *fmt, ...)
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

static const struct jn *get(const struct jn *o, const char *key)
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
static int check_obj(struct isf_validator *v, struct path *p, const struct jn *x,
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
            size_t o = path_push(p, c->key, c->klen);
            path_pop(p, o);
            return fail(v, p, "unexpected key %.*s", (int)(c->klen > 100 ? 100 : c->klen), c->key);
        }
    }
    for (size_t i = 0; i < nprops; i++) {
        const struct jn *c = get(x, props[i].name);
        if (!c)
            continue;
        if (!has_type(c, props[i].type)) {
            size_t o = path_push(p, props[i].name, strlen(props[i].name));
            fail(v, p, "not %s", type_name(props[i].type));
            path_pop(p, o);
            return 0;
        }
        if (props[i].alts && !match_alts(c, props[i].alts)) {
            size_t o = path_push(p, props[i].name, strlen(props[i].name));
            fail(v, p, "'%.*s' is not one of %s", (int)(c->n > 64 ? 64 : c->n), c->s,
                 props[i].alts);
            path_pop(p, o);
            return 0;
        }
    }
    for (size_t i = 0; req && req[i]; i++)
        if (!get(x, req[i]))
            return fail(v, p, "missing %s", req[i]);
    return 1;
}

static int check_type(struct isf_validator *v, struct path *p, const struct jn *x, int depth);

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
static int variant(struct isf_validator *v, struct path *p, const struct jn *x, int k, int depth)
{
    size_t o;
    int ok;
    switch (k) {
    case 0:
        if (!check_obj(v, p, x, p_pointer, N(p_pointer), r_pointer))
            return 0;
        if (x->kind == J_OBJ && get(x, "base"))
            v->seen_pointer_base = 1;
        if (x->kind != J_OBJ || !get(x, "subtype"))
            return 1;
        o = path_push(p, "subtype", 7);
        ok = check_type(v, p, get(x, "subtype"), depth + 1);
        path_pop(p, o);
        return ok;
    case 1: return check_obj(v, p, x, p_base, N(p_base), r_named);
    case 2:
        if (!check_obj(v, p, x, p_array, N(p_array), r_array))
            return 0;
        if (x->kind != J_OBJ || !get(x, "subtype"))
            return 1;
        o = path_push(p, "subtype", 7);
        ok = check_type(v, p, get(x, "subtype"), depth + 1);
        path_pop(p, o);
        return ok;
    case 3: return check_obj(v, p, x, p_struct, N(p_struct), r_named);
    case 4: return check_obj(v, p, x, p_enum, N(p_enum), r_named);
    case 5: return check_obj(v, p, x, p_function, N(p_function), r_kind);
    default: {
        if (!check_obj(v, p, x, p_bitfield, N(p_bitfield), r_bitfield))
            return 0;
        const struct jn *t = x->kind == J_OBJ ? get(x, "type") : NULL;
        if (!t)
            return 1;
        /* oneOf [type_base, type_enum] */
        int m = check_obj(NULL, p, t, p_base, N(p_base), r_named) +
                check_obj(NULL, p, t, p_enum, N(p_enum), r_named);
        if (m == 1)
            return 1;
        o = path_push(p, "type", 4);
        fail(v, p, m ? "matches both a base and an enum type" : "not a base or enum type");
        path_pop(p, o);
        return 0;
    }
    }
}

static const char *const kinds[] = {"pointer", "base", "array", "struct|class|union",
                                    "enum", "function", "bitfield"};

/* type_descriptor: exactly one of the seven variants. */
static int check_type(struct isf_validator *v, struct path *p, const struct jn *x, int depth)
{
    if (depth > 48)
        return fail(v, p, "type nested deeper than 48");
    if (x->kind != J_OBJ)
        return fail(v, p, "a type must be an object (every kind would match)");
    const struct jn *k = get(x, "kind");
    int which = -1;
    for (int i = 0; k && k->kind == J_STR && i < 7 && which < 0; i++)
        if (match_alts(k, kinds[i]))
            which = i;
    if (which < 0)
        return fail(v, p, "kind %s%.*s%s is not a type kind", k && k->kind == J_STR ? "'" : "",
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

static int check_field(struct isf_validator *v, struct path *p, const struct jn *f)
{
    if (!check_obj(v, p, f, p_field, N(p_field), r_field))
        return 0;
    if (f->kind != J_OBJ)
        return 1;
    if (get(f, "anonymous") && !v->seen_anonymous) {
        v->seen_anonymous = 1;
        snprintf(v->first60, sizeof v->first60, "%s", p->buf);
    }
    size_t o = path_push(p, "type", 4);
    int ok = check_type(v, p, get(f, "type"), 0);
    path_pop(p, o);
    return ok;
}

static void check_entry(struct isf_validator *v, enum sec s, const char *name, const struct jn *x)
{
    static const char *const secname[] = {"", "metadata", "base_types", "user_types", "enums",
                                          "symbols"};
    struct path p = {{0}, 0};
    path_push(&p, secname[s], strlen(secname[s]));
    path_push(&p, name, strlen(name));
    switch (s) {
    case SEC_BASE: check_obj(v, &p, x, p_btype, N(p_btype), r_btype); return;
    case SEC_ENUMS:
        if (!check_obj(v, &p, x, p_enumt, N(p_enumt), r_enumt) || x->kind != J_OBJ ||
            !get(x, "constants"))
            return;
        for (const struct jn *c = get(x, "constants")->first; c; c = c->next) {
            if (!is_integer(c)) {
                path_push(&p, "constants", 9);
                path_push(&p, c->key, c->klen);
                fail(v, &p, "not an integer");
                return;
            }
        }
        return;
    case SEC_SYMS:
        if (!check_obj(v, &p, x, p_sym, N(p_sym), r_sym) || x->kind != J_OBJ || !get(x, "type"))
            return;
        path_push(&p, "type", 4);
        check_type(v, &p, get(x, "type"), 0);
        return;
    case SEC_USER:
        if (!check_obj(v, &p, x, p_utype, N(p_utype), r_utype) || x->kind != J_OBJ)
            return;
        path_push(&p, "fields", 6);
        for (const struct jn *c = get(x, "fields")->first; c; c = c->next) {
            size_t o = path_push(&p, c->key, c->klen);
            if (!check_field(v, &p, c))
                return;
            path_pop(&p, o);
        }
        return;
    default: return;
    }
}

/* metadata, for format 6.<minor>.x. */
static int check_meta(struct isf_validator *v, const struct jn *m, int minor)
{
    struct path p = {{0}, 0};
    path_push(&p, "metadata", 8);
    if (m->kind != J_OBJ)
        return fail(v, &p, "not an object");
    const char *os = get(m, "windows") ? "windows" : get(m, "linux") ? "linux"
                     : get(m, "mac") ? "mac" : NULL;
    if (os && !strcmp(os, "mac") && minor < 2)
        return fail(v, &p, "unexpected key mac");
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
    const struct jn *f = get(m, "format");
    if (!match_version(f, "6")) {
        path_push(&p, "format", 6);
        return fail(v, &p, "'%.*s' does not match ^6.[0-9]+.[0-9]+$", (int)(f->n > 64 ? 64 : f->n),
                    f->s);
    }
    const struct jn *pr = get(m, "producer");
    if (pr) {
        static const struct prop pp[] = {{"name", T_STR, NULL}, {"version", T_STR, NULL},
                                         {"datetime", T_STR, NULL}};
        static const char *const rp[] = {"name", "version", NULL};
        size_t o = path_push(&p, "producer", 8);
        /* producer allows other keys (no additionalProperties) */
        for (size_t i = 0; i < N(pp); i++) {
            const struct jn *c = get(pr, pp[i].name);
            if (c && c->kind != J_STR) {
                path_push(&p, pp[i].name, strlen(pp[i].name));
                return fail(v, &p, "not a string");
            }
        }
        for (size_t i = 0; minor >= 3 && rp[i]; i++)
            if (!get(pr, rp[i]))
                return fail(v, &p, "missing %s", rp[i]);
        if (minor >= 3 && !match_version(get(pr, "version"), NULL)) {
            path_push(&p, "version", 7);
            return fail(v, &p, "does not match ^[0-9]+.[0-9]+.[0-9]+$");
        }
        path_pop(&p, o);
    }
    if (!os)
        return 1;
    const struct jn *o = get(m, os);
    path_push(&p, os, strlen(os));
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
        if (get(o, "pe")) {
            size_t k = path_push(&p, "pe", 2);
            if (!check_obj(v, &p, get(o, "pe"), ppe, N(ppe), rpe))
                return 0;
            path_pop(&p, k);
        }
        if (get(o, "pdb")) {
            path_push(&p, "pdb", 3);
            return check_obj(v, &p, get(o, "pdb"), ppdb, N(ppdb), rpdb);
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
        const struct jn *arr = get(o, pn[a].name);
        if (!arr)
            continue;
        size_t k = path_push(&p, pn[a].name, strlen(pn[a].name));
        int idx = 0;
        for (const struct jn *it = arr->first; it; it = it->next, idx++) {
            char num[24];
            size_t q = path_push(&p, num, (size_t)snprintf(num, sizeof num, "%d", idx));
            if (it->kind != J_OBJ)
                return fail(v, &p, "not an object");
            if (!check_obj(v, &p, it, pi, N(pi), NULL))
                return 0;
            const struct jn *hv = get(it, "hash_value");
            if (hv && !match_hex(hv)) {
                path_push(&p, "hash_value", 10);
                return fail(v, &p, "not hexadecimal");
            }
            path_pop(&p, q);
        }
        path_pop(&p, k);
    }
    return 1;
}

/* ---------------------------------------------------------- the stream */

static struct jn *add_node(struct isf_validator *v, enum jk kind)
{
    struct jn *x;
    if (++v->nodes > MAX_NODES) {
        v->oom = 1;
        return NULL;
    }
    if (!(x = alloc(v, sizeof *x)))
        return NULL;
    memset(x, 0, sizeof *x);
    x->kind = kind;
    x->key = v->pkey;
    x->klen = v->pklen;
    x->parent = v->cur;
    if (v->cur) {
        if (v->cur->last)
            v->cur->last->next = x;
        else
            v->cur->first = x;
        v->cur->last = x;
    }
    v->pkey = NULL;
    v->pklen = 0;
    return x;
}

/* Is a value starting now part of a tree (an entry or metadata)? */
static int building(const struct isf_validator *v)
{
    return v->tree != NULL;
}

/* A value that begins a tree: metadata at depth 1, an entry at depth 2. */
static int starts_tree(const struct isf_validator *v)
{
    return (v->depth == 1 && v->sec == SEC_META) ||
           (v->depth == 2 && v->sec_obj && v->sec != SEC_META && v->sec != SEC_OTHER);
}

static void tree_done(struct isf_validator *v)
{
    if (v->sec == SEC_META) {
        /* kept: checked against the format at the end; a repeated metadata
         * replaces the earlier one (last wins) */
        free_blocks(v->meta_blocks);
        v->meta = v->tree;
        v->meta_blocks = v->blocks;
        v->blocks = NULL;
    } else {
        check_entry(v, v->sec, v->entry ? v->entry : "", v->tree);
        free_blocks(v->blocks);
        v->blocks = NULL;
    }
    v->tree = v->cur = NULL;
    v->nodes = v->bytes = 0;
    free(v->entry);
    v->entry = NULL;
}

static int scalar(void *ctx, enum jk kind, const char *s, size_t n)
{
    struct isf_validator *v = ctx;
    if (v->depth == 0)
        return 1; /* a scalar document: root_obj stays 0 */
    if (v->depth == 1 && v->sec != SEC_META)
        return 1; /* a section given as a scalar: no keyword applies */
    if (!building(v) && !starts_tree(v))
        return 1;
    int top = !building(v);
    struct jn *x = add_node(v, kind);
    if (!x)
        return 1; /* oom noted: the result is "unknown" */
    x->s = dup(v, s, n);
    x->n = n;
    if (top) {
        v->tree = x;
        tree_done(v);
    }
    return 1;
}

static int on_null(void *ctx) { return scalar(ctx, J_NULL, "", 0); }
static int on_bool(void *ctx, int b) { return scalar(ctx, J_BOOL, b ? "1" : "", b ? 1 : 0); }
static int on_number(void *ctx, const char *t, size_t n) { return scalar(ctx, J_NUM, t, n); }
static int on_string(void *ctx, const unsigned char *s, size_t n)
{
    return scalar(ctx, J_STR, (const char *)s, n);
}

static int open_c(void *ctx, enum jk kind)
{
    struct isf_validator *v = ctx;
    if (v->depth == 0) {
        v->root_obj = kind == J_OBJ;
    } else if (v->depth == 1 && v->sec != SEC_META) {
        v->sec_obj = kind == J_OBJ;
    } else if (building(v) || starts_tree(v)) {
        struct jn *x = add_node(v, kind);
        if (x) {
            if (!v->tree)
                v->tree = x;
            v->cur = x;
        }
    }
    v->depth++;
    return 1;
}

static int on_map_start(void *ctx) { return open_c(ctx, J_OBJ); }
static int on_array_start(void *ctx) { return open_c(ctx, J_ARR); }

static int on_end(void *ctx)
{
    struct isf_validator *v = ctx;
    v->depth--;
    if (building(v) && v->cur) {
        v->cur = v->cur->parent;
        if (!v->cur)
            tree_done(v);
    } else if (building(v) && !v->cur) {
        tree_done(v); /* out of memory mid-tree */
    }
    if (v->depth == 1)
        v->sec_obj = 0;
    return 1;
}

static int on_key(void *ctx, const unsigned char *k, size_t n)
{
    struct isf_validator *v = ctx;
    if (v->depth == 1 && v->root_obj) {
        static const char *const names[] = {NULL, "metadata", "base_types", "user_types",
                                            "enums", "symbols"};
        v->sec = SEC_OTHER;
        for (int i = 1; i < SEC_OTHER; i++)
            if (strlen(names[i]) == n && !memcmp(names[i], k, n))
                v->sec = (enum sec)i;
        if (v->sec == SEC_OTHER) {
            struct path p = {{0}, 0};
            fail(v, &p, "unexpected key %.*s", (int)(n > 100 ? 100 : n), (const char *)k);
        } else {
            v->have[v->sec] = 1;
        }
        return 1;
    }
    if (v->depth == 2 && !building(v) && starts_tree(v)) {
        free(v->entry);
        if (!(v->entry = strndup((const char *)k, n)))
            v->oom = 1;
        return 1;
    }
    if (building(v)) {
        v->pkey = dup(v, k, n);
        v->pklen = n;
    }
    return 1;
}

const struct scry_json_sink isf_validator_sink = {
    .null = on_null,
    .boolean = on_bool,
    .number = on_number,
    .string = on_string,
    .map_start = on_map_start,
    .map_key = on_key,
    .map_end = on_end,
    .array_start = on_array_start,
    .array_end = on_end,
};

struct isf_validator *isf_validator_new(void) { return calloc(1, sizeof(struct isf_validator)); }

void isf_validator_free(struct isf_validator *v)
{
    if (!v)
        return;
    free_blocks(v->blocks);
    free_blocks(v->meta_blocks);
    free(v->entry);
    free(v);
}

int isf_validator_result(struct isf_validator *v, const char **why)
{
    static const char *const req[] = {NULL, "metadata", "base_types", "user_types", "enums",
                                      "symbols"};
    struct path p = {{0}, 0};
    *why = v->why;
    if (v->oom) {
        snprintf(v->why, sizeof v->why,
                 "too large to validate (an entry of more than %u values or %zu MiB)", MAX_NODES,
                 MAX_TREE_BYTES >> 20);
        return -1;
    }
    if (!v->root_obj)
        fail(v, &p, "not an object");
    for (int i = 1; i < SEC_OTHER && !v->failed; i++)
        if (!v->have[i])
            fail(v, &p, "missing %s", req[i]);
    if (v->failed)
        return 0;
    /* Volatility picks the schema by metadata.format; no format, or one
     * with no schema file, is invalid there. */
    const struct jn *f = v->meta && v->meta->kind == J_OBJ ? get(v->meta, "format") : NULL;
    if (!f || f->kind != J_STR || !f->n) {
        path_push(&p, "metadata.format", 15);
        fail(v, &p, "missing: no schema to validate against");
        return 0;
    }
    static const char *const old[] = {"0.1.0", "2.0.0", "2.1.0", "4.0.0", "4.1.0"};
    for (size_t i = 0; i < N(old); i++) {
        if (f->n == 5 && !memcmp(f->s, old[i], 5)) {
            snprintf(v->why, sizeof v->why, "metadata.format: schema %s is not implemented", old[i]);
            return -1;
        }
    }
    int minor = f->n == 5 && !memcmp(f->s, "6.", 2) && f->s[3] == '.' && f->s[4] == '0' &&
                        f->s[2] >= '0' && f->s[2] <= '3'
                    ? f->s[2] - '0'
                    : -1;
    if (minor < 0) {
        path_push(&p, "metadata.format", 15);
        fail(v, &p, "'%.*s' has no schema in Volatility 2.11.0", (int)(f->n > 32 ? 32 : f->n), f->s);
        return 0;
    }
    if (minor == 0 && v->seen_anonymous) {
        struct path q = {{0}, 0};
        path_push(&q, v->first60, strlen(v->first60));
        fail(v, &q, "unexpected key anonymous (format 6.0.0)");
        return 0;
    }
    if (minor == 0 && v->seen_pointer_base) {
        fail(v, &p, "a pointer type with a base (not in format 6.0.0)");
        return 0;
    }
    return check_meta(v, v->meta, minor) ? 1 : 0;
}
