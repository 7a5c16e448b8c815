/* isf_validate.c - the schema check's streaming half: builds each entry of
 * the four sections (and metadata) as a small tree from the token stream,
 * hands it to the rules (isf_schema.c) and drops it; see isf_validate.h for
 * the semantics followed. */
#include "symbols/isf_validate.h"

#include "symbols/isf_schema.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One entry's tree: at most this many nodes and bytes (a struct of a few
 * hundred fields is a few thousand nodes and well under 1 MiB). */
#define MAX_NODES (1u << 20)
#define MAX_TREE_BYTES ((size_t)64 << 20)

struct block {
    struct block *next;
    size_t used, cap;
    _Alignas(16) unsigned char data[];
};

struct isf_validator {
    struct block *blocks;
    size_t nodes, bytes; /* of the tree being built */
    int depth;          /* open containers, the root object at 1 */
    int root_obj;       /* the root is an object */
    int have[ISF_SEC_OTHER];
    enum isf_sec sec;       /* the section the current top-level value belongs to */
    int sec_obj;        /* ...and it is an object */
    const char *pkey;   /* the pending key inside the tree being built */
    size_t pklen;
    char *entry;        /* the name of the entry being built (section value at depth 3) */
    struct jn *cur;     /* the innermost open container of the tree being built */
    struct jn *tree;    /* the tree being built (entry, or metadata) */
    struct jn *meta;    /* metadata's tree, checked at the end */
    struct block *meta_blocks; /* ... and its memory */
    int oom;
    struct isf_verdict r; /* the first error, the 6.1 features met */
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
    return (v->depth == 1 && v->sec == ISF_SEC_META) ||
           (v->depth == 2 && v->sec_obj && v->sec != ISF_SEC_META && v->sec != ISF_SEC_OTHER);
}

static void tree_done(struct isf_validator *v)
{
    if (v->sec == ISF_SEC_META) {
        /* kept: checked against the format at the end; a repeated metadata
         * replaces the earlier one (last wins) */
        free_blocks(v->meta_blocks);
        v->meta = v->tree;
        v->meta_blocks = v->blocks;
        v->blocks = NULL;
    } else {
        isf_check_entry(&v->r, v->sec, v->entry ? v->entry : "", v->tree);
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
    if (v->depth == 1 && v->sec != ISF_SEC_META)
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
    } else if (v->depth == 1 && v->sec != ISF_SEC_META) {
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
        v->sec = ISF_SEC_OTHER;
        for (int i = 1; i < ISF_SEC_OTHER; i++)
            if (strlen(names[i]) == n && !memcmp(names[i], k, n))
                v->sec = (enum isf_sec)i;
        if (v->sec == ISF_SEC_OTHER) {
            struct path p = {{0}, 0};
            isf_fail(&v->r, &p, "unexpected key %.*s", (int)(n > 100 ? 100 : n), (const char *)k);
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
    *why = v->r.why;
    if (v->oom) {
        snprintf(v->r.why, sizeof v->r.why,
                 "too large to validate (an entry of more than %u values or %zu MiB)", MAX_NODES,
                 MAX_TREE_BYTES >> 20);
        return -1;
    }
    if (!v->root_obj)
        isf_fail(&v->r, &p, "not an object");
    for (int i = 1; i < ISF_SEC_OTHER && !v->r.failed; i++)
        if (!v->have[i])
            isf_fail(&v->r, &p, "missing %s", req[i]);
    if (v->r.failed)
        return 0;
    /* Volatility picks the schema by metadata.format; no format, or one
     * with no schema file, is invalid there. */
    const struct jn *f = v->meta && v->meta->kind == J_OBJ ? isf_get(v->meta, "format") : NULL;
    if (!f || f->kind != J_STR || !f->n) {
        isf_path_push(&p, "metadata.format", 15);
        isf_fail(&v->r, &p, "missing: no schema to validate against");
        return 0;
    }
    static const char *const old[] = {"0.1.0", "2.0.0", "2.1.0", "4.0.0", "4.1.0"};
    for (size_t i = 0; i < sizeof old / sizeof old[0]; i++) {
        if (f->n == 5 && !memcmp(f->s, old[i], 5)) {
            snprintf(v->r.why, sizeof v->r.why, "metadata.format: schema %s is not implemented", old[i]);
            return -1;
        }
    }
    int minor = f->n == 5 && !memcmp(f->s, "6.", 2) && f->s[3] == '.' && f->s[4] == '0' &&
                        f->s[2] >= '0' && f->s[2] <= '3'
                    ? f->s[2] - '0'
                    : -1;
    if (minor < 0) {
        isf_path_push(&p, "metadata.format", 15);
        isf_fail(&v->r, &p, "'%.*s' has no schema in Volatility 2.11.0", (int)(f->n > 32 ? 32 : f->n), f->s);
        return 0;
    }
    if (minor == 0 && v->r.seen_anonymous) {
        struct path q = {{0}, 0};
        isf_path_push(&q, v->r.first_anonymous, strlen(v->r.first_anonymous));
        isf_fail(&v->r, &q, "unexpected key anonymous (format 6.0.0)");
        return 0;
    }
    if (minor == 0 && v->r.seen_pointer_base) {
        isf_fail(&v->r, &p, "a pointer type with a base (not in format 6.0.0)");
        return 0;
    }
    return isf_check_meta(&v->r, v->meta, minor) ? 1 : 0;
}
