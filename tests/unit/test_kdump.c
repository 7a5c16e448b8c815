/* test_kdump.c - the kdump-compressed and flattened readers.
 *
 * Every kdump-peer file is checked page by page against its .expect.json;
 * synthetic images cover what the peer generator cannot produce; the real
 * dev-small dumps (when present) are compared with the raw image of the same
 * machine. */
#include <check.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "formats/kdump.h"
#include "lib/base/budget.h"
#include "lib/base/pagecache.h"
#include "formats/phys.h"
#include "testutil.h"

#define PG 4096u

static const char *const peer_files[] = {
    "raw.kdump",        "zlib.kdump",     "lzo.kdump",          "snappy.kdump",
    "zstd.kdump",       "mixed.kdump",    "flat-mixed.kdump",   "excluded.kdump",
    "v6-vmcoreinfo.kdump", "edge-sizes.kdump", "s390x-zlib.kdump", "ia32-lzo.kdump",
    "truncated.kdump",  "bad-pd.kdump",
};
enum { NPEER = sizeof peer_files / sizeof peer_files[0] };

/* ---------------------------------------------------------------- helpers */

static scry_status open_with(const struct scry_format *fmt, struct scry_file *f,
                             struct scry_phys **out)
{
    scry_status st = fmt->open(f, out);
    if (st != SCRY_OK)
        scry_file_close(f);
    return st;
}

/* Opens a kdump file (plain or flattened) whose caches charge budget. */
static scry_status open_path_budget(const char *path, struct scry_budget *budget,
                                    struct scry_phys **out)
{
    struct scry_file *f;
    scry_status st = scry_file_open(path, &f);
    const struct scry_format *fmt;
    if (st != SCRY_OK)
        return st;
    f->budget = budget;
    fmt = scry_format_kdump_flat.probe(f->map, f->size < 4096 ? f->size : 4096, f->size)
              ? &scry_format_kdump_flat
              : &scry_format_kdump;
    return open_with(fmt, f, out);
}

static scry_status open_path(const char *path, struct scry_phys **out)
{
    return open_path_budget(path, NULL, out);
}

static int is_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return 0;
    return 1;
}

static uint64_t hexnum(const char *s) { return strtoull(s, NULL, 16); }

static int in_runs(const struct scry_phys *p, uint64_t pfn)
{
    uint64_t pa = pfn * PG;
    for (size_t i = 0; i < p->nruns; i++)
        if (pa >= p->runs[i].start && pa - p->runs[i].start < p->runs[i].len)
            return 1;
    return 0;
}

static json_t *load_expect(const char *corpus, const char *name)
{
    char path[4096];
    json_error_t err;
    json_t *j;
    snprintf(path, sizeof path, "%s/kdump-peer/%s.expect.json", corpus, name);
    j = json_load_file(path, JSON_ALLOW_NUL, &err);
    ck_assert_msg(j != NULL, "%s: %s", path, err.text);
    return j;
}

/* --------------------------------------------------- kdump-peer, per file */

START_TEST(peer_file)
{
    const char *name = peer_files[_i];
    const char *corpus = tu_corpus_dir(name);
    char path[4096], hex[65];
    json_t *ex, *file, *hdr, *pages, *v;
    struct scry_phys *p = NULL;
    uint64_t max_mapnr;
    uint8_t *state, page[PG], *all;
    size_t idx, holes, npresent = 0, all_len = 0;
    scry_status st;
    if (!corpus)
        return;
    ex = load_expect(corpus, name);
    file = json_array_get(json_object_get(ex, "files"), 0);
    hdr = json_object_get(file, "header");
    pages = json_object_get(file, "pages_in_file");
    max_mapnr = (uint64_t)json_integer_value(json_object_get(hdr, "max_mapnr"));

    snprintf(path, sizeof path, "%s/kdump-peer/%s", corpus, name);
    st = open_path(path, &p);
    ck_assert_msg(st == SCRY_OK, "%s: %s", name, scry_last_error());
    ck_assert_str_eq(p->info.format, json_object_get(file, "flattened") ? "kdump-flat" : "kdump");
    v = json_object_get(hdr, "utsname");
    ck_assert_str_eq(p->info.release, json_string_value(json_object_get(v, "release")));
    ck_assert_str_eq(p->info.machine, json_string_value(json_object_get(v, "machine")));

    /* VMCOREINFO: exactly the blob when there is one, else none. */
    v = json_object_get(json_object_get(file, "blobs"), "vmcoreinfo");
    if (v) {
        const char *text = json_string_value(json_object_get(v, "text"));
        ck_assert_ptr_nonnull(p->info.vmcoreinfo);
        ck_assert_str_eq(p->info.vmcoreinfo, text);
        ck_assert_uint_eq(p->info.vmcoreinfo_len, strlen(text));
    } else {
        ck_assert_ptr_null(p->info.vmcoreinfo);
    }

    /* state: 0 absent, 1 ok, 2 error. */
    state = calloc(max_mapnr + 1, 1);
    json_array_foreach(pages, idx, v) {
        uint64_t pfn = hexnum(json_string_value(json_object_get(v, "pfn")));
        ck_assert_uint_lt(pfn, max_mapnr);
        state[pfn] = strcmp(json_string_value(json_object_get(v, "expect")), "ok") == 0 ? 1 : 2;
        /* Every page with a descriptor is present, readable or not. */
        ck_assert_msg(in_runs(p, pfn), "%s: PFN 0x%llx not in a run", name,
                      (unsigned long long)pfn);
    }
    for (uint64_t pfn = 0; pfn < max_mapnr; pfn++)
        if (!state[pfn])
            ck_assert_msg(!in_runs(p, pfn), "%s: absent PFN 0x%llx in a run", name,
                          (unsigned long long)pfn);
    for (size_t i = 1; i < p->nruns; i++)
        ck_assert_uint_gt(p->runs[i].start, p->runs[i - 1].start + p->runs[i - 1].len - 1);

    all = malloc((max_mapnr + 1) * PG);
    for (uint64_t pfn = 0; pfn < max_mapnr; pfn++) {
        memset(page, 0x5a, sizeof page);
        holes = 12345;
        st = scry_phys_read(p, pfn * PG, page, PG, &holes);
        if (state[pfn] == 2) {
            char want[64];
            ck_assert_msg(st == SCRY_ERR_CORRUPT, "%s: PFN 0x%llx: status %d", name,
                          (unsigned long long)pfn, st);
            snprintf(want, sizeof want, "PFN 0x%llx:", (unsigned long long)pfn);
            ck_assert_msg(strstr(scry_last_error(), want), "%s: message '%s' lacks '%s'", name,
                          scry_last_error(), want);
            continue;
        }
        ck_assert_msg(st == SCRY_OK, "%s: PFN 0x%llx: %s", name, (unsigned long long)pfn,
                      scry_last_error());
        if (state[pfn] == 0) {
            ck_assert_uint_eq(holes, PG);
            ck_assert(is_zero(page, PG));
        } else {
            ck_assert_uint_eq(holes, 0);
            memcpy(all + all_len, page, PG);
            all_len += PG;
            npresent++;
        }
    }
    /* Pages decoded in PFN order hash to the file's present_run_sha256;
     * this also proves each expected sha256 (they were cross-checked). */
    tu_sha256_hex(all, all_len, hex);
    ck_assert_str_eq(hex, json_string_value(json_object_get(ex, "present_run_sha256")));
    ck_assert_uint_eq(npresent, json_array_size(json_object_get(ex, "present_pfns")));
    json_array_foreach(pages, idx, v) {
        uint64_t pfn = hexnum(json_string_value(json_object_get(v, "pfn")));
        if (state[pfn] != 1)
            continue;
        /* Second read: served by the cache for compressed pages. */
        ck_assert_int_eq(scry_phys_read(p, pfn * PG, page, PG, NULL), SCRY_OK);
        tu_sha256_hex(page, PG, hex);
        ck_assert_str_eq(hex, json_string_value(json_object_get(v, "sha256")));
    }

    /* Past max_mapnr, and at the top of the address space: holes. */
    ck_assert_int_eq(scry_phys_read(p, max_mapnr * PG, page, PG, &holes), SCRY_OK);
    ck_assert_uint_eq(holes, PG);
    ck_assert_int_eq(scry_phys_read(p, UINT64_MAX - 99, page, 200, &holes), SCRY_OK);
    ck_assert_uint_eq(holes, 200);
    ck_assert(is_zero(page, 200));

    /* One read across every page at an odd offset gives the same bytes,
     * unless a corrupt page lies in the way (then it must fail). */
    {
        int has_error = 0;
        uint8_t *big = malloc(max_mapnr * PG), *ref = calloc(max_mapnr, PG);
        size_t want_holes = 0;
        for (uint64_t pfn = 0, k = 0; pfn < max_mapnr; pfn++) {
            has_error |= state[pfn] == 2;
            if (state[pfn] == 1)
                memcpy(ref + pfn * PG, all + PG * k++, PG);
            else
                want_holes += PG;
        }
        st = scry_phys_read(p, 100, big, max_mapnr * PG - 200, &holes);
        if (has_error) {
            ck_assert_int_eq(st, SCRY_ERR_CORRUPT);
        } else {
            ck_assert_int_eq(st, SCRY_OK);
            ck_assert(memcmp(big, ref + 100, max_mapnr * PG - 200) == 0);
            ck_assert_uint_le(holes, want_holes);
            ck_assert_uint_ge(holes + 200, want_holes);
        }
        free(big);
        free(ref);
    }
    free(all);
    free(state);
    scry_phys_close(p);
    json_decref(ex);
}
END_TEST

