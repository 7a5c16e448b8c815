/* test_paging.c - page-table walks for the four x86 modes, Windows x64, and the vspace
 * layer above them, on synthetic tables in a memory buffer. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/vspace/paging.h"
#include "lib/vspace/vspace.h"
#include "testutil.h"

/* ------------------------------------------------------ a test phys layer */

/* Physical memory is mem[0, size); beyond it is a hole (zeros, counted).
 * Reads touching [bad_lo, bad_hi) fail as a decode error would. */
struct tphys {
    struct scry_phys base;
    uint8_t *mem;
    size_t size;
    uint64_t bad_lo, bad_hi;
    uint64_t next_table; /* bump allocator for page tables */
};

static int touches_bad(const struct tphys *t, uint64_t pa, size_t len)
{
    return len && pa < t->bad_hi && pa + len > t->bad_lo;
}

static scry_status tp_read(struct scry_phys *p, uint64_t pa, void *buf, size_t len, size_t *holes)
{
    struct tphys *t = (struct tphys *)p;
    uint8_t *out = buf;
    size_t h = 0;
    if (touches_bad(t, pa, len))
        return scry_err(SCRY_ERR_CORRUPT, "pfn 0x%llx: bad page", (unsigned long long)(pa >> 12));
    for (size_t i = 0; i < len; i++) {
        uint64_t a = pa + i;
        if (a >= pa && a < t->size) {
            out[i] = t->mem[a];
        } else {
            out[i] = 0;
            h++;
        }
    }
    if (holes)
        *holes = h;
    return SCRY_OK;
}

static const uint8_t *tp_direct(struct scry_phys *p, uint64_t pa, size_t len)
{
    struct tphys *t = (struct tphys *)p;
    if (pa > t->size || len > t->size - pa || touches_bad(t, pa, len))
        return NULL;
    return t->mem + pa;
}

static const struct scry_phys_ops ops_direct = {tp_read, tp_direct, NULL};
static const struct scry_phys_ops ops_plain = {tp_read, NULL, NULL};

#define MEM_SIZE (8u << 20)
#define TABLES_START 0x100000u /* tables from 1 MiB up; data below */

/* Each test runs twice (loop index 0/1): with and without ops->direct, so
 * both entry-read paths are exercised. */
static struct tphys *tp_new(int loop)
{
    struct tphys *t = calloc(1, sizeof *t);
    ck_assert_ptr_nonnull(t);
    t->mem = calloc(1, MEM_SIZE);
    ck_assert_ptr_nonnull(t->mem);
    t->size = MEM_SIZE;
    t->base.ops = loop ? &ops_plain : &ops_direct;
    t->next_table = TABLES_START;
    return t;
}

static void tp_free(struct tphys *t)
{
    free(t->mem);
    free(t);
}

static uint64_t tp_alloc(struct tphys *t)
{
    uint64_t a = t->next_table;
    t->next_table += 4096;
    ck_assert_uint_le(t->next_table, MEM_SIZE);
    return a;
}

static uint64_t get_entry(const struct tphys *t, uint64_t pa, unsigned size)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint64_t)t->mem[pa + i] << (8 * i);
    return v;
}

static void set_entry(struct tphys *t, uint64_t pa, unsigned size, uint64_t v)
{
    ck_assert_uint_le(pa + size, t->size);
    for (unsigned i = 0; i < size; i++)
        t->mem[pa + i] = (uint8_t)(v >> (8 * i));
}

static void fill(struct tphys *t, uint64_t pa, size_t len, uint8_t seed)
{
    for (size_t i = 0; i < len; i++)
        t->mem[pa + i] = (uint8_t)(seed + i * 7);
}

/* ------------------------------------------------ mode descriptions */

struct level {
    unsigned shift, bits, esize;
    const char *name;
};

struct mode {
    enum scry_paging paging;
    scry_translate_fn fn;
    unsigned nlevels;
    struct level lv[5];
    uint64_t addr_mask;
};

static const struct mode modes[] = {
    {SCRY_PAGING_X86, scry_translate_x86, 2,
     {{22, 10, 4, "PD"}, {12, 10, 4, "PT"}}, 0xfffff000ull},
    {SCRY_PAGING_PAE, scry_translate_pae, 3,
     {{30, 2, 8, "PDPT"}, {21, 9, 8, "PD"}, {12, 9, 8, "PT"}}, 0x000ffffffffff000ull},
    {SCRY_PAGING_X86_64, scry_translate_x86_64, 4,
     {{39, 9, 8, "PML4"}, {30, 9, 8, "PDPT"}, {21, 9, 8, "PD"}, {12, 9, 8, "PT"}},
     0x000ffffffffff000ull},
    {SCRY_PAGING_LA57, scry_translate_la57, 5,
     {{48, 9, 8, "PML5"}, {39, 9, 8, "PML4"}, {30, 9, 8, "PDPT"}, {21, 9, 8, "PD"},
      {12, 9, 8, "PT"}},
     0x000ffffffffff000ull},
};
#define NMODES (sizeof modes / sizeof modes[0])

/* Where the level-k entry for va sits, following present entries above it;
 * 0 when a level above is missing. */
static uint64_t entry_addr(const struct tphys *t, const struct mode *m, uint64_t root, uint64_t va,
                           unsigned k)
{
    uint64_t table = root;
    for (unsigned i = 0;; i++) {
        const struct level *l = &m->lv[i];
        uint64_t slot = table + ((va >> l->shift) & ((1u << l->bits) - 1)) * l->esize;
        if (i == k)
            return slot;
        uint64_t e = get_entry(t, slot, l->esize);
        if (!(e & 1))
            return 0;
        table = e & m->addr_mask;
    }
}

/* Maps va -> pa with a page of page_size (leaf at the matching level),
 * allocating missing tables. extra is ORed into the leaf entry. */
static void map(struct tphys *t, const struct mode *m, uint64_t root, uint64_t va, uint64_t pa,
                uint64_t page_size, uint64_t extra)
{
    for (unsigned k = 0; k < m->nlevels; k++) {
        const struct level *l = &m->lv[k];
        uint64_t slot = entry_addr(t, m, root, va, k);
        ck_assert_uint_ne(slot, 0);
        if (((uint64_t)1 << l->shift) == page_size) {
            set_entry(t, slot, l->esize, pa | 0x3 | (page_size > 4096 ? 0x80 : 0) | extra);
            return;
        }
        if (!(get_entry(t, slot, l->esize) & 1))
            set_entry(t, slot, l->esize, tp_alloc(t) | 0x3);
    }
    ck_abort_msg("no level for page size 0x%llx", (unsigned long long)page_size);
}

/* A user-half address that exercises several indices at every level. */
static uint64_t sample_va(const struct mode *m)
{
    switch (m->paging) {
    case SCRY_PAGING_X86:
    case SCRY_PAGING_PAE: return 0x80523000u;
    case SCRY_PAGING_X86_64: return 0x00007f1234567000ull;
    default: return 0x00ab7f1234567000ull;
    }
}

static const char *err(void) { return scry_last_error(); }

/* "0x7f...: PT entry not present" names the level after ": " so that "PT"
 * cannot match inside "PDPT". */
static void assert_level_msg(const char *level, uint64_t va)
{
    char want[64], addr[32];
    snprintf(want, sizeof want, ": %s entry", level);
    snprintf(addr, sizeof addr, "0x%llx", (unsigned long long)va);
    ck_assert_msg(strstr(err(), want) && strstr(err(), addr), "message '%s' lacks '%s' or '%s'",
                  err(), want, addr);
}

/* ---------------------------------------------------------------- tests */

START_TEST(test_4k_pages)
{
    for (size_t mi = 0; mi < NMODES; mi++) {
        const struct mode *m = &modes[mi];
        struct tphys *t = tp_new(_i);
        uint64_t root = tp_alloc(t), va = sample_va(m), pa = 0, size = 0;
        /* NX and software bits above bit 51 must not leak into the address
         * (x86 entries are 32-bit: no such bits). */
        uint64_t hi = m->lv[0].esize == 8 ? 0x8ff0000000000000ull : 0;

        map(t, m, root, va, 0x5000, 4096, hi);
        map(t, m, root, va + 0x1000, 0x9000, 4096, 0);
        ck_assert_int_eq(m->fn(&t->base, root, va + 0x123, &pa, &size), SCRY_OK);
        ck_assert_uint_eq(pa, 0x5123);
        ck_assert_uint_eq(size, 4096);
        ck_assert_int_eq(m->fn(&t->base, root, va + 0x1fff, &pa, &size), SCRY_OK);
        ck_assert_uint_eq(pa, 0x9fff);

        /* Through the vspace too, with data. */
        struct scry_vspace vs;
        uint8_t buf[32];
        ck_assert_int_eq(scry_vspace_init(&vs, &t->base, m->paging, root), SCRY_OK);
        fill(t, 0x5000, 4096, 1);
        fill(t, 0x9000, 4096, 2);
        ck_assert_int_eq(scry_vspace_read(&vs, va + 0xff0, buf, sizeof buf), SCRY_OK);
        ck_assert_mem_eq(buf, t->mem + 0x5ff0, 16);
        ck_assert_mem_eq(buf + 16, t->mem + 0x9000, 16);
        tp_free(t);
    }
}
END_TEST

