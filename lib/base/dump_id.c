/* dump_id.c - a dump file's identity (see dump_id.h). */
#include "lib/base/dump_id.h"

#include <string.h>
#include <sys/stat.h>
#include <xxhash.h>

int scry_dump_identity(const struct scry_file *f, const struct scry_kv *meta,
                       struct scry_dump_id *id)
{
    XXH3_state_t *x;
    struct stat sb;
    size_t head;
    if (!f || f->fd < 0 || fstat(f->fd, &sb) != 0 || (uint64_t)sb.st_size != f->size)
        return -1;
    id->v[SCRY_DUMP_ID_DEV] = (uint64_t)sb.st_dev;
    id->v[SCRY_DUMP_ID_INO] = (uint64_t)sb.st_ino;
    id->v[SCRY_DUMP_ID_SIZE] = (uint64_t)sb.st_size;
    id->v[SCRY_DUMP_ID_MTIME_SEC] = (uint64_t)sb.st_mtim.tv_sec;
    id->v[SCRY_DUMP_ID_MTIME_NSEC] = (uint64_t)sb.st_mtim.tv_nsec;
    head = f->size < SCRY_DUMP_ID_HEAD ? (size_t)f->size : SCRY_DUMP_ID_HEAD;
    id->v[SCRY_DUMP_ID_HEAD_HASH] = f->map && head ? XXH3_64bits(f->map, head) : 0;
    if (!(x = XXH3_createState()))
        return -1;
    XXH3_64bits_reset(x);
    for (size_t i = 0; meta && i < meta->n; i++) {
        XXH3_64bits_update(x, meta->v[i].key, strlen(meta->v[i].key) + 1);
        XXH3_64bits_update(x, meta->v[i].value, strlen(meta->v[i].value) + 1);
    }
    id->v[SCRY_DUMP_ID_META_HASH] = XXH3_64bits_digest(x);
    XXH3_freeState(x);
    return 0;
}
