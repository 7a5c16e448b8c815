/* fuzz_linux_vma.c - the VMA walker (mmap list or maple tree), VMA names
 * (d_path over dentries and mounts, [heap]/[stack]/[vdso], pseudo files)
 * and Maps' inode columns over arbitrary kernel memory.
 *
 * Input layout: a 16-byte header, then kernel memory (at most 1 MiB),
 * mapped at KBASE = 0xffff888000000000 by one 2 MiB page (tables outside
 * the image, built here); beyond the image is a hole.
 *   [0]      bit 0: the maple tree layout (else the mmap / vm_next list);
 *            bit 1: also name each VMA and read its inode
 *   [1..3]   reserved
 *   [4..7]   max_entries (mod 4096, 0 = 64)
 *   [8..11]  image offset of the mm_struct
 *   [12..15] image offset of the task_struct (for names)
 * The offsets table is fixed (see layout()): the list at mm+0, the tree at
 * mm+0x40 (root +8, flags +16), nodes' slots as in the kernel's 6.1
 * layout. FUZZ_LINUX_VMA_PRINT=1 prints each VMA and its name. Besides "never crash, never hang", it checks each name is
 * NUL-terminated within its buffer and the walk stays within its bound. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/os/linux.h"
#include "lib/walk/linux_dpath.h"
#include "lib/walk/linux_vma.h"

#define KBASE 0xffff888000000000ull
#define IMAGE_MAX (1u << 20)
#define TABLES 0x40000000ull /* PML4, PDPT, PD: three pages up here */

struct fphys {
    struct scry_phys base;
    const uint8_t *mem;
    size_t size;
    uint8_t tables[3 * 4096];
};

static scry_status f_read(struct scry_phys *p, uint64_t pa, void *buf, size_t len, size_t *holes)
{
    struct fphys *f = (struct fphys *)p;
    uint8_t *out = buf;
    size_t h = 0;
    for (size_t i = 0; i < len; i++) {
        uint64_t a = pa + i;
        if (a < f->size) {
            out[i] = f->mem[a];
        } else if (a >= TABLES && a < TABLES + sizeof f->tables) {
            out[i] = f->tables[a - TABLES];
        } else {
            out[i] = 0;
            h++;
        }
    }
    if (holes)
        *holes = h;
    return SCRY_OK;
}

static const struct scry_phys_ops f_ops = {f_read, NULL, NULL};

static void put(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

static void layout(struct scry_linux *l)
{
    struct scry_linux_offsets *o = &l->off;
    memset(o, 0xff, sizeof *o);
    o->vma_start = 0, o->vma_end = 8, o->vma_next = 16, o->vma_mm = 24;
    o->vma_flags = 32, o->vma_pgoff = 40, o->vma_file = 48;
    o->mm_pgd = 8, o->mm_start_brk = 0x20, o->mm_brk = 0x28, o->mm_start_stack = 0x30;
    o->mm_vdso = 0x38, o->mt_root = 8, o->mt_flags = 16;
    o->mn_dense_slot = 8, o->mn_dense_size = 0xf8;
    o->mn_range_slot = 0x80, o->mn_range_size = 0x80;
    o->mn_arange_slot = 0x50, o->mn_arange_size = 0x50;
    o->task_fs = 0, o->fs_root_mnt = 0, o->fs_root_dentry = 8;
    o->file_mnt = 0, o->file_dentry = 8;
    o->dentry_parent = 0x18, o->dentry_name = 0x20, o->dentry_op = 0x30, o->dentry_inode = 0x38;
    o->qstr_len = 4, o->qstr_name = 8, o->dop_dname = 0x48;
    o->inode_sb = 0x28, o->inode_ino = 0x40, o->inode_count = 0x48, o->sb_dev = 0x10;
    o->vfsmnt_root = 0, o->mount_mnt = 0x20, o->mount_parent = 0x10, o->mount_mountpoint = 0x18;
    o->dname_fn[SCRY_DNAME_SOCKFS] = 0xffffffff81000000ull;
    o->dname_fn[SCRY_DNAME_SIMPLE] = 0xffffffff81000100ull;
    l->isf_path = "fuzz.json";
    l->va_mask = 0x0000ffffffffffffull;
}

struct ctx {
    const struct scry_linux *l;
    struct scry_vspace *ks;
    struct scry_linux_task task;
    int names, print;
    uint64_t n, max;
    char name[SCRY_LINUX_PATH_CAP];
};

static int on_vma(void *user, const struct scry_linux_vma *v)
{
    struct ctx *c = user;
    if (++c->n > c->max)
        abort(); /* the walk must stop at its bound */
    if (c->names) {
        uint64_t major, minor, inode;
        int complete;
        size_t n = scry_linux_vma_name_buf(c->l, c->ks, &c->task, v, c->name, sizeof c->name,
                                           &complete);
        if (n >= sizeof c->name || c->name[n] != '\0' || strlen(c->name) != n)
            abort();
        (void)scry_linux_vma_inode(c->l, c->ks, v, &major, &minor, &inode);
        if (c->print)
            printf("0x%" PRIx64 "-0x%" PRIx64 " %" PRIu64 ":%" PRIu64 " %" PRIu64 " %s\n",
                   v->start, v->end, major, minor, inode, c->name);
    }
    return 0;
}

static uint32_t u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct fphys f;
    struct scry_linux l;
    struct scry_vspace ks;
    struct scry_diags diags = {0};
    struct scry_op op = {.diags = &diags};
    static struct ctx c;
    if (size < 16)
        return 0;
    memset(&l, 0, sizeof l);
    layout(&l);
    if (data[0] & 1)
        l.off.mm_mmap = SCRY_LINUX_NO_OFFSET, l.off.mm_mt = 0x40;
    else
        l.off.mm_mmap = 0;
    memset(&f, 0, sizeof f);
    f.base.ops = &f_ops;
    f.mem = data + 16;
    f.size = size - 16 > IMAGE_MAX ? IMAGE_MAX : size - 16;
    put(f.tables + 0x111 * 8, (TABLES + 0x1000) | 3); /* PML4[0x111] -> PDPT */
    put(f.tables + 0x1000, (TABLES + 0x2000) | 3);    /* PDPT[0] -> PD       */
    put(f.tables + 0x2000, 0x83);                     /* PD[0]: 2 MiB at 0   */
    if (scry_vspace_init(&ks, &f.base, SCRY_PAGING_X86_64, TABLES) != SCRY_OK)
        abort();
    op.max_entries = u32(data + 4) % 4096;
    if (!op.max_entries)
        op.max_entries = 64;
    memset(&c.task, 0, sizeof c.task);
    c.l = &l;
    c.ks = &ks;
    c.names = (data[0] & 2) != 0;
    c.print = getenv("FUZZ_LINUX_VMA_PRINT") != NULL;
    c.n = 0;
    c.max = op.max_entries;
    uint64_t mm = KBASE + u32(data + 8) % IMAGE_MAX;
    c.task.addr = KBASE + u32(data + 12) % IMAGE_MAX;
    c.task.mm = mm;
    scry_status st = scry_linux_walk_vmas(&l, &ks, &op, mm, on_vma, &c);
    if (st != SCRY_OK && st != SCRY_ERR_NOMEM)
        abort(); /* nothing else can fail: the layout is complete */
    scry_diags_free(&diags);
    return 0;
}
