/* test_hostile_envars_lsmod.c - envars and lsmod on real memory made hostile.
 *
 * dev-small.raw is loaded into memory and one structure is patched: the
 * module list loops back (to an earlier module, to itself), ends in NULL or
 * in an unmapped address; the marker process's environment range is huge,
 * inverted or unreadable; its mm->pgd points nowhere. Each run must finish
 * with a bounded, exact answer and the diagnostic that says why: never
 * hang, never crash. And the corpus ISF without module support, or with a
 * struct module of no known layout: pslist still works, lsmod says why. */
#include <check.h>
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/os/linux.h"
#include "formats/phys.h"
#include "lib/plugins/plugin.h"
#include "lib/session/session.h"
#include "imagerun.h"
#include "testutil.h"

static uint8_t *image;
static size_t image_len;
static char symdir[4096];
static scry_context *ctx;

/* dev-small's marker process (truth.json marker.marker_pid) and its
 * environment rows (Volatility's golden: envars --pid 147). */
#define MARKER_PID 147
#define MARKER_ENV_ROWS 7
#define NMODULES 4

static scry_status run_plugin(struct ir_run *x, const char *plugin, int argc,
                              const char *const *argv)
{
    ir_open(x, ctx, image, image_len, "dev-small.raw");
    return scry_plugin_run(x->s, plugin, argc, argv, NULL, &x->r);
}

/* The i-th diagnostic of r at level (its status and message). */
static const char *diag_at(const struct scry_result *r, scry_diag_level level, size_t i,
                           scry_status *status)
{
    for (size_t k = 0; k < scry_result_diag_count(r); k++) {
        scry_diag_level lv;
        const char *msg;
        ck_assert_int_eq(scry_result_diag(r, k, &lv, status, &msg), SCRY_OK);
        if (lv == level && i-- == 0)
            return msg;
    }
    ck_abort_msg("no diagnostic %zu at level %d", i, (int)level);
    return NULL;
}

static void poke(uint64_t pa, uint64_t v) { memcpy(image + pa, &v, 8); }
static uint64_t peek(uint64_t pa)
{
    uint64_t v;
    memcpy(&v, image + pa, 8);
    return v;
}
static uint64_t canonical(uint64_t masked) { return masked | 0xffff000000000000ull; }

/* ---- lsmod ---- */

/* The modules' addresses (canonical), unpatched; the answer is complete. */
static void modules(uint64_t *mod, struct scry_linux_offsets *off)
{
    struct ir_run x;
    ck_assert_int_eq(run_plugin(&x, "linux.lsmod", 0, NULL), SCRY_OK);
    tu_show_diags("lsmod unpatched", x.r);
    ck_assert_uint_eq(scry_result_row_count(x.r), NMODULES);
    ck_assert_uint_eq(scry_result_diag_count(x.r), 0);
    for (size_t i = 0; i < NMODULES; i++) {
        uint64_t v;
        ck_assert_int_eq(scry_result_cell_uint(x.r, i, 0, &v), SCRY_OK);
        mod[i] = canonical(v);
    }
    *off = ir_linux(&x)->off;
    ck_assert_int_eq(off->mod.status, SCRY_OK);
    ck_assert_str_eq(off->mod.layout, "core_layout"); /* the 6.1 ISF */
    ck_assert_uint_eq(off->mod.nsizes, 2);
    ir_free(&x);
}

/* Patches module i's list.next to new_next, runs lsmod: want rows (the
 * first modules, in order), one WARNING (want_st, want_msg), want_infos
 * INFOs; restores. */
static void module_link_case(const uint64_t *mod, const struct scry_linux_offsets *off, size_t i,
                             uint64_t new_next, size_t want, size_t want_infos,
                             scry_status want_st, const char *want_msg)
{
    struct ir_run x, y;
    uint64_t pa, old;
    scry_status st = SCRY_OK;
    ck_assert_int_eq(run_plugin(&y, "linux.lsmod", 0, NULL), SCRY_OK);
    pa = ir_pa_of(&y, mod[i] + off->mod.list + off->list_next, image_len);
    ir_free(&y);
    old = peek(pa);
    poke(pa, new_next);
    ck_assert_int_eq(run_plugin(&x, "linux.lsmod", 0, NULL), SCRY_OK);
    tu_show_diags("module_link_case", x.r);
    ck_assert_uint_eq(scry_result_row_count(x.r), want);
    for (size_t k = 0; k < want; k++) {
        uint64_t v;
        ck_assert_int_eq(scry_result_cell_uint(x.r, k, 0, &v), SCRY_OK);
        ck_assert_uint_eq(canonical(v), mod[k]);
    }
    ck_assert_uint_eq(ir_count_diags(x.r, SCRY_DIAG_WARNING), 1);
    ck_assert_uint_eq(ir_count_diags(x.r, SCRY_DIAG_INFO), want_infos);
    ck_assert_int_eq(scry_result_partial(x.r), 1);
    ck_assert_str_eq(diag_at(x.r, SCRY_DIAG_WARNING, 0, &st), want_msg);
    ck_assert_int_eq(st, want_st);
    ir_free(&x);
    poke(pa, old);
}

