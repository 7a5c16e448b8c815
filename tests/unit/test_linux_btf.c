/* test_linux_btf.c - the kernel's BTF found in physical memory
 * (lib/os/linux_btf.c) on synthetic raw images: where the kernel mapping
 * says, by the scan, and the exact refusals of what is not a kernel's BTF,
 * with the bound on candidates read. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/os/linux_btf.h"
#include "lib/session/session.h"
#include "memscry/memscry.h"
#include "testutil.h"

#define IMAGE (256u * 1024u)
#define INFO(kind, vlen) ((uint32_t)(kind) << 24 | (vlen))

static void le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* A small vmlinux-like BTF: int, char[16], struct NAME { int pid; char
 * comm[16]; }. bad_ref: the array's element type is out of range. */
static size_t make_btf(uint8_t *out, const char *name, int bad_ref)
{
    static const char strs_fixed[] = "\0int\0pid\0comm\0";
    char strs[64];
    size_t ns = sizeof strs_fixed - 1, name_off = ns;
    memcpy(strs, strs_fixed, ns);
    memcpy(strs + ns, name, strlen(name) + 1);
    ns += strlen(name) + 1;
    uint32_t t[] = {
        1, INFO(1, 0), 4, 1u << 24 | 32,                    /* 1 int */
        0, INFO(3, 0), 0, bad_ref ? 99 : 1, 1, 16,          /* 2 int[16] (as char[16]) */
        (uint32_t)name_off, INFO(4, 2), 20, 5, 1, 0, 9, 2, 32, /* 3 struct NAME */
    };
    size_t tl = sizeof t;
    memset(out, 0, 24);
    out[0] = 0x9f;
    out[1] = 0xeb;
    out[2] = 1;
    le32(out + 4, 24);
    le32(out + 8, 0);
    le32(out + 12, (uint32_t)tl);
    le32(out + 16, (uint32_t)tl);
    le32(out + 20, (uint32_t)ns);
    for (size_t i = 0; i < sizeof t / 4; i++)
        le32(out + 24 + 4 * i, t[i]);
    memcpy(out + 24 + tl, strs, ns);
    return 24 + tl + ns;
}

struct img {
    char path[64];
    scry_context *ctx;
    scry_dump *dump;
};

/* Writes a raw image of IMAGE bytes holding each blob at its place. */
static void open_image(struct img *m, const uint8_t *const *blobs, const size_t *lens,
                       const uint64_t *at, size_t n)
{
    uint8_t *mem = calloc(1, IMAGE);
    ck_assert_ptr_nonnull(mem);
    for (size_t i = 0; i < n; i++)
        memcpy(mem + at[i], blobs[i], lens[i]);
    snprintf(m->path, sizeof m->path, "/tmp/memscry-linux-btf-XXXXXX");
    int fd = mkstemp(m->path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, mem, IMAGE), (ssize_t)IMAGE);
    close(fd);
    free(mem);
    ck_assert_int_eq(scry_context_new(&m->ctx), SCRY_OK);
    ck_assert_int_eq(scry_dump_open(m->ctx, m->path, &m->dump), SCRY_OK);
}

static void close_image(struct img *m)
{
    scry_dump_close(m->dump);
    scry_context_free(m->ctx);
    unlink(m->path);
}

START_TEST(found_where_the_mapping_says)
{
    uint8_t b[256];
    size_t len = make_btf(b, "task_struct", 0);
    const uint8_t *blobs[] = {b, b};
    const size_t lens[] = {len, len};
    const uint64_t at[] = {0x3000, 0x9000};
    struct img m;
    struct scry_linux_btf out;
    open_image(&m, blobs, lens, at, 2);
    /* The second copy is where the mapping says: taken, not the first. */
    struct scry_linux_btf_where w = {0x9000, len};
    ck_assert_int_eq(scry_linux_btf_find(m.dump->phys, NULL, &w, 1, &out), SCRY_OK);
    ck_assert_int_eq(out.mapped, 1);
    ck_assert_uint_eq(out.pa, 0x9000);
    ck_assert_uint_eq(out.len, len);
    ck_assert_mem_eq(out.blob, b, len);
    scry_linux_btf_free(&out);
    /* A length other than the header's: the scan, first copy in order. */
    w.len = len + 4;
    ck_assert_int_eq(scry_linux_btf_find(m.dump->phys, NULL, &w, 1, &out), SCRY_OK);
    ck_assert_int_eq(out.mapped, 0);
    ck_assert_uint_eq(out.pa, 0x3000);
    scry_linux_btf_free(&out);
    /* No place given: the scan. */
    ck_assert_int_eq(scry_linux_btf_find(m.dump->phys, NULL, NULL, 0, &out), SCRY_OK);
    ck_assert_uint_eq(out.pa, 0x3000);
    scry_linux_btf_free(&out);
    close_image(&m);
}
END_TEST

