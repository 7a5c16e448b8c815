/* test_pagepool.c - the context's pool of page buffers (lib/base/pagepool.c):
 * kept up to its bound and handed back first, the bound lowered and raised,
 * the NULL pool, and many threads getting and putting at once. */
#include <check.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/pagepool.h"
#include "testutil.h"

START_TEST(keeps_up_to_its_bound)
{
    struct scry_pagepool p;
    void *v[6];
    scry_pagepool_init(&p, 4);
    for (int i = 0; i < 6; i++) {
        v[i] = scry_pagepool_get(&p);
        ck_assert_ptr_nonnull(v[i]);
        memset(v[i], i, SCRY_PAGEPOOL_PAGE); /* a whole page is writable */
    }
    ck_assert_uint_eq(scry_pagepool_held(&p), 0);
    for (int i = 0; i < 6; i++)
        scry_pagepool_put(&p, v[i]);
    ck_assert_uint_eq(scry_pagepool_held(&p), 4); /* two gave their memory back */
    /* Handed back last in, first out: the buffers put last. */
    ck_assert_ptr_eq(scry_pagepool_get(&p), v[3]);
    ck_assert_ptr_eq(scry_pagepool_get(&p), v[2]);
    ck_assert_uint_eq(scry_pagepool_held(&p), 2);
    scry_pagepool_put(&p, v[3]);
    scry_pagepool_put(&p, v[2]);
    scry_pagepool_put(&p, NULL); /* ignored */
    ck_assert_uint_eq(scry_pagepool_held(&p), 4);
    /* Lowered: the extra buffers are freed; raised: never past init's. */
    scry_pagepool_set_cap(&p, 1);
    ck_assert_uint_eq(scry_pagepool_held(&p), 1);
    scry_pagepool_set_cap(&p, 100);
    ck_assert_uint_eq(p.cap, 4);
    for (int i = 0; i < 5; i++)
        v[i] = scry_pagepool_get(&p);
    for (int i = 0; i < 5; i++)
        scry_pagepool_put(&p, v[i]);
    ck_assert_uint_eq(scry_pagepool_held(&p), 4);
    scry_pagepool_destroy(&p); /* frees what it holds: valgrind and ASan see no leak */
}
END_TEST

START_TEST(zero_bound_and_null_pool)
{
    struct scry_pagepool p;
    void *v;
    scry_pagepool_init(&p, 0);
    v = scry_pagepool_get(&p);
    ck_assert_ptr_nonnull(v);
    scry_pagepool_put(&p, v);
    ck_assert_uint_eq(scry_pagepool_held(&p), 0);
    scry_pagepool_destroy(&p);
    v = scry_pagepool_get(NULL); /* malloc */
    ck_assert_ptr_nonnull(v);
    memset(v, 0xa5, SCRY_PAGEPOOL_PAGE);
    scry_pagepool_put(NULL, v); /* free */
}
END_TEST

enum { THREADS = 4, ROUNDS = 2000, HOLD = 8 };

/* Each thread takes HOLD buffers, stamps them with its id, checks nobody
 * else wrote them, and puts them back: a buffer handed to two threads at
 * once would show the other's stamp (and TSan the race). */
static void *churn(void *arg)
{
    struct scry_pagepool *p = ((void **)arg)[0];
    uintptr_t id = (uintptr_t)((void **)arg)[1];
    void *v[HOLD];
    int bad = 0;
    for (int r = 0; r < ROUNDS; r++) {
        for (int k = 0; k < HOLD; k++) {
            v[k] = scry_pagepool_get(p);
            memset(v[k], (int)id, SCRY_PAGEPOOL_PAGE);
        }
        for (int k = 0; k < HOLD; k++) {
            const uint8_t *b = v[k];
            if (b[0] != (uint8_t)id || b[SCRY_PAGEPOOL_PAGE - 1] != (uint8_t)id)
                bad = 1;
            scry_pagepool_put(p, v[k]);
        }
    }
    return bad ? (void *)1 : NULL;
}

