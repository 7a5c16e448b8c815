/* windows_peb.h - a process's own address space and what its PEB leads to
 * (ProcessParameters, the loader lists), read as Volatility's EPROCESS
 * extension reads them (add_process_layer, get_peb), with the failures
 * told apart as Volatility's exceptions tell them.
 *
 * Volatility reads through a WindowsIntel32e layer over the process's
 * Pcb.DirectoryTableBase. A read that fails raises one of three
 * exceptions, and the plugins print them differently (cmdline's Args):
 *   PagedInvalidAddressException   "Required memory at 0x.. is not valid
 *                                   (process exited?)"
 *     a page-table entry on the way is not valid (neither present nor
 *     transition) or a page table is all one repeated entry; the address
 *     is the virtual address of the chunk that failed: the address asked
 *     for when the first page fails, else the start of the page (large
 *     page) that failed. So a Peb of 0 fails at 0x20, the address of
 *     Peb->ProcessParameters.
 *   SwappedInvalidAddressException "Required memory at 0x.. is inaccessible
 *                                   (swapped)"
 *     the same, when the failing entry is a pagefile entry (valid,
 *     transition and prototype bits clear, bit 7 set, bits 32.. non-zero).
 *   InvalidAddressException        "Process N: Required memory at 0x.. is
 *                                   not valid (incomplete layer memory_layer?)"
 *     the translation worked but the physical page is not in the dump
 *     (address: the physical address of the chunk), or a page table
 *     itself lies in a hole (address: the table's physical address).
 * Reads in the process space go through its vspace, whose paging mode
 * (SCRY_PAGING_WIN_X86_64, lib/vspace/paging_win_x86_64.c) is Volatility's
 * WindowsIntel32e: a PS bit in a PML4 entry is a 512 GiB page, an entry in
 * transition (bit 11 set, bit 10 clear) is valid at every level, a page
 * table of one repeated entry is invalid, and physical addresses keep bits
 * 12..44 only (MAXPHYADDR 45). A failed translation says where its walk
 * stopped (scry_vspace_translate_ex), which is all the classification
 * needs; the vspace's cache keeps reads cheap, and code that wants a
 * vspace (the PE dumper) uses the same one.
 *
 * Pointers read here are masked to 48 bits, as Volatility's are. */
#ifndef SCRY_WALK_WINDOWS_PEB_H
#define SCRY_WALK_WINDOWS_PEB_H

#include <stddef.h>
#include <stdint.h>

#include "lib/walk/windows_walk.h"

enum scry_win_fault_kind {
    SCRY_WIN_FAULT_PAGED = 1, /* PagedInvalidAddressException   */
    SCRY_WIN_FAULT_SWAPPED,   /* SwappedInvalidAddressException */
    SCRY_WIN_FAULT_LAYER      /* InvalidAddressException of memory_layer */
};

struct scry_win_fault {
    enum scry_win_fault_kind kind;
    uint64_t addr; /* virtual (masked) for PAGED/SWAPPED, physical for LAYER */
};

/* One process's space and its PEB pointer. Not thread-safe (the vspace's
 * cache); cheap to make one per process. */
struct scry_win_pspace {
    const struct scry_windows *w;
    struct scry_vspace vs;       /* SCRY_PAGING_WIN_X86_64 over dtb */
    uint64_t dtb;                /* Pcb.DirectoryTableBase as read */
    uint64_t pid;                /* UniqueProcessId, masked */
    uint64_t peb;                /* _EPROCESS.Peb, masked */
    struct scry_win_fault fault; /* why the last failed read failed */
};

/* add_process_layer: the space over p's DirectoryTableBase. Errors:
 * SCRY_ERR_NODATA when DirectoryTableBase, UniqueProcessId or Peb lie in an
 * unreadable part of the record (ps->fault says where, in the kernel
 * space's terms), or what scry_win_process_space reports. */
scry_status scry_win_pspace_open(const struct scry_windows *w, const struct scry_win_proc *p,
                                 struct scry_win_pspace *ps);

/* Reads [va, va+len) (va masked) through the process space. Errors:
 * SCRY_ERR_NODATA with ps->fault set as Volatility would raise it;
 * SCRY_ERR_CORRUPT when the dump cannot be read at all. */
scry_status scry_win_pread(struct scry_win_pspace *ps, uint64_t va, void *buf, size_t len);

/* A pointer at va, masked to 48 bits. */
scry_status scry_win_pread_ptr(struct scry_win_pspace *ps, uint64_t va, uint64_t *v);

/* is_valid(va): the byte at va translates and is in the dump. */
int scry_win_pvalid(struct scry_win_pspace *ps, uint64_t va);

/* _LIST_ENTRY.to_list in the process space, with scry_win_walk_list's
 * semantics, bounds and warnings (lib/walk/windows_walk.h). */
scry_status scry_win_pwalk_list(struct scry_win_pspace *ps, struct scry_op *op, uint64_t head,
                                uint64_t rel, const char *what, scry_win_entry_fn fn, void *user);

/* get_peb()'s check: the first byte of the PEB translates and is in the
 * dump. Returns 1 when valid. */
int scry_win_peb_valid(struct scry_win_pspace *ps);

/* Peb->ProcessParameters (masked). Errors as scry_win_pread. */
scry_status scry_win_peb_params(struct scry_win_pspace *ps, uint64_t *params);

/* _UNICODE_STRING.get_string() for the structure at va in the process
 * space: Buffer, then Length, then Length bytes at Buffer, decoded as
 * scry_win_ustr decodes them. *out is malloc'd. Errors as scry_win_pread,
 * SCRY_ERR_NOMEM. */
scry_status scry_win_pustr(struct scry_win_pspace *ps, uint64_t va, char **out, size_t *len);

/* cmdline's text for the failure in ps->fault (buf of cap bytes); the
 * "Process N:" form names ps->pid. Returns buf. */
const char *scry_win_fault_text(const struct scry_win_pspace *ps, char *buf, size_t cap);

/* Classifies a read of [va, va+len) through the Windows x64 tables at dtb
 * over phys exactly as Volatility's WindowsIntel32e would fail it. Returns
 * 1 and fills *f when it fails, 0 when Volatility would read it. Exposed
 * for tests. Bounded: at most one walk per 4 KiB page of len, through a
 * SCRY_PAGING_WIN_X86_64 vspace made for the call. */
int scry_win_vol_fault(struct scry_phys *phys, uint64_t dtb, uint64_t va, uint64_t len,
                       struct scry_win_fault *f);

#endif
