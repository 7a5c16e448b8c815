/* windows_peb.c - process spaces, the PEB and its strings, and the failure
 * classification Volatility's exceptions make (see windows_peb.h). */
#include "lib/walk/windows_peb.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "lib/base/utf8.h"

#define PG 4096u

/* Intel._mask: bits low..high of v. */
static uint64_t vmask(uint64_t v, unsigned high, unsigned low)
{
    uint64_t m = high >= 63 ? UINT64_MAX : ((uint64_t)1 << (high + 1)) - 1;
    return v & m & ~(((uint64_t)1 << low) - 1);
}

/* WindowsMixin._page_is_valid: present, or transition (bit 11) and not
 * prototype (bit 10). Checked at every level, as Volatility does. */
static int vol_valid(uint64_t e)
{
    return (e & 1) || ((e & (1ull << 11)) && !(e & (1ull << 10)));
}

/* _translate_swap: a not-valid entry that names a pagefile slot. */
static void page_fault(uint64_t entry, uint64_t va, struct scry_win_fault *f)
{
    int t = (entry >> 11) & 1, p = (entry >> 10) & 1, v = entry & 1, u = (entry >> 7) & 1;
    f->kind = (!t && !p && !v && u && (entry >> 32) != 0) ? SCRY_WIN_FAULT_SWAPPED
                                                          : SCRY_WIN_FAULT_PAGED;
    f->addr = va;
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

/* WindowsIntel32e._translate for one address (48-bit, MAXPHYADDR 45 as
 * Volatility's Windows layer has it, a PS bit honoured in the PML4E,
 * PDPTE and PDE, a page table of one repeated entry invalid). */
static int vol_translate(struct scry_phys *phys, uint64_t dtb, uint64_t va, uint64_t *pa,
                         uint64_t *size, struct scry_win_fault *f)
{
    static const int large[4] = {0, 1, 1, 1};
    static _Thread_local uint64_t table[PG / 8];
    uint64_t entry = vmask(dtb, 47, 0) | 1;
    unsigned position = 47;
    for (int lvl = 0; lvl < 4; lvl++) {
        if (!vol_valid(entry)) {
            page_fault(entry, va, f);
            return 1;
        }
        if (large[lvl] && (entry & 0x80)) {
            if (entry & (1ull << 12))
                entry -= 1ull << 12;
            break;
        }
        unsigned start = position;
        position -= 9;
        uint64_t index = vmask(va, start, position + 1) >> (position + 1);
        uint64_t base = vmask(entry, 44, 12);
        size_t holes = 0;
        if (scry_phys_read(phys, base, table, PG, &holes) != SCRY_OK || holes) {
            f->kind = SCRY_WIN_FAULT_LAYER;
            f->addr = base;
            return 1;
        }
        size_t i = 1;
        while (i < PG / 8 && table[i] == table[0])
            i++;
        if (i == PG / 8) {
            page_fault(entry, va, f);
            return 1;
        }
        entry = table[index];
    }
    if (!vol_valid(entry)) {
        page_fault(entry, va, f);
        return 1;
    }
    *pa = vmask(entry, 44, position + 1) | vmask(va, position, 0);
    *size = (uint64_t)1 << (position + 1);
    return 0;
}

int scry_win_vol_fault(struct scry_phys *phys, uint64_t dtb, uint64_t va, uint64_t len,
                       struct scry_win_fault *f)
{
    uint64_t pa, size, bad;
    va = scry_win_mask(va);
    if (len == 0) { /* _mapping with length 0: the address itself */
        if (vol_translate(phys, dtb, va, &pa, &size, f))
            return 1;
        if (!phys_ok(phys, pa, 1, &bad)) {
            f->kind = SCRY_WIN_FAULT_LAYER;
            f->addr = pa;
            return 1;
        }
        return 0;
    }
    while (len) {
        if (vol_translate(phys, dtb, scry_win_mask(va), &pa, &size, f))
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

scry_status scry_win_pread(struct scry_win_pspace *ps, uint64_t va, void *buf, size_t len)
{
    va = scry_win_mask(va);
    if (len == 0)
        return SCRY_OK;
    scry_status st = scry_vspace_read(&ps->vs, scry_win_canon(va), buf, len);
    if (st == SCRY_OK || st != SCRY_ERR_NODATA)
        return st;
    if (!scry_win_vol_fault(ps->vs.phys, ps->dtb, va, len, &ps->fault)) {
        /* Our tables and Volatility's disagree (an entry form one reads
         * and the other does not): call it a page fault at the address. */
        ps->fault.kind = SCRY_WIN_FAULT_PAGED;
        ps->fault.addr = va;
    }
    return scry_err(SCRY_ERR_NODATA, "process %" PRIu64 ": 0x%" PRIx64 " (%zu bytes) unreadable",
                    ps->pid, va, len);
}

scry_status scry_win_pread_ptr(struct scry_win_pspace *ps, uint64_t va, uint64_t *v)
{
    scry_status st = scry_win_pread(ps, va, v, 8);
    if (st == SCRY_OK)
        *v = scry_win_mask(*v);
    return st;
}

int scry_win_peb_valid(struct scry_win_pspace *ps)
{
    uint8_t b;
    if (scry_vspace_read(&ps->vs, scry_win_canon(ps->peb), &b, 1) == SCRY_OK)
        return 1;
    scry_win_vol_fault(ps->vs.phys, ps->dtb, ps->peb, 1, &ps->fault);
    return 0;
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

int scry_win_image_name(const struct scry_windows *w, const struct scry_win_proc *p, char *buf)
{
    const struct scry_win_off *o = &w->off;
    uint64_t nlen = o->ep_name_size < 15 ? o->ep_name_size : 15;
    size_t n = 0;
    if (!scry_win_proc_ok(p, o->ep_name, nlen)) {
        buf[0] = '\0';
        return -1;
    }
    while (n < nlen && p->b[o->ep_name + n])
        n++;
    return (int)scry_utf8_replace(p->b + o->ep_name, n, buf);
}
