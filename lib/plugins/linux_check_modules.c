/* linux_check_modules.c - linux.check_modules.Check_modules: modules that
 * sysfs knows (module_kset) but the `modules` list does not (hidden).
 *
 * Volatility walks module_kset->list (kobject.entry), takes each kobject's
 * name (32 bytes, cut at NUL, decoded with replacement) and its
 * module_kobject's mod pointer, keeps those with a name and a reference
 * count above 2 (a loaded module's kobject; built-in ones hold fewer), and
 * prints the names lsmod does not list.
 *
 * Divergences: Volatility prints the names in Python set order, which
 * string hashing randomises per run; memscry prints them in kset list order
 * (for a name seen twice, at its first place with its last mod, as the
 * dict Volatility fills keeps). Where it raises, memscry says why and goes
 * on: a kobject that cannot be read is skipped with a diagnostic; the list
 * ends early (bounded, a WARNING) at an unreadable, NULL or repeated link. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/hashset.h"
#include "lib/base/utf8.h"
#include "lib/plugins/linux_common.h"
#include "lib/walk/linux_modules.h"

static const struct scry_column columns[] = {
    {"Module Address", SCRY_COL_HEX},
    {"Module Name", SCRY_COL_STR},
};

#define KOBJ_NAME_READ 32

static const char kset_missing[] =
    "This plugin requires the module_kset structure. This structure is not present in the "
    "supplied symbol table. This means you are either analyzing an unsupported kernel version "
    "or that your symbol table is corrupt.";

/* What this plugin reads of sysfs' module kset. */
struct kset_off {
    uint64_t module_kset, kset_list, kobj_entry, kobj_name, mkobj_kobj, mkobj_mod;
    uint64_t refs, refs_size, counter, counter_size; /* kref.refcount(.refs).counter */
};

static scry_status resolve(const struct scry_linux *l, struct kset_off *o)
{
    struct scry_symbol_spec s[] = {SCRY_SYMBOL_OPT("module_kset", &o->module_kset)};
    struct scry_field_spec f[] = {
        SCRY_FIELD("kset", "list", &o->kset_list),
        SCRY_FIELD("kobject", "entry", &o->kobj_entry),
        SCRY_FIELD("kobject", "name", &o->kobj_name),
        SCRY_FIELD("module_kobject", "kobj", &o->mkobj_kobj),
        SCRY_FIELD("module_kobject", "mod", &o->mkobj_mod),
        {"kobject", "kref.refcount.refs.counter", &o->refs, &o->refs_size, 1},
        {"kobject", "kref.refcount.counter", &o->counter, &o->counter_size, 1},
    };
    scry_status rc = scry_resolve_symbols(l->symtab, s, 1);
    if (rc == SCRY_OK && o->module_kset == SCRY_NO_OFFSET)
        return scry_err(SCRY_ERR_UNSUPPORTED, "%s", kset_missing);
    if (rc == SCRY_OK)
        rc = scry_resolve_fields(l->symtab, f, sizeof f / sizeof f[0]);
    if (rc != SCRY_OK)
        return scry_err_ctx(rc, "%s", l->isf_path);
    if (o->counter == SCRY_NO_OFFSET) /* refcount_t: refs.counter */
        o->counter = o->refs, o->counter_size = o->refs_size;
    if (o->counter == SCRY_NO_OFFSET)
        return scry_err(SCRY_ERR_UNSUPPORTED, "%s: kobject.kref has no refcount counter",
                        l->isf_path);
    if (o->counter_size != 4)
        return scry_err(SCRY_ERR_CORRUPT, "%s: kobject's refcount counter is %" PRIu64
                        " bytes, not 4", l->isf_path, o->counter_size);
    return SCRY_OK;
}

struct found {
    char *name;
    uint64_t mod;
    size_t order; /* place in the kset list */
};

struct ctx {
    struct found *v;
    size_t n, cap;
    char **lsmod;   /* lsmod's names, sorted once walked */
    size_t nlsmod, caplsmod;
    int oom;
};

static void ctx_free(struct ctx *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->v[i].name);
    for (size_t i = 0; i < c->nlsmod; i++)
        free(c->lsmod[i]);
    free(c->v);
    free(c->lsmod);
}

