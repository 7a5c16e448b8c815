/* test_linux_vma_hostile.c - linux.proc.Maps, linux.elfs and linux.malfind
 * on dev-small.raw with the marker process's maple tree made hostile: a
 * node that is its own child, a leaf naming the wrong parent, a root to
 * nowhere. Each run ends, keeps every row it can read, and says what was
 * wrong; the unpatched image gives Volatility's rows and no warning. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/os/linux.h"
#include "lib/plugins/plugin.h"
#include "lib/session/session.h"
#include "lib/walk/linux_tasks.h"
#include "imagerun.h"
#include "testutil.h"

static uint8_t *image;
static size_t image_len;
static char symdir[4096];
static scry_context *ctx;

#define MARKER_PID 147 /* corpus README: dev-small's marker */

static scry_status run_plugin(struct ir_run *x, const char *plugin, int argc,
                              const char *const *argv)
{
    ir_open(x, ctx, image, image_len, "dev-small.raw");
    return scry_plugin_run(x->s, plugin, argc, argv, NULL, &x->r);
}

struct find {
    uint64_t mm;
};

static int find_marker(void *user, const struct scry_linux_task *t)
{
    if (t->pid != MARKER_PID)
        return 0;
    ((struct find *)user)->mm = t->mm;
    return 1;
}

/* Physical addresses of the marker's mm_mt.ma_root and of its root node. */
static void marker_tree(uint64_t *root_pa, uint64_t *root_entry, uint64_t *node_pa)
{
    struct ir_run x;
    struct find f = {0};
    struct scry_vspace ks;
    ck_assert_int_eq(run_plugin(&x, "linux.pslist", 0, NULL), SCRY_OK);
    const struct scry_linux *l = ir_linux(&x);
    ck_assert_int_eq(scry_linux_walk_tasks(l, NULL, 0, find_marker, &f), SCRY_OK);
    ck_assert_uint_ne(f.mm, 0);
    ck_assert_int_eq(scry_profile_kernel(&l->base, &ks), SCRY_OK);
    uint64_t at = f.mm + l->off.mm_mt + l->off.mt_root;
    *root_pa = ir_pa_of(&x, at, image_len);
    memcpy(root_entry, image + *root_pa, 8);
    *node_pa = ir_pa_of(&x, *root_entry & ~0xffull, image_len);
    ir_free(&x);
}

static size_t warnings_with(const struct scry_result *r, const char *text)
{
    size_t n = 0;
    for (size_t k = 0; k < scry_result_diag_count(r); k++) {
        scry_diag_level lv;
        scry_status st;
        const char *msg;
        ck_assert_int_eq(scry_result_diag(r, k, &lv, &st, &msg), SCRY_OK);
        if (lv == SCRY_DIAG_WARNING && strstr(msg, text))
            n++;
    }
    return n;
}

static size_t rows_of(const char *plugin, const char *text, size_t want_warnings)
{
    static const char *const argv[] = {"--pid", "147"};
    struct ir_run x;
    ck_assert_int_eq(run_plugin(&x, plugin, 2, argv), SCRY_OK);
    size_t n = scry_result_row_count(x.r);
    if (text)
        ck_assert_uint_eq(warnings_with(x.r, text), want_warnings);
    else
        ck_assert_int_eq(scry_result_partial(x.r), 0);
    ck_assert_int_eq(scry_result_partial(x.r), text != NULL && want_warnings > 0);
    ir_free(&x);
    return n;
}

START_TEST(hostile_maple_tree)
{
    uint64_t root_pa, root, node_pa, slot0;
    if (!image)
        return;
    marker_tree(&root_pa, &root, &node_pa);
    size_t maps = rows_of("linux.proc.Maps", NULL, 0);
    size_t elfs = rows_of("linux.elfs", NULL, 0);
    ck_assert_uint_eq(rows_of("linux.malfind", NULL, 0), 1);
    ck_assert_uint_ge(maps, 10);
    ck_assert_uint_eq(elfs, 2);
    unsigned type = (unsigned)(root >> 3) & 0xf;
    printf("marker maple root 0x%llx: type %u\n", (unsigned long long)root, type);
    /* The marker's 13 VMAs fit one leaf or hang below an internal root. */
    if (type == 1) { /* a leaf root: make it name the wrong parent */
        uint64_t parent;
        memcpy(&parent, image + node_pa, 8);
        uint64_t bad = parent ^ 0x1000;
        memcpy(image + node_pa, &bad, 8);
        ck_assert_uint_eq(rows_of("linux.proc.Maps", "names parent", 1), 0);
        memcpy(image + node_pa, &parent, 8);
    } else { /* an internal root: its first child becomes the root itself */
        uint64_t slot_off = 0;
        struct ir_run x;
        ck_assert_int_eq(run_plugin(&x, "linux.pslist", 0, NULL), SCRY_OK);
        slot_off = type == 3 ? ir_linux(&x)->off.mn_arange_slot : ir_linux(&x)->off.mn_range_slot;
        memcpy(&slot0, image + node_pa + slot_off, 8);
        uint64_t child_pa = ir_pa_of(&x, slot0 & ~0xffull, image_len), parent;
        ir_free(&x);
        /* The first child names the wrong parent: its VMAs are lost. */
        memcpy(&parent, image + child_pa, 8);
        uint64_t bad = parent ^ 0x1000;
        memcpy(image + child_pa, &bad, 8);
        ck_assert_uint_lt(rows_of("linux.proc.Maps", "names parent", 1), maps);
        memcpy(image + child_pa, &parent, 8);
        memcpy(image + node_pa + slot_off, &root, 8);
        size_t got = rows_of("linux.proc.Maps", "has already been seen", 1);
        ck_assert_uint_lt(got, maps);
        memcpy(image + node_pa + slot_off, &slot0, 8);
    }
    /* A root to nowhere: no rows for the process, a diagnostic, no hang. */
    uint64_t nowhere = 0xffffdead00000000ull | (root & 0xff);
    memcpy(image + root_pa, &nowhere, 8);
    {
        static const char *const argv[] = {"--pid", "147"};
        struct ir_run x;
        ck_assert_int_eq(run_plugin(&x, "linux.proc.Maps", 2, argv), SCRY_OK);
        ck_assert_uint_eq(scry_result_row_count(x.r), 0);
        ck_assert_uint_ge(scry_result_diag_count(x.r), 1);
        ir_free(&x);
        ck_assert_int_eq(run_plugin(&x, "linux.malfind", 2, argv), SCRY_OK);
        ck_assert_uint_eq(scry_result_row_count(x.r), 0);
        ir_free(&x);
    }
    memcpy(image + root_pa, &root, 8);
    ck_assert_uint_eq(rows_of("linux.proc.Maps", NULL, 0), maps);
}
END_TEST

