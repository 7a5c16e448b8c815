/* linux_detect.c - find a Linux kernel in a dump, as Volatility's automagic
 * does, but fast.
 *
 * 1. Candidate ISFs come from the symbol directories; those whose path names
 *    the release the dump states (VMCOREINFO OSRELEASE, kdump utsname) are
 *    tried first.
 * 2. When the dump states KERNELOFFSET and phys_base (VMCOREINFO: QEMU ELF
 *    and kdump with -device vmcoreinfo, /proc/vmcore), each candidate's
 *    linux_banner is checked at the physical address those give: no scan.
 * 3. Otherwise the banner is looked for where a relocated kernel can put it
 *    (each candidate parsed only when its turn comes):
 *    x86-64 loads the kernel at a CONFIG_PHYSICAL_ALIGN (2 MiB) boundary, so
 *    linux_banner can only sit at its link-time offset modulo 2 MiB - a few
 *    hundred probes instead of reading all memory.
 * 4. Failing that, physical memory is scanned for "Linux version " and the
 *    first hit whose bytes equal a candidate's linux_banner wins (Volatility
 *    takes banner hits in scan order too). The banner's own address gives the
 *    physical shift; when init_task is not where that puts it (the hit was a
 *    copy), Volatility's swapper scan (find_aslr) decides instead.
 * 5. init_task proves the shifts: comm "swapper", pid 0, and init_task.files
 *    minus init_files is the virtual (KASLR) shift. The DTB is init_top_pgt.
 *    The paging mode comes from VMCOREINFO pgtable_l5_enabled, else CR4.LA57
 *    in a QEMU CPU note, and is always confirmed by translating init_task's
 *    virtual address back to where it was found - so a raw or LiME image of a
 *    5-level kernel is recognised from its page tables alone.
 *
 * 6. No ISF's banner matched (and the context allows it): the profile is
 *    built from the dump itself - its BTF for the types, its kallsyms for
 *    the symbols (linux_dump_isf.c) - and tried as one more candidate. Its
 *    compiled table is kept in the cache directory keyed by the dump's
 *    identity, so the next session maps it and probes as for any ISF. An
 *    ISF whose banner matched but that failed is the answer (an error
 *    naming it), never a reason to fall back. With no ISF at all the dump's
 *    own profile is tried before any banner scan (only the first banner is
 *    looked for, to tell a Linux dump).
 *
 * Bounds (hostile ISFs and dumps): every candidate is checked once when it
 * is loaded (check_usable); an unusable one is never tried, and when its
 * banner matches, its reason - naming the ISF and the symbol or field - is
 * the error. The swapper scan runs at most once per dump (find_by_swapper),
 * so detection reads physical memory at most twice whatever the number of
 * banner hits and candidates. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "lib/base/dump_id.h"
#include "lib/os/linux.h"
#include "lib/os/linux_dump_isf.h"
#include "lib/phys/scan.h"
#include "symbols/isf_cache.h"
#include "symbols/cache.h"
#include "symbols/symstore.h"
#include "symbols/symtab.h"

#define CR4_LA57 (1ull << 12)

struct cand {
    const char *path;              /* for messages: the file, or "pack!member" */
    const struct scry_isf_cand *src; /* where it is stored; its identifier when indexed */
    const struct scry_symtab *st;  /* a reference from the symbol cache while held */
    const uint8_t *banner;         /* linux_banner's bytes: the index's, or banner_copy */
    size_t blen;
    uint64_t banner_addr;
    int known;  /* banner known without loading (from the index) */
    int tried;  /* load attempted */
    int checked; /* check_usable ran: the fields below are set */
    /* Checked once at load, before any scan: a table that lacks (or holds
     * impossible values for) what detection and the profile need is never
     * tried. When its banner matches, the reason becomes the error. */
    scry_status unusable;
    char why[512];
    int swapper_tried; /* the swapper fallback ran for this candidate */
    /* What check_usable resolved, so that each banner or swapper hit tried
     * costs reads of memory, not lookups: the symbols detection needs (as
     * the ISF states them; pgt SCRY_NO_OFFSET on a 32-bit kernel) and the
     * whole profile's offsets. */
    uint64_t init_task, init_files, pgt;
    struct scry_linux_offsets off;
    uint8_t *banner_copy; /* owned: the banner read from the table itself */
};

/* Its banner is known: from the index, or read from its table. */
static int has_banner(const struct cand *c) { return c->banner != NULL; }

/* Hits of the swapper scan, collected once per dump (Volatility's
 * find_aslr order: every "swapper/0" hit, then every "swapper" one). */
#define SWAPPER_MAX_HITS 65536

struct swapper_hits {
    uint64_t *v[2];
    size_t n[2], cap[2];
    int collected;
};

struct detect {
    const struct scry_detect_in *in;
    struct scry_phys *p;
    struct cand *c;
    size_t n;
    struct cand *held; /* the one candidate whose table is loaded now */
    size_t load_failures;
    char first_error[256];
    char first_banner[256]; /* first banner text seen, for the error */
    int have_hint_mode;
    enum scry_paging hint_mode;
    struct scry_linux *found;
    scry_status fatal; /* a real error (NOMEM, CORRUPT page) that stops all */
    struct swapper_hits sw;
    /* Damage met where a matching kernel should be: a page under the
     * banner, init_task or the page tables that cannot be decoded. Reported
     * instead of a misleading "no symbol table matches". */
    scry_status damage;
    char damage_msg[768];
    int matched;      /* some ISF's banner matched (then no fall-back to the dump's own) */
    int first_only;   /* the banner scan stops at the first real banner */
    struct cand *own; /* the profile from the dump's BTF + kallsyms, once tried */
    scry_status own_status;
    char own_error[512];
    char own_label[1100];
    struct scry_isfc_key own_key; /* its compiled entry's key (own_key()) */
};

