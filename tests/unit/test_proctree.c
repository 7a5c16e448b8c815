/* test_proctree.c - memscry.proctree.ProcTreeCheck on synthetic anomalies:
 * dev-small.raw (a real 6.1 guest) and the Windows 10 22H2 sample, patched
 * in memory so that each rule fires once, with the exact rows (rule,
 * severity, PID, PPID, process, offset, explanation) asserted; then hostile
 * patches (a task list cycle, a huge PID, a parent loop) that must end
 * with a bounded, exact answer. Unpatched, dev-small has no finding and
 * the Windows sample one (hidden_rk.exe, tests/integration/proctree.py). */
#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imagerun.h"
#include "lib/os/windows.h"
#include "lib/plugins/proctree.h"
#include "symbols/resolve.h"
#include "testutil.h"

static uint8_t *limage, *wimage;
static size_t limage_len;
static char symdir[4096];
static scry_context *lctx, *wctx;

#define WIN_SIZE (64u << 20)

static void put64(uint8_t *img, uint64_t pa, uint64_t v) { memcpy(img + pa, &v, 8); }
static void put32(uint8_t *img, uint64_t pa, uint32_t v) { memcpy(img + pa, &v, 4); }
static uint64_t get64(const uint8_t *img, uint64_t pa)
{
    uint64_t v;
    memcpy(&v, img + pa, 8);
    return v;
}

/* Row i of r as one line: Rule|Severity|PID|PPID|Process|0xOffset|Explanation. */
static void row_text(const struct scry_result *r, size_t i, char *out, size_t cap)
{
    const char *rule, *sev, *proc, *expl;
    size_t n;
    int64_t pid, ppid;
    uint64_t off;
    ck_assert_int_eq(scry_result_cell_str(r, i, 0, &rule, &n), SCRY_OK);
    ck_assert_int_eq(scry_result_cell_str(r, i, 1, &sev, &n), SCRY_OK);
    ck_assert_int_eq(scry_result_cell_int(r, i, 2, &pid), SCRY_OK);
    ck_assert_int_eq(scry_result_cell_int(r, i, 3, &ppid), SCRY_OK);
    ck_assert_int_eq(scry_result_cell_str(r, i, 4, &proc, &n), SCRY_OK);
    ck_assert_int_eq(scry_result_cell_uint(r, i, 5, &off), SCRY_OK);
    ck_assert_int_eq(scry_result_cell_str(r, i, 6, &expl, &n), SCRY_OK);
    snprintf(out, cap, "%s|%s|%" PRId64 "|%" PRId64 "|%s|0x%" PRIx64 "|%s\n", rule, sev, pid,
             ppid, proc, off, expl);
}

/* All rows of r, one line each (malloc'd). */
static char *rows_text(const struct scry_result *r)
{
    size_t cap = 1 << 16, len = 0;
    char *out = malloc(cap), line[1024];
    ck_assert_ptr_nonnull(out);
    out[0] = 0;
    for (size_t i = 0; i < scry_result_row_count(r); i++) {
        row_text(r, i, line, sizeof line);
        ck_assert_uint_lt(len + strlen(line), cap);
        len += (size_t)snprintf(out + len, cap - len, "%s", line);
    }
    return out;
}

/* ================================================================ Linux */

/* One listed task of unpatched dev-small, and what the cases patch. */
struct task {
    int64_t pid, ppid;
    uint64_t va, pa; /* task_struct, unmasked virtual / physical */
    char comm[32];
    int parent_of_some; /* some task's PPID */
};

struct lfacts {
    struct task t[256];
    size_t n;
    struct scry_linux_offsets off;
    uint64_t off_start, off_sched, off_real_parent;
};

static scry_status lrun(struct ir_run *x, const char *plugin)
{
    ir_open(x, lctx, limage, limage_len, "dev-small.raw");
    return scry_plugin_run(x->s, plugin, 0, NULL, NULL, &x->r);
}

