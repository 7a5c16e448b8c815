/* fuzz_windetect.c - Windows x64 detection and the plugins that read the
 * kernel directly (windows.info, pslist, psscan, modules, memscry.proctree)
 * over a hostile raw physical image.
 *
 * Input layout: a 16-byte header, then page records.
 *   [0]      which ISF (mod the number found; see below)
 *   [1]      bit 0: run the plugins even when detection finds nothing
 *   [8..15]  a kernel base to use when detection finds none
 *   records: a u16 page number (mod 16384: a 64 MiB machine) and up to
 *            4096 bytes of that page (a short last record is zero-padded);
 *            a later record for the same page replaces the earlier one.
 * Every other page reads as zeros, so the DTB scan's windows (0x150000,
 * 0x650000, 0x30000-0x1030000), the fixed kernel mapping (phys =
 * VA - 0xfffff80000000000) and the KDBG / RSDS scans all see the input.
 *
 * The harness runs the DTB test and kernel discovery (KDBG, module string,
 * fixed mapping, RSDS scan). With the ISFs of Volatility's layout under
 * $MEMSCRY_FUZZ_WIN_ISF (default /work/shared/isf/windows/ntkrnlmp.pdb;
 * skipped when absent) it then builds the profile on the found (or given)
 * kernel and runs the four plugins: a crash, a hang or unbounded memory is
 * a finding; errors are not. FUZZ_WINDETECT_PRINT=1 prints what each plugin
 * returned. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/os/windows.h"
#include "lib/plugins/plugin.h"
#include "lib/rows/rows.h"
#include "lib/vspace/vspace.h"
#include "symbols/symtab.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
void scry_result_free(struct scry_result *r);

#define NPAGES 16384u
#define PG 4096u

struct sphys {
    struct scry_phys base;
    const uint8_t *page[NPAGES]; /* NULL: zeros */
    size_t plen[NPAGES];         /* bytes the input gives (rest zeros) */
};

static scry_status s_read(struct scry_phys *p, uint64_t pa, void *buf, size_t len, size_t *holes)
{
    struct sphys *s = (struct sphys *)p;
    uint8_t *out = buf;
    size_t h = 0;
    while (len) {
        uint64_t pn = pa / PG, off = pa % PG;
        size_t n = PG - off < len ? (size_t)(PG - off) : len;
        if (pa < pa - off || pn >= NPAGES) {
            memset(out, 0, n);
            h += n;
        } else if (!s->page[pn]) {
            memset(out, 0, n);
        } else {
            size_t have = s->plen[pn] > off ? s->plen[pn] - off : 0;
            if (have > n)
                have = n;
            memcpy(out, s->page[pn] + off, have);
            memset(out + have, 0, n - have);
        }
        out += n;
        pa += n;
        len -= n;
    }
    if (holes)
        *holes += h;
    return SCRY_OK;
}

static int s_next_data(struct scry_phys *p, uint64_t pa, uint64_t *start, uint64_t *end)
{
    struct sphys *s = (struct sphys *)p;
    for (uint64_t pn = pa / PG; pn < NPAGES; pn++) {
        if (!s->page[pn])
            continue;
        uint64_t e = pn + 1;
        while (e < NPAGES && s->page[e])
            e++;
        *start = pn * PG > pa ? pn * PG : pa;
        *end = e * PG;
        return 1;
    }
    return 0;
}

static const struct scry_phys_ops ops = {s_read, NULL, NULL};

/* The ISFs, loaded once. */
static struct scry_symtab *isf[8];
static char *isf_path[8];
static size_t nisf;
static int loaded;

