// Heard-neighbour filter (docs/routing.md, "One-way links"): a 128-bit Bloom filter of the short ids a
// node hears, carried in every beacon. A node that hears B checks B's filter for its own id: if it is
// not there, B does not hear it — the link works one way only — and B is not used as a next hop (a
// packet sent to B would be lost, and B's forwarding never acknowledged). Under the simulator's
// suburban channel (independent shadowing per direction, σ = 6 dB) a third of the audible links are
// one-way. Two bits per id: with 20 neighbours, a one-way link passes for two-way ~7 % of the time
// ((1 − e^(−2·20/128))²), which the delivery ratio then catches.

export const HEARD_FILTER_SIZE: i32 = 16;

// Two bit positions in 0..127 from the top bits of two multiplicative hashes of the id (Knuth's
// golden-ratio constant and MurmurHash3's fmix32 constant): short ids are hash output already, the
// multiplication only decorrelates the two positions.
@inline function firstBit(id: u32): u32 {
  return (id * 0x9e3779b1) >>> 25;
}

@inline function secondBit(id: u32): u32 {
  return (id * 0x85ebca6b) >>> 25;
}

export function clearHeardFilter(at: usize): void {
  memory.fill(at, 0, <usize>HEARD_FILTER_SIZE);
}

@inline function setBit(at: usize, bit: u32): void {
  const byte = at + <usize>(bit >> 3);
  store<u8>(byte, <u8>(<u32>load<u8>(byte) | (1 << (bit & 7))));
}

@inline function hasBit(at: usize, bit: u32): bool {
  return ((<u32>load<u8>(at + <usize>(bit >> 3)) >> (bit & 7)) & 1) != 0;
}

export function addToHeardFilter(at: usize, id: u32): void {
  setBit(at, firstBit(id));
  setBit(at, secondBit(id));
}

export function heardFilterContains(at: usize, id: u32): bool {
  return hasBit(at, firstBit(id)) && hasBit(at, secondBit(id));
}
