/* fuzz_windump.c - libFuzzer harness for the Windows x64 crash-dump reader
 * (DumpType 1 runs, DumpType 5 bitmap): open through format detection, check
 * the physical layer's invariants (fuzz/phys_checks.h). */
#include "phys_checks.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_phys_input(&scry_format_windump, data, size);
}
