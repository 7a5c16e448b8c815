/* windows_walk.h - Windows kernel lists and process records, as
 * Volatility's extensions read them (symbols/windows/extensions). */
#ifndef SCRY_WALK_WINDOWS_WALK_H
#define SCRY_WALK_WINDOWS_WALK_H

#include <stdint.h>
#include <string.h>

#include "lib/base/op.h"
#include "lib/os/windows.h"

/* Default bound on the entries of one list walk (op->max_entries
 * overrides it). */
#define SCRY_WIN_MAX_ENTRIES (1u << 22)

/* Called with each entry's address (masked to 48 bits, as Volatility's
 * pointers are); return non-zero to stop. */
typedef int (*scry_win_entry_fn)(void *user, uint64_t entry);

/* Volatility's _LIST_ENTRY.to_list(forward=True, sentinel=True): the
 * entries after head (a masked address) through vs, where rel is the list
 * member's offset in the entry type. Volatility stops silently at a link
 * it has seen, at an entry whose first byte is unmapped and at a link that
 * cannot be read; so do we, but anything but the return to the head is a
 * WARNING on op naming `what` (the list is certainly incomplete), as is
 * the bound (op->max_entries, default SCRY_WIN_MAX_ENTRIES). A head that
 * is unmapped yields nothing, also with a warning. Progress ticks once per
 * entry. Errors: SCRY_ERR_NOMEM, SCRY_ERR_CANCELLED. */
scry_status scry_win_walk_list(struct scry_vspace *vs, struct scry_op *op, uint64_t head,
                               uint64_t rel, const char *what, scry_win_entry_fn fn, void *user);

/* One _EPROCESS read whole: its bytes, with the pages that could not be
 * read zeroed and recorded, so a field read tells "zero" from "unmapped"
 * as Volatility's per-field reads do. */
struct scry_win_proc {
    uint64_t va;          /* masked */
    uint8_t *b;           /* off.ep_size bytes, owned by the caller's buffer */
    uint64_t size;
    uint32_t bad;         /* bit i: page i of the struct (from va's page) unreadable */
};

/* Reads the EPROCESS at va (masked) into p->b (at least off.ep_size
 * bytes). Returns SCRY_OK when its first byte is mapped (the rest may not
 * be: see scry_win_proc_ok), else the translation's error. A page that
 * cannot be decoded is SCRY_ERR_CORRUPT. */
scry_status scry_win_proc_read(const struct scry_windows *w, struct scry_vspace *vs, uint64_t va,
                               struct scry_win_proc *p);

/* True when [off, off+len) of the record was read. */
static inline int scry_win_proc_ok(const struct scry_win_proc *p, uint64_t off, uint64_t len)
{
    if (off > p->size || len > p->size - off)
        return 0;
    uint64_t first = ((p->va & 0xfff) + off) >> 12, last = ((p->va & 0xfff) + off + len - 1) >> 12;
    for (uint64_t i = first; i <= last; i++)
        if (i >= 32 || (p->bad >> i) & 1)
            return 0;
    return 1;
}

static inline uint64_t scry_win_u64(const uint8_t *b, uint64_t off)
{
    uint64_t v;
    memcpy(&v, b + off, 8);
    return v;
}
static inline uint32_t scry_win_u32(const uint8_t *b, uint64_t off)
{
    uint32_t v;
    memcpy(&v, b + off, 4);
    return v;
}
static inline uint16_t scry_win_u16(const uint8_t *b, uint64_t off)
{
    uint16_t v;
    memcpy(&v, b + off, 2);
    return v;
}

/* ImageFileName as Volatility prints it (utility.array_to_string, or
 * cast("string", max_length=15, errors="replace")): UTF-8 with
 * replacement, cut at the first NUL, into buf (>= 64 bytes); returns its
 * length, or -1 (buf "") when the name cannot be read. */
long scry_win_proc_name(const struct scry_windows *w, const struct scry_win_proc *p, char *buf);

/* Volatility's conversion.wintime_to_datetime: a FILETIME to a datetime
 * cell (seconds), N/A for 0 and unparsable outside Python's datetime. */
struct scry_cell scry_win_time_cell(uint64_t filetime);

/* _UNICODE_STRING.get_string(): Length bytes at Buffer through vs, UTF-16LE
 * decoded as Volatility's String(encoding="utf16", errors="replace") does,
 * cut at the first NUL. ustr points at the
 * 16-byte structure's bytes. *out is malloc'd (NUL-terminated), *len its
 * length. Errors: SCRY_ERR_NODATA when the buffer is unmapped (Volatility's
 * InvalidAddressException), SCRY_ERR_NOMEM. Bounded: Length is a u16. */
scry_status scry_win_ustr(const struct scry_windows *w, struct scry_vspace *vs,
                          const uint8_t *ustr, char **out, size_t *len);

/* Reads a _UNICODE_STRING at va (masked) then its text, as above. */
scry_status scry_win_ustr_at(const struct scry_windows *w, struct scry_vspace *vs, uint64_t va,
                             char **out, size_t *len);

/* Decodes UTF-16 as Python's bytes.decode(codec, "replace") does into out
 * (at least 3 * (n / 2) + 4 bytes), NUL-terminated; returns the UTF-8
 * length (NUL code points included). bom 0: "utf-16-le"; bom 1: "utf16",
 * where a leading BOM is dropped and FE FF switches to big-endian. */
size_t scry_utf16_replace(const uint8_t *in, size_t n, int bom, char *out);

#endif