START_TEST(flat_equals_plain)
{
    const char *corpus = tu_corpus_dir("flat-mixed");
    char a[4096], b[4096];
    struct scry_phys *pa = NULL, *pb = NULL;
    uint8_t x[PG], y[PG];
    if (!corpus)
        return;
    snprintf(a, sizeof a, "%s/kdump-peer/mixed.kdump", corpus);
    snprintf(b, sizeof b, "%s/kdump-peer/flat-mixed.kdump", corpus);
    ck_assert_int_eq(open_path(a, &pa), SCRY_OK);
    ck_assert_int_eq(open_path(b, &pb), SCRY_OK);
    ck_assert_uint_eq(pa->nruns, pb->nruns);
    for (size_t i = 0; i < pa->nruns; i++) {
        ck_assert_uint_eq(pa->runs[i].start, pb->runs[i].start);
        ck_assert_uint_eq(pa->runs[i].len, pb->runs[i].len);
    }
    for (uint64_t pfn = 0; pfn < 0x20; pfn++) {
        size_t ha, hb;
        ck_assert_int_eq(scry_phys_read(pa, pfn * PG, x, PG, &ha), SCRY_OK);
        ck_assert_int_eq(scry_phys_read(pb, pfn * PG, y, PG, &hb), SCRY_OK);
        ck_assert_uint_eq(ha, hb);
        ck_assert(memcmp(x, y, PG) == 0);
    }
    scry_phys_close(pa);
    scry_phys_close(pb);
}
END_TEST

/* Each file of a split set opened alone: its own range decodes, the pages
 * the other files hold read as holes. */
START_TEST(split_alone)
{
    const char *corpus = tu_corpus_dir("split");
    json_t *ex;
    size_t fi;
    json_t *file;
    if (!corpus)
        return;
    ex = load_expect(corpus, "split.kdump");
    json_array_foreach(json_object_get(ex, "files"), fi, file) {
        char path[4096], hex[65];
        struct scry_phys *p = NULL;
        uint8_t page[PG];
        size_t i, holes;
        json_t *v;
        snprintf(path, sizeof path, "%s/kdump-peer/%s", corpus,
                 json_string_value(json_object_get(file, "file")));
        ck_assert_msg(open_path(path, &p) == SCRY_OK, "%s", scry_last_error());
        json_array_foreach(json_object_get(file, "pages_in_file"), i, v) {
            uint64_t pfn = hexnum(json_string_value(json_object_get(v, "pfn")));
            ck_assert_int_eq(scry_phys_read(p, pfn * PG, page, PG, &holes), SCRY_OK);
            ck_assert_uint_eq(holes, 0);
            tu_sha256_hex(page, PG, hex);
            ck_assert_str_eq(hex, json_string_value(json_object_get(v, "sha256")));
        }
        json_array_foreach(json_object_get(file, "pfns_in_other_split_files"), i, v) {
            uint64_t pfn = hexnum(json_string_value(v));
            ck_assert_int_eq(scry_phys_read(p, pfn * PG, page, PG, &holes), SCRY_OK);
            ck_assert_uint_eq(holes, PG);
        }
        scry_phys_close(p);
    }
    json_decref(ex);
}
END_TEST

/* The split.kdump set read as one dump: every PFN as the .expect.json
 * says, and one read across all three parts. */
static void check_split_set(struct scry_phys *p, json_t *ex)
{
    json_t *v;
    size_t i, holes, nok = 0;
    uint8_t *all = malloc(8 * PG), page[PG];
    char hex[65];
    for (uint64_t pfn = 0; pfn < 8; pfn++) {
        int present = 0;
        json_array_foreach(json_object_get(ex, "present_pfns"), i, v)
            present |= hexnum(json_string_value(v)) == pfn;
        ck_assert_int_eq(scry_phys_read(p, pfn * PG, page, PG, &holes), SCRY_OK);
        ck_assert_uint_eq(holes, present ? 0 : PG);
        if (present)
            memcpy(all + PG * nok++, page, PG);
        ck_assert_uint_eq(in_runs(p, pfn), present);
    }
    tu_sha256_hex(all, nok * PG, hex);
    ck_assert_str_eq(hex, json_string_value(json_object_get(ex, "present_run_sha256")));
    /* One read across all three parts. */
    {
        uint8_t *big = malloc(8 * PG);
        ck_assert_int_eq(scry_phys_read(p, 0, big, 8 * PG, &holes), SCRY_OK);
        ck_assert_uint_eq(holes, (8 - nok) * PG);
        free(big);
    }
    free(all);
}

