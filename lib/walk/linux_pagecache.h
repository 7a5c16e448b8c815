/* linux_pagecache.h - the files the kernel's dentry cache holds, as
 * Volatility 2.11.0's pagecache.Files.get_inodes lists them: for each
 * superblock mounted in some task's namespace, its root and every cached
 * dentry below it, depth first, with the inode's page-cache facts.
 *
 * Offsets are this walker's own, resolved from the ISF at the start of a
 * run by which fields the ISF has. */
#ifndef SCRY_WALK_LINUX_PAGECACHE_H
#define SCRY_WALK_LINUX_PAGECACHE_H

#include <stddef.h>
#include <stdint.h>

#include "lib/base/op.h"
#include "lib/os/linux.h"
#include "lib/vspace/vspace.h"
#include "lib/walk/linux_files.h"
#include "lib/walk/linux_mounts.h"

/* Longest FilePath built (a deeper tree is cut, with a WARNING). */
#define SCRY_PAGECACHE_PATH_CAP 8192
/* Deepest directory nesting followed (Volatility recurses until Python's
 * recursion limit; a real tree is far shallower). */
#define SCRY_PAGECACHE_MAX_DEPTH 1024

struct scry_linux_pagecache_off {
    struct scry_linux_files_off fo;
    struct scry_linux_mounts_off mo;
    /* children: d_subdirs/d_child list (< 6.8) or d_children/d_sib hlist */
    uint64_t d_subdirs, d_child, d_children, d_sib;
    uint64_t inode_link, inode_mapping, as_nrpages, as_i_pages;
    /* the page cache: an xarray (i_pages) of struct page pointers */
    uint64_t xa_head, xa_node_shift, xa_node_slots, xa_nslots;
    uint64_t page_flags, page_mapping, page_index, page_size;
    uint64_t vmemmap_base;  /* the symbol's address (shifted), NO_OFFSET if absent */
    int has_mem_section;
};

/* Errors: the resolvers' (SCRY_ERR_NOT_FOUND naming what is missing, e.g.
 * "Unsupported dentry type", SCRY_ERR_CORRUPT). */
scry_status scry_linux_pagecache_resolve(const struct scry_linux *l,
                                         struct scry_linux_pagecache_off *po);

/* One file: its superblock and mount point, inode and path. */
struct scry_linux_cached_file {
    uint64_t sb;          /* masked                          */
    const char *mountpoint;
    uint64_t inode;       /* masked                          */
    const char *path;     /* with " -> target" for a fast symlink */
    size_t path_len;
};

/* Calls fn for each file in get_inodes order: superblocks in the order
 * MountInfo.get_superblocks finds them (tasks, their namespaces' mounts,
 * each superblock once), then the root inode and the dentry tree below
 * (pre-order), each inode once. Bounded: seen sets for dentries, inodes
 * and list links, a depth bound, op->max_entries (default SCRY_MAX_TASKS)
 * dentries per list; each cut a WARNING on op. fn returns non-zero to
 * stop. Errors: SCRY_ERR_NOMEM, and the task walk's. */
typedef int (*scry_linux_cached_file_fn)(void *user, const struct scry_linux_cached_file *f);
scry_status scry_linux_walk_cached_files(const struct scry_linux *l,
                                         const struct scry_linux_pagecache_off *po,
                                         struct scry_vspace *ks, struct scry_op *op,
                                         scry_linux_cached_file_fn fn, void *user);

/* inode.i_mapping->nrpages; 0 with *ok 0 when unreadable. */
uint64_t scry_linux_inode_nrpages(const struct scry_linux_pagecache_off *po,
                                  const struct scry_linux *l, struct scry_vspace *ks,
                                  uint64_t inode, int *ok);

/* Calls fn with each struct page address of the inode's page cache, in
 * Volatility's order (inode.get_pages: nothing when i_size is 0 or
 * i_mapping has no pages; else the xarray's slots in index order, a
 * leaf slot whose tag bits are clear being a page). Bounded: at most
 * op->max_entries (default SCRY_MAX_TASKS) entries and nodes, each node
 * once, a depth of 64 levels; a cut is a WARNING on op. Errors:
 * SCRY_ERR_NOMEM; SCRY_ERR_UNSUPPORTED when i_pages is no xarray. */
typedef int (*scry_linux_page_fn)(void *user, uint64_t page);
scry_status scry_linux_walk_inode_pages(const struct scry_linux *l,
                                        const struct scry_linux_pagecache_off *po,
                                        struct scry_vspace *ks, struct scry_op *op,
                                        uint64_t inode, scry_linux_page_fn fn, void *user);

/* page.to_paddr (SPARSEMEM_VMEMMAP): (page - vmemmap_base) / sizeof(struct
 * page) * 4096, floor division. Errors: SCRY_ERR_UNSUPPORTED for another
 * memory model, SCRY_ERR_NODATA when vmemmap_base cannot be read. */
scry_status scry_linux_page_paddr(const struct scry_linux *l,
                                  const struct scry_linux_pagecache_off *po,
                                  struct scry_vspace *ks, uint64_t page, uint64_t *paddr);

#endif
