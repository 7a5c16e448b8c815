/* bench_find.c - scry_find against glibc's memmem over a whole file.
 *
 *   bench_find [-r ROUNDS] FILE [NEEDLE]...
 *
 * FILE is mapped read-only and searched end to end for each NEEDLE
 * (default: "KDBG", "\SystemRoot\system32\nt", "Linux version "): every
 * occurrence, each search resuming one byte after the last hit, as
 * scry_scan_phys does. ROUNDS (default 5) alternating rounds of memmem,
 * scry_find (AVX2 where the CPU has it) and scry_find_sse2; prints hits,
 * the best MB/s (1e6 bytes/s) of each, and scry_find's speed-up over
 * memmem. All must find the same hits (else exit 1). Performance is
 * reported, never asserted. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/base/find.h"

typedef const void *(*find_fn)(const void *, size_t, const void *, size_t);

static const void *glibc(const void *h, size_t hl, const void *n, size_t nl)
{
    return memmem(h, hl, n, nl);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Every hit of n in [h, h+hl): their count and the sum of their offsets. */
static uint64_t all_hits(find_fn f, const uint8_t *h, size_t hl, const char *n, uint64_t *sum)
{
    uint64_t c = 0;
    size_t nl = strlen(n);
    *sum = 0;
    for (const uint8_t *p = h, *end = h + hl; p < end; p++) {
        p = f(p, (size_t)(end - p), n, nl);
        if (!p)
            break;
        c++;
        *sum += (uint64_t)(p - h);
    }
    return c;
}

int main(int argc, char **argv)
{
    static const char *const defaults[] = {"KDBG", "\\SystemRoot\\system32\\nt", "Linux version "};
    int rounds = 5, a = 1;
    if (a + 1 < argc && !strcmp(argv[a], "-r")) {
        rounds = atoi(argv[a + 1]);
        a += 2;
    }
    if (a >= argc || rounds < 1) {
        fprintf(stderr, "usage: bench_find [-r ROUNDS] FILE [NEEDLE]...\n");
        return 2;
    }
    int fd = open(argv[a], O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || st.st_size <= 0) {
        perror(argv[a]);
        return 2;
    }
    size_t len = (size_t)st.st_size;
    const uint8_t *h = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    if (h == MAP_FAILED) {
        perror("mmap");
        return 2;
    }
    const char *const *needles = a + 1 < argc ? (const char *const *)argv + a + 1 : defaults;
    int nn = a + 1 < argc ? argc - a - 1 : 3, bad = 0;
    printf("%s: %zu bytes, %d rounds\n", argv[a], len, rounds);
    for (int k = 0; k < nn; k++) {
        find_fn fns[3] = {glibc, scry_find, scry_find_sse2};
        double best[3] = {1e30, 1e30, 1e30};
        uint64_t hits[3] = {0, 0, 0}, sums[3] = {0, 0, 0};
        for (int r = 0; r < rounds; r++)
            for (int f = 0; f < 3; f++) {
                double t0 = now();
                hits[f] = all_hits(fns[f], h, len, needles[k], &sums[f]);
                double t = now() - t0;
                if (t < best[f])
                    best[f] = t;
            }
        int same = hits[0] == hits[1] && sums[0] == sums[1] && hits[0] == hits[2] && sums[0] == sums[2];
        bad |= !same;
        printf("%-26s hits=%-4llu memmem %6.0f  scry_find %6.0f  sse2 %6.0f MB/s  x%.2f%s\n",
               needles[k], (unsigned long long)hits[1], (double)len / best[0] / 1e6,
               (double)len / best[1] / 1e6, (double)len / best[2] / 1e6, best[0] / best[1],
               same ? "" : "  MISMATCH");
    }
    munmap((void *)(uintptr_t)h, len);
    close(fd);
    return bad;
}