static const char *loop_msg(char *buf, size_t size, size_t entries, uint64_t from, const char *to)
{
    snprintf(buf, size,
             "module list ends early after %zu entr%s: 0x%llx links to %s instead of back to "
             "the head",
             entries, entries == 1 ? "y" : "ies", (unsigned long long)from, to);
    return buf;
}

START_TEST(module_list_loops)
{
    uint64_t mod[NMODULES];
    struct scry_linux_offsets off;
    char msg[512];
    if (!image)
        return;
    modules(mod, &off);
    /* module 3 links back to module 1: modules 0..2 once each, then a WARNING. */
    module_link_case(mod, &off, 2, mod[0] + off.mod.list, 3, 0, SCRY_ERR_CORRUPT,
                     loop_msg(msg, sizeof msg, 3, mod[2] + off.mod.list, "an earlier entry"));
    /* module 2 links to itself. */
    module_link_case(mod, &off, 1, mod[1] + off.mod.list, 2, 0, SCRY_ERR_CORRUPT,
                     loop_msg(msg, sizeof msg, 2, mod[1] + off.mod.list, "an earlier entry"));
    /* The first module ends in NULL. */
    module_link_case(mod, &off, 0, 0, 1, 0, SCRY_ERR_CORRUPT,
                     loop_msg(msg, sizeof msg, 1, mod[0] + off.mod.list, "NULL"));
    /* Module 2 links to an unmapped address: the module there cannot be
     * read (skipped, an INFO: not in the dump), nor its link (the WARNING). */
    module_link_case(mod, &off, 1, 0xffffdead00000000ull, 2, 1, SCRY_ERR_NODATA,
                     "module list ends early after 3 entries: the link at 0xffffdead00000000 "
                     "cannot be read: 0xffffdead00000000: PDPT entry not present");
}
END_TEST

/* A loop far from the head with the walk bound set low: the bound ends it. */
START_TEST(module_list_bound)
{
    uint64_t mod[NMODULES], pa, old;
    struct scry_linux_offsets off;
    struct ir_run x;
    scry_status st = SCRY_OK;
    if (!image)
        return;
    modules(mod, &off);
    ck_assert_int_eq(run_plugin(&x, "linux.lsmod", 0, NULL), SCRY_OK);
    pa = ir_pa_of(&x, mod[3] + off.mod.list + off.list_next, image_len);
    ir_free(&x);
    old = peek(pa);
    poke(pa, mod[0] + off.mod.list); /* 0 1 2 3 0 ...: a loop the seen set ends */
    ck_assert_int_eq(scry_context_set_limit(ctx, SCRY_LIMIT_LIST_ENTRIES, 2), SCRY_OK);
    ck_assert_int_eq(run_plugin(&x, "linux.lsmod", 0, NULL), SCRY_OK);
    ck_assert_int_eq(scry_context_set_limit(ctx, SCRY_LIMIT_LIST_ENTRIES, 1u << 22), SCRY_OK);
    tu_show_diags("module_list_bound", x.r);
    ck_assert_uint_eq(scry_result_row_count(x.r), 2);
    ck_assert_uint_eq(scry_result_diag_count(x.r), 1);
    ck_assert_str_eq(diag_at(x.r, SCRY_DIAG_WARNING, 0, &st),
                     "module list ends early: more than 2 entries");
    ck_assert_int_eq(st, SCRY_ERR_LIMIT);
    ir_free(&x);
    poke(pa, old);
}
END_TEST

/* ---- envars ---- */

/* The marker process's mm (kernel virtual) and the physical addresses of
 * its fields; envars --pid 147 unpatched gives its 7 rows, no diagnostic. */
struct mm_at {
    uint64_t mm, pgd_pa, start_pa, end_pa;
    struct scry_linux_offsets off;
};

