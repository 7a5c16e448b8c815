/* test_win_B.c - hostile process memory for windows.cmdline, envars,
 * dlllist and pstree (lib/walk/windows_peb.c and the four plugins).
 *
 * The shared generator (tools/winimage) writes a Windows 10 22H2 raw image
 * into the build tree once; the fixture patches it in memory - a PEB that
 * points nowhere, ProcessParameters of 0, a ProcessParameters page whose PTE
 * names memory past the end of the dump or a pagefile slot, a
 * UNICODE_STRING with an odd Length larger than its MaximumLength and one
 * running off its mapped page, a loader list that loops and one that runs
 * into unmapped memory, an environment block without its terminators and
 * one claiming 2^48 bytes, a parent cycle of two and one of three, a PDE in
 * transition and a PML4 entry with PS set (Volatility's paging) - and
 * every expectation below is what unmodified Volatility 3 2.11.0 prints
 * for that same patched image (checked when this test was written: the
 * JSON of all four plugins is byte-identical). Each plugin must also stay
 * bounded: the whole fixture runs the four plugins in well under a second. */
#include <check.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "imagerun.h"
#include "lib/walk/windows_peb.h"
#include "testutil.h"

/* 22H2 (ISF 606FF669409B00F7FC8C61A9C1670129-1) offsets the patches use. */
#define EP_PID 0x440
#define EP_PPID 0x540
#define EP_PEB 0x550
#define PEB_LDR 0x18
#define PEB_PARAMS 0x20
#define PP_CMDLINE 0x70
#define PP_ENV_SIZE 0x3f0
#define LDR_LOAD 0x10

static const char *const plugins[4] = {"windows.cmdline", "windows.envars", "windows.dlllist",
                                       "windows.pstree"};
enum { CMDLINE, ENVARS, DLLLIST, PSTREE };

static struct {
    int ready;
    uint8_t *img;
    size_t len;
    scry_context *ctx;
    struct ir_run run[4];
    double seconds;
    /* facts the patches produced */
    uint64_t ps_page_end, pp520, peb5188;
    char cmd4868[512];
} F;

struct proc {
    uint64_t ep_pa, dtb;
};

static struct proc procs[32];
static int64_t pids[32];
static size_t nprocs;

static uint64_t rd64(uint64_t pa)
{
    uint64_t v;
    ck_assert_uint_lt(pa + 8, F.len);
    memcpy(&v, F.img + pa, 8);
    return v;
}
static void wr64(uint64_t pa, uint64_t v)
{
    ck_assert_uint_lt(pa + 8, F.len);
    memcpy(F.img + pa, &v, 8);
}
static void wr16(uint64_t pa, uint16_t v)
{
    ck_assert_uint_lt(pa + 2, F.len);
    memcpy(F.img + pa, &v, 2);
}

/* x86-64 walk over the image: the PA of va (0 when unmapped), and the PA
 * of the PTE that maps it (0 for a large page or an upper-level miss). */
static uint64_t walk(uint64_t dtb, uint64_t va, uint64_t *pte)
{
    uint64_t table = dtb & ~0xfffull;
    static const unsigned shifts[4] = {39, 30, 21, 12};
    if (pte)
        *pte = 0;
    for (int i = 0; i < 4; i++) {
        uint64_t slot = table + ((va >> shifts[i]) & 511) * 8, e = rd64(slot);
        if (pte && shifts[i] == 12)
            *pte = slot;
        if (!(e & 1))
            return 0;
        if ((shifts[i] == 30 || shifts[i] == 21) && (e & 0x80)) {
            uint64_t size = 1ull << shifts[i];
            return (e & 0xffffffffff000ull & ~(size - 1)) | (va & (size - 1));
        }
        table = e & 0xffffffffff000ull;
    }
    return table | (va & 0xfff);
}

static const struct proc *proc_of(int64_t pid)
{
    for (size_t i = 0; i < nprocs; i++)
        if (pids[i] == pid)
            return &procs[i];
    ck_abort_msg("pid %" PRId64 " not in the truth file", pid);
    return NULL;
}