START_TEST(test_large_pages)
{
    for (size_t mi = 0; mi < NMODES; mi++) {
        const struct mode *m = &modes[mi];
        struct tphys *t = tp_new(_i);
        uint64_t root = tp_alloc(t), va = sample_va(m), pa = 0, size = 0;

        if (m->paging == SCRY_PAGING_X86) {
            /* 4 MiB, with PSE-36 bits 13..16 giving physical bits 32..35. */
            uint64_t v4 = 0xc0000000u;
            map(t, m, root, v4, 0x01c00000, 0x400000, 0x5u << 13);
            ck_assert_int_eq(m->fn(&t->base, root, v4 + 0x3abcde, &pa, &size), SCRY_OK);
            ck_assert_uint_eq(pa, 0x501c00000ull + 0x3abcde);
            ck_assert_uint_eq(size, 0x400000);
            tp_free(t);
            continue;
        }
        /* 2 MiB with PAT (bit 12) and NX set: neither is address. */
        uint64_t v2 = va & ~0x1fffffull;
        map(t, m, root, v2, 0x600000, 0x200000, 0x1000 | 0x8000000000000000ull);
        ck_assert_int_eq(m->fn(&t->base, root, v2 + 0x1abcde, &pa, &size), SCRY_OK);
        ck_assert_uint_eq(pa, 0x600000 + 0x1abcde);
        ck_assert_uint_eq(size, 0x200000);

        if (m->paging != SCRY_PAGING_PAE) {
            uint64_t v1 = (va & ~0x3fffffffull) + 0x40000000ull;
            map(t, m, root, v1, 0x000fffc0000000ull, 0x40000000, 0x1000);
            ck_assert_int_eq(m->fn(&t->base, root, v1 + 0x3fedcba9, &pa, &size), SCRY_OK);
            ck_assert_uint_eq(pa, 0x000fffc0000000ull + 0x3fedcba9);
            ck_assert_uint_eq(size, 0x40000000);
        } else {
            /* PS in a PAE PDPTE is reserved: the entry is a table pointer. */
            uint64_t slot = entry_addr(t, m, root, v2, 0);
            set_entry(t, slot, 8, get_entry(t, slot, 8) | 0x80);
            ck_assert_int_eq(m->fn(&t->base, root, v2 + 5, &pa, &size), SCRY_OK);
            ck_assert_uint_eq(pa, 0x600005);
        }

        /* A read crossing 4 KiB boundaries inside one large page. */
        struct scry_vspace vs;
        uint8_t buf[64];
        fill(t, 0x600000 + 0x1000 - 32, 64, 9);
        ck_assert_int_eq(scry_vspace_init(&vs, &t->base, m->paging, root), SCRY_OK);
        ck_assert_int_eq(scry_vspace_read(&vs, v2 + 0x1000 - 32, buf, 64), SCRY_OK);
        ck_assert_mem_eq(buf, t->mem + 0x600000 + 0x1000 - 32, 64);
        tp_free(t);
    }
}
END_TEST

START_TEST(test_not_present_every_level)
{
    for (size_t mi = 0; mi < NMODES; mi++) {
        const struct mode *m = &modes[mi];
        struct tphys *t = tp_new(_i);
        uint64_t root = tp_alloc(t), va = sample_va(m) + 0x10, pa = 0x1234, size = 0x99;

        map(t, m, root, va, 0x7000, 4096, 0);
        for (unsigned k = 0; k < m->nlevels; k++) {
            unsigned es = m->lv[k].esize;
            uint64_t slot = entry_addr(t, m, root, va, k), saved = get_entry(t, slot, es);
            /* Everything but the present bit stays, as a swapped-out entry. */
            set_entry(t, slot, es, saved & ~1ull);
            ck_assert_int_eq(m->fn(&t->base, root, va, &pa, &size), SCRY_ERR_NODATA);
            assert_level_msg(m->lv[k].name, va);
            ck_assert_uint_eq(pa, 0x1234); /* out-params untouched */
            ck_assert_uint_eq(size, 0x99);

            struct scry_vspace vs;
            uint64_t v64;
            ck_assert_int_eq(scry_vspace_init(&vs, &t->base, m->paging, root), SCRY_OK);
            ck_assert_int_eq(scry_vspace_translate(&vs, va, &pa), SCRY_ERR_NODATA);
            ck_assert_int_eq(scry_vspace_read_u64(&vs, va, &v64), SCRY_ERR_NODATA);
            assert_level_msg(m->lv[k].name, va);
            set_entry(t, slot, es, saved);
        }
        ck_assert_int_eq(m->fn(&t->base, root, va, &pa, &size), SCRY_OK);
        ck_assert_uint_eq(pa, 0x7010);
        tp_free(t);
    }
}
END_TEST

/* Windows maps its page tables through one PML4 entry that points back at
 * the PML4; the self-map address whose every index is that slot translates
 * to the PML4 itself. */
START_TEST(test_self_reference)
{
    for (size_t mi = 0; mi < NMODES; mi++) {
        const struct mode *m = &modes[mi];
        struct tphys *t = tp_new(_i);
        uint64_t root = tp_alloc(t), pa = 0, size = 0, va = 0;
        unsigned top = m->nlevels - 1; /* self entries live in the top table */
        uint64_t self = m->paging == SCRY_PAGING_PAE ? 0 : 0x1ed % (1u << m->lv[0].bits);

        if (m->paging == SCRY_PAGING_PAE) {
            /* The PDPT is not a page-sized table; self-map through a PD:
             * PDPT[3] -> PD, PD[0x1ed] -> PD. */
            uint64_t pd = tp_alloc(t);
            set_entry(t, root + 3 * 8, 8, pd | 1);
            set_entry(t, pd + 0x1ed * 8, 8, pd | 3);
            va = 3ull << 30 | 0x1edull << 21 | 0x1edull << 12 | 0x18;
            ck_assert_int_eq(m->fn(&t->base, root, va, &pa, &size), SCRY_OK);
            ck_assert_uint_eq(pa, pd + 0x18);
        } else {
            set_entry(t, root + self * m->lv[0].esize, m->lv[0].esize, root | 3);
            for (unsigned k = 0; k <= top; k++)
                va |= self << m->lv[k].shift;
            va |= 0x18;
            if (m->paging == SCRY_PAGING_X86_64)
                va |= 0xffff000000000000ull; /* canonical form */
            else if (m->paging == SCRY_PAGING_LA57)
                va |= 0xfe00000000000000ull;
            ck_assert_int_eq(m->fn(&t->base, root, va, &pa, &size), SCRY_OK);
            ck_assert_uint_eq(pa, root + 0x18);
            ck_assert_uint_eq(size, 4096);
        }

        /* Every entry of every table pointing at the root, with PS set too:
         * any address must finish within the level count. */
        struct tphys *u = tp_new(_i);
        uint64_t r2 = tp_alloc(u);
        for (unsigned i = 0; i < 1024; i++)
            set_entry(u, r2 + i * m->lv[0].esize, m->lv[0].esize, r2 | 3 | (i & 1 ? 0x80 : 0));
        for (unsigned i = 0; i < 64; i++) {
            uint64_t v = 0x9e3779b97f4a7c15ull * (i + 1);
            scry_status st = m->fn(&u->base, r2, v, &pa, &size);
            ck_assert_int_eq(st, SCRY_OK);
        }
        tp_free(u);
        tp_free(t);
    }
}
END_TEST

START_TEST(test_tables_past_end)
{
    for (size_t mi = 0; mi < NMODES; mi++) {
        const struct mode *m = &modes[mi];
        struct tphys *t = tp_new(_i);
        uint64_t root = tp_alloc(t), va = sample_va(m), pa = 0, size = 0;
        /* Past the 8 MiB buffer yet expressible in every mode's entries. */
        uint64_t far = 0x80000000u;

        /* The DTB itself outside memory. */
        ck_assert_int_eq(m->fn(&t->base, far, va, &pa, &size), SCRY_ERR_NODATA);
        assert_level_msg(m->lv[0].name, va);
        ck_assert_ptr_nonnull(strstr(err(), "not in the dump"));

        /* An entry at each non-top level pointing outside memory. */
        map(t, m, root, va, 0x7000, 4096, 0);
        for (unsigned k = 0; k + 1 < m->nlevels; k++) {
            unsigned es = m->lv[k].esize;
            uint64_t slot = entry_addr(t, m, root, va, k), saved = get_entry(t, slot, es);
            set_entry(t, slot, es, far | 3);
            ck_assert_int_eq(m->fn(&t->base, root, va, &pa, &size), SCRY_ERR_NODATA);
            assert_level_msg(m->lv[k + 1].name, va);
            set_entry(t, slot, es, saved);
        }

        /* A decode error while reading a table is passed on, in read_pad too. */
        uint64_t leaf_table = entry_addr(t, m, root, va, m->nlevels - 1) & ~0xfffull;
        struct scry_vspace vs;
        uint8_t buf[16];
        size_t missing = 77;
        t->bad_lo = leaf_table;
        t->bad_hi = leaf_table + 4096;
        ck_assert_int_eq(m->fn(&t->base, root, va, &pa, &size), SCRY_ERR_CORRUPT);
        ck_assert_ptr_nonnull(strstr(err(), "bad page"));
        ck_assert_int_eq(scry_vspace_init(&vs, &t->base, m->paging, root), SCRY_OK);
        ck_assert_int_eq(scry_vspace_read_pad(&vs, va, buf, sizeof buf, &missing),
                         SCRY_ERR_CORRUPT);
        ck_assert_uint_eq(missing, 77);
        /* ...and in the data page itself. */
        t->bad_lo = 0x7000;
        t->bad_hi = 0x8000;
        ck_assert_int_eq(scry_vspace_read_pad(&vs, va, buf, sizeof buf, &missing),
                         SCRY_ERR_CORRUPT);
        ck_assert_int_eq(scry_vspace_read(&vs, va, buf, sizeof buf), SCRY_ERR_CORRUPT);
        tp_free(t);
    }
}
END_TEST

