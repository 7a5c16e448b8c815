/* windows_pe.c - a PE image in memory written out as Volatility's
 * IMAGE_DOS_HEADER.reconstruct() writes it (symbols/windows/extensions/pe.py):
 *
 *   1. the DOS and NT headers are checked (e_magic "MZ", Signature "PE");
 *      Machine 0x8664 selects the PE32+ optional header;
 *   2. SizeOfImage bytes from the base are written at file offset 0,
 *      unmapped pages as zeros, with OptionalHeader.ImageBase replaced by
 *      the base the image was read at (the slice arithmetic of Python is
 *      kept, so an ImageBase field outside the image grows the data);
 *   3. each section header (NumberOfSections of them, after the optional
 *      header) is rewritten at its own file offset with PointerToRawData =
 *      VirtualAddress and SizeOfRawData = VirtualSize = VirtualSize rounded
 *      up to SectionAlignment; a section whose VirtualAddress, VirtualSize
 *      or SizeOfRawData exceeds SizeOfImage ends the dump (what was written
 *      stays, as Volatility's file handler keeps it).
 *
 * The file is created first, so a PE that cannot be rebuilt still leaves
 * a (possibly empty) file, as Volatility's does. */
#include "lib/walk/windows_pe.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/base/error.h"
#include "lib/base/utf8.h"
#include "lib/os/windows.h"
#include "lib/walk/windows_walk.h"

scry_status scry_safe_file_name(const char *name, char *out, size_t cap);

/* Volatility's constants.windows.PE_MAX_EXTRACTION_SIZE */
#define PE_MAX_EXTRACTION (256ull << 20)
#define SECT_HDR 40
#define CHUNK (1u << 20)

struct pe_out {
    int fd;
    const char *name;
    uint64_t written; /* bytes written past offset 0, for the bound */
};

static scry_status put(struct pe_out *o, uint64_t off, const void *buf, size_t len)
{
    if (off > SCRY_WIN_PE_MAX || len > SCRY_WIN_PE_MAX - off)
        return scry_err(SCRY_ERR_LIMIT, "%s: a write at offset 0x%" PRIx64
                        " lies past the %llu MiB bound on a PE dump", o->name, off,
                        (unsigned long long)(SCRY_WIN_PE_MAX >> 20));
    const uint8_t *p = buf;
    while (len) {
        ssize_t n = pwrite(o->fd, p, len, (off_t)off);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return scry_err(SCRY_ERR_IO, "%s: cannot write: %s", o->name, strerror(errno));
        }
        p += n;
        off += (uint64_t)n;
        len -= (size_t)n;
    }
    return SCRY_OK;
}

/* Copies image bytes [from, to) (offsets from base, padded with zeros
 * where unmapped) to file offset dst. */
static scry_status copy(struct pe_out *o, struct scry_vspace *vs, uint64_t base, uint64_t from,
                        uint64_t to, uint64_t dst, uint8_t *buf, struct scry_op *op)
{
    while (from < to) {
        size_t n = to - from < CHUNK ? (size_t)(to - from) : CHUNK;
        scry_status st = scry_vspace_read_pad(vs, scry_win_canon(base + from), buf, n, NULL);
        if (st != SCRY_OK)
            return st;
        if ((st = put(o, dst, buf, n)) != SCRY_OK)
            return st;
        if (op && scry_op_tick(op, from + n, to))
            return scry_op_cancelled();
        from += n;
        dst += n;
    }
    return SCRY_OK;
}

static uint64_t le(const uint8_t *b, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)b[i] << (8 * i);
    return v;
}

static void put_le(uint8_t *b, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        b[i] = (uint8_t)(v >> (8 * i));
}

/* Python's clamping of a slice index into [0, len]. */
static uint64_t py_index(int64_t i, uint64_t len)
{
    if (i < 0) {
        i += (int64_t)len;
        return i < 0 ? 0 : (uint64_t)i;
    }
    return (uint64_t)i > len ? len : (uint64_t)i;
}

