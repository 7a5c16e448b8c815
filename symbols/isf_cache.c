/* isf_cache.c - compiled symbol tables on disk (see isf_cache.h). */
#include "symbols/isf_cache.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "lib/base/file.h"
#include "symbols/isf_flat.h"

#define SUBDIR ISF_CACHE_SUBDIR

enum { HASH_CHUNK = 256u << 10 };

static scry_status hash_fd(int fd, const char *path, uint64_t *key, uint64_t *size)
{
    uint8_t *buf = malloc(HASH_CHUNK);
    XXH3_state_t *x = XXH3_createState();
    uint64_t total = 0;
    scry_status rc = SCRY_OK;
    if (!buf || !x) {
        rc = scry_err(SCRY_ERR_NOMEM, "out of memory");
        goto out;
    }
    XXH3_64bits_reset(x);
    for (;;) {
        ssize_t r = read(fd, buf, HASH_CHUNK);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            rc = scry_err(SCRY_ERR_IO, "cannot read ISF %s: %s", path, strerror(errno));
            goto out;
        }
        if (r == 0)
            break;
        XXH3_64bits_update(x, buf, (size_t)r);
        total += (uint64_t)r;
    }
    *key = XXH3_64bits_digest(x);
    *size = total;
out:
    free(buf);
    XXH3_freeState(x);
    return rc;
}

scry_status scry_isfc_key_file(const char *path, uint64_t *key, uint64_t *size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return scry_err(SCRY_ERR_IO, "cannot open ISF %s: %s", path, strerror(errno));
    scry_status rc = hash_fd(fd, path, key, size);
    close(fd);
    return rc;
}

static int entry_path(char *out, size_t cap, const char *dir, uint64_t key, uint64_t size)
{
    int n = snprintf(out, cap, "%s/" SUBDIR "/%016" PRIx64 "-%" PRIx64 ".isfc", dir, key, size);
    return n > 0 && (size_t)n < cap ? 0 : -1;
}

/* Maps a valid entry for (key, size), or returns NULL. Anything wrong with
 * it just means "not cached". */
static struct scry_symtab *map_entry(const char *dir, uint64_t key, uint64_t size)
{
    char path[4096];
    struct stat sb;
    struct scry_symtab *st = NULL;
    if (entry_path(path, sizeof path, dir, key, size))
        return NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return NULL;
    /* Only our own regular file, writable by nobody else: a mapping cannot
     * survive another writer truncating it under us. */
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_uid != geteuid() ||
        (sb.st_mode & 022) || sb.st_size < (off_t)sizeof(struct isf_flat_header) ||
        (uint64_t)sb.st_size > SIZE_MAX) {
        close(fd);
        return NULL;
    }
    size_t len = (size_t)sb.st_size;
    void *m = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    if (m == MAP_FAILED)
        return NULL;
    /* Lookups hop between a few records of a large file: no read-around
     * or fault-around, so a warm run's resident set is the pages it reads. */
    madvise(m, len, MADV_RANDOM);
    const struct isf_flat_header *h = isf_flat_header(m, len);
    if (!h || h->source_hash != key || h->source_size != size ||
        isf_flat_open(m, len, 0, NULL, m, &st) != SCRY_OK) {
        munmap(m, len);
        return NULL;
    }
    st->origin = strdup(path); /* for messages only: NULL is fine */
    return st;
}

/* Publishes the entry; any failure leaves no file behind and is silent:
 * the table is already loaded, only the next run pays the cold cost. */