static void lfacts(struct lfacts *f)
{
    struct ir_run x;
    memset(f, 0, sizeof *f);
    ck_assert_int_eq(lrun(&x, "linux.pslist"), SCRY_OK);
    const struct scry_linux *l = ir_linux(&x);
    const struct scry_field_spec spec[] = {
        SCRY_FIELD("task_struct", "start_time", &f->off_start),
        SCRY_FIELD("task_struct", "sched_class", &f->off_sched),
        SCRY_FIELD("task_struct", "real_parent", &f->off_real_parent),
    };
    ck_assert_int_eq(scry_resolve_fields(l->symtab, spec, 3), SCRY_OK);
    f->off = l->off;
    ck_assert_uint_eq(f->off.list_next, 0);
    f->n = scry_result_row_count(x.r);
    ck_assert_uint_eq(f->n, 111); /* truth.json: 111 processes */
    for (size_t i = 0; i < f->n; i++) {
        struct task *t = &f->t[i];
        const char *s;
        size_t len;
        ck_assert_int_eq(scry_result_cell_uint(x.r, i, 0, &t->va), SCRY_OK);
        t->va |= 0xffff000000000000ull;
        ck_assert_int_eq(scry_result_cell_int(x.r, i, 1, &t->pid), SCRY_OK);
        ck_assert_int_eq(scry_result_cell_int(x.r, i, 3, &t->ppid), SCRY_OK);
        ck_assert_int_eq(scry_result_cell_str(x.r, i, 4, &s, &len), SCRY_OK);
        ck_assert_uint_lt(len, sizeof t->comm);
        memcpy(t->comm, s, len);
        t->pa = ir_pa_of(&x, t->va, limage_len);
        /* the whole task_struct lies in the image's first bytes */
        ck_assert_uint_lt(t->pa + 0x4000, limage_len);
    }
    for (size_t i = 0; i < f->n; i++)
        for (size_t j = 0; j < f->n; j++)
            if (f->t[j].ppid == f->t[i].pid)
                f->t[i].parent_of_some = 1;
    ir_free(&x);
}

/* The k-th (from the end of the list) user leaf: no children, its parent
 * neither 0 nor kthreadd, not pid 100 (the one with threads). */
static const struct task *leaf(const struct lfacts *f, int k)
{
    for (size_t i = f->n; i-- > 0;) {
        const struct task *t = &f->t[i];
        if (t->parent_of_some || t->ppid <= 2 || t->pid == 100)
            continue;
        if (k-- == 0)
            return t;
    }
    ck_abort_msg("no leaf");
    return NULL;
}

static const struct task *by_pid(const struct lfacts *f, int64_t pid)
{
    for (size_t i = 0; i < f->n; i++)
        if (f->t[i].pid == pid)
            return &f->t[i];
    ck_abort_msg("no pid %" PRId64, pid);
    return NULL;
}

/* Takes t off init_task.tasks (both neighbours relinked). */
static void unlink_task(const struct lfacts *f, const struct task *t)
{
    struct ir_run x;
    uint64_t node = t->va + f->off.task_tasks;
    uint64_t next = get64(limage, t->pa + f->off.task_tasks);
    uint64_t prev = get64(limage, t->pa + f->off.task_tasks + 8);
    ir_open(&x, lctx, limage, limage_len, "dev-small.raw");
    uint64_t prev_pa = ir_pa_of(&x, prev, limage_len), next_pa = ir_pa_of(&x, next, limage_len);
    ir_free(&x);
    ck_assert_uint_eq(get64(limage, prev_pa), node);
    put64(limage, prev_pa, next);
    put64(limage, next_pa + 8, prev);
}

/* Runs memscry.proctree on the patched image; its rows must be want. */
static void lexpect(const char *want)
{
    struct ir_run x;
    ck_assert_int_eq(lrun(&x, "memscry.proctree"), SCRY_OK);
    tu_show_diags("proctree", x.r);
    char *got = rows_text(x.r);
    ck_assert_str_eq(got, want);
    free(got);
    ir_free(&x);
}

static void boot_time(uint64_t ns, char *buf, size_t cap)
{
    snprintf(buf, cap, "%" PRIu64 ".%09" PRIu64 " s after boot", ns / 1000000000u,
             ns % 1000000000u);
}

START_TEST(linux_unpatched_is_empty)
{
    if (!limage)
        return;
    lexpect("");
}
END_TEST

START_TEST(linux_hidden)
{
    struct lfacts f;
    char want[1024];
    if (!limage)
        return;
    lfacts(&f);
    const struct task *t = leaf(&f, 0);
    unlink_task(&f, t);
    snprintf(want, sizeof want,
             "hidden|High|%" PRId64 "|%" PRId64 "|%s|0x%" PRIx64 "|task_struct at physical 0x%"
             PRIx64 " is a live process (exit_state 0, PID equal to TID) found by scanning "
             "memory, but PID %" PRId64 " is not in the task list\n",
             t->pid, t->ppid, t->comm, t->pa, t->pa, t->pid);
    lexpect(want);
}
END_TEST