static uint64_t pa_in(int64_t pid, uint64_t va)
{
    uint64_t pa = walk(proc_of(pid)->dtb, va, NULL);
    ck_assert_msg(pa, "pid %" PRId64 ": 0x%" PRIx64 " unmapped", pid, va);
    return pa;
}
static uint64_t rd_in(int64_t pid, uint64_t va) { return rd64(pa_in(pid, va)); }
static uint64_t peb_of(int64_t pid) { return rd64(proc_of(pid)->ep_pa + EP_PEB); }
static uint64_t params_of(int64_t pid) { return rd_in(pid, peb_of(pid) + PEB_PARAMS); }

static void patch(void)
{
    uint64_t cl, buf, x, ldr, e1, e2, p, pte, sz;
    uint16_t len;
    /* a. notepad: a PEB pointer to nowhere */
    wr64(proc_of(4312)->ep_pa + EP_PEB, 0x7ff000000000ull);
    /* b. cmd: CommandLine.Length odd and above MaximumLength */
    cl = params_of(4868) + PP_CMDLINE;
    memcpy(&len, F.img + pa_in(4868, cl), 2);
    wr16(pa_in(4868, cl), (uint16_t)(len - 1));
    wr16(pa_in(4868, cl + 2), 4);
    /* c. powershell: CommandLine runs off the end of its mapped page */
    cl = params_of(5012) + PP_CMDLINE;
    buf = rd_in(5012, cl + 8);
    for (x = buf & ~0xfffull; walk(proc_of(5012)->dtb, x + 0x1000, NULL); x += 0x1000)
        ;
    F.ps_page_end = x + 0x1000;
    wr64(pa_in(5012, cl + 8), F.ps_page_end - 6);
    /* d. svchost 792: the second loader entry links to itself */
    ldr = rd_in(792, peb_of(792) + PEB_LDR);
    e1 = rd_in(792, ldr + LDR_LOAD);
    e2 = rd_in(792, e1);
    wr64(pa_in(792, e2), e2);
    /* e. svchost 868: the first entry's Flink points at unmapped memory */
    ldr = rd_in(868, peb_of(868) + PEB_LDR);
    e1 = rd_in(868, ldr + LDR_LOAD);
    wr64(pa_in(868, e1), 0x10000);
    /* f. svchost 1204: EnvironmentSize stops before the terminators */
    p = params_of(1204);
    sz = rd_in(1204, p + PP_ENV_SIZE);
    wr64(pa_in(1204, p + PP_ENV_SIZE), sz - 4);
    /* g. explorer: EnvironmentSize of 2^48 - 1 */
    p = params_of(3560);
    wr64(pa_in(3560, p + PP_ENV_SIZE), 0xffffffffffffull);
    /* h. parent cycles: winlogon <-> services; updater -> powershell ->
     * cmd -> updater */
    wr64(proc_of(600)->ep_pa + EP_PPID, 652);
    wr64(proc_of(652)->ep_pa + EP_PPID, 600);
    wr64(proc_of(5188)->ep_pa + EP_PPID, 5012);
    wr64(proc_of(5012)->ep_pa + EP_PPID, 4868);
    wr64(proc_of(4868)->ep_pa + EP_PPID, 5188);
    /* i. lsass: ProcessParameters = 0 */
    wr64(pa_in(672, peb_of(672) + PEB_PARAMS), 0);
    /* j. csrss 436: the ProcessParameters page maps 4 GiB, past the dump */
    p = params_of(436);
    walk(proc_of(436)->dtb, p, &pte);
    ck_assert_uint_ne(pte, 0);
    wr64(pte, (rd64(pte) & ~0xffffffffff000ull) | 0x100000000ull);
    /* k. csrss 520: the ProcessParameters page is in the pagefile */
    F.pp520 = params_of(520);
    walk(proc_of(520)->dtb, F.pp520, &pte);
    ck_assert_uint_ne(pte, 0);
    wr64(pte, (0x1234ull << 32) | 0x80);
    /* l. wininit: the PDE above its PEB in transition (present clear, bit
     * 11 set): Volatility's Windows layer takes it as valid at any level */
    {
        uint64_t peb = peb_of(512), table = proc_of(512)->dtb & ~0xfffull, slot = 0, e = 0;
        static const unsigned shifts[3] = {39, 30, 21};
        for (int i = 0; i < 3; i++) {
            slot = table + ((peb >> shifts[i]) & 511) * 8;
            e = rd64(slot);
            table = e & 0xffffffffff000ull;
        }
        wr64(slot, (e & ~1ull) | 0x800);
    }
    /* m. updater: PS set in the PML4 entry above its PEB - a 512 GiB page
     * to Volatility, at physical 0 (past the dump where the PEB lies) */
    F.peb5188 = peb_of(5188);
    p = (proc_of(5188)->dtb & ~0xfffull) + ((F.peb5188 >> 39) & 511) * 8;
    wr64(p, rd64(p) | 0x80);
}

