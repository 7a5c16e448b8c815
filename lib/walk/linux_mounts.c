/* linux_mounts.c - mount namespaces, their mounts, show_mountinfo. */
#include "lib/walk/linux_mounts.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "lib/base/hashset.h"
#include "lib/base/utf8.h"
#include "lib/walk/linux_dpath.h"
#include "lib/walk/linux_files.h"
#include "lib/walk/linux_tasks.h"
#include "symbols/symtab.h"

#define NO SCRY_LINUX_NO_OFFSET

/* Steps of one propagation-group or mount-parent climb (get_dominating_id
 * and its helpers keep seen sets; a chain this long is a loop). */
#define MAX_CLIMB 4096
/* Depth of the red-black tree walk's explicit stack: a real tree of 2^22
 * mounts is at most 44 deep; deeper is a cycle or damage. */
#define RB_DEPTH 128

/* mount.MNT_* flags and their option names, in Volatility's order. */
#define MNT_READONLY 0x40
#define MNT_SHARED 0x1000
#define MNT_UNBINDABLE 0x2000
static const struct {
    uint32_t bit;
    const char *name;
} mnt_flags[] = {{0x01, "nosuid"},    {0x02, "nodev"},       {0x04, "noexec"},
                 {0x08, "noatime"},   {0x10, "nodiratime"},  {0x20, "relatime"}};
/* super_block.SB_OPTS, in Volatility's order. */
static const struct {
    uint64_t bit;
    const char *name;
} sb_flags[] = {{16, "sync"}, {128, "dirsync"}, {64, "mand"}, {1u << 25, "lazytime"}};

scry_status scry_linux_mounts_resolve(const struct scry_linux *l,
                                      struct scry_linux_mounts_off *mo)
{
    uint64_t proc_inum, mounts_size = 0, mnt_node;
    const struct scry_field_spec f[] = {
        SCRY_FIELD("task_struct", "nsproxy", &mo->task_nsproxy),
        SCRY_FIELD("nsproxy", "mnt_ns", &mo->nsproxy_mnt_ns),
        SCRY_FIELD_OPT("mnt_namespace", "ns.inum", &mo->mntns_inum),
        SCRY_FIELD_OPT("mnt_namespace", "proc_inum", &proc_inum),
        SCRY_FIELD_OPT("mnt_namespace", "list", &mo->mntns_list),
        {"mnt_namespace", "mounts", &mo->mntns_mounts, &mounts_size, 1},
        SCRY_FIELD_OPT("rb_root", "rb_node", &mo->rb_node),
        SCRY_FIELD_OPT("rb_node", "rb_left", &mo->rb_left),
        SCRY_FIELD_OPT("rb_node", "rb_right", &mo->rb_right),
        SCRY_FIELD("mount", "mnt_list", &mo->mnt_list),
        SCRY_FIELD_OPT("mount", "mnt_node", &mnt_node),
        SCRY_FIELD("mount", "mnt_id", &mo->mnt_id),
        SCRY_FIELD("mount", "mnt_group_id", &mo->mnt_group_id),
        SCRY_FIELD("mount", "mnt_master", &mo->mnt_master),
        SCRY_FIELD("mount", "mnt_devname", &mo->mnt_devname),
        SCRY_FIELD("mount", "mnt_share", &mo->mnt_share),
        SCRY_FIELD("mount", "mnt_ns", &mo->mnt_ns),
        SCRY_FIELD("vfsmount", "mnt_sb", &mo->vfsmnt_sb),
        SCRY_FIELD("vfsmount", "mnt_flags", &mo->vfsmnt_flags),
        SCRY_FIELD("super_block", "s_flags", &mo->sb_flags),
        SCRY_FIELD("super_block", "s_type", &mo->sb_type),
        SCRY_FIELD("super_block", "s_subtype", &mo->sb_subtype),
        SCRY_FIELD("super_block", "s_root", &mo->sb_root),
        SCRY_FIELD("file_system_type", "name", &mo->fstype_name),
    };
    scry_status s = scry_resolve_fields(l->symtab, f, sizeof f / sizeof f[0]);
    if (s != SCRY_OK)
        return s;
    mo->tree_node = mo->mnt_list;
    if (mo->mntns_inum == NO)
        mo->mntns_inum = proc_inum;
    if (mo->mntns_list == NO) {
        /* 6.8+: mounts is an rb_root (a u32 count in older kernels) */
        if (mo->mntns_mounts == NO || mounts_size != 8 || mo->rb_node == NO ||
            mo->rb_left == NO || mo->rb_right == NO)
            return scry_err(SCRY_ERR_NOT_FOUND, "%s: Unsupported kernel mount namespace "
                            "implementation", l->isf_path);
        /* Volatility 2.11.0 takes the tree's nodes as mount.mnt_list, which
         * 6.8+ keeps apart from the tree's mount.mnt_node, and so lists
         * nothing there; the node's own field gives the mounts. */
        if (mnt_node != NO)
            mo->tree_node = mnt_node;
    } else {
        mo->mntns_mounts = NO;
    }
    if ((s = scry_sym_type_size(l->symtab, "super_block", &mo->sb_size)) != SCRY_OK)
        return s;
    return scry_sym_type_size(l->symtab, "file_system_type", &mo->fstype_size);
}

