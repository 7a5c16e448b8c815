/* windows_common.h - pieces the Windows process plugins share. */
#ifndef SCRY_PLUGINS_WINDOWS_COMMON_H
#define SCRY_PLUGINS_WINDOWS_COMMON_H

#include "lib/plugins/plugin.h"
#include "lib/walk/windows_walk.h"

/* pslist's and psscan's columns, with Offset(V) or, for --physical,
 * Offset(P). */
#define SCRY_WIN_PSLIST_NCOLS 11
extern const struct scry_column scry_win_pslist_columns[SCRY_WIN_PSLIST_NCOLS];
extern const struct scry_column scry_win_pslist_columns_phys[SCRY_WIN_PSLIST_NCOLS];

/* pslist's row cells for one process: PID, PPID, ImageFileName,
 * Offset, Threads, Handles, SessionId, Wow64, CreateTime, ExitTime into
 * cells[0..9]; name_buf (>= 64 bytes) backs ImageFileName. offset is what
 * the Offset column prints (virtual, or physical with --physical). Returns
 * SCRY_ERR_NODATA when a field Volatility reads directly is unreadable
 * (its row is then skipped, as Volatility skips it). */
scry_status scry_win_pslist_cells(const struct scry_windows *w, struct scry_vspace *ks,
                                  const struct scry_win_proc *p, uint64_t offset,
                                  struct scry_cell *cells, char *name_buf);

/* Adds pslist's row for p to out: offset and File output as given. A
 * process whose fields cannot be read is skipped with Volatility's INFO
 * ("Invalid process found at address: ... Skipping"). Returns SCRY_OK
 * (skipped or added) or scry_result_add's error. */
scry_status scry_win_pslist_add(const struct scry_windows *w, struct scry_vspace *ks,
                                struct scry_op *op, struct scry_result *out,
                                const struct scry_win_proc *p, uint64_t offset,
                                const char *file_output);

/* Calls fn for each process of the active process list (PsActiveProcessHead
 * through ActiveProcessLinks) whose PID passes the int-list option at
 * opt_pid (-1: none), as Volatility's list_processes with its pid filter.
 * ks is the kernel space to read through; buf holds off.ep_size bytes.
 * Unreadable entries are reported on op and skipped. */
typedef int (*scry_win_proc_fn)(void *user, const struct scry_win_proc *p);
scry_status scry_win_list_processes(const struct scry_windows *w, struct scry_vspace *ks,
                                    struct scry_op *op, const struct scry_optvals *o,
                                    int opt_pid, scry_win_proc_fn fn, void *user);

/* The kernel space of pc's profile into *ks, then the active process list
 * through it as scry_win_list_processes (pid filter: option opt_pid). */
scry_status scry_win_each_process(struct scry_plugin_ctx *pc, struct scry_vspace *ks, int opt_pid,
                                  scry_win_proc_fn fn, void *user);

#endif
