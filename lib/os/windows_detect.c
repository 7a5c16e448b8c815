/* windows_detect.c - find a Windows x64 kernel in a dump and its ISF.
 *
 * 1. The kernel DTB by the self-referencing page-table scan
 *    (windows_dtb.c); no such table means "not Windows".
 * 2. The kernel image and its PDB's GUID and age (windows_kernel.c); a
 *    crash dump's stated KDBG address is tried first.
 * 3. The ISF whose identifier is "<pdb>|<GUID>|<age>", from the symbol
 *    store's index; without an index (--no-cache), the file Volatility's
 *    layout names: windows/<pdb>/<GUID>-<age>.json*. When the kernel is
 *    found but no ISF matches, the error names the PDB that is needed.
 * 4. Offsets resolved once (windows_profile.c). */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/os/windows.h"
#include "symbols/cache.h"
#include "symbols/store.h"
#include "symbols/symstore.h"
#include "symbols/symtab.h"

static void windows_free(struct scry_profile *p);

/* Python's os.path.abspath of path: cwd-relative paths made absolute, "."
 * and ".." folded, repeated slashes collapsed. NULL when out of memory. */
static char *abspath(const char *path)
{
    char cwd[PATH_MAX] = "";
    if (path[0] != '/' && !getcwd(cwd, sizeof cwd))
        cwd[0] = '\0';
    size_t n = strlen(cwd) + strlen(path) + 3;
    char *in = malloc(n), *out = malloc(n);
    if (!in || !out) {
        free(in);
        free(out);
        return NULL;
    }
    snprintf(in, n, "%s/%s", path[0] == '/' ? "" : cwd, path);
    size_t w = 0;
    for (char *tok = strtok(in, "/"); tok; tok = strtok(NULL, "/")) {
        if (!strcmp(tok, "."))
            continue;
        if (!strcmp(tok, "..")) {
            while (w > 0 && out[--w] != '/')
                ;
            continue;
        }
        w += (size_t)sprintf(out + w, "/%s", tok);
    }
    if (!w)
        out[w++] = '/';
    out[w] = '\0';
    free(in);
    return out;
}

/* Does the unidentified candidate's file name say it is <GUID>-<age>.json*
 * under a folder named for the PDB? (Volatility's own lookup by path.) */
static int named_for(const struct scry_isf_cand *c, const char *dir_pdb, const char *file)
{
    const char *p = c->member ? c->member : c->path;
    const char *base = strrchr(p, '/');
    if (!base || strncmp(base + 1, file, strlen(file)) != 0)
        return 0;
    size_t dl = strlen(dir_pdb);
    return (size_t)(base - p) >= dl + 1 && !strncmp(base - dl, dir_pdb, dl) && base[-dl - 1] == '/';
}

static scry_status fill_info(struct scry_windows *w)
{
    struct scry_kv *kv = &w->base.info;
    scry_status st = scry_kv_add(kv, "os", "windows");
    if (st == SCRY_OK)
        st = scry_kv_add(kv, "description", "Windows x64, %s %s-%" PRIu32, w->pdb_name, w->guid,
                         w->age);
    if (st == SCRY_OK)
        st = scry_kv_add(kv, "isf", "%s", w->isf_path);
    if (st == SCRY_OK)
        st = scry_kv_add(kv, "dtb", "0x%" PRIx64, w->base.dtb);
    if (st == SCRY_OK)
        st = scry_kv_add(kv, "kernel_base", "0x%" PRIx64, w->kernel_base);
    if (st == SCRY_OK)
        st = scry_kv_add(kv, "pdb", "%s|%s|%" PRIu32, w->pdb_name, w->guid, w->age);
    if (st == SCRY_OK)
        st = scry_kv_add(kv, "kernel_found_by", "%s", w->kernel_method);
    return st;
}

