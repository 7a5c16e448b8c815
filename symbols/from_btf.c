/* from_btf.c - scry_isf_from_btf: kernel image + symbol file → ISF file.
 *
 * kimage.c finds the vmlinux ELF (decompressing a bzImage), elf_image.c its
 * .BTF section, link-time _text and linux_banner's bytes, sysmap.c the
 * addresses (KASLR shift removed), btf_isf.c writes the JSON and zwrite.c
 * compresses it into place. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/file.h"
#include "symbols/btf_isf.h"
#include "symbols/elf_image.h"
#include "symbols/kimage.h"
#include "symbols/sysmap.h"
#include "symbols/zwrite.h"

#define BANNER_MAX 4096u /* real banners: ~200 bytes */

/* The symbol file's base name for the ISF's metadata, printable. */
static void base_name(const char *path, char *out, size_t cap)
{
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    size_t n = 0;
    for (; *b && n + 1 < cap; b++)
        out[n++] = (*b >= 0x20 && *b <= 0x7e) ? *b : '?';
    out[n] = '\0';
}

/* Where the link put _text: .symtab's _text, else the start of .text (x86's
 * _text), else the x86-64 default. */
static uint64_t link_text(const struct scry_elf_image *img)
{
    uint64_t v;
    if (scry_elf_image_symbol(img, "_text", &v) == SCRY_OK)
        return v;
    const struct scry_elf_section *t = scry_elf_image_section(img, ".text");
    return t && t->addr ? t->addr : SCRY_DEFAULT_TEXT;
}

static scry_status banner_bytes(const char *kernel, const struct scry_elf_image *img,
                                const struct scry_sysmap *map, uint64_t shift,
                                const uint8_t **banner, size_t *len)
{
    const struct scry_sysmap_sym *s = scry_sysmap_find(map, "linux_banner");
    if (!s)
        return scry_err(SCRY_ERR_NOT_FOUND, "the symbol file has no linux_banner");
    const uint8_t *p;
    size_t avail;
    if (scry_elf_image_at(img, s->addr, &p, &avail) != SCRY_OK)
        return scry_err(SCRY_ERR_NOT_FOUND,
                        "%s: linux_banner at 0x%" PRIx64 " (KASLR shift 0x%" PRIx64
                        " removed) is in no section of the image: the symbol file is not this "
                        "kernel's", kernel, s->addr, shift);
    const uint8_t *nul = memchr(p, 0, avail < BANNER_MAX ? avail : BANNER_MAX);
    if (!nul || (size_t)(nul - p) < 14 || memcmp(p, "Linux version ", 14) != 0)
        return scry_err(SCRY_ERR_NOT_FOUND,
                        "%s: linux_banner at 0x%" PRIx64 " (KASLR shift 0x%" PRIx64
                        " removed) does not hold \"Linux version ...\": the symbol file is not "
                        "this kernel's", kernel, s->addr, shift);
    *banner = p;
    *len = (size_t)(nul - p) + 1;
    return SCRY_OK;
}

scry_status scry_isf_from_btf(const char *kernel, const char *symbols, const char *out)
{
    if (!kernel || !symbols || !out)
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_isf_from_btf: NULL argument");
    struct scry_file *kf = NULL, *sf = NULL;
    struct scry_elf_image img = {0};
    struct scry_sysmap map = {0};
    uint8_t *owned = NULL;
    const uint8_t *elf, *banner = NULL;
    size_t elf_len, banner_len = 0;
    uint64_t shift = 0;
    char sname[256];
    scry_status st = scry_file_open(kernel, &kf);
    if (st != SCRY_OK)
        return st;
    st = scry_kimage_vmlinux(kf->map, (size_t)kf->size, SCRY_KIMAGE_MAX_OUTPUT, &owned, &elf,
                             &elf_len);
    if (st == SCRY_OK)
        st = scry_elf_image_open(elf, elf_len, &img);
    if (st != SCRY_OK) {
        st = scry_err_ctx(st, "%s", kernel);
        goto done;
    }
    const struct scry_elf_section *btf = scry_elf_image_section(&img, ".BTF");
    if (!btf) {
        st = scry_err(SCRY_ERR_NOT_FOUND,
                      "%s: no .BTF section (a kernel built without CONFIG_DEBUG_INFO_BTF)", kernel);
        goto done;
    }
    if (!btf->in_file) {
        st = scry_err(SCRY_ERR_CORRUPT, "%s: the .BTF section lies outside the vmlinux", kernel);
        goto done;
    }
    if ((st = scry_file_open(symbols, &sf)) != SCRY_OK)
        goto done;
    if ((st = scry_sysmap_parse(sf->size ? sf->map : (const uint8_t *)"", (size_t)sf->size,
                                &map)) != SCRY_OK) {
        st = scry_err_ctx(st, "%s", symbols);
        goto done;
    }
    /* /proc/kallsyms read without root (kptr_restrict) lists every
     * address as 0: say so rather than "not this kernel's". */
    const struct scry_sysmap_sym *text = scry_sysmap_find(&map, "_text");
    if (text && text->addr == 0) {
        st = scry_err(SCRY_ERR_CORRUPT,
                      "%s: _text is at address 0: kallsyms read without root (kptr_restrict) "
                      "hides the addresses; read it as root", symbols);
        goto done;
    }
    scry_sysmap_unshift(&map, link_text(&img), &shift);
    if ((st = banner_bytes(kernel, &img, &map, shift, &banner, &banner_len)) != SCRY_OK)
        goto done;
    base_name(symbols, sname, sizeof sname);
    struct scry_btf_isf_in in = {
        .btf = img.data + btf->offset,
        .btf_len = (size_t)btf->size,
        .map = &map,
        .banner = banner,
        .banner_len = banner_len,
        .symbols_name = sname,
        .producer_version = scry_version(),
    };
    struct scry_zwrite *zw;
    if ((st = scry_zwrite_open(out, &zw)) != SCRY_OK)
        goto done;
    st = scry_btf_isf_write(&in, scry_zwrite_write, zw);
    if (st != SCRY_OK && st != SCRY_ERR_IO)
        st = scry_err_ctx(st, "%s", kernel);
    scry_status cst = scry_zwrite_close(zw, st == SCRY_OK);
    if (st == SCRY_OK)
        st = cst;
done:
    scry_sysmap_free(&map);
    scry_elf_image_free(&img);
    free(owned);
    scry_file_close(sf);
    scry_file_close(kf);
    return st;
}
