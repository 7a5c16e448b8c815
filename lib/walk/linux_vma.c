/* linux_vma.c - a process's VMAs in mm_struct.get_vma_iter() order: the
 * mmap / vm_next list, or every non-zero maple tree slot depth-first in
 * array order (no pivots, as Volatility reads it). */
#include "lib/walk/linux_vma.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/hashset.h"
#include "lib/walk/linux_dpath.h"

/* maple_tree.h: the node pointer's low byte holds its type and flags. */
#define MAPLE_NODE_MASK ((uint64_t)0xff)
#define MAPLE_TYPE_SHIFT 3
#define MAPLE_TYPE_MASK 0xfu
#define MT_FLAGS_HEIGHT_MASK 0x7cu
#define MT_FLAGS_HEIGHT_OFFSET 2
/* The kernel's MAPLE_HEIGHT_MAX: a deeper tree is damaged, not big. */
#define MAPLE_HEIGHT_MAX 31
#define MAX_SLOTS 64

enum { MAPLE_DENSE, MAPLE_LEAF_64, MAPLE_RANGE_64, MAPLE_ARANGE_64 };

struct vwalk {
    const struct scry_linux *l;
    struct scry_vspace *ks;
    struct scry_op *op;
    scry_linux_vma_fn fn;
    void *user;
    uint64_t max, count, nodes, mm, tree;
    unsigned expected_depth;
    int stop, depth_warned;
    struct scry_hashset seen;
    scry_status st; /* NOMEM or CANCELLED */
};

static uint64_t le64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v; /* x86: the only architectures Volatility's Linux plugins take */
}

enum { V_START, V_END, V_FLAGS, V_PGOFF, V_FILE, V_MM, V_COUNT };

/* Reads the VMA at addr (its fields lie within 200 bytes: one read). */
static scry_status vma_read(const struct scry_linux *l, struct scry_vspace *ks, uint64_t addr,
                            struct scry_linux_vma *v)
{
    const struct scry_linux_offsets *o = &l->off;
    const uint64_t off[V_COUNT] = {o->vma_start, o->vma_end,  o->vma_flags,
                                   o->vma_pgoff, o->vma_file, o->vma_mm};
    uint64_t val[V_COUNT], lo = UINT64_MAX, hi = 0;
    uint8_t span[512];
    scry_status st = SCRY_OK;
    for (int i = 0; i < V_COUNT; i++) {
        lo = off[i] < lo ? off[i] : lo;
        hi = off[i] + 8 > hi ? off[i] + 8 : hi;
    }
    if (hi - lo <= sizeof span) {
        st = scry_vspace_read(ks, addr + lo, span, (size_t)(hi - lo));
        for (int i = 0; i < V_COUNT && st == SCRY_OK; i++)
            val[i] = le64(span + (off[i] - lo));
    } else {
        for (int i = 0; i < V_COUNT && st == SCRY_OK; i++)
            st = scry_vspace_read_u64(ks, addr + off[i], &val[i]);
    }
    if (st != SCRY_OK)
        return st;
    v->addr = addr;
    v->start = val[V_START];
    v->end = val[V_END];
    v->flags = val[V_FLAGS];
    v->pgoff = val[V_PGOFF];
    v->file = val[V_FILE] & l->va_mask;
    v->mm = val[V_MM] & l->va_mask;
    return SCRY_OK;
}

/* One more VMA: bounded, cancellable. Returns non-zero to stop. */
static int emit(struct vwalk *w, uint64_t addr)
{
    struct scry_linux_vma v;
    if (++w->count > w->max) {
        scry_op_say(w->op, SCRY_DIAG_WARNING, SCRY_ERR_LIMIT,
                    "VMAs of mm 0x%" PRIx64 " end early: more than %" PRIu64 " entries", w->mm,
                    w->max);
        return w->stop = 1;
    }
    if (scry_op_tick(w->op, 0, 0)) {
        w->st = scry_op_cancelled();
        return w->stop = 1;
    }
    scry_status st = vma_read(w->l, w->ks, addr, &v);
    if (st != SCRY_OK) {
        scry_op_report(w->op, scry_diag_level_for(st), st,
                       "VMA 0x%" PRIx64 " of mm 0x%" PRIx64 " skipped", addr, w->mm);
        return 0;
    }
    if (w->fn(w->user, &v))
        w->stop = 1;
    return w->stop;
}

