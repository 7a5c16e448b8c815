/* test_hostile_threads.c - thread lists: both layouts, and hostile ones.
 *
 * dev-small.raw (a 6.1 kernel) carries both thread lists: task_struct.
 * thread_group and signal->thread_head linked through thread_node, the
 * only one kernels >= 6.7 have. With the ISF patched to hide one of them,
 * each layout alone must give the same pslist --threads as the unpatched
 * run (which takes thread_head first, as Volatility does). Then the image
 * is patched: a thread list that loops back (to the thread itself, to the
 * leader), a NULL signal pointer, an unreadable one. Each run finishes with
 * a bounded answer and the one warning that says why. */
#include <check.h>
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/os/linux.h"
#include "lib/session/session.h"
#include "imagerun.h"
#include "testutil.h"

static uint8_t *image;
static size_t image_len;
static char symdir[4096];
static scry_context *ctx;

/* dev-small's truth.json: 115 tasks, 111 leaders; pid 100 has the four
 * threads 110..113 (worker-0..3). */
#define TASKS 115
#define LEADER 100

static const char *const threads_arg[] = {"--threads"};

static scry_status run_threads(struct ir_run *x, scry_context *c)
{
    ir_open(x, c, image, image_len, "dev-small.raw");
    return scry_plugin_run(x->s, "linux.pslist", 1, threads_arg, NULL, &x->r);
}

static void poke(uint64_t pa, uint64_t v) { memcpy(image + pa, &v, 8); }
static uint64_t peek(uint64_t pa)
{
    uint64_t v;
    memcpy(&v, image + pa, 8);
    return v;
}

/* The task address of the row whose TID is tid (fails when absent). */
static uint64_t task_of(const struct scry_result *r, int64_t tid)
{
    for (size_t i = 0; i < scry_result_row_count(r); i++) {
        int64_t t;
        uint64_t v;
        ck_assert_int_eq(scry_result_cell_int(r, i, 2, &t), SCRY_OK);
        if (t != tid)
            continue;
        ck_assert_int_eq(scry_result_cell_uint(r, i, 0, &v), SCRY_OK);
        return v | 0xffff000000000000ull;
    }
    ck_abort_msg("no tid %lld", (long long)tid);
    return 0;
}

/* The unpatched run's JSON, and the facts the cases patch. */
struct facts {
    char *json;
    size_t len;
    struct scry_linux_offsets off;
    uint64_t leader, t111, leader_signal_pa, t111_node_pa, leader_node;
};

static void facts(struct facts *f)
{
    struct ir_run x;
    ck_assert_int_eq(run_threads(&x, ctx), SCRY_OK);
    tu_show_diags("unpatched", x.r);
    ck_assert_uint_eq(scry_result_row_count(x.r), TASKS);
    ck_assert_uint_eq(scry_result_diag_count(x.r), 0);
    f->json = tu_render(x.r, "json", &f->len);
    f->off = ir_linux(&x)->off;
    ck_assert_uint_ne(f->off.task_thread_group, SCRY_LINUX_NO_OFFSET);
    ck_assert_uint_ne(f->off.signal_thread_head, SCRY_LINUX_NO_OFFSET);
    f->leader = task_of(x.r, LEADER);
    f->t111 = task_of(x.r, 111);
    f->leader_signal_pa = ir_pa_of(&x, f->leader + f->off.task_signal, image_len);
    f->t111_node_pa = ir_pa_of(&x, f->t111 + f->off.task_thread_node + f->off.list_next, image_len);
    f->leader_node = f->leader + f->off.task_thread_node;
    ir_free(&x);
}

/* Patches 8 bytes at pa, runs pslist --threads, expects `want` rows and
 * exactly one diagnostic, a WARNING with want_st and want_msg; restores. */
static void patch_case(uint64_t pa, uint64_t v, size_t want, scry_status want_st,
                       const char *want_msg)
{
    struct ir_run x;
    uint64_t old = peek(pa);
    scry_diag_level lv;
    scry_status st;
    const char *msg;
    poke(pa, v);
    ck_assert_int_eq(run_threads(&x, ctx), SCRY_OK);
    tu_show_diags("patch_case", x.r);
    ck_assert_uint_eq(scry_result_row_count(x.r), want);
    ck_assert_uint_eq(scry_result_diag_count(x.r), 1);
    ck_assert_int_eq(scry_result_diag(x.r, 0, &lv, &st, &msg), SCRY_OK);
    ck_assert_int_eq(lv, SCRY_DIAG_WARNING);
    ck_assert_int_eq(st, want_st);
    ck_assert_str_eq(msg, want_msg);
    ck_assert_int_eq(scry_result_partial(x.r), 1);
    ir_free(&x);
    poke(pa, old);
}

