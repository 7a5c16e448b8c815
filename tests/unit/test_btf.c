/* test_btf.c - ISF from BTF: the validator's exact refusals, System.map /
 * kallsyms parsing and the KASLR shift, bzImage payloads in every supported
 * compression, and the ISF written from a tiny hand-built BTF, loaded back
 * (from memory and, end to end, through a hand-built vmlinux ELF). */
#include <check.h>
#include <lz4.h>
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "memscry/memscry.h"
#include "symbols/btf_check.h"
#include "symbols/btf_isf.h"
#include "symbols/kimage.h"
#include "symbols/symtab.h"
#include "symbols/sysmap.h"
#include "testutil.h"

/* ------------------------------------------------------- a BTF builder */

struct bb {
    uint32_t t[512];
    size_t nt;
    char s[2048];
    size_t ns;
};

#define INFO(kind, kflag, vlen) ((uint32_t)(kind) << 24 | (uint32_t)(kflag) << 31 | (vlen))

static uint32_t str(struct bb *b, const char *s)
{
    if (!*s)
        return 0;
    if (b->ns == 0)
        b->s[b->ns++] = '\0';
    uint32_t off = (uint32_t)b->ns;
    memcpy(b->s + b->ns, s, strlen(s) + 1);
    b->ns += strlen(s) + 1;
    return off;
}

static void put(struct bb *b, uint32_t v) { b->t[b->nt++] = v; }

static void put_le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* Header (24 bytes), types, strings. */
static size_t blob(struct bb *b, uint8_t *out)
{
    if (b->ns == 0)
        b->s[b->ns++] = '\0';
    size_t tl = b->nt * 4;
    memset(out, 0, 24);
    out[0] = 0x9f;
    out[1] = 0xeb;
    out[2] = 1;
    put_le32(out + 4, 24);
    put_le32(out + 8, 0);
    put_le32(out + 12, (uint32_t)tl);
    put_le32(out + 16, (uint32_t)tl);
    put_le32(out + 20, (uint32_t)b->ns);
    for (size_t i = 0; i < b->nt; i++)
        put_le32(out + 24 + 4 * i, b->t[i]);
    memcpy(out + 24 + tl, b->s, b->ns);
    return 24 + tl + b->ns;
}

/* The tiny kernel: ids 1.. in order. */
static void tiny(struct bb *b)
{
    memset(b, 0, sizeof *b);
    /* 1 */ put(b, str(b, "int")), put(b, INFO(1, 0, 0)), put(b, 4), put(b, 1u << 24 | 32);
    /* 2 */ put(b, str(b, "unsigned int")), put(b, INFO(1, 0, 0)), put(b, 4), put(b, 32);
    /* 3 */ put(b, str(b, "char")), put(b, INFO(1, 0, 0)), put(b, 1), put(b, 1u << 24 | 8);
    /* 4 char[16] */ put(b, 0), put(b, INFO(3, 0, 0)), put(b, 0), put(b, 3), put(b, 1), put(b, 16);
    /* 5 task_struct * */ put(b, 0), put(b, INFO(2, 0, 0)), put(b, 6);
    /* 6 */ put(b, str(b, "task_struct")), put(b, INFO(4, 1, 5)), put(b, 48);
    put(b, str(b, "pid")), put(b, 1), put(b, 0);
    put(b, str(b, "comm")), put(b, 4), put(b, 32);
    put(b, str(b, "flags")), put(b, 2), put(b, 3u << 24 | 161); /* 3 bits at byte 20, bit 1 */
    put(b, str(b, "parent")), put(b, 5), put(b, 192);
    put(b, 0), put(b, 7), put(b, 256); /* anonymous union at byte 32 */
    /* 7 */ put(b, 0), put(b, INFO(5, 0, 2)), put(b, 8);
    put(b, str(b, "a")), put(b, 1), put(b, 0);
    put(b, str(b, "b")), put(b, 2), put(b, 0);
    /* 8 */ put(b, str(b, "pgd_t")), put(b, INFO(8, 0, 0)), put(b, 9);
    /* 9 */ put(b, 0), put(b, INFO(4, 0, 1)), put(b, 8);
    put(b, str(b, "pgd")), put(b, 2), put(b, 0);
    /* 10 */ put(b, str(b, "state")), put(b, INFO(6, 1, 2)), put(b, 4);
    put(b, str(b, "RUNNING")), put(b, 0);
    put(b, str(b, "DEAD")), put(b, 0xffffffffu);
    /* 11 */ put(b, str(b, "current_task")), put(b, INFO(14, 0, 0)), put(b, 5), put(b, 1);
    /* 12 */ put(b, str(b, ".data..percpu")), put(b, INFO(15, 0, 1)), put(b, 8);
    put(b, 11), put(b, 0), put(b, 8);
}

