/* btf_isf.c - BTF + symbol addresses → ISF JSON, written as a stream.
 *
 * The blob is checked by scry_btf_check before libbpf parses it; after
 * that every type id, name offset and record this file reads through
 * libbpf is known to be inside the blob. What the check does not rule out
 * is a loop of references (a pointer to itself, typedefs that name each
 * other): every chain is followed at most SCRY_BTF_MAX_CHAIN steps. */
#include "symbols/btf_isf.h"

#include <bpf/btf.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "symbols/btf_check.h"
#include "symbols/sysmap.h"

/* ---------------------------------------------------------- string sets */

/* Names with a value, open addressing; the keys are borrowed. */
struct sset {
    const char **key;
    uint32_t *val;
    size_t cap, n;
};

static uint64_t str_hash(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 0x100000001b3ull;
    return h;
}

static size_t sset_slot(const struct sset *s, const char *k)
{
    size_t i = str_hash(k) & (s->cap - 1);
    while (s->key[i] && strcmp(s->key[i], k) != 0)
        i = (i + 1) & (s->cap - 1);
    return i;
}

/* 1 added, 0 already there, -1 out of memory. */
static int sset_put(struct sset *s, const char *k, uint32_t v)
{
    if ((s->n + 1) * 2 > s->cap) {
        struct sset g = {.cap = s->cap ? s->cap * 2 : 64};
        g.key = calloc(g.cap, sizeof *g.key);
        g.val = calloc(g.cap, sizeof *g.val);
        if (!g.key || !g.val) {
            free(g.key);
            free(g.val);
            return -1;
        }
        for (size_t i = 0; i < s->cap; i++)
            if (s->key[i]) {
                size_t j = sset_slot(&g, s->key[i]);
                g.key[j] = s->key[i];
                g.val[j] = s->val[i];
            }
        g.n = s->n;
        free(s->key);
        free(s->val);
        *s = g;
    }
    size_t i = sset_slot(s, k);
    if (s->key[i])
        return 0;
    s->key[i] = k;
    s->val[i] = v;
    s->n++;
    return 1;
}

static const uint32_t *sset_get(const struct sset *s, const char *k)
{
    if (!s->cap)
        return NULL;
    size_t i = sset_slot(s, k);
    return s->key[i] ? &s->val[i] : NULL;
}

static void sset_free(struct sset *s)
{
    free(s->key);
    free(s->val);
    memset(s, 0, sizeof *s);
}

/* ---------------------------------------------------------------- output */

struct w {
    struct btf *btf;
    uint32_t ntypes;
    int (*sink)(void *user, const void *data, size_t len);
    void *user;
    scry_status err; /* the first failure; every later write is skipped */
    uint64_t total;
    size_t used;
    struct sset bases, users, enums, vars;
    char **gen; /* generated names the sets point at */
    size_t ngen, capgen;
    unsigned char buf[1 << 16];
};

static void flush(struct w *w)
{
    if (w->err || !w->used)
        return;
    if (w->sink(w->user, w->buf, w->used) != 0)
        w->err = SCRY_ERR_IO; /* the sink set the message */
    w->used = 0;
}

static void put(struct w *w, const char *s, size_t n)
{
    if (w->err)
        return;
    w->total += n;
    if (w->total > SCRY_ISF_MAX_OUTPUT) {
        w->err = scry_err(SCRY_ERR_LIMIT, "ISF: output larger than %" PRIu64 " bytes",
                          SCRY_ISF_MAX_OUTPUT);
        return;
    }
    while (n) {
        if (w->used == sizeof w->buf) {
            flush(w);
            if (w->err)
                return;
        }
        size_t take = sizeof w->buf - w->used;
        if (take > n)
            take = n;
        memcpy(w->buf + w->used, s, take);
        w->used += take;
        s += take;
        n -= take;
    }
}

static void puts_(struct w *w, const char *s) { put(w, s, strlen(s)); }

static void putf(struct w *w, const char *fmt, ...) SCRY_PRINTF(2, 3);
static void putf(struct w *w, const char *fmt, ...)
{
    char b[160];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b, sizeof b, fmt, ap);
    va_end(ap);
    if (n > 0)
        put(w, b, (size_t)n < sizeof b ? (size_t)n : sizeof b - 1);
}

