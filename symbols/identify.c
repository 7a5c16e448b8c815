/* identify.c - one streaming pass over an ISF for Volatility's identifier
 * cache row (see identify.h for the rules followed).
 *
 * The sink watches a handful of key paths ("slots": metadata.windows.pdb.GUID,
 * symbols.linux_banner.constant_data, ...) and the four counted sections.
 * Each slot keeps the kind and truthiness of its latest value, so Python's
 * expressions can be evaluated at the end exactly as json.load's dict would
 * answer them; a slot is reset with its descendants whenever its key occurs
 * again (last wins). */
#include "symbols/identify.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xxhash.h>

#include "symbols/isf_source.h"
#include "symbols/isf_validate.h"
#include "symbols/json_stream.h"
#include "symbols/pystr.h"
#include "symbols/zip.h"

/* ------------------------------------------------------------- slots */

enum slot {
    S_NONE,
    S_META, S_WIN, S_PDB, S_GUID, S_AGE, S_DB, S_FORMAT,
    S_SYMS, S_VERSION, S_VERSION_CD, S_LB, S_LB_CD, S_LB_ADDR,
    S_BASE, S_USER, S_ENUMS,
    S_COUNT
};

static const struct {
    enum slot parent;
    const char *key;
} slot_def[S_COUNT] = {
    [S_META] = {S_NONE, "metadata"},     [S_WIN] = {S_META, "windows"},
    [S_PDB] = {S_WIN, "pdb"},            [S_GUID] = {S_PDB, "GUID"},
    [S_AGE] = {S_PDB, "age"},            [S_DB] = {S_PDB, "database"},
    [S_FORMAT] = {S_META, "format"},     [S_SYMS] = {S_NONE, "symbols"},
    [S_VERSION] = {S_SYMS, "version"},   [S_VERSION_CD] = {S_VERSION, "constant_data"},
    [S_LB] = {S_SYMS, "linux_banner"},   [S_LB_CD] = {S_LB, "constant_data"},
    [S_LB_ADDR] = {S_LB, "address"},     [S_BASE] = {S_NONE, "base_types"},
    [S_USER] = {S_NONE, "user_types"},   [S_ENUMS] = {S_NONE, "enums"},
};

enum kind { K_ABSENT, K_NULL, K_BOOL, K_NUM, K_STR, K_ARR, K_OBJ };

struct val {
    enum kind kind;
    int truthy;
    uint8_t *s; /* string or number text (K_STR, K_NUM), malloc'd */
    size_t n;
};

/* Distinct keys of one section: 64-bit hashes in open addressing (0 is
 * the empty mark). Two different names sharing all 64 bits are counted
 * once: a 2^-64 chance per pair, far below any real ISF's size. */
struct keyset {
    uint64_t *slot;
    size_t mask, n;
};

struct ident {
    struct val v[S_COUNT];
    struct keyset keys[S_COUNT]; /* for the four sections */
    int64_t elems[S_COUNT];      /* element count of a section given as an array */
    int depth;                   /* open containers */
    /* per depth: the container's slot, whether it is a map, the pending key's slot */
    uint8_t cslot[SCRY_JSON_MAX_DEPTH + 2];
    uint8_t is_map[SCRY_JSON_MAX_DEPTH + 2];
    uint8_t pending[SCRY_JSON_MAX_DEPTH + 2];
    int root_kind;
    scry_status st; /* why the sink stopped */
};

static int is_section(int s) { return s == S_BASE || s == S_USER || s == S_ENUMS || s == S_SYMS; }

static void keyset_clear(struct keyset *k)
{
    free(k->slot);
    memset(k, 0, sizeof *k);
}

static int keyset_add(struct ident *d, struct keyset *k, const void *s, size_t n)
{
    uint64_t h = XXH3_64bits(s, n);
    if (!h)
        h = 1;
    if ((k->n + 1) * 2 > k->mask + 1 || !k->slot) {
        size_t cap = k->slot ? (k->mask + 1) * 2 : 1024;
        uint64_t *v;
        if (k->n >= SCRY_IDENT_MAX_KEYS) {
            d->st = scry_err(SCRY_ERR_LIMIT, "more than %u keys in one section",
                             SCRY_IDENT_MAX_KEYS);
            return 0;
        }
        if (!(v = calloc(cap, sizeof *v))) {
            d->st = scry_err(SCRY_ERR_NOMEM, "out of memory");
            return 0;
        }
        for (size_t i = 0; k->slot && i <= k->mask; i++) {
            if (!k->slot[i])
                continue;
            size_t j = (size_t)k->slot[i] & (cap - 1);
            while (v[j])
                j = (j + 1) & (cap - 1);
            v[j] = k->slot[i];
        }
        free(k->slot);
        k->slot = v;
        k->mask = cap - 1;
    }
    size_t j = (size_t)h & k->mask;
    while (k->slot[j]) {
        if (k->slot[j] == h)
            return 1;
        j = (j + 1) & k->mask;
    }
    k->slot[j] = h;
    k->n++;
    return 1;
}

