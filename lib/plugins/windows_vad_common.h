/* windows_vad_common.h - what windows.vadinfo and windows.malfind share
 * (lib/plugins/windows_vad_common.c). */
#ifndef SCRY_PLUGINS_WINDOWS_VAD_COMMON_H
#define SCRY_PLUGINS_WINDOWS_VAD_COMMON_H

#include "lib/plugins/windows_common.h"
#include "lib/walk/windows_vad.h"

/* VadInfo.MAXSIZE_DEFAULT: 1 GiB. */
#define SCRY_WIN_VAD_MAXSIZE_DEFAULT (1024ll * 1024 * 1024)

/* The process's address space (add_process_layer): its
 * Pcb.DirectoryTableBase. SCRY_ERR_NODATA when that cannot be read. */
scry_status scry_win_proc_space(const struct scry_windows *w, const struct scry_win_proc *p,
                                struct scry_vspace *out);

/* vad.get_protection(protect_values, winnt_protections) into buf (>= 256
 * bytes): "" for an index past the table (Python's IndexError gives 0).
 * An entry that could not be read prints "" too, and the first such one
 * of a run (*warned, 0 at the start) is a WARNING on op. */
size_t scry_win_vad_protection(const int32_t values[32], uint32_t ok, uint32_t index, char *buf,
                               struct scry_op *op, int *warned);

/* VadInfo.vad_dump: writes the VAD's bytes (unmapped pages as zeros) to
 * "pid.<pid>.vad.<start:#x>-<end:#x>.dmp" in the run's output directory,
 * as Volatility's CLI file handler does (an existing file gets "-1",
 * "-2", ... before the extension; the row names the preferred name).
 * maxsize as Volatility's (0 or negative: no limit). *name receives the
 * name (buf, >= 128 bytes) or NULL when Volatility would print its error
 * text. Errors: SCRY_ERR_NOMEM, SCRY_ERR_CANCELLED, SCRY_ERR_CORRUPT (a
 * page that cannot be decoded). */
scry_status scry_win_vad_dump(struct scry_plugin_ctx *pc, struct scry_vspace *ps, int64_t pid,
                              const struct scry_win_vad_node *v, int64_t maxsize, char *buf,
                              const char **name);

#endif
