/* os.h - the OS seam: a table of operating systems, each able to find
 * itself in physical memory and build a profile.
 *
 * Detection takes what lies below it - the physical layer, what the dump
 * states (key/values), the symbol store - and returns a profile; it never
 * sees a session. A profile starts with struct scry_profile, which every
 * layer above may read (OS name, description, kernel address space, info
 * key/values); the OS's own part (offsets, symbol table) follows it and is
 * read only by that OS's walkers and plugins.
 *
 * Thread-safety: a profile is immutable once detect returns it; any number
 * of threads may read it and make address spaces from it. */
#ifndef SCRY_OS_H
#define SCRY_OS_H

#include <stddef.h>

#include "formats/phys.h"
#include "lib/base/kv.h"
#include "lib/base/op.h"
#include "lib/vspace/vspace.h"

struct scry_symcache;
struct scry_symstore;
struct scry_os;

/* What detection may use. */
struct scry_detect_in {
    struct scry_phys *phys;
    const struct scry_kv *meta;          /* what the dump states */
    struct scry_symcache *symbols;       /* shared, loaded tables */
    struct scry_symstore *store;         /* where ISFs are searched, and their index */
    struct scry_op *op;                  /* diagnostics of the run that detects; may be NULL */
    int no_dump_symbols; /* Linux: no profile from the dump's own BTF + kallsyms */
};

struct scry_profile {
    const struct scry_os *os;
    struct scry_phys *phys;       /* borrowed from the dump              */
    enum scry_paging mode;        /* kernel address space: mode + DTB    */
    uint64_t dtb;
    struct scry_kv info;          /* os, description, isf, dtb, ...      */
};

struct scry_os {
    const char *name;  /* "linux", as plugins declare it */
    const char *title; /* "Linux", for messages */
    /* Finds this OS. SCRY_ERR_NOT_FOUND means "not this OS" (the next is
     * tried); any other failure is this OS's answer (found but no symbols,
     * found but damaged) and ends detection. */
    scry_status (*detect)(const struct scry_detect_in *in, struct scry_profile **out);
    void (*free)(struct scry_profile *p);
    /* Cheap evidence (what the dump states, a few pages read) that the
     * dump holds this OS: such OSes are tried first, so a Windows image
     * does not pay for a full scan for Linux banners. It orders detection
     * only; the answer is still detect's. May be NULL. */
    int (*likely)(const struct scry_detect_in *in);
};

/* The OS table, in detection order, NULL-terminated (lib/os/os.c). */
extern const struct scry_os *const scry_os_table[];

/* The table entry called name, or NULL. */
const struct scry_os *scry_os_find(const char *name);

/* Walks the OS table: the first OS (in table order) whose likely() says
 * so, then the others in table order; so the order depends on the dump
 * alone, never on who asks. Errors: the first answer other than NOT_FOUND, else
 * SCRY_ERR_NOT_FOUND naming every OS tried and what each missed. */
scry_status scry_os_detect(const struct scry_detect_in *in, struct scry_profile **out);
void scry_profile_free(struct scry_profile *p);

/* A fresh kernel address space over the profile (each thread or walk makes
 * its own: a vspace's translation cache is mutable). */
scry_status scry_profile_kernel(const struct scry_profile *p, struct scry_vspace *out);

/* The profile's info value for key, or NULL. */
static inline const char *scry_profile_info(const struct scry_profile *p, const char *key)
{
    return scry_kv_get(&p->info, key);
}

#endif
