/* say.h - "memscry: <text>" on stderr, one line whatever the text holds. */
#ifndef MEMSCRY_CLI_SAY_H
#define MEMSCRY_CLI_SAY_H

/* Formats the text and writes "memscry: " + it + "\n" to stderr, control
 * bytes as \xNN and a backslash as \\ (names may hold any byte). */
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
