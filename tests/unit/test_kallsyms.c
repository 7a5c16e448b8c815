/* test_kallsyms.c - kallsyms decoded out of synthetic kernel images
 * (fuzz/kallsyms_image.h): every layout through VMCOREINFO and the scan,
 * and hostile tables with their exact messages. The corpus dumps are
 * checked against their ISFs by tests/integration/kallsyms_isf.py. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/fake_phys.h"
#include "fuzz/kallsyms_image.h"
#include "lib/base/file.h"
#include "memscry/memscry.h"
#include "symbols/kallsyms.h"
#include "symbols/kallsyms_decode.h"
#include "testutil.h"

static const struct ki_params P61 = {.nfill = 600, .layout = 0, .seqs = 3, .abs_percpu = 1};

static void build(struct ki_image *im, const struct ki_params *pr)
{
    ck_assert_int_eq(ki_build(pr, im), 0);
}

/* Reads im through VMCOREINFO (vmci) or the scan; returns the status and
 * leaves the message in msg. */
static scry_status run(const struct ki_image *im, int vmci, int direct, struct scry_sysmap *m,
                       struct scry_kallsyms_info *info, char msg[512])
{
    struct fphys f;
    fphys_over(&f, im->mem, im->size, direct);
    /* The scan drops what it read through the zero-copy view: a file. */
    ck_assert_int_eq(scry_file_from_memory(im->mem, im->size, "synthetic", &f.base.file), SCRY_OK);
    scry_status st = scry_kallsyms_read(&f.base, NULL, vmci ? im->vmcoreinfo : NULL,
                                        vmci ? im->vmcoreinfo_len : 0, m, info);
    snprintf(msg, 512, "%s", st == SCRY_OK ? "" : scry_last_error());
    scry_file_close(f.base.file);
    return st;
}

static void expect_error(const struct ki_image *im, int vmci, scry_status want, const char *text)
{
    struct scry_sysmap m;
    char msg[512];
    scry_status st = run(im, vmci, 1, &m, NULL, msg);
    ck_assert_msg(st == want, "status %d, want %d (%s)", st, want, msg);
    ck_assert_str_eq(msg, text);
    ck_assert_ptr_null(m.sym);
}

static const struct ki_params configs[] = {
    {.nfill = 600, .layout = 0, .seqs = 3, .abs_percpu = 1}, /* Debian 6.1 */
    {.nfill = 600, .layout = 0, .seqs = 0, .abs_percpu = 1}, /* 6.1 before the backport */
    {.nfill = 300, .layout = 0, .seqs = 4, .abs_percpu = 0},
    {.nfill = 1000, .layout = 1, .seqs = 4, .abs_percpu = 1}, /* 6.12 */
    {.nfill = 254, .layout = 1, .seqs = 4, .abs_percpu = 0},  /* 257 symbols: 2 markers */
};

START_TEST(test_layouts)
{
    const struct ki_params *pr = &configs[_i / 4];
    int vmci = _i & 1, direct = _i >> 1 & 1;
    struct ki_image im;
    build(&im, pr);
    struct scry_sysmap m;
    struct scry_kallsyms_info info;
    char msg[512];
    ck_assert_msg(run(&im, vmci, direct, &m, &info, msg) == SCRY_OK, "%s", msg);
    struct ki_sym *want = calloc(im.nsyms, sizeof *want);
    ck_assert_uint_eq(ki_symbols(pr, want, KI_TEXT + im.size - 0x800), im.nsyms);
    ck_assert_uint_eq(m.n, im.nsyms);
    for (size_t i = 0; i < m.n; i++) {
        ck_assert_str_eq(m.sym[i].name, want[i].name);
        ck_assert_uint_eq(m.sym[i].addr, want[i].addr);
        ck_assert_int_eq(m.sym[i].type, want[i].type);
    }
    ck_assert_uint_eq(scry_sysmap_find(&m, "init_task")->addr, KI_TEXT + 0x2000);
    ck_assert_int_eq(info.from_vmcoreinfo, vmci);
    ck_assert_int_eq(info.has_kernel_offset, vmci);
    ck_assert_uint_eq(info.kernel_offset, vmci ? 0xa000000 : 0);
    ck_assert_uint_eq(info.names_pa, im.names_pa);
    ck_assert_uint_eq(info.token_table_pa, im.tt_pa);
    ck_assert_uint_eq(info.token_index_pa, im.ti_pa);
    ck_assert_uint_eq(info.offsets_pa, im.offsets_pa);
    ck_assert_uint_eq(info.relative_base, KI_TEXT);
    ck_assert_uint_eq(info.num_syms, im.nsyms);
    ck_assert_uint_eq(info.phys_base, im.phys_base);
    ck_assert_uint_eq(info.banner_pa, 0x1000);
    uint64_t shift;
    scry_sysmap_unshift(&m, 0xffffffff81000000ull, &shift);
    ck_assert_uint_eq(shift, 0xa000000);
    free(want);
    scry_sysmap_free(&m);
    ki_free(&im);
}
END_TEST

