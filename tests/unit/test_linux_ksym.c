/* test_linux_ksym.c - the kernel symbol / module owner lookup
 * (lib/walk/linux_ksym.h) and the hook checks built on it, on dev-small
 * made hostile in memory.
 *
 * The corpus guests are clean, so their goldens never show a hooked entry:
 * here table entries are pointed into a module, into unmapped memory or at
 * NULL, and the plugins must name exactly the owner Volatility's
 * lookup_module_address would ("UNKNOWN"/"N/A" outside the kernel and
 * every module). Lists that loop end bounded with a warning. */
#include <check.h>
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/os/linux.h"
#include "lib/plugins/plugin.h"
#include "lib/session/session.h"
#include "lib/walk/linux_ksym.h"
#include "lib/walk/linux_modules.h"
#include "symbols/symtab.h"
#include "imagerun.h"
#include "testutil.h"

static uint8_t *image;
static size_t image_len;
static char symdir[4096];
static scry_context *ctx;

#define NMODULES 4
#define UNMAPPED 0xffffdead00000000ull
#define MASK48 0xffffffffffffull

static void poke(uint64_t pa, uint64_t v) { memcpy(image + pa, &v, 8); }
static uint64_t peek(uint64_t pa)
{
    uint64_t v;
    memcpy(&v, image + pa, 8);
    return v;
}

static scry_status run_plugin(struct ir_run *x, const char *plugin)
{
    ir_open(x, ctx, image, image_len, "dev-small.raw");
    return scry_plugin_run(x->s, plugin, 0, NULL, NULL, &x->r);
}

static void cell_is(const struct scry_result *r, size_t row, size_t col, const char *want)
{
    const char *s;
    size_t n;
    ck_assert_int_eq(scry_result_cell_str(r, row, col, &s, &n), SCRY_OK);
    ck_assert_str_eq(s, want);
    ck_assert_uint_eq(n, strlen(want));
}

static uint64_t cell_u(const struct scry_result *r, size_t row, size_t col)
{
    uint64_t v;
    ck_assert_int_eq(scry_result_cell_uint(r, row, col, &v), SCRY_OK);
    return v;
}

/* The modules of dev-small as the owner list sees them. */
struct mods {
    size_t n;
    char name[NMODULES][64];
    uint64_t base[NMODULES], core[NMODULES];
};

static int on_mod(void *user, const struct scry_linux_module *m)
{
    struct mods *ms = user;
    ck_assert_uint_lt(ms->n, NMODULES);
    ck_assert_uint_lt(m->name_len, 64);
    memcpy(ms->name[ms->n], m->name, m->name_len + 1);
    ck_assert_uint_eq(m->nparts, 2); /* the 6.1 ISF: init_layout, core_layout */
    ck_assert_str_eq(m->parts[1].what, "core_layout");
    ms->base[ms->n] = m->parts[1].base;
    ms->core[ms->n] = m->parts[1].size;
    ms->n++;
    return 0;
}

static void modules_of(struct ir_run *x, struct mods *ms)
{
    struct scry_vspace ks;
    memset(ms, 0, sizeof *ms);
    ck_assert_int_eq(scry_profile_kernel(&ir_linux(x)->base, &ks), SCRY_OK);
    ck_assert_int_eq(scry_linux_walk_modules(ir_linux(x), &ks, NULL, on_mod, ms), SCRY_OK);
    ck_assert_uint_eq(ms->n, NMODULES);
}

static uint64_t isf_addr(const struct scry_linux *l, const char *name)
{
    uint64_t a;
    ck_assert_int_eq(scry_sym_address(l->symtab, name, &a), SCRY_OK);
    return a;
}

