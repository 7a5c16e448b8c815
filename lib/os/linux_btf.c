/* linux_btf.c - the kernel's BTF in physical memory (see linux_btf.h). */
#include "lib/os/linux_btf.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/phys/scan.h"
#include "symbols/btf_check.h"

#define HDR_MIN 24u
#define HDR_MAX 256u
#define REC 12u

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Bytes after a type's 12-byte record: fixed, or per vlen entry (BTF's
 * kinds; the blob is checked before this is used, so every kind is known). */
static const struct {
    uint8_t fixed, per_vlen;
} kind_extra[SCRY_BTF_KIND_MAX] = {
    [SCRY_BTF_INT] = {4, 0},     [SCRY_BTF_ARRAY] = {12, 0},   [SCRY_BTF_STRUCT] = {0, 12},
    [SCRY_BTF_UNION] = {0, 12},  [SCRY_BTF_ENUM] = {0, 8},     [SCRY_BTF_FUNC_PROTO] = {0, 8},
    [SCRY_BTF_VAR] = {4, 0},     [SCRY_BTF_DATASEC] = {0, 12}, [SCRY_BTF_DECL_TAG] = {4, 0},
    [SCRY_BTF_ENUM64] = {0, 12},
};

scry_status scry_linux_btf_validate(const uint8_t *blob, size_t len, const char *name)
{
    scry_status st = scry_btf_check(blob, len, NULL);
    if (st != SCRY_OK)
        return st;
    /* Checked: the sections lie inside the blob, every record and name
     * offset inside its section, the strings end with a NUL. */
    uint32_t hdr = le32(blob + 4), toff = le32(blob + 8), tlen = le32(blob + 12);
    uint32_t soff = le32(blob + 16), slen = le32(blob + 20);
    const uint8_t *types = blob + hdr + toff;
    const char *strs = (const char *)blob + hdr + soff;
    size_t nlen = strlen(name) + 1;
    for (size_t off = 0; off < tlen;) {
        uint32_t nm = le32(types + off), info = le32(types + off + 4);
        unsigned kind = (info >> 24) & 0x1f, vlen = info & 0xffff;
        if (kind == SCRY_BTF_STRUCT && vlen && nm < slen && slen - nm >= nlen &&
            memcmp(strs + nm, name, nlen) == 0)
            return SCRY_OK;
        off += REC + kind_extra[kind].fixed + (size_t)kind_extra[kind].per_vlen * vlen;
    }
    return scry_err(SCRY_ERR_NOT_FOUND, "BTF: no struct %s", name);
}

/* The blob's whole length from its header, or 0 when the header is not a
 * plausible vmlinux BTF header. */
static size_t header_len(const uint8_t h[HDR_MIN])
{
    if (h[0] != 0x9f || h[1] != 0xeb || h[2] != 1 || h[3] != 0)
        return 0;
    uint64_t hdr = le32(h + 4), toff = le32(h + 8), tlen = le32(h + 12);
    uint64_t soff = le32(h + 16), slen = le32(h + 20);
    if (hdr < HDR_MIN || hdr > HDR_MAX || hdr % 4 || toff % 4 || tlen < REC || slen < 2)
        return 0;
    uint64_t end = toff + tlen > soff + slen ? toff + tlen : soff + slen;
    if (hdr + end > SCRY_LINUX_BTF_MAX)
        return 0;
    return (size_t)(hdr + end);
}

struct find {
    struct scry_phys *p;
    const struct scry_linux_btf_where *expect; /* tried already: the scan skips them */
    size_t nexpect;
    struct scry_linux_btf *out;
    unsigned tries;
    int stopped;        /* the bounds ended the scan */
    uint64_t read_left; /* bytes all candidates may still read whole */
    scry_status fatal;
    char first_refusal[256];
};