START_TEST(linux_orphan)
{
    struct lfacts f;
    char want[1024];
    if (!limage)
        return;
    lfacts(&f);
    /* gone is neither listed nor found by the scan (its sched_class
     * zeroed); c's parent pointer then points at it. */
    const struct task *gone = leaf(&f, 0), *c = leaf(&f, 1);
    unlink_task(&f, gone);
    put64(limage, gone->pa + f.off_sched, 0);
    put64(limage, c->pa + f.off.task_parent, gone->va);
    snprintf(want, sizeof want,
             "orphan|High|%" PRId64 "|%" PRId64 "|%s|0x%" PRIx64 "|parent PID %" PRId64
             " is neither in the process list nor found by scanning, yet Linux reparents a "
             "task whose parent exits\n",
             c->pid, gone->pid, c->comm, c->va & (uint64_t)0xffffffffffff, gone->pid);
    lexpect(want);
}
END_TEST

START_TEST(linux_child_before_parent)
{
    struct lfacts f;
    char want[1024], a[64], b[64];
    if (!limage)
        return;
    lfacts(&f);
    const struct task *c = leaf(&f, 0), *p = by_pid(&f, c->ppid);
    uint64_t ps = get64(limage, p->pa + f.off_start);
    ck_assert_uint_gt(ps, 0);
    put64(limage, c->pa + f.off_start, ps - 1);
    boot_time(ps - 1, a, sizeof a);
    boot_time(ps, b, sizeof b);
    snprintf(want, sizeof want,
             "child-before-parent|High|%" PRId64 "|%" PRId64 "|%s|0x%" PRIx64 "|started %s, "
             "before its parent PID %" PRId64 " (%s, started %s)\n",
             c->pid, p->pid, c->comm, c->va & (uint64_t)0xffffffffffff, a, p->pid, p->comm, b);
    lexpect(want);
}
END_TEST

/* The same, but c is ptraced (its parent is the tracer, real_parent
 * another task): a tracer may attach to an older task, so no finding. */
START_TEST(linux_traced_not_judged)
{
    struct lfacts f;
    if (!limage)
        return;
    lfacts(&f);
    const struct task *c = leaf(&f, 0), *p = by_pid(&f, c->ppid);
    ck_assert_uint_eq(get64(limage, c->pa + f.off_real_parent), p->va);
    put64(limage, c->pa + f.off_start, get64(limage, p->pa + f.off_start) - 1);
    put64(limage, c->pa + f.off_real_parent, by_pid(&f, 1)->va);
    lexpect("");
}
END_TEST

START_TEST(linux_duplicate_pid)
{
    struct lfacts f;
    char want[2048];
    if (!limage)
        return;
    lfacts(&f);
    const struct task *a = leaf(&f, 0), *b = leaf(&f, 1);
    put32(limage, b->pa + f.off.task_pid, (uint32_t)a->pid);
    put32(limage, b->pa + f.off.task_tgid, (uint32_t)a->pid);
    const struct task *lo = a->va < b->va ? a : b, *hi = a->va < b->va ? b : a;
    uint64_t m = 0xffffffffffff;
    snprintf(want, sizeof want,
             "duplicate-pid|High|%" PRId64 "|%" PRId64 "|%s|0x%" PRIx64 "|PID %" PRId64
             " is held by 2 live entries of the process list (the others at 0x%" PRIx64 ")\n"
             "duplicate-pid|High|%" PRId64 "|%" PRId64 "|%s|0x%" PRIx64 "|PID %" PRId64
             " is held by 2 live entries of the process list (the others at 0x%" PRIx64 ")\n",
             a->pid, lo->ppid, lo->comm, lo->va & m, a->pid, hi->va & m,
             a->pid, hi->ppid, hi->comm, hi->va & m, a->pid, lo->va & m);
    lexpect(want);
}
END_TEST

/* Hostile: a task list that loops back. The walk ends with its warning;
 * every leader it lost is then found by the scan alone: one "hidden" row
 * each, nothing else. */