/* The whole split set, given out of order, reads as one dump. */
START_TEST(split_set)
{
    const char *corpus = tu_corpus_dir("split set");
    static const char *const names[] = {"split.kdump.3", "split.kdump.1", "split.kdump.2"};
    struct scry_file *f[3];
    struct scry_phys *p = NULL;
    json_t *ex;
    size_t i;
    if (!corpus)
        return;
    ex = load_expect(corpus, "split.kdump");
    for (i = 0; i < 3; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/kdump-peer/%s", corpus, names[i]);
        ck_assert_int_eq(scry_file_open(path, &f[i]), SCRY_OK);
    }
    /* Two copies of one part overlap: refused, files stay ours. */
    {
        struct scry_file *dup[2] = {f[0], f[0]};
        ck_assert_int_eq(scry_kdump_open_set(dup, 2, &p), SCRY_ERR_CORRUPT);
        ck_assert_msg(strstr(scry_last_error(), "overlap"), "%s", scry_last_error());
    }
    ck_assert_msg(scry_kdump_open_set(f, 3, &p) == SCRY_OK, "%s", scry_last_error());
    check_split_set(p, ex);
    scry_phys_close(p);
    json_decref(ex);
}
END_TEST

START_TEST(probes)
{
    uint8_t kd[16] = "KDUMP   ", fl[16] = "makedumpfile", other[16] = "KDUMP  x";
    ck_assert(scry_format_kdump.probe(kd, 8, 8));
    ck_assert(!scry_format_kdump.probe(kd, 7, 7));
    ck_assert(!scry_format_kdump.probe(other, 16, 16));
    ck_assert(scry_format_kdump_flat.probe(fl, 16, 4096));
    ck_assert(!scry_format_kdump_flat.probe(fl, 12, 12));
    ck_assert(!scry_format_kdump_flat.probe(kd, 16, 16));
    ck_assert_str_eq(scry_format_kdump.name, "kdump");
    ck_assert_str_eq(scry_format_kdump_flat.name, "kdump-flat");
}
END_TEST

/* ------------------------------------------------------ synthetic images */

/* A tiny 64-bit little-endian v6 kdump: max_mapnr 8, PFN 0 raw (0x11
 * fill), PFN 1 zlib-flagged with data far outside the file, PFN 2 raw
 * (0x22 fill), PFN 3 dumped but its descriptor missing (the file ends after
 * three descriptors), PFN 4 in memory but excluded. The page data sits in
 * the unused part of a 3-block sub-header so the table can end the file. */
enum { SYN_BM1 = 4 * PG, SYN_BM2 = 5 * PG, SYN_PD = 6 * PG, SYN_SIZE = SYN_PD + 72 };

static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

static uint8_t *synth(size_t *len)
{
    uint8_t *b = calloc(1, SYN_SIZE);
    memcpy(b, "KDUMP   ", 8);
    put32(b + 8, 6);
    strcpy((char *)b + 12 + 2 * 65, "6.1.0-synthetic");
    strcpy((char *)b + 12 + 4 * 65, "x86_64");
    put32(b + 428, PG); /* block_size */
    put32(b + 432, 3);  /* sub_hdr_size */
    put32(b + 436, 2);  /* bitmap_blocks */
    put32(b + 440, 8);  /* max_mapnr */
    put64(b + PG + 96, 8);
    b[SYN_BM1] = 0x1f; /* in memory: 0..4 */
    b[SYN_BM2] = 0x0f; /* dumped: 0..3 */
    put64(b + SYN_PD, 2 * PG);
    put32(b + SYN_PD + 8, PG);
    put64(b + SYN_PD + 24, (uint64_t)1 << 40);
    put32(b + SYN_PD + 32, 100);
    put32(b + SYN_PD + 36, 1);
    put64(b + SYN_PD + 48, 3 * PG);
    put32(b + SYN_PD + 56, PG);
    memset(b + 2 * PG, 0x11, PG);
    memset(b + 3 * PG, 0x22, PG);
    *len = SYN_SIZE;
    return b;
}

static void check_synth(struct scry_phys *p)
{
    uint8_t page[PG];
    size_t holes;
    ck_assert_str_eq(p->info.release, "6.1.0-synthetic");
    ck_assert_uint_eq(p->nruns, 1);
    ck_assert_uint_eq(p->runs[0].start, 0);
    ck_assert_uint_eq(p->runs[0].len, 4 * PG);
    ck_assert_int_eq(scry_phys_read(p, 0, page, PG, &holes), SCRY_OK);
    ck_assert(page[0] == 0x11 && page[PG - 1] == 0x11 && holes == 0);
    ck_assert_int_eq(scry_phys_read(p, 1 * PG, page, PG, &holes), SCRY_ERR_CORRUPT);
    ck_assert_msg(strstr(scry_last_error(), "PFN 0x1: compressed data") &&
                      strstr(scry_last_error(), "past end of file"),
                  "%s", scry_last_error());
    ck_assert_int_eq(scry_phys_read(p, 2 * PG + 10, page, 20, &holes), SCRY_OK);
    ck_assert(page[0] == 0x22 && page[19] == 0x22 && holes == 0);
    ck_assert_int_eq(scry_phys_read(p, 3 * PG, page, PG, &holes), SCRY_ERR_CORRUPT);
    ck_assert_msg(strstr(scry_last_error(), "PFN 0x3: page descriptor"), "%s", scry_last_error());
    ck_assert_int_eq(scry_phys_read(p, 4 * PG, page, PG, &holes), SCRY_OK);
    ck_assert(holes == PG && is_zero(page, PG));
}

START_TEST(synthetic_bad_descriptor)
{
    size_t len;
    uint8_t *img = synth(&len);
    struct scry_file *f;
    struct scry_phys *p = NULL;
    ck_assert_int_eq(scry_file_from_memory(img, len, "syn.kdump", &f), SCRY_OK);
    ck_assert_msg(open_with(&scry_format_kdump, f, &p) == SCRY_OK, "%s", scry_last_error());
    check_synth(p);
    /* A raw page in the mapping is available zero-copy; others are not. */
    if (p->ops->direct) {
        ck_assert_ptr_nonnull(p->ops->direct(p, 8, 16));
        ck_assert_ptr_null(p->ops->direct(p, PG, 16));
        ck_assert_ptr_null(p->ops->direct(p, 4 * PG, 16));
    }
    scry_phys_close(p);
    free(img);
}
END_TEST

