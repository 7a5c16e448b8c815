/* fuzz_isf_compiled.c - libFuzzer harness for the compiled symbol-table
 * reader (isf_flat.c, isf_lookup.c): a cache file is untrusted input.
 *
 * Byte 0 selects how the rest is taken: even, as it is (checksums must
 * hold, so mutations mostly test the header checks); odd, with the header
 * hash and every block checksum recomputed first, as a forger would, so
 * mutations reach the bounds checks of every lookup behind them. The
 * seeds are compiled tables of fuzz/corpus/fuzz_isf's ISFs. */
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "fuzz/symtab_probe.h"
#include "symbols/isf_flat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void forge(uint8_t *p, size_t len)
{
    struct isf_flat_header h;
    struct isf_flat_section sec[S_COUNT];
    if (len < sizeof h + sizeof sec)
        return;
    memcpy(&h, p, sizeof h);
    memcpy(sec, p + sizeof h, sizeof sec);
    size_t body = sizeof h + sizeof sec;
    uint64_t bs = sec[S_BLOCKSUM].offset, bn = sec[S_BLOCKSUM].size;
    if (bs < body || bs > len || bn > len - bs || bn % 8)
        return;
    for (uint64_t b = 0; b < bn / 8; b++) {
        uint64_t from = body + b * ISF_FLAT_BLOCK;
        if (from >= bs)
            break;
        uint64_t n = bs - from < ISF_FLAT_BLOCK ? bs - from : ISF_FLAT_BLOCK;
        uint64_t x = XXH3_64bits(p + from, n);
        memcpy(p + bs + b * 8, &x, 8);
    }
    h.header_hash = 0;
    XXH3_state_t *x = XXH3_createState();
    if (!x)
        return;
    XXH3_64bits_reset(x);
    XXH3_64bits_update(x, &h, sizeof h);
    XXH3_64bits_update(x, sec, sizeof sec);
    XXH3_64bits_update(x, p + bs, bn);
    h.header_hash = XXH3_64bits_digest(x);
    XXH3_freeState(x);
    h.file_size = len; /* the one field a mutation of the length breaks */
    memcpy(p, &h, sizeof h);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct scry_symtab *st = NULL;
    if (size < 1)
        return 0;
    size_t len = size - 1;
    uint8_t *p = malloc(len ? len : 1); /* malloc'd: 8-aligned as a mapping is */
    if (!p)
        return 0;
    memcpy(p, data + 1, len);
    if (data[0] & 1)
        forge(p, len);
    if (isf_flat_open(p, len, 0, p, NULL, &st) != SCRY_OK) {
        free(p);
        return 0;
    }
    probe_symtab(st);
    scry_isf_free(st);
    return 0;
}
