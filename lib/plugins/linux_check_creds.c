/* linux_check_creds.c - linux.check_creds.Check_creds: cred structures
 * that several processes share (a rootkit elevating a process may point
 * it at another's cred, e.g. init_cred).
 *
 * Volatility groups the processes of the task list (no threads) by the
 * address task->cred points at, skipping a NULL cred or one whose whole
 * struct cannot be read, and prints each address shared by more than one
 * process with their PIDs in list order, joined by ", ", addresses in the
 * order first seen. Each process gets its own copy of its creds (only
 * threads share them), so a clean guest prints nothing. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/plugins/linux_common.h"
#include "symbols/symtab.h"

static const struct scry_column columns[] = {
    {"CredVAddr", SCRY_COL_HEX},
    {"PIDs", SCRY_COL_STR},
};

static const char cred_missing[] =
    "This plugin requires the task_struct structure to have a cred member. This member is not "
    "present in the supplied symbol table. This means you are either analyzing an unsupported "
    "kernel version or that your symbol table is corrupt.";

#define CRED_READ_MAX 4096 /* struct cred is ~200 bytes; a hostile ISF may say more */

struct use {
    uint64_t cred;
    size_t order; /* place in the task list */
    int32_t pid;
};

struct ctx {
    const struct scry_linux *l;
    struct scry_vspace *ks;
    uint64_t cred_off, cred_size;
    struct use *v;
    size_t n, cap;
    scry_status st;
};

static int on_task(void *user, const struct scry_linux_task *t)
{
    struct ctx *c = user;
    uint8_t buf[CRED_READ_MAX];
    uint64_t cred;
    if (scry_vspace_read_u64(c->ks, t->addr + c->cred_off, &cred) != SCRY_OK)
        return 0; /* Volatility would raise; the task has no cred to group */
    cred &= c->l->va_mask;
    /* task_cred_ptr.is_readable(): the whole struct must be mapped. */
    if (!cred || scry_vspace_read(c->ks, cred, buf, (size_t)c->cred_size) != SCRY_OK)
        return 0;
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 256;
        struct use *v = realloc(c->v, cap * sizeof *v);
        if (!v) {
            c->st = scry_err(SCRY_ERR_NOMEM, "out of memory");
            return 1;
        }
        c->v = v, c->cap = cap;
    }
    c->v[c->n] = (struct use){cred, c->n, t->pid};
    c->n++;
    return 0;
}

static int by_cred(const void *a, const void *b)
{
    const struct use *x = a, *y = b;
    if (x->cred != y->cred)
        return x->cred < y->cred ? -1 : 1;
    return (x->order > y->order) - (x->order < y->order);
}

struct group {
    size_t first, n, order; /* into the sorted uses; the first use's place */
};

static int by_order(const void *a, const void *b)
{
    const struct group *x = a, *y = b;
    return (x->order > y->order) - (x->order < y->order);
}

static scry_status emit(struct scry_plugin_ctx *pc, const struct use *u, const struct group *g)
{
    size_t cap = g->n * 13 + 1, len = 0;
    char *s = malloc(cap);
    if (!s)
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < g->n; i++)
        len += (size_t)snprintf(s + len, cap - len, "%s%" PRId32, i ? ", " : "",
                                u[g->first + i].pid);
    struct scry_cell cells[2] = {scry_cell_hex(u[g->first].cred), scry_cell_str(s, len)};
    scry_status st = scry_result_add(pc->out, 0, cells);
    free(s);
    return st;
}

static scry_status run(struct scry_plugin_ctx *pc)
{
    struct ctx c = {.l = scry_linux_of(pc->profile)};
    struct scry_vspace kernel;
    struct group *g = NULL;
    size_t ng = 0;
    struct scry_field_spec f[] = {{"task_struct", "cred", &c.cred_off, NULL, 1}};
    scry_status st = scry_resolve_fields(c.l->symtab, f, 1);
    if (st != SCRY_OK)
        return scry_err_ctx(st, "%s", c.l->isf_path);
    if (c.cred_off == SCRY_NO_OFFSET)
        return scry_err(SCRY_ERR_UNSUPPORTED, "%s", cred_missing);
    if (scry_sym_type_size(c.l->symtab, "cred", &c.cred_size) != SCRY_OK || !c.cred_size ||
        c.cred_size > CRED_READ_MAX)
        return scry_err(SCRY_ERR_UNSUPPORTED, "%s: struct cred's size is unknown or over %d "
                        "bytes", c.l->isf_path, CRED_READ_MAX);
    if ((st = scry_profile_kernel(pc->profile, &kernel)) != SCRY_OK)
        return st;
    c.ks = &kernel;
    st = scry_linux_walk_tasks(c.l, pc->op, 0, on_task, &c);
    if (st == SCRY_OK)
        st = c.st;
    if (st != SCRY_OK)
        goto out;
    /* Grouped by sorting (n log n on any list), then put back in the order
     * each address was first seen (Volatility's dict order). */
    if (c.n) /* qsort's array may not be NULL, even empty */
        qsort(c.v, c.n, sizeof *c.v, by_cred);
    if (c.n && !(g = malloc((c.n / 2 + 1) * sizeof *g))) {
        st = scry_err(SCRY_ERR_NOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < c.n;) {
        size_t j = i + 1;
        while (j < c.n && c.v[j].cred == c.v[i].cred)
            j++;
        if (j - i > 1)
            g[ng++] = (struct group){i, j - i, c.v[i].order};
        i = j;
    }
    if (ng)
        qsort(g, ng, sizeof *g, by_order);
    for (size_t i = 0; i < ng && st == SCRY_OK; i++)
        st = emit(pc, c.v, &g[i]);
out:
    free(g);
    free(c.v);
    return st;
}

const struct scry_plugin scry_plugin_linux_check_creds = {
    .name = "linux.check_creds.Check_creds",
    .alias = "linux.check_creds",
    .description = "Checks if any processes are sharing credential structures",
    .options = NULL,
    .noptions = 0,
    .columns = columns,
    .ncolumns = sizeof columns / sizeof columns[0],
    .os = "linux",
    .run = run,
};
