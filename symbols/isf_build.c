/* isf_build.c - the streaming builder that turns JSON events into tables.
 *
 * json_stream.c tokenizes the ISF text and calls the sink below for every
 * value; a small state machine (a stack of contexts: top level, base type,
 * user type, field, type reference, enum, symbol...) checks each value's
 * shape and writes base types, user types with their fields, enums with
 * their constants and symbols straight into the tables of isf_tables.h. No
 * JSON tree ever exists. Keys a context does not read are skipped, so
 * producers may add keys freely; malformed input stops the parse with a
 * message naming the line and the entry ("line 12: user type task_struct:
 * field pid: no offset"). A key given twice keeps its last value at every
 * level (a section, a type, a field, a symbol, a constant, "offset"...), as
 * Python's json module decides for Volatility. (YAJL drove the same state
 * machine 1.7x slower in instructions, so the tokenizer is our own.) */
#include "symbols/isf_tables.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Safety bounds. Real ISFs: ~150k symbols, ~10k user types, 244 fields at
 * most in one type. The bounds only stop hostile input from growing tables
 * (and the time to build them) without end. */
#define MAX_ENTRIES ((size_t)1 << 24) /* per table            */
#define MAX_FIELDS ((size_t)1 << 20)  /* per user type or enum */

enum ctx {
    C_ROOT, C_TOP, C_META, C_BASES, C_BASE, C_UTYPES, C_UTYPE, C_FIELDS, C_FIELD,
    C_TREF, C_ENUMS, C_ENUM, C_CONSTS, C_SYMS, C_SYM, C_END
};

enum key {
    K_NONE, K_IGNORE, K_ENTRY, K_METADATA, K_BASE_TYPES, K_USER_TYPES, K_ENUMS, K_SYMBOLS,
    K_FORMAT, K_SIZE, K_SIGNED, K_KIND, K_FIELDS, K_OFFSET, K_ANONYMOUS, K_TYPE, K_SUBTYPE,
    K_NAME, K_COUNT, K_BIT_POSITION, K_BIT_LENGTH, K_BASE, K_CONSTANTS, K_ADDRESS,
    K_CONSTANT_DATA
};

static const char *const key_names[] = {
    [K_METADATA] = "metadata", [K_BASE_TYPES] = "base_types", [K_USER_TYPES] = "user_types",
    [K_ENUMS] = "enums", [K_SYMBOLS] = "symbols", [K_FORMAT] = "format", [K_SIZE] = "size",
    [K_SIGNED] = "signed", [K_KIND] = "kind", [K_FIELDS] = "fields", [K_OFFSET] = "offset",
    [K_ANONYMOUS] = "anonymous", [K_TYPE] = "type", [K_SUBTYPE] = "subtype", [K_NAME] = "name",
    [K_COUNT] = "count", [K_BIT_POSITION] = "bit_position", [K_BIT_LENGTH] = "bit_length",
    [K_BASE] = "base", [K_CONSTANTS] = "constants", [K_ADDRESS] = "address",
    [K_CONSTANT_DATA] = "constant_data",
};

/* Which keys each context reads; anything else is skipped, so producers may
 * add keys (endian, linkage_name, producer...) freely. */
static const uint32_t ctx_keys[] = {
    [C_TOP] = 1u << K_METADATA | 1u << K_BASE_TYPES | 1u << K_USER_TYPES | 1u << K_ENUMS |
              1u << K_SYMBOLS,
    [C_META] = 1u << K_FORMAT,
    [C_BASE] = 1u << K_SIZE | 1u << K_SIGNED,
    [C_UTYPE] = 1u << K_SIZE | 1u << K_KIND | 1u << K_FIELDS,
    [C_FIELD] = 1u << K_OFFSET | 1u << K_ANONYMOUS | 1u << K_TYPE,
    [C_TREF] = 1u << K_KIND | 1u << K_NAME | 1u << K_COUNT | 1u << K_BIT_POSITION |
               1u << K_BIT_LENGTH | 1u << K_TYPE | 1u << K_SUBTYPE,
    [C_ENUM] = 1u << K_SIZE | 1u << K_BASE | 1u << K_CONSTANTS,
    [C_SYM] = 1u << K_ADDRESS | 1u << K_TYPE | 1u << K_CONSTANT_DATA,
};

/* Which contexts are maps of named entries, and what each entry is. */
static const uint8_t entry_ctx[] = {
    [C_BASES] = C_BASE, [C_UTYPES] = C_UTYPE, [C_FIELDS] = C_FIELD,
    [C_ENUMS] = C_ENUM, [C_SYMS] = C_SYM,     [C_CONSTS] = C_END, /* a number */
};

/* Called for every key of the 35 MB text: a length switch keeps it to one
 * memcmp. */