START_TEST(test_cross_page_reads)
{
    for (size_t mi = 0; mi < NMODES; mi++) {
        const struct mode *m = &modes[mi];
        struct tphys *t = tp_new(_i);
        uint64_t root = tp_alloc(t), va = sample_va(m), v;
        struct scry_vspace vs;
        uint8_t buf[24];
        size_t missing = 0;
        char addr[32];

        map(t, m, root, va, 0x5000, 4096, 0);
        fill(t, 0x5000, 4096, 3);
        ck_assert_int_eq(scry_vspace_init(&vs, &t->base, m->paging, root), SCRY_OK);

        /* Mapped page, then an unmapped one: read fails naming the second. */
        ck_assert_int_eq(scry_vspace_read(&vs, va + 0xff8, buf, 24), SCRY_ERR_NODATA);
        snprintf(addr, sizeof addr, "0x%llx:", (unsigned long long)(va + 0x1000));
        ck_assert_msg(strstr(err(), addr), "'%s' lacks %s", err(), addr);
        ck_assert_int_eq(scry_vspace_read_u64(&vs, va + 0xffc, &v), SCRY_ERR_NODATA);
        memset(buf, 0xaa, sizeof buf);
        ck_assert_int_eq(scry_vspace_read_pad(&vs, va + 0xff8, buf, 24, &missing), SCRY_OK);
        ck_assert_mem_eq(buf, t->mem + 0x5ff8, 8);
        for (int i = 8; i < 24; i++)
            ck_assert_uint_eq(buf[i], 0);
        ck_assert_uint_eq(missing, 16);
        ck_assert_int_eq(scry_vspace_read_pad(&vs, va + 0xff8, buf, 24, NULL), SCRY_OK);

        /* Unmapped first, then mapped. */
        ck_assert_int_eq(scry_vspace_read_pad(&vs, va - 8, buf, 24, &missing), SCRY_OK);
        ck_assert_uint_eq(missing, 8);
        ck_assert_mem_eq(buf + 8, t->mem + 0x5000, 16);

        /* A mapped page whose frame is a hole fails read (naming the page),
         * and read_pad counts the hole bytes. */
        map(t, m, root, va + 0x1000, 0x40000000, 4096, 0);
        ck_assert_int_eq(scry_vspace_read(&vs, va + 0xff8, buf, 24), SCRY_ERR_NODATA);
        ck_assert_msg(strstr(err(), addr) && strstr(err(), "page not present"), "'%s'", err());
        ck_assert_int_eq(scry_vspace_read_pad(&vs, va + 0xff8, buf, 24, &missing), SCRY_OK);
        ck_assert_uint_eq(missing, 16);

        /* A hole starting mid-page is named at its first byte. */
        map(t, m, root, va + 0x2000, MEM_SIZE - 4096, 4096, 0);
        t->size = MEM_SIZE - 100;
        static uint8_t page[4096];
        ck_assert_int_eq(scry_vspace_read(&vs, va + 0x2000, page, 4096 - 100), SCRY_OK);
        ck_assert_int_eq(scry_vspace_read(&vs, va + 0x2f90, buf, 24), SCRY_ERR_NODATA);
        snprintf(addr, sizeof addr, "0x%llx:", (unsigned long long)(va + 0x3000 - 100));
        ck_assert_msg(strstr(err(), addr), "'%s' lacks %s", err(), addr);
        ck_assert_int_eq(scry_vspace_read_pad(&vs, va + 0x2f90, buf, 24, &missing), SCRY_OK);
        ck_assert_uint_eq(missing, 0xfa8 - (0x1000 - 100));

        /* Zero-length reads touch nothing. */
        ck_assert_int_eq(scry_vspace_read(&vs, 0xdead000, buf, 0), SCRY_OK);
        ck_assert_int_eq(scry_vspace_read_pad(&vs, 0xdead000, buf, 0, &missing), SCRY_OK);
        ck_assert_uint_eq(missing, 0);
        tp_free(t);
    }
}
END_TEST

START_TEST(test_read_ints)
{
    for (size_t mi = 0; mi < NMODES; mi++) {
        const struct mode *m = &modes[mi];
        struct tphys *t = tp_new(_i);
        uint64_t root = tp_alloc(t), va = sample_va(m), v64 = 0;
        uint32_t v32 = 0;
        struct scry_vspace vs;

        /* Two virtual neighbours on non-adjacent frames. */
        map(t, m, root, va, 0x9000, 4096, 0);
        map(t, m, root, va + 0x1000, 0x3000, 4096, 0);
        set_entry(t, 0x9ffc, 4, 0x44332211);
        set_entry(t, 0x3000, 4, 0x88776655);
        set_entry(t, 0x3010, 4, 0xdeadbeef);
        ck_assert_int_eq(scry_vspace_init(&vs, &t->base, m->paging, root), SCRY_OK);
        ck_assert_int_eq(scry_vspace_read_u64(&vs, va + 0xffc, &v64), SCRY_OK);
        ck_assert_uint_eq(v64, 0x8877665544332211ull);
        ck_assert_int_eq(scry_vspace_read_u32(&vs, va + 0x1010, &v32), SCRY_OK);
        ck_assert_uint_eq(v32, 0xdeadbeef);
        ck_assert_int_eq(scry_vspace_read_u32(&vs, va + 0xffe, &v32), SCRY_OK);
        ck_assert_uint_eq(v32, 0x66554433);
        tp_free(t);
    }
}
END_TEST

START_TEST(test_tlb_matches_walk)
{
    for (size_t mi = 0; mi < NMODES; mi++) {
        const struct mode *m = &modes[mi];
        struct tphys *t = tp_new(_i);
        uint64_t root = tp_alloc(t), base = sample_va(m) & ~0x3fffffull;
        struct scry_vspace vs;
        enum { NPAGES = 3 * SCRY_TLB_SLOTS + 7 };

        /* More pages than slots, so slots are shared and evicted; every
         * fifth page unmapped, and a 2 MiB page (4 MiB on x86) after. */
        for (unsigned i = 0; i < NPAGES; i++)
            if (i % 5)
                map(t, m, root, base + i * 4096ull, 0x200000 + ((i * 37) % 1024) * 4096ull, 4096,
                    0);
        uint64_t big = m->paging == SCRY_PAGING_X86 ? 0x400000 : 0x200000;
        uint64_t vbig = base + 2 * big;
        map(t, m, root, vbig, 0x600000 & ~(big - 1), big, 0);
        ck_assert_int_eq(scry_vspace_init(&vs, &t->base, m->paging, root), SCRY_OK);

        uint64_t x = 12345;
        for (unsigned n = 0; n < 20000; n++) {
            x = x * 6364136223846793005ull + 1442695040888963407ull;
            uint64_t va = (x >> 33) & 1 ? base + ((x >> 20) % NPAGES) * 4096 + (x & 0xfff)
                                        : vbig + (x >> 24) % big;
            uint64_t p1 = 1, p2 = 2, sz;
            scry_status s1 = scry_vspace_translate(&vs, va, &p1);
            scry_status s2 = m->fn(&t->base, root, va, &p2, &sz);
            ck_assert_int_eq(s1, s2);
            if (s1 == SCRY_OK)
                ck_assert_uint_eq(p1, p2);
        }

        /* Failures are not cached: a page mapped after a failed lookup is
         * found. */
        uint64_t hole = base + 5 * 4096, pa = 0;
        ck_assert_int_eq(scry_vspace_translate(&vs, hole, &pa), SCRY_ERR_NODATA);
        map(t, m, root, hole, 0x4000, 4096, 0);
        ck_assert_int_eq(scry_vspace_translate(&vs, hole + 9, &pa), SCRY_OK);
        ck_assert_uint_eq(pa, 0x4009);
        tp_free(t);
    }
}
END_TEST

