/* fuzz_kdump_flat.c - libFuzzer harness for the flattened kdump reader:
 * open through format detection, check the physical layer's invariants
 * (fuzz/phys_checks.h). */
#include "phys_checks.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_phys_input(&scry_format_kdump_flat, data, size);
}
