/* test_windump.c - the Windows x64 crash-dump reader (formats/windump.c).
 *
 * Tiny dumps are built in memory so every header field can be set, good and
 * hostile; the corpus checks then hold the reader to the shared synthetic
 * Windows samples and, page for page, to the raw image the same generator
 * writes next to its crash dumps. */
#include <check.h>
#include <inttypes.h>
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "formats/phys.h"
#include "testutil.h"

#define PG 4096u
#define HDR 0x2000u

/* A dump under construction: header pre-filled with the dword "PAGE" as
 * real dumps are, fields set in place, data pages appended. */
struct dump {
    uint8_t *p;
    size_t n;
};

static void d_grow(struct dump *d, size_t n)
{
    if (n > d->n) {
        d->p = realloc(d->p, n);
        ck_assert_ptr_nonnull(d->p);
        memset(d->p + d->n, 0, n - d->n);
        d->n = n;
    }
}

static void set32(struct dump *d, size_t off, uint32_t v)
{
    d_grow(d, off + 4);
    for (int i = 0; i < 4; i++)
        d->p[off + i] = (uint8_t)(v >> (8 * i));
}

static void set64(struct dump *d, size_t off, uint64_t v)
{
    d_grow(d, off + 8);
    for (int i = 0; i < 8; i++)
        d->p[off + i] = (uint8_t)(v >> (8 * i));
}

/* The byte at physical address pa of the synthetic machine. */
static uint8_t pat(uint64_t pa) { return (uint8_t)(pa * 13 + (pa >> 12) * 7 + 3); }

static void d_page(struct dump *d, uint64_t pfn)
{
    size_t at = d->n;
    d_grow(d, at + PG);
    for (size_t i = 0; i < PG; i++)
        d->p[at + i] = pat(pfn * PG + i);
}

static void d_header(struct dump *d, uint32_t type)
{
    d->p = NULL;
    d->n = 0;
    d_grow(d, HDR);
    for (size_t i = 0; i < HDR; i += 4)
        memcpy(d->p + i, "PAGE", 4);
    memcpy(d->p + 4, "DU64", 4);
    set64(d, 0x10, 0x1ab000);             /* DirectoryTableBase */
    set64(d, 0x18, 0xfffffa8000000000ull); /* PfnDataBase */
    set64(d, 0x20, 0xfffff80002a4f890ull); /* PsLoadedModuleList */
    set64(d, 0x28, 0xfffff80002a2d940ull); /* PsActiveProcessHead */
    set32(d, 0x30, 0x8664);
    set32(d, 0x34, 2);
    set32(d, 0x38, 0xe2);
    set64(d, 0x80, 0xfffff800029ed0f0ull); /* KdDebuggerDataBlock */
    set32(d, 0xF98, type);
    set64(d, 0xFA0, 0);
    set64(d, 0xFA8, 0x01da75fa3d1c4b80ull); /* SystemTime */
}

static scry_status open_mem(const struct dump *d, const char *name, struct scry_phys **out)
{
    struct scry_file *f = NULL;
    scry_status st = scry_file_from_memory(d->p, d->n, name, &f);
    ck_assert_int_eq(st, SCRY_OK);
    *out = NULL;
    st = scry_phys_open_file(f, NULL, out);
    if (st != SCRY_OK)
        scry_file_close(f);
    return st;
}

/* An open that must fail with st and exactly the message want (one line). */
static void expect_fail(struct dump *d, const char *name, scry_status st, const char *want)
{
    struct scry_phys *p = NULL;
    scry_status got = open_mem(d, name, &p);
    ck_assert_msg(got == st, "%s: status %d (%s), expected %d", name, got, scry_last_error(), st);
    ck_assert_ptr_null(p);
    ck_assert_str_eq(scry_last_error(), want);
    free(d->p);
    d->p = NULL;
}

static void check_page(struct scry_phys *p, uint64_t pfn)
{
    uint8_t buf[PG];
    size_t holes = 99;
    ck_assert_int_eq(scry_phys_read(p, pfn * PG, buf, PG, &holes), SCRY_OK);
    ck_assert_uint_eq(holes, 0);
    for (size_t i = 0; i < PG; i++)
        ck_assert_msg(buf[i] == pat(pfn * PG + i), "PFN 0x%" PRIx64 " byte %zu: 0x%02x", pfn, i,
                      buf[i]);
}

static void check_hole(struct scry_phys *p, uint64_t pfn)
{
    uint8_t buf[PG];
    size_t holes = 0;
    memset(buf, 0xAA, sizeof buf);
    ck_assert_int_eq(scry_phys_read(p, pfn * PG, buf, PG, &holes), SCRY_OK);
    ck_assert_uint_eq(holes, PG);
    for (size_t i = 0; i < PG; i++)
        ck_assert_uint_eq(buf[i], 0);
}

static void check_run(struct scry_phys *p, size_t i, uint64_t pfn, uint64_t pages)
{
    ck_assert_uint_gt(p->nruns, i);
    ck_assert_msg(p->runs[i].start == pfn * PG && p->runs[i].len == pages * PG,
                  "run %zu: 0x%" PRIx64 "+0x%" PRIx64 ", expected 0x%" PRIx64 "+0x%" PRIx64, i,
                  p->runs[i].start, p->runs[i].len, pfn * PG, pages * PG);
}

static void check_meta(struct scry_phys *p, const char *key, const char *want)
{
    const char *got = scry_kv_get(&p->info.meta, key);
    ck_assert_msg(got != NULL, "meta %s missing", key);
    ck_assert_str_eq(got, want);
}

/* ---------------------------------------------------------- DumpType 1 */

