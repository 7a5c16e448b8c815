/* btf_check.c - validation of a .BTF blob before libbpf sees it. Two
 * passes over the type section: the first finds every record's extent and
 * counts the types (a reference may point forward), the second checks the
 * names and references. */
#include "symbols/btf_check.h"

#include <string.h>

#define BTF_MAGIC 0xeb9fu
#define BTF_HDR_MIN 24u
#define BTF_MAX_STR (1u << 24) /* libbpf: BTF_MAX_NAME_OFFSET + 1 */
#define REC 12u                /* name_off, info, size/type */

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Bytes of kind-specific data after the 12-byte record; -1 for a kind BTF
 * does not define. */
static int64_t extra_size(unsigned kind, uint32_t vlen)
{
    switch (kind) {
    case SCRY_BTF_INT: case SCRY_BTF_VAR: case SCRY_BTF_DECL_TAG: return 4;
    case SCRY_BTF_ARRAY: return 12;
    case SCRY_BTF_STRUCT: case SCRY_BTF_UNION: case SCRY_BTF_DATASEC: case SCRY_BTF_ENUM64:
        return (int64_t)vlen * 12;
    case SCRY_BTF_ENUM: case SCRY_BTF_FUNC_PROTO: return (int64_t)vlen * 8;
    case SCRY_BTF_PTR: case SCRY_BTF_FWD: case SCRY_BTF_TYPEDEF: case SCRY_BTF_VOLATILE:
    case SCRY_BTF_CONST: case SCRY_BTF_RESTRICT: case SCRY_BTF_FUNC: case SCRY_BTF_FLOAT:
    case SCRY_BTF_TYPE_TAG:
        return 0;
    default: return -1;
    }
}

struct chk {
    uint32_t str_len, ntypes, id;
    size_t off; /* of the current record, in the type section */
};

static scry_status bad_name(const struct chk *c, const char *what, uint32_t idx, uint32_t name)
{
    if (idx == UINT32_MAX)
        return scry_err(SCRY_ERR_CORRUPT,
                        "BTF: type %u (type section offset %zu): name offset %u is past the "
                        "string section (%u bytes)", c->id, c->off, name, c->str_len);
    return scry_err(SCRY_ERR_CORRUPT,
                    "BTF: type %u (type section offset %zu): %s %u name offset %u is past the "
                    "string section (%u bytes)", c->id, c->off, what, idx, name, c->str_len);
}

static scry_status bad_ref(const struct chk *c, const char *what, uint32_t idx, uint32_t ref)
{
    if (idx == UINT32_MAX)
        return scry_err(SCRY_ERR_CORRUPT,
                        "BTF: type %u (type section offset %zu): %s refers to type %u, but there "
                        "are only %u types", c->id, c->off, what, ref, c->ntypes);
    return scry_err(SCRY_ERR_CORRUPT,
                    "BTF: type %u (type section offset %zu): %s %u refers to type %u, but there "
                    "are only %u types", c->id, c->off, what, idx, ref, c->ntypes);
}

#define NAME(what, idx, v)                                                                         \
    do {                                                                                           \
        if ((v) >= c.str_len)                                                                      \
            return bad_name(&c, what, idx, v);                                                     \
    } while (0)
#define REF(what, idx, v)                                                                          \
    do {                                                                                           \
        if ((v) >= c.ntypes)                                                                       \
            return bad_ref(&c, what, idx, v);                                                      \
    } while (0)