static enum key key_lookup(const unsigned char *s, size_t n)
{
#define IS(k) (memcmp(s, key_names[k], n) == 0 ? (k) : K_IGNORE)
    switch (n) {
    case 4:
        switch (s[0]) {
        case 's': return IS(K_SIZE);
        case 'k': return IS(K_KIND);
        case 't': return IS(K_TYPE);
        case 'n': return IS(K_NAME);
        case 'b': return IS(K_BASE);
        default: return K_IGNORE;
        }
    case 5: return s[0] == 'e' ? IS(K_ENUMS) : IS(K_COUNT);
    case 6:
        switch (s[0]) {
        case 'f': return s[1] == 'o' ? IS(K_FORMAT) : IS(K_FIELDS);
        case 's': return IS(K_SIGNED);
        case 'o': return IS(K_OFFSET);
        default: return K_IGNORE;
        }
    case 7:
        switch (s[0]) {
        case 's': return s[1] == 'y' ? IS(K_SYMBOLS) : IS(K_SUBTYPE);
        case 'a': return IS(K_ADDRESS);
        default: return K_IGNORE;
        }
    case 8: return IS(K_METADATA);
    case 9: return s[0] == 'a' ? IS(K_ANONYMOUS) : IS(K_CONSTANTS);
    case 10:
        switch (s[0]) {
        case 'b': return s[1] == 'a' ? IS(K_BASE_TYPES) : IS(K_BIT_LENGTH);
        case 'u': return IS(K_USER_TYPES);
        default: return K_IGNORE;
        }
    case 12: return IS(K_BIT_POSITION);
    case 13: return IS(K_CONSTANT_DATA);
    default: return K_IGNORE;
    }
#undef IS
}

/* What one type reference object has said so far. */
struct tpart {
    struct isf_tref t;
    unsigned have; /* 1 << K_xxx */
};

struct frame {
    uint8_t ctx, key;
};

struct builder {
    struct isf_tables *st;
    const unsigned long *line;
    struct frame fr[SCRY_JSON_MAX_DEPTH + 2];
    int depth;
    unsigned skip; /* depth inside a skipped value */
    unsigned seen; /* top-level sections, 1 << K_xxx */
    scry_status status;

    const char *entry;   /* the current base/user type, enum or symbol */
    const char *member;  /* the current field or enum constant */
    unsigned have;       /* the current entry's keys, 1 << K_xxx */
    unsigned fhave;      /* the current field's keys */
    uint64_t size;       /* base type, user type, enum */
    int is_signed;       /* base type */
    int ukind;           /* user type */
    const char *ebase;   /* enum */
    uint64_t address;    /* symbol */
    const struct isf_tref *stype;
    const uint8_t *cd;
    size_t cdlen;

    struct field fld; /* the current field */
    struct field *fields;
    size_t nfields, fcap;
    struct econst *consts;
    size_t nconsts, ccap;

    struct tpart tp[SCRY_JSON_MAX_DEPTH];
    int ntp;

    /* Names of the current type's fields or enum's constants, to find a
     * duplicate in O(1): generation-stamped, so a new type starts empty
     * without clearing the slots. */
    struct nslot *nx;
    size_t nxmask;
    uint32_t nxgen;
};

struct nslot {
    const char *name;
    uint32_t idx, gen;
};

/* Starts a new set of member names (a type's fields, an enum's constants). */
static void nx_reset(struct builder *b)
{
    if (++b->nxgen == 0) {
        if (b->nx)
            memset(b->nx, 0, (b->nxmask + 1) * sizeof *b->nx);
        b->nxgen = 1;
    }
}

static void nx_place(struct builder *b, const char *name, uint32_t idx)
{
    size_t i = isf_hash_str(name, strlen(name)) & b->nxmask;
    while (b->nx[i].gen == b->nxgen)
        i = (i + 1) & b->nxmask;
    b->nx[i] = (struct nslot){name, idx, b->nxgen};
}

/* The index of the member called name among the n already kept (arr: an
 * array of records of `stride` bytes whose first member is the name), or n
 * after recording name as the n-th; (size_t)-1 when out of memory. Python's
 * json module keeps the last value of a duplicated key at the key's first
 * place, and Volatility reads what it keeps, so a duplicate replaces. */
static size_t nx_find_add(struct builder *b, const char *name, const void *arr, size_t n,
                          size_t stride)
{
    if (!b->nx || (n + 1) * 2 > b->nxmask + 1) {
        size_t cap = b->nx ? (b->nxmask + 1) * 2 : 64;
        struct nslot *ns = calloc(cap, sizeof *ns);
        if (!ns)
            return (size_t)-1;
        free(b->nx);
        b->nx = ns;
        b->nxmask = cap - 1;
        b->nxgen = 1;
        for (size_t i = 0; i < n; i++)
            nx_place(b, *(const char *const *)(const void *)((const char *)arr + i * stride),
                     (uint32_t)i);
    }
    size_t i = isf_hash_str(name, strlen(name)) & b->nxmask;
    for (; b->nx[i].gen == b->nxgen; i = (i + 1) & b->nxmask)
        if (strcmp(b->nx[i].name, name) == 0)
            return b->nx[i].idx;
    b->nx[i] = (struct nslot){name, (uint32_t)n, b->nxgen};
    return n;
}

/* Writes a name into a message: clipped, non-printables as '?', so the
 * message stays one short line whatever the input holds. */