START_TEST(thread_list_loops)
{
    struct facts f;
    char want[512];
    if (!image)
        return;
    facts(&f);
    /* Thread 111's thread_node links to itself: the list is leader, 110,
     * 111, then 111 again; threads 112 and 113 are lost. */
    snprintf(want, sizeof want,
             "thread group of task 0x%llx ends early after 3 entries: 0x%llx links to an "
             "earlier entry instead of back to the head",
             (unsigned long long)f.leader,
             (unsigned long long)(f.t111 + f.off.task_thread_node));
    patch_case(f.t111_node_pa, f.t111 + f.off.task_thread_node, TASKS - 2, SCRY_ERR_CORRUPT,
               want);
    /* ... to the leader, the first entry: the same. */
    patch_case(f.t111_node_pa, f.leader_node, TASKS - 2, SCRY_ERR_CORRUPT, want);
    /* ... to NULL. */
    snprintf(want, sizeof want,
             "thread group of task 0x%llx ends early after 3 entries: 0x%llx links to NULL "
             "instead of back to the head",
             (unsigned long long)f.leader,
             (unsigned long long)(f.t111 + f.off.task_thread_node));
    patch_case(f.t111_node_pa, 0, TASKS - 2, SCRY_ERR_CORRUPT, want);
    free(f.json);
}
END_TEST

START_TEST(signal_pointer)
{
    struct facts f;
    char want[512];
    if (!image)
        return;
    facts(&f);
    snprintf(want, sizeof want,
             "thread group of task 0x%llx: threads skipped: its signal pointer is NULL",
             (unsigned long long)f.leader);
    patch_case(f.leader_signal_pa, 0, TASKS - 4, SCRY_ERR_CORRUPT, want);
    /* An unmapped signal struct: the head cannot be read. */
    snprintf(want, sizeof want,
             "thread group of task 0x%llx cannot start: its head 0xffffdead00000010 cannot be "
             "read: 0xffffdead00000010: PDPT entry not present",
             (unsigned long long)f.leader);
    patch_case(f.leader_signal_pa, 0xffffdead00000000ull, TASKS - 4, SCRY_ERR_NODATA, want);
    free(f.json);
}
END_TEST

/* ---- Each layout alone (an ISF with the other hidden) ---- */

/* The corpus ISF with its one `from` replaced by `to` (same length) in a
 * fresh symbol directory dir (a mkdtemp template); the ISF's path in file. */
static void patched_isf(const char *from, const char *to, char *dir, char *file)
{
    char path[4200], sub[4200];
    size_t inlen, cap = 64u << 20, inpos = 0, outpos = 0;
    uint64_t memlimit = UINT64_MAX;
    char *in, *out, *at;
    FILE *fp;
    ck_assert_uint_eq(strlen(from), strlen(to));
    snprintf(path, sizeof path, "%s/linux/debian-6.1.0-57-cloud-amd64.json.xz", symdir);
    in = tu_slurp(path, &inlen);
    ck_assert_ptr_nonnull(in);
    out = malloc(cap + 1);
    ck_assert_ptr_nonnull(out);
    ck_assert_int_eq(lzma_stream_buffer_decode(&memlimit, 0, NULL, (const uint8_t *)in, &inpos,
                                               inlen, (uint8_t *)out, &outpos, cap),
                     LZMA_OK);
    free(in);
    out[outpos] = 0;
    at = strstr(out, from);
    ck_assert_ptr_nonnull(at);
    memcpy(at, to, strlen(to));
    ck_assert_ptr_null(strstr(at + 1, from));
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(sub, sizeof sub, "%s/linux", dir);
    ck_assert_int_eq(mkdir(sub, 0700), 0);
    snprintf(file, 4300, "%s/patched.json", sub);
    fp = fopen(file, "wb");
    ck_assert_ptr_nonnull(fp);
    ck_assert_uint_eq(fwrite(out, 1, outpos, fp), outpos);
    ck_assert_int_eq(fclose(fp), 0);
    free(out);
}

static void remove_isf(const char *dir, const char *file)
{
    char sub[4200];
    snprintf(sub, sizeof sub, "%s/linux", dir);
    unlink(file);
    rmdir(sub);
    rmdir(dir);
}

/* pslist --threads with the ISF patched (from -> to) equals the unpatched
 * run, byte for byte; the layout left is the one expected. */
