/* session.h - a dump handle and an analysis session (internal view).
 *
 * struct scry_dump is the public opaque dump: the physical layer and nothing
 * else, immutable after open. struct scry_session adds what detection found:
 * the OS profile, its symbol table and the kernel address space. */
#ifndef SCRY_SESSION_H
#define SCRY_SESSION_H

#include "formats/phys.h"

struct scry_linux;

struct scry_dump {
    struct scry_phys *phys;
};

struct scry_session {
    struct scry_dump *dump; /* borrowed */
    char **symdirs;
    size_t nsymdirs;
    int detected;           /* detection ran: st/err hold its outcome */
    scry_status detect_status;
    char *detect_error;     /* the message of a failed detection, replayed */
    struct scry_linux *lnx; /* owned; NULL until a Linux kernel is found */
};

#endif