/* _get_mmap_iter: mmap, then vm_next until NULL or a VMA seen before. */
static void walk_list(struct vwalk *w)
{
    const struct scry_linux_offsets *o = &w->l->off;
    uint64_t link;
    scry_status st = scry_vspace_read_u64(w->ks, w->mm + o->mm_mmap, &link);
    if (st != SCRY_OK) {
        scry_op_report(w->op, SCRY_DIAG_WARNING, st, "mm 0x%" PRIx64 ": mmap cannot be read",
                       w->mm);
        return;
    }
    link &= w->l->va_mask;
    while (link && !w->stop) {
        int added = scry_hs_add(&w->seen, link);
        if (added < 0) {
            w->st = scry_err(SCRY_ERR_NOMEM, "out of memory");
            return;
        }
        if (!added) { /* Volatility stops silently; we say why */
            scry_op_say(w->op, SCRY_DIAG_WARNING, SCRY_ERR_CORRUPT,
                        "VMA list of mm 0x%" PRIx64 " loops back to 0x%" PRIx64, w->mm, link);
            return;
        }
        if (emit(w, link))
            return;
        st = scry_vspace_read_u64(w->ks, link + o->vma_next, &link);
        if (st != SCRY_OK) {
            scry_op_report(w->op, SCRY_DIAG_WARNING, st,
                           "VMA list of mm 0x%" PRIx64 " ends early: vm_next of 0x%" PRIx64
                           " cannot be read", w->mm, link);
            return;
        }
        link &= w->l->va_mask;
    }
}

/* _parse_maple_tree_node: entry is a maple node pointer (type in its low
 * byte) whose node must name `parent` as its parent. */
static void walk_node(struct vwalk *w, uint64_t entry, uint64_t parent, unsigned depth)
{
    const struct scry_linux_offsets *o = &w->l->off;
    uint64_t pointer = entry & ~MAPLE_NODE_MASK & w->l->va_mask, node_parent, slot_off, slot_size;
    unsigned type = (unsigned)(entry >> MAPLE_TYPE_SHIFT) & MAPLE_TYPE_MASK;
    uint8_t slots[MAX_SLOTS * 8];
    int added = scry_hs_add(&w->seen, entry);
    if (added < 0) {
        w->st = scry_err(SCRY_ERR_NOMEM, "out of memory");
        w->stop = 1;
        return;
    }
    /* A real tree has fewer nodes than entries: a hostile one that does
     * not (each node reachable under 256 encodings) stops at the bound. */
    if (++w->nodes > w->max + 64) {
        scry_op_say(w->op, SCRY_DIAG_WARNING, SCRY_ERR_LIMIT,
                    "maple tree at 0x%" PRIx64 " ends early: more than %" PRIu64 " nodes",
                    w->tree, w->max + 64);
        w->stop = 1;
        return;
    }
    if (!added) { /* Volatility skips this node and goes on */
        scry_op_say(w->op, SCRY_DIAG_WARNING, SCRY_ERR_CORRUPT,
                    "The mte 0x%" PRIx64 " has already been seen, no further results will be "
                    "produced for this node", entry);
        return;
    }
    if (depth > w->expected_depth && !w->depth_warned) {
        w->depth_warned = 1;
        scry_op_say(w->op, SCRY_DIAG_WARNING, SCRY_ERR_CORRUPT,
                    "The depth for the maple tree at 0x%" PRIx64 " is %u, however when parsing "
                    "the nodes a depth of %u was reached. This is unexpected and may lead to "
                    "incorrect results", w->tree, w->expected_depth, depth);
    }
    if (depth > MAPLE_HEIGHT_MAX) {
        scry_op_say(w->op, SCRY_DIAG_WARNING, SCRY_ERR_LIMIT,
                    "maple tree at 0x%" PRIx64 ": node 0x%" PRIx64 " is deeper than %d levels: "
                    "the walk ends", w->tree, pointer, MAPLE_HEIGHT_MAX);
        w->stop = 1;
        return;
    }
    switch (type) {
    case MAPLE_DENSE: slot_off = o->mn_dense_slot, slot_size = o->mn_dense_size; break;
    case MAPLE_LEAF_64:
    case MAPLE_RANGE_64: slot_off = o->mn_range_slot, slot_size = o->mn_range_size; break;
    case MAPLE_ARANGE_64: slot_off = o->mn_arange_slot, slot_size = o->mn_arange_size; break;
    default:
        scry_op_say(w->op, SCRY_DIAG_WARNING, SCRY_ERR_CORRUPT,
                    "Unknown Maple Tree node type %u at offset 0x%" PRIx64 ": node skipped",
                    type, pointer);
        return;
    }
    if (slot_off == SCRY_LINUX_NO_OFFSET) {
        scry_op_say(w->op, SCRY_DIAG_WARNING, SCRY_ERR_UNSUPPORTED,
                    "maple node 0x%" PRIx64 " of type %u skipped: the ISF has no slots for it",
                    pointer, type);
        return;
    }
    if (slot_size > sizeof slots)
        slot_size = sizeof slots;
    scry_status st = scry_vspace_read_u64(w->ks, pointer, &node_parent);
    if (st == SCRY_OK)
        st = scry_vspace_read(w->ks, pointer + slot_off, slots, (size_t)slot_size);
    if (st != SCRY_OK) {
        scry_op_report(w->op, scry_diag_level_for(st), st,
                       "maple node 0x%" PRIx64 " of mm 0x%" PRIx64 " skipped", pointer, w->mm);
        return;
    }
    node_parent &= ~MAPLE_NODE_MASK & w->l->va_mask;
    if (node_parent != parent) {
        /* Volatility asserts here (and the plugin dies); we skip the node. */
        scry_op_say(w->op, SCRY_DIAG_WARNING, SCRY_ERR_CORRUPT,
                    "maple node 0x%" PRIx64 " names parent 0x%" PRIx64 ", not 0x%" PRIx64
                    ": skipped", pointer, node_parent, parent);
        return;
    }
    for (uint64_t i = 0; i + 8 <= slot_size && !w->stop; i += 8) {
        uint64_t slot = le64(slots + i);
        if (!(slot & ~(uint64_t)MAPLE_TYPE_MASK))
            continue;
        if (type == MAPLE_DENSE || type == MAPLE_LEAF_64)
            emit(w, slot);
        else
            walk_node(w, slot, pointer, depth + 1);
    }
}