static const char tiny_map[] =
    "ffffffffb3800000 T _text\n"
    "ffffffffb4000000 D init_task\n"
    "0000000000001000 D current_task\n"
    "ffffffffb3a00000 D linux_banner\n"
    "ffffffffb4002000 D init_top_pgt\n"
    "ffffffffb4003000 D init_files\n"
    "ffffffffb3900000 t helper\n"
    "ffffffffb4004000 t helper\n"
    "ffffffffc0001000 t mod_fn\t[dummy]\n";
static const char banner[] = "Linux version 6.1.0-tiny (test) #1\n";

/* --------------------------------------------------------- validator */

static const char *check_msg(const uint8_t *p, size_t n)
{
    ck_assert_int_ne(scry_btf_check(p, n, NULL), SCRY_OK);
    return scry_last_error();
}

START_TEST(test_valid)
{
    struct bb b;
    uint8_t buf[4096];
    tiny(&b);
    size_t n = blob(&b, buf);
    uint32_t nt = 0;
    ck_assert_int_eq(scry_btf_check(buf, n, &nt), SCRY_OK);
    ck_assert_uint_eq(nt, 13);
}
END_TEST

/* One malformation each, by editing the tiny blob; the exact message. */
static const struct {
    const char *name;
    size_t at;     /* byte to patch (SIZE_MAX: truncate to `value` bytes) */
    uint32_t value; /* 32-bit little-endian value written at `at` (8-bit when small) */
    int width;
    const char *msg;
} bad[] = {
    {"truncated header", SIZE_MAX, 10, 0, "BTF: header truncated (10 bytes, at least 24 needed)"},
    {"bad magic", 0, 0x9feb, 2, "BTF: bad magic 0x9feb (expected 0xeb9f)"},
    {"version", 2, 2, 1, "BTF: version 2 (only version 1 is known)"},
    {"hdr_len", 4, 100000, 4, "BTF: header length 100000 is not within [24, 437] (the blob's size)"},
    {"nonzero header tail", 4, 28, 4, "BTF: header byte 24 is not zero (unknown header fields)"},
    {"type section", 12, 5000, 4,
     "BTF: type section [0, +5000) is outside the 413 bytes after the header"},
    {"string section", 20, 5000, 4,
     "BTF: string section [296, +5000) is outside the 413 bytes after the header"},
    {"overlap", 16, 8, 4, "BTF: type section [0, +296) and string section [8, +117) overlap"},
    {"unaligned", 8, 2, 4, "BTF: type section offset 2 is not 4-byte aligned"},
    {"string start", 24 + 296, 'x', 1, "BTF: string section does not start with a NUL byte"},
    {"string end", 24 + 296 + 116, 'x', 1, "BTF: string section does not end with a NUL byte"},
    {"unknown kind", 24 + 4, INFO(25, 0, 0), 4,
     "BTF: type 1 (type section offset 0): unknown kind 25"},
    {"vlen", 24 + 84 + 4, INFO(4, 1, 500), 4,
     "BTF: type 6 (type section offset 84): kind 4 with vlen 500 needs 6012 bytes, past the end "
     "of the type section"},
    {"pointee", 24 + 72 + 8, 99, 4,
     "BTF: type 5 (type section offset 72): the record refers to type 99, but there are only 13 "
     "types"},
    {"member type", 24 + 84 + 12 + 12 + 4, 13, 4,
     "BTF: type 6 (type section offset 84): member 1 refers to type 13, but there are only 13 "
     "types"},
    {"array index", 24 + 48 + 12 + 4, 4000, 4,
     "BTF: type 4 (type section offset 48): the array index refers to type 4000, but there are "
     "only 13 types"},
    {"type name", 24 + 0, 117, 4,
     "BTF: type 1 (type section offset 0): name offset 117 is past the string section (117 "
     "bytes)"},
    {"member name", 24 + 84 + 12, 1000, 4,
     "BTF: type 6 (type section offset 84): member 0 name offset 1000 is past the string section "
     "(117 bytes)"},
    {"enumerator name", 24 + 228 + 12 + 8, 700, 4,
     "BTF: type 10 (type section offset 228): enumerator 1 name offset 700 is past the string "
     "section (117 bytes)"},
    {"datasec entry", 24 + 272 + 12, 14, 4,
     "BTF: type 12 (type section offset 272): section entry 0 refers to type 14, but there are "
     "only 13 types"},
};

