/* sysmap.h - a System.map or /proc/kallsyms text ("ADDRESS TYPE NAME" per
 * line), plain or xz-compressed (told by its magic bytes).
 *
 * Lines that name a module ("ADDR t name\t[module]") are skipped: module
 * symbols have no place in the kernel's ISF. When a name repeats (static
 * symbols of different files) the last line wins, as in dwarf2json's ISFs
 * (the files are sorted by address, so: the highest address).
 *
 * KASLR (scry_sysmap_unshift): /proc/kallsyms read on a running kernel
 * shows addresses moved by that boot's random shift; System.map shows
 * link-time ones. The shift is the file's _text minus the link-time _text
 * (from the ELF: its .symtab _text, else the start of .text, else
 * 0xffffffff81000000), and it is removed from every address inside the
 * kernel image map (>= 0xffffffff80000000); per-CPU offsets and absolute
 * values (small numbers) are never shifted. A file without _text is taken
 * as link-time (shift 0). */
#ifndef SCRY_SYSMAP_H
#define SCRY_SYSMAP_H

#include <stddef.h>
#include <stdint.h>

#include "lib/base/error.h"

#define SCRY_SYSMAP_MAX_TEXT ((size_t)256 << 20) /* kallsyms ~8 MiB */
#define SCRY_SYSMAP_MAX_NAME 1024u              /* KSYM_NAME_LEN is 512 */
#define SCRY_KERNEL_MAP 0xffffffff80000000ull   /* __START_KERNEL_map */
#define SCRY_DEFAULT_TEXT 0xffffffff81000000ull

struct scry_sysmap_sym {
    const char *name;
    uint64_t addr;
    char type;  /* 'T', 'D', 'b', ... */
    int kept;   /* the line a lookup by this name finds (the last) */
};

struct scry_sysmap {
    struct scry_sysmap_sym *sym;
    size_t n;
    char *text;      /* owned: the names point into it */
    uint32_t *index; /* hash of names → sym index + 1; 0 is empty */
    size_t icap;
};

/* Parses data[0, len). Errors: SCRY_ERR_CORRUPT naming the line ("line 12:
 * expected ADDRESS TYPE NAME"), SCRY_ERR_LIMIT (text or a name too long),
 * SCRY_ERR_NOMEM. */
scry_status scry_sysmap_parse(const uint8_t *data, size_t len, struct scry_sysmap *out);
void scry_sysmap_free(struct scry_sysmap *m);

/* Builds the name index over m->sym[0, n) (names pointing into m->text)
 * and sets each entry's `kept`: what the parser does once its lines are in,
 * shared with kallsyms.c, which fills sym and text itself. Errors:
 * SCRY_ERR_NOMEM (m is left for scry_sysmap_free). */
scry_status scry_sysmap_index(struct scry_sysmap *m);

/* The symbol named name (its last line), or NULL. */
const struct scry_sysmap_sym *scry_sysmap_find(const struct scry_sysmap *m, const char *name);

/* Removes the KASLR shift relative to _text (see above); *shift receives
 * it (0 without _text). */
void scry_sysmap_unshift(struct scry_sysmap *m, uint64_t link_text, uint64_t *shift);

#endif
