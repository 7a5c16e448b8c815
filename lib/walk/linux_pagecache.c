/* linux_pagecache.c - cached files: superblocks, dentry trees, inodes. */
#include "lib/walk/linux_pagecache.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/hashset.h"
#include "lib/base/utf8.h"
#include "lib/walk/linux_dpath.h"
#include "lib/walk/linux_tasks.h"
#include "symbols/symtab.h"

#define NO SCRY_LINUX_NO_OFFSET
#define S_IFMT_ 0170000
#define S_IFDIR_ 0040000
#define S_IFLNK_ 0120000

scry_status scry_linux_pagecache_resolve(const struct scry_linux *l,
                                         struct scry_linux_pagecache_off *po)
{
    scry_status s = scry_linux_files_resolve(l, &po->fo);
    if (s == SCRY_OK)
        s = scry_linux_mounts_resolve(l, &po->mo);
    if (s != SCRY_OK)
        return s;
    const struct scry_field_spec f[] = {
        SCRY_FIELD_OPT("dentry", "d_subdirs", &po->d_subdirs),
        SCRY_FIELD_OPT("dentry", "d_child", &po->d_child),
        SCRY_FIELD_OPT("dentry", "d_children", &po->d_children),
        SCRY_FIELD_OPT("dentry", "d_sib", &po->d_sib),
        SCRY_FIELD_OPT("inode", "i_link", &po->inode_link),
        SCRY_FIELD("inode", "i_mapping", &po->inode_mapping),
        SCRY_FIELD("address_space", "nrpages", &po->as_nrpages),
        SCRY_FIELD_OPT("address_space", "i_pages", &po->as_i_pages),
        SCRY_FIELD_OPT("xarray", "xa_head", &po->xa_head),
        SCRY_FIELD_OPT("xa_node", "shift", &po->xa_node_shift),
        {"xa_node", "slots", &po->xa_node_slots, &po->xa_nslots, 1},
        SCRY_FIELD("page", "flags", &po->page_flags),
        SCRY_FIELD("page", "mapping", &po->page_mapping),
        SCRY_FIELD("page", "index", &po->page_index),
    };
    uint64_t memsec, vmb;
    const struct scry_symbol_spec syms[] = {
        SCRY_SYMBOL_OPT("vmemmap_base", &vmb),
        SCRY_SYMBOL_OPT("mem_section", &memsec),
    };
    if ((s = scry_resolve_fields(l->symtab, f, sizeof f / sizeof f[0])) != SCRY_OK)
        return s;
    if ((s = scry_resolve_symbols(l->symtab, syms, 2)) != SCRY_OK ||
        (s = scry_sym_type_size(l->symtab, "page", &po->page_size)) != SCRY_OK)
        return s;
    po->has_mem_section = memsec != NO;
    po->vmemmap_base = vmb == NO ? NO : vmb + l->virt_shift;
    po->xa_nslots /= 8; /* bytes to slots */
    if ((po->d_children == NO || po->d_sib == NO) && (po->d_subdirs == NO || po->d_child == NO))
        return scry_err(SCRY_ERR_NOT_FOUND, "%s: Unsupported dentry type", l->isf_path);
    if (po->d_children != NO && po->d_sib != NO)
        po->d_subdirs = po->d_child = NO; /* Volatility's first choice */
    return SCRY_OK;
}

struct frame {
    uint64_t dentry; /* whose children are listed */
    uint64_t link;   /* the next link to take     */
    size_t path_len; /* parent_dir's length        */
};

struct walk {
    const struct scry_linux *l;
    const struct scry_linux_pagecache_off *po;
    struct scry_vspace *ks;
    struct scry_op *op;
    scry_linux_cached_file_fn fn;
    void *user;
    uint64_t max;
    struct scry_hashset seen_mnt, seen_sb, seen_inodes, seen_dentries, seen_links;
    struct frame stack[SCRY_PAGECACHE_MAX_DEPTH];
    int cut_depth, cut_path, stop;
    scry_status st;
    char mountpoint[4096];
    char path[SCRY_PAGECACHE_PATH_CAP];
};

static int rd_ptr(struct walk *w, uint64_t a, uint64_t *v)
{
    if (scry_vspace_read_u64(w->ks, a, v) != SCRY_OK)
        return 0;
    *v &= w->l->va_mask;
    return 1;
}

static int add(struct walk *w, struct scry_hashset *h, uint64_t v)
{
    int r = scry_hs_add(h, v);
    if (r < 0) {
        w->st = scry_err(SCRY_ERR_NOMEM, "out of memory");
        w->stop = 1;
    }
    return r;
}

