/* fuzz_isf_struct.c - structure-aware libFuzzer harness for the ISF loader
 * (libyara's and zstd's idea: the input is not the file but the choices
 * that build one).
 *
 * Byte-level fuzzing of fuzz_isf spends most of its time on JSON syntax
 * errors. Here every input byte is a choice in a generator that writes a
 * syntactically valid ISF - metadata, base_types, user_types with fields,
 * offsets and anonymous members, enums with constants, symbols with
 * addresses, types and constant_data - and fills it with hostile values:
 * offsets and sizes near 2^64 (wrapping when added), negative, fractional
 * and 70-digit numbers, anonymous members and type references that form
 * cycles, nesting past the 64-level bound, long and escaped names, keys and
 * whole sections given twice, unknown keys holding anything. The text is
 * parsed with scry_isf_parse; when it loads, every name of the pool is
 * looked up and resolved with scry_resolve_fields / scry_resolve_symbols,
 * checking:
 *   - a resolved field lies inside its struct (offset + size <= size, no
 *     wrap), as resolve.h promises;
 *   - a duplicated key keeps its last value (Python's json module, so
 *     Volatility): each symbol's address and each user type's size is the
 *     one the generator wrote last.
 * A violation aborts (a finding). When the input runs out, every choice
 * reads as 0, which closes whatever is open, so any input is a document. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "symbols/resolve.h"
#include "symbols/symtab.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { OUT_MAX = 1 << 20, NNAMES = 16, MAX_DEPTH = 80 };

/* Names: the JSON text and what it decodes to. Short shared names make
 * lookups, references and duplicates meet; the others are hostile. */
static const struct {
    const char *json, *name;
} names[NNAMES] = {
    {"a", "a"},
    {"b", "b"},
    {"t", "t"},
    {"task_struct", "task_struct"},
    {"list_head", "list_head"},
    {"int", "int"},
    {"char", "char"},
    {"pointer", "pointer"},
    {"void", "void"},
    {"unnamed_field_0", "unnamed_field_0"},
    {"init_task", "init_task"},
    {"", ""},
    {"\\u00e9t\\u00e9", "\xc3\xa9t\xc3\xa9"},
    {"a\\nb\\\"c\\\\", "a\nb\"c\\"},
    {"\\ud83d\\ude00", "\xf0\x9f\x98\x80"},
    {"LONG", NULL}, /* 200 to 455 'L's, see put_name */
};

/* Numbers: what the generator writes, and whether the builder reads it as
 * that u64 (1) or must refuse it where it is read (0). */
static const struct {
    const char *text;
    uint64_t value;
    int valid;
} numbers[] = {
    {"0", 0, 1},
    {"1", 1, 1},
    {"8", 8, 1},
    {"16", 16, 1},
    {"4096", 4096, 1},
    {"2147483648", 2147483648u, 1},
    {"4294967296", 4294967296u, 1},
    {"9223372036854775807", INT64_MAX, 1},
    {"9223372036854775808", (uint64_t)INT64_MAX + 1, 1},
    {"18446744073709551608", UINT64_MAX - 7, 1},
    {"18446744073709551615", UINT64_MAX, 1},
    {"18446744073709551616", 0, 0},
    {"-1", 0, 0},
    {"-9223372036854775808", 0, 0},
    {"0.5", 0, 0},
    {"1e3", 0, 0},
    {"-0", 0, 0},
    {"1111111111111111111111111111111111111111111111111111111111111111111111", 0, 0},
    {"-1.5e-99999", 0, 0},
};
#define NNUMBERS (sizeof numbers / sizeof *numbers)
enum { NVALID = 11 }; /* numbers[0..NVALID) are valid u64s */

struct gen {
    const uint8_t *in;
    size_t n;
    char *out;
    size_t len;
    int overflow;
    /* The last value written per pool name, for the last-wins checks; 0
     * unknown (never written, or not a plain valid number), 1 valid. */
    uint64_t sym_addr[NNAMES], ut_size[NNAMES];
    uint8_t sym_known[NNAMES], ut_known[NNAMES];
};

static unsigned u8(struct gen *g)
{
    if (!g->n)
        return 0;
    g->n--;
    return *g->in++;
}

