/* find.c - scry_find: a first-byte/last-byte vector filter in front of
 * memcmp. For each block of W start positions, needle[0] is compared with
 * the W bytes at the block and needle[n-1] with the W bytes n-1 further on;
 * only positions where both agree are compared in full. On dump memory
 * (mostly zeros and code) the pair is rare: for a 4-byte needle glibc
 * 2.36's memmem runs 2.4-4 GB/s there, this 2.5-3.6 times that
 * (bench/bench_find.c, bench/README.md). The last positions, fewer than one block, go to
 * memmem, so no load ever reaches past the haystack. */
#include "lib/base/find.h"

#include <stdint.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

/* The filter's verification is O(nlen) per false candidate; a haystack
 * full of them (hostile, or a needle like "a...a" over "aaaa") would make
 * the search O(hlen * nlen). Past about 8 compared bytes per scanned byte
 * the rest goes to memmem (whose own cost there is what it was before). */
static int filter_failing(uint64_t cost, size_t scanned)
{
    return cost > 8 * (uint64_t)scanned + 4096;
}

/* The rest of the haystack from `at`, through memmem; hay + at is inside. */
static const void *rest(const uint8_t *h, size_t hlen, size_t at, const void *needle,
                        size_t nlen)
{
    return memmem(h + at, hlen - at, needle, nlen);
}

/* The candidates of the block at i (bit k of m: position i + k): the first
 * full match, or NULL with *cost raised by nlen per failed candidate. */
static const uint8_t *verify(const uint8_t *h, size_t i, unsigned m, const uint8_t *n,
                             size_t nlen, uint64_t *cost)
{
    for (; m; m &= m - 1) {
        size_t at = i + (size_t)__builtin_ctz(m);
        if (memcmp(h + at + 1, n + 1, nlen - 2) == 0)
            return h + at;
        *cost += nlen;
    }
    return NULL;
}

/* The SSE2 filter: 16 start positions a step. Needs 2 <= nlen <= hlen. */
static const void *find_sse2(const uint8_t *h, size_t hlen, const uint8_t *n, size_t nlen)
{
    const __m128i first = _mm_set1_epi8((char)n[0]), last = _mm_set1_epi8((char)n[nlen - 1]);
    uint64_t cost = 0;
    size_t i = 0;
    /* The block at i reads h[i, i+16) and h[i+nlen-1, i+nlen+15). */
    for (; hlen - (nlen - 1) >= 16 && i <= hlen - (nlen - 1) - 16; i += 16) {
        __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(h + i));
        __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(h + i + nlen - 1));
        unsigned m = (unsigned)_mm_movemask_epi8(
            _mm_and_si128(_mm_cmpeq_epi8(a, first), _mm_cmpeq_epi8(b, last)));
        if (!m)
            continue;
        const uint8_t *r = verify(h, i, m, n, nlen, &cost);
        if (r)
            return r;
        if (filter_failing(cost, i + 16))
            return rest(h, hlen, i + 16, n, nlen);
    }
    return rest(h, hlen, i, n, nlen);
}

/* The same, 64 positions a step (two vectors, one test), for CPUs with
 * AVX2. */
__attribute__((target("avx2"))) static const void *find_avx2(const uint8_t *h, size_t hlen,
                                                            const uint8_t *n, size_t nlen)
{
    const __m256i first = _mm256_set1_epi8((char)n[0]),
                  last = _mm256_set1_epi8((char)n[nlen - 1]);
    uint64_t cost = 0;
    size_t i = 0;
    /* The step at i reads h[i, i+64) and h[i+nlen-1, i+nlen+63). */
    for (; hlen - (nlen - 1) >= 64 && i <= hlen - (nlen - 1) - 64; i += 64) {
        const uint8_t *p = h + i, *q = h + i + nlen - 1;
        __m256i e0 = _mm256_and_si256(
            _mm256_cmpeq_epi8(_mm256_loadu_si256((const __m256i *)(const void *)p), first),
            _mm256_cmpeq_epi8(_mm256_loadu_si256((const __m256i *)(const void *)q), last));
        __m256i e1 = _mm256_and_si256(
            _mm256_cmpeq_epi8(_mm256_loadu_si256((const __m256i *)(const void *)(p + 32)), first),
            _mm256_cmpeq_epi8(_mm256_loadu_si256((const __m256i *)(const void *)(q + 32)), last));
        if (_mm256_testz_si256(_mm256_or_si256(e0, e1), _mm256_or_si256(e0, e1)))
            continue;
        const uint8_t *r = verify(h, i, (unsigned)_mm256_movemask_epi8(e0), n, nlen, &cost);
        if (!r)
            r = verify(h, i + 32, (unsigned)_mm256_movemask_epi8(e1), n, nlen, &cost);
        if (r)
            return r;
        if (filter_failing(cost, i + 64))
            return rest(h, hlen, i + 64, n, nlen);
    }
    /* Fewer than 64 positions left: the 16-wide filter, then memmem. */
    return find_sse2(h + i, hlen - i, n, nlen);
}
#endif

/* The cases the filters do not take (nlen 0 or 1, or longer than hay):
 * 1 with the answer in *out; 0 when a filter must search. */
static int trivial(const void *hay, size_t hlen, const void *needle, size_t nlen,
                   const void **out)
{
    if (nlen == 0)
        *out = hay;
    else if (nlen > hlen)
        *out = NULL;
    else if (nlen == 1)
        *out = memchr(hay, *(const uint8_t *)needle, hlen);
    else
        return 0;
    return 1;
}

const void *scry_find(const void *hay, size_t hlen, const void *needle, size_t nlen)
{
    const void *r;
    if (trivial(hay, hlen, needle, nlen, &r))
        return r;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    /* A load of a variable libgcc sets before main: no state of ours. */
    if (__builtin_cpu_supports("avx2"))
        return find_avx2(hay, hlen, needle, nlen);
    return find_sse2(hay, hlen, needle, nlen);
#else
    return memmem(hay, hlen, needle, nlen);
#endif
}

const void *scry_find_sse2(const void *hay, size_t hlen, const void *needle, size_t nlen)
{
    const void *r;
    if (trivial(hay, hlen, needle, nlen, &r))
        return r;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    return find_sse2(hay, hlen, needle, nlen);
#else
    return memmem(hay, hlen, needle, nlen);
#endif
}
