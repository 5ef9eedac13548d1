/*
 * CRC-32C, reflected polynomial 0x82F63B78, four bits at a time: a 16-entry table (64 bytes of
 * flash) instead of 1 KiB for byte-wise, because tunnel frames are short.
 */
#include "crc32c.h"

static const uint32_t nibble_table[16] = {
    0x00000000u, 0x105EC76Fu, 0x20BD8EDEu, 0x30E349B1u, 0x417B1DBCu, 0x5125DAD3u, 0x61C69362u, 0x7198540Du,
    0x82F63B78u, 0x92A8FC17u, 0xA24BB5A6u, 0xB21572C9u, 0xC38D26C4u, 0xD3D3E1ABu, 0xE330A81Au, 0xF36E6F75u,
};

uint32_t crc32c_update(uint32_t state, const uint8_t *bytes, size_t length) {
  for (size_t i = 0; i < length; i++) {
    state ^= bytes[i];
    state = (state >> 4) ^ nibble_table[state & 15u];
    state = (state >> 4) ^ nibble_table[state & 15u];
  }
  return state;
}