static void clip_name(char *out, size_t cap, const char *s)
{
    size_t i = 0;
    for (; s[i] && i + 4 < cap && i < 80; i++)
        out[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
    if (s[i] && i + 4 <= cap) {
        memcpy(out + i, "...", 3);
        i += 3;
    }
    out[i] = '\0';
}

/* Stops the parse: "line N: user type X: field Y: <what>". */
static int fail(struct builder *b, scry_status st, const char *fmt, ...) SCRY_PRINTF(3, 4);
static int fail(struct builder *b, scry_status st, const char *fmt, ...)
{
    char where[320] = "", nm[96], msg[256];
    size_t w = 0;
    va_list ap;
    for (int i = 0; i < b->depth; i++) {
        const char *label = NULL, *name = NULL;
        switch (b->fr[i].ctx) {
        case C_BASE: label = "base type", name = b->entry; break;
        case C_UTYPE: label = "user type", name = b->entry; break;
        case C_ENUM: label = "enum", name = b->entry; break;
        case C_SYM: label = "symbol", name = b->entry; break;
        case C_FIELD: label = "field", name = b->member; break;
        default: break;
        }
        if (b->fr[i].ctx == C_CONSTS && b->fr[i].key == K_ENTRY)
            label = "constant", name = b->member;
        if (label && name && w < sizeof where) {
            clip_name(nm, sizeof nm, name);
            w += (size_t)snprintf(where + w, sizeof where - w, "%s %s: ", label, nm);
        }
    }
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    b->status = scry_err(st, "line %lu: %s%s", *b->line, where, msg);
    return 0;
}

static int nomem(struct builder *b) { return fail(b, SCRY_ERR_NOMEM, "out of memory"); }

/* Makes room for one more element in arr (n used of *cap), doubling up to
 * MAX_FIELDS elements. Returns the (maybe moved) array, or NULL after
 * reporting the failure; `what` names the elements in the error. */
static void *grow(struct builder *b, void *arr, size_t n, size_t *cap, size_t elem, const char *what)
{
    size_t nc;
    void *p;
    if (n < *cap)
        return arr;
    if (*cap >= MAX_FIELDS) {
        fail(b, SCRY_ERR_CORRUPT, "more than %zu %s", MAX_FIELDS, what);
        return NULL;
    }
    nc = *cap ? *cap * 2 : 64;
    if (!(p = realloc(arr, nc * elem))) {
        nomem(b);
        return NULL;
    }
    *cap = nc;
    return p;
}

static int push(struct builder *b, enum ctx c)
{
    if (b->depth + 1 >= (int)(sizeof b->fr / sizeof *b->fr))
        return fail(b, SCRY_ERR_CORRUPT, "nesting deeper than %d levels", SCRY_JSON_MAX_DEPTH);
    b->fr[b->depth].ctx = (uint8_t)c;
    b->fr[b->depth].key = K_NONE;
    b->depth++;
    return 1;
}

static const char *what_key(const struct frame *f)
{
    return f->key < sizeof key_names / sizeof *key_names && key_names[f->key]
               ? key_names[f->key]
               : "value";
}

static int type_error(struct builder *b, const char *want)
{
    const struct frame *f = &b->fr[b->depth - 1];
    if (f->ctx == C_ROOT)
        return fail(b, SCRY_ERR_CORRUPT, "the ISF must be a JSON object");
    if (f->ctx == C_CONSTS)
        return fail(b, SCRY_ERR_CORRUPT, "%s", "value must be an integer");
    if (f->key == K_ENTRY) {
        char nm[96];
        const char *label = f->ctx == C_BASES    ? "base type"
                            : f->ctx == C_UTYPES ? "user type"
                            : f->ctx == C_FIELDS ? "field"
                            : f->ctx == C_ENUMS  ? "enum"
                                                 : "symbol";
        clip_name(nm, sizeof nm,
                  f->ctx == C_FIELDS ? (b->member ? b->member : "") : (b->entry ? b->entry : ""));
        return fail(b, SCRY_ERR_CORRUPT, "%s %s must be an object", label, nm);
    }
    return fail(b, SCRY_ERR_CORRUPT, "\"%s\" must be %s", what_key(f), want);
}

/* Unsigned decimal integer; 0 on success, else the reason. */
static const char *parse_u64(const char *s, size_t n, uint64_t *out)
{
    uint64_t v = 0;
    if (n && s[0] == '-')
        return "must not be negative";
    if (n == 0)
        return "must be an integer";
    for (size_t i = 0; i < n; i++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (d > 9)
            return "must be an integer";
        if (v > (UINT64_MAX - d) / 10)
            return "does not fit in 64 bits";
        v = v * 10 + d;
    }
    *out = v;
    return NULL;
}

/* Enum constants: signed, or unsigned up to 2^64-1 (DWARF gives unsigned
 * enumerators such as ~0UL); the latter keep their bits in the int64. */
static const char *parse_i64(const char *s, size_t n, int64_t *out)
{
    uint64_t v;
    const char *why;
    if (n && s[0] == '-') {
        why = parse_u64(s + 1, n - 1, &v);
        if (why)
            return why;
        if (v > (uint64_t)INT64_MAX + 1)
            return "does not fit in 64 bits";
        *out = (int64_t)(0 - v);
        return NULL;
    }
    why = parse_u64(s, n, &v);
    if (!why)
        *out = (int64_t)v;
    return why;
}

static int has_nul(const unsigned char *s, size_t n) { return memchr(s, 0, n) != NULL; }

static int b_map_key(void *ctx, const unsigned char *s, size_t n)
{
    struct builder *b = ctx;
    struct frame *f;
    if (b->skip)
        return 1;
    f = &b->fr[b->depth - 1];
    if (f->ctx < sizeof entry_ctx && entry_ctx[f->ctx]) {
        const char *name;
        if (has_nul(s, n))
            return fail(b, SCRY_ERR_CORRUPT, "a name holds a NUL character");
        /* Symbol and constant names are unique: copy them. Type and field
         * names recur in references: intern them. */
        if (f->ctx == C_SYMS || f->ctx == C_CONSTS)
            name = isf_arena_strdup(&b->st->arena, s, n);
        else
            name = isf_intern(b->st, s, n);
        if (!name)
            return nomem(b);
        if (f->ctx == C_FIELDS || f->ctx == C_CONSTS)
            b->member = name;
        else
            b->entry = name;
        f->key = K_ENTRY;
        return 1;
    }
    enum key k = key_lookup(s, n);
    if (k != K_IGNORE && !(f->ctx < sizeof ctx_keys / sizeof *ctx_keys &&
                           (ctx_keys[f->ctx] >> k & 1)))
        k = K_IGNORE;
    f->key = (uint8_t)k;
    return 1;
}

static int b_map_start(void *ctx)
{
    struct builder *b = ctx;
    struct frame *f;
    if (b->skip) {
        if (b->depth + (int)++b->skip > SCRY_JSON_MAX_DEPTH)
            return fail(b, SCRY_ERR_CORRUPT, "nesting deeper than %d levels",
                        SCRY_JSON_MAX_DEPTH);
        return 1;
    }
    f = &b->fr[b->depth - 1];
    if (f->key == K_IGNORE) {
        b->skip = 1;
        return 1;
    }
    switch (f->ctx) {
    case C_ROOT:
        return push(b, C_TOP);
    case C_TOP:
        if (b->seen >> f->key & 1) {
            /* A section given twice: the last one wins, whole. */
            switch (f->key) {
            case K_METADATA: b->st->format = NULL; break;
            case K_BASE_TYPES: isf_ht_free(&b->st->btypes); break;
            case K_USER_TYPES: isf_ht_free(&b->st->utypes); break;
            case K_ENUMS: isf_ht_free(&b->st->enums); break;
            default: /* K_SYMBOLS */
                isf_ht_free(&b->st->syms);
                isf_ht_free(&b->st->cdata);
                break;
            }
        }
        b->seen |= 1u << f->key;
        switch (f->key) {
        case K_METADATA: return push(b, C_META);
        case K_BASE_TYPES: return push(b, C_BASES);
        case K_USER_TYPES: return push(b, C_UTYPES);
        case K_ENUMS: return push(b, C_ENUMS);
        case K_SYMBOLS: return push(b, C_SYMS);
        default: break;
        }
        break;
    case C_BASES:
    case C_UTYPES:
    case C_ENUMS:
    case C_SYMS:
        b->have = 0;
        b->stype = NULL;
        b->cd = NULL;
        b->cdlen = 0;
        b->nfields = b->nconsts = 0;
        return push(b, (enum ctx)entry_ctx[f->ctx]);
    case C_FIELDS:
        memset(&b->fld, 0, sizeof b->fld);
        b->fld.name = b->member;
        b->fhave = 0;
        return push(b, C_FIELD);
    case C_UTYPE:
        if (f->key == K_FIELDS) {
            b->have |= 1u << K_FIELDS;
            b->nfields = 0;
            nx_reset(b);
            return push(b, C_FIELDS);
        }
        break;
    case C_ENUM:
        if (f->key == K_CONSTANTS) {
            b->have |= 1u << K_CONSTANTS;
            b->nconsts = 0;
            nx_reset(b);
            return push(b, C_CONSTS);
        }
        break;
    case C_FIELD:
    case C_SYM:
    case C_TREF:
        if (f->key == K_TYPE || f->key == K_SUBTYPE) {
            if (b->ntp == SCRY_JSON_MAX_DEPTH)
                return fail(b, SCRY_ERR_CORRUPT, "nesting deeper than %d levels",
                            SCRY_JSON_MAX_DEPTH);
            memset(&b->tp[b->ntp], 0, sizeof b->tp[b->ntp]);
            b->ntp++;
            return push(b, C_TREF);
        }
        break;
    default:
        break;
    }
    return type_error(b, "a value other than an object");
}

static int b_array_start(void *ctx)
{
    struct builder *b = ctx;
    if (b->skip) {
        if (b->depth + (int)++b->skip > SCRY_JSON_MAX_DEPTH)
            return fail(b, SCRY_ERR_CORRUPT, "nesting deeper than %d levels",
                        SCRY_JSON_MAX_DEPTH);
        return 1;
    }
    if (b->fr[b->depth - 1].key == K_IGNORE) {
        b->skip = 1;
        return 1;
    }
    return type_error(b, "an object or a scalar, not an array");
}

static int skip_end(struct builder *b)
{
    b->skip--;
    return 1;
}

static int b_array_end(void *ctx)
{
    struct builder *b = ctx;
    if (b->skip)
        return skip_end(b);
    return fail(b, SCRY_ERR_CORRUPT, "unbalanced ']'"); /* a tokenizer bug */
}

static const struct {
    const char *name;
    enum scry_tkind kind;
} tkinds[] = {
    {"base", SCRY_T_BASE},   {"pointer", SCRY_T_POINTER},   {"array", SCRY_T_ARRAY},
    {"struct", SCRY_T_STRUCT}, {"union", SCRY_T_UNION},     {"class", SCRY_T_CLASS},
    {"enum", SCRY_T_ENUM},   {"bitfield", SCRY_T_BITFIELD}, {"function", SCRY_T_FUNCTION},
};

static int tkind_of(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < sizeof tkinds / sizeof *tkinds; i++)
        if (strlen(tkinds[i].name) == n && memcmp(tkinds[i].name, s, n) == 0)
            return tkinds[i].kind;
    return 0;
}

