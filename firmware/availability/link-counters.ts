// Statistics of the Availability link. Two families, each complete:
// - every frame received from the lower link ends under exactly one *fate* (Delivered…, ForOthers,
//   Duplicates, OwnEchoes, Malformed…, ControlFrames), so FramesReceived = the sum of the fates;
// - every relay the node considered ends under exactly one *relay outcome* (Relays…, or
//   HopLimitReached, or RefreshesNotRelayed for an announce left to others), so nothing is lost
//   silently.

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
  /**
   * Already in the duplicate ring: neither delivered nor relayed again; or, under electric routing, a
   * resend of a packet overheard further along its way (not forwarded twice).
   */
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
  // Routing (next-hop and electric strategies; always 0 under flooding).
  /** Received announces and beacons: consumed by the layer, never delivered upwards (a fate). */
  ControlFrames = 19,
  /** Unicasts this node sent or forwarded to one chosen next hop. */
  RoutedSent = 20,
  /** Of those, ones this node forwarded for others (it was the named next hop). */
  RoutedForwarded = 21,
  /** Unicasts flooded because no route (next hop) or no neighbour downhill (electric) was known. */
  NoRoute = 22,
  /** Passive acknowledgements: the next hop was heard forwarding what it was given. */
  AcksHeard = 23,
  /** Next hops not heard forwarding within the acknowledgement timeout. */
  AckTimeouts = 24,
  /** Resends sent after a missed acknowledgement (at most two per packet; next-hop routing may flood them). */
  AckRetries = 25,
  /** Announces of this node's own identity sent. */
  AnnouncesOriginated = 26,
  /** Announces that verified and updated the endpoint table. */
  AnnouncesAccepted = 27,
  /** Announces refused by the endpoint table (forged, replayed, puzzle, table full…). */
  AnnouncesRejected = 28,
  /** Announce relays or originations held back by the announce airtime budget. */
  AnnounceBudgetExceeded = 29,
  BeaconsSent = 30,
  BeaconsReceived = 31,
  /** Potential reports refused by the sanity checks (route-table.ts report). */
  PotentialReportsRejected = 32,
  /** Potential reports that fell by more than half and were recorded as half the previous one. */
  PotentialReportsClamped = 33,
  // Multicast and anycast.
  SentMulticast = 34,
  /** Multicast copies delivered upwards (a fate). */
  DeliveredMulticast = 35,
  /** Copies of multicast packets sent, one per next hop chosen (flooded ones count under NoRoute too). */
  MulticastCopies = 36,
  /** Multicast or anycast refused at the origin: no subscriber or holder known (Status NoRoute). */
  NoSubscribers = 37,
  /** Flooded unicasts whose relay this node sent routed instead (it knew a way): fallback floods end here. */
  FloodsRouted = 38,
  /** Routed unicasts given up: the resends also missed their acknowledgements, or none could be made. */
  DroppedUnacknowledged = 39,
  /** Announces sent again because no other node was heard sending them on (own announces; relays in sparse parts). */
  AnnounceRepeats = 40,
  /** Announces of endpoints this node already knew, not relayed: electric routing relays one in four. */
  RefreshesNotRelayed = 41,
  Count = 42,
}

@inline export function malformedCounter(verdict: i32): AvailabilityLinkCounter {
  return <AvailabilityLinkCounter>(AvailabilityLinkCounter.MalformedTruncated + verdict - 1);
}
