/* test_hostile_pid_kmsg.c - the task scan's search, the PID table walk and
 * the printk ring buffer on memory made hostile.
 *
 * psscan's SSE2 search must report exactly what a plain byte-by-byte
 * search does, at every alignment and across slice ends. The PID table
 * (an xarray under init_pid_ns.idr) and the ring buffer are patched in a
 * copy of dev-small.raw: a node pointing into unmapped memory, a node
 * pointing at itself, indexes and lengths out of range. Each run must
 * finish with a bounded answer and the diagnostic that says why. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/os/linux.h"
#include "lib/plugins/plugin.h"
#include "lib/session/session.h"
#include "lib/walk/linux_bash.h"
#include "lib/walk/linux_psscan.h"
#include "symbols/symtab.h"
#include "imagerun.h"
#include "testutil.h"

static uint8_t *image;
static size_t image_len;
static char symdir[4096];
static scry_context *ctx;

static void poke(uint64_t pa, uint64_t v) { memcpy(image + pa, &v, 8); }
static uint64_t peek(uint64_t pa)
{
    uint64_t v;
    memcpy(&v, image + pa, 8);
    return v;
}

static uint64_t field_off(const struct scry_linux *l, const char *type, const char *field)
{
    uint64_t off;
    ck_assert_int_eq(scry_sym_field(l->symtab, type, field, &off, NULL), SCRY_OK);
    return off;
}

/* ---- psscan's search ---- */

struct hits {
    size_t v[4096];
    size_t n;
    size_t stop_after; /* 0: never stop */
};

static int collect(void *user, size_t off)
{
    struct hits *h = user;
    if (h->n < sizeof h->v / sizeof h->v[0])
        h->v[h->n++] = off;
    return h->stop_after && h->n == h->stop_after;
}

static void naive(const uint8_t *buf, size_t n, size_t ext, const uint8_t (*nd)[8], unsigned k,
                  unsigned nlen, struct hits *h)
{
    for (size_t j = 0; j < n && j + nlen <= n + ext; j++)
        for (unsigned i = 0; i < k; i++)
            if (!memcmp(buf + j, nd[i], nlen)) {
                collect(h, j);
                break;
            }
}

START_TEST(psscan_search_equals_plain_search)
{
    /* Two pairs of anchor bytes (needles 0-2 share one), low bytes zero in
     * one needle, a needle that is a prefix-overlap of another's bytes. */
    static const uint8_t nd[4][8] = {
        {0x60, 0x80, 0x39, 0x82, 0xff, 0xff, 0xff, 0xff},
        {0x30, 0x81, 0x39, 0x82, 0xff, 0xff, 0xff, 0xff},
        {0x00, 0x00, 0x39, 0x82, 0xff, 0xff, 0xff, 0xff},
        {0xd0, 0x82, 0x3a, 0x82, 0xff, 0xff, 0xff, 0xff},
    };
    enum { LEN = 1 << 16 };
    uint8_t *buf = malloc(LEN + 8);
    static struct hits a, b;
    unsigned seed = 12345;
    ck_assert_ptr_nonnull(buf);
    for (int round = 0; round < 40; round++) {
        /* Mostly the anchor bytes, so near-misses are everywhere. */
        for (size_t i = 0; i < LEN + 8; i++) {
            seed = seed * 1103515245u + 12345u;
            static const uint8_t alpha[] = {0x39, 0x82, 0xff, 0x00, 0x60, 0x80, 0x3a, 0x11};
            buf[i] = alpha[(seed >> 16) & 7];
        }
        for (int p = 0; p < 200; p++) {
            seed = seed * 1103515245u + 12345u;
            size_t at = (seed >> 8) % (LEN + 1);
            memcpy(buf + at, nd[p & 3], 8);
        }
        size_t n = LEN - (size_t)round, ext = round % 8;
        unsigned nlen = round % 5 == 4 ? 4 : 8;
        memset(&a, 0, sizeof a);
        memset(&b, 0, sizeof b);
        scry_psscan_search(buf, n, ext, nd, 4, nlen, collect, &a);
        naive(buf, n, ext, nd, 4, nlen, &b);
        ck_assert_uint_gt(b.n, 0);
        ck_assert_uint_eq(a.n, b.n);
        ck_assert_int_eq(memcmp(a.v, b.v, a.n * sizeof a.v[0]), 0);
    }
    /* A stop from the callback ends the search at once. */
    memset(&a, 0, sizeof a);
    a.stop_after = 3;
    ck_assert_int_eq(scry_psscan_search(buf, LEN, 0, nd, 4, 8, collect, &a), 1);
    ck_assert_uint_eq(a.n, 3);
    free(buf);
}
END_TEST

/* ---- psscan: a task_struct planted in a free page ---- */

static uint64_t zero_page(void)
{
    for (uint64_t pa = (image_len - (64u << 20)) & ~4095ull; pa + 3 * 4096 <= image_len;
         pa += 4096) {
        size_t k = 0;
        while (k < 3 * 4096 && !image[pa + k])
            k++;
        if (k == 3 * 4096)
            return pa;
    }
    return 0;
}