static const int8_t b64val[256] = {
    ['A'] = 1,  ['B'] = 2,  ['C'] = 3,  ['D'] = 4,  ['E'] = 5,  ['F'] = 6,  ['G'] = 7,
    ['H'] = 8,  ['I'] = 9,  ['J'] = 10, ['K'] = 11, ['L'] = 12, ['M'] = 13, ['N'] = 14,
    ['O'] = 15, ['P'] = 16, ['Q'] = 17, ['R'] = 18, ['S'] = 19, ['T'] = 20, ['U'] = 21,
    ['V'] = 22, ['W'] = 23, ['X'] = 24, ['Y'] = 25, ['Z'] = 26, ['a'] = 27, ['b'] = 28,
    ['c'] = 29, ['d'] = 30, ['e'] = 31, ['f'] = 32, ['g'] = 33, ['h'] = 34, ['i'] = 35,
    ['j'] = 36, ['k'] = 37, ['l'] = 38, ['m'] = 39, ['n'] = 40, ['o'] = 41, ['p'] = 42,
    ['q'] = 43, ['r'] = 44, ['s'] = 45, ['t'] = 46, ['u'] = 47, ['v'] = 48, ['w'] = 49,
    ['x'] = 50, ['y'] = 51, ['z'] = 52, ['0'] = 53, ['1'] = 54, ['2'] = 55, ['3'] = 56,
    ['4'] = 57, ['5'] = 58, ['6'] = 59, ['7'] = 60, ['8'] = 61, ['9'] = 62, ['+'] = 63,
    ['/'] = 64, /* value + 1, so 0 marks a byte outside the alphabet */
};

