/* testutil.c - helpers shared by the Check suites. */
#include "testutil.h"

#include "memscry/memscry.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *tu_corpus_dir(const char *what)
{
    static char buf[4096];
    const char *env = getenv("MEMSCRY_CORPUS");
    struct stat st;
    if (env && *env)
        snprintf(buf, sizeof buf, "%s", env);
    else
        snprintf(buf, sizeof buf, "%s/../shared/corpus", SCRY_SOURCE_DIR);
    if (stat(buf, &st) != 0 || !S_ISDIR(st.st_mode)) {
        printf("SKIP %s: corpus not found at %s (set MEMSCRY_CORPUS)\n", what, buf);
        return NULL;
    }
    return buf;
}

static void unpack_windows(const char *what, const char *path, const char *name)
{
    char cmd[16384], tmp[4200];
    const char *corpus;
    if (strncmp(name, "windows/", 8) || access(path, R_OK) == 0 || !(corpus = tu_corpus_dir(what)))
        return;
    snprintf(tmp, sizeof tmp, "%s.tu-tmp.%d", path, (int)getpid());
    snprintf(cmd, sizeof cmd,
             "mkdir -p \"$(dirname '%s')\" && xz -dc '%s/windows-samples/%s.xz' > '%s' && mv '%s' '%s'",
             path, corpus, name + 8, tmp, tmp, path);
    if (system(cmd) != 0) {
        printf("%s: cannot unpack %s: %s\n", what, name, cmd);
        unlink(tmp);
    }
}

char *tu_data_path(const char *what, const char *name)
{
    const char *e = getenv("MEMSCRY_CORPUS_DATA");
    char *p = malloc(4096);
    if (!p)
        return NULL;
    snprintf(p, 4096, "%s/%s", e && *e ? e : SCRY_BINARY_DIR "/corpus-data", name);
    unpack_windows(what, p, name);
    if (access(p, R_OK) != 0) {
        printf("SKIP %s: %s not unpacked\n", what, p);
        free(p);
        return NULL;
    }
    return p;
}

char *tu_write_temp(const void *data, size_t len)
{
    char *path = strdup("/tmp/memscry-test-XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0) {
        free(path);
        return NULL;
    }
    if (len && write(fd, data, len) != (ssize_t)len) {
        close(fd);
        free(path);
        return NULL;
    }
    close(fd);
    return path;
}

char *tu_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf) {
        buf[n] = 0;
        if (len)
            *len = (size_t)n;
    }
    return buf;
}

/* SHA-256 (FIPS 180-4), small and slow: test data only. */
static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};
#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void sha_block(uint32_t h[8], const uint8_t *p)
{
    uint32_t w[64], a, b, c, d, e, f, g, hh;
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 |
               p[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
    for (int i = 0; i < 64; i++) {
        uint32_t t1 = hh + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
        uint32_t t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        hh = g, g = f, f = e, e = d + t1, d = c, c = b, b = a, a = t1 + t2;
    }
    h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e, h[5] += f, h[6] += g, h[7] += hh;
}

void tu_sha256_hex(const void *data, size_t len, char out[65])
{
    uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                     0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    const uint8_t *p = data;
    uint8_t tail[128] = {0};
    size_t full = len / 64 * 64, rest = len - full, tl;
    uint64_t bits = (uint64_t)len * 8;
    for (size_t i = 0; i < full; i += 64)
        sha_block(h, p + i);
    memcpy(tail, p + full, rest);
    tail[rest] = 0x80;
    tl = rest + 1 + 8 <= 64 ? 64 : 128;
    for (int i = 0; i < 8; i++)
        tail[tl - 1 - i] = (uint8_t)(bits >> (8 * i));
    for (size_t i = 0; i < tl; i += 64)
        sha_block(h, tail + i);
    for (int i = 0; i < 8; i++)
        sprintf(out + 8 * i, "%08x", h[i]);
}

int tu_sink_write(void *user, const char *data, size_t len)
{
    struct tu_sink *s = user;
    s->calls++;
    if (s->stop_at && s->calls >= s->stop_at)
        return 1;
    if (s->len + len + 1 > s->cap) {
        size_t cap = s->cap ? s->cap : 4096;
        char *p;
        while (cap < s->len + len + 1)
            cap *= 2;
        if (!(p = realloc(s->p, cap)))
            return 1;
        s->p = p;
        s->cap = cap;
    }
    memcpy(s->p + s->len, data, len);
    s->len += len;
    s->p[s->len] = '\0';
    return 0;
}

char *tu_render(const scry_result *r, const char *renderer, size_t *len)
{
    struct tu_sink s = {0};
    scry_status st = scry_result_render(r, renderer, tu_sink_write, &s);
    ck_assert_msg(st == SCRY_OK, "render %s: %s", renderer, scry_last_error());
    if (!s.p)
        s.p = calloc(1, 1);
    *len = s.len;
    return s.p;
}

void tu_assert_bytes(const char *what, const char *got, size_t glen, const char *want, size_t wlen)
{
    size_t i = 0;
    if (glen == wlen && memcmp(got, want, wlen) == 0)
        return;
    while (i < glen && i < wlen && got[i] == want[i])
        i++;
    size_t from = i > 40 ? i - 40 : 0;
    int gn = (int)((glen - from) < 80 ? glen - from : 80);
    int wn = (int)((wlen - from) < 80 ? wlen - from : 80);
    ck_abort_msg("%s: differs at byte %zu (got %zu bytes, want %zu)\n got: [%.*s]\nwant: [%.*s]", what,
                 i, glen, wlen, gn, got + from, wn, want + from);
}

int tu_run_suite(Suite *s)
{
    SRunner *sr = srunner_create(s);
    int failed;
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

void tu_show_diags(const char *what, const struct scry_result *r)
{
    for (size_t k = 0; k < scry_result_diag_count(r); k++) {
        scry_diag_level lv;
        scry_status st;
        const char *msg;
        ck_assert_int_eq(scry_result_diag(r, k, &lv, &st, &msg), SCRY_OK);
        printf("%s: diag %zu: level %d status %d: %s\n", what, k, (int)lv, (int)st, msg);
    }
}