START_TEST(psscan_planted_task)
{
    struct ir_run x;
    uint64_t fair, tasks_off, t1;
    char *json;
    size_t len;
    if (!image)
        return;
    uint64_t pa = zero_page(); /* three free pages: a task_struct's 9.5 KiB */
    ck_assert_uint_ne(pa, 0);
    ir_open(&x, ctx, image, image_len, "dev-small.raw");
    const struct scry_linux *l = ir_linux(&x);
    ck_assert_int_eq(scry_sym_address(l->symtab, "fair_sched_class", &fair), SCRY_OK);
    fair += l->virt_shift;
    tasks_off = field_off(l, "task_struct", "tasks");
    t1 = peek(ir_pa_of(&x, l->init_task + tasks_off, image_len)) - tasks_off; /* init */
    uint64_t sc = field_off(l, "task_struct", "sched_class"),
             ex = field_off(l, "task_struct", "exit_state"), pid = l->off.task_pid,
             tgid = l->off.task_tgid, comm = l->off.task_comm, parent = l->off.task_parent;
    ir_free(&x);
    static const struct {
        uint32_t exit_state;
        int32_t pid;
        int listed;
    } cases[] = {
        {0x20, 4242, 1}, /* a zombie, listed */
        {0x40, 4242, 0}, /* an exit_state Volatility has no name for */
        {0x00, 65535, 0}, /* pid out of (0, 65535) */
        {0x00, 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        poke(pa + sc, fair);
        memcpy(image + pa + ex, &cases[i].exit_state, 4);
        memcpy(image + pa + pid, &cases[i].pid, 4);
        memcpy(image + pa + tgid, &cases[i].pid, 4);
        memcpy(image + pa + comm, "planted", 8);
        poke(pa + parent, t1);
        ir_open(&x, ctx, image, image_len, "dev-small.raw");
        ck_assert_int_eq(scry_plugin_run(x.s, "linux.psscan", 0, NULL, NULL, &x.r), SCRY_OK);
        memset(image + pa, 0, 3 * 4096);
        json = tu_render(x.r, "json", &len);
        char want[300];
        snprintf(want, sizeof want,
                 "{\n    \"COMM\": \"planted\",\n    \"EXIT_STATE\": \"EXIT_ZOMBIE\",\n"
                 "    \"OFFSET (P)\": %llu,\n    \"PID\": 4242,\n    \"PPID\": 1,\n"
                 "    \"TID\": 4242,",
                 (unsigned long long)pa);
        ck_assert_msg(!!strstr(json, want) == cases[i].listed, "case %zu: %s", i, want);
        ck_assert_msg(!!strstr(json, "planted") == cases[i].listed, "case %zu", i);
        ck_assert_uint_eq(scry_result_row_count(x.r), 118u + (unsigned)cases[i].listed);
        free(json);
        ir_free(&x);
    }
}
END_TEST

/* ---- bash history entries in a made-up heap ---- */

#define HEAP_VA 0x55550000ull
#define HEAP_LEN 0x3000u

static uint8_t heap[HEAP_LEN];

static int heap_read(void *user, uint64_t va, void *buf, size_t len)
{
    (void)user;
    if (va < HEAP_VA || va - HEAP_VA > HEAP_LEN || len > HEAP_LEN - (va - HEAP_VA))
        return 1;
    memcpy(buf, heap + (va - HEAP_VA), len);
    return 0;
}

/* A string at off and a hist_entry at hoff naming it and the timestamp at
 * toff. */
static void put_str(size_t off, const char *s) { memcpy(heap + off, s, strlen(s) + 1); }
static void put_hist(size_t hoff, uint64_t line, uint64_t ts)
{
    memcpy(heap + hoff, &line, 8);
    memcpy(heap + hoff + 8, &ts, 8);
}

START_TEST(bash_history_in_made_up_heap)
{
    struct scry_bash_run run = {HEAP_VA, heap, HEAP_LEN};
    struct scry_bash_entry *e;
    size_t n, dropped;
    memset(heap, 0, sizeof heap);
    /* Timestamps and lines. */
    put_str(0x100, "#1700000000");
    put_str(0x200, "ls -la");
    put_str(0x120, "#1600000000");
    put_str(0x240, "echo h\xc3\xa9llo \xff");
    put_str(0x140, "# 1_700_000_001 ");   /* int() allows these */
    put_str(0x280, "third");
    put_str(0x160, "#-1000000000");       /* negative: no datetime, first */
    put_str(0x2c0, "negative");
    put_str(0x180, "#99999999999999999999"); /* past year 9999: last */
    put_str(0x300, "huge");
    put_str(0x1a0, "#12345");             /* too short */
    put_str(0x1c0, "#12a4567890");        /* not an integer */
    put_str(0x1e0, "#1__700000000");      /* two underscores */
    put_str(0x340, "bad");
    put_hist(0x400, HEAP_VA + 0x200, HEAP_VA + 0x100);
    put_hist(0x420, HEAP_VA + 0x240, HEAP_VA + 0x120);
    put_hist(0x440, HEAP_VA + 0x280, HEAP_VA + 0x140);
    put_hist(0x460, HEAP_VA + 0x2c0, HEAP_VA + 0x160);
    put_hist(0x480, HEAP_VA + 0x300, HEAP_VA + 0x180);
    put_hist(0x4a0, HEAP_VA + 0x340, HEAP_VA + 0x1a0);
    put_hist(0x4c0, HEAP_VA + 0x340, HEAP_VA + 0x1c0);
    put_hist(0x4e0, HEAP_VA + 0x340, HEAP_VA + 0x1e0);
    /* The line's 1024 bytes run past the heap: unreadable, not listed. */
    put_hist(0x500, HEAP_VA + HEAP_LEN - 16, HEAP_VA + 0x100);
    /* An empty line: not listed. */
    put_hist(0x520, HEAP_VA + 0x600, HEAP_VA + 0x100);
    /* A second hist_entry with the first's pointers: listed twice, the
     * copy after the first (same time; the sort is stable). */
    put_hist(0x5c0, HEAP_VA + 0x200, HEAP_VA + 0x100);
    ck_assert_int_eq(scry_bash_scan(&run, 1, 8, heap_read, NULL, 100, &e, &n, &dropped), SCRY_OK);
    ck_assert_uint_eq(dropped, 0);
    ck_assert_uint_eq(n, 6);
    static const struct {
        const char *cmd;
        int time_ok;
        int64_t time;
    } want[] = {
        {"negative", 0, 0},
        {"echo h\xc3\xa9llo \xef\xbf\xbd", 1, 1600000000},
        {"ls -la", 1, 1700000000},
        {"ls -la", 1, 1700000000},
        {"third", 1, 1700000001},
        {"huge", 0, 0},
    };
    for (size_t i = 0; i < n; i++) {
        ck_assert_str_eq(e[i].cmd, want[i].cmd);
        ck_assert_int_eq(e[i].time_ok, want[i].time_ok);
        if (want[i].time_ok)
            ck_assert_int_eq(e[i].time, want[i].time);
    }
    ck_assert_uint_lt(e[2].seq, e[3].seq);
    scry_bash_free(e, n);
    /* The bound: two kept, the rest counted. */
    ck_assert_int_eq(scry_bash_scan(&run, 1, 8, heap_read, NULL, 2, &e, &n, &dropped), SCRY_OK);
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(dropped, 4);
    scry_bash_free(e, n);
}
END_TEST

START_TEST(bash_python_int)
{
    static const struct {
        const char *s;
        int ok, neg;
        const char *digits;
    } cases[] = {
        {"1700000000", 1, 0, "1700000000"}, {" \t+007 ", 1, 0, "7"},  {"-0", 1, 0, "0"},
        {"1_2_3", 1, 0, "123"},              {"_1", 0, 0, NULL},      {"1_", 0, 0, NULL},
        {"1__2", 0, 0, NULL},                {"", 0, 0, NULL},        {" ", 0, 0, NULL},
        {"+", 0, 0, NULL},                   {"1 2", 0, 0, NULL},     {"\x1c-12\x1f", 0, 0, NULL},
        {"0x10", 0, 0, NULL},               {"\v-12\r", 1, 1, "12"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int neg = 0;
        char *d = NULL;
        int r = scry_bash_pyint(cases[i].s, strlen(cases[i].s), &neg, &d);
        ck_assert_msg(r == cases[i].ok, "'%s': %d", cases[i].s, r);
        if (r == 1) {
            ck_assert_str_eq(d, cases[i].digits);
            ck_assert_int_eq(neg, cases[i].neg);
            free(d);
        }
    }
}
END_TEST

/* ---- The PID table ---- */

#define SMALL_TASKS 115 /* dev-small's truth.json: tasks, threads included */


/* The physical address of init_pid_ns.idr's xa_head, and of the root
 * node's last slot (empty on dev-small: 115 pids need slots 0-3). */
static void pid_tree(uint64_t *head_pa, uint64_t *root, uint64_t *last_slot_pa)
{
    struct ir_run x;
    uint64_t ns;
    ir_open(&x, ctx, image, image_len, "dev-small.raw");
    const struct scry_linux *l = ir_linux(&x);
    ck_assert_int_eq(scry_sym_address(l->symtab, "init_pid_ns", &ns), SCRY_OK);
    ns += l->virt_shift + field_off(l, "pid_namespace", "idr") + field_off(l, "idr", "idr_rt") +
          field_off(l, "xarray", "xa_head");
    *head_pa = ir_pa_of(&x, ns, image_len);
    *root = peek(*head_pa);
    ck_assert_uint_eq(*root & 3, 2); /* a node */
    *last_slot_pa =
        ir_pa_of(&x, (*root & ~3ull) + field_off(l, "xa_node", "slots") + 63 * 8, image_len);
    ck_assert_uint_eq(peek(*last_slot_pa), 0);
    ir_free(&x);
}

static struct ir_run run_pidhash(void)
{
    struct ir_run x;
    ir_open(&x, ctx, image, image_len, "dev-small.raw");
    ck_assert_int_eq(scry_plugin_run(x.s, "linux.pidhashtable", 0, NULL, NULL, &x.r), SCRY_OK);
    return x;
}

static const char *warning(const struct scry_result *r)
{
    for (size_t k = 0; k < scry_result_diag_count(r); k++) {
        scry_diag_level lv;
        const char *msg;
        ck_assert_int_eq(scry_result_diag(r, k, &lv, NULL, &msg), SCRY_OK);
        if (lv == SCRY_DIAG_WARNING)
            return msg;
    }
    ck_abort_msg("no warning");
    return NULL;
}

/* An unmapped kernel address: PML4 slot 256 (0xffff8000...) is the guard
 * hole below the direct map. */
#define UNMAPPED 0xffff800000001000ull

START_TEST(pid_tree_into_unmapped_memory)
{
    uint64_t head_pa, root, slot_pa;
    struct ir_run x;
    char want[200];
    if (!image)
        return;
    pid_tree(&head_pa, &root, &slot_pa);
    /* A child node that is not there: the rest is listed, with a warning. */
    poke(slot_pa, UNMAPPED | 2);
    x = run_pidhash();
    poke(slot_pa, 0);
    ck_assert_uint_eq(scry_result_row_count(x.r), SMALL_TASKS);
    ck_assert_uint_eq(ir_count_diags(x.r, SCRY_DIAG_WARNING), 1);
    snprintf(want, sizeof want,
             "PID table: node 0x%llx cannot be read; its entries are missing: ",
             (unsigned long long)UNMAPPED);
    ck_assert_msg(!strncmp(warning(x.r), want, strlen(want)), "%s", warning(x.r));
    ck_assert_int_eq(scry_result_partial(x.r), 1);
    ir_free(&x);
    /* The root itself not there: nothing listed, one warning. */
    poke(head_pa, UNMAPPED | 2);
    x = run_pidhash();
    poke(head_pa, root);
    ck_assert_uint_eq(scry_result_row_count(x.r), 0);
    ck_assert_uint_eq(ir_count_diags(x.r, SCRY_DIAG_WARNING), 1);
    snprintf(want, sizeof want, "PID table: its root node 0x%llx cannot be read: ",
             (unsigned long long)UNMAPPED);
    ck_assert_msg(!strncmp(warning(x.r), want, strlen(want)), "%s", warning(x.r));
    ir_free(&x);
    /* A root whose shift is not a multiple of 6 (Volatility's height
     * becomes a fraction and its recursion never reaches a leaf): not
     * walked, one warning. The shift is the node's first byte. */
    uint64_t shift_pa;
    {
        struct ir_run y;
        ir_open(&y, ctx, image, image_len, "dev-small.raw");
        shift_pa = ir_pa_of(&y, root & ~3ull, image_len);
        ir_free(&y);
    }
    uint8_t shift = image[shift_pa];
    ck_assert_uint_eq(shift, 6);
    image[shift_pa] = 3;
    x = run_pidhash();
    image[shift_pa] = shift;
    ck_assert_uint_eq(scry_result_row_count(x.r), 0);
    ck_assert_uint_eq(ir_count_diags(x.r, SCRY_DIAG_WARNING), 1);
    snprintf(want, sizeof want,
             "PID table: root node 0x%llx has shift 3 (not a tree of at most 12 levels of 6 "
             "bits); not walked",
             (unsigned long long)(root & ~3ull));
    ck_assert_str_eq(warning(x.r), want);
    ir_free(&x);
}
END_TEST

START_TEST(pid_tree_loops)
{
    uint64_t head_pa, root, slot_pa;
    struct ir_run x;
    char want[200];
    if (!image)
        return;
    pid_tree(&head_pa, &root, &slot_pa);
    /* The root's last slot points back at the root: each node is walked
     * once, every task listed once, the loop said. */
    poke(slot_pa, root);
    x = run_pidhash();
    poke(slot_pa, 0);
    ck_assert_uint_eq(scry_result_row_count(x.r), SMALL_TASKS);
    ck_assert_uint_eq(ir_count_diags(x.r, SCRY_DIAG_WARNING), 1);
    snprintf(want, sizeof want, "PID table: node 0x%llx is reached twice (a loop); skipped",
             (unsigned long long)(root & ~3ull));
    ck_assert_str_eq(warning(x.r), want);
    ir_free(&x);
}
END_TEST

/* ---- Capabilities: 6.1's two-word sets ---- */

START_TEST(capabilities_two_words)
{
    struct ir_run x;
    uint64_t tasks_off, link, task1, real, perm, eff, bset, init_va;
    char *json;
    size_t len;
    if (!image)
        return;
    ir_open(&x, ctx, image, image_len, "dev-small.raw");
    const struct scry_linux *l = ir_linux(&x);
    tasks_off = field_off(l, "task_struct", "tasks");
    init_va = l->init_task;
    link = peek(ir_pa_of(&x, init_va + tasks_off, image_len));
    task1 = link - tasks_off; /* init, pid 1: the first on the list */
    real = peek(ir_pa_of(&x, task1 + field_off(l, "task_struct", "real_cred"), image_len));
    perm = ir_pa_of(&x, real + field_off(l, "cred", "cap_permitted"), image_len);
    eff = ir_pa_of(&x, real + field_off(l, "cred", "cap_effective"), image_len);
    bset = ir_pa_of(&x, real + field_off(l, "cred", "cap_bset"), image_len);
    ir_free(&x);
    uint64_t old[3] = {peek(perm), peek(eff), peek(bset)};
    /* cap[0] = bits 0 and 2, cap[1] = bit 0 (capability 32); effective
     * empty; the bounding set one bit short of full (bit 40 clear). */
    poke(perm, 0x0000000100000005ull);
    poke(eff, 0);
    poke(bset, 0x000000ffffffffffull);
    ir_open(&x, ctx, image, image_len, "dev-small.raw");
    const char *argv[] = {"--pids", "1"};
    ck_assert_int_eq(scry_plugin_run(x.s, "linux.capabilities", 2, argv, NULL, &x.r), SCRY_OK);
    poke(perm, old[0]);
    poke(eff, old[1]);
    poke(bset, old[2]);
    ck_assert_uint_eq(scry_result_row_count(x.r), 1);
    json = tu_render(x.r, "json", &len);
    ck_assert_msg(strstr(json, "\"cap_permitted\": \"chown, dac_read_search, mac_override\""), "%s", json);
    ck_assert_msg(strstr(json, "\"cap_effective\": \"\""), "%s", json);
    ck_assert_msg(strstr(json, "\"cap_bounding\": \"chown, dac_override, dac_read_search, fowner, "
                               "fsetid, kill, setgid, setuid, setpcap, linux_immutable, "
                               "net_bind_service, net_broadcast, net_admin, net_raw, ipc_lock, "
                               "ipc_owner, sys_module, sys_rawio, sys_chroot, sys_ptrace, "
                               "sys_pacct, sys_admin, sys_boot, sys_nice, sys_resource, sys_time, "
                               "sys_tty_config, mknod, lease, audit_write, audit_control, setfcap, "
                               "mac_override, mac_admin, syslog, wake_alarm, block_suspend, "
                               "audit_read, perfmon, bpf\""),
                  "%s", json);
    ck_assert_msg(strstr(json, "\"cap_inheritable\": \"\""), "%s", json);
    free(json);
    ir_free(&x);
}
END_TEST

/* ---- ptrace: a tracer and a tracee made in memory ---- */

START_TEST(ptrace_made_up)
{
    struct ir_run x;
    uint64_t tasks_off, t1, t3, ptrace_off, ptraced_off, entry_off, pa_ptrace3, pa_ptraced1,
        pa_entry3, init_va;
    char *json;
    size_t len;
    if (!image)
        return;
    ir_open(&x, ctx, image, image_len, "dev-small.raw");
    const struct scry_linux *l = ir_linux(&x);
    tasks_off = field_off(l, "task_struct", "tasks");
    ptrace_off = field_off(l, "task_struct", "ptrace");
    ptraced_off = field_off(l, "task_struct", "ptraced");
    entry_off = field_off(l, "task_struct", "ptrace_entry");
    init_va = l->init_task;
    t1 = peek(ir_pa_of(&x, init_va + tasks_off, image_len)) - tasks_off;   /* init */
    uint64_t t2 = peek(ir_pa_of(&x, t1 + tasks_off, image_len)) - tasks_off; /* kthreadd */
    t3 = peek(ir_pa_of(&x, t2 + tasks_off, image_len)) - tasks_off; /* a child of kthreadd */
    pa_ptrace3 = ir_pa_of(&x, t3 + ptrace_off, image_len);
    pa_ptraced1 = ir_pa_of(&x, t1 + ptraced_off, image_len);
    pa_entry3 = ir_pa_of(&x, t3 + entry_off, image_len);
    ir_free(&x);
    uint64_t old[3] = {peek(pa_ptrace3), peek(pa_ptraced1), peek(pa_entry3)};
    /* init traces t3 (PT_PTRACED|PT_SEIZED|PT_TRACESYSGOOD, and a bit no
     * flag names). */
    poke(pa_ptrace3, (old[0] & ~0xffffffffull) | 0x40010009ull);
    poke(pa_ptraced1, t3 + entry_off);
    poke(pa_entry3, t1 + ptraced_off);
    ir_open(&x, ctx, image, image_len, "dev-small.raw");
    ck_assert_int_eq(scry_plugin_run(x.s, "linux.ptrace", 0, NULL, NULL, &x.r), SCRY_OK);
    poke(pa_ptrace3, old[0]);
    poke(pa_ptraced1, old[1]);
    poke(pa_entry3, old[2]);
    json = tu_render(x.r, "json", &len);
    ck_assert_str_eq(json, "\n[\n"
                           "  {\n"
                           "    \"Flags\": null,\n"
                           "    \"PID\": 1,\n"
                           "    \"Process\": \"init\",\n"
                           "    \"TID\": 1,\n"
                           "    \"Tracee TID\": 3,\n"
                           "    \"Tracer TID\": null,\n"
                           "    \"__children\": []\n"
                           "  },\n"
                           "  {\n"
                           "    \"Flags\": \"PT_PTRACED|PT_SEIZED|PT_TRACESYSGOOD|0x40000000\",\n"
                           "    \"PID\": 3,\n"
                           "    \"Process\": \"rcu_gp\",\n"
                           "    \"TID\": 3,\n"
                           "    \"Tracee TID\": null,\n"
                           "    \"Tracer TID\": 2,\n"
                           "    \"__children\": []\n"
                           "  }\n"
                           "]\n");
    ck_assert_uint_eq(ir_count_diags(x.r, SCRY_DIAG_WARNING), 1);
    ck_assert_str_eq(warning(x.r),
                     "tid 3: ptrace 0x40010009 has bits no flag names (0x40000000)");
    free(json);
    ir_free(&x);
}
END_TEST

/* ---- The printk ring buffer ---- */

#define SMALL_KMSG_ROWS 404 /* Volatility's golden on dev-small */

struct ring {
    uint64_t count_bits, head, tail, descs, data; /* physical addresses */
    uint64_t head_id, tail_id;
};

static void ring_of(struct ring *g)
{
    struct ir_run x;
    uint64_t prb, rb, dr, tr, ctr;
    ir_open(&x, ctx, image, image_len, "dev-small.raw");
    const struct scry_linux *l = ir_linux(&x);
    ck_assert_int_eq(scry_sym_address(l->symtab, "prb", &prb), SCRY_OK);
    rb = peek(ir_pa_of(&x, prb + l->virt_shift, image_len));
    dr = rb + field_off(l, "printk_ringbuffer", "desc_ring");
    tr = rb + field_off(l, "printk_ringbuffer", "text_data_ring");
    ctr = field_off(l, "atomic64_t", "counter");
    g->count_bits = ir_pa_of(&x, dr + field_off(l, "prb_desc_ring", "count_bits"), image_len);
    g->head = ir_pa_of(&x, dr + field_off(l, "prb_desc_ring", "head_id") + ctr, image_len);
    g->tail = ir_pa_of(&x, dr + field_off(l, "prb_desc_ring", "tail_id") + ctr, image_len);
    g->descs = ir_pa_of(&x, dr + field_off(l, "prb_desc_ring", "descs"), image_len);
    g->data = ir_pa_of(&x, tr + field_off(l, "prb_data_ring", "data"), image_len);
    g->head_id = peek(g->head);
    g->tail_id = peek(g->tail);
    ir_free(&x);
}

static struct ir_run run_kmsg(void)
{
    struct ir_run x;
    ir_open(&x, ctx, image, image_len, "dev-small.raw");
    ck_assert_int_eq(scry_plugin_run(x.s, "linux.kmsg", 0, NULL, NULL, &x.r), SCRY_OK);
    return x;
}

START_TEST(kmsg_hostile_indexes)
{
    struct ring g;
    struct ir_run x;
    char want[300];
    if (!image)
        return;
    ring_of(&g);
    uint32_t bits;
    memcpy(&bits, image + g.count_bits, 4);
    x = run_kmsg();
    ck_assert_uint_eq(scry_result_row_count(x.r), SMALL_KMSG_ROWS);
    ck_assert_uint_eq(scry_result_diag_count(x.r), 0);
    ir_free(&x);
    /* Tail == head: Volatility goes round all 2^62 ids. Bounded to the
     * ring's size, every slot read once, one warning. */
    poke(g.tail, g.head_id);
    x = run_kmsg();
    poke(g.tail, g.tail_id);
    ck_assert_uint_ge(scry_result_row_count(x.r), SMALL_KMSG_ROWS);
    ck_assert_uint_eq(ir_count_diags(x.r, SCRY_DIAG_WARNING), 1);
    snprintf(want, sizeof want,
             "the printk ring buffer's tail 0x%llx and head 0x%llx are more than %llu records "
             "apart; the first %llu read",
             (unsigned long long)g.head_id, (unsigned long long)g.head_id, 1ull << bits,
             1ull << bits);
    ck_assert_str_eq(warning(x.r), want);
    ir_free(&x);
    /* A head with the state bits set: never met; bounded the same way. */
    poke(g.head, g.head_id | 3ull << 62);
    x = run_kmsg();
    poke(g.head, g.head_id);
    ck_assert_uint_eq(ir_count_diags(x.r, SCRY_DIAG_WARNING), 1);
    ir_free(&x);
    /* 2^63 descriptors: not read. */
    uint32_t huge = 63;
    memcpy(image + g.count_bits, &huge, 4);
    x = run_kmsg();
    memcpy(image + g.count_bits, &bits, 4);
    ck_assert_uint_eq(scry_result_row_count(x.r), 0);
    ck_assert_str_eq(warning(x.r), "the printk ring buffer has 2^63 descriptors; not read");
    ir_free(&x);
}
END_TEST

START_TEST(kmsg_hostile_pointers)
{
    struct ring g;
    struct ir_run x;
    if (!image)
        return;
    ring_of(&g);
    uint64_t descs = peek(g.descs), data = peek(g.data);
    /* Descriptors nowhere: every record skipped with a warning, no rows. */
    poke(g.descs, UNMAPPED);
    x = run_kmsg();
    poke(g.descs, descs);
    ck_assert_uint_eq(scry_result_row_count(x.r), 0);
    ck_assert_uint_gt(ir_count_diags(x.r, SCRY_DIAG_WARNING), 300);
    ck_assert_msg(strstr(warning(x.r), "cannot be read; skipped"), "%s", warning(x.r));
    ir_free(&x);
    /* Text nowhere: each record with text skipped, said once each. */
    poke(g.data, UNMAPPED);
    x = run_kmsg();
    poke(g.data, data);
    ck_assert_uint_lt(scry_result_row_count(x.r), 10); /* dev_info rows only */
    ck_assert_msg(strstr(warning(x.r), "its text at"), "%s", warning(x.r));
    ir_free(&x);
    /* The oldest record's text position made odd (no text): its one line
     * is gone, nothing else. Then begin past next (wraps to 0) with the
     * largest text_len: read up to next, bounded. */
    {
        struct ir_run y;
        ir_open(&y, ctx, image, image_len, "dev-small.raw");
        const struct scry_linux *l = ir_linux(&y);
        uint32_t bits;
        uint64_t dsize, isize, infos_va;
        memcpy(&bits, image + g.count_bits, 4);
        ck_assert_int_eq(scry_sym_type_size(l->symtab, "prb_desc", &dsize), SCRY_OK);
        ck_assert_int_eq(scry_sym_type_size(l->symtab, "printk_info", &isize), SCRY_OK);
        /* The record after the tail (the tail is the ring's empty first
         * descriptor on dev-small): "Linux version ...". */
        uint64_t idx = ((g.tail_id + 1) & ~(3ull << 62)) & ((1ull << bits) - 1);
        uint64_t lpos = descs + idx * dsize + field_off(l, "prb_desc", "text_blk_lpos");
        uint64_t begin_pa = ir_pa_of(&y, lpos + field_off(l, "prb_data_blk_lpos", "begin"), image_len);
        uint64_t next_pa = ir_pa_of(&y, lpos + field_off(l, "prb_data_blk_lpos", "next"), image_len);
        memcpy(&infos_va, image + g.descs + 8, 8); /* desc_ring.infos follows descs */
        uint64_t tlen_pa = ir_pa_of(&y, infos_va + idx * isize + field_off(l, "printk_info", "text_len"), image_len);
        ir_free(&y);
        uint64_t begin = peek(begin_pa), next = peek(next_pa);
        uint16_t tlen;
        memcpy(&tlen, image + tlen_pa, 2);
        poke(begin_pa, begin | 1);
        x = run_kmsg();
        ck_assert_uint_eq(scry_result_row_count(x.r), SMALL_KMSG_ROWS - 1);
        ck_assert_uint_eq(scry_result_diag_count(x.r), 0);
        ir_free(&x);
        poke(begin_pa, next + 0x1000);
        uint16_t big = 0xffff;
        memcpy(image + tlen_pa, &big, 2);
        x = run_kmsg();
        poke(begin_pa, begin);
        memcpy(image + tlen_pa, &tlen, 2);
        ck_assert_uint_ge(scry_result_row_count(x.r), SMALL_KMSG_ROWS);
        ck_assert_uint_eq(ir_count_diags(x.r, SCRY_DIAG_WARNING), 0);
        ir_free(&x);
    }
}
END_TEST

/* ---- iomem: a resource tree that loops or leads nowhere ---- */

START_TEST(iomem_hostile)
{
    struct ir_run x;
    uint64_t root, c1, sib_pa;
    char want[300];
    if (!image)
        return;
    ir_open(&x, ctx, image, image_len, "dev-small.raw");
    const struct scry_linux *l = ir_linux(&x);
    ck_assert_int_eq(scry_sym_address(l->symtab, "iomem_resource", &root), SCRY_OK);
    root += l->virt_shift;
    c1 = peek(ir_pa_of(&x, root + field_off(l, "resource", "child"), image_len));
    sib_pa = ir_pa_of(&x, c1 + field_off(l, "resource", "sibling"), image_len);
    ir_free(&x);
    uint64_t sib = peek(sib_pa);
    /* The first child's sibling is the root: root, child, then the loop. */
    poke(sib_pa, root);
    ir_open(&x, ctx, image, image_len, "dev-small.raw");
    ck_assert_int_eq(scry_plugin_run(x.s, "linux.iomem", 0, NULL, NULL, &x.r), SCRY_OK);
    ck_assert_uint_eq(scry_result_row_count(x.r), 2);
    snprintf(want, sizeof want,
             "resource 0x%llx is reached twice (a loop); its children and later siblings are "
             "not listed again",
             (unsigned long long)root);
    ck_assert_str_eq(warning(x.r), want);
    ir_free(&x);
    /* ... or nowhere. */
    poke(sib_pa, UNMAPPED);
    ir_open(&x, ctx, image, image_len, "dev-small.raw");
    ck_assert_int_eq(scry_plugin_run(x.s, "linux.iomem", 0, NULL, NULL, &x.r), SCRY_OK);
    poke(sib_pa, sib);
    ck_assert_uint_eq(scry_result_row_count(x.r), 2);
    snprintf(want, sizeof want,
             "resource 0x%llx cannot be read; it, its children and its later siblings are "
             "missing: ",
             (unsigned long long)UNMAPPED);
    ck_assert_msg(!strncmp(warning(x.r), want, strlen(want)), "%s", warning(x.r));
    ir_free(&x);
}
END_TEST

/* ---- eBPF: a program made in a free page ---- */

START_TEST(ebpf_made_up)
{
    struct ir_run x;
    uint64_t idr, pob, head_pa, page_offset;
    char *json, want[1024];
    size_t len;
    if (!image)
        return;
    /* A zero page near the top of RAM as scratch, through the direct map. */
    uint64_t scratch = 0;
    for (uint64_t pa = (image_len - (64u << 20)) & ~4095ull; pa + 4096 <= image_len; pa += 4096) {
        size_t k = 0;
        while (k < 4096 && !image[pa + k])
            k++;
        if (k == 4096) {
            scratch = pa;
            break;
        }
    }
    ck_assert_uint_ne(scratch, 0);
    ir_open(&x, ctx, image, image_len, "dev-small.raw");
    const struct scry_linux *l = ir_linux(&x);
    ck_assert_int_eq(scry_sym_address(l->symtab, "prog_idr", &idr), SCRY_OK);
    ck_assert_int_eq(scry_sym_address(l->symtab, "page_offset_base", &pob), SCRY_OK);
    page_offset = peek(ir_pa_of(&x, pob + l->virt_shift, image_len));
    head_pa = ir_pa_of(&x, idr + l->virt_shift + field_off(l, "idr", "idr_rt") +
                               field_off(l, "xarray", "xa_head"), image_len);
    uint64_t type_off = field_off(l, "bpf_prog", "type"), tag_off = field_off(l, "bpf_prog", "tag");
    uint64_t aux_off = field_off(l, "bpf_prog", "aux"), name_off = field_off(l, "bpf_prog_aux", "name");
    uint64_t mask = l->va_mask;
    ir_free(&x);
    uint64_t va = page_offset + scratch, old_head = peek(head_pa);
    ck_assert_uint_eq(old_head, 0); /* no programs in the guest */
    static const uint8_t tag[8] = {0xde, 0xad, 0xbe, 0xef, 0x00, 0x01, 0x02, 0xff};
    uint32_t type = 2; /* BPF_PROG_TYPE_KPROBE */
    memcpy(image + scratch + type_off, &type, 4);
    memcpy(image + scratch + tag_off, tag, 8);
    poke(scratch + aux_off, va + 0x800);
    memcpy(image + scratch + 0x800 + name_off, "my_prog", 8);
    poke(head_pa, va); /* one entry, the root itself */
    ir_open(&x, ctx, image, image_len, "dev-small.raw");
    ck_assert_int_eq(scry_plugin_run(x.s, "linux.ebpf", 0, NULL, NULL, &x.r), SCRY_OK);
    json = tu_render(x.r, "json", &len);
    snprintf(want, sizeof want,
             "\n[\n  {\n    \"Address\": %llu,\n    \"Name\": \"my_prog\",\n"
             "    \"Tag\": \"deadbeef000102ff\",\n    \"Type\": \"BPF_PROG_TYPE_KPROBE\",\n"
             "    \"__children\": []\n  }\n]\n",
             (unsigned long long)(va & mask));
    ck_assert_str_eq(json, want);
    free(json);
    ir_free(&x);
    /* A type no name has: its number, with a warning. */
    type = 99;
    memcpy(image + scratch + type_off, &type, 4);
    ir_open(&x, ctx, image, image_len, "dev-small.raw");
    ck_assert_int_eq(scry_plugin_run(x.s, "linux.ebpf", 0, NULL, NULL, &x.r), SCRY_OK);
    poke(head_pa, old_head);
    memset(image + scratch, 0, 4096);
    json = tu_render(x.r, "json", &len);
    ck_assert_msg(strstr(json, "\"Type\": \"99\""), "%s", json);
    snprintf(want, sizeof want, "eBPF program 0x%llx: type 99 has no name", (unsigned long long)va);
    ck_assert_str_eq(warning(x.r), want);
    free(json);
    ir_free(&x);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("hostile_pid_kmsg");
    TCase *tc = tcase_create("hostile");
    int rc;
    tcase_add_test(tc, psscan_search_equals_plain_search);
    tcase_add_test(tc, psscan_planted_task);
    tcase_add_test(tc, bash_history_in_made_up_heap);
    tcase_add_test(tc, bash_python_int);
    ir_load_small("test_hostile_pid_kmsg", &image, &image_len, symdir, sizeof symdir, &ctx);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, pid_tree_into_unmapped_memory);
    tcase_add_test(tc, pid_tree_loops);
    tcase_add_test(tc, capabilities_two_words);
    tcase_add_test(tc, ptrace_made_up);
    tcase_add_test(tc, kmsg_hostile_indexes);
    tcase_add_test(tc, kmsg_hostile_pointers);
    tcase_add_test(tc, iomem_hostile);
    tcase_add_test(tc, ebpf_made_up);
    suite_add_tcase(s, tc);
    rc = tu_run_suite(s);
    if (ctx)
        scry_context_free(ctx);
    free(image);
    return rc;
}
