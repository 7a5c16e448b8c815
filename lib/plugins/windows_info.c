/* windows_info.c - windows.info.Info: the kernel, its layers and the
 * version blocks, one Variable/Value row each as Volatility prints them.
 *
 * _KDDEBUGGER_DATA64 is not in the kernel's ISF: Volatility brings its own
 * type (symbols/windows/kdbg.json), identical for every x64 kernel. The
 * three members info reads are fixed by that file, not by the ISF, so they
 * are constants here: Header.OwnerTag (u32 @0x10), NtBuildLab (u64 @0x208,
 * a pointer to a char string) and CmNtCSDVersion (u64 @0x268, a pointer
 * to a u32). */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/plugins/windows_common.h"

#define KDBG_OWNER_TAG 0x10
#define KDBG_NT_BUILD_LAB 0x208
#define KDBG_CM_NT_CSD_VERSION 0x268
#define KDBG_TAG 0x4742444bu /* "KDBG" */

static const struct scry_column columns[] = {
    {"Variable", SCRY_COL_STR},
    {"Value", SCRY_COL_STR},
};

struct ctx {
    struct scry_plugin_ctx *pc;
    const struct scry_windows *w;
    struct scry_vspace ks;
};

static scry_status row(struct ctx *c, const char *var, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static scry_status row(struct ctx *c, const char *var, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *buf = malloc(n > 0 ? (size_t)n + 1 : 1);
    if (!buf)
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    buf[0] = '\0';
    va_start(ap, fmt);
    if (n > 0)
        vsnprintf(buf, (size_t)n + 1, fmt, ap);
    va_end(ap);
    struct scry_cell cells[2] = {scry_cell_str(var, strlen(var)),
                                 scry_cell_str(buf, n > 0 ? (size_t)n : 0)};
    scry_status st = scry_result_add(c->pc->out, 0, cells);
    free(buf);
    return st;
}

/* A read Volatility makes without catching its failure: the plugin ends
 * there with the address named. */
static scry_status rd(struct ctx *c, uint64_t va, void *buf, size_t len, const char *what)
{
    scry_status st = scry_vspace_read(&c->ks, scry_win_canon(va), buf, len);
    if (st != SCRY_OK)
        return scry_err_ctx(st, "windows.info: %s at 0x%" PRIx64 " cannot be read", what,
                            scry_win_mask(va));
    return SCRY_OK;
}

static uint64_t le(const uint8_t *b, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v |= (uint64_t)b[i] << (8 * i);
    return v;
}

static scry_status rd_uint(struct ctx *c, uint64_t va, size_t n, const char *what, uint64_t *v)
{
    uint8_t b[8];
    scry_status st = rd(c, va, b, n, what);
    if (st == SCRY_OK)
        *v = le(b, n);
    return st;
}

/* The layer stack Volatility builds under the kernel layer: the format's
 * layer (named memory_layer) over a FileLayer (base_layer), or the
 * FileLayer itself for a raw image. */
static scry_status layers(struct ctx *c)
{
    const char *fmt = c->pc->phys ? c->pc->phys->info.format : NULL;
    const char *mid = NULL;
    if (fmt && !strcmp(fmt, "windump"))
        mid = "WindowsCrashDump64Layer";
    else if (fmt && !strcmp(fmt, "lime"))
        mid = "LimeLayer";
    else if (fmt && !strcmp(fmt, "elf"))
        mid = "Elf64Layer";
    scry_status st = row(c, "layer_name", "0 WindowsIntel32e");
    if (st == SCRY_OK && mid) {
        if ((st = row(c, "memory_layer", "1 %s", mid)) == SCRY_OK)
            st = row(c, "base_layer", "2 FileLayer");
    } else if (st == SCRY_OK) {
        st = row(c, "memory_layer", "1 FileLayer");
    }
    return st;
}

/* str(datetime) of conversion.wintime_to_datetime(t), or what str() of
 * its absent values looks like to a reader ("N/A", "-"). */
static void time_str(uint64_t wintime, char *out, size_t cap)
{
    struct scry_cell t = scry_win_time_cell(wintime);
    if (t.state == SCRY_CELL_NOT_APPLICABLE) {
        snprintf(out, cap, "N/A");
        return;
    }
    if (t.state != SCRY_CELL_VALUE) {
        snprintf(out, cap, "-");
        return;
    }
    int64_t s = t.v.t.sec, days = s / 86400, rem = s % 86400;
    if (rem < 0)
        rem += 86400, days--;
    /* civil_from_days (H. Hinnant) */
    int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097, yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153, d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    snprintf(out, cap, "%04" PRId64 "-%02" PRId64 "-%02" PRId64 " %02d:%02d:%02d+00:00", y, m, d,
             (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60));
}

static scry_status kdbg_rows(struct ctx *c)
{
    const struct scry_windows *w = c->w;
    uint64_t kdbg, tag, lab_ptr, csd_ptr, csd;
    if (w->sym.kd_debugger_data_block == SCRY_WIN_NO_OFFSET)
        return scry_err(SCRY_ERR_NOT_FOUND, "windows.info: the ISF has no symbol KdDebuggerDataBlock");
    kdbg = scry_win_mask(w->kernel_base + w->sym.kd_debugger_data_block);
    scry_status st = rd_uint(c, kdbg + KDBG_OWNER_TAG, 4, "the KDBG header", &tag);
    if (st != SCRY_OK || tag != KDBG_TAG)
        return st;
    if ((st = row(c, "KdDebuggerDataBlock", "0x%" PRIx64, kdbg)) != SCRY_OK)
        return st;
    /* get_build_lab: a 32-byte UTF-8 string, replace errors, cut at NUL. */
    uint8_t lab[32];
    char text[3 * sizeof lab + 1];
    if ((st = rd_uint(c, kdbg + KDBG_NT_BUILD_LAB, 8, "KDBG.NtBuildLab", &lab_ptr)) != SCRY_OK ||
        (st = rd(c, lab_ptr, lab, sizeof lab, "NtBuildLab")) != SCRY_OK)
        return st;
    size_t n = 0;
    while (n < sizeof lab && lab[n])
        n++;
    scry_utf8_replace(lab, n, text);
    if ((st = row(c, "NTBuildLab", "%s", text)) != SCRY_OK)
        return st;
    if ((st = rd_uint(c, kdbg + KDBG_CM_NT_CSD_VERSION, 8, "KDBG.CmNtCSDVersion", &csd_ptr)) !=
            SCRY_OK ||
        (st = rd_uint(c, csd_ptr, 4, "CmNtCSDVersion", &csd)) != SCRY_OK)
        return st;
    return row(c, "CSDVersion", "%" PRIu64, (csd >> 8) & 0xffffffffu);
}

static scry_status version_rows(struct ctx *c)
{
    const struct scry_windows *w = c->w;
    const struct scry_win_off_a *a = &w->a;
    uint64_t vers, major, minor, machine, ncpu;
    if (w->sym.kd_version_block == SCRY_WIN_NO_OFFSET ||
        w->sym.ke_number_processors == SCRY_WIN_NO_OFFSET || a->kv_major == SCRY_WIN_NO_OFFSET ||
        a->kv_minor == SCRY_WIN_NO_OFFSET || a->kv_machine == SCRY_WIN_NO_OFFSET)
        return scry_err(SCRY_ERR_NOT_FOUND, "windows.info: the ISF lacks KdVersionBlock, "
                        "KeNumberProcessors or _DBGKD_GET_VERSION64");
    vers = scry_win_mask(w->kernel_base + w->sym.kd_version_block);
    scry_status st;
    if ((st = row(c, "KdVersionBlock", "0x%" PRIx64, vers)) != SCRY_OK ||
        (st = rd_uint(c, vers + a->kv_major, 2, "KdVersionBlock.MajorVersion", &major)) != SCRY_OK ||
        (st = rd_uint(c, vers + a->kv_minor, 2, "KdVersionBlock.MinorVersion", &minor)) != SCRY_OK ||
        (st = row(c, "Major/Minor", "%" PRIu64 ".%" PRIu64, major, minor)) != SCRY_OK ||
        (st = rd_uint(c, vers + a->kv_machine, 2, "KdVersionBlock.MachineType", &machine)) !=
            SCRY_OK ||
        (st = row(c, "MachineType", "%" PRIu64, machine)) != SCRY_OK ||
        (st = rd_uint(c, w->kernel_base + w->sym.ke_number_processors, 4, "KeNumberProcessors",
                      &ncpu)) != SCRY_OK)
        return st;
    return row(c, "KeNumberProcessors", "%" PRIu64, ncpu);
}

static scry_status kuser_rows(struct ctx *c)
{
    const struct scry_win_off_a *a = &c->w->a;
    const uint64_t k = SCRY_WIN_KUSER_SHARED_DATA;
    uint64_t low, high, prod, major, minor;
    char text[400];
    if (a->ku_system_time == SCRY_WIN_NO_OFFSET || a->ku_root == SCRY_WIN_NO_OFFSET ||
        a->ku_product == SCRY_WIN_NO_OFFSET || a->ku_major == SCRY_WIN_NO_OFFSET ||
        a->ku_minor == SCRY_WIN_NO_OFFSET || a->kst_low == SCRY_WIN_NO_OFFSET ||
        a->kst_high1 == SCRY_WIN_NO_OFFSET)
        return scry_err(SCRY_ERR_NOT_FOUND, "windows.info: the ISF lacks _KUSER_SHARED_DATA members");
    scry_status st;
    if ((st = rd_uint(c, k + a->ku_system_time + a->kst_low, 4, "KUSER_SHARED_DATA.SystemTime",
                      &low)) != SCRY_OK ||
        (st = rd_uint(c, k + a->ku_system_time + a->kst_high1, 4, "KUSER_SHARED_DATA.SystemTime",
                      &high)) != SCRY_OK)
        return st;
    /* High1Time is a signed long. */
    int64_t wt = (int64_t)(((uint64_t)(int64_t)(int32_t)high << 32) | low);
    time_str((uint64_t)wt, text, sizeof text);
    if ((st = row(c, "SystemTime", "%s", text)) != SCRY_OK)
        return st;
    /* NtSystemRoot.cast("string", encoding="utf-16", max_length=260):
     * 260 bytes, whatever the array's length. */
    uint8_t root[260];
    char *rtext = malloc(3 * (sizeof root / 2) + 8);
    if (!rtext)
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    if ((st = rd(c, k + a->ku_root, root, sizeof root, "KUSER_SHARED_DATA.NtSystemRoot")) ==
        SCRY_OK) {
        scry_utf16_replace(root, sizeof root, 1, rtext);
        st = row(c, "NtSystemRoot", "%s", rtext);
    }
    free(rtext);
    if (st != SCRY_OK)
        return st;
    if ((st = rd_uint(c, k + a->ku_product, 4, "KUSER_SHARED_DATA.NtProductType", &prod)) !=
        SCRY_OK)
        return st;
    static const char *const names[3] = {"NtProductWinNt", "NtProductLanManNt", "NtProductServer"};
    const char *name = NULL;
    for (int i = 0; i < 3; i++)
        if (a->product[i] == (int64_t)(int32_t)prod)
            name = names[i];
    if (!name) /* Enumeration.description raises ValueError */
        return scry_err(SCRY_ERR_CORRUPT, "windows.info: NtProductType %" PRId32
                        " is not a _NT_PRODUCT_TYPE value", (int32_t)prod);
    if ((st = row(c, "NtProductType", "%s", name)) != SCRY_OK ||
        (st = rd_uint(c, k + a->ku_major, 4, "KUSER_SHARED_DATA.NtMajorVersion", &major)) !=
            SCRY_OK ||
        (st = row(c, "NtMajorVersion", "%" PRIu64, major)) != SCRY_OK ||
        (st = rd_uint(c, k + a->ku_minor, 4, "KUSER_SHARED_DATA.NtMinorVersion", &minor)) !=
            SCRY_OK)
        return st;
    return row(c, "NtMinorVersion", "%" PRIu64, minor);
}

static scry_status pe_rows(struct ctx *c)
{
    uint64_t base = scry_win_mask(c->w->kernel_base), magic, lfanew, sig, machine, ts, maj, min;
    scry_status st;
    if ((st = rd_uint(c, base, 2, "the kernel's DOS header", &magic)) != SCRY_OK)
        return st;
    if (magic != 0x5a4d)
        return scry_err(SCRY_ERR_CORRUPT, "windows.info: e_magic %04" PRIX64
                        " is not a valid DOS signature.", magic);
    if ((st = rd_uint(c, base + 0x3c, 4, "e_lfanew", &lfanew)) != SCRY_OK)
        return st;
    uint64_t nt = base + (uint64_t)(int64_t)(int32_t)lfanew;
    if ((st = rd_uint(c, nt, 4, "the kernel's NT header", &sig)) != SCRY_OK)
        return st;
    if (sig != 0x4550)
        return scry_err(SCRY_ERR_CORRUPT, "windows.info: NT header signature %04" PRIX64
                        " is not a valid", sig);
    /* Major/MinorOperatingSystemVersion are at the same place in the
     * 32- and 64-bit optional headers. */
    if ((st = rd_uint(c, nt + 24 + 40, 2, "MajorOperatingSystemVersion", &maj)) != SCRY_OK ||
        (st = row(c, "PE MajorOperatingSystemVersion", "%" PRIu64, maj)) != SCRY_OK ||
        (st = rd_uint(c, nt + 24 + 42, 2, "MinorOperatingSystemVersion", &min)) != SCRY_OK ||
        (st = row(c, "PE MinorOperatingSystemVersion", "%" PRIu64, min)) != SCRY_OK ||
        (st = rd_uint(c, nt + 4, 2, "FileHeader.Machine", &machine)) != SCRY_OK ||
        (st = row(c, "PE Machine", "%" PRIu64, machine)) != SCRY_OK ||
        (st = rd_uint(c, nt + 4 + 4, 4, "FileHeader.TimeDateStamp", &ts)) != SCRY_OK)
        return st;
    /* time.asctime(time.gmtime(ts)) */
    static const char *const wd[7] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const mo[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t t = (time_t)ts;
    struct tm tm;
    if (!gmtime_r(&t, &tm))
        return scry_err(SCRY_ERR_CORRUPT, "windows.info: TimeDateStamp %" PRIu64 " out of range", ts);
    return row(c, "PE TimeDateStamp", "%s %s %2d %02d:%02d:%02d %d", wd[tm.tm_wday % 7],
               mo[tm.tm_mon % 12], tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
               tm.tm_year + 1900);
}

static scry_status run(struct scry_plugin_ctx *pc)
{
    struct ctx c = {.pc = pc, .w = scry_windows_of(pc->profile)};
    scry_status st = scry_profile_kernel(pc->profile, &c.ks);
    if (st != SCRY_OK)
        return st;
    const struct scry_windows *w = c.w;
    if ((st = row(&c, "Kernel Base", "0x%" PRIx64, scry_win_mask(w->kernel_base))) != SCRY_OK ||
        (st = row(&c, "DTB", "0x%" PRIx64, pc->profile->dtb)) != SCRY_OK ||
        (st = row(&c, "Symbols", "%s", w->isf_uri ? w->isf_uri : "")) != SCRY_OK ||
        (st = row(&c, "Is64Bit", "True")) != SCRY_OK ||
        (st = row(&c, "IsPAE", "False")) != SCRY_OK || (st = layers(&c)) != SCRY_OK ||
        (st = kdbg_rows(&c)) != SCRY_OK || (st = version_rows(&c)) != SCRY_OK ||
        (st = kuser_rows(&c)) != SCRY_OK)
        return st;
    return pe_rows(&c);
}

const struct scry_plugin scry_plugin_windows_info = {
    .name = "windows.info.Info",
    .alias = "windows.info",
    .description = "Show OS & kernel details of the memory sample being analyzed.",
    .columns = columns,
    .ncolumns = sizeof columns / sizeof columns[0],
    .os = "windows",
    .run = run,
};