START_TEST(test_masked_equals_canonical)
{
    struct {
        enum scry_paging paging;
        uint64_t canon, masked, junk;
    } cases[] = {
        {SCRY_PAGING_X86, 0xc0801123ull, 0xc0801123ull, 0xffffffffc0801123ull},
        {SCRY_PAGING_PAE, 0xc0801123ull, 0xc0801123ull, 0x12345678c0801123ull},
        {SCRY_PAGING_X86_64, 0xffff888003a8c123ull, 0x0000888003a8c123ull,
         0x1234888003a8c123ull},
        {SCRY_PAGING_LA57, 0xff11888003a8c123ull, 0x0111888003a8c123ull,
         0x7f11888003a8c123ull},
    };
    for (size_t mi = 0; mi < NMODES; mi++) {
        const struct mode *m = &modes[mi];
        struct tphys *t = tp_new(_i);
        uint64_t root = tp_alloc(t), p1 = 0, p2 = 0, p3 = 0, sz;
        struct scry_vspace vs;
        uint64_t v64 = 0, w64 = 0;

        ck_assert_int_eq(cases[mi].paging, m->paging);
        map(t, m, root, cases[mi].canon & ~0xfffull, 0xa000, 4096, 0);
        set_entry(t, 0xa123, 8, 0x0123456789abcdefull);
        ck_assert_int_eq(m->fn(&t->base, root, cases[mi].canon, &p1, &sz), SCRY_OK);
        ck_assert_int_eq(m->fn(&t->base, root, cases[mi].masked, &p2, &sz), SCRY_OK);
        ck_assert_int_eq(m->fn(&t->base, root, cases[mi].junk, &p3, &sz), SCRY_OK);
        ck_assert_uint_eq(p1, 0xa123);
        ck_assert_uint_eq(p2, p1);
        ck_assert_uint_eq(p3, p1);

        /* The TLB, filled through one form, serves the other alike. */
        ck_assert_int_eq(scry_vspace_init(&vs, &t->base, m->paging, root), SCRY_OK);
        ck_assert_uint_eq(vs.va_bits, m->paging == SCRY_PAGING_X86_64  ? 48
                                      : m->paging == SCRY_PAGING_LA57 ? 57
                                                                      : 32);
        ck_assert_int_eq(scry_vspace_read_u64(&vs, cases[mi].masked, &v64), SCRY_OK);
        ck_assert_int_eq(scry_vspace_read_u64(&vs, cases[mi].canon, &w64), SCRY_OK);
        ck_assert_uint_eq(v64, 0x0123456789abcdefull);
        ck_assert_uint_eq(w64, v64);
        ck_assert_int_eq(scry_vspace_translate(&vs, cases[mi].junk, &p3), SCRY_OK);
        ck_assert_uint_eq(p3, p1);
        tp_free(t);
    }
}
END_TEST

/* The same tables read as 5 levels and as 4 give different answers: LA57
 * must not be walked as Intel32e (Volatility's limitation, not ours). */
START_TEST(test_la57_vs_4level)
{
    struct tphys *t = tp_new(_i);
    const struct mode *m5 = &modes[3];
    uint64_t root = tp_alloc(t), p4 = 0, p5 = 0, sz;

    map(t, m5, root, 0, 0x7000, 4096, 0);
    ck_assert_int_eq(scry_translate_la57(&t->base, root, 0x234, &p5, &sz), SCRY_OK);
    ck_assert_uint_eq(p5, 0x7234);
    /* As 4 levels the PML5 is a PML4 and the walk ends one table early, on
     * the frame of the last page table. */
    ck_assert_int_eq(scry_translate_x86_64(&t->base, root, 0x234, &p4, &sz), SCRY_OK);
    ck_assert_uint_ne(p4, p5);
    uint64_t pt = entry_addr(t, m5, root, 0, 4) & ~0xfffull;
    ck_assert_uint_eq(p4, pt + 0x234);

    /* Bit 48 selects another PML5 slot in LA57, but is ignored in 4-level. */
    uint64_t va = (1ull << 48) | 0x234;
    ck_assert_int_eq(scry_translate_la57(&t->base, root, va, &p5, &sz), SCRY_ERR_NODATA);
    assert_level_msg("PML5", va);
    ck_assert_int_eq(scry_translate_x86_64(&t->base, root, va, &p4, &sz), SCRY_OK);
    ck_assert_uint_eq(p4, pt + 0x234);
    tp_free(t);
}
END_TEST

START_TEST(test_init_and_dtb_bits)
{
    struct tphys *t = tp_new(_i);
    struct scry_vspace vs;
    uint64_t root = tp_alloc(t), pa = 0, sz;

    ck_assert_int_eq(scry_vspace_init(&vs, &t->base, (enum scry_paging)0, root),
                     SCRY_ERR_INVALID_ARG);
    ck_assert_int_eq(scry_vspace_init(&vs, &t->base, (enum scry_paging)9, root),
                     SCRY_ERR_INVALID_ARG);
    ck_assert_int_eq(scry_vspace_init(&vs, NULL, SCRY_PAGING_X86_64, root), SCRY_ERR_INVALID_ARG);

    /* CR3 with a PCID in bits 0..11 and the no-flush bit 63. */
    map(t, &modes[2], root, 0xffffffff81000000ull, 0x1000000, 0x200000, 0);
    ck_assert_int_eq(scry_translate_x86_64(&t->base, root | 0x8000000000000005ull,
                                           0xffffffff81000042ull, &pa, &sz),
                     SCRY_OK);
    ck_assert_uint_eq(pa, 0x1000042);

    /* A PAE PDPT need only be 32-byte aligned. */
    uint64_t pdpt = tp_alloc(t) + 0x60;
    map(t, &modes[1], pdpt, 0x40002000, 0x8000, 4096, 0);
    ck_assert_int_eq(scry_translate_pae(&t->base, pdpt | 0x18, 0x40002abc, &pa, &sz), SCRY_OK);
    ck_assert_uint_eq(pa, 0x8abc);
    tp_free(t);
}
END_TEST

/* ------------------------------------------------------------ ops table */

START_TEST(test_ops_table)
{
    static const struct {
        const char *name;
        unsigned va_bits;
    } want[NMODES] = {{"x86", 32}, {"pae", 32}, {"x86_64", 48}, {"la57", 57}};
    struct tphys *t = tp_new(_i);

    for (size_t mi = 0; mi < NMODES; mi++) {
        const struct mode *m = &modes[mi];
        const struct scry_paging_ops *ops = scry_paging_ops_for(m->paging);
        struct scry_vspace vs;

        ck_assert_ptr_nonnull(ops);
        ck_assert_int_eq(ops->mode, m->paging);
        ck_assert_str_eq(ops->name, want[mi].name);
        ck_assert_uint_eq(ops->va_bits, want[mi].va_bits);
        ck_assert_uint_eq(ops->levels, m->nlevels);
        ck_assert_ptr_nonnull(ops->translate);
        ck_assert_ptr_nonnull(ops->enumerate);
        /* va_bits is what the levels index: 12 offset bits plus theirs. */
        unsigned bits = 12;
        for (unsigned k = 0; k < m->nlevels; k++)
            bits += m->lv[k].bits;
        ck_assert_uint_eq(ops->va_bits, bits);

        ck_assert_int_eq(scry_vspace_init(&vs, &t->base, m->paging, 0x1000), SCRY_OK);
        ck_assert_ptr_eq(vs.ops, ops);
        ck_assert_uint_eq(vs.va_bits, ops->va_bits);
        ck_assert_ptr_null(vs.hook);
    }
    ck_assert_ptr_null(scry_paging_ops_for((enum scry_paging)0));
    ck_assert_ptr_null(scry_paging_ops_for((enum scry_paging)6));
    ck_assert_ptr_null(scry_paging_ops_for((enum scry_paging)-1));
    tp_free(t);
}
END_TEST

/* ---------------------------------------------------------- enumeration */

struct range {
    uint64_t va, pa, len;
};

#define MAX_RANGES 64

struct collect {
    struct range r[MAX_RANGES];
    size_t n;
    size_t stop_after; /* 0: never stop */
    uint64_t calls;    /* all calls, also past MAX_RANGES */
};

static int collect_fn(void *user, uint64_t va, uint64_t pa, uint64_t len)
{
    struct collect *c = user;
    c->calls++;
    if (c->n < MAX_RANGES)
        c->r[c->n++] = (struct range){va, pa, len};
    return c->stop_after && c->calls >= c->stop_after;
}

static void assert_ranges(const struct collect *c, const struct range *want, size_t n)
{
    ck_assert_msg(c->calls == n, "%llu ranges, want %zu (first: 0x%llx)",
                  (unsigned long long)c->calls, n, c->n ? (unsigned long long)c->r[0].va : 0ull);
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(c->r[i].va == want[i].va && c->r[i].pa == want[i].pa &&
                          c->r[i].len == want[i].len,
                      "range %zu: va 0x%llx pa 0x%llx len 0x%llx, want 0x%llx 0x%llx 0x%llx", i,
                      (unsigned long long)c->r[i].va, (unsigned long long)c->r[i].pa,
                      (unsigned long long)c->r[i].len, (unsigned long long)want[i].va,
                      (unsigned long long)want[i].pa, (unsigned long long)want[i].len);
}

/* Every reported range translates as reported, at both ends. */
static void assert_ranges_translate(struct scry_vspace *vs, const struct collect *c)
{
    for (size_t i = 0; i < c->n; i++) {
        uint64_t pa = 0;
        ck_assert_int_eq(scry_vspace_translate(vs, c->r[i].va, &pa), SCRY_OK);
        ck_assert_uint_eq(pa, c->r[i].pa);
        ck_assert_int_eq(scry_vspace_translate(vs, c->r[i].va + c->r[i].len - 1, &pa), SCRY_OK);
        ck_assert_uint_eq(pa, c->r[i].pa + c->r[i].len - 1);
    }
}

static scry_status enumerate_all(struct scry_vspace *vs, uint64_t max, struct collect *c)
{
    memset(c, 0, sizeof *c);
    return scry_vspace_enumerate(vs, 0, UINT64_MAX, max, collect_fn, c);
}

#define A64 0x00007f0000000000ull
#define B64 0x00007f0000200000ull
#define C64 0x00007f0040000000ull

/* 4-level tables with 4 KiB pages that coalesce or not, a 2 MiB page
 * continued by a 4 KiB one, a 1 GiB page and a kernel-half 2 MiB page.
 * Frames may lie beyond memory: enumeration reads only the tables. */
