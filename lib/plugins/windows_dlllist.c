/* windows_dlllist.c - windows.dlllist.DllList: each process's
 * InLoadOrderModuleList (Peb->Ldr), as Volatility 2.11.0 lists it.
 *
 * Per entry: BaseDllName then FullDllName (either unreadable: both "-" when
 * the first fails, the second alone when only it fails), the --name regex
 * on either, --base against DllBase, LoadTime only when KUSER_SHARED_DATA
 * says NT 6.1 or later (N/A before; "-" when unreadable), the PE written by
 * --dump, DllBase and SizeOfImage ("-" when unreadable).
 *
 * --name is a Python regular expression searched in both names. We compile
 * it as a POSIX extended one (glibc's, which knows \w \W \s \S \b \B) after
 * py_to_ere's rewriting; a pattern that does not compile ends the listing
 * silently, as Python's re.error ends Volatility's generator. Syntax only
 * Python has (lookarounds, backreferences by name, inline flags other than
 * a leading (?i)) and case folding beyond ASCII may match differently.
 *
 * --offset (non-zero; 0 means "not given", as in Volatility) lists the
 * processes psscan finds whose physical offset is that value, ignoring
 * --pid. Volatility computes the physical offset by translating the
 * object's offset through the kernel's virtual space - also before
 * Windows 10, where psscan's offsets are already physical - and a
 * translation that fails ends the run ("Page error ... in layer
 * layer_name"); we fail the same way, at the same process. */
#include <inttypes.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>

#include "lib/plugins/windows_common.h"
#include "lib/walk/windows_pe.h"
#include "lib/walk/windows_peb.h"

/* --offset needs the pool scanner behind windows.psscan, which lands on
 * another branch; until it is merged a non-zero --offset is refused. */
#include "lib/walk/windows_pool.h"

enum { OPT_PID, OPT_OFFSET, OPT_NAME, OPT_BASE, OPT_ICASE, OPT_DUMP, NOPTS };

static const struct scry_option options[NOPTS] = {
    [OPT_PID] = {"pid", SCRY_OPT_INT_LIST,
                 "Process IDs to include (all other processes are excluded)"},
    [OPT_OFFSET] = {"offset", SCRY_OPT_INT, "Process offset in the physical address space"},
    [OPT_NAME] = {"name", SCRY_OPT_STR, "Specify a regular expression to match dll name(s)"},
    [OPT_BASE] = {"base", SCRY_OPT_INT, "Specify a base virtual address in process memory"},
    [OPT_ICASE] = {"ignore-case", SCRY_OPT_BOOL,
                   "Specify case insensitivity for the regular expression name matching"},
    [OPT_DUMP] = {"dump", SCRY_OPT_BOOL, "Extract listed DLLs"},
};

static const struct scry_column columns[] = {
    {"PID", SCRY_COL_INT},  {"Process", SCRY_COL_STR},        {"Base", SCRY_COL_HEX},
    {"Size", SCRY_COL_HEX}, {"Name", SCRY_COL_STR},           {"Path", SCRY_COL_STR},
    {"LoadTime", SCRY_COL_DATETIME}, {"File output", SCRY_COL_STR},
};

struct ctx {
    const struct scry_windows *w;
    struct scry_plugin_ctx *pc;
    int load_time;      /* NT >= 6.1 */
    int use_re, re_bad; /* --name given; it did not compile */
    regex_t re;
    int64_t base;       /* --base, 0 = none */
    int dump;
    /* the process being listed */
    struct scry_win_pspace ps;
    char name[64];
    int nlen;
    scry_status st;
    int stop;
};

/* A Python pattern as a glibc ERE, for what search() can tell (whether a
 * match exists): \d \D \A \Z rewritten, \w \s \d inside brackets as
 * classes, other escapes inside brackets as the character, (?: as (, a
 * leading (?i) as *icase, lazy quantifiers as greedy ones (the same
 * strings match). Everything else is passed as is. */