START_TEST(lookup_kernel_modules_unknown)
{
    struct ir_run x;
    struct scry_linux_ksym *k;
    struct scry_vspace ks;
    struct mods ms;
    const char *mod, *sym;
    if (!image)
        return;
    ir_open(&x, ctx, image, image_len, "dev-small.raw");
    const struct scry_linux *l = ir_linux(&x);
    modules_of(&x, &ms);
    ck_assert_int_eq(scry_profile_kernel(&l->base, &ks), SCRY_OK);
    ck_assert_int_eq(scry_linux_ksym_open(l, &ks, NULL, SCRY_KSYM_OWNERS, &k), SCRY_OK);
    ck_assert_uint_eq(scry_linux_ksym_mask(k), MASK48);
    ck_assert_uint_eq(scry_linux_ksym_count(k), scry_sym_count_symbols(l->symtab));

    /* A kernel function, by its shifted address, raw or masked. */
    uint64_t read = isf_addr(l, "__x64_sys_read") + l->virt_shift;
    scry_linux_ksym_lookup(k, read, &mod, &sym);
    ck_assert_str_eq(mod, "__kernel__");
    ck_assert_str_eq(sym, "__x64_sys_read");
    ck_assert_str_eq(scry_linux_ksym_symbol(k, read & MASK48), "__x64_sys_read");
    /* One byte in: still the kernel's, but no symbol starts there. */
    scry_linux_ksym_lookup(k, read + 1, &mod, &sym);
    ck_assert_str_eq(mod, "__kernel__");
    ck_assert_str_eq(sym, "N/A");
    ck_assert_ptr_null(scry_linux_ksym_symbol(k, read + 1));
    /* The unshifted lookup (check_afinfo's) finds it only unshifted. */
    ck_assert_str_eq(scry_linux_ksym_symbol_isf(k, isf_addr(l, "__x64_sys_read") & MASK48),
                     "__x64_sys_read");
    ck_assert_ptr_null(scry_linux_ksym_symbol_isf(k, read & MASK48));
    /* Both ends of the kernel's text are its own (inclusive). */
    scry_linux_ksym_lookup(k, isf_addr(l, "_text") + l->virt_shift, &mod, &sym);
    ck_assert_str_eq(mod, "__kernel__");
    scry_linux_ksym_lookup(k, isf_addr(l, "_etext") + l->virt_shift, &mod, &sym);
    ck_assert_str_eq(mod, "__kernel__");

    /* Several names at one address: the first in byte order, as Python's
     * sorted((address, name)) gives. */
    size_t n = scry_linux_ksym_count(k), aliases = 0;
    for (size_t i = 1; i < n; i++) {
        const char *a, *b;
        uint64_t aa, ba;
        scry_linux_ksym_get(k, i - 1, &a, &aa);
        scry_linux_ksym_get(k, i, &b, &ba);
        ck_assert_uint_le(aa, ba);
        if (aa == ba) {
            ck_assert_int_lt(strcmp(a, b), 0);
            if (!aliases++) { /* the first of the run is the answer */
                ck_assert_str_eq(scry_linux_ksym_symbol_isf(k, ba), a);
            }
        }
    }
    ck_assert_uint_gt(aliases, 0);
    /* The first symbol above an address, for check_syscall's table size. */
    uint64_t sct = isf_addr(l, "sys_call_table") & MASK48;
    size_t after = scry_linux_ksym_after(k, sct);
    const char *next;
    uint64_t next_addr;
    ck_assert_uint_lt(after, n);
    scry_linux_ksym_get(k, after, &next, &next_addr);
    ck_assert_uint_gt(next_addr, sct);
    scry_linux_ksym_get(k, after - 1, &next, &next_addr);
    ck_assert_uint_le(next_addr, sct);

    /* Each module owns [base, base + core size]; no symbol is named. */
    for (size_t i = 0; i < ms.n; i++) {
        scry_linux_ksym_lookup(k, ms.base[i], &mod, &sym);
        ck_assert_str_eq(mod, ms.name[i]);
        ck_assert_str_eq(sym, "N/A");
        scry_linux_ksym_lookup(k, ms.base[i] + ms.core[i], &mod, &sym);
        ck_assert_str_eq(mod, ms.name[i]);
    }
    /* Outside the kernel and every module. */
    scry_linux_ksym_lookup(k, UNMAPPED, &mod, &sym);
    ck_assert_str_eq(mod, "UNKNOWN");
    ck_assert_str_eq(sym, "N/A");
    scry_linux_ksym_lookup(k, 0, &mod, &sym);
    ck_assert_str_eq(mod, "UNKNOWN");
    scry_linux_ksym_close(k);

    /* Without owners every address is UNKNOWN; the symbols still answer. */
    ck_assert_int_eq(scry_linux_ksym_open(l, NULL, NULL, 0, &k), SCRY_OK);
    scry_linux_ksym_lookup(k, read, &mod, &sym);
    ck_assert_str_eq(mod, "UNKNOWN");
    ck_assert_str_eq(sym, "N/A");
    ck_assert_str_eq(scry_linux_ksym_symbol(k, read), "__x64_sys_read");
    scry_linux_ksym_close(k);
    scry_linux_ksym_close(NULL);
    ck_assert_int_eq(scry_linux_ksym_open(l, NULL, NULL, SCRY_KSYM_OWNERS, &k),
                     SCRY_ERR_INVALID_ARG);
    ck_assert_ptr_null(k);
    ir_free(&x);
}
END_TEST

/* ---- check_syscall ---- */

START_TEST(check_syscall_hooked)
{
    struct ir_run x;
    struct mods ms;
    uint64_t pa[3], old[3], table;
    if (!image)
        return;
    ck_assert_int_eq(run_plugin(&x, "linux.check_syscall"), SCRY_OK);
    ck_assert_uint_eq(scry_result_row_count(x.r), 430);
    ck_assert_uint_eq(scry_result_diag_count(x.r), 0);
    cell_is(x.r, 0, 4, "__x64_sys_read");
    modules_of(&x, &ms);
    table = isf_addr(ir_linux(&x), "sys_call_table") + ir_linux(&x)->virt_shift;
    for (int i = 0; i < 3; i++) {
        pa[i] = ir_pa_of(&x, table + 8 * (uint64_t)i, image_len);
        old[i] = peek(pa[i]);
    }
    ir_free(&x);
    poke(pa[0], ms.base[1] + 0x10); /* into a module: no kernel symbol */
    poke(pa[1], UNMAPPED);          /* nowhere */
    poke(pa[2], 0);                 /* NULL entries are not listed */
    ck_assert_int_eq(run_plugin(&x, "linux.check_syscall"), SCRY_OK);
    tu_show_diags("check_syscall_hooked", x.r);
    ck_assert_uint_eq(scry_result_row_count(x.r), 429);
    ck_assert_uint_eq(scry_result_diag_count(x.r), 0);
    /* The table's address is printed unshifted (Volatility's get_symbol). */
    uint64_t isf_table = (table - ir_linux(&x)->virt_shift) & MASK48;
    static const int64_t want_index[3] = {0, 1, 3};
    for (size_t r = 0; r < 3; r++) {
        int64_t idx;
        ck_assert_uint_eq(cell_u(x.r, r, 0), isf_table);
        cell_is(x.r, r, 1, "64bit");
        ck_assert_int_eq(scry_result_cell_int(x.r, r, 2, &idx), SCRY_OK);
        ck_assert_int_eq(idx, want_index[r]);
    }
    ck_assert_uint_eq(cell_u(x.r, 0, 3), (ms.base[1] + 0x10) & MASK48);
    cell_is(x.r, 0, 4, "UNKNOWN");
    ck_assert_uint_eq(cell_u(x.r, 1, 3), UNMAPPED & MASK48);
    cell_is(x.r, 1, 4, "UNKNOWN");
    cell_is(x.r, 2, 4, "__x64_sys_close");
    ir_free(&x);
    for (int i = 0; i < 3; i++)
        poke(pa[i], old[i]);
}
END_TEST