START_TEST(full_two_runs)
{
    struct dump d;
    struct scry_phys *p = NULL;
    uint8_t buf[0x40];
    size_t holes;
    d_header(&d, 1);
    set32(&d, 0x88, 2);
    set32(&d, 0x8C, 5);
    set64(&d, 0x98, 1);  /* PFN 1, 2 pages */
    set64(&d, 0xA0, 2);
    set64(&d, 0xA8, 0x10); /* PFN 0x10, 3 pages */
    set64(&d, 0xB0, 3);
    d_page(&d, 1);
    d_page(&d, 2);
    d_page(&d, 0x10);
    d_page(&d, 0x11);
    d_page(&d, 0x12);
    ck_assert_int_eq(open_mem(&d, "full.dmp", &p), SCRY_OK);
    ck_assert_str_eq(p->info.format, "windump");
    ck_assert_uint_eq(p->nruns, 2);
    check_run(p, 0, 1, 2);
    check_run(p, 1, 0x10, 3);
    ck_assert_uint_eq(p->info.phys_end, 0x13000);
    check_page(p, 1);
    check_page(p, 2);
    check_page(p, 0x10);
    check_page(p, 0x12);
    check_hole(p, 0);
    check_hole(p, 3);
    check_hole(p, 0x13);
    /* A read straddling the end of run 0: 0x10 bytes of data, 0x30 of hole. */
    holes = 0;
    ck_assert_int_eq(scry_phys_read(p, 0x2ff0, buf, sizeof buf, &holes), SCRY_OK);
    ck_assert_uint_eq(holes, 0x30);
    for (size_t i = 0; i < 0x10; i++)
        ck_assert_uint_eq(buf[i], pat(0x2ff0 + i));
    for (size_t i = 0x10; i < sizeof buf; i++)
        ck_assert_uint_eq(buf[i], 0);
    check_meta(p, "windows.dump_type", "0x1");
    check_meta(p, "windows.dtb", "0x1ab000");
    check_meta(p, "windows.pfn_database", "0xfffffa8000000000");
    check_meta(p, "windows.ps_loaded_module_list", "0xfffff80002a4f890");
    check_meta(p, "windows.ps_active_process_head", "0xfffff80002a2d940");
    check_meta(p, "windows.machine", "0x8664");
    check_meta(p, "windows.cpus", "0x2");
    check_meta(p, "windows.bugcheck", "0xe2");
    check_meta(p, "windows.kdbg", "0xfffff800029ed0f0");
    check_meta(p, "windows.system_time", "0x1da75fa3d1c4b80");
    ck_assert_ptr_null(scry_kv_get(&p->info.meta, "windows.missing_pages"));
    scry_phys_close(p);
    free(d.p);
}
END_TEST

/* Overlapping descriptor runs: the first in file order keeps the bytes. */
START_TEST(full_overlap)
{
    struct dump d;
    struct scry_phys *p = NULL;
    uint8_t buf[PG];
    size_t holes = 0;
    d_header(&d, 1);
    set32(&d, 0x88, 2);
    set64(&d, 0x98, 0);
    set64(&d, 0xA0, 2);
    set64(&d, 0xA8, 1);
    set64(&d, 0xB0, 2);
    d_page(&d, 0);
    d_page(&d, 1);
    d_page(&d, 0x77); /* the second run's copy of PFN 1: must lose */
    d_page(&d, 2);
    ck_assert_int_eq(open_mem(&d, "overlap.dmp", &p), SCRY_OK);
    ck_assert_uint_eq(p->nruns, 2);
    check_run(p, 0, 0, 2);
    check_run(p, 1, 2, 1);
    check_page(p, 0);
    check_page(p, 1);
    check_page(p, 2);
    ck_assert_int_eq(scry_phys_read(p, 3 * PG, buf, PG, &holes), SCRY_OK);
    ck_assert_uint_eq(holes, PG);
    scry_phys_close(p);
    free(d.p);
}
END_TEST

/* A run promising more pages than the file holds: the rest are holes,
 * counted in windows.missing_pages; later runs have nothing left. */
START_TEST(full_run_past_eof)
{
    struct dump d;
    struct scry_phys *p = NULL;
    d_header(&d, 1);
    set32(&d, 0x88, 2);
    set64(&d, 0x98, 4);
    set64(&d, 0xA0, 0x100000);
    set64(&d, 0xA8, 0x200000);
    set64(&d, 0xB0, 5);
    d_page(&d, 4);
    d_grow(&d, d.n + 100); /* a partial page is not a page */
    ck_assert_int_eq(open_mem(&d, "cut.dmp", &p), SCRY_OK);
    ck_assert_uint_eq(p->nruns, 1);
    check_run(p, 0, 4, 1);
    check_page(p, 4);
    check_hole(p, 5);
    check_hole(p, 0x200000);
    check_meta(p, "windows.missing_pages", "0x100004");
    scry_phys_close(p);
    free(d.p);
}
END_TEST

/* ---------------------------------------------------------- DumpType 5 */

static void set_bit(struct dump *d, uint64_t pfn)
{
    size_t at = HDR + 0x38 + pfn / 32 * 4;
    uint32_t w = (uint32_t)d->p[at] | (uint32_t)d->p[at + 1] << 8 | (uint32_t)d->p[at + 2] << 16 |
                 (uint32_t)d->p[at + 3] << 24;
    set32(d, at, w | 1u << (pfn % 32));
}

/* Summary header at 0x2000 with room for `bits` bits, data at 0x3000:
 * DumpType `type` (2, 5 or 6), "SDMP" for the kernel ones, else "FDMP". */
static void summary_header(struct dump *d, uint32_t type, uint64_t bits)
{
    d_header(d, type);
    d_grow(d, HDR + PG);
    memcpy(d->p + HDR, type == 5 ? "FDMP" : "SDMP", 4);
    memcpy(d->p + HDR + 4, "DUMP", 4);
    set64(d, HDR + 0x20, HDR + PG);
    set64(d, HDR + 0x30, bits);
}

static void bitmap_header(struct dump *d, uint64_t bits) { summary_header(d, 5, bits); }

static const uint64_t bitmap_pfns[] = {0, 1, 2, 5, 31, 32, 33, 99};

START_TEST(bitmap_gaps)
{
    struct dump d;
    struct scry_phys *p = NULL;
    uint64_t npages = 0;
    bitmap_header(&d, 100);
    for (size_t i = 0; i < sizeof bitmap_pfns / sizeof bitmap_pfns[0]; i++)
        set_bit(&d, bitmap_pfns[i]);
    set32(&d, HDR + 0x38 + 8, 0xFFFFFFFFu); /* PFN 64..95, a whole word */
    set64(&d, HDR + 0x28, 40);               /* Pages */
    for (uint64_t pfn = 0; pfn < 100; pfn++) {
        size_t at = HDR + 0x38 + pfn / 32 * 4;
        if (d.p[at + pfn % 32 / 8] >> (pfn % 8) & 1) {
            d_page(&d, pfn);
            npages++;
        }
    }
    ck_assert_uint_eq(npages, 40);
    ck_assert_int_eq(open_mem(&d, "bitmap.dmp", &p), SCRY_OK);
    ck_assert_uint_eq(p->nruns, 5);
    check_run(p, 0, 0, 3);
    check_run(p, 1, 5, 1);
    check_run(p, 2, 31, 3);
    check_run(p, 3, 64, 32);
    check_run(p, 4, 99, 1);
    ck_assert_uint_eq(p->info.phys_end, 100 * PG);
    for (size_t i = 0; i < sizeof bitmap_pfns / sizeof bitmap_pfns[0]; i++)
        check_page(p, bitmap_pfns[i]);
    check_page(p, 64);
    check_page(p, 80);
    check_page(p, 95);
    check_hole(p, 3);
    check_hole(p, 30);
    check_hole(p, 34);
    check_hole(p, 96);
    check_hole(p, 100);
    check_meta(p, "windows.dump_type", "0x5");
    check_meta(p, "windows.kdbg", "0xfffff800029ed0f0");
    ck_assert_ptr_null(scry_kv_get(&p->info.meta, "windows.missing_pages"));
    scry_phys_close(p);
    free(d.p);
}
END_TEST