static scry_status keep(struct ctx *c, const char *name, uint64_t mod)
{
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 32;
        struct found *v = realloc(c->v, cap * sizeof *v);
        if (!v)
            return scry_err(SCRY_ERR_NOMEM, "out of memory");
        c->v = v, c->cap = cap;
    }
    if (!(c->v[c->n].name = strdup(name)))
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    c->v[c->n].mod = mod;
    c->v[c->n].order = c->n;
    c->n++;
    return SCRY_OK;
}

static int by_name_order(const void *a, const void *b)
{
    const struct found *x = a, *y = b;
    int d = strcmp(x->name, y->name);
    return d ? d : (x->order > y->order) - (x->order < y->order);
}

static int by_order(const void *a, const void *b)
{
    const struct found *x = a, *y = b;
    return (x->order > y->order) - (x->order < y->order);
}

static int by_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Volatility's dict: ret[name] = mod keeps a repeated name at its first
 * place with its last mod. Sorting keeps this n log n on a crafted list. */
static void dedupe(struct ctx *c)
{
    size_t w = 0;
    if (!c->n)
        return; /* qsort's array may not be NULL, even empty */
    qsort(c->v, c->n, sizeof *c->v, by_name_order);
    for (size_t i = 0; i < c->n; i++) {
        if (w && strcmp(c->v[w - 1].name, c->v[i].name) == 0) {
            c->v[w - 1].mod = c->v[i].mod;
            free(c->v[i].name);
            continue;
        }
        c->v[w++] = c->v[i];
    }
    c->n = w;
    qsort(c->v, c->n, sizeof *c->v, by_order);
}

/* Reads one kobject (at kobj): Volatility's name and count test. */
static scry_status kobject(const struct kset_off *o, struct scry_vspace *ks, uint64_t kobj,
                           struct ctx *c)
{
    uint64_t name_ptr, mod;
    uint32_t refs;
    uint8_t raw[KOBJ_NAME_READ];
    char name[KOBJ_NAME_READ * 3 + 1];
    scry_status st;
    if ((st = scry_vspace_read_u64(ks, kobj + o->kobj_name, &name_ptr)) != SCRY_OK ||
        (st = scry_vspace_read_u64(ks, kobj - o->mkobj_kobj + o->mkobj_mod, &mod)) != SCRY_OK ||
        (st = scry_vspace_read_u32(ks, kobj + o->counter, &refs)) != SCRY_OK)
        return st;
    if (!name_ptr || (int32_t)refs <= 2)
        return SCRY_OK;
    if ((st = scry_vspace_read(ks, name_ptr, raw, sizeof raw)) != SCRY_OK)
        return st;
    size_t len = scry_utf8_replace(raw, strnlen((const char *)raw, sizeof raw), name);
    name[len] = 0;
    return keep(c, name, mod);
}