static void oom(struct w *w)
{
    if (!w->err)
        w->err = scry_err(SCRY_ERR_NOMEM, "ISF: out of memory");
}

/* A JSON string of a name. Only printable ASCII is accepted: Volatility
 * decodes the file as UTF-8, and kernel names are C identifiers anyway. */
static void put_str(struct w *w, const char *s, uint32_t id)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p > 0x7e) {
            if (!w->err)
                w->err = scry_err(SCRY_ERR_CORRUPT,
                                  "BTF: type %u: name holds byte 0x%02x (names must be printable "
                                  "ASCII)", id, *p);
            return;
        }
    put(w, "\"", 1);
    for (const char *p = s; *p;) {
        size_t n = strcspn(p, "\"\\");
        put(w, p, n);
        p += n;
        if (*p) {
            char esc[2] = {'\\', *p++};
            put(w, esc, 2);
        }
    }
    put(w, "\"", 1);
}

/* Writes ,"name" as the next key of an object unless name was written
 * already (BTF may repeat a member or constant name; a JSON object must
 * not): 1 written, 0 skipped (or out of memory, said on w). */
static int put_key_once(struct w *w, struct sset *seen, const char *name, uint32_t i,
                        uint32_t id, int *first)
{
    int r = sset_put(seen, name, i);
    if (r < 0)
        oom(w);
    if (r <= 0)
        return 0;
    if (!*first)
        puts_(w, ",");
    *first = 0;
    put_str(w, name, id);
    return 1;
}


/* ----------------------------------------------------------------- types */

static const struct btf_type *T(const struct w *w, uint32_t id)
{
    return btf__type_by_id(w->btf, id);
}

static const char *name_of(const struct w *w, uint32_t name_off)
{
    const char *n = btf__name_by_offset(w->btf, name_off);
    return n ? n : "";
}

/* A type's ISF name: its own, or "unnamed_btf_<id>" for an anonymous one.
 * keep: the generated name must outlive this call (it goes into a set). */
static const char *isf_name(struct w *w, uint32_t id, int keep)
{
    static _Thread_local char tmp[32];
    const char *n = name_of(w, T(w, id)->name_off);
    if (*n)
        return n;
    snprintf(tmp, sizeof tmp, "unnamed_btf_%u", id);
    if (!keep)
        return tmp;
    if (w->ngen == w->capgen) {
        size_t cap = w->capgen ? w->capgen * 2 : 256;
        char **g = realloc(w->gen, cap * sizeof *g);
        if (!g) {
            oom(w);
            return tmp;
        }
        w->gen = g;
        w->capgen = cap;
    }
    char *d = strdup(tmp);
    if (!d) {
        oom(w);
        return tmp;
    }
    w->gen[w->ngen++] = d;
    return d;
}

static void chain_error(struct w *w, uint32_t id)
{
    if (!w->err)
        w->err = scry_err(SCRY_ERR_CORRUPT,
                          "BTF: type %u: a chain of more than %d types (a reference loop?)", id,
                          SCRY_BTF_MAX_CHAIN);
}

/* Follows const/volatile/restrict/type tags (and typedefs when asked) to
 * the type they qualify; UINT32_MAX when the chain is too long. */
static uint32_t strip(struct w *w, uint32_t id, int typedefs)
{
    uint32_t start = id;
    for (int i = 0; i <= SCRY_BTF_MAX_CHAIN; i++) {
        if (id == 0)
            return 0;
        const struct btf_type *t = T(w, id);
        switch (btf_kind(t)) {
        case BTF_KIND_CONST: case BTF_KIND_VOLATILE: case BTF_KIND_RESTRICT:
        case BTF_KIND_TYPE_TAG:
            id = t->type;
            continue;
        case BTF_KIND_TYPEDEF:
            if (!typedefs)
                return id;
            id = t->type;
            continue;
        default:
            return id;
        }
    }
    chain_error(w, start);
    return UINT32_MAX;
}

static int is_aggregate(const struct w *w, uint32_t id)
{
    return id && id != UINT32_MAX && (btf_is_struct(T(w, id)) || btf_is_union(T(w, id)));
}