static int rd_ptr(const struct scry_linux *l, struct scry_vspace *ks, uint64_t a, uint64_t *v)
{
    if (scry_vspace_read_u64(ks, a, v) != SCRY_OK)
        return 0;
    *v &= l->va_mask;
    return 1;
}

static int rd_i32(struct scry_vspace *ks, uint64_t a, int32_t *v)
{
    return scry_vspace_read(ks, a, v, 4) == SCRY_OK;
}

uint64_t scry_linux_task_mnt_ns(const struct scry_linux *l, const struct scry_linux_mounts_off *mo,
                                struct scry_vspace *ks, uint64_t task)
{
    uint64_t fs, root, nsproxy, ns;
    if (!rd_ptr(l, ks, task + l->off.task_fs, &fs) || !fs ||
        !rd_ptr(l, ks, fs + l->off.fs_root_mnt, &root) ||
        !rd_ptr(l, ks, task + mo->task_nsproxy, &nsproxy) || !nsproxy ||
        !rd_ptr(l, ks, nsproxy + mo->nsproxy_mnt_ns, &ns))
        return 0;
    return ns;
}

static scry_status walk_list(const struct scry_linux *l, const struct scry_linux_mounts_off *mo,
                             struct scry_vspace *ks, struct scry_op *op, uint64_t head,
                             uint64_t max, scry_linux_mount_fn fn, void *user)
{
    struct scry_hashset seen = {0};
    uint64_t link, prev = head, n = 0;
    scry_status st = SCRY_OK;
    if (scry_hs_add(&seen, head) < 0)
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    if (!rd_ptr(l, ks, head + l->off.list_next, &link)) {
        scry_op_say(op, SCRY_DIAG_WARNING, SCRY_ERR_NODATA,
                    "mount list 0x%" PRIx64 " cannot be read", head);
        goto out;
    }
    while (link != head) {
        int added = scry_hs_add(&seen, link);
        if (added < 0) {
            st = scry_err(SCRY_ERR_NOMEM, "out of memory");
            break;
        }
        if (!added || !link) {
            scry_op_say(op, SCRY_DIAG_WARNING, SCRY_ERR_CORRUPT,
                        "mount list 0x%" PRIx64 " ends early after %" PRIu64 " entries: 0x%" PRIx64
                        " links to %s instead of back to the head", head, n, prev,
                        link ? "an earlier entry" : "NULL");
            break;
        }
        if (++n > max) {
            scry_op_say(op, SCRY_DIAG_WARNING, SCRY_ERR_LIMIT,
                        "mount list 0x%" PRIx64 " ends early: more than %" PRIu64 " entries",
                        head, max);
            break;
        }
        if (fn(user, link - mo->mnt_list))
            break;
        prev = link;
        if (!rd_ptr(l, ks, link + l->off.list_next, &link)) {
            scry_op_say(op, SCRY_DIAG_WARNING, SCRY_ERR_NODATA,
                        "mount list 0x%" PRIx64 " ends early: the link at 0x%" PRIx64
                        " cannot be read", head, prev);
            break;
        }
    }
out:
    scry_hs_free(&seen);
    return st;
}

