/* avmlwrite.c - writes an AVML (version 2) image of a LiME file, for the
 * tests: AVML's published layout (per range a 32-byte header: "AVML", u32
 * version 2, u64 start, u64 inclusive end, 8 zero bytes; the range's bytes
 * as snappy's framing format; a u64 with that stream's length) and snappy's
 * framing_format.txt (stream identifier chunk 0xff "sNaPpY"; data chunks
 * of at most 64 KiB: 0x00 compressed, 0x01 stored, each led by the masked
 * CRC-32C of the uncompressed bytes). Our own writer, so that memscry's
 * reader is checked against the description, not against itself.
 *
 *   avmlwrite IN.lime OUT.avml [--chunk BYTES] [--stored]
 *
 * --chunk: uncompressed bytes per chunk (1..65536, default 65536);
 * --stored: every chunk type 0x01 (no compression). */
#include <snappy-c.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t crc_table[256];

static void crc_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0x82F63B78u & (0u - (c & 1)));
        crc_table[i] = c;
    }
}

static uint32_t crc32c(const uint8_t *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++)
        c = crc_table[(c ^ p[i]) & 0xff] ^ (c >> 8);
    return ~c;
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static void die(const char *msg)
{
    fprintf(stderr, "avmlwrite: %s\n", msg);
    exit(1);
}

static void out(FILE *f, const void *p, size_t n)
{
    if (fwrite(p, 1, n, f) != n)
        die("write failed");
}

/* One data chunk of n bytes; returns the bytes written. */
static uint64_t chunk(FILE *f, const uint8_t *data, size_t n, int stored, char *cbuf, size_t ccap)
{
    uint8_t h[8];
    size_t clen = ccap;
    uint32_t crc = crc32c(data, n);
    crc = ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
    put32(h + 4, crc);
    if (!stored && snappy_compress((const char *)data, n, cbuf, &clen) == SNAPPY_OK &&
        clen < n) {
        put32(h, (uint32_t)(clen + 4) << 8 | 0x00);
        out(f, h, 8);
        out(f, cbuf, clen);
        return 8 + clen;
    }
    put32(h, (uint32_t)(n + 4) << 8 | 0x01);
    out(f, h, 8);
    out(f, data, n);
    return 8 + n;
}

int main(int argc, char **argv)
{
    size_t per = 65536;
    int stored = 0;
    if (argc < 3)
        die("usage: avmlwrite IN.lime OUT.avml [--chunk BYTES] [--stored]");
    for (int i = 3; i < argc; i++) {
        if (!strcmp(argv[i], "--chunk") && i + 1 < argc)
            per = strtoul(argv[++i], NULL, 0);
        else if (!strcmp(argv[i], "--stored"))
            stored = 1;
        else
            die("unknown option");
    }
    if (per < 1 || per > 65536)
        die("--chunk must be 1..65536");
    crc_init();
    FILE *in = fopen(argv[1], "rb"), *o = fopen(argv[2], "wb");
    if (!in || !o)
        die("cannot open the files");
    size_t ccap = snappy_max_compressed_length(per);
    uint8_t *data = malloc(per);
    char *cbuf = malloc(ccap);
    if (!data || !cbuf)
        die("out of memory");
    uint8_t lh[32];
    while (fread(lh, 1, 32, in) == 32) {
        uint64_t start = get64(lh + 8), end = get64(lh + 16), left = end - start + 1, stream = 0;
        uint8_t ah[32] = {0}, tail[8];
        if (memcmp(lh, "EMiL", 4) != 0)
            die("input is not LiME");
        put32(ah, 0x4C4D5641u);
        put32(ah + 4, 2);
        put64(ah + 8, start);
        put64(ah + 16, end);
        out(o, ah, 32);
        out(o, "\xff\x06\x00\x00sNaPpY", 10);
        stream = 10;
        while (left) {
            size_t n = left < per ? (size_t)left : per;
            if (fread(data, 1, n, in) != n)
                die("input truncated");
            stream += chunk(o, data, n, stored, cbuf, ccap);
            left -= n;
        }
        put64(tail, stream);
        out(o, tail, 8);
    }
    if (fclose(o) != 0)
        die("write failed");
    fclose(in);
    free(data);
    free(cbuf);
    return 0;
}