static int descends_from(int s, int anc)
{
    for (; s != S_NONE; s = slot_def[s].parent)
        if (s == anc)
            return 1;
    return 0;
}

/* A new value for slot s: it and everything below it start over. */
static void reset_slot(struct ident *d, int s)
{
    for (int i = 1; i < S_COUNT; i++) {
        if (!descends_from(i, s))
            continue;
        free(d->v[i].s);
        memset(&d->v[i], 0, sizeof d->v[i]);
        keyset_clear(&d->keys[i]);
        d->elems[i] = 0;
    }
}

static int child_slot(int parent, const unsigned char *key, size_t n)
{
    for (int i = 1; i < S_COUNT; i++)
        if ((int)slot_def[i].parent == parent && strlen(slot_def[i].key) == n &&
            memcmp(slot_def[i].key, key, n) == 0)
            return i;
    return S_NONE;
}

/* Every value starts here (before a container is entered): the slot it
 * fills, if any, is reset and takes its kind; the container it is in
 * becomes non-empty (truthy) and, for a section given as an array, one
 * element longer. Returns the value's slot. */
static int value_start(struct ident *d, enum kind kind)
{
    int s = S_NONE;
    if (d->depth == 0) {
        d->root_kind = kind;
        return S_NONE;
    }
    int c = d->cslot[d->depth];
    if (d->is_map[d->depth]) {
        s = d->pending[d->depth];
    } else {
        if (c)
            d->v[c].truthy = 1;
        if (is_section(c))
            d->elems[c]++;
    }
    if (s) {
        reset_slot(d, s);
        d->v[s].kind = kind;
    }
    return s;
}

static int set_text(struct ident *d, int s, const void *p, size_t n)
{
    if (!(d->v[s].s = malloc(n + 1))) {
        d->st = scry_err(SCRY_ERR_NOMEM, "out of memory");
        return 0;
    }
    memcpy(d->v[s].s, p, n);
    d->v[s].s[n] = '\0';
    d->v[s].n = n;
    return 1;
}

static int on_null(void *ctx)
{
    value_start(ctx, K_NULL);
    return 1;
}

static int on_bool(void *ctx, int b)
{
    struct ident *d = ctx;
    int s = value_start(d, K_BOOL);
    if (s)
        d->v[s].truthy = b;
    return 1;
}

/* A JSON number is falsy only when it is zero: every digit 0. */
static int num_truthy(const char *t, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (t[i] == 'e' || t[i] == 'E')
            break;
        if (t[i] >= '1' && t[i] <= '9')
            return 1;
    }
    return 0;
}

static int on_number(void *ctx, const char *t, size_t n)
{
    struct ident *d = ctx;
    int s = value_start(d, K_NUM);
    if (!s)
        return 1;
    d->v[s].truthy = num_truthy(t, n);
    return s == S_AGE || s == S_LB_ADDR ? set_text(d, s, t, n) : 1;
}

/* Code points in valid UTF-8 (the tokenizer's output). */
static int64_t utf8_len(const unsigned char *s, size_t n)
{
    int64_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += (s[i] & 0xc0) != 0x80;
    return k;
}

static int on_string(void *ctx, const unsigned char *str, size_t n)
{
    struct ident *d = ctx;
    int s = value_start(d, K_STR);
    if (!s)
        return 1;
    d->v[s].truthy = n > 0;
    if (is_section(s)) {
        d->elems[s] = utf8_len(str, n); /* len() of a str */
        return 1;
    }
    return set_text(d, s, str, n);
}