/* The same image flattened, with records out of order, split mid-page and
 * overlapping: a garbage record written first is overwritten later. */
static void flat_rec(uint8_t *out, size_t *pos, uint64_t off, const uint8_t *data, uint64_t len)
{
    for (int i = 0; i < 8; i++) {
        out[*pos + (size_t)i] = (uint8_t)(off >> (56 - 8 * i));
        out[*pos + 8 + (size_t)i] = (uint8_t)(len >> (56 - 8 * i));
    }
    *pos += 16;
    memcpy(out + *pos, data, len);
    *pos += len;
}

START_TEST(synthetic_flat)
{
    size_t len, pos = 4096;
    uint8_t *img = synth(&len), *flat = calloc(1, 4 * len + 8192), junk[3000];
    struct scry_file *f;
    struct scry_phys *p = NULL;
    memset(junk, 0xee, sizeof junk);
    memcpy(flat, "makedumpfile", 12);
    flat[23] = 1;
    flat[31] = 1;
    flat_rec(flat, &pos, 2 * PG + 100, junk, sizeof junk); /* overwritten below */
    flat_rec(flat, &pos, SYN_PD, img + SYN_PD, len - SYN_PD);
    flat_rec(flat, &pos, 3 * PG + 5, img + 3 * PG + 5, SYN_PD - 3 * PG - 5);
    flat_rec(flat, &pos, 0, img, 2 * PG + 7);
    flat_rec(flat, &pos, 2 * PG + 7, img + 2 * PG + 7, PG - 2);
    memset(flat + pos, 0xff, 16);
    pos += 16;
    ck_assert_int_eq(scry_file_from_memory(flat, pos, "syn.kdump-flat", &f), SCRY_OK);
    ck_assert_msg(open_with(&scry_format_kdump_flat, f, &p) == SCRY_OK, "%s", scry_last_error());
    ck_assert_str_eq(p->info.format, "kdump-flat");
    check_synth(p);
    scry_phys_close(p);

    /* A negative record size is rejected with the record's offset. */
    memset(flat + 4096 + 8, 0x80, 1);
    ck_assert_int_eq(scry_file_from_memory(flat, pos, "neg.kdump-flat", &f), SCRY_OK);
    ck_assert_int_eq(open_with(&scry_format_kdump_flat, f, &p), SCRY_ERR_CORRUPT);
    ck_assert_msg(strstr(scry_last_error(), "negative"), "%s", scry_last_error());
    /* Only the header: no records. */
    ck_assert_int_eq(scry_file_from_memory(flat, 4096, "empty.kdump-flat", &f), SCRY_OK);
    ck_assert_int_eq(open_with(&scry_format_kdump_flat, f, &p), SCRY_ERR_CORRUPT);
    free(flat);
    free(img);
}
END_TEST

static scry_status open_mem(const uint8_t *b, size_t len, struct scry_phys **p)
{
    struct scry_file *f;
    ck_assert_int_eq(scry_file_from_memory(b, len, "bad.kdump", &f), SCRY_OK);
    return open_with(&scry_format_kdump, f, p);
}

START_TEST(synthetic_bad_headers)
{
    size_t len;
    uint8_t *img = synth(&len), *b = malloc(len);
    struct scry_phys *p = NULL;

    ck_assert_int_eq(open_mem(img, 300, &p), SCRY_ERR_CORRUPT); /* truncated header */
    ck_assert_int_eq(open_mem(img, 5, &p), SCRY_ERR_FORMAT);

    memcpy(b, img, len);
    put32(b + 8, 0);
    ck_assert_int_eq(open_mem(b, len, &p), SCRY_ERR_CORRUPT);

    memcpy(b, img, len);
    put32(b + 428, 8192);
    ck_assert_int_eq(open_mem(b, len, &p), SCRY_ERR_UNSUPPORTED);

    memcpy(b, img, len);
    put32(b + 428, 12345);
    ck_assert_int_eq(open_mem(b, len, &p), SCRY_ERR_CORRUPT);

    memcpy(b, img, len);
    put32(b + 436, 0x40000000); /* bitmaps far past the end */
    ck_assert_int_eq(open_mem(b, len, &p), SCRY_ERR_CORRUPT);

    /* ... also when max_mapnr claims that much: no allocation first. */
    memcpy(b, img, len);
    put32(b + 436, 0xfffffff0u);
    put64(b + PG + 96, UINT64_MAX);
    ck_assert_int_eq(open_mem(b, len, &p), SCRY_ERR_CORRUPT);

    memcpy(b, img, len);
    put32(b + 432, 0x7fffffff); /* sub-header size past the end */
    ck_assert_int_eq(open_mem(b, len, &p), SCRY_ERR_CORRUPT);

    /* A huge max_mapnr is bounded by the bitmap the file holds. */
    memcpy(b, img, len);
    put32(b + 440, 0xffffffffu);
    put64(b + PG + 96, UINT64_MAX);
    ck_assert_msg(open_mem(b, len, &p) == SCRY_OK, "%s", scry_last_error());
    ck_assert_uint_eq(p->nruns, 1);
    scry_phys_close(p);

    /* A sub-header VMCOREINFO pointer outside the file costs only it. */
    memcpy(b, img, len);
    put64(b + PG + 32, (uint64_t)1 << 50);
    put64(b + PG + 40, 100);
    ck_assert_msg(open_mem(b, len, &p) == SCRY_OK, "%s", scry_last_error());
    ck_assert_ptr_null(p->info.vmcoreinfo);
    scry_phys_close(p);

    /* Big-endian header_version with a little-endian body: rejected. */
    memcpy(b, img, len);
    b[8] = 0, b[11] = 6;
    ck_assert_int_ne(open_mem(b, len, &p), SCRY_OK);
    free(b);
    free(img);
}
END_TEST