static void walk_tree(struct vwalk *w)
{
    const struct scry_linux_offsets *o = &w->l->off;
    uint64_t root;
    uint32_t flags;
    w->tree = w->mm + o->mm_mt;
    scry_status st = scry_vspace_read_u64(w->ks, w->tree + o->mt_root, &root);
    if (st == SCRY_OK)
        st = scry_vspace_read_u32(w->ks, w->tree + o->mt_flags, &flags);
    if (st != SCRY_OK) {
        scry_op_report(w->op, scry_diag_level_for(st), st,
                       "mm 0x%" PRIx64 ": its maple tree cannot be read", w->mm);
        return;
    }
    if (!(root & ~(uint64_t)MAPLE_TYPE_MASK))
        return; /* an empty tree */
    w->expected_depth = (flags & MT_FLAGS_HEIGHT_MASK) >> MT_FLAGS_HEIGHT_OFFSET;
    walk_node(w, root, (w->tree & w->l->va_mask) & ~MAPLE_NODE_MASK, 1);
}

static const char *missing_field(const struct scry_linux *l, unsigned need)
{
    const struct scry_linux_offsets *o = &l->off;
    const struct {
        unsigned need;
        const uint64_t *off;
        const char *name;
    } req[] = {
        {SCRY_VMA_NEED_WALK, &o->vma_start, "vm_area_struct.vm_start"},
        {SCRY_VMA_NEED_WALK, &o->vma_end, "vm_area_struct.vm_end"},
        {SCRY_VMA_NEED_WALK, &o->vma_flags, "vm_area_struct.vm_flags"},
        {SCRY_VMA_NEED_WALK, &o->vma_pgoff, "vm_area_struct.vm_pgoff"},
        {SCRY_VMA_NEED_WALK, &o->vma_file, "vm_area_struct.vm_file"},
        {SCRY_VMA_NEED_WALK, &o->vma_mm, "vm_area_struct.vm_mm"},
        {SCRY_VMA_NEED_NAMES, &o->mm_start_brk, "mm_struct.start_brk"},
        {SCRY_VMA_NEED_NAMES, &o->mm_brk, "mm_struct.brk"},
        {SCRY_VMA_NEED_NAMES, &o->mm_start_stack, "mm_struct.start_stack"},
        {SCRY_VMA_NEED_NAMES, &o->task_fs, "task_struct.fs"},
        {SCRY_VMA_NEED_NAMES, &o->fs_root_dentry, "fs_struct.root.dentry"},
        {SCRY_VMA_NEED_NAMES, &o->fs_root_mnt, "fs_struct.root.mnt"},
        {SCRY_VMA_NEED_NAMES | SCRY_VMA_NEED_INODE, &o->file_dentry, "file.f_path.dentry"},
        {SCRY_VMA_NEED_NAMES, &o->file_mnt, "file.f_path.mnt"},
        {SCRY_VMA_NEED_NAMES, &o->dentry_parent, "dentry.d_parent"},
        {SCRY_VMA_NEED_NAMES, &o->dentry_name, "dentry.d_name"},
        {SCRY_VMA_NEED_NAMES, &o->dentry_op, "dentry.d_op"},
        {SCRY_VMA_NEED_NAMES | SCRY_VMA_NEED_INODE, &o->dentry_inode, "dentry.d_inode"},
        {SCRY_VMA_NEED_NAMES, &o->qstr_name, "qstr.name"},
        {SCRY_VMA_NEED_NAMES, &o->dop_dname, "dentry_operations.d_dname"},
        {SCRY_VMA_NEED_NAMES | SCRY_VMA_NEED_INODE, &o->inode_ino, "inode.i_ino"},
        {SCRY_VMA_NEED_NAMES, &o->inode_count, "inode.i_count"},
        {SCRY_VMA_NEED_INODE, &o->inode_sb, "inode.i_sb"},
        {SCRY_VMA_NEED_INODE, &o->sb_dev, "super_block.s_dev"},
        {SCRY_VMA_NEED_NAMES, &o->vfsmnt_root, "vfsmount.mnt_root"},
        {SCRY_VMA_NEED_NAMES, &o->mount_mnt, "mount.mnt"},
        {SCRY_VMA_NEED_NAMES, &o->mount_parent, "mount.mnt_parent"},
        {SCRY_VMA_NEED_NAMES, &o->mount_mountpoint, "mount.mnt_mountpoint"},
    };
    for (size_t i = 0; i < sizeof req / sizeof req[0]; i++)
        if ((req[i].need & need) && *req[i].off == SCRY_LINUX_NO_OFFSET)
            return req[i].name;
    if (need & SCRY_VMA_NEED_WALK) {
        if (o->mm_mmap != SCRY_LINUX_NO_OFFSET) {
            if (o->vma_next == SCRY_LINUX_NO_OFFSET)
                return "vm_area_struct.vm_next";
        } else if (o->mm_mt == SCRY_LINUX_NO_OFFSET) {
            return "mm_struct.mmap or mm_struct.mm_mt";
        } else if (o->mt_root == SCRY_LINUX_NO_OFFSET) {
            return "maple_tree.ma_root";
        } else if (o->mt_flags == SCRY_LINUX_NO_OFFSET) {
            return "maple_tree.ma_flags";
        } else if (o->mn_range_slot == SCRY_LINUX_NO_OFFSET) {
            return "maple_node.mr64.slot";
        }
    }
    return NULL;
}

