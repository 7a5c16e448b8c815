/* ondemand.c - dlopen on first use (see ondemand.h). */
#include "lib/base/ondemand.h"

#include <dlfcn.h>
#include <stdio.h>

static int open_once(struct scry_ondemand *lib)
{
    int state = atomic_load_explicit(&lib->state, memory_order_acquire);
    if (state)
        return state;
    pthread_mutex_lock(&lib->lock);
    if (!(state = atomic_load_explicit(&lib->state, memory_order_relaxed))) {
        /* RTLD_LOCAL: its symbols serve only our lookups, never another
         * library's; RTLD_NOW: a missing symbol fails here, not mid-scan. */
        lib->handle = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);
        if (!lib->handle) {
            const char *e = dlerror();
            snprintf(lib->why, sizeof lib->why, "%s", e ? e : "dlopen failed");
        }
        state = lib->handle ? 1 : -1;
        atomic_store_explicit(&lib->state, state, memory_order_release);
    }
    pthread_mutex_unlock(&lib->lock);
    return state;
}

void *scry_ondemand_sym(struct scry_ondemand *lib, const char *name)
{
    if (open_once(lib) < 0)
        return NULL;
    return dlsym(lib->handle, name);
}

int scry_ondemand_ready(struct scry_ondemand *lib) { return open_once(lib) > 0; }

scry_status scry_ondemand_check(struct scry_ondemand *lib, const char *what)
{
    if (open_once(lib) > 0)
        return SCRY_OK;
    return scry_err(SCRY_ERR_UNSUPPORTED, "%s needs %s, which cannot be loaded: %s", what,
                    lib->soname, lib->why);
}
