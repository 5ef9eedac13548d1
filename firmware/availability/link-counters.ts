// Statistics of the Availability link (managed flooding). Two families, each complete:
// - every frame received from the lower link ends under exactly one *fate* (Delivered…, ForOthers,
//   Duplicates, OwnEchoes, Malformed…), so FramesReceived = the sum of the fates;
// - every relay the node considered ends under exactly one *relay outcome* (Relays…, or
//   HopLimitReached), so nothing is lost silently.

export const enum AvailabilityLinkCounter {
  /** Packets this node originated, by kind. */
  SentUnicast = 0,
  SentBroadcast = 1,
  /** Frames popped from the lower link. */
  FramesReceived = 2,
  // Fates of received frames.
  /** Unicast to this node, delivered upwards. */
  DeliveredUnicast = 3,
  /** Broadcast, delivered upwards (and considered for a relay). */
  DeliveredBroadcast = 4,
  /** Unicast to another node: considered for a relay only. */
  ForOthers = 5,
  /** Already in the duplicate ring: neither delivered nor relayed again. */
  Duplicates = 6,
  /** A relay of a packet this node originated. */
  OwnEchoes = 7,
  MalformedTruncated = 8,
  MalformedBadType = 9,
  MalformedBadDestination = 10,
  MalformedBadHopLimit = 11,
  // Relay outcomes.
  /** Copies queued in the pending-relay table. */
  RelaysScheduled = 12,
  /** Queued relays handed to the lower link. */
  RelaysSent = 13,
  /** Queued relays dropped because another node's relay of the same packet was heard first. */
  RelaysCancelled = 14,
  /** Not relayed because the hop limit had reached 0 (a unicast to another node ends here). */
  HopLimitReached = 15,
  /** Not relayed because the pending-relay table was full (the local delivery still happens). */
  RelayTableFull = 16,
  /** Not relayed because the packet pool had no buffer for the copy. */
  RelayNoBuffer = 17,
  /** Queued relays the lower link refused for a reason other than Full (counted, then dropped). */
  RelayRefused = 18,
  Count = 19,
}

@inline export function malformedCounter(verdict: i32): AvailabilityLinkCounter {
  return <AvailabilityLinkCounter>(AvailabilityLinkCounter.MalformedTruncated + verdict - 1);
}
