/* fuzz_avml.c - libFuzzer harness for the AVML reader: open through
 * format detection (the frames and chunk index of every range), then the
 * physical layer's invariants (fuzz/phys_checks.h): every present page
 * decodes or fails cleanly (libsnappy on hostile raw blocks, the CRC-32C
 * check). */
#include "phys_checks.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_phys_input(&scry_format_avml, data, size);
}
