/* kimage.h - a kernel image as shipped (vmlinux ELF or x86 bzImage) to the
 * vmlinux ELF bytes inside it.
 *
 * A bzImage's boot setup header (Documentation/arch/x86/boot.rst, protocol
 * >= 2.08) locates the compressed payload (payload_offset, payload_length);
 * the payload is decompressed as its magic says: gzip (zlib), xz and the
 * legacy .lzma format (liblzma), zstd (libzstd), lz4 in the legacy frame
 * format the kernel's build uses (liblz4). bzip2 and lzo are refused as
 * unsupported. Every header field is checked against the file, and the
 * output is bounded by the size the kernel build appends to the payload
 * (its last 4 bytes), which must not exceed the caller's limit. */
#ifndef SCRY_KIMAGE_H
#define SCRY_KIMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "lib/base/error.h"

#define SCRY_KIMAGE_MAX_OUTPUT ((uint64_t)1 << 30) /* 1 GiB: real vmlinux ~60 MiB */

/* The vmlinux ELF of data[0, len): data itself when it is an ELF file
 * (*owned = NULL), else the decompressed payload of a bzImage, malloc'd
 * into *owned (the caller frees it). *elf / *elf_len give the ELF bytes in
 * both cases. limit bounds the decompressed size. Errors: SCRY_ERR_FORMAT
 * (neither an ELF nor a bzImage), SCRY_ERR_CORRUPT (a header field outside
 * the file, a damaged stream, a size other than the stated one),
 * SCRY_ERR_UNSUPPORTED (bzip2, lzo or an unknown compression),
 * SCRY_ERR_LIMIT (stated size above limit), SCRY_ERR_NOMEM. */
scry_status scry_kimage_vmlinux(const uint8_t *data, size_t len, uint64_t limit, uint8_t **owned,
                                const uint8_t **elf, size_t *elf_len);

#endif