static void put_named(struct w *w, const char *kind, uint32_t id)
{
    putf(w, "{\"kind\":\"%s\",\"name\":", kind);
    put_str(w, isf_name(w, id, 0), id);
    puts_(w, "}");
}

/* A type descriptor ("type" of a field or symbol) for type id. */
static void put_ref(struct w *w, uint32_t id, int depth)
{
    for (; !w->err; depth++) {
        if (depth > SCRY_BTF_MAX_CHAIN) {
            chain_error(w, id);
            return;
        }
        if (id == 0) {
            puts_(w, "{\"kind\":\"base\",\"name\":\"void\"}");
            return;
        }
        const struct btf_type *t = T(w, id);
        switch (btf_kind(t)) {
        case BTF_KIND_INT: case BTF_KIND_FLOAT:
            put_named(w, "base", id);
            return;
        case BTF_KIND_PTR:
            puts_(w, "{\"kind\":\"pointer\",\"subtype\":");
            put_ref(w, t->type, depth + 1);
            puts_(w, "}");
            return;
        case BTF_KIND_ARRAY:
            putf(w, "{\"count\":%u,\"kind\":\"array\",\"subtype\":", btf_array(t)->nelems);
            put_ref(w, btf_array(t)->type, depth + 1);
            puts_(w, "}");
            return;
        case BTF_KIND_STRUCT: put_named(w, "struct", id); return;
        case BTF_KIND_UNION: put_named(w, "union", id); return;
        case BTF_KIND_ENUM: case BTF_KIND_ENUM64: put_named(w, "enum", id); return;
        case BTF_KIND_FWD: put_named(w, btf_kflag(t) ? "union" : "struct", id); return;
        case BTF_KIND_TYPEDEF: {
            /* A typedef of a struct or union is referred to by the name
             * of the last typedef before it (atomic_long_t → atomic64_t →
             * struct: "atomic64_t"; user_types holds a copy under it), as
             * dwarf2json does; any other typedef (enums included) is what
             * it stands for. */
            uint32_t to = strip(w, t->type, 0);
            if (to != 0 && to != UINT32_MAX && btf_is_typedef(T(w, to))) {
                id = to;
                continue;
            }
            if (is_aggregate(w, to)) {
                put_named(w, btf_is_struct(T(w, to)) ? "struct" : "union", id);
                return;
            }
            id = t->type;
            continue;
        }
        case BTF_KIND_CONST: case BTF_KIND_VOLATILE: case BTF_KIND_RESTRICT:
        case BTF_KIND_TYPE_TAG:
            id = t->type;
            continue;
        case BTF_KIND_FUNC: case BTF_KIND_FUNC_PROTO:
            puts_(w, "{\"kind\":\"function\"}");
            return;
        default: /* VAR, DATASEC, DECL_TAG are not types of anything */
            puts_(w, "{\"kind\":\"base\",\"name\":\"void\"}");
            return;
        }
    }
}

/* ----------------------------------------------------------------- sections */

static void put_base(struct w *w, const char *name, uint32_t id, const char *kind, int sign,
                     uint64_t size, int *first)
{
    int r = sset_put(&w->bases, name, id);
    if (r < 0)
        oom(w);
    if (r <= 0)
        return;
    if (!*first)
        puts_(w, ",");
    *first = 0;
    put_str(w, name, id);
    putf(w, ":{\"endian\":\"little\",\"kind\":\"%s\",\"signed\":%s,\"size\":%" PRIu64 "}", kind,
         sign ? "true" : "false", size);
}