/* Standard base64 with '=' padding, as Volatility writes it. Returns the
 * decoded length, or (size_t)-1 when the text is not base64. */
static size_t b64_decode(const unsigned char *s, size_t n, uint8_t *out)
{
    size_t o = 0, pad = 0;
    if (n % 4)
        return (size_t)-1;
    if (n && s[n - 1] == '=')
        pad++;
    if (n > 1 && s[n - 2] == '=')
        pad++;
    for (size_t i = 0; i < n; i += 4) {
        uint32_t v = 0;
        int last = i + 4 == n;
        for (int j = 0; j < 4; j++) {
            int d;
            if (last && j >= 4 - (int)pad)
                d = 0;
            else if ((d = b64val[s[i + j]]) == 0)
                return (size_t)-1;
            else
                d--;
            v = v << 6 | (uint32_t)d;
        }
        out[o++] = (uint8_t)(v >> 16);
        if (!last || pad < 2)
            out[o++] = (uint8_t)(v >> 8);
        if (!last || pad < 1)
            out[o++] = (uint8_t)v;
    }
    return o;
}

static int b_string(void *ctx, const unsigned char *s, size_t n)
{
    struct builder *b = ctx;
    struct frame *f;
    if (b->skip)
        return 1;
    f = &b->fr[b->depth - 1];
    if (f->key == K_IGNORE)
        return 1;
    switch (f->ctx) {
    case C_META:
        if (n > 64 || has_nul(s, n))
            return fail(b, SCRY_ERR_CORRUPT, "metadata.format is not a version");
        if (!(b->st->format = isf_arena_strdup(&b->st->arena, s, n)))
            return nomem(b);
        return 1;
    case C_UTYPE:
        if (f->key != K_KIND)
            break;
        b->ukind = tkind_of(s, n);
        if (b->ukind != SCRY_T_STRUCT && b->ukind != SCRY_T_UNION && b->ukind != SCRY_T_CLASS)
            return fail(b, SCRY_ERR_CORRUPT, "kind must be struct, union or class");
        b->have |= 1u << K_KIND;
        return 1;
    case C_ENUM:
        if (f->key != K_BASE)
            break;
        if (has_nul(s, n))
            return fail(b, SCRY_ERR_CORRUPT, "a name holds a NUL character");
        if (!(b->ebase = isf_intern(b->st, s, n)))
            return nomem(b);
        b->have |= 1u << K_BASE;
        return 1;
    case C_SYM: {
        if (f->key != K_CONSTANT_DATA)
            break;
        uint8_t *out = isf_arena_alloc(&b->st->arena, n / 4 * 3 + 1);
        if (!out)
            return nomem(b);
        size_t len = b64_decode(s, n, out);
        if (len == (size_t)-1)
            return fail(b, SCRY_ERR_CORRUPT, "constant_data is not valid base64");
        b->cd = out;
        b->cdlen = len;
        b->have |= 1u << K_CONSTANT_DATA;
        return 1;
    }
    case C_TREF: {
        struct tpart *t = &b->tp[b->ntp - 1];
        if (f->key == K_KIND) {
            if (!(t->t.kind = (enum scry_tkind)tkind_of(s, n)))
                return fail(b, SCRY_ERR_CORRUPT, "unknown type kind \"%.*s\"",
                            (int)(n > 20 ? 20 : n), (const char *)s);
            t->have |= 1u << K_KIND;
            return 1;
        }
        if (f->key == K_NAME) {
            if (has_nul(s, n))
                return fail(b, SCRY_ERR_CORRUPT, "a name holds a NUL character");
            if (!(t->t.name = isf_intern(b->st, s, n)))
                return nomem(b);
            t->have |= 1u << K_NAME;
            return 1;
        }
        break;
    }
    default:
        break;
    }
    return type_error(b, f->key == K_ENTRY ? "an object" : "not a string");
}

