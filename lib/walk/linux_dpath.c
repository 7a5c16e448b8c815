/* linux_dpath.c - path_for_file: prepend_path over dentries and mounts. */
#include "lib/walk/linux_dpath.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "lib/base/utf8.h"

/* Components (and mount hops) one path may take: a loop in d_parent or
 * mnt_parent ends here. */
#define MAX_STEPS 4096
/* Bytes of one name read (a real one is at most NAME_MAX = 255). */
#define NAME_READ_MAX 1024

struct dp {
    const struct scry_linux *l;
    struct scry_vspace *ks;
    int ok;
};

/* A pointer as Volatility holds it: masked to the layer's address width. */
static int rd_ptr(struct dp *d, uint64_t addr, uint64_t *v)
{
    if (scry_vspace_read_u64(d->ks, addr, v) != SCRY_OK) {
        d->ok = 0;
        return 0;
    }
    *v &= d->l->va_mask;
    return 1;
}

/* qstr.name_as_str(): len + 1 bytes (255 without len), cut at the first
 * NUL, decoded with replacement; "" when unreadable. out holds 3 *
 * NAME_READ_MAX + 1 bytes. */
static size_t qstr_name(struct dp *d, uint64_t q, char *out)
{
    const struct scry_linux_offsets *o = &d->l->off;
    uint8_t raw[NAME_READ_MAX];
    uint64_t name, count = 255;
    if (o->qstr_len != SCRY_LINUX_NO_OFFSET) {
        uint32_t len;
        if (scry_vspace_read_u32(d->ks, q + o->qstr_len, &len) != SCRY_OK) {
            d->ok = 0;
            return 0;
        }
        count = (uint64_t)len + 1;
    }
    if (count > sizeof raw)
        count = sizeof raw;
    if (!rd_ptr(d, q + o->qstr_name, &name) ||
        scry_vspace_read(d->ks, name, raw, (size_t)count) != SCRY_OK) {
        d->ok = 0;
        out[0] = '\0';
        return 0;
    }
    return scry_utf8_replace(raw, strnlen((const char *)raw, (size_t)count), out);
}

/* do_get_path(rdentry, rmnt, dentry, vfsmnt) into out. */
static size_t do_get_path(struct dp *d, uint64_t rdentry, uint64_t rmnt, uint64_t dentry,
                          uint64_t vfsmnt, char *out, size_t cap)
{
    const struct scry_linux_offsets *o = &d->l->off;
    char name[3 * NAME_READ_MAX + 1];
    /* Components are written backwards from the end of out, each after a
     * '/', so the path comes out in order without a second buffer. */
    size_t at = cap - 1, steps = 0;
    out[at] = '\0';
    while (dentry != rdentry || vfsmnt != rmnt) {
        uint64_t mnt_root, parent;
        if (++steps > MAX_STEPS) {
            d->ok = 0;
            break;
        }
        if (!rd_ptr(d, vfsmnt + o->vfsmnt_root, &mnt_root) ||
            !rd_ptr(d, dentry + o->dentry_parent, &parent))
            break;
        if (dentry == mnt_root || dentry == parent) {
            uint64_t mount = vfsmnt - o->mount_mnt, mparent;
            if (dentry != mnt_root)
                break; /* escaped */
            if (!rd_ptr(d, mount + o->mount_parent, &mparent) || mparent == mount)
                break; /* global root */
            if (!rd_ptr(d, mount + o->mount_mountpoint, &dentry))
                break;
            vfsmnt = mparent + o->mount_mnt;
            continue;
        }
        size_t n = qstr_name(d, dentry + o->dentry_name, name);
        size_t b = 0;
        while (b < n && name[b] == '/') /* dname.strip("/") */
            b++;
        while (n > b && name[n - 1] == '/')
            n--;
        if (n - b + 1 > at) { /* too long: cut here */
            d->ok = 0;
            break;
        }
        at -= n - b;
        memcpy(out + at, name + b, n - b);
        out[--at] = '/';
        dentry = parent;
    }
    if (at == cap - 1) /* "/" + "/".join([]) */
        out[--at] = '/';
    size_t len = cap - 1 - at;
    memmove(out, out + at, len + 1);
    return len;
}

static size_t say(char *out, size_t cap, const char *fmt, const char *s, uint64_t v)
{
    int n = snprintf(out, cap, fmt, s, v);
    return n < 0 ? 0 : (size_t)n >= cap ? cap - 1 : (size_t)n;
}

