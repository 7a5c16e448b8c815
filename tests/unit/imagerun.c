/* imagerun.c - sessions over in-memory dump images (see imagerun.h). */
#include "imagerun.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

int ir_load_small(const char *suite, uint8_t **image, size_t *len, char *symdir, size_t cap,
                  scry_context **ctx)
{
    const char *data = getenv("MEMSCRY_CORPUS_DATA");
    const char *corpus = tu_corpus_dir(suite);
    char path[4096];
    *ctx = NULL;
    if (!corpus)
        return 0;
    snprintf(symdir, cap, "%s/symbols", corpus);
    snprintf(path, sizeof path, "%s/dev-small.raw",
             data && *data ? data : SCRY_BINARY_DIR "/corpus-data");
    if (!(*image = (uint8_t *)tu_slurp(path, len))) {
        printf("SKIP %s: %s not unpacked\n", suite, path);
        return 0;
    }
    if (scry_context_new(ctx) != SCRY_OK)
        return 0;
    if (scry_context_add_symbol_dir(*ctx, symdir) != SCRY_OK) {
        scry_context_free(*ctx);
        *ctx = NULL;
        return 0;
    }
    return 1;
}

void ir_open(struct ir_run *x, scry_context *ctx, const uint8_t *image, size_t len,
             const char *name)
{
    struct scry_file *f;
    memset(x, 0, sizeof *x);
    ck_assert_ptr_nonnull(ctx);
    x->dump.ctx = ctx;
    ck_assert_int_eq(scry_file_from_memory(image, len, name, &f), SCRY_OK);
    ck_assert_int_eq(scry_phys_open_file(f, NULL, &x->dump.phys), SCRY_OK);
    ck_assert_int_eq(scry_session_open(ctx, &x->dump, &x->s), SCRY_OK);
}

void ir_free(struct ir_run *x)
{
    scry_result_free(x->r);
    scry_session_close(x->s);
    scry_phys_close(x->dump.phys);
    scry_kv_free(&x->dump.meta);
    memset(x, 0, sizeof *x);
}

const struct scry_linux *ir_linux(struct ir_run *x)
{
    const struct scry_profile *p = NULL;
    const struct scry_linux *l;
    ck_assert_int_eq(scry_session_profile(x->s, NULL, &p), SCRY_OK);
    l = scry_linux_of(p);
    ck_assert_ptr_nonnull(l);
    return l;
}

uint64_t ir_pa_of(struct ir_run *x, uint64_t va, size_t image_len)
{
    struct scry_vspace kernel;
    uint64_t pa = 0;
    ck_assert_int_eq(scry_profile_kernel(&ir_linux(x)->base, &kernel), SCRY_OK);
    ck_assert_int_eq(scry_vspace_translate(&kernel, va, &pa), SCRY_OK);
    ck_assert_uint_lt(pa + 8, image_len);
    return pa;
}

size_t ir_count_diags(const struct scry_result *r, scry_diag_level level)
{
    size_t n = 0;
    for (size_t i = 0; i < scry_result_diag_count(r); i++) {
        scry_diag_level lv;
        ck_assert_int_eq(scry_result_diag(r, i, &lv, NULL, NULL), SCRY_OK);
        n += lv == level;
    }
    return n;
}