static int b_number(void *ctx, const char *s, size_t n)
{
    struct builder *b = ctx;
    struct frame *f;
    uint64_t v = 0;
    const char *why;
    if (b->skip)
        return 1;
    f = &b->fr[b->depth - 1];
    if (f->key == K_IGNORE)
        return 1;
    if (f->ctx == C_CONSTS) {
        int64_t sv;
        if ((why = parse_i64(s, n, &sv)))
            return fail(b, SCRY_ERR_CORRUPT, "%s", why);
        size_t at = nx_find_add(b, b->member, b->consts, b->nconsts, sizeof *b->consts);
        if (at == (size_t)-1)
            return nomem(b);
        if (at < b->nconsts) { /* a constant given twice: the last value wins */
            b->consts[at].value = sv;
            return 1;
        }
        struct econst *c = grow(b, b->consts, b->nconsts, &b->ccap, sizeof *c, "constants");
        if (!c)
            return 0;
        b->consts = c;
        b->consts[b->nconsts].name = b->member;
        b->consts[b->nconsts++].value = sv;
        return 1;
    }
    if (f->key == K_ENTRY || f->ctx == C_ROOT)
        return type_error(b, "an object");
    if ((why = parse_u64(s, n, &v)))
        return fail(b, SCRY_ERR_CORRUPT, "\"%s\" %s", what_key(f), why);
    switch (f->ctx) {
    case C_BASE:
    case C_UTYPE:
    case C_ENUM:
        if (f->key != K_SIZE)
            break;
        b->size = v;
        b->have |= 1u << K_SIZE;
        return 1;
    case C_FIELD:
        if (f->key != K_OFFSET)
            break;
        b->fld.offset = v;
        b->fhave |= 1u << K_OFFSET;
        return 1;
    case C_SYM:
        if (f->key != K_ADDRESS)
            break;
        b->address = v;
        b->have |= 1u << K_ADDRESS;
        return 1;
    case C_TREF: {
        struct tpart *t = &b->tp[b->ntp - 1];
        if (f->key == K_COUNT)
            t->t.count = v;
        else if (f->key == K_BIT_POSITION || f->key == K_BIT_LENGTH) {
            if (v > 128)
                return fail(b, SCRY_ERR_CORRUPT, "\"%s\" is over 128", what_key(f));
            if (f->key == K_BIT_POSITION)
                t->t.bit_position = (uint32_t)v;
            else
                t->t.bit_length = (uint32_t)v;
        } else
            break;
        t->have |= 1u << f->key;
        return 1;
    }
    default:
        break;
    }
    return type_error(b, "not a number");
}

static int b_boolean(void *ctx, int value)
{
    struct builder *b = ctx;
    struct frame *f;
    if (b->skip)
        return 1;
    f = &b->fr[b->depth - 1];
    if (f->key == K_IGNORE)
        return 1;
    if (f->ctx == C_BASE && f->key == K_SIGNED) {
        b->is_signed = value;
        b->have |= 1u << K_SIGNED;
        return 1;
    }
    if (f->ctx == C_FIELD && f->key == K_ANONYMOUS) {
        b->fld.anonymous = value;
        return 1;
    }
    return type_error(b, f->key == K_ENTRY ? "an object" : "not a boolean");
}

static int b_null(void *ctx)
{
    struct builder *b = ctx;
    if (b->skip || b->fr[b->depth - 1].key == K_IGNORE)
        return 1;
    return type_error(b, "not null");
}

/* Ends a type reference object: checks it says what its kind needs and
 * hands the shared record to whoever holds it. */