static void load_isfs(void)
{
    const char *dir = getenv("MEMSCRY_FUZZ_WIN_ISF");
    if (!dir)
        dir = "/work/shared/isf/windows/ntkrnlmp.pdb";
    loaded = 1;
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    char *names[8];
    size_t n = 0;
    while ((e = readdir(d)) && n < 8)
        if (strstr(e->d_name, ".json"))
            names[n++] = strdup(e->d_name);
    closedir(d);
    /* a stable order whatever readdir gives */
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (strcmp(names[j], names[i]) < 0) {
                char *t = names[i];
                names[i] = names[j];
                names[j] = t;
            }
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (scry_isf_load(path, &isf[nisf]) == SCRY_OK)
            isf_path[nisf++] = strdup(path);
        free(names[i]);
    }
}

static void run_plugin(struct scry_windows *w, const char *name)
{
    const struct scry_plugin *pl = scry_plugin_find(name);
    struct scry_optvals vals = {0};
    struct scry_result *r = NULL;
    struct scry_op op = {0};
    op.max_entries = 4096;
    if (!pl || scry_options_parse(pl, 0, NULL, &vals) != SCRY_OK)
        abort();
    if (scry_result_new(pl->columns, pl->ncolumns, &r) != SCRY_OK)
        return;
    struct scry_plugin_ctx pc = {.profile = &w->base, .phys = w->base.phys, .opts = &vals,
                                 .out = r, .op = &op};
    scry_status st = pl->run(&pc);
    if (getenv("FUZZ_WINDETECT_PRINT")) /* what an input reaches */
        fprintf(stderr, "%s: %zu rows, status %d %s\n", name, r->nrows, (int)st,
                st == SCRY_OK ? "" : scry_last_error());
    scry_result_free(r);
    scry_optvals_free(&vals);
    scry_err_clear();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct sphys s;
    static const struct scry_run run = {0, (uint64_t)NPAGES * PG};
    if (size < 16)
        return 0;
    if (!loaded)
        load_isfs();
    memset(&s, 0, sizeof s);
    s.base.ops = &ops;
    s.base.runs = (struct scry_run *)&run;
    s.base.nruns = 1;
    s.base.info.format = "raw";
    s.base.info.phys_end = run.len;
    s.base.info.file_size = run.len;
    s.base.next_data = s_next_data;
    for (size_t off = 16; off + 2 < size;) {
        unsigned pn = (data[off] | data[off + 1] << 8) % NPAGES;
        size_t n = size - off - 2 < PG ? size - off - 2 : PG;
        s.page[pn] = data + off + 2;
        s.plen[pn] = n;
        off += 2 + n;
    }
    uint64_t dtb = 0x1ad000, base = 0;
    memcpy(&base, data + 8, 8);
    int found = 0;
    if (scry_win_find_dtb(&s.base, &dtb) == SCRY_OK) {
        struct scry_vspace vs;
        struct scry_win_kernel k;
        struct scry_op op = {0};
        if (scry_vspace_init(&vs, &s.base, SCRY_PAGING_WIN_X86_64, dtb) != SCRY_OK)
            abort();
        if (scry_win_find_kernel(&vs, &op, 0, &k) == SCRY_OK) {
            base = k.base;
            found = 1;
        }
    }
    scry_err_clear();
    if (!nisf || (!found && !(data[1] & 1)))
        return 0;
    struct scry_windows *w = calloc(1, sizeof *w);
    if (!w)
        return 0;
    w->base.os = &scry_os_windows;
    w->base.phys = &s.base;
    w->base.mode = SCRY_PAGING_WIN_X86_64;
    w->base.dtb = dtb;
    w->symtab = isf[data[0] % nisf];
    w->isf_path = isf_path[data[0] % nisf];
    w->isf_uri = isf_path[data[0] % nisf];
    w->kernel_base = scry_win_canon(base);
    if (scry_windows_resolve(w) == SCRY_OK) {
        run_plugin(w, "windows.info.Info");
        run_plugin(w, "windows.pslist.PsList");
        run_plugin(w, "windows.psscan.PsScan");
        run_plugin(w, "memscry.proctree.ProcTreeCheck");
        run_plugin(w, "windows.modules.Modules");
    }
    scry_kv_free(&w->base.info);
    free(w);
    scry_err_clear();
    return 0;
}