static void marker_mm(struct mm_at *m)
{
    static const char *const argv[] = {"--pid", "147"};
    struct ir_run x;
    uint64_t task = 0;
    ck_assert_int_eq(run_plugin(&x, "linux.envars", 2, argv), SCRY_OK);
    ck_assert_uint_eq(scry_result_row_count(x.r), MARKER_ENV_ROWS);
    ck_assert_uint_eq(scry_result_diag_count(x.r), 0);
    scry_result_free(x.r);
    ck_assert_int_eq(scry_plugin_run(x.s, "linux.pslist", 2, argv, NULL, &x.r), SCRY_OK);
    ck_assert_uint_eq(scry_result_row_count(x.r), 1);
    ck_assert_int_eq(scry_result_cell_uint(x.r, 0, 0, &task), SCRY_OK);
    m->off = ir_linux(&x)->off;
    m->mm = peek(ir_pa_of(&x, canonical(task) + m->off.task_mm, image_len));
    m->pgd_pa = ir_pa_of(&x, m->mm + m->off.mm_pgd, image_len);
    m->start_pa = ir_pa_of(&x, m->mm + m->off.mm_env_start, image_len);
    m->end_pa = ir_pa_of(&x, m->mm + m->off.mm_env_end, image_len);
    ir_free(&x);
}

/* envars --pid 147 with the 8 bytes at pa set to v: want rows, and the
 * diagnostics: none (want_msg NULL) or exactly one, at want_level with
 * want_st and message want_msg. Restores. */
static void env_case(uint64_t pa, uint64_t v, size_t want, scry_diag_level want_level,
                     scry_status want_st, const char *want_msg)
{
    static const char *const argv[] = {"--pid", "147"};
    struct ir_run x;
    uint64_t old = peek(pa);
    scry_status st = SCRY_OK;
    poke(pa, v);
    ck_assert_int_eq(run_plugin(&x, "linux.envars", 2, argv), SCRY_OK);
    tu_show_diags("env_case", x.r);
    ck_assert_uint_eq(scry_result_row_count(x.r), want);
    if (!want_msg) {
        ck_assert_uint_eq(scry_result_diag_count(x.r), 0);
    } else {
        const char *msg;
        ck_assert_uint_eq(scry_result_diag_count(x.r), 1);
        msg = diag_at(x.r, want_level, 0, &st);
        ck_assert_str_eq(msg, want_msg);
        ck_assert_int_eq(st, want_st);
        /* Not being able to see one process's environment is normal in a
         * dump (pages not present): the answer is not partial for it. */
        ck_assert_int_eq(scry_result_partial(x.r), want_level == SCRY_DIAG_WARNING);
    }
    ir_free(&x);
    poke(pa, old);
}

START_TEST(env_range)
{
    struct mm_at m;
    uint64_t start, end;
    char want[256];
    if (!image)
        return;
    marker_mm(&m);
    start = peek(m.start_pa), end = peek(m.end_pa);
    ck_assert_uint_gt(end, start);
    /* Volatility's sanity check: 0 < size <= 8192, else skipped silently. */
    env_case(m.end_pa, start + 8193, 0, SCRY_DIAG_INFO, SCRY_OK, NULL);
    env_case(m.end_pa, start, 0, SCRY_DIAG_INFO, SCRY_OK, NULL);
    env_case(m.end_pa, start - 1, 0, SCRY_DIAG_INFO, SCRY_OK, NULL);
    env_case(m.start_pa, 0, 0, SCRY_DIAG_INFO, SCRY_OK, NULL); /* 2^47 bytes */
    /* 8192 bytes pass the check but run past the stack's top page (not
     * mapped): the block is unreadable as a whole, so nothing is listed
     * (Volatility skips it), and an INFO says so. */
    snprintf(want, sizeof want,
             "pid 147: environment 0x%llx-0x%llx cannot be read: 0x%llx: PT entry not present",
             (unsigned long long)start, (unsigned long long)(start + 8192),
             (unsigned long long)((end + 0xfff) & ~0xfffull));
    env_case(m.end_pa, start + 8192, 0, SCRY_DIAG_INFO, SCRY_ERR_NODATA, want);
    /* One byte less at the end: the last variable loses its last byte. */
    env_case(m.end_pa, end - 1, MARKER_ENV_ROWS, SCRY_DIAG_INFO, SCRY_OK, NULL);
}
END_TEST

START_TEST(pgd_nowhere)
{
    struct mm_at m;
    char want[256];
    if (!image)
        return;
    marker_mm(&m);
    snprintf(want, sizeof want,
             "pid 147: no address space (mm 0x%llx): 0xffffdead00000000: PDPT entry not present",
             (unsigned long long)m.mm);
    env_case(m.pgd_pa, 0xffffdead00000000ull, 0, SCRY_DIAG_INFO, SCRY_ERR_NODATA, want);
    snprintf(want, sizeof want,
             "pid 147: no address space (mm 0x%llx): 0x0: PML4 entry not present",
             (unsigned long long)m.mm);
    env_case(m.pgd_pa, 0, 0, SCRY_DIAG_INFO, SCRY_ERR_NODATA, want);
}
END_TEST

