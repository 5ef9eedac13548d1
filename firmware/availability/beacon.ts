// Potential beacons (docs/routing.md, "Potential exchange"): how neighbours tell each other their
// potentials for destinations no traffic has carried lately. One hop, never relayed (header type
// Beacon, hop limit 1). Body after the routed header:
//
//   0 count n (1) | 1 heard-neighbour filter (32, heard-filter.ts)
//   33 then n × [ destination address prefix (4) | potential, 16-bit float (2) ]
//
// Six bytes an entry, so one 255-byte LoRa frame carries 24 potentials (it carried 12 at 8 + 4
// bytes): the exchange is what limits how fast potentials spread (docs/routing.md, "Measured").
//
// A 4-byte prefix names a destination among the ≤ 1024 a table holds: two of them share one with
// probability ≈ 1024²/2³³ ≈ 10⁻⁴ per table, and the cost is one report filed under the wrong one,
// bounded by the report checks like any other. Grinding a colliding address gains an attacker
// nothing: a neighbour can already report whatever it likes about any destination.
//
// Potentials (u32 in 1/256 units) travel as (shift (5 bits) << 11) | mantissa (11 bits), value =
// mantissa << shift: exact below 2048 (shift 0), else 11 significant bits — a relative step of at most
// 1/1024. Encoding rounds up, so a report never says a neighbour is lower than it is: rounding can make
// a neighbour look a little uphill, never downhill.

import { HEARD_FILTER_SIZE } from "./heard-filter";

export const BEACON_ENTRY_SIZE: i32 = 6;
export const BEACON_PREFIX_SIZE: i32 = 4;
/** Bytes before the first entry: the count and the heard-neighbour filter. */
export const BEACON_FIXED_SIZE: i32 = 1 + HEARD_FILTER_SIZE;
/** Offset of the heard-neighbour filter in the body. */
export const BEACON_FILTER_OFFSET: i32 = 1;
/** Most entries one beacon carries: 64 × 6 + 33 + header ≈ 490 bytes, ~0.8 s at SF7BW125. */
export const MAXIMUM_BEACON_ENTRIES: i32 = 64;
/** A potential code whose value would not fit 32 bits: the entry is malformed and skipped. */
export const BAD_POTENTIAL_CODE: u32 = 0xffffffff;

const MANTISSA_BITS: u32 = 11;
const MANTISSA_MASK: u32 = (1 << MANTISSA_BITS) - 1;
/** Largest shift whose values fit a u32: 2047 << 21 < 2³². */
const MAXIMUM_SHIFT: u32 = 32 - MANTISSA_BITS;

/** The largest code: 2047 << 21 = 4,292,870,144, above any potential a node keeps (4.0·10⁹). */
const LARGEST_CODE: u16 = <u16>((MAXIMUM_SHIFT << MANTISSA_BITS) | MANTISSA_MASK);

/**
 * The 16-bit code of `potential` (a u32 below NO_POTENTIAL), rounded up — except above the largest
 * code's value, which no kept potential reaches (route-table.ts caps them at 4.0·10⁹): those get it.
 */
export function encodeBeaconPotential(potential: u32): u16 {
  if (potential <= MANTISSA_MASK) return <u16>potential;
  let shift: u32 = 32 - MANTISSA_BITS - <u32>clz(potential);
  let mantissa = potential >> shift;
  if ((potential & ((1 << shift) - 1)) != 0) mantissa++;
  if (mantissa > MANTISSA_MASK) {
    mantissa >>= 1;
    shift++;
  }
  if (shift > MAXIMUM_SHIFT) return LARGEST_CODE;
  return <u16>((shift << MANTISSA_BITS) | mantissa);
}

/** The potential a 16-bit code stands for, or BAD_POTENTIAL_CODE when it cannot be a u32. */
export function decodeBeaconPotential(code: u16): u32 {
  const shift = <u32>code >> MANTISSA_BITS;
  if (shift > MAXIMUM_SHIFT) return BAD_POTENTIAL_CODE;
  return (<u32>code & MANTISSA_MASK) << shift;
}

/** Number of entries in the beacon body at `body` of `length` bytes, or -1 when malformed. */
export function beaconEntryCount(body: usize, length: i32): i32 {
  if (length < BEACON_FIXED_SIZE) return -1;
  const count = <i32>load<u8>(body);
  if (count > MAXIMUM_BEACON_ENTRIES || length != BEACON_FIXED_SIZE + count * BEACON_ENTRY_SIZE) return -1;
  return count;
}

@inline export function beaconEntryPrefix(body: usize, entry: i32): u32 {
  return load<u32>(body + <usize>(BEACON_FIXED_SIZE + entry * BEACON_ENTRY_SIZE));
}

/** The entry's potential, or BAD_POTENTIAL_CODE. */
@inline export function beaconEntryPotential(body: usize, entry: i32): u32 {
  return decodeBeaconPotential(load<u16>(body + <usize>(BEACON_FIXED_SIZE + entry * BEACON_ENTRY_SIZE + BEACON_PREFIX_SIZE)));
}

/** Writes entry `entry` (the caller writes the count byte when done). */
@inline export function writeBeaconEntry(body: usize, entry: i32, address: usize, potential: u32): void {
  const at = body + <usize>(BEACON_FIXED_SIZE + entry * BEACON_ENTRY_SIZE);
  store<u32>(at, load<u32>(address));
  store<u16>(at + BEACON_PREFIX_SIZE, encodeBeaconPotential(potential));
}