static uint64_t build_x86_64(struct tphys *t)
{
    const struct mode *m = &modes[2];
    uint64_t root = tp_alloc(t);

    map(t, m, root, A64, 0x10000, 4096, 0);
    map(t, m, root, A64 + 0x1000, 0x11000, 4096, 0x8000000000000000ull); /* NX */
    map(t, m, root, A64 + 0x2000, 0x12000, 4096, 0);
    map(t, m, root, A64 + 0x3000, 0x20000, 4096, 0); /* virtual neighbour only */
    map(t, m, root, A64 + 0x5000, 0x21000, 4096, 0); /* physical neighbour only */
    map(t, m, root, B64, 0x40000000, 0x200000, 0x1000); /* PAT is not address */
    map(t, m, root, B64 + 0x200000, 0x40200000, 4096, 0);
    map(t, m, root, C64, 0x80000000, 0x40000000, 0);
    map(t, m, root, 0xffff888000000000ull, 0x1000000, 0x200000, 0);
    return root;
}

static const struct range want_x86_64[] = {
    {A64, 0x10000, 0x3000},
    {A64 + 0x3000, 0x20000, 0x1000},
    {A64 + 0x5000, 0x21000, 0x1000},
    {B64, 0x40000000, 0x201000},
    {C64, 0x80000000, 0x40000000},
    {0x0000888000000000ull, 0x1000000, 0x200000}, /* masked, not canonical */
};

START_TEST(test_enum_x86_64)
{
    struct tphys *t = tp_new(_i);
    uint64_t root = build_x86_64(t);
    struct scry_vspace vs;
    struct collect c;

    ck_assert_int_eq(scry_vspace_init(&vs, &t->base, SCRY_PAGING_X86_64, root | 0x5), SCRY_OK);
    ck_assert_int_eq(enumerate_all(&vs, 0, &c), SCRY_OK);
    assert_ranges(&c, want_x86_64, 6);
    assert_ranges_translate(&vs, &c);

    /* Stop from the callback: exactly as many calls, and success. */
    for (size_t k = 1; k <= 6; k++) {
        memset(&c, 0, sizeof c);
        c.stop_after = k;
        ck_assert_int_eq(scry_vspace_enumerate(&vs, 0, UINT64_MAX, 0, collect_fn, &c), SCRY_OK);
        assert_ranges(&c, want_x86_64, k);
    }
    tp_free(t);
}
END_TEST

START_TEST(test_enum_la57)
{
    struct tphys *t = tp_new(_i);
    const struct mode *m = &modes[3];
    uint64_t root = tp_alloc(t);
    struct scry_vspace vs;
    struct collect c;

    map(t, m, root, 0x00ab7f1234567000ull, 0x5000, 4096, 0);
    map(t, m, root, 0xff11888003a00000ull, 0x600000, 0x200000, 0);
    map(t, m, root, 0x0001000040000000ull, 0x40000000, 0x40000000, 0);
    ck_assert_int_eq(scry_vspace_init(&vs, &t->base, SCRY_PAGING_LA57, root), SCRY_OK);
    ck_assert_int_eq(enumerate_all(&vs, 0, &c), SCRY_OK);
    const struct range want[] = {
        {0x0001000040000000ull, 0x40000000, 0x40000000},
        {0x00ab7f1234567000ull, 0x5000, 0x1000},
        {0x0111888003a00000ull, 0x600000, 0x200000}, /* masked to 57 bits */
    };
    assert_ranges(&c, want, 3);
    assert_ranges_translate(&vs, &c);

    /* The same tables as 4 levels are other ranges: one level short, the
     * last page table's frame is the page. */
    ck_assert_int_eq(scry_vspace_init(&vs, &t->base, SCRY_PAGING_X86_64, root), SCRY_OK);
    ck_assert_int_eq(enumerate_all(&vs, 0, &c), SCRY_OK);
    ck_assert_uint_eq(c.calls, 3);
    assert_ranges_translate(&vs, &c);
    tp_free(t);
}
END_TEST

START_TEST(test_enum_pae)
{
    struct tphys *t = tp_new(_i);
    const struct mode *m = &modes[1];
    /* A PDPT need only be 32-byte aligned; CR3's low bits are not address. */
    uint64_t root = tp_alloc(t) + 0x60;
    struct scry_vspace vs;
    struct collect c;

    map(t, m, root, 0x80523000, 0x5000, 4096, 0);
    map(t, m, root, 0x80524000, 0x6000, 4096, 0x8000000000000000ull);
    map(t, m, root, 0xc0000000, 0x600000, 0x200000, 0x1000 | 0x8000000000000000ull);
    map(t, m, root, 0x40002000, 0x8000, 4096, 0);
    /* PS in a PDPTE is reserved: still a table pointer. */
    uint64_t slot = entry_addr(t, m, root, 0x40002000, 0);
    set_entry(t, slot, 8, get_entry(t, slot, 8) | 0x80);

    ck_assert_int_eq(scry_vspace_init(&vs, &t->base, SCRY_PAGING_PAE, root | 0x18), SCRY_OK);
    ck_assert_int_eq(enumerate_all(&vs, 0, &c), SCRY_OK);
    const struct range want[] = {
        {0x40002000, 0x8000, 0x1000},
        {0x80523000, 0x5000, 0x2000},
        {0xc0000000, 0x600000, 0x200000},
    };
    assert_ranges(&c, want, 3);
    assert_ranges_translate(&vs, &c);
    tp_free(t);
}
END_TEST

START_TEST(test_enum_x86)
{
    struct tphys *t = tp_new(_i);
    const struct mode *m = &modes[0];
    uint64_t root = tp_alloc(t);
    struct scry_vspace vs;
    struct collect c;

    map(t, m, root, 0x80523000, 0x5000, 4096, 0);
    map(t, m, root, 0xc0000000, 0x01c00000, 0x400000, 0);
    map(t, m, root, 0xc0400000, 0x02000000, 4096, 0); /* continues the 4 MiB page */
    map(t, m, root, 0xc0800000, 0x01c00000, 0x400000, 0x5u << 13); /* PSE-36 */
    ck_assert_int_eq(scry_vspace_init(&vs, &t->base, SCRY_PAGING_X86, root | 0x18), SCRY_OK);
    ck_assert_int_eq(enumerate_all(&vs, 0, &c), SCRY_OK);
    const struct range want[] = {
        {0x80523000, 0x5000, 0x1000},
        {0xc0000000, 0x01c00000, 0x401000},
        {0xc0800000, 0x501c00000ull, 0x400000},
    };
    assert_ranges(&c, want, 3);
    assert_ranges_translate(&vs, &c);
    tp_free(t);
}
END_TEST

START_TEST(test_enum_clip)
{
    struct tphys *t = tp_new(_i);
    uint64_t root = build_x86_64(t);
    struct scry_vspace vs;
    struct collect c;

    ck_assert_int_eq(scry_vspace_init(&vs, &t->base, SCRY_PAGING_X86_64, root), SCRY_OK);

    /* Inside a 2 MiB page into the 4 KiB page after it; unaligned ends. */
    memset(&c, 0, sizeof c);
    ck_assert_int_eq(
        scry_vspace_enumerate(&vs, B64 + 0x1234, B64 + 0x200800, 0, collect_fn, &c), SCRY_OK);
    const struct range w1[] = {{B64 + 0x1234, 0x40001234, 0x200800 - 0x1234}};
    assert_ranges(&c, w1, 1);

    /* Across the gap of the 4 KiB pages and into the middle of the 1 GiB page. */
    memset(&c, 0, sizeof c);
    ck_assert_int_eq(
        scry_vspace_enumerate(&vs, A64 + 0x2ffe, C64 + 0x10, 0, collect_fn, &c), SCRY_OK);
    const struct range w2[] = {
        {A64 + 0x2ffe, 0x12ffe, 2},
        {A64 + 0x3000, 0x20000, 0x1000},
        {A64 + 0x5000, 0x21000, 0x1000},
        {B64, 0x40000000, 0x201000},
        {C64, 0x80000000, 0x10},
    };
    assert_ranges(&c, w2, 5);

    /* One byte; an empty range; start >= end. */
    memset(&c, 0, sizeof c);
    ck_assert_int_eq(scry_vspace_enumerate(&vs, C64 + 0x3fffffff, C64 + 0x40000000, 0,
                                           collect_fn, &c),
                     SCRY_OK);
    const struct range w3[] = {{C64 + 0x3fffffff, 0xbfffffffull, 1}};
    assert_ranges(&c, w3, 1);
    memset(&c, 0, sizeof c);
    ck_assert_int_eq(scry_vspace_enumerate(&vs, A64 + 0x4000, A64 + 0x5000, 0, collect_fn, &c),
                     SCRY_OK);
    ck_assert_int_eq(scry_vspace_enumerate(&vs, A64, A64, 0, collect_fn, &c), SCRY_OK);
    ck_assert_int_eq(scry_vspace_enumerate(&vs, C64, A64, 0, collect_fn, &c), SCRY_OK);
    ck_assert_uint_eq(c.calls, 0);

    /* Only entries overlapping the range are examined: a 2 MiB page takes
     * the PML4, PDPT and PD entries - three. */
    memset(&c, 0, sizeof c);
    ck_assert_int_eq(scry_vspace_enumerate(&vs, B64, B64 + 0x1000, 3, collect_fn, &c), SCRY_OK);
    ck_assert_uint_eq(c.calls, 1);
    ck_assert_int_eq(scry_vspace_enumerate(&vs, B64, B64 + 0x1000, 2, collect_fn, &c),
                     SCRY_ERR_LIMIT);
    ck_assert_ptr_nonnull(strstr(err(), "more than 2 page-table entries"));

    /* The top of the masked space; end is clipped there. */
    map(t, &modes[2], root, 0xfffffffffffff000ull, 0x3000, 4096, 0);
    memset(&c, 0, sizeof c);
    ck_assert_int_eq(scry_vspace_enumerate(&vs, 0xfffffffff000ull, 0x1000000000000ull, 0,
                                           collect_fn, &c),
                     SCRY_OK);
    ck_assert_int_eq(scry_vspace_enumerate(&vs, 0xffffffffffffull, UINT64_MAX, 0, collect_fn, &c),
                     SCRY_OK);
    const struct range w4[] = {{0xfffffffff000ull, 0x3000, 0x1000}, {0xffffffffffffull, 0x3fff, 1}};
    assert_ranges(&c, w4, 2);

    /* Bad arguments. */
    ck_assert_int_eq(scry_vspace_enumerate(&vs, 0xffff888000000000ull, UINT64_MAX, 0, collect_fn,
                                           &c),
                     SCRY_ERR_INVALID_ARG);
    ck_assert_ptr_nonnull(strstr(err(), "0xffff888000000000"));
    ck_assert_int_eq(scry_vspace_enumerate(&vs, 0, UINT64_MAX, 0, NULL, &c),
                     SCRY_ERR_INVALID_ARG);
    ck_assert_int_eq(scry_vspace_enumerate(NULL, 0, UINT64_MAX, 0, collect_fn, &c),
                     SCRY_ERR_INVALID_ARG);
    ck_assert_uint_eq(c.calls, 2);
    tp_free(t);
}
END_TEST