static int open_container(struct ident *d, int is_map)
{
    int s = value_start(d, is_map ? K_OBJ : K_ARR);
    if (d->depth >= SCRY_JSON_MAX_DEPTH) {
        d->st = scry_err(SCRY_ERR_LIMIT, "JSON nested deeper than %d", SCRY_JSON_MAX_DEPTH);
        return 0;
    }
    d->depth++;
    d->cslot[d->depth] = (uint8_t)s;
    d->is_map[d->depth] = (uint8_t)is_map;
    d->pending[d->depth] = S_NONE;
    return 1;
}

static int on_map_start(void *ctx) { return open_container(ctx, 1); }
static int on_array_start(void *ctx) { return open_container(ctx, 0); }

static int on_end(void *ctx)
{
    struct ident *d = ctx;
    d->depth--;
    return 1;
}

static int on_key(void *ctx, const unsigned char *key, size_t n)
{
    struct ident *d = ctx;
    int c = d->cslot[d->depth];
    if (d->depth == 1 && d->root_kind == K_OBJ) {
        d->pending[1] = (uint8_t)child_slot(S_NONE, key, n);
        return 1;
    }
    if (c)
        d->v[c].truthy = 1;
    if (is_section(c) && !keyset_add(d, &d->keys[c], key, n))
        return 0;
    /* Below a watched object, only watched names matter. */
    d->pending[d->depth] = c ? (uint8_t)child_slot(c, key, n) : S_NONE;
    return 1;
}

