/* phys.h - the physical layer: what every dump format reader provides.
 *
 * A reader turns one dump file into physical memory: sorted, disjoint runs
 * of present memory, a read function, and what the file itself states
 * (struct scry_dump_info). Readers never interpret that metadata and never
 * know about symbols; the OS layer does.
 *
 * Hole semantics (documented in memscry.h too): bytes outside every run, or
 * pages a kdump filtered out, read as zeros and are counted in *holes. A page
 * that is present but cannot be decoded is SCRY_ERR_CORRUPT with a message
 * naming the PFN, never zeros. */
#ifndef SCRY_PHYS_H
#define SCRY_PHYS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/base/error.h"
#include "lib/base/file.h"
#include "lib/base/kv.h"

#define SCRY_PAGE_SIZE 4096u
#define SCRY_MAX_CPUS 64

struct scry_run {
    uint64_t start; /* physical address */
    uint64_t len;   /* bytes            */
};

/* Control registers of one CPU, as a QEMU ELF "QEMU" note states them. */
struct scry_cpu_regs {
    uint64_t cr0, cr2, cr3, cr4;
    int valid;
};

/* What the dump file states about itself. All pointers are owned by the
 * scry_phys and live as long as it does. */
struct scry_dump_info {
    const char *format;    /* "raw", "lime", "avml", "elf", "kdump",
                            * "kdump-flat", "windump" */
    uint64_t file_size;
    uint64_t phys_end;     /* one past the highest present physical byte  */
    unsigned read_cost;    /* the format's read_cost, at least 1          */
    const char *vmcoreinfo; /* VMCOREINFO text (NUL-terminated) or NULL    */
    size_t vmcoreinfo_len;
    unsigned ncpus;         /* CPUs with register notes                   */
    struct scry_cpu_regs cpu[SCRY_MAX_CPUS];
    /* kdump: the header's utsname release and machine, "" when unknown. */
    char release[65];
    char machine[65];
    /* Anything else the format states, as key/values a reader adds with
     * scry_kv_add (a crash dump's DTB, list heads, KDBG address); the
     * dump's public metadata (scry_dump_meta) lists them after the fields
     * above. Freed by scry_phys_close. */
    struct scry_kv meta;
};

struct scry_phys;

struct scry_phys_ops {
    /* Reads [pa, pa+len) into buf; see the hole semantics above. Must be
     * safe to call from several threads at once. */
    scry_status (*read)(struct scry_phys *p, uint64_t pa, void *buf, size_t len, size_t *holes);
    /* Optional zero-copy access: a pointer to [pa, pa+len) when those bytes
     * are stored contiguously and uncompressed in the mapping and len is at
     * least SCRY_DIRECT_MIN, else NULL. Bulk readers (scans) that use it drop
     * what they read with scry_file_drop. */
    const uint8_t *(*direct)(struct scry_phys *p, uint64_t pa, size_t len);
    /* Frees the reader's state, the runs, the info strings and the file. */
    void (*close)(struct scry_phys *p);
};

/* Reads at least this long may use a zero-copy view of the mapping; shorter,
 * scattered ones go through the file-page cache (see scry_phys_read_linear). */
#define SCRY_DIRECT_MIN (64u * 1024u)

struct scry_pagecache;
struct scry_budget;

/* The base every reader embeds as its first member. */
struct scry_phys {
    const struct scry_phys_ops *ops;
    struct scry_file *file;      /* owned */
    /* Pages of the file for small reads: physical pages where one run
     * holds them whole, else file pages (phys.c's run_copy); owned, set by
     * scry_phys_open_file, may be NULL. */
    struct scry_pagecache *fcache;
    struct scry_run *runs;       /* owned, sorted by start, disjoint, non-empty */
    size_t nruns;
    struct scry_dump_info info;
    /* Bytes every scan of this dump has searched (lib/phys/scan.c): an
     * operation count for tests and benchmarks, per dump so that no
     * process-wide state is kept. */
    _Atomic uint64_t searched;
    /* Optional op, NULL unless the reader sets it at open (kept here, not
     * in ops, so the readers' positional ops tables stay as they are). For
     * scans: the first stretch [*start, *end) at or after pa that may hold
     * non-zero bytes, inside one run (the run holding pa or the next one);
     * everything between pa and *start, and from *end to the end of that
     * run, reads as zeros (a hole of a sparse file). Returns 0 when no byte
     * at or after pa can be non-zero. NULL: every present byte may be data.
     * Two system calls per stretch, never one per page. */
    int (*next_data)(struct scry_phys *p, uint64_t pa, uint64_t *start, uint64_t *end);
};

/* Readers whose runs each map linearly onto the file (raw, LiME, ELF) embed
 * this first and use scry_linear_read / scry_linear_direct as their ops. */
struct scry_linear_phys {
    struct scry_phys base;
    uint64_t *file_off; /* where runs[i] starts in the file; parallel to runs */
};

