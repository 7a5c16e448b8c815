/* symbols_cmd.h - "memscry symbols ...": making symbol tables. */
#ifndef MEMSCRY_SYMBOLS_CMD_H
#define MEMSCRY_SYMBOLS_CMD_H

/* argv[0] is "symbols"; returns the exit status (0, 1 failure, 2 usage). */
int symbols_main(int argc, char **argv);

#endif
