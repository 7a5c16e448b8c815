/* kimage.c - bzImage → vmlinux: the x86 boot header and the decompressors.
 *
 * The kernel build appends the uncompressed size (32-bit little endian) to
 * every compressed payload (gzip's own ISIZE trailer is the same thing), so
 * the output buffer is allocated once at that size and no decompressor may
 * write past it: a bomb stops at the stated size, and a stream that ends
 * short of it is an error rather than a truncated vmlinux. */
#include "symbols/kimage.h"

#include <lz4.h>
#include <lzma.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

/* Boot protocol fields (offsets into the image). */
#define HDR_SETUP_SECTS 0x1f1
#define HDR_MAGIC 0x202     /* "HdrS" */
#define HDR_VERSION 0x206   /* protocol version, >= 0x208 has the payload fields */
#define HDR_PAYLOAD 0x248   /* payload_offset, payload_length (from the protected-mode code) */
#define HDR_END 0x250

#define LZ4_LEGACY_MAGIC 0x184c2102u
#define LZ4_LEGACY_CHUNK (8u << 20) /* the kernel's lz4 -l block size */

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static scry_status short_output(const char *what, size_t got, size_t want)
{
    return scry_err(SCRY_ERR_CORRUPT,
                    "bzImage: %s payload decompressed to %zu bytes, its size trailer says %zu",
                    what, got, want);
}

static scry_status unzip_gzip(const uint8_t *in, size_t n, uint8_t *out, size_t olen)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (n > UINT32_MAX || olen > UINT32_MAX) /* both come from 32-bit header fields */
        return scry_err(SCRY_ERR_LIMIT, "bzImage: gzip payload too large");
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
        return scry_err(SCRY_ERR_NOMEM, "bzImage: cannot start the gzip decoder");
    z.next_in = (Bytef *)(uintptr_t)in;
    z.avail_in = (uInt)n;
    z.next_out = out;
    z.avail_out = (uInt)olen;
    int rc = inflate(&z, Z_FINISH);
    size_t done = olen - z.avail_out;
    inflateEnd(&z);
    if (rc == Z_BUF_ERROR && z.avail_out == 0)
        return scry_err(SCRY_ERR_CORRUPT,
                        "bzImage: gzip payload decompresses to more than the %zu bytes its size "
                        "trailer says", olen);
    if (rc != Z_STREAM_END)
        return scry_err(SCRY_ERR_CORRUPT, "bzImage: gzip payload is damaged (%s)",
                        rc == Z_BUF_ERROR ? "it ends early" : "zlib error");
    return done == olen ? SCRY_OK : short_output("gzip", done, olen);
}

static scry_status unzip_lzma(const uint8_t *in, size_t n, uint8_t *out, size_t olen, int alone)
{
    lzma_stream s = LZMA_STREAM_INIT;
    /* 256 MiB of decoder memory: xz -9 needs 65 MiB, the kernel's xz uses less. */
    lzma_ret r = alone ? lzma_alone_decoder(&s, (uint64_t)256 << 20)
                       : lzma_stream_decoder(&s, (uint64_t)256 << 20, 0);
    if (r != LZMA_OK)
        return scry_err(SCRY_ERR_NOMEM, "bzImage: cannot start the %s decoder",
                        alone ? "lzma" : "xz");
    s.next_in = in;
    s.avail_in = n;
    s.next_out = out;
    s.avail_out = olen;
    r = lzma_code(&s, LZMA_FINISH);
    size_t done = olen - s.avail_out;
    if (r == LZMA_OK || (r == LZMA_BUF_ERROR && s.avail_out == 0)) {
        lzma_end(&s);
        return scry_err(SCRY_ERR_CORRUPT,
                        "bzImage: %s payload decompresses to more than the %zu bytes its size "
                        "trailer says", alone ? "lzma" : "xz", olen);
    }
    lzma_end(&s);
    if (r != LZMA_STREAM_END)
        return scry_err(SCRY_ERR_CORRUPT, "bzImage: %s payload is damaged (liblzma error %d)",
                        alone ? "lzma" : "xz", (int)r);
    return done == olen ? SCRY_OK : short_output(alone ? "lzma" : "xz", done, olen);
}

