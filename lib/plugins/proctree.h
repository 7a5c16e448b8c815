/* proctree.h - memscry.proctree's pieces: what each OS's collector gathers
 * of its process list and of its scan (one record per process), the
 * OS-neutral rules over those records, and the Windows rule table. */
#ifndef SCRY_PLUGINS_PROCTREE_H
#define SCRY_PLUGINS_PROCTREE_H

#include <stddef.h>
#include <stdint.h>

#include "lib/plugins/plugin.h"

enum scry_pt_os { SCRY_PT_LINUX, SCRY_PT_WINDOWS };

/* One process as the list or the scan saw it. */
struct scry_pt_proc {
    int64_t pid, ppid;
    uint64_t offset;   /* what pslist / psscan print (Offset(V) / OFFSET (P)) */
    uint64_t start;    /* Linux start_time (ns after boot); Windows CreateTime (FILETIME) */
    uint8_t has_start; /* start could be read                             */
    uint8_t listed;    /* from the process list (else from the scan)       */
    uint8_t exited;    /* Linux exit_state set; Windows ExitTime set        */
    uint8_t thread;    /* Linux scan hit of a non-leader thread (TID != PID) */
    uint8_t physical;  /* offset is physical (a scan of the physical layer) */
    uint8_t traced;    /* Linux: parent is a ptracer, not real_parent       */
    char name[64];     /* comm / ImageFileName, UTF-8, NUL-terminated       */
};

/* A growing array; out accounts its bytes (scry_result_hold). */
struct scry_pt_set {
    struct scry_pt_proc *v;
    size_t n, cap;
    struct scry_result *out;
};

/* Appends a copy of p. Errors: SCRY_ERR_NOMEM. */
scry_status scry_pt_push(struct scry_pt_set *s, const struct scry_pt_proc *p);
/* Frees the array (and releases its accounting). */
void scry_pt_free(struct scry_pt_set *s);

/* The collectors: the process list, then the scan, into s (listed entries
 * first). Errors: the walkers' (NOMEM, CANCELLED, ...). */
scry_status scry_pt_collect_linux(struct scry_plugin_ctx *pc, struct scry_pt_set *s);
scry_status scry_pt_collect_windows(struct scry_plugin_ctx *pc, struct scry_pt_set *s);

/* Applies every rule of os to s and adds one row per finding to out, in
 * (PID, Rule, Offset) order. Errors: SCRY_ERR_NOMEM. */
scry_status scry_pt_check(const struct scry_pt_set *s, enum scry_pt_os os,
                          struct scry_result *out);

/* What Windows guarantees about one system process (proctree_winrules.c). */
struct scry_pt_winrule {
    const char *name;   /* ImageFileName, compared case-insensitively        */
    int single;         /* at most one live instance                         */
    const char *parent; /* its parent's name when the parent is present, or NULL */
    int parent_exits;   /* its parent exits normally: a missing one is no orphan */
};

/* The rule for name (case-insensitive), or NULL. */
const struct scry_pt_winrule *scry_pt_winrule_find(const char *name);

/* The names of a severity and the rule ids, for rows. */
#define SCRY_PT_HIGH "High"
#define SCRY_PT_MEDIUM "Medium"
#define SCRY_PT_LOW "Low"

#endif
