/* elf_image.h - the sections of a vmlinux ELF (ELF64 little endian), read
 * with every header field checked against the file.
 *
 * Only what building an ISF needs: a section by name (.BTF), the bytes at a
 * link-time address (linux_banner's string, from the allocated section that
 * covers it) and a .symtab symbol when the image still has one. */
#ifndef SCRY_ELF_IMAGE_H
#define SCRY_ELF_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "lib/base/error.h"

#define SCRY_ELF_MAX_SECTIONS 65536u /* vmlinux has ~40; far more is hostile */

struct scry_elf_section {
    const char *name; /* from .shstrtab, NUL-terminated; "" when unnamed */
    uint32_t type, link;
    uint64_t flags, addr, offset, size;
    int in_file; /* [offset, offset + size) lies inside the file (NOBITS: 0) */
};

struct scry_elf_image {
    const uint8_t *data; /* borrowed */
    size_t len;
    size_t nsect;
    struct scry_elf_section *sect;
};

/* Reads the section headers of data[0, len). Errors: SCRY_ERR_FORMAT (not
 * an ELF64 little-endian file), SCRY_ERR_CORRUPT (headers outside the file,
 * a section count or entry size that cannot be), SCRY_ERR_NOMEM. */
scry_status scry_elf_image_open(const uint8_t *data, size_t len, struct scry_elf_image *out);
void scry_elf_image_free(struct scry_elf_image *img);

/* The first section named name, or NULL. */
const struct scry_elf_section *scry_elf_image_section(const struct scry_elf_image *img,
                                                      const char *name);

/* The file bytes at link-time address addr: *p and *avail (bytes up to the
 * end of the SHF_ALLOC section holding addr). Errors: SCRY_ERR_NOT_FOUND
 * (no allocated section with file bytes covers addr). */
scry_status scry_elf_image_at(const struct scry_elf_image *img, uint64_t addr, const uint8_t **p,
                              size_t *avail);

/* A symbol's value from .symtab. Errors: SCRY_ERR_NOT_FOUND (no .symtab, as
 * in a vmlinux taken from a bzImage, or no such symbol), SCRY_ERR_CORRUPT. */
scry_status scry_elf_image_symbol(const struct scry_elf_image *img, const char *name,
                                  uint64_t *value);

#endif
