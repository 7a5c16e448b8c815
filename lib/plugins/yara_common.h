/* yara_common.h - what the YARA plugins share: Volatility's yarascan
 * options, the rules they name (or compiled rules the caller passes in),
 * and the bounded hit list a scan fills. */
#ifndef SCRY_PLUGINS_YARA_COMMON_H
#define SCRY_PLUGINS_YARA_COMMON_H

#include "lib/plugins/plugin.h"
#include "lib/scan/yara.h"

/* Volatility's get_yarascan_option_requirements, in its order. Plugins put
 * these first in their own option tables, so the indexes hold there too. */
enum {
    SCRY_YARA_OPT_INSENSITIVE,
    SCRY_YARA_OPT_WIDE,
    SCRY_YARA_OPT_STRING,
    SCRY_YARA_OPT_FILE,
    SCRY_YARA_OPT_COMPILED,
    SCRY_YARA_OPT_MAX_SIZE,
    SCRY_YARA_NOPTS
};
/* The entries, for a plugin's own option table (a static initializer
 * cannot copy another array): `[...] = {SCRY_YARA_OPTION_ENTRIES, ...}`. */
#define SCRY_YARA_OPTION_ENTRIES                                                              \
    [SCRY_YARA_OPT_INSENSITIVE] = {"insensitive", SCRY_OPT_BOOL,                              \
                                   "Makes the search case insensitive (memscry adds YARA's "  \
                                   "nocase; Volatility 2.11.0's option has no effect)"},      \
    [SCRY_YARA_OPT_WIDE] = {"wide", SCRY_OPT_BOOL, "Match wide (unicode) strings"},           \
    [SCRY_YARA_OPT_STRING] = {"yara-string", SCRY_OPT_STR, "Yara rules (as a string)"},       \
    [SCRY_YARA_OPT_FILE] = {"yara-file", SCRY_OPT_STR, "Yara rules (as a file)"},             \
    [SCRY_YARA_OPT_COMPILED] = {"yara-compiled-file", SCRY_OPT_STR,                           \
                                "Yara compiled rules (as a file)"},                           \
    [SCRY_YARA_OPT_MAX_SIZE] = {"max-size", SCRY_OPT_INT, "Set the maximum size (default is 1GB)"}

/* The per-process scans' (vmayarascan, vadyarascan) --pid, after the
 * rule options, and their columns: Offset, PID, Rule, Component, Value. */
#define SCRY_YARA_PID_OPTION                                                                  \
    {"pid", SCRY_OPT_INT_LIST, "Process IDs to include (all other processes are excluded)"}
#define SCRY_YARA_PID_NCOLS 5
extern const struct scry_column scry_yara_pid_columns[SCRY_YARA_PID_NCOLS];

/* The typed run input holding pre-compiled rules (struct scry_yara_rules *,
 * borrowed from the caller); it takes precedence over the options. */
#define SCRY_YARA_INPUT "yara.rules"

/* The rules of this run: the input SCRY_YARA_INPUT when given (*owned =
 * NULL), else built from the options (*owned = the same pointer, free it
 * with scry_yara_rules_free). Errors: SCRY_ERR_BAD_OPTION for rules that
 * do not compile, no rules at all ("no YARA rules: ..."), and a rule file
 * that cannot be read or loaded ("--yara-file: <why>"); SCRY_ERR_NOMEM. */
scry_status scry_yara_plugin_rules(const struct scry_plugin_ctx *c,
                                   const struct scry_yara_rules **rules,
                                   struct scry_yara_rules **owned);

/* --max-size (Volatility's default 0x40000000 when unset). */
uint64_t scry_yara_max_size(const struct scry_plugin_ctx *c);

/* A row of Offset, [PID,] Rule, Component, Value from a hit: pid < 0
 * leaves the PID column out (yarascan's four columns). */
scry_status scry_yara_add_row(struct scry_result *out, uint64_t offset, int64_t pid,
                              const struct scry_yara_hit *h);

#endif
