/* windows_peb.c - process spaces, the PEB and its strings, and the failure
 * classification Volatility's exceptions make (see windows_peb.h). */
#include "lib/walk/windows_peb.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "lib/base/utf8.h"

#define PG 4096u

/* _translate_swap's verdict on the walk that failed (lib/vspace's
 * SCRY_PAGING_WIN_X86_64 is WindowsIntel32e): a table not wholly in the
 * dump is the physical layer's InvalidAddressException at the table's
 * address; otherwise the entry where the walk stopped is a pagefile entry
 * (not valid, transition and prototype bits clear, bit 7 set, bits 32..
 * non-zero: Swapped) or anything else (Paged). For a table of one repeated
 * entry that entry is the valid one that led to it, so Paged. */
static void classify(const struct scry_vfault *vf, uint64_t va, struct scry_win_fault *f)
{
    uint64_t e = vf->entry;
    int t = (e >> 11) & 1, p = (e >> 10) & 1, v = e & 1, u = (e >> 7) & 1;
    if (vf->kind == SCRY_VFAULT_MISSING) {
        f->kind = SCRY_WIN_FAULT_LAYER;
        f->addr = vf->table;
        return;
    }
    f->kind = (vf->kind == SCRY_VFAULT_INVALID && !t && !p && !v && u && (e >> 32) != 0)
                  ? SCRY_WIN_FAULT_SWAPPED
                  : SCRY_WIN_FAULT_PAGED;
    f->addr = va;
}

/* One translation through vs (its cache included). Returns 0 with *pa and
 * *size (the page's) set, or 1 with *f set as Volatility would raise it
 * (addr: va as given, or the table's physical address). */
static int vol_translate(struct scry_vspace *vs, uint64_t va, uint64_t *pa, uint64_t *size,
                         struct scry_win_fault *f)
{
    struct scry_vfault vf;
    if (scry_vspace_translate_ex(vs, scry_win_mask(va), pa, size, &vf) == SCRY_OK)
        return 0;
    classify(&vf, va, f);
    return 1;
}

/* A physical range that is wholly in the dump (is_valid of the layer
 * below). Returns 0 and *bad = the first missing address otherwise. */
static int phys_ok(struct scry_phys *phys, uint64_t pa, uint64_t len, uint64_t *bad)
{
    static _Thread_local uint8_t scratch[PG];
    while (len) {
        uint64_t n = PG - (pa & (PG - 1));
        size_t holes = 0;
        if (n > len)
            n = len;
        if (scry_phys_read(phys, pa, scratch, (size_t)n, &holes) != SCRY_OK || holes) {
            *bad = pa;
            return 0;
        }
        pa += n;
        len -= n;
    }
    return 1;
}

int scry_win_vol_fault(struct scry_phys *phys, uint64_t dtb, uint64_t va, uint64_t len,
                       struct scry_win_fault *f)
{
    uint64_t pa, size, bad;
    struct scry_vspace vs;
    if (scry_vspace_init(&vs, phys, SCRY_PAGING_WIN_X86_64, dtb) != SCRY_OK) {
        f->kind = SCRY_WIN_FAULT_LAYER;
        f->addr = 0;
        return 1;
    }
    va = scry_win_mask(va);
    if (len == 0) { /* _mapping with length 0: the address itself */
        if (vol_translate(&vs, va, &pa, &size, f))
            return 1;
        if (!phys_ok(phys, pa, 1, &bad)) {
            f->kind = SCRY_WIN_FAULT_LAYER;
            f->addr = pa;
            return 1;
        }
        return 0;
    }
    while (len) {
        if (vol_translate(&vs, scry_win_mask(va), &pa, &size, f))
            return 1;
        uint64_t chunk = size - (pa % size);
        if (chunk > len)
            chunk = len;
        if (!phys_ok(phys, pa, chunk, &bad)) {
            f->kind = SCRY_WIN_FAULT_LAYER;
            f->addr = pa; /* the chunk's start, as _mapping raises it */
            return 1;
        }
        va += chunk;
        len -= chunk;
    }
    return 0;
}

scry_status scry_win_pspace_open(const struct scry_windows *w, const struct scry_win_proc *p,
                                 struct scry_win_pspace *ps)
{
    const struct scry_win_off *o = &w->off;
    memset(ps, 0, sizeof *ps);
    ps->w = w;
    uint64_t need[3] = {o->ep_dtb, o->ep_pid, o->ep_peb};
    for (int i = 0; i < 3; i++) {
        if (!scry_win_proc_ok(p, need[i], 8)) {
            ps->fault.kind = SCRY_WIN_FAULT_PAGED;
            ps->fault.addr = scry_win_mask(p->va + need[i]);
            return scry_err(SCRY_ERR_NODATA, "process 0x%" PRIx64 ": field at +0x%" PRIx64
                            " unreadable", p->va, need[i]);
        }
    }
    ps->dtb = scry_win_u64(p->b, o->ep_dtb);
    ps->pid = scry_win_mask(scry_win_u64(p->b, o->ep_pid));
    ps->peb = scry_win_mask(scry_win_u64(p->b, o->ep_peb));
    return scry_win_process_space(w, ps->dtb, &ps->vs);
}