/* Remembers the first damage (CORRUPT, NOMEM, LIMIT) a detection-critical
 * read met, with its innermost cause. */
static void note_damage(struct detect *d, scry_status st, const struct cand *c, const char *what)
{
    if (st == SCRY_OK || st == SCRY_ERR_NODATA || d->damage)
        return;
    d->damage = st;
    snprintf(d->damage_msg, sizeof d->damage_msg, "%s matches the kernel banner, but %s: %s",
             c->path, what, scry_last_error());
}

/* A candidate whose banner matches but whose table is unusable: its
 * reason, unless an earlier one was kept. */
static void note_unusable(struct detect *d, const struct cand *c)
{
    if (d->damage)
        return;
    d->damage = c->unusable;
    snprintf(d->damage_msg, sizeof d->damage_msg, "%s matches the kernel banner, but %s", c->path,
             c->why);
}

/* "KEY=value" in VMCOREINFO; base 16 for KERNELOFFSET and SYMBOL(), 10 for
 * NUMBER() (may be negative). */
static int vmci_get(const char *vmci, const char *key, int base, uint64_t *out)
{
    size_t kl = strlen(key);
    for (const char *line = vmci; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
        if (strncmp(line, key, kl) == 0 && line[kl] == '=') {
            char *end;
            const char *v = line + kl + 1;
            if (base == 10 && *v == '-')
                *out = (uint64_t)strtoll(v, &end, 10);
            else
                *out = strtoull(v, &end, base);
            return end != v;
        }
    }
    return 0;
}

static int vmci_str(const char *vmci, const char *key, char *out, size_t cap)
{
    size_t kl = strlen(key);
    for (const char *line = vmci; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
        if (strncmp(line, key, kl) == 0 && line[kl] == '=') {
            const char *v = line + kl + 1;
            size_t n = strcspn(v, "\n");
            if (n >= cap)
                n = cap - 1;
            memcpy(out, v, n);
            out[n] = '\0';
            return 1;
        }
    }
    return 0;
}

static scry_status unusable(struct cand *c, scry_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static scry_status unusable(struct cand *c, scry_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->why, sizeof c->why, fmt, ap);
    va_end(ap);
    c->unusable = st;
    return st;
}

/* A field the resolver refused for another reason than its absence (past
 * its struct, anonymous members that loop): "its symbol table is unusable:
 * TYPE.FIELD: why", the field named once. */
static void bad_field(struct cand *c, scry_status st, const char *type, const char *field)
{
    char name[128];
    const char *msg = scry_last_error();
    snprintf(name, sizeof name, "%s.%s: ", type, field);
    if (strncmp(msg, name, strlen(name)) == 0)
        unusable(c, st, "its symbol table is unusable: %s", msg);
    else
        unusable(c, st, "its symbol table is unusable: %s%s", name, msg);
}

/* What detection and the Linux profile need from the ISF, checked once per
 * candidate before any scan: the symbols (inside the kernel's image map),
 * and every field the profile resolves (present, inside its struct). */
static void check_usable(struct cand *c)
{
    static const char *const syms[] = {"init_task", "init_files"};
    uint64_t *const dst[] = {&c->init_task, &c->init_files};
    static const struct {
        const char *type, *field;
    } fields[] = {{"task_struct", "comm"}, {"task_struct", "pid"}, {"task_struct", "files"}};
    uint64_t v, size, pgt4;
    for (size_t i = 0; i < sizeof syms / sizeof syms[0]; i++) {
        scry_status st = scry_sym_address(c->st, syms[i], &v);
        if (st == SCRY_ERR_NOT_FOUND) {
            unusable(c, SCRY_ERR_NO_SYMBOLS, "its symbol table has no symbol %s", syms[i]);
            return;
        }
        if (st != SCRY_OK) {
            unusable(c, st, "its symbol %s cannot be read: %s", syms[i], scry_last_error());
            return;
        }
        if (v < SCRY_LINUX_START_KERNEL_MAP) {
            unusable(c, SCRY_ERR_CORRUPT,
                     "its symbol %s has an impossible address 0x%" PRIx64
                     " (below the kernel image map at 0x%llx)",
                     syms[i], v, SCRY_LINUX_START_KERNEL_MAP);
            return;
        }
        *dst[i] = v;
    }
    const struct scry_symbol_spec pgts[] = {SCRY_SYMBOL_OPT("init_top_pgt", &c->pgt),
                                            SCRY_SYMBOL_OPT("init_level4_pgt", &pgt4)};
    if (scry_resolve_symbols(c->st, pgts, 2) != SCRY_OK) {
        unusable(c, SCRY_ERR_CORRUPT, "its symbol table is unusable: %s", scry_last_error());
        return;
    }
    if (c->pgt == SCRY_NO_OFFSET)
        c->pgt = pgt4;
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        uint64_t off;
        const struct scry_field_spec spec[] = {SCRY_FIELD(fields[i].type, fields[i].field, &off)};
        scry_status st = scry_resolve_fields(c->st, spec, 1);
        if (st == SCRY_OK)
            continue;
        if (st == SCRY_ERR_NOT_FOUND && scry_sym_type_size(c->st, fields[i].type, &size) != SCRY_OK)
            unusable(c, SCRY_ERR_NO_SYMBOLS, "its symbol table has no type %s", fields[i].type);
        else if (st == SCRY_ERR_NOT_FOUND)
            unusable(c, SCRY_ERR_NO_SYMBOLS, "its symbol table has no field %s.%s",
                     fields[i].type, fields[i].field);
        else
            bad_field(c, st, fields[i].type, fields[i].field);
        return;
    }
    /* Everything the walkers will need, as the profile resolves it: a
     * table that cannot build the profile is refused here, by name. */
    struct scry_linux l = {.symtab = c->st, .isf_path = (char *)c->path};
    scry_status st = scry_linux_resolve_offsets(&l);
    c->off = l.off;
    if (st != SCRY_OK) {
        static const char prof[] = "Linux profile: ";
        const char *msg = scry_last_error();
        size_t pl = strlen(c->path);
        if (strncmp(msg, c->path, pl) == 0 && strncmp(msg + pl, ": ", 2) == 0)
            msg += pl + 2; /* the path is said once, in front */
        if (strncmp(msg, prof, sizeof prof - 1) == 0)
            msg += sizeof prof - 1;
        if (st == SCRY_ERR_NOT_FOUND)
            unusable(c, SCRY_ERR_NO_SYMBOLS, "its symbol table lacks what the Linux profile "
                     "needs: %s", msg);
        else
            unusable(c, st, "its symbol table is unusable: %s", msg);
    }
}

