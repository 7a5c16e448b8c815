/* progress.h - the CLI's progress line on stderr. */
#ifndef SCRY_CLI_PROGRESS_H
#define SCRY_CLI_PROGRESS_H

#include <stdint.h>
#include <stdio.h>

struct progress {
    FILE *out;
    uint64_t start_ns;
    int shown; /* a line is on the terminal and must be cleared */
};

/* Whether to show a progress line: only on a terminal (stderr), never
 * when -q asks for quiet, and never when structured output (json, jsonl,
 * csv) goes to the same terminal, where a line would interleave with it. */
int progress_wanted(int quiet, int structured);

/* A scry_progress_fn: "\rProgress:  42.00%" (units are the run's own:
 * bytes for scans, entries for walks) after the first half
 * second (short runs print nothing). Never cancels. */
int progress_line(void *user, uint64_t done, uint64_t total);

/* Clears the line, if one was printed. */
void progress_end(struct progress *p);

#endif