/* ---- check_idt ---- */

/* Sets the handler of the 16-byte gate at pa (offset_low at 0,
 * offset_middle at 6, offset_high at 8: the 6.1 ISF's gate_struct). */
static void set_gate(uint64_t pa, uint64_t handler)
{
    uint16_t low = (uint16_t)handler, mid = (uint16_t)(handler >> 16);
    uint32_t high = (uint32_t)(handler >> 32);
    memcpy(image + pa, &low, 2);
    memcpy(image + pa + 6, &mid, 2);
    memcpy(image + pa + 8, &high, 4);
}

static void gate_layout_is_known(const struct scry_linux *l)
{
    uint64_t off, size;
    ck_assert_int_eq(scry_sym_type_size(l->symtab, "gate_struct", &size), SCRY_OK);
    ck_assert_uint_eq(size, 16);
    ck_assert_int_eq(scry_sym_field(l->symtab, "gate_struct", "offset_middle", &off, NULL),
                     SCRY_OK);
    ck_assert_uint_eq(off, 6);
    ck_assert_int_eq(scry_sym_field(l->symtab, "gate_struct", "offset_high", &off, NULL),
                     SCRY_OK);
    ck_assert_uint_eq(off, 8);
}

START_TEST(check_idt_hooked)
{
    struct ir_run x;
    struct mods ms;
    uint8_t saved[2][16];
    uint64_t pa[2], table;
    if (!image)
        return;
    ck_assert_int_eq(run_plugin(&x, "linux.check_idt"), SCRY_OK);
    ck_assert_uint_eq(scry_result_row_count(x.r), 21);
    ck_assert_uint_eq(scry_result_diag_count(x.r), 0);
    cell_is(x.r, 0, 2, "__kernel__");
    cell_is(x.r, 0, 3, "asm_exc_divide_error");
    ck_assert_uint_eq(cell_u(x.r, 20, 0), 0x80);
    gate_layout_is_known(ir_linux(&x));
    modules_of(&x, &ms);
    table = isf_addr(ir_linux(&x), "idt_table") + ir_linux(&x)->virt_shift;
    pa[0] = ir_pa_of(&x, table, image_len);
    pa[1] = ir_pa_of(&x, table + 3 * 16, image_len);
    ir_free(&x);
    memcpy(saved[0], image + pa[0], 16);
    memcpy(saved[1], image + pa[1], 16);
    /* base + core size: Volatility's inclusive end */
    set_gate(pa[0], ms.base[2] + ms.core[2]);
    set_gate(pa[1], UNMAPPED);
    ck_assert_int_eq(run_plugin(&x, "linux.check_idt"), SCRY_OK);
    tu_show_diags("check_idt_hooked", x.r);
    ck_assert_uint_eq(scry_result_row_count(x.r), 21);
    ck_assert_uint_eq(scry_result_diag_count(x.r), 0);
    ck_assert_uint_eq(cell_u(x.r, 0, 1), (ms.base[2] + ms.core[2]) & MASK48);
    cell_is(x.r, 0, 2, ms.name[2]);
    cell_is(x.r, 0, 3, "N/A");
    ck_assert_uint_eq(cell_u(x.r, 3, 0), 3);
    ck_assert_uint_eq(cell_u(x.r, 3, 1), UNMAPPED & MASK48);
    cell_is(x.r, 3, 2, "UNKNOWN");
    cell_is(x.r, 3, 3, "N/A");
    cell_is(x.r, 1, 2, "__kernel__"); /* untouched */
    cell_is(x.r, 1, 3, "asm_exc_debug");
    ir_free(&x);

    /* The module list loops back after three modules: the fourth module is
     * no owner (the walk's warning says the list is incomplete), and the
     * run ends. */
    ck_assert_int_eq(run_plugin(&x, "linux.lsmod"), SCRY_OK);
    uint64_t mod2 = cell_u(x.r, 2, 0) | 0xffff000000000000ull;
    uint64_t mod0 = cell_u(x.r, 0, 0) | 0xffff000000000000ull;
    const struct scry_linux_offsets *off = &ir_linux(&x)->off;
    uint64_t link_pa = ir_pa_of(&x, mod2 + off->mod.list + off->list_next, image_len);
    uint64_t old_link = peek(link_pa), mod0_list = mod0 + off->mod.list;
    ir_free(&x);
    poke(link_pa, mod0_list);
    set_gate(pa[0], ms.base[3]);
    ck_assert_int_eq(run_plugin(&x, "linux.check_idt"), SCRY_OK);
    tu_show_diags("check_idt_loop", x.r);
    ck_assert_uint_eq(scry_result_row_count(x.r), 21);
    ck_assert_uint_eq(ir_count_diags(x.r, SCRY_DIAG_WARNING), 1);
    ck_assert_int_eq(scry_result_partial(x.r), 1);
    cell_is(x.r, 0, 2, "UNKNOWN");
    ir_free(&x);
    poke(link_pa, old_link);
    memcpy(image + pa[0], saved[0], 16);
    memcpy(image + pa[1], saved[1], 16);
}
END_TEST

