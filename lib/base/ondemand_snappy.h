/* ondemand_snappy.h - libsnappy, opened on first use (lib/base/ondemand.h).
 * Include this instead of <snappy-c.h>: the functions memscry calls are
 * renamed to wrappers that open the library first. */
#ifndef SCRY_ONDEMAND_SNAPPY_H
#define SCRY_ONDEMAND_SNAPPY_H

#include <snappy-c.h>

#include "lib/base/ondemand.h"

extern struct scry_ondemand scry_od_snappy;

extern __typeof__(snappy_uncompress) scry_od_snappy_uncompress;
extern __typeof__(snappy_uncompressed_length) scry_od_snappy_uncompressed_length;

#ifndef SCRY_ONDEMAND_IMPL
#define snappy_uncompress scry_od_snappy_uncompress
#define snappy_uncompressed_length scry_od_snappy_uncompressed_length
#endif

#endif
