/* fuzz_raw.c - libFuzzer harness for the raw (padded physical image) reader
 * through format detection.
 *
 * The input is the image, zero-padded to a whole number of pages so the raw
 * probe accepts it; inputs another probe would claim are skipped. The image
 * is opened with scry_phys_open_file and read over a fixed set of ranges
 * (start, end, across the end, the top of the address space, one long
 * enough for direct()) plus one range taken from the input's first 16 bytes.
 * Every read is checked against the image itself: byte N is physical
 * address N, everything else is a hole read as zero and counted exactly.
 * A violation aborts (a finding). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "formats/phys.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Bigger inputs only cost time: the reader does not look at the bytes. */
enum { MAX_IMAGE = 1 << 20, MAX_READ = SCRY_DIRECT_MIN + 2 * SCRY_PAGE_SIZE };

static uint64_t le64(const uint8_t *b)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | b[i];
    return v;
}

/* Reads [pa, pa+len) and checks it against img (size bytes, far below the
 * top of the address space, so only holes can wrap). */
static void check_read(struct scry_phys *p, const uint8_t *img, size_t size, uint64_t pa,
                       size_t len)
{
    static uint8_t buf[MAX_READ];
    static const uint8_t zeros[MAX_READ];
    size_t holes = (size_t)-1, present = 0;
    if (len > sizeof buf)
        len = sizeof buf;
    memset(buf, 0xa5, len);
    if (scry_phys_read(p, pa, buf, len, &holes) != SCRY_OK)
        abort();
    if (pa < size)
        present = size - pa < len ? (size_t)(size - pa) : len;
    if (memcmp(buf, img + (pa < size ? pa : 0), present) != 0 ||
        memcmp(buf + present, zeros, len - present) != 0 || holes != len - present)
        abort();
    /* direct() is optional, but what it returns must be the image. */
    if (p->ops->direct) {
        const uint8_t *d = p->ops->direct(p, pa, len);
        if (d && (pa > size || len > size - pa || memcmp(d, img + pa, len) != 0))
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct scry_file *f = NULL;
    struct scry_phys *p = NULL;
    uint8_t *img;
    size_t padded;

    if (size == 0 || size > MAX_IMAGE)
        return 0;
    padded = (size + SCRY_PAGE_SIZE - 1) / SCRY_PAGE_SIZE * SCRY_PAGE_SIZE;
    if (!(img = calloc(1, padded)))
        return 0;
    memcpy(img, data, size);
    /* The probes see what scry_phys_open_file shows them. */
    for (size_t i = 0; scry_formats[i]; i++) {
        const struct scry_format *fmt = scry_formats[i];
        size_t head = padded < 4096 ? padded : 4096;
        if (fmt != &scry_format_raw && fmt->probe && fmt->probe(img, head, padded)) {
            free(img);
            return 0;
        }
    }
    if (!scry_format_raw.probe(img, padded < 4096 ? padded : 4096, padded))
        abort(); /* a whole number of pages is a raw image */
    if (scry_file_from_memory(img, padded, "fuzz.raw", &f) != SCRY_OK) {
        free(img);
        return 0;
    }
    scry_err_clear();
    if (scry_phys_open_file(f, NULL, &p) != SCRY_OK)
        abort(); /* nothing in a raw image can be wrong */
    if (!p->info.format || strcmp(p->info.format, "raw") != 0 || p->nruns != 1 ||
        p->runs[0].start != 0 || p->runs[0].len != padded || p->info.phys_end != padded ||
        p->info.file_size != padded)
        abort();

    check_read(p, img, padded, 0, SCRY_PAGE_SIZE);
    check_read(p, img, padded, 0, padded);                 /* whole image, direct() */
    check_read(p, img, padded, padded - 1, 1);             /* last byte */
    check_read(p, img, padded, padded - 100, 3 * SCRY_PAGE_SIZE); /* across the end */
    check_read(p, img, padded, padded, 64);                /* past the end */
    check_read(p, img, padded, UINT64_MAX - 50, 100);      /* across the top */
    check_read(p, img, padded, 0, 0);                      /* empty */
    if (size >= 16) {
        uint64_t pa = le64(data), len = le64(data + 8);
        /* Either anywhere (mostly holes) or somewhere in the image. */
        if (pa & 1)
            pa %= padded + SCRY_PAGE_SIZE;
        check_read(p, img, padded, pa, (size_t)(len % MAX_READ));
    }
    scry_phys_close(p);
    free(img);
    return 0;
}