scry_status scry_linear_read(struct scry_phys *p, uint64_t pa, void *buf, size_t len,
                             size_t *holes);
const uint8_t *scry_linear_direct(struct scry_phys *p, uint64_t pa, size_t len);
/* next_data for linear readers: maps the run's physical range to its file
 * range and asks the file for its holes (scry_file_next_data). */
int scry_linear_next_data(struct scry_phys *p, uint64_t pa, uint64_t *start, uint64_t *end);

/* A dump format: detection by content and an opener. */
struct scry_format {
    const char *name;
    /* Non-zero when head (the first len bytes of a file of file_size
     * bytes) is this format's. Must not read past len. */
    int (*probe)(const uint8_t *head, size_t len, uint64_t file_size);
    /* Parses f into *out; on success the reader owns f (it closes it), on
     * failure the caller still does. */
    scry_status (*open)(struct scry_file *f, struct scry_phys **out);
    /* What one byte of memory costs against a mapped format with OS
     * metadata (0 is taken as 1): 2 for readers that decompress every page
     * they serve (pslist, psaux, lsmod and proc on dev-1k took 78 ms from
     * the kdump, 53 ms from the ELF); 4 for raw images, which detection
     * may scan end to end (raw.c). Only scheduling uses it
     * (scry_dump_work_estimate), which wants upper bounds. */
    unsigned read_cost;
};

/* The format table, in probing order (raw last). NULL-terminated. */
extern const struct scry_format *const scry_formats[];

extern const struct scry_format scry_format_elf;
extern const struct scry_format scry_format_lime;
extern const struct scry_format scry_format_avml;
extern const struct scry_format scry_format_kdump;
extern const struct scry_format scry_format_kdump_flat;
extern const struct scry_format scry_format_windump;
extern const struct scry_format scry_format_raw;

/* Opens f with the first format whose probe accepts it. On success the
 * phys owns f. budget (borrowed, may be NULL = each cache bounded only by
 * its own size) is stored in f->budget before the reader opens, and the
 * file-page cache and a kdump's decoded-page cache charge it; it must
 * outlive the phys. Errors: SCRY_ERR_FORMAT, or what the reader reports. */
scry_status scry_phys_open_file(struct scry_file *f, struct scry_budget *budget,
                                struct scry_phys **out);
/* Opens path (maps it, detects the format); budget as for
 * scry_phys_open_file. Errors: scry_file_open's, then as above. */
scry_status scry_phys_open(const char *path, struct scry_budget *budget, struct scry_phys **out);
/* Opens n files as one dump. n == 1 is scry_phys_open. n > 1 is a
 * makedumpfile --split set: every member must be a kdump (plain or
 * flattened, in any order) and their PFN ranges must not overlap; the set
 * reads as one dump and owns all the files. Errors, one line naming the
 * file(s): scry_file_open's; SCRY_ERR_FORMAT "PATH: not a kdump file, so
 * not part of a split kdump set (...)"; SCRY_ERR_CORRUPT when ranges
 * overlap (two copies of one part, or a whole dump among parts); what
 * opening a member reports. */
scry_status scry_phys_open_set(const char *const *paths, size_t n, struct scry_budget *budget,
                               struct scry_phys **out);
void scry_phys_close(struct scry_phys *p);


static inline scry_status scry_phys_read(struct scry_phys *p, uint64_t pa, void *buf, size_t len,
                                         size_t *holes)
{
    return p->ops->read(p, pa, buf, len, holes);
}

/* Helpers shared by readers. */

/* Reads [pa, pa+len) for a reader whose runs map linearly onto the file:
 * file_off[i] is where runs[i] starts in the mapping. Zero-fills holes.
 * Reads shorter than SCRY_DIRECT_MIN are served from p->fcache, a page at
 * a time, filled with pread: on kernels whose page cache holds large
 * folios (ext4 on Linux 6.x), touching one byte of a file mapping maps its
 * whole folio into the process (about 230 KiB a touch measured on 6.18),
 * so a task walk straight through the mapping would leave hundreds of MiB
 * resident. */
scry_status scry_phys_read_linear(const struct scry_phys *p, const uint64_t *file_off, uint64_t pa,
                                  void *buf, size_t len, size_t *holes);
/* Index of the run containing pa, or (size_t)-1. Binary search. */
size_t scry_phys_find_run(const struct scry_phys *p, uint64_t pa);
/* Sorts runs by start (file_off, when not NULL, is a parallel array of
 * file offsets permuted alike), drops empty runs and trims overlaps: bytes
 * an earlier run (in the original order) already covers are cut from the
 * later one, so the first in file order wins (a /proc/vmcore maps the
 * kernel image twice). *n is updated. Errors: SCRY_ERR_NOMEM. */
scry_status scry_phys_sort_runs(struct scry_run **runs, uint64_t **file_off, size_t *n);

#endif
