/* test_hostile_elf.c - ELF cores whose PT_LOADs alias the same file bytes.
 *
 * The images are built here, in memory, from real bytes of the corpus dumps
 * (nothing hostile is committed): PT_LOADs that each map the whole file at
 * their own physical address, so a few MiB would describe hundreds of GiB
 * (or, with PN_XNUM, tens of TiB). The reader must refuse them with one exact
 * message, accept up to 2x aliasing (a kernel image mapped over the RAM it
 * lies in), ignore zero-fill tails, and still open every corpus ELF dump. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "formats/phys.h"
#include "testutil.h"

#define PT_LOAD 1
#define PT_NOTE 4

/* The one place a test opens an image: scry_phys_open_file's signature is
 * about to change (a budget argument), so only this call needs touching. */
static scry_status open_file(struct scry_file *f, struct scry_phys **out)
{
    return scry_phys_open_file(f, NULL, out);
}

static scry_status open_mem(const void *data, size_t n, const char *name, struct scry_phys **out)
{
    struct scry_file *f = NULL;
    scry_status st = scry_file_from_memory(data, n, name, &f);
    ck_assert_int_eq(st, SCRY_OK);
    *out = NULL;
    st = open_file(f, out);
    if (st != SCRY_OK)
        scry_file_close(f);
    return st;
}

