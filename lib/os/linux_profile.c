/* linux_profile.c - resolve the walkers' offsets from the ISF, once. */
#include <stdlib.h>

#include "symbols/symtab.h"
#include "lib/os/linux.h"

struct want {
    const char *type, *field;
    uint64_t *dst;
};

scry_status scry_linux_resolve_offsets(struct scry_linux *l)
{
    struct scry_linux_offsets *o = &l->off;
    const struct want w[] = {
        {"list_head", "next", &o->list_next},
        {"task_struct", "tasks", &o->task_tasks},
        {"task_struct", "pid", &o->task_pid},
        {"task_struct", "tgid", &o->task_tgid},
        {"task_struct", "comm", &o->task_comm},
        {"task_struct", "parent", &o->task_parent},
        {"task_struct", "flags", &o->task_flags},
        {"task_struct", "mm", &o->task_mm},
        {"task_struct", "files", &o->task_files},
        {"mm_struct", "pgd", &o->mm_pgd},
        {"mm_struct", "arg_start", &o->mm_arg_start},
        {"mm_struct", "arg_end", &o->mm_arg_end},
        {"mm_struct", "env_start", &o->mm_env_start},
        {"mm_struct", "env_end", &o->mm_env_end},
    };
    for (size_t i = 0; i < sizeof w / sizeof w[0]; i++) {
        scry_status st = scry_sym_field(l->symtab, w[i].type, w[i].field, w[i].dst, NULL);
        if (st != SCRY_OK)
            return scry_err_ctx(st, "%s: Linux profile", l->isf_path);
    }
    /* Kernels >= 6.7 list threads through signal->thread_head; older ones
     * (the corpus's 6.1) through task_struct.thread_group. Only --threads
     * needs it, so its absence is reported there. */
    if (scry_sym_field(l->symtab, "task_struct", "thread_group", &o->task_thread_group, NULL) !=
        SCRY_OK)
        o->task_thread_group = SCRY_LINUX_NO_OFFSET;
    return SCRY_OK;
}
