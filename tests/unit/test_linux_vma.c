/* test_linux_vma.c - scry_linux_walk_vmas on synthetic memory: the old
 * mm->mmap / vm_next list (kernels before 6.1, absent from the corpus) and
 * the maple tree, each made hostile (a loop, a link or a pgd to nowhere, a
 * bound, a node naming the wrong parent, a tree deeper than its height).
 * The ISF is a hand-set offsets table, the memory 4 MiB behind x86-64
 * tables that map the kernel's direct map at 0xffff888000000000 with one
 * 2 MiB page. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "formats/phys.h"
#include "lib/os/linux.h"
#include "lib/walk/linux_vma.h"
#include "testutil.h"

#define MEM (4u << 20)
#define KBASE 0xffff888000000000ull
#define PML4 0x100000u
#define PDPT 0x101000u
#define PD 0x102000u

struct mphys {
    struct scry_phys base;
    uint8_t *mem;
};

static scry_status m_read(struct scry_phys *p, uint64_t pa, void *buf, size_t len, size_t *holes)
{
    struct mphys *m = (struct mphys *)p;
    size_t h = 0;
    for (size_t i = 0; i < len; i++) {
        uint64_t a = pa + i;
        ((uint8_t *)buf)[i] = a >= pa && a < MEM ? m->mem[a] : 0;
        h += !(a >= pa && a < MEM);
    }
    if (holes)
        *holes = h;
    return SCRY_OK;
}

static const struct scry_phys_ops m_ops = {m_read, NULL, NULL};

struct fixture {
    struct mphys phys;
    struct scry_linux l;
    struct scry_vspace ks;
    struct scry_diags diags;
    struct scry_op op;
};

static void put64(struct fixture *f, uint64_t kva, uint64_t v)
{
    uint64_t pa = kva - KBASE;
    ck_assert_uint_le(pa + 8, MEM);
    memcpy(f->phys.mem + pa, &v, 8);
}

static void setup(struct fixture *f)
{
    memset(f, 0, sizeof *f);
    f->phys.base.ops = &m_ops;
    f->phys.mem = calloc(1, MEM);
    ck_assert_ptr_nonnull(f->phys.mem);
    /* PML4[0x111] -> PDPT, PDPT[0] -> PD, PD[0] = 2 MiB page at 0. */
    uint64_t e = PDPT | 3;
    memcpy(f->phys.mem + PML4 + 0x111 * 8, &e, 8);
    e = PD | 3;
    memcpy(f->phys.mem + PDPT, &e, 8);
    e = 0x83;
    memcpy(f->phys.mem + PD, &e, 8);
    ck_assert_int_eq(scry_vspace_init(&f->ks, &f->phys.base, SCRY_PAGING_X86_64, PML4), SCRY_OK);
    /* Every offset absent, then the few this layout has. */
    memset(&f->l.off, 0xff, sizeof f->l.off);
    struct scry_linux_offsets *o = &f->l.off;
    o->vma_start = 0, o->vma_end = 8, o->vma_next = 16, o->vma_mm = 24;
    o->vma_flags = 32, o->vma_pgoff = 40, o->vma_file = 48;
    o->mm_pgd = 8;
    f->l.isf_path = "synthetic.json";
    f->l.va_mask = 0x0000ffffffffffffull;
    f->op.diags = &f->diags;
}

static void teardown(struct fixture *f)
{
    free(f->phys.mem);
    scry_diags_free(&f->diags);
}

/* The VMAs seen, in order. */
struct seen {
    uint64_t start[64];
    size_t n;
};

static int collect(void *user, const struct scry_linux_vma *v)
{
    struct seen *s = user;
    if (s->n < 64)
        s->start[s->n++] = v->start;
    return 0;
}

static size_t warnings(const struct fixture *f, const char *containing)
{
    size_t n = 0;
    for (size_t i = 0; i < f->diags.n; i++)
        if (f->diags.v[i].level == SCRY_DIAG_WARNING && strstr(f->diags.v[i].message, containing))
            n++;
    return n;
}

/* A VMA at kva: [start, start + 0x1000), its next link. */
static void vma(struct fixture *f, uint64_t kva, uint64_t start, uint64_t next)
{
    put64(f, kva + 0, start);
    put64(f, kva + 8, start + 0x1000);
    put64(f, kva + 16, next);
    put64(f, kva + 32, 0x7);
}

#define MM (KBASE + 0x1000)
#define V(i) (KBASE + 0x2000 + (i) * 0x100)