/* A top-table entry pointing back at its own table (Windows' self-map):
 * the walk goes down the same table once per level and reports the one
 * page it reaches - the top table itself - exactly as translation does,
 * having examined every entry of each of the `levels` passes. PAE's 4-entry
 * PDPT cannot be a lower table: its self-map is a PDE pointing at its PD. */
START_TEST(test_enum_self_reference)
{
    for (size_t mi = 0; mi < NMODES; mi++) {
        const struct mode *m = &modes[mi];
        struct tphys *t = tp_new(_i);
        uint64_t root = tp_alloc(t), va = 0, frame = root, entries = 0;
        struct scry_vspace vs;
        struct collect c;

        if (m->paging == SCRY_PAGING_PAE) {
            uint64_t pd = tp_alloc(t);
            set_entry(t, root + 3 * 8, 8, pd | 1);
            set_entry(t, pd + 0x1ed * 8, 8, pd | 3);
            va = 3ull << 30 | 0x1edull << 21 | 0x1edull << 12;
            frame = pd;
            entries = 4 + 512 + 512;
        } else {
            uint64_t self = 0x1ed;
            set_entry(t, root + self * m->lv[0].esize, m->lv[0].esize, root | 3);
            for (unsigned k = 0; k < m->nlevels; k++) {
                va |= self << m->lv[k].shift;
                entries += 1u << m->lv[k].bits;
            }
        }
        ck_assert_int_eq(scry_vspace_init(&vs, &t->base, m->paging, root), SCRY_OK);
        ck_assert_int_eq(enumerate_all(&vs, entries, &c), SCRY_OK);
        const struct range want[] = {{va, frame, 0x1000}};
        assert_ranges(&c, want, 1);
        assert_ranges_translate(&vs, &c);

        /* One entry fewer than the walk examines. */
        char msg[64];
        ck_assert_int_eq(enumerate_all(&vs, entries - 1, &c), SCRY_ERR_LIMIT);
        snprintf(msg, sizeof msg, "more than %llu page-table entries",
                 (unsigned long long)(entries - 1));
        ck_assert_msg(strstr(err(), msg), "'%s' lacks '%s'", err(), msg);

        /* A real mapping beside the self-map: the self-map then also shows
         * the tables of that mapping as pages, every one translating as
         * reported; still bounded. */
        map(t, m, root, sample_va(m), 0x7000, 4096, 0);
        ck_assert_int_eq(enumerate_all(&vs, 0, &c), SCRY_OK);
        ck_assert_uint_ge(c.calls, 2);
        ck_assert_uint_le(c.calls, MAX_RANGES);
        assert_ranges_translate(&vs, &c);
        for (size_t i = 1; i < c.n; i++)
            ck_assert_uint_gt(c.r[i].va, c.r[i - 1].va + c.r[i - 1].len); /* sorted, disjoint */
        int found = 0;
        for (size_t i = 0; i < c.n; i++)
            found |= c.r[i].va == sample_va(m) && c.r[i].pa == 0x7000;
        ck_assert(found);

        /* Every entry of the top table pointing at it, PS on every other one:
         * 2^36 entries on 4-level paging, half a million even on x86; the
         * budget stops it. */
        struct tphys *u = tp_new(_i);
        uint64_t r2 = tp_alloc(u);
        for (unsigned i = 0; i < 1024; i++)
            set_entry(u, r2 + i * m->lv[0].esize, m->lv[0].esize, r2 | 3 | (i & 1 ? 0x80 : 0));
        ck_assert_int_eq(scry_vspace_init(&vs, &u->base, m->paging, r2), SCRY_OK);
        ck_assert_int_eq(enumerate_all(&vs, 100000, &c), SCRY_ERR_LIMIT);
        ck_assert_ptr_nonnull(strstr(err(), "more than 100000 page-table entries"));
        ck_assert_uint_ge(c.calls, 1);
        ck_assert_uint_le(c.calls, 100000);
        tp_free(u);
        tp_free(t);
    }
}
END_TEST

/* Tables in holes are skipped, entry by entry where a table straddles the
 * end of memory; a table that cannot be decoded ends the enumeration. */
START_TEST(test_enum_holes_and_corrupt)
{
    struct tphys *t = tp_new(_i);
    const struct mode *m = &modes[2];
    uint64_t root = build_x86_64(t), pt = MEM_SIZE - 4096, base = 0x00007e0000000000ull;
    struct scry_vspace vs;
    struct collect c;

    /* A PML4 entry whose PDPT is beyond memory. */
    set_entry(t, root + 0x1fe * 8, 8, 0x80000000ull | 3);
    /* A page table in the last page, half of it past the end of memory:
     * entry 10 is readable, entry 300 is not. */
    map(t, m, root, base, 0x9000, 4096, 0);
    set_entry(t, entry_addr(t, m, root, base, 2), 8, pt | 3);
    set_entry(t, pt + 10 * 8, 8, 0x7000 | 3);
    set_entry(t, pt + 300 * 8, 8, 0x8000 | 3);
    t->size = MEM_SIZE - 2048;

    ck_assert_int_eq(scry_vspace_init(&vs, &t->base, SCRY_PAGING_X86_64, root), SCRY_OK);
    ck_assert_int_eq(enumerate_all(&vs, 0, &c), SCRY_OK);
    struct range want[7] = {{base + 10 * 4096, 0x7000, 0x1000}};
    memcpy(want + 1, want_x86_64, sizeof want_x86_64);
    assert_ranges(&c, want, 7);
    uint64_t pa = 0;
    ck_assert_int_eq(scry_vspace_translate(&vs, base + 300 * 4096, &pa), SCRY_ERR_NODATA);

    /* The page table of A64's pages cannot be decoded: the first range
     * (base) was reported, the one pending at the error is not. */
    t->size = MEM_SIZE;
    uint64_t leaf = entry_addr(t, m, root, A64, 3) & ~0xfffull;
    t->bad_lo = leaf;
    t->bad_hi = leaf + 4096;
    ck_assert_int_eq(enumerate_all(&vs, 0, &c), SCRY_ERR_CORRUPT);
    ck_assert_ptr_nonnull(strstr(err(), "bad page"));
    ck_assert_uint_eq(c.calls, 1);
    ck_assert_uint_eq(c.r[0].va, base + 10 * 4096);
    ck_assert_uint_eq(c.r[0].len, 0x1000);
    /* Corrupt only in part (one entry's bytes): the others are read one by
     * one, and the bad one still ends it. */
    t->bad_lo = leaf + 0x20;
    t->bad_hi = leaf + 0x21;
    ck_assert_int_eq(enumerate_all(&vs, 0, &c), SCRY_ERR_CORRUPT);
    ck_assert_ptr_nonnull(strstr(err(), ": reading PT entry"));
    ck_assert_ptr_nonnull(strstr(err(), "bad page"));
    tp_free(t);
}
END_TEST

/* -------------------------------------------------------------- the hook */

struct hook_log {
    unsigned calls;
    struct scry_phys *phys;
    uint64_t va, entry;
    unsigned level;
    uint64_t addr_mask;
    int answer; /* 0: resolve bit-11 entries; 1, 4: bad size; 2: no offset; 3: corrupt */
};

/* Resolves an entry with bit 11 set (Windows' transition bit) to the frame
 * it names; anything else stays unmapped. */
static scry_status log_hook(void *user, struct scry_phys *phys, uint64_t va, uint64_t entry,
                            unsigned level, uint64_t *pa, uint64_t *page_size)
{
    struct hook_log *h = user;
    h->calls++;
    h->phys = phys;
    h->va = va;
    h->entry = entry;
    h->level = level;
    ck_assert_uint_eq(*page_size, 4096);
    if (!(entry & 0x800))
        return SCRY_ERR_NODATA;
    switch (h->answer) {
    case 1: *pa = (entry & h->addr_mask) | (va & 0xfff), *page_size = 3000; break;
    case 2: *pa = entry & h->addr_mask; break;
    case 3: return scry_err(SCRY_ERR_CORRUPT, "pagefile slot unreadable");
    case 4: *pa = (entry & h->addr_mask) | (va & 0xfff), *page_size = 1ull << 31; break;
    default: *pa = (entry & h->addr_mask) | (va & 0xfff);
    }
    return SCRY_OK;
}