/* inode pointer readable and valid (i_ino > 0, i_count >= 0). */
static int inode_ok(struct walk *w, uint64_t inode)
{
    uint64_t ino;
    uint32_t count;
    return inode && scry_vspace_readable(w->ks, inode, w->po->fo.inode_size) &&
           scry_vspace_read_u64(w->ks, inode + w->l->off.inode_ino, &ino) == SCRY_OK && ino &&
           scry_vspace_read_u32(w->ks, inode + w->l->off.inode_count, &count) == SCRY_OK &&
           (int32_t)count >= 0;
}

/* Emits one file unless its inode was listed already; a fast symlink gets
 * " -> target" (the path buffer has room: it is cut before). */
static void emit(struct walk *w, uint64_t sb, uint64_t inode, size_t len)
{
    uint16_t mode = 0;
    uint64_t link;
    int added = add(w, &w->seen_inodes, inode);
    if (added <= 0)
        return;
    scry_vspace_read(w->ks, inode + w->po->fo.inode_mode, &mode, 2);
    if ((mode & S_IFMT_) == S_IFLNK_ && w->po->inode_link != NO && rd_ptr(w, inode + w->po->inode_link, &link) &&
        link) {
        uint8_t raw[255];
        char txt[3 * sizeof raw + 1];
        if (scry_vspace_read(w->ks, link, raw, sizeof raw) == SCRY_OK) {
            size_t n = scry_utf8_replace(raw, strnlen((const char *)raw, sizeof raw), txt);
            int k = snprintf(w->path + len, sizeof w->path - len, " -> %.*s", (int)n, txt);
            if (k > 0)
                len += (size_t)k < sizeof w->path - len ? (size_t)k : sizeof w->path - len - 1;
        } else {
            scry_op_say(w->op, SCRY_DIAG_WARNING, SCRY_ERR_NODATA,
                        "symlink inode 0x%" PRIx64 ": its target 0x%" PRIx64 " cannot be read "
                        "(Volatility would stop here)", inode, link);
        }
    }
    struct scry_linux_cached_file f = {.sb = sb, .mountpoint = w->mountpoint, .inode = inode,
                                       .path = w->path, .path_len = len};
    if (w->fn(w->user, &f))
        w->stop = 1;
}

/* qstr.name_as_str() appended to the path at len; returns the new length,
 * or 0 when it does not fit. */
static size_t append_name(struct walk *w, uint64_t dentry, size_t len)
{
    const struct scry_linux_offsets *o = &w->l->off;
    uint8_t raw[256];
    char txt[3 * sizeof raw + 1];
    uint32_t qlen = 254;
    uint64_t name;
    size_t n = 0;
    if (o->qstr_len == NO ||
        scry_vspace_read_u32(w->ks, dentry + o->dentry_name + o->qstr_len, &qlen) == SCRY_OK) {
        size_t count = (size_t)qlen + 1 > sizeof raw ? sizeof raw : (size_t)qlen + 1;
        if (rd_ptr(w, dentry + o->dentry_name + o->qstr_name, &name) &&
            scry_vspace_read(w->ks, name, raw, count) == SCRY_OK)
            n = scry_utf8_replace(raw, strnlen((const char *)raw, count), txt);
    }
    if (len + 1 + n + 600 >= sizeof w->path) /* room for " -> target" too */
        return 0;
    w->path[len] = '/';
    memcpy(w->path + len + 1, txt, n);
    len += 1 + n;
    w->path[len] = '\0';
    return len;
}

/* The first link of dentry d's child list, 0 when none. */
static uint64_t first_link(struct walk *w, uint64_t d)
{
    uint64_t link = 0;
    if (w->po->d_children != NO)
        rd_ptr(w, d + w->po->d_children, &link);
    else if (!rd_ptr(w, d + w->po->d_subdirs + w->l->off.list_next, &link) ||
             link == d + w->po->d_subdirs)
        link = 0;
    return link;
}

/* The link after `link` in the list of dentry d, 0 at the end. */
static uint64_t next_link(struct walk *w, uint64_t d, uint64_t link)
{
    uint64_t next = 0;
    if (w->po->d_children != NO) {
        if (!scry_vspace_readable(w->ks, link, 16) || !rd_ptr(w, link, &next))
            return 0;
        return next;
    }
    if (!rd_ptr(w, link + w->l->off.list_next, &next) || next == d + w->po->d_subdirs)
        return 0;
    return next;
}