/* A choice among k; 0 once the input is spent, and 0 always leads towards
 * closing what is open, so generation ends. */
static unsigned pick(struct gen *g, unsigned k) { return k ? u8(g) % k : 0; }

static void put(struct gen *g, const char *s, size_t n)
{
    if (g->overflow || n > OUT_MAX - g->len) {
        g->overflow = 1;
        return;
    }
    memcpy(g->out + g->len, s, n);
    g->len += n;
}

static void puts_(struct gen *g, const char *s) { put(g, s, strlen(s)); }

/* Writes a quoted pool name; returns its index. */
static unsigned put_name(struct gen *g)
{
    unsigned i = pick(g, NNAMES);
    puts_(g, "\"");
    if (names[i].name)
        puts_(g, names[i].json);
    else {
        char buf[512];
        size_t n = 200 + u8(g);
        memset(buf, 'L', n);
        put(g, buf, n);
    }
    puts_(g, "\"");
    return i;
}

/* Writes a number; *value and the return say what a reader gets. Mostly
 * sane values (so most documents load and the lookups run), then values
 * near the edges of 64 bits, rarely one the builder must refuse, or raw
 * bytes of the input. */
static int put_number(struct gen *g, uint64_t *value)
{
    unsigned c = u8(g);
    if (c < 0xc8) {
        char buf[16];
        snprintf(buf, sizeof buf, "%u", c % 25 * 8);
        puts_(g, buf);
        *value = c % 25 * 8;
        return 1;
    }
    if (c < 0xf4) {
        c = (c - 0xc8) % NVALID;
        puts_(g, numbers[c].text);
        *value = numbers[c].value;
        return 1;
    }
    if (c < 0xf8) {
        if (u8(g) < 0xf0) { /* a number the builder refuses spoils the whole
                               document: keep them rare */
            puts_(g, "8");
            *value = 8;
            return 1;
        }
        c = NVALID + (c - 0xf4) * 3 % (unsigned)(NNUMBERS - NVALID);
        puts_(g, numbers[c].text);
        *value = 0;
        return 0;
    }
    { /* a raw 64-bit value from the input */
        uint64_t v = 0;
        char buf[32];
        for (int i = 0; i < 8; i++)
            v = v << 8 | u8(g);
        snprintf(buf, sizeof buf, "%llu", (unsigned long long)v);
        puts_(g, buf);
        *value = v;
        return 1;
    }
}

/* A small unsigned number, mostly sensible (counts, bit positions). */
static void put_small(struct gen *g)
{
    char buf[16];
    unsigned c = u8(g);
    uint64_t v;
    if (c < 0xf8) {
        snprintf(buf, sizeof buf, "%u", c % 64);
        puts_(g, buf);
    } else
        put_number(g, &v);
}

static void put_value(struct gen *g, int depth);

/* Any JSON value, for keys nobody reads: deep arrays, long numbers. */
static void put_value(struct gen *g, int depth)
{
    uint64_t v;
    switch (depth > MAX_DEPTH ? 0 : pick(g, 7)) {
    case 0: puts_(g, "null"); break;
    case 1: put_number(g, &v); break;
    case 2: put_name(g); break;
    case 3: puts_(g, u8(g) & 1 ? "true" : "false"); break;
    case 4: {
        unsigned n = pick(g, 4);
        puts_(g, "[");
        for (unsigned i = 0; i < n; i++) {
            if (i)
                puts_(g, ", ");
            put_value(g, depth + 1);
        }
        puts_(g, "]");
        break;
    }
    case 5: {
        unsigned n = pick(g, 4);
        puts_(g, "{");
        for (unsigned i = 0; i < n; i++) {
            if (i)
                puts_(g, ", ");
            put_name(g);
            puts_(g, ": ");
            put_value(g, depth + 1);
        }
        puts_(g, "}");
        break;
    }
    default: { /* rarely: nesting right at and past the bound */
        if (u8(g) != 0xff) {
            puts_(g, "[]");
            break;
        }
        unsigned n = 60 + pick(g, 10);
        for (unsigned i = 0; i < n; i++)
            puts_(g, "[");
        for (unsigned i = 0; i < n; i++)
            puts_(g, "]");
        break;
    }
    }
}