static char *py_to_ere(const char *py, int *icase)
{
    size_t n = strlen(py);
    char *o = malloc(12 * n + 1), *w = o;
    int in_class = 0, after_quant = 0;
    if (!o)
        return NULL;
    if (!strncmp(py, "(?i)", 4)) {
        *icase = 1;
        py += 4;
        n -= 4;
    }
    for (size_t i = 0; i < n; i++) {
        int quant = 0;
        if (py[i] == '\\' && i + 1 < n) {
            char e = py[++i];
            if (in_class) {
                if (e == 'd')
                    w += sprintf(w, "0-9");
                else if (e == 'w')
                    w += sprintf(w, "[:alnum:]_");
                else if (e == 's')
                    w += sprintf(w, "[:space:]");
                else
                    *w++ = e;
            } else if (e == 'd' || e == 'D') {
                w += sprintf(w, "%s", e == 'd' ? "[0-9]" : "[^0-9]");
            } else if (e == 'A' || e == 'Z') {
                *w++ = e == 'A' ? '^' : '$';
            } else {
                *w++ = '\\';
                *w++ = e;
            }
            after_quant = 0;
            continue;
        }
        if (in_class) {
            if (py[i] == ']')
                in_class = 0;
            *w++ = py[i];
            continue;
        }
        if (py[i] == '[') {
            in_class = 1;
            *w++ = py[i];
            if (i + 1 < n && py[i + 1] == '^')
                *w++ = py[++i];
            if (i + 1 < n && py[i + 1] == ']')
                *w++ = py[++i];
            after_quant = 0;
            continue;
        }
        if (py[i] == '(' && i + 2 < n && py[i + 1] == '?' && py[i + 2] == ':') {
            *w++ = '(';
            i += 2;
            after_quant = 0;
            continue;
        }
        if (py[i] == '?' && after_quant) { /* lazy: the same strings match */
            after_quant = 0;
            continue;
        }
        quant = py[i] == '*' || py[i] == '+' || py[i] == '?' || py[i] == '}';
        *w++ = py[i];
        after_quant = quant;
    }
    *w = '\0';
    return o;
}

static int entry_row(void *user, uint64_t e)
{
    struct ctx *c = user;
    const struct scry_win_off *o = &c->w->off;
    struct scry_win_pspace *ps = &c->ps;
    char *base_name = NULL, *full_name = NULL, *written = NULL, *fname = NULL;
    size_t blen = 0, flen = 0;
    struct scry_cell cells[8];
    uint64_t dll_base = 0;
    int base_ok, full_ok;
    scry_status st;
    base_ok = (st = scry_win_pustr(ps, e + o->le_base_name, &base_name, &blen)) == SCRY_OK;
    full_ok = base_ok && (st = scry_win_pustr(ps, e + o->le_full_name, &full_name, &flen)) == SCRY_OK;
    if (st != SCRY_OK && st != SCRY_ERR_NODATA)
        goto fail;
    if (c->use_re) {
        if (c->re_bad) {
            c->stop = 1; /* re.error: the generator returns */
            goto done;
        }
        if (!base_ok || !full_ok)
            goto done;
        if (regexec(&c->re, base_name, 0, NULL, 0) != 0 &&
            regexec(&c->re, full_name, 0, NULL, 0) != 0)
            goto done;
    }
    int dll_ok = scry_win_pread_ptr(ps, e + o->le_dll_base, &dll_base) == SCRY_OK;
    if (c->base && (!dll_ok || (uint64_t)c->base != dll_base))
        goto done; /* Volatility raises on an unreadable DllBase here */
    cells[0] = scry_cell_int((int64_t)ps->pid);
    cells[1] = scry_cell_str(c->name, (size_t)c->nlen);
    cells[2] = dll_ok ? scry_cell_hex(dll_base) : scry_cell_absent(SCRY_CELL_NOT_AVAILABLE);
    uint32_t size;
    cells[3] = scry_win_pread(ps, e + o->le_image_size, &size, 4) == SCRY_OK
                   ? scry_cell_hex(size)
                   : scry_cell_absent(SCRY_CELL_NOT_AVAILABLE);
    cells[4] = base_ok ? scry_cell_str(base_name, blen) : scry_cell_absent(SCRY_CELL_UNREADABLE);
    cells[5] = full_ok ? scry_cell_str(full_name, flen) : scry_cell_absent(SCRY_CELL_UNREADABLE);
    if (!c->load_time) {
        cells[6] = scry_cell_absent(SCRY_CELL_NOT_APPLICABLE);
    } else {
        uint64_t t;
        if (o->le_load_time != SCRY_WIN_NO_OFFSET &&
            scry_win_pread(ps, e + o->le_load_time, &t, 8) == SCRY_OK)
            cells[6] = scry_win_time_cell(t);
        else
            cells[6] = scry_cell_absent(SCRY_CELL_UNREADABLE);
    }
    cells[7] = scry_cell_str("Disabled", 8);
    if (c->dump) {
        /* pedump.dump_ldr_entry: pid.PID.<ntpath.basename(FullDllName)>.
         * <entry>.<DllBase>.dmp */
        const char *bn = full_ok ? full_name : "UnreadableDLLName";
        const char *slash = bn;
        for (const char *q = bn; *q; q++)
            if (*q == '\\' || *q == '/')
                slash = q + 1;
        if (full_ok && slash == bn && bn[0] && bn[1] == ':')
            slash = bn + 2; /* ntpath.splitdrive */
        size_t fn = strlen(slash) + 96;
        if (!(fname = malloc(fn))) {
            st = scry_err(SCRY_ERR_NOMEM, "out of memory");
            goto fail;
        }
        snprintf(fname, fn, "pid.%" PRIu64 ".%s.0x%" PRIx64 ".0x%" PRIx64 ".dmp", ps->pid, slash,
                 e, dll_base);
        st = dll_ok ? scry_win_pe_dump(&ps->vs, dll_base, c->pc->output_dir, fname, c->pc->op,
                                       &written)
                    : SCRY_ERR_NODATA;
        if (st == SCRY_ERR_NOMEM || st == SCRY_ERR_CANCELLED)
            goto fail;
        /* The column shows the name asked for (preferred_filename), not
         * the one a clash made the handler pick. */
        if (st == SCRY_OK)
            cells[7] = scry_cell_str(fname, strlen(fname));
        else
            cells[7] = scry_cell_str("Error outputting file", 21);
    }
    if ((st = scry_result_add(c->pc->out, 0, cells)) != SCRY_OK)
        goto fail;
done:
    free(base_name);
    free(full_name);
    free(written);
    free(fname);
    return c->stop;
fail:
    c->st = st;
    c->stop = 1;
    goto done;
}

