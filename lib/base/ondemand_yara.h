/* ondemand_yara.h - libyara, opened on first use (lib/base/ondemand.h).
 * Include this instead of <yara.h>: the functions memscry calls are
 * renamed to wrappers that open the library first. */
#ifndef SCRY_ONDEMAND_YARA_H
#define SCRY_ONDEMAND_YARA_H

#include <yara.h>

#include "lib/base/ondemand.h"

extern struct scry_ondemand scry_od_yara;

extern __typeof__(yr_initialize) scry_od_yr_initialize;
extern __typeof__(yr_compiler_create) scry_od_yr_compiler_create;
extern __typeof__(yr_compiler_destroy) scry_od_yr_compiler_destroy;
extern __typeof__(yr_compiler_set_callback) scry_od_yr_compiler_set_callback;
extern __typeof__(yr_compiler_add_file) scry_od_yr_compiler_add_file;
extern __typeof__(yr_compiler_add_string) scry_od_yr_compiler_add_string;
extern __typeof__(yr_compiler_get_rules) scry_od_yr_compiler_get_rules;
extern __typeof__(yr_rules_load) scry_od_yr_rules_load;
extern __typeof__(yr_rules_destroy) scry_od_yr_rules_destroy;
extern __typeof__(yr_rules_scan_mem) scry_od_yr_rules_scan_mem;
extern __typeof__(yr_rules_scan_mem_blocks) scry_od_yr_rules_scan_mem_blocks;

#ifndef SCRY_ONDEMAND_IMPL
#define yr_initialize scry_od_yr_initialize
#define yr_compiler_create scry_od_yr_compiler_create
#define yr_compiler_destroy scry_od_yr_compiler_destroy
#define yr_compiler_set_callback scry_od_yr_compiler_set_callback
#define yr_compiler_add_file scry_od_yr_compiler_add_file
#define yr_compiler_add_string scry_od_yr_compiler_add_string
#define yr_compiler_get_rules scry_od_yr_compiler_get_rules
#define yr_rules_load scry_od_yr_rules_load
#define yr_rules_destroy scry_od_yr_rules_destroy
#define yr_rules_scan_mem scry_od_yr_rules_scan_mem
#define yr_rules_scan_mem_blocks scry_od_yr_rules_scan_mem_blocks
#endif

#endif