scry_status scry_linux_vma_check(const struct scry_linux *l, unsigned need)
{
    const char *f = missing_field(l, need);
    if (f)
        return scry_err(SCRY_ERR_UNSUPPORTED, "%s: the ISF has no %s (needed to read process "
                        "memory maps)", l->isf_path ? l->isf_path : "ISF", f);
    return SCRY_OK;
}

scry_status scry_linux_walk_vmas(const struct scry_linux *l, struct scry_vspace *ks,
                                 struct scry_op *op, uint64_t mm, scry_linux_vma_fn fn, void *user)
{
    struct vwalk w = {.l = l, .ks = ks, .op = op, .fn = fn, .user = user, .mm = mm};
    scry_status st = scry_linux_vma_check(l, SCRY_VMA_NEED_WALK);
    if (st != SCRY_OK)
        return st;
    w.max = op && op->max_entries ? op->max_entries : SCRY_MAX_TASKS;
    /* get_vma_iter: the list when mm_struct has mmap, else the tree. */
    if (l->off.mm_mmap != SCRY_LINUX_NO_OFFSET)
        walk_list(&w);
    else
        walk_tree(&w);
    scry_hs_free(&w.seen);
    return w.st;
}

void scry_linux_vma_prot(uint64_t flags, char out[4])
{
    out[0] = flags & 1 ? 'r' : '-';
    out[1] = flags & 2 ? 'w' : '-';
    out[2] = flags & 4 ? 'x' : '-';
    out[3] = '\0';
}