static void setup(void)
{
    const char *corpus = tu_corpus_dir("win_B");
    char cmd[16384], dir[4096], path[4200], isf[4200];
    struct stat sb;
    json_error_t jerr;
    if (!corpus)
        return;
    snprintf(dir, sizeof dir, "%s/winB-gen", SCRY_BINARY_DIR);
    snprintf(isf, sizeof isf, "%s/../isf", corpus);
    snprintf(path, sizeof path, "%s/w10.raw", dir);
    if (stat(path, &sb) != 0) {
        snprintf(cmd, sizeof cmd,
                 "python3 %s/../tools/winimage/winimage.py --isf "
                 "%s/windows/ntkrnlmp.pdb/606FF669409B00F7FC8C61A9C1670129-1.json.xz "
                 "--out %s --name w10 --formats raw >/dev/null",
                 corpus, isf, dir);
        if (system(cmd) != 0) {
            printf("SKIP win_B: the generator failed (%s)\n", cmd);
            return;
        }
    }
    ck_assert_ptr_nonnull(F.img = (uint8_t *)tu_slurp(path, &F.len));
    snprintf(path, sizeof path, "%s/w10.truth.json", dir);
    json_t *truth = json_load_file(path, JSON_DECODE_INT_AS_REAL, &jerr), *ps = json_object_get(truth, "processes");
    ck_assert_ptr_nonnull(ps);
    for (size_t i = 0; i < json_array_size(ps) && nprocs < 32; i++) {
        json_t *p = json_array_get(ps, i);
        pids[nprocs] = (int64_t)json_number_value(json_object_get(p, "pid"));
        procs[nprocs].ep_pa = (uint64_t)json_number_value(json_object_get(p, "eprocess_pa"));
        procs[nprocs].dtb = (uint64_t)json_number_value(json_object_get(p, "dtb"));
        nprocs++;
    }
    json_decref(truth);
    patch();
    ck_assert_int_eq(scry_context_new(&F.ctx), SCRY_OK);
    ck_assert_int_eq(scry_context_add_symbol_dir(F.ctx, isf), SCRY_OK);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < 4; i++) {
        ir_open(&F.run[i], F.ctx, F.img, F.len, "w10-hostile.raw");
        ck_assert_msg(scry_plugin_run(F.run[i].s, plugins[i], 0, NULL, NULL, &F.run[i].r) ==
                          SCRY_OK,
                      "%s: %s", plugins[i], scry_last_error());
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    F.seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    F.ready = 1;
}

static void teardown(void)
{
    for (int i = 0; i < 4; i++)
        if (F.run[i].s)
            ir_free(&F.run[i]);
    scry_context_free(F.ctx);
    free(F.img);
    memset(&F, 0, sizeof F);
}

