/* progress.c - a one-line progress display on stderr, as Volatility's CLI
 * shows one; redrawn in place with \r and cleared before anything else is
 * written. */
#include <time.h>
#include <unistd.h>

#include "cli/progress.h"

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int progress_wanted(int quiet, int structured)
{
    if (quiet || !isatty(STDERR_FILENO))
        return 0;
    return !(structured && isatty(STDOUT_FILENO));
}

int progress_line(void *user, uint64_t done, uint64_t total)
{
    struct progress *p = user;
    uint64_t t = now_ns();
    if (!p->start_ns)
        p->start_ns = t;
    if (t - p->start_ns < 500000000u)
        return 0;
    if (total)
        fprintf(p->out, "\rProgress: %6.2f%% ", 100.0 * (double)done / (double)total);
    else
        fprintf(p->out, "\rProgress: %llu done ", (unsigned long long)done);
    fflush(p->out);
    p->shown = 1;
    return 0;
}

void progress_end(struct progress *p)
{
    if (p->shown)
        fputs("\r\033[K", p->out);
    p->shown = 0;
}