/* The page holding va (masked), through the process space and its cache.
 * Returns 0, or 1 with ps->fault set (its address: va as given). */
static int xlate(struct scry_win_pspace *ps, uint64_t va, uint64_t *pa, uint64_t *size)
{
    return vol_translate(&ps->vs, va, pa, size, &ps->fault);
}

scry_status scry_win_pread(struct scry_win_pspace *ps, uint64_t va, void *buf, size_t len)
{
    uint8_t *out = buf;
    uint64_t off = scry_win_mask(va), pa, size;
    size_t done = 0, holes;
    /* LinearlyMappedLayer.read over _mapping: chunk by chunk, each up to
     * the end of its page, failing at the first chunk that fails. */
    while (done < len) {
        if (xlate(ps, off, &pa, &size))
            goto fail;
        uint64_t chunk = size - (pa % size);
        if (chunk > len - done)
            chunk = len - done;
        holes = 0;
        scry_status st = scry_phys_read(ps->vs.phys, pa, out + done, (size_t)chunk, &holes);
        if (st != SCRY_OK && st != SCRY_ERR_NODATA)
            return st;
        if (st != SCRY_OK || holes) {
            ps->fault.kind = SCRY_WIN_FAULT_LAYER;
            ps->fault.addr = pa;
            goto fail;
        }
        done += (size_t)chunk;
        off += chunk;
    }
    return SCRY_OK;
fail:
    return scry_err(SCRY_ERR_NODATA, "process %" PRIu64 ": 0x%" PRIx64 " (%zu bytes) unreadable",
                    ps->pid, scry_win_mask(va), len);
}

scry_status scry_win_pread_ptr(struct scry_win_pspace *ps, uint64_t va, uint64_t *v)
{
    scry_status st = scry_win_pread(ps, va, v, 8);
    if (st == SCRY_OK)
        *v = scry_win_mask(*v);
    return st;
}

int scry_win_pvalid(struct scry_win_pspace *ps, uint64_t va)
{
    uint8_t b;
    return scry_win_pread(ps, va, &b, 1) == SCRY_OK;
}

int scry_win_peb_valid(struct scry_win_pspace *ps) { return scry_win_pvalid(ps, ps->peb); }

scry_status scry_win_pwalk_list(struct scry_win_pspace *ps, struct scry_op *op, uint64_t head,
                                uint64_t rel, const char *what, scry_win_entry_fn fn, void *user)
{
    return scry_win_walk_list(&ps->vs, op, head, rel, what, fn, user);
}

scry_status scry_win_peb_params(struct scry_win_pspace *ps, uint64_t *params)
{
    return scry_win_pread_ptr(ps, ps->peb + ps->w->off.peb_params, params);
}

scry_status scry_win_pustr(struct scry_win_pspace *ps, uint64_t va, char **out, size_t *len)
{
    const struct scry_win_off *o = &ps->w->off;
    uint64_t buf;
    uint16_t n;
    /* get_string() reads Buffer, then Length, then the text. */
    scry_status st = scry_win_pread_ptr(ps, va + o->ustr_buf, &buf);
    if (st == SCRY_OK)
        st = scry_win_pread(ps, va + o->ustr_len, &n, 2);
    if (st != SCRY_OK)
        return st;
    uint8_t *raw = malloc(n ? n : 1);
    char *s = malloc(3 * ((size_t)n / 2) + 8);
    if (!raw || !s) {
        free(raw);
        free(s);
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    }
    if ((st = scry_win_pread(ps, buf, raw, n)) != SCRY_OK) {
        free(raw);
        free(s);
        return st;
    }
    /* String(encoding="utf16", errors="replace"), cut at the first NUL. */
    scry_utf16_replace(raw, n, 1, s);
    free(raw);
    *len = strlen(s);
    *out = s;
    return SCRY_OK;
}

const char *scry_win_fault_text(const struct scry_win_pspace *ps, char *buf, size_t cap)
{
    switch (ps->fault.kind) {
    case SCRY_WIN_FAULT_SWAPPED:
        snprintf(buf, cap, "Required memory at 0x%" PRIx64 " is inaccessible (swapped)",
                 ps->fault.addr);
        break;
    case SCRY_WIN_FAULT_LAYER:
        snprintf(buf, cap,
                 "Process %" PRIu64 ": Required memory at 0x%" PRIx64
                 " is not valid (incomplete layer memory_layer?)",
                 ps->pid, ps->fault.addr);
        break;
    default:
        snprintf(buf, cap, "Required memory at 0x%" PRIx64 " is not valid (process exited?)",
                 ps->fault.addr);
        break;
    }
    return buf;
}
