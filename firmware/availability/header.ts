// The Availability header of routed packets (docs/routing.md, "Routed packet header"): what a relay
// needs to forward a packet — by managed flooding, a learned next hop or the electric potential — and
// what the destination needs to know who sent it. Layout (multi-byte integers little-endian):
//
//   0 type (1) | 1 hop limit (1) | 2 hop count (1) | 3 packet id (4) | 7 transmitter (4) | 11 next hop (4)
//   | 15 ceiling (4) | 19 sender potential (4) | 23 destination (16) | 39 source (16)
//
// The header is not authenticated end to end (the Integrity layer protects each hop); a relay
// rewrites the hop bytes, the transmitter, next hop and the two potentials. `AvailabilityHeaderView.check`
// validates a frame once, cheapest test first; the getters read it only after a check returned Valid.
import { ADDRESS_SIZE } from "./address";

/** First byte of routed packets; 1 is the bare announce (announce.ts), so every kind has its own value. */
export const enum RoutedPacketType {
  /** To one endpoint: routed by next hop / potential, or flooded when the next hop is NO_NEXT_HOP. */
  Unicast = 2,
  /** To every node, by managed flooding. */
  Broadcast = 3,
  /** A signed announce (announce.ts) in the payload, flooded under the announce airtime budget. */
  Announce = 4,
  /** A potential beacon (beacon.ts): one hop, never relayed. */
  Beacon = 5,
  /**
   * To the subscribers of the topic named in the destination field: the payload starts with the list
   * of subscribers this copy still has to reach (multicast.ts).
   */
  Multicast = 6,
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
/** Short id (shortIdOf) of the node that sent this copy: how neighbours are learned and acks heard. */
export const TRANSMITTER_OFFSET: i32 = PACKET_ID_OFFSET + 4;
/** Short id of the one neighbour asked to forward a routed unicast; NO_NEXT_HOP = flood. */
export const NEXT_HOP_OFFSET: i32 = TRANSMITTER_OFFSET + 4;
/**
 * Electric routing: the highest potential the next hop may pass the packet down from — min(the
 * transmitter's own potential, the ceiling it received − 1). The next hop may only choose a neighbour
 * below it, so the ceiling falls strictly at every hop and a packet cannot loop however stale the
 * potentials are. A flooded unicast carries no ceiling; instead, when electric routing scoped the flood
 * to a few hops, this field keeps the hop count its routed budget allowed (scopedFloodHopBound), and
 * NO_POTENTIAL otherwise.
 */
export const CEILING_OFFSET: i32 = NEXT_HOP_OFFSET + 4;
/**
 * The transmitter's own potential for the destination (for an announce: for its source), or
 * NO_POTENTIAL: neighbours overhearing the frame learn it without a beacon.
 */
export const SENDER_POTENTIAL_OFFSET: i32 = CEILING_OFFSET + 4;
export const DESTINATION_OFFSET: i32 = SENDER_POTENTIAL_OFFSET + 4;
export const SOURCE_OFFSET: i32 = DESTINATION_OFFSET + ADDRESS_SIZE;
export const HEADER_SIZE: i32 = SOURCE_OFFSET + ADDRESS_SIZE;

/** Next-hop value of a flooded packet (no short id is 0: shortIdOf maps 0 to 1). */
export const NO_NEXT_HOP: u32 = 0;
/** "No potential known" (potentials are u32 in 1/256 units; this is above any valid one). */
export const NO_POTENTIAL: u32 = u32.MAX_VALUE;

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
  /** Broadcast-like type without the all-ones destination, or unicast to the all-ones address. */
  BadDestination = 3,
  /** Hop limit 0, or hop limit + hop count above MAXIMUM_HOP_LIMIT (no correct origin or relay sends that). */
  BadHopLimit = 4,
}

/**
 * The 4-byte short id of a 16-byte address: its first bytes, which are already a hash. Ids name
 * neighbours only, among at most a few dozen, so a collision (≈ n²/2³³) is rare and costs a misrouted
 * hop, not an identity. 0 is reserved for NO_NEXT_HOP.
 */