START_TEST(test_hook)
{
    for (size_t mi = 0; mi < NMODES; mi++) {
        const struct mode *m = &modes[mi];
        struct tphys *t = tp_new(_i);
        uint64_t root = tp_alloc(t), va = sample_va(m), pa = 0;
        unsigned leaf = m->nlevels - 1, es = m->lv[leaf].esize;
        struct hook_log h = {.addr_mask = m->addr_mask};
        struct scry_vspace vs;
        struct collect c;
        uint32_t v32 = 0;

        map(t, m, root, va, 0x7000, 4096, 0);
        uint64_t pte = entry_addr(t, m, root, va, leaf);
        set_entry(t, pte, es, 0x9800); /* not present, "transition" to frame 0x9000 */
        set_entry(t, 0x9120, 4, 0xfeedf00d);
        ck_assert_int_eq(scry_vspace_init(&vs, &t->base, m->paging, root), SCRY_OK);

        /* Unset (and set then cleared): never called, today's answer. */
        ck_assert_int_eq(scry_vspace_translate(&vs, va + 0x120, &pa), SCRY_ERR_NODATA);
        assert_level_msg("PT", va + 0x120);
        scry_vspace_set_hook(&vs, log_hook, &h);
        scry_vspace_set_hook(&vs, NULL, &h);
        ck_assert_ptr_null(vs.hook_user);
        ck_assert_int_eq(scry_vspace_translate(&vs, va + 0x120, &pa), SCRY_ERR_NODATA);
        ck_assert_int_eq(enumerate_all(&vs, 0, &c), SCRY_OK);
        ck_assert_uint_eq(c.calls, 0);
        ck_assert_uint_eq(h.calls, 0);

        /* Set: called with the raw entry, the va as given and level 1, and
         * its answer is used by reads too. */
        scry_vspace_set_hook(&vs, log_hook, &h);
        ck_assert_int_eq(scry_vspace_translate(&vs, va + 0x120, &pa), SCRY_OK);
        ck_assert_uint_eq(pa, 0x9120);
        ck_assert_uint_eq(h.calls, 1);
        ck_assert_ptr_eq(h.phys, &t->base);
        ck_assert_uint_eq(h.va, va + 0x120);
        ck_assert_uint_eq(h.entry, 0x9800);
        ck_assert_uint_eq(h.level, SCRY_PTE_LEVEL);
        ck_assert_uint_eq(h.level, 1);
        ck_assert_int_eq(scry_vspace_read_u32(&vs, va + 0x120, &v32), SCRY_OK);
        ck_assert_uint_eq(v32, 0xfeedf00d);

        /* Enumeration asks about every not-present PTE of the page table
         * (all of them now) and reports what it resolves. */
        h.calls = 0;
        ck_assert_int_eq(enumerate_all(&vs, 0, &c), SCRY_OK);
        const struct range want[] = {{va, 0x9000, 0x1000}};
        assert_ranges(&c, want, 1);
        ck_assert_uint_eq(h.calls, 1u << m->lv[leaf].bits);

        /* The hook keeps it unmapped: today's message. */
        set_entry(t, pte, es, 0x9000);
        scry_vspace_set_hook(&vs, log_hook, &h); /* empties the cache */
        h.calls = 0;
        ck_assert_int_eq(scry_vspace_translate(&vs, va + 0x120, &pa), SCRY_ERR_NODATA);
        assert_level_msg("PT", va + 0x120);
        ck_assert_ptr_null(strstr(err(), "hook"));
        ck_assert_uint_eq(h.calls, 1);
        ck_assert_uint_eq(h.entry, 0x9000);

        /* Answers that break the contract, and a hook's own error. */
        set_entry(t, pte, es, 0x9800);
        h.answer = 1;
        ck_assert_int_eq(scry_vspace_translate(&vs, va + 0x120, &pa), SCRY_ERR_INVALID_ARG);
        ck_assert_ptr_nonnull(strstr(err(), "in a page of 0xbb8 bytes"));
        h.answer = 4;
        ck_assert_int_eq(scry_vspace_translate(&vs, va + 0x120, &pa), SCRY_ERR_INVALID_ARG);
        h.answer = 2;
        ck_assert_int_eq(scry_vspace_translate(&vs, va + 0x120, &pa), SCRY_ERR_INVALID_ARG);
        ck_assert_int_eq(enumerate_all(&vs, 0, &c), SCRY_OK); /* page-aligned: fine */
        assert_ranges(&c, want, 1);
        h.answer = 3;
        ck_assert_int_eq(scry_vspace_translate(&vs, va + 0x120, &pa), SCRY_ERR_CORRUPT);
        ck_assert_ptr_nonnull(strstr(err(), "pagefile slot unreadable"));
        ck_assert_int_eq(enumerate_all(&vs, 0, &c), SCRY_ERR_CORRUPT);
        ck_assert_uint_eq(c.calls, 0);
        h.answer = 0;

        /* Not present above the PTE: the hook is not asked. */
        for (unsigned k = 0; k < leaf; k++) {
            unsigned ek = m->lv[k].esize;
            uint64_t slot = entry_addr(t, m, root, va, k), saved = get_entry(t, slot, ek);
            set_entry(t, slot, ek, (saved & ~1ull) | 0x800);
            scry_vspace_set_hook(&vs, log_hook, &h);
            h.calls = 0;
            ck_assert_int_eq(scry_vspace_translate(&vs, va + 0x120, &pa), SCRY_ERR_NODATA);
            assert_level_msg(m->lv[k].name, va + 0x120);
            ck_assert_int_eq(enumerate_all(&vs, 0, &c), SCRY_OK);
            ck_assert_uint_eq(c.calls, 0);
            ck_assert_uint_eq(h.calls, 0);
            set_entry(t, slot, ek, saved);
        }

        /* The plain walks never call it. */
        uint64_t sz = 0;
        h.calls = 0;
        ck_assert_int_eq(m->fn(&t->base, root, va, &pa, &sz), SCRY_ERR_NODATA);
        ck_assert_uint_eq(h.calls, 0);
        tp_free(t);
    }
}
END_TEST

/* ------------------------------------------ Windows x64 (WindowsIntel32e) */

/* Enumerating [va, va+1) reports that byte exactly when translation finds
 * it, at the same physical address. */
static void assert_enum_agrees(struct scry_vspace *vs, uint64_t va)
{
    struct collect c;
    uint64_t pa = 0;
    scry_status st = scry_vspace_translate(vs, va, &pa);
    memset(&c, 0, sizeof c);
    ck_assert_int_eq(scry_vspace_enumerate(vs, va, va + 1, 0, collect_fn, &c), SCRY_OK);
    if (st == SCRY_OK) {
        ck_assert_msg(c.calls == 1 && c.r[0].va == va && c.r[0].pa == pa && c.r[0].len == 1,
                      "0x%llx translates to 0x%llx, enumeration disagrees",
                      (unsigned long long)va, (unsigned long long)pa);
    } else {
        ck_assert_int_eq(st, SCRY_ERR_NODATA);
        ck_assert_msg(c.calls == 0, "0x%llx does not translate, enumeration reports it",
                      (unsigned long long)va);
    }
}

#define W_A 0x0000008000000000ull /* 4 KiB; its neighbour's PTE has bits 45, 50 */
#define W_T 0x0000008000200000ull /* PDE in transition; then a transition PTE */
#define W_P 0x0000008000400000ull /* PDE in transition with the prototype bit */
#define W_U 0x0000008000600000ull /* page table of one repeated entry */
#define W_M 0x0000008000800000ull /* page table beyond the dump */
#define W_L 0x0000008000a00000ull /* 2 MiB page, PAT bit set */
#define W_H 0x0000008040000000ull /* PDPTE with bit 46 set */
#define W_G 0x0000010000000000ull /* PML4E with PS: a 512 GiB page */

static uint64_t build_win(struct tphys *t)
{
    const struct mode *m = &modes[2]; /* the same table layout */
    uint64_t root = tp_alloc(t), slot, e;

    map(t, m, root, W_A, 0x10000, 4096, 0);
    map(t, m, root, W_A + 0x1000, 0x11000, 4096, 1ull << 45 | 1ull << 50);
    map(t, m, root, W_T, 0x30000, 4096, 0);
    map(t, m, root, W_T + 0x1000, 0x31000, 4096, 0);
    slot = entry_addr(t, m, root, W_T + 0x1000, 3); /* PTE in transition */
    set_entry(t, slot, 8, (get_entry(t, slot, 8) & ~1ull) | 0x800);
    slot = entry_addr(t, m, root, W_T, 2); /* PDE in transition */
    set_entry(t, slot, 8, (get_entry(t, slot, 8) & ~1ull) | 0x800);
    map(t, m, root, W_P, 0x40000, 4096, 0);
    slot = entry_addr(t, m, root, W_P, 2); /* transition + prototype: invalid */
    set_entry(t, slot, 8, (get_entry(t, slot, 8) & ~1ull) | 0xc00);
    uint64_t uni = tp_alloc(t);
    for (unsigned i = 0; i < 512; i++)
        set_entry(t, uni + 8 * i, 8, 0x50000 | 0x3);
    set_entry(t, entry_addr(t, m, root, W_U, 2), 8, uni | 0x3);
    set_entry(t, entry_addr(t, m, root, W_M, 2), 8, 0x7f000000ull | 0x3);
    map(t, m, root, W_L, 0x200000, 0x200000, 0x1000);
    map(t, m, root, W_H, 0x60000, 4096, 0);
    slot = entry_addr(t, m, root, W_H, 1);
    set_entry(t, slot, 8, get_entry(t, slot, 8) | 1ull << 46);
    e = 0x8000000000ull | 0x1000 | 0x81;
    set_entry(t, root + 8 * ((W_G >> 39) & 511), 8, e);
    return root;
}

