/* ondemand_zip.h - libzip, opened on first use (lib/base/ondemand.h). Include
 * this instead of <zip.h>: the functions memscry calls are renamed to
 * wrappers that open the library first. */
#ifndef SCRY_ONDEMAND_ZIP_H
#define SCRY_ONDEMAND_ZIP_H

#include <zip.h>

#include "lib/base/ondemand.h"

extern struct scry_ondemand scry_od_zip;

extern __typeof__(zip_open) scry_od_zip_open;
extern __typeof__(zip_discard) scry_od_zip_discard;
extern __typeof__(zip_strerror) scry_od_zip_strerror;
extern __typeof__(zip_error_init_with_code) scry_od_zip_error_init_with_code;
extern __typeof__(zip_error_strerror) scry_od_zip_error_strerror;
extern __typeof__(zip_error_fini) scry_od_zip_error_fini;
extern __typeof__(zip_get_num_entries) scry_od_zip_get_num_entries;
extern __typeof__(zip_stat_init) scry_od_zip_stat_init;
extern __typeof__(zip_stat) scry_od_zip_stat;
extern __typeof__(zip_stat_index) scry_od_zip_stat_index;
extern __typeof__(zip_fopen) scry_od_zip_fopen;
extern __typeof__(zip_fread) scry_od_zip_fread;
extern __typeof__(zip_fclose) scry_od_zip_fclose;
extern __typeof__(zip_file_strerror) scry_od_zip_file_strerror;

#ifndef SCRY_ONDEMAND_IMPL
#define zip_open scry_od_zip_open
#define zip_discard scry_od_zip_discard
#define zip_strerror scry_od_zip_strerror
#define zip_error_init_with_code scry_od_zip_error_init_with_code
#define zip_error_strerror scry_od_zip_error_strerror
#define zip_error_fini scry_od_zip_error_fini
#define zip_get_num_entries scry_od_zip_get_num_entries
#define zip_stat_init scry_od_zip_stat_init
#define zip_stat scry_od_zip_stat
#define zip_stat_index scry_od_zip_stat_index
#define zip_fopen scry_od_zip_fopen
#define zip_fread scry_od_zip_fread
#define zip_fclose scry_od_zip_fclose
#define zip_file_strerror scry_od_zip_file_strerror
#endif

#endif