/* The open must fail with SCRY_ERR_LIMIT and exactly `want`. */
static void expect_refused(const void *data, size_t n, const char *name, const char *want)
{
    struct scry_phys *p = NULL;
    scry_status st = open_mem(data, n, name, &p);
    ck_assert_msg(st == SCRY_ERR_LIMIT, "%s: status %d (%s), expected SCRY_ERR_LIMIT", name, st,
                  scry_last_error());
    ck_assert_ptr_null(p);
    ck_assert_str_eq(scry_last_error(), want);
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* ELF64 ET_CORE header; with xnum, e_phnum is PN_XNUM and section header 0
 * (right after this header) holds the count. Program headers follow. */
static size_t ehdr(uint8_t *b, uint32_t phnum, int xnum)
{
    static const uint8_t ident[16] = {0x7f, 'E', 'L', 'F', 2, 1, 1};
    size_t phoff = xnum ? 128 : 64;
    memcpy(b, ident, 16);
    put16(b + 16, 4);  /* ET_CORE */
    put16(b + 18, 62); /* EM_X86_64 */
    put32(b + 20, 1);
    put64(b + 32, phoff);
    put64(b + 40, xnum ? 64 : 0);
    put16(b + 52, 64);
    put16(b + 54, 56);
    put16(b + 56, xnum ? 0xffff : (uint16_t)phnum);
    put16(b + 58, 64);
    put16(b + 60, xnum ? 1 : 0);
    if (xnum) {
        memset(b + 64, 0, 64);
        put32(b + 64 + 44, phnum);
    }
    return phoff;
}

static void phdr(uint8_t *p, uint32_t type, uint64_t off, uint64_t vaddr, uint64_t paddr,
                 uint64_t filesz, uint64_t memsz)
{
    memset(p, 0, 56);
    put32(p, type);
    put32(p + 4, 7);
    put64(p + 8, off);
    put64(p + 16, vaddr);
    put64(p + 24, paddr);
    put64(p + 32, filesz);
    put64(p + 40, memsz);
    put64(p + 48, 4096);
}

/* ------------------------------------------------------ corpus access */

static const char *corpus_data(void)
{
    const char *e = getenv("MEMSCRY_CORPUS_DATA");
    return e && *e ? e : SCRY_BINARY_DIR "/corpus-data";
}

/* <data>/name's path, or NULL after printing why the test skips. */
static const char *corpus_path(const char *name, char path[4096])
{
    struct stat st;
    if (!tu_corpus_dir(name))
        return NULL;
    snprintf(path, 4096, "%s/%s", corpus_data(), name);
    if (stat(path, &st) != 0) {
        printf("SKIP %s: %s not found (set MEMSCRY_CORPUS_DATA)\n", name, path);
        return NULL;
    }
    return path;
}

static void read_at(FILE *f, uint64_t off, void *buf, size_t n)
{
    ck_assert_int_eq(fseeko(f, (off_t)off, SEEK_SET), 0);
    ck_assert_uint_eq(fread(buf, 1, n, f), n);
}

struct load {
    uint64_t off, vaddr, paddr, filesz;
};

/* The PT_LOADs (up to max) and the PT_NOTE of an ELF core on disk. */
static size_t read_loads(FILE *f, struct load *ld, size_t max, uint64_t *note_off,
                         uint64_t *note_sz)
{
    uint8_t h[64], ph[56];
    size_t n = 0;
    uint64_t phoff;
    unsigned phnum;
    read_at(f, 0, h, sizeof h);
    phoff = get64(h + 32);
    phnum = (unsigned)(h[56] | h[57] << 8);
    *note_off = *note_sz = 0;
    for (unsigned i = 0; i < phnum; i++) {
        read_at(f, phoff + (uint64_t)i * 56, ph, sizeof ph);
        if (ph[0] == PT_NOTE && !*note_sz) {
            *note_off = get64(ph + 8);
            *note_sz = get64(ph + 32);
        } else if (ph[0] == PT_LOAD && n < max) {
            ld[n++] = (struct load){get64(ph + 8), get64(ph + 16), get64(ph + 24), get64(ph + 32)};
        }
    }
    return n;
}

/* ------------------------------------------------------------- the bound */

START_TEST(alias_bound_is_twice_the_file)
{
    /* Three PT_LOADs over one 4 KiB page: two map the whole file (2x, the
     * most allowed), the third adds a 1 GiB zero-fill tail with no file
     * bytes, which costs nothing and is not counted. One byte more of file
     * bytes is refused. */
    enum { DATA = 64 + 3 * 56, SIZE = DATA + 4096 };
    static uint8_t b[SIZE];
    struct scry_phys *p = NULL;
    uint8_t out[SIZE];
    size_t holes = 1;
    size_t phoff = ehdr(b, 3, 0);
    for (size_t i = DATA; i < SIZE; i++)
        b[i] = (uint8_t)(i * 13 + 5);
    phdr(b + phoff, PT_LOAD, 0, 0, 0, SIZE, SIZE);
    phdr(b + phoff + 56, PT_LOAD, 0, 0, 0x100000, SIZE, SIZE);
    phdr(b + phoff + 112, PT_LOAD, 0, 0, 0x200000, 0, 0x40000000);
    ck_assert_int_eq(open_mem(b, SIZE, "bound.elf", &p), SCRY_OK);
    ck_assert_uint_eq(p->nruns, 2);
    ck_assert_uint_eq(p->runs[1].start, 0x100000);
    ck_assert_uint_eq(p->runs[1].len, SIZE);
    ck_assert_int_eq(scry_phys_read(p, 0x100000, out, SIZE, &holes), SCRY_OK);
    ck_assert_uint_eq(holes, 0);
    ck_assert_mem_eq(out, b, SIZE);
    scry_phys_close(p);

    phdr(b + phoff + 112, PT_LOAD, 0, 0, 0x200000, 1, 0x40000000);
    expect_refused(b, SIZE, "bound.elf",
                   "bound.elf: ELF PT_LOADs describe 8.5 KiB from a 4.2 KiB file (p_filesz sum "
                   "8657, file 4328 bytes: more than 2x the file): refusing aliased segments");
}
END_TEST

/* An image of nload PT_LOADs (PN_XNUM when xnum) followed by `len` bytes of
 * real memory from dev-small.elf's RAM at physical address pa; every PT_LOAD
 * maps the whole file at its own physical address. NULL when the corpus is
 * absent. */
static uint8_t *alias_image(uint32_t nload, int xnum, uint64_t pa, size_t len, size_t *size)
{
    char pathbuf[4096];
    const char *path = corpus_path("dev-small.elf", pathbuf);
    struct load ld[4];
    uint64_t noff, nsz, stride;
    size_t phoff, data;
    uint8_t *b;
    FILE *f;
    if (!path)
        return NULL;
    f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_ge(read_loads(f, ld, 4, &noff, &nsz), 1);
    ck_assert_uint_eq(ld[0].paddr, 0);
    ck_assert_uint_ge(ld[0].filesz, pa + len);

    phoff = xnum ? 128 : 64;
    data = phoff + (size_t)nload * 56;
    *size = data + len;
    b = calloc(1, *size);
    ck_assert_ptr_nonnull(b);
    ck_assert_uint_eq(ehdr(b, nload, xnum), phoff);
    stride = (*size + 0xfff) & ~(uint64_t)0xfff;
    for (uint32_t i = 0; i < nload; i++)
        phdr(b + phoff + (size_t)i * 56, PT_LOAD, 0, 0, (uint64_t)i * stride, *size, *size);
    read_at(f, ld[0].off + pa, b + data, len);
    fclose(f);
    return b;
}

START_TEST(alias_65534_loads_refused)
{
    /* The file: 65,534 PT_LOADs (the most e_phnum holds) over 3.9 MB
     * describe 240 GiB; the old reader took 27 s of banners on it. */
    size_t size;
    uint8_t *b = alias_image(65534, 0, 0x1000000, 256 * 1024, &size);
    if (!b)
        return;
    ck_assert_uint_eq(size, 3932112);
    expect_refused(b, size, "alias.elf",
                   "alias.elf: ELF PT_LOADs describe 240 GiB from a 3.7 MiB file (p_filesz sum "
                   "257687027808, file 3932112 bytes: more than 2x the file): refusing aliased "
                   "segments");
    free(b);
}
END_TEST

START_TEST(alias_xnum_loads_refused)
{
    /* PN_XNUM lifts the count to the reader's own bound of 2^20 headers:
     * 56 MiB that would describe 56 TiB. */
    size_t size;
    uint8_t *b = alias_image(1u << 20, 1, 0x1000000, 4096, &size);
    if (!b)
        return;
    ck_assert_uint_eq(size, 58724480);
    expect_refused(b, size, "xnum.elf",
                   "xnum.elf: ELF PT_LOADs describe 56 TiB from a 56 MiB file (p_filesz sum "
                   "61577080340480, file 58724480 bytes: more than 2x the file): refusing "
                   "aliased segments");
    free(b);
}
END_TEST

START_TEST(alias_twice_real_memory_opens)
{
    /* The same real page range under two PT_LOADs (2x) opens, and both
     * physical addresses read the corpus bytes; a third is refused. */
    size_t size, holes = 1;
    uint8_t *b = alias_image(2, 0, 0x1000000, 256 * 1024, &size);
    struct scry_phys *p = NULL;
    uint8_t *out;
    uint64_t stride;
    if (!b)
        return;
    stride = (size + 0xfff) & ~(uint64_t)0xfff;
    out = malloc(size);
    ck_assert_ptr_nonnull(out);
    ck_assert_int_eq(open_mem(b, size, "twice.elf", &p), SCRY_OK);
    ck_assert_uint_eq(p->nruns, 2);
    for (int i = 0; i < 2; i++) {
        ck_assert_int_eq(scry_phys_read(p, (uint64_t)i * stride, out, size, &holes), SCRY_OK);
        ck_assert_uint_eq(holes, 0);
        ck_assert_mem_eq(out, b, size);
    }
    scry_phys_close(p);
    free(out);
    free(b);

    b = alias_image(3, 0, 0x1000000, 256 * 1024, &size);
    expect_refused(b, size, "thrice.elf",
                   "thrice.elf: ELF PT_LOADs describe 769 KiB from a 256 KiB file (p_filesz sum "
                   "787128, file 262376 bytes: more than 2x the file): refusing aliased segments");
    free(b);
}
END_TEST

START_TEST(vmcore_kernel_alias_opens)
{
    /* A /proc/vmcore maps the kernel image twice: a kernel-text PT_LOAD and
     * the System RAM PT_LOAD it lies in. dev-vmcore.vmcore stores the two
     * copies apart; a writer may as well point both at the same bytes.
     * Built from the real notes and RAM around the kernel, that file
     * describes ~1.8x itself and must open and read like the original. */
    char pathbuf[4096];
    const char *path = corpus_path("dev-vmcore.vmcore", pathbuf);
    struct load ld[8], *kt = NULL, *ram = NULL;
    uint64_t noff, nsz, lo, hi;
    size_t n, phoff = 64, notes, data, size, holes;
    struct scry_phys *p = NULL, *orig = NULL;
    struct scry_file *of = NULL;
    static uint8_t a[65536], c[65536];
    uint8_t *b;
    FILE *f;
    if (!path)
        return;
    f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    n = read_loads(f, ld, 8, &noff, &nsz);
    ck_assert_uint_gt(nsz, 0);
    for (size_t i = 0; i < n; i++)
        if (ld[i].vaddr >= 0xffffffff80000000ull)
            kt = &ld[i];
    ck_assert_ptr_nonnull(kt);
    for (size_t i = 0; i < n; i++)
        if (&ld[i] != kt && ld[i].paddr <= kt->paddr &&
            kt->paddr + kt->filesz <= ld[i].paddr + ld[i].filesz)
            ram = &ld[i];
    ck_assert_ptr_nonnull(ram);
    /* RAM from 8 MiB below the kernel to 8 MiB past it, within the segment. */
    lo = kt->paddr - ram->paddr > 0x800000 ? kt->paddr - 0x800000 : ram->paddr;
    hi = kt->paddr + kt->filesz + 0x800000;
    if (hi > ram->paddr + ram->filesz)
        hi = ram->paddr + ram->filesz;

    notes = phoff + 3 * 56;
    data = (notes + nsz + 0xfff) & ~(size_t)0xfff;
    size = data + (size_t)(hi - lo);
    b = calloc(1, size);
    ck_assert_ptr_nonnull(b);
    ehdr(b, 3, 0);
    phdr(b + phoff, PT_NOTE, notes, 0, 0, nsz, nsz);
    phdr(b + phoff + 56, PT_LOAD, data + (kt->paddr - lo), kt->vaddr, kt->paddr, kt->filesz,
         kt->filesz);
    phdr(b + phoff + 112, PT_LOAD, data, ram->vaddr + (lo - ram->paddr), lo, hi - lo, hi - lo);
    read_at(f, noff, b + notes, nsz);
    read_at(f, ram->off + (lo - ram->paddr), b + data, hi - lo);
    fclose(f);
    ck_assert_uint_gt(kt->filesz + (hi - lo), size); /* really aliased */

    ck_assert_int_eq(open_mem(b, size, "alias.vmcore", &p), SCRY_OK);
    ck_assert_ptr_nonnull(p->info.vmcoreinfo);
    ck_assert_uint_eq(p->nruns, 1);
    ck_assert_uint_eq(p->runs[0].start, lo);
    ck_assert_uint_eq(p->runs[0].len, hi - lo);
    ck_assert_int_eq(scry_file_open(path, &of), SCRY_OK);
    ck_assert_int_eq(open_file(of, &orig), SCRY_OK);
    for (uint64_t pa = lo; pa + sizeof a <= hi; pa += 0x40000) {
        ck_assert_int_eq(scry_phys_read(p, pa, a, sizeof a, &holes), SCRY_OK);
        ck_assert_uint_eq(holes, 0);
        ck_assert_int_eq(scry_phys_read(orig, pa, c, sizeof c, &holes), SCRY_OK);
        ck_assert_msg(memcmp(a, c, sizeof a) == 0, "differs from the corpus at pa 0x%llx",
                      (unsigned long long)pa);
    }
    scry_phys_close(orig);
    scry_phys_close(p);
    free(b);
}
END_TEST

START_TEST(corpus_elf_dumps_open)
{
    /* Every real ELF core in the corpus stays under the bound. */
    static const char *const names[] = {"dev-small.elf", "dev-612.elf", "dev-la57.elf",
                                        "dev-1k.elf", "dev-vmcore.vmcore"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char pathbuf[4096];
        const char *path = corpus_path(names[i], pathbuf);
        struct scry_file *f = NULL;
        struct scry_phys *p = NULL;
        scry_status st;
        if (!path)
            continue;
        ck_assert_int_eq(scry_file_open(path, &f), SCRY_OK);
        st = open_file(f, &p);
        ck_assert_msg(st == SCRY_OK, "%s: %s", path, scry_last_error());
        ck_assert_str_eq(p->info.format, "elf");
        ck_assert_uint_gt(p->nruns, 0);
        scry_phys_close(p);
    }
}
END_TEST

static Suite *hostile_elf_suite(void)
{
    Suite *s = suite_create("hostile_elf");
    TCase *tc = tcase_create("alias");
    tcase_add_test(tc, alias_bound_is_twice_the_file);
    tcase_add_test(tc, alias_65534_loads_refused);
    tcase_add_test(tc, alias_xnum_loads_refused);
    tcase_add_test(tc, alias_twice_real_memory_opens);
    tcase_add_test(tc, vmcore_kernel_alias_opens);
    tcase_add_test(tc, corpus_elf_dumps_open);
    tcase_set_timeout(tc, 120);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run_suite(hostile_elf_suite()); }
