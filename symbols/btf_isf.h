/* btf_isf.h - an ISF (Volatility's symbol table JSON, format 6.2.0) from a
 * kernel's BTF and its symbol addresses.
 *
 * What BTF gives and how it is written (dwarf2json's conventions, so the
 * result reads like the ISF of the same kernel's DWARF):
 *   - base_types: every BTF INT and FLOAT by its name ("long unsigned int"),
 *     plus "pointer" (8 bytes), "void" and the integer names enums use;
 *     _Bool is called signed, as dwarf2json does;
 *   - user_types: every struct and union, by name, an anonymous one as
 *     "unnamed_btf_<id>"; every typedef of a struct or union also under
 *     the typedef's name (a field typed cpumask_t refers to "cpumask_t";
 *     of a chain of typedefs, the last before the struct); forward
 *     declarations with no definition as empty types. Members keep their
 *     names; anonymous struct/union members are "unnamed_field_<k>" with
 *     "anonymous": true; bitfields are ISF bitfields at the byte holding
 *     their first bit (bit_position < 8);
 *   - enums by their own names (a typedef of an enum stands for it);
 *     signed when BTF says so, or, for 64-bit enums pahole < 1.25 did not
 *     mark, when a constant has the top bit set;
 *   - symbols: every name of the symbol file (last line of a name), at
 *     its address with the KASLR shift removed by the caller. BTF has types
 *     only for per-CPU variables (DATASEC VARs); the symbols the Linux
 *     plugins read are typed from a small table (btf_isf.c: sym_types).
 *     linux_banner carries the banner string as constant_data.
 * When two BTF types share a name the last definition keeps it (as in
 * dwarf2json's output); so does the first of two members of one struct. A
 * name that is not printable ASCII is an error (it could not be written as
 * JSON the way Volatility reads it).
 */
#ifndef SCRY_BTF_ISF_H
#define SCRY_BTF_ISF_H

#include <stddef.h>
#include <stdint.h>

#include "lib/base/error.h"

struct scry_sysmap;

#define SCRY_ISF_MAX_OUTPUT ((uint64_t)1 << 30) /* real ones: 10-15 MB of JSON */
#define SCRY_BTF_MAX_CHAIN 64 /* typedef/modifier/pointer/array nesting */

struct scry_btf_isf_in {
    const uint8_t *btf; /* the .BTF section (checked here before libbpf) */
    size_t btf_len;
    const struct scry_sysmap *map; /* addresses already unshifted */
    const uint8_t *banner;         /* linux_banner's bytes with their NUL, or NULL */
    size_t banner_len;
    const char *symbols_name; /* for metadata: the symbol file's base name */
    const char *producer_version;
};

/* Writes the ISF through write(user, data, len) (non-zero return: stop
 * with the message the sink set). Errors: what scry_btf_check reports;
 * SCRY_ERR_CORRUPT (libbpf refused the blob, a type chain longer than
 * SCRY_BTF_MAX_CHAIN or a loop, a name that is not printable ASCII),
 * SCRY_ERR_LIMIT (output past SCRY_ISF_MAX_OUTPUT), SCRY_ERR_NOMEM, or the
 * sink's error. */
scry_status scry_btf_isf_write(const struct scry_btf_isf_in *in,
                               int (*write)(void *user, const void *data, size_t len),
                               void *user);

#endif