START_TEST(linux_list_cycle)
{
    struct lfacts f;
    struct ir_run x;
    if (!limage)
        return;
    lfacts(&f);
    size_t k = f.n - 6; /* the last 5 tasks are lost */
    const struct task *t = &f.t[k];
    put64(limage, t->pa + f.off.task_tasks, t->va + f.off.task_tasks);
    char *want = malloc(1 << 14);
    size_t len = 0;
    ck_assert_ptr_nonnull(want);
    want[0] = 0;
    for (size_t i = k + 1; i < f.n; i++) {
        const struct task *h = &f.t[i];
        len += (size_t)snprintf(want + len, (1 << 14) - len,
                                "hidden|High|%" PRId64 "|%" PRId64 "|%s|0x%" PRIx64
                                "|task_struct at physical 0x%" PRIx64 " is a live process "
                                "(exit_state 0, PID equal to TID) found by scanning memory, but "
                                "PID %" PRId64 " is not in the task list\n",
                                h->pid, h->ppid, h->comm, h->pa, h->pa, h->pid);
    }
    ck_assert_int_eq(lrun(&x, "memscry.proctree"), SCRY_OK);
    char *got = rows_text(x.r);
    ck_assert_str_eq(got, want); /* the list ends with pids in ascending order */
    ck_assert_uint_eq(ir_count_diags(x.r, SCRY_DIAG_WARNING), 1);
    ck_assert_int_eq(scry_result_partial(x.r), 1);
    free(got);
    free(want);
    ir_free(&x);
}
END_TEST

/* Hostile: a PID far past PID_MAX_LIMIT (the scan's bound is 65535: only
 * the list has it) is no finding; a child of it neither. */
START_TEST(linux_huge_pid)
{
    struct lfacts f;
    if (!limage)
        return;
    lfacts(&f);
    const struct task *t = leaf(&f, 0), *c = leaf(&f, 1);
    put32(limage, t->pa + f.off.task_pid, 0x7ffffff0u);
    put32(limage, t->pa + f.off.task_tgid, 0x7ffffff0u);
    /* c, created after t? make it so: its parent is t, its start later. */
    put64(limage, c->pa + f.off.task_parent, t->va);
    put64(limage, c->pa + f.off_start, get64(limage, t->pa + f.off_start) + 1);
    lexpect("");
}
END_TEST

/* Hostile: a parent loop (p's parent and real_parent are its own child c): nothing walks
 * the chain, and the one anomaly is p, older than its new parent. */
START_TEST(linux_parent_loop)
{
    struct lfacts f;
    char want[1024], a[64], b[64];
    if (!limage)
        return;
    lfacts(&f);
    const struct task *c = leaf(&f, 0), *p = by_pid(&f, c->ppid);
    put64(limage, p->pa + f.off.task_parent, c->va);
    put64(limage, p->pa + f.off_real_parent, c->va);
    uint64_t ps = get64(limage, p->pa + f.off_start), cs = get64(limage, c->pa + f.off_start);
    ck_assert_uint_lt(ps, cs);
    boot_time(ps, a, sizeof a);
    boot_time(cs, b, sizeof b);
    snprintf(want, sizeof want,
             "child-before-parent|High|%" PRId64 "|%" PRId64 "|%s|0x%" PRIx64 "|started %s, "
             "before its parent PID %" PRId64 " (%s, started %s)\n",
             p->pid, c->pid, p->comm, p->va & (uint64_t)0xffffffffffff, a, c->pid, c->comm, b);
    lexpect(want);
}
END_TEST

/* ============================================================== Windows */

/* truth.json of win10-22h2-19045: EPROCESS physical and virtual addresses. */
static const struct {
    int pid;
    uint32_t pa;
} wpa[] = {
    {4, 0x330040},    {88, 0x331040},   {328, 0x333040},  {436, 0x335040},  {512, 0x33f040},
    {520, 0x341040},  {600, 0x349040},  {652, 0x34b040},  {672, 0x34d040},  {792, 0x34f040},
    {868, 0x351040},  {1204, 0x353040}, {3560, 0x355040}, {4312, 0x357040}, {4868, 0x359040},
    {5012, 0x35b040}, {5188, 0x35d040}, {6240, 0x35f040}, {2916, 0x361040},
};

static uint64_t eproc_pa(int pid)
{
    for (size_t i = 0; i < sizeof wpa / sizeof wpa[0]; i++)
        if (wpa[i].pid == pid)
            return wpa[i].pa;
    ck_abort_msg("no pid %d", pid);
    return 0;
}