#define NEED()                                                                                     \
    do {                                                                                           \
        if (!F.ready)                                                                              \
            return;                                                                                \
    } while (0)

static int64_t cell_i(const scry_result *r, size_t row, size_t col)
{
    int64_t v;
    ck_assert_int_eq(scry_result_cell_int(r, row, col, &v), SCRY_OK);
    return v;
}

/* The Args of pid in the cmdline result. */
static const char *args_of(int64_t pid)
{
    const scry_result *r = F.run[CMDLINE].r;
    for (size_t i = 0; i < scry_result_row_count(r); i++)
        if (cell_i(r, i, 0) == pid) {
            const char *s;
            size_t n;
            ck_assert_int_eq(scry_result_cell_str(r, i, 2, &s, &n), SCRY_OK);
            return s;
        }
    ck_abort_msg("pid %" PRId64 " has no cmdline row", pid);
    return NULL;
}

static size_t rows_of(int which, int64_t pid)
{
    const scry_result *r = F.run[which].r;
    size_t n = 0;
    for (size_t i = 0; i < scry_result_row_count(r); i++)
        n += cell_i(r, i, 0) == pid;
    return n;
}

START_TEST(peb_to_nowhere)
{
    NEED();
    /* cmdline reads Peb->ProcessParameters at Peb + 0x20 */
    ck_assert_str_eq(args_of(4312), "Required memory at 0x7ff000000020 is not valid "
                                    "(process exited?)");
    ck_assert_str_eq(args_of(4), "Required memory at 0x20 is not valid (process exited?)");
    /* get_peb() fails: no variables, no DLLs, no Cmd/Path */
    ck_assert_uint_eq(rows_of(ENVARS, 4312), 0);
    ck_assert_uint_eq(rows_of(DLLLIST, 4312), 0);
    const scry_result *t = F.run[PSTREE].r;
    size_t i;
    for (i = 0; i < scry_result_row_count(t) && cell_i(t, i, 0) != 4312; i++)
        ;
    ck_assert_uint_lt(i, scry_result_row_count(t));
    ck_assert_int_eq(scry_result_cell_state(t, i, 11), SCRY_CELL_NOT_AVAILABLE);
    ck_assert_int_eq(scry_result_cell_state(t, i, 12), SCRY_CELL_NOT_AVAILABLE);
    ck_assert_int_eq(scry_result_cell_state(t, i, 10), SCRY_CELL_VALUE); /* audit: kernel */
}
END_TEST

START_TEST(fault_kinds)
{
    char want[200];
    NEED();
    /* ProcessParameters = 0: get_string() reads Buffer (+0x78) first */
    ck_assert_str_eq(args_of(672), "Required memory at 0x78 is not valid (process exited?)");
    /* a PTE naming memory past the dump: the physical address, per process */
    ck_assert_str_eq(args_of(436), "Process 436: Required memory at 0x100000078 is not valid "
                                   "(incomplete layer memory_layer?)");
    /* a pagefile PTE */
    snprintf(want, sizeof want, "Required memory at 0x%" PRIx64 " is inaccessible (swapped)",
             F.pp520 + 0x78);
    ck_assert_str_eq(args_of(520), want);
    /* a string running off its page: the next page's start */
    snprintf(want, sizeof want, "Required memory at 0x%" PRIx64 " is not valid (process exited?)",
             F.ps_page_end);
    ck_assert_str_eq(args_of(5012), want);
}
END_TEST

START_TEST(volatility_paging)
{
    char want[200];
    NEED();
    ck_assert_str_eq(args_of(512), "wininit.exe");
    ck_assert_uint_eq(rows_of(DLLLIST, 512), 4);
    ck_assert_uint_eq(rows_of(ENVARS, 512), 10);
    snprintf(want, sizeof want,
             "Process 5188: Required memory at 0x%" PRIx64
             " is not valid (incomplete layer memory_layer?)",
             (uint64_t)((F.peb5188 + 0x20) & ((1ull << 39) - 1)));
    ck_assert_str_eq(args_of(5188), want);
    ck_assert_uint_eq(rows_of(ENVARS, 5188), 0);
    ck_assert_uint_eq(rows_of(DLLLIST, 5188), 0);
}
END_TEST