static void store_entry(const char *dir, const struct scry_symtab *st, uint64_t key,
                        uint64_t size)
{
    char path[4096], sub[4096], tmp[4200];
    if (entry_path(path, sizeof path, dir, key, size) ||
        snprintf(sub, sizeof sub, "%s/" SUBDIR, dir) >= (int)sizeof sub || scry_mkdir_p(sub, 0700) != 0 ||
        snprintf(tmp, sizeof tmp, "%s/.tmp-XXXXXX", sub) >= (int)sizeof tmp)
        return;
    int fd = mkstemp(tmp);
    if (fd < 0)
        return;
    const uint8_t *p = st->base;
    size_t left = st->size;
    int ok = fchmod(fd, 0600) == 0;
    while (ok && left) {
        ssize_t w = write(fd, p, left);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            ok = 0;
            break;
        }
        p += w;
        left -= (size_t)w;
    }
    /* Data before name: after a crash the entry is whole or absent. Then
     * drop the written pages from the page cache: written, they sit in
     * large folios, and a mapping's fault maps a whole folio (up to 2 MiB
     * each on a 6.x kernel), so a warm run would count megabytes it never
     * reads. Read back through a MADV_RANDOM mapping, each fault brings in
     * and maps one page. */
    ok = ok && fsync(fd) == 0;
    if (ok)
        posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    ok = close(fd) == 0 && ok;
    if (!ok || rename(tmp, path) != 0)
        unlink(tmp);
}

scry_status scry_isfc_load(const char *dir, const char *path, const void *stored, size_t len,
                           struct scry_symtab **out, enum scry_isfc_how *how)
{
    return scry_isfc_load_keyed(dir, path, stored, len, NULL, out, how);
}

scry_status scry_isfc_load_keyed(const char *dir, const char *path, const void *stored,
                                 size_t len, const struct scry_isfc_key *known,
                                 struct scry_symtab **out, enum scry_isfc_how *how)
{
    uint64_t key = 0, size = len;
    scry_status rc;
    if (!out || (!path && !stored))
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_isfc_load: NULL argument");
    if (dir) {
        if (known)
            key = known->hash, size = known->size;
        else if (stored)
            key = XXH3_64bits(stored, len);
        else if ((rc = scry_isfc_key_file(path, &key, &size)) != SCRY_OK)
            return rc;
        if ((*out = map_entry(dir, key, size))) {
            if (how)
                *how = SCRY_ISFC_MAPPED;
            return SCRY_OK;
        }
    }
    if ((rc = scry_isf_compile(path, stored, len, key, size, out)) != SCRY_OK)
        return rc;
    if (dir)
        store_entry(dir, *out, key, size);
    if (how)
        *how = SCRY_ISFC_BUILT;
    return SCRY_OK;
}

scry_status scry_isfc_load_built(const char *dir, const struct scry_isfc_key *key,
                                 scry_isf_builder build, void *user, struct scry_symtab **out,
                                 enum scry_isfc_how *how)
{
    uint8_t *isf = NULL;
    size_t len = 0;
    scry_status rc;
    if (!key || !build || !out)
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_isfc_load_built: NULL argument");
    if (!key->size)
        dir = NULL; /* an unknown identity: nothing to key an entry by */
    if (dir && (*out = map_entry(dir, key->hash, key->size))) {
        if (how)
            *how = SCRY_ISFC_MAPPED;
        return SCRY_OK;
    }
    if ((rc = build(user, &isf, &len)) != SCRY_OK)
        return rc;
    rc = scry_isf_compile(NULL, isf, len, key->hash, key->size, out);
    free(isf);
    if (rc != SCRY_OK)
        return rc;
    if (dir)
        store_entry(dir, *out, key->hash, key->size);
    if (how)
        *how = SCRY_ISFC_BUILT;
    return SCRY_OK;
}

int scry_isfc_present(const char *dir, const struct scry_isfc_key *key)
{
    char path[4096];
    struct stat sb;
    return dir && key && key->size && !entry_path(path, sizeof path, dir, key->hash, key->size) &&
           stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

void scry_isfc_forget(const char *dir, const struct scry_symtab *st)
{
    if (dir && st && st->origin)
        unlink(st->origin);
}

char *scry_isfc_default_dir(void)
{
    const char *x = getenv("XDG_CACHE_HOME"), *h = getenv("HOME");
    char buf[4096];
    int n;
    if (x && *x == '/')
        n = snprintf(buf, sizeof buf, "%s/memscry", x);
    else if (h && *h)
        n = snprintf(buf, sizeof buf, "%s/.cache/memscry", h);
    else
        return NULL;
    return n > 0 && (size_t)n < sizeof buf ? strdup(buf) : NULL;
}
