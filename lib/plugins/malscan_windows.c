/* malscan_windows.c - the malware scan's regions on Windows: each
 * process's VADs (through its own DirectoryTableBase) and, in quick mode
 * as in full, the loaded kernel modules (PsLoadedModuleList) in the
 * kernel space. */
#include <stdlib.h>
#include <string.h>

#include "lib/base/error.h"
#include "lib/os/windows.h"
#include "lib/plugins/malscan_os.h"
#include "lib/plugins/windows_common.h"
#include "lib/walk/windows_vad.h"

struct ctx {
    const struct scry_windows *w;
    struct scry_vspace ks;
    struct scry_op *op;
    scry_scan_mode mode;
    const struct scry_pid_filter *pids;
    struct scry_region_list *out;
    int32_t protect[32];
    uint32_t protect_ok;
    /* the process being walked */
    int64_t pid;
    char name[64];
    uint64_t dtb;
    scry_status st;
};

/* MmProtectToValue's PAGE_* value as "rwx" (the low byte decides; guard
 * and cache bits do not change access). */
static void prot_rwx(int32_t v, char out[8])
{
    static const char *const t[8] = {"---", "r--", "rw-", "rw-", "--x", "r-x", "rwx", "rwx"};
    strcpy(out, "---");
    for (int i = 0; i < 8; i++)
        if (v & (1 << i))
            strcpy(out, i ? t[i] : "---");
}

static int on_vad(void *user, const struct scry_win_vad_node *v)
{
    struct ctx *c = user;
    struct scry_scan_region r = {.kind = SCRY_REGION_PROCESS, .pid = c->pid, .owner = c->name,
                                 .mode = SCRY_PAGING_WIN_X86_64, .dtb = c->dtb};
    char *file = NULL;
    size_t flen;
    if (v->wide || v->end < v->start)
        return 0; /* a corrupt VAD: nothing sane to scan */
    int32_t value = 0;
    if (v->protection < 32 && ((c->protect_ok >> v->protection) & 1))
        value = c->protect[v->protection];
    prot_rwx(value, r.prot);
    int exec = strchr(r.prot, 'x') != NULL, write = r.prot[1] == 'w';
    if (c->mode == SCRY_SCAN_QUICK && !exec && !(v->private_mem == 1 && write))
        return 0;
    r.start = v->start;
    r.end = v->end + 1;
    if (v->is_long && scry_win_vad_file_name(c->w, &c->ks, v, &file, &flen) == SCRY_OK)
        r.name = file;
    c->st = scry_region_add(c->out, &r);
    free(file);
    return c->st != SCRY_OK;
}

static int on_proc(void *user, const struct scry_win_proc *p)
{
    struct ctx *c = user;
    const struct scry_win_off *o = &c->w->off;
    if (!scry_win_proc_ok(p, o->ep_pid, 8) || !scry_win_proc_ok(p, o->ep_dtb, 8))
        return 0;
    c->pid = (int64_t)scry_win_u64(p->b, o->ep_pid);
    if (!scry_pid_wanted(c->pids, c->pid))
        return 0;
    scry_win_proc_name(c->w, p, c->name);
    c->dtb = scry_win_u64(p->b, o->ep_dtb) & ~0xfffull;
    scry_status st = scry_win_vad_walk(c->w, &c->ks, c->op, p, on_vad, c);
    if (c->st == SCRY_OK && st != SCRY_OK)
        c->st = st;
    return c->st != SCRY_OK;
}

struct mods {
    struct ctx *c;
    const struct scry_profile *p;
};

static int on_module(void *user, uint64_t entry)
{
    struct mods *m = user;
    struct ctx *c = m->c;
    const struct scry_win_off *o = &c->w->off;
    uint64_t base;
    uint32_t size;
    char *name = NULL, *path = NULL;
    size_t len;
    if (scry_vspace_read_u64(&c->ks, scry_win_canon(entry + o->kle_dll_base), &base) != SCRY_OK ||
        scry_vspace_read_u32(&c->ks, scry_win_canon(entry + o->kle_image_size), &size) != SCRY_OK) {
        scry_op_report(c->op, SCRY_DIAG_INFO, SCRY_ERR_NODATA,
                       "module entry at 0x%llx skipped", (unsigned long long)entry);
        return 0;
    }
    if (!base || !size)
        return 0;
    scry_win_ustr_at(c->w, &c->ks, entry + o->kle_base_name, &name, &len);
    scry_win_ustr_at(c->w, &c->ks, entry + o->kle_full_name, &path, &len);
    struct scry_scan_region r = {.kind = SCRY_REGION_MODULE, .pid = -1, .owner = name,
                                 .name = path, .start = scry_win_mask(base),
                                 .end = scry_win_mask(base) + size, .mode = m->p->mode,
                                 .dtb = m->p->dtb};
    c->st = scry_region_add(c->out, &r);
    free(name);
    free(path);
    return c->st != SCRY_OK;
}

static scry_status collect(const struct scry_profile *p, struct scry_op *op,
                           scry_scan_mode mode, const struct scry_pid_filter *pids,
                           struct scry_region_list *out)
{
    struct ctx c = {.w = scry_windows_of(p), .op = op, .mode = mode, .pids = pids, .out = out};
    scry_status st;
    if (!c.w)
        return scry_err(SCRY_ERR_INVALID_ARG, "not a Windows profile");
    if ((st = scry_profile_kernel(p, &c.ks)) != SCRY_OK)
        return st;
    /* Without MmProtectToValue every VAD reads as no access: quick mode
     * would then keep nothing, so say why. */
    if (scry_win_vad_protect_values(c.w, &c.ks, c.protect, &c.protect_ok) != SCRY_OK)
        scry_op_report(op, SCRY_DIAG_WARNING, SCRY_ERR_NOT_FOUND,
                       "VAD protections unknown; quick mode keeps executable regions only");
    st = scry_win_list_processes(c.w, &c.ks, op, NULL, -1, on_proc, &c);
    if (st == SCRY_OK)
        st = c.st;
    if (st != SCRY_OK || pids)
        return st; /* a pid filter asks for those processes only */
    struct mods m = {.c = &c, .p = p};
    st = scry_win_walk_list(&c.ks, op, scry_win_sym_va(c.w, c.w->sym.ps_loaded_module_list),
                            c.w->off.kle_links, "the loaded module list", on_module, &m);
    return st != SCRY_OK ? st : c.st;
}

const struct scry_malscan_os scry_malscan_windows = {.os = "windows", .collect = collect};