/* Set bits past the file's last data page are holes, counted. */
START_TEST(bitmap_past_eof)
{
    struct dump d;
    struct scry_phys *p = NULL;
    bitmap_header(&d, 64);
    set32(&d, HDR + 0x38, 0x0000000Fu); /* PFN 0-3 */
    set32(&d, HDR + 0x3C, 0x80000001u); /* PFN 32, 63 */
    d_page(&d, 0);
    d_page(&d, 1);
    ck_assert_int_eq(open_mem(&d, "bcut.dmp", &p), SCRY_OK);
    ck_assert_uint_eq(p->nruns, 1);
    check_run(p, 0, 0, 2);
    check_page(p, 1);
    check_hole(p, 2);
    check_hole(p, 32);
    check_meta(p, "windows.missing_pages", "0x4");
    scry_phys_close(p);
    free(d.p);
}
END_TEST

/* A bitmap of a million set bits and no data pages: no runs, every page
 * counted missing, and the walk costs the bitmap's words, not a page each. */
START_TEST(bitmap_dense_no_data)
{
    struct dump d;
    struct scry_phys *p = NULL;
    const uint64_t bits = 1000003; /* a partial last word */
    bitmap_header(&d, bits);
    d_grow(&d, HDR + 0x38 + (bits + 31) / 32 * 4);
    memset(d.p + HDR + 0x38, 0xFF, (bits + 31) / 32 * 4);
    set64(&d, HDR + 0x20, d.n);
    ck_assert_int_eq(open_mem(&d, "dense.dmp", &p), SCRY_OK);
    ck_assert_uint_eq(p->nruns, 0);
    check_meta(p, "windows.missing_pages", "0xf4243");
    check_hole(p, 5);
    scry_phys_close(p);
    free(d.p);
}
END_TEST

/* ---------------------------------------------------------- hostile */

START_TEST(hostile_headers)
{
    struct dump d;
    d_header(&d, 3);
    expect_fail(&d, "t3.dmp", SCRY_ERR_UNSUPPORTED,
                "t3.dmp: Windows crash dump type 3 (header only) is not supported (only 1, full; "
                "2, kernel summary; 5 and 6, bitmap; 8-10, RDMP kernel and complete)");
    d_header(&d, 4);
    expect_fail(&d, "t4.dmp", SCRY_ERR_UNSUPPORTED,
                "t4.dmp: Windows crash dump type 4 (triage/mini dump) is not supported (only 1, "
                "full; 2, kernel summary; 5 and 6, bitmap; 8-10, RDMP kernel and complete)");
    d_header(&d, 7);
    expect_fail(&d, "t7.dmp", SCRY_ERR_UNSUPPORTED,
                "t7.dmp: Windows crash dump type 7 is not supported (only 1, full; 2, kernel "
                "summary; 5 and 6, bitmap; 8-10, RDMP kernel and complete)");
    d_header(&d, 11);
    expect_fail(&d, "t11.dmp", SCRY_ERR_UNSUPPORTED,
                "t11.dmp: Windows crash dump type 11 is not supported (only 1, full; 2, kernel "
                "summary; 5 and 6, bitmap; 8-10, RDMP kernel and complete)");
    d_header(&d, 0);
    expect_fail(&d, "t0.dmp", SCRY_ERR_UNSUPPORTED,
                "t0.dmp: Windows crash dump type 0 is not supported (only 1, full; 2, kernel "
                "summary; 5 and 6, bitmap; 8-10, RDMP kernel and complete)");
    /* A header whose DumpType was never written keeps the "PAGE" fill. */
    d_header(&d, 0x45474150u);
    expect_fail(&d, "tp.dmp", SCRY_ERR_UNSUPPORTED,
                "tp.dmp: Windows crash dump type 1162297680 is not supported (only 1, full; 2, "
                "kernel summary; 5 and 6, bitmap; 8-10, RDMP kernel and complete)");
    d_header(&d, 1);
    set32(&d, 0x88, 0xFFFFFFFFu);
    expect_fail(&d, "nruns.dmp", SCRY_ERR_CORRUPT,
                "nruns.dmp: crash dump header states 4294967295 physical memory runs; at most "
                "502 fit in the header");
    d_header(&d, 1);
    set32(&d, 0x88, 1);
    set64(&d, 0x98, 0xFFFFFFFFFFFFFFF0ull);
    set64(&d, 0xA0, 0x20);
    expect_fail(&d, "wrap.dmp", SCRY_ERR_CORRUPT,
                "wrap.dmp: crash dump run 0 (PFN 0xfffffffffffffff0 + 0x20 pages) is past the "
                "52-bit physical address space");
    d_header(&d, 1);
    set32(&d, 0x88, 1);
    set64(&d, 0x98, 1);
    set64(&d, 0xA0, 1ull << 40);
    expect_fail(&d, "big.dmp", SCRY_ERR_CORRUPT,
                "big.dmp: crash dump run 0 (PFN 0x1 + 0x10000000000 pages) is past the 52-bit "
                "physical address space");
    bitmap_header(&d, UINT64_MAX);
    expect_fail(&d, "bits.dmp", SCRY_ERR_CORRUPT,
                "bits.dmp: bitmap crash dump BitmapSize 0xffffffffffffffff pages is past the "
                "52-bit physical address space");
    bitmap_header(&d, 1ull << 40);
    expect_fail(&d, "bits2.dmp", SCRY_ERR_CORRUPT,
                "bits2.dmp: bitmap crash dump BitmapSize 0x10000000000 needs 137438953472 "
                "bitmap bytes at offset 0x2038, past the end of the file (12288 bytes)");
    bitmap_header(&d, 64);
    set64(&d, HDR + 0x20, 0x3001);
    expect_fail(&d, "hs.dmp", SCRY_ERR_CORRUPT,
                "hs.dmp: bitmap crash dump HeaderSize 0x3001 is past the end of the file "
                "(12288 bytes)");
    bitmap_header(&d, 64);
    d.n = HDR + 0x30;
    expect_fail(&d, "sum.dmp", SCRY_ERR_CORRUPT,
                "sum.dmp: bitmap crash dump is truncated: 8240 bytes, too short for its "
                "summary header (56 bytes at offset 0x2000)");
    d_header(&d, 1);
    d.n = 0x1000;
    expect_fail(&d, "short.dmp", SCRY_ERR_CORRUPT,
                "short.dmp: Windows crash dump is truncated: 4096 bytes, shorter than its "
                "8192-byte header");
    d_header(&d, 1);
    d.n = 8;
    expect_fail(&d, "tiny.dmp", SCRY_ERR_CORRUPT,
                "tiny.dmp: Windows crash dump is truncated: 8 bytes, shorter than its "
                "8192-byte header");
    d_header(&d, 1);
    memcpy(d.p + 4, "DUMP", 4);
    expect_fail(&d, "x86.dmp", SCRY_ERR_UNSUPPORTED,
                "x86.dmp: 32-bit Windows crash dumps are not supported yet");
}
END_TEST

