/* test_linux_hostile.c - the Linux walkers on real memory made hostile.
 *
 * dev-small.raw is loaded into memory, one structure is patched (a task list
 * that loops back, a task whose next link points at itself or nowhere, a
 * parent cycle, a page table that points at itself), and the plugins must
 * finish with a bounded, correct result: never hang, never crash. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/os/linux.h"
#include "formats/phys.h"
#include "lib/plugins/plugin.h"
#include "lib/session/session.h"
#include "testutil.h"

static uint8_t *image;
static size_t image_len;
static char symdir[4096];

static int load_image(void)
{
    const char *data = getenv("MEMSCRY_CORPUS_DATA");
    char path[4096];
    const char *corpus = tu_corpus_dir("test_linux_hostile");
    if (!corpus)
        return 0;
    snprintf(symdir, sizeof symdir, "%s/symbols", corpus);
    snprintf(path, sizeof path, "%s/dev-small.raw", data && *data ? data : SCRY_BINARY_DIR "/corpus-data");
    image = (uint8_t *)tu_slurp(path, &image_len);
    if (!image)
        printf("SKIP test_linux_hostile: %s not unpacked\n", path);
    return image != NULL;
}

struct run {
    struct scry_dump dump;
    struct scry_session *s;
    struct scry_result *r;
};

/* Opens the (patched) in-memory image and runs a plugin on it. */
static scry_status run_plugin(struct run *x, const char *plugin, int argc, const char *const *argv)
{
    struct scry_file *f;
    const char *dirs[1] = {symdir};
    memset(x, 0, sizeof *x);
    ck_assert_int_eq(scry_file_from_memory(image, image_len, "dev-small.raw", &f), SCRY_OK);
    ck_assert_int_eq(scry_phys_open_file(f, NULL, &x->dump.phys), SCRY_OK);
    ck_assert_int_eq(scry_session_open(&x->dump, dirs, 1, &x->s), SCRY_OK);
    return scry_plugin_run(x->s, plugin, argc, argv, &x->r);
}

static void run_free(struct run *x)
{
    scry_result_free(x->r);
    scry_session_close(x->s);
    scry_phys_close(x->dump.phys);
}

/* Physical address of kernel virtual address va in the unpatched image. */
static uint64_t pa_of(struct run *x, uint64_t va)
{
    uint64_t pa = 0;
    ck_assert_int_eq(scry_vspace_translate(&x->s->lnx->kernel, va, &pa), SCRY_OK);
    ck_assert_uint_lt(pa + 8, image_len);
    return pa;
}

static uint64_t canonical(uint64_t masked) { return masked | 0xffff000000000000ull; }

/* The first n task_struct addresses of pslist, and the layout facts. */
static size_t tasks(uint64_t *out, size_t n, struct scry_linux_offsets *off, uint64_t *dtb)
{
    struct run x;
    size_t rows;
    ck_assert_int_eq(run_plugin(&x, "linux.pslist", 0, NULL), SCRY_OK);
    rows = scry_result_row_count(x.r);
    for (size_t i = 0; i < n && i < rows; i++) {
        uint64_t v;
        ck_assert_int_eq(scry_result_cell_uint(x.r, i, 0, &v), SCRY_OK);
        out[i] = canonical(v);
    }
    *off = x.s->lnx->off;
    *dtb = x.s->lnx->dtb;
    run_free(&x);
    return rows;
}

static void poke(uint64_t pa, uint64_t v) { memcpy(image + pa, &v, 8); }
static uint64_t peek(uint64_t pa)
{
    uint64_t v;
    memcpy(&v, image + pa, 8);
    return v;
}

/* Patches task[i].tasks.next, runs pslist, expects `want` rows, restores. */
static void next_link_case(const uint64_t *t, const struct scry_linux_offsets *off, size_t i,
                           uint64_t new_next, size_t want)
{
    struct run x, y;
    uint64_t pa, old;
    ck_assert_int_eq(run_plugin(&y, "linux.pslist", 0, NULL), SCRY_OK);
    pa = pa_of(&y, t[i] + off->task_tasks + off->list_next);
    run_free(&y);
    old = peek(pa);
    poke(pa, new_next);
    ck_assert_int_eq(run_plugin(&x, "linux.pslist", 0, NULL), SCRY_OK);
    ck_assert_uint_eq(scry_result_row_count(x.r), want);
    run_free(&x);
    poke(pa, old);
}

START_TEST(cyclic_task_list)
{
    uint64_t t[8], dtb;
    struct scry_linux_offsets off;
    if (!image)
        return;
    ck_assert_uint_eq(tasks(t, 8, &off, &dtb), 111);
    /* task 5 links back to task 2: tasks 1..5 once each, then the walk ends. */
    next_link_case(t, &off, 4, t[1] + off.task_tasks, 5);
    /* task 3 links to itself. */
    next_link_case(t, &off, 2, t[2] + off.task_tasks, 3);
    /* task 3 links to an unmapped address: tasks 1..3, then the walk ends. */
    next_link_case(t, &off, 2, 0xffffdead00000000ull, 3);
    /* NULL ends it too. */
    next_link_case(t, &off, 6, 0, 7);
}
END_TEST

START_TEST(parent_cycle)
{
    uint64_t t[8], dtb;
    struct scry_linux_offsets off;
    struct run x, y;
    uint64_t pa6, pa7, old6, old7;
    if (!image)
        return;
    tasks(t, 8, &off, &dtb);
    ck_assert_int_eq(run_plugin(&y, "linux.pslist", 0, NULL), SCRY_OK);
    pa6 = pa_of(&y, t[6] + off.task_parent);
    pa7 = pa_of(&y, t[7] + off.task_parent);
    run_free(&y);
    old6 = peek(pa6), old7 = peek(pa7);
    poke(pa6, t[7]); /* each the other's parent: Volatility's pstree loops */
    poke(pa7, t[6]);
    ck_assert_int_eq(run_plugin(&x, "linux.pstree", 0, NULL), SCRY_OK);
    /* The two lose their place in the tree; everyone else is still there. */
    ck_assert_uint_le(scry_result_row_count(x.r), 111);
    ck_assert_uint_ge(scry_result_row_count(x.r), 100);
    run_free(&x);
    poke(pa6, old6), poke(pa7, old7);
}
END_TEST

START_TEST(self_referencing_page_table)
{
    uint64_t t[1], dtb, entry_pa, old;
    struct scry_linux_offsets off;
    struct run x;
    if (!image)
        return;
    tasks(t, 1, &off, &dtb);
    /* The PML4 entry that maps the first task (the direct map) now points
     * back at the PML4 itself. */
    entry_pa = dtb + ((t[0] >> 39) & 0x1ff) * 8;
    old = peek(entry_pa);
    poke(entry_pa, dtb | 0x63);
    ck_assert_int_eq(run_plugin(&x, "linux.pslist", 0, NULL), SCRY_OK);
    ck_assert_uint_lt(scry_result_row_count(x.r), 111); /* bounded, no hang */
    run_free(&x);
    /* psaux reads user memory through the same tables: also bounded. */
    ck_assert_int_eq(run_plugin(&x, "linux.psaux", 0, NULL), SCRY_OK);
    run_free(&x);
    poke(entry_pa, old);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("linux_hostile");
    TCase *tc = tcase_create("hostile");
    int rc;
    load_image();
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, cyclic_task_list);
    tcase_add_test(tc, parent_cycle);
    tcase_add_test(tc, self_referencing_page_table);
    suite_add_tcase(s, tc);
    rc = tu_run_suite(s);
    free(image);
    return rc;
}