START_TEST(refusals)
{
    uint8_t other[256], bad[256], good[256];
    size_t lo = make_btf(other, "mm_struct", 0), lb = make_btf(bad, "task_struct", 1);
    size_t lg = make_btf(good, "task_struct", 0);
    struct scry_linux_btf out;
    struct img m;
    char want[512];

    /* Nothing at all. */
    open_image(&m, NULL, NULL, NULL, 0);
    ck_assert_int_eq(scry_linux_btf_find(m.dump->phys, NULL, NULL, 0, &out), SCRY_ERR_NOT_FOUND);
    ck_assert_str_eq(scry_last_error(), "no kernel BTF in physical memory (a kernel built "
                                        "without CONFIG_DEBUG_INFO_BTF?)");
    ck_assert_ptr_null(out.blob);
    close_image(&m);

    /* A BTF without task_struct, then one whose ids run out of range. */
    const uint8_t *blobs[] = {other, bad};
    const size_t lens[] = {lo, lb};
    const uint64_t at[] = {0x1000, 0x5000};
    open_image(&m, blobs, lens, at, 2);
    ck_assert_int_eq(scry_linux_btf_find(m.dump->phys, NULL, NULL, 0, &out), SCRY_ERR_NOT_FOUND);
    ck_assert_str_eq(scry_last_error(), "no kernel BTF in physical memory (2 candidate headers "
                                        "refused; the first: BTF at physical 0x1000: BTF: no "
                                        "struct task_struct)");
    struct scry_linux_btf_where w = {0x5000, lb};
    ck_assert_int_eq(scry_linux_btf_find(m.dump->phys, NULL, &w, 1, &out), SCRY_ERR_NOT_FOUND);
    ck_assert_str_eq(scry_last_error(),
                     "no kernel BTF in physical memory (2 candidate headers refused; the first: "
                     "BTF at physical 0x5000: BTF: type 2 (type section offset 16): the array "
                     "element refers to type 99, but there are only 4 types)");
    close_image(&m);

    /* Running off the end of memory: refused as not whole. */
    const uint8_t *tail[] = {good};
    const size_t tlen[] = {24}; /* the header alone, its sections past the image's end */
    const uint64_t tat[] = {IMAGE - 24};
    open_image(&m, tail, tlen, tat, 1);
    ck_assert_int_eq(scry_linux_btf_find(m.dump->phys, NULL, NULL, 0, &out), SCRY_ERR_NOT_FOUND);
    snprintf(want, sizeof want,
             "no kernel BTF in physical memory (1 candidate header refused; the first: BTF at "
             "physical 0x%x: %zu bytes of its %zu are not in the dump)",
             IMAGE - 24, lg - 24, lg);
    ck_assert_str_eq(scry_last_error(), want);
    close_image(&m);
}
END_TEST

/* A dump sown with fake headers: at most SCRY_LINUX_BTF_TRIES are read
 * whole; the real BTF after them is not reached, and the message says the
 * bound stopped the scan. */
START_TEST(bounded_candidates)
{
    enum { FAKES = SCRY_LINUX_BTF_TRIES + 8 };
    uint8_t other[256], good[256];
    size_t lo = make_btf(other, "mm_struct", 0), lg = make_btf(good, "task_struct", 0);
    const uint8_t *blobs[FAKES + 1];
    size_t lens[FAKES + 1];
    uint64_t at[FAKES + 1];
    for (size_t i = 0; i < FAKES; i++) {
        blobs[i] = other;
        lens[i] = lo;
        at[i] = 0x1000 * (i + 1);
    }
    blobs[FAKES] = good;
    lens[FAKES] = lg;
    at[FAKES] = 0x1000 * (FAKES + 1);
    struct img m;
    struct scry_linux_btf out;
    open_image(&m, blobs, lens, at, FAKES + 1);
    ck_assert_int_eq(scry_linux_btf_find(m.dump->phys, NULL, NULL, 0, &out), SCRY_ERR_NOT_FOUND);
    ck_assert_str_eq(scry_last_error(),
                     "no kernel BTF in physical memory (32 candidate headers refused, then the "
                     "scan stopped at its bound; the first: BTF at physical 0x1000: BTF: no "
                     "struct task_struct)");
    /* Where the mapping says, the real one is still found. */
    struct scry_linux_btf_where w = {at[FAKES], lg};
    ck_assert_int_eq(scry_linux_btf_find(m.dump->phys, NULL, &w, 1, &out), SCRY_OK);
    ck_assert_int_eq(out.mapped, 1);
    scry_linux_btf_free(&out);
    close_image(&m);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("linux_btf");
    TCase *tc = tcase_create("find");
    tcase_add_test(tc, found_where_the_mapping_says);
    tcase_add_test(tc, refusals);
    tcase_add_test(tc, bounded_candidates);
    suite_add_tcase(s, tc);
    return tu_run_suite(s);
}