/* Releases the table of the candidate that holds one: a store of many
 * ISFs never has more than one candidate table in memory at a time. */
static void drop_held(struct detect *d)
{
    if (d->held) {
        scry_symcache_release(d->in->symbols, d->held->st);
        d->held->st = NULL;
        d->held = NULL;
    }
}

static void load_failed(struct detect *d, scry_status st)
{
    if (st == SCRY_ERR_NOMEM)
        d->fatal = st;
    if (!d->load_failures++)
        snprintf(d->first_error, sizeof d->first_error, "%s", scry_last_error());
}

/* Acquires c's table (through the shared symbol cache) and, the first
 * time, learns its banner and checks it (check_usable). Returns 1 with
 * c->st held when c is usable, else 0 (unusable: c->unusable says why;
 * unreadable: counted in load_failures). */
static int hold(struct detect *d, struct cand *c)
{
    scry_status st;
    if (c->st)
        return 1;
    if (c->unusable || (c->tried && !c->checked) || !c->src)
        return 0; /* !src: the dump's own table, released: not loaded again */
    drop_held(d);
    c->tried = 1;
    for (int attempt = 0;; attempt++) {
        const uint8_t *b = NULL;
        size_t blen = 0;
        uint64_t baddr = 0;
        st = scry_symcache_acquire_at(d->in->symbols, c->src->path, c->src->member,
                                      c->src->key.size ? &c->src->key : NULL, &c->st);
        if (st == SCRY_OK &&
            (scry_sym_constant_data(c->st, "linux_banner", &b, &blen) != SCRY_OK ||
             scry_sym_address(c->st, "linux_banner", &baddr) != SCRY_OK || blen < 16)) {
            st = scry_sym_damaged(c->st)
                     ? SCRY_ERR_CORRUPT
                     : scry_err(SCRY_ERR_CORRUPT, "%s: no linux_banner constant data", c->path);
        }
        /* The index said what this file holds; a file changed since (its
         * banner differs) is not the kernel the index matched. */
        if (st == SCRY_OK && c->known &&
            (blen != c->blen || memcmp(b, c->banner, blen) != 0 || baddr != c->banner_addr))
            st = scry_err(SCRY_ERR_CORRUPT, "%s changed since it was indexed", c->path);
        if (st == SCRY_OK && !c->checked) {
            if (!c->known) {
                free(c->banner_copy); /* a first attempt's, when a damaged table is retried */
                c->banner = NULL;
                if (!(c->banner_copy = malloc(blen))) {
                    st = scry_err(SCRY_ERR_NOMEM, "out of memory");
                } else {
                    memcpy(c->banner_copy, b, blen);
                    c->banner = c->banner_copy;
                    c->blen = blen;
                    c->banner_addr = baddr;
                }
            }
            if (st == SCRY_OK)
                check_usable(c);
        }
        /* Every lookup above checked the blocks it read of a compiled table
         * mapped from the cache; when one failed its checksum, the symbol
         * cache drops that entry and the next acquire builds the table
         * again from the ISF, so a damaged cache file costs one rebuild. */
        if (attempt || !c->st || !scry_sym_damaged(c->st))
            break;
        scry_symcache_release(d->in->symbols, c->st);
        c->st = NULL;
        c->unusable = SCRY_OK;
        c->why[0] = '\0';
    }
    if (st == SCRY_OK)
        c->checked = 1;
    if (st != SCRY_OK || c->unusable) {
        if (st != SCRY_OK)
            load_failed(d, st);
        scry_symcache_release(d->in->symbols, c->st);
        c->st = NULL;
        return 0;
    }
    d->held = c;
    return 1;
}

/* Makes c's banner known: from the index, else by loading its table (as
 * before there was an index). Returns has_banner(c). */