/* Empty bitmap and zero runs: a valid dump with nothing in it. */
START_TEST(empty_dumps)
{
    struct dump d;
    struct scry_phys *p = NULL;
    bitmap_header(&d, 1000);
    ck_assert_int_eq(open_mem(&d, "empty5.dmp", &p), SCRY_OK);
    ck_assert_uint_eq(p->nruns, 0);
    check_hole(p, 0);
    scry_phys_close(p);
    free(d.p);
    d_header(&d, 1);
    set32(&d, 0x88, 0);
    ck_assert_int_eq(open_mem(&d, "empty1.dmp", &p), SCRY_OK);
    ck_assert_uint_eq(p->nruns, 0);
    check_hole(p, 1);
    scry_phys_close(p);
    free(d.p);
}
END_TEST

/* ------------------------------------------------- DumpTypes 2 and 6 */

/* A kernel summary dump (type 2, "SDMP"): the same _SUMMARY_DUMP as type
 * 5, so the same runs from the same bitmap. */
START_TEST(summary_type2)
{
    struct dump d;
    struct scry_phys *p = NULL;
    summary_header(&d, 2, 70);
    set64(&d, HDR + 0x28, 6);               /* Pages */
    set32(&d, HDR + 0x38, 0x80000006u);     /* PFN 1, 2, 31 */
    set32(&d, HDR + 0x3C, 0x00000001u);     /* PFN 32 */
    set32(&d, HDR + 0x40, 0x00000030u);     /* PFN 68, 69 */
    d_page(&d, 1);
    d_page(&d, 2);
    d_page(&d, 31);
    d_page(&d, 32);
    d_page(&d, 68);
    d_page(&d, 69);
    ck_assert_int_eq(open_mem(&d, "kernel.dmp", &p), SCRY_OK);
    ck_assert_str_eq(p->info.format, "windump");
    ck_assert_uint_eq(p->nruns, 3);
    check_run(p, 0, 1, 2);
    check_run(p, 1, 31, 2);
    check_run(p, 2, 68, 2);
    ck_assert_uint_eq(p->info.phys_end, 70 * PG);
    check_page(p, 1);
    check_page(p, 2);
    check_page(p, 31);
    check_page(p, 32);
    check_page(p, 68);
    check_page(p, 69);
    check_hole(p, 0);
    check_hole(p, 3);
    check_hole(p, 33);
    check_hole(p, 67);
    check_hole(p, 70);
    check_meta(p, "windows.dump_type", "0x2");
    check_meta(p, "windows.dtb", "0x1ab000");
    check_meta(p, "windows.kdbg", "0xfffff800029ed0f0");
    ck_assert_ptr_null(scry_kv_get(&p->info.meta, "windows.missing_pages"));
    scry_phys_close(p);
    free(d.p);
}
END_TEST

/* A live kernel bitmap dump (type 6) cut short: the set bits past the last
 * data page are holes, counted; the bits past BitmapSize are ignored. */
START_TEST(live_kernel_type6)
{
    struct dump d;
    struct scry_phys *p = NULL;
    summary_header(&d, 6, 40);
    set32(&d, HDR + 0x38, 0x000000F0u); /* PFN 4-7 */
    set32(&d, HDR + 0x3C, 0xFFFFFF01u); /* PFN 32, 40-63 past BitmapSize */
    d_page(&d, 4);
    d_page(&d, 5);
    d_page(&d, 6);
    ck_assert_int_eq(open_mem(&d, "live.dmp", &p), SCRY_OK);
    ck_assert_uint_eq(p->nruns, 1);
    check_run(p, 0, 4, 3);
    check_page(p, 4);
    check_page(p, 6);
    check_hole(p, 7);
    check_hole(p, 32);
    check_hole(p, 40);
    check_meta(p, "windows.dump_type", "0x6");
    check_meta(p, "windows.missing_pages", "0x2");
    scry_phys_close(p);
    free(d.p);
}
END_TEST

/* ------------------------------------------------- DumpTypes 8, 9, 10 */

/* The RDMP header at 0x2000 with its first data page at `first`: Marker
 * 0x40, "RDMP", "DUMP", MetadataSize = first - 0x2020, FirstPageOffset. */
static void rdmp_header(struct dump *d, uint32_t type, uint64_t first)
{
    d_header(d, type);
    d_grow(d, first);
    set32(d, HDR, 0x40);
    memcpy(d->p + HDR + 4, "RDMP", 4);
    memcpy(d->p + HDR + 8, "DUMP", 4);
    set64(d, HDR + 0x10, first - 0x2020);
    set64(d, HDR + 0x18, first);
}

/* Range i of the list at 0x2030. */
static void set_range(struct dump *d, size_t i, uint64_t pfn, uint64_t count)
{
    set64(d, HDR + 0x30 + 16 * i, pfn);
    set64(d, HDR + 0x38 + 16 * i, count);
}

/* Kernel memory dump (type 8): first page at 0x3000, the list ended by a
 * range at PFN 0; what follows it is never read. */
START_TEST(rdmp_kernel_type8)
{
    struct dump d;
    struct scry_phys *p = NULL;
    rdmp_header(&d, 8, 0x3000);
    set64(&d, HDR + 0x20, 0x1234); /* unknown fields */
    set64(&d, HDR + 0x28, 0x5678);
    set_range(&d, 0, 1, 2);
    set_range(&d, 1, 0x20, 3);
    set_range(&d, 2, 0, 9);     /* the end */
    set_range(&d, 3, 0x50, 1);  /* ignored */
    d_page(&d, 1);
    d_page(&d, 2);
    d_page(&d, 0x20);
    d_page(&d, 0x21);
    d_page(&d, 0x22);
    d_page(&d, 0x50);
    ck_assert_int_eq(open_mem(&d, "k8.dmp", &p), SCRY_OK);
    ck_assert_str_eq(p->info.format, "windump");
    ck_assert_uint_eq(p->nruns, 2);
    check_run(p, 0, 1, 2);
    check_run(p, 1, 0x20, 3);
    ck_assert_uint_eq(p->info.phys_end, 0x23 * PG);
    check_page(p, 1);
    check_page(p, 2);
    check_page(p, 0x20);
    check_page(p, 0x21);
    check_page(p, 0x22);
    check_hole(p, 0);
    check_hole(p, 3);
    check_hole(p, 0x1F);
    check_hole(p, 0x23);
    check_hole(p, 0x50);
    check_meta(p, "windows.dump_type", "0x8");
    check_meta(p, "windows.ps_active_process_head", "0xfffff80002a2d940");
    check_meta(p, "windows.system_time", "0x1da75fa3d1c4b80");
    ck_assert_ptr_null(scry_kv_get(&p->info.meta, "windows.missing_pages"));
    scry_phys_close(p);
    free(d.p);
}
END_TEST

