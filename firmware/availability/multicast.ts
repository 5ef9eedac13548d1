// The subscriber list at the front of a multicast packet's payload (docs/routing.md, "Multicast"):
//
//   count n (1) | n × subscriber address prefix (8) | application payload
//
// Each forwarder splits the list by the next hop it chooses for each subscriber and sends one copy per
// next hop with that part of the list, so a packet reaches every subscriber along unicast paths that
// share their common hops, and nobody else (explicit multicast, as Xcast, RFC 5058). The origin
// fills the list from the subscriptions its endpoint table learned from verified announces.

export const LIST_ENTRY_SIZE: i32 = 8;
/** Most subscribers one packet names: the list then takes 129 bytes of the payload. */
export const MAXIMUM_MULTICAST_LIST: i32 = 16;

/** Entries in the list at `body` (of `length` bytes), or -1 when it does not fit or is too long. */
export function multicastListCount(body: usize, length: i32): i32 {
  if (length < 1) return -1;
  const count = <i32>load<u8>(body);
  if (count > MAXIMUM_MULTICAST_LIST || length < 1 + count * LIST_ENTRY_SIZE) return -1;
  return count;
}

@inline export function listBytes(count: i32): i32 {
  return 1 + count * LIST_ENTRY_SIZE;
}

@inline export function listEntry(body: usize, index: i32): u64 {
  return load<u64>(body + 1 + <usize>(index * LIST_ENTRY_SIZE));
}

/**
 * A key for the list's contents (FNV-1a over the prefixes): two copies of one packet carrying
 * different parts of the list are different packets to the duplicate ring, the same part twice is not.
 */
export function listHash(body: usize, count: i32): u64 {
  let hash: u64 = 0xcbf29ce484222325;
  for (let i = 0; i < count; i++) {
    hash ^= listEntry(body, i);
    hash *= 0x100000001b3;
  }
  return hash;
}
