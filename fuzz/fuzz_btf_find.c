/* fuzz_btf_find.c - the kernel's BTF found in a mutated physical image
 * (lib/os/linux_btf.c): at the place the kernel mapping names, else by the
 * header scan, each candidate read whole and validated.
 *
 * Input layout: a 9-byte header, then the physical image (address 0 on).
 *   [0]    flags: bit 0 passes the expected place below, bit 1 hides
 *          ops->direct (the scan reads in chunks)
 *   [1..4] the expected place's physical address (little endian)
 *   [5..8] its length (__stop_BTF - __start_BTF)
 * Besides "never crash, never hang": a blob found lies inside the image,
 * is as long as its header states, passes scry_btf_check and defines
 * struct task_struct; one found at the expected place is that place.
 * FUZZ_BTF_FIND_PRINT=1 prints each input's outcome. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_phys.h"
#include "lib/base/file.h"
#include "lib/os/linux_btf.h"

#define HDR 9u

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < HDR)
        return 0;
    const uint8_t *mem = data + HDR;
    size_t msize = size - HDR;
    struct fphys f;
    memset(&f, 0, sizeof f);
    f.base.ops = data[0] & 2 ? &ops_plain : &ops_direct;
    f.mem = mem;
    f.size = msize;
    f.run = (struct scry_run){0, msize ? msize : 1};
    f.base.runs = &f.run;
    f.base.nruns = 1;
    if (scry_file_from_memory(mem, msize, "fuzz", &f.base.file) != SCRY_OK)
        return 0;
    struct scry_linux_btf_where at = {le32(data + 1), le32(data + 5)};
    struct scry_linux_btf b;
    scry_status st = scry_linux_btf_find(&f.base, NULL, &at, data[0] & 1, &b);
    if (getenv("FUZZ_BTF_FIND_PRINT"))
        fprintf(stderr, "%s\n", st == SCRY_OK ? "ok" : scry_last_error());
    if (st == SCRY_OK) {
        if (!b.blob || b.pa > msize || b.len > msize - b.pa ||
            memcmp(b.blob, mem + b.pa, b.len) != 0 ||
            scry_linux_btf_validate(b.blob, b.len, "task_struct") != SCRY_OK ||
            (b.mapped && (!(data[0] & 1) || b.pa != at.pa || b.len != at.len)))
            __builtin_trap();
        scry_linux_btf_free(&b);
    } else if (b.blob) {
        __builtin_trap(); /* a failure leaves nothing to free */
    }
    scry_file_close(f.base.file);
    return 0;
}
