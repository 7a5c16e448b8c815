/* ondemand_snappy.c - libsnappy's wrappers (see ondemand_snappy.h). Without the library
 * every call says SNAPPY_INVALID_INPUT; the kdump and AVML readers check it
 * before their first snappy data, so that the error names the cause. */
#define SCRY_ONDEMAND_IMPL
#include "lib/base/ondemand_snappy.h"

struct scry_ondemand scry_od_snappy = SCRY_ONDEMAND_INIT(SCRY_SONAME_SNAPPY);

snappy_status scry_od_snappy_uncompress(const char *compressed, size_t compressed_length,
                                        char *uncompressed, size_t *uncompressed_length)
{
    SCRY_ONDEMAND_FN(scry_od_snappy, snappy_uncompress, f);
    return f ? f(compressed, compressed_length, uncompressed, uncompressed_length)
             : SNAPPY_INVALID_INPUT;
}

snappy_status scry_od_snappy_uncompressed_length(const char *compressed, size_t compressed_length,
                                                 size_t *result)
{
    SCRY_ONDEMAND_FN(scry_od_snappy, snappy_uncompressed_length, f);
    return f ? f(compressed, compressed_length, result) : SNAPPY_INVALID_INPUT;
}
