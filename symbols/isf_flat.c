/* isf_flat.c - opens the compiled form of a table and guards every read.
 *
 * Opening checks what a lookup relies on before it reads anything: the
 * magic, version, endianness, block size, section count, that every
 * section is 8-aligned, inside the bytes, in order and a whole number of
 * records, that hash indexes have power-of-two sizes, and the header hash
 * over header, section table and block checksums. isf_flat_get() is the
 * only way lookups reach the body: it bounds-checks the range and verifies
 * the checksum of each block it touches the first time (an atomic flag per
 * block, so concurrent readers at worst verify a block twice). */
#include "symbols/isf_flat.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <xxhash.h>

const struct isf_flat_header *isf_flat_header(const uint8_t *flat, size_t len)
{
    const struct isf_flat_header *h = (const void *)flat;
    if (!flat || len < sizeof *h + S_COUNT * sizeof(struct isf_flat_section) ||
        ((uintptr_t)flat & 7) || memcmp(h->magic, ISF_FLAT_MAGIC, sizeof h->magic) != 0 ||
        h->version != ISF_FLAT_VERSION || h->endian != ISF_FLAT_ENDIAN ||
        h->nsections != S_COUNT || h->block_size != ISF_FLAT_BLOCK || h->file_size != len)
        return NULL;
    return h;
}

uint32_t isf_flat_name_hash(const char *name)
{
    return (uint32_t)XXH3_64bits(name, strlen(name));
}

static scry_status bad(const char *what) { return scry_err(SCRY_ERR_CORRUPT, "%s", what); }

scry_status isf_flat_open(const uint8_t *flat, size_t len, int trusted, uint8_t *owned, void *map,
                          struct scry_symtab **out)
{
    const struct isf_flat_header *h = isf_flat_header(flat, len);
    struct isf_flat_section sec[S_COUNT];
    if (!h)
        return bad("not a compiled symbol table of this version");
    memcpy(sec, flat + sizeof *h, sizeof sec);
    uint64_t at = sizeof *h + sizeof sec, body = at;
    for (int s = 0; s < S_COUNT; s++) {
        uint64_t rs = isf_flat_recsize[s];
        if (sec[s].offset & 7 || sec[s].offset < at || sec[s].offset > len ||
            sec[s].size > len - sec[s].offset || sec[s].size % rs)
            return bad("compiled symbol table: a section is out of bounds");
        if (s >= S_HUTYPE && s <= S_HCDATA && sec[s].size &&
            ((sec[s].size / 4) & (sec[s].size / 4 - 1)))
            return bad("compiled symbol table: a hash index is not a power of two");
        if (s != S_STR && s != S_BYTES && sec[s].size / rs >= ISF_NONE)
            return bad("compiled symbol table: a section has too many records");
        at = sec[s].offset + sec[s].size;
    }
    uint64_t covered = sec[S_BLOCKSUM].offset - body;
    size_t nblocks = (size_t)((covered + ISF_FLAT_BLOCK - 1) / ISF_FLAT_BLOCK);
    if (sec[S_BLOCKSUM].size != (uint64_t)nblocks * 8 || at != len)
        return bad("compiled symbol table: the block checksums do not cover the table");
    XXH3_state_t *x = XXH3_createState();
    if (!x)
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    struct isf_flat_header hz = *h;
    hz.header_hash = 0;
    XXH3_64bits_reset(x);
    XXH3_64bits_update(x, &hz, sizeof hz);
    XXH3_64bits_update(x, sec, sizeof sec);
    XXH3_64bits_update(x, flat + sec[S_BLOCKSUM].offset, sec[S_BLOCKSUM].size);
    uint64_t hh = XXH3_64bits_digest(x);
    XXH3_freeState(x);
    if (hh != h->header_hash)
        return bad("compiled symbol table: header checksum mismatch");

    struct scry_symtab *st = calloc(1, sizeof *st);
    if (!st || !(st->verified = calloc(nblocks ? nblocks : 1, 1))) {
        free(st);
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    }
    st->base = flat;
    st->size = len;
    st->owned = owned;
    st->map = map;
    memcpy(st->sec, sec, sizeof sec);
    st->blocksum = (const uint64_t *)(flat + sec[S_BLOCKSUM].offset);
    st->body = (size_t)body;
    st->nblocks = nblocks;
    if (trusted)
        for (size_t i = 0; i < nblocks; i++)
            atomic_init(&st->verified[i], 1);
    memcpy(st->format, h->format, sizeof st->format);
    st->format[sizeof st->format - 1] = '\0';
    *out = st;
    return SCRY_OK;
}

static int verify_block(const struct scry_symtab *st, size_t b)
{
    if (atomic_load_explicit(&st->verified[b], memory_order_acquire))
        return 1;
    size_t from = st->body + b * ISF_FLAT_BLOCK;
    size_t end = (size_t)st->sec[S_BLOCKSUM].offset, n = end - from;
    if (n > ISF_FLAT_BLOCK)
        n = ISF_FLAT_BLOCK;
    if (XXH3_64bits(st->base + from, n) != st->blocksum[b]) {
        /* The table is shared and otherwise immutable; the flag is the one
         * thing a reader records. */
        atomic_store(&((struct scry_symtab *)st)->damaged, 1);
        return 0;
    }
    atomic_store_explicit(&st->verified[b], 1, memory_order_release);
    return 1;
}

const void *isf_flat_get(const struct scry_symtab *st, uint64_t off, uint64_t len)
{
    uint64_t end = st->sec[S_BLOCKSUM].offset;
    if (off < st->body || off > end || len > end - off) {
        scry_err(SCRY_ERR_CORRUPT, "compiled symbol table%s%s: a reference points outside it",
                 st->origin ? " " : "", st->origin ? st->origin : "");
        return NULL;
    }
    if (len) {
        size_t first = (size_t)((off - st->body) / ISF_FLAT_BLOCK);
        size_t last = (size_t)((off + len - 1 - st->body) / ISF_FLAT_BLOCK);
        for (size_t b = first; b <= last; b++) {
            if (!verify_block(st, b)) {
                scry_err(SCRY_ERR_CORRUPT,
                         "compiled symbol table%s%s is damaged (block %zu fails its checksum)",
                         st->origin ? " " : "", st->origin ? st->origin : "", b);
                return NULL;
            }
        }
    }
    return st->base + off;
}

void scry_isf_free(struct scry_symtab *st)
{
    if (!st)
        return;
    if (st->map)
        munmap(st->map, st->size);
    free(st->owned);
    free(st->verified);
    free(st->origin);
    free(st);
}

int scry_sym_damaged(const struct scry_symtab *st) { return st && atomic_load(&st->damaged); }

size_t scry_sym_bytes(const struct scry_symtab *st) { return st ? st->size : 0; }

const char *scry_sym_format_version(const struct scry_symtab *st) { return st ? st->format : ""; }