static int learn(struct detect *d, struct cand *c)
{
    if (!has_banner(c) && !c->tried)
        hold(d, c);
    return has_banner(c);
}

/* Reads len physical bytes that must all be present: SCRY_OK, NODATA for
 * a hole, or the layer's error (CORRUPT: a page that cannot be decoded). */
static scry_status phys_exact(struct scry_phys *p, uint64_t pa, void *buf, size_t len)
{
    size_t holes = 0;
    scry_status st = scry_phys_read(p, pa, buf, len, &holes);
    if (st == SCRY_OK && holes)
        st = scry_err(SCRY_ERR_NODATA, "physical 0x%llx is not in the dump",
                      (unsigned long long)pa);
    return st;
}

static int is_swapper_comm(const uint8_t comm[16])
{
    static const uint8_t a[15] = "swapper/0\0\0\0\0\0", b[15] = "swapper\0\0\0\0\0\0\0";
    return memcmp(comm, a, 15) == 0 || memcmp(comm, b, 15) == 0;
}

static void strip_banner(const uint8_t *b, size_t n, char *out, size_t cap)
{
    while (n && (b[n - 1] == 0 || b[n - 1] == '\n'))
        n--;
    if (n >= cap)
        n = cap - 1;
    memcpy(out, b, n);
    out[n] = '\0';
}

static enum scry_paging other_mode(enum scry_paging m)
{
    return m == SCRY_PAGING_LA57 ? SCRY_PAGING_X86_64 : SCRY_PAGING_LA57;
}

static void linux_free(struct scry_profile *p);

/* The profile's info key/values (scry_session_info). */
static scry_status fill_info(struct scry_linux *l)
{
    struct scry_kv *kv = &l->base.info;
    const char *ver = l->banner + strlen("Linux version ");
    size_t vlen = strcspn(ver, " ");
    scry_status st = scry_kv_add(kv, "os", "linux");
    if (st == SCRY_OK)
        st = scry_kv_add(kv, "description", "Linux %.*s", (int)vlen, ver);
    if (st == SCRY_OK)
        st = scry_kv_add(kv, "banner", "%s", l->banner);
    if (st == SCRY_OK)
        st = scry_kv_add(kv, "isf", "%s", l->isf_path);
    if (st == SCRY_OK && l->from_dump)
        st = scry_kv_add(kv, "symbols_from_dump", "btf+kallsyms");
    if (st == SCRY_OK)
        st = scry_kv_add(kv, "dtb", "0x%" PRIx64, l->base.dtb);
    if (st == SCRY_OK)
        st = scry_kv_add(kv, "paging_levels", "%d", l->base.mode == SCRY_PAGING_LA57 ? 5 : 4);
    if (st == SCRY_OK)
        st = scry_kv_add(kv, "virtual_shift", "0x%" PRIx64, l->virt_shift);
    if (st == SCRY_OK)
        st = scry_kv_add(kv, "physical_shift", "0x%" PRIx64, l->phys_shift);
    return st;
}

/* Tries candidate c with physical shift phys_shift; on success d->found. */
static int try_kernel(struct detect *d, struct cand *c, uint64_t phys_shift)
{
    const uint64_t init_task = c->init_task, pgt = c->pgt;
    const struct scry_linux_offsets *o = &c->off;
    uint64_t files, virt_shift, pa;
    uint8_t comm[16];
    int32_t pid;
    struct scry_linux *l;
    struct scry_vspace vs;
    enum scry_paging modes[2];
    scry_status st;
    if (pgt == SCRY_NO_OFFSET) {
        scry_err(SCRY_ERR_UNSUPPORTED, "%s: a 32-bit kernel (no init_top_pgt): not supported yet",
                 c->path);
        d->fatal = SCRY_ERR_UNSUPPORTED;
        return 0;
    }
    if (pgt < SCRY_LINUX_START_KERNEL_MAP)
        return 0;
    uint64_t task_pa = init_task - SCRY_LINUX_START_KERNEL_MAP + phys_shift;
    if ((st = phys_exact(d->p, task_pa + o->task_comm, comm, sizeof comm)) != SCRY_OK ||
        !is_swapper_comm(comm) ||
        (st = phys_exact(d->p, task_pa + o->task_pid, &pid, sizeof pid)) != SCRY_OK || pid != 0 ||
        (st = phys_exact(d->p, task_pa + o->task_files, &files, sizeof files)) != SCRY_OK) {
        note_damage(d, st, c, "init_task cannot be read");
        return 0;
    }
    virt_shift = files - c->init_files;
    if ((virt_shift & 0xfff) || (phys_shift & 0xfff))
        return 0;
    uint64_t dtb = pgt - SCRY_LINUX_START_KERNEL_MAP + phys_shift;
    modes[0] = d->have_hint_mode ? d->hint_mode : SCRY_PAGING_X86_64;
    modes[1] = other_mode(modes[0]);
    for (int i = 0; i < 2; i++) {
        if (scry_vspace_init(&vs, d->p, modes[i], dtb) != SCRY_OK)
            continue;
        st = scry_vspace_translate(&vs, init_task + virt_shift, &pa);
        if (st == SCRY_OK && pa == task_pa)
            goto mode_ok;
        note_damage(d, st, c, "the kernel page tables cannot be read");
    }
    return 0;
mode_ok:
    if (!(l = calloc(1, sizeof *l))) {
        d->fatal = SCRY_ERR_NOMEM;
        return 0;
    }
    l->base.os = &scry_os_linux;
    l->base.phys = d->p;
    l->base.mode = vs.mode;
    l->base.dtb = dtb;
    l->va_mask = scry_vspace_mask(&vs);
    l->init_task = init_task + virt_shift;
    l->virt_shift = virt_shift;
    l->phys_shift = phys_shift;
    l->symbols = d->in->symbols;
    l->from_dump = c == d->own;
    l->isf_path = strdup(c->path);
    l->banner = malloc(c->blen + 1);
    if (!l->isf_path || !l->banner) {
        linux_free(&l->base);
        d->fatal = SCRY_ERR_NOMEM;
        return 0;
    }
    strip_banner(c->banner, c->blen, l->banner, c->blen + 1);
    l->symtab = c->st;
    l->off = c->off;
    if ((d->fatal = fill_info(l)) != SCRY_OK) {
        l->symtab = NULL;
        linux_free(&l->base);
        return 0;
    }
    c->st = NULL; /* the reference now belongs to l */
    if (d->held == c)
        d->held = NULL;
    scry_symcache_pin(d->in->symbols, l->symtab);
    d->found = l;
    return 1;
}

