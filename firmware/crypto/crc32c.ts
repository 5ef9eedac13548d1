// CRC-32C (Castagnoli; RFC 3720 §B.4, also iSCSI/SCTP): reflected polynomial 0x82F63B78, initial value
// and final XOR 0xFFFFFFFF. An error-detecting checksum for frames, not a MAC: its input is not secret,
// so table lookups indexed by data are fine here.

/** The reflected generator polynomial (RFC 3720 §B.4: 0x1EDC6F41 with its bits reversed). */
const POLYNOMIAL: u32 = 0x82f63b78;

// Slicing-by-4 (four 256-entry tables, 4 KiB): table k maps a byte to the CRC of that byte followed by
// k zero bytes, so four input bytes cost four independent lookups instead of four dependent ones.
// Measured in V8: ≈950 MB/s against ≈375 MB/s byte at a time (one 1 KiB table). Slicing-by-8 reached
// ≈1450 MB/s but needs 8 KiB of the stack's 128 KiB of memory, for frames of at most a few hundred
// bytes. The tables are computed at first use into a zero-filled static area, which costs no bytes in
// the .wasm.
const tables: usize = memory.data(4 * 256 * 4, 16);
let tablesReady = false;

function buildTables(): void {
  // Table 0: the CRC register after shifting one byte through it, bit by bit (the reflected LFSR).
  for (let n: u32 = 0; n < 256; n++) {
    let crc = n;
    for (let bit = 0; bit < 8; bit++) {
      // -(crc & 1) is all ones when the low bit is set: XOR the polynomial without a branch.
      crc = (crc >>> 1) ^ (POLYNOMIAL & (0 - (crc & 1)));
    }
    store<u32>(tables + (<usize>n << 2), crc);
  }
  // Table k: one more zero byte after table k-1's entry.
  for (let k: usize = 1; k < 4; k++) {
    for (let n: usize = 0; n < 256; n++) {
      const previous = load<u32>(tables + ((k - 1) << 10) + (n << 2));
      const next = (previous >>> 8) ^ load<u32>(tables + (<usize>(previous & 0xff) << 2));
      store<u32>(tables + (k << 10) + (n << 2), next);
    }
  }
  tablesReady = true;
}

// @ts-ignore: decorator
@inline function entry(table: usize, index: u32): u32 {
  return load<u32>(tables + (table << 10) + (<usize>(index & 0xff) << 2));
}

/**
 * Continues a CRC-32C: `crc` is the CRC of the bytes before (0 to start), the result the CRC of those
 * bytes followed by `length` bytes at `pointer`. So crc32cUpdate(crc32cUpdate(0, a), b) = CRC-32C(a‖b).
 */
export function crc32cUpdate(crc: u32, pointer: usize, length: usize): u32 {
  if (!tablesReady) buildTables();
  // The register holds the complement of the published value (initial value and final XOR ~0).
  let register = ~crc;
  const end = pointer + length;
  // Four bytes at a time: XOR a little-endian word in, then look each byte up in the table that
  // accounts for the bytes still to follow it within the word.
  while (end - pointer >= 4) {
    register ^= load<u32>(pointer);
    register =
      entry(3, register) ^ entry(2, register >>> 8) ^ entry(1, register >>> 16) ^ entry(0, register >>> 24);
    pointer += 4;
  }
  while (pointer < end) {
    register = (register >>> 8) ^ entry(0, register ^ load<u8>(pointer));
    pointer++;
  }
  return ~register;
}

/** CRC-32C of `length` bytes at `pointer`. */
export function crc32c(pointer: usize, length: usize): u32 {
  return crc32cUpdate(0, pointer, length);
}
