/* isf_load.c - opens an ISF and streams its JSON text to the builder.
 *
 * The stored bytes (a file or a memory block) are decoded by
 * symbols/isf_source.c: xz, gzip or plain JSON told apart by their first
 * bytes, compressed input decoded in a second thread while this one parses.
 * The whole text is never held in memory. */
#include "symbols/isf_tables.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "symbols/isf_source.h"

scry_status scry_isf_parse(const void *json, size_t len, struct scry_symtab **out)
{
    struct isf_source *src;
    scry_status rc;
    if (!out || (!json && len))
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_isf_parse: NULL argument");
    if ((rc = isf_source_new(-1, json, len, 1, &src)) != SCRY_OK)
        return rc;
    rc = isf_build(isf_source_open, isf_source_next, src, out);
    isf_source_free(src);
    if (rc != SCRY_OK)
        return scry_err_ctx(rc, "ISF");
    return SCRY_OK;
}

scry_status scry_isf_load(const char *path, struct scry_symtab **out)
{
    struct isf_source *src;
    scry_status rc;
    int fd;
    if (!path || !out)
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_isf_load: NULL argument");
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return scry_err(SCRY_ERR_IO, "cannot open ISF %s: %s", path, strerror(errno));
    if ((rc = isf_source_new(fd, NULL, 0, 1, &src)) != SCRY_OK) {
        close(fd);
        return rc;
    }
    rc = isf_build(isf_source_open, isf_source_next, src, out);
    isf_source_free(src);
    close(fd);
    if (rc != SCRY_OK)
        return scry_err_ctx(rc, "ISF %s", path);
    return SCRY_OK;
}
