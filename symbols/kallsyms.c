/* kallsyms.c - kallsyms from a dump: through VMCOREINFO, else the scan. */
#include "symbols/kallsyms.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "symbols/kallsyms_decode.h"
#include "symbols/kallsyms_int.h"

/* ---- VMCOREINFO: "KEY=value" lines, bounded by len, not by a NUL. */

static int vmci_value(const char *v, size_t len, const char *key, const char **val, size_t *vlen)
{
    size_t kl = strlen(key);
    for (size_t at = 0; at < len;) {
        const char *line = v + at;
        const char *nl = memchr(line, '\n', len - at);
        size_t ll = nl ? (size_t)(nl - line) : len - at;
        if (ll > kl && memcmp(line, key, kl) == 0 && line[kl] == '=') {
            *val = line + kl + 1;
            *vlen = ll - kl - 1;
            return 1;
        }
        at += ll + 1;
    }
    return 0;
}

/* 1 parsed, 0 absent, -1 present but not a number. */
static int vmci_num(const char *v, size_t len, const char *key, int base, uint64_t *out)
{
    const char *s;
    size_t n;
    if (!vmci_value(v, len, key, &s, &n))
        return 0;
    int neg = 0;
    if (base == 10 && n && *s == '-') {
        neg = 1;
        s++;
        n--;
    }
    if (n == 0 || n > (base == 16 ? 16u : 20u))
        return -1;
    uint64_t x = 0;
    for (size_t i = 0; i < n; i++) {
        int d;
        char c = s[i];
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (base == 16 && c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (base == 16 && c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            return -1;
        x = x * (uint64_t)base + (uint64_t)d;
    }
    *out = neg ? (uint64_t)0 - x : x;
    return 1;
}

static const char *const table_names[] = {
    "kallsyms_num_syms",   "kallsyms_names",   "kallsyms_token_table",
    "kallsyms_token_index", "kallsyms_offsets", "kallsyms_relative_base",
};
enum { T_NUM, T_NAMES, T_TTABLE, T_TINDEX, T_OFFSETS, T_RBASE, T_COUNT };

/* 1: the tables are named and *loc is set; 0: VMCOREINFO names none. */
static scry_status from_vmcoreinfo(const char *v, size_t len, struct scry_ksym_loc *loc,
                                   uint64_t *phys_base, int *named)
{
    uint64_t va[T_COUNT];
    int have = 0;
    for (int i = 0; i < T_COUNT; i++) {
        char key[64];
        snprintf(key, sizeof key, "SYMBOL(%s)", table_names[i]);
        int r = vmci_num(v, len, key, 16, &va[i]);
        if (r < 0)
            return scry_err(SCRY_ERR_CORRUPT, "kallsyms: VMCOREINFO %s is not a hex address", key);
        have |= r << i;
    }
    *named = have != 0;
    if (!have)
        return SCRY_OK;
    for (int i = 0; i < T_COUNT; i++)
        if (!(have >> i & 1))
            return scry_err(SCRY_ERR_CORRUPT,
                            "kallsyms: VMCOREINFO names some kallsyms tables but not %s",
                            table_names[i]);
    int r = vmci_num(v, len, "NUMBER(phys_base)", 10, phys_base);
    if (r <= 0)
        return scry_err(SCRY_ERR_CORRUPT, "kallsyms: VMCOREINFO names the kallsyms tables but %s",
                        r ? "its NUMBER(phys_base) is not a number" : "not NUMBER(phys_base)");
    uint64_t pa[T_COUNT];
    for (int i = 0; i < T_COUNT; i++) {
        if (va[i] < SCRY_KERNEL_MAP)
            return scry_err(SCRY_ERR_CORRUPT,
                            "kallsyms: VMCOREINFO puts %s at 0x%llx, outside the kernel image map",
                            table_names[i], (unsigned long long)va[i]);
        pa[i] = va[i] - SCRY_KERNEL_MAP + *phys_base;
    }
    memset(loc, 0, sizeof *loc);
    loc->num_syms_pa = pa[T_NUM];
    loc->names_pa = pa[T_NAMES];
    loc->token_table_pa = pa[T_TTABLE];
    loc->token_index_pa = pa[T_TINDEX];
    loc->offsets_pa = pa[T_OFFSETS];
    loc->relative_base_pa = pa[T_RBASE];
    /* The names end where the next named table starts (the markers lie
     * between, unnamed); the token table where its index starts when that
     * follows it (every layout so far). */
    uint64_t above = UINT64_MAX;
    for (int i = 0; i < T_COUNT; i++)
        if (va[i] > va[T_NAMES] && va[i] < above)
            above = va[i];
    loc->names_max = above != UINT64_MAX && above - va[T_NAMES] < SCRY_KALLSYMS_MAX_NAMES
                         ? (size_t)(above - va[T_NAMES])
                         : SCRY_KALLSYMS_MAX_NAMES;
    loc->token_table_max = va[T_TINDEX] > va[T_TTABLE] &&
                                   va[T_TINDEX] - va[T_TTABLE] < SCRY_KSYM_MAX_TOKENS
                               ? (size_t)(va[T_TINDEX] - va[T_TTABLE])
                               : SCRY_KSYM_MAX_TOKENS;
    return SCRY_OK;
}

/* ---- reading and decoding */

scry_status scry_ksym_read(struct scry_phys *p, uint64_t pa, void *buf, size_t len,
                           const char *what)
{
    size_t holes = 0;
    if (pa + len < pa)
        return scry_err(SCRY_ERR_CORRUPT, "kallsyms: the %s at 0x%llx runs past 2^64", what,
                        (unsigned long long)pa);
    scry_status st = scry_phys_read(p, pa, buf, len, &holes);
    if (st != SCRY_OK)
        return scry_err_ctx(st, "kallsyms: cannot read the %s at 0x%llx", what,
                            (unsigned long long)pa);
    if (holes)
        return scry_err(SCRY_ERR_NODATA, "kallsyms: the %s at 0x%llx (%zu bytes) is not in the dump",
                        what, (unsigned long long)pa, len);
    return SCRY_OK;
}

scry_status scry_ksym_load(struct scry_phys *p, const struct scry_ksym_loc *loc,
                           struct scry_sysmap *out, struct scry_kallsyms_info *info)
{
    memset(out, 0, sizeof *out);
    uint8_t b8[8], index[512];
    uint32_t num = loc->num_syms;
    scry_status st;
    if (!num) {
        if ((st = scry_ksym_read(p, loc->num_syms_pa, b8, 4, "kallsyms_num_syms")) != SCRY_OK)
            return st;
        num = scry_ksym_u32(b8);
    }
    if (num == 0 || num > SCRY_KALLSYMS_MAX_SYMS)
        return scry_err(SCRY_ERR_CORRUPT, "kallsyms: num_syms is %u, not in 1..%u", num,
                        SCRY_KALLSYMS_MAX_SYMS);
    if ((st = scry_ksym_read(p, loc->relative_base_pa, b8, 8, "kallsyms_relative_base")) != SCRY_OK ||
        (st = scry_ksym_read(p, loc->token_index_pa, index, sizeof index, "kallsyms_token_index")) !=
            SCRY_OK)
        return st;
    struct scry_ksym_tables t = {.num_syms = num, .relative_base = scry_ksym_u64(b8),
                                 .token_index = index};
    /* The token table: only as far as its last token reaches. */
    size_t tlen = 0;
    for (unsigned c = 0; c < 256; c++)
        if (scry_ksym_u16(index + 2 * c) >= tlen)
            tlen = scry_ksym_u16(index + 2 * c) + (size_t)1;
    tlen += SCRY_SYSMAP_MAX_NAME + 1;
    if (tlen > loc->token_table_max)
        tlen = loc->token_table_max;
    /* No more than num entries of the longest kind can hold. */
    size_t names_len = loc->names_max, mlen = loc->has_markers ? 4 * (((size_t)num + 255) / 256) : 0;
    if (names_len / SCRY_KSYM_MAX_ENTRY > num)
        names_len = (size_t)num * SCRY_KSYM_MAX_ENTRY;
    uint8_t *ttable = malloc(tlen), *names = malloc(names_len ? names_len : 1),
            *offsets = malloc(4 * (size_t)num), *markers = mlen ? malloc(mlen) : NULL;
    if (!ttable || !names || !offsets || (mlen && !markers)) {
        st = scry_err(SCRY_ERR_NOMEM, "out of memory for the kallsyms tables");
        goto done;
    }
    if ((st = scry_ksym_read(p, loc->token_table_pa, ttable, tlen, "kallsyms_token_table")) !=
            SCRY_OK ||
        (st = scry_ksym_read(p, loc->names_pa, names, names_len, "kallsyms_names")) != SCRY_OK ||
        (st = scry_ksym_read(p, loc->offsets_pa, offsets, 4 * (size_t)num, "kallsyms_offsets")) !=
            SCRY_OK ||
        (mlen &&
         (st = scry_ksym_read(p, loc->markers_pa, markers, mlen, "kallsyms_markers")) != SCRY_OK))
        goto done;
    t.token_table = ttable;
    t.token_table_len = tlen;
    t.names = names;
    t.names_len = names_len;
    t.offsets = offsets;
    t.markers = markers;
    t.markers_len = mlen;
    st = scry_ksym_decode(&t, out, NULL);
    if (st == SCRY_OK && info) {
        info->names_pa = loc->names_pa;
        info->token_table_pa = loc->token_table_pa;
        info->token_index_pa = loc->token_index_pa;
        info->offsets_pa = loc->offsets_pa;
        info->relative_base = t.relative_base;
        info->num_syms = num;
    }
done:
    free(ttable);
    free(names);
    free(offsets);
    free(markers);
    return st;
}

/* ---- the check */

static const struct scry_sysmap_sym *need(const struct scry_sysmap *m, const char *name)
{
    const struct scry_sysmap_sym *s = scry_sysmap_find(m, name);
    if (!s)
        scry_err(SCRY_ERR_CORRUPT, "kallsyms: no %s symbol (a kernel without KALLSYMS_ALL?)",
                 name);
    else if (s->addr < SCRY_KERNEL_MAP)
        return scry_err(SCRY_ERR_CORRUPT, "kallsyms: %s at 0x%llx is outside the kernel image",
                        name, (unsigned long long)s->addr),
               NULL;
    return s;
}

enum { INIT_TASK_MAX = 32768 };

scry_status scry_ksym_verify(struct scry_phys *p, const struct scry_sysmap *m, uint64_t phys_base,
                             uint64_t *banner_pa)
{
    const struct scry_sysmap_sym *banner = need(m, "linux_banner"), *init = NULL;
    if (!banner || !(init = need(m, "init_task")))
        return SCRY_ERR_CORRUPT;
    static const char want[] = "Linux version ";
    char buf[sizeof want - 1];
    uint64_t pa = banner->addr - SCRY_KERNEL_MAP + phys_base;
    size_t holes = 0;
    scry_status st = scry_phys_read(p, pa, buf, sizeof buf, &holes);
    if (st != SCRY_OK || holes || memcmp(buf, want, sizeof buf) != 0)
        return scry_err(SCRY_ERR_CORRUPT,
                        "kallsyms: linux_banner (0x%llx, physical 0x%llx) does not read \"Linux "
                        "version \"",
                        (unsigned long long)banner->addr, (unsigned long long)pa);
    *banner_pa = pa;
    /* init_task's size: up to the next symbol's address, bounded. */
    size_t len = INIT_TASK_MAX;
    for (size_t i = (size_t)(init - m->sym) + 1; i < m->n; i++)
        if (m->sym[i].addr > init->addr) {
            if (m->sym[i].addr - init->addr < len)
                len = (size_t)(m->sym[i].addr - init->addr);
            break;
        }
    uint8_t *task = malloc(len);
    if (!task)
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    pa = init->addr - SCRY_KERNEL_MAP + phys_base;
    st = scry_phys_read(p, pa, task, len, &holes);
    int ok = 0;
    for (const uint8_t *q = task, *end = task + len; st == SCRY_OK && q < end; q++) {
        q = memmem(q, (size_t)(end - q), "swapper", 7);
        if (!q)
            break;
        if (q + 7 < end && (q[7] == '\0' || q[7] == '/')) {
            ok = 1;
            break;
        }
    }
    free(task);
    if (!ok)
        return scry_err(SCRY_ERR_CORRUPT,
                        "kallsyms: init_task (0x%llx, physical 0x%llx) does not hold the idle "
                        "task's name \"swapper\"",
                        (unsigned long long)init->addr, (unsigned long long)pa);
    return SCRY_OK;
}

scry_status scry_kallsyms_read(struct scry_phys *p, struct scry_op *op, const char *vmcoreinfo,
                               size_t vmcoreinfo_len, struct scry_sysmap *out,
                               struct scry_kallsyms_info *info)
{
    struct scry_kallsyms_info tmp;
    if (!info)
        info = &tmp;
    memset(info, 0, sizeof *info);
    memset(out, 0, sizeof *out);
    if (!vmcoreinfo)
        vmcoreinfo_len = 0;
    uint64_t koff;
    if (vmci_num(vmcoreinfo, vmcoreinfo_len, "KERNELOFFSET", 16, &koff) > 0) {
        info->kernel_offset = koff;
        info->has_kernel_offset = 1;
    }
    struct scry_ksym_loc loc;
    uint64_t phys_base = 0;
    int named = 0;
    scry_status st = from_vmcoreinfo(vmcoreinfo, vmcoreinfo_len, &loc, &phys_base, &named);
    if (st != SCRY_OK)
        return st;
    if (!named)
        return scry_ksym_scan(p, op, out, info);
    info->from_vmcoreinfo = 1;
    if ((st = scry_ksym_load(p, &loc, out, info)) != SCRY_OK)
        return st;
    info->phys_base = phys_base;
    if ((st = scry_ksym_verify(p, out, phys_base, &info->banner_pa)) != SCRY_OK)
        scry_sysmap_free(out);
    return st;
}
