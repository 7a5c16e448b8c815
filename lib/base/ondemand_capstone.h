/* ondemand_capstone.h - libcapstone, opened on first use (lib/base/ondemand.h).
 * Include this instead of <capstone/capstone.h>: the functions memscry
 * calls are renamed to wrappers that open the library first. */
#ifndef SCRY_ONDEMAND_CAPSTONE_H
#define SCRY_ONDEMAND_CAPSTONE_H

#include <capstone/capstone.h>

#include "lib/base/ondemand.h"

extern struct scry_ondemand scry_od_capstone;

extern __typeof__(cs_open) scry_od_cs_open;
extern __typeof__(cs_close) scry_od_cs_close;
extern __typeof__(cs_disasm) scry_od_cs_disasm;
extern __typeof__(cs_free) scry_od_cs_free;

#ifndef SCRY_ONDEMAND_IMPL
#define cs_open scry_od_cs_open
#define cs_close scry_od_cs_close
#define cs_disasm scry_od_cs_disasm
#define cs_free scry_od_cs_free
#endif

#endif
