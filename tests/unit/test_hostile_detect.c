/* test_hostile_detect.c - hostile inputs to scans and Linux detection
 * (issue 18, cases 4-7), built by the test itself from the corpus.
 *
 * - A 64 GiB sparse raw image holding one page of dev-small (its banner
 *   page): banners must find it having searched only the data on disk.
 * - ISFs patched as text from the corpus ISF (a field key renamed, a number
 *   replaced; jansson cannot hold the ISF's 64-bit addresses), written into
 *   a temporary symbol directory, against dev-small.raw through the public
 *   API: each must be refused with a message naming the ISF and what is
 *   wrong with it, and detection's work must not grow with the number of
 *   broken candidates.
 *
 * Work is asserted as an operation count: the bytes all scans searched
 * (scry_scan_searched). Wall-clock caps are multiplied by
 * $MEMSCRY_TIME_FACTOR (default 1) for the sanitizer runs. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/phys/scan.h"
#include "lib/session/session.h"
#include "memscry/memscry.h"
#include "testutil.h"

static char *isf;       /* the corpus ISF, decompressed */
static size_t isf_len;
static char dump_path[4096];
static uint64_t dump_size;
static char tmpdir[64];
static int have_corpus;

static double time_factor(void)
{
    const char *f = getenv("MEMSCRY_TIME_FACTOR");
    double v = f && *f ? strtod(f, NULL) : 1.0;
    return v > 0 ? v : 1.0;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Decompresses a whole .xz file with liblzma. */
static char *unxz(const char *path, size_t *out_len)
{
    size_t in_len, cap = 64u << 20, len = 0;
    char *in = tu_slurp(path, &in_len), *out = malloc(cap);
    lzma_stream zs = LZMA_STREAM_INIT;
    lzma_ret r;
    if (!in || !out || lzma_stream_decoder(&zs, UINT64_MAX, 0) != LZMA_OK) {
        free(in);
        free(out);
        return NULL;
    }
    zs.next_in = (const uint8_t *)in;
    zs.avail_in = in_len;
    do {
        if (len == cap) {
            char *n = realloc(out, cap *= 2);
            if (!n)
                break;
            out = n;
        }
        zs.next_out = (uint8_t *)out + len;
        zs.avail_out = cap - len;
        r = lzma_code(&zs, LZMA_FINISH);
        len = cap - zs.avail_out;
    } while (r == LZMA_OK);
    lzma_end(&zs);
    free(in);
    if (r != LZMA_STREAM_END) {
        free(out);
        return NULL;
    }
    *out_len = len;
    return out;
}

static int setup_corpus(void)
{
    const char *corpus = tu_corpus_dir("test_hostile_detect");
    const char *data = getenv("MEMSCRY_CORPUS_DATA");
    char path[4096];
    struct stat st;
    if (!corpus)
        return 0;
    snprintf(dump_path, sizeof dump_path, "%s/dev-small.raw",
             data && *data ? data : SCRY_BINARY_DIR "/corpus-data");
    if (stat(dump_path, &st) != 0) {
        printf("SKIP test_hostile_detect: %s not unpacked\n", dump_path);
        return 0;
    }
    dump_size = (uint64_t)st.st_size;
    snprintf(path, sizeof path, "%s/symbols/linux/debian-6.1.0-57-cloud-amd64.json.xz", corpus);
    if (!(isf = unxz(path, &isf_len))) {
        printf("SKIP test_hostile_detect: cannot decompress %s\n", path);
        return 0;
    }
    snprintf(tmpdir, sizeof tmpdir, "/tmp/memscry-hostile-XXXXXX");
    if (!mkdtemp(tmpdir)) {
        printf("SKIP test_hostile_detect: mkdtemp: %s\n", strerror(errno));
        return 0;
    }
    return 1;
}

/* ----------------------------------------------------- ISF text patches */

/* Where `key` first occurs after each anchor in turn (NULL-terminated
 * list), in s[0, len). */
static const char *find_after(const char *s, size_t len, const char *const *anchors,
                              const char *key)
{
    const char *p = s, *end = s + len;
    for (size_t i = 0; anchors[i]; i++) {
        if (!(p = memmem(p, (size_t)(end - p), anchors[i], strlen(anchors[i]))))
            return NULL;
        p += strlen(anchors[i]);
    }
    return memmem(p, (size_t)(end - p), key, strlen(key));
}

/* A copy of the ISF with [at, at+cut) replaced by repl. */
static char *isf_splice(const char *at, size_t cut, const char *repl, size_t *out_len)
{
    size_t pre = (size_t)(at - isf), rl = strlen(repl);
    char *out = malloc(isf_len - cut + rl);
    ck_assert_ptr_nonnull(out);
    memcpy(out, isf, pre);
    memcpy(out + pre, repl, rl);
    memcpy(out + pre + rl, at + cut, isf_len - pre - cut);
    *out_len = isf_len - cut + rl;
    return out;
}

/* The ISF with the first `key` after the anchors replaced by repl. */
static char *patch_key(const char *const *anchors, const char *key, const char *repl,
                       size_t *out_len)
{
    const char *at = find_after(isf, isf_len, anchors, key);
    ck_assert_msg(at != NULL, "%s not found in the ISF", key);
    return isf_splice(at, strlen(key), repl, out_len);
}

/* The ISF with the number after the first `key` (e.g. "\"offset\": ")
 * after the anchors replaced by num. */
static char *patch_number(const char *const *anchors, const char *key, const char *num,
                          size_t *out_len)
{
    const char *at = find_after(isf, isf_len, anchors, key), *d;
    ck_assert_msg(at != NULL, "%s not found in the ISF", key);
    at += strlen(key);
    for (d = at; d < isf + isf_len && *d >= '0' && *d <= '9'; d++)
        ;
    ck_assert(d > at);
    return isf_splice(at, (size_t)(d - at), num, out_len);
}

/* Writes text as DIR/<name>/linux/x00.json and copies-1 hard links
 * x01.json...; returns DIR/<name> in out. */
static void make_symdir(const char *name, const char *text, size_t len, int copies, char *out,
                        size_t cap)
{
    char lin[4200], first[4300];
    FILE *f;
    snprintf(out, cap, "%s/%s", tmpdir, name);
    snprintf(lin, sizeof lin, "%s/linux", out);
    ck_assert_int_eq(mkdir(out, 0700), 0);
    ck_assert_int_eq(mkdir(lin, 0700), 0);
    snprintf(first, sizeof first, "%s/x00.json", lin);
    ck_assert_ptr_nonnull(f = fopen(first, "wb"));
    ck_assert_uint_eq(fwrite(text, 1, len, f), len);
    ck_assert_int_eq(fclose(f), 0);
    for (int i = 1; i < copies; i++) {
        char link_path[4300];
        snprintf(link_path, sizeof link_path, "%s/x%02d.json", lin, i);
        ck_assert_int_eq(link(first, link_path), 0);
    }
}

struct outcome {
    scry_status st;
    char msg[2048];
    uint64_t searched; /* bytes all scans searched during detection */
    uint64_t isf_loads;
    double seconds;
};

/* Detection of dev-small.raw with symdir as the only symbol directory. */
static void detect(const char *symdir, struct outcome *o)
{
    scry_context *ctx = NULL;
    scry_dump *dump = NULL;
    scry_session *s = NULL;
    uint64_t before;
    double t0;
    ck_assert_int_eq(scry_context_new(&ctx), SCRY_OK);
    ck_assert_int_eq(scry_context_add_symbol_dir(ctx, symdir), SCRY_OK);
    ck_assert_int_eq(scry_dump_open(ctx, dump_path, &dump), SCRY_OK);
    ck_assert_int_eq(scry_session_open(ctx, dump, &s), SCRY_OK);
    before = scry_scan_searched(dump->phys);
    t0 = now();
    o->st = scry_session_detect(s);
    o->seconds = now() - t0;
    o->searched = scry_scan_searched(dump->phys) - before;
    snprintf(o->msg, sizeof o->msg, "%s", scry_last_error());
    ck_assert_int_eq(scry_context_stat(ctx, "isf_loads", &o->isf_loads), SCRY_OK);
    scry_session_close(s);
    scry_dump_close(dump);
    scry_context_free(ctx);
}

/* Refused with exactly "DIR/linux/x00.json matches the kernel banner, but
 * <reason>" and the status given. */
static void expect_refusal(const struct outcome *o, const char *symdir, scry_status st,
                           const char *reason)
{
    char want[8192];
    snprintf(want, sizeof want, "%s/linux/x00.json matches the kernel banner, but %s", symdir,
             reason);
    ck_assert_msg(o->st == st, "status %d, want %d: %s", o->st, st, o->msg);
    ck_assert_str_eq(o->msg, want);
}

static const char *const in_task_struct[] = {"\"task_struct\": {", NULL};
static const char *const at_init_task[] = {"\"init_task\": {", NULL};
static const char *const at_parent[] = {"\"task_struct\": {", "\"parent\": {", NULL};

/* ---------------------------------------------- case 4: sparse images */

/* A 64 GiB image with one page on disk: dev-small's banner page at
 * 37 GiB + its own offset; raw (file offset = physical address) or LiME
 * (one range starting at physical 1 MiB, data after the 32-byte header, so
 * file and physical offsets differ). banners finds it having searched at
 * most 1 MiB (the data on disk and what a file system rounds it to),
 * within 1 s; a hole still reads as zeros. */
static void sparse_case(const char *name, int lime)
{
    char path[128];
    const uint64_t size = 64ull << 30, base = 37ull << 30, pstart = lime ? 1u << 20 : 0;
    const uint64_t hdr = lime ? 32 : 0;
    int fd;
    void *m;
    const uint8_t *hit;
    uint64_t page, at;
    if (!have_corpus)
        return;
    /* valgrind's address space cannot hold a 64 GiB mapping (the open
     * fails there, not here): scripts/valgrind.sh sets MEMSCRY_VALGRIND.
     * The native and ASan runs keep this case. */
    if (getenv("MEMSCRY_VALGRIND")) {
        printf("SKIP sparse_%s: a 64 GiB mapping does not fit under valgrind\n", name);
        return;
    }
    /* The first banner of dev-small, and the page holding it. */
    ck_assert_int_ge(fd = open(dump_path, O_RDONLY), 0);
    m = mmap(NULL, dump_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    ck_assert(m != MAP_FAILED);
    /* The kernel's own banner: one line ending "\n\0" inside its page (the
     * first hit is a copy in a user buffer, quoted, which banners skips). */
    for (hit = m;; hit++) {
        size_t left = dump_size - (size_t)(hit - (const uint8_t *)m);
        const uint8_t *nl, *q;
        hit = memmem(hit, left, "Linux version 6", 15);
        ck_assert_ptr_nonnull(hit);
        left = 4096 - (size_t)(hit - (const uint8_t *)m) % 4096;
        nl = memchr(hit, '\n', left);
        q = memchr(hit, '"', left);
        if (nl && nl + 1 < hit + left && nl[1] == 0 && (!q || q > nl))
            break;
    }
    page = (uint64_t)(hit - (const uint8_t *)m) & ~4095ull;
    /* Physical address of the banner in the image. */
    at = pstart + base + page + (uint64_t)(hit - (const uint8_t *)m) % 4096;

    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    ck_assert_int_ge(fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600), 0);
    ck_assert_int_eq(ftruncate(fd, (off_t)(size + hdr)), 0);
    if (lime) {
        uint8_t h[32] = {0};
        uint32_t magic = 0x4C694D45u, version = 1;
        uint64_t end = pstart + size - 1;
        memcpy(h, &magic, 4);
        memcpy(h + 4, &version, 4);
        memcpy(h + 8, &pstart, 8);
        memcpy(h + 16, &end, 8);
        ck_assert_int_eq(pwrite(fd, h, sizeof h, 0), (ssize_t)sizeof h);
    }
    ck_assert_int_eq(pwrite(fd, (const uint8_t *)m + page, 4096, (off_t)(hdr + base + page)),
                     4096);
    munmap(m, dump_size);
    /* A file system without holes would make this a 64 GiB scan. */
    off_t data = lseek(fd, (off_t)(hdr + 4096), SEEK_DATA);
    close(fd);
    if (data <= (off_t)(hdr + 4096)) {
        printf("SKIP sparse_%s: %s has no holes (SEEK_DATA gives %lld)\n", name, tmpdir,
               (long long)data);
        unlink(path);
        return;
    }

    scry_context *ctx = NULL;
    scry_dump *dump = NULL;
    scry_session *s = NULL;
    scry_result *r = NULL;
    uint64_t before, off = 0;
    uint8_t buf[4096], zero[4096] = {0};
    size_t holes = 7;
    double t0;
    ck_assert_int_eq(scry_context_new(&ctx), SCRY_OK);
    ck_assert_int_eq(scry_dump_open(ctx, path, &dump), SCRY_OK);
    ck_assert_str_eq(scry_dump_format(dump), lime ? "lime" : "raw");
    ck_assert_int_eq(scry_session_open(ctx, dump, &s), SCRY_OK);
    before = scry_scan_searched(dump->phys);
    t0 = now();
    ck_assert_int_eq(scry_plugin_run(s, "banners", 0, NULL, NULL, &r), SCRY_OK);
    double secs = now() - t0;
    uint64_t searched = scry_scan_searched(dump->phys) - before;
    ck_assert_uint_eq(scry_result_row_count(r), 1);
    ck_assert_int_eq(scry_result_cell_uint(r, 0, 0, &off), SCRY_OK);
    ck_assert_uint_eq(off, at);
    ck_assert_msg(searched <= (1u << 20), "searched %llu bytes of a file with 4096 on disk",
                  (unsigned long long)searched);
    ck_assert_msg(secs <= 1.0 * time_factor(), "banners took %.2f s", secs);
    /* Holes read as zeros, present (inside the one run). */
    ck_assert_int_eq(scry_dump_read_phys(dump, pstart + (1ull << 30), buf, sizeof buf, &holes),
                     SCRY_OK);
    ck_assert_uint_eq(holes, 0);
    ck_assert_mem_eq(buf, zero, sizeof buf);
    ck_assert_int_eq(scry_dump_read_phys(dump, at & ~4095ull, buf, sizeof buf, &holes), SCRY_OK);
    ck_assert_mem_eq(buf + at % 4096, "Linux version 6", 15);
    scry_result_free(r);
    scry_session_close(s);
    scry_dump_close(dump);
    scry_context_free(ctx);
    unlink(path);
}

START_TEST(sparse_64g_image_banner_found_searching_only_data)
{
    sparse_case("sparse64g.raw", 0);
}
END_TEST

START_TEST(sparse_64g_lime_banner_found_searching_only_data)
{
    sparse_case("sparse64g.lime", 1);
}
END_TEST

/* --------------------------------- case 5: detection work is bounded */

/* Twenty ISFs whose banner matches but whose task_struct has no comm: each
 * is refused once, before any scan (no swapper scan at all: detection
 * searches at most the dump once, for banners), and the first one's reason
 * is the error. */
START_TEST(twenty_isfs_without_comm_cost_one_scan)
{
    char dir[4096];
    size_t len;
    struct outcome o;
    if (!have_corpus)
        return;
    char *text = patch_key(in_task_struct, "\"comm\": {", "\"comx\": {", &len);
    make_symdir("nocomm20", text, len, 20, dir, sizeof dir);
    free(text);
    detect(dir, &o);
    expect_refusal(&o, dir, SCRY_ERR_NO_SYMBOLS, "its symbol table has no field task_struct.comm");
    ck_assert_uint_eq(o.isf_loads, 20); /* each parsed once */
    ck_assert_msg(o.searched <= dump_size, "searched %llu bytes of a %llu-byte dump",
                  (unsigned long long)o.searched, (unsigned long long)dump_size);
    /* 20 ISF parses dominate (about 0.4 s each in a release build). */
    ck_assert_msg(o.seconds <= 60.0 * time_factor(), "detection took %.1f s", o.seconds);
}
END_TEST

/* ISFs that are usable but wrong (init_task 8 bytes off: no page-aligned
 * shift fits): every candidate falls back to the swapper scan, which runs
 * once per dump whatever the number of candidates - so the banner scan
 * plus one swapper scan, at most twice the dump. */
START_TEST(failing_candidates_share_one_swapper_scan)
{
    char dir[4096], num[32];
    size_t len;
    uint64_t addr;
    struct outcome o;
    const char *at;
    if (!have_corpus)
        return;
    at = find_after(isf, isf_len, at_init_task, "\"address\": ");
    ck_assert_ptr_nonnull(at);
    addr = strtoull(at + strlen("\"address\": "), NULL, 10);
    snprintf(num, sizeof num, "%llu", (unsigned long long)(addr + 8));
    char *text = patch_number(at_init_task, "\"address\": ", num, &len);
    make_symdir("off8", text, len, 4, dir, sizeof dir);
    free(text);
    detect(dir, &o);
    ck_assert_msg(o.st == SCRY_ERR_NO_SYMBOLS, "%d: %s", o.st, o.msg);
    static const char want[] =
        "no symbol table matches the kernel banner \"Linux version 6.1.0-57-cloud-amd64 ";
    ck_assert_msg(strncmp(o.msg, want, strlen(want)) == 0, "%s", o.msg);
    ck_assert_msg(o.searched <= 2 * dump_size, "searched %llu bytes of a %llu-byte dump",
                  (unsigned long long)o.searched, (unsigned long long)dump_size);
}
END_TEST

/* ------------------------------- case 6: errors that name the ISF */

START_TEST(missing_init_task_is_named)
{
    char dir[4096];
    size_t len;
    struct outcome o;
    if (!have_corpus)
        return;
    static const char *const none[] = {NULL};
    char *text = patch_key(none, "\"init_task\": {", "\"init_tasx\": {", &len);
    make_symdir("noinit", text, len, 1, dir, sizeof dir);
    free(text);
    detect(dir, &o);
    expect_refusal(&o, dir, SCRY_ERR_NO_SYMBOLS, "its symbol table has no symbol init_task");
}
END_TEST

START_TEST(missing_task_struct_is_named)
{
    static const char *const none[] = {NULL};
    char dir[4096];
    size_t len;
    struct outcome o;
    if (!have_corpus)
        return;
    char *text = patch_key(none, "\"task_struct\": {", "\"task_strucx\": {", &len);
    make_symdir("notask", text, len, 1, dir, sizeof dir);
    free(text);
    detect(dir, &o);
    expect_refusal(&o, dir, SCRY_ERR_NO_SYMBOLS, "its symbol table has no type task_struct");
}
END_TEST

START_TEST(impossible_init_task_address_is_named)
{
    char dir[4096];
    size_t len;
    struct outcome o;
    if (!have_corpus)
        return;
    char *text = patch_number(at_init_task, "\"address\": ", "4096", &len);
    make_symdir("lowaddr", text, len, 1, dir, sizeof dir);
    free(text);
    detect(dir, &o);
    expect_refusal(&o, dir, SCRY_ERR_CORRUPT,
                   "its symbol init_task has an impossible address 0x1000 (below the kernel "
                   "image map at 0xffffffff80000000)");
}
END_TEST

/* task_struct.comm missing, but an anonymous member of type task_struct
 * inside task_struct: the lookup loops through it until its bound. */
START_TEST(anonymous_member_cycle_is_named)
{
    static const char *const fields[] = {"\"task_struct\": {", "\"fields\": {", NULL};
    char dir[4096];
    size_t len, len2;
    struct outcome o;
    if (!have_corpus)
        return;
    char *text = patch_key(in_task_struct, "\"comm\": {", "\"comx\": {", &len);
    char *keep = isf;
    size_t keep_len = isf_len;
    isf = text, isf_len = len; /* the patches apply to the current text */
    text = patch_key(fields, "\n", "\n\"anon_x\": {\"type\": {\"kind\": \"struct\", \"name\": "
                     "\"task_struct\"}, \"offset\": 0, \"anonymous\": true},\n", &len2);
    free(isf);
    isf = keep, isf_len = keep_len;
    make_symdir("anoncycle", text, len2, 1, dir, sizeof dir);
    free(text);
    detect(dir, &o);
    expect_refusal(&o, dir, SCRY_ERR_LIMIT,
                   "its symbol table is unusable: task_struct.comm: user type task_struct: "
                   "anonymous members nest too deep");
}
END_TEST

/* task_struct.comm twice, both bogus (past the struct, at different
 * offsets): whichever copy the loader keeps, the ISF is refused naming the
 * field, and detection never reads through it. */
START_TEST(duplicated_field_name_is_named)
{
    static const char *const fields[] = {"\"task_struct\": {", "\"fields\": {", NULL};
    static const char *const comm_off[] = {"\"task_struct\": {", "\"comm\": {", NULL};
    char dir[4096], want1[8192], want2[8192];
    size_t len, len2;
    struct outcome o;
    if (!have_corpus)
        return;
    char *text = patch_number(comm_off, "\"offset\": ", "99998", &len);
    char *keep = isf;
    size_t keep_len = isf_len;
    isf = text, isf_len = len;
    text = patch_key(fields, "\n", "\n\"comm\": {\"type\": {\"kind\": \"base\", \"name\": "
                     "\"int\"}, \"offset\": 99999},\n", &len2);
    free(isf);
    isf = keep, isf_len = keep_len;
    make_symdir("dupcomm", text, len2, 1, dir, sizeof dir);
    free(text);
    detect(dir, &o);
    ck_assert_msg(o.st == SCRY_ERR_CORRUPT, "%d: %s", o.st, o.msg);
    snprintf(want1, sizeof want1, "%s/linux/x00.json matches the kernel banner, but its symbol "
             "table is unusable: task_struct.comm: offset 0x1869f + 4 bytes is past the struct's "
             "9728 bytes", dir);
    snprintf(want2, sizeof want2, "%s/linux/x00.json matches the kernel banner, but its symbol "
             "table is unusable: task_struct.comm: offset 0x1869e + 16 bytes is past the "
             "struct's 9728 bytes", dir);
    ck_assert_msg(strcmp(o.msg, want1) == 0 || strcmp(o.msg, want2) == 0, "%s", o.msg);
}
END_TEST

/* ---------------------------- case 7: a wrapped field offset is refused */

/* task_struct.parent at 2^64 - 8: refused when the table is checked,
 * before any walker could compute a wrapping span (this runs under ASan in
 * CI). */
START_TEST(wrapped_parent_offset_is_refused)
{
    char dir[4096];
    size_t len;
    struct outcome o;
    uint64_t tsize = 0;
    scry_symtab *st;
    char path[4200], reason[512];
    if (!have_corpus)
        return;
    char *text = patch_number(at_parent, "\"offset\": ", "18446744073709551608", &len);
    make_symdir("wrap", text, len, 1, dir, sizeof dir);
    free(text);
    snprintf(path, sizeof path, "%s/linux/x00.json", dir);
    ck_assert_int_eq(scry_symtab_load(path, &st), SCRY_OK);
    ck_assert_int_eq(scry_symtab_type_size(st, "task_struct", &tsize), SCRY_OK);
    scry_symtab_free(st);
    detect(dir, &o);
    snprintf(reason, sizeof reason,
             "its symbol table is unusable: task_struct.parent: offset 0xfffffffffffffff8 + 8 "
             "bytes is past the struct's %llu bytes",
             (unsigned long long)tsize);
    expect_refusal(&o, dir, SCRY_ERR_CORRUPT, reason);
}
END_TEST

/* The unpatched ISF still detects, so the patches above are what fails. */
START_TEST(unpatched_isf_detects)
{
    char dir[4096];
    struct outcome o;
    if (!have_corpus)
        return;
    make_symdir("good", isf, isf_len, 1, dir, sizeof dir);
    detect(dir, &o);
    ck_assert_msg(o.st == SCRY_OK, "%s", o.msg);
}
END_TEST

static void cleanup(void)
{
    char cmd[128];
    if (!tmpdir[0] || strncmp(tmpdir, "/tmp/memscry-hostile-", 21) != 0)
        return;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
}

int main(void)
{
    Suite *s = suite_create("hostile_detect");
    TCase *tc = tcase_create("detect");
    int rc;
    have_corpus = setup_corpus();
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, sparse_64g_image_banner_found_searching_only_data);
    tcase_add_test(tc, sparse_64g_lime_banner_found_searching_only_data);
    tcase_add_test(tc, twenty_isfs_without_comm_cost_one_scan);
    tcase_add_test(tc, failing_candidates_share_one_swapper_scan);
    tcase_add_test(tc, missing_init_task_is_named);
    tcase_add_test(tc, missing_task_struct_is_named);
    tcase_add_test(tc, impossible_init_task_address_is_named);
    tcase_add_test(tc, anonymous_member_cycle_is_named);
    tcase_add_test(tc, duplicated_field_name_is_named);
    tcase_add_test(tc, wrapped_parent_offset_is_refused);
    tcase_add_test(tc, unpatched_isf_detects);
    suite_add_tcase(s, tc);
    rc = tu_run_suite(s);
    cleanup();
    free(isf);
    return rc;
}
