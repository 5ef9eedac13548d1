// Potential beacons (docs/routing.md, "Potential exchange"): how neighbours tell each other their
// potentials for destinations no traffic has carried lately. One hop, never relayed (header type
// Beacon, hop limit 1). Body after the routed header:
//
//   0 count n (1) | 1 heard-neighbour filter (32, heard-filter.ts)
//   33 then n × [ destination address prefix (8) | potential u32 (4) ]
//
// An 8-byte prefix names a destination among the ≤ 1024 a table holds: a chance collision between
// two of them (≈ 2⁻⁴⁴) costs one wrong report, bounded by the report checks like any other.

import { HEARD_FILTER_SIZE } from "./heard-filter";

export const BEACON_ENTRY_SIZE: i32 = 12;
/** Bytes before the first entry: the count and the heard-neighbour filter. */
export const BEACON_FIXED_SIZE: i32 = 1 + HEARD_FILTER_SIZE;
/** Offset of the heard-neighbour filter in the body. */
export const BEACON_FILTER_OFFSET: i32 = 1;
export const BEACON_PREFIX_SIZE: i32 = 8;
/** Most entries one beacon carries: 32 × 12 + 33 + header ≈ 472 bytes, ~0.8 s at SF7BW125. */
export const MAXIMUM_BEACON_ENTRIES: i32 = 32;

/** Number of entries in the beacon body at `body` of `length` bytes, or -1 when malformed. */
export function beaconEntryCount(body: usize, length: i32): i32 {
  if (length < BEACON_FIXED_SIZE) return -1;
  const count = <i32>load<u8>(body);
  if (count > MAXIMUM_BEACON_ENTRIES || length != BEACON_FIXED_SIZE + count * BEACON_ENTRY_SIZE) return -1;
  return count;
}

@inline export function beaconEntryPrefix(body: usize, entry: i32): u64 {
  return load<u64>(body + <usize>(BEACON_FIXED_SIZE + entry * BEACON_ENTRY_SIZE));
}

@inline export function beaconEntryPotential(body: usize, entry: i32): u32 {
  return load<u32>(body + <usize>(BEACON_FIXED_SIZE + entry * BEACON_ENTRY_SIZE + BEACON_PREFIX_SIZE));
}

/** Writes entry `entry` (the caller writes the count byte when done). */
@inline export function writeBeaconEntry(body: usize, entry: i32, address: usize, potential: u32): void {
  const at = body + <usize>(BEACON_FIXED_SIZE + entry * BEACON_ENTRY_SIZE);
  store<u64>(at, load<u64>(address));
  store<u32>(at + BEACON_PREFIX_SIZE, potential);
}