/* rb_root._walk_nodes: node, left subtree, right subtree. Volatility
 * recurses without a seen set (a cycle is a RecursionError); here a seen
 * set, a depth bound and a count bound, each cut a WARNING. */
static scry_status walk_tree(const struct scry_linux *l, const struct scry_linux_mounts_off *mo,
                             struct scry_vspace *ks, struct scry_op *op, uint64_t root,
                             uint64_t max, scry_linux_mount_fn fn, void *user)
{
    struct scry_hashset seen = {0};
    uint64_t stack[RB_DEPTH], n = 0;
    size_t sp = 0;
    int cut = 0;
    scry_status st = SCRY_OK;
    if (root)
        stack[sp++] = root;
    while (sp) {
        uint64_t node = stack[--sp], left, right;
        int added = scry_hs_add(&seen, node);
        if (added < 0) {
            st = scry_err(SCRY_ERR_NOMEM, "out of memory");
            break;
        }
        if (!added) {
            cut |= 1;
            continue;
        }
        if (++n > max) {
            cut |= 2;
            break;
        }
        if (fn(user, node - mo->tree_node))
            break;
        if (!rd_ptr(l, ks, node + mo->rb_left, &left) ||
            !rd_ptr(l, ks, node + mo->rb_right, &right)) {
            cut |= 4;
            continue;
        }
        /* right pushed first so that the left subtree is walked first */
        if (right) {
            if (sp < RB_DEPTH)
                stack[sp++] = right;
            else
                cut |= 8;
        }
        if (left) {
            if (sp < RB_DEPTH)
                stack[sp++] = left;
            else
                cut |= 8;
        }
    }
    if (cut)
        scry_op_say(op, SCRY_DIAG_WARNING, SCRY_ERR_CORRUPT,
                    "mount tree 0x%" PRIx64 " read in part:%s%s%s%s", root,
                    cut & 1 ? " a node seen twice (a loop)" : "",
                    cut & 2 ? " more mounts than the bound" : "",
                    cut & 4 ? " a node whose links cannot be read" : "",
                    cut & 8 ? " deeper than a real tree" : "");
    scry_hs_free(&seen);
    return st;
}

scry_status scry_linux_walk_mounts(const struct scry_linux *l,
                                   const struct scry_linux_mounts_off *mo, struct scry_vspace *ks,
                                   struct scry_op *op, uint64_t mnt_ns, scry_linux_mount_fn fn,
                                   void *user)
{
    uint64_t max = op && op->max_entries ? op->max_entries : SCRY_MAX_TASKS, root;
    if (mo->mntns_list != NO)
        return walk_list(l, mo, ks, op, mnt_ns + mo->mntns_list, max, fn, user);
    if (!rd_ptr(l, ks, mnt_ns + mo->mntns_mounts + mo->rb_node, &root)) {
        scry_op_say(op, SCRY_DIAG_WARNING, SCRY_ERR_NODATA,
                    "the mount tree of namespace 0x%" PRIx64 " cannot be read", mnt_ns);
        return SCRY_OK;
    }
    return walk_tree(l, mo, ks, op, root, max, fn, user);
}

/* utility.pointer_to_string(p, 255): up to 255 bytes, cut at the first
 * NUL, UTF-8 with replacement. out holds 3 * 255 + 1 bytes. */
static size_t read_cstr(struct scry_vspace *ks, uint64_t p, char *out)
{
    uint8_t raw[255];
    if (scry_vspace_read_pad(ks, p, raw, sizeof raw, NULL) != SCRY_OK) {
        out[0] = '\0';
        return 0;
    }
    size_t n = scry_utf8_replace(raw, strnlen((const char *)raw, sizeof raw), out);
    out[n] = '\0';
    return n;
}

static void add_opt(struct scry_linux_mountinfo *mi, char *buf, size_t cap, const char *o)
{
    size_t n = strlen(buf);
    snprintf(buf + n, cap - n, "%s%s", n ? "," : "", o);
    for (size_t i = 0; i < mi->nopt; i++)
        if (!strcmp(mi->opt[i], o))
            return;
    if (mi->nopt < sizeof mi->opt / sizeof mi->opt[0])
        mi->opt[mi->nopt++] = o;
}