/* Its virtual address, masked: the sample maps them 0x1000 apart. */
static uint64_t eproc_va(int pid)
{
    static const int order[] = {4, 88, 328, 436, 512, 520, 600, 652, 672, 792,
                                868, 1204, 3560, 4312, 4868, 5012, 5188, 6240, 2916};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
        if (order[i] == pid)
            return 0xa50c3e002040ull + 0x1000ull * i;
    ck_abort_msg("no pid %d", pid);
    return 0;
}

static struct scry_win_off woff(void)
{
    struct ir_run x;
    const struct scry_profile *p = NULL;
    ir_open(&x, wctx, wimage, WIN_SIZE, "win10.raw");
    ck_assert_int_eq(scry_session_profile(x.s, NULL, &p), SCRY_OK);
    const struct scry_windows *w = scry_windows_of(p);
    ck_assert_ptr_nonnull(w);
    struct scry_win_off o = w->off;
    ir_free(&x);
    return o;
}

#define HIDDEN_RK                                                                                \
    "hidden|High|6240|3560|hidden_rk.exe|0xa50c3e013040|EPROCESS at 0xa50c3e013040 has no "     \
    "ExitTime and was found by pool scanning, but PID 6240 is not in the active process list\n"

static void wexpect(const char *want)
{
    struct ir_run x;
    ir_open(&x, wctx, wimage, WIN_SIZE, "win10.raw");
    ck_assert_int_eq(scry_plugin_run(x.s, "memscry.proctree", 0, NULL, NULL, &x.r), SCRY_OK);
    tu_show_diags("win proctree", x.r);
    char *got = rows_text(x.r);
    ck_assert_str_eq(got, want);
    free(got);
    ir_free(&x);
}

START_TEST(win_unpatched)
{
    if (!wimage)
        return;
    ck_assert_uint_eq(eproc_va(6240), 0xa50c3e013040ull);
    wexpect(HIDDEN_RK);
}
END_TEST

/* A second lsass.exe (svchost 1204 renamed, in upper case): both
 * instances are single-instance findings, and the impostor's parent
 * (services.exe) is not wininit.exe. */
START_TEST(win_single_instance)
{
    if (!wimage)
        return;
    struct scry_win_off o = woff();
    memcpy(wimage + eproc_pa(1204) + o.ep_name, "LSASS.EXE\0\0\0\0\0", 15);
    char want[2048];
    snprintf(want, sizeof want,
             "single-instance|High|672|512|lsass.exe|0x%" PRIx64 "|lsass.exe runs once on "
             "Windows, but 2 live processes have this name (PIDs 672, 1204)\n"
             "single-instance|High|1204|652|LSASS.EXE|0x%" PRIx64 "|lsass.exe runs once on "
             "Windows, but 2 live processes have this name (PIDs 672, 1204)\n"
             "unexpected-parent|High|1204|652|LSASS.EXE|0x%" PRIx64 "|parent PID 652 is "
             "services.exe, but lsass.exe is started by wininit.exe\n" HIDDEN_RK,
             eproc_va(672), eproc_va(1204), eproc_va(1204));
    wexpect(want);
}
END_TEST

/* svchost 792 under winlogon.exe (older than it: no other finding). */
START_TEST(win_unexpected_parent)
{
    if (!wimage)
        return;
    struct scry_win_off o = woff();
    put64(wimage, eproc_pa(792) + o.ep_ppid, 600);
    char want[1024];
    snprintf(want, sizeof want,
             "unexpected-parent|High|792|600|svchost.exe|0x%" PRIx64 "|parent PID 600 is "
             "winlogon.exe, but svchost.exe is started by services.exe\n" HIDDEN_RK,
             eproc_va(792));
    wexpect(want);
}
END_TEST

/* notepad's parent PID 9999 never existed: Medium on Windows. A parent
 * the scan alone finds (setup_old.exe, exited) is no orphan. */
START_TEST(win_orphan)
{
    if (!wimage)
        return;
    struct scry_win_off o = woff();
    put64(wimage, eproc_pa(4312) + o.ep_ppid, 9999);
    put64(wimage, eproc_pa(4868) + o.ep_ppid, 2916);
    char want[1024];
    snprintf(want, sizeof want,
             "orphan|Medium|4312|9999|notepad.exe|0x%" PRIx64 "|parent PID 9999 is neither in "
             "the process list nor found by scanning\n" HIDDEN_RK,
             eproc_va(4312));
    wexpect(want);
}
END_TEST