static void list_mm(struct fixture *f)
{
    f->l.off.mm_mmap = 0;
    put64(f, MM, V(0));
    vma(f, V(0), 0x400000, V(1));
    vma(f, V(1), 0x500000, V(2));
    vma(f, V(2), 0x600000, 0);
}

START_TEST(list_in_order)
{
    struct fixture f;
    struct seen s = {0};
    setup(&f);
    list_mm(&f);
    ck_assert_int_eq(scry_linux_walk_vmas(&f.l, &f.ks, &f.op, MM, collect, &s), SCRY_OK);
    ck_assert_uint_eq(s.n, 3);
    ck_assert_uint_eq(s.start[0], 0x400000);
    ck_assert_uint_eq(s.start[1], 0x500000);
    ck_assert_uint_eq(s.start[2], 0x600000);
    ck_assert_uint_eq(f.diags.n, 0);
    teardown(&f);
}
END_TEST

START_TEST(list_loop_ends)
{
    struct fixture f;
    struct seen s = {0};
    setup(&f);
    list_mm(&f);
    put64(&f, V(2) + 16, V(1)); /* back to an earlier VMA */
    ck_assert_int_eq(scry_linux_walk_vmas(&f.l, &f.ks, &f.op, MM, collect, &s), SCRY_OK);
    ck_assert_uint_eq(s.n, 3);
    ck_assert_uint_eq(warnings(&f, "loops back"), 1);
    ck_assert_int_eq(f.diags.partial, 1);
    teardown(&f);
}
END_TEST

START_TEST(list_self_loop)
{
    struct fixture f;
    struct seen s = {0};
    setup(&f);
    list_mm(&f);
    put64(&f, V(0) + 16, V(0));
    ck_assert_int_eq(scry_linux_walk_vmas(&f.l, &f.ks, &f.op, MM, collect, &s), SCRY_OK);
    ck_assert_uint_eq(s.n, 1);
    ck_assert_uint_eq(warnings(&f, "loops back"), 1);
    teardown(&f);
}
END_TEST

START_TEST(list_link_to_nowhere)
{
    struct fixture f;
    struct seen s = {0};
    setup(&f);
    list_mm(&f);
    put64(&f, V(1) + 16, KBASE + 0x40000000); /* not mapped */
    ck_assert_int_eq(scry_linux_walk_vmas(&f.l, &f.ks, &f.op, MM, collect, &s), SCRY_OK);
    ck_assert_uint_eq(s.n, 2);
    ck_assert_uint_eq(warnings(&f, "ends early"), 1);
    teardown(&f);
}
END_TEST

START_TEST(list_bounded)
{
    struct fixture f;
    struct seen s = {0};
    setup(&f);
    list_mm(&f);
    f.op.max_entries = 2;
    ck_assert_int_eq(scry_linux_walk_vmas(&f.l, &f.ks, &f.op, MM, collect, &s), SCRY_OK);
    ck_assert_uint_eq(s.n, 2);
    ck_assert_uint_eq(warnings(&f, "more than 2 entries"), 1);
    teardown(&f);
}
END_TEST

START_TEST(pgd_to_nowhere)
{
    struct fixture f;
    struct scry_vspace ps;
    setup(&f);
    list_mm(&f);
    put64(&f, MM + 8, KBASE + 0x40000000); /* mm->pgd: unmapped */
    ck_assert_int_eq(scry_linux_process_vspace(&f.l, &f.ks, MM, &ps), SCRY_ERR_NODATA);
    put64(&f, MM + 8, KBASE + PML4); /* and a good one translates */
    ck_assert_int_eq(scry_linux_process_vspace(&f.l, &f.ks, MM, &ps), SCRY_OK);
    ck_assert_uint_eq(ps.dtb, PML4);
    teardown(&f);
}
END_TEST

START_TEST(missing_layout_is_unsupported)
{
    struct fixture f;
    struct seen s = {0};
    setup(&f);
    ck_assert_int_eq(scry_linux_walk_vmas(&f.l, &f.ks, &f.op, MM, collect, &s),
                     SCRY_ERR_UNSUPPORTED);
    ck_assert_str_eq(scry_last_error(), "synthetic.json: the ISF has no mm_struct.mmap or "
                                        "mm_struct.mm_mt (needed to read process memory maps)");
    ck_assert_int_eq(scry_linux_vma_check(&f.l, SCRY_VMA_NEED_NAMES), SCRY_ERR_UNSUPPORTED);
    teardown(&f);
}
END_TEST

