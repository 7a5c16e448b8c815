/* render_row.c - one row of a result alone, for outputs that carry each
 * row beside other fields (the batch's jsonl and csv). */
#include <stdlib.h>
#include <string.h>

#include "lib/render/render.h"

scry_status scry_result_render_row(const scry_result *result, size_t row, const char *format,
                                   scry_write_fn write, void *user)
{
    scry_status (*one)(const struct scry_result *, size_t, struct scry_out *);
    struct scry_out *o;
    scry_status st;
    if (!result || !format || !write || row >= result->nrows)
        return scry_err(SCRY_ERR_INVALID_ARG, "scry_result_render_row: no result or row %zu", row);
    if (!strcmp(format, "json"))
        one = scry_render_json_row;
    else if (!strcmp(format, "csv"))
        one = scry_render_csv_row;
    else
        return scry_err(SCRY_ERR_NOT_FOUND, "no row format '%s' (json, csv)", format);
    /* 8 KiB of buffer: not for a caller's possibly small thread stack. */
    if (!(o = malloc(sizeof *o)))
        return scry_err(SCRY_ERR_NOMEM, "cannot allocate the output buffer");
    scry_out_init(o, write, user);
    st = one(result, row, o);
    if (st == SCRY_OK)
        st = scry_out_flush(o);
    free(o);
    return st;
}
