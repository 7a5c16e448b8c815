/* yara_common.c - the options and rules every YARA plugin shares. */
#include <string.h>

#include "lib/base/error.h"

#include "lib/plugins/yara_common.h"

scry_status scry_yara_plugin_rules(const struct scry_plugin_ctx *c,
                                   const struct scry_yara_rules **rules,
                                   struct scry_yara_rules **owned)
{
    const struct scry_optval *v = c->opts->v;
    *owned = NULL;
    *rules = scry_plugin_input(c, SCRY_YARA_INPUT);
    if (*rules)
        return SCRY_OK;
    struct scry_yara_source src = {
        .string = v[SCRY_YARA_OPT_STRING].set ? v[SCRY_YARA_OPT_STRING].str : NULL,
        .file = v[SCRY_YARA_OPT_FILE].set ? v[SCRY_YARA_OPT_FILE].str : NULL,
        .compiled_file = v[SCRY_YARA_OPT_COMPILED].set ? v[SCRY_YARA_OPT_COMPILED].str : NULL,
        .insensitive = v[SCRY_YARA_OPT_INSENSITIVE].set,
        .wide = v[SCRY_YARA_OPT_WIDE].set,
    };
    /* Volatility's precedence: string, then file, then compiled file. */
    if (src.string)
        src.file = src.compiled_file = NULL;
    else if (src.file)
        src.compiled_file = NULL;
    if (!src.string && !src.file && !src.compiled_file)
        return scry_err(SCRY_ERR_BAD_OPTION, "no YARA rules: give --yara-string, --yara-file "
                                             "or --yara-compiled-file");
    scry_status st = scry_yara_rules_build(&src, owned);
    *rules = *owned;
    /* A rule file that cannot be read or loaded is the option's fault, not
     * the dump's: the CLI then names no dump and exits with its usage
     * status. */
    if (st == SCRY_ERR_IO || st == SCRY_ERR_CORRUPT)
        return scry_err_ctx(SCRY_ERR_BAD_OPTION, "%s",
                            src.file ? "--yara-file" : "--yara-compiled-file");
    return st;
}

uint64_t scry_yara_max_size(const struct scry_plugin_ctx *c)
{
    const struct scry_optval *v = &c->opts->v[SCRY_YARA_OPT_MAX_SIZE];
    if (v->set && v->nints && v->ints[0] > 0)
        return (uint64_t)v->ints[0];
    return 0x40000000;
}

const struct scry_column scry_yara_pid_columns[SCRY_YARA_PID_NCOLS] = {
    {"Offset", SCRY_COL_HEX},    {"PID", SCRY_COL_INT},     {"Rule", SCRY_COL_STR},
    {"Component", SCRY_COL_STR}, {"Value", SCRY_COL_BYTES},
};

scry_status scry_yara_add_row(struct scry_result *out, uint64_t offset, int64_t pid,
                              const struct scry_yara_hit *h)
{
    struct scry_cell cells[5];
    size_t n = 0;
    cells[n++] = scry_cell_hex(offset);
    if (pid >= 0)
        cells[n++] = scry_cell_int(pid);
    cells[n++] = scry_cell_str(h->rule, strlen(h->rule));
    cells[n++] = scry_cell_str(h->string, strlen(h->string));
    cells[n++] = scry_cell_str((const char *)h->data, h->len);
    return scry_result_add(out, 0, cells);
}