static scry_status rd(struct scry_vspace *vs, uint64_t va, void *buf, size_t len, const char *what)
{
    scry_status st = scry_vspace_read(vs, scry_win_canon(va), buf, len);
    if (st != SCRY_OK)
        return scry_err_ctx(st, "PE at the dump's base: %s cannot be read", what);
    return SCRY_OK;
}

static scry_status reconstruct(struct pe_out *o, struct scry_vspace *vs, uint64_t base,
                               struct scry_op *op)
{
    uint8_t dos[64], nt[24 + 64], sect[SECT_HDR];
    scry_status st;
    if ((st = rd(vs, base, dos, 2, "e_magic")) != SCRY_OK)
        return st;
    if (le(dos, 2) != 0x5a4d)
        return scry_err(SCRY_ERR_CORRUPT, "e_magic %04" PRIX64 " is not a valid DOS signature.",
                        le(dos, 2));
    if ((st = rd(vs, base + 0x3c, dos + 0x3c, 4, "e_lfanew")) != SCRY_OK)
        return st;
    int64_t lfanew = (int32_t)le(dos + 0x3c, 4);
    uint64_t nth = base + (uint64_t)lfanew;
    if ((st = rd(vs, nth, nt, 4, "the NT header")) != SCRY_OK)
        return st;
    if (le(nt, 4) != 0x4550)
        return scry_err(SCRY_ERR_CORRUPT, "NT header signature %04" PRIX64 " is not a valid",
                        le(nt, 4));
    if ((st = rd(vs, nth + 4, nt + 4, 20, "the file header")) != SCRY_OK)
        return st;
    int pe64 = le(nt + 4, 2) == 34404;
    uint64_t opt = nth + 24;
    uint8_t f[4];
    if ((st = rd(vs, opt + 32, f, 4, "SectionAlignment")) != SCRY_OK)
        return st;
    uint64_t align = le(f, 4);
    if ((st = rd(vs, opt + 56, f, 4, "SizeOfImage")) != SCRY_OK)
        return st;
    uint64_t soi = le(f, 4);
    if (soi > PE_MAX_EXTRACTION)
        return scry_err(SCRY_ERR_CORRUPT, "The claimed SizeOfImage is too large: %" PRIu64, soi);
    /* fix_image_base: raw[:a] + ImageBase + raw[b:] */
    unsigned ib_size = pe64 ? 8 : 4;
    int64_t ib_off = lfanew + 24 + (pe64 ? 24 : 28);
    uint8_t newval[8];
    int fixed = 1;
    if (!pe64 && scry_win_mask(base) > 0xffffffffull)
        fixed = 0; /* OverflowError: Volatility warns and keeps the data */
    put_le(newval, scry_win_mask(base), ib_size);
    uint8_t *buf = malloc(CHUNK);
    if (!buf)
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    if (fixed) {
        uint64_t a = py_index(ib_off, soi), b = py_index(ib_off + ib_size, soi);
        if ((st = copy(o, vs, base, 0, a, 0, buf, op)) == SCRY_OK &&
            (st = put(o, a, newval, ib_size)) == SCRY_OK)
            st = copy(o, vs, base, b, soi, a + ib_size, buf, op);
    } else {
        st = copy(o, vs, base, 0, soi, 0, buf, op);
    }
    free(buf);
    if (st != SCRY_OK)
        return st;
    /* The section headers. */
    uint64_t nsect = le(nt + 4 + 2, 2), opt_size = le(nt + 4 + 16, 2);
    int64_t start = lfanew + 24 + (int64_t)opt_size; /* file offset of the first */
    for (uint64_t i = 0; i < nsect; i++) {
        uint64_t va = base + (uint64_t)start + i * SECT_HDR;
        if ((st = rd(vs, va + 12, f, 4, "a section's VirtualAddress")) != SCRY_OK)
            return st;
        uint64_t vaddr = le(f, 4);
        if (vaddr > soi)
            return scry_err(SCRY_ERR_CORRUPT, "Section VirtualAddress is too large: %" PRIu64, vaddr);
        if ((st = rd(vs, va + 8, f, 4, "a section's VirtualSize")) != SCRY_OK)
            return st;
        uint64_t vsize = le(f, 4);
        if (vsize > soi)
            return scry_err(SCRY_ERR_CORRUPT, "Section VirtualSize is too large: %" PRIu64, vsize);
        if ((st = rd(vs, va + 16, f, 4, "a section's SizeOfRawData")) != SCRY_OK)
            return st;
        if (le(f, 4) > soi)
            return scry_err(SCRY_ERR_CORRUPT, "Section SizeOfRawData is too large: %" PRIu64,
                            le(f, 4));
        if (!align) /* conversion.round divides by it */
            return scry_err(SCRY_ERR_CORRUPT, "SectionAlignment is 0");
        uint64_t ssize = vsize % align ? vsize + (align - vsize % align) : vsize;
        if ((st = rd(vs, va, sect, SECT_HDR, "a section header")) != SCRY_OK)
            return st;
        if (ssize > 0xffffffffull)
            return scry_err(SCRY_ERR_CORRUPT, "section size 0x%" PRIx64 " overflows", ssize);
        put_le(sect + 20, vaddr, 4);
        put_le(sect + 16, ssize, 4);
        put_le(sect + 8, ssize, 4);
        if (start < 0)
            return scry_err(SCRY_ERR_CORRUPT, "section headers at a negative file offset");
        if ((st = put(o, (uint64_t)start + i * SECT_HDR, sect, SECT_HDR)) != SCRY_OK)
            return st;
    }
    return SCRY_OK;
}