@inline export function shortIdOf(address: usize): u32 {
  const id = load<u32>(address);
  return id == NO_NEXT_HOP ? 1 : id;
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
 * Writes a header at `at` (HEADER_SIZE bytes) for a packet this node originates: hop count 0, no next
 * hop (flooded) and no potentials; routing fills those in with setRouting. The unicast/broadcast type
 * follows from the destination, so a caller cannot emit a broadcast type with a unicast address.
 */
export function emitHeader(
  at: usize,
  hopLimit: i32,
  packetId: u32,
  destination: usize,
  source: usize,
  type: RoutedPacketType = RoutedPacketType.Unicast,
): void {
  if (type == RoutedPacketType.Unicast || type == RoutedPacketType.Broadcast) {
    type = isBroadcastAddress(destination) ? RoutedPacketType.Broadcast : RoutedPacketType.Unicast;
  }
  // (Multicast, Announce and Beacon are chosen by the caller, who also picks their destination.)
  store<u8>(at + TYPE_OFFSET, <u8>type);
  store<u8>(at + HOP_LIMIT_OFFSET, <u8>hopLimit);
  store<u8>(at + HOP_COUNT_OFFSET, 0);
  store<u32>(at + PACKET_ID_OFFSET, packetId);
  store<u32>(at + TRANSMITTER_OFFSET, shortIdOf(source));
  setRouting(at, NO_NEXT_HOP, NO_POTENTIAL, NO_POTENTIAL);
  memory.copy(at + DESTINATION_OFFSET, destination, <usize>ADDRESS_SIZE);
  memory.copy(at + SOURCE_OFFSET, source, <usize>ADDRESS_SIZE);
}

/**
 * The hop count up to which a scoped fallback flood at `at` may travel once a node puts it back on a
 * routed path: the hop count plus the hop limit it had when it was scoped (docs/routing.md, "Fallback
 * floods under electric routing are scoped"). 0 when the field holds none, or nothing beyond the hops
 * already travelled — a value a relay altered can give a packet no more than the 15 hops any packet may
 * travel.
 */
export function scopedFloodHopBound(at: usize): i32 {
  const bound = load<u32>(at + CEILING_OFFSET);
  if (bound > <u32>MAXIMUM_HOP_LIMIT || <i32>bound <= <i32>load<u8>(at + HOP_COUNT_OFFSET)) return 0;
  return <i32>bound;
}

/** Writes the per-hop routing fields of the header at `at`. */
export function setRouting(at: usize, nextHop: u32, ceiling: u32, senderPotential: u32): void {
  store<u32>(at + NEXT_HOP_OFFSET, nextHop);
  store<u32>(at + CEILING_OFFSET, ceiling);
  store<u32>(at + SENDER_POTENTIAL_OFFSET, senderPotential);
}

/** Marks this node as the transmitter of the copy whose header is at `at`. */
@inline export function setTransmitter(at: usize, transmitter: u32): void {
  store<u32>(at + TRANSMITTER_OFFSET, transmitter);
}

/** Rewrites the sender potential of the header at `at` (relays write their own just before sending). */
@inline export function setSenderPotential(at: usize, potential: u32): void {
  store<u32>(at + SENDER_POTENTIAL_OFFSET, potential);
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
    if (type < RoutedPacketType.Unicast || type > RoutedPacketType.Multicast) return HeaderVerdict.BadType;
    const toEveryone = isBroadcastAddress(at + DESTINATION_OFFSET);
    const toOneGroup = type == RoutedPacketType.Unicast || type == RoutedPacketType.Multicast;
    if (toEveryone == toOneGroup) return HeaderVerdict.BadDestination;
    const hopLimit = <i32>load<u8>(at + HOP_LIMIT_OFFSET);
    const hopCount = <i32>load<u8>(at + HOP_COUNT_OFFSET);
    if (hopLimit == 0 || hopLimit + hopCount > MAXIMUM_HOP_LIMIT) return HeaderVerdict.BadHopLimit;
    // A beacon is heard by neighbours only: any other hop limit is a forgery meant to spread it.
    if (type == RoutedPacketType.Beacon && (hopLimit != 1 || hopCount != 0)) return HeaderVerdict.BadHopLimit;
    this.at = at;
    return HeaderVerdict.Valid;
  }

  @inline isBroadcast(): bool {
    return load<u8>(this.at + TYPE_OFFSET) == <u8>RoutedPacketType.Broadcast;
  }

  @inline type(): RoutedPacketType {
    return <RoutedPacketType>load<u8>(this.at + TYPE_OFFSET);
  }

  /** Address of the header itself (for setters that rewrite a relay copy). */
  @inline pointer(): usize {
    return this.at;
  }

  @inline transmitter(): u32 {
    return load<u32>(this.at + TRANSMITTER_OFFSET);
  }

  @inline nextHop(): u32 {
    return load<u32>(this.at + NEXT_HOP_OFFSET);
  }

  @inline ceiling(): u32 {
    return load<u32>(this.at + CEILING_OFFSET);
  }

  @inline senderPotential(): u32 {
    return load<u32>(this.at + SENDER_POTENTIAL_OFFSET);
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