/* Maple tree: mm_mt at MM + 0x40 (ma_root +8, ma_flags +16); nodes of 256
 * bytes: parent at 0, range/leaf slots at 0x80 (16), arange slots at 0x50
 * (10). */
#define MT (MM + 0x40)
#define NODE(i) (KBASE + 0x10000 + (i) * 0x100)
#define ENC(node, type) ((node) | ((uint64_t)(type) << 3) | 4)

static void tree_mm(struct fixture *f)
{
    struct scry_linux_offsets *o = &f->l.off;
    o->mm_mt = 0x40, o->mt_root = 8, o->mt_flags = 16;
    o->mn_range_slot = 0x80, o->mn_range_size = 0x80;
    o->mn_arange_slot = 0x50, o->mn_arange_size = 0x50;
    o->mn_dense_slot = 8, o->mn_dense_size = 0xf8;
    put64(f, MT + 8, ENC(NODE(0), 3)); /* arange root */
    put64(f, MT + 16, 2 << 2);         /* height 2 */
    put64(f, NODE(0), (MT & 0x0000ffffffffffffull) & ~0xffull);
    put64(f, NODE(0) + 0x50, ENC(NODE(1), 1));
    put64(f, NODE(0) + 0x58, ENC(NODE(2), 1));
    put64(f, NODE(1), NODE(0) & 0x0000ffffffffffffull);
    put64(f, NODE(2), NODE(0) & 0x0000ffffffffffffull);
    /* Slots in array order, zeros (and flag-only values) skipped. */
    put64(f, NODE(1) + 0x80, V(2));
    put64(f, NODE(1) + 0x88, 0x8); /* only type bits: not a VMA */
    put64(f, NODE(1) + 0x90, V(0));
    put64(f, NODE(2) + 0xf8, V(1));
    vma(f, V(0), 0x400000, 0);
    vma(f, V(1), 0x500000, 0);
    vma(f, V(2), 0x600000, 0);
}

START_TEST(tree_in_slot_order)
{
    struct fixture f;
    struct seen s = {0};
    setup(&f);
    tree_mm(&f);
    ck_assert_int_eq(scry_linux_walk_vmas(&f.l, &f.ks, &f.op, MM, collect, &s), SCRY_OK);
    ck_assert_uint_eq(s.n, 3);
    ck_assert_uint_eq(s.start[0], 0x600000);
    ck_assert_uint_eq(s.start[1], 0x400000);
    ck_assert_uint_eq(s.start[2], 0x500000);
    ck_assert_uint_eq(f.diags.n, 0);
    teardown(&f);
}
END_TEST

START_TEST(tree_node_seen_twice)
{
    struct fixture f;
    struct seen s = {0};
    setup(&f);
    tree_mm(&f);
    put64(&f, NODE(0) + 0x60, ENC(NODE(1), 1)); /* the first leaf again */
    ck_assert_int_eq(scry_linux_walk_vmas(&f.l, &f.ks, &f.op, MM, collect, &s), SCRY_OK);
    ck_assert_uint_eq(s.n, 3);
    ck_assert_uint_eq(warnings(&f, "has already been seen"), 1);
    teardown(&f);
}
END_TEST

START_TEST(tree_wrong_parent_and_self_loop)
{
    struct fixture f;
    struct seen s = {0};
    setup(&f);
    tree_mm(&f);
    put64(&f, NODE(2), NODE(1) & 0x0000ffffffffffffull); /* names the wrong parent */
    put64(&f, NODE(0) + 0x60, ENC(NODE(0), 3));         /* the root as its own child */
    ck_assert_int_eq(scry_linux_walk_vmas(&f.l, &f.ks, &f.op, MM, collect, &s), SCRY_OK);
    ck_assert_uint_eq(s.n, 2);
    ck_assert_uint_eq(warnings(&f, "names parent"), 1);
    ck_assert_uint_eq(warnings(&f, "has already been seen"), 1);
    teardown(&f);
}
END_TEST

START_TEST(tree_too_deep)
{
    struct fixture f;
    struct seen s = {0};
    setup(&f);
    tree_mm(&f);
    /* A chain of 40 range nodes, each the only child of the one before. */
    put64(&f, NODE(0) + 0x58, ENC(NODE(3), 2));
    for (int i = 3; i < 43; i++) {
        put64(&f, NODE(i), (i == 3 ? NODE(0) : NODE(i - 1)) & 0x0000ffffffffffffull);
        put64(&f, NODE(i) + 0x80, ENC(NODE(i + 1), 2));
    }
    ck_assert_int_eq(scry_linux_walk_vmas(&f.l, &f.ks, &f.op, MM, collect, &s), SCRY_OK);
    ck_assert_uint_eq(s.n, 2);
    ck_assert_uint_eq(warnings(&f, "The depth for the maple tree"), 1);
    ck_assert_uint_eq(warnings(&f, "deeper than 31 levels"), 1);
    teardown(&f);
}
END_TEST

