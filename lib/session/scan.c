/* scan.c - the public API of YARA rules and the malware scan: rules as
 * objects (compiled once, given to any number of runs), and
 * memscry.malscan run with them. */
#include <stdio.h>
#include <string.h>

#include "lib/scan/yara.h"
#include "lib/session/session.h"

scry_status scry_rules_compile(const char *source, scry_rules **out)
{
    if (!source || !out)
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_rules_compile: NULL argument");
    struct scry_yara_source src = {.source = source};
    return scry_yara_rules_build(&src, out);
}

scry_status scry_rules_load(const char *path, scry_rules **out)
{
    char magic[4] = {0};
    FILE *f;
    if (!path || !out)
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_rules_load: NULL argument");
    /* yarac's files start with "YARA"; YARA source cannot (a rule file
     * begins with a keyword, a comment or white space). */
    if ((f = fopen(path, "rb")) != NULL) {
        size_t n = fread(magic, 1, sizeof magic, f);
        fclose(f);
        if (n < sizeof magic)
            memset(magic, 0, sizeof magic);
    }
    struct scry_yara_source src = {0};
    if (!memcmp(magic, "YARA", 4))
        src.compiled_file = path;
    else
        src.file = path;
    return scry_yara_rules_build(&src, out);
}

void scry_rules_free(scry_rules *rules)
{
    scry_yara_rules_free(rules);
}

scry_status scry_malscan(scry_session *session, const scry_rules *rules, scry_scan_mode mode,
                         scry_runctx *run, scry_result **out)
{
    scry_runctx *mine;
    scry_status st;
    if (!session || !rules || !out || (mode != SCRY_SCAN_QUICK && mode != SCRY_SCAN_FULL))
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_malscan: bad argument");
    const char *const argv[] = {"--mode", mode == SCRY_SCAN_FULL ? "full" : "quick"};
    /* The caller's run is extended for this call only. Rules are read,
     * never changed, by the scan: the cast drops const for the input slot. */
    if ((st = scry_runctx_copy(run, &mine)) != SCRY_OK)
        return st;
    st = scry_runctx_set_input(mine, SCRY_INPUT_YARA_RULES, (void *)rules);
    if (st == SCRY_OK)
        st = scry_plugin_run(session, "memscry.malscan.MalScan", 2, argv, mine, out);
    scry_runctx_free(mine);
    return st;
}