static int end_tref(struct builder *b)
{
    struct tpart *t = &b->tp[b->ntp - 1];
    unsigned need = 0;
    if (!(t->have >> K_KIND & 1))
        return fail(b, SCRY_ERR_CORRUPT, "a type has no kind");
    switch (t->t.kind) {
    case SCRY_T_BASE:
    case SCRY_T_STRUCT:
    case SCRY_T_UNION:
    case SCRY_T_CLASS:
    case SCRY_T_ENUM: need = 1u << K_NAME; break;
    case SCRY_T_POINTER: need = 1u << K_SUBTYPE; break;
    case SCRY_T_ARRAY: need = 1u << K_SUBTYPE | 1u << K_COUNT; break;
    case SCRY_T_BITFIELD:
        need = 1u << K_SUBTYPE | 1u << K_BIT_POSITION | 1u << K_BIT_LENGTH;
        break;
    default: break;
    }
    if ((t->have & need) != need) {
        const char *miss = !(t->have >> K_NAME & 1) && (need >> K_NAME & 1) ? "name"
                           : !(t->have >> K_SUBTYPE & 1) && (need >> K_SUBTYPE & 1)
                               ? "subtype"
                           : !(t->have >> K_COUNT & 1) && (need >> K_COUNT & 1) ? "count"
                                                                                   : "bit range";
        const char *kn = tkinds[t->t.kind - 1].name;
        return fail(b, SCRY_ERR_CORRUPT, "%s %s type has no %s",
                    kn[0] == 'a' || kn[0] == 'e' ? "an" : "a", kn, miss);
    }
    if (t->t.kind == SCRY_T_BITFIELD &&
        (uint64_t)t->t.bit_position + t->t.bit_length > 128)
        return fail(b, SCRY_ERR_CORRUPT, "bitfield bits lie beyond 128");
    /* Keep only what the kind uses, so equal shapes cons to one record. */
    if (!(need >> K_NAME & 1))
        t->t.name = NULL;
    if (!(need >> K_SUBTYPE & 1))
        t->t.sub = NULL;
    if (t->t.kind != SCRY_T_ARRAY)
        t->t.count = 0;
    if (t->t.kind != SCRY_T_BITFIELD)
        t->t.bit_position = t->t.bit_length = 0;
    if (t->t.kind == SCRY_T_BASE && strcmp(t->t.name, "void") == 0)
        t->t.kind = SCRY_T_VOID;
    const struct isf_tref *r = isf_tref_cons(b->st, &t->t);
    if (!r)
        return nomem(b);
    b->ntp--;
    switch (b->fr[b->depth - 2].ctx) {
    case C_FIELD:
        b->fld.type = r;
        b->fhave |= 1u << K_TYPE;
        break;
    case C_SYM:
        b->stype = r;
        break;
    default: /* C_TREF */
        b->tp[b->ntp - 1].t.sub = r;
        b->tp[b->ntp - 1].have |= 1u << K_SUBTYPE;
        break;
    }
    return 1;
}

/* Adds a record to its table; an entry defined twice is replaced whole,
 * as Python's json module (and so Volatility) keeps the last value of a
 * duplicated key. */
static int insert_entry(struct builder *b, struct htab *h, void *rec, const char *what)
{
    const char *name = *(const char **)rec;
    uint64_t hv = isf_hash_str(name, strlen(name));
    if (h->n >= MAX_ENTRIES)
        return fail(b, SCRY_ERR_CORRUPT, "more than %zu %s", MAX_ENTRIES, what);
    if (isf_ht_put(h, rec, hv))
        return nomem(b);
    return 1;
}