START_TEST(test_no_tables)
{
    struct ki_image im;
    build(&im, &P61);
    memset(im.mem + 0x3000, 0, im.size - 0x3000);
    expect_error(&im, 0, SCRY_ERR_NODATA, "kallsyms: no token table found in physical memory");
    /* VMCOREINFO without the tables' names: the scan, same answer. */
    im.vmcoreinfo_len = (size_t)snprintf(im.vmcoreinfo, sizeof im.vmcoreinfo,
                                         "OSRELEASE=5.10.0\nKERNELOFFSET=a000000\n");
    expect_error(&im, 1, SCRY_ERR_NODATA, "kallsyms: no token table found in physical memory");
    ki_free(&im);
}
END_TEST

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

START_TEST(test_token_index_past_table)
{
    struct ki_image im;
    build(&im, &P61);
    put16(im.mem + im.ti_pa + 2 * 5, 0xfff0);
    char want[256];
    snprintf(want, sizeof want,
             "kallsyms: token index entry 5 (65520) is past the %zu-byte token table",
             (size_t)(im.ti_pa - im.tt_pa));
    expect_error(&im, 1, SCRY_ERR_CORRUPT, want);
    /* The scan sees no token table there at all. */
    expect_error(&im, 0, SCRY_ERR_NODATA, "kallsyms: no token table found in physical memory");
    ki_free(&im);
}
END_TEST

START_TEST(test_num_syms_huge)
{
    struct ki_image im;
    build(&im, &P61);
    ki_put32(im.mem + im.num_pa, 0x10000000);
    expect_error(&im, 1, SCRY_ERR_CORRUPT, "kallsyms: num_syms is 268435456, not in 1..4194304");
    ki_put32(im.mem + im.num_pa, 0);
    expect_error(&im, 1, SCRY_ERR_CORRUPT, "kallsyms: num_syms is 0, not in 1..4194304");
    ki_free(&im);
}
END_TEST

START_TEST(test_length_past_end)
{
    struct ki_image im;
    build(&im, &P61);
    /* The last name's length byte: 0x7f bytes from there run past the
     * names table (VMCOREINFO bounds it by the next table named). */
    struct scry_sysmap m;
    struct scry_kallsyms_info info;
    char msg[512];
    ck_assert_int_eq(run(&im, 1, 1, &m, &info, msg), SCRY_OK);
    scry_sysmap_free(&m);
    uint64_t last = im.names_pa + im.names_len - (1 + 1 + 4); /* "B_end" */
    ck_assert_uint_eq(im.mem[last], 5);
    im.mem[last] = 0xff; /* two bytes: 0x3fff */
    im.mem[last + 1] = 0x7f;
    char want[256];
    size_t names_max = (size_t)(im.tt_pa - im.names_pa);
    snprintf(want, sizeof want,
             "kallsyms: name %u (16383 bytes at byte %zu) runs past the %zu-byte names table",
             im.nsyms - 1, im.names_len - 6, names_max);
    expect_error(&im, 1, SCRY_ERR_CORRUPT, want);
    /* A third length byte. */
    im.mem[last + 1] = 0x81;
    snprintf(want, sizeof want, "kallsyms: name %u's length takes more than two bytes",
             im.nsyms - 1);
    expect_error(&im, 1, SCRY_ERR_CORRUPT, want);
    /* Length 0. */
    im.mem[last] = 0;
    snprintf(want, sizeof want, "kallsyms: name %u has length 0", im.nsyms - 1);
    expect_error(&im, 1, SCRY_ERR_CORRUPT, want);
    ki_free(&im);
}
END_TEST