static void base_types(struct w *w)
{
    int first = 1;
    puts_(w, "\"base_types\":{");
    for (uint32_t id = 1; id < w->ntypes && !w->err; id++) {
        const struct btf_type *t = T(w, id);
        if (btf_is_int(t)) {
            const char *n = isf_name(w, id, 1);
            unsigned enc = btf_int_encoding(t);
            const char *kind = enc & BTF_INT_BOOL                       ? "bool"
                               : (enc & BTF_INT_CHAR) || strstr(n, "char") ? "char"
                                                                          : "int";
            /* dwarf2json calls _Bool signed; BTF does not. */
            int sign = (enc & (BTF_INT_SIGNED | BTF_INT_BOOL)) != 0;
            put_base(w, n, id, kind, sign, t->size, &first);
        } else if (btf_is_float(t)) {
            put_base(w, isf_name(w, id, 1), id, "float", 1, t->size, &first);
        }
    }
    /* What every ISF has, and the integers enums name as their base. */
    static const struct {
        const char *name, *kind;
        int sign;
        unsigned size;
    } std[] = {
        {"pointer", "int", 0, 8},       {"void", "void", 0, 0},
        {"char", "char", 1, 1},         {"signed char", "char", 1, 1},
        {"unsigned char", "char", 0, 1}, {"short int", "int", 1, 2},
        {"short unsigned int", "int", 0, 2}, {"int", "int", 1, 4},
        {"unsigned int", "int", 0, 4},  {"long int", "int", 1, 8},
        {"long unsigned int", "int", 0, 8}, {"long long int", "int", 1, 8},
        {"long long unsigned int", "int", 0, 8}, {"_Bool", "bool", 0, 1},
    };
    for (size_t i = 0; i < sizeof std / sizeof std[0]; i++)
        put_base(w, std[i].name, 0, std[i].kind, std[i].sign, std[i].size, &first);
    puts_(w, "}");
}

/* A struct or union's body: {"fields":{...},"kind":...,"size":...}. */
static void put_body(struct w *w, uint32_t id)
{
    const struct btf_type *t = T(w, id);
    const struct btf_member *m = btf_members(t);
    uint16_t vlen = btf_vlen(t);
    struct sset fields = {0};
    char (*anon)[24] = NULL;
    unsigned nanon = 0;
    int first = 1;
    puts_(w, "{\"fields\":{");
    for (uint16_t i = 0; i < vlen && !w->err; i++) {
        const char *name = name_of(w, m[i].name_off);
        uint32_t bitoff = btf_member_bit_offset(t, i), bits = btf_member_bitfield_size(t, i);
        uint32_t to = strip(w, m[i].type, 1);
        if (to == UINT32_MAX)
            break;
        if (!btf_kflag(t) && to && btf_is_int(T(w, to))) {
            /* Old-style bitfields: the bits are the member type's. */
            const struct btf_type *it = T(w, to);
            if (btf_int_bits(it) && (btf_int_offset(it) || btf_int_bits(it) != it->size * 8)) {
                bits = btf_int_bits(it);
                bitoff += btf_int_offset(it);
            }
        }
        int anonymous = !*name;
        if (anonymous) {
            /* Only an anonymous struct or union is a member ISF can name. */
            if (!is_aggregate(w, to))
                continue;
            if (!anon && !(anon = calloc(vlen, sizeof *anon))) {
                oom(w);
                break;
            }
            snprintf(anon[nanon], sizeof anon[nanon], "unnamed_field_%u", nanon);
            name = anon[nanon++];
        }
        if (!put_key_once(w, &fields, name, i, id, &first))
            continue;
        if (bits) {
            putf(w, ":{\"offset\":%u,\"type\":{\"bit_length\":%u,\"bit_position\":%u,"
                    "\"kind\":\"bitfield\",\"type\":", bitoff / 8, bits, bitoff % 8);
            put_ref(w, m[i].type, 0);
            puts_(w, "}}");
        } else {
            putf(w, ":{\"offset\":%u,\"type\":", bitoff / 8);
            put_ref(w, m[i].type, 0);
            puts_(w, anonymous ? ",\"anonymous\":true}" : "}");
        }
    }
    putf(w, "},\"kind\":\"%s\",\"size\":%u}", btf_is_union(t) ? "union" : "struct", t->size);
    sset_free(&fields);
    free(anon);
}

static int put_key(struct w *w, struct sset *set, uint32_t id, int *first)
{
    const char *name = isf_name(w, id, 1);
    int r = sset_put(set, name, id);
    if (r < 0)
        oom(w);
    if (r <= 0 || w->err)
        return 0;
    if (!*first)
        puts_(w, ",");
    *first = 0;
    put_str(w, name, id);
    puts_(w, ":");
    return 1;
}

