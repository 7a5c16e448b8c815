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
#include "imagerun.h"
#include "testutil.h"

static uint8_t *image;
static size_t image_len;
static char symdir[4096];
static scry_context *ctx; /* the symbol directory; shared by every run */

/* Opens the (patched) in-memory image and runs a plugin on it. */
static scry_status run_plugin(struct ir_run *x, const char *plugin, int argc, const char *const *argv)
{
    ir_open(x, ctx, image, image_len, "dev-small.raw");
    return scry_plugin_run(x->s, plugin, argc, argv, NULL, &x->r);
}

/* The i-th WARNING of r (its status and message). */
static const char *warning_at(const struct scry_result *r, size_t i, scry_status *status)
{
    for (size_t k = 0; k < scry_result_diag_count(r); k++) {
        scry_diag_level lv;
        const char *msg;
        ck_assert_int_eq(scry_result_diag(r, k, &lv, status, &msg), SCRY_OK);
        if (lv == SCRY_DIAG_WARNING && i-- == 0)
            return msg;
    }
    ck_abort_msg("no warning %zu", i);
    return NULL;
}

/* Prints r's diagnostics (shown when an assertion below fails). */
/* An unpatched image: a complete answer, nothing to warn about. */
static void assert_complete(const struct scry_result *r)
{
    tu_show_diags("unpatched", r);
    ck_assert_uint_eq(ir_count_diags(r, SCRY_DIAG_WARNING), 0);
    ck_assert_int_eq(scry_result_partial(r), 0);
}

static uint64_t canonical(uint64_t masked) { return masked | 0xffff000000000000ull; }

/* The first n task_struct addresses of pslist, and the layout facts. */
static size_t tasks(uint64_t *out, size_t n, struct scry_linux_offsets *off, uint64_t *dtb)
{
    struct ir_run x;
    size_t rows;
    ck_assert_int_eq(run_plugin(&x, "linux.pslist", 0, NULL), SCRY_OK);
    rows = scry_result_row_count(x.r);
    for (size_t i = 0; i < n && i < rows; i++) {
        uint64_t v;
        ck_assert_int_eq(scry_result_cell_uint(x.r, i, 0, &v), SCRY_OK);
        out[i] = canonical(v);
    }
    assert_complete(x.r);
    *off = ir_linux(&x)->off;
    *dtb = ir_linux(&x)->base.dtb;
    ir_free(&x);
    return rows;
}

static void poke(uint64_t pa, uint64_t v) { memcpy(image + pa, &v, 8); }
static uint64_t peek(uint64_t pa)
{
    uint64_t v;
    memcpy(&v, image + pa, 8);
    return v;
}

/* Patches task[i].tasks.next, runs pslist, expects `want` rows, want_diags
 * diagnostics of which exactly one is a WARNING, with status want_st and
 * message want_msg (the others INFO), restores. */
static void next_link_case(const uint64_t *t, const struct scry_linux_offsets *off, size_t i,
                           uint64_t new_next, size_t want, size_t want_diags,
                           scry_status want_st, const char *want_msg)
{
    struct ir_run x, y;
    uint64_t pa, old;
    scry_status st = SCRY_OK;
    ck_assert_int_eq(run_plugin(&y, "linux.pslist", 0, NULL), SCRY_OK);
    pa = ir_pa_of(&y, t[i] + off->task_tasks + off->list_next, image_len);
    ir_free(&y);
    old = peek(pa);
    poke(pa, new_next);
    ck_assert_int_eq(run_plugin(&x, "linux.pslist", 0, NULL), SCRY_OK);
    ck_assert_uint_eq(scry_result_row_count(x.r), want);
    tu_show_diags("next_link_case", x.r);
    /* The list is certainly incomplete: one warning says where and why. */
    ck_assert_uint_eq(ir_count_diags(x.r, SCRY_DIAG_WARNING), 1);
    ck_assert_uint_eq(scry_result_diag_count(x.r), want_diags);
    ck_assert_int_eq(scry_result_partial(x.r), 1);
    ck_assert_str_eq(warning_at(x.r, 0, &st), want_msg);
    ck_assert_int_eq(st, want_st);
    ir_free(&x);
    poke(pa, old);
}

/* The walker's message for a link that does not lead back to the head. */
static const char *bad_link_msg(char *buf, size_t size, size_t entries, uint64_t from,
                                const char *to)
{
    snprintf(buf, size,
             "task list ends early after %zu entries: 0x%llx links to %s instead of back to "
             "the head",
             entries, (unsigned long long)from, to);
    return buf;
}

START_TEST(cyclic_task_list)
{
    uint64_t t[8], dtb;
    struct scry_linux_offsets off;
    char msg[512];
    if (!image)
        return;
    ck_assert_uint_eq(tasks(t, 8, &off, &dtb), 111);
    /* task 5 links back to task 2: tasks 1..5 once each, then the walk ends. */
    next_link_case(t, &off, 4, t[1] + off.task_tasks, 5, 1, SCRY_ERR_CORRUPT,
                   bad_link_msg(msg, sizeof msg, 5, t[4] + off.task_tasks, "an earlier entry"));
    /* task 3 links to itself. */
    next_link_case(t, &off, 2, t[2] + off.task_tasks, 3, 1, SCRY_ERR_CORRUPT,
                   bad_link_msg(msg, sizeof msg, 3, t[2] + off.task_tasks, "an earlier entry"));
    /* task 3 links to an unmapped address: tasks 1..3, then the walk ends.
     * The walker follows the bad link as a 4th entry, skips the task it
     * cannot read there (an INFO: its page is not in the dump), then cannot
     * read that entry's own link: the WARNING. */
    next_link_case(t, &off, 2, 0xffffdead00000000ull, 3, 2, SCRY_ERR_NODATA,
                   "task list ends early after 4 entries: the link at 0xffffdead00000000 "
                   "cannot be read: 0xffffdead00000000: PDPT entry not present");
    /* NULL ends it too. */
    next_link_case(t, &off, 6, 0, 7, 1, SCRY_ERR_CORRUPT,
                   bad_link_msg(msg, sizeof msg, 7, t[6] + off.task_tasks, "NULL"));
}
END_TEST