START_TEST(test_win_x86_64)
{
    struct tphys *t = tp_new(_i);
    uint64_t root = build_win(t), pa = 0, size = 0;
    struct scry_vspace vs, lin;
    struct scry_vfault f;
    struct collect c;

    /* DTB bits 45.. and 0..11 are not address (MAXPHYADDR 45). */
    ck_assert_int_eq(scry_vspace_init(&vs, &t->base, SCRY_PAGING_WIN_X86_64,
                                      root | 1ull << 46 | 0x5),
                     SCRY_OK);
    ck_assert_uint_eq(vs.va_bits, 48);
    ck_assert_int_eq(scry_vspace_init(&lin, &t->base, SCRY_PAGING_X86_64, root), SCRY_OK);

    static const struct {
        uint64_t va, pa, size;
    } ok[] = {
        {W_A + 0x123, 0x10123, 4096},
        {W_A + 0x1234, 0x11234, 4096},      /* PFN bits 45 and 50 dropped */
        {W_T + 0x10, 0x30010, 4096},        /* through a transition PDE */
        {W_T + 0x1010, 0x31010, 4096},      /* transition PTE, no hook */
        {W_L + 0x12345, 0x212345, 0x200000}, /* PAT is not address */
        {W_H + 0x18, 0x60018, 4096},        /* PDPTE bit 46 dropped */
        {W_G + 0x123456789ull, 0x8123456789ull, 0x8000000000ull}, /* 512 GiB */
        {0xffff000000000000ull | (W_G + 0x7fffffffffull), 0xffffffffffull, 0x8000000000ull},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        for (int rep = 0; rep < 2; rep++) { /* the second from the cache */
            ck_assert_int_eq(scry_vspace_translate_ex(&vs, ok[i].va, &pa, &size, &f), SCRY_OK);
            ck_assert_uint_eq(pa, ok[i].pa);
            ck_assert_uint_eq(size, ok[i].size);
            ck_assert_int_eq(f.kind, SCRY_VFAULT_NONE);
        }
        ck_assert_int_eq(scry_translate_win_x86_64(&t->base, root, ok[i].va, &pa, &size), SCRY_OK);
        ck_assert_uint_eq(pa, ok[i].pa);
        ck_assert_uint_eq(size, ok[i].size);
    }

    /* Failures, and where the walk stopped. */
    ck_assert_int_eq(scry_vspace_translate_ex(&vs, W_P, &pa, &size, &f), SCRY_ERR_NODATA);
    assert_level_msg("PD", W_P);
    ck_assert_int_eq(f.kind, SCRY_VFAULT_INVALID);
    ck_assert_uint_eq(f.level, 2);
    ck_assert_uint_eq(f.entry & 0xfff, 0xc02);
    ck_assert_int_eq(scry_vspace_translate_ex(&vs, W_U + 0x10, &pa, &size, &f), SCRY_ERR_NODATA);
    ck_assert_ptr_nonnull(strstr(err(), "repeats one entry"));
    ck_assert_int_eq(f.kind, SCRY_VFAULT_NOT_TABLE);
    ck_assert_uint_eq(f.level, 1);
    ck_assert_uint_eq(f.table, get_entry(t, entry_addr(t, &modes[2], root, W_U, 2), 8) & ~0xfffull);
    ck_assert_uint_eq(f.entry & 1, 1); /* the valid PDE that led to it */
    ck_assert_int_eq(scry_vspace_translate_ex(&vs, W_M, &pa, &size, &f), SCRY_ERR_NODATA);
    ck_assert_ptr_nonnull(strstr(err(), "not in the dump"));
    ck_assert_int_eq(f.kind, SCRY_VFAULT_MISSING);
    ck_assert_uint_eq(f.level, 1);
    ck_assert_uint_eq(f.table, 0x7f000000ull);
    ck_assert_int_eq(scry_vspace_translate_ex(&vs, 0x10000, &pa, &size, &f), SCRY_ERR_NODATA);
    ck_assert_int_eq(f.kind, SCRY_VFAULT_INVALID);
    ck_assert_uint_eq(f.level, 4);
    ck_assert_uint_eq(f.entry, 0);
    ck_assert_int_eq(scry_translate_win_x86_64(&t->base, root, W_U, &pa, &size), SCRY_ERR_NODATA);

    /* The generic x86-64 walk keeps Intel's rules on the same tables. */
    ck_assert_int_eq(scry_vspace_translate(&lin, W_T, &pa), SCRY_ERR_NODATA);
    ck_assert_int_eq(scry_vspace_translate(&lin, W_U + 0x10, &pa), SCRY_OK);
    ck_assert_uint_eq(pa, 0x50010);
    ck_assert_int_eq(scry_vspace_translate(&lin, W_A + 0x1234, &pa), SCRY_OK);
    ck_assert_uint_eq(pa, 0x11234 | 1ull << 45 | 1ull << 50);
    ck_assert_int_eq(scry_vspace_translate_ex(&lin, W_T, &pa, &size, &f), SCRY_ERR_NODATA);
    ck_assert_int_eq(f.kind, SCRY_VFAULT_NONE); /* no detail from that mode */

    /* Enumeration reports exactly what translates. */
    const struct range want[] = {
        {W_A, 0x10000, 0x2000},
        {W_T, 0x30000, 0x2000},
        {W_L, 0x200000, 0x200000},
        {W_H, 0x60000, 0x1000},
        {W_G, 0x8000000000ull, 0x8000000000ull},
    };
    ck_assert_int_eq(enumerate_all(&vs, 0, &c), SCRY_OK);
    assert_ranges(&c, want, sizeof want / sizeof want[0]);
    assert_ranges_translate(&vs, &c);
    static const uint64_t probe[] = {W_A, W_A + 0x1fff, W_A + 0x2000, W_T + 0x1fff, W_P,
                                     W_U, W_U + 0x1000, W_M, W_L + 0x1fffff, W_H, W_H + 0x1000,
                                     W_G, W_G + 0x7fffffffffull, W_G + 0x8000000000ull, 0};
    for (size_t i = 0; i < sizeof probe / sizeof probe[0]; i++)
        assert_enum_agrees(&vs, probe[i]);

    /* A top table of one repeated entry maps nothing. */
    uint64_t top = tp_alloc(t);
    for (unsigned i = 0; i < 512; i++)
        set_entry(t, top + 8 * i, 8, root | 0x3);
    ck_assert_int_eq(scry_vspace_init(&vs, &t->base, SCRY_PAGING_WIN_X86_64, top), SCRY_OK);
    ck_assert_int_eq(scry_vspace_translate_ex(&vs, W_A, &pa, &size, &f), SCRY_ERR_NODATA);
    ck_assert_int_eq(f.kind, SCRY_VFAULT_NOT_TABLE);
    ck_assert_uint_eq(f.level, 4);
    ck_assert_int_eq(enumerate_all(&vs, 0, &c), SCRY_OK);
    ck_assert_uint_eq(c.calls, 0);
    tp_free(t);
}
END_TEST

static Suite *paging_suite(void)
{
    Suite *s = suite_create("paging");
    TCase *tc = tcase_create("core");
    tcase_add_loop_test(tc, test_4k_pages, 0, 2);
    tcase_add_loop_test(tc, test_large_pages, 0, 2);
    tcase_add_loop_test(tc, test_not_present_every_level, 0, 2);
    tcase_add_loop_test(tc, test_self_reference, 0, 2);
    tcase_add_loop_test(tc, test_tables_past_end, 0, 2);
    tcase_add_loop_test(tc, test_cross_page_reads, 0, 2);
    tcase_add_loop_test(tc, test_read_ints, 0, 2);
    tcase_add_loop_test(tc, test_tlb_matches_walk, 0, 2);
    tcase_add_loop_test(tc, test_masked_equals_canonical, 0, 2);
    tcase_add_loop_test(tc, test_la57_vs_4level, 0, 2);
    tcase_add_loop_test(tc, test_init_and_dtb_bits, 0, 2);
    tcase_add_loop_test(tc, test_ops_table, 0, 2);
    tcase_add_loop_test(tc, test_enum_x86_64, 0, 2);
    tcase_add_loop_test(tc, test_enum_la57, 0, 2);
    tcase_add_loop_test(tc, test_enum_pae, 0, 2);
    tcase_add_loop_test(tc, test_enum_x86, 0, 2);
    tcase_add_loop_test(tc, test_enum_clip, 0, 2);
    tcase_add_loop_test(tc, test_enum_self_reference, 0, 2);
    tcase_add_loop_test(tc, test_enum_holes_and_corrupt, 0, 2);
    tcase_add_loop_test(tc, test_hook, 0, 2);
    tcase_add_loop_test(tc, test_win_x86_64, 0, 2);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run_suite(paging_suite()); }
