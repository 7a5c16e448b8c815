/* fuzz_kallsyms.c - kallsyms decoded from a mutated synthetic kernel image
 * (kallsyms_image.h), through VMCOREINFO or the structural scan.
 *
 * Input layout: a 4-byte header, then 4-byte mutation records.
 *   [0]  flags: bit 0 passes VMCOREINFO, bit 1 hides ops->direct, bit 2
 *        layout 6.4+ (else 6.1), bits 3-4 seqs_of_names entry size (0, 3,
 *        4, 4), bit 5 absolute per-CPU symbols, bit 6 truncates the image
 *        to [2]/256 of its size
 *   [1]  fill symbols / 4 (0-1020: one marker or up to four)
 *   [2]  truncation
 *   [3]  unused
 *   then per record: a 24-bit little-endian position and a byte XORed in
 *   there; position bit 23 set: in the VMCOREINFO text, else in the image
 *   (both taken modulo their size).
 * Besides "never crash, never hang", a success must hold num_syms symbols
 * with printable names in address order, each found by its name.
 * FUZZ_KALLSYMS_PRINT=1 prints each input's outcome. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_phys.h"
#include "kallsyms_image.h"
#include "lib/base/file.h"
#include "symbols/kallsyms.h"

static void check(const struct scry_sysmap *m, const struct scry_kallsyms_info *info)
{
    if (m->n != info->num_syms || !m->n)
        __builtin_trap();
    for (size_t i = 0; i < m->n; i++) {
        const struct scry_sysmap_sym *s = &m->sym[i];
        if (i && s->addr < m->sym[i - 1].addr)
            __builtin_trap();
        if (!s->name[0] || s->type <= ' ' || s->type > '~')
            __builtin_trap();
        for (const char *c = s->name; *c; c++)
            if (*c <= ' ' || *c > '~')
                __builtin_trap();
        const struct scry_sysmap_sym *f = scry_sysmap_find(m, s->name);
        if (!f || strcmp(f->name, s->name) != 0 || (s->kept && f != s))
            __builtin_trap();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int seqs[4] = {0, 3, 4, 4};
    if (size < 4)
        return 0;
    struct ki_params pr = {.nfill = 4u * data[1], .layout = data[0] >> 2 & 1,
                           .seqs = seqs[data[0] >> 3 & 3], .abs_percpu = data[0] >> 5 & 1};
    if (pr.layout && !pr.seqs)
        pr.seqs = 4;
    struct ki_image im;
    if (ki_build(&pr, &im) != 0)
        return 0;
    for (size_t at = 4; at + 4 <= size; at += 4) {
        uint32_t pos = data[at] | (uint32_t)data[at + 1] << 8 | (uint32_t)data[at + 2] << 16;
        if (pos & 0x800000) {
            if (im.vmcoreinfo_len)
                im.vmcoreinfo[(pos & 0x7fffff) % im.vmcoreinfo_len] ^= (char)data[at + 3];
        } else {
            im.mem[pos % im.size] ^= data[at + 3];
        }
    }
    if (data[0] & 0x40)
        im.size = im.size * data[2] / 256;
    struct fphys f;
    memset(&f, 0, sizeof f);
    f.base.ops = data[0] & 2 ? &ops_plain : &ops_direct;
    f.mem = im.mem;
    f.size = im.size;
    f.run = (struct scry_run){0, im.size ? im.size : 1};
    f.base.runs = &f.run;
    f.base.nruns = 1;
    if (scry_file_from_memory(im.mem, im.size, "fuzz", &f.base.file) != SCRY_OK) {
        ki_free(&im);
        return 0;
    }
    struct scry_sysmap m;
    struct scry_kallsyms_info info;
    int vmci = data[0] & 1;
    scry_status st = scry_kallsyms_read(&f.base, NULL, vmci ? im.vmcoreinfo : NULL,
                                        vmci ? im.vmcoreinfo_len : 0, &m, &info);
    if (getenv("FUZZ_KALLSYMS_PRINT"))
        fprintf(stderr, "%s: %zu symbols\n", st == SCRY_OK ? "ok" : scry_last_error(), m.n);
    if (st == SCRY_OK) {
        check(&m, &info);
        scry_sysmap_free(&m);
    } else if (m.sym || m.text || m.index) {
        __builtin_trap(); /* a failure leaves nothing to free */
    }
    scry_file_close(f.base.file);
    ki_free(&im);
    return 0;
}