/* powershell (created 09:34:53) under updater.exe (created 09:35:23):
 * PID reuse. */
START_TEST(win_child_before_parent)
{
    if (!wimage)
        return;
    struct scry_win_off o = woff();
    put64(wimage, eproc_pa(5012) + o.ep_ppid, 5188);
    char want[1024];
    snprintf(want, sizeof want,
             "child-before-parent|Low|5012|5188|powershell.exe|0x%" PRIx64 "|created "
             "2024-03-14 09:34:53.000000 UTC, before its parent PID 5188 (updater.exe, created "
             "2024-03-14 09:35:23.000000 UTC), so PID 5188 was reused by a later process after "
             "the real parent exited (or the parent PID is forged)\n" HIDDEN_RK,
             eproc_va(5012));
    wexpect(want);
}
END_TEST

/* notepad takes cmd's PID 4868: two live list entries. powershell's
 * parent PID 4868 then has two candidates, both older: no other finding. */
START_TEST(win_duplicate_pid)
{
    if (!wimage)
        return;
    struct scry_win_off o = woff();
    put64(wimage, eproc_pa(4312) + o.ep_pid, 4868);
    char want[1024];
    snprintf(want, sizeof want,
             "duplicate-pid|High|4868|3560|notepad.exe|0x%" PRIx64 "|PID 4868 is held by 2 live "
             "entries of the process list (the others at 0x%" PRIx64 ")\n"
             "duplicate-pid|High|4868|3560|cmd.exe|0x%" PRIx64 "|PID 4868 is held by 2 live "
             "entries of the process list (the others at 0x%" PRIx64 ")\n" HIDDEN_RK,
             eproc_va(4312), eproc_va(4868), eproc_va(4868), eproc_va(4312));
    wexpect(want);
}
END_TEST

/* hidden_rk.exe given an ExitTime: an exited process off the list is
 * no finding. */
START_TEST(win_exited_not_hidden)
{
    if (!wimage)
        return;
    struct scry_win_off o = woff();
    put64(wimage, eproc_pa(6240) + o.ep_exit, get64(wimage, eproc_pa(6240) + o.ep_create) + 1);
    wexpect("");
}
END_TEST

/* ========================================================= the rule engine */

static const struct scry_column cols[] = {
    {"Rule", SCRY_COL_STR},    {"Severity", SCRY_COL_STR},  {"PID", SCRY_COL_INT},
    {"PPID", SCRY_COL_INT},    {"Process", SCRY_COL_STR},   {"Offset(V)", SCRY_COL_HEX},
    {"Explanation", SCRY_COL_STR},
};

/* Hostile: 100,000 live listed lsass.exe sharing PID 700 (PPID 0) whose children
 * (100,000 more, PPID 700) all predate them. Every rule answers in
 * O(n log n): two rows per lsass (duplicate-pid, single-instance), two per
 * child (child-before-parent, unexpected-parent: its parent is not
 * services.exe), in a few seconds at most (quadratic would be 10^10 steps). */
