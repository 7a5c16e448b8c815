/* kallsyms_read.c - decodes a dump's kallsyms (scry_kallsyms_read) and
 * prints what it found, for kallsyms_isf.py and bench/kallsyms.sh.
 *
 *   kallsyms_read [--scan] [--repeat N] DUMP
 *
 * --scan passes no VMCOREINFO, so the tables are found by their structure
 * even in a dump that names them. Output: one "info KEY=VALUE..." line, then
 * "ADDRESS TYPE NAME" per symbol in table order, as /proc/kallsyms shows
 * them. --repeat N decodes N times (the last one printed) and prints the
 * median wall time of one decode (open excluded) on stderr. Exit 1 on an
 * error, with the library's message on stderr. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "formats/phys.h"
#include "memscry/memscry.h"
#include "symbols/kallsyms.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    int scan = 0, repeat = 1, i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "--scan") == 0)
            scan = 1;
        else if (strcmp(argv[i], "--repeat") == 0 && i + 1 < argc)
            repeat = atoi(argv[++i]);
        else
            break;
    }
    if (i + 1 != argc || repeat < 1 || repeat > 1000) {
        fprintf(stderr, "usage: kallsyms_read [--scan] [--repeat N] DUMP\n");
        return 2;
    }
    struct scry_phys *p;
    if (scry_phys_open(argv[i], NULL, &p) != SCRY_OK) {
        fprintf(stderr, "kallsyms_read: %s\n", scry_last_error());
        return 1;
    }
    const char *vmci = scan ? NULL : p->info.vmcoreinfo;
    size_t vlen = scan ? 0 : p->info.vmcoreinfo_len;
    struct scry_sysmap m = {0};
    struct scry_kallsyms_info in;
    double *t = calloc((size_t)repeat, sizeof *t);
    for (int r = 0; r < repeat; r++) {
        scry_sysmap_free(&m);
        double t0 = now();
        if (scry_kallsyms_read(p, NULL, vmci, vlen, &m, &in) != SCRY_OK) {
            fprintf(stderr, "kallsyms_read: %s\n", scry_last_error());
            scry_phys_close(p);
            free(t);
            return 1;
        }
        t[r] = now() - t0;
    }
    if (repeat > 1) {
        qsort(t, (size_t)repeat, sizeof *t, cmp_double);
        fprintf(stderr, "decode: median %.1f ms, min %.1f ms over %d runs\n",
                1e3 * t[repeat / 2], 1e3 * t[0], repeat);
    }
    free(t);
    printf("info from_vmcoreinfo=%d has_kernel_offset=%d kernel_offset=0x%llx phys_base=0x%llx "
           "names_pa=0x%llx token_table_pa=0x%llx token_index_pa=0x%llx offsets_pa=0x%llx "
           "relative_base=0x%llx num_syms=%zu banner_pa=0x%llx\n",
           in.from_vmcoreinfo, in.has_kernel_offset, (unsigned long long)in.kernel_offset,
           (unsigned long long)in.phys_base, (unsigned long long)in.names_pa,
           (unsigned long long)in.token_table_pa, (unsigned long long)in.token_index_pa,
           (unsigned long long)in.offsets_pa, (unsigned long long)in.relative_base, in.num_syms,
           (unsigned long long)in.banner_pa);
    for (size_t k = 0; k < m.n; k++)
        printf("%016llx %c %s\n", (unsigned long long)m.sym[k].addr, m.sym[k].type,
               m.sym[k].name);
    scry_sysmap_free(&m);
    scry_phys_close(p);
    return 0;
}
