/* linux_dump_isf.c - a dump's own BTF + kallsyms → ISF (see
 * linux_dump_isf.h). */
#include "lib/os/linux_dump_isf.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "lib/os/linux.h"
#include "lib/os/linux_btf.h"
#include "symbols/btf_isf.h"
#include "symbols/kallsyms.h"
#include "symbols/sysmap.h"

#define BANNER_MAX 4096u /* real banners: ~200 bytes */

/* linux_banner's bytes with their NUL, read at pa. */
static scry_status read_banner(struct scry_phys *p, uint64_t pa, uint8_t *buf, size_t *len)
{
    size_t holes = 0;
    scry_status st = scry_phys_read(p, pa, buf, BANNER_MAX, &holes);
    if (st != SCRY_OK)
        return st;
    const uint8_t *nul = memchr(buf, 0, BANNER_MAX);
    if (!nul || nul - buf < 15 || memcmp(buf, "Linux version ", 14) != 0)
        return scry_err(SCRY_ERR_NOT_FOUND,
                        "linux_banner at physical 0x%" PRIx64 " does not read \"Linux version "
                        "...\"", pa);
    *len = (size_t)(nul - buf) + 1;
    return SCRY_OK;
}

static scry_status build(struct scry_phys *p, struct scry_op *op, const struct scry_kv *meta,
                         int (*write)(void *, const void *, size_t), void *user,
                         struct scry_linux_dump_facts *f, struct scry_sysmap *map,
                         struct scry_linux_btf *btf)
{
    const char *vmci = scry_kv_get(meta, "vmcoreinfo");
    struct scry_kallsyms_info ki = {0};
    uint8_t banner[BANNER_MAX];
    size_t blen = 0;
    scry_status st = scry_kallsyms_read(p, op, vmci, vmci ? strlen(vmci) : 0, map, &ki);
    if (st != SCRY_OK)
        return st;
    f->kallsyms_from_vmcoreinfo = ki.from_vmcoreinfo;
    f->nsyms = map->n;
    const struct scry_sysmap_sym *text = scry_sysmap_find(map, "_text");
    const struct scry_sysmap_sym *ban = scry_sysmap_find(map, "linux_banner");
    if (!text || !ban)
        return scry_err(SCRY_ERR_NOT_FOUND, "kallsyms has no %s", text ? "linux_banner" : "_text");
    if ((st = read_banner(p, ki.banner_pa, banner, &blen)) != SCRY_OK)
        return st;
    snprintf(f->banner, sizeof f->banner, "%.*s", (int)strcspn((const char *)banner, "\n"),
             (const char *)banner);

    /* The BTF where the kernel's mapping puts it, else anywhere. */
    const struct scry_sysmap_sym *a = scry_sysmap_find(map, "__start_BTF");
    const struct scry_sysmap_sym *b = scry_sysmap_find(map, "__stop_BTF");
    struct scry_linux_btf_where at = {0};
    size_t nat = 0;
    if (a && b && b->addr > a->addr && a->addr >= SCRY_LINUX_START_KERNEL_MAP &&
        b->addr - a->addr <= SCRY_LINUX_BTF_MAX) {
        at.pa = a->addr - SCRY_LINUX_START_KERNEL_MAP + ki.phys_base;
        at.len = b->addr - a->addr;
        nat = 1;
    }
    if ((st = scry_linux_btf_find(p, op, &at, nat, btf)) != SCRY_OK)
        return st;
    f->btf_pa = btf->pa;
    f->btf_len = btf->len;
    f->btf_mapped = btf->mapped;

    uint64_t link_text = SCRY_DEFAULT_TEXT;
    if (ki.has_kernel_offset)
        link_text = text->addr - ki.kernel_offset;
    if (link_text < SCRY_KERNEL_MAP)
        return scry_err(SCRY_ERR_CORRUPT,
                        "_text at 0x%" PRIx64 " minus KERNELOFFSET 0x%" PRIx64
                        " is below the kernel image map", text->addr, ki.kernel_offset);
    scry_sysmap_unshift(map, link_text, &f->kaslr_shift);
    struct scry_btf_isf_in in = {
        .btf = btf->blob,
        .btf_len = btf->len,
        .map = map,
        .banner = banner,
        .banner_len = blen,
        .symbols_name = ki.from_vmcoreinfo ? "kallsyms (VMCOREINFO)" : "kallsyms (scan)",
        .producer_version = scry_version(),
    };
    return scry_btf_isf_write(&in, write, user);
}

scry_status scry_linux_dump_isf(struct scry_phys *p, struct scry_op *op, const struct scry_kv *meta,
                                int (*write)(void *user, const void *data, size_t len), void *user,
                                struct scry_linux_dump_facts *facts)
{
    struct scry_linux_dump_facts local;
    struct scry_sysmap map = {0};
    struct scry_linux_btf btf = {0};
    struct scry_linux_dump_facts *f = facts ? facts : &local;
    memset(f, 0, sizeof *f);
    if (!p || !write)
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_linux_dump_isf: NULL argument");
    scry_status st = build(p, op, meta, write, user, f, &map, &btf);
    scry_sysmap_free(&map);
    scry_linux_btf_free(&btf);
    if (st != SCRY_OK && st != SCRY_ERR_CANCELLED && st != SCRY_ERR_NOMEM)
        return scry_err_ctx(st, "from the dump's BTF + kallsyms");
    return st;
}
