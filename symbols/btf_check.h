/* btf_check.h - memscry's own validation of a .BTF blob, before libbpf.
 *
 * libbpf 1.1 trusts what it parses: type ids past the table, name offsets
 * past the strings and records that run off the section can make it (and
 * any code that walks its types) read out of bounds. So every blob is
 * checked here first and only a blob that passes reaches btf__new():
 *   - the header: at least 24 bytes, magic 0xeb9f (little endian; the
 *     byte-swapped form is refused), version 1, hdr_len inside the blob,
 *     the bytes of a longer header zero;
 *   - the type and string sections inside the blob, the type section
 *     4-byte aligned, the two not overlapping, the strings starting and
 *     ending with a NUL byte and shorter than 2^24 (libbpf's limit);
 *   - every type record, with its vlen trailing entries, inside the type
 *     section; its kind one BTF defines;
 *   - every name offset (type, member, enumerator, parameter) inside the
 *     string section;
 *   - every type id referenced (pointee, typedef target, array element and
 *     index, member, parameter, return type, variable, section entry, tag
 *     target) below the number of types.
 * It does not check that references are acyclic: the ISF writer bounds
 * every chain it follows. */
#ifndef SCRY_BTF_CHECK_H
#define SCRY_BTF_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "lib/base/error.h"

#define SCRY_BTF_MAX_TYPES (1u << 22) /* vmlinux: ~150k */

/* BTF kinds (include/uapi/linux/btf.h). */
enum {
    SCRY_BTF_UNKN, SCRY_BTF_INT, SCRY_BTF_PTR, SCRY_BTF_ARRAY, SCRY_BTF_STRUCT, SCRY_BTF_UNION,
    SCRY_BTF_ENUM, SCRY_BTF_FWD, SCRY_BTF_TYPEDEF, SCRY_BTF_VOLATILE, SCRY_BTF_CONST,
    SCRY_BTF_RESTRICT, SCRY_BTF_FUNC, SCRY_BTF_FUNC_PROTO, SCRY_BTF_VAR, SCRY_BTF_DATASEC,
    SCRY_BTF_FLOAT, SCRY_BTF_DECL_TAG, SCRY_BTF_TYPE_TAG, SCRY_BTF_ENUM64, SCRY_BTF_KIND_MAX
};

/* Checks blob[0, len). On success *ntypes (may be NULL) is the number of
 * type ids, void (id 0) included. Errors: SCRY_ERR_CORRUPT with a one-line
 * message naming the field, the type id and the byte offset, e.g.
 * "BTF: type 7 (type section offset 96): member 2 refers to type 41, but
 * there are only 12 types"; SCRY_ERR_LIMIT past SCRY_BTF_MAX_TYPES. */
scry_status scry_btf_check(const uint8_t *blob, size_t len, uint32_t *ntypes);

#endif