/* scry_phys_open_set: the public way to open a split set, with its errors. */
START_TEST(split_set_api)
{
    const char *corpus = tu_corpus_dir("split set API");
    char p1[4096], p2[4096], p3[4096], whole[4096], missing[4096], want[8192];
    struct scry_phys *p = NULL, *q = NULL;
    struct scry_budget b;
    json_t *ex;
    char *raw;
    uint8_t zero[PG] = {0};
    if (!corpus)
        return;
    ex = load_expect(corpus, "split.kdump");
    snprintf(p1, sizeof p1, "%s/kdump-peer/split.kdump.1", corpus);
    snprintf(p2, sizeof p2, "%s/kdump-peer/split.kdump.2", corpus);
    snprintf(p3, sizeof p3, "%s/kdump-peer/split.kdump.3", corpus);
    snprintf(whole, sizeof whole, "%s/kdump-peer/mixed.kdump", corpus);
    snprintf(missing, sizeof missing, "%s/kdump-peer/no-such-split.kdump.4", corpus);

    /* Out of order, on a budget of two pages for all three parts' caches. */
    {
        const char *const set[] = {p2, p3, p1};
        scry_budget_init(&b, 2 * PG);
        ck_assert_msg(scry_phys_open_set(set, 3, &b, &p) == SCRY_OK, "%s", scry_last_error());
        ck_assert_str_eq(p->info.format, "kdump");
        for (int pass = 0; pass < 2; pass++)
            check_split_set(p, ex);
        ck_assert_uint_gt(scry_budget_used(&b), 0); /* compressed pages were cached */
        ck_assert_uint_le(scry_budget_used(&b), 2 * PG);
        ck_assert_uint_le(atomic_load(&b.peak), 2 * PG);
        scry_phys_close(p);
        ck_assert_uint_eq(scry_budget_used(&b), 0);
    }
    /* One path is scry_phys_open. */
    {
        const char *const one[] = {whole};
        ck_assert_int_eq(scry_phys_open_set(one, 1, NULL, &p), SCRY_OK);
        ck_assert_int_eq(scry_phys_open(whole, NULL, &q), SCRY_OK);
        ck_assert_str_eq(p->info.format, q->info.format);
        ck_assert_uint_eq(p->nruns, q->nruns);
        ck_assert_uint_eq(p->info.phys_end, q->info.phys_end);
        scry_phys_close(p);
        scry_phys_close(q);
    }
    /* A member that is not a kdump is named, with what it is. */
    raw = tu_write_temp(zero, sizeof zero);
    ck_assert_ptr_nonnull(raw);
    {
        const char *const set[] = {p1, raw};
        p = NULL;
        ck_assert_int_eq(scry_phys_open_set(set, 2, NULL, &p), SCRY_ERR_FORMAT);
        ck_assert_ptr_null(p);
        snprintf(want, sizeof want,
                 "%s: not a kdump file, so not part of a split kdump set (detected: raw)", raw);
        ck_assert_str_eq(scry_last_error(), want);
    }
    unlink(raw);
    free(raw);
    /* Members that do not form one set: the same part twice, or a whole
     * dump among parts. */
    {
        const char *const dup[] = {p1, p2, p1};
        const char *const mix[] = {whole, p2};
        ck_assert_int_eq(scry_phys_open_set(dup, 3, NULL, &p), SCRY_ERR_CORRUPT);
        ck_assert_msg(strstr(scry_last_error(), "split ranges overlap") &&
                          strstr(scry_last_error(), p1) && !strchr(scry_last_error(), '\n'),
                      "%s", scry_last_error());
        ck_assert_int_eq(scry_phys_open_set(mix, 2, NULL, &p), SCRY_ERR_CORRUPT);
        ck_assert_msg(strstr(scry_last_error(), whole) && strstr(scry_last_error(), p2), "%s",
                      scry_last_error());
    }
    /* A missing member is an I/O error naming it. */
    {
        const char *const set[] = {p1, missing};
        ck_assert_int_eq(scry_phys_open_set(set, 2, NULL, &p), SCRY_ERR_IO);
        ck_assert_msg(strstr(scry_last_error(), missing), "%s", scry_last_error());
    }
    ck_assert_int_eq(scry_phys_open_set(NULL, 2, NULL, &p), SCRY_ERR_INVALID_ARG);
    {
        const char *const set[] = {p1};
        ck_assert_int_eq(scry_phys_open_set(set, 0, NULL, &p), SCRY_ERR_INVALID_ARG);
    }
    json_decref(ex);
}
END_TEST

/* ------------------------------------------------------------ page cache */

START_TEST(pagecache_basic)
{
    struct scry_pagecache *c;
    struct scry_pagecache_stats s;
    uint8_t page[PG], out[PG];
    ck_assert_int_eq(scry_pagecache_new(64, NULL, &c), SCRY_OK);
    ck_assert(!scry_pagecache_get(c, 7, 0, PG, out));
    for (uint64_t pfn = 0; pfn < 1000; pfn++) {
        memset(page, (int)(pfn & 0xff), PG);
        page[0] = (uint8_t)(pfn >> 8);
        scry_pagecache_put(c, pfn, page);
    }
    scry_pagecache_stats(c, &s);
    ck_assert_uint_eq(s.capacity, 64);
    ck_assert_uint_le(s.used, 64);
    ck_assert_uint_eq(s.inserts, 1000);
    ck_assert_uint_ge(s.evictions, 1000 - 64);
    /* The most recent page of every shard is still there, and whatever
     * hits returns the right bytes. */
    for (uint64_t pfn = 0; pfn < 1000; pfn++) {
        if (scry_pagecache_get(c, pfn, 1, 10, out)) {
            ck_assert_uint_eq(out[0], pfn & 0xff);
            ck_assert_uint_eq(out[9], pfn & 0xff);
        }
    }
    ck_assert(scry_pagecache_get(c, 999, 0, PG, out));
    ck_assert(!scry_pagecache_get(c, 999, 4000, 200, out)); /* out of page */
    scry_pagecache_free(c);
    scry_pagecache_free(NULL);
}
END_TEST

static void fill_page(uint8_t *page, int cache, uint64_t pfn)
{
    memset(page, (int)((pfn * 7 + (uint64_t)cache) & 0xff), PG);
    memcpy(page, &pfn, sizeof pfn);
}

/* Hits on c for the last `n` PFNs below `end`, each checked byte for byte. */
static unsigned check_hits(struct scry_pagecache *c, int cache, uint64_t end, uint64_t n)
{
    uint8_t want[PG], got[PG];
    unsigned hits = 0;
    for (uint64_t pfn = end - n; pfn < end; pfn++) {
        if (scry_pagecache_get(c, pfn, 0, PG, got)) {
            fill_page(want, cache, pfn);
            ck_assert_msg(memcmp(got, want, PG) == 0, "cache %d PFN %llu: wrong bytes", cache,
                          (unsigned long long)pfn);
            hits++;
        }
    }
    return hits;
}

/* A reserved buffer is invisible until committed; a cached PFN or a shard
 * whose only slot is reserved gives none; a cancelled or a losing
 * duplicate buffer is recycled; the counters stay consistent. */
