/* batch.h - "memscry batch ...": plugins over many dumps. */
#ifndef MEMSCRY_BATCH_CMD_H
#define MEMSCRY_BATCH_CMD_H

/* argv[0] is "batch"; returns the exit status (0 every record good, 1
 * failure, 2 usage, 3 some records are errors or partial results). */
int batch_main(int argc, char **argv);

#endif