START_TEST(test_truncated_names)
{
    /* The dump ends inside the names table. */
    struct ki_image im;
    build(&im, &P61);
    size_t cut = (size_t)im.names_pa + 100;
    /* The first table read past the end: the token index (num_syms and
     * relative_base come before the names in 6.1). */
    char want[256];
    snprintf(want, sizeof want,
             "kallsyms: the kallsyms_token_index at 0x%llx (512 bytes) is not in the dump",
             (unsigned long long)im.ti_pa);
    im.size = cut;
    expect_error(&im, 1, SCRY_ERR_NODATA, want);
    ki_free(&im);
}
END_TEST

START_TEST(test_markers_inconsistent)
{
    struct ki_image im;
    build(&im, &P61);
    uint32_t m1 = scry_ksym_u32(im.mem + im.markers_pa + 4);
    ki_put32(im.mem + im.markers_pa + 8, m1 + 1000); /* marker 2 off: the scan's names check passes */
    char want[256];
    struct scry_sysmap m;
    char msg[512];
    /* Through VMCOREINFO the markers are not read: the decode is right. */
    ck_assert_int_eq(run(&im, 1, 1, &m, NULL, msg), SCRY_OK);
    uint32_t m2 = 0;
    scry_sysmap_free(&m);
    /* Decoding the names with those markers: the exact complaint. */
    struct scry_ksym_tables t = {
        .names = im.mem + im.names_pa, .names_len = im.names_len,
        .markers = im.mem + im.markers_pa, .markers_len = 4 * 3,
        .token_table = im.mem + im.tt_pa, .token_table_len = im.tt_len,
        .token_index = im.mem + im.ti_pa, .offsets = im.mem + im.offsets_pa,
        .num_syms = im.nsyms, .relative_base = KI_TEXT};
    ki_put32(im.mem + im.markers_pa + 8, m1 + 1000);
    struct scry_sysmap d;
    ck_assert_int_eq(scry_ksym_decode(&t, &d, NULL), SCRY_ERR_CORRUPT);
    /* name 512's real start: walk from marker 1 */
    t.markers = NULL;
    t.num_syms = 512;
    size_t end;
    ck_assert_int_eq(scry_ksym_decode(&t, &d, &end), SCRY_OK);
    scry_sysmap_free(&d);
    m2 = (uint32_t)end;
    snprintf(want, sizeof want, "kallsyms: marker 2 says %u, but name 512 starts at byte %u",
             m1 + 1000, m2);
    t.markers = im.mem + im.markers_pa;
    t.num_syms = im.nsyms;
    ck_assert_int_eq(scry_ksym_decode(&t, &d, NULL), SCRY_ERR_CORRUPT);
    ck_assert_str_eq(scry_last_error(), want);
    /* Too few markers for the names. */
    t.markers_len = 8;
    ki_put32(im.mem + im.markers_pa + 8, m2);
    ck_assert_int_eq(scry_ksym_decode(&t, &d, NULL), SCRY_ERR_CORRUPT);
    snprintf(want, sizeof want, "kallsyms: %u names need 3 markers, the table holds 2", im.nsyms);
    ck_assert_str_eq(scry_last_error(), want);
    /* The scan: the last marker wrong, no names table agrees. */
    ki_put32(im.mem + im.markers_pa + 8, m2 + 8);
    snprintf(want, sizeof want,
             "kallsyms: a token table found, but markers at 0x%llx (3): no kallsyms_num_syms "
             "and kallsyms_names before them that agree with them",
             (unsigned long long)im.markers_pa);
    expect_error(&im, 0, SCRY_ERR_CORRUPT, want);
    ki_free(&im);
    /* A middle one wrong (4 markers): the decode says which. */
    struct ki_params pr = P61;
    pr.nfill = 1000;
    build(&im, &pr);
    ki_put32(im.mem + im.markers_pa + 8, m2 + 8);
    snprintf(want, sizeof want,
             "kallsyms: a token table found, but marker 2 says %u, but name 512 starts at byte %u",
             m2 + 8, m2);
    expect_error(&im, 0, SCRY_ERR_CORRUPT, want);
    ki_free(&im);
}
END_TEST