/* Kernel and user dump (type 9): a list that fills the metadata exactly,
 * a first page that is not page aligned (0x2060), ranges out of PFN order
 * and overlapping (the first in file order keeps the bytes). */
START_TEST(rdmp_kernel_user_type9)
{
    struct dump d;
    struct scry_phys *p = NULL;
    rdmp_header(&d, 9, 0x2060);
    set_range(&d, 0, 0x10, 2);
    set_range(&d, 1, 4, 1);
    set_range(&d, 2, 0x11, 2);
    d_page(&d, 0x10);
    d_page(&d, 0x11);
    d_page(&d, 4);
    d_page(&d, 0x77); /* range 2's copy of PFN 0x11: must lose */
    d_page(&d, 0x12);
    ck_assert_uint_eq(d.n, 0x2060 + 5 * PG);
    ck_assert_int_eq(open_mem(&d, "k9.dmp", &p), SCRY_OK);
    ck_assert_uint_eq(p->nruns, 3);
    check_run(p, 0, 4, 1);
    check_run(p, 1, 0x10, 2);
    check_run(p, 2, 0x12, 1);
    check_page(p, 4);
    check_page(p, 0x10);
    check_page(p, 0x11);
    check_page(p, 0x12);
    check_hole(p, 5);
    check_hole(p, 0x13);
    check_meta(p, "windows.dump_type", "0x9");
    scry_phys_close(p);
    free(d.p);
}
END_TEST

/* Complete memory dump (type 10): NumberOfRanges, TotalNumberOfPages; the
 * list ends once TotalNumberOfPages are listed. */
START_TEST(rdmp_complete_type10)
{
    struct dump d;
    struct scry_phys *p = NULL;
    rdmp_header(&d, 10, 0x3000);
    set32(&d, HDR + 0x20, 2);   /* NumberOfRanges (not read) */
    set64(&d, HDR + 0x28, 5);   /* TotalNumberOfPages */
    set_range(&d, 0, 1, 2);
    set_range(&d, 1, 0x100, 3);
    set_range(&d, 2, 0x999, 7); /* past the total: never read */
    for (uint64_t pfn = 1; pfn < 3; pfn++)
        d_page(&d, pfn);
    for (uint64_t pfn = 0x100; pfn < 0x103; pfn++)
        d_page(&d, pfn);
    ck_assert_int_eq(open_mem(&d, "k10.dmp", &p), SCRY_OK);
    ck_assert_uint_eq(p->nruns, 2);
    check_run(p, 0, 1, 2);
    check_run(p, 1, 0x100, 3);
    ck_assert_uint_eq(p->info.phys_end, 0x103 * PG);
    check_page(p, 1);
    check_page(p, 2);
    check_page(p, 0x100);
    check_page(p, 0x102);
    check_hole(p, 0);
    check_hole(p, 0xFF);
    check_hole(p, 0x103);
    check_hole(p, 0x999);
    check_meta(p, "windows.dump_type", "0xa");
    ck_assert_ptr_null(scry_kv_get(&p->info.meta, "windows.missing_pages"));
    scry_phys_close(p);
    free(d.p);
}
END_TEST

/* Ranges promising more pages than the file holds: holes, counted; a
 * type 10 whose TotalNumberOfPages is 0 lists nothing; count-0 ranges add
 * nothing however many there are. */
START_TEST(rdmp_past_eof_and_empty)
{
    struct dump d;
    struct scry_phys *p = NULL;
    rdmp_header(&d, 8, 0x2050);
    set_range(&d, 0, 7, 0x1000);
    set_range(&d, 1, 0x3000, (1ull << 40) - 0x3000); /* up to the 52-bit bound */
    d_page(&d, 7);
    d_page(&d, 8);
    d_grow(&d, d.n + 0xFFF); /* a partial page is not a page */
    ck_assert_int_eq(open_mem(&d, "k8cut.dmp", &p), SCRY_OK);
    ck_assert_uint_eq(p->nruns, 1);
    check_run(p, 0, 7, 2);
    check_page(p, 7);
    check_page(p, 8);
    check_hole(p, 9);
    check_hole(p, 0x3000);
    check_meta(p, "windows.missing_pages", "0xffffffdffe");
    scry_phys_close(p);
    free(d.p);

    rdmp_header(&d, 10, 0x3000);
    set_range(&d, 0, 1, 2);
    d_page(&d, 1);
    d_page(&d, 2);
    ck_assert_int_eq(open_mem(&d, "k10none.dmp", &p), SCRY_OK);
    ck_assert_uint_eq(p->nruns, 0);
    check_hole(p, 1);
    scry_phys_close(p);
    free(d.p);

    rdmp_header(&d, 9, 0x2030 + 16 * 20000);
    for (size_t i = 0; i < 20000; i++)
        set_range(&d, i, 5 + i, 0);
    ck_assert_int_eq(open_mem(&d, "k9zero.dmp", &p), SCRY_OK);
    ck_assert_uint_eq(p->nruns, 0);
    ck_assert_ptr_null(scry_kv_get(&p->info.meta, "windows.missing_pages"));
    scry_phys_close(p);
    free(d.p);

    /* FirstPageOffset at the end of the file: no data, every page missing. */
    rdmp_header(&d, 8, 0x3000);
    set_range(&d, 0, 1, 3);
    ck_assert_int_eq(open_mem(&d, "k8nodata.dmp", &p), SCRY_OK);
    ck_assert_uint_eq(p->nruns, 0);
    check_meta(p, "windows.missing_pages", "0x3");
    scry_phys_close(p);
    free(d.p);
}
END_TEST