/* The physical address of the PTE mapping user va in the marker's tables. */
static uint64_t marker_pte(uint64_t va)
{
    struct ir_run x;
    struct find f = {0};
    struct scry_vspace ks, ps;
    ck_assert_int_eq(run_plugin(&x, "linux.pslist", 0, NULL), SCRY_OK);
    const struct scry_linux *l = ir_linux(&x);
    ck_assert_int_eq(scry_linux_walk_tasks(l, NULL, 0, find_marker, &f), SCRY_OK);
    ck_assert_int_eq(scry_profile_kernel(&l->base, &ks), SCRY_OK);
    ck_assert_int_eq(scry_linux_process_vspace(l, &ks, f.mm, &ps), SCRY_OK);
    ir_free(&x);
    uint64_t table = ps.dtb & 0x000ffffffffff000ull, e = 0;
    for (int shift = 39; shift >= 12; shift -= 9) {
        uint64_t at = table + ((va >> shift) & 0x1ff) * 8;
        ck_assert_uint_lt(at + 8, image_len);
        if (shift == 12)
            return at;
        memcpy(&e, image + at, 8);
        ck_assert_msg((e & 1) && !(e & 0x80), "no 4 KiB PTE for 0x%llx", (unsigned long long)va);
        table = e & 0x000ffffffffff000ull;
    }
    return 0;
}

/* A dirty page in the marker's r-x text (a file mapping): malfind now
 * lists that VMA too, and says why in an INFO. */
START_TEST(dirty_exec_page)
{
    static const char *const argv[] = {"--pid", "147"};
    struct ir_run x;
    uint64_t pte_pa, pte, dirty;
    const char *prot;
    size_t len;
    uint64_t start;
    if (!image)
        return;
    pte_pa = marker_pte(0x401000); /* /bin/memf's text: 0x401000-0x4a3000 */
    memcpy(&pte, image + pte_pa, 8);
    printf("marker PTE of 0x401000 at pa 0x%llx: 0x%llx\n", (unsigned long long)pte_pa,
           (unsigned long long)pte);
    ck_assert_uint_eq(pte & 1, 1);
    ck_assert_uint_eq(pte & 0x40, 0);
    dirty = pte | 0x40;
    memcpy(image + pte_pa, &dirty, 8);
    ck_assert_int_eq(run_plugin(&x, "linux.malfind", 2, argv), SCRY_OK);
    ck_assert_uint_eq(scry_result_row_count(x.r), 2);
    ck_assert_int_eq(scry_result_cell_uint(x.r, 0, 2, &start), SCRY_OK);
    ck_assert_uint_eq(start, 0x401000);
    ck_assert_int_eq(scry_result_cell_str(x.r, 0, 4, &prot, &len), SCRY_OK);
    ck_assert_str_eq(prot, "r-x");
    ck_assert_int_eq(scry_result_partial(x.r), 0);
    int found = 0;
    for (size_t k = 0; k < scry_result_diag_count(x.r); k++) {
        scry_diag_level lv;
        scry_status st;
        const char *msg;
        ck_assert_int_eq(scry_result_diag(x.r, k, &lv, &st, &msg), SCRY_OK);
        found += lv == SCRY_DIAG_INFO &&
                 !strcmp(msg, "Found malicious (dirty+exec) page at 0x401000 !");
    }
    ck_assert_int_eq(found, 1);
    ir_free(&x);
    memcpy(image + pte_pa, &pte, 8);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("linux_vma_hostile");
    TCase *tc = tcase_create("maple");
    int rc;
    ir_load_small("test_linux_vma_hostile", &image, &image_len, symdir, sizeof symdir, &ctx);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, hostile_maple_tree);
    tcase_add_test(tc, dirty_exec_page);
    suite_add_tcase(s, tc);
    rc = tu_run_suite(s);
    scry_context_free(ctx);
    free(image);
    return rc;
}