static size_t put(char *out, size_t cap, const char *s)
{
    size_t n = strlen(s);
    if (n >= cap)
        n = cap - 1;
    memcpy(out, s, n);
    out[n] = '\0';
    return n;
}

size_t scry_linux_vma_name_buf(const struct scry_linux *l, struct scry_vspace *ks,
                               const struct scry_linux_task *t, const struct scry_linux_vma *v,
                               char *out, size_t cap, int *complete)
{
    const struct scry_linux_offsets *o = &l->off;
    uint64_t start_brk, brk, start_stack, vdso;
    int ok = 1;
    size_t n;
    if (v->file) {
        ok = scry_linux_file_path(l, ks, t->addr, v->file, out, cap, &n);
        goto done;
    }
    if (scry_vspace_read_u64(ks, t->mm + o->mm_start_brk, &start_brk) == SCRY_OK &&
        scry_vspace_read_u64(ks, t->mm + o->mm_brk, &brk) == SCRY_OK) {
        if (v->start <= start_brk && v->end >= brk) {
            n = put(out, cap, "[heap]");
            goto done;
        }
    } else {
        ok = 0;
    }
    if (scry_vspace_read_u64(ks, t->mm + o->mm_start_stack, &start_stack) == SCRY_OK) {
        if (v->start <= start_stack && start_stack <= v->end) {
            n = put(out, cap, "[stack]");
            goto done;
        }
    } else {
        ok = 0;
    }
    if (o->mm_vdso != SCRY_LINUX_NO_OFFSET) {
        if (scry_vspace_read_u64(ks, v->mm + o->mm_vdso, &vdso) == SCRY_OK) {
            if (v->start == (vdso & l->va_mask)) {
                n = put(out, cap, "[vdso]");
                goto done;
            }
        } else {
            ok = 0;
        }
    }
    n = put(out, cap, "Anonymous Mapping");
done:
    if (complete)
        *complete = ok;
    return n;
}

scry_status scry_linux_vma_name(const struct scry_linux *l, struct scry_vspace *ks,
                                const struct scry_linux_task *t, const struct scry_linux_vma *v,
                                char **out)
{
    char *buf = malloc(SCRY_LINUX_PATH_CAP);
    if (!buf)
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    size_t n = scry_linux_vma_name_buf(l, ks, t, v, buf, SCRY_LINUX_PATH_CAP, NULL);
    char *shrunk = realloc(buf, n + 1);
    *out = shrunk ? shrunk : buf;
    return SCRY_OK;
}

scry_status scry_linux_vma_inode(const struct scry_linux *l, struct scry_vspace *ks,
                                 const struct scry_linux_vma *v, uint64_t *major,
                                 uint64_t *minor, uint64_t *inode)
{
    const struct scry_linux_offsets *o = &l->off;
    uint64_t dentry, ino_p, sb, ino;
    uint32_t dev;
    scry_status st;
    *major = *minor = *inode = 0;
    if (!v->file)
        return SCRY_OK;
    st = scry_vspace_read_u64(ks, v->file + o->file_dentry, &dentry);
    if (st != SCRY_OK || !(dentry & l->va_mask))
        return st;
    st = scry_vspace_read_u64(ks, (dentry & l->va_mask) + o->dentry_inode, &ino_p);
    if (st == SCRY_OK)
        st = scry_vspace_read_u64(ks, (ino_p & l->va_mask) + o->inode_sb, &sb);
    if (st == SCRY_OK)
        st = scry_vspace_read_u32(ks, (sb & l->va_mask) + o->sb_dev, &dev);
    if (st == SCRY_OK)
        st = scry_vspace_read_u64(ks, (ino_p & l->va_mask) + o->inode_ino, &ino);
    if (st != SCRY_OK)
        return st;
    *major = dev >> 20;
    *minor = dev & ((1u << 20) - 1);
    *inode = ino;
    return SCRY_OK;
}