static scry_status walk_kset(const struct scry_linux *l, const struct kset_off *o,
                             struct scry_vspace *ks, struct scry_op *op, struct ctx *c)
{
    const uint64_t max = op && op->max_entries ? op->max_entries : SCRY_MAX_TASKS;
    const uint64_t next = l->off.list_next;
    uint64_t kset, head, link, prev;
    struct scry_hashset seen = {0};
    size_t n = 0;
    scry_status st = scry_vspace_read_u64(ks, o->module_kset + l->virt_shift, &kset);
    if (st != SCRY_OK)
        return scry_err_ctx(st, "module_kset cannot be read");
    if (!(kset & l->va_mask))
        return scry_err(SCRY_ERR_UNSUPPORTED, "%s", kset_missing);
    head = prev = kset + o->kset_list;
    if ((st = scry_vspace_read_u64(ks, head + next, &link)) != SCRY_OK) {
        scry_op_report(op, SCRY_DIAG_WARNING, st,
                       "module kset list cannot start: its head 0x%" PRIx64 " cannot be read",
                       head);
        return SCRY_OK;
    }
    if (scry_hs_add(&seen, head) < 0)
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    while (link != head) {
        int added = scry_hs_add(&seen, link);
        if (added < 0) {
            st = scry_err(SCRY_ERR_NOMEM, "out of memory");
            break;
        }
        if (!link || !added) {
            scry_op_say(op, SCRY_DIAG_WARNING, SCRY_ERR_CORRUPT,
                        "module kset list ends early after %zu entr%s: 0x%" PRIx64
                        " links to %s instead of back to the head",
                        n, n == 1 ? "y" : "ies", prev, link ? "an earlier entry" : "NULL");
            break;
        }
        if (n >= max) {
            scry_op_say(op, SCRY_DIAG_WARNING, SCRY_ERR_LIMIT,
                        "module kset list ends early: more than %" PRIu64 " entries", max);
            break;
        }
        if (scry_op_tick(op, ++n, 0)) {
            st = scry_op_cancelled();
            break;
        }
        uint64_t kobj = link - o->kobj_entry;
        scry_status rs = kobject(o, ks, kobj, c);
        if (rs == SCRY_ERR_NOMEM) {
            st = rs;
            break;
        }
        if (rs != SCRY_OK)
            scry_op_report(op, scry_diag_level_for(rs), rs, "kobject 0x%" PRIx64 " skipped",
                           kobj);
        prev = link;
        if ((rs = scry_vspace_read_u64(ks, link + next, &link)) != SCRY_OK) {
            scry_op_report(op, SCRY_DIAG_WARNING, rs,
                           "module kset list ends early after %zu entr%s: the link at 0x%" PRIx64
                           " cannot be read",
                           n, n == 1 ? "y" : "ies", prev);
            break;
        }
    }
    scry_hs_free(&seen);
    return st;
}

static int on_module(void *user, const struct scry_linux_module *m)
{
    struct ctx *c = user;
    if (c->nlsmod == c->caplsmod) {
        size_t cap = c->caplsmod ? c->caplsmod * 2 : 32;
        char **v = realloc(c->lsmod, cap * sizeof *v);
        if (!v)
            return c->oom = 1;
        c->lsmod = v, c->caplsmod = cap;
    }
    if (!(c->lsmod[c->nlsmod] = strdup(m->name)))
        return c->oom = 1;
    c->nlsmod++;
    return 0;
}

static int listed(const struct ctx *c, const char *name)
{
    return c->nlsmod && bsearch(&name, c->lsmod, c->nlsmod, sizeof *c->lsmod, by_str);
}

static scry_status run(struct scry_plugin_ctx *pc)
{
    const struct scry_linux *l = scry_linux_of(pc->profile);
    struct kset_off o;
    struct ctx c = {0};
    struct scry_vspace kernel;
    scry_status st;
    if ((st = resolve(l, &o)) != SCRY_OK)
        return st;
    if ((st = scry_profile_kernel(pc->profile, &kernel)) != SCRY_OK)
        return st;
    if ((st = walk_kset(l, &o, &kernel, pc->op, &c)) != SCRY_OK)
        goto out;
    if (l->off.mod.status == SCRY_OK) {
        st = scry_linux_walk_modules(l, &kernel, pc->op, on_module, &c);
        if (st == SCRY_OK && c.oom)
            st = scry_err(SCRY_ERR_NOMEM, "out of memory");
        if (st != SCRY_OK)
            goto out;
        if (c.nlsmod)
            qsort(c.lsmod, c.nlsmod, sizeof *c.lsmod, by_str);
    } else if (l->off.mod.status != SCRY_ERR_NOT_FOUND) {
        st = scry_err_ctx(l->off.mod.status, "%s: module layout", l->isf_path);
        goto out;
    }
    dedupe(&c);
    for (size_t i = 0; i < c.n && st == SCRY_OK; i++) {
        if (listed(&c, c.v[i].name))
            continue;
        struct scry_cell cells[2] = {
            scry_cell_hex(c.v[i].mod & l->va_mask),
            scry_cell_str(c.v[i].name, strlen(c.v[i].name)),
        };
        st = scry_result_add(pc->out, 0, cells);
    }
out:
    ctx_free(&c);
    return st;
}

const struct scry_plugin scry_plugin_linux_check_modules = {
    .name = "linux.check_modules.Check_modules",
    .alias = "linux.check_modules",
    .description = "Compares module list to sysfs info, if available",
    .options = NULL,
    .noptions = 0,
    .columns = columns,
    .ncolumns = sizeof columns / sizeof columns[0],
    .os = "linux",
    .run = run,
};