/* One scan for "swapper" collects both of find_aslr's patterns, each hit
 * whole inside one run as a scan would find it. */
static int on_swapper(void *user, uint64_t pa)
{
    static const uint8_t sw[2][15] = {"swapper/0\0\0\0\0\0", "swapper\0\0\0\0\0\0\0"};
    struct detect *d = user;
    struct swapper_hits *h = &d->sw;
    uint8_t buf[15];
    size_t r = scry_phys_find_run(d->p, pa), holes = 0;
    if (r == (size_t)-1 || d->p->runs[r].start + d->p->runs[r].len - pa < sizeof buf ||
        scry_phys_read(d->p, pa, buf, sizeof buf, &holes) != SCRY_OK)
        return 0;
    for (int k = 0; k < 2; k++) {
        if (memcmp(buf, sw[k], sizeof buf) != 0 || h->n[k] >= SWAPPER_MAX_HITS)
            continue;
        if (h->n[k] == h->cap[k]) {
            size_t cap = h->cap[k] ? 2 * h->cap[k] : 64;
            uint64_t *v = realloc(h->v[k], cap * sizeof *v);
            if (!v) {
                d->fatal = SCRY_ERR_NOMEM;
                return 1;
            }
            h->v[k] = v;
            h->cap[k] = cap;
        }
        h->v[k][h->n[k]++] = pa;
    }
    return 0;
}

/* Volatility's find_aslr for candidate c: init_task is where "swapper/0"
 * (then "swapper") sits. Physical memory is scanned once per dump, and
 * each candidate tries the hits once, whichever banner hit led to it: the
 * work is one scan plus hits x candidates probes, not a scan per banner hit
 * per candidate. */
static void find_by_swapper(struct detect *d, struct cand *c)
{
    const uint64_t off_comm = c->off.task_comm;
    if (c->swapper_tried)
        return;
    c->swapper_tried = 1;
    if (!d->sw.collected) {
        scry_status st = scry_scan_phys(d->p, NULL, "swapper", 7, on_swapper, d);
        d->sw.collected = 1;
        if (st != SCRY_OK && !d->fatal)
            d->fatal = st;
    }
    if (d->fatal)
        return;
    for (int k = 0; k < 2; k++)
        for (size_t i = 0; i < d->sw.n[k]; i++) {
            uint64_t pa = d->sw.v[k][i];
            if (pa < off_comm)
                continue; /* no task_struct can end there */
            uint64_t task_pa = pa - off_comm;
            uint64_t shift = task_pa - (c->init_task - SCRY_LINUX_START_KERNEL_MAP);
            if (try_kernel(d, c, shift) || d->fatal)
                return;
        }
}

static int on_banner(void *user, uint64_t pa)
{
    struct detect *d = user;
    uint8_t buf[1024];
    size_t holes = 0, want = sizeof buf;
    if (scry_phys_read(d->p, pa, buf, want, &holes) != SCRY_OK)
        return 0;
    /* "Linux version" must be followed by a version number to count. */
    if (!(buf[14] >= '0' && buf[14] <= '9'))
        return 0;
    if (!d->first_banner[0]) { /* for the error message: a real banner line */
        size_t n = 0;
        while (n < sizeof buf && buf[n] >= 0x20 && buf[n] < 0x7f && buf[n] != '"')
            n++;
        if (n < sizeof buf && (buf[n] == '\n' || buf[n] == '\0'))
            strip_banner(buf, n, d->first_banner, sizeof d->first_banner);
    }
    if (d->first_only)
        return d->first_banner[0] != 0;
    for (size_t i = 0; i < d->n; i++) {
        struct cand *c = &d->c[i];
        if (!has_banner(c) || c->blen > sizeof buf || memcmp(buf, c->banner, c->blen) != 0)
            continue;
        d->matched = 1;
        if (!hold(d, c)) {
            if (c->unusable)
                note_unusable(d, c);
            if (d->fatal)
                return 1;
            continue;
        }
        uint64_t shift = pa - (c->banner_addr - SCRY_LINUX_START_KERNEL_MAP);
        if (try_kernel(d, c, shift))
            return 1;
        if (d->fatal)
            return 1;
        /* A copy of the banner elsewhere: find init_task by its name. */
        find_by_swapper(d, c);
        if (d->found || d->fatal)
            return 1;
    }
    return 0;
}