/* Object keys come in an order the input picks, some twice; this writes
 * the separator before the k-th. */
static void sep(struct gen *g, unsigned k)
{
    if (k)
        puts_(g, ", ");
}

static const char *const kinds[] = {"base",  "pointer", "array",    "struct",  "union",
                                    "class", "enum",    "bitfield", "function", "widget"};

static void put_tref(struct gen *g, int depth)
{
    unsigned kind = depth > MAX_DEPTH ? 8 : pick(g, 9);
    unsigned nkeys = 3 + pick(g, 3), k = 0;
    if (depth == 0 && g->n >= 2 && g->in[0] == 0xff && g->in[1] >= 0xf0) {
        u8(g);
        /* A chain of pointers right at and past the nesting bound. */
        unsigned n = 50 + pick(g, 20);
        for (unsigned i = 0; i < n; i++)
            puts_(g, "{\"kind\": \"pointer\", \"subtype\": ");
        puts_(g, "{\"kind\": \"function\"}");
        for (unsigned i = 0; i < n; i++)
            puts_(g, "}");
        return;
    }
    if (kind == 8 && u8(g) == 0xff)
        kind = 9; /* rarely a kind nobody knows */
    puts_(g, "{");
    for (unsigned i = 0; i < nkeys; i++) {
        unsigned which = i < 3 ? i : pick(g, 6);
        switch (which) {
        case 0:
            sep(g, k++);
            puts_(g, "\"kind\": \"");
            puts_(g, kinds[kind]);
            puts_(g, "\"");
            break;
        case 1:
            if (kind == 0 || (kind >= 3 && kind <= 6) || (u8(g) & 0xf) == 0xf) {
                sep(g, k++);
                puts_(g, "\"name\": ");
                put_name(g);
            }
            break;
        case 2:
            if (depth <= MAX_DEPTH && (kind == 1 || kind == 2 || kind == 7 || (u8(g) & 0xf) == 0xf)) {
                sep(g, k++);
                puts_(g, kind == 7 && (u8(g) & 1) ? "\"type\": " : "\"subtype\": ");
                put_tref(g, depth + 1);
            }
            if (kind == 2) {
                sep(g, k++);
                puts_(g, "\"count\": ");
                put_small(g);
            }
            if (kind == 7) {
                sep(g, k++);
                puts_(g, "\"bit_position\": ");
                put_small(g);
                sep(g, k++);
                puts_(g, "\"bit_length\": ");
                put_small(g);
            }
            break;
        case 3:
            sep(g, k++);
            puts_(g, "\"count\": ");
            put_small(g);
            break;
        case 4: /* "kind" twice: mostly the same, rarely another */
            sep(g, k++);
            puts_(g, "\"kind\": \"");
            puts_(g, kinds[u8(g) >= 0xf8 ? pick(g, 9) : kind]);
            puts_(g, "\"");
            break;
        default:
            sep(g, k++);
            puts_(g, "\"x\": ");
            put_value(g, depth + 1);
            break;
        }
    }
    puts_(g, "}");
}

static void put_fields(struct gen *g)
{
    unsigned n = pick(g, 24);
    puts_(g, "{");
    for (unsigned i = 0; i < n; i++) {
        uint64_t v;
        sep(g, i);
        put_name(g);
        puts_(g, ": {\"offset\": ");
        put_number(g, &v);
        puts_(g, ", \"type\": ");
        put_tref(g, 0);
        unsigned extra = u8(g);
        if (extra & 1)
            puts_(g, ", \"anonymous\": true");
        if (extra & 2) {
            puts_(g, ", \"offset\": "); /* a second offset: the last wins */
            put_number(g, &v);
        }
        if (extra & 4) {
            puts_(g, ", \"type\": ");
            put_tref(g, 0);
        }
        if ((extra & 0x38) == 0x38) { /* a key nobody reads */
            puts_(g, ", \"bit\": ");
            put_value(g, 0);
        }
        puts_(g, "}");
    }
    puts_(g, "}");
}