static uint64_t entry_of(struct walk *w, uint64_t link)
{
    return link - (w->po->d_children != NO ? w->po->d_sib : w->po->d_child);
}

/* _walk_dentry from root, depth first with an explicit stack. */
static void walk_tree(struct walk *w, uint64_t sb, uint64_t root, size_t base_len)
{
    size_t sp = 0;
    w->stack[sp++] = (struct frame){root, first_link(w, root), base_len};
    while (sp && !w->stop) {
        struct frame *f = &w->stack[sp - 1];
        uint64_t link = f->link, inode, name, parent = f->dentry;
        if (!link) {
            sp--;
            continue;
        }
        int fresh = add(w, &w->seen_links, link);
        if (fresh <= 0) { /* to_list's seen set: a loop ends this list */
            if (fresh == 0)
                scry_op_say(w->op, SCRY_DIAG_WARNING, SCRY_ERR_CORRUPT,
                            "children of dentry 0x%" PRIx64 " end early: 0x%" PRIx64
                            " is linked twice", parent, link);
            sp--;
            continue;
        }
        f->link = next_link(w, parent, link);
        uint64_t d = entry_of(w, link);
        size_t plen = f->path_len;
        if (d == parent)
            continue; /* corruption */
        int added = add(w, &w->seen_dentries, d);
        if (added <= 0)
            continue;
        if (!rd_ptr(w, d + w->l->off.dentry_inode, &inode) || !inode_ok(w, inode))
            continue;
        if (!rd_ptr(w, d + w->l->off.dentry_name + w->l->off.qstr_name, &name) || !name)
            continue;
        size_t len = append_name(w, d, plen);
        if (!len) {
            w->cut_path = 1;
            continue;
        }
        emit(w, sb, inode, len);
        uint16_t mode = 0;
        if (scry_vspace_read(w->ks, inode + w->po->fo.inode_mode, &mode, 2) == SCRY_OK &&
            (mode & S_IFMT_) == S_IFDIR_) {
            if (sp == SCRY_PAGECACHE_MAX_DEPTH) {
                w->cut_depth = 1;
                continue;
            }
            w->path[len] = '\0';
            w->stack[sp++] = (struct frame){d, first_link(w, d), len};
        }
    }
}

/* get_inodes for one superblock mounted at w->mountpoint. */
static void superblock(struct walk *w, uint64_t sb)
{
    uint64_t root, parent, inode;
    if (!rd_ptr(w, sb + w->po->mo.sb_root, &root) || !root)
        return;
    if (!rd_ptr(w, root + w->l->off.dentry_parent, &parent) || parent != root)
        return;
    if (!rd_ptr(w, root + w->l->off.dentry_inode, &inode) || !inode_ok(w, inode))
        return;
    if (scry_hs_has(&w->seen_inodes, inode))
        return;
    size_t mlen = strlen(w->mountpoint);
    memcpy(w->path, w->mountpoint, mlen + 1);
    emit(w, sb, inode, mlen);
    /* parent_dir: "" for "/" */
    size_t base = strcmp(w->mountpoint, "/") ? mlen : 0;
    w->path[base] = '\0';
    walk_tree(w, sb, root, base);
}

struct mctx {
    struct walk *w;
    const struct scry_linux_task *t;
};

static int on_mount(void *user, uint64_t mount)
{
    struct mctx *m = user;
    struct walk *w = m->w;
    int32_t id;
    uint64_t sb;
    size_t len;
    if (scry_vspace_read(w->ks, mount + w->po->mo.mnt_id, &id, 4) != SCRY_OK)
        return 0;
    int added = add(w, &w->seen_mnt, (uint64_t)(uint32_t)id | 1ull << 32);
    if (added <= 0)
        return w->stop;
    uint64_t vfsmnt = mount + w->l->off.mount_mnt;
    scry_linux_mount_path(w->l, w->ks, m->t->addr, vfsmnt, w->mountpoint, sizeof w->mountpoint,
                          &len);
    if (!rd_ptr(w, vfsmnt + w->po->mo.vfsmnt_sb, &sb) || !sb ||
        !scry_vspace_readable(w->ks, sb, w->po->mo.sb_size))
        return 0;
    if ((added = add(w, &w->seen_sb, sb)) <= 0)
        return w->stop;
    superblock(w, sb);
    return w->stop;
}