static void layout_alone(const char *from, const char *to, int thread_head)
{
    char dir[] = "/tmp/memscry-isf-XXXXXX", file[4300];
    struct facts f;
    struct ir_run x;
    scry_context *c;
    size_t len;
    char *json;
    facts(&f);
    patched_isf(from, to, dir, file);
    ck_assert_int_eq(scry_context_new(&c), SCRY_OK);
    ck_assert_int_eq(scry_context_add_symbol_dir(c, dir), SCRY_OK);
    ck_assert_int_eq(run_threads(&x, c), SCRY_OK);
    tu_show_diags("layout_alone", x.r);
    ck_assert_uint_eq(scry_result_diag_count(x.r), 0);
    if (thread_head) {
        ck_assert_uint_eq(ir_linux(&x)->off.task_thread_group, SCRY_LINUX_NO_OFFSET);
        ck_assert_uint_ne(ir_linux(&x)->off.signal_thread_head, SCRY_LINUX_NO_OFFSET);
    } else {
        ck_assert_uint_ne(ir_linux(&x)->off.task_thread_group, SCRY_LINUX_NO_OFFSET);
        ck_assert_uint_eq(ir_linux(&x)->off.signal_thread_head, SCRY_LINUX_NO_OFFSET);
    }
    json = tu_render(x.r, "json", &len);
    tu_assert_bytes("pslist --threads", json, len, f.json, f.len);
    free(json);
    ir_free(&x);
    scry_context_free(c);
    remove_isf(dir, file);
    free(f.json);
}

START_TEST(thread_head_alone)
{
    if (!image)
        return;
    /* A >= 6.7 layout: no task_struct.thread_group. */
    layout_alone("\"thread_group\": {", "\"thread_grouz\": {", 1);
}
END_TEST

START_TEST(thread_group_alone)
{
    if (!image)
        return;
    /* A pre-3.x layout: no signal_struct.thread_head. */
    layout_alone("\"thread_head\": {", "\"thread_heaz\": {", 0);
}
END_TEST

START_TEST(no_thread_list)
{
    char dir[] = "/tmp/memscry-isf-XXXXXX", dir2[] = "/tmp/memscry-isf-XXXXXX", file[4300],
         file2[4300], want[4600], sub[64];
    struct ir_run x;
    scry_context *c;
    char *isf;
    size_t len;
    FILE *fp;
    if (!image)
        return;
    /* Both hidden: the second patch applied to the first's output. */
    patched_isf("\"thread_group\": {", "\"thread_grouz\": {", dir, file);
    isf = tu_slurp(file, &len);
    ck_assert_ptr_nonnull(isf);
    ck_assert_ptr_nonnull(strstr(isf, "\"thread_head\": {"));
    memcpy(strstr(isf, "\"thread_head\": {"), "\"thread_heaz\": {", 16);
    ck_assert_ptr_nonnull(mkdtemp(dir2));
    snprintf(sub, sizeof sub, "%s/linux", dir2);
    ck_assert_int_eq(mkdir(sub, 0700), 0);
    snprintf(file2, sizeof file2, "%s/patched.json", sub);
    fp = fopen(file2, "wb");
    ck_assert_ptr_nonnull(fp);
    ck_assert_uint_eq(fwrite(isf, 1, len, fp), len);
    ck_assert_int_eq(fclose(fp), 0);
    free(isf);
    remove_isf(dir, file);
    ck_assert_int_eq(scry_context_new(&c), SCRY_OK);
    ck_assert_int_eq(scry_context_add_symbol_dir(c, dir2), SCRY_OK);
    ck_assert_int_eq(run_threads(&x, c), SCRY_ERR_UNSUPPORTED);
    snprintf(want, sizeof want,
             "%s: no thread list: the ISF has neither signal_struct.thread_head with "
             "task_struct.signal and thread_node, nor task_struct.thread_group",
             file2);
    ck_assert_str_eq(scry_last_error(), want);
    ir_free(&x);
    scry_context_free(c);
    remove_isf(dir2, file2);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("hostile_threads");
    TCase *tc = tcase_create("threads");
    int rc;
    ir_load_small("test_hostile_threads", &image, &image_len, symdir, sizeof symdir, &ctx);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, thread_list_loops);
    tcase_add_test(tc, signal_pointer);
    tcase_add_test(tc, thread_head_alone);
    tcase_add_test(tc, thread_group_alone);
    tcase_add_test(tc, no_thread_list);
    suite_add_tcase(s, tc);
    rc = tu_run_suite(s);
    scry_context_free(ctx);
    free(image);
    return rc;
}