scry_status scry_btf_check(const uint8_t *blob, size_t len, uint32_t *ntypes)
{
    if (len < BTF_HDR_MIN)
        return scry_err(SCRY_ERR_CORRUPT, "BTF: header truncated (%zu bytes, at least %u needed)",
                        len, BTF_HDR_MIN);
    if (len > UINT32_MAX) /* every BTF offset and libbpf's size are 32-bit */
        return scry_err(SCRY_ERR_LIMIT, "BTF: blob of %zu bytes (at most 4 GiB)", len);
    unsigned magic = (unsigned)blob[0] | (unsigned)blob[1] << 8;
    if (magic != BTF_MAGIC)
        return scry_err(SCRY_ERR_CORRUPT, "BTF: bad magic 0x%04x (expected 0x%04x)", magic,
                        BTF_MAGIC);
    if (blob[2] != 1)
        return scry_err(SCRY_ERR_CORRUPT, "BTF: version %u (only version 1 is known)", blob[2]);
    uint32_t hdr_len = le32(blob + 4);
    if (hdr_len < BTF_HDR_MIN || hdr_len > len)
        return scry_err(SCRY_ERR_CORRUPT,
                        "BTF: header length %u is not within [%u, %zu] (the blob's size)", hdr_len,
                        BTF_HDR_MIN, len);
    for (uint32_t i = BTF_HDR_MIN; i < hdr_len; i++)
        if (blob[i])
            return scry_err(SCRY_ERR_CORRUPT,
                            "BTF: header byte %u is not zero (unknown header fields)", i);
    uint64_t type_off = le32(blob + 8), type_len = le32(blob + 12);
    uint64_t str_off = le32(blob + 16), str_len = le32(blob + 20);
    uint64_t room = len - hdr_len;
    if (type_off > room || type_len > room - type_off)
        return scry_err(SCRY_ERR_CORRUPT,
                        "BTF: type section [%llu, +%llu) is outside the %llu bytes after the "
                        "header", (unsigned long long)type_off, (unsigned long long)type_len,
                        (unsigned long long)room);
    if (str_off > room || str_len > room - str_off)
        return scry_err(SCRY_ERR_CORRUPT,
                        "BTF: string section [%llu, +%llu) is outside the %llu bytes after the "
                        "header", (unsigned long long)str_off, (unsigned long long)str_len,
                        (unsigned long long)room);
    if (type_off % 4)
        return scry_err(SCRY_ERR_CORRUPT, "BTF: type section offset %llu is not 4-byte aligned",
                        (unsigned long long)type_off);
    if (type_len && str_len && type_off < str_off + str_len && str_off < type_off + type_len)
        return scry_err(SCRY_ERR_CORRUPT, "BTF: type section [%llu, +%llu) and string section "
                        "[%llu, +%llu) overlap", (unsigned long long)type_off,
                        (unsigned long long)type_len, (unsigned long long)str_off,
                        (unsigned long long)str_len);
    const uint8_t *strs = blob + hdr_len + str_off, *types = blob + hdr_len + type_off;
    if (str_len == 0 || strs[0] != 0)
        return scry_err(SCRY_ERR_CORRUPT, "BTF: string section does not start with a NUL byte");
    if (strs[str_len - 1] != 0)
        return scry_err(SCRY_ERR_CORRUPT, "BTF: string section does not end with a NUL byte");
    if (str_len >= BTF_MAX_STR)
        return scry_err(SCRY_ERR_CORRUPT, "BTF: string section of %llu bytes (at most %u)",
                        (unsigned long long)str_len, BTF_MAX_STR - 1);

    struct chk c = {.str_len = (uint32_t)str_len, .ntypes = 1};
    /* Pass 1: record extents and the type count. */
    for (size_t off = 0; off < type_len;) {
        c.id = c.ntypes;
        c.off = off;
        if (type_len - off < REC)
            return scry_err(SCRY_ERR_CORRUPT,
                            "BTF: type %u (type section offset %zu): record truncated (%llu bytes "
                            "left, %u needed)", c.id, off, (unsigned long long)(type_len - off), REC);
        uint32_t info = le32(types + off + 4);
        unsigned kind = (info >> 24) & 0x1f;
        int64_t extra = extra_size(kind, info & 0xffff);
        if (extra < 0)
            return scry_err(SCRY_ERR_CORRUPT, "BTF: type %u (type section offset %zu): unknown kind %u",
                            c.id, off, kind);
        if ((uint64_t)extra > type_len - off - REC)
            return scry_err(SCRY_ERR_CORRUPT,
                            "BTF: type %u (type section offset %zu): kind %u with vlen %u needs %lld "
                            "bytes, past the end of the type section", c.id, off, kind,
                            info & 0xffff, (long long)(REC + extra));
        if (c.ntypes >= SCRY_BTF_MAX_TYPES)
            return scry_err(SCRY_ERR_LIMIT, "BTF: more than %u types", SCRY_BTF_MAX_TYPES - 1);
        c.ntypes++;
        off += REC + (size_t)extra;
    }
    /* Pass 2: names and references. */
    c.id = 1;
    for (size_t off = 0; off < type_len; c.id++) {
        const uint8_t *t = types + off;
        c.off = off;
        uint32_t name = le32(t), info = le32(t + 4), st = le32(t + 8);
        unsigned kind = (info >> 24) & 0x1f;
        uint32_t vlen = info & 0xffff;
        const uint8_t *x = t + REC;
        NAME("", UINT32_MAX, name);
        switch (kind) {
        case SCRY_BTF_PTR: case SCRY_BTF_TYPEDEF: case SCRY_BTF_VOLATILE: case SCRY_BTF_CONST:
        case SCRY_BTF_RESTRICT: case SCRY_BTF_FUNC: case SCRY_BTF_VAR: case SCRY_BTF_DECL_TAG:
        case SCRY_BTF_TYPE_TAG:
            REF("the record", UINT32_MAX, st);
            break;
        case SCRY_BTF_ARRAY:
            REF("the array element", UINT32_MAX, le32(x));
            REF("the array index", UINT32_MAX, le32(x + 4));
            break;
        case SCRY_BTF_STRUCT: case SCRY_BTF_UNION:
            for (uint32_t i = 0; i < vlen; i++) {
                NAME("member", i, le32(x + 12 * i));
                REF("member", i, le32(x + 12 * i + 4));
            }
            break;
        case SCRY_BTF_ENUM:
            for (uint32_t i = 0; i < vlen; i++)
                NAME("enumerator", i, le32(x + 8 * i));
            break;
        case SCRY_BTF_ENUM64:
            for (uint32_t i = 0; i < vlen; i++)
                NAME("enumerator", i, le32(x + 12 * i));
            break;
        case SCRY_BTF_FUNC_PROTO:
            REF("the return type", UINT32_MAX, st);
            for (uint32_t i = 0; i < vlen; i++) {
                NAME("parameter", i, le32(x + 8 * i));
                REF("parameter", i, le32(x + 8 * i + 4));
            }
            break;
        case SCRY_BTF_DATASEC:
            for (uint32_t i = 0; i < vlen; i++)
                REF("section entry", i, le32(x + 12 * i));
            break;
        default:
            break;
        }
        off += REC + (size_t)extra_size(kind, vlen);
    }
    if (ntypes)
        *ntypes = c.ntypes;
    return SCRY_OK;
}
