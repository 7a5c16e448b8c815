/* kallsyms_int.h - what kallsyms.c and kallsyms_scan.c share: where the
 * tables are, reading them, checking the result. */
#ifndef SCRY_KALLSYMS_INT_H
#define SCRY_KALLSYMS_INT_H

#include "symbols/kallsyms.h"

#define SCRY_KSYM_MAX_TOKENS 0x10000u /* the index is u16: the table is shorter */
#define SCRY_KSYM_MAX_ENTRY 515u      /* 2 length bytes + type + KSYM_NAME_LEN */

/* Physical addresses of the tables. */
struct scry_ksym_loc {
    uint64_t num_syms_pa, names_pa, token_table_pa, token_index_pa, offsets_pa, relative_base_pa;
    uint64_t markers_pa; /* with has_markers */
    int has_markers;
    size_t names_max;       /* bytes that may belong to names from names_pa */
    size_t token_table_max; /* bytes that may belong to the token table */
    uint32_t num_syms;      /* 0: read it at num_syms_pa */
};

/* Reads the tables loc names and decodes them into *out; info's table
 * fields are filled. Errors as scry_kallsyms_read's. */
scry_status scry_ksym_load(struct scry_phys *p, const struct scry_ksym_loc *loc,
                           struct scry_sysmap *out, struct scry_kallsyms_info *info);

/* Checks linux_banner ("Linux version ") and init_task ("swapper" in its
 * first bytes) through the kernel-image mapping with phys_base; sets
 * *banner_pa. Errors: SCRY_ERR_CORRUPT naming the failed check. */
scry_status scry_ksym_verify(struct scry_phys *p, const struct scry_sysmap *m, uint64_t phys_base,
                             uint64_t *banner_pa);

/* Reads [pa, pa + len) that must be all present: SCRY_ERR_NODATA naming
 * `what` when a byte lies in a hole. */
scry_status scry_ksym_read(struct scry_phys *p, uint64_t pa, void *buf, size_t len,
                           const char *what);

/* The structural scan (kallsyms_scan.c): finds the tables, decodes and
 * verifies them, deriving phys_base. */
scry_status scry_ksym_scan(struct scry_phys *p, struct scry_op *op, struct scry_sysmap *out,
                           struct scry_kallsyms_info *info);

#endif