static void put_base_types(struct gen *g)
{
    unsigned n = pick(g, 8);
    puts_(g, "{");
    for (unsigned i = 0; i < n; i++) {
        uint64_t v;
        sep(g, i);
        put_name(g);
        puts_(g, ": {\"size\": ");
        if (u8(g) < 0xe0) {
            char buf[16];
            snprintf(buf, sizeof buf, "%u", 1u << pick(g, 5));
            puts_(g, buf);
        } else
            put_number(g, &v);
        puts_(g, u8(g) & 1 ? ", \"signed\": true" : ", \"signed\": false");
        puts_(g, ", \"kind\": \"int\", \"endian\": \"little\"}");
    }
    puts_(g, "}");
}

static void put_user_types(struct gen *g)
{
    unsigned n = pick(g, 8);
    memset(g->ut_known, 0, sizeof g->ut_known); /* a section given twice: the last wins */
    puts_(g, "{");
    for (unsigned i = 0; i < n; i++) {
        uint64_t v = 0;
        int valid = 1, have_size = 0;
        sep(g, i);
        unsigned nm = put_name(g);
        unsigned order = u8(g);
        puts_(g, ": {");
        for (unsigned k = 0; k < 3 + (order >> 6 & 1); k++) {
            sep(g, k);
            switch ((k + order) % 3) {
            case 0:
                puts_(g, "\"size\": ");
                valid = put_number(g, &v);
                have_size = 1;
                break;
            case 1:
                puts_(g, "\"kind\": \"");
                puts_(g, kinds[3 + pick(g, 3)]);
                puts_(g, "\"");
                break;
            default:
                puts_(g, "\"fields\": ");
                put_fields(g);
                break;
            }
        }
        puts_(g, "}");
        g->ut_known[nm] = (uint8_t)(have_size && valid && names[nm].name);
        g->ut_size[nm] = v;
    }
    puts_(g, "}");
}

static void put_enums(struct gen *g)
{
    unsigned n = pick(g, 4);
    puts_(g, "{");
    for (unsigned i = 0; i < n; i++) {
        uint64_t v;
        sep(g, i);
        put_name(g);
        puts_(g, ": {\"size\": 4, \"base\": ");
        put_name(g);
        puts_(g, ", \"constants\": {");
        unsigned nc = pick(g, 8);
        for (unsigned c = 0; c < nc; c++) {
            sep(g, c);
            put_name(g);
            puts_(g, ": ");
            if (u8(g) & 1)
                puts_(g, "-9223372036854775808");
            else
                put_number(g, &v);
        }
        puts_(g, "}}");
    }
    puts_(g, "}");
}

static void put_symbols(struct gen *g)
{
    static const char *const b64[] = {"", "YQ==", "YWI=", "YWJj", "TGludXggdmVyc2lvbiA=", "a",
                                      "===="};
    unsigned n = pick(g, 12);
    memset(g->sym_known, 0, sizeof g->sym_known);
    puts_(g, "{");
    for (unsigned i = 0; i < n; i++) {
        uint64_t v = 0, v2;
        sep(g, i);
        unsigned nm = put_name(g);
        puts_(g, ": {\"address\": ");
        int valid = put_number(g, &v);
        unsigned extra = u8(g);
        if (extra & 1) {
            puts_(g, ", \"type\": ");
            put_tref(g, 0);
        }
        if (extra & 2) {
            puts_(g, ", \"constant_data\": \"");
            unsigned c = pick(g, 7);
            if (c >= 5 && u8(g) < 0xf0)
                c = 1; /* rarely not base64 */
            puts_(g, b64[c]);
            puts_(g, "\"");
        }
        if (extra & 4) { /* "address" twice: the last wins */
            puts_(g, ", \"address\": ");
            valid &= put_number(g, &v2);
            v = v2;
        }
        puts_(g, "}");
        g->sym_known[nm] = (uint8_t)(valid && names[nm].name);
        g->sym_addr[nm] = v;
    }
    puts_(g, "}");
}

