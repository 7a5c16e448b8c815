/* linux_ksym.c - kernel symbol and module owner lookup: see linux_ksym.h. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "lib/walk/linux_ksym.h"
#include "lib/walk/linux_modules.h"
#include "symbols/symlist.h"

struct sym {
    uint64_t addr; /* ISF address & mask */
    const char *name;
};

struct owner {
    char *name; /* owned */
    uint64_t start, end; /* inclusive, as Volatility compares */
};

struct scry_linux_ksym {
    uint64_t mask, shift;
    struct sym *sym;
    size_t nsym;
    struct owner *own;
    size_t nown, capown;
};

static int sym_cmp(const void *a, const void *b)
{
    const struct sym *x = a, *y = b;
    if (x->addr != y->addr)
        return x->addr < y->addr ? -1 : 1;
    return strcmp(x->name, y->name); /* Python's str order for these names */
}

/* The first index whose address is >= addr (after: > addr). */
static size_t lower(const struct scry_linux_ksym *k, uint64_t addr, int after)
{
    size_t lo = 0, hi = k->nsym;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (k->sym[mid].addr < addr || (after && k->sym[mid].addr == addr))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static scry_status load_symbols(struct scry_linux_ksym *k, const struct scry_symtab *st)
{
    size_t n = scry_sym_count_symbols(st);
    k->sym = n ? malloc(n * sizeof *k->sym) : NULL;
    if (n && !k->sym)
        return scry_err(SCRY_ERR_NOMEM, "out of memory for %zu kernel symbols", n);
    for (size_t i = 0; i < n; i++) {
        uint64_t a;
        scry_status rc = scry_sym_symbol_at(st, i, &k->sym[i].name, &a);
        if (rc != SCRY_OK)
            return rc;
        k->sym[i].addr = a & k->mask;
    }
    k->nsym = n;
    if (n)
        qsort(k->sym, n, sizeof *k->sym, sym_cmp);
    return SCRY_OK;
}

static scry_status add_owner(struct scry_linux_ksym *k, const char *name, size_t len,
                             uint64_t start, uint64_t end)
{
    if (k->nown == k->capown) {
        size_t cap = k->capown ? k->capown * 2 : 16;
        struct owner *o = realloc(k->own, cap * sizeof *o);
        if (!o)
            return scry_err(SCRY_ERR_NOMEM, "out of memory");
        k->own = o, k->capown = cap;
    }
    char *copy = malloc(len + 1);
    if (!copy)
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    memcpy(copy, name, len);
    copy[len] = 0;
    k->own[k->nown++] = (struct owner){copy, start, end};
    return SCRY_OK;
}

/* An init part (MOD_INIT_*, init_layout, module_init) is not in the core. */
static int is_init_part(const char *what)
{
    return strstr(what, "INIT") || strstr(what, "init");
}

struct walk {
    struct scry_linux_ksym *k;
    scry_status st;
};

static int on_module(void *user, const struct scry_linux_module *m)
{
    struct walk *w = user;
    uint64_t base = 0, core = 0;
    int have_base = 0;
    for (size_t i = 0; i < m->nparts; i++) {
        if (is_init_part(m->parts[i].what))
            continue;
        if (!have_base) /* MOD_TEXT, core_layout, module_core: the first core part */
            base = m->parts[i].base, have_base = 1;
        core += m->parts[i].size;
    }
    base &= w->k->mask;
    w->st = add_owner(w->k, m->name, m->name_len, base, base + core);
    return w->st != SCRY_OK;
}

static scry_status load_owners(struct scry_linux_ksym *k, const struct scry_linux *l,
                               struct scry_vspace *ks, struct scry_op *op)
{
    uint64_t text, etext;
    scry_status rc;
    if ((rc = scry_sym_address(l->symtab, "_text", &text)) != SCRY_OK ||
        (rc = scry_sym_address(l->symtab, "_etext", &etext)) != SCRY_OK)
        return scry_err_ctx(rc, "%s: the kernel's text range is unknown", l->isf_path);
    text = (text + l->virt_shift) & k->mask;
    etext = (etext + l->virt_shift) & k->mask;
    if ((rc = add_owner(k, SCRY_KSYM_KERNEL, strlen(SCRY_KSYM_KERNEL), text, etext)) != SCRY_OK)
        return rc;
    if (l->off.mod.status == SCRY_ERR_NOT_FOUND) {
        scry_op_say(op, SCRY_DIAG_INFO, SCRY_ERR_NOT_FOUND,
                    "%s has no module list (symbol modules or type module): only the kernel "
                    "owns handlers",
                    l->isf_path);
        return SCRY_OK;
    }
    if (l->off.mod.status != SCRY_OK) {
        struct scry_linux_modules again;
        rc = scry_linux_resolve_modules(l->symtab, &again);
        return scry_err_ctx(rc != SCRY_OK ? rc : l->off.mod.status, "%s", l->isf_path);
    }
    struct walk w = {k, SCRY_OK};
    rc = scry_linux_walk_modules(l, ks, op, on_module, &w);
    return rc != SCRY_OK ? rc : w.st;
}

scry_status scry_linux_ksym_open(const struct scry_linux *l, struct scry_vspace *ks,
                                 struct scry_op *op, unsigned flags,
                                 struct scry_linux_ksym **out)
{
    if (out)
        *out = NULL;
    if (!l || !out || ((flags & SCRY_KSYM_OWNERS) && !ks))
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_linux_ksym_open: NULL argument");
    struct scry_linux_ksym *k = calloc(1, sizeof *k);
    if (!k)
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    k->mask = l->va_mask ? l->va_mask : UINT64_MAX;
    k->shift = l->virt_shift;
    scry_status rc = load_symbols(k, l->symtab);
    if (rc == SCRY_OK && (flags & SCRY_KSYM_OWNERS))
        rc = load_owners(k, l, ks, op);
    if (rc != SCRY_OK) {
        scry_linux_ksym_close(k);
        return rc;
    }
    *out = k;
    return SCRY_OK;
}

void scry_linux_ksym_close(struct scry_linux_ksym *k)
{
    if (!k)
        return;
    for (size_t i = 0; i < k->nown; i++)
        free(k->own[i].name);
    free(k->own);
    free(k->sym);
    free(k);
}

const char *scry_linux_ksym_symbol_isf(const struct scry_linux_ksym *k, uint64_t addr)
{
    size_t i = lower(k, addr, 0);
    return i < k->nsym && k->sym[i].addr == addr ? k->sym[i].name : NULL;
}

const char *scry_linux_ksym_symbol(const struct scry_linux_ksym *k, uint64_t addr)
{
    /* Volatility subtracts the module's offset from the masked value; an
     * address below the shift goes negative there and matches nothing,
     * here it wraps above every masked symbol: the same answer. */
    return scry_linux_ksym_symbol_isf(k, (addr & k->mask) - k->shift);
}

void scry_linux_ksym_lookup(const struct scry_linux_ksym *k, uint64_t addr, const char **module,
                            const char **symbol)
{
    *module = SCRY_KSYM_UNKNOWN;
    *symbol = SCRY_KSYM_NA;
    addr &= k->mask;
    for (size_t i = 0; i < k->nown; i++) {
        if (k->own[i].start <= addr && addr <= k->own[i].end) {
            *module = k->own[i].name;
            /* Volatility names a symbol when the owner's name is "__kernel__"
             * (a module of that name included). */
            if (strcmp(k->own[i].name, SCRY_KSYM_KERNEL) == 0) {
                const char *s = scry_linux_ksym_symbol(k, addr);
                if (s)
                    *symbol = s;
            }
            return;
        }
    }
}

size_t scry_linux_ksym_count(const struct scry_linux_ksym *k) { return k->nsym; }

void scry_linux_ksym_get(const struct scry_linux_ksym *k, size_t i, const char **name,
                         uint64_t *isf_addr)
{
    *name = k->sym[i].name;
    *isf_addr = k->sym[i].addr;
}

size_t scry_linux_ksym_after(const struct scry_linux_ksym *k, uint64_t addr)
{
    return lower(k, addr, 1);
}

uint64_t scry_linux_ksym_mask(const struct scry_linux_ksym *k) { return k->mask; }
