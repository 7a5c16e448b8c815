/* fuzz_kdump.c - libFuzzer harness for the kdump-compressed reader (seeds: the kdump-peer files):
 * open through format detection, check the physical layer's invariants
 * (fuzz/phys_checks.h). */
#include "phys_checks.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_phys_input(&scry_format_kdump, data, size);
}