START_TEST(test_malformed)
{
    struct bb b;
    uint8_t buf[4096];
    tiny(&b);
    size_t n = blob(&b, buf);
    ck_assert_uint_eq(n, 437); /* the offsets in bad[] assume this layout */
    if (bad[_i].at == SIZE_MAX)
        n = bad[_i].value;
    else
        for (int k = 0; k < bad[_i].width; k++)
            buf[bad[_i].at + (size_t)k] = (uint8_t)(bad[_i].value >> (8 * k));
    const char *msg = check_msg(buf, n);
    ck_assert_msg(strcmp(msg, bad[_i].msg) == 0, "%s:\n got  %s\n want %s", bad[_i].name, msg,
                  bad[_i].msg);
}
END_TEST

START_TEST(test_record_truncated)
{
    struct bb b;
    uint8_t buf[4096];
    tiny(&b);
    size_t n = blob(&b, buf);
    /* The type section ends 6 bytes into the last record's entry. */
    put_le32(buf + 12, 296 - 6);
    ck_assert_str_eq(check_msg(buf, n),
                     "BTF: type 12 (type section offset 272): kind 15 with vlen 1 needs 24 bytes, "
                     "past the end of the type section");
    put_le32(buf + 12, 280);
    ck_assert_str_eq(check_msg(buf, n),
                     "BTF: type 12 (type section offset 272): record truncated (8 bytes left, 12 "
                     "needed)");
}
END_TEST

/* ------------------------------------------------------------ sysmap */

START_TEST(test_sysmap)
{
    struct scry_sysmap m;
    ck_assert_int_eq(scry_sysmap_parse((const uint8_t *)tiny_map, strlen(tiny_map), &m), SCRY_OK);
    ck_assert_uint_eq(m.n, 8); /* the module line is skipped */
    const struct scry_sysmap_sym *s = scry_sysmap_find(&m, "helper");
    ck_assert_ptr_nonnull(s);
    ck_assert_uint_eq(s->addr, 0xffffffffb4004000ull); /* the last of two */
    ck_assert_int_eq(s->type, 't');
    ck_assert(!m.sym[6].kept && m.sym[7].kept);
    ck_assert_ptr_null(scry_sysmap_find(&m, "mod_fn"));
    uint64_t shift;
    scry_sysmap_unshift(&m, SCRY_DEFAULT_TEXT, &shift);
    ck_assert_uint_eq(shift, 0x32800000ull);
    ck_assert_uint_eq(scry_sysmap_find(&m, "init_task")->addr, 0xffffffff81800000ull);
    ck_assert_uint_eq(scry_sysmap_find(&m, "_text")->addr, SCRY_DEFAULT_TEXT);
    /* Per-CPU offsets are not in the image map: never shifted. */
    ck_assert_uint_eq(scry_sysmap_find(&m, "current_task")->addr, 0x1000);
    scry_sysmap_free(&m);

    /* A System.map (link-time) has no shift. */
    const char *sm = "ffffffff81000000 T _text\nffffffff82000000 D x\n";
    ck_assert_int_eq(scry_sysmap_parse((const uint8_t *)sm, strlen(sm), &m), SCRY_OK);
    scry_sysmap_unshift(&m, SCRY_DEFAULT_TEXT, &shift);
    ck_assert_uint_eq(shift, 0);
    ck_assert_uint_eq(scry_sysmap_find(&m, "x")->addr, 0xffffffff82000000ull);
    scry_sysmap_free(&m);

    /* xz, told by its magic. */
    uint8_t xz[4096];
    size_t xn = 0;
    ck_assert_int_eq(lzma_easy_buffer_encode(6, LZMA_CHECK_CRC64, NULL, (const uint8_t *)tiny_map,
                                             strlen(tiny_map), xz, &xn, sizeof xz),
                     LZMA_OK);
    ck_assert_int_eq(scry_sysmap_parse(xz, xn, &m), SCRY_OK);
    ck_assert_uint_eq(m.n, 8);
    scry_sysmap_free(&m);
    xz[xn / 2] ^= 0xff;
    ck_assert_int_eq(scry_sysmap_parse(xz, xn, &m), SCRY_ERR_CORRUPT);

    static const struct {
        const char *text, *msg;
    } badmap[] = {
        {"ffff T a\nzz T b\n", "line 2: expected ADDRESS TYPE NAME"},
        {"ffff T a\n\nffffffffffffffff0 T b\n", "line 3: expected ADDRESS TYPE NAME"},
        {"ffff T\n", "line 1: expected ADDRESS TYPE NAME"},
        {"ffff T a\xff\n", "line 1: byte 0xff in a symbol name"},
        {"ffff", "line 1: expected ADDRESS TYPE NAME"},
    };
    for (size_t i = 0; i < sizeof badmap / sizeof badmap[0]; i++) {
        ck_assert_int_ne(scry_sysmap_parse((const uint8_t *)badmap[i].text,
                                           strlen(badmap[i].text), &m),
                         SCRY_OK);
        ck_assert_str_eq(scry_last_error(), badmap[i].msg);
    }
}
END_TEST

