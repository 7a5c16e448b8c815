/* windows_vad.h - a process's VAD tree as Volatility 2.11.0 walks it
 * (EPROCESS.get_vad_root, MMVAD_SHORT.traverse and its accessors in
 * symbols/windows/extensions/__init__.py), for windows.vadinfo and
 * windows.malfind. Layout: struct scry_win_vad (lib/os/windows.h).
 *
 * Traversal, as Volatility's:
 *   - the root is _EPROCESS.VadRoot.BalancedRoot (Win7, embedded in the
 *     EPROCESS) or what VadRoot.Root points to (Win8.1+);
 *   - pre-order: node, left subtree, right subtree;
 *   - a node's type comes from the pool tag 12 bytes before it (the
 *     _POOL_HEADER's PoolTag on x64), decoded as strict UTF-8: "VadS" and
 *     "VadF" are _MMVAD_SHORT, any other "Vad..." is _MMVAD; the depth-0
 *     node may carry no such tag (it is then not reported, but its
 *     children are); a deeper node without one is skipped with its
 *     subtree;
 *   - a node seen before is not visited again; a child pointer that cannot
 *     be read is skipped silently.
 * Where Volatility would raise instead (a tree deeper than 100 levels: its
 * RuntimeError "Vad tree is too deep"), the walk of that process stops with
 * a WARNING and keeps what it reported; see docs/DESIGN.md. The number of
 * distinct nodes is bounded by op->max_entries (default
 * SCRY_WIN_MAX_ENTRIES), also with a warning. */
#ifndef SCRY_WALK_WINDOWS_VAD_H
#define SCRY_WALK_WINDOWS_VAD_H

#include <stddef.h>
#include <stdint.h>

#include "lib/walk/windows_walk.h"

/* Volatility's depth limit (traverse raises past it). */
#define SCRY_WIN_VAD_MAX_DEPTH 100

/* One reported VAD, its fields read as Volatility's accessors read them. */
struct scry_win_vad_node {
    uint64_t va;           /* node address, masked (vol.offset); printed canonical */
    int depth;
    int is_long;           /* _MMVAD (any "Vad*" tag but VadS/VadF) */
    char tag[4];           /* the pool tag, valid UTF-8 (may hold NULs) */
    /* get_start / get_end: addresses, Python integers. On Win7 the 64-bit
     * VPNs can make them wider than 64 bits (a corrupt VAD): *_hi then
     * hold the bits above 64 and wide is set. */
    uint64_t start, end;
    uint64_t start_hi, end_hi;
    int wide;
    uint32_t protection;   /* VadFlags.Protection, the index into MmProtectToValue */
    uint64_t commit;       /* get_commit_charge() */
    uint64_t private_mem;  /* get_private_memory() */
    uint64_t parent;       /* get_parent(): without the low 2 bits */
    uint64_t subsection;   /* _MMVAD.Subsection (masked); 0 for short VADs */
    int has_subsection;    /* is_long and the pointer could be read */
};

/* Called for each VAD in traversal order; return non-zero to stop. */
typedef int (*scry_win_vad_fn)(void *user, const struct scry_win_vad_node *v);

/* Walks the VAD tree of the process p (read by scry_win_proc_read) through
 * ks, the kernel space. A VAD whose own fields cannot be read is skipped
 * with an INFO diagnostic (Volatility would raise). Errors:
 * SCRY_ERR_UNSUPPORTED (the ISF has no usable VAD layout), SCRY_ERR_NOMEM,
 * SCRY_ERR_CANCELLED. */
scry_status scry_win_vad_walk(const struct scry_windows *w, struct scry_vspace *ks,
                              struct scry_op *op, const struct scry_win_proc *p,
                              scry_win_vad_fn fn, void *user);

/* MMVAD.get_file_name(): Subsection.ControlArea.FilePointer (an
 * _EX_FAST_REF: low 4 bits dropped) as a _FILE_OBJECT, its FileName when
 * Length > 0. *out is malloc'd. SCRY_ERR_NODATA when Volatility prints N/A
 * (a short VAD, a NULL or unreadable link, Length 0). */
scry_status scry_win_vad_file_name(const struct scry_windows *w, struct scry_vspace *ks,
                                   const struct scry_win_vad_node *v, char **out, size_t *len);

/* VadInfo.protect_values: the 32 ints of MmProtectToValue. *ok gets a bit
 * per element that could be read (Volatility reads one element per VAD and
 * raises on an unreadable one; memscry prints its protection empty).
 * Errors: SCRY_ERR_NOT_FOUND when the ISF has no MmProtectToValue. */
scry_status scry_win_vad_protect_values(const struct scry_windows *w, struct scry_vspace *ks,
                                        int32_t values[32], uint32_t *ok);

/* get_protection(): the winnt_protections names whose bits are in value,
 * in that table's order, joined with '|' into buf (>= 256 bytes); returns
 * the length ("" for 0). */
size_t scry_win_vad_protection_str(int32_t value, char *buf);

__extension__ typedef __int128 scry_win_i128;

/* The VAD's size, get_size(): end - start + 1, signed (a hostile VAD may
 * end before it starts). */
static inline scry_win_i128 scry_win_vad_size(const struct scry_win_vad_node *v)
{
    __extension__ unsigned __int128 s = (unsigned __int128)v->start_hi << 64 | v->start,
                                    e = (unsigned __int128)v->end_hi << 64 | v->end;
    return (scry_win_i128)(e - s + 1);
}

#endif
