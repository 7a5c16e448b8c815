/* elf_image.c - bounds-checked ELF64 section lookup for vmlinux files. */
#include "symbols/elf_image.h"

#include <stdlib.h>
#include <string.h>

#define EHDR_SIZE 64u
#define SHDR_SIZE 64u
#define SHT_SYMTAB 2u
#define SHT_NOBITS 8u
#define SHF_ALLOC 2u
#define SHN_XINDEX 0xffffu
#define SYM_SIZE 24u

static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p) { return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32; }

static int inside(size_t len, uint64_t off, uint64_t n) { return off <= len && n <= len - off; }

/* A string at off inside [base, base + size): NULL unless NUL-terminated there. */
static const char *str_at(const uint8_t *base, uint64_t size, uint64_t off)
{
    if (off >= size)
        return NULL;
    const void *nul = memchr(base + off, 0, (size_t)(size - off));
    return nul ? (const char *)base + off : NULL;
}

scry_status scry_elf_image_open(const uint8_t *data, size_t len, struct scry_elf_image *out)
{
    memset(out, 0, sizeof *out);
    if (len < EHDR_SIZE || memcmp(data, "\177ELF", 4) != 0)
        return scry_err(SCRY_ERR_FORMAT, "not an ELF file");
    if (data[4] != 2 || data[5] != 1)
        return scry_err(SCRY_ERR_FORMAT, "ELF: not a 64-bit little-endian file (class %u, data %u)",
                        data[4], data[5]);
    uint64_t shoff = le64(data + 0x28);
    uint64_t shentsize = le16(data + 0x3a), shnum = le16(data + 0x3c), shstrndx = le16(data + 0x3e);
    if (shoff == 0)
        return scry_err(SCRY_ERR_CORRUPT, "ELF: no section headers");
    if (shentsize != SHDR_SIZE)
        return scry_err(SCRY_ERR_CORRUPT, "ELF: section header size %llu (expected %u)",
                        (unsigned long long)shentsize, SHDR_SIZE);
    if (!inside(len, shoff, SHDR_SIZE))
        return scry_err(SCRY_ERR_CORRUPT, "ELF: section headers at 0x%llx lie outside the %zu-byte file",
                        (unsigned long long)shoff, len);
    /* Extended numbering: section 0 holds the real count and string index. */
    if (shnum == 0)
        shnum = le64(data + shoff + 0x20);
    if (shstrndx == SHN_XINDEX)
        shstrndx = le32(data + shoff + 0x28);
    if (shnum > SCRY_ELF_MAX_SECTIONS)
        return scry_err(SCRY_ERR_CORRUPT, "ELF: %llu sections (at most %u accepted)",
                        (unsigned long long)shnum, SCRY_ELF_MAX_SECTIONS);
    if (!inside(len, shoff, shnum * SHDR_SIZE))
        return scry_err(SCRY_ERR_CORRUPT,
                        "ELF: %llu section headers at 0x%llx run past the %zu-byte file",
                        (unsigned long long)shnum, (unsigned long long)shoff, len);
    out->sect = calloc(shnum ? shnum : 1, sizeof *out->sect);
    if (!out->sect)
        return scry_err(SCRY_ERR_NOMEM, "ELF: out of memory for %llu sections",
                        (unsigned long long)shnum);
    out->data = data;
    out->len = len;
    out->nsect = (size_t)shnum;
    for (size_t i = 0; i < out->nsect; i++) {
        const uint8_t *h = data + shoff + i * SHDR_SIZE;
        struct scry_elf_section *s = &out->sect[i];
        s->type = le32(h + 4);
        s->link = le32(h + 0x28);
        s->flags = le64(h + 8);
        s->addr = le64(h + 0x10);
        s->offset = le64(h + 0x18);
        s->size = le64(h + 0x20);
        s->in_file = s->type != SHT_NOBITS && inside(len, s->offset, s->size);
        s->name = "";
    }
    /* Names come from the section-name table, when it is there and sane. */
    if (shstrndx < out->nsect && out->sect[shstrndx].in_file) {
        const struct scry_elf_section *st = &out->sect[shstrndx];
        for (size_t i = 0; i < out->nsect; i++) {
            const char *n = str_at(data + st->offset, st->size, le32(data + shoff + i * SHDR_SIZE));
            if (n)
                out->sect[i].name = n;
        }
    }
    return SCRY_OK;
}

void scry_elf_image_free(struct scry_elf_image *img)
{
    free(img->sect);
    memset(img, 0, sizeof *img);
}

const struct scry_elf_section *scry_elf_image_section(const struct scry_elf_image *img,
                                                      const char *name)
{
    for (size_t i = 0; i < img->nsect; i++)
        if (strcmp(img->sect[i].name, name) == 0)
            return &img->sect[i];
    return NULL;
}

scry_status scry_elf_image_at(const struct scry_elf_image *img, uint64_t addr, const uint8_t **p,
                              size_t *avail)
{
    for (size_t i = 0; i < img->nsect; i++) {
        const struct scry_elf_section *s = &img->sect[i];
        if (!(s->flags & SHF_ALLOC) || !s->in_file || addr < s->addr || addr - s->addr >= s->size)
            continue;
        *p = img->data + s->offset + (addr - s->addr);
        *avail = (size_t)(s->size - (addr - s->addr));
        return SCRY_OK;
    }
    return scry_err(SCRY_ERR_NOT_FOUND, "ELF: no section with file bytes holds address 0x%llx",
                    (unsigned long long)addr);
}

scry_status scry_elf_image_symbol(const struct scry_elf_image *img, const char *name,
                                  uint64_t *value)
{
    for (size_t i = 0; i < img->nsect; i++) {
        const struct scry_elf_section *s = &img->sect[i];
        if (s->type != SHT_SYMTAB || !s->in_file)
            continue;
        if (s->link >= img->nsect || !img->sect[s->link].in_file)
            return scry_err(SCRY_ERR_CORRUPT, "ELF: .symtab's string table (section %u) is not in the file",
                            s->link);
        const struct scry_elf_section *strs = &img->sect[s->link];
        const uint8_t *sym = img->data + s->offset;
        for (uint64_t k = 0; k < s->size / SYM_SIZE; k++, sym += SYM_SIZE) {
            const char *n = str_at(img->data + strs->offset, strs->size, le32(sym));
            if (n && strcmp(n, name) == 0) {
                *value = le64(sym + 8);
                return SCRY_OK;
            }
        }
        break;
    }
    return scry_err(SCRY_ERR_NOT_FOUND, "ELF: no symbol %s", name);
}