START_TEST(test_decode_hostile)
{
    struct ki_image im;
    build(&im, &P61);
    struct scry_ksym_tables t = {
        .names = im.mem + im.names_pa, .names_len = im.names_len,
        .token_table = im.mem + im.tt_pa, .token_table_len = im.tt_len,
        .token_index = im.mem + im.ti_pa, .offsets = im.mem + im.offsets_pa,
        .num_syms = im.nsyms, .relative_base = KI_TEXT};
    struct scry_sysmap d;
    size_t end;
    ck_assert_int_eq(scry_ksym_decode(&t, &d, &end), SCRY_OK);
    ck_assert_uint_eq(end, im.names_len);
    scry_sysmap_free(&d);
    char want[256];
    /* Truncated: the last name runs past the end. */
    t.names_len = im.names_len - 1;
    snprintf(want, sizeof want,
             "kallsyms: name %u (5 bytes at byte %zu) runs past the %zu-byte names table",
             im.nsyms - 1, im.names_len - 6, im.names_len - 1);
    ck_assert_int_eq(scry_ksym_decode(&t, &d, NULL), SCRY_ERR_CORRUPT);
    ck_assert_str_eq(scry_last_error(), want);
    ck_assert_ptr_null(d.sym);
    /* One name more than the table holds. */
    t.names_len = im.names_len;
    t.num_syms = im.nsyms + 1;
    snprintf(want, sizeof want,
             "kallsyms: name %u starts at byte %zu, past the %zu-byte names table", im.nsyms,
             im.names_len, im.names_len);
    ck_assert_int_eq(scry_ksym_decode(&t, &d, NULL), SCRY_ERR_CORRUPT);
    ck_assert_str_eq(scry_last_error(), want);
    /* A two-byte length whose second byte is missing. */
    t.num_syms = im.nsyms;
    uint8_t *copy = malloc(im.names_len);
    memcpy(copy, t.names, im.names_len);
    copy[im.names_len - 6] = 0x85;
    t.names = copy;
    t.names_len = im.names_len - 5;
    snprintf(want, sizeof want,
             "kallsyms: name %u's two-byte length runs past the names table", im.nsyms - 1);
    ck_assert_int_eq(scry_ksym_decode(&t, &d, NULL), SCRY_ERR_CORRUPT);
    ck_assert_str_eq(scry_last_error(), want);
    free(copy);
    /* num_syms over the cap; a token not NUL-terminated in its table. */
    t.names = im.mem + im.names_pa;
    t.names_len = im.names_len;
    t.num_syms = SCRY_KALLSYMS_MAX_SYMS + 1;
    ck_assert_int_eq(scry_ksym_decode(&t, &d, NULL), SCRY_ERR_CORRUPT);
    ck_assert_str_eq(scry_last_error(), "kallsyms: num_syms is 4194305, more than the 4194304 accepted");
    t.num_syms = im.nsyms;
    t.token_table_len = scry_ksym_u16(im.mem + im.ti_pa + 2 * 255);
    ck_assert_int_eq(scry_ksym_decode(&t, &d, NULL), SCRY_ERR_CORRUPT);
    snprintf(want, sizeof want, "kallsyms: token index entry 255 (%zu) is past the %zu-byte token table",
             t.token_table_len, t.token_table_len);
    ck_assert_str_eq(scry_last_error(), want);
    /* The table cut right after token 'a''s letter: its NUL is missing. */
    uint16_t at_a = scry_ksym_u16(im.mem + im.ti_pa + 2 * 'a');
    t.token_table_len = at_a + 1u;
    ck_assert_int_eq(scry_ksym_decode(&t, &d, NULL), SCRY_ERR_CORRUPT);
    snprintf(want, sizeof want,
             "kallsyms: token 97 (at %u) is not NUL-terminated inside the token table", at_a);
    ck_assert_str_eq(scry_last_error(), want);
    ki_free(&im);
}
END_TEST