static void generate(struct gen *g)
{
    static const char *const sections[] = {"metadata", "base_types", "user_types", "enums",
                                           "symbols"};
    unsigned mask = u8(g), k = 0;
    /* Each section once, in an order the input picks; some twice (the
     * second replaces the first), some missing (rarely). */
    unsigned order[8], n = 0;
    for (unsigned i = 0; i < 5; i++)
        if (i == 0 ? (mask & 1) : (mask & 0xe0) != 0xe0 || i != 1 + (mask >> 1 & 3))
            order[n++] = i;
    for (unsigned i = n; i > 1; i--) {
        unsigned j = pick(g, i), t = order[i - 1];
        order[i - 1] = order[j];
        order[j] = t;
    }
    for (unsigned r = pick(g, 3); r-- && n < 8;)
        order[n++] = pick(g, 5);
    puts_(g, "{");
    for (unsigned i = 0; i < n; i++) {
        sep(g, k++);
        puts_(g, "\"");
        puts_(g, sections[order[i]]);
        puts_(g, "\": ");
        switch (order[i]) {
        case 0:
            puts_(g, "{\"format\": \"6.2.0\", \"producer\": ");
            put_value(g, 0);
            puts_(g, "}");
            break;
        case 1: put_base_types(g); break;
        case 2: put_user_types(g); break;
        case 3: put_enums(g); break;
        default: put_symbols(g); break;
        }
        if (u8(g) >= 0xf0) { /* an unknown top-level key holding anything */
            puts_(g, ", \"producer_x\": ");
            put_value(g, 0);
        }
    }
    puts_(g, "}");
}

static const char *pool_name(unsigned i) { return names[i].name ? names[i].name : "L"; }

static void check(const struct scry_symtab *st, const struct gen *g)
{
    uint64_t v, tsize;
    int64_t e;
    int sg;
    const uint8_t *d;
    size_t n;
    for (unsigned i = 0; i < NNAMES; i++) {
        const char *a = pool_name(i);
        scry_sym_base_type(st, a, &v, &sg);
        scry_sym_constant_data(st, a, &d, &n);
        if (scry_sym_address(st, a, &v) == SCRY_OK) {
            if (g->sym_known[i] && v != g->sym_addr[i])
                abort(); /* the last "address" of the last definition wins */
        } else if (g->sym_known[i])
            abort();
        if (scry_sym_type_size(st, a, &tsize) == SCRY_OK) {
            if (g->ut_known[i] && tsize != g->ut_size[i])
                abort();
        } else if (g->ut_known[i])
            abort();
        for (unsigned j = 0; j < NNAMES; j++) {
            const char *b = pool_name(j);
            struct scry_typeref r;
            uint64_t off = 0, fsize = 0;
            scry_sym_enum_value(st, a, b, &e);
            if (scry_sym_field(st, a, b, &v, &r) == SCRY_OK)
                for (int k = 0; k < 200 && scry_sym_typeref(st, r.sub, &r) == SCRY_OK; k++)
                    ;
            struct scry_field_spec spec[] = {{a, b, &off, &fsize, (int)(i + j) & 1}};
            if (scry_resolve_fields(st, spec, 1) == SCRY_OK && off != SCRY_NO_OFFSET) {
                /* resolve.h: a resolved field lies inside its struct. */
                if (scry_sym_type_size(st, a, &tsize) != SCRY_OK || off > tsize ||
                    fsize > tsize - off)
                    abort();
            }
        }
        uint64_t addr;
        struct scry_symbol_spec ss[] = {{a, &addr, (int)i & 1}};
        scry_resolve_symbols(st, ss, 1);
    }
    scry_sym_count_symbols(st);
    scry_sym_count_user_types(st);
    scry_sym_format_version(st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char *out;
    struct gen g;
    struct scry_symtab *st = NULL;
    if (!out && !(out = malloc(OUT_MAX)))
        return 0;
    memset(&g, 0, sizeof g);
    g.in = data;
    g.n = size;
    g.out = out;
    generate(&g);
    if (g.overflow)
        return 0;
    int print = getenv("FUZZ_ISF_STRUCT_PRINT") != NULL; /* what an input builds */
    if (print)
        fwrite(g.out, 1, g.len, stderr);
    scry_status rc = scry_isf_parse(g.out, g.len, &st);
    if (print)
        fprintf(stderr, "\n-> %s\n", rc == SCRY_OK ? "loaded" : scry_last_error());
    if (rc != SCRY_OK)
        return 0;
    check(st, &g);
    scry_isf_free(st);
    return 0;
}