/* Creates dir/name, or dir/stem-N.ext when it exists (Volatility's
 * CLIFileHandler), never following a symlink. */
static scry_status create(const char *dir, const char *safe, int *fd, char **written)
{
    const char *dot = strrchr(safe, '.');
    size_t stem = dot && dot != safe ? (size_t)(dot - safe) : strlen(safe);
    for (unsigned k = 0; k < 100000; k++) {
        char name[300], path[4400];
        if (k)
            snprintf(name, sizeof name, "%.*s-%u%s", (int)stem, safe, k, safe + stem);
        else
            snprintf(name, sizeof name, "%s", safe);
        if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path)
            return scry_err(SCRY_ERR_INVALID_ARG, "%s: output directory path too long", dir);
        int f = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (f >= 0) {
            *fd = f;
            if (!(*written = strdup(name))) {
                close(f);
                return scry_err(SCRY_ERR_NOMEM, "out of memory");
            }
            return SCRY_OK;
        }
        if (errno != EEXIST)
            return scry_err(SCRY_ERR_IO, "%s: cannot create: %s", path, strerror(errno));
    }
    return scry_err(SCRY_ERR_IO, "%s/%s: too many files of that name", dir, safe);
}

static scry_status pe_dump(struct scry_vspace *vs, uint64_t base, const char *dir,
                           const char *name, struct scry_op *op, char **written, int *created)
{
    char safe[256];
    char *out = NULL;
    int fd = -1;
    if (written)
        *written = NULL;
    if (!vs || !dir || !name)
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_win_pe_dump: NULL argument");
    scry_status st = scry_safe_file_name(name, safe, sizeof safe);
    if (st == SCRY_OK)
        st = create(dir, safe, &fd, &out);
    if (st != SCRY_OK)
        return st;
    if (created)
        *created = 1;
    struct pe_out o = {.fd = fd, .name = out};
    st = reconstruct(&o, vs, scry_win_mask(base), op);
    if (close(fd) != 0 && st == SCRY_OK)
        st = scry_err(SCRY_ERR_IO, "%s: cannot write: %s", out, strerror(errno));
    if (st != SCRY_OK) {
        st = scry_err_ctx(st, "%s", out);
        free(out);
        return st;
    }
    if (written)
        *written = out;
    else
        free(out);
    return SCRY_OK;
}