/* Reads [pa, pa+len) whole and validates it; SCRY_OK keeps it in f->out. */
static scry_status try_at(struct find *f, uint64_t pa, size_t len)
{
    size_t holes = 0;
    uint8_t *b = malloc(len);
    scry_status st;
    if (!b)
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    st = scry_phys_read(f->p, pa, b, len, &holes);
    if (st == SCRY_OK && holes)
        st = scry_err(SCRY_ERR_NODATA, "BTF at physical 0x%" PRIx64 ": %zu bytes of its %zu "
                      "are not in the dump", pa, holes, len);
    if (st == SCRY_OK && (st = scry_linux_btf_validate(b, len, "task_struct")) != SCRY_OK)
        scry_err_ctx(st, "BTF at physical 0x%" PRIx64, pa);
    if (st != SCRY_OK) {
        free(b);
        return st;
    }
    f->out->blob = b;
    f->out->len = len;
    f->out->pa = pa;
    return SCRY_OK;
}

static void refused(struct find *f, scry_status st)
{
    if (st == SCRY_ERR_NOMEM || st == SCRY_ERR_CANCELLED)
        f->fatal = st;
    else if (!f->first_refusal[0])
        snprintf(f->first_refusal, sizeof f->first_refusal, "%s", scry_last_error());
}

static int on_magic(void *user, uint64_t pa)
{
    struct find *f = user;
    uint8_t h[HDR_MIN];
    size_t holes = 0, len;
    if (scry_phys_read(f->p, pa, h, sizeof h, &holes) != SCRY_OK || holes ||
        !(len = header_len(h)))
        return 0;
    for (size_t i = 0; i < f->nexpect; i++)
        if (f->expect[i].pa == pa && f->expect[i].len == len)
            return 0;
    if (f->tries >= SCRY_LINUX_BTF_TRIES || len > f->read_left) {
        f->stopped = 1;
        return 1;
    }
    f->tries++;
    f->read_left -= len;
    scry_status st = try_at(f, pa, len);
    if (st == SCRY_OK)
        return 1;
    refused(f, st);
    return f->fatal != SCRY_OK;
}

scry_status scry_linux_btf_find(struct scry_phys *p, struct scry_op *op,
                                const struct scry_linux_btf_where *expect, size_t nexpect,
                                struct scry_linux_btf *out)
{
    static const uint8_t magic[4] = {0x9f, 0xeb, 0x01, 0x00};
    struct find f = {.p = p, .expect = expect, .nexpect = nexpect, .out = out,
                     .read_left = SCRY_LINUX_BTF_READ_MAX};
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < nexpect && f.tries < SCRY_LINUX_BTF_TRIES; i++) {
        uint8_t h[HDR_MIN];
        size_t holes = 0;
        if (scry_phys_read(p, expect[i].pa, h, sizeof h, &holes) != SCRY_OK || holes ||
            header_len(h) != expect[i].len)
            continue;
        f.tries++;
        scry_status st = try_at(&f, expect[i].pa, (size_t)expect[i].len);
        if (st == SCRY_OK) {
            out->mapped = 1;
            return SCRY_OK;
        }
        refused(&f, st);
        if (f.fatal)
            return st;
    }
    scry_status st = scry_scan_phys(p, op, magic, sizeof magic, on_magic, &f);
    if (st == SCRY_OK && f.fatal)
        st = f.fatal == SCRY_ERR_NOMEM ? scry_err(SCRY_ERR_NOMEM, "out of memory") : f.fatal;
    if (st != SCRY_OK) {
        scry_linux_btf_free(out);
        return st;
    }
    if (out->blob)
        return SCRY_OK;
    if (f.first_refusal[0])
        return scry_err(SCRY_ERR_NOT_FOUND, "no kernel BTF in physical memory (%u candidate "
                        "header%s refused%s; the first: %s)", f.tries, f.tries == 1 ? "" : "s",
                        f.stopped ? ", then the scan stopped at its bound" : "",
                        f.first_refusal);
    return scry_err(SCRY_ERR_NOT_FOUND, "no kernel BTF in physical memory (a kernel built "
                    "without CONFIG_DEBUG_INFO_BTF?)");
}

void scry_linux_btf_free(struct scry_linux_btf *b)
{
    if (!b)
        return;
    free(b->blob);
    memset(b, 0, sizeof *b);
}