/* Names: the fuzz harness's layout (fuzz/fuzz_linux_vma.c). task 0x8000
 * -> fs 0x8100 (root: mnt 0x8200, dentry 0x8300); the file at 0x8400 is on
 * mount 0x84e0 (its vfsmount at 0x8500, mounted on dentry 0x8a80 of the
 * root mount) and is dentry 0x8600 "memf" -> 0x8700 "bin" -> 0x8800, the
 * mount's root. Path: /mnt/bin/memf. */
static void names_layout(struct fixture *f)
{
    struct scry_linux_offsets *o = &f->l.off;
    o->mm_start_brk = 0x20, o->mm_brk = 0x28, o->mm_start_stack = 0x30, o->mm_vdso = 0x38;
    o->task_fs = 0, o->fs_root_mnt = 0, o->fs_root_dentry = 8;
    o->file_mnt = 0, o->file_dentry = 8;
    o->dentry_parent = 0x18, o->dentry_name = 0x20, o->dentry_op = 0x30, o->dentry_inode = 0x38;
    o->qstr_len = 4, o->qstr_name = 8, o->dop_dname = 0x48;
    o->inode_sb = 0x28, o->inode_ino = 0x40, o->inode_count = 0x48, o->sb_dev = 0x10;
    o->vfsmnt_root = 0, o->mount_mnt = 0x20, o->mount_parent = 0x10, o->mount_mountpoint = 0x18;
    o->dname_fn[SCRY_DNAME_SOCKFS] = 0xffffffff81000000ull;
    o->dname_fn[SCRY_DNAME_SIMPLE] = 0xffffffff81000100ull;
    f->l.virt_shift = 0;
}

static void dentry(struct fixture *f, uint64_t d, uint64_t parent, const char *name, uint64_t at)
{
    put64(f, d + 0x18, parent);
    put64(f, d + 0x20, (uint64_t)strlen(name) << 32);
    put64(f, d + 0x28, at);
    memcpy(f->phys.mem + (at - KBASE), name, strlen(name) + 1);
}

#define K(x) (KBASE + (x))

static void path_objects(struct fixture *f)
{
    put64(f, K(0x8000), K(0x8100));                   /* task->fs        */
    put64(f, K(0x8100), K(0x8200));                   /* fs->root.mnt    */
    put64(f, K(0x8108), K(0x8300));                   /* fs->root.dentry */
    put64(f, K(0x8200), K(0x8300));                   /* root mnt_root   */
    put64(f, K(0x8200) - 0x20 + 0x10, K(0x8200) - 0x20); /* root mount: own parent */
    dentry(f, K(0x8300), K(0x8300), "/", K(0x9000));
    put64(f, K(0x8400), K(0x8500));                   /* file->f_path.mnt    */
    put64(f, K(0x8408), K(0x8600));                   /* file->f_path.dentry */
    put64(f, K(0x8500), K(0x8800));                   /* vfsmount.mnt_root   */
    put64(f, K(0x84e0) + 0x10, K(0x8200) - 0x20);     /* mount.mnt_parent    */
    put64(f, K(0x84e0) + 0x18, K(0x8a80));            /* mount.mnt_mountpoint */
    dentry(f, K(0x8a80), K(0x8300), "mnt/", K(0x9040)); /* "/" stripped */
    dentry(f, K(0x8600), K(0x8700), "memf", K(0x9010));
    dentry(f, K(0x8700), K(0x8800), "bin", K(0x9020));
    dentry(f, K(0x8800), K(0x8800), "/", K(0x9030));
    put64(f, K(0x8600) + 0x38, K(0x8b00));            /* d_inode */
    put64(f, K(0x8b00) + 0x28, K(0x8c00));            /* i_sb    */
    put64(f, K(0x8b00) + 0x40, 15);                   /* i_ino   */
    put64(f, K(0x8c00) + 0x10, (8u << 20) | 3);       /* s_dev   */
}

static size_t name_of(struct fixture *f, struct scry_linux_vma *v, char *buf, size_t cap,
                      int *complete)
{
    struct scry_linux_task t = {.addr = K(0x8000), .mm = MM};
    return scry_linux_vma_name_buf(&f->l, &f->ks, &t, v, buf, cap, complete);
}