START_TEST(parent_cycle)
{
    uint64_t t[8], dtb;
    struct scry_linux_offsets off;
    struct ir_run x, y;
    uint64_t pa6, pa7, old6, old7;
    int64_t pid6, pid7;
    size_t warnings, seen6 = 0, seen7 = 0;
    if (!image)
        return;
    tasks(t, 8, &off, &dtb);
    ck_assert_int_eq(run_plugin(&y, "linux.pslist", 0, NULL), SCRY_OK);
    pa6 = ir_pa_of(&y, t[6] + off.task_parent, image_len);
    pa7 = ir_pa_of(&y, t[7] + off.task_parent, image_len);
    ck_assert_int_eq(scry_result_cell_int(y.r, 6, 1, &pid6), SCRY_OK);
    ck_assert_int_eq(scry_result_cell_int(y.r, 7, 1, &pid7), SCRY_OK);
    ir_free(&y);
    /* The unpatched tree has nothing to warn about. */
    ck_assert_int_eq(run_plugin(&y, "linux.pstree", 0, NULL), SCRY_OK);
    assert_complete(y.r);
    ir_free(&y);
    old6 = peek(pa6), old7 = peek(pa7);
    poke(pa6, t[7]); /* each the other's parent: Volatility's pstree loops */
    poke(pa7, t[6]);
    ck_assert_int_eq(run_plugin(&x, "linux.pstree", 0, NULL), SCRY_OK);
    /* The two lose their place in the tree; everyone else is still there. */
    ck_assert_uint_le(scry_result_row_count(x.r), 111);
    ck_assert_uint_ge(scry_result_row_count(x.r), 100);
    /* Each task whose parent chain loops says so (the two, and any task
     * below them); nothing else is wrong. */
    tu_show_diags("parent_cycle", x.r);
    ck_assert_int_eq(scry_result_partial(x.r), 1);
    warnings = ir_count_diags(x.r, SCRY_DIAG_WARNING);
    ck_assert_uint_ge(warnings, 2);
    for (size_t i = 0; i < warnings; i++) {
        scry_status st;
        const char *msg = warning_at(x.r, i, &st);
        char want6[160], want7[160];
        int pid = -1, used = 0;
        ck_assert_int_eq(st, SCRY_ERR_CORRUPT);
        ck_assert_msg(sscanf(msg, "pid %d: its parent chain loops (a parent cycle); its place in "
                                  "the tree is a guess%n",
                             &pid, &used) == 1 &&
                          used > 0 && msg[used] == '\0',
                      "unexpected warning: %s", msg);
        snprintf(want6, sizeof want6,
                 "pid %d: its parent chain loops (a parent cycle); its place in the tree is a "
                 "guess",
                 (int)pid6);
        snprintf(want7, sizeof want7,
                 "pid %d: its parent chain loops (a parent cycle); its place in the tree is a "
                 "guess",
                 (int)pid7);
        seen6 += strcmp(msg, want6) == 0;
        seen7 += strcmp(msg, want7) == 0;
    }
    ck_assert_uint_eq(seen6, 1);
    ck_assert_uint_eq(seen7, 1);
    ir_free(&x);
    poke(pa6, old6), poke(pa7, old7);
}
END_TEST

/* The first task's page is unreachable: it is skipped (INFO) and the walk
 * cannot go past its link (the one WARNING). */
static void page_table_diags(const struct scry_result *r, uint64_t link)
{
    char want[256];
    scry_status st = SCRY_OK;
    ck_assert_int_eq(scry_result_partial(r), 1);
    ck_assert_uint_eq(ir_count_diags(r, SCRY_DIAG_WARNING), 1);
    snprintf(want, sizeof want,
             "task list ends early after 1 entry: the link at 0x%llx cannot be read: 0x%llx: "
             "PDPT entry not present",
             (unsigned long long)link, (unsigned long long)link);
    ck_assert_str_eq(warning_at(r, 0, &st), want);
    ck_assert_int_eq(st, SCRY_ERR_NODATA);
}

START_TEST(self_referencing_page_table)
{
    uint64_t t[1], dtb, entry_pa, old;
    struct scry_linux_offsets off;
    struct ir_run x;
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
    tu_show_diags("self_referencing_page_table pslist", x.r);
    page_table_diags(x.r, t[0] + off.task_tasks);
    ir_free(&x);
    /* psaux reads user memory through the same tables: also bounded. */
    ck_assert_int_eq(run_plugin(&x, "linux.psaux", 0, NULL), SCRY_OK);
    tu_show_diags("self_referencing_page_table psaux", x.r);
    page_table_diags(x.r, t[0] + off.task_tasks);
    ir_free(&x);
    poke(entry_pa, old);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("linux_hostile");
    TCase *tc = tcase_create("hostile");
    int rc;
    ir_load_small("test_linux_hostile", &image, &image_len, symdir, sizeof symdir, &ctx);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, cyclic_task_list);
    tcase_add_test(tc, parent_cycle);
    tcase_add_test(tc, self_referencing_page_table);
    suite_add_tcase(s, tc);
    rc = tu_run_suite(s);
    scry_context_free(ctx);
    free(image);
    return rc;
}