/* ------------------------------------------------------------ kimage */

/* A bzImage around payload (its size trailer appended by the caller). */
static uint8_t *bzimage(const uint8_t *payload, size_t plen, size_t *len)
{
    size_t base = 5 * 512, poff = 0x100;
    *len = base + poff + plen;
    uint8_t *img = calloc(1, *len);
    img[0x1f1] = 4;
    memcpy(img + 0x202, "HdrS", 4);
    img[0x206] = 0x0f;
    img[0x207] = 0x02;
    put_le32(img + 0x248, (uint32_t)poff);
    put_le32(img + 0x24c, (uint32_t)plen);
    memcpy(img + base + poff, payload, plen);
    return img;
}

static void roundtrip(const char *what, const uint8_t *comp, size_t clen, const uint8_t *orig,
                      size_t olen, int trailer)
{
    uint8_t *payload = malloc(clen + 4);
    memcpy(payload, comp, clen);
    if (trailer)
        put_le32(payload + clen, (uint32_t)olen);
    size_t len;
    uint8_t *img = bzimage(payload, clen + (trailer ? 4 : 0), &len), *owned;
    const uint8_t *elf;
    size_t elen;
    scry_status st = scry_kimage_vmlinux(img, len, 1 << 20, &owned, &elf, &elen);
    ck_assert_msg(st == SCRY_OK, "%s: %s", what, scry_last_error());
    ck_assert_uint_eq(elen, olen);
    ck_assert(memcmp(elf, orig, olen) == 0);
    free(owned);
    /* A size trailer one byte short: the stream does not fit. */
    put_le32(img + len - 4, (uint32_t)olen - 1);
    ck_assert_int_eq(scry_kimage_vmlinux(img, len, 1 << 20, &owned, &elf, &elen), SCRY_ERR_CORRUPT);
    ck_assert_ptr_null(owned);
    free(img);
    free(payload);
}

START_TEST(test_kimage)
{
    uint8_t orig[20000], comp[40000];
    memcpy(orig, "\177ELF", 4);
    for (size_t i = 4; i < sizeof orig; i++)
        orig[i] = (uint8_t)(i * 7 / 13);
    /* gzip (its ISIZE is the trailer) */
    z_stream z;
    memset(&z, 0, sizeof z);
    ck_assert_int_eq(deflateInit2(&z, 9, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY), Z_OK);
    z.next_in = orig;
    z.avail_in = sizeof orig;
    z.next_out = comp;
    z.avail_out = sizeof comp;
    ck_assert_int_eq(deflate(&z, Z_FINISH), Z_STREAM_END);
    roundtrip("gzip", comp, z.total_out, orig, sizeof orig, 0);
    deflateEnd(&z);
    /* xz and legacy lzma */
    size_t n = 0;
    ck_assert_int_eq(lzma_easy_buffer_encode(6, LZMA_CHECK_CRC32, NULL, orig, sizeof orig, comp,
                                             &n, sizeof comp),
                     LZMA_OK);
    roundtrip("xz", comp, n, orig, sizeof orig, 1);
    lzma_options_lzma opt;
    lzma_lzma_preset(&opt, 6);
    lzma_stream ls = LZMA_STREAM_INIT;
    ck_assert_int_eq(lzma_alone_encoder(&ls, &opt), LZMA_OK);
    ls.next_in = orig;
    ls.avail_in = sizeof orig;
    ls.next_out = comp;
    ls.avail_out = sizeof comp;
    ck_assert_int_eq(lzma_code(&ls, LZMA_FINISH), LZMA_STREAM_END);
    roundtrip("lzma", comp, ls.total_out, orig, sizeof orig, 1);
    lzma_end(&ls);
    /* zstd */
    n = ZSTD_compress(comp, sizeof comp, orig, sizeof orig, 19);
    ck_assert(!ZSTD_isError(n));
    roundtrip("zstd", comp, n, orig, sizeof orig, 1);
    /* lz4 legacy: magic, one block */
    put_le32(comp, 0x184c2102u);
    int c = LZ4_compress_default((const char *)orig, (char *)comp + 8, sizeof orig,
                                 (int)sizeof comp - 8);
    ck_assert_int_gt(c, 0);
    put_le32(comp + 4, (uint32_t)c);
    roundtrip("lz4", comp, (size_t)c + 8, orig, sizeof orig, 1);

    /* Refusals. */
    uint8_t *owned;
    const uint8_t *elf;
    size_t elen, len;
    uint8_t junk[600] = {0};
    ck_assert_int_eq(scry_kimage_vmlinux(junk, sizeof junk, 1 << 20, &owned, &elf, &elen),
                     SCRY_ERR_FORMAT);
    ck_assert_int_eq(scry_kimage_vmlinux(orig, sizeof orig, 1 << 20, &owned, &elf, &elen), SCRY_OK);
    ck_assert_ptr_eq(elf, orig); /* an ELF is taken as it is */
    uint8_t bz[] = {'B', 'Z', 'h', '9', 0, 0, 0, 0, 0x10, 0, 0, 0};
    uint8_t *img = bzimage(bz, sizeof bz, &len);
    ck_assert_int_eq(scry_kimage_vmlinux(img, len, 1 << 20, &owned, &elf, &elen),
                     SCRY_ERR_UNSUPPORTED);
    ck_assert_str_eq(scry_last_error(), "bzImage: unsupported compression: bzip2");
    put_le32(img + len - 4, 2u << 20); /* more than the limit */
    ck_assert_int_eq(scry_kimage_vmlinux(img, len, 1 << 20, &owned, &elf, &elen), SCRY_ERR_LIMIT);
    put_le32(img + 0x24c, 1u << 30); /* payload past the file */
    ck_assert_int_eq(scry_kimage_vmlinux(img, len, 1 << 20, &owned, &elf, &elen), SCRY_ERR_CORRUPT);
    ck_assert_str_eq(scry_last_error(),
                     "bzImage: payload [0xb00, +0x40000000) lies outside the 2828-byte file");
    free(img);
}
END_TEST