#define KERNEL_ALIGN (2ull << 20)

/* Step 3: linux_banner at every 2 MiB-aligned relocation. */
static void probe_aligned(struct detect *d, struct cand *c)
{
    uint8_t buf[1024];
    if (!has_banner(c) || c->blen > sizeof buf || c->banner_addr < SCRY_LINUX_START_KERNEL_MAP)
        return;
    uint64_t link_pa = c->banner_addr - SCRY_LINUX_START_KERNEL_MAP;
    for (size_t r = 0; r < d->p->nruns && !d->found && !d->fatal; r++) {
        const struct scry_run *run = &d->p->runs[r];
        uint64_t pa = run->start - run->start % KERNEL_ALIGN + link_pa % KERNEL_ALIGN;
        if (pa < run->start)
            pa += KERNEL_ALIGN;
        for (; pa < run->start + run->len && pa >= run->start; pa += KERNEL_ALIGN) {
            if (phys_exact(d->p, pa, buf, c->blen) != SCRY_OK ||
                memcmp(buf, c->banner, c->blen) != 0)
                continue;
            d->matched = 1;
            if (!hold(d, c)) {
                if (c->unusable)
                    note_unusable(d, c);
                return;
            }
            if (try_kernel(d, c, pa - link_pa) || d->fatal)
                return;
        }
    }
}

static int release_in_path(const char *path, const char *release)
{
    return release[0] && strstr(path, release) != NULL;
}

/* The dump's CPU notes: "cpu.N.cr4" for the first CPU that has one. */
static int first_cr4(const struct scry_kv *meta, uint64_t *cr4)
{
    for (unsigned i = 0; i < SCRY_MAX_CPUS; i++) {
        char key[32];
        snprintf(key, sizeof key, "cpu.%u.cr4", i);
        if (scry_kv_u64(meta, key, cr4))
            return 1;
    }
    return 0;
}

/* ------------------------------------- 6. the dump's own BTF + kallsyms */

struct membuf {
    uint8_t *p;
    size_t n, cap;
};

static int membuf_write(void *user, const void *data, size_t len)
{
    struct membuf *m = user;
    if (len > m->cap - m->n) {
        size_t cap = m->cap ? m->cap : (size_t)16 << 20;
        while (cap - m->n < len)
            cap *= 2; /* bounded: the writer stops at SCRY_ISF_MAX_OUTPUT */
        uint8_t *p = realloc(m->p, cap);
        if (!p) {
            scry_err(SCRY_ERR_NOMEM, "out of memory");
            return -1;
        }
        m->p = p;
        m->cap = cap;
    }
    memcpy(m->p + m->n, data, len);
    m->n += len;
    return 0;
}

struct own_build {
    const struct scry_detect_in *in;
    struct scry_linux_dump_facts facts;
    int built;
};

static scry_status build_own(void *user, uint8_t **isf, size_t *len)
{
    struct own_build *b = user;
    const struct scry_detect_in *in = b->in;
    struct membuf m = {0};
    b->built = 1;
    scry_status st = scry_linux_dump_isf(in->phys, in->op, in->meta, membuf_write, &m, &b->facts);
    if (st != SCRY_OK) {
        free(m.p);
        return st;
    }
    *isf = m.p;
    *len = m.n;
    return SCRY_OK;
}

/* The compiled table's key: what the ISF is built from is the dump (its
 * file's identity) and the code that builds it (memscry's version). */
static void own_key(const struct scry_detect_in *in, struct scry_isfc_key *key)
{
    static const char tag[] = "memscry: profile from the dump's BTF + kallsyms";
    struct scry_dump_id id;
    memset(key, 0, sizeof *key);
    if (!in->phys->file || scry_dump_identity(in->phys->file, in->meta, &id) != 0)
        return; /* size 0: not cached */
    XXH3_state_t *x = XXH3_createState();
    if (!x)
        return;
    XXH3_64bits_reset(x);
    XXH3_64bits_update(x, tag, sizeof tag);
    XXH3_64bits_update(x, scry_version(), strlen(scry_version()) + 1);
    XXH3_64bits_update(x, id.v, sizeof id.v);
    key->hash = XXH3_64bits_digest(x);
    key->size = id.v[SCRY_DUMP_ID_SIZE] ? id.v[SCRY_DUMP_ID_SIZE] : 1;
    XXH3_freeState(x);
}

/* Builds (or maps) the dump's own table and tries it as a candidate: at
 * the aligned places, then by a banner scan. The candidate lives in
 * d->c[d->n] (room was kept for it). */