static scry_status unzip_zstd(const uint8_t *in, size_t n, uint8_t *out, size_t olen)
{
    /* The size trailer follows the frame: decode the first frame only. */
    size_t flen = ZSTD_findFrameCompressedSize(in, n);
    if (ZSTD_isError(flen))
        return scry_err(SCRY_ERR_CORRUPT, "bzImage: zstd payload is damaged (%s)",
                        ZSTD_getErrorName(flen));
    ZSTD_DCtx *d = ZSTD_createDCtx();
    if (!d)
        return scry_err(SCRY_ERR_NOMEM, "bzImage: cannot start the zstd decoder");
    size_t got = ZSTD_decompressDCtx(d, out, olen, in, flen);
    ZSTD_freeDCtx(d);
    if (ZSTD_isError(got)) {
        if (ZSTD_getErrorCode(got) == ZSTD_error_dstSize_tooSmall)
            return scry_err(SCRY_ERR_CORRUPT,
                            "bzImage: zstd payload decompresses to more than the %zu bytes its "
                            "size trailer says", olen);
        return scry_err(SCRY_ERR_CORRUPT, "bzImage: zstd payload is damaged (%s)",
                        ZSTD_getErrorName(got));
    }
    return got == olen ? SCRY_OK : short_output("zstd", got, olen);
}

/* lz4 -l: the magic, then blocks of (32-bit compressed length, data), each
 * at most 8 MiB uncompressed; a repeated magic starts another archive. */
static scry_status unzip_lz4(const uint8_t *in, size_t n, uint8_t *out, size_t olen)
{
    size_t pos = 4, done = 0;
    while (n - pos >= 4) {
        uint32_t clen = le32(in + pos);
        pos += 4;
        if (clen == LZ4_LEGACY_MAGIC)
            continue;
        if (clen > n - pos || clen > (uint32_t)LZ4_compressBound(LZ4_LEGACY_CHUNK))
            return scry_err(SCRY_ERR_CORRUPT,
                            "bzImage: lz4 block at payload offset %zu claims %u bytes, past the "
                            "payload", pos - 4, clen);
        if (done == olen)
            return scry_err(SCRY_ERR_CORRUPT,
                            "bzImage: lz4 payload decompresses to more than the %zu bytes its "
                            "size trailer says", olen);
        size_t room = olen - done > LZ4_LEGACY_CHUNK ? LZ4_LEGACY_CHUNK : olen - done;
        int got = LZ4_decompress_safe((const char *)in + pos, (char *)out + done, (int)clen,
                                      (int)room);
        if (got < 0)
            return scry_err(SCRY_ERR_CORRUPT,
                            "bzImage: lz4 block at payload offset %zu is damaged (or decompresses "
                            "past the stated size)", pos - 4);
        done += (size_t)got;
        pos += clen;
    }
    return done == olen ? SCRY_OK : short_output("lz4", done, olen);
}