START_TEST(names_special_and_paths)
{
    struct fixture f;
    char buf[SCRY_LINUX_PATH_CAP];
    int complete;
    uint64_t major, minor, ino;
    setup(&f);
    names_layout(&f);
    path_objects(&f);
    put64(&f, MM + 0x20, 0x600000); /* start_brk */
    put64(&f, MM + 0x28, 0x601000); /* brk       */
    put64(&f, MM + 0x30, 0x7ffd0800); /* start_stack */
    put64(&f, MM + 0x38, 0x7fff0000); /* context.vdso */
    struct scry_linux_vma v = {.start = 0x600000, .end = 0x601000, .mm = MM};
    ck_assert_uint_eq(name_of(&f, &v, buf, sizeof buf, &complete), 6);
    ck_assert_str_eq(buf, "[heap]");
    v.start = 0x7ffd0000, v.end = 0x7ffd1000;
    name_of(&f, &v, buf, sizeof buf, &complete);
    ck_assert_str_eq(buf, "[stack]");
    v.start = 0x7fff0000, v.end = 0x7fff2000;
    name_of(&f, &v, buf, sizeof buf, &complete);
    ck_assert_str_eq(buf, "[vdso]");
    v.start = 0x10000, v.end = 0x11000;
    name_of(&f, &v, buf, sizeof buf, &complete);
    ck_assert_str_eq(buf, "Anonymous Mapping");
    ck_assert_int_eq(complete, 1);
    v.file = K(0x8400);
    name_of(&f, &v, buf, sizeof buf, &complete);
    ck_assert_str_eq(buf, "/mnt/bin/memf");
    ck_assert_int_eq(complete, 1);
    ck_assert_int_eq(scry_linux_vma_inode(&f.l, &f.ks, &v, &major, &minor, &ino), SCRY_OK);
    ck_assert_uint_eq(major, 8);
    ck_assert_uint_eq(minor, 3);
    ck_assert_uint_eq(ino, 15);
    v.pgoff = 3;
    ck_assert_uint_eq(scry_linux_vma_pgoff_bytes(&v), 0x3000);
    /* A d_parent loop: bounded, incomplete, no hang. */
    put64(&f, K(0x8700) + 0x18, K(0x8600));
    name_of(&f, &v, buf, sizeof buf, &complete);
    ck_assert_int_eq(complete, 0);
    ck_assert_uint_le(strlen(buf), sizeof buf - 1);
    /* A path longer than the buffer is cut at a component. */
    char small[64];
    name_of(&f, &v, small, sizeof small, &complete);
    ck_assert_int_eq(complete, 0);
    ck_assert_uint_lt(strlen(small), sizeof small);
    /* An unreadable file: "" (Volatility's smear protection). */
    v.file = K(0x40000000);
    ck_assert_uint_eq(name_of(&f, &v, buf, sizeof buf, &complete), 0);
    ck_assert_str_eq(buf, "");
    teardown(&f);
}
END_TEST

START_TEST(names_pseudo_files)
{
    struct fixture f;
    char buf[256];
    int complete;
    setup(&f);
    names_layout(&f);
    path_objects(&f);
    struct scry_linux_vma v = {.start = 0x10000, .end = 0x11000, .mm = MM, .file = K(0x8400)};
    /* d_op with d_dname = simple_dname: "/<name> (deleted)". */
    put64(&f, K(0x8600) + 0x30, K(0x8d00));
    put64(&f, K(0x8d00) + 0x48, 0xffffffff81000100ull);
    put64(&f, K(0x8b00) + 0x48, 1); /* i_count */
    /* The kernel text the d_dname points at must translate: map it. */
    uint64_t e = (PDPT + 0x1000) | 3;
    memcpy(f.phys.mem + PML4 + 0x1ff * 8, &e, 8);
    e = 0x83; /* PDPT[0x1fe] -> PD; PD[8] 2 MiB at 0 (va 0xffffffff81000000) */
    memcpy(f.phys.mem + PDPT + 0x1000 + 0x1fe * 8, &(uint64_t){(PDPT + 0x2000) | 3}, 8);
    memcpy(f.phys.mem + PDPT + 0x2000 + 8 * 8, &e, 8);
    name_of(&f, &v, buf, sizeof buf, &complete);
    ck_assert_str_eq(buf, "/memf (deleted)");
    put64(&f, K(0x8d00) + 0x48, 0xffffffff81000000ull); /* sockfs_dname */
    name_of(&f, &v, buf, sizeof buf, &complete);
    ck_assert_str_eq(buf, "socket:[15]");
    /* Another function; pointers print masked, as Volatility holds them. */
    put64(&f, K(0x8d00) + 0x48, 0xffffffff81000200ull);
    name_of(&f, &v, buf, sizeof buf, &complete);
    ck_assert_str_eq(buf, "<unknown d_dname pointer> ffff81000200");
    put64(&f, K(0x8d00) + 0x48, 0xffffffff81000000ull);
    put64(&f, K(0x8b00) + 0x48, 0xffffffff); /* i_count < 0: not a valid inode */
    name_of(&f, &v, buf, sizeof buf, &complete);
    ck_assert_str_eq(buf, "<invalid dentry inode> 888000008b00");
    put64(&f, K(0x8d00) + 0x48, 0xffffffff90000000ull); /* not mapped */
    name_of(&f, &v, buf, sizeof buf, &complete);
    ck_assert_str_eq(buf, "<invalid d_dname pointer> ffff90000000");
    teardown(&f);
}
END_TEST