static void try_own(struct detect *d)
{
    const struct scry_detect_in *in = d->in;
    struct cand *c = &d->c[d->n];
    struct scry_isfc_key key = d->own_key;
    struct own_build ob = {.in = in};
    const uint8_t *b = NULL;
    size_t blen = 0;
    uint64_t baddr = 0;
    if (d->own)
        return;
    d->own = c;
    d->n++;
    snprintf(d->own_label, sizeof d->own_label, "%s (its own BTF + kallsyms)",
             in->phys->file && in->phys->file->path ? in->phys->file->path : "the dump");
    c->path = d->own_label;
    c->tried = 1;
    drop_held(d);
    scry_status st = scry_symcache_acquire_built(in->symbols, d->own_label, &key, build_own,
                                                 &ob, &c->st, NULL);
    if (st == SCRY_OK && ob.built) /* -v says where the profile came from */
        scry_op_say(in->op, SCRY_DIAG_INFO, SCRY_OK,
                    "no ISF matches: profile from the dump's own BTF (%zu bytes at physical 0x%"
                    PRIx64 ", %s) and kallsyms (%zu symbols, %s; KASLR shift 0x%" PRIx64 ")",
                    ob.facts.btf_len, ob.facts.btf_pa,
                    ob.facts.btf_mapped ? "at __start_BTF" : "found by a scan", ob.facts.nsyms,
                    ob.facts.kallsyms_from_vmcoreinfo ? "from VMCOREINFO" : "found by a scan",
                    ob.facts.kaslr_shift);
    if (st == SCRY_OK && (scry_sym_constant_data(c->st, "linux_banner", &b, &blen) != SCRY_OK ||
                          scry_sym_address(c->st, "linux_banner", &baddr) != SCRY_OK || blen < 16))
        st = scry_err(SCRY_ERR_CORRUPT, "its table has no linux_banner constant data");
    if (st == SCRY_OK && !(c->banner_copy = malloc(blen)))
        st = scry_err(SCRY_ERR_NOMEM, "out of memory");
    if (st != SCRY_OK) {
        d->own_status = st;
        snprintf(d->own_error, sizeof d->own_error, "%s", scry_last_error());
        scry_symcache_release(in->symbols, c->st);
        c->st = NULL;
        if (st == SCRY_ERR_NOMEM || st == SCRY_ERR_CANCELLED)
            d->fatal = st;
        return;
    }
    memcpy(c->banner_copy, b, blen);
    c->banner = c->banner_copy;
    c->blen = blen;
    c->banner_addr = baddr;
    check_usable(c);
    c->checked = 1;
    if (c->unusable) {
        d->own_status = c->unusable;
        snprintf(d->own_error, sizeof d->own_error, "%s", c->why);
        scry_symcache_release(in->symbols, c->st);
        c->st = NULL;
        return;
    }
    d->held = c;
    probe_aligned(d, c);
    if (!d->found && !d->fatal) {
        d->first_only = 0;
        st = scry_scan_phys(d->p, NULL, "Linux version ", 14, on_banner, d);
        if (st != SCRY_OK)
            d->fatal = st;
    }
    if (!d->found && !d->fatal && !d->own_status) {
        d->own_status = SCRY_ERR_NO_SYMBOLS;
        snprintf(d->own_error, sizeof d->own_error,
                 "its linux_banner and init_task were not found where they belong");
    }
}

