/* fuzz_btf.c - libFuzzer harness for ISF-from-BTF. Byte 0 picks the path,
 * the rest is the input:
 *   0  a .BTF blob: memscry's check, then (when it passes) libbpf and the
 *      ISF writer with a small symbol map; what it writes is loaded back
 *      with the ISF loader;
 *   1  a kernel image: bzImage or ELF → vmlinux (1 MiB limit) → ELF
 *      sections → .BTF and the banner's section → as 0;
 *   2  a System.map / kallsyms text (or xz): parse, find, unshift.
 * Nothing may crash, leak or hang; results are not checked (any refusal is
 * fine), except that a blob the check passes must never crash libbpf. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "symbols/btf_check.h"
#include "symbols/btf_isf.h"
#include "symbols/elf_image.h"
#include "symbols/kimage.h"
#include "symbols/symtab.h"
#include "symbols/sysmap.h"

#define OUT_MAX (16u << 20)

struct sink {
    uint8_t *p;
    size_t len, cap;
};

static int sink_write(void *user, const void *data, size_t len)
{
    struct sink *s = user;
    if (len > OUT_MAX - s->len)
        return -1;
    if (s->len + len > s->cap) {
        size_t cap = s->cap ? s->cap : 65536;
        while (cap < s->len + len)
            cap *= 2;
        uint8_t *p = realloc(s->p, cap);
        if (!p)
            return -1;
        s->p = p;
        s->cap = cap;
    }
    memcpy(s->p + s->len, data, len);
    s->len += len;
    return 0;
}

static const char map_text[] = "ffffffffb3800000 T _text\n"
                               "ffffffffb4000000 D init_task\n"
                               "0000000000001000 D current_task\n"
                               "ffffffffb3a00000 D linux_banner\n"
                               "ffffffffb4002000 D init_top_pgt\n";

static void isf_from_blob(const uint8_t *btf, size_t len)
{
    if (scry_btf_check(btf, len, NULL) != SCRY_OK)
        return;
    struct scry_sysmap map;
    if (scry_sysmap_parse((const uint8_t *)map_text, sizeof map_text - 1, &map) != SCRY_OK)
        abort();
    uint64_t shift;
    scry_sysmap_unshift(&map, SCRY_DEFAULT_TEXT, &shift);
    static const uint8_t banner[] = "Linux version 6.1\n";
    struct scry_btf_isf_in in = {.btf = btf, .btf_len = len, .map = &map, .banner = banner,
                                 .banner_len = sizeof banner, .symbols_name = "System.map",
                                 .producer_version = "0"};
    struct sink out = {0};
    if (scry_btf_isf_write(&in, sink_write, &out) == SCRY_OK) {
        struct scry_symtab *tab;
        if (scry_isf_parse(out.p, out.len, &tab) == SCRY_OK)
            scry_isf_free(tab);
    }
    free(out.p);
    scry_sysmap_free(&map);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const uint8_t *p = data + 1;
    size_t n = size - 1;
    switch (data[0] % 3) {
    case 0:
        isf_from_blob(p, n);
        break;
    case 1: {
        uint8_t *owned;
        const uint8_t *elf;
        size_t elen;
        if (scry_kimage_vmlinux(p, n, 1u << 20, &owned, &elf, &elen) != SCRY_OK)
            break;
        struct scry_elf_image img;
        if (scry_elf_image_open(elf, elen, &img) == SCRY_OK) {
            const struct scry_elf_section *s = scry_elf_image_section(&img, ".BTF");
            const uint8_t *at;
            size_t avail;
            uint64_t v;
            (void)scry_elf_image_at(&img, 0xffffffff81200000ull, &at, &avail);
            (void)scry_elf_image_symbol(&img, "_text", &v);
            if (s && s->in_file)
                isf_from_blob(img.data + s->offset, (size_t)s->size);
            scry_elf_image_free(&img);
        }
        free(owned);
        break;
    }
    default: {
        struct scry_sysmap m;
        if (scry_sysmap_parse(p, n, &m) == SCRY_OK) {
            uint64_t shift;
            (void)scry_sysmap_find(&m, "linux_banner");
            scry_sysmap_unshift(&m, SCRY_DEFAULT_TEXT, &shift);
            scry_sysmap_free(&m);
        }
        break;
    }
    }
    return 0;
}