/* -------------------------------------------------------- ISF writing */

static int mem_write(void *user, const void *data, size_t len)
{
    struct tu_sink *s = user;
    return tu_sink_write(s, data, len);
}

static struct scry_symtab *write_tiny(struct tu_sink *out)
{
    struct bb b;
    uint8_t buf[4096];
    tiny(&b);
    size_t n = blob(&b, buf);
    struct scry_sysmap m;
    ck_assert_int_eq(scry_sysmap_parse((const uint8_t *)tiny_map, strlen(tiny_map), &m), SCRY_OK);
    uint64_t shift;
    scry_sysmap_unshift(&m, SCRY_DEFAULT_TEXT, &shift);
    struct scry_btf_isf_in in = {.btf = buf, .btf_len = n, .map = &m,
                                 .banner = (const uint8_t *)banner, .banner_len = sizeof banner,
                                 .symbols_name = "System.map", .producer_version = "9.9"};
    memset(out, 0, sizeof *out);
    scry_status st = scry_btf_isf_write(&in, mem_write, out);
    ck_assert_msg(st == SCRY_OK, "%s", scry_last_error());
    scry_sysmap_free(&m);
    struct scry_symtab *tab;
    st = scry_isf_parse(out->p, out->len, &tab);
    ck_assert_msg(st == SCRY_OK, "%s\n%s", scry_last_error(), out->p);
    return tab;
}

