/* proctree_winrules.c - the Windows process facts memscry.proctree checks:
 * which system processes run once, who starts them, and whose starter
 * exits as a matter of course. Only facts that hold from Windows 7 to 11. */
#include <strings.h>

#include "lib/plugins/proctree.h"

static const struct scry_pt_winrule rules[] = {
    /* name          single  parent          parent_exits */
    {"System",        1,     NULL,           0},
    {"smss.exe",      1,     "System",       0},
    /* Session 0's smss.exe instance starts wininit.exe and csrss.exe and
     * exits; session 1's starts winlogon.exe and csrss.exe and exits. */
    {"wininit.exe",   1,     "smss.exe",     1},
    {"csrss.exe",     0,     "smss.exe",     1},
    {"winlogon.exe",  0,     "smss.exe",     1},
    {"services.exe",  1,     "wininit.exe",  0},
    {"lsass.exe",     1,     "wininit.exe",  0},
    {"lsaiso.exe",    1,     "wininit.exe",  0},
    {"svchost.exe",   0,     "services.exe", 0},
    /* userinit.exe starts the shell and exits; explorer.exe restarted from
     * Task Manager has another parent, so the parent is not checked. */
    {"explorer.exe",  0,     NULL,           1},
};

const struct scry_pt_winrule *scry_pt_winrule_find(const char *name)
{
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
        if (!strcasecmp(rules[i].name, name))
            return &rules[i];
    return NULL;
}
