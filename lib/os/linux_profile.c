/* linux_profile.c - the walkers' offsets, resolved once from the ISF. */
#include <stdlib.h>

#include "lib/os/linux.h"
#include "symbols/symtab.h"

scry_status scry_linux_resolve_offsets(struct scry_linux *l)
{
    struct scry_linux_offsets *o = &l->off;
    /* Kernels >= 6.7 list threads through signal->thread_head; older ones
     * (the corpus's 6.1) through task_struct.thread_group. Only --threads
     * needs it, so its absence is reported there. */
    const struct scry_field_spec fields[] = {
        SCRY_FIELD("list_head", "next", &o->list_next),
        SCRY_FIELD("task_struct", "tasks", &o->task_tasks),
        SCRY_FIELD("task_struct", "pid", &o->task_pid),
        SCRY_FIELD("task_struct", "tgid", &o->task_tgid),
        SCRY_FIELD("task_struct", "comm", &o->task_comm),
        SCRY_FIELD("task_struct", "parent", &o->task_parent),
        SCRY_FIELD("task_struct", "flags", &o->task_flags),
        SCRY_FIELD("task_struct", "mm", &o->task_mm),
        SCRY_FIELD("task_struct", "files", &o->task_files),
        SCRY_FIELD_OPT("task_struct", "thread_group", &o->task_thread_group),
        SCRY_FIELD("mm_struct", "pgd", &o->mm_pgd),
        SCRY_FIELD("mm_struct", "arg_start", &o->mm_arg_start),
        SCRY_FIELD("mm_struct", "arg_end", &o->mm_arg_end),
        SCRY_FIELD("mm_struct", "env_start", &o->mm_env_start),
        SCRY_FIELD("mm_struct", "env_end", &o->mm_env_end),
    };
    scry_status st = scry_resolve_fields(l->symtab, fields, sizeof fields / sizeof fields[0]);
    if (st != SCRY_OK)
        return scry_err_ctx(st, "%s: Linux profile", l->isf_path);
    return SCRY_OK;
}
