/* ondemand.h - libraries loaded on first use, not when the process starts.
 *
 * libcapstone, libyara, libzip and libsnappy (with what they pull in:
 * libcrypto, libmagic, libjansson, libstdc++, libbz2) took 4-5 ms of every
 * process's start on the project's VM, before main: 77,000 relocations in
 * capstone alone, and one page fault, several microseconds there, for each
 * page a relocation writes. Most runs use none of them (pslist, psaux,
 * maps, batch runs without YARA or disassembly). So libmemscry is not
 * linked against them: each is opened with dlopen by the first call that
 * needs it, through the wrappers of lib/base/ondemand_<library>.{c,h}, which
 * call sites reach under the library's own function names (the header
 * renames them). The sonames come from the libraries found at configure
 * time (CMakeLists.txt), so a wrapper opens the library the headers
 * describe.
 *
 * Thread-safety: any thread; the first use of a library opens it once,
 * under its own mutex. A library that cannot be opened stays so for the
 * process's life (dlopen says why once; retrying would not change it). */
#ifndef SCRY_ONDEMAND_H
#define SCRY_ONDEMAND_H

#include <pthread.h>
#include <stdatomic.h>

#include "lib/base/error.h"

struct scry_ondemand {
    const char *soname;
    pthread_mutex_t lock;
    atomic_int state; /* 0 not tried, 1 open, -1 failed */
    void *handle;
    char why[256]; /* dlerror's text when state is -1 */
};

#define SCRY_ONDEMAND_INIT(soname) {(soname), PTHREAD_MUTEX_INITIALIZER, 0, NULL, {0}}

/* The address of `name` in the library, opening it first; NULL when the
 * library cannot be opened or lacks the symbol (scry_ondemand_check says
 * why). */
void *scry_ondemand_sym(struct scry_ondemand *lib, const char *name);

/* 1 when the library is open (opening it), else 0: for a caller that
 * reports errors as fixed strings (a kdump page's decoder). */
int scry_ondemand_ready(struct scry_ondemand *lib);

/* SCRY_OK when the library is open (opening it), else SCRY_ERR_UNSUPPORTED
 * with a message naming it and dlopen's reason, for the entry points of
 * each library (cs_open, yr_initialize, zip_open, an AVML dump's open) to
 * report instead of the library's own error code. */
scry_status scry_ondemand_check(struct scry_ondemand *lib, const char *what);

/* In a wrapper: f, the library's `name` (a function of the real header,
 * seen without our renames), resolved on the wrapper's first call and kept;
 * NULL when it cannot be had. */
#define SCRY_ONDEMAND_FN(lib, name, f)                                                  \
    static _Atomic(__typeof__(&name)) f##_cached;                                       \
    __typeof__(&name) f = atomic_load_explicit(&f##_cached, memory_order_acquire);      \
    if (!f && (f = (__typeof__(&name))scry_ondemand_sym(&(lib), #name)) != NULL)          \
        atomic_store_explicit(&f##_cached, f, memory_order_release)

#endif
