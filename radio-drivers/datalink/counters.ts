// Data Link statistics (issue: frames and bytes sent/received, airtime used, drops by reason).
// 64-bit so airtime in microseconds does not wrap.

export const enum DataLinkCounter {
  PacketsSent = 0,
  PacketsReceived = 1,
  FramesSent = 2,
  FramesReceived = 3,
  BytesSent = 4,
  BytesReceived = 5,
  /** Microseconds of airtime used by this node's transmissions. */
  AirtimeMicroseconds = 6,
  /** Times listen-before-talk found the channel busy and backed off. */
  ChannelBusy = 7,
  /** Times a frame waited for the regional duty-cycle budget. */
  DutyCycleWaits = 8,
  // Drops, by reason.
  /** Frame with an unknown header, or a fragment that contradicts itself. */
  DroppedGarbage = 9,
  /** The radio reported a payload CRC or header error. */
  DroppedRadioError = 10,
  /** A partial packet whose missing fragments did not arrive in time. */
  DroppedReassemblyTimeout = 11,
  /** A partial packet pushed out by a newer one when every reassembly slot was busy. */
  DroppedReassemblyEvicted = 12,
  /** No packet buffer was free for an arriving packet. */
  DroppedNoBuffer = 13,
  /** The receive queue was full. */
  DroppedReceiveQueueFull = 14,
  /** A fragment that was already received (counted, not a packet loss). */
  DuplicateFragments = 15,
  Count = 16,
}
