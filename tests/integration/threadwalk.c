/* threadwalk.c - every task, threads included, as scry_linux_walk_tasks(threads=1)
 * lists them (thread_group before 6.7, signal->thread_head since), for
 * linux_threads_truth.py.
 *
 *   threadwalk SYMDIR DUMP
 *
 * Prints "tgid pid thread" per task in walk order (thread: 1 for a task
 * found on its leader's thread list). Exit status: 0 done, 1 failure. */
#include <stdio.h>

#include "lib/session/session.h"
#include "lib/walk/linux_tasks.h"

static int print_task(void *user, const struct scry_linux_task *t)
{
    (void)user;
    printf("%d %d %d\n", (int)t->tgid, (int)t->pid, t->listed_as_thread);
    return 0;
}

static int fail(const char *what)
{
    fprintf(stderr, "threadwalk: %s: %s\n", what, scry_last_error());
    return 1;
}

int main(int argc, char **argv)
{
    scry_context *ctx = NULL;
    scry_dump *dump = NULL;
    scry_session *s = NULL;
    const struct scry_profile *p = NULL;
    const struct scry_linux *l;
    if (argc != 3) {
        fprintf(stderr, "usage: threadwalk SYMDIR DUMP\n");
        return 1;
    }
    if (scry_context_new(&ctx) != SCRY_OK || scry_context_add_symbol_dir(ctx, argv[1]) != SCRY_OK)
        return fail("context");
    if (scry_dump_open(ctx, argv[2], &dump) != SCRY_OK)
        return fail(argv[2]);
    if (scry_session_open(ctx, dump, &s) != SCRY_OK || scry_session_profile(s, NULL, &p) != SCRY_OK)
        return fail("detection");
    if (!(l = scry_linux_of(p)))
        return fail("not a Linux dump");
    if (scry_linux_walk_tasks(l, NULL, 1, print_task, NULL) != SCRY_OK)
        return fail("task walk");
    scry_session_close(s);
    scry_dump_close(dump);
    scry_context_free(ctx);
    return 0;
}