START_TEST(test_checks)
{
    struct ki_image im;
    build(&im, &P61);
    im.mem[0x1000] = 'l';
    expect_error(&im, 1, SCRY_ERR_CORRUPT,
                 "kallsyms: linux_banner (0xffffffff8b001000, physical 0x1000) does not read "
                 "\"Linux version \"");
    im.mem[0x1000] = 'L';
    memcpy(im.mem + 0x2100, "swapped", 7);
    expect_error(&im, 1, SCRY_ERR_CORRUPT,
                 "kallsyms: init_task (0xffffffff8b002000, physical 0x2000) does not hold the "
                 "idle task's name \"swapper\"");
    char want[512];
    snprintf(want, sizeof want,
             "kallsyms: a token table found, but kallsyms at 0x%llx decode, but no placement "
             "of the kernel image checks out (init_task (0xffffffff8b002000, "
             "physical 0x2000) does not hold the idle task's name \"swapper\")",
             (unsigned long long)im.tt_pa);
    expect_error(&im, 0, SCRY_ERR_CORRUPT, want);
    ki_free(&im);
}
END_TEST

START_TEST(test_unsorted_and_bytes)
{
    struct ki_image im;
    build(&im, &P61);
    /* init_task's offset made that of an address below linux_banner's */
    uint64_t at = im.offsets_pa + 4 * 4;
    ki_put32(im.mem + at, (uint32_t)(int32_t)-1);
    expect_error(&im, 1, SCRY_ERR_CORRUPT,
                 "kallsyms: symbol 4 (init_task) at 0xffffffff8b000000 is below the one before "
                 "it (0xffffffff8b001000): offsets not sorted");
    ki_free(&im);
    build(&im, &P61);
    /* A code standing for a control byte inside a name. */
    im.mem[im.tt_pa + scry_ksym_u16(im.mem + im.ti_pa + 2 * 'x')] = 0x07;
    struct scry_sysmap m;
    char msg[512];
    ck_assert_int_eq(run(&im, 1, 1, &m, NULL, msg), SCRY_ERR_CORRUPT);
    ck_assert_str_eq(msg, "kallsyms: name 1 holds byte 0x07"); /* fixed_percpu_data */
    ki_free(&im);
}
END_TEST