START_TEST(threads_share_one_pool)
{
    struct scry_pagepool p;
    pthread_t t[THREADS];
    void *args[THREADS][2];
    scry_pagepool_init(&p, 16);
    for (int i = 0; i < THREADS; i++) {
        args[i][0] = &p;
        args[i][1] = (void *)(uintptr_t)(i + 1);
        ck_assert_int_eq(pthread_create(&t[i], NULL, churn, args[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        void *bad = NULL;
        pthread_join(t[i], &bad);
        ck_assert_ptr_null(bad);
    }
    /* As many as the threads held at once, which depends on how they ran
     * (one at a time under valgrind): at least one thread's, at most the
     * bound. */
    ck_assert_uint_ge(scry_pagepool_held(&p), HOLD);
    ck_assert_uint_le(scry_pagepool_held(&p), 16);
    {
        void *v[16];
        for (int k = 0; k < 16; k++)
            ck_assert_ptr_nonnull(v[k] = scry_pagepool_get(&p));
        for (int k = 0; k < 16; k++)
            scry_pagepool_put(&p, v[k]);
        ck_assert_uint_eq(scry_pagepool_held(&p), 16);
    }
    scry_pagepool_destroy(&p);
}
END_TEST

enum { GROWERS = 4, EACH = 1200 }; /* more than two mappings' buffers each */

struct grower {
    struct scry_pagepool *p;
    pthread_barrier_t *go;
    uint8_t id;
    void *v[EACH];
    int bad;
};

/* All start at once on an empty pool, so that several map a new slab at
 * the same time and carve it while another is carved; each stamps what it
 * got, and finds its stamps intact once every thread has stamped. */
static void *grow(void *arg)
{
    struct grower *g = arg;
    pthread_barrier_wait(g->go);
    for (int k = 0; k < EACH; k++) {
        if (!(g->v[k] = scry_pagepool_get(g->p))) {
            g->bad = 1;
            return NULL;
        }
        memset(g->v[k], g->id, SCRY_PAGEPOOL_PAGE);
    }
    pthread_barrier_wait(g->go);
    for (int k = 0; k < EACH; k++) {
        const uint8_t *b = g->v[k];
        if (b[0] != g->id || b[SCRY_PAGEPOOL_PAGE / 2] != g->id || b[SCRY_PAGEPOOL_PAGE - 1] != g->id)
            g->bad = 1;
    }
    return NULL;
}

static int by_address(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t)*(void *const *)a, y = (uintptr_t)*(void *const *)b;
    return (x > y) - (x < y);
}

START_TEST(threads_grow_it_at_once)
{
    struct scry_pagepool p;
    static struct grower g[GROWERS];
    static void *all[GROWERS * EACH];
    pthread_t t[GROWERS];
    pthread_barrier_t go;
    void *out[GROWERS]; /* one each kept out of put_many */
    size_t slots;
    scry_pagepool_init(&p, GROWERS * EACH);
    ck_assert_int_eq(pthread_barrier_init(&go, NULL, GROWERS), 0);
    for (int i = 0; i < GROWERS; i++) {
        g[i] = (struct grower){.p = &p, .go = &go, .id = (uint8_t)(i + 1)};
        ck_assert_int_eq(pthread_create(&t[i], NULL, grow, &g[i]), 0);
    }
    for (int i = 0; i < GROWERS; i++) {
        pthread_join(t[i], NULL);
        ck_assert_int_eq(g[i].bad, 0);
        memcpy(all + (size_t)i * EACH, g[i].v, sizeof g[i].v);
    }
    pthread_barrier_destroy(&go);
    /* No buffer handed out twice. */
    qsort(all, GROWERS * EACH, sizeof *all, by_address);
    for (size_t k = 1; k < GROWERS * EACH; k++)
        ck_assert_ptr_ne(all[k - 1], all[k]);
    /* Given back in one call each (a NULL among them skipped), all kept:
     * taking them again maps nothing new. */
    for (int i = 0; i < GROWERS; i++) {
        out[i] = g[i].v[EACH / 2];
        g[i].v[EACH / 2] = NULL;
        scry_pagepool_put_many(&p, g[i].v, EACH);
    }
    ck_assert_uint_eq(scry_pagepool_held(&p), GROWERS * (EACH - 1));
    slots = p.slots;
    ck_assert_uint_ge(slots, GROWERS * EACH);
    for (size_t k = 0; k < GROWERS * (EACH - 1); k++)
        ck_assert_ptr_nonnull(all[k] = scry_pagepool_get(&p));
    ck_assert_uint_eq(p.slots, slots);
    ck_assert_uint_eq(scry_pagepool_held(&p), 0);
    scry_pagepool_put_many(&p, all, GROWERS * (EACH - 1));
    for (int i = 0; i < GROWERS; i++)
        scry_pagepool_put(&p, out[i]);
    ck_assert_uint_eq(scry_pagepool_held(&p), GROWERS * EACH);
    {
        /* Every buffer made is reachable: the kept ones, then what is left
         * of each mapping (one that was being carved while another thread
         * mapped one too); only the next get maps again. */
        void **v = calloc(slots + 1, sizeof *v);
        ck_assert_ptr_nonnull(v);
        for (size_t k = 0; k < slots; k++)
            ck_assert_ptr_nonnull(v[k] = scry_pagepool_get(&p));
        ck_assert_uint_eq(p.slots, slots);
#ifndef SCRY_PAGEPOOL_MALLOC
        /* Each mapping fills one aligned SCRY_PAGEPOOL_SLAB (what lets the
         * kernel back it with one huge page): the buffers made lie in
         * exactly slots / SLAB_PAGES aligned blocks. */
        qsort(v, slots, sizeof *v, by_address);
        {
            size_t blocks = 0;
            for (size_t k = 0; k < slots; k++)
                if (!k || (uintptr_t)v[k] / SCRY_PAGEPOOL_SLAB !=
                              (uintptr_t)v[k - 1] / SCRY_PAGEPOOL_SLAB)
                    blocks++;
            ck_assert_uint_eq(slots % (SCRY_PAGEPOOL_SLAB / SCRY_PAGEPOOL_PAGE), 0);
            ck_assert_uint_eq(blocks, slots / (SCRY_PAGEPOOL_SLAB / SCRY_PAGEPOOL_PAGE));
        }
#endif
        ck_assert_ptr_nonnull(v[slots] = scry_pagepool_get(&p));
        ck_assert_uint_gt(p.slots, slots);
        scry_pagepool_put_many(&p, v, slots + 1);
        free(v);
    }
    scry_pagepool_destroy(&p);
}
END_TEST

static Suite *pagepool_suite(void)
{
    Suite *s = suite_create("pagepool");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, keeps_up_to_its_bound);
    tcase_add_test(tc, zero_bound_and_null_pool);
    tcase_add_test(tc, threads_share_one_pool);
    tcase_add_test(tc, threads_grow_it_at_once);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run_suite(pagepool_suite()); }
