/* linux_common.h - pieces the Linux process plugins share. */
#ifndef SCRY_PLUGINS_LINUX_COMMON_H
#define SCRY_PLUGINS_LINUX_COMMON_H

#include "lib/plugins/plugin.h"
#include "lib/walk/linux_tasks.h"

/* The options pslist and pstree share, indexed by these constants. */
enum { SCRY_LINUX_OPT_PID, SCRY_LINUX_OPT_THREADS, SCRY_LINUX_OPT_DECORATE, SCRY_LINUX_NOPTS };
extern const struct scry_option scry_linux_task_options[SCRY_LINUX_NOPTS];

/* pslist's cells for a task (OFFSET (V), PID, TID, PPID, COMM) into
 * cells[0..4]; comm_buf (>= 52 bytes) backs the COMM string. */
void scry_linux_pslist_cells(const struct scry_linux *l, const struct scry_linux_task *t,
                             int decorate, struct scry_cell *cells, char *comm_buf);

#endif