scry_status scry_win_pe_dump(struct scry_vspace *vs, uint64_t base, const char *dir,
                             const char *name, struct scry_op *op, char **written)
{
    return pe_dump(vs, base, dir, name, op, written, NULL);
}

/* FileHandlerInterface.sanitize_filename: every character outside the
 * whitelist (a UTF-8 sequence counts as one) becomes '?'. */
static void sanitize(const char *in, char *out, size_t cap)
{
    static const char allowed[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                                  ".- ()[]{}!$%^:#~?<>,|";
    size_t n = 0;
    const unsigned char *p = (const unsigned char *)in;
    while (*p && n + 1 < cap) {
        if (*p < 0x80) {
            out[n++] = strchr(allowed, *p) ? (char)*p : '?';
            p++;
            continue;
        }
        out[n++] = '?';
        p++;
        while ((*p & 0xc0) == 0x80)
            p++;
    }
    out[n] = '\0';
}

scry_status scry_win_process_dump(const struct scry_windows *w, struct scry_vspace *ks,
                                  const struct scry_win_proc *p, const char *dir,
                                  struct scry_op *op, char **file)
{
    const struct scry_win_off *o = &w->off;
    struct scry_vspace pvs;
    uint64_t image_base;
    *file = NULL;
    (void)ks;
    uint64_t nlen = o->ep_name_size < 15 ? o->ep_name_size : 15;
    if (!dir)
        return scry_err(SCRY_ERR_INVALID_ARG, "no output directory");
    if (!scry_win_proc_ok(p, o->ep_pid, 8) || !scry_win_proc_ok(p, o->ep_dtb, 8) ||
        !scry_win_proc_ok(p, o->ep_peb, 8) || !scry_win_proc_ok(p, o->ep_name, nlen)) {
        scry_op_say(op, SCRY_DIAG_INFO, SCRY_ERR_NODATA,
                    "Unable to dump PE of the process at 0x%" PRIx64 ": its record is unreadable",
                    p->va);
        return SCRY_OK;
    }
    uint64_t pid = scry_win_u64(p->b, o->ep_pid), peb = scry_win_u64(p->b, o->ep_peb);
    scry_status st = scry_win_process_space(w, scry_win_u64(p->b, o->ep_dtb), &pvs);
    if (st == SCRY_OK)
        st = scry_vspace_read_u64(&pvs, scry_win_canon(peb + o->peb_image_base), &image_base);
    if (st != SCRY_OK) {
        scry_op_report(op, SCRY_DIAG_INFO, st, "Unable to dump PE with pid %" PRIu64, pid);
        return SCRY_OK;
    }
    image_base = scry_win_mask(image_base);
    char pname[64], raw[80], name[160];
    size_t n = 0;
    while (n < nlen && p->b[o->ep_name + n])
        n++;
    scry_utf8_replace(p->b + o->ep_name, n, pname);
    snprintf(raw, sizeof raw, "%" PRIu64 ".", pid);
    size_t rl = strlen(raw);
    char full[200];
    snprintf(full, sizeof full, "%s%s.0x%" PRIx64 ".dmp", raw, pname, image_base);
    (void)rl;
    sanitize(full, name, sizeof name);
    char *written = NULL;
    int created = 0;
    st = pe_dump(&pvs, image_base, dir, name, op, &written, &created);
    free(written);
    if (st == SCRY_ERR_NOMEM || st == SCRY_ERR_CANCELLED)
        return st;
    if (st != SCRY_OK)
        scry_op_report(op, SCRY_DIAG_INFO, st, "Unable to dump PE with pid %" PRIu64, pid);
    if (!created)
        return SCRY_OK;
    if (!(*file = strdup(name)))
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    return SCRY_OK;
}
