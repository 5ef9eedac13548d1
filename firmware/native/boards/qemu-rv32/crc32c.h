/* CRC-32C (Castagnoli; RFC 3720 §B.4), the serial protocol's frame check. */
#ifndef MESHSTACK_CRC32C_H
#define MESHSTACK_CRC32C_H

#include <stddef.h>
#include <stdint.h>

#define CRC32C_INITIAL 0xFFFFFFFFu
/* Continue a CRC over more bytes; start from CRC32C_INITIAL and finish with crc32c_final. */
uint32_t crc32c_update(uint32_t state, const uint8_t *bytes, size_t length);
static inline uint32_t crc32c_final(uint32_t state) {
  return state ^ 0xFFFFFFFFu;
}

#endif
