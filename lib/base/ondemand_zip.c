/* ondemand_zip.c - libzip's wrappers (see ondemand_zip.h). Without the library every call
 * fails (NULL, -1, ZIP_ER_INTERNAL); the symbol-pack reader checks it
 * before zip_open, so that the error names the cause. */
#define SCRY_ONDEMAND_IMPL
#include "lib/base/ondemand_zip.h"

#include <string.h>

struct scry_ondemand scry_od_zip = SCRY_ONDEMAND_INIT(SCRY_SONAME_ZIP);

static const char no_lib[] = "libzip cannot be loaded";

zip_t *scry_od_zip_open(const char *path, int flags, int *errorp)
{
    SCRY_ONDEMAND_FN(scry_od_zip, zip_open, f);
    if (f)
        return f(path, flags, errorp);
    if (errorp)
        *errorp = ZIP_ER_INTERNAL;
    return NULL;
}

void scry_od_zip_discard(zip_t *z)
{
    SCRY_ONDEMAND_FN(scry_od_zip, zip_discard, f);
    if (f)
        f(z);
}

const char *scry_od_zip_strerror(zip_t *z)
{
    SCRY_ONDEMAND_FN(scry_od_zip, zip_strerror, f);
    return f ? f(z) : no_lib;
}

void scry_od_zip_error_init_with_code(zip_error_t *e, int code)
{
    SCRY_ONDEMAND_FN(scry_od_zip, zip_error_init_with_code, f);
    if (f)
        f(e, code);
    else
        memset(e, 0, sizeof *e);
}

const char *scry_od_zip_error_strerror(zip_error_t *e)
{
    SCRY_ONDEMAND_FN(scry_od_zip, zip_error_strerror, f);
    return f ? f(e) : no_lib;
}

void scry_od_zip_error_fini(zip_error_t *e)
{
    SCRY_ONDEMAND_FN(scry_od_zip, zip_error_fini, f);
    if (f)
        f(e);
}

zip_int64_t scry_od_zip_get_num_entries(zip_t *z, zip_flags_t flags)
{
    SCRY_ONDEMAND_FN(scry_od_zip, zip_get_num_entries, f);
    return f ? f(z, flags) : -1;
}

void scry_od_zip_stat_init(zip_stat_t *st)
{
    SCRY_ONDEMAND_FN(scry_od_zip, zip_stat_init, f);
    if (f)
        f(st);
    else
        memset(st, 0, sizeof *st);
}

int scry_od_zip_stat(zip_t *z, const char *name, zip_flags_t flags, zip_stat_t *st)
{
    SCRY_ONDEMAND_FN(scry_od_zip, zip_stat, f);
    return f ? f(z, name, flags, st) : -1;
}

int scry_od_zip_stat_index(zip_t *z, zip_uint64_t index, zip_flags_t flags, zip_stat_t *st)
{
    SCRY_ONDEMAND_FN(scry_od_zip, zip_stat_index, f);
    return f ? f(z, index, flags, st) : -1;
}

zip_file_t *scry_od_zip_fopen(zip_t *z, const char *name, zip_flags_t flags)
{
    SCRY_ONDEMAND_FN(scry_od_zip, zip_fopen, f);
    return f ? f(z, name, flags) : NULL;
}

zip_int64_t scry_od_zip_fread(zip_file_t *zf, void *buf, zip_uint64_t n)
{
    SCRY_ONDEMAND_FN(scry_od_zip, zip_fread, f);
    return f ? f(zf, buf, n) : -1;
}

int scry_od_zip_fclose(zip_file_t *zf)
{
    SCRY_ONDEMAND_FN(scry_od_zip, zip_fclose, f);
    return f ? f(zf) : ZIP_ER_INTERNAL;
}

const char *scry_od_zip_file_strerror(zip_file_t *zf)
{
    SCRY_ONDEMAND_FN(scry_od_zip, zip_file_strerror, f);
    return f ? f(zf) : no_lib;
}