/* dentry.is_subdir(ancestor) via d_ancestor. */
static int is_subdir(const struct scry_linux *l, struct scry_vspace *ks, uint64_t d, uint64_t anc)
{
    uint64_t parent;
    if (d == anc)
        return 1;
    for (int i = 0; i < MAX_CLIMB; i++) {
        if (!rd_ptr(l, ks, d + l->off.dentry_parent, &parent) || parent == d)
            return 0;
        if (parent == anc)
            return 1;
        d = parent;
    }
    return 0;
}

/* mount.is_path_reachable(mnt_root, root): climb to the root's mount. */
static int path_reachable(const struct scry_linux *l, struct scry_vspace *ks, uint64_t m,
                          uint64_t root_mnt, uint64_t root_dentry)
{
    const struct scry_linux_offsets *o = &l->off;
    uint64_t dentry, parent;
    if (!rd_ptr(l, ks, m + o->mount_mnt + o->vfsmnt_root, &dentry))
        return 0;
    for (int i = 0; i < MAX_CLIMB && m + o->mount_mnt != root_mnt; i++) {
        if (!rd_ptr(l, ks, m + o->mount_parent, &parent) || parent == m)
            break;
        if (!rd_ptr(l, ks, m + o->mount_mountpoint, &dentry))
            return 0;
        m = parent;
    }
    return m + o->mount_mnt == root_mnt && is_subdir(l, ks, dentry, root_dentry);
}

/* mount.get_dominating_id(task.fs.root): the closest master group with a
 * peer in this namespace under the task's root; 0 when none. */
static int32_t dominating_id(const struct scry_linux *l, const struct scry_linux_mounts_off *mo,
                             struct scry_vspace *ks, uint64_t mount, uint64_t task)
{
    const struct scry_linux_offsets *o = &l->off;
    uint64_t fs, rmnt, rdentry, ns, master;
    if (!rd_ptr(l, ks, task + o->task_fs, &fs) || !rd_ptr(l, ks, fs + o->fs_root_mnt, &rmnt) ||
        !rd_ptr(l, ks, fs + o->fs_root_dentry, &rdentry) ||
        !rd_ptr(l, ks, mount + mo->mnt_ns, &ns) || !rd_ptr(l, ks, mount + mo->mnt_master, &master))
        return 0;
    for (int i = 0; master && i < MAX_CLIMB; i++) {
        uint64_t peer = master, pns, next;
        for (int j = 0; j < MAX_CLIMB; j++) {
            if (rd_ptr(l, ks, peer + mo->mnt_ns, &pns) && pns == ns &&
                path_reachable(l, ks, peer, rmnt, rdentry)) {
                int32_t id;
                return rd_i32(ks, peer + mo->mnt_group_id, &id) ? id : 0;
            }
            if (!rd_ptr(l, ks, peer + mo->mnt_share, &next))
                break;
            peer = next - mo->mnt_share;
            if (peer == master)
                break;
        }
        if (!rd_ptr(l, ks, master + mo->mnt_master, &next) || next == master)
            break;
        master = next;
    }
    return 0;
}

