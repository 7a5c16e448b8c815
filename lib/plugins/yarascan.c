/* yarascan.c - yarascan.YaraScan: YARA rules over the kernel's virtual
 * address space, as Volatility 2.11.0 scans it (layer.scan over the
 * primary layer; see lib/scan/yara_layer.c for which pages and chunks, and
 * the duplicate hits in the 4 KiB chunk overlap it keeps), on any OS
 * memscry detects.
 *
 * --physical (memscry's own) scans the physical layer instead: no OS
 * detection and no symbols are needed, Offsets are physical addresses, and
 * a match is reported once, also across adjacent runs. */
#include "lib/plugins/yara_common.h"

enum { OPT_PHYSICAL = SCRY_YARA_NOPTS, NOPTS };

static const struct scry_option options[NOPTS] = {
    SCRY_YARA_OPTION_ENTRIES,
    [OPT_PHYSICAL] = {"physical", SCRY_OPT_BOOL,
                      "memscry: scan the physical layer (every run of the dump) instead of the "
                      "kernel's virtual space; needs no OS detection or symbols; Offsets are "
                      "physical addresses"},
};

static const struct scry_column columns[] = {
    {"Offset", SCRY_COL_HEX},
    {"Rule", SCRY_COL_STR},
    {"Component", SCRY_COL_STR},
    {"Value", SCRY_COL_BYTES},
};

struct ctx {
    struct scry_result *out;
    scry_status st;
};

static int add_hit(void *user, const struct scry_yara_hit *h)
{
    struct ctx *c = user;
    c->st = scry_yara_add_row(c->out, h->addr, -1, h);
    return c->st != SCRY_OK;
}

static scry_status run(struct scry_plugin_ctx *pc)
{
    const struct scry_yara_rules *rules;
    struct scry_yara_rules *owned;
    struct ctx c = {.out = pc->out, .st = SCRY_OK};
    scry_status st = scry_yara_plugin_rules(pc, &rules, &owned);
    if (st != SCRY_OK)
        return st;
    if (pc->opts->v[OPT_PHYSICAL].set || !pc->profile) {
        st = scry_yara_scan_phys(rules, pc->phys, pc->op, add_hit, &c);
    } else {
        struct scry_vspace ks;
        st = scry_profile_kernel(pc->profile, &ks);
        if (st == SCRY_OK)
            st = scry_yara_scan_layer_pre(rules, pc->early, &ks, pc->op, add_hit, &c);
    }
    if (st == SCRY_OK)
        st = c.st;
    scry_yara_rules_free(owned);
    return st;
}

/* A plain --yara-string is searched in physical memory while the OS is
 * detected (lib/scan/yara_prescan.c); rules given as an input, a file,
 * nocase or wide strings, and --physical scans do without. */
static void *early(const struct scry_plugin_ctx *pc)
{
    const struct scry_optval *v = pc->opts->v;
    if (scry_plugin_input(pc, SCRY_YARA_INPUT) || v[OPT_PHYSICAL].set ||
        !v[SCRY_YARA_OPT_STRING].set || v[SCRY_YARA_OPT_INSENSITIVE].set ||
        v[SCRY_YARA_OPT_WIDE].set)
        return NULL;
    return scry_yara_prescan_start(pc->phys, v[SCRY_YARA_OPT_STRING].str);
}

static void early_free(void *state) { scry_yara_prescan_free(state); }

const struct scry_plugin scry_plugin_yarascan = {
    .name = "yarascan.YaraScan",
    .alias = "yarascan",
    .description = "Scans kernel memory using yara rules (string or file). memscry: "
                   "--insensitive adds nocase (Volatility 2.11.0's has no effect); --physical "
                   "scans physical memory without OS detection or symbols.",
    .options = options,
    .noptions = NOPTS,
    .columns = columns,
    .ncolumns = sizeof columns / sizeof columns[0],
    .os = "*",
    .no_os_option = "physical",
    .early = early,
    .early_free = early_free,
    .run = run,
};