START_TEST(engine_many_same_pid)
{
    enum { N = 100000 };
    struct scry_result *r = NULL;
    struct scry_pt_set s = {0};
    ck_assert_int_eq(scry_result_new(cols, 7, &r), SCRY_OK);
    s.out = r;
    for (int i = 0; i < 2 * N; i++) {
        struct scry_pt_proc p = {.listed = 1, .has_start = 1};
        if (i < N) {
            p.pid = 700;
            p.ppid = 0; /* a root: no orphan, no parent rule */
            p.start = 133550000200000000ull + (uint64_t)i;
            strcpy(p.name, "lsass.exe");
        } else {
            p.pid = 1000 + i;
            p.ppid = 700;
            p.start = 133550000100000000ull;
            strcpy(p.name, "svchost.exe");
        }
        p.offset = 0x1000u * (uint64_t)(i + 1);
        ck_assert_int_eq(scry_pt_push(&s, &p), SCRY_OK);
    }
    ck_assert_int_eq(scry_pt_check(&s, SCRY_PT_WINDOWS, r), SCRY_OK);
    ck_assert_uint_eq(scry_result_row_count(r), 4u * N);
    char line[1024];
    row_text(r, 0, line, sizeof line);
    ck_assert_str_eq(line, "duplicate-pid|High|700|0|lsass.exe|0x1000|PID 700 is held by 100000 "
                           "live entries of the process list (the others at 0x2000, 0x3000, "
                           "0x4000, ...)\n");
    row_text(r, N - 1, line, sizeof line);
    ck_assert_str_eq(line, "duplicate-pid|High|700|0|lsass.exe|0x186a0000|PID 700 is held by "
                           "100000 live entries of the process list (the others at 0x1000, "
                           "0x2000, 0x3000, ...)\n");
    row_text(r, N, line, sizeof line);
    ck_assert_str_eq(line, "single-instance|High|700|0|lsass.exe|0x1000|lsass.exe runs once on "
                           "Windows, but 100000 live processes have this name (PIDs 700, 700, "
                           "700, 700, 700, 700, 700, 700, 700, 700, 700, 700, 700, 700, "
                           "...)\n");
    row_text(r, 2 * N, line, sizeof line);
    ck_assert_str_eq(line, "child-before-parent|Low|101000|700|svchost.exe|0x186a1000|created "
                           "2024-03-15 18:13:30.000000 UTC, before its parent PID 700 (lsass.exe, "
                           "created 2024-03-15 18:13:40.000000 UTC), so PID 700 was reused by a "
                           "later process after the real parent exited (or the parent PID is "
                           "forged)\n");
    row_text(r, 2 * N + 1, line, sizeof line);
    ck_assert_str_eq(line, "unexpected-parent|High|101000|700|svchost.exe|0x186a1000|parent PID "
                           "700 is lsass.exe, but svchost.exe is started by services.exe\n");
    scry_pt_free(&s);
    scry_result_free(r);
}
END_TEST

static int load_windows(void)
{
    const char *corpus = tu_corpus_dir("test_proctree");
    char cmd[4600], isf[4200];
    if (!corpus)
        return 0;
    snprintf(cmd, sizeof cmd, "xz -dc %s/windows-samples/win10-22h2-19045.raw.xz", corpus);
    FILE *f = popen(cmd, "r");
    if (!f)
        return 0;
    wimage = malloc(WIN_SIZE);
    size_t n = wimage ? fread(wimage, 1, WIN_SIZE, f) : 0;
    pclose(f);
    if (n != WIN_SIZE) {
        printf("SKIP test_proctree: cannot unpack the Windows 10 sample\n");
        free(wimage);
        wimage = NULL;
        return 0;
    }
    snprintf(isf, sizeof isf, "%s/../isf", corpus);
    if (scry_context_new(&wctx) != SCRY_OK || scry_context_add_symbol_dir(wctx, isf) != SCRY_OK)
        return 0;
    return 1;
}

int main(void)
{
    Suite *s = suite_create("proctree");
    TCase *tl = tcase_create("linux"), *tw = tcase_create("windows");
    int rc;
    if (!ir_load_small("test_proctree", &limage, &limage_len, symdir, sizeof symdir, &lctx))
        limage = NULL;
    load_windows();
    tcase_set_timeout(tl, 300);
    tcase_set_timeout(tw, 300);
    tcase_add_test(tl, linux_unpatched_is_empty);
    tcase_add_test(tl, linux_hidden);
    tcase_add_test(tl, linux_orphan);
    tcase_add_test(tl, linux_child_before_parent);
    tcase_add_test(tl, linux_traced_not_judged);
    tcase_add_test(tl, linux_duplicate_pid);
    tcase_add_test(tl, linux_list_cycle);
    tcase_add_test(tl, linux_huge_pid);
    tcase_add_test(tl, linux_parent_loop);
    tcase_add_test(tw, win_unpatched);
    tcase_add_test(tw, win_single_instance);
    tcase_add_test(tw, win_unexpected_parent);
    tcase_add_test(tw, win_orphan);
    tcase_add_test(tw, win_child_before_parent);
    tcase_add_test(tw, win_duplicate_pid);
    tcase_add_test(tw, win_exited_not_hidden);
    TCase *te = tcase_create("engine");
    tcase_set_timeout(te, 60);
    tcase_add_test(te, engine_many_same_pid);
    suite_add_tcase(s, te);
    suite_add_tcase(s, tl);
    suite_add_tcase(s, tw);
    rc = tu_run_suite(s);
    scry_context_free(lctx);
    scry_context_free(wctx);
    free(limage);
    free(wimage);
    return rc;
}