START_TEST(test_isf_tiny)
{
    struct tu_sink out;
    struct scry_symtab *t = write_tiny(&out);
    uint64_t v;
    struct scry_typeref ref0, *ref = &ref0;
    ck_assert_int_eq(scry_sym_type_size(t, "task_struct", &v), SCRY_OK);
    ck_assert_uint_eq(v, 48);
    ck_assert_int_eq(scry_sym_field(t, "task_struct", "comm", &v, ref), SCRY_OK);
    ck_assert_uint_eq(v, 4);
    ck_assert_int_eq(ref->kind, SCRY_T_ARRAY);
    ck_assert_uint_eq(ref->count, 16);
    ck_assert_int_eq(scry_sym_field(t, "task_struct", "flags", &v, ref), SCRY_OK);
    ck_assert_uint_eq(v, 20);
    ck_assert_int_eq(ref->kind, SCRY_T_BITFIELD);
    ck_assert_uint_eq(ref->bit_position, 1);
    ck_assert_uint_eq(ref->bit_length, 3);
    ck_assert_int_eq(scry_sym_field(t, "task_struct", "parent", &v, ref), SCRY_OK);
    ck_assert_uint_eq(v, 24);
    ck_assert_int_eq(ref->kind, SCRY_T_POINTER);
    struct scry_typeref target;
    ck_assert_int_eq(scry_sym_typeref(t, ref->sub, &target), SCRY_OK);
    ck_assert_str_eq(target.name, "task_struct");
    /* A member of the anonymous union, as if it were task_struct's own. */
    ck_assert_int_eq(scry_sym_field(t, "task_struct", "b", &v, NULL), SCRY_OK);
    ck_assert_uint_eq(v, 32);
    ck_assert_int_eq(scry_sym_type_size(t, "pgd_t", &v), SCRY_OK); /* the typedef's name */
    ck_assert_uint_eq(v, 8);
    int64_t e;
    ck_assert_int_eq(scry_sym_enum_value(t, "state", "DEAD", &e), SCRY_OK);
    ck_assert_int_eq(e, -1);
    int sign;
    ck_assert_int_eq(scry_sym_base_type(t, "char", &v, &sign), SCRY_OK);
    ck_assert_int_eq(sign, 1);
    ck_assert_int_eq(scry_sym_base_type(t, "pointer", &v, &sign), SCRY_OK);
    ck_assert_uint_eq(v, 8);
    ck_assert_int_eq(scry_sym_address(t, "init_task", &v), SCRY_OK);
    ck_assert_uint_eq(v, 0xffffffff81800000ull);
    ck_assert_int_eq(scry_sym_address(t, "current_task", &v), SCRY_OK);
    ck_assert_uint_eq(v, 0x1000);
    const uint8_t *data;
    size_t dlen;
    ck_assert_int_eq(scry_sym_constant_data(t, "linux_banner", &data, &dlen), SCRY_OK);
    ck_assert_uint_eq(dlen, sizeof banner);
    ck_assert(memcmp(data, banner, dlen) == 0);
    ck_assert_str_eq(scry_sym_format_version(t), "6.2.0");
    /* The text as Volatility reads it: typed symbols, the anonymous flag. */
    ck_assert_ptr_nonnull(strstr(out.p, "\"init_task\":{\"address\":18446744071587233792,\"type\":"
                                        "{\"kind\":\"struct\",\"name\":\"task_struct\"}}"));
    ck_assert_ptr_nonnull(strstr(out.p, "\"current_task\":{\"address\":4096,\"type\":{\"kind\":"
                                        "\"pointer\",\"subtype\":{\"kind\":\"struct\",\"name\":"
                                        "\"task_struct\"}}}"));
    ck_assert_ptr_nonnull(strstr(out.p, "\"init_top_pgt\":{\"address\":18446744071587241984,"
                                        "\"type\":{\"count\":0,\"kind\":\"array\",\"subtype\":"
                                        "{\"kind\":\"struct\",\"name\":\"pgd_t\"}}}"));
    ck_assert_ptr_nonnull(strstr(out.p, "\"unnamed_field_0\":{\"offset\":32,\"type\":{\"kind\":"
                                        "\"union\",\"name\":\"unnamed_btf_7\"},\"anonymous\":true}"));
    ck_assert_ptr_nonnull(strstr(out.p, "\"producer\":{\"name\":\"memscry\",\"version\":\"9.9+btf\"}"));
    ck_assert_ptr_null(strstr(out.p, "mod_fn"));
    ck_assert_int_eq(scry_sym_address(t, "helper", &v), SCRY_OK);
    ck_assert_uint_eq(v, 0xffffffff81804000ull);
    scry_isf_free(t);
    free(out.p);
}
END_TEST

/* Bitfields in the old encoding (no kind_flag: the member's INT type holds
 * the bit offset and width), 64-bit enums pahole did not mark signed, and
 * typedef chains named by their last typedef. */