START_TEST(hostile_new_types)
{
    struct dump d;
    /* Summary dumps (2, 6): the same bounds as type 5. */
    summary_header(&d, 2, 1ull << 39);
    expect_fail(&d, "k2.dmp", SCRY_ERR_CORRUPT,
                "k2.dmp: bitmap crash dump BitmapSize 0x8000000000 needs 68719476736 bitmap "
                "bytes at offset 0x2038, past the end of the file (12288 bytes)");
    summary_header(&d, 6, UINT64_MAX);
    expect_fail(&d, "k6.dmp", SCRY_ERR_CORRUPT,
                "k6.dmp: bitmap crash dump BitmapSize 0xffffffffffffffff pages is past the "
                "52-bit physical address space");
    summary_header(&d, 6, 64);
    set64(&d, HDR + 0x20, 0x10000);
    expect_fail(&d, "hs6.dmp", SCRY_ERR_CORRUPT,
                "hs6.dmp: bitmap crash dump HeaderSize 0x10000 is past the end of the file "
                "(12288 bytes)");
    summary_header(&d, 2, 64);
    d.n = HDR + 0x10;
    expect_fail(&d, "sum2.dmp", SCRY_ERR_CORRUPT,
                "sum2.dmp: bitmap crash dump is truncated: 8208 bytes, too short for its "
                "summary header (56 bytes at offset 0x2000)");
    d_header(&d, 6);
    expect_fail(&d, "hdr6.dmp", SCRY_ERR_CORRUPT,
                "hdr6.dmp: bitmap crash dump is truncated: 8192 bytes, too short for its "
                "summary header (56 bytes at offset 0x2000)");

    /* RDMP (8-10): header, signature, FirstPageOffset, MetadataSize. */
    d_header(&d, 8);
    expect_fail(&d, "r0.dmp", SCRY_ERR_CORRUPT,
                "r0.dmp: RDMP crash dump is truncated: 8192 bytes, too short for its RDMP "
                "header (48 bytes at offset 0x2000)");
    rdmp_header(&d, 10, 0x3000);
    d.n = HDR + 0x2F;
    expect_fail(&d, "r1.dmp", SCRY_ERR_CORRUPT,
                "r1.dmp: RDMP crash dump is truncated: 8239 bytes, too short for its RDMP "
                "header (48 bytes at offset 0x2000)");
    rdmp_header(&d, 8, 0x3000);
    memcpy(d.p + HDR + 4, "SDMP", 4);
    expect_fail(&d, "sig.dmp", SCRY_ERR_CORRUPT,
                "sig.dmp: crash dump type 8 has no RDMP header at offset 0x2000 (signature "
                "0x504d4453, ValidDump 0x504d5544; expected \"RDMP\" and \"DUMP\")");
    rdmp_header(&d, 9, 0x3000);
    memcpy(d.p + HDR + 8, "PAGE", 4);
    expect_fail(&d, "valid.dmp", SCRY_ERR_CORRUPT,
                "valid.dmp: crash dump type 9 has no RDMP header at offset 0x2000 (signature "
                "0x504d4452, ValidDump 0x45474150; expected \"RDMP\" and \"DUMP\")");
    rdmp_header(&d, 9, 0x3000);
    set64(&d, HDR + 0x10, 0x1FE0);
    set64(&d, HDR + 0x18, 0x4000);
    expect_fail(&d, "fp.dmp", SCRY_ERR_CORRUPT,
                "fp.dmp: RDMP crash dump FirstPageOffset 0x4000 is past the end of the file "
                "(12288 bytes)");
    rdmp_header(&d, 10, 0x3000);
    set64(&d, HDR + 0x10, UINT64_MAX - 0x2020 + 1);
    set64(&d, HDR + 0x18, UINT64_MAX);
    expect_fail(&d, "fp2.dmp", SCRY_ERR_CORRUPT,
                "fp2.dmp: RDMP crash dump FirstPageOffset 0xffffffffffffffff is past the end of "
                "the file (12288 bytes)");
    rdmp_header(&d, 8, 0x3000);
    set64(&d, HDR + 0x10, 0x1000);
    expect_fail(&d, "md.dmp", SCRY_ERR_CORRUPT,
                "md.dmp: RDMP crash dump MetadataSize 0x1000 does not match FirstPageOffset "
                "0x3000 (expected a multiple of 16, at least 0x10, equal to FirstPageOffset - "
                "0x2020)");
    rdmp_header(&d, 8, 0x3000);
    set64(&d, HDR + 0x10, UINT64_MAX);
    expect_fail(&d, "md2.dmp", SCRY_ERR_CORRUPT,
                "md2.dmp: RDMP crash dump MetadataSize 0xffffffffffffffff does not match "
                "FirstPageOffset 0x3000 (expected a multiple of 16, at least 0x10, equal to "
                "FirstPageOffset - 0x2020)");
    rdmp_header(&d, 8, 0x3000);
    set64(&d, HDR + 0x10, 0x15);
    set64(&d, HDR + 0x18, 0x2035);
    expect_fail(&d, "md3.dmp", SCRY_ERR_CORRUPT,
                "md3.dmp: RDMP crash dump MetadataSize 0x15 does not match FirstPageOffset "
                "0x2035 (expected a multiple of 16, at least 0x10, equal to FirstPageOffset - "
                "0x2020)");
    rdmp_header(&d, 9, 0x3000);
    set64(&d, HDR + 0x10, 0);
    set64(&d, HDR + 0x18, 0x2020);
    expect_fail(&d, "md4.dmp", SCRY_ERR_CORRUPT,
                "md4.dmp: RDMP crash dump MetadataSize 0x0 does not match FirstPageOffset "
                "0x2020 (expected a multiple of 16, at least 0x10, equal to FirstPageOffset - "
                "0x2020)");
    rdmp_header(&d, 8, 0x3000);
    set64(&d, HDR + 0x10, 0);
    set64(&d, HDR + 0x18, 0);
    expect_fail(&d, "md5.dmp", SCRY_ERR_CORRUPT,
                "md5.dmp: RDMP crash dump MetadataSize 0x0 does not match FirstPageOffset "
                "0x0 (expected a multiple of 16, at least 0x10, equal to FirstPageOffset - "
                "0x2020)");

    /* Ranges: past 52 bits, wrapping, more than TotalNumberOfPages. */
    rdmp_header(&d, 8, 0x3000);
    set_range(&d, 0, 1, 1);
    set_range(&d, 1, 2, 1ull << 40);
    expect_fail(&d, "big.dmp", SCRY_ERR_CORRUPT,
                "big.dmp: RDMP crash dump range 1 (PFN 0x2 + 0x10000000000 pages) is past the "
                "52-bit physical address space");
    rdmp_header(&d, 9, 0x3000);
    set_range(&d, 0, 0xFFFFFFFFFFFFFFF0ull, 0x20);
    expect_fail(&d, "wrap.dmp", SCRY_ERR_CORRUPT,
                "wrap.dmp: RDMP crash dump range 0 (PFN 0xfffffffffffffff0 + 0x20 pages) is "
                "past the 52-bit physical address space");
    rdmp_header(&d, 8, 0x3000);
    set_range(&d, 0, 1ull << 40, 0);
    expect_fail(&d, "pfn.dmp", SCRY_ERR_CORRUPT,
                "pfn.dmp: RDMP crash dump range 0 (PFN 0x10000000000 + 0x0 pages) is past the "
                "52-bit physical address space");
    rdmp_header(&d, 10, 0x3000);
    set64(&d, HDR + 0x28, 3);
    set_range(&d, 0, 1, 2);
    set_range(&d, 1, 0x10, 2);
    expect_fail(&d, "tot.dmp", SCRY_ERR_CORRUPT,
                "tot.dmp: RDMP crash dump range 1 (PFN 0x10 + 0x2 pages) goes past "
                "TotalNumberOfPages 0x3 (0x2 listed before it)");
    rdmp_header(&d, 10, 0x3000);
    set64(&d, HDR + 0x28, UINT64_MAX);
    set_range(&d, 0, 1, UINT64_MAX);
    expect_fail(&d, "tot2.dmp", SCRY_ERR_CORRUPT,
                "tot2.dmp: RDMP crash dump range 0 (PFN 0x1 + 0xffffffffffffffff pages) is past "
                "the 52-bit physical address space");
}
END_TEST