static int end_entry(struct builder *b, enum ctx c)
{
    struct isf_tables *st = b->st;
    switch (c) {
    case C_BASE: {
        if (!(b->have >> K_SIZE & 1))
            return fail(b, SCRY_ERR_CORRUPT, "no size");
        if (!(b->have >> K_SIGNED & 1))
            return fail(b, SCRY_ERR_CORRUPT, "no \"signed\"");
        struct btype *r = isf_arena_alloc(&st->arena, sizeof *r);
        if (!r)
            return nomem(b);
        *r = (struct btype){b->entry, b->size, b->is_signed};
        return insert_entry(b, &st->btypes, r, "base types");
    }
    case C_UTYPE: {
        if (!(b->have >> K_SIZE & 1))
            return fail(b, SCRY_ERR_CORRUPT, "no size");
        if (!(b->have >> K_KIND & 1))
            return fail(b, SCRY_ERR_CORRUPT, "no kind");
        if (!(b->have >> K_FIELDS & 1))
            return fail(b, SCRY_ERR_CORRUPT, "no fields");
        struct utype *r = isf_arena_alloc(&st->arena, sizeof *r);
        struct field *fl = b->nfields ? isf_arena_alloc(&st->arena, b->nfields * sizeof *fl) : NULL;
        if (!r || (b->nfields && !fl))
            return nomem(b);
        if (b->nfields)
            memcpy(fl, b->fields, b->nfields * sizeof *fl);
        *r = (struct utype){b->entry, b->size, fl, (uint32_t)b->nfields, b->ukind};
        return insert_entry(b, &st->utypes, r, "user types");
    }
    case C_FIELD:
        if (!(b->fhave >> K_OFFSET & 1))
            return fail(b, SCRY_ERR_CORRUPT, "no offset");
        if (!(b->fhave >> K_TYPE & 1))
            return fail(b, SCRY_ERR_CORRUPT, "no type");
        size_t at = nx_find_add(b, b->fld.name, b->fields, b->nfields, sizeof *b->fields);
        if (at == (size_t)-1)
            return nomem(b);
        if (at < b->nfields) { /* a field given twice: the last one wins */
            b->fields[at] = b->fld;
            return 1;
        }
        struct field *fl = grow(b, b->fields, b->nfields, &b->fcap, sizeof *fl, "fields");
        if (!fl)
            return 0;
        b->fields = fl;
        b->fields[b->nfields++] = b->fld;
        return 1;
    case C_ENUM: {
        if (!(b->have >> K_SIZE & 1))
            return fail(b, SCRY_ERR_CORRUPT, "no size");
        if (!(b->have >> K_BASE & 1))
            return fail(b, SCRY_ERR_CORRUPT, "no base");
        if (!(b->have >> K_CONSTANTS & 1))
            return fail(b, SCRY_ERR_CORRUPT, "no constants");
        struct etype *r = isf_arena_alloc(&st->arena, sizeof *r);
        struct econst *cs =
            b->nconsts ? isf_arena_alloc(&st->arena, b->nconsts * sizeof *cs) : NULL;
        if (!r || (b->nconsts && !cs))
            return nomem(b);
        if (b->nconsts)
            memcpy(cs, b->consts, b->nconsts * sizeof *cs);
        *r = (struct etype){b->entry, b->ebase, b->size, cs, (uint32_t)b->nconsts};
        return insert_entry(b, &st->enums, r, "enums");
    }
    case C_SYM: {
        if (!(b->have >> K_ADDRESS & 1))
            return fail(b, SCRY_ERR_CORRUPT, "no address");
        struct sym *r = isf_arena_alloc(&st->arena, sizeof *r);
        if (!r)
            return nomem(b);
        *r = (struct sym){b->entry, b->stype, b->address};
        if (!insert_entry(b, &st->syms, r, "symbols"))
            return 0;
        if (b->have >> K_CONSTANT_DATA & 1) {
            struct cdata *d = isf_arena_alloc(&st->arena, sizeof *d);
            if (!d)
                return nomem(b);
            *d = (struct cdata){b->entry, b->cd, b->cdlen};
            return insert_entry(b, &st->cdata, d, "constants");
        }
        /* A symbol redefined without constant_data loses the old one. */
        size_t n = strlen(b->entry);
        isf_ht_remove(&st->cdata, b->entry, n, isf_hash_str(b->entry, n));
        return 1;
    }
    case C_TOP: {
        static const enum key need[] = {K_BASE_TYPES, K_USER_TYPES, K_ENUMS, K_SYMBOLS};
        for (size_t i = 0; i < sizeof need / sizeof *need; i++)
            if (!(b->seen >> need[i] & 1))
                return fail(b, SCRY_ERR_CORRUPT, "no \"%s\" section", key_names[need[i]]);
        return 1;
    }
    default:
        return 1;
    }
}

static int b_map_end(void *ctx)
{
    struct builder *b = ctx;
    if (b->skip)
        return skip_end(b);
    enum ctx c = (enum ctx)b->fr[b->depth - 1].ctx;
    if (c == C_TREF) {
        if (!end_tref(b))
            return 0;
    } else if (!end_entry(b, c))
        return 0;
    b->depth--;
    if (c == C_TOP)
        b->fr[0].ctx = C_END;
    return 1;
}

static const struct scry_json_sink builder_sink = {
    .null = b_null,
    .boolean = b_boolean,
    .number = b_number,
    .string = b_string,
    .map_start = b_map_start,
    .map_key = b_map_key,
    .map_end = b_map_end,
    .array_start = b_array_start,
    .array_end = b_array_end,
};

/* ------------------------------------------------------------------ build */

scry_status isf_build(scry_status (*open_src)(void *src), scry_json_next_fn next, void *src,
                      struct isf_tables **out)
{
    struct isf_tables *st = calloc(1, sizeof *st);
    struct builder b = {0};
    unsigned long line = 0;
    scry_status rc;
    if (!st)
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    st->strs.direct = 1;
    b.st = st;
    b.line = &line;
    b.depth = 1;
    b.fr[0].ctx = C_ROOT;
    rc = open_src(src);
    if (rc == SCRY_OK)
        rc = scry_json_parse_stream(next, src, &builder_sink, &b, &line);
    if (rc == SCRY_ERR_CANCELLED)
        rc = b.status;
    if (rc == SCRY_OK && b.fr[0].ctx != C_END)
        rc = scry_err(SCRY_ERR_CORRUPT, "line %lu: the ISF must be a JSON object", line);
    free(b.fields);
    free(b.consts);
    free(b.nx);
    if (rc != SCRY_OK) {
        isf_tables_free(st);
        return rc;
    }
    /* Only the build needs these; the loaded table is read-only. */
    isf_ht_free(&st->strs);
    free(st->trefs.slot);
    st->trefs.slot = NULL;
    if (!st->format)
        st->format = "";
    *out = st;
    return SCRY_OK;
}