static int on_task(void *user, const struct scry_linux_task *t)
{
    struct walk *w = user;
    struct mctx m = {w, t};
    uint64_t ns = scry_linux_task_mnt_ns(w->l, &w->po->mo, w->ks, t->addr);
    if (!ns)
        return 0;
    scry_status st = scry_linux_walk_mounts(w->l, &w->po->mo, w->ks, w->op, ns, on_mount, &m);
    if (st != SCRY_OK && w->st == SCRY_OK) {
        w->st = st;
        w->stop = 1;
    }
    return w->stop;
}

scry_status scry_linux_walk_cached_files(const struct scry_linux *l,
                                         const struct scry_linux_pagecache_off *po,
                                         struct scry_vspace *ks, struct scry_op *op,
                                         scry_linux_cached_file_fn fn, void *user)
{
    struct walk *w = calloc(1, sizeof *w);
    if (!w)
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    *w = (struct walk){.l = l, .po = po, .ks = ks, .op = op, .fn = fn, .user = user};
    w->max = op && op->max_entries ? op->max_entries : SCRY_MAX_TASKS;
    scry_status st = scry_linux_walk_tasks(l, op, 0, on_task, w);
    if (st == SCRY_OK)
        st = w->st;
    if (w->cut_depth)
        scry_op_say(op, SCRY_DIAG_WARNING, SCRY_ERR_LIMIT,
                    "directories nested deeper than %d were not followed",
                    SCRY_PAGECACHE_MAX_DEPTH);
    if (w->cut_path)
        scry_op_say(op, SCRY_DIAG_WARNING, SCRY_ERR_LIMIT,
                    "files whose path is longer than %d bytes were left out",
                    SCRY_PAGECACHE_PATH_CAP - 600);
    scry_hs_free(&w->seen_mnt);
    scry_hs_free(&w->seen_sb);
    scry_hs_free(&w->seen_inodes);
    scry_hs_free(&w->seen_dentries);
    scry_hs_free(&w->seen_links);
    free(w);
    return st;
}

uint64_t scry_linux_inode_nrpages(const struct scry_linux_pagecache_off *po,
                                  const struct scry_linux *l, struct scry_vspace *ks,
                                  uint64_t inode, int *ok)
{
    uint64_t mapping, n = 0;
    *ok = scry_vspace_read_u64(ks, inode + po->inode_mapping, &mapping) == SCRY_OK &&
          scry_vspace_read_u64(ks, (mapping & l->va_mask) + po->as_nrpages, &n) == SCRY_OK;
    return *ok ? n : 0;
}

/* IDStorage.get_entries over the XArray. */
struct pwalk {
    struct scry_vspace *ks;
    struct scry_op *op;
    const struct scry_linux_pagecache_off *po;
    scry_linux_page_fn fn;
    void *user;
    struct scry_hashset nodes;
    uint64_t count, max, mask;
    unsigned shift_bits; /* CHUNK_SHIFT */
    int cut, stop;
    scry_status st;
};

static void iter_node(struct pwalk *w, uint64_t nodep, unsigned height, unsigned depth)
{
    uint64_t slots[64];
    size_t n = w->po->xa_nslots > 64 ? 64 : (size_t)w->po->xa_nslots;
    int added = scry_hs_add(&w->nodes, nodep);
    if (added < 0) {
        w->st = scry_err(SCRY_ERR_NOMEM, "out of memory");
        w->stop = 1;
        return;
    }
    if (!added || depth > 64) {
        w->cut |= 1;
        return;
    }
    if (scry_vspace_read(w->ks, nodep + w->po->xa_node_slots, slots, 8 * n) != SCRY_OK) {
        w->cut |= 2;
        return;
    }
    for (size_t i = 0; i < n && !w->stop; i++) {
        uint64_t slot = slots[i] & w->mask, p = slot;
        if (!slot)
            continue;
        if ((slot & 3) == 2) /* internal: untagged */
            p = slot & ~3ull;
        if (++w->count > w->max) {
            w->cut |= 4;
            w->stop = 1;
            return;
        }
        if (height == 1) {
            if (!(p & 3) && w->fn(w->user, p))
                w->stop = 1;
        } else {
            iter_node(w, p, height - 1, depth + 1);
        }
    }
}