static void user_types(struct w *w)
{
    int first = 1;
    puts_(w, ",\"user_types\":{");
    for (uint32_t id = w->ntypes - 1; id > 0 && !w->err; id--)
        if (is_aggregate(w, id) && put_key(w, &w->users, id, &first))
            put_body(w, id);
    for (uint32_t id = w->ntypes - 1; id > 0 && !w->err; id--) {
        if (!btf_is_typedef(T(w, id)))
            continue;
        uint32_t to = strip(w, T(w, id)->type, 1);
        if (is_aggregate(w, to) && put_key(w, &w->users, id, &first))
            put_body(w, to);
    }
    /* Declared, never defined: an empty type, so a reference resolves. */
    for (uint32_t id = 1; id < w->ntypes && !w->err; id++)
        if (btf_is_fwd(T(w, id)) && put_key(w, &w->users, id, &first))
            putf(w, "{\"fields\":{},\"kind\":\"%s\",\"size\":0}",
                 btf_kflag(T(w, id)) ? "union" : "struct");
    puts_(w, "}");
}

static const char *enum_base(unsigned size, int sign)
{
    switch (size) {
    case 1: return sign ? "signed char" : "unsigned char";
    case 2: return sign ? "short int" : "short unsigned int";
    case 8: return sign ? "long int" : "long unsigned int";
    default: return sign ? "int" : "unsigned int";
    }
}

static void put_enum_body(struct w *w, uint32_t id)
{
    const struct btf_type *t = T(w, id);
    int sign = btf_kflag(t), first = 1;
    struct sset names = {0};
    /* pahole before 1.25 does not mark signed 64-bit enums: a constant
     * with the top bit set is taken as negative (DWARF calls such enums
     * "long int": PERF_CONTEXT_USER is -512, not 2^64 - 512). */
    for (uint16_t i = 0; !sign && btf_is_enum64(t) && i < btf_vlen(t); i++)
        sign = btf_enum64(t)[i].val_hi32 >> 31;
    putf(w, "{\"base\":\"%s\",\"constants\":{", enum_base(t->size, sign));
    for (uint16_t i = 0; i < btf_vlen(t) && !w->err; i++) {
        const char *n;
        uint64_t v;
        if (btf_is_enum(t)) {
            n = name_of(w, btf_enum(t)[i].name_off);
            v = sign ? (uint64_t)(int64_t)btf_enum(t)[i].val : (uint32_t)btf_enum(t)[i].val;
        } else {
            n = name_of(w, btf_enum64(t)[i].name_off);
            v = btf_enum64_value(&btf_enum64(t)[i]);
        }
        if (!put_key_once(w, &names, n, i, id, &first))
            continue;
        if (sign)
            putf(w, ":%" PRId64, (int64_t)v);
        else
            putf(w, ":%" PRIu64, v);
    }
    putf(w, "},\"size\":%u}", t->size);
    sset_free(&names);
}

static void enums(struct w *w)
{
    int first = 1;
    puts_(w, ",\"enums\":{");
    for (uint32_t id = w->ntypes - 1; id > 0 && !w->err; id--)
        if (btf_is_any_enum(T(w, id)) && put_key(w, &w->enums, id, &first))
            put_enum_body(w, id);
    puts_(w, "}");
}

/* The types BTF does not give for the symbols the Linux plugins read
 * (memscry's Linux profile and Volatility's pslist/pstree/psaux, lsmod,
 * mount and namespace walks): written as dwarf2json writes them from DWARF,
 * and only when the named type exists. */