/* _get_new_sock_pipe_path: "<prefix>:[ino]" by the dentry's d_dname. */
static size_t pseudo_path(struct dp *d, uint64_t dentry, uint64_t dname, char *out, size_t cap)
{
    const struct scry_linux_offsets *o = &d->l->off;
    uint64_t inode = 0, ino = 0, pa;
    uint32_t count = 0;
    int fn = -1;
    if (scry_vspace_translate(d->ks, dname, &pa) != SCRY_OK)
        return say(out, cap, "%s%" PRIx64, "<invalid d_dname pointer> ", dname);
    for (int i = 0; i < SCRY_DNAME_COUNT; i++)
        if (o->dname_fn[i] != SCRY_LINUX_NO_OFFSET &&
            ((o->dname_fn[i] + d->l->virt_shift) & d->l->va_mask) == dname)
            fn = i;
    if (!rd_ptr(d, dentry + o->dentry_inode, &inode) || !inode ||
        scry_vspace_read_u64(d->ks, inode + o->inode_ino, &ino) != SCRY_OK ||
        scry_vspace_read_u32(d->ks, inode + o->inode_count, &count) != SCRY_OK || !ino ||
        (int32_t)count < 0)
        return say(out, cap, "%s%" PRIx64, "<invalid dentry inode> ", inode);
    char pre[128];
    switch (fn) {
    case SCRY_DNAME_SOCKFS: strcpy(pre, "socket"); break;
    case SCRY_DNAME_ANON_INODEFS: strcpy(pre, "anon_inode"); break;
    case SCRY_DNAME_PIPEFS: strcpy(pre, "pipe"); break;
    case SCRY_DNAME_SIMPLE: {
        uint64_t name;
        uint8_t raw[255];
        pre[0] = '\0';
        if (rd_ptr(d, dentry + o->dentry_name + o->qstr_name, &name) && name) {
            char txt[3 * sizeof raw + 1];
            if (scry_vspace_read_pad(d->ks, name, raw, sizeof raw, NULL) != SCRY_OK)
                memset(raw, 0, sizeof raw);
            size_t n = scry_utf8_replace(raw, strnlen((const char *)raw, sizeof raw), txt);
            int k = snprintf(out, cap, "/%.*s (deleted)", (int)n, txt);
            return k < 0 ? 0 : (size_t)k >= cap ? cap - 1 : (size_t)k;
        }
        break;
    }
    case SCRY_DNAME_NS: /* proc_ns_operations' name: not read yet */
        strcpy(pre, "<unsupported ns_dname implementation>");
        break;
    case -1: return say(out, cap, "%s%" PRIx64, "<unknown d_dname pointer> ", dname);
    default: snprintf(pre, sizeof pre, "<unsupported d_op symbol> %s", scry_linux_dname_names[fn]);
    }
    int k = snprintf(out, cap, "%s:[%" PRIu64 "]", pre, ino);
    return k < 0 ? 0 : (size_t)k >= cap ? cap - 1 : (size_t)k;
}

int scry_linux_file_path(const struct scry_linux *l, struct scry_vspace *ks, uint64_t task,
                         uint64_t filp, char *out, size_t cap, size_t *len)
{
    const struct scry_linux_offsets *o = &l->off;
    struct dp d = {.l = l, .ks = ks, .ok = 1};
    uint64_t dentry, parent, op = 0, dname = 0, fs, rdentry, rmnt, mnt;
    *len = 0;
    out[0] = '\0';
    /* Memory smear protection: an unreadable file or dentry is "". */
    if (!rd_ptr(&d, filp + o->file_dentry, &dentry) ||
        !rd_ptr(&d, dentry + o->dentry_parent, &parent))
        return 0;
    if (!dentry)
        return 1;
    if (rd_ptr(&d, dentry + o->dentry_op, &op) && op)
        rd_ptr(&d, op + o->dop_dname, &dname);
    d.ok = 1;
    if (dname) {
        *len = pseudo_path(&d, dentry, dname, out, cap);
        return d.ok;
    }
    if (!rd_ptr(&d, task + o->task_fs, &fs) || !rd_ptr(&d, fs + o->fs_root_dentry, &rdentry) ||
        !rd_ptr(&d, fs + o->fs_root_mnt, &rmnt) || !rd_ptr(&d, filp + o->file_mnt, &mnt))
        return 0;
    *len = do_get_path(&d, rdentry, rmnt, dentry, mnt, out, cap);
    return d.ok;
}

int scry_linux_mount_path(const struct scry_linux *l, struct scry_vspace *ks, uint64_t task,
                          uint64_t vfsmnt, char *out, size_t cap, size_t *len)
{
    const struct scry_linux_offsets *o = &l->off;
    struct dp d = {.l = l, .ks = ks, .ok = 1};
    uint64_t fs, rdentry, rmnt, root;
    *len = 0;
    out[0] = '\0';
    if (!rd_ptr(&d, task + o->task_fs, &fs) || !rd_ptr(&d, fs + o->fs_root_dentry, &rdentry) ||
        !rd_ptr(&d, fs + o->fs_root_mnt, &rmnt) || !rd_ptr(&d, vfsmnt + o->vfsmnt_root, &root))
        return 0;
    *len = do_get_path(&d, rdentry, rmnt, root, vfsmnt & l->va_mask, out, cap);
    return d.ok;
}

int scry_linux_dentry_path(const struct scry_linux *l, struct scry_vspace *ks, uint64_t dentry,
                           char *out, size_t cap, size_t *len)
{
    const struct scry_linux_offsets *o = &l->off;
    struct dp d = {.l = l, .ks = ks, .ok = 1};
    char name[3 * NAME_READ_MAX + 1];
    size_t at = cap - 1, steps = 0;
    uint64_t parent;
    out[at] = '\0';
    dentry &= l->va_mask;
    /* __dentry_path: names as they are (not stripped), up to the root */
    while (rd_ptr(&d, dentry + o->dentry_parent, &parent) && parent != dentry) {
        if (++steps > MAX_STEPS) {
            d.ok = 0;
            break;
        }
        size_t n = qstr_name(&d, dentry + o->dentry_name, name);
        if (n + 1 > at) {
            d.ok = 0;
            break;
        }
        at -= n;
        memcpy(out + at, name, n);
        out[--at] = '/';
        dentry = parent;
    }
    if (at == cap - 1)
        out[--at] = '/';
    *len = cap - 1 - at;
    memmove(out, out + at, *len + 1);
    return d.ok;
}
