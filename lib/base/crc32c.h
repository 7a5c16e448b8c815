/* crc32c.h - CRC-32C (Castagnoli), as the snappy framing format checks
 * its chunks with. */
#ifndef SCRY_CRC32C_H
#define SCRY_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* The CRC-32C of data[0..len) (reflected polynomial 0x82F63B78, initial
 * value and final xor 0xFFFFFFFF: crc32c("123456789") == 0xE3069283). */
uint32_t scry_crc32c(const void *data, size_t len);

/* The snappy framing format's masked form of a CRC: rotated right by 15
 * bits plus 0xa282ead8, so a CRC of data holding CRCs stays sound. */
static inline uint32_t scry_crc32c_mask(uint32_t crc)
{
    return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
}

#endif