enum how { AS_STRUCT, AS_CHARS, AS_ARRAY0, AS_BASE, AS_PTR, AS_PTR_PTR };
static const struct {
    const char *sym;
    enum how how;
    const char *type;
} sym_types[] = {
    {"init_task", AS_STRUCT, "task_struct"},
    {"init_files", AS_STRUCT, "files_struct"},
    {"init_mm", AS_STRUCT, "mm_struct"},
    {"init_fs", AS_STRUCT, "fs_struct"},
    {"init_nsproxy", AS_STRUCT, "nsproxy"},
    {"init_pid_ns", AS_STRUCT, "pid_namespace"},
    {"init_uts_ns", AS_STRUCT, "uts_namespace"},
    {"init_net", AS_STRUCT, "net"},
    {"init_cred", AS_STRUCT, "cred"},
    {"modules", AS_STRUCT, "list_head"},
    {"tty_drivers", AS_STRUCT, "list_head"},       /* linux.tty_check */
    {"socket_file_ops", AS_STRUCT, "file_operations"}, /* linux.sockstat */
    {"sockfs_dentry_operations", AS_STRUCT, "dentry_operations"}, /* linux.sockstat */
    {"net_namespace_list", AS_STRUCT, "list_head"}, /* linux.sockstat */
    {"keyboard_notifier_list", AS_STRUCT, "atomic_notifier_head"}, /* keyboard_notifiers */
    {"prog_idr", AS_STRUCT, "idr"},                /* linux.ebpf */
    {"log_buf_len", AS_BASE, "unsigned int"},      /* linux.kmsg (before 5.10) */
    {"prb", AS_PTR, "printk_ringbuffer"},          /* linux.kmsg */
    {"module_kset", AS_PTR, "kset"},               /* linux.check_modules */
    {"idt_table", AS_ARRAY0, "gate_desc"},         /* linux.check_idt */
    {"init_top_pgt", AS_ARRAY0, "pgd_t"},
    {"init_level4_pgt", AS_ARRAY0, "pgd_t"},
    {"swapper_pg_dir", AS_ARRAY0, "pgd_t"},
    {"linux_banner", AS_CHARS, "char"},
    {"linux_proc_banner", AS_CHARS, "char"},
    {"_text", AS_CHARS, "char"},
    {"_stext", AS_CHARS, "char"},
    {"_etext", AS_CHARS, "char"},
    {"_end", AS_CHARS, "char"},
    {"jiffies", AS_BASE, "long unsigned int"},
    {"jiffies_64", AS_BASE, "long long unsigned int"},
    {"cap_last_cap", AS_BASE, "int"},
    {"page_offset_base", AS_BASE, "long unsigned int"},
    {"vmemmap_base", AS_BASE, "long unsigned int"},
    {"vmalloc_base", AS_BASE, "long unsigned int"},
    {"max_pfn", AS_BASE, "long unsigned int"},
    {"mem_section", AS_PTR_PTR, "mem_section"},
};

/* 1 when a type was written. */
static int put_sym_type(struct w *w, const char *sym, uint64_t addr)
{
    for (size_t i = 0; i < sizeof sym_types / sizeof sym_types[0]; i++) {
        if (strcmp(sym_types[i].sym, sym) != 0)
            continue;
        const char *ty = sym_types[i].type;
        int is_base = sym_types[i].how == AS_BASE || sym_types[i].how == AS_CHARS;
        if (!sset_get(is_base ? &w->bases : &w->users, ty))
            return 0;
        puts_(w, ",\"type\":");
        switch (sym_types[i].how) {
        case AS_STRUCT: putf(w, "{\"kind\":\"struct\",\"name\":\"%s\"}", ty); break;
        case AS_CHARS: case AS_ARRAY0:
            putf(w, "{\"count\":0,\"kind\":\"array\",\"subtype\":{\"kind\":\"%s\",\"name\":\"%s\"}}",
                 is_base ? "base" : "struct", ty);
            break;
        case AS_BASE: putf(w, "{\"kind\":\"base\",\"name\":\"%s\"}", ty); break;
        case AS_PTR:
            putf(w, "{\"kind\":\"pointer\",\"subtype\":{\"kind\":\"struct\",\"name\":\"%s\"}}",
                 ty);
            break;
        case AS_PTR_PTR:
            putf(w, "{\"kind\":\"pointer\",\"subtype\":{\"kind\":\"pointer\",\"subtype\":"
                    "{\"kind\":\"struct\",\"name\":\"%s\"}}}", ty);
            break;
        }
        return 1;
    }
    const uint32_t *var = sset_get(&w->vars, sym);
    if (!var || (*var >> 31 && addr >= SCRY_KERNEL_MAP))
        return 0;
    puts_(w, ",\"type\":");
    put_ref(w, T(w, *var & ~(1u << 31))->type, 0);
    return 1;
}

