/* plugin.h - the plugin table: name, options, columns, run().
 *
 * A plugin is one file (lib/plugins/<os>_<name>.c) and one line in
 * lib/plugins/registry.c. Options are declared here and parsed by one parser
 * (lib/options.c) for the CLI and the C API alike, so both agree. */
#ifndef SCRY_PLUGIN_H
#define SCRY_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#include "lib/rows/rows.h"

struct scry_session;

enum scry_opt_type {
    SCRY_OPT_BOOL,     /* --threads                         */
    SCRY_OPT_INT_LIST, /* --pid 1 2 3 (int(x, 0): hex too) */
    SCRY_OPT_INT,      /* --maxsize 4096                    */
    SCRY_OPT_STR       /* --yara-string abc                 */
};

struct scry_option {
    const char *name; /* as spelled after "--", e.g. "decorate-comm" */
    enum scry_opt_type type;
    const char *help;
};

#define SCRY_MAX_OPTIONS 8

/* Parsed option values, indexed like the plugin's option table. */
struct scry_optvals {
    struct {
        int set;
        int64_t *ints; /* SCRY_OPT_INT_LIST / SCRY_OPT_INT (one)      */
        size_t nints;
        const char *str; /* SCRY_OPT_STR, borrowed from argv           */
    } v[SCRY_MAX_OPTIONS];
};

enum {
    SCRY_NEEDS_PHYS = 0,  /* the physical layer is enough (banners) */
    SCRY_NEEDS_KERNEL = 1 /* detection must succeed first          */
};

struct scry_plugin {
    const char *name;  /* Volatility's full name: "linux.pslist.PsList" */
    const char *alias; /* "linux.pslist"                                */
    const char *description;
    const struct scry_option *options;
    size_t noptions;
    const struct scry_column *columns;
    size_t ncolumns;
    int needs;
    /* Fills out (already created with the columns). */
    scry_status (*run)(struct scry_session *s, const struct scry_optvals *opts,
                       struct scry_result *out);
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