/* ---- check_modules ---- */

/* A module unlinked from `modules` (lsmod no longer lists it) but still in
 * sysfs is reported with its struct module's address; then the kset list
 * loops: bounded, a warning. */
START_TEST(check_modules_hidden)
{
    struct ir_run x;
    uint64_t mod[NMODULES];
    char name[NMODULES][64];
    if (!image)
        return;
    ck_assert_int_eq(run_plugin(&x, "linux.check_modules"), SCRY_OK);
    ck_assert_uint_eq(scry_result_row_count(x.r), 0);
    ck_assert_uint_eq(scry_result_diag_count(x.r), 0);
    scry_result_free(x.r);
    ck_assert_int_eq(scry_plugin_run(x.s, "linux.lsmod", 0, NULL, NULL, &x.r), SCRY_OK);
    ck_assert_uint_eq(scry_result_row_count(x.r), NMODULES);
    for (size_t i = 0; i < NMODULES; i++) {
        const char *s;
        size_t n;
        mod[i] = cell_u(x.r, i, 0) | 0xffff000000000000ull;
        ck_assert_int_eq(scry_result_cell_str(x.r, i, 1, &s, &n), SCRY_OK);
        ck_assert_uint_lt(n, 64);
        memcpy(name[i], s, n + 1);
    }
    const struct scry_linux_offsets *off = &ir_linux(&x)->off;
    uint64_t list = off->mod.list, next = off->list_next;
    uint64_t link_pa = ir_pa_of(&x, mod[0] + list + next, image_len), old = peek(link_pa);
    ir_free(&x);
    poke(link_pa, mod[2] + list); /* module 1 is skipped by the list */
    ck_assert_int_eq(run_plugin(&x, "linux.lsmod"), SCRY_OK);
    ck_assert_uint_eq(scry_result_row_count(x.r), NMODULES - 1);
    scry_result_free(x.r);
    ck_assert_int_eq(scry_plugin_run(x.s, "linux.check_modules", 0, NULL, NULL, &x.r), SCRY_OK);
    tu_show_diags("check_modules_hidden", x.r);
    ck_assert_uint_eq(scry_result_diag_count(x.r), 0);
    ck_assert_uint_eq(scry_result_row_count(x.r), 1);
    ck_assert_uint_eq(cell_u(x.r, 0, 0), mod[1] & MASK48);
    cell_is(x.r, 0, 1, name[1]);
    ir_free(&x);
    poke(link_pa, old);
}
END_TEST

START_TEST(check_modules_kset_loops)
{
    struct ir_run x;
    uint64_t kset_sym, kset, first, pa, old;
    if (!image)
        return;
    ir_open(&x, ctx, image, image_len, "dev-small.raw");
    const struct scry_linux *l = ir_linux(&x);
    kset_sym = isf_addr(l, "module_kset") + l->virt_shift;
    kset = peek(ir_pa_of(&x, kset_sym, image_len)); /* list is kset's first member */
    first = peek(ir_pa_of(&x, kset + l->off.list_next, image_len));
    pa = ir_pa_of(&x, first + l->off.list_next, image_len);
    ir_free(&x);
    old = peek(pa);
    /* The first kobject links to itself. */
    poke(pa, first);
    ck_assert_int_eq(run_plugin(&x, "linux.check_modules"), SCRY_OK);
    tu_show_diags("check_modules_kset_loops", x.r);
    ck_assert_uint_eq(scry_result_row_count(x.r), 0);
    ck_assert_uint_eq(ir_count_diags(x.r, SCRY_DIAG_WARNING), 1);
    ir_free(&x);
    /* It links into unmapped memory. */
    poke(pa, UNMAPPED);
    ck_assert_int_eq(run_plugin(&x, "linux.check_modules"), SCRY_OK);
    tu_show_diags("check_modules_kset_unmapped", x.r);
    ck_assert_uint_eq(scry_result_row_count(x.r), 0);
    ck_assert_uint_eq(ir_count_diags(x.r, SCRY_DIAG_WARNING), 1);
    ck_assert_int_eq(scry_result_partial(x.r), 1);
    ir_free(&x);
    poke(pa, old);
}
END_TEST

/* ---- check_afinfo ---- */

/* The corpus ISF with its first `from` after `anchor` replaced by `to`,
 * written into a fresh symbol directory dir (a mkdtemp template); file
 * receives its path. */