START_TEST(pagecache_reserve)
{
    struct scry_pagecache *c;
    struct scry_pagecache_stats st;
    uint8_t page[PG], got[PG], *buf, *buf2;
    int token, token2, n = 0, tokens[64];
    ck_assert_int_eq(scry_pagecache_new(64, NULL, &c), SCRY_OK);
    buf = scry_pagecache_reserve(c, 5, &token);
    ck_assert_ptr_nonnull(buf);
    ck_assert(!scry_pagecache_get(c, 5, 0, PG, got)); /* not before commit */
    fill_page(buf, 0, 5);
    scry_pagecache_commit(c, 5, token);
    ck_assert(scry_pagecache_get(c, 5, 0, PG, got));
    fill_page(page, 0, 5);
    ck_assert_int_eq(memcmp(got, page, PG), 0);
    ck_assert_ptr_null(scry_pagecache_reserve(c, 5, &token)); /* cached: get it */
    /* Two readers missed on PFN 6 at once: the first commit wins, the
     * second buffer stays out of the index. */
    buf = scry_pagecache_reserve(c, 6, &token);
    buf2 = scry_pagecache_reserve(c, 6, &token2);
    ck_assert_ptr_nonnull(buf);
    ck_assert_ptr_nonnull(buf2);
    ck_assert_ptr_ne(buf, buf2);
    fill_page(buf, 1, 6);
    fill_page(buf2, 2, 6);
    scry_pagecache_commit(c, 6, token);
    scry_pagecache_commit(c, 6, token2);
    ck_assert(scry_pagecache_get(c, 6, 0, PG, got));
    fill_page(page, 1, 6);
    ck_assert_int_eq(memcmp(got, page, PG), 0);
    /* Cancelled: never found. */
    buf = scry_pagecache_reserve(c, 7, &token);
    ck_assert_ptr_nonnull(buf);
    scry_pagecache_cancel(c, 7, token);
    ck_assert(!scry_pagecache_get(c, 7, 0, PG, got));
    scry_pagecache_stats(c, &st);
    ck_assert_uint_eq(st.inserts, 2);
    ck_assert_uint_eq(st.used, 4); /* 5, 6, 6's loser, 7's cancelled buffer */
    scry_pagecache_free(c);
    /* One slot per shard (16 in all): of 64 PFNs reserved at once, one per
     * shard gets a buffer; the others find their shard's only slot taken. */
    ck_assert_int_eq(scry_pagecache_new(16, NULL, &c), SCRY_OK);
    for (int i = 0; i < 64; i++)
        if (scry_pagecache_reserve(c, (uint64_t)i, &tokens[i]))
            n++;
        else
            tokens[i] = -1;
    ck_assert_int_eq(n, 16);
    for (int i = 0; i < 64; i++)
        if (tokens[i] >= 0)
            scry_pagecache_cancel(c, (uint64_t)i, tokens[i]);
    for (uint64_t pfn = 0; pfn < 64; pfn++) { /* each recycled by put */
        fill_page(page, 3, pfn);
        scry_pagecache_put(c, pfn, page);
    }
    scry_pagecache_stats(c, &st);
    ck_assert_uint_eq(st.used, 16);
    ck_assert_uint_eq(st.inserts, 64);
    ck_assert_uint_eq(check_hits(c, 3, 64, 64), 16);
    scry_pagecache_free(c);
}
END_TEST

/* Two caches of 64 pages each on one budget of 40 pages: together they never
 * pass it, both still cache, and freeing gives everything back. */
START_TEST(pagecache_budget_shared)
{
    enum { LIMIT = 40, N = 2000 };
    struct scry_budget b;
    struct scry_pagecache *c[3];
    struct scry_pagecache_stats st[3];
    uint8_t page[PG];
    scry_budget_init(&b, LIMIT * PG);
    ck_assert_int_eq(scry_pagecache_new(64, &b, &c[0]), SCRY_OK);
    ck_assert_int_eq(scry_pagecache_new(64, &b, &c[1]), SCRY_OK);
    ck_assert_uint_eq(scry_budget_used(&b), 0); /* an idle cache reserves nothing */
    for (uint64_t pfn = 0; pfn < N; pfn++) {
        for (int i = 0; i < 2; i++) {
            fill_page(page, i, pfn);
            scry_pagecache_put(c[i], pfn, page);
            ck_assert_uint_le(scry_budget_used(&b), LIMIT * PG);
        }
    }
    scry_pagecache_stats(c[0], &st[0]);
    scry_pagecache_stats(c[1], &st[1]);
    ck_assert_uint_le(atomic_load(&b.peak), LIMIT * PG);
    ck_assert_uint_eq((st[0].used + st[1].used) * PG, scry_budget_used(&b));
    ck_assert_uint_eq(st[0].used + st[1].used, LIMIT); /* the budget is used up... */
    ck_assert_uint_gt(st[0].refused + st[1].refused, 0); /* ...and held them back */
    for (int i = 0; i < 2; i++) {
        ck_assert_uint_gt(st[i].used, 0);
        ck_assert_uint_eq(st[i].inserts, st[i].used + st[i].evictions);
        ck_assert_uint_gt(check_hits(c[i], i, N, 200), 0);
    }
    /* What one cache gives back, another can take. */
    scry_pagecache_free(c[0]);
    ck_assert_uint_eq(scry_budget_used(&b), st[1].used * PG);
    ck_assert_int_eq(scry_pagecache_new(64, &b, &c[2]), SCRY_OK);
    for (uint64_t pfn = 0; pfn < 100; pfn++) {
        fill_page(page, 2, pfn);
        scry_pagecache_put(c[2], pfn, page);
    }
    scry_pagecache_stats(c[2], &st[2]);
    ck_assert_uint_gt(st[2].used, 0);
    ck_assert_uint_gt(check_hits(c[2], 2, 100, 100), 0);
    ck_assert_uint_le(atomic_load(&b.peak), LIMIT * PG);
    scry_pagecache_free(c[1]);
    scry_pagecache_free(c[2]);
    ck_assert_uint_eq(scry_budget_used(&b), 0);
    /* A NULL budget always grants; the budget calls accept NULL. */
    ck_assert_int_eq(scry_budget_take(NULL, UINT64_MAX), 1);
    scry_budget_give(NULL, 1);
    ck_assert_uint_eq(scry_budget_used(NULL), 0);
    /* A zero budget grants nothing but nothing. */
    scry_budget_init(&b, 0);
    ck_assert_int_eq(scry_budget_take(&b, 1), 0);
    ck_assert_int_eq(scry_budget_take(&b, 0), 1);
}
END_TEST

struct budget_arg {
    struct scry_pagecache *c;
    int cache;
    uint64_t seed;
    int bad;
};

static void *budget_worker(void *v)
{
    struct budget_arg *a = v;
    uint8_t page[PG], got[PG];
    uint64_t x = a->seed;
    for (int i = 0; i < 20000; i++) {
        uint64_t pfn;
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        pfn = (x >> 33) % 500;
        if (scry_pagecache_get(a->c, pfn, 0, PG, got)) {
            fill_page(page, a->cache, pfn);
            a->bad += memcmp(got, page, PG) != 0;
        } else if (i % 2) { /* half the misses fill a reserved buffer */
            int token;
            uint8_t *buf = scry_pagecache_reserve(a->c, pfn, &token);
            if (buf) {
                fill_page(buf, a->cache, pfn);
                if (i % 3)
                    scry_pagecache_commit(a->c, pfn, token);
                else
                    scry_pagecache_cancel(a->c, pfn, token);
            }
        } else {
            fill_page(page, a->cache, pfn);
            scry_pagecache_put(a->c, pfn, page);
        }
    }
    return NULL;
}