static int proc_row(void *user, const struct scry_win_proc *p)
{
    struct ctx *c = user;
    const struct scry_win_off *o = &c->w->off;
    uint64_t ldr;
    c->nlen = (int)scry_win_proc_name(c->w, p, c->name);
    scry_status st = scry_win_pspace_open(c->w, p, &c->ps);
    if (c->nlen < 0 || st == SCRY_ERR_NODATA) {
        scry_op_say(c->pc->op, SCRY_DIAG_WARNING, SCRY_ERR_NODATA,
                    "process at 0x%" PRIx64 " skipped: its PID, DTB or name cannot be read",
                    p->va);
        return 0;
    }
    if (st != SCRY_OK) {
        c->st = st;
        return 1;
    }
    /* load_order_modules(): get_peb(), Peb->Ldr, InLoadOrderModuleList;
     * any InvalidAddressException ends this process's list silently. */
    if (!scry_win_peb_valid(&c->ps) ||
        scry_win_pread_ptr(&c->ps, c->ps.peb + o->peb_ldr, &ldr) != SCRY_OK)
        return 0;
    char what[64];
    snprintf(what, sizeof what, "pid %" PRIu64 "'s loader list", c->ps.pid);
    st = scry_win_pwalk_list(&c->ps, c->pc->op, ldr + o->ldr_load_list, o->le_load_links, what,
                             entry_row, c);
    if (st != SCRY_OK && c->st == SCRY_OK)
        c->st = st;
    return c->stop || c->st != SCRY_OK;
}

struct offset_ctx {
    struct ctx *c;
    struct scry_vspace *ks;
    uint64_t offset;
    scry_status st;
};

static int scanned(void *user, const struct scry_win_proc *p, int physical)
{
    struct offset_ctx *oc = user;
    uint64_t pa;
    (void)physical;
    /* create_offset_filter: mapping(proc.vol.offset, 0) on the kernel
     * layer, whatever layer the object came from. */
    if (scry_vspace_translate(oc->ks, scry_win_canon(p->va), &pa) != SCRY_OK ||
        scry_vspace_read(oc->ks, scry_win_canon(p->va), &(uint8_t){0}, 1) != SCRY_OK) {
        oc->st = scry_err(SCRY_ERR_NODATA,
                          "Page error 0x%" PRIx64 " in layer layer_name: windows.dlllist "
                          "--offset translates every scanned process's offset through the "
                          "kernel space, as Volatility does",
                          p->va);
        return 1;
    }
    if (pa != oc->offset)
        return 0;
    return proc_row(oc->c, p);
}

