/* malscan_os.h - the malware scan's per-OS region collectors (one file
 * each: malscan_<os>.c) and what they share. */
#ifndef SCRY_PLUGINS_MALSCAN_OS_H
#define SCRY_PLUGINS_MALSCAN_OS_H

#include "lib/scan/malscan.h"

extern const struct scry_malscan_os scry_malscan_linux;
extern const struct scry_malscan_os scry_malscan_windows;

/* True when f is NULL (every process) or lists pid. */
static inline int scry_pid_wanted(const struct scry_pid_filter *f, int64_t pid)
{
    if (!f)
        return 1;
    for (size_t i = 0; i < f->n; i++)
        if (f->pids[i] == pid)
            return 1;
    return 0;
}

#endif