/* Four threads on two caches sharing one budget: the peak stays under the
 * limit and every hit returns the right bytes. */
START_TEST(pagecache_budget_threads)
{
    enum { LIMIT = 48 };
    struct scry_budget b;
    struct scry_pagecache *c[2];
    struct budget_arg a[4];
    pthread_t t[4];
    scry_budget_init(&b, LIMIT * PG);
    ck_assert_int_eq(scry_pagecache_new(256, &b, &c[0]), SCRY_OK);
    ck_assert_int_eq(scry_pagecache_new(256, &b, &c[1]), SCRY_OK);
    for (int i = 0; i < 4; i++) {
        a[i] = (struct budget_arg){c[i % 2], i % 2, (uint64_t)i * 977 + 1, 0};
        pthread_create(&t[i], NULL, budget_worker, &a[i]);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        ck_assert_int_eq(a[i].bad, 0);
    }
    ck_assert_uint_le(atomic_load(&b.peak), LIMIT * PG);
    ck_assert_uint_eq(scry_budget_used(&b), LIMIT * PG);
    scry_pagecache_free(c[0]);
    scry_pagecache_free(c[1]);
    ck_assert_uint_eq(scry_budget_used(&b), 0);
}
END_TEST

/* A kdump whose budget is 0 caches nothing and still reads every page right
 * (it decodes again), through the public open. */
START_TEST(kdump_budget_zero)
{
    const char *corpus = tu_corpus_dir("zero budget");
    char path[4096];
    struct scry_budget b;
    struct scry_phys *p = NULL, *ref = NULL;
    uint8_t *want = malloc(0x20 * PG), got[PG];
    size_t h1, h2;
    if (!corpus) {
        free(want);
        return;
    }
    snprintf(path, sizeof path, "%s/kdump-peer/mixed.kdump", corpus);
    scry_budget_init(&b, 0);
    ck_assert_int_eq(scry_phys_open(path, NULL, &ref), SCRY_OK);
    ck_assert_msg(scry_phys_open(path, &b, &p) == SCRY_OK, "%s", scry_last_error());
    ck_assert_ptr_eq(p->file->budget, &b);
    ck_assert_ptr_null(ref->file->budget);
    ck_assert_int_eq(scry_phys_read(ref, 0, want, 0x20 * PG, &h1), SCRY_OK);
    for (int pass = 0; pass < 3; pass++)
        for (uint64_t pfn = 0; pfn < 0x20; pfn++) {
            ck_assert_int_eq(scry_phys_read(p, pfn * PG, got, PG, &h2), SCRY_OK);
            ck_assert_msg(memcmp(got, want + pfn * PG, PG) == 0, "PFN 0x%llx",
                          (unsigned long long)pfn);
        }
    ck_assert_uint_eq(scry_budget_used(&b), 0);
    ck_assert_uint_eq(atomic_load(&b.peak), 0);
    scry_phys_close(p);
    scry_phys_close(ref);
    free(want);
}
END_TEST

/* A small read of a page not met that way lately is decoded into the
 * reader's own buffer, uncached; the page is cached at its second such
 * touch (scry_pagecache_small_first). Reads return the right bytes throughout. */
START_TEST(kdump_small_reads_cached_at_second_touch)
{
    const char *corpus = tu_corpus_dir("small reads");
    char path[4096];
    struct scry_budget b;
    struct scry_phys *p = NULL, *ref = NULL;
    uint8_t *want = malloc(0x20 * PG), got[8];
    size_t after[3];
    if (!corpus) {
        free(want);
        return;
    }
    snprintf(path, sizeof path, "%s/kdump-peer/mixed.kdump", corpus);
    scry_budget_init(&b, 1024 * PG);
    ck_assert_int_eq(scry_phys_open(path, NULL, &ref), SCRY_OK);
    ck_assert_msg(scry_phys_open(path, &b, &p) == SCRY_OK, "%s", scry_last_error());
    ck_assert_int_eq(scry_phys_read(ref, 0, want, 0x20 * PG, NULL), SCRY_OK);
    for (int pass = 0; pass < 3; pass++) {
        for (uint64_t pfn = 0; pfn < 0x20; pfn++) {
            ck_assert_int_eq(scry_phys_read(p, pfn * PG + 100, got, sizeof got, NULL), SCRY_OK);
            ck_assert_msg(memcmp(got, want + pfn * PG + 100, sizeof got) == 0, "PFN 0x%llx",
                          (unsigned long long)pfn);
        }
        after[pass] = scry_budget_used(&b);
    }
    ck_assert_uint_eq(after[0], 0);
    /* The second touch caches the compressed pages among the present
     * 0x0-0x5 and 0x12; the one stored plain is read from the mapping. */
    ck_assert_uint_eq(after[1], 6 * PG);
    ck_assert_uint_eq(after[2], after[1]);
    scry_phys_close(p);
    scry_phys_close(ref);
    ck_assert_uint_eq(scry_budget_used(&b), 0);
    free(want);
}
END_TEST

struct mt_arg {
    struct scry_phys *p;
    const uint8_t *ref; /* expected bytes of PFNs 0..n-1, NULL to skip */
    uint64_t n, step, first;
    int bad;
};

static void *mt_reader(void *v)
{
    struct mt_arg *a = v;
    uint8_t page[PG];
    for (int round = 0; round < 3; round++)
        for (uint64_t pfn = a->first; pfn < a->n; pfn += a->step) {
            if (scry_phys_read(a->p, pfn * PG, page, PG, NULL) != SCRY_OK ||
                memcmp(page, a->ref + pfn * PG, PG) != 0)
                a->bad++;
        }
    return NULL;
}

/* Several threads reading one dump: same bytes as a single-threaded read. */
START_TEST(threads_mixed)
{
    const char *corpus = tu_corpus_dir("threads");
    char path[4096];
    struct scry_phys *p = NULL;
    uint8_t *ref = malloc(0x20 * PG);
    pthread_t t[8];
    struct mt_arg a[8];
    if (!corpus) {
        free(ref);
        return;
    }
    snprintf(path, sizeof path, "%s/kdump-peer/mixed.kdump", corpus);
    ck_assert_int_eq(open_path(path, &p), SCRY_OK);
    ck_assert_int_eq(scry_phys_read(p, 0, ref, 0x20 * PG, NULL), SCRY_OK);
    for (int i = 0; i < 8; i++) {
        a[i] = (struct mt_arg){p, ref, 0x20, (uint64_t)(i % 3) + 1, (uint64_t)i % 2, 0};
        pthread_create(&t[i], NULL, mt_reader, &a[i]);
    }
    for (int i = 0; i < 8; i++) {
        pthread_join(t[i], NULL);
        ck_assert_int_eq(a[i].bad, 0);
    }
    scry_phys_close(p);
    free(ref);
}
END_TEST