static const struct scry_json_sink sink = {
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

/* ---------------------------------------------------- Python's answers */

/* Python's `x.get(key, {})` chain: a present value that is not a dict
 * raises AttributeError when .get is called on it. */
static scry_status must_be_dict(const struct val *v, const char *path)
{
    if (v->kind == K_ABSENT || v->kind == K_OBJ)
        return SCRY_OK;
    return scry_err(SCRY_ERR_CORRUPT, "%s is not an object", path);
}

static scry_status windows_id(struct ident *d, struct scry_isf_ident *out)
{
    const struct val *g = &d->v[S_GUID], *a = &d->v[S_AGE], *db = &d->v[S_DB];
    scry_status st;
    if ((st = must_be_dict(&d->v[S_META], "metadata")) ||
        (st = must_be_dict(&d->v[S_WIN], "metadata.windows")))
        return st;
    if (!d->v[S_PDB].truthy)
        return SCRY_OK;
    if (d->v[S_PDB].kind != K_OBJ)
        return scry_err(SCRY_ERR_CORRUPT, "metadata.windows.pdb is not an object");
    if (!g->truthy || !a->truthy || !db->truthy)
        return SCRY_OK;
    if (g->kind != K_STR || db->kind != K_STR)
        return scry_err(SCRY_ERR_CORRUPT, "metadata.windows.pdb: GUID or database is not a string");
    /* str(age): an integer's decimal text, a string as it is, True. Other
     * types (floats, containers) are refused rather than imitating repr. */
    const char *age = NULL;
    size_t agelen = 0;
    if (a->kind == K_BOOL) {
        age = "True";
        agelen = 4;
    } else if (a->kind == K_STR) {
        age = (const char *)a->s;
        agelen = a->n;
    } else if (a->kind == K_NUM && !strpbrk((const char *)a->s, ".eE")) {
        age = (const char *)a->s;
        agelen = a->n;
        if (!strcmp(age, "-0")) /* int("-0") prints as 0 */
            age = "0", agelen = 1;
    } else {
        return scry_err(SCRY_ERR_CORRUPT, "metadata.windows.pdb.age is not an integer");
    }
    /* latin-1 takes at most 2 bytes per code point (ß -> SS). */
    size_t cap = db->n + 2 * g->n + agelen + 3, k = 0;
    uint8_t *id = malloc(cap);
    struct val av = {.kind = K_STR, .s = (uint8_t *)age, .n = agelen};
    if (!id)
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    int ok = scry_py_latin1(db->s, db->n, 0, id, &k);
    if (ok)
        id[k++] = '|', ok = scry_py_latin1(g->s, g->n, 1, id, &k);
    if (ok)
        id[k++] = '|', ok = scry_py_latin1(av.s, av.n, 0, id, &k);
    if (!ok) {
        free(id);
        return scry_err(SCRY_ERR_CORRUPT,
                        "metadata.windows.pdb: a character outside latin-1 in the identifier");
    }
    out->os = "windows";
    out->id = id;
    out->id_len = k;
    return SCRY_OK;
}

/* symbols.<name>.constant_data, base64-decoded, for the Mac and Linux
 * extractors. */
static scry_status banner_id(struct ident *d, int obj, int cd, const char *name, const char *os,
                             struct scry_isf_ident *out)
{
    char path[64];
    scry_status st;
    const struct val *v = &d->v[cd];
    snprintf(path, sizeof path, "symbols.%s", name);
    if ((st = must_be_dict(&d->v[S_SYMS], "symbols")) || (st = must_be_dict(&d->v[obj], path)))
        return st;
    if (!v->truthy)
        return SCRY_OK;
    if (v->kind != K_STR)
        return scry_err(SCRY_ERR_CORRUPT, "%s.constant_data is not a string", path);
    uint8_t *id = malloc(v->n / 4 * 3 + 4);
    long n;
    if (!id)
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    if ((n = scry_b64decode_py(v->s, v->n, id)) < 0) {
        free(id);
        return scry_err(SCRY_ERR_CORRUPT, "%s.constant_data is not valid base64", path);
    }
    out->os = os;
    out->id = id;
    out->id_len = (size_t)n;
    return SCRY_OK;
}

static scry_status section_len(struct ident *d, int s, int64_t *n)
{
    switch (d->v[s].kind) {
    case K_ABSENT: *n = 0; return SCRY_OK;
    case K_OBJ: *n = (int64_t)d->keys[s].n; return SCRY_OK;
    case K_ARR: case K_STR: *n = d->elems[s]; return SCRY_OK;
    default:
        return scry_err(SCRY_ERR_CORRUPT, "%s is not an object", slot_def[s].key);
    }
}

/* Evaluates what Volatility's update() computes, in its order. */
static scry_status finish(struct ident *d, struct scry_isf_ident *out)
{
    scry_status st;
    if (d->root_kind != K_OBJ)
        return scry_err(SCRY_ERR_CORRUPT, "the JSON document is not an object");
    /* create_json_hash reads metadata.format first */
    if ((st = must_be_dict(&d->v[S_META], "metadata")))
        return st;
    if ((st = section_len(d, S_BASE, &out->nbase)) || (st = section_len(d, S_USER, &out->ntypes)) ||
        (st = section_len(d, S_ENUMS, &out->nenums)) ||
        (st = section_len(d, S_SYMS, &out->nsymbols)))
        return st;
    if (d->v[S_FORMAT].kind == K_STR && d->v[S_FORMAT].n < sizeof out->format)
        memcpy(out->format, d->v[S_FORMAT].s, d->v[S_FORMAT].n + 1);
    if (d->v[S_LB_ADDR].kind == K_NUM) {
        char *end;
        errno = 0;
        unsigned long long a = strtoull((const char *)d->v[S_LB_ADDR].s, &end, 10);
        if (!errno && *end == '\0' && d->v[S_LB_ADDR].s[0] != '-') {
            out->banner_address = a;
            out->has_banner_address = 1;
        }
    }
    if ((st = windows_id(d, out)) || out->os)
        return st;
    if ((st = banner_id(d, S_VERSION, S_VERSION_CD, "version", "mac", out)) || out->os)
        return st;
    return banner_id(d, S_LB, S_LB_CD, "linux_banner", "linux", out);
}

static void ident_free(struct ident *d)
{
    for (int i = 0; i < S_COUNT; i++) {
        free(d->v[i].s);
        keyset_clear(&d->keys[i]);
    }
    free(d);
}

/* ------------------------------------------- identify + validate (tee) */

struct tee {
    struct ident *d;
    struct isf_validator *v;
};

static int t_null(void *c)
{
    struct tee *t = c;
    return on_null(t->d) && isf_validator_sink.null(t->v);
}
static int t_bool(void *c, int b)
{
    struct tee *t = c;
    return on_bool(t->d, b) && isf_validator_sink.boolean(t->v, b);
}
static int t_number(void *c, const char *s, size_t n)
{
    struct tee *t = c;
    return on_number(t->d, s, n) && isf_validator_sink.number(t->v, s, n);
}
static int t_string(void *c, const unsigned char *s, size_t n)
{
    struct tee *t = c;
    return on_string(t->d, s, n) && isf_validator_sink.string(t->v, s, n);
}
static int t_map_start(void *c)
{
    struct tee *t = c;
    return on_map_start(t->d) && isf_validator_sink.map_start(t->v);
}
static int t_key(void *c, const unsigned char *s, size_t n)
{
    struct tee *t = c;
    return on_key(t->d, s, n) && isf_validator_sink.map_key(t->v, s, n);
}
static int t_end(void *c)
{
    struct tee *t = c;
    return on_end(t->d) && isf_validator_sink.map_end(t->v);
}
static int t_array_start(void *c)
{
    struct tee *t = c;
    return on_array_start(t->d) && isf_validator_sink.array_start(t->v);
}

static const struct scry_json_sink tee_sink = {
    .null = t_null,
    .boolean = t_bool,
    .number = t_number,
    .string = t_string,
    .map_start = t_map_start,
    .map_key = t_key,
    .map_end = t_end,
    .array_start = t_array_start,
    .array_end = t_end,
};

static scry_status run(struct isf_source *src, int validate, struct scry_isf_ident *out)
{
    struct ident *d = calloc(1, sizeof *d);
    struct tee t = {d, NULL};
    unsigned long line = 1;
    scry_status st;
    memset(out, 0, sizeof *out);
    if (!d)
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    if (validate && !(t.v = isf_validator_new())) {
        free(d);
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    }
    st = isf_source_open(src);
    if (st == SCRY_OK)
        st = t.v ? scry_json_parse_stream(isf_source_next, src, &tee_sink, &t, &line)
                 : scry_json_parse_stream(isf_source_next, src, &sink, d, &line);
    if (st == SCRY_ERR_CANCELLED)
        st = scry_err_ctx(d->st, "line %lu", line);
    if (st == SCRY_OK)
        st = finish(d, out);
    if (st == SCRY_OK && t.v) {
        const char *why;
        out->valid = isf_validator_result(t.v, &why);
        if (out->valid != 1 && !(out->why = strdup(why)))
            st = scry_err(SCRY_ERR_NOMEM, "out of memory");
    }
    ident_free(d);
    isf_validator_free(t.v);
    if (st != SCRY_OK)
        scry_isf_ident_free(out);
    return st;
}

static scry_status identify_mem(const void *buf, size_t len, int validate,
                                struct scry_isf_ident *out)
{
    struct isf_source *src;
    scry_status st;
    if (!out || (!buf && len))
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_isf_identify_mem: NULL argument");
    if ((st = isf_source_new(-1, buf, len, 0, &src)) != SCRY_OK)
        return st;
    st = run(src, validate, out);
    isf_source_free(src);
    return st;
}

scry_status scry_isf_identify_mem(const void *buf, size_t len, struct scry_isf_ident *out)
{
    return identify_mem(buf, len, 0, out);
}

scry_status scry_isf_validate_mem(const void *buf, size_t len, struct scry_isf_ident *out)
{
    return identify_mem(buf, len, 1, out);
}

static scry_status identify_at(const char *path, const char *member, size_t max_member,
                               int validate, struct scry_isf_ident *out);

scry_status scry_isf_identify(const char *path, const char *member, size_t max_member,
                              struct scry_isf_ident *out)
{
    return identify_at(path, member, max_member, 0, out);
}

scry_status scry_isf_validate(const char *path, const char *member, size_t max_member,
                              struct scry_isf_ident *out)
{
    return identify_at(path, member, max_member, 1, out);
}

static scry_status identify_at(const char *path, const char *member, size_t max_member,
                               int validate, struct scry_isf_ident *out)
{
    struct isf_source *src;
    scry_status st;
    if (!path || !out)
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_isf_identify: NULL argument");
    if (member) {
        uint8_t *buf;
        size_t len;
        if ((st = scry_zip_read(path, member, max_member, &buf, &len)) != SCRY_OK)
            return st;
        st = identify_mem(buf, len, validate, out);
        free(buf);
        return st != SCRY_OK ? scry_err_ctx(st, "%s!%s", path, member) : st;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return scry_err(SCRY_ERR_IO, "cannot open ISF %s: %s", path, strerror(errno));
    if ((st = isf_source_new(fd, NULL, 0, 0, &src)) == SCRY_OK) {
        st = run(src, validate, out);
        isf_source_free(src);
    }
    close(fd);
    return st != SCRY_OK ? scry_err_ctx(st, "%s", path) : st;
}

void scry_isf_ident_free(struct scry_isf_ident *out)
{
    if (!out)
        return;
    free(out->id);
    free(out->why);
    memset(out, 0, sizeof *out);
}