/* malfind's dirty test: the last entry the walk reads, present or not. */
START_TEST(leaf_entries)
{
    struct fixture f;
    uint64_t e, pt = 0x103000;
    setup(&f);
    ck_assert_int_eq(scry_vspace_leaf_entry(&f.ks, KBASE + 0x1234, &e), SCRY_OK);
    ck_assert_uint_eq(e, 0x83); /* the 2 MiB page's PDE */
    uint64_t v = pt | 3;
    memcpy(f.phys.mem + PD + 8, &v, 8); /* PD[1] -> a page table */
    v = 0x5000 | 0x41;                  /* PT[2]: present, dirty */
    memcpy(f.phys.mem + pt + 2 * 8, &v, 8);
    v = 0x40; /* PT[3]: not present, yet its bit 6 is what Volatility tests */
    memcpy(f.phys.mem + pt + 3 * 8, &v, 8);
    ck_assert_int_eq(scry_vspace_leaf_entry(&f.ks, KBASE + 0x200000 + 0x2000, &e), SCRY_OK);
    ck_assert_uint_eq(e, 0x5041);
    ck_assert_int_eq(scry_vspace_leaf_entry(&f.ks, KBASE + 0x200000 + 0x3000, &e), SCRY_OK);
    ck_assert_uint_eq(e, 0x40);
    /* PD[2] not present: the walk cannot reach a leaf. */
    ck_assert_int_eq(scry_vspace_leaf_entry(&f.ks, KBASE + 0x400000, &e), SCRY_ERR_NODATA);
    /* A PML4 entry not present. */
    ck_assert_int_eq(scry_vspace_leaf_entry(&f.ks, 0x1000, &e), SCRY_ERR_NODATA);
    /* A table outside the dump. */
    v = 0x7000000000ull | 3;
    memcpy(f.phys.mem + PD + 16, &v, 8);
    ck_assert_int_eq(scry_vspace_leaf_entry(&f.ks, KBASE + 0x400000, &e), SCRY_ERR_NODATA);
    teardown(&f);
}
END_TEST

START_TEST(prot_text)
{
    char p[4];
    scry_linux_vma_prot(0x7, p);
    ck_assert_str_eq(p, "rwx");
    scry_linux_vma_prot(0x5 | 0x100, p);
    ck_assert_str_eq(p, "r-x");
    scry_linux_vma_prot(0, p);
    ck_assert_str_eq(p, "---");
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("linux_vma");
    TCase *tc = tcase_create("walk");
    tcase_add_test(tc, list_in_order);
    tcase_add_test(tc, list_loop_ends);
    tcase_add_test(tc, list_self_loop);
    tcase_add_test(tc, list_link_to_nowhere);
    tcase_add_test(tc, list_bounded);
    tcase_add_test(tc, pgd_to_nowhere);
    tcase_add_test(tc, missing_layout_is_unsupported);
    tcase_add_test(tc, tree_in_slot_order);
    tcase_add_test(tc, tree_node_seen_twice);
    tcase_add_test(tc, tree_wrong_parent_and_self_loop);
    tcase_add_test(tc, tree_too_deep);
    tcase_add_test(tc, names_special_and_paths);
    tcase_add_test(tc, names_pseudo_files);
    tcase_add_test(tc, leaf_entries);
    tcase_add_test(tc, prot_text);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run_suite(suite()); }
