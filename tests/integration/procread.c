/* procread.c - reads a process's memory through its own page tables, for
 * the integration tests' ground-truth checks (marker.py).
 *
 *   procread SYMDIR DUMP PID VA LEN [VA LEN ...]
 *
 * Finds the task whose pid is PID on the task list, builds its address
 * space from mm->pgd as the plugins do, and prints
 *   env 0x<env_start> 0x<env_end>
 *   0x<va> <hex bytes>            (or "0x<va> unreadable: <reason>")
 * Exit status: 0 done, 2 no such pid (or no mm), 1 anything else. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/session/session.h"
#include "lib/walk/linux_tasks.h"

struct find {
    int32_t pid;
    uint64_t mm;
};

static int find_pid(void *user, const struct scry_linux_task *t)
{
    struct find *f = user;
    if (t->pid != f->pid)
        return 0;
    f->mm = t->mm;
    return 1;
}

static int fail(const char *what)
{
    fprintf(stderr, "procread: %s: %s\n", what, scry_last_error());
    return 1;
}

int main(int argc, char **argv)
{
    scry_context *ctx = NULL;
    scry_dump *dump = NULL;
    scry_session *s = NULL;
    const struct scry_profile *p = NULL;
    const struct scry_linux *l;
    struct scry_vspace kernel, proc;
    struct find f = {0};
    uint64_t env[2];
    if (argc < 4 || (argc - 4) % 2) {
        fprintf(stderr, "usage: procread SYMDIR DUMP PID [VA LEN]...\n");
        return 1;
    }
    f.pid = (int32_t)strtol(argv[3], NULL, 0);
    if (scry_context_new(&ctx) != SCRY_OK || scry_context_add_symbol_dir(ctx, argv[1]) != SCRY_OK)
        return fail("context");
    if (scry_dump_open(ctx, argv[2], &dump) != SCRY_OK)
        return fail(argv[2]);
    if (scry_session_open(ctx, dump, &s) != SCRY_OK || scry_session_profile(s, NULL, &p) != SCRY_OK)
        return fail("detection");
    if (!(l = scry_linux_of(p)))
        return fail("not a Linux dump");
    if (scry_linux_walk_tasks(l, NULL, 0, find_pid, &f) != SCRY_OK)
        return fail("task list");
    if (!f.mm) {
        fprintf(stderr, "procread: no task with pid %d and an mm\n", (int)f.pid);
        return 2;
    }
    if (scry_profile_kernel(p, &kernel) != SCRY_OK ||
        scry_vspace_read_u64(&kernel, f.mm + l->off.mm_env_start, &env[0]) != SCRY_OK ||
        scry_vspace_read_u64(&kernel, f.mm + l->off.mm_env_end, &env[1]) != SCRY_OK ||
        scry_linux_process_vspace(l, &kernel, f.mm, &proc) != SCRY_OK)
        return fail("mm");
    printf("env 0x%" PRIx64 " 0x%" PRIx64 "\n", env[0], env[1]);
    for (int i = 4; i < argc; i += 2) {
        uint64_t va = strtoull(argv[i], NULL, 0);
        size_t len = (size_t)strtoul(argv[i + 1], NULL, 0);
        uint8_t *buf = malloc(len ? len : 1);
        if (!buf)
            return fail("out of memory");
        if (scry_vspace_read(&proc, va, buf, len) != SCRY_OK) {
            printf("0x%" PRIx64 " unreadable: %s\n", va, scry_last_error());
        } else {
            printf("0x%" PRIx64 " ", va);
            for (size_t k = 0; k < len; k++)
                printf("%02x", buf[k]);
            printf("\n");
        }
        free(buf);
    }
    scry_session_close(s);
    scry_dump_close(dump);
    scry_context_free(ctx);
    return 0;
}
