/* index_rows.c - rows of the identifier index: making, copying, ordering. */
#include "symbols/index_rows.h"

#include <stdlib.h>
#include <string.h>

/* ----------------------------------------------------------------- rows */

void ix_row_free(struct row *r)
{
    if (!r)
        return;
    free(r->e.loc.path);
    free(r->e.loc.member);
    free((void *)r->e.identifier);
    free((void *)r->e.error);
    free(r);
}

const char *ix_os_const(const char *os)
{
    if (!os)
        return NULL;
    if (!strcmp(os, "linux"))
        return "linux";
    if (!strcmp(os, "windows"))
        return "windows";
    if (!strcmp(os, "mac"))
        return "mac";
    return NULL;
}

struct row *ix_row_new(const char *path, const char *member)
{
    struct row *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    if (!(r->e.loc.path = strdup(path)) || (member && !(r->e.loc.member = strdup(member)))) {
        ix_row_free(r);
        return NULL;
    }
    return r;
}

/* Copies what identification found from src (same bytes, another place). */
int ix_row_copy_ident(struct row *dst, const struct row *src)
{
    dst->e.os = src->e.os;
    dst->e.banner_address = src->e.banner_address;
    dst->e.nbase = src->e.nbase;
    dst->e.ntypes = src->e.ntypes;
    dst->e.nsymbols = src->e.nsymbols;
    dst->e.nenums = src->e.nenums;
    dst->e.validated = src->e.validated;
    dst->e.identifier_len = src->e.identifier_len;
    if (src->e.identifier) {
        uint8_t *id = malloc(src->e.identifier_len + 1);
        if (!id)
            return -1;
        memcpy(id, src->e.identifier, src->e.identifier_len);
        dst->e.identifier = id;
    }
    if (src->e.error && !(dst->e.error = strdup(src->e.error)))
        return -1;
    return 0;
}

int ix_cmp_loc(const char *p1, const char *m1, const char *p2, const char *m2)
{
    int c = strcmp(p1, p2);
    if (c)
        return c;
    return strcmp(m1 ? m1 : "", m2 ? m2 : "");
}

int ix_cmp_row(const void *a, const void *b)
{
    const struct row *x = *(struct row *const *)a, *y = *(struct row *const *)b;
    return ix_cmp_loc(x->e.loc.path, x->e.loc.member, y->e.loc.path, y->e.loc.member);
}

int ix_push_row(struct scry_symindex *ix, struct row *r)
{
    if (ix->nrows == ix->caprows) {
        size_t cap = ix->caprows ? ix->caprows * 2 : 256;
        struct row **v = realloc(ix->rows, cap * sizeof *v);
        if (!v)
            return -1;
        ix->rows = v;
        ix->caprows = cap;
    }
    ix->rows[ix->nrows++] = r;
    return 0;
}

void ix_drop_rows(struct scry_symindex *ix)
{
    for (size_t i = 0; i < ix->nrows; i++)
        ix_row_free(ix->rows[i]);
    ix->nrows = 0;
}