START_TEST(test_isf_encodings)
{
    struct bb b;
    uint8_t buf[4096];
    memset(&b, 0, sizeof b);
    /* 1 */ put(&b, str(&b, "unsigned int")), put(&b, INFO(1, 0, 0)), put(&b, 4), put(&b, 3u << 16 | 5);
    /* 2 */ put(&b, str(&b, "s")), put(&b, INFO(4, 0, 2)), put(&b, 8);
    put(&b, str(&b, "x")), put(&b, 1), put(&b, 32); /* bits 3..7 of the int at byte 4 */
    put(&b, str(&b, "y")), put(&b, 5), put(&b, 0);
    /* 3 */ put(&b, str(&b, "big")), put(&b, INFO(19, 0, 2)), put(&b, 8);
    put(&b, str(&b, "NEG")), put(&b, 0xfffffe00u), put(&b, 0xffffffffu);
    put(&b, str(&b, "ONE")), put(&b, 1), put(&b, 0);
    /* 4 atomic64_t */ put(&b, str(&b, "atomic64_t")), put(&b, INFO(8, 0, 0)), put(&b, 6);
    /* 5 atomic_long_t */ put(&b, str(&b, "atomic_long_t")), put(&b, INFO(8, 0, 0)), put(&b, 4);
    /* 6 */ put(&b, 0), put(&b, INFO(4, 0, 0)), put(&b, 8);
    struct scry_sysmap m;
    const char *map = "ffffffff81000000 T _text\n";
    ck_assert_int_eq(scry_sysmap_parse((const uint8_t *)map, strlen(map), &m), SCRY_OK);
    struct scry_btf_isf_in in = {.btf = buf, .btf_len = blob(&b, buf), .map = &m};
    struct tu_sink out = {0};
    ck_assert_int_eq(scry_btf_isf_write(&in, mem_write, &out), SCRY_OK);
    struct scry_symtab *t;
    ck_assert_msg(scry_isf_parse(out.p, out.len, &t) == SCRY_OK, "%s", scry_last_error());
    uint64_t v;
    struct scry_typeref ref0, *ref = &ref0;
    ck_assert_int_eq(scry_sym_field(t, "s", "x", &v, ref), SCRY_OK);
    ck_assert_uint_eq(v, 4);
    ck_assert_int_eq(ref->kind, SCRY_T_BITFIELD);
    ck_assert_uint_eq(ref->bit_position, 3);
    ck_assert_uint_eq(ref->bit_length, 5);
    ck_assert_int_eq(scry_sym_field(t, "s", "y", &v, ref), SCRY_OK);
    ck_assert_int_eq(ref->kind, SCRY_T_STRUCT);
    ck_assert_str_eq(ref->name, "atomic64_t");
    int64_t e;
    ck_assert_int_eq(scry_sym_enum_value(t, "big", "NEG", &e), SCRY_OK);
    ck_assert_int_eq(e, -512);
    ck_assert_ptr_nonnull(strstr(out.p, "\"big\":{\"base\":\"long int\""));
    scry_isf_free(t);
    free(out.p);
    scry_sysmap_free(&m);
}
END_TEST

/* Reference loops and bad names end the import with an error, not a hang. */
START_TEST(test_isf_refused)
{
    struct bb b;
    uint8_t buf[4096];
    struct tu_sink out = {0};
    struct scry_sysmap m;
    const char *map = "ffffffff81000000 T _text\n";
    ck_assert_int_eq(scry_sysmap_parse((const uint8_t *)map, strlen(map), &m), SCRY_OK);
    struct scry_btf_isf_in in = {.map = &m};

    memset(&b, 0, sizeof b); /* 1: a pointer to itself, used by a struct member */
    put(&b, 0), put(&b, INFO(2, 0, 0)), put(&b, 1);
    put(&b, str(&b, "s")), put(&b, INFO(4, 0, 1)), put(&b, 8);
    put(&b, str(&b, "p")), put(&b, 1), put(&b, 0);
    in.btf = buf;
    in.btf_len = blob(&b, buf);
    ck_assert_int_eq(scry_btf_isf_write(&in, mem_write, &out), SCRY_ERR_CORRUPT);
    ck_assert_str_eq(scry_last_error(),
                     "BTF: type 1: a chain of more than 64 types (a reference loop?)");
    free(out.p);

    memset(&b, 0, sizeof b); /* typedefs naming each other */
    put(&b, str(&b, "a_t")), put(&b, INFO(8, 0, 0)), put(&b, 2);
    put(&b, str(&b, "b_t")), put(&b, INFO(8, 0, 0)), put(&b, 1);
    in.btf_len = blob(&b, buf);
    memset(&out, 0, sizeof out);
    ck_assert_int_eq(scry_btf_isf_write(&in, mem_write, &out), SCRY_ERR_CORRUPT);
    free(out.p);

    memset(&b, 0, sizeof b); /* a name JSON cannot carry as Volatility reads it */
    put(&b, str(&b, "in\x01t")), put(&b, INFO(1, 0, 0)), put(&b, 4), put(&b, 32);
    in.btf_len = blob(&b, buf);
    memset(&out, 0, sizeof out);
    ck_assert_int_eq(scry_btf_isf_write(&in, mem_write, &out), SCRY_ERR_CORRUPT);
    ck_assert_str_eq(scry_last_error(),
                     "BTF: type 1: name holds byte 0x01 (names must be printable ASCII)");
    free(out.p);
    scry_sysmap_free(&m);
}
END_TEST

/* ---------------------------------------------- end to end, through files */