/* Loads candidate c and builds the profile on it. */
static scry_status adopt(const struct scry_detect_in *in, const struct scry_isf_cand *c,
                         uint64_t dtb, const struct scry_win_kernel *k,
                         struct scry_windows **out)
{
    struct scry_windows *w = calloc(1, sizeof *w);
    if (!w)
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    w->base.os = &scry_os_windows;
    w->base.phys = in->phys;
    w->base.mode = SCRY_PAGING_WIN_X86_64;
    w->base.dtb = dtb;
    w->symbols = in->symbols;
    w->kernel_base = k->base;
    w->age = k->age;
    w->kernel_method = k->method;
    memcpy(w->guid, k->guid, sizeof w->guid);
    memcpy(w->pdb_name, k->pdb_name, sizeof w->pdb_name);
    scry_status st = scry_symcache_acquire_at(in->symbols, c->path, c->member,
                                              c->key.size ? &c->key : NULL, &w->symtab);
    if (st == SCRY_OK && !(w->isf_path = strdup(c->label)))
        st = scry_err(SCRY_ERR_NOMEM, "out of memory");
    if (st == SCRY_OK) {
        char *abs = abspath(c->path);
        struct scry_isf_loc loc = {abs, c->member};
        if (!abs || !(w->isf_uri = scry_isf_loc_uri(&loc)))
            st = scry_err(SCRY_ERR_NOMEM, "out of memory");
        free(abs);
    }
    if (st == SCRY_OK)
        st = scry_windows_resolve(w);
    if (st == SCRY_OK)
        st = fill_info(w);
    if (st != SCRY_OK) {
        windows_free(&w->base);
        return st;
    }
    scry_symcache_pin(in->symbols, w->symtab);
    *out = w;
    return SCRY_OK;
}

static scry_status windows_detect(const struct scry_detect_in *in, struct scry_profile **out)
{
    uint64_t dtb, hint = 0;
    struct scry_win_kernel k;
    scry_status st = scry_win_find_dtb(in->phys, &dtb);
    if (st != SCRY_OK)
        return st;
    struct scry_vspace vs;
    if ((st = scry_vspace_init(&vs, in->phys, SCRY_PAGING_WIN_X86_64, dtb)) != SCRY_OK)
        return st;
    scry_kv_u64(in->meta, "windows.kdbg", &hint);
    if ((st = scry_win_find_kernel(&vs, in->op, hint, &k)) != SCRY_OK)
        return st == SCRY_ERR_NOT_FOUND
                   ? scry_err(SCRY_ERR_NOT_FOUND, "a Windows page table at 0x%" PRIx64 ", but %s",
                              dtb, scry_last_error())
                   : st;

    char id[96], file[64];
    snprintf(id, sizeof id, "%s|%s|%" PRIu32, k.pdb_name, k.guid, k.age);
    snprintf(file, sizeof file, "%s-%" PRIu32 ".json", k.guid, k.age);
    struct scry_isf_cand *cands = NULL;
    size_t n = 0;
    if ((st = scry_symstore_candidates(in->store, "windows", in->op, &cands, &n)) != SCRY_OK)
        return st;
    const struct scry_isf_cand *hit = NULL;
    for (size_t i = 0; i < n && !hit; i++)
        if (cands[i].id && cands[i].id_len == strlen(id) && !memcmp(cands[i].id, id, cands[i].id_len))
            hit = &cands[i];
    for (size_t i = 0; i < n && !hit; i++)
        if (!cands[i].id && named_for(&cands[i], k.pdb_name, file))
            hit = &cands[i];
    struct scry_windows *w = NULL;
    if (hit) {
        st = adopt(in, hit, dtb, &k, &w);
    } else {
        size_t nd;
        const char *const *dirs = scry_symstore_dirs(in->store, &nd);
        st = scry_err(SCRY_ERR_NO_SYMBOLS,
                      "Windows kernel at 0x%" PRIx64 " needs the symbol table of %s GUID %s age "
                      "%" PRIu32 " (windows/%s/%s.xz); none of the %zu Windows ISF file%s in %s "
                      "matches",
                      scry_win_mask(k.base), k.pdb_name, k.guid, k.age, k.pdb_name, file, n,
                      n == 1 ? "" : "s", nd ? dirs[0] : "no symbol directories");
    }
    scry_isf_cands_free(cands, n);
    if (st == SCRY_OK)
        *out = &w->base;
    return st;
}

static void windows_free(struct scry_profile *p)
{
    struct scry_windows *w = (struct scry_windows *)p;
    if (!w)
        return;
    if (w->symtab)
        scry_symcache_release(w->symbols, w->symtab);
    scry_kv_free(&w->base.info);
    free(w->isf_path);
    free(w->isf_uri);
    free(w);
}

/* A Windows crash dump, or a kernel page table where recent Windows
 * keeps it (the DTB scan's first pass: 1.3 MiB read). */
static int windows_likely(const struct scry_detect_in *in)
{
    return scry_kv_get(in->meta, "windows.dump_type") || scry_win_dtb_likely(in->phys);
}

const struct scry_os scry_os_windows = {
    .name = "windows",
    .title = "Windows",
    .detect = windows_detect,
    .free = windows_free,
    .likely = windows_likely,
};