int scry_linux_mountinfo(const struct scry_linux *l, const struct scry_linux_mounts_off *mo,
                         struct scry_vspace *ks, struct scry_op *op, uint64_t task,
                         uint64_t mount, struct scry_linux_mountinfo *mi)
{
    const struct scry_linux_offsets *o = &l->off;
    uint64_t vfsmnt = mount + o->mount_mnt, root, parent, master, devname, sflags, stype, p;
    uint32_t flags, dev;
    size_t len;
    memset(mi, 0, offsetof(struct scry_linux_mountinfo, root));
    mi->nopt = 0;
    mi->mnt_opts[0] = mi->fields[0] = mi->sb_opts[0] = '\0';
    if (!rd_ptr(l, ks, vfsmnt + o->vfsmnt_root, &root) || !rd_ptr(l, ks, vfsmnt + mo->vfsmnt_sb, &mi->sb) ||
        scry_vspace_read_u32(ks, vfsmnt + mo->vfsmnt_flags, &flags) != SCRY_OK ||
        !rd_i32(ks, mount + mo->mnt_id, &mi->mnt_id) ||
        !rd_ptr(l, ks, mount + o->mount_parent, &parent) ||
        !rd_i32(ks, parent + mo->mnt_id, &mi->parent_id) ||
        !rd_ptr(l, ks, mount + mo->mnt_master, &master) ||
        !rd_ptr(l, ks, mount + mo->mnt_devname, &devname)) {
        scry_op_say(op, SCRY_DIAG_WARNING, SCRY_ERR_NODATA,
                    "mount 0x%" PRIx64 " cannot be read: left out", mount);
        return -1;
    }
    if (!root)
        return 0;
    if (scry_vspace_read_u32(ks, mi->sb + o->sb_dev, &dev) != SCRY_OK ||
        scry_vspace_read_u64(ks, mi->sb + mo->sb_flags, &sflags) != SCRY_OK) {
        scry_op_say(op, SCRY_DIAG_WARNING, SCRY_ERR_NODATA,
                    "mount 0x%" PRIx64 ": super_block 0x%" PRIx64 " cannot be read: left out",
                    mount, mi->sb);
        return -1;
    }
    mi->major = dev >> 20;
    mi->minor = dev & ((1u << 20) - 1);
    if (!scry_linux_mount_path(l, ks, task, vfsmnt, mi->point, sizeof mi->point, &len) ||
        !scry_linux_dentry_path(l, ks, root, mi->root, sizeof mi->root, &len))
        scry_op_say(op, SCRY_DIAG_INFO, SCRY_ERR_NODATA,
                    "mount 0x%" PRIx64 ": a path could not be read whole", mount);
    add_opt(mi, mi->mnt_opts, sizeof mi->mnt_opts, flags & MNT_READONLY ? "ro" : "rw");
    for (size_t i = 0; i < sizeof mnt_flags / sizeof mnt_flags[0]; i++)
        if (flags & mnt_flags[i].bit)
            add_opt(mi, mi->mnt_opts, sizeof mi->mnt_opts, mnt_flags[i].name);
    size_t fl = 0;
    int32_t id;
    if ((flags & MNT_SHARED) && rd_i32(ks, mount + mo->mnt_group_id, &id))
        fl += (size_t)snprintf(mi->fields + fl, sizeof mi->fields - fl, "shared:%d", (int)id);
    if (master && rd_i32(ks, master + mo->mnt_group_id, &id)) {
        fl += (size_t)snprintf(mi->fields + fl, sizeof mi->fields - fl, "%smaster:%d",
                               fl ? " " : "", (int)id);
        int32_t dom = dominating_id(l, mo, ks, mount, task);
        if (dom && dom != id && fl < sizeof mi->fields)
            fl += (size_t)snprintf(mi->fields + fl, sizeof mi->fields - fl,
                                   " propagate_from:%d", (int)dom);
    }
    if ((flags & MNT_UNBINDABLE) && fl < sizeof mi->fields)
        snprintf(mi->fields + fl, sizeof mi->fields - fl, "%sunbindable", fl ? " " : "");
    /* super_block.get_type(): s_type and its name readable, then ".subtype" */
    if (rd_ptr(l, ks, mi->sb + mo->sb_type, &stype) && stype &&
        scry_vspace_readable(ks, stype, mo->fstype_size) && rd_ptr(l, ks, stype + mo->fstype_name, &p) && p &&
        scry_vspace_readable(ks, p, 1)) {
        char sub[3 * 255 + 1];
        size_t n = read_cstr(ks, p, mi->fstype);
        mi->has_type = 1;
        if (rd_ptr(l, ks, mi->sb + mo->sb_subtype, &p) && p && scry_vspace_readable(ks, p, 1)) {
            read_cstr(ks, p, sub);
            snprintf(mi->fstype + n, sizeof mi->fstype - n, ".%s", sub);
        }
    }
    if (!devname || !read_cstr(ks, devname, mi->devname))
        strcpy(mi->devname, "none");
    add_opt(mi, mi->sb_opts, sizeof mi->sb_opts, sflags & 1 ? "ro" : "rw");
    for (size_t i = 0; i < sizeof sb_flags / sizeof sb_flags[0]; i++)
        if (sflags & sb_flags[i].bit)
            add_opt(mi, mi->sb_opts, sizeof mi->sb_opts, sb_flags[i].name);
    return 1;
}