scry_status scry_kimage_vmlinux(const uint8_t *data, size_t len, uint64_t limit, uint8_t **owned,
                                const uint8_t **elf, size_t *elf_len)
{
    *owned = NULL;
    if (len >= 4 && memcmp(data, "\177ELF", 4) == 0) {
        *elf = data;
        *elf_len = len;
        return SCRY_OK;
    }
    if (len < HDR_END || memcmp(data + HDR_MAGIC, "HdrS", 4) != 0)
        return scry_err(SCRY_ERR_FORMAT,
                        "neither a vmlinux ELF nor a bzImage (no \"HdrS\" boot header at 0x%x)",
                        HDR_MAGIC);
    unsigned version = (unsigned)data[HDR_VERSION] | (unsigned)data[HDR_VERSION + 1] << 8;
    if (version < 0x208)
        return scry_err(SCRY_ERR_UNSUPPORTED,
                        "bzImage: boot protocol %u.%02u has no payload fields (2.08 or later "
                        "needed)", version >> 8, version & 0xff);
    uint64_t sects = data[HDR_SETUP_SECTS] ? data[HDR_SETUP_SECTS] : 4; /* 0 means 4 */
    uint64_t base = (sects + 1) * 512;
    uint64_t poff = le32(data + HDR_PAYLOAD), plen = le32(data + HDR_PAYLOAD + 4);
    if (base > len || poff > len - base || plen > len - base - poff)
        return scry_err(SCRY_ERR_CORRUPT,
                        "bzImage: payload [0x%llx, +0x%llx) lies outside the %zu-byte file",
                        (unsigned long long)(base + poff), (unsigned long long)plen, len);
    if (plen < 8)
        return scry_err(SCRY_ERR_CORRUPT, "bzImage: payload of %llu bytes is too short",
                        (unsigned long long)plen);
    const uint8_t *p = data + base + poff;
    size_t n = (size_t)plen;
    uint64_t olen = le32(p + n - 4);
    if (olen == 0)
        return scry_err(SCRY_ERR_CORRUPT, "bzImage: the payload's size trailer says 0 bytes");
    if (olen > limit)
        return scry_err(SCRY_ERR_LIMIT,
                        "bzImage: the payload decompresses to %llu bytes, more than the limit "
                        "of %llu", (unsigned long long)olen, (unsigned long long)limit);

    static const struct {
        const char *name;
        uint8_t magic[6];
        size_t mlen;
        int kind; /* 0 unsupported */
    } comp[] = {
        {"gzip", {0x1f, 0x8b}, 2, 1},
        {"xz", {0xfd, '7', 'z', 'X', 'Z', 0}, 6, 2},
        {"lzma", {0x5d, 0, 0}, 3, 3},
        {"zstd", {0x28, 0xb5, 0x2f, 0xfd}, 4, 4},
        {"lz4", {0x02, 0x21, 0x4c, 0x18}, 4, 5},
        {"bzip2", {'B', 'Z', 'h'}, 3, 0},
        {"lzo", {0x89, 'L', 'Z', 'O'}, 4, 0},
    };
    size_t k;
    for (k = 0; k < sizeof comp / sizeof comp[0]; k++)
        if (n >= comp[k].mlen && memcmp(p, comp[k].magic, comp[k].mlen) == 0)
            break;
    if (k == sizeof comp / sizeof comp[0])
        return scry_err(SCRY_ERR_UNSUPPORTED,
                        "bzImage: unsupported compression (payload starts %02x %02x %02x %02x)",
                        p[0], p[1], p[2], p[3]);
    if (!comp[k].kind)
        return scry_err(SCRY_ERR_UNSUPPORTED, "bzImage: unsupported compression: %s",
                        comp[k].name);
    uint8_t *out = malloc((size_t)olen);
    if (!out)
        return scry_err(SCRY_ERR_NOMEM, "bzImage: cannot allocate %llu bytes for the vmlinux",
                        (unsigned long long)olen);
    scry_status st;
    switch (comp[k].kind) {
    case 1: st = unzip_gzip(p, n, out, (size_t)olen); break;
    case 2: st = unzip_lzma(p, n, out, (size_t)olen, 0); break;
    case 3: st = unzip_lzma(p, n, out, (size_t)olen, 1); break;
    case 4: st = unzip_zstd(p, n, out, (size_t)olen); break;
    default: st = unzip_lz4(p, n - 4, out, (size_t)olen); break;
    }
    if (st != SCRY_OK) {
        free(out);
        return st;
    }
    *owned = out;
    *elf = out;
    *elf_len = (size_t)olen;
    return SCRY_OK;
}
