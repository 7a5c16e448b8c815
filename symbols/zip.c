/* zip.c - reading symbol packs with libzip (see zip.h). */
#include "symbols/zip.h"

#include <stdlib.h>
#include <string.h>
#include "lib/base/ondemand_zip.h"

#include "symbols/store.h"

/* Opens zip read-only, with a message naming it on failure. */
static scry_status open_zip(const char *path, zip_t **out)
{
    int code = 0;
    zip_t *z;
    scry_status ready = scry_ondemand_check(&scry_od_zip, "reading a symbol pack");
    if (ready != SCRY_OK)
        return ready;
    z = zip_open(path, ZIP_RDONLY, &code);
    if (!z) {
        zip_error_t e;
        scry_status st = code == ZIP_ER_OPEN || code == ZIP_ER_READ || code == ZIP_ER_NOENT
                             ? SCRY_ERR_IO
                         : code == ZIP_ER_MEMORY ? SCRY_ERR_NOMEM
                                                 : SCRY_ERR_CORRUPT;
        zip_error_init_with_code(&e, code);
        st = scry_err(st, "%s: cannot open zip: %s", path, zip_error_strerror(&e));
        zip_error_fini(&e);
        return st;
    }
    *out = z;
    return SCRY_OK;
}

static int cmp_member(const void *a, const void *b)
{
    return strcmp(((const struct scry_zip_member *)a)->name,
                  ((const struct scry_zip_member *)b)->name);
}

void scry_zip_members_free(struct scry_zip_member *m, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(m[i].name);
    free(m);
}

scry_status scry_zip_list(const char *path, struct scry_zip_member **out, size_t *count)
{
    zip_t *z = NULL;
    struct scry_zip_member *v = NULL;
    size_t n = 0;
    scry_status st = open_zip(path, &z);
    if (st != SCRY_OK)
        return st;
    zip_int64_t entries = zip_get_num_entries(z, 0);
    if (entries < 0 || (uint64_t)entries > SCRY_ZIP_MAX_MEMBERS) {
        zip_discard(z);
        return scry_err(SCRY_ERR_LIMIT, "%s: more than %u zip members", path,
                        SCRY_ZIP_MAX_MEMBERS);
    }
    if (entries && !(v = calloc((size_t)entries, sizeof *v))) {
        zip_discard(z);
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    }
    for (zip_int64_t i = 0; i < entries; i++) {
        zip_stat_t sb;
        zip_stat_init(&sb);
        /* ZIP_FL_ENC_RAW: the stored name bytes, as Python's zipfile keeps
         * them for UTF-8-flagged names; a name is never decoded twice. */
        if (zip_stat_index(z, (zip_uint64_t)i, 0, &sb) != 0 || !(sb.valid & ZIP_STAT_NAME))
            continue;
        if (!scry_store_is_isf_name(sb.name))
            continue;
        if (!(v[n].name = strdup(sb.name))) {
            st = scry_err(SCRY_ERR_NOMEM, "out of memory");
            break;
        }
        v[n++].size = sb.valid & ZIP_STAT_SIZE ? sb.size : 0;
    }
    zip_discard(z);
    if (st != SCRY_OK) {
        scry_zip_members_free(v, n);
        return st;
    }
    if (n)
        qsort(v, n, sizeof *v, cmp_member);
    /* A name stored twice names one member for a reader by name. */
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (k && strcmp(v[k - 1].name, v[i].name) == 0) {
            free(v[i].name);
            continue;
        }
        v[k++] = v[i];
    }
    *out = v;
    *count = k;
    return SCRY_OK;
}

scry_status scry_zip_read(const char *path, const char *member, size_t max_bytes, uint8_t **buf,
                          size_t *len)
{
    zip_t *z = NULL;
    zip_file_t *f;
    zip_stat_t sb;
    uint8_t *b = NULL;
    size_t n = 0, cap;
    scry_status st = open_zip(path, &z);
    if (st != SCRY_OK)
        return st;
    zip_stat_init(&sb);
    if (zip_stat(z, member, 0, &sb) != 0) {
        zip_discard(z);
        return scry_err(SCRY_ERR_NOT_FOUND, "%s: no member %s", path, member);
    }
    if ((sb.valid & ZIP_STAT_SIZE) && sb.size > max_bytes) {
        zip_discard(z);
        return scry_err(SCRY_ERR_LIMIT, "%s!%s: member larger than %zu bytes", path, member,
                        max_bytes);
    }
    if (!(f = zip_fopen(z, member, 0))) {
        st = scry_err(SCRY_ERR_CORRUPT, "%s!%s: cannot read: %s", path, member,
                      zip_strerror(z));
        zip_discard(z);
        return st;
    }
    /* The stated size is a hint only: the cap holds whatever it says,
     * and one byte past max_bytes tells "too large" from "exactly max". */
    if (max_bytes > SIZE_MAX - 1)
        max_bytes = SIZE_MAX - 1;
    cap = (sb.valid & ZIP_STAT_SIZE) && sb.size < max_bytes ? (size_t)sb.size + 1 : 65536;
    if (cap > max_bytes + 1)
        cap = max_bytes + 1;
    if (!(b = malloc(cap)))
        st = scry_err(SCRY_ERR_NOMEM, "out of memory");
    while (st == SCRY_OK) {
        if (n == cap) {
            size_t ncap = cap > (max_bytes + 1) / 2 ? max_bytes + 1 : cap * 2;
            uint8_t *nb;
            if (cap == max_bytes + 1) {
                st = scry_err(SCRY_ERR_LIMIT, "%s!%s: member larger than %zu bytes", path,
                              member, max_bytes);
                break;
            }
            if (!(nb = realloc(b, ncap))) {
                st = scry_err(SCRY_ERR_NOMEM, "out of memory");
                break;
            }
            b = nb;
            cap = ncap;
        }
        zip_int64_t r = zip_fread(f, b + n, cap - n);
        if (r < 0)
            st = scry_err(SCRY_ERR_CORRUPT, "%s!%s: %s", path, member, zip_file_strerror(f));
        else if (r == 0)
            break;
        else
            n += (size_t)r;
    }
    zip_fclose(f);
    zip_discard(z);
    if (st != SCRY_OK) {
        free(b);
        return st;
    }
    *buf = b;
    *len = n;
    return SCRY_OK;
}