START_TEST(unicode_string_odd_length)
{
    NEED();
    /* Length odd (one byte short of the emoji's surrogate pair) and above
     * MaximumLength (4): Length bytes are read; the cut pair is one U+FFFD */
    ck_assert_str_eq(args_of(4868), "\"C:\\Windows\\system32\\cmd.exe\" /k echo "
                                    "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e "
                                    "\xe3\x83\x86\xe3\x82\xb9\xe3\x83\x88 \xef\xbf\xbd");
}
END_TEST

START_TEST(loader_list_loops_and_breaks)
{
    NEED();
    ck_assert_uint_eq(rows_of(DLLLIST, 792), 2); /* entry 2 links to itself */
    ck_assert_uint_eq(rows_of(DLLLIST, 868), 1); /* entry 1 links to 0x10000 */
    ck_assert_uint_eq(rows_of(DLLLIST, 600), 5); /* untouched */
    ck_assert_uint_ge(ir_count_diags(F.run[DLLLIST].r, SCRY_DIAG_WARNING), 2);
}
END_TEST

START_TEST(environment_unterminated_and_huge)
{
    NEED();
    const scry_result *r = F.run[ENVARS].r;
    size_t last = SIZE_MAX;
    ck_assert_uint_eq(rows_of(ENVARS, 1204), 9); /* "windir=..." lost its NUL */
    for (size_t i = 0; i < scry_result_row_count(r); i++)
        if (cell_i(r, i, 0) == 1204)
            last = i;
    const char *s;
    size_t n;
    ck_assert_int_eq(scry_result_cell_str(r, last, 3, &s, &n), SCRY_OK);
    ck_assert_str_eq(s, "TEMP");
    ck_assert_uint_eq(rows_of(ENVARS, 3560), 0); /* 2^48 bytes: unreadable */
    ck_assert_uint_eq(rows_of(ENVARS, 328), 10);
    ck_assert_uint_ge(ir_count_diags(r, SCRY_DIAG_WARNING), 1);
}
END_TEST

START_TEST(pstree_parent_cycles)
{
    NEED();
    /* Volatility's rows (PID, depth): the 2-cycle gives two roots, the
     * 3-cycle (4868, 5012, 5188) climbs to level 2 and is never reached;
     * services' children come in CPython set order (792, 1204, 868). */
    static const int64_t want[][2] = {{4, 0},   {88, 1},  {328, 1},  {436, 0},   {512, 0},
                                      {672, 1}, {520, 0}, {600, 0},  {652, 0},   {792, 1},
                                      {1204, 1}, {868, 1}, {3560, 0}, {4312, 1}};
    const scry_result *r = F.run[PSTREE].r;
    ck_assert_uint_eq(scry_result_row_count(r), sizeof want / sizeof want[0]);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        ck_assert_int_eq(cell_i(r, i, 0), want[i][0]);
        ck_assert_int_eq(scry_result_row_depth(r, i), (int)want[i][1]);
    }
    /* one warning per process whose chain loops: 600, 652, the three on
     * the 3-cycle and the three below services */
    ck_assert_uint_eq(ir_count_diags(r, SCRY_DIAG_WARNING), 8);
}
END_TEST

START_TEST(bounded)
{
    NEED();
    /* four plugins, 2^48-byte environment included */
    ck_assert_msg(F.seconds < 10.0, "took %.2f s", F.seconds);
}
END_TEST

/* The fault classifier alone, on a tiny machine: a PML4 whose only entry
 * maps one page; everything else faults as Volatility faults it. */