scry_status scry_linux_walk_inode_pages(const struct scry_linux *l,
                                        const struct scry_linux_pagecache_off *po,
                                        struct scry_vspace *ks, struct scry_op *op,
                                        uint64_t inode, scry_linux_page_fn fn, void *user)
{
    int64_t size;
    uint64_t mapping, nrpages, head;
    if (po->xa_head == NO || po->xa_node_slots == NO || po->xa_node_shift == NO ||
        po->as_i_pages == NO)
        return scry_err(SCRY_ERR_UNSUPPORTED, "%s: the page cache is not an xarray (radix "
                        "trees of kernels < 4.20 are not read)", l->isf_path);
    if (scry_vspace_read_u64(ks, inode + po->fo.inode_isize, (uint64_t *)&size) != SCRY_OK ||
        !size)
        return SCRY_OK;
    if (scry_vspace_read_u64(ks, inode + po->inode_mapping, &mapping) != SCRY_OK || !mapping ||
        scry_vspace_read_u64(ks, (mapping & l->va_mask) + po->as_nrpages, &nrpages) != SCRY_OK ||
        !nrpages)
        return SCRY_OK;
    mapping &= l->va_mask;
    if (scry_vspace_read_u64(ks, mapping + po->as_i_pages + po->xa_head, &head) != SCRY_OK) {
        scry_op_say(op, SCRY_DIAG_WARNING, SCRY_ERR_NODATA,
                    "inode 0x%" PRIx64 ": its page cache head cannot be read", inode);
        return SCRY_OK;
    }
    head &= l->va_mask;
    if (!head)
        return SCRY_OK;
    struct pwalk w = {.ks = ks, .op = op, .po = po, .fn = fn, .user = user, .mask = l->va_mask};
    w.max = op && op->max_entries ? op->max_entries : SCRY_MAX_TASKS;
    /* CHUNK_SHIFT: the slots' count's bit length - 1 */
    for (uint64_t k = po->xa_nslots; k > 1; k >>= 1)
        w.shift_bits++;
    int internal = (head & 3) == 2;
    head &= ~3ull; /* tagged: untagged */
    unsigned height = 0;
    if (internal) {
        uint8_t shift;
        if (scry_vspace_read(ks, head + po->xa_node_shift, &shift, 1) != SCRY_OK) {
            scry_op_say(op, SCRY_DIAG_WARNING, SCRY_ERR_NODATA,
                        "inode 0x%" PRIx64 ": page cache node 0x%" PRIx64 " cannot be read",
                        inode, head);
            return SCRY_OK;
        }
        if (!w.shift_bits || shift % w.shift_bits) {
            /* Volatility's float height never reaches 1: it recurses until
             * Python's recursion limit */
            scry_op_say(op, SCRY_DIAG_WARNING, SCRY_ERR_CORRUPT,
                        "inode 0x%" PRIx64 ": page cache node 0x%" PRIx64 " has shift %u, not a "
                        "multiple of %u: not read", inode, head, shift, w.shift_bits);
            return SCRY_OK;
        }
        height = shift / w.shift_bits + 1;
    }
    if (height == 0) {
        fn(user, head);
        return SCRY_OK;
    }
    iter_node(&w, head, height, 0);
    scry_hs_free(&w.nodes);
    if (w.cut)
        scry_op_say(op, SCRY_DIAG_WARNING, w.cut & 4 ? SCRY_ERR_LIMIT : SCRY_ERR_CORRUPT,
                    "inode 0x%" PRIx64 ": page cache read in part:%s%s%s", inode,
                    w.cut & 1 ? " a node seen twice or too deep" : "",
                    w.cut & 2 ? " a node that cannot be read" : "",
                    w.cut & 4 ? " more entries than the bound" : "");
    return w.st;
}

scry_status scry_linux_page_paddr(const struct scry_linux *l,
                                  const struct scry_linux_pagecache_off *po,
                                  struct scry_vspace *ks, uint64_t page, uint64_t *paddr)
{
    uint64_t base;
    if (!po->has_mem_section || po->vmemmap_base == NO)
        return scry_err(SCRY_ERR_UNSUPPORTED, "%s: page to physical address: only "
                        "SPARSEMEM_VMEMMAP with vmemmap_base is supported", l->isf_path);
    if (scry_vspace_read_u64(ks, po->vmemmap_base, &base) != SCRY_OK)
        return scry_err(SCRY_ERR_NODATA, "vmemmap_base cannot be read");
    /* canonicalize, then Python's floor division */
    uint64_t pc = page & (1ull << 47) ? page | ~l->va_mask : page;
    __int128 d = (__int128)(int64_t)pc - (__int128)(int64_t)base;
    __int128 q = d / (__int128)po->page_size;
    if (d % (__int128)po->page_size && d < 0)
        q--;
    *paddr = (uint64_t)(q * 4096);
    return SCRY_OK;
}