/* A vmlinux with .text, .rodata (the banner) and .BTF. */
static size_t tiny_elf(uint8_t *out, const uint8_t *btf, size_t btf_len)
{
    static const char shstr[] = "\0.text\0.rodata\0.BTF\0.shstrtab";
    size_t off = 64, text = off, rodata = text + 16, btfo = rodata + sizeof banner;
    size_t shs = btfo + btf_len, sh = (shs + sizeof shstr + 7) & ~(size_t)7;
    memset(out, 0, sh + 5 * 64);
    memcpy(out, "\177ELF\2\1\1", 7);
    out[0x12] = 62;
    memcpy(out + rodata, banner, sizeof banner);
    memcpy(out + btfo, btf, btf_len);
    memcpy(out + shs, shstr, sizeof shstr);
    for (int i = 0; i < 8; i++)
        out[0x28 + i] = (uint8_t)(sh >> (8 * i));
    out[0x3a] = 64;
    out[0x3c] = 5;
    out[0x3e] = 4;
    struct { uint32_t name, type; uint64_t flags, addr, off, size; } s[5] = {
        {0, 0, 0, 0, 0, 0},
        {1, 1, 6, 0xffffffff81000000ull, text, 16},
        {7, 1, 2, 0xffffffff81200000ull, rodata, sizeof banner},
        {15, 1, 2, 0xffffffff81300000ull, btfo, btf_len},
        {20, 3, 0, 0, shs, sizeof shstr},
    };
    for (int i = 0; i < 5; i++) {
        uint8_t *h = out + sh + 64 * (size_t)i;
        put_le32(h, s[i].name);
        put_le32(h + 4, s[i].type);
        for (int k = 0; k < 8; k++) {
            h[8 + k] = (uint8_t)(s[i].flags >> (8 * k));
            h[0x10 + k] = (uint8_t)(s[i].addr >> (8 * k));
            h[0x18 + k] = (uint8_t)(s[i].off >> (8 * k));
            h[0x20 + k] = (uint8_t)(s[i].size >> (8 * k));
        }
    }
    return sh + 5 * 64;
}

START_TEST(test_end_to_end)
{
    struct bb b;
    uint8_t btf[4096], elf[8192];
    tiny(&b);
    size_t n = blob(&b, btf), en = tiny_elf(elf, btf, n);
    /* linux_banner is at .rodata once the kallsyms shift is removed. */
    char *kpath = tu_write_temp(elf, en), *mpath = tu_write_temp(tiny_map, strlen(tiny_map));
    char out[4096];
    snprintf(out, sizeof out, "%s.json.gz", kpath);
    scry_status st = scry_isf_from_btf(kpath, mpath, out);
    ck_assert_msg(st == SCRY_OK, "%s", scry_last_error());
    struct scry_symtab *t;
    ck_assert_int_eq(scry_isf_load(out, &t), SCRY_OK);
    const uint8_t *data;
    size_t dlen;
    ck_assert_int_eq(scry_sym_constant_data(t, "linux_banner", &data, &dlen), SCRY_OK);
    ck_assert_uint_eq(dlen, sizeof banner);
    ck_assert(memcmp(data, banner, dlen) == 0);
    scry_isf_free(t);
    unlink(out);

    /* A symbol file of another kernel: its banner address holds no banner. */
    const char *other = "ffffffff81000000 T _text\nffffffff81000004 D linux_banner\n";
    char *opath = tu_write_temp(other, strlen(other));
    ck_assert_int_eq(scry_isf_from_btf(kpath, opath, out), SCRY_ERR_NOT_FOUND);
    ck_assert_ptr_nonnull(strstr(scry_last_error(), "the symbol file is not this kernel's"));
    ck_assert_int_ne(access(out, F_OK), 0); /* nothing left behind */
    /* kallsyms as a non-root user reads it. */
    const char *hidden = "0000000000000000 T _text\n0000000000000000 D linux_banner\n";
    char *hpath = tu_write_temp(hidden, strlen(hidden));
    ck_assert_int_eq(scry_isf_from_btf(kpath, hpath, out), SCRY_ERR_CORRUPT);
    ck_assert_ptr_nonnull(strstr(scry_last_error(), "kptr_restrict"));
    unlink(hpath);
    free(hpath);
    /* No .BTF section. */
    elf[64 + 16 + sizeof banner + n + 18] = 'X'; /* ".BTF" → ".BTX" in .shstrtab */
    char *npath = tu_write_temp(elf, en);
    ck_assert_int_eq(scry_isf_from_btf(npath, mpath, out), SCRY_ERR_NOT_FOUND);
    ck_assert_ptr_nonnull(strstr(scry_last_error(), "no .BTF section"));
    unlink(kpath);
    unlink(mpath);
    unlink(opath);
    unlink(npath);
    free(kpath);
    free(mpath);
    free(opath);
    free(npath);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("btf");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_valid);
    tcase_add_loop_test(tc, test_malformed, 0, (int)(sizeof bad / sizeof bad[0]));
    tcase_add_test(tc, test_record_truncated);
    tcase_add_test(tc, test_sysmap);
    tcase_add_test(tc, test_kimage);
    tcase_add_test(tc, test_isf_tiny);
    tcase_add_test(tc, test_isf_encodings);
    tcase_add_test(tc, test_isf_refused);
    tcase_add_test(tc, test_end_to_end);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run_suite(suite()); }