START_TEST(classifier_tiny)
{
    static uint8_t mem[4 * 4096];
    struct scry_file *f;
    struct scry_phys *phys;
    struct scry_win_fault flt;
    uint64_t e;
    memset(mem, 0, sizeof mem);
    /* PML4 at 0x1000 -> PDPT 0x2000 -> PD 0x3000; PD[0] -> a page table
     * at page 0 whose entries 0 and 511 map page 0 (VAs 0 and 0x1ff000) */
    e = 0x2000 | 1, memcpy(mem + 0x1000, &e, 8);
    e = 0x3000 | 1, memcpy(mem + 0x2000, &e, 8);
    e = 0x0000 | 1, memcpy(mem + 0x3000, &e, 8);
    e = 0x0000 | 1, memcpy(mem + 0x0000, &e, 8), memcpy(mem + 511 * 8, &e, 8);
    /* PD[1]: a pagefile entry (2 MiB at 0x200000) */
    e = (0x77ull << 32) | 0x80, memcpy(mem + 0x3008, &e, 8);
    /* PD[2]: a 2 MiB page past the end of the image (at 0x400000) */
    e = 0x40000000 | 0x81, memcpy(mem + 0x3010, &e, 8);
    ck_assert_int_eq(scry_file_from_memory(mem, sizeof mem, "tiny", &f), SCRY_OK);
    ck_assert_int_eq(scry_phys_open_file(f, NULL, &phys), SCRY_OK);
    ck_assert_int_eq(scry_win_vol_fault(phys, 0x1000, 0x10, 8, &flt), 0);
    ck_assert_int_eq(scry_win_vol_fault(phys, 0x1000, 0x7ff000000020ull, 8, &flt), 1);
    ck_assert_int_eq(flt.kind, SCRY_WIN_FAULT_PAGED);
    ck_assert_uint_eq(flt.addr, 0x7ff000000020ull);
    ck_assert_int_eq(scry_win_vol_fault(phys, 0x1000, 0x200010, 8, &flt), 1);
    ck_assert_int_eq(flt.kind, SCRY_WIN_FAULT_SWAPPED);
    ck_assert_uint_eq(flt.addr, 0x200010);
    ck_assert_int_eq(scry_win_vol_fault(phys, 0x1000, 0x400020, 8, &flt), 1);
    ck_assert_int_eq(flt.kind, SCRY_WIN_FAULT_LAYER);
    ck_assert_uint_eq(flt.addr, 0x40000020);
    /* a read crossing from the mapped 2 MiB page into the pagefile one
     * fails at the second chunk's start */
    ck_assert_int_eq(scry_win_vol_fault(phys, 0x1000, 0x1ffffc, 8, &flt), 1);
    ck_assert_int_eq(flt.kind, SCRY_WIN_FAULT_SWAPPED);
    ck_assert_uint_eq(flt.addr, 0x200000);
    /* a page table of one repeated entry is no table */
    for (int i = 0; i < 512; i++)
        e = 0x3000 | 1, memcpy(mem + 0x2000 + 8 * i, &e, 8);
    ck_assert_int_eq(scry_win_vol_fault(phys, 0x1000, 0x10, 8, &flt), 1);
    ck_assert_int_eq(flt.kind, SCRY_WIN_FAULT_PAGED);
    scry_phys_close(phys);
}
END_TEST

static Suite *win_b_suite(void)
{
    Suite *s = suite_create("win_B");
    TCase *tc = tcase_create("hostile"), *tiny = tcase_create("classifier");
    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, peb_to_nowhere);
    tcase_add_test(tc, fault_kinds);
    tcase_add_test(tc, volatility_paging);
    tcase_add_test(tc, unicode_string_odd_length);
    tcase_add_test(tc, loader_list_loops_and_breaks);
    tcase_add_test(tc, environment_unterminated_and_huge);
    tcase_add_test(tc, pstree_parent_cycles);
    tcase_add_test(tc, bounded);
    tcase_add_test(tiny, classifier_tiny);
    suite_add_tcase(s, tc);
    suite_add_tcase(s, tiny);
    return s;
}

int main(void) { return tu_run_suite(win_b_suite()); }
