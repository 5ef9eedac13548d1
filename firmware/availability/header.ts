// The Availability header of routed packets (docs/routing.md, "Routed packet header"): what a relay
// needs to forward a packet by managed flooding and what the destination needs to know who sent it.
// Layout (multi-byte integers little-endian):
//
//   0 type (1) | 1 hop limit (1) | 2 hop count (1) | 3 packet id (4) | 7 destination (16) | 23 source (16)
//
// The header is not authenticated end to end (the Integrity layer protects each hop); a relay may
// rewrite only the two hop bytes. `AvailabilityHeaderView.check` validates a frame once, cheapest test
// first; the getters read it only after a check returned Valid.
import { ADDRESS_SIZE } from "./address";

/** First byte of routed packets; 1 is the announce (announce.ts), so every kind has its own value. */
export const enum RoutedPacketType {
  Unicast = 2,
  Broadcast = 3,
}

export const TYPE_OFFSET: i32 = 0;
/**
 * Hops the packet may still travel, counting the transmission that carries it: the origin writes the
 * hop limit H (1..15), each receiver lowers it by one and relays only while it stays above 0, so a
 * packet travels at most H hops. A frame arriving with 0 was sent by no correct node.
 */
export const HOP_LIMIT_OFFSET: i32 = 1;
/** Hops travelled before this transmission (0 from the origin); each receiver raises it by one. */
export const HOP_COUNT_OFFSET: i32 = 2;
/** Random per origin packet: with the source address it names the packet for duplicate suppression. */
export const PACKET_ID_OFFSET: i32 = 3;
export const DESTINATION_OFFSET: i32 = PACKET_ID_OFFSET + 4;
export const SOURCE_OFFSET: i32 = DESTINATION_OFFSET + ADDRESS_SIZE;
export const HEADER_SIZE: i32 = SOURCE_OFFSET + ADDRESS_SIZE;

/**
 * Largest hop limit a packet may carry. Meshtastic allows 7; 15 still covers a 10-node line and a 7×7
 * grid corner to corner (12 hops), and bounding it keeps a forged header from flooding forever.
 */
export const MAXIMUM_HOP_LIMIT: i32 = 15;

export const enum HeaderVerdict {
  Valid = 0,
  /** Shorter than the header. */
  Truncated = 1,
  /** Type byte is not a routed packet this node can read. */
  BadType = 2,
  /** Broadcast type without the all-ones destination, or unicast to the all-ones address. */
  BadDestination = 3,
  /** Hop limit 0, or hop limit + hop count above MAXIMUM_HOP_LIMIT (no correct origin or relay sends that). */
  BadHopLimit = 4,
}

/** True when the 16 bytes at `address` are all ones: the broadcast address. */
export function isBroadcastAddress(address: usize): bool {
  return load<u64>(address) == u64.MAX_VALUE && load<u64>(address + 8) == u64.MAX_VALUE;
}

/** True when the 16-byte addresses at `a` and `b` are equal (public values: no constant time needed). */
export function sameAddress(a: usize, b: usize): bool {
  return load<u64>(a) == load<u64>(b) && load<u64>(a + 8) == load<u64>(b + 8);
}

/**
 * Writes a header at `at` (HEADER_SIZE bytes). The type follows from the destination, so a caller
 * cannot emit a broadcast type with a unicast address or the reverse.
 */
export function emitHeader(
  at: usize,
  hopLimit: i32,
  packetId: u32,
  destination: usize,
  source: usize,
): void {
  const type = isBroadcastAddress(destination) ? RoutedPacketType.Broadcast : RoutedPacketType.Unicast;
  store<u8>(at + TYPE_OFFSET, <u8>type);
  store<u8>(at + HOP_LIMIT_OFFSET, <u8>hopLimit);
  store<u8>(at + HOP_COUNT_OFFSET, 0);
  store<u32>(at + PACKET_ID_OFFSET, packetId);
  memory.copy(at + DESTINATION_OFFSET, destination, <usize>ADDRESS_SIZE);
  memory.copy(at + SOURCE_OFFSET, source, <usize>ADDRESS_SIZE);
}

/**
 * A view over a received header. One view per link is reused for every frame, so reading headers
 * allocates nothing; `check` must return Valid before any getter is used.
 */
export class AvailabilityHeaderView {
  private at: usize = 0;

  check(at: usize, length: i32): HeaderVerdict {
    this.at = 0;
    if (length < HEADER_SIZE) return HeaderVerdict.Truncated;
    const type = <i32>load<u8>(at + TYPE_OFFSET);
    if (type != RoutedPacketType.Unicast && type != RoutedPacketType.Broadcast) return HeaderVerdict.BadType;
    const toEveryone = isBroadcastAddress(at + DESTINATION_OFFSET);
    if (toEveryone != (type == RoutedPacketType.Broadcast)) return HeaderVerdict.BadDestination;
    const hopLimit = <i32>load<u8>(at + HOP_LIMIT_OFFSET);
    const hopCount = <i32>load<u8>(at + HOP_COUNT_OFFSET);
    if (hopLimit == 0 || hopLimit + hopCount > MAXIMUM_HOP_LIMIT) return HeaderVerdict.BadHopLimit;
    this.at = at;
    return HeaderVerdict.Valid;
  }

  @inline isBroadcast(): bool {
    return load<u8>(this.at + TYPE_OFFSET) == <u8>RoutedPacketType.Broadcast;
  }

  /** Counts the hop that brought the frame here: hop limit − 1, hop count + 1 (check() keeps both in range). */
  countArrivalHop(): void {
    store<u8>(this.at + HOP_LIMIT_OFFSET, load<u8>(this.at + HOP_LIMIT_OFFSET) - 1);
    store<u8>(this.at + HOP_COUNT_OFFSET, load<u8>(this.at + HOP_COUNT_OFFSET) + 1);
  }

  @inline hopLimit(): i32 {
    return <i32>load<u8>(this.at + HOP_LIMIT_OFFSET);
  }

  @inline hopCount(): i32 {
    return <i32>load<u8>(this.at + HOP_COUNT_OFFSET);
  }

  @inline packetId(): u32 {
    return load<u32>(this.at + PACKET_ID_OFFSET);
  }

  @inline destination(): usize {
    return this.at + DESTINATION_OFFSET;
  }

  @inline source(): usize {
    return this.at + SOURCE_OFFSET;
  }

  /** The first 8 bytes of the source address: already a hash of a key, so a good ring key as is. */
  @inline sourceKey(): u64 {
    return load<u64>(this.at + SOURCE_OFFSET);
  }
}