/* ---------------------------------------------------------- corpus */

/* Decompresses src (xz) to dst once; 0 on failure. */
static int unxz(const char *src, const char *dst)
{
    struct stat sb;
    size_t n = 0, cap, out_len;
    char *in, tmp[4200];
    uint8_t *out;
    FILE *fp;
    lzma_stream s = LZMA_STREAM_INIT;
    if (stat(dst, &sb) == 0)
        return 1;
    in = tu_slurp(src, &n);
    if (!in)
        return 0;
    cap = 128u << 20;
    out = malloc(cap);
    ck_assert_ptr_nonnull(out);
    ck_assert_int_eq(lzma_stream_decoder(&s, UINT64_MAX, 0), LZMA_OK);
    s.next_in = (const uint8_t *)in;
    s.avail_in = n;
    s.next_out = out;
    s.avail_out = cap;
    ck_assert_int_eq(lzma_code(&s, LZMA_FINISH), LZMA_STREAM_END);
    out_len = cap - s.avail_out;
    lzma_end(&s);
    free(in);
    /* Write then rename, so a parallel run never sees half a file. */
    snprintf(tmp, sizeof tmp, "%s.%d", dst, (int)getpid());
    fp = fopen(tmp, "wb");
    ck_assert_ptr_nonnull(fp);
    ck_assert_uint_eq(fwrite(out, 1, out_len, fp), out_len);
    ck_assert_int_eq(fclose(fp), 0);
    ck_assert_int_eq(rename(tmp, dst), 0);
    free(out);
    return 1;
}

/* The truth files hold kernel addresses above 2^63, which jansson (signed
 * json_int_t) refuses, so the few kernel fields are read from the text: the
 * first occurrence of each key is the "kernel" object's (it comes first). */
static uint64_t tnum(const char *text, const char *key)
{
    char pat_[64];
    const char *at;
    snprintf(pat_, sizeof pat_, "\"%s\": ", key);
    at = strstr(text, pat_);
    ck_assert_msg(at != NULL, "truth: no %s", key);
    return strtoull(at + strlen(pat_), NULL, 10);
}

static uint64_t rd64(const uint8_t *q)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | q[i];
    return v;
}

static void check_hex(struct scry_phys *p, const char *key, uint64_t want)
{
    char buf[32];
    snprintf(buf, sizeof buf, "0x%" PRIx64, want);
    check_meta(p, key, buf);
}

/* Opens <corpus>/windows-samples/<name>.xz (decompressed into the build
 * tree) and checks its meta against <stem>.truth.json; *truth_out gets the
 * truth text. NULL when skipped. */