static void patched_isf(const char *anchor, const char *from, const char *to, char *dir,
                        char *file)
{
    char path[4200], sub[4200];
    size_t inlen, cap = 96u << 20, inpos = 0, outpos = 0;
    uint64_t memlimit = UINT64_MAX;
    char *in, *out, *at;
    FILE *f;
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
    at = strstr(out, anchor);
    ck_assert_ptr_nonnull(at);
    at = strstr(at, from);
    ck_assert_ptr_nonnull(at);
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(sub, sizeof sub, "%s/linux", dir);
    ck_assert_int_eq(mkdir(sub, 0700), 0);
    snprintf(file, 4300, "%s/patched.json", sub);
    f = fopen(file, "wb");
    ck_assert_ptr_nonnull(f);
    size_t head = (size_t)(at - out), tail = outpos - head - strlen(from);
    ck_assert_uint_eq(fwrite(out, 1, head, f), head);
    ck_assert_uint_eq(fwrite(to, 1, strlen(to), f), strlen(to));
    ck_assert_uint_eq(fwrite(at + strlen(from), 1, tail, f), tail);
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

START_TEST(check_afinfo_unknown_handler)
{
    char dir[] = "/tmp/memscry-afinfo-XXXXXX", file[4300];
    struct ir_run x;
    scry_context *c;
    scry_diag_level lv;
    scry_status st;
    const char *msg;
    if (!image)
        return;
    /* The corpus kernel (6.1): afinfo is only a family, nothing can be
     * checked; Volatility's warning, as an INFO (the answer is complete). */
    ck_assert_int_eq(run_plugin(&x, "linux.check_afinfo"), SCRY_OK);
    ck_assert_uint_eq(scry_result_row_count(x.r), 0);
    ck_assert_uint_eq(scry_result_diag_count(x.r), 1);
    ck_assert_int_eq(scry_result_diag(x.r, 0, &lv, &st, &msg), SCRY_OK);
    ck_assert_int_eq(lv, SCRY_DIAG_INFO);
    ck_assert_str_eq(msg, "This plugin was not able to check for hooks. This means you are "
                          "either analyzing an unsupported kernel version or that your symbol "
                          "table is corrupt.");
    ck_assert_int_eq(scry_result_partial(x.r), 0);
    ir_free(&x);
    /* tcp_seq_afinfo's family renamed seq_show (an old kernel's handler
     * member): tcp6's value, AF_INET6 (10), is no symbol's address and
     * prints; tcp4's, AF_INET (2), is the ISF address of the symbol pgtno,
     * so Volatility's unshifted symbol check calls it known. */
    patched_isf("\"tcp_seq_afinfo\": {", "\"family\"", "\"seq_show\"", dir, file);
    ck_assert_int_eq(scry_context_new(&c), SCRY_OK);
    ck_assert_int_eq(scry_context_add_symbol_dir(c, dir), SCRY_OK);
    ir_open(&x, c, image, image_len, "dev-small.raw");
    ck_assert_int_eq(scry_plugin_run(x.s, "linux.check_afinfo", 0, NULL, NULL, &x.r), SCRY_OK);
    tu_show_diags("check_afinfo_unknown_handler", x.r);
    ck_assert_uint_eq(scry_result_diag_count(x.r), 0);
    ck_assert_uint_eq(scry_result_row_count(x.r), 1);
    cell_is(x.r, 0, 0, "tcp6_seq_afinfo");
    cell_is(x.r, 0, 1, "show");
    ck_assert_uint_eq(cell_u(x.r, 0, 2), 10);
    ck_assert_uint_eq(isf_addr(ir_linux(&x), "pgtno"), 2);
    ir_free(&x);
    scry_context_free(c);
    remove_isf(dir, file);
}
END_TEST

/* idt_table moved (in the ISF) to an address the dump does not map: every
 * vector is skipped with a warning, no row, no crash. */
START_TEST(check_idt_table_unmapped)
{
    char dir[] = "/tmp/memscry-idt-XXXXXX", file[4300];
    struct ir_run x;
    scry_context *c;
    scry_diag_level lv;
    scry_status st;
    const char *msg;
    if (!image)
        return;
    patched_isf("\n    \"idt_table\": {", "\"address\": 18446744071615234048",
                "\"address\": 18446744069414584320", dir, file); /* 0xffffffff00000000 */
    ck_assert_int_eq(scry_context_new(&c), SCRY_OK);
    ck_assert_int_eq(scry_context_add_symbol_dir(c, dir), SCRY_OK);
    ir_open(&x, c, image, image_len, "dev-small.raw");
    ck_assert_int_eq(scry_plugin_run(x.s, "linux.check_idt", 0, NULL, NULL, &x.r), SCRY_OK);
    ck_assert_uint_eq(scry_result_row_count(x.r), 0);
    ck_assert_uint_eq(scry_result_diag_count(x.r), 21);
    ck_assert_uint_eq(ir_count_diags(x.r, SCRY_DIAG_WARNING), 21);
    ck_assert_int_eq(scry_result_partial(x.r), 1);
    ck_assert_int_eq(scry_result_diag(x.r, 20, &lv, &st, &msg), SCRY_OK);
    ck_assert_int_eq(st, SCRY_ERR_NODATA);
    ck_assert_ptr_nonnull(strstr(msg, "idt_table[128] skipped: "));
    ir_free(&x);
    scry_context_free(c);
    remove_isf(dir, file);
}
END_TEST

/* ---- tty_check ---- */

START_TEST(tty_check_hooked)
{
    struct ir_run x;
    struct mods ms;
    uint64_t recv_off, pa, old, head, first, link_pa, old_link;
    if (!image)
        return;
    ck_assert_int_eq(run_plugin(&x, "linux.tty_check"), SCRY_OK);
    ck_assert_uint_eq(scry_result_row_count(x.r), 1);
    ck_assert_uint_eq(scry_result_diag_count(x.r), 0);
    cell_is(x.r, 0, 0, "ttyS0");
    cell_is(x.r, 0, 2, "__kernel__");
    cell_is(x.r, 0, 3, "n_tty_receive_buf");
    const struct scry_linux *l = ir_linux(&x);
    modules_of(&x, &ms);
    ck_assert_int_eq(scry_sym_field(l->symtab, "tty_ldisc_ops", "receive_buf", &recv_off, NULL),
                     SCRY_OK);
    pa = ir_pa_of(&x, isf_addr(l, "n_tty_ops") + l->virt_shift + recv_off, image_len);
    head = isf_addr(l, "tty_drivers") + l->virt_shift;
    first = peek(ir_pa_of(&x, head + l->off.list_next, image_len));
    link_pa = ir_pa_of(&x, first + l->off.list_next, image_len);
    ir_free(&x);
    old = peek(pa);
    /* The line discipline's handler moved into a module, then nowhere. */
    poke(pa, ms.base[0] + 0x40);
    ck_assert_int_eq(run_plugin(&x, "linux.tty_check"), SCRY_OK);
    ck_assert_uint_eq(scry_result_row_count(x.r), 1);
    ck_assert_uint_eq(cell_u(x.r, 0, 1), (ms.base[0] + 0x40) & MASK48);
    cell_is(x.r, 0, 2, ms.name[0]);
    cell_is(x.r, 0, 3, "N/A");
    ir_free(&x);
    poke(pa, UNMAPPED);
    ck_assert_int_eq(run_plugin(&x, "linux.tty_check"), SCRY_OK);
    ck_assert_uint_eq(scry_result_row_count(x.r), 1);
    cell_is(x.r, 0, 0, "ttyS0");
    cell_is(x.r, 0, 2, "UNKNOWN");
    cell_is(x.r, 0, 3, "N/A");
    ir_free(&x);
    poke(pa, old);
    /* The first driver links to itself: one driver walked, a warning. */
    old_link = peek(link_pa);
    poke(link_pa, first);
    ck_assert_int_eq(run_plugin(&x, "linux.tty_check"), SCRY_OK);
    tu_show_diags("tty_check_loop", x.r);
    ck_assert_uint_eq(ir_count_diags(x.r, SCRY_DIAG_WARNING), 1);
    ck_assert_int_eq(scry_result_partial(x.r), 1);
    ir_free(&x);
    /* It links into unmapped memory. */
    poke(link_pa, UNMAPPED);
    ck_assert_int_eq(run_plugin(&x, "linux.tty_check"), SCRY_OK);
    tu_show_diags("tty_check_unmapped", x.r);
    ck_assert_uint_eq(ir_count_diags(x.r, SCRY_DIAG_WARNING), 1);
    ck_assert_uint_eq(ir_count_diags(x.r, SCRY_DIAG_INFO), 1);
    ck_assert_int_eq(scry_result_partial(x.r), 1);
    ir_free(&x);
    poke(link_pa, old_link);
}
END_TEST

/* ---- keyboard_notifiers ---- */

/* Three notifier blocks written over n_tty_ops (unused by this plugin):
 * A calls a kernel function, B into a module, C nowhere. */
START_TEST(keyboard_notifiers_chain)
{
    struct ir_run x;
    struct mods ms;
    uint64_t head_off, next_off, call_off, size, saved[6], read_fn;
    if (!image)
        return;
    ck_assert_int_eq(run_plugin(&x, "linux.keyboard_notifiers"), SCRY_OK);
    ck_assert_uint_eq(scry_result_row_count(x.r), 0); /* the corpus chain is empty */
    ck_assert_uint_eq(scry_result_diag_count(x.r), 0);
    const struct scry_linux *l = ir_linux(&x);
    modules_of(&x, &ms);
    ck_assert_int_eq(scry_sym_field(l->symtab, "atomic_notifier_head", "head", &head_off, NULL),
                     SCRY_OK);
    ck_assert_int_eq(scry_sym_field(l->symtab, "notifier_block", "next", &next_off, NULL),
                     SCRY_OK);
    ck_assert_int_eq(
        scry_sym_field(l->symtab, "notifier_block", "notifier_call", &call_off, NULL), SCRY_OK);
    ck_assert_int_eq(scry_sym_type_size(l->symtab, "tty_ldisc_ops", &size), SCRY_OK);
    ck_assert_uint_ge(size, 3 * 32);
    uint64_t head = isf_addr(l, "keyboard_notifier_list") + l->virt_shift + head_off;
    uint64_t blk = isf_addr(l, "n_tty_ops") + l->virt_shift;
    uint64_t a = blk, b = blk + 32, c = blk + 64;
    uint64_t head_pa = ir_pa_of(&x, head, image_len), pa[3];
    for (int i = 0; i < 3; i++)
        pa[i] = ir_pa_of(&x, blk + 32 * (uint64_t)i, image_len);
    ck_assert_uint_eq(pa[1], pa[0] + 32); /* one page */
    ck_assert_uint_eq(pa[2], pa[0] + 64);
    read_fn = isf_addr(l, "__x64_sys_read") + l->virt_shift;
    ir_free(&x);
    memcpy(saved, image + pa[0], sizeof saved);
    ck_assert_uint_eq(peek(head_pa), 0);
    poke(head_pa, a);
    poke(pa[0] + call_off, read_fn);
    poke(pa[0] + next_off, b);
    poke(pa[1] + call_off, ms.base[3] + 8);
    poke(pa[1] + next_off, c);
    poke(pa[2] + call_off, UNMAPPED);
    poke(pa[2] + next_off, 0);
    ck_assert_int_eq(run_plugin(&x, "linux.keyboard_notifiers"), SCRY_OK);
    tu_show_diags("keyboard_notifiers_chain", x.r);
    ck_assert_uint_eq(scry_result_diag_count(x.r), 0);
    ck_assert_uint_eq(scry_result_row_count(x.r), 3);
    ck_assert_uint_eq(cell_u(x.r, 0, 0), read_fn & MASK48);
    cell_is(x.r, 0, 1, "__kernel__");
    cell_is(x.r, 0, 2, "__x64_sys_read");
    ck_assert_uint_eq(cell_u(x.r, 1, 0), (ms.base[3] + 8) & MASK48);
    cell_is(x.r, 1, 1, ms.name[3]);
    cell_is(x.r, 1, 2, "N/A");
    ck_assert_uint_eq(cell_u(x.r, 2, 0), UNMAPPED & MASK48);
    cell_is(x.r, 2, 1, "UNKNOWN");
    cell_is(x.r, 2, 2, "N/A");
    ir_free(&x);
    /* C links back to A: three rows, then the warning. */
    poke(pa[2] + next_off, a);
    ck_assert_int_eq(run_plugin(&x, "linux.keyboard_notifiers"), SCRY_OK);
    tu_show_diags("keyboard_notifiers_loop", x.r);
    ck_assert_uint_eq(scry_result_row_count(x.r), 3);
    ck_assert_uint_eq(ir_count_diags(x.r, SCRY_DIAG_WARNING), 1);
    ck_assert_int_eq(scry_result_partial(x.r), 1);
    ir_free(&x);
    /* B links into unmapped memory: two rows, then the warning. */
    poke(pa[1] + next_off, UNMAPPED);
    ck_assert_int_eq(run_plugin(&x, "linux.keyboard_notifiers"), SCRY_OK);
    tu_show_diags("keyboard_notifiers_unmapped", x.r);
    ck_assert_uint_eq(scry_result_row_count(x.r), 2);
    ck_assert_uint_eq(ir_count_diags(x.r, SCRY_DIAG_WARNING), 1);
    ir_free(&x);
    poke(head_pa, 0);
    memcpy(image + pa[0], saved, sizeof saved);
}
END_TEST

/* ---- check_creds ---- */

/* Processes 5 and 9 of the list given process 0's cred: one row with the
 * three PIDs in list order; creds pointing into unmapped memory (shared
 * or not) are skipped, as Volatility's is_readable() skips them. */
START_TEST(check_creds_shared)
{
    struct ir_run x;
    uint64_t task[10], cred_off, pa[10], old[10];
    int64_t pid[10];
    char want[64];
    if (!image)
        return;
    ck_assert_int_eq(run_plugin(&x, "linux.check_creds"), SCRY_OK);
    ck_assert_uint_eq(scry_result_row_count(x.r), 0);
    ck_assert_uint_eq(scry_result_diag_count(x.r), 0);
    scry_result_free(x.r);
    ck_assert_int_eq(scry_plugin_run(x.s, "linux.pslist", 0, NULL, NULL, &x.r), SCRY_OK);
    const struct scry_linux *l = ir_linux(&x);
    ck_assert_int_eq(scry_sym_field(l->symtab, "task_struct", "cred", &cred_off, NULL), SCRY_OK);
    for (size_t i = 0; i < 10; i++) {
        task[i] = cell_u(x.r, i, 0) | 0xffff000000000000ull;
        ck_assert_int_eq(scry_result_cell_int(x.r, i, 1, &pid[i]), SCRY_OK);
        pa[i] = ir_pa_of(&x, task[i] + cred_off, image_len);
        old[i] = peek(pa[i]);
    }
    ir_free(&x);
    poke(pa[5], old[0]);
    poke(pa[9], old[0]);
    poke(pa[2], UNMAPPED);
    poke(pa[3], UNMAPPED);
    ck_assert_int_eq(run_plugin(&x, "linux.check_creds"), SCRY_OK);
    tu_show_diags("check_creds_shared", x.r);
    ck_assert_uint_eq(scry_result_diag_count(x.r), 0);
    ck_assert_uint_eq(scry_result_row_count(x.r), 1);
    ck_assert_uint_eq(cell_u(x.r, 0, 0), old[0] & MASK48);
    snprintf(want, sizeof want, "%lld, %lld, %lld", (long long)pid[0], (long long)pid[5],
             (long long)pid[9]);
    cell_is(x.r, 0, 1, want);
    ir_free(&x);
    /* A second shared cred, first seen later in the list, prints second. */
    poke(pa[7], old[4]);
    poke(pa[8], old[1]);
    ck_assert_int_eq(run_plugin(&x, "linux.check_creds"), SCRY_OK);
    ck_assert_uint_eq(scry_result_row_count(x.r), 3);
    ck_assert_uint_eq(cell_u(x.r, 0, 0), old[0] & MASK48);
    ck_assert_uint_eq(cell_u(x.r, 1, 0), old[1] & MASK48);
    snprintf(want, sizeof want, "%lld, %lld", (long long)pid[1], (long long)pid[8]);
    cell_is(x.r, 1, 1, want);
    ck_assert_uint_eq(cell_u(x.r, 2, 0), old[4] & MASK48);
    ir_free(&x);
    for (size_t i = 0; i < 10; i++)
        poke(pa[i], old[i]);
}
END_TEST

/* ---- netfilter ---- */

static uint64_t field_off(const struct scry_linux *l, const char *type, const char *field)
{
    uint64_t off;
    ck_assert_int_eq(scry_sym_field(l->symtab, type, field, &off, NULL), SCRY_OK);
    return off;
}

/* init_net's IPV4 POST_ROUTING hook (AppArmor's) moved into a module, to a
 * kernel address where no symbol starts, and nowhere; then the namespace
 * list loops and the hook array points into unmapped memory. */
START_TEST(netfilter_hooked)
{
    struct ir_run x;
    struct mods ms;
    if (!image)
        return;
    ck_assert_int_eq(run_plugin(&x, "linux.netfilter"), SCRY_OK);
    ck_assert_uint_eq(scry_result_row_count(x.r), 2);
    ck_assert_uint_eq(scry_result_diag_count(x.r), 0);
    cell_is(x.r, 0, 1, "IPV4");
    cell_is(x.r, 0, 2, "POST_ROUTING");
    cell_is(x.r, 0, 5, "[apparmor_ip_postroute]");
    cell_is(x.r, 0, 6, "True");
    const struct scry_linux *l = ir_linux(&x);
    modules_of(&x, &ms);
    uint64_t net = isf_addr(l, "init_net") + l->virt_shift;
    uint64_t slot = net + field_off(l, "net", "nf") + field_off(l, "netns_nf", "hooks_ipv4") + 4 * 8;
    uint64_t slot_pa = ir_pa_of(&x, slot, image_len);
    uint64_t e = peek(slot_pa);
    uint64_t num_pa = ir_pa_of(&x, e + field_off(l, "nf_hook_entries", "num_hook_entries"),
                               image_len);
    uint16_t num;
    memcpy(&num, image + num_pa, 2);
    ck_assert_uint_eq(num, 1);
    uint64_t entry_size;
    ck_assert_int_eq(scry_sym_type_size(l->symtab, "nf_hook_entry", &entry_size), SCRY_OK);
    uint64_t ops = peek(ir_pa_of(&x, e + field_off(l, "nf_hook_entries", "hooks") + entry_size,
                                 image_len));
    uint64_t hook_pa = ir_pa_of(&x, ops + field_off(l, "nf_hook_ops", "hook"), image_len);
    uint64_t old = peek(hook_pa);
    uint64_t list_pa = ir_pa_of(&x, net + field_off(l, "net", "list") + l->off.list_next,
                                image_len);
    uint64_t old_list = peek(list_pa);
    uint64_t net_list = net + field_off(l, "net", "list");
    ir_free(&x);

    poke(hook_pa, ms.base[2] + 0x100);
    ck_assert_int_eq(run_plugin(&x, "linux.netfilter"), SCRY_OK);
    ck_assert_uint_eq(scry_result_row_count(x.r), 2); /* IPv6's hook is another ops */
    ck_assert_uint_eq(cell_u(x.r, 0, 4), (ms.base[2] + 0x100) & MASK48);
    cell_is(x.r, 0, 5, ms.name[2]);
    cell_is(x.r, 0, 6, "True");
    cell_is(x.r, 1, 5, "[apparmor_ip_postroute]");
    ir_free(&x);
    poke(hook_pa, old + 1);
    ck_assert_int_eq(run_plugin(&x, "linux.netfilter"), SCRY_OK);
    cell_is(x.r, 0, 5, "__kernel__");
    cell_is(x.r, 0, 6, "True");
    ir_free(&x);
    poke(hook_pa, UNMAPPED);
    ck_assert_int_eq(run_plugin(&x, "linux.netfilter"), SCRY_OK);
    ck_assert_uint_eq(scry_result_row_count(x.r), 2);
    ck_assert_uint_eq(cell_u(x.r, 0, 4), UNMAPPED & MASK48);
    ck_assert_int_eq(scry_result_cell_state(x.r, 0, 5), SCRY_CELL_NOT_AVAILABLE); /* null */
    cell_is(x.r, 0, 6, "False"); /* Volatility's sense: no owner found */
    ir_free(&x);
    poke(hook_pa, old);

    /* The hook array's pointer leads into unmapped memory: that hook is
     * skipped (an INFO: not in the dump), the rest listed. */
    poke(slot_pa, UNMAPPED);
    ck_assert_int_eq(run_plugin(&x, "linux.netfilter"), SCRY_OK);
    tu_show_diags("netfilter_unmapped", x.r);
    ck_assert_uint_eq(scry_result_row_count(x.r), 1);
    cell_is(x.r, 0, 1, "IPV6");
    ck_assert_uint_eq(ir_count_diags(x.r, SCRY_DIAG_INFO), 1);
    ir_free(&x);
    poke(slot_pa, e);

    /* init_net links to itself: each pass (namespace hooks, NETDEV) walks
     * it once and warns; the same warning is kept once. */
    poke(list_pa, net_list);
    ck_assert_int_eq(run_plugin(&x, "linux.netfilter"), SCRY_OK);
    tu_show_diags("netfilter_loop", x.r);
    ck_assert_uint_eq(scry_result_row_count(x.r), 2);
    ck_assert_uint_eq(ir_count_diags(x.r, SCRY_DIAG_WARNING), 1);
    ck_assert_int_eq(scry_result_partial(x.r), 1);
    ir_free(&x);
    poke(list_pa, old_list);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("linux_ksym");
    TCase *tc = tcase_create("ksym");
    int rc;
    ir_load_small("test_linux_ksym", &image, &image_len, symdir, sizeof symdir, &ctx);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, lookup_kernel_modules_unknown);
    tcase_add_test(tc, check_syscall_hooked);
    tcase_add_test(tc, check_idt_hooked);
    tcase_add_test(tc, check_modules_hidden);
    tcase_add_test(tc, check_modules_kset_loops);
    tcase_add_test(tc, check_afinfo_unknown_handler);
    tcase_add_test(tc, check_idt_table_unmapped);
    tcase_add_test(tc, tty_check_hooked);
    tcase_add_test(tc, keyboard_notifiers_chain);
    tcase_add_test(tc, check_creds_shared);
    tcase_add_test(tc, netfilter_hooked);
    suite_add_tcase(s, tc);
    rc = tu_run_suite(s);
    scry_context_free(ctx);
    free(image);
    return rc;
}
