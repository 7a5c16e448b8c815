/* isf_load.c - opens an ISF and streams its JSON text to the builder.
 *
 * The stored bytes (a file or a memory block) are decoded by
 * symbols/isf_source.c: xz, gzip or plain JSON told apart by their first
 * bytes, compressed input decoded in a second thread while this one parses.
 * The whole text is never held in memory. The builder's tables are then
 * compiled (isf_flatten.c) and freed: the loaded table is always the flat
 * form of isf_flat.h. */
#include "symbols/isf_flat.h"
#include "symbols/isf_tables.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "symbols/isf_source.h"

/* Builds from a source and compiles: every loaded table is the compiled
 * form (isf_flat.h). */
static scry_status build_flat(int fd, const void *mem, size_t len, uint64_t key,
                              uint64_t key_size, struct scry_symtab **out)
{
    struct isf_source *src;
    struct isf_tables *t = NULL;
    uint8_t *flat;
    size_t flen;
    scry_status rc = isf_source_new(fd, mem, len, 1, &src);
    if (rc != SCRY_OK)
        return rc;
    rc = isf_build(isf_source_open, isf_source_next, src, &t);
    isf_source_free(src);
    if (rc != SCRY_OK)
        return rc;
    rc = isf_flatten(t, key, key_size, &flat, &flen);
    isf_tables_free(t);
    if (rc != SCRY_OK)
        return rc;
    if ((rc = isf_flat_open(flat, flen, 1, flat, NULL, out)) != SCRY_OK)
        free(flat);
    return rc;
}

scry_status isf_load_tables(const char *path, struct isf_tables **out)
{
    struct isf_source *src;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return scry_err(SCRY_ERR_IO, "cannot open ISF %s: %s", path, strerror(errno));
    scry_status rc = isf_source_new(fd, NULL, 0, 1, &src);
    if (rc == SCRY_OK) {
        rc = isf_build(isf_source_open, isf_source_next, src, out);
        isf_source_free(src);
    }
    close(fd);
    return rc;
}

scry_status scry_isf_parse(const void *json, size_t len, struct scry_symtab **out)
{
    scry_status rc;
    if (!out || (!json && len))
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_isf_parse: NULL argument");
    if ((rc = build_flat(-1, json ? json : "", len, 0, 0, out)) != SCRY_OK)
        return scry_err_ctx(rc, "ISF");
    return SCRY_OK;
}

scry_status scry_isf_compile(const char *path, const void *stored, size_t len, uint64_t key,
                             uint64_t key_size, struct scry_symtab **out)
{
    int fd = -1;
    scry_status rc;
    if (!out || (!path && !stored))
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_isf_compile: NULL argument");
    if (!stored) {
        if (!path || (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
            return scry_err(SCRY_ERR_IO, "cannot open ISF %s: %s", path ? path : "",
                            strerror(errno));
    }
    rc = build_flat(fd, stored, len, key, key_size, out);
    if (fd >= 0)
        close(fd);
    if (rc != SCRY_OK)
        return path ? scry_err_ctx(rc, "ISF %s", path) : scry_err_ctx(rc, "ISF");
    return SCRY_OK;
}

scry_status scry_isf_load_mem(const void *stored, size_t len, struct scry_symtab **out)
{
    if (!stored)
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_isf_load_mem: NULL argument");
    return scry_isf_compile(NULL, stored, len, 0, 0, out);
}

scry_status scry_isf_load(const char *path, struct scry_symtab **out)
{
    if (!path)
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_isf_load: NULL argument");
    return scry_isf_compile(path, NULL, 0, 0, 0, out);
}