static struct scry_phys *open_sample(const char *name, const char *stem, char **truth_out)
{
    const char *corpus = tu_corpus_dir(name);
    char src[4096], dst[4096], truth[4096], iso[64];
    struct scry_phys *p = NULL;
    char *text, *at;
    uint64_t ft;
    struct tm tm;
    if (!corpus)
        return NULL;
    snprintf(src, sizeof src, "%s/windows-samples/%s.xz", corpus, name);
    snprintf(truth, sizeof truth, "%s/windows-samples/%s.truth.json", corpus, stem);
    snprintf(dst, sizeof dst, "%s/windump-%s", SCRY_BINARY_DIR, name);
    ck_assert_msg(unxz(src, dst), "cannot read %s", src);
    ck_assert_msg(scry_phys_open(dst, NULL, &p) == SCRY_OK, "%s", scry_last_error());
    ck_assert_str_eq(p->info.format, "windump");
    text = tu_slurp(truth, NULL);
    ck_assert_msg(text != NULL, "cannot read %s", truth);
    check_hex(p, "windows.dtb", tnum(text, "dtb"));
    check_hex(p, "windows.kdbg", tnum(text, "KdDebuggerDataBlock"));
    check_hex(p, "windows.ps_active_process_head", tnum(text, "PsActiveProcessHead"));
    check_hex(p, "windows.ps_loaded_module_list", tnum(text, "PsLoadedModuleList"));
    check_meta(p, "windows.machine", "0x8664");
    /* FILETIME: 100 ns ticks since 1601-01-01. */
    at = strstr(text, "\"system_time\": \"");
    ck_assert_ptr_nonnull(at);
    ck_assert_int_eq(sscanf(at + 16, "%63[^\"]", iso), 1);
    memset(&tm, 0, sizeof tm);
    ck_assert_int_eq(sscanf(iso, "%d-%d-%dT%d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                            &tm.tm_hour, &tm.tm_min, &tm.tm_sec),
                     6);
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    ck_assert_int_eq(scry_kv_u64(&p->info.meta, "windows.system_time", &ft), 1);
    ck_assert_int_eq((long long)(ft / 10000000u) - 11644473600LL, (long long)timegm(&tm));
    *truth_out = text;
    return p;
}

/* The truth's physical_runs (base_page, page_count pairs), at most max. */
static size_t truth_runs(const char *text, uint64_t (*r)[2], size_t max)
{
    const char *at = strstr(text, "\"physical_runs\"");
    const char *end = at ? strchr(at, ']') : NULL;
    size_t n = 0;
    ck_assert_ptr_nonnull(end);
    while (n < max && (at = strstr(at, "\"base_page\": ")) != NULL && at < end) {
        r[n][0] = strtoull(at + 13, NULL, 10);
        at = strstr(at, "\"page_count\": ");
        ck_assert_ptr_nonnull(at);
        r[n][1] = strtoull(at + 14, NULL, 10);
        n++;
    }
    return n;
}

START_TEST(corpus_win7_full)
{
    char *text;
    struct scry_phys *p = open_sample("win7sp1-7601.full.dmp", "win7sp1-7601", &text);
    uint8_t buf[PG];
    uint64_t tr[8][2];
    size_t holes = 0, n;
    if (!p)
        return;
    check_meta(p, "windows.dump_type", "0x1");
    ck_assert_uint_eq(p->nruns, 2);
    check_run(p, 0, 1, 0x9E);
    check_run(p, 1, 0x100, 0x3F00);
    n = truth_runs(text, tr, 8);
    ck_assert_uint_eq(n, 2);
    for (size_t i = 0; i < n; i++)
        check_run(p, i, tr[i][0], tr[i][1]);
    ck_assert_uint_eq(p->info.file_size, HDR + (0x9Eull + 0x3F00) * PG);
    /* The plain KDBG: OwnerTag "KDBG" after its LIST_ENTRY. */
    ck_assert_int_eq(scry_phys_read(p, tnum(text, "kdbg_pa"), buf, 0x18, &holes), SCRY_OK);
    ck_assert_uint_eq(holes, 0);
    ck_assert_int_eq(memcmp(buf + 0x10, "KDBG", 4), 0);
    check_hole(p, 0);
    check_hole(p, 0x9E + 1);
    scry_phys_close(p);
    free(text);
}
END_TEST

START_TEST(corpus_win11_bitmap)
{
    char *text;
    struct scry_phys *p = open_sample("win11-21h2-22000.bitmap.dmp", "win11-21h2-22000", &text);
    uint64_t pages = 0, tr[8][2];
    size_t n;
    if (!p)
        return;
    check_meta(p, "windows.dump_type", "0x5");
    ck_assert_ptr_null(scry_kv_get(&p->info.meta, "windows.missing_pages"));
    ck_assert_uint_gt(p->nruns, 0);
    ck_assert_uint_le(p->info.phys_end, 64u << 20);
    n = truth_runs(text, tr, 8);
    ck_assert_uint_gt(n, 0);
    /* The bitmap keeps the machine's non-empty pages: every run lies in
     * one of the machine's physical runs. */
    for (size_t i = 0; i < p->nruns; i++) {
        int inside = 0;
        pages += p->runs[i].len / PG;
        for (size_t j = 0; j < n; j++)
            inside |= p->runs[i].start >= tr[j][0] * PG &&
                      p->runs[i].start + p->runs[i].len <= (tr[j][0] + tr[j][1]) * PG;
        ck_assert_msg(inside, "run 0x%" PRIx64 "+0x%" PRIx64 " outside the machine's memory",
                      p->runs[i].start, p->runs[i].len);
    }
    /* Every data page the file holds is in a run, none more. */
    ck_assert_uint_eq(pages, (p->info.file_size - rd64(p->file->map + HDR + 0x20)) / PG);
    ck_assert_uint_eq(pages, rd64(p->file->map + HDR + 0x28));
    scry_phys_close(p);
    free(text);
}
END_TEST

/* The generator writes the same machine as raw, full and bitmap dumps:
 * every page reads the same from each dump as from the raw image, or is a
 * hole in the dump (and then the raw page is what the dump left out). */
START_TEST(generated_agree)
{
    const char *corpus = tu_corpus_dir("windump generator");
    char cmd[8192], dir[4096], path[4200];
    struct scry_phys *raw = NULL, *dumps[2] = {NULL, NULL};
    static const char *const ext[2] = {"full.dmp", "bitmap.dmp"};
    static uint8_t a[PG], b[PG];
    size_t same[2] = {0, 0};
    struct stat sb;
    if (!corpus)
        return;
    snprintf(dir, sizeof dir, "%s/windump-gen", SCRY_BINARY_DIR);
    snprintf(path, sizeof path, "%s/w7.bitmap.dmp", dir);
    if (stat(path, &sb) != 0) {
        snprintf(cmd, sizeof cmd,
                 "python3 %s/../tools/winimage/winimage.py --isf "
                 "%s/../isf/windows/ntkrnlmp.pdb/339E74133576439CBCDF7E0229DA3773-1.json.xz "
                 "--out %s --name w7 --formats raw,full,bitmap >/dev/null",
                 corpus, corpus, dir);
        if (system(cmd) != 0) {
            printf("SKIP generated_agree: the generator failed (%s)\n", cmd);
            return;
        }
    }
    snprintf(path, sizeof path, "%s/w7.raw", dir);
    ck_assert_msg(scry_phys_open(path, NULL, &raw) == SCRY_OK, "%s", scry_last_error());
    for (int i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s/w7.%s", dir, ext[i]);
        ck_assert_msg(scry_phys_open(path, NULL, &dumps[i]) == SCRY_OK, "%s", scry_last_error());
        ck_assert_str_eq(dumps[i]->info.format, "windump");
    }
    for (uint64_t pa = 0; pa < raw->info.phys_end; pa += PG) {
        size_t rh = 0;
        ck_assert_int_eq(scry_phys_read(raw, pa, a, PG, &rh), SCRY_OK);
        for (int i = 0; i < 2; i++) {
            size_t h = 0;
            ck_assert_int_eq(scry_phys_read(dumps[i], pa, b, PG, &h), SCRY_OK);
            ck_assert_msg(h == 0 || h == PG, "%s: partial hole at 0x%" PRIx64, ext[i], pa);
            ck_assert_msg(h == PG || memcmp(a, b, PG) == 0, "%s: page 0x%" PRIx64 " differs",
                          ext[i], pa);
            same[i] += h == 0;
            ck_assert_msg(h == 0 || scry_phys_find_run(dumps[i], pa) == (size_t)-1,
                          "%s: hole inside a run at 0x%" PRIx64, ext[i], pa);
        }
    }
    /* Nothing the dumps hold lies past the raw image. */
    for (int i = 0; i < 2; i++) {
        ck_assert_uint_gt(same[i], 100); /* the bitmap dump keeps 241 pages */
        ck_assert_uint_le(dumps[i]->info.phys_end, raw->info.phys_end);
        scry_phys_close(dumps[i]);
    }
    scry_phys_close(raw);
}
END_TEST

static Suite *windump_suite(void)
{
    Suite *s = suite_create("windump");
    TCase *tc = tcase_create("synthetic"), *corpus = tcase_create("corpus");
    tcase_add_test(tc, full_two_runs);
    tcase_add_test(tc, full_overlap);
    tcase_add_test(tc, full_run_past_eof);
    tcase_add_test(tc, bitmap_gaps);
    tcase_add_test(tc, bitmap_past_eof);
    tcase_add_test(tc, bitmap_dense_no_data);
    tcase_add_test(tc, hostile_headers);
    tcase_add_test(tc, empty_dumps);
    tcase_add_test(tc, summary_type2);
    tcase_add_test(tc, live_kernel_type6);
    tcase_add_test(tc, rdmp_kernel_type8);
    tcase_add_test(tc, rdmp_kernel_user_type9);
    tcase_add_test(tc, rdmp_complete_type10);
    tcase_add_test(tc, rdmp_past_eof_and_empty);
    tcase_add_test(tc, hostile_new_types);
    tcase_add_test(corpus, corpus_win7_full);
    tcase_add_test(corpus, corpus_win11_bitmap);
    tcase_add_test(corpus, generated_agree);
    tcase_set_timeout(corpus, 120);
    suite_add_tcase(s, tc);
    suite_add_tcase(s, corpus);
    return s;
}

int main(void) { return tu_run_suite(windump_suite()); }
