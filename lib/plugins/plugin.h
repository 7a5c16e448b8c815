/* plugin.h - the plugin table: name, options, columns, run().
 *
 * A plugin is one file (lib/plugins/<os>_<name>.c) and one line in
 * lib/plugins/registry.c. Options are declared here and parsed by one parser
 * (lib/options.c) for the CLI and the C API alike, so both agree. */
#ifndef SCRY_PLUGIN_H
#define SCRY_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#include "formats/phys.h"
#include "lib/base/op.h"
#include "lib/os/os.h"
#include "lib/rows/rows.h"

enum scry_opt_type {
    SCRY_OPT_BOOL,     /* --threads                         */
    SCRY_OPT_INT_LIST, /* --pid 1 2 3 (int(x, 0): hex too) */
    SCRY_OPT_INT,      /* --maxsize 4096                    */
    SCRY_OPT_STR,      /* --yara-string abc                 */
    SCRY_OPT_STR_LIST  /* --filter a b (nargs="*")          */
};

struct scry_option {
    const char *name; /* as spelled after "--", e.g. "decorate-comm" */
    enum scry_opt_type type;
    const char *help;
};

/* Parsed option values, one per entry of the plugin's option table. */
struct scry_optvals {
    struct scry_optval {
        int set;
        int64_t *ints; /* SCRY_OPT_INT_LIST / SCRY_OPT_INT (one)      */
        size_t nints;
        const char *str; /* SCRY_OPT_STR, borrowed from argv           */
        const char **strs; /* SCRY_OPT_STR_LIST, each borrowed from argv */
        size_t nstrs;
    } *v;
    size_t n;
};

/* A typed input from scry_runctx_set_input (compiled YARA rules, ...). */
struct scry_input {
    char *name;
    void *value;
};

/* Everything one plugin run gets. The plugin reads the profile of the OS
 * it declared (NULL for an OS-neutral plugin), writes rows to out and
 * diagnostics and progress through op. */
struct scry_plugin_ctx {
    const struct scry_profile *profile;
    struct scry_phys *phys;
    const struct scry_optvals *opts;
    struct scry_result *out;
    struct scry_op *op;
    const struct scry_input *inputs; /* borrowed from the scry_runctx */
    size_t ninputs;
    const char *output_dir;          /* NULL: this run writes no files */
    /* The library context's symbol directories (-s) and cache directory
     * (NULL: none), for plugins about the symbol store itself. */
    const char *const *symdirs;
    size_t nsymdirs;
    const char *cache_dir;
    /* What the plugin's early() returned for this run, or NULL. */
    void *early;
};

/* The typed input called name, or NULL. */
void *scry_plugin_input(const struct scry_plugin_ctx *c, const char *name);

struct scry_plugin {
    const char *name;  /* Volatility's full name: "linux.pslist.PsList" */
    const char *alias; /* "linux.pslist"                                */
    const char *description;
    const struct scry_option *options;
    size_t noptions;
    const struct scry_column *columns;
    size_t ncolumns;
    /* The OS whose profile run() needs ("linux"); "*" for any OS memscry
     * detects (the profile is then whichever was detected: yarascan);
     * NULL when the physical layer is enough (banners) and detection is
     * not run at all. */
    const char *os;
    /* The name of a BOOL option that, when given, makes OS detection
     * unnecessary (yarascan's --physical): the run then skips it and
     * run() gets profile NULL. NULL: none. */
    const char *no_os_option;
    /* 1 when the plugin reads no dump (isfinfo): it runs on a library
     * context alone, and profile and phys are NULL. */
    int no_dump;
    /* Optional: work that needs only the physical layer, started before
     * OS detection so that it overlaps the symbol table's load (yarascan's
     * prescan of a plain string). It gets c with phys, opts and inputs set
     * (profile, out and op NULL) and returns a state or NULL; run() finds
     * it in c->early; early_free() is called with it after run(), or when
     * detection failed and run() was not called. */
    void *(*early)(const struct scry_plugin_ctx *c);
    void (*early_free)(void *state);
    /* Fills c->out (already created with the columns). */
    scry_status (*run)(struct scry_plugin_ctx *c);
};

/* NULL-terminated table (lib/plugins/registry.c). */
extern const struct scry_plugin *const scry_plugin_table[];

/* By full name or alias; NULL when unknown. */
const struct scry_plugin *scry_plugin_find(const char *name);

/* Parses argv (the plugin's options) into vals. Errors: SCRY_ERR_BAD_OPTION
 * with "unknown option --x for linux.pslist.PsList" or "--pid: 'x' is not an
 * integer". Free with scry_optvals_free. */
scry_status scry_options_parse(const struct scry_plugin *p, int argc, const char *const *argv,
                               struct scry_optvals *vals);
void scry_optvals_free(struct scry_optvals *vals);

/* Index of option name in p's table, or -1. */
int scry_option_index(const struct scry_plugin *p, const char *name);

/* True when the int-list option at index idx is unset or contains v. */
int scry_opt_int_filter(const struct scry_optvals *o, int idx, int64_t v);

#endif
