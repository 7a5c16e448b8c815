/* raw.c - a padded physical image: byte N of the file is physical address N. */
#include <stdlib.h>

#include "lib/phys.h"

struct raw_phys {
    struct scry_phys base;
    uint64_t file_off[1]; /* always 0; read_linear wants the array */
};

static int raw_probe(const uint8_t *head, size_t len, uint64_t file_size)
{
    (void)head;
    (void)len;
    return file_size != 0 && file_size % SCRY_PAGE_SIZE == 0;
}

static scry_status raw_read(struct scry_phys *p, uint64_t pa, void *buf, size_t len,
                            size_t *holes)
{
    return scry_phys_read_linear(p, ((struct raw_phys *)p)->file_off, pa, buf, len, holes);
}

static const uint8_t *raw_direct(struct scry_phys *p, uint64_t pa, size_t len)
{
    if (len < SCRY_DIRECT_MIN)
        return NULL;
    if (!scry_file_has(p->file, pa, len) || !p->file->map)
        return NULL;
    return p->file->map + pa;
}

static void raw_close(struct scry_phys *p)
{
    scry_file_close(p->file);
    free(p->runs);
    free(p);
}

static const struct scry_phys_ops raw_ops = {raw_read, raw_direct, raw_close};

static scry_status raw_open(struct scry_file *f, struct scry_phys **out)
{
    struct raw_phys *r;
    if (!raw_probe(NULL, 0, f->size))
        return scry_err(SCRY_ERR_FORMAT, "%s: %llu bytes is not a whole number of %u-byte pages",
                        f->path, (unsigned long long)f->size, SCRY_PAGE_SIZE);
    r = calloc(1, sizeof *r);
    if (!r || !(r->base.runs = malloc(sizeof *r->base.runs))) {
        free(r);
        return scry_err(SCRY_ERR_NOMEM, "%s: out of memory", f->path);
    }
    r->base.ops = &raw_ops;
    r->base.file = f;
    r->base.runs[0].start = 0;
    r->base.runs[0].len = f->size;
    r->base.nruns = 1;
    r->base.info.format = "raw";
    r->base.info.file_size = f->size;
    r->base.info.phys_end = f->size;
    *out = &r->base;
    return SCRY_OK;
}

const struct scry_format scry_format_raw = {"raw", raw_probe, raw_open};