static void put_base64(struct w *w, const uint8_t *p, size_t n)
{
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0) |
                     (i + 2 < n ? p[i + 2] : 0);
        char q[4] = {abc[v >> 18], abc[(v >> 12) & 63], i + 1 < n ? abc[(v >> 6) & 63] : '=',
                     i + 2 < n ? abc[v & 63] : '='};
        put(w, q, 4);
    }
}

static void symbols(struct w *w, const struct scry_btf_isf_in *in)
{
    /* Per-CPU variables: the only ones vmlinux BTF types (entries of the
     * .data..percpu DATASEC). Their symbols hold per-CPU offsets, below
     * the image map; a global of the same name elsewhere (cleanup_list) is
     * another variable, so the top bit marks a per-CPU entry. */
    for (uint32_t id = 1; id < w->ntypes && !w->err; id++) {
        const struct btf_type *t = T(w, id);
        if (!btf_is_datasec(t))
            continue;
        uint32_t percpu = strcmp(name_of(w, t->name_off), ".data..percpu") == 0 ? 1u << 31 : 0;
        const struct btf_var_secinfo *v = btf_var_secinfos(t);
        for (uint16_t i = 0; i < btf_vlen(t); i++) {
            const struct btf_type *var = T(w, v[i].type);
            if (btf_is_var(var) && sset_put(&w->vars, name_of(w, var->name_off), v[i].type | percpu) < 0)
                oom(w);
        }
    }
    int first = 1;
    puts_(w, ",\"symbols\":{");
    for (size_t i = 0; i < in->map->n && !w->err; i++) {
        const struct scry_sysmap_sym *s = &in->map->sym[i];
        if (!s->kept)
            continue;
        if (!first)
            puts_(w, ",");
        first = 0;
        put_str(w, s->name, 0);
        putf(w, ":{\"address\":%" PRIu64, s->addr);
        put_sym_type(w, s->name, s->addr);
        if (in->banner && strcmp(s->name, "linux_banner") == 0) {
            puts_(w, ",\"constant_data\":\"");
            put_base64(w, in->banner, in->banner_len);
            puts_(w, "\"");
        }
        puts_(w, "}");
    }
    puts_(w, "}");
}

scry_status scry_btf_isf_write(const struct scry_btf_isf_in *in,
                               int (*write)(void *user, const void *data, size_t len),
                               void *user)
{
    uint32_t ntypes;
    scry_status st = scry_btf_check(in->btf, in->btf_len, &ntypes);
    if (st != SCRY_OK)
        return st;
    struct w *w = calloc(1, sizeof *w);
    if (!w)
        return scry_err(SCRY_ERR_NOMEM, "ISF: out of memory");
    w->sink = write;
    w->user = user;
    w->btf = btf__new(in->btf, (uint32_t)in->btf_len);
    if (!w->btf) {
        free(w);
        return scry_err(SCRY_ERR_CORRUPT, "BTF: libbpf refused the blob (error %d)", errno);
    }
    w->ntypes = btf__type_cnt(w->btf);
    if (w->ntypes != ntypes)
        w->err = scry_err(SCRY_ERR_CORRUPT, "BTF: libbpf counts %u types, the check %u",
                          w->ntypes, ntypes);
    puts_(w, "{\"metadata\":{\"format\":\"6.2.0\",\"linux\":{\"symbols\":[{\"kind\":\"system-map\","
             "\"name\":");
    put_str(w, in->symbols_name ? in->symbols_name : "", 0);
    puts_(w, "}]},\"producer\":{\"name\":\"memscry\",\"version\":");
    char ver[96];
    snprintf(ver, sizeof ver, "%s+btf", in->producer_version ? in->producer_version : "");
    put_str(w, ver, 0);
    puts_(w, "}},");
    base_types(w);
    user_types(w);
    enums(w);
    symbols(w, in);
    puts_(w, "}\n");
    flush(w);
    st = w->err;
    btf__free(w->btf);
    sset_free(&w->bases);
    sset_free(&w->users);
    sset_free(&w->enums);
    sset_free(&w->vars);
    for (size_t i = 0; i < w->ngen; i++)
        free(w->gen[i]);
    free(w->gen);
    free(w);
    return st;
}