START_TEST(test_vmcoreinfo_hostile)
{
    struct ki_image im;
    build(&im, &P61);
    static const struct {
        const char *vmci, *want;
    } cases[] = {
        {"SYMBOL(kallsyms_names)=ffffffff8b000000\n",
         "kallsyms: VMCOREINFO names some kallsyms tables but not kallsyms_num_syms"},
        {"SYMBOL(kallsyms_names)=zz\n", "kallsyms: VMCOREINFO SYMBOL(kallsyms_names) is not a hex address"},
        {"SYMBOL(kallsyms_num_syms)=1\nSYMBOL(kallsyms_names)=2\nSYMBOL(kallsyms_token_table)=3\n"
         "SYMBOL(kallsyms_token_index)=4\nSYMBOL(kallsyms_offsets)=5\nSYMBOL(kallsyms_relative_base)=6\n",
         "kallsyms: VMCOREINFO names the kallsyms tables but not NUMBER(phys_base)"},
        {"SYMBOL(kallsyms_num_syms)=1\nSYMBOL(kallsyms_names)=2\nSYMBOL(kallsyms_token_table)=3\n"
         "SYMBOL(kallsyms_token_index)=4\nSYMBOL(kallsyms_offsets)=5\nSYMBOL(kallsyms_relative_base)=6\n"
         "NUMBER(phys_base)=0\n",
         "kallsyms: VMCOREINFO puts kallsyms_num_syms at 0x1, outside the kernel image map"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        im.vmcoreinfo_len = (size_t)snprintf(im.vmcoreinfo, sizeof im.vmcoreinfo, "%s", cases[i].vmci);
        expect_error(&im, 1, SCRY_ERR_CORRUPT, cases[i].want);
    }
    ki_free(&im);
}
END_TEST

START_TEST(test_decoys)
{
    /* 300 copies of a real token table and index, nothing else: each is
     * tried (up to 256), none has markers; the scan ends with the first. */
    struct ki_image im;
    build(&im, &P61);
    size_t piece = (size_t)(im.ti_pa + 512 - im.tt_pa), stride = (piece + 4095) & ~(size_t)4095;
    size_t size = 300 * stride;
    uint8_t *mem = calloc(1, size);
    for (size_t k = 0; k < 300; k++)
        memcpy(mem + k * stride + 0x100, im.mem + im.tt_pa, piece);
    struct ki_image d = im;
    d.mem = mem;
    d.size = size;
    expect_error(&d, 0, SCRY_ERR_CORRUPT,
                 "kallsyms: a token table found, but token table at 0x100: no kallsyms_markers "
                 "before it (u32s rising from 0, 8-aligned, at least 2)");
    free(mem);
    ki_free(&im);
}
END_TEST

static int cancel_now(void *user, uint64_t done, uint64_t total)
{
    (void)user, (void)done, (void)total;
    return 1;
}

START_TEST(test_old_vmcoreinfo_and_cancel)
{
    /* A kernel before 6.0: VMCOREINFO without the tables, so the scan, with
     * KERNELOFFSET still reported. */
    struct ki_image im;
    build(&im, &P61);
    im.vmcoreinfo_len = (size_t)snprintf(im.vmcoreinfo, sizeof im.vmcoreinfo,
                                         "OSRELEASE=5.10.0\nKERNELOFFSET=a000000\n");
    struct scry_sysmap m;
    struct scry_kallsyms_info info;
    char msg[512];
    ck_assert_msg(run(&im, 1, 1, &m, &info, msg) == SCRY_OK, "%s", msg);
    ck_assert_int_eq(info.from_vmcoreinfo, 0);
    ck_assert_int_eq(info.has_kernel_offset, 1);
    ck_assert_uint_eq(info.kernel_offset, 0xa000000);
    ck_assert_uint_eq(m.n, im.nsyms);
    scry_sysmap_free(&m);
    /* The scan stops when the caller cancels (asked after its first chunk:
     * here, with no tables to find, the only one). */
    memset(im.mem + 0x3000, 0, im.size - 0x3000);
    struct fphys f;
    fphys_over(&f, im.mem, im.size, 0);
    struct scry_op op = {.progress = cancel_now};
    ck_assert_int_eq(scry_kallsyms_read(&f.base, &op, NULL, 0, &m, NULL), SCRY_ERR_CANCELLED);
    ck_assert_ptr_null(m.sym);
    ki_free(&im);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("kallsyms");
    TCase *tc = tcase_create("all");
    tcase_add_loop_test(tc, test_layouts, 0, 4 * (int)(sizeof configs / sizeof *configs));
    tcase_add_test(tc, test_no_tables);
    tcase_add_test(tc, test_token_index_past_table);
    tcase_add_test(tc, test_num_syms_huge);
    tcase_add_test(tc, test_length_past_end);
    tcase_add_test(tc, test_truncated_names);
    tcase_add_test(tc, test_markers_inconsistent);
    tcase_add_test(tc, test_decode_hostile);
    tcase_add_test(tc, test_checks);
    tcase_add_test(tc, test_unsorted_and_bytes);
    tcase_add_test(tc, test_vmcoreinfo_hostile);
    tcase_add_test(tc, test_decoys);
    tcase_add_test(tc, test_old_vmcoreinfo_and_cancel);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run_suite(suite());
}