static scry_status by_offset(struct ctx *c, struct scry_vspace *ks, uint64_t offset)
{
    struct offset_ctx oc = {.c = c, .ks = ks, .offset = offset};
    scry_status st =
        scry_win_pool_scan_procs(c->w, ks, c->pc->op, scry_win_year_now(), scanned, &oc);
    if (st == SCRY_OK)
        st = oc.st;
    return st;
}

static scry_status run(struct scry_plugin_ctx *pc)
{
    const struct scry_optvals *ov = pc->opts;
    struct ctx c = {.w = scry_windows_of(pc->profile), .pc = pc};
    const struct scry_win_off *o = &c.w->off;
    struct scry_vspace ks;
    uint32_t major = 0, minor = 0;
    scry_status st = scry_profile_kernel(pc->profile, &ks);
    if (st != SCRY_OK)
        return st;
    uint64_t offset = ov->v[OPT_OFFSET].set && ov->v[OPT_OFFSET].nints
                          ? (uint64_t)ov->v[OPT_OFFSET].ints[0]
                          : 0;
    c.dump = ov->v[OPT_DUMP].set;
    if (c.dump && !pc->output_dir)
        return scry_err(SCRY_ERR_INVALID_ARG,
                        "windows.dlllist --dump: this run has no output directory");
    if (ov->v[OPT_BASE].set && ov->v[OPT_BASE].nints)
        c.base = ov->v[OPT_BASE].ints[0];
    /* info.get_kuser_structure: NtMajorVersion / NtMinorVersion decide
     * whether LoadTime exists; Volatility fails when they cannot be read. */
    if (o->kuser_nt_major == SCRY_WIN_NO_OFFSET || o->kuser_nt_minor == SCRY_WIN_NO_OFFSET)
        return scry_err(SCRY_ERR_NOT_FOUND, "%s: _KUSER_SHARED_DATA has no NtMajorVersion",
                        c.w->isf_path);
    if ((st = scry_vspace_read_u32(&ks, SCRY_WIN_KUSER_SHARED_DATA + o->kuser_nt_major,
                                   &major)) != SCRY_OK ||
        (st = scry_vspace_read_u32(&ks, SCRY_WIN_KUSER_SHARED_DATA + o->kuser_nt_minor,
                                   &minor)) != SCRY_OK)
        return scry_err_ctx(st, "KUSER_SHARED_DATA at 0x%llx",
                            (unsigned long long)SCRY_WIN_KUSER_SHARED_DATA);
    c.load_time = major > 6 || (major == 6 && minor >= 1);
    const char *pat = ov->v[OPT_NAME].set ? ov->v[OPT_NAME].str : NULL;
    if (pat && *pat) {
        int icase = ov->v[OPT_ICASE].set;
        char *ere = py_to_ere(pat, &icase);
        if (!ere)
            return scry_err(SCRY_ERR_NOMEM, "out of memory");
        c.use_re = 1;
        c.re_bad = regcomp(&c.re, ere, REG_EXTENDED | REG_NOSUB | (icase ? REG_ICASE : 0)) != 0;
        free(ere);
    }
    if (offset)
        st = by_offset(&c, &ks, offset);
    else
        st = scry_win_list_processes(c.w, &ks, pc->op, pc->opts, OPT_PID, proc_row, &c);
    if (c.use_re && !c.re_bad)
        regfree(&c.re);
    return st != SCRY_OK ? st : c.st;
}

const struct scry_plugin scry_plugin_windows_dlllist = {
    .name = "windows.dlllist.DllList",
    .alias = "windows.dlllist",
    .description = "Lists the loaded modules in a particular windows memory image.",
    .options = options,
    .noptions = NOPTS,
    .columns = columns,
    .ncolumns = sizeof columns / sizeof columns[0],
    .os = "windows",
    .run = run,
};