/* ------------------------------------------------------------ real dumps */

static const char *data_dir(void)
{
    const char *env = getenv("MEMSCRY_CORPUS_DATA");
    return env && *env ? env : SCRY_BINARY_DIR "/corpus-data";
}

static void compare_with_raw(const char *dump, const char *raw_path, struct scry_budget *budget)
{
    struct scry_phys *p = NULL;
    struct scry_file *raw = NULL;
    uint8_t page[PG];
    uint64_t npfn, same = 0, holes_total = 0;
    size_t holes;
    ck_assert_msg(open_path_budget(dump, budget, &p) == SCRY_OK, "%s", scry_last_error());
    ck_assert_int_eq(scry_file_open(raw_path, &raw), SCRY_OK);
    ck_assert_ptr_nonnull(p->info.vmcoreinfo);
    ck_assert_msg(strstr(p->info.vmcoreinfo, "OSRELEASE=6.1.0-57-cloud-amd64"), "%s",
                  p->info.vmcoreinfo);
    ck_assert_str_eq(p->info.machine, "x86_64");
    ck_assert_uint_gt(p->nruns, 0);
    /* The raw image holds low RAM only; the kdump also has the firmware
     * pages below 4 GiB. */
    ck_assert_uint_ge(p->info.phys_end, raw->size);
    npfn = raw->size / PG;
    for (uint64_t pfn = 0; pfn < npfn; pfn += 257) {
        scry_status st = scry_phys_read(p, pfn * PG, page, PG, &holes);
        ck_assert_msg(st == SCRY_OK, "%s: %s", dump, scry_last_error());
        if (holes) {
            /* Filtered pages (dump level 1: zero pages) and memory holes. */
            ck_assert_uint_eq(holes, PG);
            ck_assert_msg(is_zero(raw->map + pfn * PG, PG),
                          "%s: PFN 0x%llx is a hole but not zero in the raw image", dump,
                          (unsigned long long)pfn);
            holes_total++;
        } else {
            ck_assert_msg(memcmp(page, raw->map + pfn * PG, PG) == 0,
                          "%s: PFN 0x%llx differs from the raw image", dump,
                          (unsigned long long)pfn);
            same++;
        }
    }
    ck_assert_uint_gt(same, npfn / 257 / 2);
    /* A second concurrent pass: 4 threads over the same sample. */
    {
        pthread_t t[4];
        struct mt_arg a[4];
        uint64_t n = npfn < 8192 ? npfn : 8192;
        for (int i = 0; i < 4; i++) {
            a[i] = (struct mt_arg){p, raw->map, n, 13, (uint64_t)i, 0};
            pthread_create(&t[i], NULL, mt_reader, &a[i]);
        }
        for (int i = 0; i < 4; i++) {
            pthread_join(t[i], NULL);
            /* Hole pages compare equal too: both are zero. */
            ck_assert_int_eq(a[i].bad, 0);
        }
    }
    scry_phys_close(p);
    scry_file_close(raw);
}

START_TEST(real_dev_small)
{
    char dump[4096], raw[4096];
    FILE *fp;
    snprintf(dump, sizeof dump, "%s/dev-small.kdump", data_dir());
    snprintf(raw, sizeof raw, "%s/dev-small.raw", data_dir());
    if (!(fp = fopen(dump, "rb")) || (fclose(fp), !(fp = fopen(raw, "rb")))) {
        printf("SKIP real_dev_small: %s or %s absent (set MEMSCRY_CORPUS_DATA)\n", dump, raw);
        return;
    }
    fclose(fp);
    compare_with_raw(dump, raw, NULL);
}
END_TEST

/* The same on a 64 KiB budget: four threads fight over 16 pages. */
START_TEST(real_dev_small_budget)
{
    char dump[4096], raw[4096];
    struct scry_budget b;
    FILE *fp;
    snprintf(dump, sizeof dump, "%s/dev-small.kdump", data_dir());
    snprintf(raw, sizeof raw, "%s/dev-small.raw", data_dir());
    if (!(fp = fopen(dump, "rb")) || (fclose(fp), !(fp = fopen(raw, "rb")))) {
        printf("SKIP real_dev_small_budget: %s or %s absent (set MEMSCRY_CORPUS_DATA)\n", dump,
               raw);
        return;
    }
    fclose(fp);
    scry_budget_init(&b, 16 * PG);
    compare_with_raw(dump, raw, &b);
    ck_assert_uint_gt(atomic_load(&b.peak), 0);
    ck_assert_uint_le(atomic_load(&b.peak), 16 * PG);
    ck_assert_uint_eq(scry_budget_used(&b), 0);
}
END_TEST

START_TEST(real_dev_small_flat)
{
    const char *corpus = tu_corpus_dir("dev-small.kdump-flat");
    char dump[4096], raw[4096];
    FILE *fp;
    if (!corpus)
        return;
    snprintf(dump, sizeof dump, "%s/dev-small/dev-small.kdump-flat", corpus);
    snprintf(raw, sizeof raw, "%s/dev-small.raw", data_dir());
    if (!(fp = fopen(raw, "rb"))) {
        printf("SKIP real_dev_small_flat: %s absent (set MEMSCRY_CORPUS_DATA)\n", raw);
        return;
    }
    fclose(fp);
    compare_with_raw(dump, raw, NULL);
}
END_TEST

static Suite *kdump_suite(void)
{
    Suite *s = suite_create("kdump");
    TCase *tc = tcase_create("peer");
    tcase_add_loop_test(tc, peer_file, 0, NPEER);
    tcase_add_test(tc, flat_equals_plain);
    tcase_add_test(tc, split_alone);
    tcase_add_test(tc, split_set);
    tcase_add_test(tc, split_set_api);
    tcase_add_test(tc, probes);
    suite_add_tcase(s, tc);
    tc = tcase_create("synthetic");
    tcase_add_test(tc, synthetic_bad_descriptor);
    tcase_add_test(tc, synthetic_flat);
    tcase_add_test(tc, synthetic_bad_headers);
    suite_add_tcase(s, tc);
    tc = tcase_create("cache");
    tcase_add_test(tc, pagecache_basic);
    tcase_add_test(tc, pagecache_reserve);
    tcase_add_test(tc, threads_mixed);
    tcase_add_test(tc, pagecache_budget_shared);
    tcase_add_test(tc, pagecache_budget_threads);
    tcase_add_test(tc, kdump_budget_zero);
    tcase_add_test(tc, kdump_small_reads_cached_at_second_touch);
    suite_add_tcase(s, tc);
    tc = tcase_create("real");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, real_dev_small);
    tcase_add_test(tc, real_dev_small_budget);
    tcase_add_test(tc, real_dev_small_flat);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run_suite(kdump_suite()); }