/* ---- ISFs without (usable) module support ---- */

/* The corpus ISF with its first `from` replaced by `to` (same length),
 * written to a fresh symbol directory dir (mkdtemp template); returns the
 * ISF's path (file, 4300 bytes). */
static void patched_isf(const char *from, const char *to, char *dir, char *file)
{
    char path[4200], sub[4200];
    size_t inlen, cap = 64u << 20, inpos = 0, outpos = 0;
    uint64_t memlimit = UINT64_MAX;
    char *in, *out, *at;
    FILE *f;
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
    ck_assert_ptr_null(strstr(at + 1, from)); /* the one place meant */
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(sub, sizeof sub, "%s/linux", dir);
    ck_assert_int_eq(mkdir(sub, 0700), 0);
    snprintf(file, 4300, "%s/patched.json", sub);
    f = fopen(file, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(out, 1, outpos, f), outpos);
    ck_assert_int_eq(fclose(f), 0);
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

/* Runs plugin on the unpatched image with the ISFs of symbol dir dir. */
static scry_status run_isf(const char *dir, struct ir_run *x, scry_context **c, const char *plugin)
{
    ck_assert_int_eq(scry_context_new(c), SCRY_OK);
    ck_assert_int_eq(scry_context_add_symbol_dir(*c, dir), SCRY_OK);
    ir_open(x, *c, image, image_len, "dev-small.raw");
    return scry_plugin_run(x->s, plugin, 0, NULL, NULL, &x->r);
}

static void pslist_still_works(const char *dir)
{
    struct ir_run x;
    scry_context *c;
    ck_assert_int_eq(run_isf(dir, &x, &c, "linux.pslist"), SCRY_OK);
    ck_assert_uint_eq(scry_result_row_count(x.r), 111);
    ck_assert_uint_eq(scry_result_diag_count(x.r), 0);
    ir_free(&x);
    scry_context_free(c);
}

START_TEST(isf_without_modules)
{
    char dir[] = "/tmp/memscry-isf-XXXXXX", file[4300], want[4600];
    struct ir_run x;
    scry_context *c;
    scry_status st = SCRY_OK;
    if (!image)
        return;
    /* The symbol `modules` renamed: a kernel without module support. */
    patched_isf("\n    \"modules\": {", "\n    \"modulez\": {", dir, file);
    pslist_still_works(dir);
    ck_assert_int_eq(run_isf(dir, &x, &c, "linux.lsmod"), SCRY_OK);
    tu_show_diags("isf_without_modules", x.r);
    ck_assert_uint_eq(scry_result_row_count(x.r), 0);
    ck_assert_uint_eq(scry_result_diag_count(x.r), 1);
    ck_assert_int_eq(scry_result_partial(x.r), 0);
    snprintf(want, sizeof want,
             "%s has no module list (symbol modules or type module): no modules listed", file);
    ck_assert_str_eq(diag_at(x.r, SCRY_DIAG_INFO, 0, &st), want);
    ck_assert_int_eq(st, SCRY_ERR_NOT_FOUND);
    ir_free(&x);
    scry_context_free(c);
    remove_isf(dir, file);
}
END_TEST

START_TEST(isf_unknown_module_layout)
{
    char dir[] = "/tmp/memscry-isf-XXXXXX", file[4300], want[4600];
    struct ir_run x;
    scry_context *c;
    if (!image)
        return;
    /* struct module without init_layout: none of the three layouts. */
    patched_isf("\"init_layout\": {", "\"init_layouz\": {", dir, file);
    pslist_still_works(dir);
    ck_assert_int_eq(run_isf(dir, &x, &c, "linux.lsmod"), SCRY_ERR_UNSUPPORTED);
    snprintf(want, sizeof want,
             "%s: struct module has none of mem[], init_layout/core_layout, init_size/core_size: "
             "module sizes are unknown",
             file);
    ck_assert_str_eq(scry_last_error(), want);
    ck_assert_ptr_null(x.r);
    ir_free(&x);
    scry_context_free(c);
    remove_isf(dir, file);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("hostile_envars_lsmod");
    TCase *tc = tcase_create("hostile");
    int rc;
    ir_load_small("test_hostile_envars_lsmod", &image, &image_len, symdir, sizeof symdir, &ctx);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, module_list_loops);
    tcase_add_test(tc, module_list_bound);
    tcase_add_test(tc, env_range);
    tcase_add_test(tc, pgd_nowhere);
    tcase_add_test(tc, isf_without_modules);
    tcase_add_test(tc, isf_unknown_module_layout);
    suite_add_tcase(s, tc);
    rc = tu_run_suite(s);
    scry_context_free(ctx);
    free(image);
    return rc;
}