static scry_status linux_detect(const struct scry_detect_in *in, struct scry_profile **out)
{
    struct detect d = {.in = in, .p = in->phys};
    const char *vmci = scry_kv_get(in->meta, "vmcoreinfo");
    const char *kdump_release = scry_kv_get(in->meta, "release");
    struct scry_isf_cand *cands = NULL;
    char release[128] = "";
    size_t ncands = 0;
    scry_status st;
    uint64_t v;

    /* What the store walk skipped (a symlink loop, a pack that cannot be
     * read) matters to the answer only when no ISF matches: then it is
     * part of the error; otherwise an informational diagnostic. */
    struct scry_diags store_diags = {0};
    struct scry_op store_op = {.diags = &store_diags};
    st = scry_symstore_candidates(in->store, "linux", &store_op, &cands, &ncands);
    if (st != SCRY_OK) {
        scry_diags_free(&store_diags);
        return st;
    }
    if (vmci)
        vmci_str(vmci, "OSRELEASE", release, sizeof release);
    if (!release[0] && kdump_release)
        snprintf(release, sizeof release, "%s", kdump_release);
    if (vmci && vmci_get(vmci, "NUMBER(pgtable_l5_enabled)", 10, &v)) {
        d.have_hint_mode = 1;
        d.hint_mode = v ? SCRY_PAGING_LA57 : SCRY_PAGING_X86_64;
    } else if (first_cr4(in->meta, &v)) {
        d.have_hint_mode = 1;
        d.hint_mode = (v & CR4_LA57) ? SCRY_PAGING_LA57 : SCRY_PAGING_X86_64;
    }

    d.c = calloc(ncands + 1, sizeof *d.c); /* + the dump's own (6.) */
    if (!d.c) {
        scry_isf_cands_free(cands, ncands);
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    }
    /* Paths naming the stated release first, then the rest, each in store
     * order. What the index could not identify only counts as unreadable. */
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < ncands; i++) {
            const struct scry_isf_cand *k = &cands[i];
            if (release_in_path(k->label, release) != (pass == 0))
                continue;
            if (k->error) {
                if (!d.load_failures++)
                    snprintf(d.first_error, sizeof d.first_error, "%s: %s", k->label, k->error);
                continue;
            }
            struct cand *c = &d.c[d.n++];
            c->path = k->label;
            c->src = k;
            if (k->id && k->id_len >= 16 && k->banner_address) {
                c->known = 1;
                c->banner = k->id;
                c->blen = k->id_len;
                c->banner_addr = k->banner_address;
            }
        }

    /* 6. first when there is no ISF at all: a Linux dump (VMCOREINFO or a
     * banner) goes straight to its own profile, without a full scan. */
    int own_allowed = !in->no_dump_symbols;
    if (own_allowed)
        own_key(in, &d.own_key);
    if (own_allowed && d.n == 0 && ncands == 0) {
        /* An entry built from this very dump says it is Linux: no scan. */
        int cached = scry_symcache_built_present(in->symbols, &d.own_key);
        if (!vmci && !cached) {
            d.first_only = 1;
            st = scry_scan_phys(d.p, NULL, "Linux version ", 14, on_banner, &d);
            d.first_only = 0;
            if (st != SCRY_OK)
                d.fatal = st;
        }
        if (!d.fatal && (vmci || cached || d.first_banner[0]))
            try_own(&d);
    }

    /* 2. The dump states the shifts: check each candidate's banner in place. */
    uint64_t koff, phys_base;
    if (vmci && vmci_get(vmci, "KERNELOFFSET", 16, &koff) &&
        vmci_get(vmci, "NUMBER(phys_base)", 10, &phys_base)) {
        for (size_t i = 0; i < d.n && !d.found && !d.fatal; i++) {
            struct cand *c = &d.c[i];
            uint8_t buf[1024];
            if (!learn(&d, c) || c->blen > sizeof buf)
                continue;
            uint64_t shift = koff + phys_base;
            uint64_t pa = c->banner_addr - SCRY_LINUX_START_KERNEL_MAP + shift;
            st = phys_exact(d.p, pa, buf, c->blen);
            note_damage(&d, st, c, "its linux_banner (where VMCOREINFO puts it) cannot be read");
            if (st == SCRY_OK && memcmp(buf, c->banner, c->blen) == 0) {
                d.matched = 1;
                if (hold(&d, c))
                    try_kernel(&d, c, shift);
                else if (c->unusable)
                    note_unusable(&d, c);
            }
        }
    }

    /* 3. and 4.: probe the aligned places, then scan for banners. */
    if (!d.found && !d.fatal) {
        /* Candidates are loaded one at a time, each probed before the next
         * is parsed: the first that matches ends it, and the ISFs after it
         * (for a dump that states no release, every other ISF in the store)
         * are never parsed. The scan needs them all. */
        for (size_t i = 0; i < d.n && !d.found && !d.fatal; i++) {
            learn(&d, &d.c[i]);
            if (!d.fatal)
                probe_aligned(&d, &d.c[i]);
        }
        if (!d.found && !d.fatal) {
            st = scry_scan_phys(d.p, NULL, "Linux version ", 14, on_banner, &d);
            if (st != SCRY_OK)
                d.fatal = st;
        }
    }

    if (own_allowed && !d.found && !d.fatal && !d.damage && !d.matched &&
        (vmci || d.first_banner[0]))
        try_own(&d);

    if (d.found) {
        *out = &d.found->base;
        st = SCRY_OK;
    } else if (d.fatal) {
        st = d.fatal == SCRY_ERR_NOMEM ? scry_err(SCRY_ERR_NOMEM, "out of memory") : d.fatal;
    } else if (d.damage) {
        st = scry_err(d.damage, "%s", d.damage_msg);
    } else if (!d.first_banner[0]) {
        st = scry_err(SCRY_ERR_NOT_FOUND, "no Linux kernel banner found in physical memory");
    } else {
        char where[1024] = "";
        size_t w = 0, ndirs;
        const char *const *dirs = scry_symstore_dirs(in->store, &ndirs);
        for (size_t i = 0; i < ndirs && w < sizeof where; i++)
            w += (size_t)snprintf(where + w, sizeof where - w, "%s%s", i ? ", " : "", dirs[i]);
        st = scry_err(SCRY_ERR_NO_SYMBOLS,
                      "no symbol table matches the kernel banner \"%s\" (searched %s: %zu ISF "
                      "file%s%s%s%s%s)%s%s",
                      d.first_banner, ndirs ? where : "no symbol directories",
                      ncands, ncands == 1 ? "" : "s", d.load_failures ? "; unreadable: " : "",
                      d.first_error, store_diags.n ? "; skipped: " : "",
                      store_diags.n ? store_diags.v[0].message : "",
                      d.own ? ", and the dump's own cannot be used: " : "",
                      d.own ? d.own_error : "");
    }
    for (size_t i = 0; st == SCRY_OK && i < store_diags.n; i++)
        scry_op_say(in->op, SCRY_DIAG_INFO, store_diags.v[i].status, "symbol store: %s",
                    store_diags.v[i].message);
    scry_diags_free(&store_diags);
    drop_held(&d);
    for (size_t i = 0; i < d.n; i++)
        free(d.c[i].banner_copy);
    free(d.c);
    free(d.sw.v[0]);
    free(d.sw.v[1]);
    scry_isf_cands_free(cands, ncands);
    return st;
}

static void linux_free(struct scry_profile *p)
{
    struct scry_linux *l = (struct scry_linux *)p;
    if (!l)
        return;
    scry_symcache_release(l->symbols, l->symtab);
    scry_kv_free(&l->base.info);
    free(l->isf_path);
    free(l->banner);
    free(l);
}

/* The dump says Linux: VMCOREINFO, or a format only Linux writes. */
static int linux_likely(const struct scry_detect_in *in)
{
    const char *f = scry_kv_get(in->meta, "format");
    return scry_kv_get(in->meta, "vmcoreinfo") ||
           (f && (!strcmp(f, "lime") || !strcmp(f, "kdump") || !strcmp(f, "kdump-flat")));
}

const struct scry_os scry_os_linux = {
    .name = "linux",
    .title = "Linux",
    .detect = linux_detect,
    .free = linux_free,
    .likely = linux_likely,
};
