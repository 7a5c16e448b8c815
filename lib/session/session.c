/* session.c - sessions: lazy OS detection, kernel reads, plugin runs. */
#include <stdlib.h>
#include <string.h>

#include "lib/os/linux.h"
#include "lib/plugins/plugin.h"
#include "lib/session/session.h"

scry_status scry_session_open(scry_dump *dump, const char *const *symdirs, size_t n,
                              scry_session **out)
{
    struct scry_session *s;
    if (!dump || !out || (n && !symdirs))
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_session_open: NULL argument");
    s = calloc(1, sizeof *s);
    if (!s)
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    s->dump = dump;
    if (n) {
        s->symdirs = calloc(n, sizeof *s->symdirs);
        if (!s->symdirs) {
            free(s);
            return scry_err(SCRY_ERR_NOMEM, "out of memory");
        }
        for (size_t i = 0; i < n; i++) {
            if (!symdirs[i] || !(s->symdirs[i] = strdup(symdirs[i]))) {
                s->nsymdirs = i;
                scry_session_close(s);
                return scry_err(symdirs[i] ? SCRY_ERR_NOMEM : SCRY_ERR_INVALID_ARG,
                                "scry_session_open: bad symbol directory %zu", i);
            }
        }
        s->nsymdirs = n;
    }
    *out = s;
    return SCRY_OK;
}

void scry_session_close(scry_session *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nsymdirs; i++)
        free(s->symdirs[i]);
    free(s->symdirs);
    free(s->detect_error);
    scry_linux_free(s->lnx);
    free(s);
}

scry_status scry_session_detect(scry_session *s)
{
    if (!s)
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_session_detect: NULL session");
    /* Detection is costly and its answer cannot change: run it once and
     * replay a failure with its original message. */
    if (!s->detected) {
        s->detect_status = scry_linux_detect(s);
        s->detected = 1;
        if (s->detect_status != SCRY_OK)
            s->detect_error = strdup(scry_last_error());
    }
    if (s->detect_status != SCRY_OK)
        return scry_err(s->detect_status, "%s", s->detect_error ? s->detect_error : "");
    return SCRY_OK;
}

scry_status scry_session_kernel_info(scry_session *s, const char **os, const char **banner,
                                     const char **isf_path, uint64_t *dtb, uint64_t *virtual_shift,
                                     uint64_t *physical_shift, int *paging_levels)
{
    scry_status st = scry_session_detect(s);
    if (st != SCRY_OK)
        return st;
    if (os)
        *os = "linux";
    if (banner)
        *banner = s->lnx->banner;
    if (isf_path)
        *isf_path = s->lnx->isf_path;
    if (dtb)
        *dtb = s->lnx->dtb;
    if (virtual_shift)
        *virtual_shift = s->lnx->virt_shift;
    if (physical_shift)
        *physical_shift = s->lnx->phys_shift;
    if (paging_levels)
        *paging_levels = s->lnx->kernel.mode == SCRY_PAGING_LA57 ? 5 : 4;
    return SCRY_OK;
}

scry_status scry_session_read_virt(scry_session *s, uint64_t va, void *buf, size_t len)
{
    scry_status st = scry_session_detect(s);
    if (st != SCRY_OK)
        return st;
    if (!buf && len)
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_session_read_virt: NULL buffer");
    return scry_vspace_read(&s->lnx->kernel, va, buf, len);
}

scry_status scry_plugin_run(scry_session *s, const char *name, int argc, const char *const *argv,
                            scry_result **out)
{
    const struct scry_plugin *p;
    struct scry_optvals vals;
    struct scry_result *r = NULL;
    scry_status st;
    if (!s || !name || !out || argc < 0 || (argc && !argv))
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_plugin_run: bad argument");
    p = scry_plugin_find(name);
    if (!p)
        return scry_err(SCRY_ERR_NOT_FOUND, "unknown plugin '%s'", name);
    st = scry_options_parse(p, argc, argv, &vals);
    if (st != SCRY_OK)
        return st;
    if (p->needs == SCRY_NEEDS_KERNEL)
        st = scry_session_detect(s);
    if (st == SCRY_OK)
        st = scry_result_new(p->columns, p->ncolumns, &r);
    if (st == SCRY_OK)
        st = p->run(s, &vals, r);
    scry_optvals_free(&vals);
    if (st != SCRY_OK) {
        scry_result_free(r);
        return st;
    }
    *out = r;
    return SCRY_OK;
}
